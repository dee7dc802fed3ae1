// SPDX-License-Identifier: GPL-3.0-or-later
#include "pythonvalue.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Signalbox::Model {

bool pythonTruthy(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return false;
    case QJsonValue::Bool:
        return value.toBool();
    case QJsonValue::Double:
        return value.toDouble() != 0.0;
    case QJsonValue::String:
        return !value.toString().isEmpty();
    case QJsonValue::Array:
        return !value.toArray().isEmpty();
    case QJsonValue::Object:
        return !value.toObject().isEmpty();
    }
    return false;
}

} // namespace Signalbox::Model
