// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A protocol-level test server for language-model providers, on 127.0.0.1
// and a thread of its own. It speaks each provider's real wire format:
//
//   POST /v1/chat/completions   OpenAI chat completions (and every
//                               OpenAI-compatible server), SSE when streamed
//   POST /v1/responses          OpenAI's Responses API, SSE when streamed
//   POST /v1/messages           Anthropic Messages, SSE when streamed
//   POST /api/chat              Ollama, JSON lines when streamed
//   GET  /api/tags, /v1/models  the models a local server offers
//
// It checks every request against the documented shape (headers, body
// fields, roles) and answers from a script of logical answers that it
// renders in the protocol of the endpoint asked. Requests that break the
// protocol get a 400 and are listed in violations(). It stands in for a
// hosted model, which cannot be reached from the tests; it is not a model.
#include "loopbackhttp.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

namespace Signalbox::Testing {

struct ScriptedToolCall
{
    QString id;
    QString name;
    QString arguments; // JSON text
};

// One answer, whatever the protocol.
struct ScriptedAnswer
{
    QString text;
    QList<ScriptedToolCall> toolCalls;
    int promptTokens = 11;
    int completionTokens = 7;
    // An HTTP error instead: the status, its JSON body, and Retry-After.
    int status = 200;
    QByteArray errorBody;
    QByteArray retryAfter;
    // The body as it comes, not rendered (malformed JSON, say).
    QByteArray raw;
    // Streamed answers: close the connection after this many events.
    int cutAfterEvents = -1;
    // Milliseconds between streamed pieces.
    int pieceDelayMs = 0;
    // Never answer (for stop and timeout tests).
    bool hang = false;

    static ScriptedAnswer says(const QString &text) { return {text}; }
    static ScriptedAnswer error(int status, const QByteArray &body = {},
                                const QByteArray &retryAfter = {})
    {
        ScriptedAnswer answer;
        answer.status = status;
        answer.errorBody = body.isEmpty() ? QByteArray(R"({"error":{"message":"scripted error"}})")
                                          : body;
        answer.retryAfter = retryAfter;
        return answer;
    }
    static ScriptedAnswer calls(QList<ScriptedToolCall> toolCalls, const QString &text = {})
    {
        ScriptedAnswer answer;
        answer.text = text;
        answer.toolCalls = std::move(toolCalls);
        return answer;
    }
};

struct LlmRequest
{
    QByteArray method;
    QByteArray path;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QJsonObject body;
    qint64 receivedMs = 0;

    bool streamed() const { return body.value(QLatin1String("stream")).toBool(); }
    // The messages (chat, Anthropic, Ollama) or input items (Responses).
    QJsonArray messages() const
    {
        return body.contains(QLatin1String("input")) ? body.value(QLatin1String("input")).toArray()
                                                     : body.value(QLatin1String("messages")).toArray();
    }
};

class LlmTestServer
{
public:
    explicit LlmTestServer(quint16 port = 0)
    {
        m_clock.start();
        m_http = std::make_unique<LoopbackHttpServer>(
            [this](QTcpSocket *socket, const RawHttpRequest &raw) { take(socket, raw); }, port);
    }
    // The server stops before what it answers from goes.
    ~LlmTestServer() { m_http.reset(); }

    quint16 port() const { return m_http->port(); }
    QString baseUrl(const QString &path = QStringLiteral("/v1")) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
    }

