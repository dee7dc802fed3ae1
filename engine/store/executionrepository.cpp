// SPDX-License-Identifier: GPL-3.0-or-later
#include "executionrepository.h"

#include "database.h"

#include "model/uuid.h"

#include <QHash>
#include <QJsonArray>
#include <QSqlError>

#include <algorithm>
#include <array>
#include <functional>

namespace Signalbox::Engine {

using namespace StoreFormat;
using Model::ExecutionStatus;

namespace {

const QString kMetaColumns = QStringLiteral(
    "id, user_id, graph_id, graph_version, status, inputs, credential_inputs, nodes_input_masks,"
    " preset_id, parent_graph_exec_id, created_at, updated_at, started_at, ended_at, stats,"
    " is_shared, share_token, shared_at, settings");

const QString kNodeColumns = QStringLiteral(
    "ne.id, ne.graph_exec_id, ne.node_id, ne.block_id, ne.status, ne.execution_data, ne.stats,"
    " ne.added_at, ne.queued_at, ne.started_at, ne.ended_at, ge.user_id, ge.graph_id, "
    "ge.graph_version"
    " FROM node_executions ne JOIN graph_executions ge ON ge.id = ne.graph_exec_id");

// AutoGPT orders node executions by queue time, then add time, newest first;
// PostgreSQL puts unset times first in a descending order.
const QString kNodeOrderLatestFirst
    = QStringLiteral(" ORDER BY ne.queued_at DESC NULLS FIRST, ne.added_at DESC, ne.id DESC");

QString statusListJson(const QList<ExecutionStatus> &statuses)
{
    QJsonArray names;
    for (ExecutionStatus status : statuses)
        names.append(Model::statusName(status));
    return jsonToText(QJsonValue(names));
}

QString idListJson(const QStringList &ids)
{
    return jsonToText(QJsonValue(QJsonArray::fromStringList(ids)));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// The condition that a row's status is one a change to `to` may start
// from, with the transition table's names as literals. Comparisons rather
// than an IN list: SQLite builds a temporary table for each IN list it runs.
QString sourcesCondition(ExecutionStatus to)
{
    static const QHash<ExecutionStatus, QString> conditions = [] {
        QHash<ExecutionStatus, QString> result;
        for (ExecutionStatus status : Model::kAllStatuses) {
            QStringList terms;
            for (ExecutionStatus from : Model::allowedSources(status))
                terms.append(QLatin1String("status = '") + Model::statusName(from)
                             + QLatin1Char('\''));
            result.insert(status,
                          QLatin1Char('(') + terms.join(QLatin1String(" OR ")) + QLatin1Char(')'));
        }
        return result;
    }();
    return conditions.value(to);
}

// Every step of a status path must be allowed after the one before it.
std::optional<Error> pathError(const QStringList &ids, const QList<ExecutionStatus> &path)
{
    for (qsizetype i = 1; i < path.size(); ++i) {
        if (!Model::isTransitionAllowed(path.at(i - 1), path.at(i))) {
            return Error {ErrorCode::Conflict,
                          QStringLiteral("%1: cannot change status from %2 to %3")
                              .arg(ids.join(QLatin1String(", ")), Model::statusName(path.at(i - 1)),
                                   Model::statusName(path.at(i))),
                          {}};
        }
    }
    return std::nullopt;
}

// The columns a status path leaves in a node execution row; null where it
// changes nothing. Each status records its time as AutoGPT's
// _get_update_status_data does (with an end time for TERMINATED too); a
// later step overwrites an earlier one's time column.
struct NodeColumns
{
    QVariant queuedAt {QMetaType::fromType<qint64>()};
    QVariant startedAt {QMetaType::fromType<qint64>()};
    QVariant endedAt {QMetaType::fromType<qint64>()};
    QVariant executionData {QMetaType::fromType<QString>()};
    QVariant stats {QMetaType::fromType<QString>()};
};

NodeColumns nodeColumns(const NodeStatusPath &change)
{
    NodeColumns columns;
    for (qsizetype i = 0; i < change.path.size(); ++i) {
        const ExecutionStatus status = change.path.at(i);
        const qint64 time = change.timesMs.value(i);
        if (status == ExecutionStatus::Queued)
            columns.queuedAt = time;
        else if (status == ExecutionStatus::Running)
            columns.startedAt = time;
        else if (Model::isTerminal(status))
            columns.endedAt = time;
    }
    if (change.executionData && !change.executionData->isEmpty())
        columns.executionData = valueToText(*change.executionData);
    if (change.stats && !change.stats->isEmpty())
        columns.stats = jsonToText(*change.stats);
    return columns;
}

// The same columns as an update's assignments.
QList<std::pair<QString, QVariant>> nodeSets(const NodeColumns &columns)
{
    QList<std::pair<QString, QVariant>> sets;
    for (const auto &[name, value] :
         {std::pair {QStringLiteral("queued_at"), columns.queuedAt},
          std::pair {QStringLiteral("started_at"), columns.startedAt},
          std::pair {QStringLiteral("ended_at"), columns.endedAt},
          std::pair {QStringLiteral("execution_data"), columns.executionData},
          std::pair {QStringLiteral("stats"), columns.stats}}) {
        if (!value.isNull())
            sets.append({name, value});
    }
    return sets;
}

// One INSERT of many rows: "INSERT INTO t (a, b) VALUES (:a_0, :b_0),
// (:a_1, :b_1), ...", made for a few row counts and run with as many rows
// as fit, so that a thousand rows take 19 statements instead of a thousand.
// Each row's placeholders are its own names (see the binding note below).
class RowsInsert
{
public:
    // Each column's name, with its placeholder's stem.
    using Columns = QList<std::pair<QString, QString>>;
    // One row's placeholders, in the order of the columns.
    using Names = QStringList;
    using Bind = std::function<void(QSqlQuery &, const Names &, qsizetype)>;
    using Describe = std::function<QString(qsizetype first, qsizetype count)>;
    using Refusal = std::function<std::optional<Error>(qsizetype first, qsizetype count)>;

    RowsInsert(const QString &table, const Columns &columns)
    {
        QStringList columnNames;
        for (const auto &column : columns)
            columnNames.append(column.first);
        for (int row = 0; row < kSizes.front(); ++row) {
            Names names;
            for (const auto &column : columns)
                names.append(QStringLiteral("%1_%2").arg(column.second).arg(row));
            m_names.append(names);
        }
        for (qsizetype size : kSizes) {
            QStringList tuples;
            for (qsizetype row = 0; row < size; ++row)
                tuples.append(QLatin1Char('(') + m_names.at(row).join(QLatin1String(", "))
                              + QLatin1Char(')'));
            m_sql.append(QStringLiteral("INSERT INTO %1 (%2) VALUES %3")
                             .arg(table, columnNames.join(QLatin1String(", ")),
                                  tuples.join(QLatin1String(", "))));
        }
    }

    // Binds rows [0, count) through `bind`, the largest statements first.
    // `refusal` turns a constraint violation into the caller's error.
    Result<void> run(Database &db, qsizetype count, const Bind &bind, const Describe &describe,
                     const Refusal &refusal) const
    {
        qsizetype done = 0;
        while (done < count) {
            qsizetype which = 0;
            while (kSizes.at(which) > count - done)
                ++which;
            const qsizetype size = kSizes.at(which);
            auto insert = db.prepare(m_sql.at(which));
            if (!insert)
                return insert.error();
            QSqlQuery *q = *insert;
            for (qsizetype row = 0; row < size; ++row)
                bind(*q, m_names.at(row), done + row);
            if (!q->exec()) {
                if (refusal && db.isConstraintViolation(q->lastError())) {
                    if (auto refused = refusal(done, size))
                        return *refused;
                }
                return db.storageError(q->lastError(), describe(done, size));
            }
            done += size;
        }
        return {};
    }

private:
    static constexpr std::array<qsizetype, 4> kSizes {64, 16, 4, 1};
    QList<Names> m_names;
    QStringList m_sql;
};

Model::GraphExecutionMeta readMeta(const QSqlQuery &q)
{
    Model::GraphExecutionMeta meta;
    meta.id = q.value(0).toString();
    meta.userId = q.value(1).toString();
    meta.graphId = q.value(2).toString();
    meta.graphVersion = q.value(3).toInt();
    meta.status
        = Model::statusFromName(q.value(4).toString()).value_or(ExecutionStatus::Incomplete);
    meta.inputs = mapFromText(q.value(5));
    meta.credentialInputs = mapFromText(q.value(6));
    meta.nodesInputMasks = mapFromText(q.value(7));
    meta.presetId = q.value(8).toString();
    meta.parentGraphExecId = q.value(9).toString();
    meta.createdAt = timeFromVariant(q.value(10));
    meta.updatedAt = timeFromVariant(q.value(11));
    meta.startedAt = timeFromVariant(q.value(12));
    meta.endedAt = timeFromVariant(q.value(13));
    if (!q.value(14).isNull()) {
        const QJsonValue stats = jsonFromText(q.value(14));
        if (stats.isObject())
            meta.stats = Model::GraphExecutionStats::fromStoredJson(stats.toObject());
    }
    meta.isShared = q.value(15).toBool();
    meta.shareToken = q.value(16).toString();
    meta.sharedAt = timeFromVariant(q.value(17));
    const Model::ValueMap settings = mapFromText(q.value(18));
    meta.humanInTheLoopSafeMode
        = settings.value(QLatin1String("human_in_the_loop_safe_mode")).toBool(true);
    meta.sensitiveActionSafeMode
        = settings.value(QLatin1String("sensitive_action_safe_mode")).toBool(false);
    return meta;
}

Model::NodeExecutionResult readNode(const QSqlQuery &q)
{
    Model::NodeExecutionResult node;
    node.nodeExecId = q.value(0).toString();
    node.graphExecId = q.value(1).toString();
    node.nodeId = q.value(2).toString();
    node.blockId = q.value(3).toString();
    node.status
        = Model::statusFromName(q.value(4).toString()).value_or(ExecutionStatus::Incomplete);
    // Execution data, when set, is the input the node ran with.
    if (!q.value(5).isNull())
        node.inputData = mapFromText(q.value(5));
    node.stats = Model::NodeExecutionStats::fromJson(objectFromText(q.value(6)));
    node.addTime = timeFromVariant(q.value(7));
    node.queueTime = timeFromVariant(q.value(8));
    node.startTime = timeFromVariant(q.value(9));
    node.endTime = timeFromVariant(q.value(10));
    node.userId = q.value(11).toString();
    node.graphId = q.value(12).toString();
    node.graphVersion = q.value(13).toInt();
    return node;
}

// Oldest queue time first; executions never queued sort last, by add time.
void sortByQueueTime(QList<Model::NodeExecutionResult> &nodes)
{
    std::stable_sort(nodes.begin(), nodes.end(), [](const auto &a, const auto &b) {
        const bool aUnqueued = !a.queueTime.isValid();
        const bool bUnqueued = !b.queueTime.isValid();
        if (aUnqueued != bUnqueued)
            return !aUnqueued;
        const QDateTime &aTime = aUnqueued ? a.addTime : a.queueTime;
        const QDateTime &bTime = bUnqueued ? b.addTime : b.queueTime;
        return aTime < bTime;
    });
}

} // namespace

ExecutionRepository::ExecutionRepository(Database &db, const Model::BlockSchemaLookup *blocks)
    : m_db(db)
    , m_blocks(blocks)
{ }

bool ExecutionRepository::isBlockOfType(const QString &blockId, Model::BlockType type) const
{
    const Model::BlockSchema *schema = m_blocks ? m_blocks->schema(blockId) : nullptr;
    return schema && schema->type == type;
}

// ---------------------------------------------------------------- graph executions

Result<Model::GraphExecution>
ExecutionRepository::createGraphExecution(const NewGraphExecution &request)
{
    const QString doing = QStringLiteral("creating an execution of graph %1").arg(request.graphId);
    WriteTransaction transaction(m_db);
    if (auto ok = transaction.begin(); !ok)
        return ok.error();

    auto graphExists
        = m_db.prepare(QStringLiteral("SELECT 1 FROM graphs WHERE id = ? AND version = ?"));
    if (!graphExists)
        return graphExists.error();
    (*graphExists)->addBindValue(request.graphId);
    (*graphExists)->addBindValue(request.graphVersion);
    if (!(*graphExists)->exec())
        return m_db.storageError((*graphExists)->lastError(), doing);
    const bool found = (*graphExists)->next();
    (*graphExists)->finish();
    if (!found) {
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("graph %1 has no version %2")
                             .arg(request.graphId)
                             .arg(request.graphVersion));
    }

