// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/graphjson.h"
#include "model/graphvalidation.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "testsupport.h"

using namespace Signalbox;
using Signalbox::Testing::json;
using namespace Signalbox::Model;

namespace {

QByteArray readFixture(const QString &name)
{
    QFile file(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

QByteArray nested(int depth)
{
    return QByteArray(json("{'nodes': [], 'metadata': ")) + QByteArray(depth, '[')
        + QByteArray(depth, ']') + "}";
}

} // namespace

class TestGraphJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripOfAnAutoGptExport()
    {
        const QByteArray original
            = readFixture(QStringLiteral("autogpt_export_with_subgraph.json"));
        auto graph = graphFromJson(original, QStringLiteral("fixture"));
        QVERIFY2(graph.ok(), qPrintable(graph.error().text()));

        QCOMPARE(graph->version, 2);
        QCOMPARE(graph->nodes.size(), 5);
        QCOMPARE(graph->links.size(), 5);
        QCOMPARE(graph->subGraphs.size(), size_t(1));
        QCOMPARE(graph->subGraphs.front().version, 3);
        QCOMPARE(graph->links.at(0).sinkName, QStringLiteral("values_#_name"));
        QCOMPARE(graph->links.at(1).sinkName, QStringLiteral("values_$_0"));
        QCOMPARE(graph->links.at(4).sinkName, QStringLiteral("description_@_note"));
        QVERIFY(graph->links.at(0).isStatic);
        // Unknown fields are kept, at every level.
        QCOMPARE(graph->extra.value(QLatin1String("instructions")).toString(),
                 QStringLiteral("Give a name."));
        QCOMPARE(graph->nodes.at(0).extra.value(QLatin1String("graph_version")).toInt(), 2);
        QCOMPARE(graph->nodes.at(0).metadata.value(QLatin1String("customized_name")).toString(),
                 QStringLiteral("Name"));

        auto catalog = BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        GraphExportOptions options;
        options.blocks = &*catalog;
        const QJsonObject exported = graphToJsonObject(*graph, options);
        QCOMPARE(exported, QJsonDocument::fromJson(original).object());

        auto again = graphFromJson(graphToJson(*graph, options), QStringLiteral("again"));
        QVERIFY(again.ok());
        QCOMPARE(*again, *graph);
    }

    void writtenInTheLayoutItWasReadIn()
    {
        const QByteArray original
            = readFixture(QStringLiteral("autogpt_export_with_subgraph.json"));
        auto graph = graphFromJson(original, QStringLiteral("fixture"));
        QVERIFY(graph.ok());
        const Value layout = parseTrustedJson(original);
        GraphExportOptions options;
        options.stripSecrets = false;
        options.layout = &layout;
        QCOMPARE(graphToJson(*graph, options), original);

        // A new node takes its siblings' key order; a new key comes last.
        Node added = graph->nodes.first();
        added.id = QStringLiteral("n-new");
        added.metadata.insert(QStringLiteral("zz_new"), 1);
        graph->nodes.append(added);
        const Value written = parseTrustedJson(graphToJson(*graph, options));
        const ValueMap node
            = written.toMap().value(QStringLiteral("nodes")).toArray().last().toMap();
        QStringList keys;
        for (auto it = node.begin(); it != node.end(); ++it)
            keys.append(it.key().toString());
        const ValueMap first
            = layout.toMap().value(QStringLiteral("nodes")).toArray().first().toMap();
        QStringList expected;
        for (auto it = first.begin(); it != first.end(); ++it)
            expected.append(it.key().toString());
        QCOMPARE(keys, expected);
        const ValueMap metadata = node.value(QStringLiteral("metadata")).toMap();
        QCOMPARE((metadata.end() - 1).key().toString(), QStringLiteral("zz_new"));

        // Without a layout: AutoGPT's order, id first.
        QVERIFY(graphToJson(*graph).startsWith("{\n  \"id\": "));
    }

    void javaScriptNumbers_data()
    {
        QTest::addColumn<double>("number");
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("whole") << 40.0 << QByteArray("40");
        QTest::newRow("half") << -120.5 << QByteArray("-120.5");
        QTest::newRow("tenth") << 0.1 << QByteArray("0.1");
        QTest::newRow("small fixed") << 0.000001 << QByteArray("0.000001");
        QTest::newRow("small exponent") << 1.5e-7 << QByteArray("1.5e-7");
        QTest::newRow("large fixed") << 1e20 << QByteArray("100000000000000000000");
        QTest::newRow("large exponent") << 1e21 << QByteArray("1e+21");
        QTest::newRow("digits") << 123456.789 << QByteArray("123456.789");
        QTest::newRow("negative exponent") << -2.5e300 << QByteArray("-2.5e+300");
    }

    void javaScriptNumbers()
    {
        QFETCH(double, number);
        QFETCH(QByteArray, text);
        QCOMPARE(toJson(Value(number), JsonStyle::Indented), text);
    }

    void indentedLayout()
    {
        const Value value = parseTrustedJson(
            Testing::json("{'a': [], 'b': {}, 'c': [1, {'d': 'x\\n'}], 'e': null}"));
        QCOMPARE(toJson(value, JsonStyle::Indented),
                 Testing::json("{\n  'a': [],\n  'b': {},\n  'c': [\n    1,\n    {\n      'd': "
                               "'x\\n'\n    }\n  ],\n  'e': null\n}"));
    }

    void missingIdsAreGenerated()
    {
        auto graph = graphFromJson(json("{'nodes': [{'block_id': 'b'}, {'block_id': 'c'}]}"),
                                   QStringLiteral("t"));
        QVERIFY(graph.ok());
        QCOMPARE(graph->id.size(), 36);
        QVERIFY(graph->nodes.at(0).id != graph->nodes.at(1).id);
        QCOMPARE(graph->version, 1);

        // Links without ids get the same ids each time the file is read.
        const QByteArray linked = json(
            "{'id': 'g', 'nodes': [{'id': 'a', 'block_id': 'b'}, {'id': 'c', 'block_id': 'b'}], "
            "'links': [{'source_id': 'a', 'source_name': 'o', 'sink_id': 'c', 'sink_name': 'i'}, "
            "{'source_id': 'a', 'source_name': 'o', 'sink_id': 'c', 'sink_name': 'j'}]}");
        auto first = graphFromJson(linked, QStringLiteral("t"));
        auto second = graphFromJson(linked, QStringLiteral("t"));
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(first->links.at(0).id.size(), 36);
        QCOMPARE(first->links.at(0).id, second->links.at(0).id);
        QVERIFY(first->links.at(0).id != first->links.at(1).id);
        QVERIFY(first->sameContentAs(*second));
    }

    void secretsAreStripped()
    {
        auto catalog = BlockCatalog::fromJson(
            json("[{'id': 'blk', 'name': 'Keyed', 'block_type': 'Standard',\n"
                 "            'inputs': [{'name': 'key', 'type': 'string', 'secret': true}, "
                 "{'name': 'text', 'type': 'string'}]}]"),
            QStringLiteral("catalog"));
        QVERIFY2(catalog.ok(), qPrintable(catalog.error().text()));
        auto builtin = BlockCatalog::builtin();
        QVERIFY(builtin.ok());

        const QByteArray text = json("{'nodes': [\n"
                                     "            {'id': 'a', 'block_id': 'blk', 'input_default': "
                                     "{'key': 's3cr3t', 'text': 'kept',\n"
                                     "                'credentials': {'id': 'c1', 'provider': "
                                     "'github'}, 'openai_api_key': 'sk-1', 'access_token': 't',\n"
                                     "                'secret': true, 'nested': {'password': 'p', "
                                     "'fine': 1}}, 'webhook_id': 'w1'}\n"
                                     "        ]}");
        auto graph = graphFromJson(text, QStringLiteral("t"));
        QVERIFY(graph.ok());
        GraphExportOptions options;
        options.blocks = &*catalog;
        const QJsonObject node = graphToJsonObject(*graph, options)
                                     .value(QLatin1String("nodes"))
                                     .toArray()
                                     .at(0)
                                     .toObject();
        const QJsonObject input = node.value(QLatin1String("input_default")).toObject();
        QCOMPARE(
            input,
            (QJsonObject {{QStringLiteral("text"), QStringLiteral("kept")},
                          {QStringLiteral("secret"), true},
                          {QStringLiteral("nested"), QJsonObject {{QStringLiteral("fine"), 1}}}}));
        QVERIFY(node.value(QLatin1String("webhook_id")).isNull());

        // Without stripping, everything stays.
        options.stripSecrets = false;
        const QJsonObject raw = graphToJsonObject(*graph, options)
                                    .value(QLatin1String("nodes"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
        QCOMPARE(raw.value(QLatin1String("input_default"))
                     .toObject()
                     .value(QLatin1String("key"))
                     .toString(),
                 QStringLiteral("s3cr3t"));

        // Input blocks marked secret lose their value; others keep it.
        auto inputs = graphFromJson(
            json("{'nodes': [\n"
                 "            {'id': 's', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                 "'input_default': {'name': 'pw', 'value': 'hunter2', 'secret': true}},\n"
                 "            {'id': 'p', 'block_id': '7fcd3bcb-8e1b-4e69-903d-32d3d4a92158', "
                 "'input_default': {'name': 'who', 'value': 'Ada'}}\n"
                 "        ]}"),
            QStringLiteral("t"));
        QVERIFY(inputs.ok());
        GraphExportOptions builtinOptions;
        builtinOptions.blocks = &*builtin;
        const QJsonArray nodes
            = graphToJsonObject(*inputs, builtinOptions).value(QLatin1String("nodes")).toArray();
        QVERIFY(!nodes.at(0)
                     .toObject()
                     .value(QLatin1String("input_default"))
                     .toObject()
                     .contains(QLatin1String("value")));
        QCOMPARE(nodes.at(1)
                     .toObject()
                     .value(QLatin1String("input_default"))
                     .toObject()
                     .value(QLatin1String("value"))
                     .toString(),
                 QStringLiteral("Ada"));
    }

    void credentialHeadersAreStripped()
    {
        // SendWebRequestBlock's headers typed in by hand.
        auto graph = graphFromJson(
            json("{'nodes': [{'id': 'w', 'block_id': '6595ae1f-b924-42cb-9a41-551a0611c4b4', "
                 "'input_default': {'url': 'https://api.example', 'headers': {'Authorization': "
                 "'Bearer tok', 'Proxy-Authorization': 'Basic x', 'Cookie': 'sid=1', "
                 "'X-Api-Key': 'k1', 'Api-Key': 'k2', 'apikey': 'k3', 'Accept': "
                 "'application/json'}}}]}"),
            QStringLiteral("t"));
        QVERIFY2(graph.ok(), qPrintable(graph.error().text()));
        auto builtin = BlockCatalog::builtin();
        QVERIFY(builtin.ok());
        GraphExportOptions options;
        options.blocks = &*builtin;
        const QJsonObject input = graphToJsonObject(*graph, options)
                                      .value(QLatin1String("nodes"))
                                      .toArray()
                                      .at(0)
                                      .toObject()
                                      .value(QLatin1String("input_default"))
                                      .toObject();
        QCOMPARE(input.value(QLatin1String("headers")).toObject(),
                 (QJsonObject {{QStringLiteral("Accept"), QStringLiteral("application/json")}}));
        QCOMPARE(input.value(QLatin1String("url")).toString(), QStringLiteral("https://api.example"));
    }

    void everyStructuralProblemIsListed()
    {
        const QByteArray text
            = json("{'id': 7, 'version': 0, 'nodes': [\n"
                   "            {'id': 'a', 'block_id': 'x'},\n"
                   "            {'id': 'a', 'block_id': 'y'},\n"
                   "            {'id': 'b', 'input_default': 'text'},\n"
                   "            42\n"
                   "        ], 'links': [\n"
                   "            {'source_id': 'a', 'source_name': 'out', 'sink_id': 'ghost', "
                   "'sink_name': 'in'},\n"
                   "            {'source_id': 'nowhere', 'source_name': 'out', 'sink_id': 'b'}\n"
                   "        ]}");
        auto graph = graphFromJson(text, QStringLiteral("bad.json"));
        QVERIFY(!graph.ok());
        QCOMPARE(graph.error().code, ErrorCode::BadInput);
        QCOMPARE(graph.error().message,
                 QStringLiteral("bad.json: the graph is invalid (9 problems)"));
        const QStringList expected = {
            QStringLiteral("\"id\" must be a string, not a number"),
            QStringLiteral("\"version\" must be a whole number of at least 1"),
            QStringLiteral("nodes[1]: duplicate node id \"a\""),
            QStringLiteral("nodes[2]: \"block_id\" is missing"),
            QStringLiteral("nodes[2]: \"input_default\" must be an object, not a string"),
            QStringLiteral("nodes[3]: must be an object, not a number"),
            QStringLiteral("links[0]: links to node \"ghost\", which is not in the graph"),
            QStringLiteral("links[1]: \"sink_name\" is missing"),
            QStringLiteral("links[1]: links from node \"nowhere\", which is not in the graph"),
        };
        QCOMPARE(graph.error().details, expected);
    }

    void unknownBlocksAreNamed()
    {
        auto graph = graphFromJson(
            json("{'nodes': [{'id': 'n1', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b'},\n"
                 "            {'id': 'n2', 'block_id': 'no-such-block'}],\n"
                 "            'sub_graphs': [{'nodes': [{'id': 's1', 'block_id': "
                 "'also-missing'}]}]}"),
            QStringLiteral("t"));
        QVERIFY(graph.ok());
        auto catalog = BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        QCOMPARE(unknownBlockProblems(*graph, *catalog),
                 (QStringList {
                     QStringLiteral("nodes[1] (node n2): unknown block \"no-such-block\""),
                     QStringLiteral(
                         "sub_graphs[0].nodes[0] (node s1): unknown block \"also-missing\"")}));
    }

    void malformedFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");

        const QByteArray fixture = readFixture(QStringLiteral("autogpt_export_with_subgraph.json"));
        QTest::newRow("truncated") << fixture.left(fixture.lastIndexOf(',') + 1)
                                   << QStringLiteral("unexpected end of input in an object");
        QTest::newRow("cut in a string")
            << fixture.left(fixture.indexOf("Greet loudly") + 5)
            << QStringLiteral("line 5, column 11: unterminated string");
        QTest::newRow("not json") << QByteArray("graph: []")
                                  << QStringLiteral("line 1, column 1: unexpected character 'g'");
        QTest::newRow("array at top")
            << QByteArray("[]") << QStringLiteral("holds one JSON object, not an array");
        QTest::newRow("nodes is a string")
            << QByteArray(json("{'nodes': 'many'}"))
            << QStringLiteral("\"nodes\" must be an array, not a string");
        QTest::newRow("links is an object")
            << QByteArray(json("{'links': {}}"))
            << QStringLiteral("\"links\" must be an array, not an object");
        QTest::newRow("node id is a number")
            << QByteArray(json("{'nodes': [{'id': 5, 'block_id': 'b'}]}"))
            << QStringLiteral("nodes[0]: \"id\" must be a string, not a number");
        QTest::newRow("is_static is a string")
            << QByteArray(json(
                   "{'nodes': [{'id': 'a', 'block_id': 'b'}], 'links': [{'source_id': 'a', "
                   "'source_name': 'o', 'sink_id': 'a', 'sink_name': 'i', 'is_static': 'yes'}]}"))
            << QStringLiteral("links[0]: \"is_static\" must be a boolean, not a string");
        QTest::newRow("sub_graphs is a number")
            << QByteArray(json("{'sub_graphs': 3}"))
            << QStringLiteral("\"sub_graphs\" must be an array, not a number");
        QTest::newRow("nested sub_graphs")
            << QByteArray(json("{'sub_graphs': [{'sub_graphs': [{}]}]}"))
            << QStringLiteral("sub_graphs[0]: a sub-graph cannot have sub-graphs");
        QTest::newRow("duplicate key")
            << QByteArray("{\"name\": \"a\",\n\"name\": \"b\"}")
            << QStringLiteral("line 2, column 1: duplicate key \"name\"");
        QTest::newRow("10000-deep nesting")
            << nested(10000) << QStringLiteral("nesting is deeper than 64 levels");
        QByteArray huge = json("{'name': '");
        huge.append(QByteArray(50 * 1000 * 1000, 'x'));
        huge.append("\"}");
        QTest::newRow("50 MB string")
            << huge << QStringLiteral("bytes is more than the limit of 33554432 bytes");
        QByteArray longString = json("{'name': '");
        longString.append(QByteArray(17 * 1024 * 1024, 'y'));
        longString.append("\"}");
        QTest::newRow("17 MiB string")
            << longString
            << QStringLiteral("line 1, column 10: string is longer than 16777216 bytes");
        QTest::newRow("invalid utf-8 escape")
            << QByteArray(json("{'name': '\\uZZZZ'}")) << QStringLiteral("invalid \\u escape");
    }

    void malformedFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto graph = graphFromJson(json, QStringLiteral("input.sbx.json"));
        QVERIFY(!graph.ok());
        QCOMPARE(graph.error().code, ErrorCode::BadInput);
        const QString text = graph.error().text();
        QVERIFY2(text.startsWith(QLatin1String("input.sbx.json")), qPrintable(text));
        QVERIFY2(text.contains(expected), qPrintable(text));
    }

    void nestingWithinTheLimitIsAccepted()
    {
        // 1 level for the graph object and 60 for the unknown field's arrays.
        auto graph = graphFromJson(nested(60), QStringLiteral("t"));
        QVERIFY2(graph.ok(), qPrintable(graph.error().text()));
        QCOMPARE(jsonDepth(graph->extra.value(QLatin1String("metadata"))), 60);
    }

    void nodeAndLinkLimits()
    {
        GraphLimits limits;
        limits.maxNodes = 2;
        auto graph = graphFromJson(
            json("{'nodes': [{'block_id': 'a'}, {'block_id': 'a'}, {'block_id': 'a'}]}"),
            QStringLiteral("t"), limits);
        QVERIFY(!graph.ok());
        QCOMPARE(graph.error().details,
                 QStringList {QStringLiteral("3 nodes is more than the limit of 2")});
    }
};

QTEST_GUILESS_MAIN(TestGraphJson)
#include "tst_graphjson.moc"