    // Answers in order; once they run out, `fallback` answers (by default
    // a 500 saying the script ran out).
    void script(QList<ScriptedAnswer> answers)
    {
        QMutexLocker lock(&m_mutex);
        m_script = std::move(answers);
    }
    void setFallback(std::function<ScriptedAnswer(const LlmRequest &)> fallback)
    {
        QMutexLocker lock(&m_mutex);
        m_fallback = std::move(fallback);
    }
    // Whether chat completions and the Responses API insist on a key, as
    // OpenAI does; local servers (LM Studio, llama.cpp) take none.
    void setRequireKey(bool require)
    {
        QMutexLocker lock(&m_mutex);
        m_requireKey = require;
    }
    void setModels(QStringList models)
    {
        QMutexLocker lock(&m_mutex);
        m_models = std::move(models);
    }
    QList<LlmRequest> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    QStringList violations() const
    {
        QMutexLocker lock(&m_mutex);
        return m_violations;
    }
    int remainingAnswers() const
    {
        QMutexLocker lock(&m_mutex);
        return int(m_script.size());
    }

private:
    void take(QTcpSocket *socket, const RawHttpRequest &raw)
    {
        LlmRequest request;
        request.method = raw.method;
        request.path = raw.target;
        request.headers = raw.headers;
        const QByteArray &body = raw.body;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(body, &error);
        request.body = document.object();
        request.receivedMs = m_clock.elapsed();
        QString violation;
        if (request.method == "POST" && (error.error != QJsonParseError::NoError || !document.isObject()))
            violation = QStringLiteral("the body is not a JSON object: %1").arg(error.errorString());
        else
            violation = check(request, requireKey());
        ScriptedAnswer answer;
        {
            QMutexLocker lock(&m_mutex);
            m_requests.append(request);
            if (!violation.isEmpty())
                m_violations.append(QStringLiteral("%1 %2: %3")
                                        .arg(QString::fromLatin1(request.method),
                                             QString::fromLatin1(request.path), violation));
            else if (request.method == "POST" && !m_script.isEmpty())
                answer = m_script.takeFirst();
            else if (request.method == "POST")
                answer = m_fallback ? m_fallback(request)
                                    : ScriptedAnswer::error(500, R"({"error":{"message":"the script ran out"}})");
        }
        if (!violation.isEmpty()) {
            reply(socket, 400, "application/json",
                  QJsonDocument(QJsonObject {{QStringLiteral("error"),
                                              QJsonObject {{QStringLiteral("message"), violation}}}})
                      .toJson(QJsonDocument::Compact));
            return;
        }
        if (request.method == "GET") {
            listModels(socket, request);
            return;
        }
        respond(socket, request, answer);
    }