    const QString id = Model::createTimeOrderedUuid();
    const qint64 now = nowMs();
    auto insert = m_db.prepare(QStringLiteral(
        "INSERT INTO graph_executions (id, user_id, graph_id, graph_version, status, inputs,"
        " credential_inputs, nodes_input_masks, preset_id, parent_graph_exec_id, created_at, "
        "updated_at, settings, started_by)"
        " VALUES (?, ?, ?, ?, 'INCOMPLETE', ?, ?, ?, ?, ?, ?, ?, ?,"
        " COALESCE(?, (SELECT started_by FROM graph_executions WHERE id = ?)))"));
    if (!insert)
        return insert.error();
    QSqlQuery *q = *insert;
    q->addBindValue(id);
    q->addBindValue(textOrEmpty(request.userId));
    q->addBindValue(request.graphId);
    q->addBindValue(request.graphVersion);
    q->addBindValue(valueToText(request.inputs));
    q->addBindValue(valueToText(request.credentialInputs));
    q->addBindValue(valueToText(request.nodesInputMasks));
    q->addBindValue(request.presetId.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                               : QVariant(request.presetId));
    q->addBindValue(request.parentGraphExecId.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                        : QVariant(request.parentGraphExecId));
    q->addBindValue(now);
    q->addBindValue(now);
    Model::ValueMap settings;
    settings.insert(QStringLiteral("human_in_the_loop_safe_mode"), request.humanInTheLoopSafeMode);
    settings.insert(QStringLiteral("sensitive_action_safe_mode"), request.sensitiveActionSafeMode);
    q->addBindValue(valueToText(settings));
    q->addBindValue(request.startedBy.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                : QVariant(request.startedBy));
    q->addBindValue(request.parentGraphExecId);
    if (!q->exec()) {
        if (!request.parentGraphExecId.isEmpty()) {
            // The likely cause: a parent that does not exist (foreign key).
            return makeError(
                ErrorCode::NotFound,
                QStringLiteral("cannot create the execution: %1 (is parent execution %2 there?)")
                    .arg(q->lastError().databaseText(), request.parentGraphExecId));
        }
        return m_db.storageError(q->lastError(), doing);
    }

