// SPDX-License-Identifier: GPL-3.0-or-later
// Each provider's wire format: the request a call becomes, and its answer,
// whole or streamed.
#include "llmcall.h"
#include "llmvalues.h"

namespace Signalbox::Engine::Llm {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;

namespace {

QUrl joined(const QUrl &base, const QString &path)
{
    QUrl url = base;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + path);
    return url;
}

// http://host:port for an ollama_host of "host", "host:port" or a URL.
QUrl ollamaUrl(const QString &host)
{
    QString text = host.trimmed();
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("http://"));
    QUrl url(text);
    if (url.port() < 0)
        url.setPort(11434);
    return url;
}

// Chat-completions tools as the Responses API takes them.
ValueList flattenedTools(const ValueList &tools)
{
    ValueList flat;
    for (const Value &tool : tools) {
        const Value function = field(tool, "function");
        ValueMap item;
        item.insert(QStringLiteral("type"), QStringLiteral("function"));
        item.insert(QStringLiteral("name"), field(function, "name"));
        item.insert(QStringLiteral("description"), field(function, "description"));
        item.insert(QStringLiteral("parameters"), field(function, "parameters"));
        if (function.toMap().contains(QLatin1String("strict")))
            item.insert(QStringLiteral("strict"), field(function, "strict"));
        flat.append(item);
    }
    return flat;
}

// Chat-completions tools as Anthropic takes them, the last one cached.
ValueList anthropicTools(const ValueList &tools)
{
    ValueList converted;
    for (const Value &tool : tools) {
        const Value function = field(tool, "function");
        const Value parameters = field(function, "parameters");
        ValueMap schema;
        schema.insert(QStringLiteral("type"), QStringLiteral("object"));
        schema.insert(QStringLiteral("properties"),
                      parameters.toMap().value(QLatin1String("properties")).isMap()
                          ? field(parameters, "properties")
                          : Value(ValueMap()));
        schema.insert(QStringLiteral("required"),
                      parameters.toMap().value(QLatin1String("required")).isArray()
                          ? field(parameters, "required")
                          : Value(ValueList()));
        ValueMap item;
        item.insert(QStringLiteral("name"), field(function, "name"));
        item.insert(QStringLiteral("description"), field(function, "description"));
        item.insert(QStringLiteral("input_schema"), schema);
        converted.append(item);
    }
    if (!converted.isEmpty()) {
        ValueMap last = converted.last().toMap();
        ValueMap cache;
        cache.insert(QStringLiteral("type"), QStringLiteral("ephemeral"));
        last.insert(QStringLiteral("cache_control"), cache);
        converted[converted.size() - 1] = last;
    }
    return converted;
}

// Anthropic's messages: system text apart, user and assistant turns only,
// consecutive text of one role run together.
std::pair<QString, ValueList> anthropicMessages(const ValueList &messages)
{
    QStringList system;
    ValueList turns;
    for (const Value &message : messages) {
        const QString role = str(message, "role");
        const Value content = field(message, "content");
        if (role == QLatin1String("system")) {
            system.append(content.isString() ? content.toString()
                                             : QString::fromUtf8(Model::toJson(content)));
        } else if (role == QLatin1String("user") || role == QLatin1String("assistant")) {
            if (!turns.isEmpty() && str(turns.last(), "role") == role && content.isString()
                && field(turns.last(), "content").isString()) {
                ValueMap previous = turns.last().toMap();
                previous.insert(QStringLiteral("content"),
                                QString(field(previous, "content").toString() + content.toString()));
                turns[turns.size() - 1] = previous;
            } else {
                ValueMap turn;
                turn.insert(QStringLiteral("role"), role);
                turn.insert(QStringLiteral("content"), content);
                turns.append(turn);
            }
        }
    }
    return {system.join(QLatin1Char(' ')), turns};
}

