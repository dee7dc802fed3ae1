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

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

} // namespace

QJsonObject toApiJson(const GraphExecutionMeta &meta)
{
    return QJsonObject {
        {QLatin1String("id"), meta.id},
        {QLatin1String("user_id"), meta.userId},
        {QLatin1String("graph_id"), meta.graphId},
        {QLatin1String("graph_version"), meta.graphVersion},
        {QLatin1String("preset_id"), textOrNull(meta.presetId)},
        {QLatin1String("status"), statusName(meta.status)},
        {QLatin1String("created_at"), timeToJson(meta.createdAt)},
        {QLatin1String("started_at"), timeToJson(meta.startedAt)},
        {QLatin1String("ended_at"), timeToJson(meta.endedAt)},
        {QLatin1String("parent_graph_exec_id"), textOrNull(meta.parentGraphExecId)},
        {QLatin1String("stats"), meta.stats ? QJsonValue(meta.stats->toApiJson()) : QJsonValue()},
        {QLatin1String("is_shared"), meta.isShared},
        {QLatin1String("share_token"), textOrNull(meta.shareToken)},
    };
}

QJsonObject toApiJson(const NodeExecutionResult &node)
{
    return QJsonObject {
        {QLatin1String("id"), node.nodeExecId},
        {QLatin1String("graph_exec_id"), node.graphExecId},
        {QLatin1String("graph_id"), node.graphId},
        {QLatin1String("graph_version"), node.graphVersion},
        {QLatin1String("node_id"), node.nodeId},
        {QLatin1String("block_id"), node.blockId},
        {QLatin1String("status"), statusName(node.status)},
        {QLatin1String("input_data"), node.inputData},
        {QLatin1String("output_data"), node.outputData},
        {QLatin1String("add_time"), timeToJson(node.addTime)},
        {QLatin1String("queue_time"), timeToJson(node.queueTime)},
        {QLatin1String("start_time"), timeToJson(node.startTime)},
        {QLatin1String("end_time"), timeToJson(node.endTime)},
        {QLatin1String("stats"), node.stats.toJson()},
    };
}

QJsonObject toApiJson(const GraphExecution &execution)
{
    QJsonObject object = toApiJson(execution.meta);
    object.insert(QLatin1String("inputs"), execution.inputs);
    object.insert(QLatin1String("outputs"), execution.outputs);
    QJsonArray nodes;
    for (const NodeExecutionResult &node : execution.nodeExecutions)
        nodes.append(toApiJson(node));
    object.insert(QLatin1String("node_executions"), nodes);
    return object;
}

} // namespace Signalbox::Model
