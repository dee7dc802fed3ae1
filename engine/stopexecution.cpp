// SPDX-License-Identifier: GPL-3.0-or-later
#include "stopexecution.h"

#include "store/database.h"
#include "store/executionrepository.h"
#include "store/reviewrepository.h"

#include <QElapsedTimer>
#include <QThread>

namespace Signalbox::Engine {

using Model::ExecutionStatus;

Result<ExecutionStatus> stopExecution(Database &db, const QString &userId,
                                      const QString &graphExecId, int graceMs)
{
    ExecutionRepository executions(db, nullptr);
    auto meta = executions.graphExecutionMeta(userId, graphExecId);
    if (!meta)
        return meta.error();
    if (!meta->has_value())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("there is no execution %1").arg(graphExecId));
    const ExecutionStatus before = (*meta)->status;
    QStringList pending {graphExecId};
    while (!pending.isEmpty()) {
        const QString current = pending.takeFirst();
        auto children = executions.childGraphExecutions(current);
        if (!children)
            return children.error();
        for (const Model::GraphExecutionMeta &child : std::as_const(*children))
            pending.append(child.id);
        auto state = executions.graphExecutionMeta(userId, current);
        if (!state)
            return state.error();
        if (!state->has_value() || Model::isTerminal((*state)->status))
            continue;
        // A paused execution is run by no process until its reviews are decided.
        const bool paused = (*state)->status == ExecutionStatus::Review;
        if (auto stopped = executions.setGraphExecutionStatus(current, ExecutionStatus::Terminated,
                                                              std::nullopt);
            !stopped) {
            // It ended between the read and the stop: nothing to stop.
            auto now = executions.graphExecutionMeta(userId, current);
            if (stopped.error().code == ErrorCode::Conflict && now && now->has_value()
                && Model::isTerminal((*now)->status))
                continue;
            return stopped.error();
        }
        if (auto cancelled = ReviewRepository(db).cancelPendingReviewsForExecution(current, userId);
            !cancelled)
            return cancelled.error();
        // A process running it ends its node executions itself; if none does
        // within the grace time, nobody is running it.
        NodeExecutionFilter open;
        open.graphExecId = current;
        open.statuses = {ExecutionStatus::Incomplete, ExecutionStatus::Queued,
                         ExecutionStatus::Running, ExecutionStatus::Review};
        open.includeExecData = false;
        QElapsedTimer waited;
        waited.start();
        auto remaining = executions.nodeExecutions(open);
        while (!paused && remaining && !remaining->isEmpty() && waited.elapsed() < graceMs) {
            QThread::msleep(100);
            remaining = executions.nodeExecutions(open);
        }
        if (remaining && !remaining->isEmpty()) {
            QStringList ids;
            for (const Model::NodeExecutionResult &node : std::as_const(*remaining))
                ids.append(node.nodeExecId);
            if (auto ended = executions.updateNodeExecutionStatusBatch(ids,
                                                                       ExecutionStatus::Terminated);
                !ended)
                return ended.error();
        }
    }
    // What it was when it was stopped; a run that ended meanwhile says so.
    auto after = executions.graphExecutionMeta(userId, graphExecId);
    if (after && after->has_value() && Model::isFinal((*after)->status))
        return (*after)->status;
    return before;
}

} // namespace Signalbox::Engine
