// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace Signalbox::Testing {

// JSON written with single quotes, so that test sources hold no raw string
// literals (Qt 6.4's moc can skip a file that has one with a quote and "//").
inline QByteArray json(const char *singleQuoted)
{
    QByteArray text(singleQuoted);
    text.replace('\'', '"');
    return text;
}

} // namespace Signalbox::Testing

#include "model/value.h"

namespace Signalbox::Testing {

// A Value from single-quoted JSON, e.g. value("{'a': [1, 2.5]}").
inline Model::Value value(const char *singleQuoted)
{
    return Model::parseTrustedJson(json(singleQuoted));
}

} // namespace Signalbox::Testing
