// SPDX-License-Identifier: GPL-3.0-or-later
// The executor's dataflow rules, each run with the pool at 1 and at 8 threads.
#include "engine/blocks/blockids.h"
#include "engine/blocks/mediafile.h"
#include "engine/executor/executor.h"
#include "engine/executor/runner.h"
#include "engine/store/reviewrepository.h"
#include "model/graphjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "llmsettings.h"
#include "llmtestserver.h"
#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Model::ExecutionStatus;
using Signalbox::Testing::json;
using Signalbox::Testing::value;
using Signalbox::Testing::LlmTestServer;
using Signalbox::Testing::ScriptedAnswer;
using Model::ValueList;
using Model::ValueMap;

namespace {

const QString kUser = QString(Model::kDefaultUserId);

// Statuses in the order a node or graph execution passes through them. With
// batched writes a later status may already be stored when an earlier one's
// event arrives; a status must never be behind its event.
int progressRank(ExecutionStatus status)
{
    switch (status) {
    case ExecutionStatus::Incomplete:
        return 0;
    case ExecutionStatus::Queued:
        return 1;
    case ExecutionStatus::Running:
        return 2;
    case ExecutionStatus::Review:
        return 3;
    default:
        return 4;
    }
}

struct Finished
{
    QString id;
    ExecutionStatus status = ExecutionStatus::Incomplete;
};

} // namespace

