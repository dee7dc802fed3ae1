// SPDX-License-Identifier: GPL-3.0-or-later
#include "rundata.h"

#include "engine/dynamicpins.h"

namespace Signalbox::Ui {

namespace {

QDateTime orderOf(const Model::NodeExecutionResult &exec)
{
    if (exec.startTime.isValid())
        return exec.startTime;
    return exec.queueTime.isValid() ? exec.queueTime : exec.addTime;
}

} // namespace

RunData runDataFrom(const QString &runId, const Model::Graph &graph,
                    const QList<Model::NodeExecutionResult> &executions)
{
    RunData data;
    data.runId = runId;
    QHash<QString, QList<const Model::NodeExecutionResult *>> byNode;
    QHash<QString, const Model::NodeExecutionResult *> last;
    for (const Model::NodeExecutionResult &exec : executions) {
        byNode[exec.nodeId].append(&exec);
        // Started in the same millisecond: the later id (ids are time-ordered).
        const Model::NodeExecutionResult *&latest = last[exec.nodeId];
        if (!latest
            || std::pair(orderOf(*latest), latest->nodeExecId)
                < std::pair(orderOf(exec), exec.nodeExecId))
            latest = &exec;
    }
    for (auto it = last.cbegin(); it != last.cend(); ++it) {
        const Model::NodeExecutionResult &exec = **it;
        NodeRunData node;
        node.status = exec.status;
        node.executions = int(byNode.value(it.key()).size());
        node.inputs = exec.inputData;
        node.outputs = exec.outputData;
        node.error = exec.stats.error;
        if (node.error.isEmpty()) {
            const Model::ValueList errors
                = exec.outputData.value(QStringLiteral("error")).toArray();
            if (!errors.isEmpty() && exec.status == Model::ExecutionStatus::Failed)
                node.error = Model::pythonStr(errors.last());
        }
        data.nodes.insert(it.key(), node);
    }
    for (const Model::Link &link : graph.links) {
        int count = 0;
        for (const Model::NodeExecutionResult *exec : byNode.value(link.sourceId)) {
            for (auto pin = exec->outputData.begin(); pin != exec->outputData.end(); ++pin) {
                for (const Model::Value &value : pin.value().toArray()) {
                    if (Engine::selectOutput(pin.key().toString(), value, link.sourceName,
                                             link.sinkId, link.sinkName))
                        ++count;
                }
            }
        }
        data.linkValues.insert(link.id, count);
    }
    return data;
}

} // namespace Signalbox::Ui
