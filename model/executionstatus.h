// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace Signalbox::Model {

// The statuses shared by graph executions and node executions (AutoGPT's
// AgentExecutionStatus).
enum class ExecutionStatus {
    Incomplete,
    Queued,
    Running,
    Review,
    Completed,
    Failed,
    Terminated,
};

inline constexpr ExecutionStatus kAllStatuses[] = {
    ExecutionStatus::Incomplete, ExecutionStatus::Queued,    ExecutionStatus::Running,
    ExecutionStatus::Review,     ExecutionStatus::Completed, ExecutionStatus::Failed,
    ExecutionStatus::Terminated,
};

// "INCOMPLETE", "QUEUED", ... as stored and as the JSON API spells them.
QString statusName(ExecutionStatus status);
std::optional<ExecutionStatus> statusFromName(QStringView name);

// The one transition table (AutoGPT's VALID_STATUS_TRANSITIONS): for a target
// status, the statuses it may be reached from. Empty for INCOMPLETE, which is
// only ever set when a record is created.
const QList<ExecutionStatus> &allowedSources(ExecutionStatus target);
bool isTransitionAllowed(ExecutionStatus from, ExecutionStatus to);

// COMPLETED and FAILED are final; TERMINATED may still be resumed.
bool isFinal(ExecutionStatus status);
// COMPLETED, FAILED and TERMINATED set an end time.
bool isTerminal(ExecutionStatus status);

} // namespace Signalbox::Model
