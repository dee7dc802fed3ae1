// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/graphjson.h"
#include "model/linkrules.h"

#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Model;
using Signalbox::Testing::json;

class TestLinkRules : public QObject
{
    Q_OBJECT

private:
    BlockCatalog m_catalog;
    Graph m_graph;

private Q_SLOTS:
    void initTestCase()
    {
        auto catalog = BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        m_catalog = *catalog;
        // store (any), calc (number), list (CreateList), dict (CreateDictionary),
        // input (AgentInput), and one link store.output -> calc.a.
        auto graph = graphFromJson(
            json("{'nodes': ["
                 "{'id': 'store', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'},"
                 "{'id': 'other', 'block_id': '1ff065e9-88e8-4358-9d82-8dc91f622ba9'},"
                 "{'id': 'calc', 'block_id': 'b1ab9b19-67a6-406d-abf5-2dba76d00c79'},"
                 "{'id': 'list', 'block_id': 'a912d5c7-6e00-4542-b2a9-8034136930e4'},"
                 "{'id': 'dict', 'block_id': 'b924ddf4-de4f-4b56-9a85-358930dcbc91'},"
                 "{'id': 'text', 'block_id': 'db7d8f02-2f44-4c55-ab7a-eae0941f0c30'}],"
                 " 'links': [{'source_id': 'store', 'source_name': 'output', 'sink_id': 'calc', "
                 "'sink_name': 'a'}, {'source_id': 'store', 'source_name': 'output', "
                 "'sink_id': 'list', 'sink_name': 'values'}]}"),
            QStringLiteral("graph"));
        QVERIFY2(graph.ok(), qPrintable(graph.ok() ? QString() : graph.error().text()));
        m_graph = *graph;
    }

    void pinTypes_data()
    {
        QTest::addColumn<PinType>("from");
        QTest::addColumn<PinType>("to");
        QTest::addColumn<QString>("problem");
        QTest::newRow("same") << PinType::List << PinType::List << QString();
        QTest::newRow("any out") << PinType::Any << PinType::Number << QString();
        QTest::newRow("any in") << PinType::Object << PinType::Any << QString();
        QTest::newRow("to text") << PinType::Object << PinType::String << QString();
        QTest::newRow("number to integer") << PinType::Number << PinType::Integer << QString();
        QTest::newRow("text to number") << PinType::String << PinType::Number << QString();
        QTest::newRow("scalar to list") << PinType::Integer << PinType::List << QString();
        QTest::newRow("list to object") << PinType::List << PinType::Object << QString();
        QTest::newRow("list to number")
            << PinType::List << PinType::Number
            << QStringLiteral("a list output cannot feed a number input: it would arrive as its "
                              "length");
        QTest::newRow("object to boolean")
            << PinType::Object << PinType::Boolean
            << QStringLiteral("an object output cannot feed a boolean input: it would arrive as "
                              "true or false");
        QTest::newRow("boolean to object")
            << PinType::Boolean << PinType::Object
            << QStringLiteral("a boolean output cannot feed an object input: it would arrive "
                              "wrapped as {\"value\": ...}");
        QTest::newRow("credentials")
            << PinType::String << PinType::Credentials
            << QStringLiteral("credentials are chosen on the node, not passed along links");
    }

    void pinTypes()
    {
        QFETCH(PinType, from);
        QFETCH(PinType, to);
        QFETCH(QString, problem);
        QCOMPARE(pinTypeProblem(from, to), problem);
    }

    void links_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("sourcePin");
        QTest::addColumn<QString>("sink");
        QTest::addColumn<QString>("sinkPin");
        QTest::addColumn<QString>("problem");
        QTest::newRow("fine") << "store"
                              << "output"
                              << "other"
                              << "input" << QString();
        QTest::newRow("dynamic entry") << "calc"
                                       << "result"
                                       << "dict"
                                       << "values_#_x" << QString();
        QTest::newRow("self") << "store"
                              << "output"
                              << "store"
                              << "input"
                              << "a node cannot feed its own input";
        QTest::newRow("missing node") << "store"
                                      << "output"
                                      << "nowhere"
                                      << "input"
                                      << "both ends of a link must be nodes of this graph";
        QTest::newRow("no such output") << "store"
                                        << "nope"
                                        << "other"
                                        << "input"
                                        << "Store Value has no output \"nope\"";
        QTest::newRow("no such input") << "store"
                                       << "output"
                                       << "other"
                                       << "nope"
                                       << "Store Value has no input \"nope\"";
        QTest::newRow("taken") << "other"
                               << "output"
                               << "calc"
                               << "a"
                               << "input \"a\" of Calculator is linked already";
        QTest::newRow("twice") << "store"
                               << "output"
                               << "calc"
                               << "a"
                               << "these pins are linked already";
        QTest::newRow("type") << "list"
                              << "list"
                              << "calc"
                              << "b"
                              << "a list output cannot feed a number input";
    }

    void links()
    {
        QFETCH(QString, source);
        QFETCH(QString, sourcePin);
        QFETCH(QString, sink);
        QFETCH(QString, sinkPin);
        QFETCH(QString, problem);
        Link link;
        link.sourceId = source;
        link.sourceName = sourcePin;
        link.sinkId = sink;
        link.sinkName = sinkPin;
        const QString found = linkProblem(m_graph, m_catalog, link);
        if (problem.isEmpty())
            QCOMPARE(found, QString());
        else
            QVERIFY2(found.contains(problem), qPrintable(found));
    }

    void dynamicInputsTakeOneLinkPerEntry()
    {
        // A list pin already linked: the next link fills item 0, then 1.
        QCOMPARE(sinkPinForNewLink(m_graph, m_catalog, QStringLiteral("list"),
                                   QStringLiteral("values"), QStringLiteral("output")),
                 QStringLiteral("values_$_0"));
        Graph graph = m_graph;
        Link entry;
        entry.sourceId = QStringLiteral("other");
        entry.sourceName = QStringLiteral("output");
        entry.sinkId = QStringLiteral("list");
        entry.sinkName = QStringLiteral("values_$_0");
        graph.links.append(entry);
        QCOMPARE(sinkPinForNewLink(graph, m_catalog, QStringLiteral("list"),
                                   QStringLiteral("values"), QStringLiteral("output")),
                 QStringLiteral("values_$_1"));
        // A free pin is used as it is; an object pin names its entry after
        // the source pin.
        QCOMPARE(sinkPinForNewLink(graph, m_catalog, QStringLiteral("dict"),
                                   QStringLiteral("values"), QStringLiteral("output")),
                 QStringLiteral("values"));
        Link whole;
        whole.sourceId = QStringLiteral("other");
        whole.sourceName = QStringLiteral("output");
        whole.sinkId = QStringLiteral("dict");
        whole.sinkName = QStringLiteral("values");
        graph.links.append(whole);
        QCOMPARE(sinkPinForNewLink(graph, m_catalog, QStringLiteral("dict"),
                                   QStringLiteral("values"), QStringLiteral("result")),
                 QStringLiteral("values_#_result"));
        // A plain pin stays itself, taken or not: linkProblem refuses it.
        QCOMPARE(sinkPinForNewLink(graph, m_catalog, QStringLiteral("calc"), QStringLiteral("a"),
                                   QStringLiteral("output")),
                 QStringLiteral("a"));
    }
};

QTEST_GUILESS_MAIN(TestLinkRules)
#include "tst_linkrules.moc"
