// SPDX-License-Identifier: GPL-3.0-or-later
// Agents end to end through the real `signalbox` program, against the
// protocol-level model server (tests/llmtestserver.h): an AutoGPT export
// with AITextGeneratorBlock, and a SmartDecisionMaker whose tool calls a
// person edits, approves and rejects from the command line.
#include "../clirunner.h"
#include "../llmtestserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <functional>
#include <QTemporaryDir>
#include <QtTest>

using namespace Signalbox;
using Testing::CliRun;
using Testing::LlmTestServer;
using Testing::ScriptedAnswer;
using Testing::signalbox;

namespace {

const QByteArray kApiKey = "sk-live-canary-4f9e1c";

QString dataFile(const char *name)
{
    return QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/") + QLatin1String(name);
}

} // namespace

class TestLlmAgents : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<LlmTestServer> m_server;
    QProcessEnvironment m_environment;
    QString m_db;
    QString m_credentialId;
    QByteArray m_printed;

    CliRun cli(const QStringList &arguments, const QByteArray &input = {})
    {
        const CliRun run = signalbox(QStringList {QStringLiteral("--db"), m_db} + arguments, {},
                                     60000, input, m_environment);
        m_printed += run.out.toUtf8() + run.err.toUtf8();
        return run;
    }

    QString credentialsArgument() const
    {
        return QStringLiteral("openai_api_key_credentials=") + m_credentialId;
    }

    // The one review waiting in the store.
    QJsonObject waitingReview()
    {
        const CliRun listed = cli({QStringLiteral("reviews"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray reviews = QJsonDocument::fromJson(listed.out.toUtf8()).isArray()
            ? QJsonDocument::fromJson(listed.out.toUtf8()).array()
            : listed.json().value(QLatin1String("reviews")).toArray();
        return reviews.isEmpty() ? QJsonObject() : reviews.last().toObject();
    }

    // A tool-call review's payload with the first call's `b` set to `b`,
    // as `reviews decide --data` takes it.
    static QString withFirstCallsB(QJsonObject payload, int b)
    {
        QJsonArray calls = payload.value(QLatin1String("tool_calls")).toArray();
        QJsonObject call = calls.first().toObject();
        QJsonObject arguments = call.value(QLatin1String("arguments")).toObject();
        arguments.insert(QStringLiteral("b"), b);
        call.insert(QStringLiteral("arguments"), arguments);
        calls[0] = call;
        payload.insert(QStringLiteral("tool_calls"), calls);
        return QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    }

    static QJsonObject toolCall(const QString &id, const QString &arguments)
    {
        return {{QStringLiteral("id"), id}, {QStringLiteral("name"), QStringLiteral("calculatorblock")},
                {QStringLiteral("arguments"), arguments}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
        m_server = std::make_unique<LlmTestServer>();
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home->filePath(QStringLiteral("config")));
        m_environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home->filePath(QStringLiteral("data")));
        m_environment.insert(QStringLiteral("SIGNALBOX_SECRET_STORE"), QStringLiteral("file"));
        m_environment.insert(QStringLiteral("SIGNALBOX_SECRETS_PASSPHRASE"), QStringLiteral("pw"));
        m_db = m_home->filePath(QStringLiteral("agents.db"));

        // The same settings the desktop's Settings → Models writes.
        QCOMPARE(cli({QStringLiteral("providers"), QStringLiteral("set-url"), QStringLiteral("openai"),
                      m_server->baseUrl()})
                     .exitCode,
                 0);
        const CliRun added = cli({QStringLiteral("credentials"), QStringLiteral("add"), QStringLiteral("--type"),
                                  QStringLiteral("api_key"), QStringLiteral("--provider"),
                                  QStringLiteral("openai"), QStringLiteral("--title"), QStringLiteral("OpenAI")},
                                 kApiKey + '\n');
        QVERIFY2(added.exitCode == 0, qPrintable(added.err));
        m_credentialId = added.out.trimmed();
    }

    void init()
    {
        m_server->script({});
        m_printed.clear();
    }

    void providersAndModelsAreSettings()
    {
        CliRun run = cli({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        bool sawOpenAi = false;
        for (const QJsonValue &provider : run.json().value(QLatin1String("providers")).toArray()) {
            if (provider.toObject().value(QLatin1String("id")) == QLatin1String("openai")) {
                sawOpenAi = true;
                QCOMPARE(provider.toObject().value(QLatin1String("base_url")).toString(), m_server->baseUrl());
            }
        }
        QVERIFY(sawOpenAi);

        // A local server: added, its models discovered, one made the default.
        m_server->setModels({QStringLiteral("qwen2.5-7b-instruct"), QStringLiteral("phi-4-mini")});
        QCOMPARE(cli({QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("lmstudio"),
                      QStringLiteral("--base-url"), m_server->baseUrl(), QStringLiteral("--title"),
                      QStringLiteral("LM Studio"), QStringLiteral("--no-key")})
                     .exitCode,
                 0);
        run = cli({QStringLiteral("models"), QStringLiteral("discover"), QStringLiteral("lmstudio"),
                   QStringLiteral("--add")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out, QStringLiteral("qwen2.5-7b-instruct\nphi-4-mini\n"));
        QCOMPARE(m_server->requests().last().path, QByteArray("/v1/models"));
        run = cli({QStringLiteral("models"), QStringLiteral("list"), QStringLiteral("--provider"),
                   QStringLiteral("lmstudio"), QStringLiteral("--json")});
        QCOMPARE(run.json().value(QLatin1String("models")).toArray().size(), 2);
        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("default"), QStringLiteral("phi-4-mini")}).exitCode, 0);
        run = cli({QStringLiteral("models"), QStringLiteral("list")});
        QVERIFY(run.out.contains(QLatin1String("phi-4-mini *")));
        // Ollama's host lists through /api/tags.
        QCOMPARE(cli({QStringLiteral("providers"), QStringLiteral("set-url"), QStringLiteral("ollama"),
                      m_server->baseUrl(QString())})
                     .exitCode,
                 0);
        run = cli({QStringLiteral("models"), QStringLiteral("discover"), QStringLiteral("ollama")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(m_server->requests().last().path, QByteArray("/api/tags"));
        // Bad input is refused, naming what is wrong.
        run = cli({QStringLiteral("providers"), QStringLiteral("set-url"), QStringLiteral("openai"),
                   QStringLiteral("ftp://x")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("is not an http or https URL")));
        run = cli({QStringLiteral("models"), QStringLiteral("add"), QStringLiteral("x"),
                   QStringLiteral("--provider"), QStringLiteral("nowhere")});
        QCOMPARE(run.exitCode, 2);
        // A model id names one model: the catalogue's stay with their provider.
        run = cli({QStringLiteral("models"), QStringLiteral("add"), QStringLiteral("llama3.2"),
                   QStringLiteral("--provider"), QStringLiteral("lmstudio")});
        QCOMPARE(run.exitCode, 5);
        QVERIFY(run.err.contains(QLatin1String("is ollama's model in the catalogue")));
        // Leave the catalogue's default for the other tests.
        QCOMPARE(cli({QStringLiteral("models"), QStringLiteral("default"), QStringLiteral("gpt-5.6-terra")}).exitCode, 0);
        QCOMPARE(cli({QStringLiteral("providers"), QStringLiteral("remove"), QStringLiteral("lmstudio")}).exitCode, 0);
    }

    void autogptExportRunsEndToEnd()
    {
        const QString haiku = QStringLiteral("Salt wind on the dunes\nwaves fold the light into foam\nthe tide keeps its time");
        m_server->script({ScriptedAnswer::says(haiku)});
        const CliRun imported = cli({QStringLiteral("graphs"), QStringLiteral("import"), dataFile("llm_haiku.json")});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
        const CliRun run = cli({QStringLiteral("run"), dataFile("llm_haiku.json"), QStringLiteral("--credentials"),
                                credentialsArgument(), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QCOMPARE(run.firstOutput("haiku"), haiku);
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
        const auto request = m_server->requests().last();
        QCOMPARE(request.path, QByteArray("/v1/responses"));
        QCOMPARE(request.headers.value("authorization"), "Bearer " + kApiKey);
        QCOMPARE(request.messages().last().toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("Write a haiku about the sea."));
        QVERIFY(request.streamed());
        // Tokens, calls and cost in the node's stats.
        const QString id = Testing::newestExecution(m_db);
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QVERIFY2(shown.exitCode == 0, qPrintable(shown.err));
        bool sawStats = false;
        for (const QJsonValue &node : shown.json().value(QLatin1String("node_executions")).toArray()) {
            const QJsonObject stats = node.toObject().value(QLatin1String("stats")).toObject();
            if (stats.contains(QLatin1String("input_token_count"))) {
                sawStats = true;
                QCOMPARE(stats.value(QLatin1String("input_token_count")).toInt(), 11);
                QCOMPARE(stats.value(QLatin1String("output_token_count")).toInt(), 7);
                QCOMPARE(stats.value(QLatin1String("llm_call_count")).toInt(), 1);
                QCOMPARE(stats.value(QLatin1String("extra_cost")).toInt(), 1);
            }
        }
        QVERIFY2(sawStats, qPrintable(shown.out));
        // The key never shows.
        QVERIFY(!m_printed.contains(kApiKey));
    }

    void keysAreAskedForOnlyWhereAModelNeedsOne()
    {
        // A hosted model without credentials is refused before it starts.
        CliRun run = cli({QStringLiteral("run"), dataFile("llm_haiku.json")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("These credentials are required")), qPrintable(run.err));
        // A local Ollama model runs without any.
        QCOMPARE(cli({QStringLiteral("providers"), QStringLiteral("set-url"), QStringLiteral("ollama"),
                      m_server->baseUrl(QString())})
                     .exitCode,
                 0);
        QFile source(dataFile("llm_haiku.json"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QString local = m_home->filePath(QStringLiteral("local-haiku.json"));
        QFile file(local);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(source.readAll().replace("\"gpt-4o\"", "\"llama3.2\"").replace("5e1f0000-0000-4000-8000-000000000001", "5e1f0000-0000-4000-8000-0000000000aa"));
        file.close();
        m_server->script({ScriptedAnswer::says(QStringLiteral("Local waves"))});
        run = cli({QStringLiteral("run"), local, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QCOMPARE(run.firstOutput("haiku"), QStringLiteral("Local waves"));
        QCOMPARE(m_server->requests().last().path, QByteArray("/api/chat"));
        // One block on its own reaches the same configured host.
        m_server->script({ScriptedAnswer::says(QStringLiteral("Alone"))});
        run = cli({QStringLiteral("blocks"), QStringLiteral("run"),
                   QStringLiteral("1f292d4a-41a4-4977-9684-7c8d560b9f91"), QStringLiteral("--input"),
                   QStringLiteral(R"({"prompt": "hi", "model": "llama3.2"})"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY2(run.out.contains(QLatin1String("Alone")), qPrintable(run.out));
    }

    // The tool agent with its links changed by `edit`, written to the home folder.
    QString editedAgent(const QString &name, const std::function<void(QJsonObject &link)> &edit)
    {
        QFile source(dataFile("llm_tool_agent.json"));
        if (!source.open(QIODevice::ReadOnly))
            return {};
        QJsonObject graph = QJsonDocument::fromJson(source.readAll()).object();
        const auto change = [&edit](QJsonArray links) {
            QJsonArray kept;
            for (const QJsonValue &value : links) {
                QJsonObject link = value.toObject();
                edit(link);
                if (!link.isEmpty())
                    kept.append(link);
            }
            return kept;
        };
        graph.insert(QStringLiteral("links"), change(graph.value(QLatin1String("links")).toArray()));
        QJsonArray nodes;
        for (const QJsonValue &value : graph.value(QLatin1String("nodes")).toArray()) {
            QJsonObject node = value.toObject();
            for (const char *key : {"input_links", "output_links"})
                node.insert(QLatin1String(key), change(node.value(QLatin1String(key)).toArray()));
            nodes.append(node);
        }
        graph.insert(QStringLiteral("nodes"), nodes);
        graph.insert(QStringLiteral("id"), QString(QStringLiteral("5e1f0000-0000-4000-8000-0000000000") + name.left(2)));
        const QString path = m_home->filePath(name + QStringLiteral(".json"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        return path;
    }

    void theConversationLoopIsCheckedBeforeARun()
    {
        // History linked without the tool's output: refused, as upstream.
        const QString halfLoop = editedAgent(QStringLiteral("b1-half-loop"), [](QJsonObject &link) {
            if (link.value(QLatin1String("sink_name")) == QLatin1String("last_tool_output"))
                link = {};
        });
        CliRun run = cli({QStringLiteral("run"), halfLoop, QStringLiteral("--credentials"), credentialsArgument()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("Last Tool Output is needed when Conversation History is used")),
                 qPrintable(run.err));
        // Legacy exports name tool links tools_^_<tool>_~_<field>: still tool links.
        const QString legacy = editedAgent(QStringLiteral("c2-legacy"), [](QJsonObject &link) {
            if (link.value(QLatin1String("source_name")) == QLatin1String("tools"))
                link.insert(QStringLiteral("source_name"),
                            QString(QStringLiteral("tools_^_calculatorblock_~_")
                                    + link.value(QLatin1String("sink_name")).toString()));
        });
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_9"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 2, "b": 3, "operation": "Add"})")}})});
        run = cli({QStringLiteral("run"), legacy, QStringLiteral("--credentials"), credentialsArgument()});
        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out)); // waits for the review
        const QJsonObject payload = waitingReview().value(QLatin1String("payload")).toObject();
        QCOMPARE(payload.value(QLatin1String("tool_calls")).toArray().first().toObject().value(QLatin1String("tool")).toString(),
                 QStringLiteral("calculatorblock"));
        QVERIFY(cli({QStringLiteral("stop"), Testing::newestExecution(m_db)}).exitCode == 0);
    }

    // The tool agent in agent mode: the calculator runs inside the decision
    // maker, so the conversation loop's links go.
    QString agentModeAgent()
    {
        QFile source(dataFile("llm_tool_agent.json"));
        if (!source.open(QIODevice::ReadOnly))
            return {};
        QJsonObject graph = QJsonDocument::fromJson(source.readAll()).object();
        const auto loop = [](const QJsonValue &link) {
            const QString sink = link.toObject().value(QLatin1String("sink_name")).toString();
            return sink == QLatin1String("last_tool_output") || sink == QLatin1String("conversation_history");
        };
        const auto withoutLoop = [&loop](const QJsonArray &links) {
            QJsonArray kept;
            for (const QJsonValue &link : links) {
                if (!loop(link))
                    kept.append(link);
            }
            return kept;
        };
        graph.insert(QStringLiteral("links"), withoutLoop(graph.value(QLatin1String("links")).toArray()));
        QJsonArray nodes = graph.value(QLatin1String("nodes")).toArray();
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            QJsonObject node = nodes.at(i).toObject();
            for (const QString &key : {QStringLiteral("input_links"), QStringLiteral("output_links")})
                node.insert(key, withoutLoop(node.value(key).toArray()));
            if (node.value(QLatin1String("id")) == QLatin1String("7b1d0000-0000-4000-8000-000000000002")) {
                QJsonObject input = node.value(QLatin1String("input_default")).toObject();
                input.insert(QStringLiteral("agent_mode_max_iterations"), 4);
                node.insert(QStringLiteral("input_default"), input);
            }
            nodes[i] = node;
        }
        graph.insert(QStringLiteral("nodes"), nodes);
        graph.insert(QStringLiteral("id"), QStringLiteral("5e1f0000-0000-4000-8000-0000000000d5"));
        const QString path = m_home->filePath(QStringLiteral("agent-mode.json"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        return path;
    }

    // The tool agent with a second tool, TextEncoderBlock, whose result also
    // goes back to the model.
    QString twoToolAgent()
    {
        QFile source(dataFile("llm_tool_agent.json"));
        if (!source.open(QIODevice::ReadOnly))
            return {};
        QJsonObject graph = QJsonDocument::fromJson(source.readAll()).object();
        const QString decider = QStringLiteral("7b1d0000-0000-4000-8000-000000000002");
        const QString encoder = QStringLiteral("7b1d0000-0000-4000-8000-000000000005");
        const QJsonObject toTool {{QStringLiteral("id"), QStringLiteral("7b1d1111-0000-4000-8000-000000000008")},
                                  {QStringLiteral("source_id"), decider},
                                  {QStringLiteral("sink_id"), encoder},
                                  {QStringLiteral("source_name"), QStringLiteral("tools")},
                                  {QStringLiteral("sink_name"), QStringLiteral("text")},
                                  {QStringLiteral("is_static"), false}};
        const QJsonObject back {{QStringLiteral("id"), QStringLiteral("7b1d1111-0000-4000-8000-000000000009")},
                                {QStringLiteral("source_id"), encoder},
                                {QStringLiteral("sink_id"), decider},
                                {QStringLiteral("source_name"), QStringLiteral("encoded_text")},
                                {QStringLiteral("sink_name"), QStringLiteral("last_tool_output")},
                                {QStringLiteral("is_static"), false}};
        QJsonArray links = graph.value(QLatin1String("links")).toArray();
        links.append(toTool);
        links.append(back);
        graph.insert(QStringLiteral("links"), links);
        QJsonArray nodes = graph.value(QLatin1String("nodes")).toArray();
        nodes.append(QJsonObject {{QStringLiteral("id"), encoder},
                                  {QStringLiteral("block_id"), QStringLiteral("5185f32e-4b65-4ecf-8fbb-873f003f09d6")},
                                  {QStringLiteral("input_default"), QJsonObject()},
                                  {QStringLiteral("metadata"), QJsonObject()},
                                  {QStringLiteral("input_links"), QJsonArray {toTool}},
                                  {QStringLiteral("output_links"), QJsonArray {back}}});
        graph.insert(QStringLiteral("nodes"), nodes);
        graph.insert(QStringLiteral("id"), QStringLiteral("5e1f0000-0000-4000-8000-0000000000d4"));
        const QString path = m_home->filePath(QStringLiteral("two-tools.json"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        return path;
    }

    void autoApprovalCoversTheToolsApproved()
    {
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("c1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 1, "b": 2, "operation": "Add"})")}}),
                          ScriptedAnswer::calls({{QStringLiteral("c2"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 3, "b": 4, "operation": "Add"})")}}),
                          ScriptedAnswer::calls({{QStringLiteral("c3"), QStringLiteral("textencoderblock"),
                                                  QStringLiteral(R"({"text": "line\nbreak"})")}}),
                          ScriptedAnswer::says(QStringLiteral("Done."))});
        const QString graph = twoToolAgent();
        CliRun run = cli({QStringLiteral("run"), graph, QStringLiteral("--credentials"), credentialsArgument()});
        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out));
        const QString first = waitingReview().value(QLatin1String("node_exec_id")).toString();
        // Approve the calculator for the rest of the run.
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), first, QStringLiteral("--approve"),
                   QStringLiteral("--auto-approve-node")});
        // Its second call runs unasked; the encoder's call asks.
        QVERIFY2(run.exitCode == 3 || run.exitCode == 0, qPrintable(run.err + run.out));
        const QJsonObject second = waitingReview();
        QVERIFY2(second.value(QLatin1String("node_exec_id")).toString() != first, m_printed.constData());
        QCOMPARE(second.value(QLatin1String("payload")).toObject().value(QLatin1String("tool_calls")).toArray()
                     .first().toObject().value(QLatin1String("tool")).toString(),
                 QStringLiteral("textencoderblock"));
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"),
                   second.value(QLatin1String("node_exec_id")).toString(), QStringLiteral("--approve")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), Testing::newestExecution(m_db),
                                  QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        // Every scripted turn was asked for: the calculator's second call ran unasked.
        QCOMPARE(m_server->remainingAnswers(), 0);
    }

    void stoppingARunAbortsItsModelRequest()
    {
        // The model never answers; `signalbox stop` from another process
        // ends the run at once, its request aborted.
        Testing::ScriptedAnswer hang;
        hang.hang = true;
        m_server->script({hang});
        QProcess running;
        running.setProcessEnvironment(m_environment);
        running.start(QStringLiteral(SIGNALBOX_BINARY),
                      {QStringLiteral("--db"), m_db, QStringLiteral("run"), dataFile("llm_haiku.json"),
                       QStringLiteral("--credentials"), credentialsArgument()});
        QVERIFY(running.waitForStarted());
        const qsizetype before = m_server->requests().size();
        QTRY_VERIFY_WITH_TIMEOUT(m_server->requests().size() > before, 10000);
        const QString id = Testing::newestExecution(m_db, QStringLiteral("RUNNING"));
        QVERIFY(!id.isEmpty());
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(cli({QStringLiteral("stop"), id}).exitCode, 0);
        QVERIFY(running.waitForFinished(5000));
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(running.exitCode(), 4);
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("TERMINATED"));
        qInfo("stopped %lld ms after `signalbox stop`", qint64(clock.elapsed()));
    }

    void toolCallIsEditedApprovedAndSeenByTheModel()
    {
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})")}}),
                          ScriptedAnswer::says(QStringLiteral("6 times 8 is 48."))});
        const qsizetype before = m_server->requests().size();
        CliRun run = cli({QStringLiteral("run"), dataFile("llm_tool_agent.json"), QStringLiteral("--credentials"),
                          credentialsArgument(), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out)); // paused for review
        QCOMPARE(m_server->requests().size() - before, 1);
        const QJsonObject review = waitingReview();
        const QString nodeExecId = review.value(QLatin1String("node_exec_id")).toString();
        QVERIFY2(!nodeExecId.isEmpty(), m_printed.constData());
        const QJsonObject payload = review.value(QLatin1String("payload")).toObject();
        const QJsonArray proposed = payload.value(QLatin1String("tool_calls")).toArray();
        QCOMPARE(proposed.size(), 1);
        QCOMPARE(proposed.first().toObject().value(QLatin1String("tool")).toString(), QStringLiteral("calculatorblock"));
        QCOMPARE(proposed.first().toObject().value(QLatin1String("arguments")).toObject().value(QLatin1String("b")).toInt(), 7);
        // The conversation so far goes with it.
        QVERIFY(!payload.value(QLatin1String("conversation")).toArray().isEmpty());

        // The reviewer changes b to 8 and approves.
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), nodeExecId, QStringLiteral("--approve"),
                   QStringLiteral("--data"), withFirstCallsB(payload, 8)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
        // The model was asked twice in all: the approved turn was not asked again.
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 2);
        // Its next turn saw the calculator's result of the edited call.
        bool sawResult = false;
        for (const QJsonValue &item : requests.last().messages()) {
            const QJsonObject object = item.toObject();
            if (object.value(QLatin1String("type")) == QLatin1String("function_call_output")
                && object.value(QLatin1String("call_id")) == QLatin1String("call_1")) {
                sawResult = object.value(QLatin1String("output")).toString().startsWith(QLatin1String("48"));
            }
        }
        QVERIFY2(sawResult, QJsonDocument(requests.last().messages()).toJson().constData());
        // And the tools were offered as flattened Responses tools.
        const QJsonArray tools = requests.first().body.value(QLatin1String("tools")).toArray();
        QCOMPARE(tools.first().toObject().value(QLatin1String("name")).toString(), QStringLiteral("calculatorblock"));
        QCOMPARE(tools.first().toObject().value(QLatin1String("parameters")).toObject().value(QLatin1String("required")).toArray(),
                 (QJsonArray {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("operation")}));
        const QString id = Testing::newestExecution(m_db);
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), id, QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(shown.json().value(QLatin1String("outputs")).toObject().value(QLatin1String("answer")).toArray().first().toString(),
                 QStringLiteral("6 times 8 is 48."));
    }

    void rejectedToolCallGoesBackToTheModel()
    {
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Power"})")}}),
                          ScriptedAnswer::calls({{QStringLiteral("call_2"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})")}}),
                          ScriptedAnswer::says(QStringLiteral("It is 42."))});
        const qsizetype before = m_server->requests().size();
        CliRun run = cli({QStringLiteral("run"), dataFile("llm_tool_agent.json"), QStringLiteral("--credentials"),
                          credentialsArgument()});
        QCOMPARE(run.exitCode, 3);
        QString nodeExecId = waitingReview().value(QLatin1String("node_exec_id")).toString();
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), nodeExecId, QStringLiteral("--reject"),
                   QStringLiteral("--message"), QStringLiteral("Multiply, do not raise to a power")});
        // The model answered the rejection with another call, which waits in turn.
        QVERIFY2(run.exitCode == 3 || run.exitCode == 0, qPrintable(run.err + run.out));
        auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 2);
        bool sawReason = false;
        for (const QJsonValue &item : requests.last().messages()) {
            const QJsonObject object = item.toObject();
            if (object.value(QLatin1String("type")) == QLatin1String("function_call_output")
                && object.value(QLatin1String("call_id")) == QLatin1String("call_1"))
                sawReason = object.value(QLatin1String("output")).toString()
                    == QLatin1String("The reviewer rejected this tool call: Multiply, do not raise to a power");
        }
        QVERIFY2(sawReason, QJsonDocument(requests.last().messages()).toJson().constData());
        nodeExecId = waitingReview().value(QLatin1String("node_exec_id")).toString();
        const QJsonObject second = waitingReview().value(QLatin1String("payload")).toObject();
        QCOMPARE(second.value(QLatin1String("tool_calls")).toArray().first().toObject().value(QLatin1String("arguments")).toObject().value(QLatin1String("operation")).toString(),
                 QStringLiteral("Multiply"));
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), nodeExecId, QStringLiteral("--approve")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 3);
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), Testing::newestExecution(m_db),
                                  QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(shown.json().value(QLatin1String("outputs")).toObject().value(QLatin1String("answer")).toArray().first().toString(),
                 QStringLiteral("It is 42."));
        QVERIFY(!m_printed.contains(kApiKey));
    }

    void agentModePausesForEachCallAndGoesOn()
    {
        // Agent mode, its calls reviewed: the run pauses at the first call;
        // a rejection goes back to the model inside the same node, whose
        // next call pauses again; approved with an edit, the calculator
        // runs inside the node and the model's next turn sees its result.
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Power"})")}}),
                          ScriptedAnswer::calls({{QStringLiteral("call_2"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})")}}),
                          ScriptedAnswer::says(QStringLiteral("6 times 8 is 48."))});
        const qsizetype before = m_server->requests().size();
        const QString graph = agentModeAgent();
        CliRun run = cli({QStringLiteral("run"), graph, QStringLiteral("--credentials"), credentialsArgument()});
        QVERIFY2(run.exitCode == 3, qPrintable(run.err + run.out));
        QCOMPARE(m_server->requests().size() - before, 1);
        const QString nodeExecId = waitingReview().value(QLatin1String("node_exec_id")).toString();
        QVERIFY2(!nodeExecId.isEmpty(), m_printed.constData());
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), nodeExecId, QStringLiteral("--reject"),
                   QStringLiteral("--message"), QStringLiteral("Multiply")});
        QVERIFY2(run.exitCode == 0 || run.exitCode == 3, qPrintable(run.err + run.out));
        QCOMPARE(m_server->requests().size() - before, 2);
        // The same node execution asks again, about the second call.
        QJsonObject review = waitingReview();
        QCOMPARE(review.value(QLatin1String("node_exec_id")).toString(), nodeExecId);
        const QJsonObject payload = review.value(QLatin1String("payload")).toObject();
        QCOMPARE(payload.value(QLatin1String("tool_calls")).toArray().first().toObject().value(QLatin1String("id")).toString(),
                 QStringLiteral("call_2"));
        run = cli({QStringLiteral("reviews"), QStringLiteral("decide"), nodeExecId, QStringLiteral("--approve"),
                   QStringLiteral("--data"), withFirstCallsB(payload, 8)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 3);
        QString rejected;
        QString result;
        for (const QJsonValue &item : requests.last().messages()) {
            const QJsonObject object = item.toObject();
            if (object.value(QLatin1String("type")) != QLatin1String("function_call_output"))
                continue;
            (object.value(QLatin1String("call_id")) == QLatin1String("call_1") ? rejected : result)
                = object.value(QLatin1String("output")).toString();
        }
        QCOMPARE(rejected, QStringLiteral("The reviewer rejected this tool call: Multiply"));
        QCOMPARE(result, QStringLiteral("{\"result\":[48.0]}"));
        const CliRun shown = cli({QStringLiteral("executions"), QStringLiteral("show"), Testing::newestExecution(m_db),
                                  QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(shown.json().value(QLatin1String("outputs")).toObject().value(QLatin1String("answer")).toArray().first().toString(),
                 QStringLiteral("6 times 8 is 48."));
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestLlmAgents)
#include "tst_llmagents.moc"
