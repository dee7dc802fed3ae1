// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"
#include "strictjson.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QJsonValue>

namespace Signalbox::Model {

// The value blocks consume and produce, and executions store. Unlike
// QJsonValue it keeps what AutoGPT's Python keeps: integers and floats are
// different (1 is not 1.0), and objects keep their keys in insertion order.
// Only null, booleans, integers, doubles, strings, arrays and string-keyed
// maps are used.
using Value = QCborValue;
using ValueList = QCborArray;
using ValueMap = QCborMap;

// Parses JSON as parseStrictJson does (positions, limits, duplicate keys),
// into a Value that keeps number kinds and key order.
Result<Value> parseJsonValue(QByteArrayView data, const JsonLimits &limits, const QString &source);
// For JSON this program wrote itself (the store): no limits, nulls on error.
Value parseTrustedJson(QByteArrayView data);

enum class JsonStyle {
    // orjson.dumps: no spaces, UTF-8 as is, inf and nan as null.
    // Signalbox's storage format too.
    Compact,
    // Python's json.dumps defaults: ", " and ": ", non-ASCII as \uXXXX.
    PythonDumps,
    // JavaScript's JSON.stringify(value, null, 2), as AutoGPT exports
    // graphs: two-space indents, "key": value, [] and {} when empty, numbers
    // as JavaScript prints them (1.0 as 1), non-finite numbers as null.
    Indented,
    // Compact, with every object's keys sorted (by UTF-16 code unit, as
    // RFC 8785): equal values give equal bytes, whatever their key order.
    // For digests.
    Canonical,
};
QByteArray toJson(const Value &value, JsonStyle style = JsonStyle::Compact);
// SHA-256 (hex) of the value's canonical JSON: what a decision about a
// payload is bound to. Equal values have equal digests, whatever their key
// order.
QString payloadDigest(const Value &value);

// Python's str() of the value: {'a': 1, 'b': [True, None, 1.5]}.
QString pythonStr(const Value &value);
// Python's repr() of a float: 1.0, 0.1, 1e+16, 1e-05, inf, nan.
QString pythonFloatRepr(double value);

// Python's truthiness: None, False, 0, 0.0, "", [] and {} are false.
bool pythonTruthy(const Value &value);

// Python's == between JSON values: numbers (and booleans, as 0 and 1) compare
// by value, so 1 == 1.0 == True; containers compare item by item; dict key
// order does not matter.
bool pythonEquals(const Value &a, const Value &b);
// Python's <, ==, > ordering: -1, 0 or 1, or nullopt where Python raises
// TypeError (mixed kinds, None, dicts).
std::optional<int> pythonCompare(const Value &a, const Value &b);
// Python's type name of the value: int, float, bool, str, list, dict, NoneType.
QString pythonTypeName(const Value &value);
// AutoGPT's _make_hashable identity as a string: equal for values that hash
// alike (1 and 1.0, dicts in any key order), different for True and 1.
QString identityKey(const Value &value);

// Between Value and Qt's JSON types. Lossy towards QJsonValue (number kinds,
// key order); fromQJson maps whole doubles to integers as Qt stores them.
QJsonValue toQJson(const Value &value);
Value fromQJson(const QJsonValue &value);

} // namespace Signalbox::Model