    auto blockOf = m_db.prepare(QStringLiteral(
        "SELECT block_id FROM nodes WHERE graph_id = ? AND graph_version = ? AND id = ?"));
    auto insertNode = m_db.prepare(QStringLiteral("INSERT INTO node_executions (id, graph_exec_id, "
                                                  "node_id, block_id, status, added_at, queued_at)"
                                                  " VALUES (?, ?, ?, ?, 'QUEUED', ?, ?)"));
    if (!blockOf || !insertNode)
        return !blockOf ? blockOf.error() : insertNode.error();

    for (const auto &[nodeId, nodeInput] : request.startingNodesInput) {
        (*blockOf)->addBindValue(request.graphId);
        (*blockOf)->addBindValue(request.graphVersion);
        (*blockOf)->addBindValue(nodeId);
        if (!(*blockOf)->exec())
            return m_db.storageError((*blockOf)->lastError(), doing);
        if (!(*blockOf)->next()) {
            (*blockOf)->finish();
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("node %1 is not in graph %2 version %3")
                                 .arg(nodeId, request.graphId)
                                 .arg(request.graphVersion));
        }
        const QString blockId = (*blockOf)->value(0).toString();
        (*blockOf)->finish();

        const QString nodeExecId = Model::createTimeOrderedUuid();
        QSqlQuery *n = *insertNode;
        n->addBindValue(nodeExecId);
        n->addBindValue(id);
        n->addBindValue(nodeId);
        n->addBindValue(blockId);
        n->addBindValue(now);
        n->addBindValue(now);
        if (!n->exec())
            return m_db.storageError(n->lastError(), doing);
        for (auto it = nodeInput.begin(); it != nodeInput.end(); ++it) {
            if (auto inserted = insertExecutionInput(Model::createTimeOrderedUuid(), nodeExecId,
                                                     it.key().toString(), it.value(), now);
                !inserted) {
                return inserted.error();
            }
        }
    }
    if (auto ok = transaction.commit(); !ok)
        return ok.error();

    auto created = graphExecution(request.userId, id, true);
    if (!created)
        return created.error();
    if (!created->has_value())
        return makeError(ErrorCode::Internal,
                         QStringLiteral("execution %1 vanished after creation").arg(id));
    return std::move(**created);
}

Result<QList<Model::GraphExecutionMeta>> ExecutionRepository::selectMetas(const QString &where,
                                                                          const QVariantList &binds,
                                                                          const QString &suffix)
{
    auto select = m_db.prepare(QStringLiteral("SELECT %1 FROM graph_executions WHERE %2%3")
                                   .arg(kMetaColumns, where, suffix));
    if (!select)
        return select.error();
    QSqlQuery *q = *select;
    for (const QVariant &value : binds)
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(q->lastError(), QStringLiteral("reading graph executions"));
    QList<Model::GraphExecutionMeta> result;
    while (q->next())
        result.append(readMeta(*q));
    q->finish();
    return result;
}

