// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/execution.h"
#include "model/graph.h"
#include "model/uuid.h"
#include "pgserver.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

namespace Signalbox::Testing {

// The store a store test runs against: SQLite files in a temporary folder,
// or, when the environment has SIGNALBOX_TEST_STORE=postgresql (CTest's
// "_postgres" runs of the store suites), databases of a PostgreSQL server
// that this process starts for itself.
class TestStore
{
public:
    static bool wantsPostgres()
    {
        return qgetenv("SIGNALBOX_TEST_STORE") == QByteArrayLiteral("postgresql");
    }

    // Gets the store ready: false with `why`, and `skip` when only a missing
    // package is the reason.
    bool start(QString *why, bool *skip)
    {
        *skip = false;
        if (!m_dir.isValid()) {
            *why = QStringLiteral("cannot make a temporary folder");
            return false;
        }
        if (!wantsPostgres())
            return true;
        m_server = std::make_unique<PostgresServer>();
        return m_server->start(why, skip);
    }

    bool isPostgres() const { return m_server != nullptr; }
    QString engineName() const
    {
        return isPostgres() ? QStringLiteral("PostgreSQL") : QStringLiteral("SQLite");
    }
    PostgresServer *server() const { return m_server.get(); }
    QString folder() const { return m_dir.path(); }

    // Where a new, empty store goes: a file that does not exist yet, or a
    // new database of the server. `name` is lower-case letters, digits and
    // '_'; each call gets a store of its own.
    QString newLocation(const QString &name)
    {
        const QString unique = QStringLiteral("%1_%2").arg(name).arg(++m_counter);
        if (!isPostgres())
            return m_dir.filePath(unique + QStringLiteral(".db"));
        QString why;
        if (!m_server->createDatabase(unique, &why))
            qFatal("cannot create database %s: %s", qPrintable(unique), qPrintable(why));
        return m_server->location(unique);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PostgresServer> m_server;
    int m_counter = 0;
};

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
