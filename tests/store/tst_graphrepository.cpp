// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/store/database.h"
#include "engine/store/graphrepository.h"
#include "model/graphjson.h"

#include "storefixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;

class TestGraphRepository : public QObject
{
    Q_OBJECT

private:
    TestStore m_store;
    std::unique_ptr<Database> m_db;

private Q_SLOTS:
    void initTestCase() { SIGNALBOX_START_OR_SKIP(m_store); }

    void init()
    {
        auto db = Database::open(m_store.newLocation(QStringLiteral("graphs")));
        QVERIFY2(db.ok(), qPrintable(db.error().message));
        m_db = std::move(*db);
    }
    void cleanup() { m_db.reset(); }

    void savingAChangedGraphMakesANewVersion()
    {
        GraphRepository graphs(*m_db);
        auto first = graphs.saveGraph(smallGraph(), userId());
        QVERIFY(first.ok());
        QCOMPARE(first->version, 1);
        QVERIFY(first->created);

        auto same = graphs.saveGraph(smallGraph(), userId());
        QVERIFY(same.ok());
        QCOMPARE(same->version, 1);
        QVERIFY(!same->created);

        Model::Graph changed = smallGraph();
        changed.nodes[1].inputDefault.insert(QStringLiteral("format"),
                                             QStringLiteral("Hello {{who}}"));
        auto second = graphs.saveGraph(changed, userId());
        QVERIFY(second.ok());
        QCOMPARE(second->version, 2);

        auto versions = graphs.versions(QStringLiteral("g-small"));
        QVERIFY(versions.ok());
        QCOMPARE(versions->size(), 2);
        QVERIFY(!versions->at(0).isActive);
        QVERIFY(versions->at(1).isActive);
        QCOMPARE(versions->at(1).nodeCount, 3);
        QCOMPARE(versions->at(1).linkCount, 2);

        auto old = graphs.graph(QStringLiteral("g-small"), 1);
        QVERIFY(old.ok());
        QCOMPARE(old->nodes.at(1).inputDefault.value(QLatin1String("format")).toString(),
                 QStringLiteral("Hi {{who}}"));
        auto latest = graphs.graph(QStringLiteral("g-small"));
        QVERIFY(latest.ok());
        QCOMPARE(latest->version, 2);
        QVERIFY(latest->sameContentAs(changed));

        auto list = graphs.listGraphs();
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().version, 2);
    }

    void aGraphComesBackAsItWasSaved()
    {
        GraphRepository graphs(*m_db);
        Model::Graph graph = smallGraph();
        graph.description = QStringLiteral("with extras");
        graph.extra.insert(QStringLiteral("instructions"), QStringLiteral("do it"));
        graph.nodes[0].metadata.insert(QStringLiteral("position"),
                                       Model::fromQJson(QJsonObject {{QStringLiteral("x"), 1.5},
                                                                     {QStringLiteral("y"), -2}}));
        // Keys stay in the order they were written.
        graph.nodes[0].inputDefault.insert(QStringLiteral("zeta"), 1);
        graph.nodes[0].inputDefault.insert(QStringLiteral("alpha"), 2.0);
        graph.nodes[0].extra.insert(QStringLiteral("webhook_id"), QJsonValue());
        graph.links[0].extra.insert(QStringLiteral("note"), QStringLiteral("kept"));
        QVERIFY(graphs.saveGraph(graph, userId()).ok());
        auto loaded = graphs.graph(graph.id, 1);
        QVERIFY(loaded.ok());
        QCOMPARE(*loaded, graph);
    }

    void subGraphsAreStoredAndExportedWithTheirParent()
    {
        QFile file(
            QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/autogpt_export_with_subgraph.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray original = file.readAll();
        auto graph = Model::graphFromJson(original, file.fileName());
        QVERIFY(graph.ok());

        GraphRepository graphs(*m_db);
        auto saved = graphs.saveGraph(*graph, userId());
        QVERIFY2(saved.ok(), qPrintable(saved.error().message));
        QCOMPARE(saved->version, 2);
        QCOMPARE(saved->subGraphs.size(), 1);
        QCOMPARE(saved->subGraphs.first().version, 3);

        auto sub = graphs.graph(graph->subGraphs.front().id);
        QVERIFY(sub.ok());
        QCOMPARE(sub->name, QStringLiteral("Shout"));

        auto loaded = graphs.graph(graph->id, std::nullopt, true);
        QVERIFY(loaded.ok());
        QCOMPARE(*loaded, *graph);
        auto catalog = Model::BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        Model::GraphExportOptions options;
        options.blocks = &*catalog;
        QCOMPARE(Model::graphToJsonObject(*loaded, options),
                 QJsonDocument::fromJson(original).object());

        auto withoutSubGraphs = graphs.graph(graph->id);
        QVERIFY(withoutSubGraphs.ok());
        QVERIFY(withoutSubGraphs->subGraphs.empty());
        // Importing the same file again stores nothing new.
        auto again = graphs.saveGraph(*graph, userId());
        QVERIFY(again.ok());
        QVERIFY(!again->created);
        QVERIFY(!again->subGraphs.first().created);
    }

    void missingGraphsAreNotFound()
    {
        GraphRepository graphs(*m_db);
        auto none = graphs.graph(QStringLiteral("nope"));
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::NotFound);
        QCOMPARE(none.error().message, QStringLiteral("there is no graph nope"));
        QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
        auto noVersion = graphs.graph(QStringLiteral("g-small"), 7);
        QVERIFY(!noVersion.ok());
        QCOMPARE(noVersion.error().message, QStringLiteral("graph g-small has no version 7"));
    }

    void aFailedSaveLeavesNothing()
    {
        GraphRepository graphs(*m_db);
        Model::Graph graph = smallGraph();
        graph.nodes.append(graph.nodes.first()); // duplicate node id: the insert fails
        auto saved = graphs.saveGraph(graph, userId());
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, ErrorCode::Storage);
        auto list = graphs.listGraphs();
        QVERIFY(list.ok());
        QVERIFY(list->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestGraphRepository)
#include "tst_graphrepository.moc"
