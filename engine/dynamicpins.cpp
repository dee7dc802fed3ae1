// SPDX-License-Identifier: GPL-3.0-or-later
#include "dynamicpins.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;

Result<ValueMap> mergeDynamicInputs(ValueMap input)
{
    const ValueMap original = input;
    // Lists first, then dicts, then objects, each over the original entries.
    for (auto it = original.begin(); it != original.end(); ++it) {
        const QString key = it.key().toString();
        const qsizetype at = key.indexOf(kListSplit);
        if (at < 0)
            continue;
        const QString name = key.left(at);
        const QString indexText = key.mid(at + kListSplit.size());
        bool ok = false;
        const qsizetype index = indexText.toLongLong(&ok);
        if (!ok || index < 0 || indexText.contains(QLatin1Char('+')))
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("Invalid key: %1, #%2 index must be an integer.")
                                 .arg(key, indexText));
        ValueList list = input.value(name).isArray() ? input.value(name).toArray() : ValueList();
        while (list.size() <= index)
            list.append(QString());
        list[index] = it.value();
        input.insert(name, list);
    }
    for (const QLatin1StringView split : {kDictSplit, kObjectSplit}) {
        for (auto it = original.begin(); it != original.end(); ++it) {
            const QString key = it.key().toString();
            const qsizetype at = key.indexOf(split);
            if (at < 0)
                continue;
            const QString name = key.left(at);
            ValueMap map = input.value(name).isMap() ? input.value(name).toMap() : ValueMap();
            map.insert(key.mid(at + split.size()), it.value());
            input.insert(name, map);
        }
    }
    return input;
}

std::optional<Value> selectOutput(const QString &pin, const Value &value, const QString &selector,
                                  const QString &sinkId, const QString &sinkName)
{
    const bool toolLink = Model::isToolPin(selector);
    if (pin.startsWith(Model::kToolPrefix)) {
        const qsizetype split = pin.indexOf(Model::kToolSplit, Model::kToolPrefix.size());
        if (!toolLink || split < 0)
            return std::nullopt;
        const QString node = pin.mid(Model::kToolPrefix.size(), split - Model::kToolPrefix.size());
        const QString input = pin.mid(split + Model::kToolSplit.size());
        if (node == sinkId && input == sinkName)
            return value;
        return std::nullopt;
    }
    if (toolLink && selector != pin)
        return std::nullopt;
    if (selector == pin)
        return value;
    for (const QLatin1StringView split : {kListSplit, kDictSplit, kObjectSplit}) {
        const qsizetype at = selector.indexOf(split);
        if (at < 0)
            continue;
        if (selector.left(at) != pin)
            return std::nullopt;
        const QString key = selector.mid(at + split.size());
        if (split == kListSplit) {
            bool ok = false;
            const qsizetype index = key.toLongLong(&ok);
            const ValueList list = value.toArray();
            if (!ok || !value.isArray())
                return std::nullopt;
            // Python indexing: negative indices count from the end.
            const qsizetype resolved = index < 0 ? list.size() + index : index;
            if (resolved < 0 || resolved >= list.size())
                return std::nullopt;
            return list.at(resolved);
        }
        if (!value.isMap() || !value.toMap().contains(key))
            return std::nullopt;
        return value.toMap().value(key);
    }
    return std::nullopt;
}

} // namespace Signalbox::Engine
