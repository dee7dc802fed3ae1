// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzing from a fixed seed: mutated graph files through parsing and
// validation, random graphs run by the executor within a small budget, and
// random inputs for every block that neither waits nor reaches the network.
// Nothing may crash or hang; every failure is a Result. A crash fails the
// suite; in the sanitizer build (SIGNALBOX_SANITIZE) so does any finding.
//
// SIGNALBOX_FUZZ_SEED sets the seed, SIGNALBOX_FUZZ_SCALE multiplies the
// number of cases (for long runs: SIGNALBOX_FUZZ_SCALE=100).
#include "engine/blocks/blockids.h"
#include "engine/blocks/standalonerun.h"
#include "engine/executor/executor.h"
#include "model/graphjson.h"
#include "model/graphvalidation.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Signalbox;
using namespace Signalbox::Engine;

namespace {

int scale()
{
    const int value = qEnvironmentVariableIntValue("SIGNALBOX_FUZZ_SCALE");
    return value > 0 ? value : 1;
}

quint32 seed()
{
    bool ok = false;
    const quint32 value = qEnvironmentVariable("SIGNALBOX_FUZZ_SEED").toUInt(&ok);
    return ok ? value : 20261202u;
}

// Blocks that sleep, call the network, pause for a person or run graphs:
// their inputs are fuzzed through graphs only.
const QStringList kWaitingBlocks {
    QStringLiteral("d67a9c52-5e4e-11e2-bcfd-0800200c9a71"), // CountdownTimer
    QStringLiteral("6595ae1f-b924-42cb-9a41-551a0611c4b4"), // SendWebRequest
    QStringLiteral("fff86bcd-e001-4bad-a7f6-2eae4720c8dc"), // SendAuthenticatedWebRequest
    QString(BlockIds::AgentExecutor),
    QString(BlockIds::HumanInTheLoop),
};

class Fuzzer
{
public:
    explicit Fuzzer(quint32 seed)
        : m_random(seed)
    { }

    int below(int n) { return int(m_random.bounded(quint32(qMax(1, n)))); }
    bool chance(int percent) { return below(100) < percent; }

    QString hostileString()
    {
        static const QStringList pool {
            QString(),
            QStringLiteral("\x01safe\x01<script>alert(1)</script>"),
            QStringLiteral("{{ 7 * 7 }}{% for x in y %}"),
            QStringLiteral("'; DROP TABLE graph_executions; --"),
            QStringLiteral("\u202e\u0000\uffff\U0001F600"),
            QStringLiteral("%s%n%x"),
            QStringLiteral("../../../../etc/passwd"),
            QStringLiteral("file:///etc/shadow"),
            QStringLiteral("http://169.254.169.254/latest"),
            QStringLiteral("9223372036854775808"),
            QStringLiteral("-0.0"),
            QStringLiteral("NaN"),
            QStringLiteral("values_#_key"),
            QStringLiteral("items_$_-1"),
            QStringLiteral("1e999"),
        };
        if (chance(20))
            return QString(below(5000), QChar(u'a' + below(26)));
        return pool.at(below(int(pool.size())));
    }

    Model::Value randomValue(int depth = 0)
    {
        switch (below(depth > 3 ? 6 : 8)) {
        case 0:
            return Model::Value(nullptr);
        case 1:
            return Model::Value(chance(50));
        case 2: {
            static const qint64 edges[] = {0,  -1, 1, std::numeric_limits<qint64>::max(),
                                           std::numeric_limits<qint64>::min(), 1000000007};
            return Model::Value(chance(50) ? edges[below(6)] : qint64(m_random.generate64()));
        }
        case 3: {
            static const double edges[] = {0.5, -0.0, 1e308, -1e-308,
                                           std::numeric_limits<double>::infinity(),
                                           std::numeric_limits<double>::quiet_NaN()};
            return Model::Value(edges[below(6)]);
        }
        case 4:
        case 5:
            return Model::Value(hostileString());
        case 6: {
            Model::ValueList list;
            const int n = below(6);
            for (int i = 0; i < n; ++i)
                list.append(randomValue(depth + 1));
            return list;
        }
        default: {
            Model::ValueMap map;
            const int n = below(6);
            for (int i = 0; i < n; ++i)
                map.insert(hostileString(), randomValue(depth + 1));
            return map;
        }
        }
    }

