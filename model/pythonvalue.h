// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonValue>

namespace Signalbox::Model {

// Python's truthiness for a JSON value: null, false, 0, 0.0, "", [] and {}
// are false. AutoGPT's `a or b` and `if value:` checks depend on it, and
// Signalbox keeps those quirks.
bool pythonTruthy(const QJsonValue &value);

} // namespace Signalbox::Model
