// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/blockschema.h"
#include "model/uuid.h"

#include "storefixture.h"
#include "testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;
using Model::ExecutionStatus;
using Signalbox::Testing::value;

class TestExecutionRepository : public QObject
{
    Q_OBJECT

private:
    TestStore m_store;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Model::BlockCatalog> m_catalog;
    std::unique_ptr<ExecutionRepository> m_executions;

    Model::GraphExecution create(const QString &user = userId(), const QString &parent = {})
    {
        NewGraphExecution request
            = smallGraphExecution(user,
                                  {{QStringLiteral("name"), QStringLiteral("who")},
                                   {QStringLiteral("value"), QStringLiteral("Ada")}});
        request.parentGraphExecId = parent;
        request.inputs = {{QStringLiteral("who"), QStringLiteral("Ada")}};
        auto created = m_executions->createGraphExecution(request);
        if (!created)
            qFatal("create failed: %s", qPrintable(created.error().message));
        return *created;
    }

    // Drives a node execution INCOMPLETE/QUEUED -> RUNNING -> `end`.
    void finish(const QString &nodeExecId, ExecutionStatus end, const Model::ValueMap &data = {})
    {
        auto node = nodeExecutionById(*m_executions, nodeExecId);
        QVERIFY(node.ok() && node->has_value());
        if ((*node)->status == ExecutionStatus::Incomplete)
            QVERIFY(setStatus(nodeExecId, ExecutionStatus::Queued, data).ok());
        QVERIFY(setStatus(nodeExecId, ExecutionStatus::Running).ok());
        QVERIFY(setStatus(nodeExecId, end).ok());
    }

    // One status change of a node execution, as the store writer makes it.
    Result<void> setStatus(const QString &nodeExecId, ExecutionStatus status,
                           const std::optional<Model::ValueMap> &data = std::nullopt,
                           const std::optional<QJsonObject> &stats = std::nullopt)
    {
        return m_executions->setNodeExecutionStatusPath(
            nodeExecId, {{status}, {QDateTime::currentMSecsSinceEpoch()}, data, stats});
    }

    Model::NodeExecutionResult node(const QString &nodeExecId)
    {
        auto read = nodeExecutionById(*m_executions, nodeExecId);
        if (!read || !read->has_value())
            qFatal("no node execution %s", qPrintable(nodeExecId));
        return **read;
    }

    Model::GraphExecutionMeta meta(const QString &graphExecId)
    {
        auto read = m_executions->graphExecutionMeta(userId(), graphExecId);
        if (!read || !read->has_value())
            qFatal("no graph execution %s", qPrintable(graphExecId));
        return **read;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SIGNALBOX_START_OR_SKIP(m_store);
        auto catalog = Model::BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        m_catalog = std::make_unique<Model::BlockCatalog>(std::move(*catalog));
    }

    void init()
    {
        m_executions.reset();
        m_db.reset();
        auto db = Database::open(m_store.newLocation(QStringLiteral("exec")));
        QVERIFY2(db.ok(), qPrintable(db.error().message));
        m_db = std::move(*db);
        GraphRepository graphs(*m_db);
        QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
        m_executions = std::make_unique<ExecutionRepository>(*m_db, m_catalog.get());
    }

    void createGraphExecution()
    {
        const auto execution = create();
        QCOMPARE(execution.meta.status, ExecutionStatus::Incomplete);
        QCOMPARE(execution.meta.graphId, QStringLiteral("g-small"));
        QCOMPARE(execution.meta.userId, userId());
        QCOMPARE(execution.meta.inputs.value(QLatin1String("who")).toString(),
                 QStringLiteral("Ada"));
        QVERIFY(execution.meta.createdAt.isValid());
        QCOMPARE(execution.nodeExecutions.size(), 1);
        const auto &node = execution.nodeExecutions.first();
        QCOMPARE(node.status, ExecutionStatus::Queued);
        QCOMPARE(node.nodeId, QStringLiteral("in"));
        QCOMPARE(node.blockId, kInputBlock);
        QVERIFY(node.queueTime.isValid());
        QCOMPARE(node.inputData.value(QLatin1String("value")).toString(), QStringLiteral("Ada"));
        // Time-ordered ids: version 7.
        QCOMPARE(execution.meta.id.at(14), QLatin1Char('7'));
    }