    // A value of the pin's type most of the time, anything otherwise.
    Model::Value valueFor(const Model::PinSpec &pin)
    {
        if (chance(15))
            return randomValue();
        switch (pin.type) {
        case Model::PinType::String:
            if (!pin.enumValues.isEmpty() && chance(50))
                return Model::Value(pin.enumValues.at(below(int(pin.enumValues.size()))));
            return Model::Value(hostileString());
        case Model::PinType::Integer:
            return Model::Value(qint64(below(2000) - 1000));
        case Model::PinType::Number:
            return Model::Value(double(below(2000) - 1000) / 7);
        case Model::PinType::Boolean:
            return Model::Value(chance(50));
        default:
            return randomValue();
        }
    }

    // Half the time a change to the JSON tree (a value, a field, a link
    // gone or made up), else to the bytes.
    QByteArray mutate(const QByteArray &data)
    {
        if (chance(50))
            return mutateBytes(data);
        QJsonObject graph = QJsonDocument::fromJson(data).object();
        QJsonArray nodes = graph.value(QLatin1String("nodes")).toArray();
        QJsonArray links = graph.value(QLatin1String("links")).toArray();
        const int steps = 1 + below(4);
        for (int i = 0; i < steps && !nodes.isEmpty(); ++i) {
            const int at = below(int(nodes.size()));
            QJsonObject node = nodes.at(at).toObject();
            QJsonObject input = node.value(QLatin1String("input_default")).toObject();
            switch (below(6)) {
            case 0:
                input.insert(input.isEmpty() || chance(30) ? hostileString()
                                                           : input.keys().at(below(int(input.size()))),
                             Model::toQJson(randomValue()));
                break;
            case 1:
                node.insert(QStringLiteral("metadata"), Model::toQJson(randomValue()));
                break;
            case 2:
                nodes.removeAt(at);
                continue;
            case 3:
                if (!links.isEmpty())
                    links.removeAt(below(int(links.size())));
                break;
            case 4:
                links.append(QJsonObject {
                    {QStringLiteral("source_id"), nodes.at(below(int(nodes.size()))).toObject().value(QLatin1String("id"))},
                    {QStringLiteral("source_name"), chance(50) ? QStringLiteral("result") : hostileString()},
                    {QStringLiteral("sink_id"), nodes.at(below(int(nodes.size()))).toObject().value(QLatin1String("id"))},
                    {QStringLiteral("sink_name"), chance(50) ? QStringLiteral("value") : hostileString()},
                    {QStringLiteral("is_static"), chance(50)}});
                break;
            default:
                node.insert(QStringLiteral("block_id"), chance(50) ? hostileString()
                                                                   : QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9"));
                break;
            }
            node.insert(QStringLiteral("input_default"), input);
            nodes[at] = node;
        }
        graph.insert(QStringLiteral("nodes"), nodes);
        graph.insert(QStringLiteral("links"), links);
        return QJsonDocument(graph).toJson();
    }

    QByteArray mutateBytes(QByteArray data)
    {
        const int steps = 1 + below(3);
        for (int i = 0; i < steps && !data.isEmpty(); ++i) {
            const int at = below(int(data.size()));
            switch (below(7)) {
            case 0: // flip a bit
                data[at] = char(data.at(at) ^ (1 << below(8)));
                break;
            case 1: // cut
                data.truncate(at);
                break;
            case 2: // repeat a slice
                data.insert(at, data.mid(below(int(data.size())), below(200)));
                break;
            case 3: // a structural character
                data.insert(at, "{}[],:\"\\0-e"[below(12)]);
                break;
            case 4: // deep nesting
                data.insert(at, QByteArray(below(300), '['));
                break;
            case 5: // a number at the edge
                data.insert(at, QByteArrayList {"1e400", "-9223372036854775809", "0.0000001e-400",
                                                "18446744073709551616"}
                                    .at(below(4)));
                break;
            default: // remove a slice
                data.remove(at, below(100));
                break;
            }
        }
        return data;
    }

private:
    QRandomGenerator m_random;
};

QList<QByteArray> seedGraphs()
{
    QList<QByteArray> graphs;
    QStringList files {QStringLiteral(SIGNALBOX_SOURCE_DIR
                                      "/resources/examples/review-a-greeting.sbx.json")};
    const QDir data(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs"));
    for (const QString &name : data.entryList(QDir::Files))
        files.append(data.filePath(name));
    for (const QString &path : std::as_const(files)) {
        QFile file(path);
        if (file.open(QIODevice::ReadOnly))
            graphs.append(file.readAll());
    }
    return graphs;
}

} // namespace

class TestFuzz : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const BlockRegistry> m_registry;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        auto registry = BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
        qInfo("seed %u, scale %d", seed(), scale());
    }

