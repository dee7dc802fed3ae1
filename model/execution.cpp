// SPDX-License-Identifier: GPL-3.0-or-later
#include "execution.h"

namespace Signalbox::Model {

namespace {

const QLatin1StringView kWalltime("walltime");
const QLatin1StringView kCputime("cputime");
const QLatin1StringView kInputSize("input_size");
const QLatin1StringView kOutputSize("output_size");
const QLatin1StringView kCost("cost");
const QLatin1StringView kExtraCost("extra_cost");
const QLatin1StringView kError("error");

} // namespace

QJsonObject GraphExecutionStats::toStoredJson() const
{
    QJsonObject object {
        {QLatin1String("cost"), cost},
        {QLatin1String("walltime"), walltime},
        {QLatin1String("cputime"), cputime},
        {QLatin1String("nodes_walltime"), nodesWalltime},
        {QLatin1String("nodes_cputime"), nodesCputime},
        {QLatin1String("node_count"), nodeCount},
        {QLatin1String("node_error_count"), nodeErrorCount},
        {QLatin1String("error"), error.isNull() ? QJsonValue() : QJsonValue(error)},
    };
    object.insert(QLatin1String("activity_status"),
                  activityStatus ? QJsonValue(*activityStatus) : QJsonValue());
    object.insert(QLatin1String("correctness_score"),
                  correctnessScore ? QJsonValue(*correctnessScore) : QJsonValue());
    return object;
}

GraphExecutionStats GraphExecutionStats::fromStoredJson(const QJsonObject &object)
{
    GraphExecutionStats stats;
    stats.cost = object.value(QLatin1String("cost")).toInteger();
    stats.walltime = object.value(QLatin1String("walltime")).toDouble();
    stats.cputime = object.value(QLatin1String("cputime")).toDouble();
    stats.nodesWalltime = object.value(QLatin1String("nodes_walltime")).toDouble();
    stats.nodesCputime = object.value(QLatin1String("nodes_cputime")).toDouble();
    stats.nodeCount = object.value(QLatin1String("node_count")).toInt();
    stats.nodeErrorCount = object.value(QLatin1String("node_error_count")).toInt();
    const QJsonValue error = object.value(QLatin1String("error"));
    if (error.isString())
        stats.error = error.toString();
    const QJsonValue activity = object.value(QLatin1String("activity_status"));
    if (activity.isString())
        stats.activityStatus = activity.toString();
    const QJsonValue score = object.value(QLatin1String("correctness_score"));
    if (score.isDouble())
        stats.correctnessScore = score.toDouble();
    return stats;
}

QJsonObject GraphExecutionStats::toApiJson() const
{
    return QJsonObject {
        {QLatin1String("cost"), cost},
        {QLatin1String("duration"), walltime},
        {QLatin1String("duration_cpu_only"), cputime},
        {QLatin1String("node_exec_time"), nodesWalltime},
        {QLatin1String("node_exec_time_cpu_only"), nodesCputime},
        {QLatin1String("node_exec_count"), nodeCount},
        {QLatin1String("node_error_count"), nodeErrorCount},
        {QLatin1String("error"), error.isNull() ? QJsonValue() : QJsonValue(error)},
        {QLatin1String("activity_status"),
         activityStatus ? QJsonValue(*activityStatus) : QJsonValue()},
        {QLatin1String("correctness_score"),
         correctnessScore ? QJsonValue(*correctnessScore) : QJsonValue()},
    };
}

QJsonObject NodeExecutionStats::toJson() const
{
    QJsonObject object = extra;
    object.insert(kWalltime, walltime);
    object.insert(kCputime, cputime);
    object.insert(kInputSize, inputSize);
    object.insert(kOutputSize, outputSize);
    object.insert(kExtraCost, cost);
    if (!error.isNull())
        object.insert(kError, error);
    return object;
}

NodeExecutionStats NodeExecutionStats::fromJson(const QJsonObject &object)
{
    NodeExecutionStats stats;
    stats.walltime = object.value(kWalltime).toDouble();
    stats.cputime = object.value(kCputime).toDouble();
    stats.inputSize = object.value(kInputSize).toInteger();
    stats.outputSize = object.value(kOutputSize).toInteger();
    stats.cost = object.value(kExtraCost).toInteger(object.value(kCost).toInteger());
    if (object.value(kError).isString())
        stats.error = object.value(kError).toString();
    stats.extra = object;
    for (const auto &key : {kWalltime, kCputime, kInputSize, kOutputSize, kExtraCost, kError})
        stats.extra.remove(key);
    return stats;
}

QJsonValue timeToJson(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue();
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace Signalbox::Model

namespace Signalbox::Model {

namespace {

Value textOrNull(const QString &text)
{
    return text.isEmpty() ? Value(nullptr) : Value(text);
}

} // namespace

Value timeToValue(const QDateTime &time)
{
    if (!time.isValid())
        return Value(nullptr);
    return Value(time.toUTC().toString(Qt::ISODateWithMs));
}

ValueMap toApiValue(const GraphExecutionMeta &meta)
{
    ValueMap map;
    map.insert(QStringLiteral("id"), meta.id);
    map.insert(QStringLiteral("user_id"), meta.userId);
    map.insert(QStringLiteral("graph_id"), meta.graphId);
    map.insert(QStringLiteral("graph_version"), meta.graphVersion);
    map.insert(QStringLiteral("preset_id"), textOrNull(meta.presetId));
    map.insert(QStringLiteral("status"), statusName(meta.status));
    map.insert(QStringLiteral("created_at"), timeToValue(meta.createdAt));
    map.insert(QStringLiteral("started_at"), timeToValue(meta.startedAt));
    map.insert(QStringLiteral("ended_at"), timeToValue(meta.endedAt));
    map.insert(QStringLiteral("parent_graph_exec_id"), textOrNull(meta.parentGraphExecId));
    map.insert(QStringLiteral("stats"),
               meta.stats ? fromQJson(meta.stats->toApiJson()) : Value(nullptr));
    map.insert(QStringLiteral("is_shared"), meta.isShared);
    map.insert(QStringLiteral("share_token"), textOrNull(meta.shareToken));
    return map;
}

ValueMap toApiValue(const NodeExecutionResult &node)
{
    ValueMap map;
    map.insert(QStringLiteral("id"), node.nodeExecId);
    map.insert(QStringLiteral("graph_exec_id"), node.graphExecId);
    map.insert(QStringLiteral("graph_id"), node.graphId);
    map.insert(QStringLiteral("graph_version"), node.graphVersion);
    map.insert(QStringLiteral("node_id"), node.nodeId);
    map.insert(QStringLiteral("block_id"), node.blockId);
    map.insert(QStringLiteral("status"), statusName(node.status));
    map.insert(QStringLiteral("input_data"), node.inputData);
    map.insert(QStringLiteral("output_data"), node.outputData);
    map.insert(QStringLiteral("add_time"), timeToValue(node.addTime));
    map.insert(QStringLiteral("queue_time"), timeToValue(node.queueTime));
    map.insert(QStringLiteral("start_time"), timeToValue(node.startTime));
    map.insert(QStringLiteral("end_time"), timeToValue(node.endTime));
    map.insert(QStringLiteral("stats"), fromQJson(node.stats.toJson()));
    return map;
}

ValueMap toApiValue(const GraphExecution &execution)
{
    ValueMap map = toApiValue(execution.meta);
    map.insert(QStringLiteral("inputs"), execution.inputs);
    map.insert(QStringLiteral("outputs"), execution.outputs);
    ValueList nodes;
    for (const NodeExecutionResult &node : execution.nodeExecutions)
        nodes.append(toApiValue(node));
    map.insert(QStringLiteral("node_executions"), nodes);
    return map;
}

} // namespace Signalbox::Model
