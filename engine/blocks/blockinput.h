// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/value.h"

// Small helpers the built-in blocks share for reading their input.
namespace Signalbox::Engine::BlockInput {

// The value of input pin `pin` (undefined when absent).
inline Model::Value in(const Model::ValueMap &input, const char *pin)
{
    return input.value(QLatin1String(pin));
}

// Python's `value is None` for a pin value.
inline bool isNone(const Model::Value &value)
{
    return value.isNull() || value.isUndefined();
}

} // namespace Signalbox::Engine::BlockInput