namespace {

// WHERE fragments are fixed texts; only bound values vary.
std::pair<QString, QVariantList> whereFor(const GraphExecutionFilter &filter,
                                          const SqlDialect &dialect)
{
    QStringList clauses {QStringLiteral("is_deleted = 0")};
    QVariantList binds;
    if (!filter.graphExecId.isEmpty()) {
        clauses.append(QStringLiteral("id = ?"));
        binds.append(filter.graphExecId);
    }
    if (!filter.userId.isEmpty()) {
        clauses.append(QStringLiteral("user_id = ?"));
        binds.append(filter.userId);
    }
    if (!filter.graphId.isEmpty()) {
        clauses.append(QStringLiteral("graph_id = ?"));
        binds.append(filter.graphId);
    }
    if (filter.graphVersion) {
        clauses.append(QStringLiteral("graph_version = ?"));
        binds.append(*filter.graphVersion);
    }
    if (filter.createdFrom.isValid() || filter.createdTo.isValid()) {
        clauses.append(QStringLiteral("created_at BETWEEN ? AND ?"));
        binds.append(filter.createdFrom.isValid() ? filter.createdFrom.toMSecsSinceEpoch()
                                                  : std::numeric_limits<qint64>::min());
        binds.append(filter.createdTo.isValid() ? filter.createdTo.toMSecsSinceEpoch()
                                                : std::numeric_limits<qint64>::max());
    }
    if (!filter.statuses.isEmpty()) {
        clauses.append(QStringLiteral("status IN (%1)").arg(dialect.jsonArrayValues()));
        binds.append(statusListJson(filter.statuses));
    }
    return {clauses.join(QLatin1String(" AND ")), binds};
}

} // namespace

Result<QList<Model::GraphExecutionMeta>>
ExecutionRepository::graphExecutions(const GraphExecutionFilter &filter)
{
    auto [where, binds] = whereFor(filter, m_db.dialect());
    QString suffix = QStringLiteral(" ORDER BY created_at DESC, id DESC");
    if (filter.limit) {
        suffix += QStringLiteral(" LIMIT ?");
        binds.append(*filter.limit);
    }
    return selectMetas(where, binds, suffix);
}

Result<qint64> ExecutionRepository::countGraphExecutions(const GraphExecutionFilter &filter)
{
    const auto [where, binds] = whereFor(filter, m_db.dialect());
    auto select
        = m_db.prepare(QStringLiteral("SELECT count(*) FROM graph_executions WHERE ") + where);
    if (!select)
        return select.error();
    QSqlQuery *q = *select;
    for (const QVariant &value : binds)
        q->addBindValue(value);
    if (!q->exec() || !q->next())
        return m_db.storageError(q->lastError(), QStringLiteral("counting graph executions"));
    const qint64 count = q->value(0).toLongLong();
    q->finish();
    return count;
}

