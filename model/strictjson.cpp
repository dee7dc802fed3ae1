// SPDX-License-Identifier: GPL-3.0-or-later
#include "strictjson.h"

#include "value.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>

#include <utility>

namespace Signalbox::Model {

Result<QJsonValue> parseStrictJson(QByteArrayView data, const JsonLimits &limits,
                                   const QString &source)
{
    auto parsed = parseJsonValue(data, limits, source);
    if (!parsed)
        return parsed.error();
    return toQJson(*parsed);
}

int jsonDepth(const QJsonValue &value)
{
    int deepest = 0;
    QList<std::pair<QJsonValue, int>> pending {{value, 0}};
    while (!pending.isEmpty()) {
        auto [current, depth] = pending.takeLast();
        if (current.isObject()) {
            deepest = qMax(deepest, depth + 1);
            for (const QJsonValue &child : current.toObject())
                pending.append({child, depth + 1});
        } else if (current.isArray()) {
            deepest = qMax(deepest, depth + 1);
            for (const QJsonValue &child : current.toArray())
                pending.append({child, depth + 1});
        }
    }
    return deepest;
}

} // namespace Signalbox::Model