    // The documented shape of each endpoint's request.
    bool requireKey() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requireKey;
    }

    static QString check(const LlmRequest &request, bool requireKey)
    {
        const QJsonObject &body = request.body;
        const QByteArray path = request.path;
        if (request.method == "GET")
            return path == "/api/tags" || path == "/v1/models" ? QString()
                                                               : QStringLiteral("unknown endpoint");
        if (path != "/api/chat" && request.headers.value("content-type") != "application/json")
            return QStringLiteral("Content-Type is not application/json");
        if (!body.value(QLatin1String("model")).isString() || body.value(QLatin1String("model")).toString().isEmpty())
            return QStringLiteral("model is missing");
        if (body.contains(QLatin1String("temperature")))
            return QStringLiteral("temperature is sent");
        const auto bearer = [&request, requireKey]() -> QString {
            if (!requireKey && !request.headers.contains("authorization"))
                return {};
            if (!request.headers.value("authorization").startsWith("Bearer ")
                || request.headers.value("authorization").size() <= 7)
                return QStringLiteral("no Authorization: Bearer header");
            return {};
        };
        if (path == "/v1/chat/completions") {
            if (const QString problem = bearer(); !problem.isEmpty())
                return problem;
            const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
            if (messages.isEmpty())
                return QStringLiteral("messages is empty");
            for (const QJsonValue &message : messages) {
                const QString role = message.toObject().value(QLatin1String("role")).toString();
                if (!QStringList {QStringLiteral("system"), QStringLiteral("user"),
                                  QStringLiteral("assistant"), QStringLiteral("tool"),
                                  QStringLiteral("developer")}
                         .contains(role))
                    return QStringLiteral("a message has role \"%1\"").arg(role);
                if (role == QLatin1String("tool")
                    && !message.toObject().value(QLatin1String("tool_call_id")).isString())
                    return QStringLiteral("a tool message has no tool_call_id");
            }
            if (body.contains(QLatin1String("max_tokens")) && !body.value(QLatin1String("max_tokens")).isDouble())
                return QStringLiteral("max_tokens is not a number");
            if (body.contains(QLatin1String("stream_options")) && !request.streamed())
                return QStringLiteral("stream_options without stream");
            for (const QJsonValue &tool : body.value(QLatin1String("tools")).toArray()) {
                if (tool.toObject().value(QLatin1String("type")) != QLatin1String("function")
                    || !tool.toObject().value(QLatin1String("function")).toObject().value(QLatin1String("name")).isString())
                    return QStringLiteral("a tool is not {type: function, function: {name, ...}}");
            }
            return {};
        }
        if (path == "/v1/responses") {
            if (const QString problem = bearer(); !problem.isEmpty())
                return problem;
            if (!body.value(QLatin1String("input")).isArray())
                return QStringLiteral("input is not a list");
            if (body.value(QLatin1String("store")) != QJsonValue(false))
                return QStringLiteral("store is not false");
            if (!body.value(QLatin1String("max_output_tokens")).isDouble())
                return QStringLiteral("max_output_tokens is missing");
            if (body.contains(QLatin1String("messages")) || body.contains(QLatin1String("max_tokens")))
                return QStringLiteral("chat-completions fields sent to the Responses API");
            for (const QJsonValue &tool : body.value(QLatin1String("tools")).toArray()) {
                if (!tool.toObject().value(QLatin1String("name")).isString()
                    || tool.toObject().contains(QLatin1String("function")))
                    return QStringLiteral("a tool is not flattened {type, name, parameters}");
            }
            return {};
        }
        if (path == "/v1/messages") {
            if (request.headers.value("x-api-key").isEmpty())
                return QStringLiteral("no x-api-key header");
            if (request.headers.value("anthropic-version").isEmpty())
                return QStringLiteral("no anthropic-version header");
            if (request.headers.contains("authorization"))
                return QStringLiteral("an Authorization header is sent to Anthropic");
            if (!body.value(QLatin1String("max_tokens")).isDouble())
                return QStringLiteral("max_tokens is missing");
            const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
            if (messages.isEmpty())
                return QStringLiteral("messages is empty");
            for (const QJsonValue &message : messages) {
                const QString role = message.toObject().value(QLatin1String("role")).toString();
                if (role != QLatin1String("user") && role != QLatin1String("assistant"))
                    return QStringLiteral("a message has role \"%1\"").arg(role);
            }
            if (messages.first().toObject().value(QLatin1String("role")) != QLatin1String("user"))
                return QStringLiteral("the first message is not the user's");
            for (const QJsonValue &tool : body.value(QLatin1String("tools")).toArray()) {
                if (!tool.toObject().value(QLatin1String("input_schema")).isObject())
                    return QStringLiteral("a tool has no input_schema");
            }
            return {};
        }
        if (path == "/api/chat") {
            if (!body.value(QLatin1String("messages")).isArray())
                return QStringLiteral("messages is not a list");
            if (!body.value(QLatin1String("stream")).isBool())
                return QStringLiteral("stream is not given");
            if (body.contains(QLatin1String("tools")))
                return QStringLiteral("tools sent to Ollama");
            return {};
        }
        return QStringLiteral("unknown endpoint");
    }

    void listModels(QTcpSocket *socket, const LlmRequest &request)
    {
        QStringList models;
        {
            QMutexLocker lock(&m_mutex);
            models = m_models;
        }
        QJsonArray list;
        for (const QString &model : std::as_const(models)) {
            if (request.path == "/api/tags")
                list.append(QJsonObject {{QStringLiteral("name"), model},
                                         {QStringLiteral("model"), model},
                                         {QStringLiteral("size"), 1234}});
            else
                list.append(QJsonObject {{QStringLiteral("id"), model},
                                         {QStringLiteral("object"), QStringLiteral("model")}});
        }
        const QJsonObject body = request.path == "/api/tags"
            ? QJsonObject {{QStringLiteral("models"), list}}
            : QJsonObject {{QStringLiteral("object"), QStringLiteral("list")},
                           {QStringLiteral("data"), list}};
        reply(socket, 200, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    static void reply(QTcpSocket *socket, int status, const QByteArray &type,
                      const QByteArray &body, const QByteArray &extra = {})
    {
        LoopbackHttpServer::reply(socket, status, type, body, extra);
    }

    static QJsonArray chatToolCalls(const ScriptedAnswer &answer)
    {
        QJsonArray calls;
        for (const ScriptedToolCall &call : answer.toolCalls)
            calls.append(QJsonObject {{QStringLiteral("id"), call.id},
                                      {QStringLiteral("type"), QStringLiteral("function")},
                                      {QStringLiteral("function"),
                                       QJsonObject {{QStringLiteral("name"), call.name},
                                                    {QStringLiteral("arguments"), call.arguments}}}});
        return calls;
    }

    static QJsonObject responsesObject(const ScriptedAnswer &answer)
    {
        QJsonArray output;
        if (!answer.text.isEmpty())
            output.append(QJsonObject {
                {QStringLiteral("type"), QStringLiteral("message")},
                {QStringLiteral("id"), QStringLiteral("msg_1")},
                {QStringLiteral("status"), QStringLiteral("completed")},
                {QStringLiteral("role"), QStringLiteral("assistant")},
                {QStringLiteral("content"),
                 QJsonArray {QJsonObject {{QStringLiteral("type"), QStringLiteral("output_text")},
                                          {QStringLiteral("text"), answer.text},
                                          {QStringLiteral("annotations"), QJsonArray()}}}}});
        for (const ScriptedToolCall &call : answer.toolCalls)
            output.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("function_call")},
                                       {QStringLiteral("id"), QString(QStringLiteral("fc_") + call.id)},
                                       {QStringLiteral("call_id"), call.id},
                                       {QStringLiteral("name"), call.name},
                                       {QStringLiteral("arguments"), call.arguments},
                                       {QStringLiteral("status"), QStringLiteral("completed")}});
        return {{QStringLiteral("id"), QStringLiteral("resp_1")},
                {QStringLiteral("object"), QStringLiteral("response")},
                {QStringLiteral("status"), QStringLiteral("completed")},
                {QStringLiteral("output"), output},
                {QStringLiteral("usage"),
                 QJsonObject {{QStringLiteral("input_tokens"), answer.promptTokens},
                              {QStringLiteral("output_tokens"), answer.completionTokens}}}};
    }

    static QJsonObject anthropicMessage(const ScriptedAnswer &answer, const QJsonArray &content)
    {
        return {{QStringLiteral("id"), QStringLiteral("msg_1")},
                {QStringLiteral("type"), QStringLiteral("message")},
                {QStringLiteral("role"), QStringLiteral("assistant")},
                {QStringLiteral("model"), QStringLiteral("scripted")},
                {QStringLiteral("content"), content},
                {QStringLiteral("stop_reason"),
                 answer.toolCalls.isEmpty() ? QStringLiteral("end_turn") : QStringLiteral("tool_use")},
                {QStringLiteral("usage"),
                 QJsonObject {{QStringLiteral("input_tokens"), answer.promptTokens},
                              {QStringLiteral("output_tokens"), answer.completionTokens},
                              {QStringLiteral("cache_read_input_tokens"), 0},
                              {QStringLiteral("cache_creation_input_tokens"), 0}}}};
    }

    static QJsonArray anthropicContent(const ScriptedAnswer &answer)
    {
        QJsonArray content;
        if (!answer.text.isEmpty())
            content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("text")},
                                        {QStringLiteral("text"), answer.text}});
        for (const ScriptedToolCall &call : answer.toolCalls)
            content.append(QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                        {QStringLiteral("id"), call.id},
                                        {QStringLiteral("name"), call.name},
                                        {QStringLiteral("input"),
                                         QJsonDocument::fromJson(call.arguments.toUtf8()).object()}});
        return content;
    }

    static QByteArray json(const QJsonObject &object)
    {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }

    // The text in pieces of a few characters, as a model streams it.
    static QStringList pieces(const QString &text)
    {
        QStringList parts;
        for (qsizetype i = 0; i < text.size(); i += 4)
            parts.append(text.mid(i, 4));
        return parts;
    }

    // The events (or lines) of a streamed answer.
    static QList<QByteArray> streamEvents(const LlmRequest &request, const ScriptedAnswer &answer)
    {
        QList<QByteArray> events;
        const auto sse = [&events](const QJsonObject &data, const QByteArray &event = {}) {
            QByteArray block;
            if (!event.isEmpty())
                block += "event: " + event + "\n";
            block += "data: " + json(data) + "\n\n";
            events.append(block);
        };
        if (request.path == "/v1/chat/completions") {
            for (const QString &piece : pieces(answer.text))
                sse({{QStringLiteral("choices"),
                      QJsonArray {QJsonObject {{QStringLiteral("index"), 0},
                                               {QStringLiteral("delta"),
                                                QJsonObject {{QStringLiteral("content"), piece}}}}}}});
            int index = 0;
            for (const ScriptedToolCall &call : answer.toolCalls) {
                const QString half = call.arguments.left(call.arguments.size() / 2);
                const QString rest = call.arguments.mid(half.size());
                sse({{QStringLiteral("choices"),
                      QJsonArray {QJsonObject {
                          {QStringLiteral("index"), 0},
                          {QStringLiteral("delta"),
                           QJsonObject {{QStringLiteral("tool_calls"),
                                         QJsonArray {QJsonObject {
                                             {QStringLiteral("index"), index},
                                             {QStringLiteral("id"), call.id},
                                             {QStringLiteral("type"), QStringLiteral("function")},
                                             {QStringLiteral("function"),
                                              QJsonObject {{QStringLiteral("name"), call.name},
                                                           {QStringLiteral("arguments"), half}}}}}}}}}}}});
                sse({{QStringLiteral("choices"),
                      QJsonArray {QJsonObject {
                          {QStringLiteral("index"), 0},
                          {QStringLiteral("delta"),
                           QJsonObject {{QStringLiteral("tool_calls"),
                                         QJsonArray {QJsonObject {
                                             {QStringLiteral("index"), index},
                                             {QStringLiteral("function"),
                                              QJsonObject {{QStringLiteral("arguments"), rest}}}}}}}}}}}});
                ++index;
            }
            sse({{QStringLiteral("choices"), QJsonArray()},
                 {QStringLiteral("usage"),
                  QJsonObject {{QStringLiteral("prompt_tokens"), answer.promptTokens},
                               {QStringLiteral("completion_tokens"), answer.completionTokens}}}});
            events.append("data: [DONE]\n\n");
        } else if (request.path == "/v1/responses") {
            for (const QString &piece : pieces(answer.text))
                sse({{QStringLiteral("type"), QStringLiteral("response.output_text.delta")},
                     {QStringLiteral("delta"), piece}},
                    "response.output_text.delta");
            sse({{QStringLiteral("type"), QStringLiteral("response.completed")},
                 {QStringLiteral("response"), responsesObject(answer)}},
                "response.completed");
        } else if (request.path == "/v1/messages") {
            QJsonObject start = anthropicMessage(answer, QJsonArray());
            start.insert(QStringLiteral("usage"),
                         QJsonObject {{QStringLiteral("input_tokens"), answer.promptTokens},
                                      {QStringLiteral("output_tokens"), 1}});
            sse({{QStringLiteral("type"), QStringLiteral("message_start")}, {QStringLiteral("message"), start}},
                "message_start");
            int index = 0;
            if (!answer.text.isEmpty()) {
                sse({{QStringLiteral("type"), QStringLiteral("content_block_start")},
                     {QStringLiteral("index"), index},
                     {QStringLiteral("content_block"),
                      QJsonObject {{QStringLiteral("type"), QStringLiteral("text")},
                                   {QStringLiteral("text"), QString()}}}},
                    "content_block_start");
                for (const QString &piece : pieces(answer.text))
                    sse({{QStringLiteral("type"), QStringLiteral("content_block_delta")},
                         {QStringLiteral("index"), index},
                         {QStringLiteral("delta"),
                          QJsonObject {{QStringLiteral("type"), QStringLiteral("text_delta")},
                                       {QStringLiteral("text"), piece}}}},
                        "content_block_delta");
                sse({{QStringLiteral("type"), QStringLiteral("content_block_stop")}, {QStringLiteral("index"), index}},
                    "content_block_stop");
                ++index;
            }
            for (const ScriptedToolCall &call : answer.toolCalls) {
                sse({{QStringLiteral("type"), QStringLiteral("content_block_start")},
                     {QStringLiteral("index"), index},
                     {QStringLiteral("content_block"),
                      QJsonObject {{QStringLiteral("type"), QStringLiteral("tool_use")},
                                   {QStringLiteral("id"), call.id},
                                   {QStringLiteral("name"), call.name},
                                   {QStringLiteral("input"), QJsonObject()}}}},
                    "content_block_start");
                sse({{QStringLiteral("type"), QStringLiteral("content_block_delta")},
                     {QStringLiteral("index"), index},
                     {QStringLiteral("delta"),
                      QJsonObject {{QStringLiteral("type"), QStringLiteral("input_json_delta")},
                                   {QStringLiteral("partial_json"), call.arguments}}}},
                    "content_block_delta");
                sse({{QStringLiteral("type"), QStringLiteral("content_block_stop")}, {QStringLiteral("index"), index}},
                    "content_block_stop");
                ++index;
            }
            sse({{QStringLiteral("type"), QStringLiteral("message_delta")},
                 {QStringLiteral("delta"),
                  QJsonObject {{QStringLiteral("stop_reason"),
                                answer.toolCalls.isEmpty() ? QStringLiteral("end_turn")
                                                           : QStringLiteral("tool_use")}}},
                 {QStringLiteral("usage"), QJsonObject {{QStringLiteral("output_tokens"), answer.completionTokens}}}},
                "message_delta");
            sse({{QStringLiteral("type"), QStringLiteral("message_stop")}}, "message_stop");
        } else if (request.path == "/api/chat") {
            const QString model = request.body.value(QLatin1String("model")).toString();
            for (const QString &piece : pieces(answer.text))
                events.append(json({{QStringLiteral("model"), model},
                                    {QStringLiteral("message"),
                                     QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                                  {QStringLiteral("content"), piece}}},
                                    {QStringLiteral("done"), false}})
                              + "\n");
            events.append(json({{QStringLiteral("model"), model},
                                {QStringLiteral("message"),
                                 QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                              {QStringLiteral("content"), QString()}}},
                                {QStringLiteral("done"), true},
                                {QStringLiteral("prompt_eval_count"), answer.promptTokens},
                                {QStringLiteral("eval_count"), answer.completionTokens}})
                          + "\n");
        }
        return events;
    }

    static QByteArray wholeBody(const LlmRequest &request, const ScriptedAnswer &answer)
    {
        if (request.path == "/v1/chat/completions") {
            QJsonObject message {{QStringLiteral("role"), QStringLiteral("assistant")},
                                 {QStringLiteral("content"),
                                  answer.text.isEmpty() && !answer.toolCalls.isEmpty()
                                      ? QJsonValue(QJsonValue::Null)
                                      : QJsonValue(answer.text)}};
            if (!answer.toolCalls.isEmpty())
                message.insert(QStringLiteral("tool_calls"), chatToolCalls(answer));
            return json({{QStringLiteral("id"), QStringLiteral("chatcmpl-1")},
                         {QStringLiteral("object"), QStringLiteral("chat.completion")},
                         {QStringLiteral("choices"),
                          QJsonArray {QJsonObject {{QStringLiteral("index"), 0},
                                                   {QStringLiteral("message"), message},
                                                   {QStringLiteral("finish_reason"),
                                                    answer.toolCalls.isEmpty() ? QStringLiteral("stop")
                                                                               : QStringLiteral("tool_calls")}}}},
                         {QStringLiteral("usage"),
                          QJsonObject {{QStringLiteral("prompt_tokens"), answer.promptTokens},
                                       {QStringLiteral("completion_tokens"), answer.completionTokens}}}});
        }
        if (request.path == "/v1/responses")
            return json(responsesObject(answer));
        if (request.path == "/v1/messages")
            return json(anthropicMessage(answer, anthropicContent(answer)));
        return json({{QStringLiteral("model"), request.body.value(QLatin1String("model"))},
                     {QStringLiteral("message"),
                      QJsonObject {{QStringLiteral("role"), QStringLiteral("assistant")},
                                   {QStringLiteral("content"), answer.text}}},
                     {QStringLiteral("done"), true},
                     {QStringLiteral("prompt_eval_count"), answer.promptTokens},
                     {QStringLiteral("eval_count"), answer.completionTokens}});
    }

    void respond(QTcpSocket *socket, const LlmRequest &request, const ScriptedAnswer &answer)
    {
        if (answer.hang)
            return;
        if (answer.status != 200) {
            reply(socket, answer.status, "application/json", answer.errorBody,
                  answer.retryAfter.isEmpty() ? QByteArray()
                                              : "Retry-After: " + answer.retryAfter + "\r\n");
            return;
        }
        if (!answer.raw.isEmpty()) {
            reply(socket, 200, request.streamed() ? "text/event-stream" : "application/json", answer.raw);
            return;
        }
        if (!request.streamed()) {
            reply(socket, 200, "application/json", wholeBody(request, answer));
            return;
        }
        QList<QByteArray> events = streamEvents(request, answer);
        if (answer.cutAfterEvents >= 0)
            events = events.mid(0, answer.cutAfterEvents);
        const QByteArray type = request.path == "/api/chat" ? "application/x-ndjson" : "text/event-stream";
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nConnection: close\r\n\r\n");
        if (answer.pieceDelayMs <= 0) {
            for (const QByteArray &event : std::as_const(events))
                socket->write(event);
            socket->disconnectFromHost();
            return;
        }
        // Piece by piece, as a model answers.
        auto remaining = std::make_shared<QList<QByteArray>>(events);
        auto *timer = new QTimer(socket);
        QPointer<QTcpSocket> guarded(socket);
        QObject::connect(timer, &QTimer::timeout, socket, [guarded, remaining, timer] {
            if (!guarded)
                return;
            if (remaining->isEmpty()) {
                timer->stop();
                guarded->disconnectFromHost();
                return;
            }
            guarded->write(remaining->takeFirst());
            guarded->flush();
        });
        timer->start(answer.pieceDelayMs);
    }

    std::unique_ptr<LoopbackHttpServer> m_http;
    QElapsedTimer m_clock;
    mutable QMutex m_mutex;
    QList<ScriptedAnswer> m_script;
    std::function<ScriptedAnswer(const LlmRequest &)> m_fallback;
    QStringList m_models;
    bool m_requireKey = true;
    QList<LlmRequest> m_requests;
    QStringList m_violations;
};

} // namespace Signalbox::Testing