Result<Model::GraphExecutionsPage>
ExecutionRepository::graphExecutionsPage(const QString &userId, GraphExecutionFilter filter,
                                         int page, int pageSize)
{
    if (page < 1 || pageSize < 1)
        return makeError(ErrorCode::BadInput, QStringLiteral("page and page size start at 1"));
    filter.userId = userId;
    filter.limit.reset();
    auto total = countGraphExecutions(filter);
    if (!total)
        return total.error();
    auto [where, binds] = whereFor(filter, m_db.dialect());
    binds.append(pageSize);
    binds.append(qint64(page - 1) * pageSize);
    auto executions = selectMetas(
        where, binds, QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"));
    if (!executions)
        return executions.error();
    Model::GraphExecutionsPage result;
    result.executions = std::move(*executions);
    result.pagination.totalItems = *total;
    result.pagination.totalPages = int((*total + pageSize - 1) / pageSize);
    result.pagination.currentPage = page;
    result.pagination.pageSize = pageSize;
    return result;
}

Result<std::optional<Model::GraphExecutionMeta>>
ExecutionRepository::graphExecutionMeta(const QString &userId, const QString &executionId)
{
    auto found = selectMetas(QStringLiteral("id = ? AND is_deleted = 0 AND user_id = ?"),
                             {executionId, userId});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<Model::GraphExecutionMeta>();
    return std::optional<Model::GraphExecutionMeta>(found->first());
}

Result<std::optional<Model::GraphExecution>>
ExecutionRepository::graphExecution(const QString &userId, const QString &executionId,
                                    bool includeNodeExecutions)
{
    auto meta = graphExecutionMeta(userId, executionId);
    if (!meta)
        return meta.error();
    if (!meta->has_value())
        return std::optional<Model::GraphExecution>();
    auto assembled = assembleGraphExecution(**meta, includeNodeExecutions);
    if (!assembled)
        return assembled.error();
    return std::optional<Model::GraphExecution>(std::move(*assembled));
}

Result<Model::GraphExecution>
ExecutionRepository::assembleGraphExecution(const Model::GraphExecutionMeta &meta,
                                            bool includeNodeExecutions)
{
    auto nodes
        = selectNodeExecutions(QStringLiteral("ne.graph_exec_id = ?"), {meta.id}, QString(), true);
    if (!nodes)
        return nodes.error();
    sortByQueueTime(*nodes);

    Model::GraphExecution execution;
    execution.meta = meta;
    // AutoGPT's GraphExecution.from_db: the stored inputs, else the values of
    // the input blocks; outputs from the output blocks, in queue order.
    Model::ValueMap inputsFromBlocks;
    QHash<QString, Model::ValueList> outputs;
    QStringList outputOrder;
    for (const Model::NodeExecutionResult &node : std::as_const(*nodes)) {
        if (node.status == ExecutionStatus::Incomplete)
            continue;
        if (isBlockOfType(node.blockId, Model::BlockType::Input)) {
            inputsFromBlocks.insert(node.inputData.value(QLatin1String("name")).toString(),
                                    node.inputData.value(QLatin1String("value")));
        } else if (isBlockOfType(node.blockId, Model::BlockType::Output)) {
            const QString name = node.inputData.value(QLatin1String("name")).toString();
            if (!outputs.contains(name))
                outputOrder.append(name);
            outputs[name].append(node.inputData.value(QLatin1String("value")));
        }
    }
    execution.inputs = meta.inputs.isEmpty() ? inputsFromBlocks : meta.inputs;
    for (const QString &name : std::as_const(outputOrder))
        execution.outputs.insert(name, outputs.value(name));
    if (includeNodeExecutions)
        execution.nodeExecutions = std::move(*nodes);
    return execution;
}

Result<QList<Model::GraphExecutionMeta>>
ExecutionRepository::childGraphExecutions(const QString &parentExecId)
{
    return selectMetas(QStringLiteral("parent_graph_exec_id = ? AND is_deleted = 0"),
                       {parentExecId}, QStringLiteral(" ORDER BY created_at, id"));
}

Result<void> ExecutionRepository::deleteGraphExecution(const QString &graphExecId,
                                                       const QString &userId, bool softDelete)
{
    const QString doing = QStringLiteral("deleting graph execution %1").arg(graphExecId);
    WriteTransaction transaction(m_db);
    if (auto ok = transaction.begin(); !ok)
        return ok;
    auto statement = softDelete
        ? m_db.prepare(QStringLiteral("UPDATE graph_executions SET is_deleted = 1, updated_at = ? "
                                      "WHERE id = ? AND user_id = ?"))
        : m_db.prepare(QStringLiteral("DELETE FROM graph_executions WHERE id = ? AND user_id = ?"));
    if (!statement)
        return statement.error();
    QSqlQuery *q = *statement;
    if (softDelete)
        q->addBindValue(nowMs());
    q->addBindValue(graphExecId);
    q->addBindValue(userId);
    if (!q->exec())
        return m_db.storageError(q->lastError(), doing);
    if (q->numRowsAffected() < 1) {
        return makeError(
            ErrorCode::NotFound,
            QStringLiteral("Could not delete graph execution #%1: not found").arg(graphExecId));
    }
    if (!softDelete) {
        // Reviews have no foreign key (auto-approval keys are synthetic).
        auto reviews = m_db.prepare(
            QStringLiteral("DELETE FROM pending_reviews WHERE graph_exec_id = ?"
                           " OR graph_exec_id NOT IN (SELECT id FROM graph_executions)"));
        if (!reviews)
            return reviews.error();
        (*reviews)->addBindValue(graphExecId);
        if (!(*reviews)->exec())
            return m_db.storageError((*reviews)->lastError(), doing);
    }
    return transaction.commit();
}

// ---------------------------------------------------------------- status and stats

Result<int> ExecutionRepository::applyStatus(StatusTable table, const QStringList &ids,
                                             ExecutionStatus to,
                                             const QList<std::pair<QString, QVariant>> &sets)
{
    return applyStatusPath(table, ids, {to}, sets);
}

Result<int> ExecutionRepository::applyStatusPath(StatusTable table, const QStringList &ids,
                                                 const QList<ExecutionStatus> &path,
                                                 const QList<std::pair<QString, QVariant>> &sets)
{
    const ExecutionStatus to = path.first();
    if (auto refused = pathError(ids, path))
        return *refused;
    const QString tableName = table == StatusTable::GraphExecutions
        ? QStringLiteral("graph_executions")
        : QStringLiteral("node_executions");
    const QString what = table == StatusTable::GraphExecutions ? QStringLiteral("graph execution")
                                                               : QStringLiteral("node execution");
    const QList<ExecutionStatus> &from = Model::allowedSources(to);
    if (from.isEmpty()) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral(
                "status %1 cannot be set by an update; it is only set when a %2 is created")
                .arg(Model::statusName(to), what));
    }

    // Each column's new value is bound to a placeholder named after it (see
    // "write-behind rows" below).
    QString sql
        = QLatin1String("UPDATE ") + tableName + QLatin1String(" SET status = :status_new_value");
    QList<std::pair<QString, QVariant>> binds {
        {QStringLiteral(":status_new_value"), Model::statusName(path.last())}};
    for (const auto &[column, value] : sets) {
        const QString name = QLatin1Char(':') + column + QLatin1String("_new_value");
        sql += QLatin1String(", ") + column
            + (column == QLatin1String("started_at") && table == StatusTable::GraphExecutions
                   ? QString(QLatin1String(" = COALESCE(started_at, ") + name + QLatin1Char(')'))
                   : QString(QLatin1String(" = ") + name));
        binds.append({name, value});
    }
    // One row by key; several through a JSON list. The sources are names
    // from the transition table, written into the statement.
    sql += ids.size() == 1
        ? QStringLiteral(" WHERE id = :row_identifier_value")
        : QStringLiteral(" WHERE id IN (%1)")
              .arg(m_db.dialect().jsonArrayValues(QStringLiteral(":row_identifier_value")));
    sql += QLatin1String(" AND ") + sourcesCondition(to);
    binds.append(
        {QStringLiteral(":row_identifier_value"), ids.size() == 1 ? ids.first() : idListJson(ids)});

    WriteTransaction transaction(m_db);
    if (auto ok = transaction.begin(); !ok)
        return ok.error();
    auto update = m_db.prepare(sql);
    if (!update)
        return update.error();
    QSqlQuery *q = *update;
    for (const auto &[name, value] : std::as_const(binds))
        q->bindValue(name, value);
    if (!q->exec()) {
        return m_db.storageError(
            q->lastError(),
            QStringLiteral("setting %1 %2 to %3")
                .arg(what, ids.join(QLatin1String(", ")), Model::statusName(to)));
    }
    const int updated = q->numRowsAffected();
    if (updated == ids.size()) {
        if (auto ok = transaction.commit(); !ok)
            return ok.error();
        return updated;
    }

    // Some were refused: change none, then say which and why.
    transaction.rollback();
    const QString doing = QStringLiteral("setting %1 %2 to %3")
                              .arg(what, ids.join(QLatin1String(", ")), Model::statusName(to));
    auto current = m_db.prepare(QStringLiteral("SELECT id, status FROM %1 WHERE id IN (%2)")
                                    .arg(tableName, m_db.dialect().jsonArrayValues()));
    if (!current)
        return current.error();
    (*current)->addBindValue(idListJson(ids));
    if (!(*current)->exec())
        return m_db.storageError((*current)->lastError(), doing);
    QHash<QString, QString> statusById;
    while ((*current)->next())
        statusById.insert((*current)->value(0).toString(), (*current)->value(1).toString());
    (*current)->finish();
    QStringList missing;
    QStringList refused;
    for (const QString &id : ids) {
        const auto status = statusById.constFind(id);
        if (status == statusById.constEnd()) {
            missing.append(id);
        } else if (!from.contains(Model::statusFromName(*status).value_or(to))) {
            refused.append(QStringLiteral("%1 %2: cannot change status from %3 to %4")
                               .arg(what, id, *status, Model::statusName(to)));
        }
    }
    if (!missing.isEmpty()) {
        return makeError(
            ErrorCode::NotFound,
            QStringLiteral("%1 %2 not found").arg(what, missing.join(QLatin1String(", "))));
    }
    if (refused.size() == 1)
        return makeError(ErrorCode::Conflict, refused.first());
    return makeError(ErrorCode::Conflict,
                     QStringLiteral("%1 of %2 status changes refused; none was made")
                         .arg(refused.size())
                         .arg(ids.size()),
                     refused);
}

