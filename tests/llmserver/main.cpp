// SPDX-License-Identifier: GPL-3.0-or-later
// The protocol-level model server of the tests (tests/llmtestserver.h) as a
// program, to try the LLM blocks by hand without a model: it streams a
// fixed answer slowly, and a model offered tools first asks to call the
// first of them with arguments from --arguments.
#include "../llmtestserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace Signalbox::Testing;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A stand-in for OpenAI, Anthropic, Ollama and OpenAI-compatible servers "
                       "on 127.0.0.1, speaking their wire formats. It is not a model."));
    parser.addHelpOption();
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("The port (default 8765)."),
                                  QStringLiteral("PORT"), QStringLiteral("8765"));
    const QCommandLineOption delay(QStringLiteral("delay"),
                                   QStringLiteral("Milliseconds between streamed pieces (default 120)."),
                                   QStringLiteral("MS"), QStringLiteral("120"));
    const QCommandLineOption text(QStringLiteral("text"), QStringLiteral("The answer."),
                                  QStringLiteral("TEXT"),
                                  QStringLiteral("Salt wind on the dunes, waves fold the light into "
                                                 "foam, the tide keeps its time."));
    const QCommandLineOption arguments(QStringLiteral("arguments"),
                                       QStringLiteral("The arguments of a tool call, as JSON."),
                                       QStringLiteral("JSON"),
                                       QStringLiteral(R"({"a": 6, "b": 7, "operation": "Multiply"})"));
    parser.addOptions({port, delay, text, arguments});
    parser.process(app);

    LlmTestServer server(quint16(parser.value(port).toUInt()));
    const int pieceDelay = parser.value(delay).toInt();
    const QString answer = parser.value(text);
    const QString toolArguments = parser.value(arguments);
    server.setRequireKey(false);
    server.setModels({QStringLiteral("llama3.2"), QStringLiteral("qwen2.5:7b")});
    server.setFallback([=](const LlmRequest &request) {
        const QJsonArray tools = request.body.value(QLatin1String("tools")).toArray();
        bool answered = false;
        for (const QJsonValue &message : request.messages()) {
            const QJsonObject object = message.toObject();
            answered = answered || object.value(QLatin1String("type")) == QLatin1String("function_call_output")
                || object.value(QLatin1String("role")) == QLatin1String("tool");
        }
        if (!tools.isEmpty() && !answered) {
            const QJsonObject tool = tools.first().toObject();
            const QString name = tool.contains(QLatin1String("function"))
                ? tool.value(QLatin1String("function")).toObject().value(QLatin1String("name")).toString()
                : tool.value(QLatin1String("name")).toString();
            return ScriptedAnswer::calls({{QStringLiteral("call_1"), name, toolArguments}});
        }
        ScriptedAnswer reply = ScriptedAnswer::says(answer);
        reply.pieceDelayMs = pieceDelay;
        return reply;
    });
    QTextStream(stdout) << "Listening on " << server.baseUrl() << '\n' << Qt::flush;
    return app.exec();
}