    void createGraphExecutionErrors()
    {
        NewGraphExecution request;
        request.graphId = QStringLiteral("g-small");
        request.graphVersion = 9;
        request.userId = userId();
        auto noVersion = m_executions->createGraphExecution(request);
        QVERIFY(!noVersion.ok());
        QCOMPARE(noVersion.error().code, ErrorCode::NotFound);
        QCOMPARE(noVersion.error().message, QStringLiteral("graph g-small has no version 9"));

        request.graphVersion = 1;
        request.startingNodesInput = {{QStringLiteral("in"), {}}, {QStringLiteral("ghost"), {}}};
        auto badNode = m_executions->createGraphExecution(request);
        QVERIFY(!badNode.ok());
        QCOMPARE(badNode.error().code, ErrorCode::BadInput);
        QCOMPARE(badNode.error().message,
                 QStringLiteral("node ghost is not in graph g-small version 1"));
        auto count = m_executions->countGraphExecutions({});
        QVERIFY(count.ok());
        QCOMPARE(*count, 0); // rolled back whole

        request.startingNodesInput.clear();
        request.parentGraphExecId = QStringLiteral("no-such-parent");
        auto badParent = m_executions->createGraphExecution(request);
        QVERIFY(!badParent.ok());
        QCOMPARE(badParent.error().code, ErrorCode::NotFound);
    }

    void listCountAndPages()
    {
        QStringList ids;
        for (int i = 0; i < 5; ++i)
            ids.prepend(create().meta.id);
        create(QStringLiteral("someone-else"));
        QVERIFY(m_executions->setGraphExecutionStatus(ids.at(0), ExecutionStatus::Running, {}).ok());

        GraphExecutionFilter mine;
        mine.userId = userId();
        auto all = m_executions->graphExecutions(mine);
        QVERIFY(all.ok());
        QCOMPARE(all->size(), 5);
        QStringList listed;
        for (const auto &meta : *all)
            listed.append(meta.id);
        QCOMPARE(listed, ids); // newest first

        GraphExecutionFilter running = mine;
        running.statuses = {ExecutionStatus::Running, ExecutionStatus::Review};
        QCOMPARE(m_executions->graphExecutions(running)->size(), 1);
        QCOMPARE(*m_executions->countGraphExecutions(running), 1);

        GraphExecutionFilter limited = mine;
        limited.limit = 2;
        QCOMPARE(m_executions->graphExecutions(limited)->size(), 2);

        GraphExecutionFilter byId;
        byId.graphExecId = ids.at(3);
        QCOMPARE(m_executions->graphExecutions(byId)->first().id, ids.at(3));

        GraphExecutionFilter otherGraph;
        otherGraph.graphId = QStringLiteral("other");
        QCOMPARE(*m_executions->countGraphExecutions(otherGraph), 0);
        GraphExecutionFilter version1;
        version1.graphVersion = 1;
        QCOMPARE(*m_executions->countGraphExecutions(version1), 6);

        GraphExecutionFilter future;
        future.createdFrom = QDateTime::currentDateTimeUtc().addSecs(60);
        QCOMPARE(*m_executions->countGraphExecutions(future), 0);
        GraphExecutionFilter past;
        past.createdTo = QDateTime::currentDateTimeUtc().addSecs(60);
        past.createdFrom = QDateTime::currentDateTimeUtc().addSecs(-60);
        QCOMPARE(*m_executions->countGraphExecutions(past), 6);

        auto page = m_executions->graphExecutionsPage(userId(), {}, 2, 2);
        QVERIFY(page.ok());
        QCOMPARE(page->pagination.totalItems, 5);
        QCOMPARE(page->pagination.totalPages, 3);
        QCOMPARE(page->pagination.currentPage, 2);
        QCOMPARE(page->executions.size(), 2);
        QCOMPARE(page->executions.at(0).id, ids.at(2));
        auto last = m_executions->graphExecutionsPage(userId(), {}, 3, 2);
        QCOMPARE(last->executions.size(), 1);
        QCOMPARE(m_executions->graphExecutionsPage(userId(), {}, 0, 2).error().code,
                 ErrorCode::BadInput);
    }