// Chat messages as Responses API input: a tool's answer becomes a
// function_call_output item; everything else goes as it is.
ValueList responsesInput(const ValueList &messages)
{
    ValueList input;
    for (const Value &message : messages) {
        if (str(message, "role") == QLatin1String("tool")) {
            ValueMap output;
            output.insert(QStringLiteral("type"), QStringLiteral("function_call_output"));
            output.insert(QStringLiteral("call_id"), field(message, "tool_call_id"));
            output.insert(QStringLiteral("output"), field(message, "content"));
            input.append(output);
        } else {
            input.append(message);
        }
    }
    return input;
}

Error wireError(const QString &message)
{
    return makeError(ErrorCode::BadInput, message);
}

QString toolsRefused(const Provider &provider)
{
    return QStringLiteral("%1 does not support tools.").arg(provider.displayName);
}

CallResponse parseChatMessage(const Value &message)
{
    CallResponse response;
    const Value content = field(message, "content");
    response.text = content.isString() ? content.toString() : QString();
    for (const Value &call : field(message, "tool_calls").toArray()) {
        const Value function = field(call, "function");
        const Value arguments = field(function, "arguments");
        response.toolCalls.append({str(call, "id"), str(function, "name"),
                                   arguments.isString()
                                       ? arguments.toString()
                                       : QString::fromUtf8(Model::toJson(arguments))});
    }
    for (const char *key : {"reasoning", "reasoning_content"}) {
        if (field(message, key).isString())
            response.reasoning = str(message, key);
    }
    response.assistantTurn.append(message);
    return response;
}

void readChatUsage(const Value &usage, CallResponse &response)
{
    response.promptTokens = field(usage, "prompt_tokens").toInteger();
    response.completionTokens = field(usage, "completion_tokens").toInteger();
    response.cacheReadTokens = field(field(usage, "prompt_tokens_details"), "cached_tokens").toInteger();
    response.cacheCreationTokens = field(usage, "cache_write_tokens").toInteger();
    const Value cost = field(usage, "cost");
    if (cost.isDouble() || cost.isInteger())
        response.costUsd = cost.toDouble();
}

Result<CallResponse> parseResponsesObject(const Value &object)
{
    CallResponse response;
    QStringList reasoning;
    for (const Value &item : field(object, "output").toArray()) {
        const QString type = str(item, "type");
        if (type == QLatin1String("message")) {
            for (const Value &part : field(item, "content").toArray()) {
                if (str(part, "type") == QLatin1String("output_text"))
                    response.text += str(part, "text");
            }
        } else if (type == QLatin1String("function_call")) {
            response.toolCalls.append(
                {str(item, "call_id"), str(item, "name"), str(item, "arguments")});
        } else if (type == QLatin1String("reasoning")) {
            for (const Value &summary : field(item, "summary").toArray())
                reasoning.append(str(summary, "text"));
        }
        ValueMap kept = item.toMap();
        kept.remove(QStringLiteral("status"));
        response.assistantTurn.append(kept);
    }
    response.reasoning = reasoning.join(QLatin1Char('\n'));
    const Value usage = field(object, "usage");
    response.promptTokens = field(usage, "input_tokens").toInteger();
    response.completionTokens = field(usage, "output_tokens").toInteger();
    return response;
}

Result<CallResponse> parseAnthropicMessage(const Value &message)
{
    const ValueList content = field(message, "content").toArray();
    if (content.isEmpty())
        return wireError(QStringLiteral("No content returned from Anthropic."));
    CallResponse response;
    const Value first = content.first();
    if (str(first, "type") == QLatin1String("text"))
        response.text = str(first, "text");
    else if (str(first, "type") == QLatin1String("tool_use"))
        response.text = str(first, "name");
    bool thinking = false;
    for (const Value &block : content) {
        const QString type = str(block, "type");
        if (type == QLatin1String("tool_use")) {
            response.toolCalls.append({str(block, "id"), str(block, "name"),
                                       QString::fromUtf8(Model::toJson(field(block, "input")))});
        } else if (type == QLatin1String("thinking") && !thinking) {
            response.reasoning = str(block, "thinking");
            thinking = true;
        }
    }
    const Value usage = field(message, "usage");
    response.promptTokens = field(usage, "input_tokens").toInteger();
    response.completionTokens = field(usage, "output_tokens").toInteger();
    response.cacheReadTokens = field(usage, "cache_read_input_tokens").toInteger();
    response.cacheCreationTokens = field(usage, "cache_creation_input_tokens").toInteger();
    response.assistantTurn.append(message);
    return response;
}

