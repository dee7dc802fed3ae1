// SPDX-License-Identifier: GPL-3.0-or-later
// AutoGPT's cost rules, and their figures in a real run's stats.
#include "engine/cost.h"
#include "engine/executor/executor.h"
#include "model/graphjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Signalbox::Testing::json;
using Signalbox::Testing::value;

class TestCost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filterMatches_data()
    {
        QTest::addColumn<QByteArray>("filter");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<bool>("matches");
        QTest::newRow("empty filter") << QByteArray("{}") << QByteArray("{'a': 1}") << true;
        QTest::newRow("subset") << QByteArray("{'model': 'gpt'}")
                                << QByteArray("{'model': 'gpt', 'n': 2}") << true;
        QTest::newRow("other value")
            << QByteArray("{'model': 'gpt'}") << QByteArray("{'model': 'llama'}") << false;
        QTest::newRow("missing matches empty")
            << QByteArray("{'key': ''}") << QByteArray("{}") << true;
        QTest::newRow("null matches missing")
            << QByteArray("{'key': null}") << QByteArray("{'key': ''}") << true;
        QTest::newRow("missing does not match a value")
            << QByteArray("{'key': 'x'}") << QByteArray("{}") << false;
        QTest::newRow("nested") << QByteArray("{'creds': {'provider': 'openai'}}")
                                << QByteArray("{'creds': {'provider': 'openai', 'id': '1'}}")
                                << true;
        QTest::newRow("nested other") << QByteArray("{'creds': {'provider': 'openai'}}")
                                      << QByteArray("{'creds': {'provider': 'groq'}}") << false;
        QTest::newRow("scalar equality")
            << QByteArray("{'n': 1}") << QByteArray("{'n': 1.0}") << true;
    }

    void filterMatches()
    {
        QFETCH(QByteArray, filter);
        QFETCH(QByteArray, input);
        QFETCH(bool, matches);
        QCOMPARE(isCostFilterMatch(value(filter.constData()), value(input.constData())), matches);
    }

    void blockUsage()
    {
        auto catalog = Model::BlockCatalog::fromJson(
            json("[{'id': 'b', 'name': 'Costly', 'block_type': 'Standard', 'inputs': [], "
                 "'outputs': [], 'costs': ["
                 " {'cost_type': 'run', 'cost_amount': 7, 'cost_filter': {'mode': 'premium'}},"
                 " {'cost_type': 'second', 'cost_amount': 10},"
                 " {'cost_type': 'byte', 'cost_amount': 2, 'cost_filter': {'never': 'x'}}]}]"),
            QStringLiteral("t"));
        QVERIFY2(catalog.ok(), qPrintable(catalog.error().message));
        const Model::BlockSchema &block = *catalog->schema(QStringLiteral("b"));
        QCOMPARE(block.costs.size(), 3);
        QCOMPARE(blockUsageCost(block, value("{'mode': 'premium'}").toMap(), 100, 2.5).amount, 7);
        // The first matching rule wins: per second, truncated.
        QCOMPARE(blockUsageCost(block, value("{'mode': 'basic'}").toMap(), 100, 2.57).amount, 25);
        auto free = Model::BlockCatalog::fromJson(
            json("[{'id': 'f', 'name': 'Free', 'block_type': 'Standard'}]"), QStringLiteral("t"));
        QCOMPARE(blockUsageCost(*free->schema(QStringLiteral("f")), {}, 1e6, 1e6).amount, 0);
        auto bad
            = Model::BlockCatalog::fromJson(json("[{'id': 'x', 'name': 'X', 'block_type': "
                                                 "'Standard', 'costs': [{'cost_type': 'token'}]}]"),
                                            QStringLiteral("t"));
        QVERIFY(!bad.ok());
    }

    void executionUsage()
    {
        QCOMPARE(executionUsageCost(100, 100, 1), 1);
        QCOMPARE(executionUsageCost(200, 100, 3), 3);
        QCOMPARE(executionUsageCost(99, 100, 1), 0);
        QCOMPARE(executionUsageCost(5, 0, 1), 0);
    }

    void costsAddUpInARun()
    {
        // The built-in catalogue with cost rules on two blocks.
        QFile file(QStringLiteral(":/signalbox/blocks/builtin_blocks.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonArray blocks = QJsonDocument::fromJson(file.readAll()).array();
        for (qsizetype i = 0; i < blocks.size(); ++i) {
            QJsonObject block = blocks.at(i).toObject();
            if (block.value(QLatin1String("name")).toString() == QLatin1String("StoreValueBlock"))
                block.insert(
                    QStringLiteral("costs"),
                    QJsonDocument::fromJson(json("[{'cost_type': 'run', 'cost_amount': 3}]"))
                        .array());
            if (block.value(QLatin1String("name")).toString() == QLatin1String("CalculatorBlock")) {
                block.insert(
                    QStringLiteral("costs"),
                    QJsonDocument::fromJson(json("[{'cost_type': 'run', 'cost_amount': 5, "
                                                 "'cost_filter': {'operation': 'Multiply'}}]"))
                        .array());
            }
            blocks[i] = block;
        }
        auto catalog = Model::BlockCatalog::fromJson(QJsonDocument(blocks).toJson(),
                                                     QStringLiteral("costed"));
        QVERIFY(catalog.ok());
        auto registry = std::make_shared<BlockRegistry>(std::move(*catalog));
        registerBasicBlocks(*registry);
        registerLogicBlocks(*registry);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cost.db"));
        auto db = Database::open(path);
        QVERIFY(db.ok());
        auto graph = Model::graphFromJson(
            json("{'id': 'g', 'nodes': [{'id': 'keep', 'block_id': "
                 "'1ff065e9-88e8-4358-9d82-8dc91f622ba9', 'input_default': {'input': 2}},"
                 " {'id': 'times', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', "
                 "'input_default': {'operation': 'Multiply', 'b': 3}},"
                 " {'id': 'plus', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79', "
                 "'input_default': {'operation': 'Add', 'b': 1}}],"
                 " 'links': [{'source_id': 'keep', 'source_name': 'output', 'sink_id': 'times', "
                 "'sink_name': 'a'},"
                 " {'source_id': 'times', 'source_name': 'result', 'sink_id': 'plus', 'sink_name': "
                 "'a'}]}"),
            QStringLiteral("t"));
        QVERIFY(graph.ok());
        GraphRepository graphs(**db);
        QVERIFY(graphs.saveGraph(*graph, QString(Model::kDefaultUserId)).ok());

        EventBus events;
        Executor executor(path, registry, &events, 2);
        QVERIFY(executor.open().ok());
        QSignalSpy finished(&executor, &Executor::runFinished);
        RunRequest request;
        request.graphId = QStringLiteral("g");
        request.executionCostThreshold = 3; // one more charge at the third node execution
        request.executionCostPerThreshold = 100;
        auto id = executor.start(request);
        QVERIFY(id.ok());
        QVERIFY(finished.wait(10000));

        ExecutionRepository executions(**db, registry.get());
        auto execution = executions.graphExecution(QString(Model::kDefaultUserId), *id, true);
        QVERIFY(execution.ok() && execution->has_value());
        QMap<QString, qint64> nodeCost;
        for (const auto &node : (*execution)->nodeExecutions)
            nodeCost.insert(node.nodeId, node.stats.cost);
        QCOMPARE(nodeCost.value(QStringLiteral("keep")), 3);
        QCOMPARE(nodeCost.value(QStringLiteral("times")), 5); // filter matches Multiply
        QCOMPARE(nodeCost.value(QStringLiteral("plus")), 0); // ... not Add
        QCOMPARE((*execution)->meta.stats->cost, 3 + 5 + 0 + 100);
        QCOMPARE((*execution)->meta.stats->nodeCount, 3);
    }
};

QTEST_GUILESS_MAIN(TestCost)
#include "tst_cost.moc"