    void metaAndOwnership()
    {
        const auto execution = create();
        auto meta = m_executions->graphExecutionMeta(userId(), execution.meta.id);
        QVERIFY(meta.ok() && meta->has_value());
        QCOMPARE((*meta)->id, execution.meta.id);
        auto foreign
            = m_executions->graphExecutionMeta(QStringLiteral("intruder"), execution.meta.id);
        QVERIFY(foreign.ok());
        QVERIFY(!foreign->has_value());
        auto full
            = m_executions->graphExecution(QStringLiteral("intruder"), execution.meta.id, true);
        QVERIFY(full.ok() && !full->has_value());
    }

    void inputsAndOutputsOfAGraphExecution()
    {
        const auto execution = create();
        const QString id = execution.meta.id;
        finish(execution.nodeExecutions.first().nodeExecId, ExecutionStatus::Completed);
        // Two values reach the output block: two executions of it.
        for (const QString &value : {QStringLiteral("Hi Ada"), QStringLiteral("Hi again")}) {
            const QString input
                = addNodeInput(*m_executions, id, QStringLiteral("out"), QStringLiteral("value"), value);
            const Model::ValueMap data {{QStringLiteral("name"), QStringLiteral("greeting")},
                                        {QStringLiteral("value"), value}};
            finish(input, ExecutionStatus::Completed, data);
        }
        auto loaded = m_executions->graphExecution(userId(), id, true);
        QVERIFY(loaded.ok() && loaded->has_value());
        QCOMPARE((*loaded)->outputs,
                 (Model::ValueMap {
                     {QStringLiteral("greeting"),
                      Model::ValueList {QStringLiteral("Hi Ada"), QStringLiteral("Hi again")}}}));
        QCOMPARE((*loaded)->inputs, execution.meta.inputs);
        QCOMPARE((*loaded)->nodeExecutions.size(), 3);
        // Ordered by queue time.
        QCOMPARE((*loaded)->nodeExecutions.first().nodeId, QStringLiteral("in"));
        auto withoutNodes = m_executions->graphExecution(userId(), id, false);
        QVERIFY((*withoutNodes)->nodeExecutions.isEmpty());
        QCOMPARE((*withoutNodes)->outputs, (*loaded)->outputs);
    }

