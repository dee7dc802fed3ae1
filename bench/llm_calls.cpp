// SPDX-License-Identifier: GPL-3.0-or-later
// What Signalbox adds to a language-model call: the time of a whole call to
// the protocol-level test server on 127.0.0.1 (which answers at once), per
// wire, whole and streamed; and how fast a streamed answer is decoded.
// Prints its figures as text and one JSON line.
#include "../tests/llmtestserver.h"

#include "engine/blocks/block.h"
#include "engine/llm/llmcall.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>

using namespace Signalbox;
using namespace Signalbox::Engine;

namespace {

class BenchContext final : public BlockContext
{
public:
    void yield(const QString &, const Model::Value &) override { }
    bool isCancelled() const override { return false; }
    bool sleep(qint64) override { return true; }
    const Model::ExecutionContext &executionContext() const override { return m_context; }
    Result<std::optional<Model::Value>> readKeyValue(const QString &) override
    {
        return std::optional<Model::Value>();
    }
    Result<void> writeKeyValue(const QString &, const Model::Value &) override { return {}; }

private:
    Model::ExecutionContext m_context;
};

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.at(qMin(values.size() - 1, qsizetype(p * double(values.size()))));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int calls = argc > 1 ? QString::fromLatin1(argv[1]).toInt() : 200;
    Testing::LlmTestServer server;
    server.setRequireKey(false);
    const QString answer = QStringLiteral("The tide comes in twice a day. ").repeated(20);
    server.setFallback([&](const Testing::LlmRequest &) { return Testing::ScriptedAnswer::says(answer); });

    Llm::LlmSettings settings;
    const QUrl v1(server.baseUrl());
    settings.baseUrls.insert(QStringLiteral("openai"), v1);
    settings.baseUrls.insert(QStringLiteral("groq"), v1);
    settings.baseUrls.insert(QStringLiteral("anthropic"), QUrl(server.baseUrl(QString())));
    settings.baseUrls.insert(QStringLiteral("ollama"), QUrl(server.baseUrl(QString())));
    const Llm::Catalog catalog = Llm::Catalog::withSettings(settings);

    QTextStream out(stdout);
    QJsonObject figures;
    BenchContext context;
    for (const char *model : {"gpt-4o", "claude-sonnet-4-6", "llama3.2", "llama-3.3-70b-versatile"}) {
        for (const bool stream : {false, true}) {
            Llm::CallRequest request;
            request.model = *catalog.resolve(QString::fromLatin1(model));
            Model::ValueMap message;
            message.insert(QStringLiteral("role"), QStringLiteral("user"));
            message.insert(QStringLiteral("content"), QStringLiteral("Write about the tide."));
            request.messages = {message};
            Llm::CallEnvironment environment;
            environment.catalog = &catalog;
            environment.apiKey = QStringLiteral("sk-bench");
            environment.stream = stream;
            int pieces = 0;
            environment.onText = [&pieces](const QString &) { ++pieces; };
            QList<double> times;
            for (int i = 0; i < calls; ++i) {
                Llm::CallStats stats;
                QElapsedTimer clock;
                clock.start();
                auto result = Llm::call(context, request, environment, stats);
                times.append(double(clock.nsecsElapsed()) / 1e6);
                if (!std::holds_alternative<Llm::CallResponse>(result)
                    || std::get<Llm::CallResponse>(result).text != answer) {
                    out << "call failed: " << std::get<Llm::CallFailure>(result).message << '\n';
                    return 1;
                }
            }
            const QString name = QStringLiteral("%1 %2").arg(request.model.provider,
                                                             stream ? QStringLiteral("streamed")
                                                                    : QStringLiteral("whole"));
            out << QStringLiteral("%1: p50 %2 ms, p99 %3 ms per call (%4 calls)\n")
                       .arg(name.leftJustified(22))
                       .arg(percentile(times, 0.5), 0, 'f', 2)
                       .arg(percentile(times, 0.99), 0, 'f', 2)
                       .arg(calls);
            figures.insert(name, QJsonObject {{QStringLiteral("p50_ms"), percentile(times, 0.5)},
                                              {QStringLiteral("p99_ms"), percentile(times, 0.99)}});
        }
    }

    // Decoding alone: a long streamed chat answer, fed as it would arrive.
    QByteArray body;
    const int events = 100000;
    for (int i = 0; i < events; ++i)
        body += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"}}]}\n\n";
    body += "data: [DONE]\n\n";
    QElapsedTimer clock;
    clock.start();
    Llm::StreamDecoder decoder(Llm::Wire::OpenAiChat);
    for (qsizetype at = 0; at < body.size(); at += 1400)
        decoder.feed(QByteArrayView(body.constData() + at, qMin<qsizetype>(1400, body.size() - at)));
    auto decoded = decoder.finish(*catalog.provider(QStringLiteral("groq")));
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    if (!decoded || decoded->text.size() != events * 5) {
        out << "decoding failed\n";
        return 1;
    }
    out << QStringLiteral("decoding: %1 events in %2 s, %3 events/s\n")
               .arg(events)
               .arg(seconds, 0, 'f', 3)
               .arg(double(events) / seconds, 0, 'f', 0);
    figures.insert(QStringLiteral("decode_events_per_s"), double(events) / seconds);
    out << QJsonDocument(figures).toJson(QJsonDocument::Compact) << '\n';
    return 0;
}
