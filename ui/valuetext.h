// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/value.h"

#include <QString>

namespace Signalbox::Ui {

// A value on one line, as a row or a pin shows it: text as it is, numbers
// and booleans as JSON writes them, lists and objects as compact JSON with
// their keys in order; white space runs folded to one space. With
// `maxChars`, longer text ends in "…" at that length. Undefined and null
// show as nothing.
QString valuePreview(const Model::Value &value, int maxChars = 0);

} // namespace Signalbox::Ui