Result<void> ExecutionRepository::setGraphExecutionStatus(
    const QString &graphExecId, std::optional<ExecutionStatus> status,
    const std::optional<Model::GraphExecutionStats> &stats, bool recordStart)
{
    if (!status && !stats) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("Must provide either status or stats to update for execution %1")
                .arg(graphExecId));
    }
    const qint64 now = nowMs();
    QList<std::pair<QString, QVariant>> sets {{QStringLiteral("updated_at"), now}};
    if (stats)
        sets.append({QStringLiteral("stats"), jsonToText(stats->toStoredJson())});
    if (status) {
        if (recordStart)
            sets.append({QStringLiteral("started_at"), now});
        if (Model::isTerminal(*status))
            sets.append({QStringLiteral("ended_at"), now});
        auto applied = applyStatus(StatusTable::GraphExecutions, {graphExecId}, *status, sets);
        if (!applied)
            return applied.error();
        return {};
    }
    auto update = m_db.prepare(
        QStringLiteral("UPDATE graph_executions SET updated_at = ?, stats = ? WHERE id = ?"));
    if (!update)
        return update.error();
    (*update)->addBindValue(now);
    (*update)->addBindValue(sets.at(1).second);
    (*update)->addBindValue(graphExecId);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("saving stats of %1").arg(graphExecId));
    if ((*update)->numRowsAffected() < 1)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("graph execution %1 not found").arg(graphExecId));
    return {};
}

Result<void> ExecutionRepository::setGraphExecutionRunner(const QString &graphExecId,
                                                          const QString &runner)
{
    auto update
        = m_db.prepare(QStringLiteral("UPDATE graph_executions SET runner = ? WHERE id = ?"));
    if (!update)
        return update.error();
    (*update)->addBindValue(runner.isEmpty() ? QVariant() : QVariant(runner));
    (*update)->addBindValue(graphExecId);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("recording who runs %1").arg(graphExecId));
    if ((*update)->numRowsAffected() < 1)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("graph execution %1 not found").arg(graphExecId));
    return {};
}

Result<QString> ExecutionRepository::graphExecutionRunner(const QString &graphExecId)
{
    auto select
        = m_db.prepare(QStringLiteral("SELECT runner FROM graph_executions WHERE id = ?"));
    if (!select)
        return select.error();
    (*select)->addBindValue(graphExecId);
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(),
                                 QStringLiteral("reading who runs %1").arg(graphExecId));
    if (!(*select)->next())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("graph execution %1 not found").arg(graphExecId));
    const QString runner = (*select)->value(0).toString();
    (*select)->finish();
    return runner;
}

Result<int> ExecutionRepository::updateNodeExecutionStatusBatch(
    const QStringList &nodeExecIds, ExecutionStatus status, const std::optional<QJsonObject> &stats)
{
    QStringList ids = nodeExecIds;
    ids.removeDuplicates();
    if (ids.isEmpty())
        return 0;
    return applyStatus(StatusTable::NodeExecutions, ids, status,
                       nodeSets(nodeColumns({{status}, {nowMs()}, std::nullopt, stats})));
}

// ---------------------------------------------------------------- write-behind rows
//
// The statements below and the status update run for every node execution,
// so they bind by name, with names of 16 characters or more: Qt 6.4 looks
// each positional placeholder up by a name it makes (":0", ":1", ...) on
// every bind, and its string hash is slow for strings under 16 characters
// on some x86-64 processors (about 170 ns a call here, against 7 ns for
// longer ones). Binding five values by position costs about 3 us here, by
// long name 1.5 us.

Result<void> ExecutionRepository::insertNodeExecution(const QString &nodeExecId,
                                                      const QString &graphExecId,
                                                      const QString &nodeId, const QString &blockId,
                                                      qint64 addedAtMs,
                                                      const NodeStatusPath *settled)
{
    return insertNodeExecutions({{nodeExecId, graphExecId, nodeId, blockId, addedAtMs, settled}});
}

Result<void> ExecutionRepository::insertExecutionInput(const QString &ioId,
                                                       const QString &nodeExecId,
                                                       const QString &name,
                                                       const Model::Value &data, qint64 timeMs)
{
    return insertExecutionData({{false, ioId, nodeExecId, name, &data, timeMs}});
}

Result<void> ExecutionRepository::insertExecutionOutput(const QString &ioId,
                                                        const QString &nodeExecId,
                                                        const QString &name,
                                                        const Model::Value &data, qint64 timeMs)
{
    return insertExecutionData({{true, ioId, nodeExecId, name, &data, timeMs}});
}