    void childExecutions()
    {
        const auto parent = create();
        const auto child = create(userId(), parent.meta.id);
        create();
        auto children = m_executions->childGraphExecutions(parent.meta.id);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), 1);
        QCOMPARE(children->first().id, child.meta.id);
        QCOMPARE(children->first().parentGraphExecId, parent.meta.id);
        QVERIFY(m_executions->childGraphExecutions(child.meta.id)->isEmpty());
    }

    void softAndHardDelete()
    {
        const auto soft = create();
        const auto hard = create();
        const auto child = create(userId(), hard.meta.id);
        QVERIFY(addNodeOutput(*m_executions, hard.nodeExecutions.first().nodeExecId,
                              QStringLiteral("result"), 1));

        QVERIFY(m_executions->deleteGraphExecution(soft.meta.id, userId()).ok());
        QVERIFY(!m_executions->graphExecutionMeta(userId(), soft.meta.id)->has_value());
        QCOMPARE(*m_executions->countGraphExecutions({}), 2);
        // Soft-deleted data is still in the file.
        QVERIFY(nodeExecutionById(*m_executions, soft.nodeExecutions.first().nodeExecId)->has_value());

        auto foreign
            = m_executions->deleteGraphExecution(hard.meta.id, QStringLiteral("intruder"), false);
        QVERIFY(!foreign.ok());
        QCOMPARE(
            foreign.error().message,
            QStringLiteral("Could not delete graph execution #%1: not found").arg(hard.meta.id));

        QVERIFY(m_executions->deleteGraphExecution(hard.meta.id, userId(), false).ok());
        QVERIFY(!nodeExecutionById(*m_executions, hard.nodeExecutions.first().nodeExecId)->has_value());
        QVERIFY(!m_executions->graphExecutionMeta(userId(), child.meta.id)->has_value());
        QCOMPARE(*m_executions->countGraphExecutions({}), 0);
        QCOMPARE(m_executions->deleteGraphExecution(hard.meta.id, userId(), false).error().code,
                 ErrorCode::NotFound);
    }

    void outputs()
    {
        const auto execution = create();
        const QString nodeExec = execution.nodeExecutions.first().nodeExecId;
        QVERIFY(addNodeOutput(*m_executions, nodeExec, QStringLiteral("result"), 1));
        QVERIFY(addNodeOutput(*m_executions, nodeExec, QStringLiteral("result"),
                              Model::ValueMap {{QStringLiteral("k"), 2}}));
        QVERIFY(addNodeOutput(*m_executions, nodeExec, QStringLiteral("empty"), Model::Value(nullptr)));
        auto node = nodeExecutionById(*m_executions, nodeExec);
        QCOMPARE((*node)->outputData.value(QLatin1String("result")).toArray(),
                 (Model::ValueList {1, Model::ValueMap {{QStringLiteral("k"), 2}}}));
        QCOMPARE((*node)->outputData.value(QLatin1String("empty")).toArray(),
                 (Model::ValueList {Model::Value(nullptr)}));
        QVERIFY(!addNodeOutput(*m_executions, QStringLiteral("nope"), QStringLiteral("x"), 1));
    }

    // The store writer's rows go in many to a statement (64, 16, 4 and 1
    // at a time): 150 node executions with their inputs and outputs read
    // back exactly, settled or not, whatever statement carried them.
    void manyRowsGoInTogether()
    {
        const QString exec = create().meta.id;
        const int count = 150; // 64 + 64 + 16 + 4 + 1 + 1
        QList<NodeStatusPath> paths;
        paths.reserve(count);
        QList<NewNodeExecution> nodes;
        QList<Model::Value> values;
        values.reserve(2 * count);
        QList<NewExecutionData> data;
        for (int i = 0; i < count; ++i) {
            paths.append(
                {{ExecutionStatus::Queued, ExecutionStatus::Running, ExecutionStatus::Completed},
                 {1000 + i, 2000 + i, 3000 + i},
                 Model::ValueMap {{QStringLiteral("format"), i}},
                 std::nullopt});
            const QString id = Model::createTimeOrderedUuid();
            nodes.append({id, exec, QStringLiteral("tpl"), QStringLiteral("block-%1").arg(i),
                          500 + i, i % 2 == 0 ? &paths.at(i) : nullptr});
            values.append(Model::Value(i));
            values.append(i % 10 == 0 ? Model::Value(nullptr) : Model::Value(2 * i));
        }
        for (int i = 0; i < count; ++i) {
            data.append({false, Model::createTimeOrderedUuid(), nodes.at(i).id,
                         QStringLiteral("format"), &values.at(2 * i), 700 + i});
            data.append({true, Model::createTimeOrderedUuid(), nodes.at(i).id,
                         QStringLiteral("result"), &values.at(2 * i + 1), 800 + i});
        }
        QVERIFY(m_executions->insertNodeExecutions(nodes).ok());
        auto written = m_executions->insertExecutionData(data);
        QVERIFY2(written.ok(), qPrintable(written.error().message));
        for (int i = 0; i < count; ++i) {
            const Model::NodeExecutionResult read = node(nodes.at(i).id);
            QCOMPARE(read.graphExecId, exec);
            QCOMPARE(read.blockId, QStringLiteral("block-%1").arg(i));
            QCOMPARE(read.inputData.value(QStringLiteral("format")), Model::Value(i));
            QCOMPARE(read.outputData.value(QStringLiteral("result")).toArray(),
                     Model::ValueList {values.at(2 * i + 1)});
            if (i % 2 == 0) {
                QCOMPARE(read.status, ExecutionStatus::Completed);
                QCOMPARE(read.queueTime.toMSecsSinceEpoch(), 1000 + i);
                QCOMPARE(read.startTime.toMSecsSinceEpoch(), 2000 + i);
                QCOMPARE(read.endTime.toMSecsSinceEpoch(), 3000 + i);
            } else {
                QCOMPARE(read.status, ExecutionStatus::Incomplete);
                QVERIFY(!read.queueTime.isValid());
            }
        }

        // A row naming no node execution fails its statement, and with it
        // the writer's transaction: nothing of the batch stays.
        QList<NewExecutionData> broken;
        const Model::Value one(1);
        for (int i = 0; i < 70; ++i)
            broken.append({true, Model::createTimeOrderedUuid(),
                           i == 66 ? QStringLiteral("ghost") : nodes.at(i).id,
                           QStringLiteral("late"), &one, 900});
        {
            WriteTransaction transaction(*m_db);
            QVERIFY(transaction.begin().ok());
            // 64 rows go in, then the 4 with the 67th fail.
            auto refused = m_executions->insertExecutionData(broken);
            QVERIFY(!refused.ok());
            QVERIFY2(
                refused.error().message.contains(QStringLiteral("recording 4 inputs and outputs")),
                qPrintable(refused.error().message));
        } // rolled back
        QVERIFY(!node(nodes.first().id).outputData.contains(QStringLiteral("late")));
        // One row alone says which node execution it names.
        const auto alone = m_executions->insertExecutionOutput(Model::createTimeOrderedUuid(),
                                                               QStringLiteral("ghost"),
                                                               QStringLiteral("late"), one, 900);
        QCOMPARE(alone.error().code, ErrorCode::NotFound);
        QCOMPARE(alone.error().message, QStringLiteral("node execution ghost not found"));
    }

    void valuesKeepNumberKindsAndKeyOrder()
    {
        const auto execution = create();
        const QString nodeExec = execution.nodeExecutions.first().nodeExecId;
        const Model::Value original
            = value("{'zeta': 1.0, 'alpha': [2, 3.5, {'y': 0, 'x': -0.0}], 'mid': 'caf\u00e9'}");
        QVERIFY(addNodeOutput(*m_executions, nodeExec, QStringLiteral("result"), original));
        const QString input = addNodeInput(*m_executions, execution.meta.id, QStringLiteral("tpl"),
                                           QStringLiteral("values"), original);
        const QByteArray expected = Model::toJson(original);
        QCOMPARE(
            expected,
            QByteArray(
                "{\"zeta\":1.0,\"alpha\":[2,3.5,{\"y\":0,\"x\":-0.0}],\"mid\":\"caf\xc3\xa9\"}"));
        auto output = nodeExecutionById(*m_executions, nodeExec);
        QCOMPARE(Model::toJson((*output)->outputData.value(QLatin1String("result")).toArray().first()),
                 expected);
        auto node = nodeExecutionById(*m_executions, input);
        QCOMPARE(Model::toJson((*node)->inputData.value(QLatin1String("values"))), expected);
    }

    void nodeStatusUpdates()
    {
        const QString exec = create().meta.id;
        const QString id = addNodeInput(*m_executions, exec, QStringLiteral("tpl"),
                                        QStringLiteral("format"), QStringLiteral("x"));

        auto noData = setStatus(id, ExecutionStatus::Queued);
        QVERIFY(!noData.ok());
        QCOMPARE(noData.error().message,
                 QStringLiteral("Execution data must be provided when queuing an execution."));

        const Model::ValueMap data {{QStringLiteral("format"), QStringLiteral("x")},
                                    {QStringLiteral("values"), Model::ValueMap()}};
        QVERIFY(setStatus(id, ExecutionStatus::Queued, data).ok());
        const Model::NodeExecutionResult queued = node(id);
        QCOMPARE(queued.status, ExecutionStatus::Queued);
        QVERIFY(queued.queueTime.isValid());
        QCOMPARE(queued.inputData, data);

        QVERIFY(setStatus(id, ExecutionStatus::Running).ok());
        QVERIFY(node(id).startTime.isValid());
        QVERIFY(!node(id).endTime.isValid());

        Model::NodeExecutionStats stats;
        stats.walltime = 0.25;
        stats.cputime = 0.125;
        stats.inputSize = 42;
        stats.outputSize = 7;
        stats.cost = 3;
        stats.extra.insert(QStringLiteral("llm_call_count"), 2);
        QVERIFY(setStatus(id, ExecutionStatus::Completed, std::nullopt, stats.toJson()).ok());
        const Model::NodeExecutionResult done = node(id);
        QVERIFY(done.endTime.isValid());
        QCOMPARE(done.stats, stats);

        auto refused = setStatus(id, ExecutionStatus::Running);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QCOMPARE(refused.error().message,
                 QStringLiteral("node execution %1: cannot change status from COMPLETED to RUNNING")
                     .arg(id));
        QCOMPARE(node(id).status, ExecutionStatus::Completed);

        QCOMPARE(setStatus(id, ExecutionStatus::Incomplete).error().code, ErrorCode::BadInput);
        QCOMPARE(setStatus(QStringLiteral("ghost"), ExecutionStatus::Running).error().code,
                 ErrorCode::NotFound);

        // TERMINATED sets an end time as well (DESIGN §3).
        const QString other = addNodeInput(*m_executions, exec, QStringLiteral("tpl"),
                                           QStringLiteral("format"), QStringLiteral("y"));
        QVERIFY(setStatus(other, ExecutionStatus::Terminated).ok());
        QVERIFY(node(other).endTime.isValid());
    }

    void statusPathsAreCheckedStepByStep()
    {
        const QString exec = create().meta.id;
        const QString id
            = addNodeInput(*m_executions, exec, QStringLiteral("tpl"), QStringLiteral("format"), 1);
        const Model::ValueMap data = value("{'format': 1}").toMap();
        // QUEUED -> COMPLETED skips RUNNING: refused before anything is written.
        auto skipping = m_executions->setNodeExecutionStatusPath(
            id, {{ExecutionStatus::Queued, ExecutionStatus::Completed}, {1000, 2000}, data, {}});
        QVERIFY(!skipping.ok());
        QCOMPARE(skipping.error().code, ErrorCode::Conflict);
        QCOMPARE((*nodeExecutionById(*m_executions, id))->status, ExecutionStatus::Incomplete);
        // A valid path is written once, with each step's time.
        QVERIFY(
            m_executions
                ->setNodeExecutionStatusPath(id,
                                             {{ExecutionStatus::Queued, ExecutionStatus::Running,
                                               ExecutionStatus::Completed},
                                              {1000, 2000, 3000},
                                              data,
                                              {}})
                .ok());
        const auto node = *nodeExecutionById(*m_executions, id);
        QCOMPARE(node->status, ExecutionStatus::Completed);
        QCOMPARE(node->queueTime.toMSecsSinceEpoch(), 1000);
        QCOMPARE(node->startTime.toMSecsSinceEpoch(), 2000);
        QCOMPARE(node->endTime.toMSecsSinceEpoch(), 3000);
        // The first step must be allowed from the stored status.
        auto again = m_executions->setNodeExecutionStatusPath(
            id, {{ExecutionStatus::Running, ExecutionStatus::Completed}, {4000, 5000}, {}, {}});
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }

    void nodeStatusBatchIsAllOrNothing()
    {
        const QString exec = create().meta.id;
        QStringList ids;
        for (int i = 0; i < 3; ++i)
            ids.append(
                addNodeInput(*m_executions, exec, QStringLiteral("tpl"), QStringLiteral("format"), i));
        QCOMPARE(*m_executions->updateNodeExecutionStatusBatch(ids.mid(0, 2),
                                                               ExecutionStatus::Terminated),
                 2);

        // ids[0] is TERMINATED and may go to QUEUED; so may ids[2]. ids[1] too.
        // COMPLETED is reachable only from RUNNING: all three are refused.
        auto refused
            = m_executions->updateNodeExecutionStatusBatch(ids, ExecutionStatus::Completed);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QCOMPARE(refused.error().details.size(), 3);

        QVERIFY(setStatus(ids.at(2), ExecutionStatus::Running).ok());
        auto partial
            = m_executions->updateNodeExecutionStatusBatch(ids, ExecutionStatus::Completed);
        QVERIFY(!partial.ok());
        QCOMPARE(partial.error().details.size(), 2);
        // The one that could move did not move either.
        QCOMPARE((*nodeExecutionById(*m_executions, ids.at(2)))->status, ExecutionStatus::Running);

        // TERMINATED may be queued again (resume); RUNNING may not.
        QCOMPARE(
            *m_executions->updateNodeExecutionStatusBatch(ids.mid(0, 2), ExecutionStatus::Queued),
            2);
        QCOMPARE(*m_executions->updateNodeExecutionStatusBatch(ids, ExecutionStatus::Failed), 3);
        QCOMPARE(*m_executions->updateNodeExecutionStatusBatch({}, ExecutionStatus::Failed), 0);
        auto missing = m_executions->updateNodeExecutionStatusBatch({QStringLiteral("ghost")},
                                                                    ExecutionStatus::Failed);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
    }

    void graphStatusAndStats()
    {
        const QString id = create().meta.id;
        QCOMPARE(m_executions->setGraphExecutionStatus(id, std::nullopt, std::nullopt).error().code,
                 ErrorCode::BadInput);

        QVERIFY(m_executions->setGraphExecutionStatus(id, ExecutionStatus::Running, {}, true).ok());
        QCOMPARE(meta(id).status, ExecutionStatus::Running);
        const QDateTime startedAt = meta(id).startedAt;
        QVERIFY(startedAt.isValid());

        Model::GraphExecutionStats stats;
        stats.cost = 12;
        stats.walltime = 1.5;
        stats.cputime = 0.75;
        stats.nodesWalltime = 1.25;
        stats.nodesCputime = 0.5;
        stats.nodeCount = 4;
        stats.nodeErrorCount = 1;
        stats.error = QStringLiteral("one node failed");
        stats.activityStatus = QStringLiteral("summarised");
        stats.correctnessScore = 0.5;
        QVERIFY(m_executions->setGraphExecutionStatus(id, std::nullopt, stats).ok());
        QCOMPARE(meta(id).status, ExecutionStatus::Running);
        QVERIFY(meta(id).stats.has_value());
        QCOMPARE(*meta(id).stats, stats);

        QVERIFY(m_executions->setGraphExecutionStatus(id, ExecutionStatus::Failed, stats).ok());
        QCOMPARE(meta(id).status, ExecutionStatus::Failed);
        QVERIFY(meta(id).endedAt.isValid());
        QCOMPARE(meta(id).startedAt, startedAt);

        auto refused = m_executions->setGraphExecutionStatus(id, ExecutionStatus::Running, {});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QCOMPARE(refused.error().message,
                 QStringLiteral("graph execution %1: cannot change status from FAILED to RUNNING")
                     .arg(id));
        QCOMPARE(m_executions->setGraphExecutionStatus(id, ExecutionStatus::Running, {}, true)
                     .error()
                     .code,
                 ErrorCode::Conflict);
        QCOMPARE(m_executions->setGraphExecutionStatus(QStringLiteral("ghost"), std::nullopt, stats)
                     .error()
                     .code,
                 ErrorCode::NotFound);
        QCOMPARE(m_executions
                     ->setGraphExecutionStatus(QStringLiteral("ghost"), ExecutionStatus::Queued, {})
                     .error()
                     .code,
                 ErrorCode::NotFound);
    }

    void nodeExecutionQueries()
    {
        const QString exec = create().meta.id;
        const QString a
            = addNodeInput(*m_executions, exec, QStringLiteral("tpl"), QStringLiteral("format"), 1);
        QTest::qWait(3); // distinct queue times
        finish(a, ExecutionStatus::Completed, {{QStringLiteral("format"), 1}});
        QTest::qWait(3);
        const QString b
            = addNodeInput(*m_executions, exec, QStringLiteral("tpl"), QStringLiteral("format"), 2);
        finish(b, ExecutionStatus::Failed, {{QStringLiteral("format"), 2}});
        const QString pending
            = addNodeInput(*m_executions, exec, QStringLiteral("tpl"), QStringLiteral("format"), 3);

        NodeExecutionFilter byNode;
        byNode.graphExecId = exec;
        byNode.nodeId = QStringLiteral("tpl");
        auto all = m_executions->nodeExecutions(byNode);
        QCOMPARE(all->size(), 3);
        QCOMPARE(all->first().nodeExecId, pending); // never queued: first
        QCOMPARE(all->at(1).nodeExecId, b);

        NodeExecutionFilter failed;
        failed.statuses = {ExecutionStatus::Failed};
        QCOMPARE(m_executions->nodeExecutions(failed)->size(), 1);
        NodeExecutionFilter byBlock;
        byBlock.blockIds = {kInputBlock};
        QCOMPARE(m_executions->nodeExecutions(byBlock)->size(), 1);
        NodeExecutionFilter limited;
        limited.limit = 2;
        limited.includeExecData = false;
        auto light = m_executions->nodeExecutions(limited);
        QCOMPARE(light->size(), 2);
        NodeExecutionFilter future;
        future.createdFrom = QDateTime::currentDateTimeUtc().addSecs(10);
        QVERIFY(m_executions->nodeExecutions(future)->isEmpty());

        QVERIFY(!nodeExecutionById(*m_executions, QStringLiteral("ghost"))->has_value());
    }

    void keyValueData()
    {
        QVERIFY(!m_executions->executionKvData(userId(), QStringLiteral("k"))->has_value());
        auto set = m_executions->setExecutionKvData(userId(), QStringLiteral("ne-1"),
                                                    QStringLiteral("k"),
                                                    Model::ValueMap {{QStringLiteral("a"), 1}});
        QVERIFY(set.ok());
        QCOMPARE(**set, Model::Value(Model::ValueMap {{QStringLiteral("a"), 1}}));
        QCOMPARE(**m_executions->executionKvData(userId(), QStringLiteral("k")),
                 Model::Value(Model::ValueMap {{QStringLiteral("a"), 1}}));
        // Per user.
        QVERIFY(!m_executions->executionKvData(QStringLiteral("other"), QStringLiteral("k"))
                     ->has_value());
        // Overwrite.
        QVERIFY(m_executions
                    ->setExecutionKvData(userId(), QStringLiteral("ne-2"), QStringLiteral("k"),
                                         QStringLiteral("v2"))
                    .ok());
        QCOMPARE(**m_executions->executionKvData(userId(), QStringLiteral("k")),
                 Model::Value(QStringLiteral("v2")));
        // AutoGPT's falsy values read back as none.
        for (const Model::Value &falsy :
             {Model::Value(0), Model::Value(false), Model::Value(QString()),
              Model::Value(Model::ValueList()), Model::Value(nullptr)}) {
            auto stored = m_executions->setExecutionKvData(userId(), QStringLiteral("ne-3"),
                                                           QStringLiteral("f"), falsy);
            QVERIFY(stored.ok());
            QVERIFY(!stored->has_value());
            QVERIFY(!m_executions->executionKvData(userId(), QStringLiteral("f"))->has_value());
        }
    }
};

QTEST_GUILESS_MAIN(TestExecutionRepository)
#include "tst_executionrepository.moc"