class TestExecutor : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    std::shared_ptr<const BlockRegistry> m_registry;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<ExecutionRepository> m_executions;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<Executor> m_executor;

    QString importGraph(const QByteArray &graphJson)
    {
        auto graph = Model::graphFromJson(graphJson, QStringLiteral("test graph"));
        if (!graph)
            qFatal("%s", qPrintable(graph.error().text()));
        GraphRepository graphs(*m_db);
        auto saved = graphs.saveGraph(*graph, kUser);
        if (!saved)
            qFatal("%s", qPrintable(saved.error().message));
        return saved->id;
    }

    Result<QString> start(const QString &graphId, const char *inputs = "{}",
                          const char *masks = "{}")
    {
        RunRequest request;
        request.graphId = graphId;
        request.inputs = value(inputs).toMap();
        request.nodesInputMasks = value(masks).toMap();
        return m_executor->start(request);
    }

    Finished runToEnd(const QString &graphId, const char *inputs = "{}", const char *masks = "{}")
    {
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(graphId, inputs, masks);
        if (!id)
            qFatal("start failed: %s", qPrintable(id.error().text()));
        // Child executions finish too; wait for this one.
        auto mine = [&]() -> std::optional<Finished> {
            for (const QList<QVariant> &signal : std::as_const(finished)) {
                if (signal.at(0).toString() == *id)
                    return Finished {*id, signal.at(1).value<ExecutionStatus>()};
            }
            return std::nullopt;
        };
        QElapsedTimer clock;
        clock.start();
        while (!mine() && clock.elapsed() < 20000)
            finished.wait(100);
        if (!mine())
            qFatal("the run did not finish");
        return *mine();
    }

    Model::GraphExecution load(const QString &id)
    {
        auto execution = m_executions->graphExecution(kUser, id, true);
        if (!execution || !execution->has_value())
            qFatal("no execution %s", qPrintable(id));
        return **execution;
    }

    // Runs the test on an executor whose catalogue has one more block.
    void useBlock(const QByteArray &schemaJson, BlockFunction function)
    {
        QFile builtin(QStringLiteral(":/signalbox/blocks/builtin_blocks.json"));
        QVERIFY(builtin.open(QIODevice::ReadOnly));
        QJsonArray blocks = QJsonDocument::fromJson(builtin.readAll()).array();
        const QJsonObject schema = QJsonDocument::fromJson(schemaJson).object();
        blocks.append(schema);
        auto catalog = Model::BlockCatalog::fromJson(QJsonDocument(blocks).toJson(),
                                                     QStringLiteral("test catalogue"));
        QVERIFY2(catalog.ok(), qPrintable(catalog.error().text()));
        auto registry = BlockRegistry::withBuiltinBlocks(
            std::move(*catalog), {{schema.value(QLatin1String("id")).toString(), function}});
        QVERIFY(registry.ok());
        QFETCH_GLOBAL(int, threads);
        m_executor.reset();
        m_executor = std::make_unique<Executor>(m_db->path(), *registry, m_events.get(), threads);
        QVERIFY(m_executor->open().ok());
    }

    // No built-in block is a sensitive action: the tests add one to the
    // catalogue, a payment that reports what it paid.
    void usePaymentBlock()
    {
        useBlock(json("{'id': '5e0517e0-0000-4000-8000-000000000001', 'name': "
                      "'TestPaymentBlock', 'description': 'Pays.', 'categories': "
                      "['OUTPUT'], 'block_type': 'Standard', 'static_output': false, "
                      "'is_sensitive_action': true, 'inputs': [{'name': 'recipient', "
                      "'type': 'string', 'required': true}, {'name': 'amount', 'type': "
                      "'integer', 'required': true}], 'outputs': [{'name': 'receipt', "
                      "'type': 'string'}]}"),
                 [](const Model::ValueMap &input, BlockContext &context) -> Result<void> {
                     context.yield(QStringLiteral("receipt"),
                                   QStringLiteral("paid %1 to %2")
                                       .arg(input.value(QLatin1String("amount")).toInteger())
                                       .arg(input.value(QLatin1String("recipient")).toString()));
                     return {};
                 });
    }

    // Starts `graph` in the sensitive-action safe mode; it pauses for review.
    QString startPausedInSafeMode(const QString &graph)
    {
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        RunRequest request;
        request.graphId = graph;
        request.sensitiveActionSafeMode = true;
        auto id = m_executor->start(request);
        if (!id || !finished.wait(10000)
            || finished.first().at(1).value<ExecutionStatus>() != ExecutionStatus::Review)
            qFatal("the run did not pause for review");
        return *id;
    }

    // Decides the run's one waiting review and resumes it to its end.
    Model::GraphExecution decideAndResume(const QString &id, const ReviewDecision &decision)
    {
        ReviewRepository reviews(*m_db);
        const auto waiting = *reviews.pendingReviewsForExecution(id, kUser);
        if (waiting.size() != 1)
            qFatal("expected one waiting review");
        if (!reviews.processAllReviewsForExecution(kUser, {{waiting.first().nodeExecId, decision}}))
            qFatal("the decision failed");
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        if (!m_executor->resume(id) || (finished.isEmpty() && !finished.wait(10000)))
            qFatal("the run did not resume");
        return load(id);
    }

    // A decision maker, on a local model server without a key, with the
    // payment as its tool; in agent mode when `iterations` is not 0.
    QString paymentAgent(LlmTestServer &server, qint64 iterations)
    {
        server.setRequireKey(false);
        Llm::LlmSettings settings;
        Testing::addLocalServer(settings, QUrl(server.baseUrl()), false, false);
        usePaymentBlock();
        if (QTest::currentTestFailed())
            return {};
        m_executor->setModels(settings);
        const QByteArray graph
            = "{'nodes': [{'id': 'decider', 'block_id': '3b191d9f-356f-482d-8238-ba04b6d18381', "
              "'input_default': {'prompt': 'Pay bob what he is owed.', 'model': "
              "'qwen2.5-7b-instruct', 'agent_mode_max_iterations': "
            + QByteArray::number(iterations)
            + "}},"
              " {'id': 'pay', 'block_id': '5e0517e0-0000-4000-8000-000000000001', "
              "'input_default': {'recipient': 'bob'}}],"
              " 'links': [{'source_id': 'decider', 'source_name': 'tools', 'sink_id': 'pay', "
              "'sink_name': 'amount'}]}";
        return importGraph(json(graph.constData()));
    }

    QList<Model::NodeExecutionResult> executionsOf(const Model::GraphExecution &execution,
                                                   const QString &nodeId)
    {
        QList<Model::NodeExecutionResult> found;
        for (const auto &node : execution.nodeExecutions) {
            if (node.nodeId == nodeId)
                found.append(node);
        }
        return found;
    }

    // Runs `graphId` to completion: `skipped` completed without running, the
    // output block "answer" after it never ran, and "other" received 'ran'.
    void checkSkipped(const QString &graphId, const QString &skipped)
    {
        const Finished run = runToEnd(graphId);
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const auto execution = load(run.id);
        const auto node = executionsOf(execution, skipped);
        QCOMPARE(node.size(), 1);
        QCOMPARE(node.first().status, ExecutionStatus::Completed);
        QVERIFY(node.first().outputData.isEmpty());
        QVERIFY(executionsOf(execution, QStringLiteral("answer")).isEmpty());
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("other"))), json("['ran']"));
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("1 thread") << 1;
        QTest::newRow("8 threads") << 8;
    }

    void initTestCase()
    {
        auto registry = BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
    }

    void init()
    {
        QFETCH_GLOBAL(int, threads);
        m_executor.reset();
        m_executions.reset();
        m_db.reset();
        const QString path = m_dir.filePath(QStringLiteral("executor-%1.db").arg(++m_counter));
        auto db = Database::open(path);
        QVERIFY(db.ok());
        m_db = std::move(*db);
        m_executions = std::make_unique<ExecutionRepository>(*m_db, m_registry.get());
        m_events = std::make_unique<EventBus>();
        m_executor = std::make_unique<Executor>(path, m_registry, m_events.get(), threads);
        QVERIFY(m_executor->open().ok());
        QCOMPARE(m_executor->threadCount(), threads);
    }

    void loopsWithoutAnExitAreWarnedAbout_data()
    {
        QTest::addColumn<QByteArray>("links");
        QTest::addColumn<QStringList>("warned");
        const auto add = [](const char *name, const char *links, QStringList warned) {
            QTest::newRow(name) << json(links) << warned;
        };
        add("no loop", "[['a', 'b'], ['b', 'c']]", {});
        add("a node linked to itself", "[['a', 'a']]", {QStringLiteral("a")});
        add("a loop of three", "[['a', 'b'], ['b', 'c'], ['c', 'a']]", {QStringLiteral("a")});
        add("a loop with a way out", "[['a', 'b'], ['b', 'a'], ['b', 'c']]", {});
        add("two loops, one closed", "[['a', 'a'], ['b', 'c'], ['c', 'b'], ['c', 'a']]",
            {QStringLiteral("a")});
    }

    void loopsWithoutAnExitAreWarnedAbout()
    {
        QFETCH(QByteArray, links);
        QFETCH(QStringList, warned);
        Model::Graph graph;
        for (const char *id : {"a", "b", "c"})
            graph.nodes.append({QString::fromLatin1(id), QString(BlockIds::StoreValue), {}, {}, {}});
        for (const Model::Value &pair : Model::parseTrustedJson(links).toArray()) {
            Model::Link link;
            link.sourceId = pair.toArray().at(0).toString();
            link.sourceName = QStringLiteral("output");
            link.sinkId = pair.toArray().at(1).toString();
            link.sinkName = QStringLiteral("input");
            graph.links.append(link);
        }
        const GraphSnapshot snapshot(graph, m_registry);
        QCOMPARE(loopWarnings(snapshot).keys(), warned);
        const RunCheck check = validateGraphForRun(snapshot, {});
        QVERIFY(check.errors.isEmpty() || !check.errors.contains(QStringLiteral("links")));
    }

    void templatesNamingAMissingVariableAreWarnedAbout_data()
    {
        QTest::addColumn<QByteArray>("nodes");
        QTest::addColumn<QByteArray>("links");
        QTest::addColumn<QString>("warning");
        const auto row = [](const char *name, const char *values, const char *links,
                            const char *warning) {
            QTest::newRow(name)
                << json(QByteArray(QByteArray("[{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                                   "'input_default': {'name': 'topic'}}, {'id': 'fill', "
                                   "'block_id': 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30', "
                                   "'input_default': {'format': 'Write about {{topic}}'")
                        + values + "}}]")
                                   .constData())
                << json(links) << QString::fromUtf8(warning);
        };
        row("nothing provides it", "", "[]", "{{topic}}, which nothing provides");
        row("the input linked to the whole dict", "", "[['in', 'result', 'values']]",
            "the input \"topic\" is linked to the whole of \"values\"");
        row("an entry linked", "", "[['in', 'result', 'values_#_topic']]", "");
        row("a key of the dict", ", 'values': {'topic': 'otters'}", "[]", "");
        row("another entry only", "", "[['in', 'result', 'values_#_subject']]",
            "Give \"values\" an entry \"topic\"");
        row("the template linked", "", "[['in', 'result', 'format']]", "");
    }

    void templatesNamingAMissingVariableAreWarnedAbout()
    {
        QFETCH(QByteArray, nodes);
        QFETCH(QByteArray, links);
        QFETCH(QString, warning);
        Model::Graph graph;
        for (const Model::Value &entry : Model::parseTrustedJson(nodes).toArray()) {
            const Model::ValueMap map = entry.toMap();
            graph.nodes.append({map.value(QStringLiteral("id")).toString(),
                                map.value(QStringLiteral("block_id")).toString(),
                                map.value(QStringLiteral("input_default")).toMap(),
                                {},
                                {}});
        }
        for (const Model::Value &triple : Model::parseTrustedJson(links).toArray()) {
            Model::Link link;
            link.sourceId = triple.toArray().at(0).toString();
            link.sourceName = triple.toArray().at(1).toString();
            link.sinkId = QStringLiteral("fill");
            link.sinkName = triple.toArray().at(2).toString();
            graph.links.append(link);
        }
        const GraphSnapshot snapshot(graph, m_registry);
        const NodeErrors warnings = graphWarnings(snapshot);
        if (warning.isEmpty()) {
            QVERIFY2(warnings.isEmpty(), qPrintable(warnings.value(QStringLiteral("fill"))
                                                        .value(QStringLiteral("format"))));
            return;
        }
        const QString found
            = warnings.value(QStringLiteral("fill")).value(QStringLiteral("format"));
        QVERIFY2(found.contains(warning), qPrintable(found));
    }

    void chainCompletesWithEventsInOrder()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'x'}},"
                 " {'id': 'keep', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'result'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'keep', "
                 "'sink_name': 'input'},"
                 " {'source_id': 'keep', 'source_name': 'output', 'sink_id': 'out', 'sink_name': "
                 "'value'}]}"));
        QStringList log;
        QStringList mismatches;
        connect(m_events.get(), &EventBus::graphExecutionUpdated, this,
                [&](const GraphExecutionEvent &event) {
                    log.append(QStringLiteral("graph ") + Model::statusName(event.status));
                    auto stored = m_executions->graphExecutionMeta(kUser, event.graphExecId);
                    if (!stored || !stored->has_value()
                        || progressRank((*stored)->status) < progressRank(event.status))
                        mismatches.append(
                            QStringLiteral("graph event before its status was stored"));
                });
        connect(m_events.get(), &EventBus::nodeExecutionUpdated, this,
                [&](const NodeExecutionEvent &event) {
                    if (!event.outputPin.isEmpty()) {
                        log.append(event.nodeId + QStringLiteral(" output ") + event.outputPin);
                        return;
                    }
                    log.append(event.nodeId + QLatin1Char(' ') + Model::statusName(event.status));
                    NodeExecutionFilter one;
                    one.ids = {event.nodeExecId};
                    one.includeExecData = false;
                    auto stored = m_executions->nodeExecutions(one);
                    if (!stored || stored->isEmpty()
                        || progressRank(stored->first().status) < progressRank(event.status)) {
                        mismatches.append(event.nodeId
                                          + QStringLiteral(" event before its status was stored"));
                    }
                });
        const Finished run = runToEnd(graph, "{'x': 41.5}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const QStringList expected = {
            QStringLiteral("graph RUNNING"),     QStringLiteral("in RUNNING"),
            QStringLiteral("in output result"),  QStringLiteral("in COMPLETED"),
            QStringLiteral("keep RUNNING"),      QStringLiteral("keep output output"),
            QStringLiteral("keep COMPLETED"),    QStringLiteral("out RUNNING"),
            QStringLiteral("out output output"), QStringLiteral("out output name"),
            QStringLiteral("out COMPLETED"),     QStringLiteral("graph COMPLETED"),
        };
        // Every event once; causal order, not one total order: a node starts
        // as soon as an input arrives, possibly before its upstream finishes.
        QStringList sortedLog = log;
        QStringList sortedExpected = expected;
        sortedLog.sort();
        sortedExpected.sort();
        QCOMPARE(sortedLog, sortedExpected);
        QCOMPARE(log.first(), QStringLiteral("graph RUNNING"));
        QCOMPARE(log.last(), QStringLiteral("graph COMPLETED"));
        const auto before = [&](const char *first, const char *second) {
            return log.indexOf(QLatin1String(first)) < log.indexOf(QLatin1String(second));
        };
        QVERIFY(before("in RUNNING", "in output result"));
        QVERIFY(before("in output result", "in COMPLETED"));
        QVERIFY(before("in output result", "keep RUNNING"));
        QVERIFY(before("keep RUNNING", "keep output output"));
        QVERIFY(before("keep output output", "keep COMPLETED"));
        QVERIFY(before("keep output output", "out RUNNING"));
        QVERIFY(before("out RUNNING", "out output output"));
        QVERIFY(before("out output output", "out output name"));
        QVERIFY(before("out output name", "out COMPLETED"));
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QLatin1Char('\n'))));

        const auto execution = load(run.id);
        QCOMPARE(Model::toJson(execution.outputs), json("{'result':[41.5]}"));
        QCOMPARE(execution.nodeExecutions.size(), 3);
        for (const auto &node : execution.nodeExecutions) {
            QCOMPARE(node.status, ExecutionStatus::Completed);
            QVERIFY(node.startTime.isValid() && node.endTime.isValid());
            QVERIFY(node.stats.inputSize > 0);
        }
        QVERIFY(execution.meta.stats.has_value());
        QCOMPARE(execution.meta.stats->nodeCount, 3);
        QCOMPARE(execution.meta.stats->nodeErrorCount, 0);
        QVERIFY(execution.meta.stats->walltime > 0);
        QVERIFY(execution.meta.endedAt.isValid());
    }

    void largeValuesAreTruncatedInEventsOnly()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'big'}}]}"));
        QList<Model::Value> eventValues;
        connect(m_events.get(), &EventBus::nodeExecutionUpdated, this,
                [&](const NodeExecutionEvent &event) {
                    if (event.outputPin == QLatin1String("result"))
                        eventValues.append(event.outputValue);
                });
        const QString big(20000, QLatin1Char('x'));
        RunRequest request;
        request.graphId = graph;
        request.inputs.insert(QStringLiteral("big"), big);
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = m_executor->start(request);
        QVERIFY(id.ok());
        QVERIFY(finished.wait(10000));
        QTRY_COMPARE(eventValues.size(), 1);
        const QString carried = eventValues.first().toString();
        QCOMPARE(carried.size(), kEventValueLimit + QStringLiteral("... (truncated)").size());
        QVERIFY(carried.endsWith(QStringLiteral("... (truncated)")));
        // The store has all of it.
        const auto execution = load(*id);
        QCOMPARE(execution.nodeExecutions.first()
                     .outputData.value(QLatin1String("result"))
                     .toArray()
                     .at(0)
                     .toString(),
                 big);
        QCOMPARE(truncatedForEvent(Model::Value(QStringLiteral("small"))).toString(),
                 QStringLiteral("small"));
    }

    void severalYieldsMakeSeveralExecutionsAndStaticLinksAreReused()
    {
        // items fan out; the factor arrives once on a static link (from an
        // input block) and is reused by every multiplication.
        const QString graph = importGraph(json(
            "{'nodes': [{'id': 'items', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
            "'input_default': {'name': 'items'}},"
            " {'id': 'factor', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
            "'input_default': {'name': 'factor'}},"
            " {'id': 'step', 'block_id': 'f66a3543-28d3-4ab5-8945-9b336371e2ce'},"
            " {'id': 'times', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', 'input_default': "
            "{'operation': 'Multiply'}},"
            " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', 'input_default': "
            "{'name': 'products'}}],"
            " 'links': [{'source_id': 'items', 'source_name': 'result', 'sink_id': 'step', "
            "'sink_name': 'items'},"
            " {'source_id': 'step', 'source_name': 'item', 'sink_id': 'times', 'sink_name': 'a'},"
            " {'source_id': 'factor', 'source_name': 'result', 'sink_id': 'times', 'sink_name': "
            "'b'},"
            " {'source_id': 'times', 'source_name': 'result', 'sink_id': 'out', 'sink_name': "
            "'value'}]}"));
        const Finished run = runToEnd(graph, "{'items': [1, 2, 3, 4], 'factor': 10}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const auto execution = load(run.id);
        QList<double> products;
        for (const auto &item : execution.outputs.value(QLatin1String("products")).toArray())
            products.append(item.toDouble());
        std::sort(products.begin(), products.end());
        QCOMPARE(products, (QList<double> {10.0, 20.0, 30.0, 40.0}));
        QCOMPARE(executionsOf(execution, QStringLiteral("times")).size(), 4);
        QCOMPARE(executionsOf(execution, QStringLiteral("factor")).size(), 1);
        // The step node yielded 8 times: item/key pairs.
        const auto step = executionsOf(execution, QStringLiteral("step"));
        QCOMPARE(step.size(), 1);
        QCOMPARE(step.first().outputData.value(QLatin1String("item")).toArray().size(), 4);
        QCOMPARE(step.first().outputData.value(QLatin1String("key")).toArray().size(), 4);
    }

    void dynamicPinsBothWays()
    {
        // values_#_a and values_#_b build a dict; dictionary_#_b picks one entry
        // back out; list_$_1 picks an item of a list.
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'a', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'a'}},"
                 " {'id': 'b', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'b'}},"
                 " {'id': 'dict', 'block_id': 'b924ddf4-de4f-4b56-9a85-358930dcbc91'},"
                 " {'id': 'list', 'block_id': 'a912d5c7-6e00-4542-b2a9-8034136930e4'},"
                 " {'id': 'whole', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'whole'}},"
                 " {'id': 'picked', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'picked'}},"
                 " {'id': 'second', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'second'}}],"
                 " 'links': [{'source_id': 'a', 'source_name': 'result', 'sink_id': 'dict', "
                 "'sink_name': 'values_#_a'},"
                 " {'source_id': 'b', 'source_name': 'result', 'sink_id': 'dict', 'sink_name': "
                 "'values_#_b'},"
                 " {'source_id': 'a', 'source_name': 'result', 'sink_id': 'list', 'sink_name': "
                 "'values_$_0'},"
                 " {'source_id': 'b', 'source_name': 'result', 'sink_id': 'list', 'sink_name': "
                 "'values_$_1'},"
                 " {'source_id': 'dict', 'source_name': 'dictionary', 'sink_id': 'whole', "
                 "'sink_name': 'value'},"
                 " {'source_id': 'dict', 'source_name': 'dictionary_#_b', 'sink_id': 'picked', "
                 "'sink_name': 'value'},"
                 " {'source_id': 'list', 'source_name': 'list_$_1', 'sink_id': 'second', "
                 "'sink_name': 'value'}]}"));
        const Finished run = runToEnd(graph, "{'a': 'A', 'b': 'B'}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const auto execution = load(run.id);
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("picked"))), json("['B']"));
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("second"))), json("['B']"));
        const Model::ValueMap whole
            = execution.outputs.value(QLatin1String("whole")).toArray().at(0).toMap();
        QCOMPARE(whole.value(QLatin1String("a")).toString(), QStringLiteral("A"));
        QCOMPARE(whole.value(QLatin1String("b")).toString(), QStringLiteral("B"));
    }

    void errorsFlowAlongErrorLinksAndOtherBranchesRun()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'get', 'block_id': '262ca24c-1025-43cf-a578-534e23234e97', "
                 "'input_default': {'list': [1], 'index': 5}},"
                 " {'id': 'handler', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'},"
                 " {'id': 'caught', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'caught'}},"
                 " {'id': 'other', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9', "
                 "'input_default': {'input': 'fine'}},"
                 " {'id': 'fine', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'fine'}}],"
                 " 'links': [{'source_id': 'get', 'source_name': 'error', 'sink_id': 'handler', "
                 "'sink_name': 'input'},"
                 " {'source_id': 'handler', 'source_name': 'output', 'sink_id': 'caught', "
                 "'sink_name': 'value'},"
                 " {'source_id': 'other', 'source_name': 'output', 'sink_id': 'fine', 'sink_name': "
                 "'value'}]}"));
        const Finished run = runToEnd(graph);
        QCOMPARE(run.status, ExecutionStatus::Failed);
        const auto execution = load(run.id);
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("caught"))),
                 json("['Index out of range']"));
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("fine"))), json("['fine']"));
        const auto get = executionsOf(execution, QStringLiteral("get"));
        QCOMPARE(get.first().status, ExecutionStatus::Failed);
        QCOMPARE(get.first().stats.error, QStringLiteral("Index out of range"));
        QCOMPARE(execution.meta.stats->nodeErrorCount, 1);
        QCOMPARE(execution.meta.stats->error, QStringLiteral("Index out of range"));
    }

    void filesFlowBetweenBlocksOfOneRunAndGoWithIt()
    {
        // A file input stored by the run, its path read by the next block.
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'in', 'block_id': '95ead23f-8283-4654-aef3-10c053b74a31', "
                 "'input_default': {'name': 'doc'}},"
                 " {'id': 'read', 'block_id': '3735a31f-7e18-4aca-9e90-08a7120674bc'},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'text'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'read', "
                 "'sink_name': 'file_input'},"
                 " {'source_id': 'read', 'source_name': 'content', 'sink_id': 'out', "
                 "'sink_name': 'value'}]}"));
        const Finished run = runToEnd(graph, "{'doc': 'data:text/plain;base64,aGVsbG8='}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const auto execution = load(run.id);
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("text"))), json("['hello']"));
        const QString stored = executionsOf(execution, QStringLiteral("in"))
                                   .first()
                                   .outputData.value(QLatin1String("result"))
                                   .toArray()
                                   .at(0)
                                   .toString();
        QVERIFY2(stored.endsWith(QLatin1String(".txt")), qPrintable(stored));
        // The run's folder is removed when it ends.
        QVERIFY(!QFileInfo::exists(MediaFile::executionFolder(run.id)));
    }

    void mutedNodesAreSkipped()
    {
        // Muted in the editor: the node completes without running, unchecked
        // (the calculator lacks its inputs), and nothing after it runs.
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'a', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9', "
                 "'input_default': {'input': 'x'}, 'metadata': {'muted': true}},"
                 " {'id': 'calc', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', "
                 "'metadata': {'muted': true}},"
                 " {'id': 'answer', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'answer'}},"
                 " {'id': 'other', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'other', 'value': 'ran'}}],"
                 " 'links': [{'source_id': 'a', 'source_name': 'output', 'sink_id': 'answer', "
                 "'sink_name': 'value'}]}"));
        checkSkipped(graph, QStringLiteral("a"));
    }

    void nodesWithMissingOptionalCredentialsAreSkipped()
    {
        // A web request whose optional credentials are not set: it completes
        // without running, so nothing downstream of it runs; the rest does.
        const char *graph
            = "{'nodes': [{'id': 'url', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9', "
              "'input_default': {'input': 'https://example.com'}},"
              " {'id': 'call', 'block_id': 'fff86bcd-e001-4bad-a7f6-2eae4720c8dc', "
              "'input_default': {'credentials': {'id': 'stale', 'provider': 'http', 'type': "
              "'host_scoped'}}, 'metadata': {'credentials_optional': %1}},"
              " {'id': 'answer', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
              "'input_default': {'name': 'answer'}},"
              " {'id': 'other', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
              "'input_default': {'name': 'other', 'value': 'ran'}}],"
              " 'links': [{'source_id': 'url', 'source_name': 'output', 'sink_id': 'call', "
              "'sink_name': 'url'},"
              " {'source_id': 'call', 'source_name': 'response', 'sink_id': 'answer', "
              "'sink_name': 'value'}]}";
        const QString optional
            = importGraph(json(QByteArray(graph).replace("%1", "true").constData()));
        checkSkipped(optional, QStringLiteral("call"));

        // Required credentials: missing is an error, and so are credentials
        // the store does not know; an input mask comes before the default.
        const QString required
            = importGraph(json(QByteArray(graph).replace("%1", "false").constData()));
        auto unknown = start(required);
        QVERIFY(!unknown);
        QVERIFY2(unknown.error()
                     .details.join(QLatin1Char('\n'))
                     .contains(QLatin1String("node call (SendAuthenticatedWebRequestBlock), "
                                             "credentials: Unknown credentials #stale")),
                 qPrintable(unknown.error().text()));
        auto missing = start(required, "{}", "{'call': {'credentials': null}}");
        QVERIFY(!missing);
        QVERIFY2(missing.error()
                     .details.join(QLatin1Char('\n'))
                     .contains(QLatin1String("credentials: These credentials are required")),
                 qPrintable(missing.error().text()));
        auto malformed = start(required, "{}", "{'call': {'credentials': {'id': 'x'}}}");
        QVERIFY(!malformed);
        QVERIFY2(malformed.error()
                     .details.join(QLatin1Char('\n'))
                     .contains(QLatin1String("Invalid credentials: missing or invalid provider, "
                                             "type")),
                 qPrintable(malformed.error().text()));
    }

    void reviewsDecidedElsewhereResumeWhileOtherBranchesRun()
    {
        // A countdown yields twice, a second apart, into a Human Review node.
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'tick', 'block_id': 'd67a9c52-5e4e-11e2-bcfd-0800200c9a71', "
                 "'input_default': {'seconds': 1, 'repeat': 2, 'input_message': 'payload'}},"
                 " {'id': 'review', 'block_id': '8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d', "
                 "'input_default': {'name': 'Tick'}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'approved'}}],"
                 " 'links': [{'source_id': 'tick', 'source_name': 'output_message', 'sink_id': "
                 "'review', 'sink_name': 'data'},"
                 " {'source_id': 'review', 'source_name': 'approved_data', 'sink_id': 'out', "
                 "'sink_name': 'value'}]}"));
        if (m_executor->threadCount() < 2)
            QSKIP("the review waits while the countdown holds a pool thread: needs two");
        QSignalSpy requested(m_events.get(), &EventBus::reviewRequested);
        QSignalSpy decided(m_events.get(), &EventBus::reviewDecided);
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(graph);
        QVERIFY(id.ok());
        // The first tick waits for a reviewer while the countdown goes on.
        QVERIFY(requested.wait(5000));
        const QString first = requested.first().at(1).toString();
        // A reviewer elsewhere approves it, and the node for the rest of the run.
        ReviewRepository reviews(*m_db);
        ReviewDecision decision;
        decision.status = Model::ReviewStatus::Approved;
        decision.grant = GrantRequest {};
        QVERIFY(reviews.processAllReviewsForExecution(kUser, {{first, decision}}).ok());
        QElapsedTimer clock;
        clock.start();
        while (finished.isEmpty() && clock.elapsed() < 10000)
            finished.wait(100);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Completed);
        // The second tick was approved without asking; the first ran again
        // and took its decision; nothing else was reviewed.
        QCOMPARE(requested.size(), 1);
        QCOMPARE(decided.size(), 1);
        QCOMPARE(decided.first().at(1).toString(), first);
        const auto execution = load(*id);
        QCOMPARE(Model::toJson(execution.outputs.value(QLatin1String("approved"))),
                 json("['payload','payload']"));
        QCOMPARE(executionsOf(execution, QStringLiteral("tick")).size(), 1);
        QCOMPARE(executionsOf(execution, QStringLiteral("review")).size(), 2);
        QVERIFY(reviews.pendingReviewsForExecution(*id, kUser)->isEmpty());
    }

    void yieldsGoOnBeforeTheBlockWaits()
    {
        // A block that yields and then waits (here until it is stopped):
        // what it yielded runs downstream meanwhile.
        useBlock(json("{'id': '5e0517e0-0000-4000-8000-000000000002', 'name': "
                      "'TestYieldThenWaitBlock', 'description': 'Yields, then waits.', "
                      "'categories': ['BASIC'], 'block_type': 'Standard', 'static_output': "
                      "false, 'inputs': [], 'outputs': [{'name': 'early', 'type': 'string'}]}"),
                 [](const Model::ValueMap &, BlockContext &context) -> Result<void> {
                     context.yield(QStringLiteral("early"), QStringLiteral("now"));
                     context.sleep(20000);
                     return {};
                 });
        if (QTest::currentTestFailed())
            return;
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'wait', 'block_id': '5e0517e0-0000-4000-8000-000000000002'},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'early'}},"
                 " {'id': 'keep', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'}],"
                 " 'links': [{'source_id': 'wait', 'source_name': 'early', 'sink_id': 'out', "
                 "'sink_name': 'value'}, {'source_id': 'wait', 'source_name': 'early', "
                 "'sink_id': 'keep', 'sink_name': 'input'}]}"));
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(graph);
        QVERIFY(id.ok());
        // A block that only passes the value on runs on the coordinator: it
        // does not wait for a thread, even while the only one is busy.
        QTRY_COMPARE_WITH_TIMEOUT(executionsOf(load(*id), QStringLiteral("keep")).value(0).status,
                                  ExecutionStatus::Completed, 10000);
        // The value reached the output block, which runs when a thread is
        // free: at once with more threads than one.
        QFETCH_GLOBAL(int, threads);
        const auto out = [&] {
            return executionsOf(load(*id), QStringLiteral("out")).value(0);
        };
        QTRY_COMPARE_WITH_TIMEOUT(
            out().status, threads > 1 ? ExecutionStatus::Completed : ExecutionStatus::Queued,
            10000);
        QCOMPARE(Model::toJson(out().inputData.value(QLatin1String("value"))), json("'now'"));
        QCOMPARE(executionsOf(load(*id), QStringLiteral("wait")).value(0).status,
                 ExecutionStatus::Running);
        m_executor->stop(*id);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Terminated);
        QCOMPARE(Model::toJson(load(*id).outputs.value(QLatin1String("early"))), json("['now']"));
    }

    void sensitiveActionsRunOnlyOnAnApprovedInput()
    {
        usePaymentBlock();
        if (QTest::currentTestFailed())
            return;
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'pay', 'block_id': '5e0517e0-0000-4000-8000-000000000001', "
                 "'input_default': {'recipient': 'bob', 'amount': 5}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'receipt'}}],"
                 " 'links': [{'source_id': 'pay', 'source_name': 'receipt', 'sink_id': 'out', "
                 "'sink_name': 'value'}]}"));
        ReviewRepository reviews(*m_db);
        // The review holds the block's input, always editable; the edited
        // input is what the block runs on.
        const QString approved = startPausedInSafeMode(graph);
        // While it waits, the run is not taken up: a plain resume says why,
        // one after a decision leaves it paused.
        auto early = m_executor->resume(approved);
        QVERIFY(!early.ok());
        QCOMPARE(early.error().code, ErrorCode::Conflict);
        QCOMPARE(early.error().message,
                 QStringLiteral("execution %1 still waits for 1 review(s)").arg(approved));
        auto afterReview = m_executor->resumeAfterReview(approved, kUser);
        QVERIFY(afterReview.ok());
        QVERIFY(!*afterReview);
        QCOMPARE(load(approved).meta.status, ExecutionStatus::Review);
        const auto review = reviews.pendingReviewsForExecution(approved, kUser)->first();
        // The payload keeps the order the inputs were written in.
        QCOMPARE(Model::toJson(review.payload), json("{'recipient':'bob','amount':5}"));
        QVERIFY(review.editable);
        QCOMPARE(review.instructions,
                 QStringLiteral("Review required for TestPaymentBlock execution"));
        ReviewDecision edit;
        edit.data = value("{'recipient': 'bob', 'amount': 7}");
        auto done = decideAndResume(approved, edit);
        QCOMPARE(done.meta.status, ExecutionStatus::Completed);
        QCOMPARE(Model::toJson(done.outputs.value(QLatin1String("receipt"))),
                 json("['paid 7 to bob']"));

        // A rejection fails the node with the reviewer's message.
        ReviewDecision reject;
        reject.status = Model::ReviewStatus::Rejected;
        reject.message = QStringLiteral("not this month");
        done = decideAndResume(startPausedInSafeMode(graph), reject);
        QCOMPARE(done.meta.status, ExecutionStatus::Failed);
        QCOMPARE(done.meta.stats->error,
                 QStringLiteral("Block execution rejected by reviewer: not this month"));

        // An approved input is validated before the block runs.
        ReviewDecision invalid;
        invalid.data = value("{'recipient': 'bob', 'amount': 'lots'}");
        done = decideAndResume(startPausedInSafeMode(graph), invalid);
        QCOMPARE(done.meta.status, ExecutionStatus::Failed);
        QVERIFY2(done.meta.stats->error.contains(QLatin1String("invalid input data")),
                 qPrintable(done.meta.stats->error));
        ReviewDecision notAnObject;
        notAnObject.data = value("[1, 2]");
        done = decideAndResume(startPausedInSafeMode(graph), notAnObject);
        QCOMPARE(done.meta.stats->error,
                 QStringLiteral("The approved input of TestPaymentBlock must be an object"));

        // With the safe mode off it runs at once.
        QCOMPARE(runToEnd(graph).status, ExecutionStatus::Completed);
    }

    void aSensitiveToolApprovedInItsCallIsNotAskedAgain()
    {
        // A decision maker whose model calls the payment as a tool, in the
        // safe mode: the person approves the call, edited, once; the
        // payment's node then runs on the approved arguments without a
        // second review.
        LlmTestServer server;
        const QString graph = paymentAgent(server, 0);
        if (QTest::currentTestFailed())
            return;
        server.script({ScriptedAnswer::calls({{QStringLiteral("call_1"),
                                              QStringLiteral("testpaymentblock"),
                                              QStringLiteral(R"({"amount": 5})")}})});
        const QString id = startPausedInSafeMode(graph);
        ReviewRepository reviews(*m_db);
        const auto waiting = *reviews.pendingReviewsForExecution(id, kUser);
        QCOMPARE(waiting.size(), 1);
        QCOMPARE(waiting.first().nodeId, QStringLiteral("decider"));
        ReviewDecision decision;
        ValueMap edited = waiting.first().payload.toMap();
        ValueList calls = edited.value(QLatin1String("tool_calls")).toArray();
        ValueMap call = calls.first().toMap();
        call.insert(QStringLiteral("arguments"), value("{'amount': 7}"));
        calls[0] = call;
        edited.insert(QStringLiteral("tool_calls"), calls);
        decision.data = edited;
        const auto done = decideAndResume(id, decision);
        QCOMPARE(done.meta.status, ExecutionStatus::Completed);
        const auto paid = executionsOf(done, QStringLiteral("pay"));
        QCOMPARE(paid.size(), 1);
        QCOMPARE(Model::toJson(paid.first().outputData.value(QLatin1String("receipt"))),
                 json("['paid 7 to bob']"));
        // One review in all; the payment ran on a grant for this run and
        // this input only, made by the person who approved the call.
        QStringList ids;
        for (const auto &node : done.nodeExecutions)
            ids.append(node.nodeExecId);
        QCOMPARE(reviews.reviewsByNodeExecIds(ids, kUser)->size(), 1);
        const auto grants = *reviews.grants(kUser);
        QCOMPARE(grants.size(), 1);
        QCOMPARE(grants.first().nodeId, QStringLiteral("pay"));
        QCOMPARE(grants.first().graphExecId, id);
        QCOMPARE(grants.first().payloadDigest,
                 Model::payloadDigest(value("{'recipient': 'bob', 'amount': 7}")));
        QCOMPARE(grants.first().nodeExecId, waiting.first().nodeExecId);
        QVERIFY(server.violations().isEmpty());
    }

    void anAgentsSensitiveToolRunsOnItsCallsApproval()
    {
        // In agent mode the loop pauses at the call, and the payment runs
        // inside the decision maker on the person's approval of the call:
        // not as a node of its own, and without a second review.
        LlmTestServer server;
        const QString graph = paymentAgent(server, 3);
        if (QTest::currentTestFailed())
            return;
        server.script({ScriptedAnswer::calls({{QStringLiteral("call_1"),
                                              QStringLiteral("testpaymentblock"),
                                              QStringLiteral(R"({"amount": 5})")}}),
                       ScriptedAnswer::says(QStringLiteral("Paid."))});
        const QString id = startPausedInSafeMode(graph);
        QCOMPARE(server.requests().size(), 1);
        const auto done = decideAndResume(id, {});
        QCOMPARE(done.meta.status, ExecutionStatus::Completed);
        QVERIFY(executionsOf(done, QStringLiteral("pay")).isEmpty());
        const auto decider = executionsOf(done, QStringLiteral("decider"));
        QCOMPARE(decider.size(), 1);
        QCOMPARE(Model::toJson(decider.first().outputData.value(QLatin1String("finished"))),
                 json("['Paid.']"));
        // The model was asked twice, and its second turn saw the payment.
        QCOMPARE(server.requests().size(), 2);
        const QJsonArray messages = server.requests().last().messages();
        QCOMPARE(messages.last().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("{\"receipt\":[\"paid 5 to bob\"]}"));
        QCOMPARE(ReviewRepository(*m_db).pendingReviewsForExecution(id, kUser)->size(), 0);
        QVERIFY(server.violations().isEmpty());
    }

    void validationListsEveryError()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'calc', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', "
                 "'input_default': {'a': 'x'}},"
                 " {'id': 'get', 'block_id': '262ca24c-1025-43cf-a578-534e23234e97'},"
                 " {'id': 'hitl', 'block_id': '8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d', "
                 "'input_default': {'name': 'n'}}],"
                 " 'links': [{'source_id': 'get', 'source_name': 'nope', 'sink_id': 'calc', "
                 "'sink_name': 'b'}]}"));
        auto started = start(graph);
        QVERIFY(!started.ok());
        QCOMPARE(started.error().code, ErrorCode::BadInput);
        const QStringList details = started.error().details;
        auto has = [&](const QString &text) {
            return std::any_of(details.begin(), details.end(),
                               [&](const QString &line) { return line.contains(text); });
        };
        QVERIFY2(
            has(QStringLiteral("node calc (CalculatorBlock), operation: This field is required")),
            qPrintable(details.join(QLatin1Char('\n'))));
        QVERIFY(has(QStringLiteral("node get (GetListItemBlock), list: This field is required")));
        QVERIFY(has(QStringLiteral("node get (GetListItemBlock), index: This field is required")));
        QVERIFY(has(QStringLiteral("output `nope` invalid")));
        QVERIFY(started.error().message.startsWith(QStringLiteral("Graph validation failed: ")));
        QCOMPARE(*m_executions->countGraphExecutions({}), 0);
    }

    void inputMasksOverrideNodeInputs()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'calc', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', "
                 "'input_default': {'operation': 'Add', 'a': 1, 'b': 2}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'sum'}}],"
                 " 'links': [{'source_id': 'calc', 'source_name': 'result', 'sink_id': 'out', "
                 "'sink_name': 'value'}]}"));
        const Finished run
            = runToEnd(graph, "{}", "{'calc': {'b': 40}, 'out': {'name': 'masked'}}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        QCOMPARE(Model::toJson(load(run.id).outputs), json("{'masked':[41.0]}"));
    }

    void persistedValuesAreReadBackAcrossRuns()
    {
        const QString writer = importGraph(
            json("{'id': 'writer', 'nodes': [{'id': 'in', 'block_id': "
                 "'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', 'input_default': {'name': 'v'}},"
                 " {'id': 'save', 'block_id': '1d055e55-a2b9-4547-8311-907d05b0304d', "
                 "'input_default': {'key': 'greeting', 'scope': 'across_agents'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'save', "
                 "'sink_name': 'value'}]}"));
        QCOMPARE(runToEnd(writer, "{'v': {'text': 'hi', 'n': 2.0}}").status,
                 ExecutionStatus::Completed);
        const QString reader = importGraph(
            json("{'id': 'reader', 'nodes': [{'id': 'get', 'block_id': "
                 "'d8710fc9-6e29-481e-a7d5-165eb16f8471', 'input_default': {'key': 'greeting', "
                 "'scope': 'across_agents', 'default_value': 'none'}},"
                 " {'id': 'local', 'block_id': 'd8710fc9-6e29-481e-a7d5-165eb16f8471', "
                 "'input_default': {'key': 'greeting', 'default_value': 'none'}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'got'}},"
                 " {'id': 'out2', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'local'}}],"
                 " 'links': [{'source_id': 'get', 'source_name': 'value', 'sink_id': 'out', "
                 "'sink_name': 'value'},"
                 " {'source_id': 'local', 'source_name': 'value', 'sink_id': 'out2', 'sink_name': "
                 "'value'}]}"));
        const Finished run = runToEnd(reader);
        QCOMPARE(run.status, ExecutionStatus::Completed);
        // across_agents is shared; within_agent is keyed by the graph, so the reader has none.
        // Two parallel branches: compare per output name, not the key order.
        const Model::ValueMap outputs = load(run.id).outputs;
        QCOMPARE(outputs.size(), 2);
        QCOMPARE(Model::toJson(outputs.value(QLatin1String("got"))),
                 json("[{'text':'hi','n':2.0}]"));
        QCOMPARE(Model::toJson(outputs.value(QLatin1String("local"))), json("['none']"));
    }

    void subGraphsRunAsChildExecutions()
    {
        const QString child = importGraph(
            json("{'id': 'child', 'nodes': [{'id': 'cin', 'block_id': "
                 "'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', 'input_default': {'name': 'text'}},"
                 " {'id': 'shout', 'block_id': 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30', "
                 "'input_default': {'format': '{{ t | upper }}!'}},"
                 " {'id': 'cout', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'shouted'}}],"
                 " 'links': [{'source_id': 'cin', 'source_name': 'result', 'sink_id': 'shout', "
                 "'sink_name': 'values_#_t'},"
                 " {'source_id': 'shout', 'source_name': 'output', 'sink_id': 'cout', 'sink_name': "
                 "'value'}]}"));
        const QString parent = importGraph(
            json("{'id': 'parent', 'nodes': [{'id': 'in', 'block_id': "
                 "'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', 'input_default': {'name': 'name'}},"
                 " {'id': 'agent', 'block_id': 'e189baac-8c20-45a1-94a7-55177ea42565', "
                 "'input_default': {'graph_id': 'child', 'graph_version': 1, 'user_id': '',"
                 "   'inputs': {}, 'input_schema': {'type': 'object', 'properties': {'text': "
                 "{'type': 'string'}}, 'required': ['text']},"
                 "   'output_schema': {'type': 'object', 'properties': {'shouted': {}}}}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'result'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'agent', "
                 "'sink_name': 'text'},"
                 " {'source_id': 'agent', 'source_name': 'shouted', 'sink_id': 'out', 'sink_name': "
                 "'value'}]}"));
        QCOMPARE(child, QStringLiteral("child"));
        const Finished run = runToEnd(parent, "{'name': 'ada'}");
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const auto execution = load(run.id);
        QCOMPARE(Model::toJson(execution.outputs), json("{'result':['ADA!']}"));
        auto children = m_executions->childGraphExecutions(run.id);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), 1);
        QCOMPARE(children->first().graphId, QStringLiteral("child"));
        QCOMPARE(children->first().status, ExecutionStatus::Completed);
        const auto agent = executionsOf(execution, QStringLiteral("agent"));
        QCOMPARE(agent.size(), 1);
        QCOMPARE(agent.first().status, ExecutionStatus::Completed);
        QCOMPARE(agent.first().stats.extra.value(QLatin1String("child_graph_exec_id")).toString(),
                 children->first().id);
    }

    void stoppingAParentStopsItsChildren()
    {
        importGraph(
            json("{'id': 'slow', 'nodes': [{'id': 'wait', 'block_id': "
                 "'d67a9c52-5e4e-11e2-bcfd-0800200c9a71', 'input_default': {'seconds': 60}},"
                 " {'id': 'sout', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'done'}}],"
                 " 'links': [{'source_id': 'wait', 'source_name': 'output_message', 'sink_id': "
                 "'sout', 'sink_name': 'value'}]}"));
        const QString parent = importGraph(
            json("{'id': 'boss', 'nodes': [{'id': 'agent', 'block_id': "
                 "'e189baac-8c20-45a1-94a7-55177ea42565', 'input_default': {'graph_id': 'slow', "
                 "'graph_version': 1,"
                 "   'user_id': '', 'inputs': {}, 'input_schema': {'type': 'object', 'properties': "
                 "{}}, 'output_schema': {'type': 'object', 'properties': {'done': {}}}}}],"
                 " 'links': []}"));
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(parent);
        QVERIFY(id.ok());
        QString childId;
        QTRY_VERIFY(([&] {
            auto children = m_executions->childGraphExecutions(*id);
            if (!children || children->isEmpty())
                return false;
            childId = children->first().id;
            return executionsOf(load(childId), QStringLiteral("wait")).value(0).status
                == ExecutionStatus::Running;
        }()));
        m_executor->stop(*id);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
        QCOMPARE(load(*id).meta.status, ExecutionStatus::Terminated);
        QCOMPARE(load(childId).meta.status, ExecutionStatus::Terminated);
    }

    void closingWhileBlocksUseKeyValueDataDoesNotHang()
    {
        QFETCH_GLOBAL(int, threads);
        // Every item is persisted: a key-value write through the coordinator.
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'items'}},"
                 " {'id': 'step', 'block_id': 'f66a3543-28d3-4ab5-8945-9b336371e2ce'},"
                 " {'id': 'save', 'block_id': '1d055e55-a2b9-4547-8311-907d05b0304d', "
                 "'input_default': {'key': 'k'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'step', "
                 "'sink_name': 'items'},"
                 " {'source_id': 'step', 'source_name': 'item', 'sink_id': 'save', 'sink_name': "
                 "'value'}]}"));
        RunRequest request;
        request.graphId = graph;
        Model::ValueList items;
        for (int i = 0; i < 2000; ++i)
            items.append(i);
        request.inputs.insert(QStringLiteral("items"), items);
        auto id = m_executor->start(request);
        QVERIFY(id.ok());
        QTRY_VERIFY(executionsOf(load(*id), QStringLiteral("save")).size() > threads);
        QElapsedTimer clock;
        clock.start();
        m_executor.reset(); // must return, not deadlock with a waiting worker
        QVERIFY2(clock.elapsed() < 10000, "closing the executor took too long");
    }

    void stopWakesWaitsAndTerminates()
    {
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'wait', 'block_id': 'd67a9c52-5e4e-11e2-bcfd-0800200c9a71', "
                 "'input_default': {'seconds': 30}},"
                 " {'id': 'after', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'}],"
                 " 'links': [{'source_id': 'wait', 'source_name': 'output_message', 'sink_id': "
                 "'after', 'sink_name': 'input'}]}"));
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(graph);
        QVERIFY(id.ok());
        QTRY_VERIFY(executionsOf(load(*id), QStringLiteral("wait")).value(0).status
                    == ExecutionStatus::Running);
        QElapsedTimer clock;
        clock.start();
        m_executor->stop(*id);
        QVERIFY(finished.wait(5000));
        QVERIFY2(clock.elapsed() < 2000, "the countdown did not wake at once");
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Terminated);
        const auto execution = load(*id);
        QCOMPARE(execution.meta.status, ExecutionStatus::Terminated);
        QCOMPARE(executionsOf(execution, QStringLiteral("wait")).first().status,
                 ExecutionStatus::Terminated);
        QVERIFY(executionsOf(execution, QStringLiteral("after")).isEmpty());
    }

    void runnersNameTheProcessThatRunsARun()
    {
        const Runner self = Runner::thisProcess();
        QCOMPARE(Runner::fromText(self.toText()).describe(), self.describe());
        QVERIFY(Runner::fromText(self.toText()).isThisProcess());
        QVERIFY(!Runner::fromText(self.toText()).isAnotherLiveProcess());

        // Another process, while it lives.
        QProcess sleeper;
        sleeper.start(QStringLiteral("sleep"), {QStringLiteral("30")});
        QVERIFY(sleeper.waitForStarted());
        Runner other = self;
        other.pid = sleeper.processId();
#ifdef Q_OS_LINUX
        // Its start is read as this process's was: only the id differs.
        other.started.clear();
        QVERIFY(other.isAnotherLiveProcess());
        other = Runner::fromText(self.toText());
        other.pid = sleeper.processId();
        other.started = self.started.section(QLatin1Char('/'), 0, 0) + QStringLiteral("/1");
        // The same id given to a process that started at another moment.
        QVERIFY(!other.isAnotherLiveProcess());
#endif
        other.started.clear();
        QVERIFY(other.isAnotherLiveProcess());
        sleeper.kill();
        QVERIFY(sleeper.waitForFinished());
        QVERIFY(!other.isAnotherLiveProcess());

        // On another host it cannot be looked at, and counts as running.
        Runner remote = self;
        remote.host = QStringLiteral("elsewhere.invalid");
        QVERIFY(remote.isAnotherLiveProcess());

        // What the store holds is data: anything else names no process.
        for (const char *text : {"", "not json", "[1]", "{\"pid\": -4}", "{\"pid\": \"1\"}"}) {
            const Runner read = Runner::fromText(QString::fromUtf8(text));
            QCOMPARE(read.pid, 0);
            QVERIFY(!read.isAnotherLiveProcess());
            QVERIFY(read.toText().isEmpty());
        }
    }

    void resumeContinuesWithoutRepeatingCompletedWork()
    {
        QFETCH_GLOBAL(int, threads);
        const QString graph = importGraph(
            json("{'nodes': [{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'x'}},"
                 " {'id': 'wait', 'block_id': 'd67a9c52-5e4e-11e2-bcfd-0800200c9a71', "
                 "'input_default': {'seconds': 1}},"
                 " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                 "'input_default': {'name': 'said'}}],"
                 " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'wait', "
                 "'sink_name': 'input_message'},"
                 " {'source_id': 'wait', 'source_name': 'output_message', 'sink_id': 'out', "
                 "'sink_name': 'value'}]}"));
        auto id = start(graph, "{'x': 'hi'}");
        QVERIFY(id.ok());
        QTRY_VERIFY(executionsOf(load(*id), QStringLiteral("wait")).value(0).status
                    == ExecutionStatus::Running);
        // The executor goes away mid-run, leaving the store as a crash would.
        const QString path = m_db->path();
        m_executor.reset();
        QCOMPARE(load(*id).meta.status, ExecutionStatus::Running);

        m_executor = std::make_unique<Executor>(path, m_registry, m_events.get(), threads);
        QVERIFY(m_executor->open().ok());
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        QVERIFY(m_executor->resume(*id).ok());
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Completed);
        const auto execution = load(*id);
        QCOMPARE(Model::toJson(execution.outputs), json("{'said':['hi']}"));
        QCOMPARE(executionsOf(execution, QStringLiteral("in")).size(), 1);
        QCOMPARE(executionsOf(execution, QStringLiteral("wait")).size(), 1);
        QCOMPARE(execution.meta.stats->nodeCount, 3);

        // A finished execution cannot be resumed.
        auto again = m_executor->resume(*id);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }
};

QTEST_GUILESS_MAIN(TestExecutor)
#include "tst_executor.moc"
