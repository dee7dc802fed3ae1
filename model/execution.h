// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "executionstatus.h"
#include "value.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Signalbox::Model {

// The user every local record belongs to when no other is named (AutoGPT's
// DEFAULT_USER_ID, used when it runs without authentication).
inline constexpr QLatin1StringView kDefaultUserId("3e53486c-cf57-477e-ba2a-cb02dc828e1a");

// Statistics of one graph execution, stored as JSON with AutoGPT's
// GraphExecutionStats field names (walltime, cputime, nodes_walltime, ...).
struct GraphExecutionStats
{
    qint64 cost = 0;
    double walltime = 0;
    double cputime = 0;
    double nodesWalltime = 0;
    double nodesCputime = 0;
    int nodeCount = 0;
    int nodeErrorCount = 0;
    QString error;
    std::optional<QString> activityStatus;
    std::optional<double> correctnessScore;

    bool operator==(const GraphExecutionStats &) const = default;

    QJsonObject toStoredJson() const;
    static GraphExecutionStats fromStoredJson(const QJsonObject &object);
    // The API's names (GraphExecutionMeta.Stats): duration, node_exec_count...
    QJsonObject toApiJson() const;
};

// Statistics of one node execution (AutoGPT's NodeExecutionStats). Fields
// Signalbox does not interpret are kept in `extra`.
struct NodeExecutionStats
{
    double walltime = 0;
    double cputime = 0;
    qint64 inputSize = 0;
    qint64 outputSize = 0;
    qint64 cost = 0;
    QString error;
    QJsonObject extra;

    bool operator==(const NodeExecutionStats &) const = default;

    QJsonObject toJson() const;
    static NodeExecutionStats fromJson(const QJsonObject &object);
};

struct GraphExecutionMeta
{
    QString id;
    QString userId;
    QString graphId;
    int graphVersion = 0;
    ValueMap inputs;
    ValueMap credentialInputs;
    ValueMap nodesInputMasks;
    QString presetId;
    QString parentGraphExecId;
    ExecutionStatus status = ExecutionStatus::Incomplete;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime startedAt;
    QDateTime endedAt;
    std::optional<GraphExecutionStats> stats;
    bool isShared = false;
    QString shareToken;
    QDateTime sharedAt;
    // The run's safe modes (DESIGN §4).
    bool humanInTheLoopSafeMode = true;
    bool sensitiveActionSafeMode = false;
};

// One execution of one node, with its inputs and its outputs (each pin maps
// to the list of values yielded on it, in order).
struct NodeExecutionResult
{
    QString userId;
    QString graphId;
    int graphVersion = 0;
    QString graphExecId;
    QString nodeExecId;
    QString nodeId;
    QString blockId;
    ExecutionStatus status = ExecutionStatus::Incomplete;
    ValueMap inputData;
    // Pin name -> list of values yielded on it.
    ValueMap outputData;
    QDateTime addTime;
    QDateTime queueTime;
    QDateTime startTime;
    QDateTime endTime;
    NodeExecutionStats stats;
};

// A graph execution with its graph inputs and outputs (for every OUTPUT block,
// its name mapped to the values it received), and optionally every node
// execution ordered by queue time.
struct GraphExecution
{
    GraphExecutionMeta meta;
    ValueMap inputs;
    ValueMap outputs;
    QList<NodeExecutionResult> nodeExecutions;
};

struct Pagination
{
    qint64 totalItems = 0;
    int totalPages = 0;
    int currentPage = 1;
    int pageSize = 25;
};

struct GraphExecutionsPage
{
    QList<GraphExecutionMeta> executions;
    Pagination pagination;
};

// Travels with every run and every block call (DESIGN §3).
struct ExecutionContext
{
    QString userId;
    QString graphId;
    int graphVersion = 0;
    QString graphExecId;
    QString nodeId;
    QString nodeExecId;
    bool humanInTheLoopSafeMode = true;
    bool sensitiveActionSafeMode = false;
    QString userTimezone = QStringLiteral("UTC");
    QString rootExecutionId;
    QString parentExecutionId;
};

// ISO 8601 with the time zone offset, or null for an unset time.
QJsonValue timeToJson(const QDateTime &time);
Value timeToValue(const QDateTime &time);

} // namespace Signalbox::Model

namespace Signalbox::Model {

// The JSON shapes of AutoGPT's API models (snake_case), as DESIGN §6 lists
// them for the command line. Values keep their number kinds and key order.
ValueMap toApiValue(const GraphExecutionMeta &meta);
ValueMap toApiValue(const NodeExecutionResult &node);
// Meta fields plus inputs, outputs and node_executions.
ValueMap toApiValue(const GraphExecution &execution);

} // namespace Signalbox::Model