Result<Value> parseBody(const QByteArray &body, const QString &source)
{
    return Model::parseJsonValue(body, {}, source);
}

} // namespace

Result<HttpRequest> buildRequest(const Provider &provider, const CallRequest &request,
                                 const QString &apiKey, qint64 maxTokens, bool stream)
{
    HttpRequest http;
    http.method = QByteArrayLiteral("POST");
    http.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    http.headers.append(provider.headers);
    ValueMap body;
    body.insert(QStringLiteral("model"), request.model.value);
    const bool offersTools = !request.tools.isEmpty();
    switch (provider.wire) {
    case Wire::OpenAiResponses: {
        http.url = joined(provider.baseUrl, QStringLiteral("/responses"));
        body.insert(QStringLiteral("input"), responsesInput(request.messages));
        body.insert(QStringLiteral("max_output_tokens"), maxTokens);
        body.insert(QStringLiteral("store"), false);
        if (offersTools) {
            body.insert(QStringLiteral("tools"), flattenedTools(request.tools));
            if (request.parallelToolCalls)
                body.insert(QStringLiteral("parallel_tool_calls"), *request.parallelToolCalls);
        }
        if (request.jsonMode) {
            ValueMap format;
            format.insert(QStringLiteral("type"), QStringLiteral("json_object"));
            ValueMap text;
            text.insert(QStringLiteral("format"), format);
            body.insert(QStringLiteral("text"), text);
        }
        break;
    }
    case Wire::OpenAiChat: {
        if (offersTools && provider.tools == ToolSupport::Refused)
            return wireError(toolsRefused(provider));
        http.url = joined(provider.baseUrl, QStringLiteral("/chat/completions"));
        body.insert(QStringLiteral("messages"), request.messages);
        body.insert(QStringLiteral("max_tokens"), maxTokens);
        if (offersTools && provider.tools == ToolSupport::Supported) {
            body.insert(QStringLiteral("tools"), request.tools);
            if (request.parallelToolCalls)
                body.insert(QStringLiteral("parallel_tool_calls"), *request.parallelToolCalls);
        }
        if (request.jsonMode && provider.jsonMode) {
            ValueMap format;
            format.insert(QStringLiteral("type"), QStringLiteral("json_object"));
            body.insert(QStringLiteral("response_format"), format);
        }
        if (provider.id == QLatin1String("open_router")) {
            ValueMap usage;
            usage.insert(QStringLiteral("include"), true);
            body.insert(QStringLiteral("usage"), usage);
        }
        if (stream) {
            ValueMap options;
            options.insert(QStringLiteral("include_usage"), true);
            body.insert(QStringLiteral("stream_options"), options);
        }
        break;
    }
    case Wire::AnthropicMessages: {
        http.url = joined(provider.baseUrl, QStringLiteral("/v1/messages"));
        const auto [system, turns] = anthropicMessages(request.messages);
        body.insert(QStringLiteral("max_tokens"), maxTokens);
        body.insert(QStringLiteral("messages"), turns);
        if (!system.trimmed().isEmpty()) {
            ValueMap cache;
            cache.insert(QStringLiteral("type"), QStringLiteral("ephemeral"));
            ValueMap block;
            block.insert(QStringLiteral("type"), QStringLiteral("text"));
            block.insert(QStringLiteral("text"), system);
            block.insert(QStringLiteral("cache_control"), cache);
            body.insert(QStringLiteral("system"), ValueList {block});
        }
        if (offersTools)
            body.insert(QStringLiteral("tools"), anthropicTools(request.tools));
        http.headers.append({QByteArrayLiteral("anthropic-version"), QByteArrayLiteral("2023-06-01")});
        if (!apiKey.isEmpty()) {
            http.headers.append({QByteArrayLiteral("x-api-key"), apiKey.toUtf8()});
            http.hostBoundHeaders.insert(QByteArrayLiteral("x-api-key"));
        }
        break;
    }
    case Wire::OllamaChat: {
        if (offersTools)
            return wireError(toolsRefused(provider));
        const QString host = request.ollamaHost.trimmed();
        const bool defaultHost = host.isEmpty() || host == QLatin1String("localhost:11434");
        http.url = joined(defaultHost ? provider.baseUrl : ollamaUrl(host), QStringLiteral("/api/chat"));
        body.insert(QStringLiteral("messages"), request.messages);
        if (request.jsonMode)
            body.insert(QStringLiteral("format"), QStringLiteral("json"));
        ValueMap options;
        options.insert(QStringLiteral("num_predict"), maxTokens);
        body.insert(QStringLiteral("options"), options);
        body.insert(QStringLiteral("stream"), stream);
        break;
    }
    }
    if (provider.wire != Wire::OllamaChat && stream)
        body.insert(QStringLiteral("stream"), true);
    if (provider.wire != Wire::AnthropicMessages && provider.usesKey && !apiKey.isEmpty())
        http.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + apiKey.toUtf8()});
    http.body = Model::toJson(body);
    return http;
}

