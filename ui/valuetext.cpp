// SPDX-License-Identifier: GPL-3.0-or-later
#include "valuetext.h"

namespace Signalbox::Ui {

QString valuePreview(const Model::Value &value, int maxChars)
{
    QString text;
    if (value.isString())
        text = value.toString();
    else if (value.isBool())
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else if (value.isDouble())
        text = QString::number(value.toDouble(), 'g', 12);
    else if (value.isInteger() || value.isArray() || value.isMap())
        text = QString::fromUtf8(Model::toJson(value));
    text = text.simplified();
    if (maxChars > 0 && text.size() > maxChars)
        text = text.left(maxChars - 1) + QChar(0x2026);
    return text;
}

} // namespace Signalbox::Ui
