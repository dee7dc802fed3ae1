// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Signalbox::Engine {

// How far one run may go: node executions (over the whole run, resumes
// included), wall time (from its start or resume) and cost (AutoGPT's
// credits). The defaults are far above any normal graph; they stop runaway
// ones, such as a loop with no exit. A run that reaches a limit stops
// TERMINATED with a message naming it, and resumes with a larger budget.
struct RunBudget
{
    qint64 maxNodeExecutions = 1'000'000;
    qint64 maxWallSeconds = 24 * 3600;
    qint64 maxCost = 100'000;

    bool operator==(const RunBudget &) const = default;
};

} // namespace Signalbox::Engine
