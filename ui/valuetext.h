// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/execution.h"
#include "model/value.h"

#include <QString>

namespace Signalbox::Ui {

// A value on one line, as a row or a pin shows it: text as it is, numbers
// and booleans as JSON writes them, lists and objects as compact JSON with
// their keys in order; white space runs folded to one space. With
// `maxChars`, longer text ends in "…" at that length. Undefined and null
// show as nothing.
QString valuePreview(const Model::Value &value, int maxChars = 0);

// How long a run took, from its start to its end (to now while it goes):
// "12.3 s". Empty for a run not started. The list of runs and a run's
// details say the same.
QString runDuration(const Model::GraphExecutionMeta &run);

// A moment as this machine's locale writes a date and a time, in local
// time; empty for an invalid one.
QString dateTimeText(const QDateTime &time);

// A span of time on a timeline: "850 ms", "12.3 s", "4 min 05 s".
QString spanText(qint64 ms);

} // namespace Signalbox::Ui
