// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/executionstatus.h"
#include "model/result.h"

#include <QString>

namespace Signalbox::Engine {

class Database;

// Stops an execution and its children through the store, also one that
// another process runs (stop_graph_execution): each still going is set
// TERMINATED and its waiting reviews are rejected; the process running it
// notices within a second and ends its node executions, and those no
// process ends within `graceMs` (nobody runs them) are ended here. Blocks
// for up to `graceMs` per execution: call it off the GUI thread. Returns the
// execution's status before the stop (COMPLETED or FAILED: it had already
// ended, and nothing was stopped).
Result<Model::ExecutionStatus> stopExecution(Database &db, const QString &userId,
                                             const QString &graphExecId, int graceMs = 3000);

} // namespace Signalbox::Engine