Result<CallResponse> parseResponse(const Provider &provider, const QByteArray &body)
{
    auto parsed = parseBody(body, QStringLiteral("the answer from %1").arg(provider.displayName));
    if (!parsed)
        return parsed.error();
    const Value &answer = *parsed;
    switch (provider.wire) {
    case Wire::OpenAiResponses:
        return parseResponsesObject(answer);
    case Wire::AnthropicMessages:
        return parseAnthropicMessage(answer);
    case Wire::OllamaChat: {
        CallResponse response;
        const Value message = field(answer, "message");
        response.text = str(message, "content");
        response.promptTokens = field(answer, "prompt_eval_count").toInteger();
        response.completionTokens = field(answer, "eval_count").toInteger();
        response.assistantTurn.append(message);
        return response;
    }
    case Wire::OpenAiChat: {
        const ValueList choices = field(answer, "choices").toArray();
        if (choices.isEmpty())
            return wireError(QStringLiteral("%1 returned empty choices in response")
                                 .arg(provider.baseUrl.toString()));
        CallResponse response = parseChatMessage(field(choices.first(), "message"));
        readChatUsage(field(answer, "usage"), response);
        return response;
    }
    }
    return wireError(QStringLiteral("Unknown wire format"));
}

// --- Streams ---------------------------------------------------------------

struct StreamDecoder::State
{
    Wire wire;
    QByteArray buffer;
    bool done = false;
    bool broken = false;
    QString error;
    QString text;
    // OpenAI chat: the message being assembled; tool calls by index.
    QString reasoning;
    QMap<qint64, ToolCall> calls;
    Value usage;
    // Responses: the final response object. Anthropic: the message.
    Value final;
    ValueMap message;
    ValueList blocks;
    QMap<qint64, QString> partialJson;
    // Ollama: counts from the last line.
    Value last;

    void event(const QByteArray &data);
    void line(const QByteArray &data);
};

StreamDecoder::StreamDecoder(Wire wire)
    : m_state(std::make_unique<State>())
{
    m_state->wire = wire;
}

StreamDecoder::~StreamDecoder() = default;

