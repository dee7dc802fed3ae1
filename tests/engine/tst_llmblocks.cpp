// SPDX-License-Identifier: GPL-3.0-or-later
// AutoGPT's LLM blocks against the protocol-level test server: the exact
// messages each sends, what it yields, its retries, stats and streaming, on
// each provider's wire format.
#include "engine/blocks/blockpipeline.h"
#include "engine/blocks/blockregistry.h"
#include "engine/blocks/llmblocks.h"
#include "engine/executor/graphsnapshot.h"
#include "engine/llm/llmcall.h"
#include "model/graphjson.h"

#include <QFile>

#include "../llmsettings.h"
#include "../llmtestserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QtTest>

#include <atomic>

using namespace Signalbox;
using namespace Signalbox::Engine;
using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using Testing::LlmTestServer;
using Testing::ScriptedAnswer;

namespace {

const QString kTextGenerator = QStringLiteral("1f292d4a-41a4-4977-9684-7c8d560b9f91");
const QString kStructured = QStringLiteral("ed55ac19-356e-4243-a6cb-bc599e9b716f");
const QString kSummarizer = QStringLiteral("a0a69be1-4528-491c-a85a-a4ab6873e3f0");
const QString kConversation = QStringLiteral("32a87eab-381e-4dd4-bdb8-4c47151be35a");
const QString kListGenerator = QStringLiteral("9c0b0450-d199-458b-a731-072189dd6593");
const QString kDecisionMaker = QStringLiteral("3b191d9f-356f-482d-8238-ba04b6d18381");
const QString kApiKey = QStringLiteral("sk-test-0123456789");

// A block's view of a run, with one API key per provider.
class TestContext final : public BlockContext
{
public:
    void yield(const QString &pin, const Value &value) override { yields.append({pin, value}); }
    bool isCancelled() const override { return cancelled.load(); }
    bool sleep(qint64 milliseconds) override
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < milliseconds) {
            if (cancelled.load())
                return false;
            QThread::msleep(5);
        }
        return true;
    }
    const Model::ExecutionContext &executionContext() const override { return execution; }
    Result<std::optional<Value>> readKeyValue(const QString &key) override
    {
        if (!kv.contains(key))
            return std::optional<Value>();
        return std::optional<Value>(kv.value(key));
    }
    Result<void> writeKeyValue(const QString &key, const Value &value) override
    {
        kv.insert(key, value);
        return {};
    }
    Result<std::pair<Credential, CredentialSecret>> credentials(const Value &meta) override
    {
        Credential credential;
        credential.id = meta.toMap().value(QLatin1String("id")).toString();
        credential.provider = meta.toMap().value(QLatin1String("provider")).toString();
        CredentialSecret secret;
        secret.apiKey = kApiKey;
        return std::pair {credential, secret};
    }
    Result<std::optional<Model::ReviewResult>> reviewDecision(const Value &data, const QString &,
                                                              bool, NodeApproval approval) override
    {
        reviewed.append(data);
        approvals.append(approval);
        if (decisions.isEmpty())
            return std::optional<Model::ReviewResult>();
        return std::optional<Model::ReviewResult>(decisions.takeFirst());
    }
    NetworkPolicy networkPolicy() const override { return {}; }
    void progress(const QString &pin, const QString &text) override { progressed.append({pin, text}); }
    void mergeStats(const QJsonObject &more) override
    {
        for (auto it = more.begin(); it != more.end(); ++it)
            stats.insert(it.key(), stats.value(it.key()).toDouble() + it.value().toDouble());
    }
    const Llm::Catalog &llmCatalog() const override { return *catalog; }
    bool streamAnswers() const override { return stream; }
    std::shared_ptr<const GraphSnapshot> graphSnapshot() const override { return snapshot; }

    QList<Value> outputs(const QString &pin) const
    {
        QList<Value> values;
        for (const auto &[name, value] : yields) {
            if (name == pin)
                values.append(value);
        }
        return values;
    }

    Model::ExecutionContext execution;
    std::shared_ptr<const Llm::Catalog> catalog;
    std::shared_ptr<const GraphSnapshot> snapshot;
    bool stream = false;
    std::atomic<bool> cancelled = false;
    QList<std::pair<QString, Value>> yields;
    QList<std::pair<QString, QString>> progressed;
    QJsonObject stats;
    QHash<QString, Value> kv;
    QList<Value> reviewed;
    QList<NodeApproval> approvals;
    QList<Model::ReviewResult> decisions;
};

Value credentialsFor(const QString &provider)
{
    ValueMap meta;
    meta.insert(QStringLiteral("id"), QStringLiteral("cred-%1").arg(provider));
    meta.insert(QStringLiteral("provider"), provider);
    meta.insert(QStringLiteral("type"), QStringLiteral("api_key"));
    meta.insert(QStringLiteral("title"), QStringLiteral("test key"));
    return meta;
}

ValueMap msg(const QString &role, const QString &content)
{
    ValueMap map;
    map.insert(QStringLiteral("role"), role);
    map.insert(QStringLiteral("content"), content);
    return map;
}

QJsonObject jmsg(const QString &role, const QString &content)
{
    return {{QStringLiteral("role"), role}, {QStringLiteral("content"), content}};
}

// The tag of an answer format, from the instructions the block sent.
QString tagOf(const QJsonArray &messages)
{
    for (const QJsonValue &message : messages) {
        const QString content = message.toObject().value(QLatin1String("content")).toString();
        const qsizetype at = content.indexOf(QLatin1String("<json_output id=\""));
        if (at >= 0)
            return content.mid(at + 17, 16);
    }
    return {};
}

QString withTag(QString text, const QString &tag)
{
    return text.replace(QLatin1String("TAG"), tag);
}

// The function_call_output the model last saw for `callId`.
QString sawOutput(const Testing::LlmRequest &request, const QString &callId)
{
    QString output;
    for (const QJsonValue &item : request.messages()) {
        const QJsonObject object = item.toObject();
        if (object.value(QLatin1String("type")) == QLatin1String("function_call_output")
            && object.value(QLatin1String("call_id")) == callId)
            output = object.value(QLatin1String("output")).toString();
    }
    return output;
}

} // namespace

class TestLlmBlocks : public QObject
{
    Q_OBJECT

    std::unique_ptr<LlmTestServer> m_server;
    std::shared_ptr<const BlockRegistry> m_registry;
    std::shared_ptr<const Llm::Catalog> m_catalog;

    std::unique_ptr<TestContext> context(bool stream = false)
    {
        auto result = std::make_unique<TestContext>();
        result->catalog = m_catalog;
        result->stream = stream;
        result->execution.nodeExecId = QStringLiteral("exec-1");
        return result;
    }

    Result<void> run(const QString &blockId, const ValueMap &input, TestContext &context)
    {
        return executeBlock(*m_registry, blockId, input, context);
    }

