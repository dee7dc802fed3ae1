// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventbus.h"

namespace Signalbox::Engine {

Model::Value truncatedForEvent(const Model::Value &value)
{
    if (value.isArray() || value.isMap() || value.isString()) {
        const QByteArray text = value.isString() ? value.toString().toUtf8() : Model::toJson(value);
        if (text.size() > kEventValueLimit)
            return Model::Value(QString::fromUtf8(text.left(kEventValueLimit))
                                + QStringLiteral("... (truncated)"));
    }
    return value;
}

} // namespace Signalbox::Engine
