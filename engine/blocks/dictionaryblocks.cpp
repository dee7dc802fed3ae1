// SPDX-License-Identifier: GPL-3.0-or-later
// Dictionary blocks. Keys are strings (JSON objects); a key given as an
// integer matches nothing in an object, as in AutoGPT where it stays an int.
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

// The Python repr of a key inside "Key '...' not found" messages.
QString keyText(const Value &key)
{
    return key.isString() ? key.toString() : Model::pythonStr(key);
}

Result<void> createDictionary(const ValueMap &input, BlockContext &context)
{
    context.yield(QStringLiteral("dictionary"), in(input, "values"));
    return {};
}

Result<void> addToDictionary(const ValueMap &input, BlockContext &context)
{
    ValueMap dictionary = in(input, "dictionary").toMap();
    const Value value = in(input, "value");
    const QString key = in(input, "key").toString();
    if (!value.isNull() && !value.isUndefined() && !key.isEmpty())
        dictionary.insert(key, value);
    const ValueMap entries = in(input, "entries").toMap();
    for (auto it = entries.begin(); it != entries.end(); ++it)
        dictionary.insert(it.key(), it.value());
    context.yield(QStringLiteral("updated_dictionary"), dictionary);
    return {};
}

Result<void> findInDictionary(const ValueMap &input, BlockContext &context)
{
    const Value original = in(input, "input");
    const Value key = in(input, "key");
    Value object = original;
    if (object.isString()) {
        auto parsed = Model::parseJsonValue(object.toString().toUtf8(), Model::JsonLimits {},
                                            QStringLiteral("input"));
        if (!parsed)
            return blockError(parsed.error().message);
        object = *parsed;
    }
    if (object.isMap() && key.isString() && object.toMap().contains(key.toString())) {
        context.yield(QStringLiteral("output"), object.toMap().value(key.toString()));
        return {};
    }
    if (object.isArray()) {
        const ValueList list = object.toArray();
        if (key.isInteger() && key.toInteger() >= 0 && key.toInteger() < list.size()) {
            context.yield(QStringLiteral("output"), list.at(key.toInteger()));
            return {};
        }
        if (key.isString()) {
            ValueList found;
            if (!list.isEmpty() && list.first().isMap()
                && list.first().toMap().contains(key.toString())) {
                for (const Value &item : list) {
                    if (item.isMap() && item.toMap().contains(key.toString()))
                        found.append(item.toMap().value(key.toString()));
                }
            }
            // JSON values have no attributes: otherwise an empty list.
            context.yield(QStringLiteral("output"), found);
            return {};
        }
    }
    context.yield(QStringLiteral("missing"), original);
    return {};
}

// Python's KeyError as these blocks report it: true, with the error yielded,
// when the key is not in the dictionary (an integer key never is).
bool reportMissingKey(const ValueMap &dictionary, const Value &key, BlockContext &context)
{
    if (key.isString() && dictionary.contains(key.toString()))
        return false;
    context.yield(QStringLiteral("error"),
                  QStringLiteral("Key '%1' not found in dictionary").arg(keyText(key)));
    return true;
}

Result<void> removeFromDictionary(const ValueMap &input, BlockContext &context)
{
    ValueMap dictionary = in(input, "dictionary").toMap();
    const Value key = in(input, "key");
    if (reportMissingKey(dictionary, key, context))
        return {};
    const Value removed = dictionary.take(key.toString());
    context.yield(QStringLiteral("updated_dictionary"), dictionary);
    if (in(input, "return_value").toBool())
        context.yield(QStringLiteral("removed_value"), removed);
    return {};
}

Result<void> replaceDictionaryValue(const ValueMap &input, BlockContext &context)
{
    ValueMap dictionary = in(input, "dictionary").toMap();
    const Value key = in(input, "key");
    if (reportMissingKey(dictionary, key, context))
        return {};
    const Value old = dictionary.value(key.toString());
    dictionary.insert(key.toString(), in(input, "value"));
    context.yield(QStringLiteral("updated_dictionary"), dictionary);
    context.yield(QStringLiteral("old_value"), old);
    return {};
}

Result<void> dictionaryIsEmpty(const ValueMap &input, BlockContext &context)
{
    context.yield(QStringLiteral("is_empty"), in(input, "dictionary").toMap().isEmpty());
    return {};
}

} // namespace

void registerDictionaryBlocks(BlockRegistry &registry)
{
    registry.add(BlockIds::CreateDictionary, createDictionary);
    registry.add(BlockIds::AddToDictionary, addToDictionary);
    registry.add(BlockIds::FindInDictionary, findInDictionary);
    registry.add(BlockIds::RemoveFromDictionary, removeFromDictionary);
    registry.add(BlockIds::ReplaceDictionaryValue, replaceDictionaryValue);
    registry.add(BlockIds::DictionaryIsEmpty, dictionaryIsEmpty);
}

} // namespace Signalbox::Engine
