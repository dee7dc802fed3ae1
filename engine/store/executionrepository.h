// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/execution.h"
#include "model/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>
#include <utility>

namespace Signalbox::Engine {

class Database;

// Filters of get_graph_executions / get_graph_executions_count. Empty fields
// do not filter. Deleted executions are never listed.
struct GraphExecutionFilter
{
    QString graphExecId;
    QString graphId;
    std::optional<int> graphVersion;
    QString userId;
    QList<Model::ExecutionStatus> statuses;
    QDateTime createdFrom; // inclusive
    QDateTime createdTo; // inclusive
    std::optional<int> limit;
};

// Filters of get_node_executions.
struct NodeExecutionFilter
{
    // Only these node executions.
    QStringList ids;
    QString graphExecId;
    QString nodeId;
    QStringList blockIds;
    QList<Model::ExecutionStatus> statuses;
    QDateTime createdFrom;
    QDateTime createdTo;
    std::optional<int> limit;
    // Without it, input and output records are not read.
    bool includeExecData = true;
};

// What create_graph_execution takes.
struct NewGraphExecution
{
    QString graphId;
    int graphVersion = 0;
    // (node id, its inputs) for every starting node.
    QList<std::pair<QString, Model::ValueMap>> startingNodesInput;
    Model::ValueMap inputs;
    QString userId;
    QString presetId;
    Model::ValueMap credentialInputs;
    Model::ValueMap nodesInputMasks;
    QString parentGraphExecId;
    // The run's safe modes, kept with it so that a resumed run keeps them.
    bool humanInTheLoopSafeMode = true;
    bool sensitiveActionSafeMode = false;
    // Who started it (a sub-graph's run: whoever started its parent).
    QString startedBy;
};

// Several status changes of one node execution: `path` in order, `timesMs`
// the moment of each; data and stats written with the last.
struct NodeStatusPath
{
    QList<Model::ExecutionStatus> path;
    QList<qint64> timesMs;
    std::optional<Model::ValueMap> executionData;
    std::optional<QJsonObject> stats;
};

// A node execution row of the executor's write-behind log (see
// ExecutionRepository::insertNodeExecution).
struct NewNodeExecution
{
    QString id;
    QString graphExecId;
    QString nodeId;
    QString blockId;
    qint64 addedAtMs = 0;
    const NodeStatusPath *settled = nullptr;
};

// An input or output row of the executor's write-behind log.
struct NewExecutionData
{
    bool output = false;
    QString id;
    QString nodeExecId;
    QString name;
    const Model::Value *data = nullptr;
    qint64 timeMs = 0;
};

// The execution data layer (AutoGPT's backend/data/execution.py) over one
// connection. Every status write goes through one conditional update checked
// against the transition table; a refused transition is a Conflict error.
// Not thread-safe: one repository per thread, each with its own Database.
class ExecutionRepository
{
public:
    // `blocks` tells which nodes are input and output blocks (to derive a
    // graph execution's inputs and outputs); it must outlive the repository.
    ExecutionRepository(Database &db, const Model::BlockSchemaLookup *blocks);

    // --- graph executions
    Result<Model::GraphExecution> createGraphExecution(const NewGraphExecution &request);
    Result<QList<Model::GraphExecutionMeta>> graphExecutions(const GraphExecutionFilter &filter);
    Result<qint64> countGraphExecutions(const GraphExecutionFilter &filter);
    // Newest first; page counts from 1.
    Result<Model::GraphExecutionsPage> graphExecutionsPage(const QString &userId,
                                                           GraphExecutionFilter filter,
                                                           int page = 1, int pageSize = 25);
    Result<std::optional<Model::GraphExecutionMeta>> graphExecutionMeta(const QString &userId,
                                                                        const QString &executionId);
    Result<std::optional<Model::GraphExecution>> graphExecution(const QString &userId,
                                                                const QString &executionId,
                                                                bool includeNodeExecutions = false);
    Result<QList<Model::GraphExecutionMeta>> childGraphExecutions(const QString &parentExecId);
    // Soft delete hides the execution; hard delete removes it with its node
    // executions, their data, its child executions and its reviews.
    Result<void> deleteGraphExecution(const QString &graphExecId, const QString &userId,
                                      bool softDelete = true);

