// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/execution.h"
#include "model/graph.h"
#include "model/uuid.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

namespace Signalbox::Testing {

inline const QString kInputBlock = QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b");
inline const QString kTemplateBlock = QStringLiteral("db7d8f02-2f44-4c55-ab7a-eae0941f0c30");
inline const QString kOutputBlock = QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4");

// in (AgentInputBlock) -> tpl (FillTextTemplateBlock) -> out (AgentOutputBlock)
inline Model::Graph smallGraph(const QString &id = QStringLiteral("g-small"))
{
    Model::Graph graph;
    graph.id = id;
    graph.name = QStringLiteral("Small");
    graph.nodes = {
        {QStringLiteral("in"),
         kInputBlock,
         {{QStringLiteral("name"), QStringLiteral("who")}},
         {},
         {}},
        {QStringLiteral("tpl"),
         kTemplateBlock,
         {{QStringLiteral("format"), QStringLiteral("Hi {{who}}")}},
         {},
         {}},
        {QStringLiteral("out"),
         kOutputBlock,
         {{QStringLiteral("name"), QStringLiteral("greeting")}},
         {},
         {}},
    };
    graph.links = {
        {QStringLiteral("l1"),
         QStringLiteral("in"),
         QStringLiteral("result"),
         QStringLiteral("tpl"),
         QStringLiteral("values_#_who"),
         true,
         {}},
        {QStringLiteral("l2"),
         QStringLiteral("tpl"),
         QStringLiteral("output"),
         QStringLiteral("out"),
         QStringLiteral("value"),
         false,
         {}},
    };
    return graph;
}

inline QString userId()
{
    return QString(Model::kDefaultUserId);
}

// A request for an execution of smallGraph() by `user`, starting at "in".
inline Engine::NewGraphExecution smallGraphExecution(const QString &user = userId(),
                                                     const Model::ValueMap &startInput = {})
{
    Engine::NewGraphExecution request;
    request.graphId = QStringLiteral("g-small");
    request.graphVersion = 1;
    request.userId = user;
    request.startingNodesInput = {{QStringLiteral("in"), startInput}};
    return request;
}

// A new INCOMPLETE execution of a node of smallGraph() holding one input,
// written as the executor's store writer writes it. Returns its id.
inline QString addNodeInput(Engine::ExecutionRepository &executions, const QString &graphExecId,
                            const QString &nodeId, const QString &name, const Model::Value &data)
{
    const QString block = nodeId == QLatin1String("in") ? kInputBlock
        : nodeId == QLatin1String("out")                ? kOutputBlock
                                                        : kTemplateBlock;
    const QString id = Model::createTimeOrderedUuid();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!executions.insertNodeExecution(id, graphExecId, nodeId, block, now)
         || !executions.insertExecutionInput(Model::createTimeOrderedUuid(), id, name, data, now))
        qFatal("cannot add an input of %s", qPrintable(nodeId));
    return id;
}

// An output of a node execution, as the store writer writes it.
inline bool addNodeOutput(Engine::ExecutionRepository &executions, const QString &nodeExecId,
                          const QString &name, const Model::Value &data)
{
    return executions
        .insertExecutionOutput(Model::createTimeOrderedUuid(), nodeExecId, name, data,
                               QDateTime::currentMSecsSinceEpoch())
        .ok();
}

// One node execution with its data, as the store holds it; none when there
// is no such execution.
inline Result<std::optional<Model::NodeExecutionResult>>
nodeExecutionById(Engine::ExecutionRepository &executions, const QString &nodeExecId)
{
    Engine::NodeExecutionFilter filter;
    filter.ids = {nodeExecId};
    auto found = executions.nodeExecutions(filter);
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<Model::NodeExecutionResult>();
    return std::optional<Model::NodeExecutionResult>(found->first());
}

} // namespace Signalbox::Testing