    void mutatedGraphFilesAreRefusedOrValidated()
    {
        const QList<QByteArray> seeds = seedGraphs();
        QVERIFY(seeds.size() >= 3);
        Fuzzer fuzzer(seed());
        const int cases = 400 * scale();
        int parsed = 0;
        int validated = 0;
        for (int i = 0; i < cases; ++i) {
            const QByteArray data = fuzzer.mutate(seeds.at(fuzzer.below(int(seeds.size()))));
            auto graph = Model::graphFromJson(data, QStringLiteral("case %1").arg(i));
            if (!graph) {
                // Every refusal says where and why.
                QVERIFY2(!graph.error().text().isEmpty(), qPrintable(QString::number(i)));
                continue;
            }
            ++parsed;
            if (!Model::unknownBlockProblems(*graph, *m_registry).isEmpty())
                continue;
            const GraphSnapshot snapshot(*graph, m_registry);
            const RunCheck check = validateGraphForRun(snapshot, {});
            Q_UNUSED(check);
            ++validated;
            // What was read writes back and reads again the same.
            const QByteArray written = Model::graphToJson(*graph);
            auto again = Model::graphFromJson(written, QStringLiteral("round trip %1").arg(i));
            QVERIFY2(again.ok(), qPrintable(again.ok() ? QString() : again.error().text()));
        }
        qInfo("%d mutated graph files: %d parsed, %d validated", cases, parsed, validated);
        QVERIFY(parsed > 0);
    }

    void everyBlockSurvivesHostileInputs()
    {
        Fuzzer fuzzer(seed() + 1);
        const int rounds = 6 * scale();
        int cases = 0;
        int failed = 0;
        for (int round = 0; round < rounds; ++round) {
            for (const Model::BlockSchema &block : m_registry->blocks()) {
                if (kWaitingBlocks.contains(block.id) || !m_registry->implementation(block.id))
                    continue;
                Model::ValueMap input;
                for (const Model::PinSpec &pin : block.inputs) {
                    if (pin.required || fuzzer.chance(60))
                        input.insert(pin.name, fuzzer.valueFor(pin));
                }
                if (fuzzer.chance(10))
                    input.insert(fuzzer.hostileString(), fuzzer.randomValue());
                const StandaloneRun run = runBlockStandalone(*m_registry, block.id, input);
                ++cases;
                if (!run.completed) {
                    ++failed;
                    QVERIFY2(!run.error.isEmpty(), qPrintable(block.name));
                }
            }
        }
        qInfo("%d block runs with hostile inputs: %d failed with a message", cases, failed);
        QVERIFY(cases > 100);
    }