void StreamDecoder::State::event(const QByteArray &data)
{
    if (data == "[DONE]") {
        done = true;
        return;
    }
    auto parsed = Model::parseJsonValue(data, {}, QStringLiteral("a streamed event"));
    if (!parsed) {
        broken = true;
        error = parsed.error().message;
        return;
    }
    const Value &value = *parsed;
    switch (wire) {
    case Wire::OpenAiChat: {
        if (field(value, "usage").isMap())
            usage = field(value, "usage");
        for (const Value &choice : field(value, "choices").toArray()) {
            const Value delta = field(choice, "delta");
            text += str(delta, "content");
            for (const char *key : {"reasoning", "reasoning_content"})
                reasoning += str(delta, key);
            for (const Value &call : field(delta, "tool_calls").toArray()) {
                ToolCall &assembled = calls[field(call, "index").toInteger()];
                if (!str(call, "id").isEmpty())
                    assembled.id = str(call, "id");
                const Value function = field(call, "function");
                assembled.name += str(function, "name");
                assembled.arguments += str(function, "arguments");
            }
        }
        break;
    }
    case Wire::OpenAiResponses: {
        const QString type = str(value, "type");
        if (type == QLatin1String("response.output_text.delta")) {
            text += str(value, "delta");
        } else if (type == QLatin1String("response.completed")) {
            final = field(value, "response");
            done = true;
        } else if (type == QLatin1String("response.failed") || type == QLatin1String("error")) {
            broken = true;
            const Value problem = type == QLatin1String("error")
                ? value
                : field(field(value, "response"), "error");
            error = str(problem, "message");
        }
        break;
    }
    case Wire::AnthropicMessages: {
        const QString type = str(value, "type");
        if (type == QLatin1String("message_start")) {
            message = field(value, "message").toMap();
        } else if (type == QLatin1String("content_block_start")) {
            blocks.append(field(value, "content_block"));
        } else if (type == QLatin1String("content_block_delta")) {
            const qint64 index = field(value, "index").toInteger();
            const Value delta = field(value, "delta");
            if (index < 0 || index >= blocks.size())
                break;
            ValueMap block = blocks.at(index).toMap();
            const QString deltaType = str(delta, "type");
            if (deltaType == QLatin1String("text_delta")) {
                block.insert(QStringLiteral("text"), QString(str(block, "text") + str(delta, "text")));
                text += str(delta, "text");
            } else if (deltaType == QLatin1String("thinking_delta")) {
                block.insert(QStringLiteral("thinking"),
                             QString(str(block, "thinking") + str(delta, "thinking")));
            } else if (deltaType == QLatin1String("input_json_delta")) {
                partialJson[index] += str(delta, "partial_json");
            }
            blocks[index] = block;
        } else if (type == QLatin1String("content_block_stop")) {
            const qint64 index = field(value, "index").toInteger();
            if (partialJson.contains(index) && index >= 0 && index < blocks.size()) {
                ValueMap block = blocks.at(index).toMap();
                const QString json = partialJson.take(index);
                auto input = Model::parseJsonValue(json.isEmpty() ? QByteArray("{}") : json.toUtf8(),
                                                   {}, QStringLiteral("a tool call's input"));
                block.insert(QStringLiteral("input"), input ? *input : Value(ValueMap()));
                blocks[index] = block;
            }
        } else if (type == QLatin1String("message_delta")) {
            const Value delta = field(value, "delta");
            if (field(delta, "stop_reason").isString())
                message.insert(QStringLiteral("stop_reason"), field(delta, "stop_reason"));
            ValueMap merged = field(message, "usage").toMap();
            const ValueMap more = field(value, "usage").toMap();
            for (auto it = more.begin(); it != more.end(); ++it)
                merged.insert(it.key(), it.value());
            message.insert(QStringLiteral("usage"), merged);
        } else if (type == QLatin1String("message_stop")) {
            message.insert(QStringLiteral("content"), blocks);
            final = message;
            done = true;
        } else if (type == QLatin1String("error")) {
            broken = true;
            error = str(field(value, "error"), "message");
        }
        break;
    }
    case Wire::OllamaChat:
        break;
    }
}

