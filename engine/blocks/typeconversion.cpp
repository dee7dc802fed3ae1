// SPDX-License-Identifier: GPL-3.0-or-later
#include "typeconversion.h"

#include <cmath>

namespace Signalbox::Engine {

using Model::PinType;
using Model::Value;
using Model::ValueList;
using Model::ValueMap;

namespace {

qsizetype containerLength(const Value &value)
{
    if (value.isArray())
        return value.toArray().size();
    if (value.isMap())
        return value.toMap().size();
    return -1;
}

// Python's float(x) for JSON values; nullopt where Python raises.
std::optional<double> pythonFloat(const Value &value)
{
    switch (value.type()) {
    case QCborValue::Integer:
        return double(value.toInteger());
    case QCborValue::Double:
        return value.toDouble();
    case QCborValue::True:
        return 1.0;
    case QCborValue::False:
        return 0.0;
    case QCborValue::String: {
        const QString text = value.toString().trimmed().toLower();
        if (text == QLatin1String("inf") || text == QLatin1String("+inf")
            || text == QLatin1String("infinity"))
            return std::numeric_limits<double>::infinity();
        if (text == QLatin1String("-inf") || text == QLatin1String("-infinity"))
            return -std::numeric_limits<double>::infinity();
        if (text == QLatin1String("nan"))
            return std::numeric_limits<double>::quiet_NaN();
        bool ok = false;
        const double number = QString(text).remove(QLatin1Char('_')).toDouble(&ok);
        if (!ok)
            return std::nullopt;
        return number;
    }
    default:
        return std::nullopt;
    }
}

} // namespace

bool hasPinType(const Value &value, PinType type)
{
    switch (type) {
    case PinType::String:
        return value.isString();
    case PinType::Number:
        return value.isDouble() || value.isInteger();
    case PinType::Integer:
        return value.isInteger();
    case PinType::Boolean:
        return value.isBool();
    case PinType::Object:
    case PinType::Credentials:
        return value.isMap();
    case PinType::List:
        return value.isArray();
    case PinType::Any:
        return true;
    }
    return true;
}

Value convertToPinType(const Value &value, PinType type)
{
    switch (type) {
    case PinType::Any:
    case PinType::Credentials:
        return value;
    case PinType::String:
        if (value.isString())
            return value;
        return Value(QString::fromUtf8(Model::toJson(value, Model::JsonStyle::PythonDumps)));
    case PinType::Number: {
        if (value.isDouble())
            return value;
        if (const qsizetype length = containerLength(value); length >= 0)
            return Value(double(length));
        return Value(pythonFloat(value).value_or(0.0));
    }
    case PinType::Integer: {
        if (value.isInteger())
            return value;
        if (const qsizetype length = containerLength(value); length >= 0)
            return Value(qint64(length));
        const auto number = pythonFloat(value);
        if (!number || !std::isfinite(*number))
            return Value(qint64(0));
        return Value(qint64(std::trunc(*number)));
    }
    case PinType::Boolean:
        if (value.isBool())
            return value;
        if (value.isString()) {
            const QString lower = value.toString().toLower();
            return Value(lower == QLatin1String("true") || lower == QLatin1String("1"));
        }
        return Value(Model::pythonTruthy(value));
    case PinType::List: {
        if (value.isArray())
            return value;
        if (value.isMap()) {
            ValueList pairs;
            const ValueMap map = value.toMap();
            for (auto it = map.begin(); it != map.end(); ++it)
                pairs.append(ValueList {it.key(), it.value()});
            return pairs;
        }
        if (value.isString()) {
            const QString text = value.toString().trimmed();
            if (text.startsWith(QLatin1Char('[')) && text.endsWith(QLatin1Char(']'))) {
                auto parsed = Model::parseJsonValue(text.toUtf8(), Model::JsonLimits {}, QString());
                if (parsed)
                    return *parsed;
            }
            return ValueList {value};
        }
        return ValueList {value};
    }
    case PinType::Object: {
        if (value.isMap())
            return value;
        if (value.isString()) {
            auto parsed
                = Model::parseJsonValue(value.toString().toUtf8(), Model::JsonLimits {}, QString());
            if (!parsed) {
                ValueMap wrapped;
                wrapped.insert(QStringLiteral("value"), value);
                return wrapped;
            }
            if (parsed->isMap())
                return *parsed;
            ValueMap wrapped;
            wrapped.insert(QStringLiteral("value"), *parsed);
            return wrapped;
        }
        if (value.isArray()) {
            ValueMap indexed;
            const ValueList list = value.toArray();
            for (qsizetype i = 0; i < list.size(); ++i)
                indexed.insert(QString::number(i), list.at(i));
            return indexed;
        }
        ValueMap wrapped;
        wrapped.insert(QStringLiteral("value"), value);
        return wrapped;
    }
    }
    return value;
}

} // namespace Signalbox::Engine
