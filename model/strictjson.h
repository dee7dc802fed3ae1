// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"

#include <QByteArrayView>
#include <QJsonValue>

namespace Signalbox::Model {

// Limits on JSON that comes from outside: graph files, CLI inputs, edited
// review data (DESIGN §8).
struct JsonLimits
{
    qsizetype maxBytes = 32 * 1024 * 1024;
    int maxDepth = 64;
    qsizetype maxStringBytes = 16 * 1024 * 1024;
};

// Parses one JSON value of any kind. Unlike QJsonDocument it reports the line
// and column of a syntax error, refuses duplicate keys in an object instead of
// silently keeping one, and enforces the limits before building anything.
// `source` names the input in messages (a file name, "--input x").
// Errors are ErrorCode::BadInput.
Result<QJsonValue> parseStrictJson(QByteArrayView data, const JsonLimits &limits,
                                   const QString &source);

// Depth of a parsed value: 0 for a scalar, 1 for a flat array or object.
// Iterative, so any depth is safe to measure.
int jsonDepth(const QJsonValue &value);

} // namespace Signalbox::Model
