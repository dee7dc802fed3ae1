// SPDX-License-Identifier: GPL-3.0-or-later
#include "llmcall.h"

#include "engine/blocks/block.h"

#include <QDateTime>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>

namespace Signalbox::Engine::Llm {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;

namespace {

constexpr qint64 kDefaultMaxOutputTokens = 32768;
constexpr int kTailMessages = 15;
constexpr qint64 kFloorTokens = 128;
const QLatin1StringView kMainObjective("[Main Objective Prompt]: ");

QString contentText(const Value &message)
{
    const Value content = message.toMap().value(QLatin1String("content"));
    return content.isString() ? content.toString() : QString();
}

qint64 messageTokens(const Value &message)
{
    const ValueMap map = message.toMap();
    const Value content = map.value(QLatin1String("content"));
    qint64 tokens = 3 + (map.contains(QLatin1String("name")) ? 1 : 0);
    if (content.isString())
        tokens += estimateTokens(content.toString());
    else if (!content.isUndefined() && !content.isNull())
        tokens += Model::toJson(content).size() / 3;
    for (const char *key : {"tool_calls", "input", "arguments", "output"}) {
        if (map.contains(QLatin1String(key)))
            tokens += Model::toJson(map.value(QLatin1String(key))).size() / 3;
    }
    return tokens;
}

bool isProtected(const Value &message)
{
    return contentText(message).startsWith(kMainObjective);
}

// `text` cut to about `tokens` tokens, its middle replaced by an ellipsis.
QString middleTruncated(const QString &text, qint64 tokens)
{
    const qint64 chars = std::max<qint64>(tokens * 4, 8);
    if (text.size() <= chars)
        return text;
    const qint64 half = chars / 2;
    return text.left(half) + QStringLiteral(" \u2026 ") + text.right(half);
}

Value withContent(const Value &message, const QString &content)
{
    ValueMap map = message.toMap();
    map.insert(QStringLiteral("content"), content);
    return map;
}

qint64 total(const ValueList &messages)
{
    qint64 sum = 0;
    for (const Value &message : messages)
        sum += messageTokens(message);
    return sum;
}

// Caps every message in [from, to) that `allowed` admits at `cap` tokens.
ValueList capped(const ValueList &messages, qint64 from, qint64 to, qint64 cap,
                 const std::function<bool(const Value &)> &allowed)
{
    ValueList result = messages;
    for (qint64 i = from; i < to; ++i) {
        const Value message = result.at(i);
        if (!allowed(message) || !message.toMap().value(QLatin1String("content")).isString())
            continue;
        if (estimateTokens(contentText(message)) > cap)
            result[i] = withContent(message, middleTruncated(contentText(message), cap));
    }
    return result;
}

// The smallest cap down to the floor that is needed for everything to fit.
ValueList fitByCap(const ValueList &messages, qint64 from, qint64 to, qint64 budget,
                   const std::function<bool(const Value &)> &allowed)
{
    qint64 low = kFloorTokens;
    qint64 high = 0;
    for (qint64 i = from; i < to; ++i)
        high = std::max(high, estimateTokens(contentText(messages.at(i))));
    if (high <= low)
        return messages;
    if (total(capped(messages, from, to, low, allowed)) > budget)
        return capped(messages, from, to, low, allowed);
    // The largest cap that fits.
    while (low < high) {
        const qint64 middle = (low + high + 1) / 2;
        if (total(capped(messages, from, to, middle, allowed)) <= budget)
            low = middle;
        else
            high = middle - 1;
    }
    return capped(messages, from, to, low, allowed);
}

QString failureText(const HttpResponse &response)
{
    QString body = QString::fromUtf8(response.body).trimmed();
    if (body.size() > 2000)
        body = body.left(2000) + QStringLiteral("…");
    return QStringLiteral("Error code: %1 - %2").arg(response.status).arg(body);
}

bool retryable(int status)
{
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

} // namespace

qint64 estimateTokens(const QString &text)
{
    if (text.isEmpty())
        return 0;
    const qint64 bytes = text.toUtf8().size();
    const qint64 words = text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts).size();
    return std::max((bytes + 3) / 4, words);
}

qint64 estimateMessageTokens(const ValueList &messages)
{
    return total(messages);
}

ValueList compactMessages(const ValueList &messages, qint64 budgetTokens)
{
    if (total(messages) <= budgetTokens || messages.isEmpty())
        return messages;
    ValueList result = messages;
    const qint64 head = result.first().toMap().value(QLatin1String("role")).toString()
            == QLatin1String("system")
        ? 1
        : 0;
    qint64 tailStart = std::max(head, qint64(result.size()) - kTailMessages);
    // A tool's answer keeps the call it answers.
    while (tailStart > head
           && result.at(tailStart).toMap().value(QLatin1String("role")).toString()
               == QLatin1String("tool"))
        --tailStart;
    const auto unprotected = [](const Value &message) { return !isProtected(message); };

    // Shorten the middle's longest messages.
    result = fitByCap(result, head, tailStart, budgetTokens, unprotected);
    // Drop the oldest of the middle.
    while (total(result) > budgetTokens && tailStart > head) {
        qint64 oldest = head;
        while (oldest < tailStart && isProtected(result.at(oldest)))
            ++oldest;
        if (oldest >= tailStart)
            break;
        result.removeAt(oldest);
        --tailStart;
    }
    // Then the tail, never its last message.
    if (total(result) > budgetTokens)
        result = fitByCap(result, tailStart, result.size() - 1, budgetTokens, unprotected);
    while (total(result) > budgetTokens && tailStart < result.size() - 1) {
        if (isProtected(result.at(tailStart))) {
            ++tailStart;
            continue;
        }
        result.removeAt(tailStart);
    }
    return result;
}

void CallStats::record(const CallResponse &response)
{
    add(QStringLiteral("input_token_count"), response.promptTokens);
    add(QStringLiteral("output_token_count"), response.completionTokens);
    add(QStringLiteral("cache_read_token_count"), response.cacheReadTokens);
    add(QStringLiteral("cache_creation_token_count"), response.cacheCreationTokens);
    if (response.costUsd)
        addCost(*response.costUsd);
}

QJsonObject CallStats::toJson() const
{
    QJsonObject object;
    for (auto it = m_counts.begin(); it != m_counts.end(); ++it)
        object.insert(it.key(), it.value());
    if (m_costUsd) {
        object.insert(QStringLiteral("provider_cost"), *m_costUsd);
        object.insert(QStringLiteral("provider_cost_type"), QStringLiteral("cost_usd"));
    }
    return object;
}

std::optional<qint64> retryAfterMs(const HttpResponse &response)
{
    bool ok = false;
    if (const QByteArray ms = response.header("retry-after-ms"); !ms.isEmpty()) {
        const double value = ms.toDouble(&ok);
        if (ok && value >= 0)
            return qint64(value);
    }
    const QByteArray after = response.header("retry-after").trimmed();
    if (after.isEmpty())
        return std::nullopt;
    const double seconds = after.toDouble(&ok);
    if (ok && seconds >= 0)
        return qint64(seconds * 1000);
    const QDateTime at = QLocale::c().toDateTime(QString::fromLatin1(after).replace(
                                                     QLatin1String(" GMT"), QString()),
                                                 QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (at.isValid()) {
        QDateTime utc = at;
        utc.setTimeSpec(Qt::UTC);
        return std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(utc));
    }
    return std::nullopt;
}

std::variant<CallResponse, CallFailure> call(BlockContext &context, const CallRequest &request,
                                             const CallEnvironment &environment, CallStats &stats)
{
    const Catalog &catalog = environment.catalog ? *environment.catalog : Catalog::builtin();
    const Provider *provider = catalog.provider(request.model.provider);
    if (!provider) {
        return CallFailure {0, QStringLiteral("No provider \"%1\" is configured for model %2")
                                   .arg(request.model.provider, request.model.value)};
    }
    const LlmModel &model = request.model;
    ValueList messages = request.messages;
    if (request.compress)
        messages = compactMessages(messages, model.contextWindow / 2);
    CallRequest sent = request;
    sent.messages = messages;

    const qint64 estimate = estimateMessageTokens(messages);
    const qint64 modelMax = model.maxOutputTokens.value_or(kDefaultMaxOutputTokens);
    const qint64 userMax = request.maxTokens.value_or(0) > 0 ? *request.maxTokens : modelMax;
    const qint64 maxTokens = std::max<qint64>(
        1, std::min({std::max<qint64>(model.contextWindow - estimate, 0), modelMax, userMax}));

    auto http = buildRequest(*provider, sent, environment.apiKey, maxTokens, environment.stream);
    if (!http)
        return CallFailure {0, http.error().message};

    NetworkPolicy policy = context.networkPolicy();
    if (catalog.isTrusted(http->url)) {
        policy.allowLoopback = true;
        policy.allowPrivate = true;
    }
    policy.timeoutMs = environment.timeoutMs;
    policy.maxResponseBytes = std::max<qint64>(policy.maxResponseBytes, 64 * 1024 * 1024);

    for (int attempt = 0;; ++attempt) {
        StreamDecoder decoder(provider->wire);
        bool streaming = false;
        const HttpBodyReceiver receive = [&](int status, QByteArrayView piece) {
            if (status < 200 || status >= 300 || !environment.stream)
                return;
            streaming = true;
            // The text only grows: its length says whether a piece added any.
            const qsizetype before = decoder.textSize();
            decoder.feed(piece);
            if (environment.onText && decoder.textSize() != before)
                environment.onText(decoder.text());
        };
        auto response = sendHttpRequest(*http, policy, [&context] { return context.isCancelled(); },
                                        receive);
        if (!response) {
            CallFailure failure {0, response.error().message};
            failure.cancelled = context.isCancelled();
            failure.timedOut = !failure.cancelled
                && response.error().message.contains(QLatin1String("timed out"));
            if (failure.timedOut)
                failure.message = QStringLiteral("LLM request to %1/%2 exceeded %3s and was cancelled.")
                                      .arg(provider->id, model.value)
                                      .arg(environment.timeoutMs / 1000);
            return failure;
        }
        const int status = response->status;
        if (status >= 200 && status < 300) {
            const bool streamed = environment.stream
                && (streaming || response->contentType.startsWith("text/event-stream")
                    || response->contentType.startsWith("application/x-ndjson"));
            Result<CallResponse> answer = [&]() -> Result<CallResponse> {
                if (!streamed)
                    return parseResponse(*provider, response->body);
                return decoder.finish(*provider);
            }();
            if (!answer)
                return CallFailure {status, answer.error().message};
            stats.record(*answer);
            return *answer;
        }
        if (!retryable(status) || attempt >= environment.httpRetries)
            return CallFailure {status, failureText(*response)};
        // The SDKs' backoff: half a second doubling, a quarter of jitter,
        // unless the server says how long to wait (up to a minute).
        qint64 wait = qint64(500.0 * (1 << attempt)
                             * (1.0 - 0.25 * QRandomGenerator::global()->generateDouble()));
        if (const auto asked = retryAfterMs(*response); asked && *asked <= 60000)
            wait = *asked;
        stats.add(QStringLiteral("llm_http_retry_count"), 1);
        if (!context.sleep(wait)) {
            CallFailure failure {0, QStringLiteral("The request was cancelled: the run was stopped")};
            failure.cancelled = true;
            return failure;
        }
    }
}

} // namespace Signalbox::Engine::Llm