    static ValueMap textInput(const QString &model, const QString &provider)
    {
        ValueMap input;
        input.insert(QStringLiteral("prompt"), QStringLiteral("Write about {{topic}}."));
        input.insert(QStringLiteral("sys_prompt"), QStringLiteral("You are terse."));
        ValueMap values;
        values.insert(QStringLiteral("topic"), QStringLiteral("tides"));
        input.insert(QStringLiteral("prompt_values"), values);
        input.insert(QStringLiteral("model"), model);
        input.insert(QStringLiteral("credentials"), credentialsFor(provider));
        return input;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<LlmTestServer>();
        auto registry = BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
        Llm::LlmSettings settings;
        const QUrl v1(m_server->baseUrl());
        const QUrl root(m_server->baseUrl(QString()));
        settings.baseUrls.insert(QStringLiteral("openai"), v1);
        settings.baseUrls.insert(QStringLiteral("groq"), v1);
        settings.baseUrls.insert(QStringLiteral("open_router"), v1);
        settings.baseUrls.insert(QStringLiteral("anthropic"), root);
        settings.baseUrls.insert(QStringLiteral("ollama"), root);
        Testing::addLocalServer(settings, v1, true, true);
        m_catalog = std::make_shared<const Llm::Catalog>(Llm::Catalog::withSettings(settings));
    }

    void init() { m_server->script({}); }

    void catalogueResolvesAsUpstream()
    {
        const Llm::Catalog &catalog = Llm::Catalog::builtin();
        QCOMPARE(catalog.defaultModel(), QStringLiteral("gpt-5.6-terra"));
        QVERIFY(catalog.models().size() >= 143);
        QCOMPARE(catalog.resolve(QStringLiteral("gpt-4o"))->provider, QStringLiteral("openai"));
        // Retired ids map to their successor; vendor prefixes are dropped.
        QCOMPARE(catalog.resolve(QStringLiteral("claude-opus-4-20250514"))->value,
                 QStringLiteral("claude-opus-4-7"));
        QCOMPARE(catalog.resolve(QStringLiteral("anthropic/claude-sonnet-4-6"))->value,
                 QStringLiteral("claude-sonnet-4-6"));
        QCOMPARE(catalog.resolve(QStringLiteral("openai/gpt-5.4"))->value,
                 QStringLiteral("gpt-5.4-2026-03-05"));
        QVERIFY(!catalog.resolve(QStringLiteral("no-such-model")));
        // Credits per million tokens, rounded up.
        const Llm::LlmModel *gpt4o = catalog.resolve(QStringLiteral("gpt-4o"));
        QCOMPARE(Llm::tokenCredits(*gpt4o, 1'000'000, 0, 0, 0), qint64(375));
        QCOMPARE(Llm::tokenCredits(*gpt4o, 11, 7, 0, 0), qint64(1));
        QCOMPARE(Llm::tokenCredits(*catalog.resolve(QStringLiteral("llama3.2")), 1000, 1000, 0, 0),
                 qint64(0));
        // Only configured hosts are trusted.
        QVERIFY(m_catalog->isTrusted(QUrl(m_server->baseUrl())));
        QVERIFY(!catalog.isTrusted(QUrl(m_server->baseUrl())));
    }

    void formatInstructionsMatchUpstreamByteForByte()
    {
        const QString tag = QStringLiteral("<json_output id=\"TAG\">");
        ValueMap format;
        format.insert(QStringLiteral("a"), QStringLiteral("first"));
        format.insert(QStringLiteral("b"), QStringLiteral("second"));
        // Rendered by upstream's response_format_instructions.
        QCOMPARE(LlmBlocks::formatInstructions(format, false, false, tag),
                 QStringLiteral("In your response you MUST include a valid JSON object strictly following this format:\n<json_output id=\"TAG\">\n{\n  \"a\": \"first\",\n  \"b\": \"second\"\n}\n</json_output>\n\nIf you cannot provide all the keys, you MUST provide an empty string for the values you cannot answer.|\nYou MUST enclose your final JSON answer in <json_output id=\"TAG\">...</json_output> tags, even if the user specifies a different tag.\nThere MUST be exactly ONE <json_output id=\"TAG\">...</json_output> block in your response, which MUST ONLY contain the JSON object and nothing else. Other text outside this block is allowed."));
        ValueMap people;
        people.insert(QStringLiteral("name"), QStringLiteral("Name"));
        people.insert(QStringLiteral("ages"), QStringLiteral("\u00c4"));
        QCOMPARE(LlmBlocks::formatInstructions(people, true, false, tag),
                 QStringLiteral("In your response you MUST include a valid JSON array strictly following this format:\n<json_output id=\"TAG\">\n[\n  {\n    \"name\": \"Name\",\n    \"ages\": \"\u00c4\"\n  },\n  ...\n]\n</json_output>\n\nIf you cannot provide all the keys, you MUST provide an empty string for the values you cannot answer.|\nYou MUST enclose your final JSON answer in <json_output id=\"TAG\">...</json_output> tags, even if the user specifies a different tag.\nThere MUST be exactly ONE <json_output id=\"TAG\">...</json_output> block in your response, which MUST ONLY contain the JSON array and nothing else. Other text outside this block is allowed."));
        ValueMap x;
        x.insert(QStringLiteral("x"), QStringLiteral("y"));
        QCOMPARE(LlmBlocks::formatInstructions(x, true, true, tag),
                 QStringLiteral("In your response you MUST include a valid JSON object strictly following this format:\n{\n  \"reasoning\": \"... (optional)\",\n  \"results\": [\n    {\n      \"x\": \"y\"\n    },\n    ...\n  ]\n}\n\nIf you cannot provide all the keys, you MUST provide an empty string for the values you cannot answer."));
        QCOMPARE(LlmBlocks::formatInstructions(x, false, true, tag),
                 QStringLiteral("In your response you MUST include a valid JSON object strictly following this format:\n{\n  \"x\": \"y\"\n}\n\nIf you cannot provide all the keys, you MUST provide an empty string for the values you cannot answer."));
        QCOMPARE(LlmBlocks::invalidResponseFeedback(QStringLiteral("Missing keys: {'b'}"), true, false, false, tag),
                 QStringLiteral("Your previous response did not match the expected object format.\n\nMissing keys: {'b'}\n\nPlease provide a <json_output id=\"TAG\">...</json_output> block containing a valid JSON object that matches the expected format."));
        QCOMPARE(LlmBlocks::invalidResponseFeedback(QStringLiteral("Response does not contain the expected <json_output id=\"TAG\">...</json_output> block."), false, true, false, tag),
                 QStringLiteral("Your previous response did not contain a parseable JSON array.\n\nResponse does not contain the expected <json_output id=\"TAG\">...</json_output> block.\n\nPlease provide a <json_output id=\"TAG\">...</json_output> block containing a valid JSON array that matches the expected format."));
    }

