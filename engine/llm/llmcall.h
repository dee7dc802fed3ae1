// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "llmcatalog.h"

#include "model/result.h"
#include "model/value.h"

#include <QJsonObject>

#include <functional>
#include <memory>
#include <variant>

namespace Signalbox::Engine {
class BlockContext;
}

namespace Signalbox::Engine::Llm {

// A tool call the model asked for (OpenAI chat-completions shape).
struct ToolCall
{
    QString id;
    QString name;
    // The arguments as the model wrote them: JSON text, not checked.
    QString arguments;
};

// One call, as upstream's llm_call takes it.
struct CallRequest
{
    LlmModel model;
    // Chat messages ({role, content, ...}) and, in a tool conversation,
    // whatever earlier turns of this provider's answers held.
    Model::ValueList messages;
    // The user's limit on the answer's length (none: the model's).
    std::optional<qint64> maxTokens;
    bool jsonMode = false;
    // Chat-completions tool objects ({type: function, function: {...}}).
    Model::ValueList tools;
    std::optional<bool> parallelToolCalls;
    // Shorten the conversation to half the context window first.
    bool compress = true;
    // The block's ollama_host (host[:port], a scheme optional).
    QString ollamaHost;
};

// Upstream's LLMResponse: what a call gives back.
struct CallResponse
{
    QString text;
    QList<ToolCall> toolCalls;
    QString reasoning;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    qint64 cacheReadTokens = 0;
    qint64 cacheCreationTokens = 0;
    // What OpenRouter says the call cost, in US dollars.
    std::optional<double> costUsd;
    // The assistant's turn as the provider gave it, to continue the
    // conversation with: one message, or (the Responses API) its items.
    Model::ValueList assistantTurn;
};

// A failed call: `status` is the HTTP status (0 for no answer at all).
struct CallFailure
{
    int status = 0;
    QString message;
    bool timedOut = false;
    bool cancelled = false;
};

// What calls add to a node execution's stats, with upstream's names
// (input_token_count, output_token_count, ...).
class CallStats
{
public:
    void add(const QString &name, qint64 amount) { m_counts[name] += amount; }
    void addCost(double usd) { m_costUsd = m_costUsd.value_or(0) + usd; }
    void record(const CallResponse &response);
    qint64 count(const QString &name) const { return m_counts.value(name); }
    std::optional<double> costUsd() const { return m_costUsd; }
    QJsonObject toJson() const;

private:
    QMap<QString, qint64> m_counts;
    std::optional<double> m_costUsd;
};

// How the block's context is asked for what a call needs.
struct CallEnvironment
{
    const Catalog *catalog = nullptr;
    // The API key of the credentials the node chose (empty for none).
    QString apiKey;
    bool stream = true;
    // Called with the answer's text so far while it streams in.
    std::function<void(const QString &)> onText;
    // Attempts after the first on 408, 409, 429 and 5xx, as the SDKs make.
    int httpRetries = 2;
    // Per request, as upstream's newest code sets it.
    int timeoutMs = 120000;
};

// Tokens in `text` as Signalbox estimates them for budgets and compaction:
// one per four bytes of UTF-8, at least one per word.
qint64 estimateTokens(const QString &text);
qint64 estimateMessageTokens(const Model::ValueList &messages);

// Upstream's truncation-only compaction to half the context window: keeps
// the leading system message, the last 15 others and "[Main Objective
// Prompt]" messages whole; shortens the longest of the rest in the middle,
// then drops the oldest.
Model::ValueList compactMessages(const Model::ValueList &messages, qint64 budgetTokens);

// The HTTP request a call becomes for `provider`.
Result<HttpRequest> buildRequest(const Provider &provider, const CallRequest &request,
                                 const QString &apiKey, qint64 maxTokens, bool stream);
// Reads a whole (not streamed) answer.
Result<CallResponse> parseResponse(const Provider &provider, const QByteArray &body);

// Assembles a streamed answer piece by piece.
class StreamDecoder
{
public:
    explicit StreamDecoder(Wire wire);
    ~StreamDecoder();
    // Feeds more of the body. Returns false once the stream is malformed.
    bool feed(QByteArrayView piece);
    // The answer's text so far, and its length.
    QString text() const;
    qsizetype textSize() const;
    // The whole answer, once the stream ended properly.
    Result<CallResponse> finish(const Provider &provider);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// Upstream's llm_call: compaction, the answer's token budget, the request,
// retries on 408/409/429/5xx honouring Retry-After, streaming, stopping with
// the run. Stats of every attempt go into `stats`.
std::variant<CallResponse, CallFailure> call(BlockContext &context, const CallRequest &request,
                                             const CallEnvironment &environment,
                                             CallStats &stats);

// How long a Retry-After (or retry-after-ms) header asks to wait, in ms.
std::optional<qint64> retryAfterMs(const HttpResponse &response);

} // namespace Signalbox::Engine::Llm