    // --- status and stats
    // At least one of status and stats must be given. With recordStart, a
    // status change also sets the start time.
    Result<void> setGraphExecutionStatus(const QString &graphExecId,
                                         std::optional<Model::ExecutionStatus> status,
                                         const std::optional<Model::GraphExecutionStats> &stats,
                                         bool recordStart = false);
    // Which process runs the execution, as Runner::toText() writes it;
    // empty for none.
    Result<void> setGraphExecutionRunner(const QString &graphExecId, const QString &runner);
    Result<QString> graphExecutionRunner(const QString &graphExecId);
    // All or nothing: if any of them may not move to `status`, none moves and
    // the error names them. Returns the number updated.
    Result<int>
    updateNodeExecutionStatusBatch(const QStringList &nodeExecIds, Model::ExecutionStatus status,
                                   const std::optional<QJsonObject> &stats = std::nullopt);

    // --- the executor's write-behind log: the same rows and the same
    // conditional transitions, with ids and times the caller chose and no
    // read-back, so that many can share one transaction.
    // With `settled`, the row is written as that status path (which starts
    // from INCOMPLETE) leaves it, without a separate update.
    Result<void> insertNodeExecution(const QString &nodeExecId, const QString &graphExecId,
                                     const QString &nodeId, const QString &blockId,
                                     qint64 addedAtMs, const NodeStatusPath *settled = nullptr);
    Result<void> insertExecutionInput(const QString &ioId, const QString &nodeExecId,
                                      const QString &name, const Model::Value &data, qint64 timeMs);
    Result<void> insertExecutionOutput(const QString &ioId, const QString &nodeExecId,
                                       const QString &name, const Model::Value &data,
                                       qint64 timeMs);
    // Many rows at once, several to a statement; all or nothing only within
    // the caller's transaction. The pointers must outlive the call.
    Result<void> insertNodeExecutions(const QList<NewNodeExecution> &rows);
    Result<void> insertExecutionData(const QList<NewExecutionData> &rows);
    // Several transitions of one node execution at once.
    Result<void> setNodeExecutionStatusPath(const QString &nodeExecId,
                                            const NodeStatusPath &change);

    // --- node executions and their data
    // Latest first (queue time, then add time).
    Result<QList<Model::NodeExecutionResult>> nodeExecutions(const NodeExecutionFilter &filter);

    // --- key-value data per user and key. As in AutoGPT, a stored value that
    // Python treats as false (null, false, 0, "", [], {}) reads back as none.
    Result<std::optional<Model::Value>> executionKvData(const QString &userId, const QString &key);
    Result<std::optional<Model::Value>> setExecutionKvData(const QString &userId,
                                                           const QString &nodeExecId,
                                                           const QString &key,
                                                           const Model::Value &data);

private:
    enum class StatusTable { GraphExecutions, NodeExecutions };
    // The one place that writes statuses: a conditional UPDATE checked against
    // the transition table, all or nothing.
    Result<int> applyStatus(StatusTable table, const QStringList &ids, Model::ExecutionStatus to,
                            const QList<std::pair<QString, QVariant>> &sets);
    // The same for several transitions made one after another (QUEUED then
    // RUNNING then COMPLETED): every step is checked against the table, the
    // update is conditioned on the first step's sources, and the row is
    // written once with the last status.
    Result<int> applyStatusPath(StatusTable table, const QStringList &ids,
                                const QList<Model::ExecutionStatus> &path,
                                const QList<std::pair<QString, QVariant>> &sets);

    Result<QList<Model::GraphExecutionMeta>>
    selectMetas(const QString &where, const QVariantList &binds, const QString &suffix = {});
    Result<QList<Model::NodeExecutionResult>> selectNodeExecutions(const QString &where,
                                                                   const QVariantList &binds,
                                                                   const QString &suffix,
                                                                   bool includeData);
    Result<void> loadNodeData(QList<Model::NodeExecutionResult> &results);
    Result<Model::GraphExecution> assembleGraphExecution(const Model::GraphExecutionMeta &meta,
                                                         bool includeNodeExecutions);
    bool isBlockOfType(const QString &blockId, Model::BlockType type) const;

    Database &m_db;
    const Model::BlockSchemaLookup *m_blocks;
};

} // namespace Signalbox::Engine
