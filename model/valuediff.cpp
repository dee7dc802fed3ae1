// SPDX-License-Identifier: GPL-3.0-or-later
#include "valuediff.h"

#include <QRegularExpression>

namespace Signalbox::Model {

namespace {

QString keyPath(const QString &parent, const QString &key)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (plain.match(key).hasMatch())
        return parent + QLatin1Char('.') + key;
    return parent + QLatin1Char('[') + QString::fromUtf8(toJson(Value(key))) + QLatin1Char(']');
}

void diff(const QString &path, const Value &before, const Value &after, QList<ValueChange> &out)
{
    if (before.isMap() && after.isMap()) {
        const ValueMap a = before.toMap();
        const ValueMap b = after.toMap();
        for (auto it = a.begin(); it != a.end(); ++it) {
            const QString child = keyPath(path, it.key().toString());
            const auto found = b.constFind(it.key());
            if (found == b.constEnd())
                out.append({child, ValueChange::Kind::Removed, it.value(), Value()});
            else
                diff(child, it.value(), found.value(), out);
        }
        for (auto it = b.begin(); it != b.end(); ++it) {
            if (!a.contains(it.key()))
                out.append({keyPath(path, it.key().toString()), ValueChange::Kind::Added, Value(),
                            it.value()});
        }
        return;
    }
    if (before.isArray() && after.isArray()) {
        const ValueList a = before.toArray();
        const ValueList b = after.toArray();
        const qsizetype common = qMin(a.size(), b.size());
        for (qsizetype i = 0; i < common; ++i)
            diff(QStringLiteral("%1[%2]").arg(path).arg(i), a.at(i), b.at(i), out);
        for (qsizetype i = common; i < a.size(); ++i)
            out.append({QStringLiteral("%1[%2]").arg(path).arg(i), ValueChange::Kind::Removed,
                        a.at(i), Value()});
        for (qsizetype i = common; i < b.size(); ++i)
            out.append({QStringLiteral("%1[%2]").arg(path).arg(i), ValueChange::Kind::Added, Value(),
                        b.at(i)});
        return;
    }
    if (before.type() != after.type() || !pythonEquals(before, after)) {
        // Python's == says 1 == 1.0 == True; a changed kind of value is a
        // change all the same, except between the two kinds of number.
        const bool numbers = (before.isInteger() || before.isDouble())
            && (after.isInteger() || after.isDouble());
        if (!(numbers && pythonEquals(before, after)))
            out.append({path, ValueChange::Kind::Changed, before, after});
    }
}

} // namespace

QList<ValueChange> diffValues(const Value &before, const Value &after)
{
    QList<ValueChange> changes;
    diff(QStringLiteral("$"), before, after, changes);
    return changes;
}

} // namespace Signalbox::Model