    void randomGraphsRunWithinTheirBudget()
    {
        // Random wiring of blocks that do not wait, run to an end: loops
        // stop at the budget, bad inputs fail nodes, nothing hangs.
        QList<const Model::BlockSchema *> blocks;
        for (const Model::BlockSchema &block : m_registry->blocks()) {
            if (!kWaitingBlocks.contains(block.id) && m_registry->implementation(block.id)
                && block.type != Model::BlockType::Note)
                blocks.append(&block);
        }
        Fuzzer fuzzer(seed() + 2);
        const QString path = m_dir.filePath(QStringLiteral("fuzz.db"));
        auto db = Database::open(path);
        QVERIFY(db.ok());
        EventBus events;
        Executor executor(path, m_registry, &events, 2);
        QVERIFY(executor.open().ok());
        RunBudget budget;
        budget.maxNodeExecutions = 200;
        budget.maxWallSeconds = 5;
        executor.setBudget(budget);
        GraphRepository graphs(**db);
        const int cases = 100 * scale();
        int started = 0;
        QMap<QString, int> ended;
        for (int i = 0; i < cases; ++i) {
            Model::Graph graph;
            graph.id = QStringLiteral("fuzz-%1").arg(i);
            graph.name = graph.id;
            const int count = 2 + fuzzer.below(6);
            for (int n = 0; n < count; ++n) {
                const Model::BlockSchema *block = blocks.at(fuzzer.below(int(blocks.size())));
                Model::Node node;
                node.id = QStringLiteral("n%1").arg(n);
                node.blockId = block->id;
                for (const Model::PinSpec &pin : block->inputs) {
                    if (pin.required || fuzzer.chance(40))
                        node.inputDefault.insert(pin.name, fuzzer.valueFor(pin));
                }
                graph.nodes.append(node);
            }
            const int links = fuzzer.below(count * 2);
            for (int l = 0; l < links; ++l) {
                const Model::Node &source = graph.nodes.at(fuzzer.below(count));
                const Model::Node &sink = graph.nodes.at(fuzzer.below(count));
                const Model::BlockSchema *from = m_registry->schema(source.blockId);
                const Model::BlockSchema *to = m_registry->schema(sink.blockId);
                if (from->outputs.isEmpty() || to->inputs.isEmpty())
                    continue;
                Model::Link link;
                link.id = QStringLiteral("l%1").arg(l);
                link.sourceId = source.id;
                link.sourceName = from->outputs.at(fuzzer.below(int(from->outputs.size()))).name;
                link.sinkId = sink.id;
                link.sinkName = to->inputs.at(fuzzer.below(int(to->inputs.size()))).name;
                link.isStatic = fuzzer.chance(20);
                graph.links.append(link);
            }
            auto saved = graphs.saveGraph(graph, QString(Model::kDefaultUserId));
            if (!saved)
                continue; // refused as a graph: that is an answer too
            RunRequest request;
            request.graphId = saved->id;
            request.inputs.insert(QStringLiteral("x"), fuzzer.randomValue());
            QSignalSpy finished(&executor, &Executor::runFinished);
            auto id = executor.start(request);
            if (!id)
                continue; // refused by validation
            ++started;
            QTRY_VERIFY_WITH_TIMEOUT(
                std::any_of(finished.cbegin(), finished.cend(),
                            [&](const QList<QVariant> &signal) {
                                return signal.at(0).toString() == *id;
                            }),
                20000);
            for (const QList<QVariant> &signal : std::as_const(finished)) {
                if (signal.at(0).toString() == *id)
                    ended[Model::statusName(signal.at(1).value<Model::ExecutionStatus>())] += 1;
            }
        }
        QStringList summary;
        for (auto it = ended.cbegin(); it != ended.cend(); ++it)
            summary.append(QStringLiteral("%1 %2").arg(it.value()).arg(it.key()));
        qInfo("%d random graphs, %d started: %s", cases, started,
              qPrintable(summary.join(QLatin1String(", "))));
    }
};

QTEST_GUILESS_MAIN(TestFuzz)
#include "tst_fuzz.moc"