Result<void> ExecutionRepository::insertNodeExecutions(const QList<NewNodeExecution> &rows)
{
    static const RowsInsert insert(
        QStringLiteral("node_executions"),
        {{QStringLiteral("id"), QStringLiteral(":node_execution_id")},
         {QStringLiteral("graph_exec_id"), QStringLiteral(":graph_execution_id")},
         {QStringLiteral("node_id"), QStringLiteral(":node_identifier")},
         {QStringLiteral("block_id"), QStringLiteral(":block_identifier")},
         {QStringLiteral("status"), QStringLiteral(":execution_status")},
         {QStringLiteral("added_at"), QStringLiteral(":added_at_millis")},
         {QStringLiteral("queued_at"), QStringLiteral(":queued_at_millis")},
         {QStringLiteral("started_at"), QStringLiteral(":started_at_millis")},
         {QStringLiteral("ended_at"), QStringLiteral(":ended_at_millis")},
         {QStringLiteral("execution_data"), QStringLiteral(":execution_data_text")},
         {QStringLiteral("stats"), QStringLiteral(":statistics_text")}});
    for (const NewNodeExecution &row : rows) {
        if (!row.settled)
            continue;
        QList<ExecutionStatus> path = row.settled->path;
        path.prepend(ExecutionStatus::Incomplete);
        if (auto refused = pathError({row.id}, path))
            return *refused;
    }
    return insert.run(
        m_db, rows.size(),
        [&rows](QSqlQuery &q, const RowsInsert::Names &names, qsizetype index) {
            const NewNodeExecution &row = rows.at(index);
            const NodeColumns columns = row.settled ? nodeColumns(*row.settled) : NodeColumns();
            q.bindValue(names.at(0), row.id);
            q.bindValue(names.at(1), row.graphExecId);
            q.bindValue(names.at(2), row.nodeId);
            q.bindValue(names.at(3), textOrEmpty(row.blockId));
            q.bindValue(names.at(4),
                        Model::statusName(row.settled ? row.settled->path.last()
                                                      : ExecutionStatus::Incomplete));
            q.bindValue(names.at(5), row.addedAtMs);
            q.bindValue(names.at(6), columns.queuedAt);
            q.bindValue(names.at(7), columns.startedAt);
            q.bindValue(names.at(8), columns.endedAt);
            q.bindValue(names.at(9), columns.executionData);
            q.bindValue(names.at(10), columns.stats);
        },
        [&rows](qsizetype first, qsizetype count) {
            return count == 1 ? QStringLiteral("recording node execution %1").arg(rows.at(first).id)
                              : QStringLiteral("recording %1 node executions").arg(count);
        },
        /*refusal=*/ {});
}

Result<void> ExecutionRepository::insertExecutionData(const QList<NewExecutionData> &rows)
{
    static const RowsInsert insert(
        QStringLiteral("node_execution_io"),
        {{QStringLiteral("id"), QStringLiteral(":io_record_identifier")},
         {QStringLiteral("name"), QStringLiteral(":input_output_name")},
         {QStringLiteral("data"), QStringLiteral(":input_output_data")},
         {QStringLiteral("time"), QStringLiteral(":recorded_at_millis")},
         {QStringLiteral("input_exec_id"), QStringLiteral(":input_node_execution_id")},
         {QStringLiteral("output_exec_id"), QStringLiteral(":output_node_execution_id")}});
    const QVariant none(QMetaType::fromType<QString>());
    return insert.run(
        m_db, rows.size(),
        [&rows, &none](QSqlQuery &q, const RowsInsert::Names &names, qsizetype index) {
            const NewExecutionData &row = rows.at(index);
            const Model::Value &data = *row.data;
            q.bindValue(names.at(0), row.id);
            q.bindValue(names.at(1), row.name);
            // An output of none is stored as NULL; an input always as its JSON text.
            q.bindValue(names.at(2),
                        row.output && (data.isNull() || data.isUndefined())
                            ? none
                            : QVariant(valueToText(data)));
            q.bindValue(names.at(3), row.timeMs);
            q.bindValue(names.at(4), row.output ? none : QVariant(row.nodeExecId));
            q.bindValue(names.at(5), row.output ? QVariant(row.nodeExecId) : none);
        },
        [&rows](qsizetype first, qsizetype count) {
            if (count > 1)
                return QStringLiteral("recording %1 inputs and outputs").arg(count);
            const NewExecutionData &row = rows.at(first);
            return QStringLiteral("recording %1 %2 of %3")
                .arg(row.output ? QStringLiteral("output") : QStringLiteral("input"), row.name,
                     row.nodeExecId);
        },
        // An output names a node execution that must exist.
        [&rows](qsizetype first, qsizetype count) -> std::optional<Error> {
            if (count != 1 || !rows.at(first).output)
                return std::nullopt;
            return makeError(
                ErrorCode::NotFound,
                QStringLiteral("node execution %1 not found").arg(rows.at(first).nodeExecId));
        });
}

Result<void> ExecutionRepository::setNodeExecutionStatusPath(const QString &nodeExecId,
                                                             const NodeStatusPath &change)
{
    if (change.path.contains(ExecutionStatus::Queued) && !change.executionData) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("Execution data must be provided when queuing an execution."));
    }
    auto applied = applyStatusPath(StatusTable::NodeExecutions, {nodeExecId}, change.path,
                                   nodeSets(nodeColumns(change)));
    if (!applied)
        return applied.error();
    return {};
}

// ---------------------------------------------------------------- node executions

Result<QList<Model::NodeExecutionResult>>
ExecutionRepository::selectNodeExecutions(const QString &where, const QVariantList &binds,
                                          const QString &suffix, bool includeData)
{
    auto select
        = m_db.prepare(QStringLiteral("SELECT %1 WHERE %2%3").arg(kNodeColumns, where, suffix));
    if (!select)
        return select.error();
    QSqlQuery *q = *select;
    for (const QVariant &value : binds)
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(q->lastError(), QStringLiteral("reading node executions"));
    QList<Model::NodeExecutionResult> result;
    while (q->next())
        result.append(readNode(*q));
    q->finish();
    if (includeData && !result.isEmpty()) {
        if (auto ok = loadNodeData(result); !ok)
            return ok.error();
    }
    return result;
}