void StreamDecoder::State::line(const QByteArray &data)
{
    if (data.trimmed().isEmpty())
        return;
    auto parsed = Model::parseJsonValue(data, {}, QStringLiteral("a streamed line"));
    if (!parsed) {
        broken = true;
        error = parsed.error().message;
        return;
    }
    if (field(*parsed, "error").isString()) {
        broken = true;
        error = str(*parsed, "error");
        return;
    }
    text += str(field(*parsed, "message"), "content");
    last = *parsed;
    if (field(*parsed, "done").toBool())
        done = true;
}

bool StreamDecoder::feed(QByteArrayView piece)
{
    State &state = *m_state;
    state.buffer.append(piece.data(), piece.size());
    if (state.wire == Wire::OllamaChat) {
        qsizetype end;
        while ((end = state.buffer.indexOf('\n')) >= 0) {
            state.line(state.buffer.left(end));
            state.buffer.remove(0, end + 1);
        }
        return !state.broken;
    }
    // Server-sent events: blocks of lines ended by an empty line.
    if (state.buffer.contains('\r'))
        state.buffer.replace("\r\n", "\n");
    for (;;) {
        const qsizetype end = state.buffer.indexOf("\n\n");
        if (end < 0)
            break;
        const QByteArray block = state.buffer.left(end);
        state.buffer.remove(0, end + 2);
        QByteArray data;
        for (const QByteArray &line : block.split('\n')) {
            if (line.startsWith("data:")) {
                if (!data.isEmpty())
                    data += '\n';
                data += line.mid(5).trimmed();
            }
        }
        if (!data.isEmpty())
            state.event(data);
    }
    return !state.broken;
}

QString StreamDecoder::text() const
{
    return m_state->text;
}

qsizetype StreamDecoder::textSize() const
{
    return m_state->text.size();
}

Result<CallResponse> StreamDecoder::finish(const Provider &provider)
{
    State &state = *m_state;
    if (state.wire == Wire::OllamaChat && !state.buffer.trimmed().isEmpty()) {
        state.line(state.buffer);
        state.buffer.clear();
    }
    if (state.broken)
        return wireError(QStringLiteral("%1 sent a malformed stream: %2")
                             .arg(provider.displayName, state.error));
    if (!state.done)
        return wireError(QStringLiteral("The answer from %1 stopped before it ended")
                             .arg(provider.displayName));
    switch (state.wire) {
    case Wire::OpenAiResponses:
        return parseResponsesObject(state.final);
    case Wire::AnthropicMessages:
        return parseAnthropicMessage(state.final);
    case Wire::OllamaChat: {
        CallResponse response;
        response.text = state.text;
        response.promptTokens = field(state.last, "prompt_eval_count").toInteger();
        response.completionTokens = field(state.last, "eval_count").toInteger();
        ValueMap message;
        message.insert(QStringLiteral("role"), QStringLiteral("assistant"));
        message.insert(QStringLiteral("content"), state.text);
        response.assistantTurn.append(message);
        return response;
    }
    case Wire::OpenAiChat: {
        ValueMap message;
        message.insert(QStringLiteral("role"), QStringLiteral("assistant"));
        message.insert(QStringLiteral("content"),
                       state.text.isEmpty() && !state.calls.isEmpty() ? Value(nullptr)
                                                                      : Value(state.text));
        if (!state.calls.isEmpty()) {
            ValueList calls;
            for (const ToolCall &call : std::as_const(state.calls)) {
                ValueMap function;
                function.insert(QStringLiteral("name"), call.name);
                function.insert(QStringLiteral("arguments"), call.arguments);
                ValueMap item;
                item.insert(QStringLiteral("id"), call.id);
                item.insert(QStringLiteral("type"), QStringLiteral("function"));
                item.insert(QStringLiteral("function"), function);
                calls.append(item);
            }
            message.insert(QStringLiteral("tool_calls"), calls);
        }
        if (!state.reasoning.isEmpty())
            message.insert(QStringLiteral("reasoning"), state.reasoning);
        CallResponse response = parseChatMessage(message);
        readChatUsage(state.usage, response);
        return response;
    }
    }
    return wireError(QStringLiteral("Unknown wire format"));
}

} // namespace Signalbox::Engine::Llm