    void textGeneratorOnOpenAiResponses()
    {
        m_server->script({ScriptedAnswer::says(QStringLiteral("High and low."))});
        auto ctx = context();
        const Result<void> result = run(kTextGenerator, textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai")), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
        const auto requests = m_server->requests();
        QCOMPARE(requests.size(), 1);
        const Testing::LlmRequest &request = requests.last();
        QCOMPARE(request.path, QByteArray("/v1/responses"));
        QCOMPARE(request.headers.value("authorization"), "Bearer " + kApiKey.toUtf8());
        // Jinja values rendered, system prompt first, nothing else.
        QCOMPARE(request.body.value(QLatin1String("input")).toArray(),
                 (QJsonArray {jmsg(QStringLiteral("system"), QStringLiteral("You are terse.")),
                              jmsg(QStringLiteral("user"), QStringLiteral("Write about tides."))}));
        QCOMPARE(request.body.value(QLatin1String("model")).toString(), QStringLiteral("gpt-4o"));
        QCOMPARE(request.body.value(QLatin1String("max_output_tokens")).toInt(), 16384);
        QVERIFY(!request.body.contains(QLatin1String("text")));
        QVERIFY(!request.body.contains(QLatin1String("tools")));
        QCOMPARE(ctx->outputs(QStringLiteral("response")), QList<Value> {Value(QStringLiteral("High and low."))});
        QCOMPARE(ctx->outputs(QStringLiteral("prompt")).value(0).toArray(),
                 (ValueList {msg(QStringLiteral("system"), QStringLiteral("You are terse.")),
                             msg(QStringLiteral("user"), QStringLiteral("Write about tides."))}));
        QCOMPARE(ctx->yields.first().first, QStringLiteral("response"));
        QCOMPARE(ctx->stats.value(QLatin1String("input_token_count")).toInt(), 11);
        QCOMPARE(ctx->stats.value(QLatin1String("output_token_count")).toInt(), 7);
        QCOMPARE(ctx->stats.value(QLatin1String("llm_call_count")).toInt(), 1);
        QCOMPARE(ctx->stats.value(QLatin1String("llm_retry_count")).toInt(), 0);
        // 11 × 375 + 7 × 1500 credits per million, rounded up.
        QCOMPARE(ctx->stats.value(QLatin1String("cost")).toInt(), 1);
    }

    void answersStreamOnEveryWire_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("openai responses") << "gpt-4o" << "openai" << QByteArray("/v1/responses");
        QTest::newRow("anthropic messages") << "claude-sonnet-4-6" << "anthropic" << QByteArray("/v1/messages");
        QTest::newRow("ollama chat") << "llama3.2" << "ollama" << QByteArray("/api/chat");
        QTest::newRow("groq chat completions") << "llama-3.3-70b-versatile" << "groq" << QByteArray("/v1/chat/completions");
        QTest::newRow("local compatible server") << "qwen2.5-7b-instruct" << "lmstudio" << QByteArray("/v1/chat/completions");
    }
    void answersStreamOnEveryWire()
    {
        QFETCH(QString, model);
        QFETCH(QString, provider);
        QFETCH(QByteArray, path);
        const QString text = QStringLiteral("The tide comes in twice a day, and goes out twice.");
        ScriptedAnswer answer = ScriptedAnswer::says(text);
        answer.pieceDelayMs = 15;
        m_server->script({answer});
        auto ctx = context(true);
        ValueMap input = textInput(model, provider);
        if (provider == QLatin1String("ollama"))
            input.insert(QStringLiteral("ollama_host"), QStringLiteral("127.0.0.1:%1").arg(m_server->port()));
        const Result<void> result = run(kTextGenerator, input, *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
        const auto request = m_server->requests().last();
        QCOMPARE(request.path, path);
        QVERIFY(request.streamed());
        // The final output is the whole answer, as upstream yields it.
        QCOMPARE(ctx->outputs(QStringLiteral("response")), QList<Value> {Value(text)});
        // And it was seen growing.
        QVERIFY2(ctx->progressed.size() >= 2, qPrintable(QString::number(ctx->progressed.size())));
        for (qsizetype i = 1; i < ctx->progressed.size(); ++i)
            QVERIFY(ctx->progressed.at(i).second.startsWith(ctx->progressed.at(i - 1).second));
        QVERIFY(text.startsWith(ctx->progressed.first().second));
        QCOMPARE(ctx->stats.value(QLatin1String("input_token_count")).toInt(), 11);
        QCOMPARE(ctx->stats.value(QLatin1String("output_token_count")).toInt(), 7);
        if (provider == QLatin1String("anthropic")) {
            QCOMPARE(request.body.value(QLatin1String("system")).toArray().first().toObject().value(QLatin1String("text")).toString(),
                     QStringLiteral("You are terse."));
            QCOMPARE(request.body.value(QLatin1String("messages")).toArray(),
                     QJsonArray {jmsg(QStringLiteral("user"), QStringLiteral("Write about tides."))});
        }
        if (provider == QLatin1String("ollama"))
            QCOMPARE(request.body.value(QLatin1String("options")).toObject().value(QLatin1String("num_predict")).toInt(),
                     8192 - Llm::estimateMessageTokens({msg(QStringLiteral("system"), QStringLiteral("You are terse.")),
                                                        msg(QStringLiteral("user"), QStringLiteral("Write about tides."))}));
        if (path == "/v1/chat/completions")
            QVERIFY(request.body.value(QLatin1String("stream_options")).toObject().value(QLatin1String("include_usage")).toBool());
    }

    void structuredRetriesWithUpstreamsCorrectionPrompts()
    {
        // No tag, then a missing key, then a valid answer.
        m_server->script({ScriptedAnswer::says(QStringLiteral("I think a is 1.")),
                          ScriptedAnswer::says(QStringLiteral("<json_output id=\"TAG\">{\"a\": 1}</json_output>")),
                          ScriptedAnswer::says(QStringLiteral("Sure. <json_output id=\"TAG\">\n{\"a\": 1, \"b\": [2]}\n</json_output> done"))});
        // The answers must carry the tag the block chose: rewrite them as they go.
        m_server->setFallback({});
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("prompt"), QStringLiteral("Give a and b."));
        ValueMap format;
        format.insert(QStringLiteral("a"), QStringLiteral("first"));
        format.insert(QStringLiteral("b"), QStringLiteral("second"));
        input.insert(QStringLiteral("expected_format"), format);
        input.insert(QStringLiteral("model"), QStringLiteral("claude-sonnet-4-6"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("anthropic")));
        // The tag is random: fix it through the block's core instead of the
        // wire, then check the wire carries exactly that.
        Llm::CallStats stats;
        LlmBlocks::Setup setup;
        setup.model = *m_catalog->resolve(QStringLiteral("claude-sonnet-4-6"));
        setup.environment.catalog = m_catalog.get();
        setup.environment.apiKey = kApiKey;
        setup.environment.stream = false;
        QList<ScriptedAnswer> answers;
        const QString tag = QStringLiteral("0123456789abcdef");
        answers.append(ScriptedAnswer::says(QStringLiteral("I think a is 1.")));
        answers.append(ScriptedAnswer::says(withTag(QStringLiteral("<json_output id=\"TAG\">{\"a\": 1}</json_output>"), tag)));
        answers.append(ScriptedAnswer::says(withTag(QStringLiteral("Sure. <json_output id=\"TAG\">\n{\"a\": 1, \"b\": [2]}\n</json_output> done"), tag)));
        m_server->script(answers);
        const qsizetype before = m_server->requests().size();
        auto output = LlmBlocks::runStructured(LlmBlocks::StructuredInput::fromInput(input), setup, *ctx, stats, tag);
        QVERIFY2(output.ok(), qPrintable(output.ok() ? QString() : output.error().message));
        QVERIFY2(m_server->violations().isEmpty(), qPrintable(m_server->violations().join(QLatin1Char('\n'))));
        ValueMap expected;
        expected.insert(QStringLiteral("a"), 1);
        expected.insert(QStringLiteral("b"), ValueList {2});
        QCOMPARE(output->response, Value(expected));
        const QString tagStart = QStringLiteral("<json_output id=\"%1\">").arg(tag);
        const QString instructions = LlmBlocks::formatInstructions(format, false, false, tagStart);
        const QString noTag = LlmBlocks::invalidResponseFeedback(
            QStringLiteral("Response does not contain the expected %1...</json_output> block.").arg(tagStart),
            false, false, false, tagStart);
        const QString missing = LlmBlocks::invalidResponseFeedback(QStringLiteral("Missing keys: {'b'}"), true, false, false, tagStart);
        QVERIFY(noTag.startsWith(QLatin1String("Your previous response did not contain a parseable JSON object.\n\nResponse does not contain the expected <json_output id=\"0123456789abcdef\">")));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 3);
        // Anthropic: both system messages joined by a space, cached.
        const QJsonObject system = requests.at(0).body.value(QLatin1String("system")).toArray().first().toObject();
        QCOMPARE(system.value(QLatin1String("text")).toString(), instructions);
        QCOMPARE(system.value(QLatin1String("cache_control")).toObject().value(QLatin1String("type")).toString(), QStringLiteral("ephemeral"));
        QCOMPARE(requests.at(0).body.value(QLatin1String("messages")).toArray(),
                 QJsonArray {jmsg(QStringLiteral("user"), QStringLiteral("Give a and b."))});
        QCOMPARE(requests.at(1).body.value(QLatin1String("messages")).toArray(),
                 (QJsonArray {jmsg(QStringLiteral("user"), QStringLiteral("Give a and b.")),
                              jmsg(QStringLiteral("assistant"), QStringLiteral("I think a is 1.")),
                              jmsg(QStringLiteral("user"), noTag)}));
        QCOMPARE(requests.at(2).body.value(QLatin1String("messages")).toArray().last().toObject().value(QLatin1String("content")).toString(), missing);
        // The prompt output is what the last call sent.
        QCOMPARE(output->prompt.size(), 6);
        QCOMPARE(output->prompt.at(0).toMap().value(QLatin1String("content")).toString(), instructions);
        QCOMPARE(stats.count(QStringLiteral("llm_call_count")), qint64(3));
        QCOMPARE(stats.count(QStringLiteral("llm_retry_count")), qint64(2));
        QCOMPARE(stats.count(QStringLiteral("input_token_count")), qint64(33));
    }

    void structuredGivesUpWithTheLastFeedback()
    {
        m_server->script({ScriptedAnswer::says(QStringLiteral("nope")),
                          ScriptedAnswer::says(QStringLiteral("still nope"))});
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("prompt"), QStringLiteral("Give a."));
        ValueMap format;
        format.insert(QStringLiteral("a"), QStringLiteral("first"));
        input.insert(QStringLiteral("expected_format"), format);
        input.insert(QStringLiteral("force_json_output"), true);
        input.insert(QStringLiteral("retry"), 2);
        input.insert(QStringLiteral("model"), QStringLiteral("gpt-4o"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("openai")));
        const qsizetype before = m_server->requests().size();
        const Result<void> result = run(kStructured, input, *ctx);
        QVERIFY(!result.ok());
        // json.loads' own words, then upstream's JSON-mode correction prompt.
        QCOMPARE(result.error().message,
                 QStringLiteral("Your previous response did not contain a parseable JSON object.\n\nExpecting value: line 1 column 1 (char 0)\n\nPlease provide a valid JSON object that matches the expected format."));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 2);
        // JSON mode on the Responses API.
        QCOMPARE(requests.at(0).body.value(QLatin1String("text")).toObject(),
                 (QJsonObject {{QStringLiteral("format"), QJsonObject {{QStringLiteral("type"), QStringLiteral("json_object")}}}}));
        // No call counts on failure, as upstream; tokens are counted.
        QVERIFY(!ctx->stats.contains(QLatin1String("llm_call_count")));
        QCOMPARE(ctx->stats.value(QLatin1String("input_token_count")).toInt(), 22);
        QVERIFY(ctx->outputs(QStringLiteral("response")).isEmpty());
    }

    void listResultInJsonModeTakesResults()
    {
        m_server->script({ScriptedAnswer::says(QStringLiteral("```json\n{\"results\": [{\"x\": \"1\"}, {\"x\": \"2\"}]}\n```"))});
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("prompt"), QStringLiteral("List."));
        ValueMap format;
        format.insert(QStringLiteral("x"), QStringLiteral("y"));
        input.insert(QStringLiteral("expected_format"), format);
        input.insert(QStringLiteral("force_json_output"), true);
        input.insert(QStringLiteral("list_result"), true);
        input.insert(QStringLiteral("model"), QStringLiteral("llama-3.3-70b-versatile"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("groq")));
        const Result<void> result = run(kStructured, input, *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(Model::toJson(ctx->outputs(QStringLiteral("response")).value(0)),
                 QByteArray(R"([{"x":"1"},{"x":"2"}])"));
        const auto request = m_server->requests().last();
        QCOMPARE(request.body.value(QLatin1String("response_format")).toObject().value(QLatin1String("type")).toString(),
                 QStringLiteral("json_object"));
    }

    void httpErrorsRetryOrStopAsUpstream()
    {
        // 401 stops at once.
        m_server->script({ScriptedAnswer::error(401, R"({"error":{"message":"bad key"}})")});
        const qsizetype first = m_server->requests().size();
        auto ctx = context();
        Result<void> result = run(kTextGenerator, textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai")), *ctx);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message, QStringLiteral("Error calling LLM: Error code: 401 - {\"error\":{\"message\":\"bad key\"}}"));
        QCOMPARE(m_server->requests().size() - first, 1);

        // 429 honours Retry-After, then succeeds.
        const qsizetype before = m_server->requests().size();
        m_server->script({ScriptedAnswer::error(429, {}, "1"), ScriptedAnswer::error(503),
                          ScriptedAnswer::says(QStringLiteral("ok"))});
        ctx = context();
        result = run(kTextGenerator, textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai")), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 3);
        QVERIFY2(requests.at(1).receivedMs - requests.at(0).receivedMs >= 950,
                 qPrintable(QString::number(requests.at(1).receivedMs - requests.at(0).receivedMs)));
        QCOMPARE(ctx->stats.value(QLatin1String("llm_http_retry_count")).toInt(), 2);
        QCOMPARE(ctx->stats.value(QLatin1String("llm_call_count")).toInt(), 1);

        // A 500 that stays: three requests per attempt, three attempts.
        const qsizetype start = m_server->requests().size();
        QList<ScriptedAnswer> errors;
        for (int i = 0; i < 9; ++i)
            errors.append(ScriptedAnswer::error(500));
        m_server->script(errors);
        ctx = context();
        result = run(kTextGenerator, textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai")), *ctx);
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.startsWith(QLatin1String("Error calling LLM: Error code: 500")));
        QCOMPARE(m_server->requests().size() - start, 9);
    }

    void malformedAndCutAnswersFail()
    {
        ScriptedAnswer malformed;
        malformed.raw = "{\"choices\": [";
        ScriptedAnswer cut = ScriptedAnswer::says(QStringLiteral("a long answer that stops"));
        cut.cutAfterEvents = 2;
        m_server->script({malformed, cut, cut});
        auto ctx = context(false);
        ValueMap input = textInput(QStringLiteral("llama-3.3-70b-versatile"), QStringLiteral("groq"));
        input.insert(QStringLiteral("retry"), 1);
        Result<void> result = run(kTextGenerator, input, *ctx);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.startsWith(QLatin1String("Error calling LLM: ")), qPrintable(result.error().message));

        ctx = context(true);
        input.insert(QStringLiteral("retry"), 2);
        result = run(kTextGenerator, input, *ctx);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message,
                 QStringLiteral("Error calling LLM: The answer from Groq stopped before it ended"));
    }

    void stoppingAbortsTheRequestAtOnce()
    {
        ScriptedAnswer hang;
        hang.hang = true;
        m_server->script({hang});
        auto ctx = context(true);
        TestContext *raw = ctx.get();
        QTimer::singleShot(300, [raw] { raw->cancelled = true; });
        QElapsedTimer clock;
        clock.start();
        std::atomic<bool> done = false;
        Result<void> result;
        QThread *worker = QThread::create([&] {
            result = run(kTextGenerator, textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai")), *raw);
            done = true;
        });
        worker->start();
        QTRY_VERIFY_WITH_TIMEOUT(done.load(), 5000);
        worker->wait();
        delete worker;
        QVERIFY(!result.ok());
        QVERIFY(clock.elapsed() < 1500);
        QVERIFY2(result.error().message.contains(QLatin1String("cancelled")), qPrintable(result.error().message));
    }

    void conversationJoinsSystemAndSameRoleTextForAnthropic()
    {
        m_server->script({ScriptedAnswer::says(QStringLiteral("Hi again."))});
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("messages"),
                     ValueList {msg(QStringLiteral("system"), QStringLiteral("Be kind.")),
                                msg(QStringLiteral("user"), QStringLiteral("Hello.")),
                                msg(QStringLiteral("user"), QStringLiteral(" Are you there?")),
                                msg(QStringLiteral("tool"), QStringLiteral("dropped")),
                                msg(QStringLiteral("system"), QStringLiteral("Be brief."))});
        input.insert(QStringLiteral("model"), QStringLiteral("claude-sonnet-4-6"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("anthropic")));
        const Result<void> result = run(kConversation, input, *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const auto request = m_server->requests().last();
        QCOMPARE(request.body.value(QLatin1String("system")).toArray().first().toObject().value(QLatin1String("text")).toString(),
                 QStringLiteral("Be kind. Be brief."));
        QCOMPARE(request.body.value(QLatin1String("messages")).toArray(),
                 QJsonArray {jmsg(QStringLiteral("user"), QStringLiteral("Hello. Are you there?"))});
        QCOMPARE(request.headers.value("x-api-key"), kApiKey.toUtf8());
        QCOMPARE(ctx->outputs(QStringLiteral("response")), QList<Value> {Value(QStringLiteral("Hi again."))});

        ctx = context();
        ValueMap empty;
        empty.insert(QStringLiteral("messages"), ValueList {msg(QStringLiteral("user"), QStringLiteral("  "))});
        empty.insert(QStringLiteral("model"), QStringLiteral("claude-sonnet-4-6"));
        empty.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("anthropic")));
        const Result<void> refused = run(kConversation, empty, *ctx);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().message,
                 QStringLiteral("Cannot call LLM with no messages and no prompt. Provide at least one message or a non-empty prompt."));
    }

    void listGeneratorPromptsAndItems()
    {
        m_server->script({ScriptedAnswer::says(QStringLiteral("{\"reasoning\": \"easy\", \"list\": [\"red\", \"green\"]}"))});
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("focus"), QStringLiteral("colours"));
        input.insert(QStringLiteral("source_data"), QStringLiteral("red, green"));
        input.insert(QStringLiteral("force_json_output"), true);
        input.insert(QStringLiteral("model"), QStringLiteral("gpt-4o"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("openai")));
        const Result<void> result = run(kListGenerator, input, *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const QJsonArray sent = m_server->requests().last().body.value(QLatin1String("input")).toArray();
        QCOMPARE(sent.size(), 3);
        QCOMPARE(sent.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("You are a JSON array generator. Your task is to generate a JSON array of string values based on the user's prompt.\n\nThe 'list' field should contain a JSON array with the generated string values.\nThe array can contain ONLY strings.\n\nValid JSON array formats include:\n\u2022 [\"string1\", \"string2\", \"string3\"]\n\nEnsure you provide a proper JSON array with only string values in the 'list' field."));
        QCOMPARE(sent.at(2).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("Generate a list with the following focus:\n<focus>\n\ncolours</focus>\n\nUse the following source data to generate the list from:\n\n<source_data>\n\nred, green</source_data>\n\nDo not invent fictional data that is not present in the source data."));
        // reasoning first, then list.
        QVERIFY(sent.at(1).toObject().value(QLatin1String("content")).toString().contains(
            QLatin1String("{\n  \"reasoning\": \"... (optional)\",\n  \"list\": \"A JSON array containing the generated string values\"\n}")));
        QCOMPARE(ctx->outputs(QStringLiteral("generated_list")).value(0), Value(ValueList {QStringLiteral("red"), QStringLiteral("green")}));
        QCOMPARE(ctx->outputs(QStringLiteral("list_item")),
                 (QList<Value> {Value(QStringLiteral("red")), Value(QStringLiteral("green"))}));
        QStringList order;
        for (const auto &[pin, value] : ctx->yields)
            order.append(pin);
        QCOMPARE(order, (QStringList {QStringLiteral("generated_list"), QStringLiteral("prompt"),
                                      QStringLiteral("list_item"), QStringLiteral("list_item")}));
    }

    void summarizerChunksByWordsWithTheEnumQuirk()
    {
        // Ten words, windows of 4 stepping by 3: four chunks, then the final.
        m_server->setFallback([](const Testing::LlmRequest &request) {
            const QJsonArray messages = request.messages();
            const QString tag = tagOf(messages);
            const bool final = messages.last().toObject().value(QLatin1String("content")).toString().startsWith(QLatin1String("Provide a final"));
            return ScriptedAnswer::says(QStringLiteral("<json_output id=\"%1\">{\"%2\": \"s\"}</json_output>")
                                            .arg(tag, final ? QStringLiteral("final_summary") : QStringLiteral("summary")));
        });
        auto ctx = context();
        ValueMap input;
        input.insert(QStringLiteral("text"), QStringLiteral("one two  three\nfour five six seven eight nine ten"));
        input.insert(QStringLiteral("max_tokens"), 4);
        input.insert(QStringLiteral("chunk_overlap"), 1);
        input.insert(QStringLiteral("focus"), QStringLiteral("numbers"));
        input.insert(QStringLiteral("model"), QStringLiteral("gpt-4o"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("openai")));
        const qsizetype before = m_server->requests().size();
        const Result<void> result = run(kSummarizer, input, *ctx);
        m_server->setFallback({});
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 5);
        const auto userPrompt = [](const Testing::LlmRequest &request) {
            return request.messages().last().toObject().value(QLatin1String("content")).toString();
        };
        QCOMPARE(userPrompt(requests.at(0)),
                 QStringLiteral("Summarize the following text in a SummaryStyle.CONCISE form. Focus your summary on the topic of `numbers` if present, otherwise just provide a general summary:\n\n```one two three four```"));
        QVERIFY(userPrompt(requests.at(1)).endsWith(QLatin1String("```four five six seven```")));
        QVERIFY(userPrompt(requests.at(3)).endsWith(QLatin1String("```ten```")));
        QCOMPARE(userPrompt(requests.at(4)),
                 QStringLiteral("Provide a final summary of the following section summaries in a SummaryStyle.CONCISE form, focus your summary on the topic of `numbers` if present:\n\n ```s\n\ns\n\ns\n\ns```\n\n Just respond with the final_summary in the format specified."));
        QCOMPARE(ctx->outputs(QStringLiteral("summary")), QList<Value> {Value(QStringLiteral("s"))});
        QCOMPARE(ctx->stats.value(QLatin1String("llm_call_count")).toInt(), 5);
    }

    void modelsAndCredentialsMustMatch()
    {
        auto ctx = context();
        ValueMap input = textInput(QStringLiteral("gpt-4o"), QStringLiteral("anthropic"));
        Result<void> result = run(kTextGenerator, input, *ctx);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message,
                 QStringLiteral("Credentials #cred-anthropic are for anthropic, but model gpt-4o is served by openai"));
        input = textInput(QStringLiteral("gpt-9-imaginary"), QStringLiteral("openai"));
        result = run(kTextGenerator, input, *ctx);
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.startsWith(QLatin1String("Unknown model \"gpt-9-imaginary\"")));
        // A hosted model needs its key.
        input = textInput(QStringLiteral("gpt-4o"), QStringLiteral("openai"));
        input.remove(QStringLiteral("credentials"));
        result = run(kTextGenerator, input, *ctx);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().message,
                 QStringLiteral("Model gpt-4o needs OpenAI credentials: choose them in the node's credentials input"));
        // Ollama takes none.
        m_server->script({ScriptedAnswer::says(QStringLiteral("local"))});
        input = textInput(QStringLiteral("llama3.2"), QStringLiteral("ollama"));
        input.remove(QStringLiteral("credentials"));
        ctx = context();
        result = run(kTextGenerator, input, *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QVERIFY(!m_server->requests().last().headers.contains("authorization"));
        QCOMPARE(ctx->outputs(QStringLiteral("response")), QList<Value> {Value(QStringLiteral("local"))});
    }

    void compactionKeepsHeadTailAndObjective()
    {
        ValueList messages;
        messages.append(msg(QStringLiteral("system"), QStringLiteral("head")));
        messages.append(msg(QStringLiteral("user"), QStringLiteral("[Main Objective Prompt]: ") + QString(4000, QLatin1Char('o'))));
        for (int i = 0; i < 30; ++i)
            messages.append(msg(i % 2 ? QStringLiteral("assistant") : QStringLiteral("user"),
                                QString(2000, QChar(u'a' + i % 26))));
        const qint64 budget = 8000;
        const ValueList compacted = Llm::compactMessages(messages, budget);
        QVERIFY(Llm::estimateMessageTokens(compacted) <= budget);
        QCOMPARE(compacted.first(), messages.first());
        QCOMPARE(compacted.at(1), messages.at(1));
        QCOMPARE(compacted.last(), messages.last());
        const ValueList few {messages.at(0), messages.at(1), messages.at(2)};
        QCOMPARE(Llm::compactMessages(few, 1'000'000), few);
    }

    // The calculator agent of tests/data/graphs with agent mode on.
    std::shared_ptr<const GraphSnapshot> agentGraph(qint64 iterations, bool review)
    {
        QFile file(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/llm_tool_agent.json"));
        if (!file.open(QIODevice::ReadOnly))
            return nullptr;
        auto graph = Model::graphFromJson(file.readAll(), QStringLiteral("agent"));
        if (!graph)
            return nullptr;
        for (Model::Node &node : graph->nodes) {
            if (node.blockId == kDecisionMaker) {
                node.inputDefault.insert(QStringLiteral("agent_mode_max_iterations"), iterations);
                node.metadata.insert(QStringLiteral("review_tool_calls"), review);
            }
        }
        return std::make_shared<const GraphSnapshot>(*graph, m_registry);
    }

    ValueMap agentInput(qint64 iterations)
    {
        ValueMap input;
        input.insert(QStringLiteral("agent_mode_max_iterations"), iterations);
        input.insert(QStringLiteral("prompt"), QStringLiteral("What is 6 times 7?"));
        input.insert(QStringLiteral("model"), QStringLiteral("gpt-4o"));
        input.insert(QStringLiteral("credentials"), credentialsFor(QStringLiteral("openai")));
        return input;
    }

    void agentModeRunsToolsInline()
    {
        auto ctx = context();
        ctx->snapshot = agentGraph(5, false);
        QVERIFY(ctx->snapshot);
        ctx->execution.nodeId = QStringLiteral("7b1d0000-0000-4000-8000-000000000002");
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})")}}),
                          ScriptedAnswer::says(QStringLiteral("It is 42."))});
        const qsizetype before = m_server->requests().size();
        const Result<void> result = run(kDecisionMaker, agentInput(5), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 2);
        // The calculator ran inside the node; the model saw its outputs.
        bool sawOutput = false;
        for (const QJsonValue &item : requests.last().messages()) {
            if (item.toObject().value(QLatin1String("type")) == QLatin1String("function_call_output"))
                sawOutput = item.toObject().value(QLatin1String("output")).toString() == QLatin1String("{\"result\":[42.0]}");
        }
        QVERIFY2(sawOutput, QJsonDocument(requests.last().messages()).toJson(QJsonDocument::Compact).constData());
        QCOMPARE(ctx->outputs(QStringLiteral("finished")), QList<Value> {Value(QStringLiteral("It is 42."))});
        QCOMPARE(ctx->outputs(QStringLiteral("tool_calls")).size(), 1);
        QCOMPARE(ctx->outputs(QStringLiteral("tool_calls")).first().toMap().value(QLatin1String("name")).toString(),
                 QStringLiteral("calculatorblock"));
        // No tool output left the node: the tool ran inline.
        for (const auto &[pin, value] : ctx->yields)
            QVERIFY(!pin.startsWith(QLatin1String("tools_^_")));
        QCOMPARE(ctx->stats.value(QLatin1String("llm_call_count")).toInt(), 2);
        // The tool definitions were offered first, as a JSON string.
        QVERIFY(ctx->yields.first().first == QLatin1String("tool_functions"));
    }

    void agentModeStopsAtItsLimitWithTheLastIterationHint()
    {
        auto ctx = context();
        ctx->snapshot = agentGraph(1, false);
        ctx->execution.nodeId = QStringLiteral("7b1d0000-0000-4000-8000-000000000002");
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 1, "b": 2, "operation": "Add"})")}})});
        const qsizetype before = m_server->requests().size();
        const Result<void> result = run(kDecisionMaker, agentInput(1), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        const auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 1);
        QVERIFY(requests.first().messages().last().toObject().value(QLatin1String("content")).toString()
                    .startsWith(QLatin1String("[Main Objective Prompt]: This is your last iteration.")));
        QCOMPARE(ctx->outputs(QStringLiteral("finished")),
                 QList<Value> {Value(QStringLiteral("Agent mode completed after 1 iterations (limit reached)"))});
    }

    void agentModePausesForEachReviewedTurnAndGoesOn()
    {
        // The node's calls are reviewed: the loop pauses at the first call,
        // and the same node execution, run again with the decision, goes on
        // from the kept turn without asking the model again.
        auto ctx = context();
        ctx->snapshot = agentGraph(5, true);
        ctx->execution.nodeId = QStringLiteral("7b1d0000-0000-4000-8000-000000000002");
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("call_1"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Power"})")}}),
                          ScriptedAnswer::calls({{QStringLiteral("call_2"), QStringLiteral("calculatorblock"),
                                                  QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})")}}),
                          ScriptedAnswer::says(QStringLiteral("It is 48."))});
        const qsizetype before = m_server->requests().size();
        Result<void> result = run(kDecisionMaker, agentInput(5), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        QCOMPARE(m_server->requests().size() - before, 1);
        QCOMPARE(ctx->approvals.size(), 1);
        QVERIFY(ctx->outputs(QStringLiteral("finished")).isEmpty());
        const ValueMap proposed = ctx->reviewed.first().toMap();
        QCOMPARE(proposed.value(QLatin1String("tool_calls")).toArray().first().toMap()
                     .value(QLatin1String("arguments")).toMap().value(QLatin1String("operation")).toString(),
                 QStringLiteral("Power"));

        // Rejected: the model hears why and proposes another call, which
        // waits for its own decision.
        Model::ReviewResult rejected;
        rejected.status = Model::ReviewStatus::Rejected;
        rejected.message = QStringLiteral("Multiply instead");
        ctx->decisions = {rejected};
        ctx->yields.clear();
        result = run(kDecisionMaker, agentInput(5), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        auto requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 2);
        QCOMPARE(sawOutput(requests.last(), QStringLiteral("call_1")),
                 QStringLiteral("The reviewer rejected this tool call: Multiply instead"));
        QCOMPARE(ctx->approvals.size(), 3);
        QVERIFY(ctx->outputs(QStringLiteral("tool_calls")).isEmpty());
        QVERIFY(ctx->outputs(QStringLiteral("finished")).isEmpty());

        // Approved with b edited to 8: the calculator runs inline on it and
        // the model's next turn sees the result.
        ValueMap edited = ctx->reviewed.last().toMap();
        ValueList calls = edited.value(QLatin1String("tool_calls")).toArray();
        ValueMap call = calls.first().toMap();
        ValueMap arguments = call.value(QLatin1String("arguments")).toMap();
        arguments.insert(QStringLiteral("b"), 8);
        call.insert(QStringLiteral("arguments"), arguments);
        calls[0] = call;
        edited.insert(QStringLiteral("tool_calls"), calls);
        Model::ReviewResult approved;
        approved.status = Model::ReviewStatus::Approved;
        approved.data = edited;
        ctx->decisions = {approved};
        ctx->yields.clear();
        result = run(kDecisionMaker, agentInput(5), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        requests = m_server->requests().mid(before);
        QCOMPARE(requests.size(), 3);
        QCOMPARE(sawOutput(requests.last(), QStringLiteral("call_2")), QStringLiteral("{\"result\":[48.0]}"));
        // Both turns are in the conversation the model saw, once each.
        QCOMPARE(sawOutput(requests.last(), QStringLiteral("call_1")),
                 QStringLiteral("The reviewer rejected this tool call: Multiply instead"));
        int proposals = 0;
        for (const QJsonValue &item : requests.last().messages())
            proposals += item.toObject().value(QLatin1String("type")) == QLatin1String("function_call");
        QCOMPARE(proposals, 2);
        QCOMPARE(ctx->outputs(QStringLiteral("finished")), QList<Value> {Value(QStringLiteral("It is 48."))});
        QCOMPARE(ctx->outputs(QStringLiteral("tool_calls")).size(), 1);
        // The kept turn is spent.
        QVERIFY(ctx->kv.value(QStringLiteral("signalbox.pending-tool-calls.exec-1")).isNull());
    }

    void sensitiveToolsAskEveryTimeInSafeMode()
    {
        // No built-in block is a sensitive action: a payment block is added.
        QFile builtin(QStringLiteral(":/signalbox/blocks/builtin_blocks.json"));
        QVERIFY(builtin.open(QIODevice::ReadOnly));
        QJsonArray blocks = QJsonDocument::fromJson(builtin.readAll()).array();
        const QString payment = QStringLiteral("5e0517e0-0000-4000-8000-0000000000aa");
        blocks.append(QJsonObject {
            {QStringLiteral("id"), payment}, {QStringLiteral("name"), QStringLiteral("PayBlock")},
            {QStringLiteral("description"), QStringLiteral("Pays")},
            {QStringLiteral("categories"), QJsonArray {QStringLiteral("BASIC")}},
            {QStringLiteral("block_type"), QStringLiteral("Standard")},
            {QStringLiteral("static_output"), false}, {QStringLiteral("is_sensitive_action"), true},
            {QStringLiteral("inputs"), QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("amount")},
                                                                {QStringLiteral("type"), QStringLiteral("integer")},
                                                                {QStringLiteral("required"), true}}}},
            {QStringLiteral("outputs"), QJsonArray {QJsonObject {{QStringLiteral("name"), QStringLiteral("paid")},
                                                                 {QStringLiteral("type"), QStringLiteral("integer")}}}}});
        auto catalog = Model::BlockCatalog::fromJson(QJsonDocument(blocks).toJson(), QStringLiteral("test"));
        QVERIFY(catalog.ok());
        auto registry = BlockRegistry::withBuiltinBlocks(std::move(*catalog),
                                                         {{payment, [](const ValueMap &, BlockContext &) { return Result<void>(); }}});
        QVERIFY(registry.ok());
        Model::Graph graph;
        graph.id = QStringLiteral("pay-agent");
        Model::Node decider;
        decider.id = QStringLiteral("decider");
        decider.blockId = kDecisionMaker;
        Model::Node pay;
        pay.id = QStringLiteral("pay");
        pay.blockId = payment;
        graph.nodes = {decider, pay};
        Model::Link link;
        link.id = QStringLiteral("l1");
        link.sourceId = decider.id;
        link.sourceName = QStringLiteral("tools");
        link.sinkId = pay.id;
        link.sinkName = QStringLiteral("amount");
        graph.links = {link};
        auto ctx = context();
        ctx->snapshot = std::make_shared<const GraphSnapshot>(graph, *registry);
        ctx->execution.nodeId = decider.id;
        ctx->execution.graphExecId = QStringLiteral("run-1");
        ctx->execution.sensitiveActionSafeMode = true;
        // The tool was approved before in this run, and the node approved for it.
        ctx->kv.insert(QStringLiteral("signalbox.approved-tools.run-1.decider"), ValueList {QStringLiteral("payblock")});
        Model::ReviewResult automatic;
        automatic.status = Model::ReviewStatus::Approved;
        automatic.nodeExecId = QStringLiteral("exec-1");
        automatic.grantId = QStringLiteral("auto_approve_run-1_decider");
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("p1"), QStringLiteral("payblock"),
                                                  QStringLiteral(R"({"amount": 5})")}})});
        const Result<void> result = run(kDecisionMaker, agentInput(0), *ctx);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
        // The node's grant was not consulted (so no auto-approval is logged):
        // its own review was asked for, and waits.
        QCOMPARE(ctx->approvals, (QList<BlockContext::NodeApproval> {BlockContext::NodeApproval::Ignored}));
        for (const auto &[pin, value] : ctx->yields)
            QVERIFY(!pin.startsWith(QLatin1String("tools_^_")));
        // Not in safe mode, the same approval answers.
        ctx = context();
        ctx->snapshot = std::make_shared<const GraphSnapshot>(graph, *registry);
        ctx->execution.nodeId = decider.id;
        ctx->execution.graphExecId = QStringLiteral("run-1");
        ctx->kv.insert(QStringLiteral("signalbox.approved-tools.run-1.decider"), ValueList {QStringLiteral("payblock")});
        ctx->decisions = {automatic};
        Model::Node reviewed = decider;
        reviewed.metadata.insert(QStringLiteral("review_tool_calls"), true);
        graph.nodes = {reviewed, pay};
        ctx->snapshot = std::make_shared<const GraphSnapshot>(graph, *registry);
        m_server->script({ScriptedAnswer::calls({{QStringLiteral("p2"), QStringLiteral("payblock"),
                                                  QStringLiteral(R"({"amount": 6})")}})});
        QVERIFY(run(kDecisionMaker, agentInput(0), *ctx).ok());
        QCOMPARE(ctx->approvals, QList<BlockContext::NodeApproval> {BlockContext::NodeApproval::Applies});
        QCOMPARE(ctx->outputs(QStringLiteral("tools_^_pay_~_amount")), QList<Value> {Value(6)});
    }

    // Opt in with a real server: SIGNALBOX_TEST_OLLAMA=http://host:11434, or
    // SIGNALBOX_TEST_OPENAI_COMPATIBLE=http://host:port/v1 (with
    // SIGNALBOX_TEST_API_KEY when it takes one); SIGNALBOX_TEST_MODEL names
    // the model (default llama3.2).
    void realServerAnswersTheSameCases_data()
    {
        QTest::addColumn<QString>("variable");
        QTest::newRow("ollama") << QStringLiteral("SIGNALBOX_TEST_OLLAMA");
        QTest::newRow("openai compatible") << QStringLiteral("SIGNALBOX_TEST_OPENAI_COMPATIBLE");
    }
    void realServerAnswersTheSameCases()
    {
        QFETCH(QString, variable);
        const QString url = qEnvironmentVariable(variable.toLatin1().constData());
        if (url.isEmpty())
            QSKIP(qPrintable(QStringLiteral("set %1 to run against a real server").arg(variable)));
        const QString modelId = qEnvironmentVariable("SIGNALBOX_TEST_MODEL", QStringLiteral("llama3.2"));
        const bool ollama = variable == QLatin1String("SIGNALBOX_TEST_OLLAMA");
        Llm::LlmSettings settings;
        QVERIFY(settings.addServer(QStringLiteral("real"), QStringLiteral("Real server"), QUrl(url),
                                   ollama ? Llm::Wire::OllamaChat : Llm::Wire::OpenAiChat,
                                   !qEnvironmentVariableIsEmpty("SIGNALBOX_TEST_API_KEY"))
                    .ok());
        Llm::LlmModel model;
        model.value = modelId;
        model.provider = QStringLiteral("real");
        model.contextWindow = 8192;
        settings.customModels.append(model);
        const auto catalog = std::make_shared<const Llm::Catalog>(Llm::Catalog::withSettings(settings));
        for (const bool stream : {false, true}) {
            auto ctx = context(stream);
            ctx->catalog = catalog;
            LlmBlocks::Setup setup;
            setup.model = *catalog->resolve(modelId);
            setup.environment.catalog = catalog.get();
            setup.environment.apiKey = qEnvironmentVariable("SIGNALBOX_TEST_API_KEY");
            setup.environment.stream = stream;
            setup.environment.onText = [&ctx](const QString &text) { ctx->progress(QStringLiteral("response"), text); };
            setup.environment.timeoutMs = 300000;
            // A structured answer with its correction loop, as upstream asks.
            LlmBlocks::StructuredInput input;
            input.prompt = QStringLiteral("Name a colour and a number between 1 and 9.");
            input.expectedFormat.insert(QStringLiteral("colour"), QStringLiteral("a colour"));
            input.expectedFormat.insert(QStringLiteral("number"), QStringLiteral("a number"));
            input.retry = 3;
            Llm::CallStats stats;
            auto output = LlmBlocks::runStructured(input, setup, *ctx, stats);
            QVERIFY2(output.ok(), qPrintable(output.ok() ? QString() : output.error().message));
            QVERIFY(output->response.toMap().contains(QLatin1String("colour")));
            QVERIFY(stats.count(QStringLiteral("output_token_count")) > 0);
            if (stream)
                QVERIFY(!ctx->progressed.isEmpty());
        }
    }

    void retryAfterReadsSecondsMillisecondsAndDates()
    {
        HttpResponse response;
        response.headers = {{"Retry-After", "2"}};
        QCOMPARE(Llm::retryAfterMs(response), std::optional<qint64>(2000));
        response.headers = {{"retry-after-ms", "150"}, {"Retry-After", "9"}};
        QCOMPARE(Llm::retryAfterMs(response), std::optional<qint64>(150));
        response.headers = {{"Retry-After",
                             QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(30), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() + " GMT"}};
        const auto at = Llm::retryAfterMs(response);
        QVERIFY(at && *at > 25000 && *at <= 30000);
        response.headers = {};
        QVERIFY(!Llm::retryAfterMs(response));
    }
};

QTEST_GUILESS_MAIN(TestLlmBlocks)
#include "tst_llmblocks.moc"