Result<void> ExecutionRepository::loadNodeData(QList<Model::NodeExecutionResult> &results)
{
    QHash<QString, qsizetype> indexById;
    QStringList ids;
    for (qsizetype i = 0; i < results.size(); ++i) {
        indexById.insert(results.at(i).nodeExecId, i);
        ids.append(results.at(i).nodeExecId);
    }
    // Inputs: the records, unless execution data or cleared inputs say otherwise.
    QHash<QString, Model::ValueMap> inputs;
    QHash<QString, QHash<QString, Model::ValueList>> outputs;
    QHash<QString, QStringList> outputOrder;
    auto io = m_db.prepare(
        QStringLiteral("SELECT input_exec_id, output_exec_id, name, data FROM node_execution_io"
                       " WHERE input_exec_id IN (%1) OR output_exec_id IN (%1) ORDER BY time, id")
            .arg(m_db.dialect().jsonArrayValues()));
    if (!io)
        return io.error();
    const QString idsJson = idListJson(ids);
    (*io)->addBindValue(idsJson);
    (*io)->addBindValue(idsJson);
    if (!(*io)->exec())
        return m_db.storageError((*io)->lastError(),
                                 QStringLiteral("reading node inputs and outputs"));
    while ((*io)->next()) {
        const QString name = (*io)->value(2).toString();
        const Model::Value data = valueFromText((*io)->value(3));
        if (!(*io)->value(0).isNull()) {
            inputs[(*io)->value(0).toString()].insert(name, data);
        } else {
            const QString owner = (*io)->value(1).toString();
            if (!outputs[owner].contains(name))
                outputOrder[owner].append(name);
            outputs[owner][name].append(data);
        }
    }
    (*io)->finish();

    for (Model::NodeExecutionResult &node : results) {
        const QJsonObject cleared
            = node.stats.extra.value(QLatin1String("cleared_inputs")).toObject();
        if (!cleared.isEmpty()) {
            Model::ValueMap input;
            for (auto it = cleared.begin(); it != cleared.end(); ++it) {
                const QJsonArray messages = it.value().toArray();
                input.insert(it.key(),
                             messages.isEmpty() ? Model::Value(QString())
                                                : Model::fromQJson(messages.last()));
            }
            node.inputData = input;
        } else if (node.inputData.isEmpty()) {
            node.inputData = inputs.value(node.nodeExecId);
        }
        const QJsonObject clearedOutputs
            = node.stats.extra.value(QLatin1String("cleared_outputs")).toObject();
        if (!clearedOutputs.isEmpty()) {
            node.outputData = Model::fromQJson(clearedOutputs).toMap();
        } else {
            const auto &pins = outputs[node.nodeExecId];
            for (const QString &name : outputOrder.value(node.nodeExecId))
                node.outputData.insert(name, pins.value(name));
        }
    }
    return {};
}

Result<QList<Model::NodeExecutionResult>>
ExecutionRepository::nodeExecutions(const NodeExecutionFilter &filter)
{
    QStringList clauses {QStringLiteral("1 = 1")};
    QVariantList binds;
    if (!filter.ids.isEmpty()) {
        clauses.append(QStringLiteral("ne.id IN (%1)").arg(m_db.dialect().jsonArrayValues()));
        binds.append(idListJson(filter.ids));
    }
    if (!filter.graphExecId.isEmpty()) {
        clauses.append(QStringLiteral("ne.graph_exec_id = ?"));
        binds.append(filter.graphExecId);
    }
    if (!filter.nodeId.isEmpty()) {
        clauses.append(QStringLiteral("ne.node_id = ?"));
        binds.append(filter.nodeId);
    }
    if (!filter.blockIds.isEmpty()) {
        clauses.append(QStringLiteral("ne.block_id IN (%1)").arg(m_db.dialect().jsonArrayValues()));
        binds.append(idListJson(filter.blockIds));
    }
    if (!filter.statuses.isEmpty()) {
        clauses.append(QStringLiteral("ne.status IN (%1)").arg(m_db.dialect().jsonArrayValues()));
        binds.append(statusListJson(filter.statuses));
    }
    if (filter.createdFrom.isValid() || filter.createdTo.isValid()) {
        clauses.append(QStringLiteral("ne.added_at BETWEEN ? AND ?"));
        binds.append(filter.createdFrom.isValid() ? filter.createdFrom.toMSecsSinceEpoch()
                                                  : std::numeric_limits<qint64>::min());
        binds.append(filter.createdTo.isValid() ? filter.createdTo.toMSecsSinceEpoch()
                                                : std::numeric_limits<qint64>::max());
    }
    QString suffix = kNodeOrderLatestFirst;
    if (filter.limit) {
        suffix += QStringLiteral(" LIMIT ?");
        binds.append(*filter.limit);
    }
    return selectNodeExecutions(clauses.join(QLatin1String(" AND ")), binds, suffix,
                                filter.includeExecData);
}

Result<std::optional<Model::Value>> ExecutionRepository::executionKvData(const QString &userId,
                                                                         const QString &key)
{
    auto select = m_db.prepare(
        QStringLiteral("SELECT data FROM execution_kv WHERE user_id = ? AND key = ?"));
    if (!select)
        return select.error();
    (*select)->addBindValue(userId);
    (*select)->addBindValue(key);
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(), QStringLiteral("reading key %1").arg(key));
    std::optional<Model::Value> result;
    if ((*select)->next()) {
        const Model::Value data = valueFromText((*select)->value(0));
        if (Model::pythonTruthy(data))
            result = data;
    }
    (*select)->finish();
    return result;
}

Result<std::optional<Model::Value>>
ExecutionRepository::setExecutionKvData(const QString &userId, const QString &nodeExecId,
                                        const QString &key, const Model::Value &data)
{
    auto upsert = m_db.prepare(QStringLiteral(
        "INSERT INTO execution_kv (user_id, key, node_exec_id, data, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO UPDATE SET"
        " node_exec_id = excluded.node_exec_id, data = excluded.data, updated_at = "
        "excluded.updated_at"));
    if (!upsert)
        return upsert.error();
    const qint64 now = nowMs();
    QSqlQuery *q = *upsert;
    q->addBindValue(userId);
    q->addBindValue(key);
    q->addBindValue(nodeExecId);
    q->addBindValue(data.isNull() || data.isUndefined() ? QVariant(QMetaType::fromType<QString>())
                                                        : QVariant(valueToText(data)));
    q->addBindValue(now);
    q->addBindValue(now);
    if (!q->exec())
        return m_db.storageError(q->lastError(), QStringLiteral("saving key %1").arg(key));
    return Model::pythonTruthy(data) ? std::optional<Model::Value>(data)
                                     : std::optional<Model::Value>();
}

// ---------------------------------------------------------------- monitoring and sharing

} // namespace Signalbox::Engine
