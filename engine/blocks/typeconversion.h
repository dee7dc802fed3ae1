// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/value.h"

namespace Signalbox::Engine {

// AutoGPT's backend.util.type.convert(value, type) for the pin types. A value
// that already has the type is returned unchanged. Never fails:
// - string: non-strings become json.dumps(value) (Python's separators, ASCII)
// - number: containers give their length, otherwise float(value), 0.0 on error
// - integer: as number, then truncated
// - boolean: strings are true for "true"/"1" (any case), others by truthiness
// - list: a dict gives [[key, value], ...]; a string that looks like a JSON
//   list is parsed, other strings and values are wrapped in a list
// - object: a string is parsed as JSON (non-objects become {"value": ...}),
//   a list becomes {"0": v0, "1": v1, ...}, anything else {"value": value}
// - any, credentials: unchanged
Model::Value convertToPinType(const Model::Value &value, Model::PinType type);

// True when the value's JSON kind is the pin type's (integers count as
// numbers; anything is an "any").
bool hasPinType(const Model::Value &value, Model::PinType type);

} // namespace Signalbox::Engine
