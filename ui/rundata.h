// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/execution.h"
#include "model/graph.h"

#include <QHash>

namespace Signalbox::Ui {

// What a node did in one run: its last execution's status, inputs, outputs
// (pin -> values yielded) and error, and how many times it ran.
struct NodeRunData
{
    Model::ExecutionStatus status = Model::ExecutionStatus::Incomplete;
    int executions = 0;
    Model::ValueMap inputs;
    Model::ValueMap outputs;
    QString error;

    bool operator==(const NodeRunData &) const = default;
};

// One run laid over its graph: each node's data, and on each link how many
// values went along it.
struct RunData
{
    QString runId;
    QHash<QString, NodeRunData> nodes;
    QHash<QString, int> linkValues;

    bool isEmpty() const { return runId.isEmpty(); }
};

// The run's data from its node executions (in any order): a node's last
// execution is the last to start (the last queued while none started; the
// later id, ids being time-ordered, among those started at once).
// A link counts each value its source yielded that the engine's routing
// sends along it (Engine::selectOutput), so a list entry or a tool call
// counts only where it went.
RunData runDataFrom(const QString &runId, const Model::Graph &graph,
                    const QList<Model::NodeExecutionResult> &executions);

} // namespace Signalbox::Ui
