// SPDX-License-Identifier: GPL-3.0-or-later
// AutoGPT's llm.py blocks: AIStructuredResponseGenerator and the four built
// on it (AITextGenerator, AITextSummarizer, AIConversation, AIListGenerator).
#include "llmblocks.h"

#include "blockinput.h"
#include "blockregistry.h"

#include "engine/llm/llmvalues.h"
#include "engine/template/template.h"

#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;
using Llm::message;

namespace {

const QLatin1StringView kStructured("ed55ac19-356e-4243-a6cb-bc599e9b716f");
const QLatin1StringView kTextGenerator("1f292d4a-41a4-4977-9684-7c8d560b9f91");
const QLatin1StringView kSummarizer("a0a69be1-4528-491c-a85a-a4ab6873e3f0");
const QLatin1StringView kConversation("32a87eab-381e-4dd4-bdb8-4c47151be35a");
const QLatin1StringView kListGenerator("9c0b0450-d199-458b-a731-072189dd6593");

// Python's repr() of a set of strings, in sorted order.
QString pythonSetRepr(QStringList items)
{
    items.sort();
    ValueList list;
    for (const QString &item : std::as_const(items))
        list.append(item);
    const QString text = Model::pythonStr(list);
    return QLatin1Char('{') + text.mid(1, text.size() - 2) + QLatin1Char('}');
}

// json.loads, with Python's wording for the most common failure: text that
// does not start with a JSON value at all.
Result<Value> loadsJson(const QString &text)
{
    const QString trimmed = text.trimmed();
    static const QRegularExpression valueStart(QStringLiteral("^[\\[{\"\\-0-9tfnNI]"));
    if (!valueStart.match(trimmed).hasMatch()) {
        const qsizetype at = text.size() - QString(text).remove(QRegularExpression(QStringLiteral("^\\s+"))).size();
        const QString before = text.left(at);
        const qsizetype line = before.count(QLatin1Char('\n')) + 1;
        const qsizetype column = at - (before.lastIndexOf(QLatin1Char('\n')) + 1) + 1;
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("Expecting value: line %1 column %2 (char %3)")
                             .arg(line)
                             .arg(column)
                             .arg(at));
    }
    return Model::parseJsonValue(text.toUtf8(), {}, QStringLiteral("the answer"));
}

Result<Value> jsonFromResponse(const QString &text, bool pureJson, const QString &tagStart)
{
    if (pureJson) {
        auto whole = loadsJson(text);
        if (whole)
            return whole;
        const qsizetype start = text.indexOf(QLatin1Char('{'));
        const qsizetype end = text.lastIndexOf(QLatin1Char('}'));
        if (start >= 0 && end >= start) {
            if (auto inner = loadsJson(text.mid(start, end - start + 1)))
                return inner;
        }
        return whole.error();
    }
    const qsizetype at = text.indexOf(tagStart);
    if (at < 0)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("Response does not contain the expected %1...</json_output> "
                                        "block.")
                             .arg(tagStart));
    QString after = text.mid(at + tagStart.size());
    if (const qsizetype close = after.lastIndexOf(QLatin1String("</json_output>")); close >= 0)
        after.truncate(close);
    return loadsJson(after.trimmed());
}

// upstream's validate_response for one item.
QString validateItem(const Value &item, const ValueMap &expectedFormat)
{
    if (!item.isMap())
        return QStringLiteral("Expected a dictionary, but got <class '%1'>")
            .arg(Model::pythonTypeName(item));
    QStringList missing;
    const ValueMap map = item.toMap();
    for (auto it = expectedFormat.begin(); it != expectedFormat.end(); ++it) {
        if (!map.contains(it.key()))
            missing.append(it.key().toString());
    }
    if (!missing.isEmpty())
        return QStringLiteral("Missing keys: %1").arg(pythonSetRepr(missing));
    return {};
}

QString randomTag()
{
    const quint64 bits = QRandomGenerator::system()->generate64();
    return QString::number(bits, 16).rightJustified(16, QLatin1Char('0'));
}

std::optional<qint64> optionalInt(const Value &value)
{
    if (value.isInteger())
        return value.toInteger();
    if (value.isDouble())
        return qint64(value.toDouble());
    return std::nullopt;
}

QString stringInput(const ValueMap &input, const char *pin, const QString &fallback = {})
{
    const Value value = in(input, pin);
    if (isNone(value))
        return fallback;
    return value.isString() ? value.toString() : Model::pythonStr(value);
}

// --- The blocks ------------------------------------------------------------

// The text and conversation blocks: one call without a format, its text
// yielded as `response`, then the messages sent as `prompt`.
Result<void> yieldTextAnswer(const LlmBlocks::StructuredInput &structured,
                             const LlmBlocks::Setup &setup, BlockContext &context)
{
    Llm::CallStats stats;
    auto output = LlmBlocks::runStructured(structured, setup, context, stats);
    LlmBlocks::recordStats(context, setup.model, stats);
    if (!output)
        return output.error();
    context.yield(QStringLiteral("response"),
                  output->response.toMap().value(QLatin1String("response")));
    context.yield(QStringLiteral("prompt"), output->prompt);
    return {};
}

Result<void> structuredBlock(const ValueMap &input, BlockContext &context)
{
    auto setup = LlmBlocks::setup(input, context, QStringLiteral("response"));
    if (!setup)
        return setup.error();
    Llm::CallStats stats;
    auto output = LlmBlocks::runStructured(LlmBlocks::StructuredInput::fromInput(input), *setup,
                                           context, stats);
    LlmBlocks::recordStats(context, setup->model, stats);
    if (!output)
        return output.error();
    context.yield(QStringLiteral("response"), output->response);
    context.yield(QStringLiteral("prompt"), output->prompt);
    return {};
}

Result<void> textGeneratorBlock(const ValueMap &input, BlockContext &context)
{
    auto setup = LlmBlocks::setup(input, context, QStringLiteral("response"));
    if (!setup)
        return setup.error();
    LlmBlocks::StructuredInput structured = LlmBlocks::StructuredInput::fromInput(input);
    structured.expectedFormat = {};
    structured.conversationHistory = {};
    structured.listResult = false;
    structured.forceJsonOutput = false;
    structured.compress = true;
    return yieldTextAnswer(structured, *setup, context);
}

Result<void> conversationBlock(const ValueMap &input, BlockContext &context)
{
    const ValueList messages = in(input, "messages").toArray();
    const QString prompt = stringInput(input, "prompt");
    const bool hasMessages = std::any_of(messages.begin(), messages.end(), [](const Value &entry) {
        const Value content = entry.toMap().value(QLatin1String("content"));
        return entry.isMap() && content.isString() && !content.toString().trimmed().isEmpty();
    });
    if (!hasMessages && prompt.trimmed().isEmpty())
        return blockError(QStringLiteral("Cannot call LLM with no messages and no prompt. Provide "
                                         "at least one message or a non-empty prompt."));
    auto setup = LlmBlocks::setup(input, context, QStringLiteral("response"));
    if (!setup)
        return setup.error();
    LlmBlocks::StructuredInput structured;
    structured.prompt = prompt;
    structured.conversationHistory = messages;
    structured.maxTokens = optionalInt(in(input, "max_tokens"));
    structured.ollamaHost = stringInput(input, "ollama_host");
    return yieldTextAnswer(structured, *setup, context);
}

Result<void> listGeneratorBlock(const ValueMap &input, BlockContext &context)
{
    const qint64 maxRetries = optionalInt(in(input, "max_retries")).value_or(3);
    if (maxRetries < 1 || maxRetries > 5)
        return blockError(QStringLiteral("max_retries must be between 1 and 5, not %1").arg(maxRetries));
    auto setup = LlmBlocks::setup(input, context, QStringLiteral("generated_list"));
    if (!setup)
        return setup.error();
    const bool forceJson = in(input, "force_json_output").toBool();
    const QString focus = stringInput(input, "focus");
    const QString sourceData = stringInput(input, "source_data");

    LlmBlocks::StructuredInput structured;
    if (forceJson)
        structured.expectedFormat.insert(QStringLiteral("reasoning"), QStringLiteral("... (optional)"));
    structured.expectedFormat.insert(QStringLiteral("list"),
                                     QStringLiteral("A JSON array containing the generated string values"));
    QString prompt;
    if (!focus.isEmpty())
        prompt = QStringLiteral("Generate a list with the following focus:\n<focus>\n\n%1</focus>").arg(focus);
    else if (!sourceData.isEmpty())
        prompt = QStringLiteral("Extract the main focus of the source data to a list.\ni.e if the "
                                "source data is a news website, the focus would be the news stories "
                                "rather than the social links in the footer.");
    else
        prompt = QStringLiteral("Generate a random list.");
    if (!sourceData.isEmpty())
        prompt += QStringLiteral("\n\nUse the following source data to generate the list "
                                 "from:\n\n<source_data>\n\n%1</source_data>\n\nDo not invent "
                                 "fictional data that is not present in the source data.")
                      .arg(sourceData);
    else
        prompt += QStringLiteral("\n\nInvent the data to generate the list from.");
    structured.prompt = prompt;
    structured.sysPrompt = QStringLiteral(
        "You are a JSON array generator. Your task is to generate a JSON array of string values "
        "based on the user's prompt.\n\nThe 'list' field should contain a JSON array with the "
        "generated string values.\nThe array can contain ONLY strings.\n\nValid JSON array "
        "formats include:\n\u2022 [\"string1\", \"string2\", \"string3\"]\n\nEnsure you provide "
        "a proper JSON array with only string values in the 'list' field.");
    structured.forceJsonOutput = forceJson;
    structured.retry = maxRetries;
    structured.maxTokens = optionalInt(in(input, "max_tokens"));
    structured.ollamaHost = stringInput(input, "ollama_host");

    Llm::CallStats stats;
    auto output = LlmBlocks::runStructured(structured, *setup, context, stats);
    LlmBlocks::recordStats(context, setup->model, stats);
    if (!output)
        return output.error();
    Value list = output->response;
    if (list.isMap() && list.toMap().contains(QLatin1String("list")))
        list = list.toMap().value(QLatin1String("list"));
    if (!list.isArray())
        return blockError(QStringLiteral("Expected a list, but got %1: %2")
                              .arg(Model::pythonTypeName(list), Model::pythonStr(list)));
    context.yield(QStringLiteral("generated_list"), list);
    context.yield(QStringLiteral("prompt"), output->prompt);
    for (const Value &item : list.toArray())
        context.yield(QStringLiteral("list_item"), item);
    return {};
}

// SummaryStyle's str(): the enum member, not its value.
QString styleName(const QString &value)
{
    if (value == QLatin1String("detailed"))
        return QStringLiteral("SummaryStyle.DETAILED");
    if (value == QLatin1String("bullet points"))
        return QStringLiteral("SummaryStyle.BULLET_POINTS");
    if (value == QLatin1String("numbered list"))
        return QStringLiteral("SummaryStyle.NUMBERED_LIST");
    return QStringLiteral("SummaryStyle.CONCISE");
}

QStringList splitWords(QString text, qint64 maxTokens, qint64 overlap)
{
    constexpr qsizetype kMaxTextLength = 1'000'000;
    constexpr qsizetype kMaxChunks = 100;
    if (text.size() > kMaxTextLength)
        text.truncate(kMaxTextLength);
    const qint64 step = std::max<qint64>(1, maxTokens - overlap);
    const QStringList words = text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    QStringList chunks;
    for (qint64 i = 0; i < words.size(); i += step) {
        if (chunks.size() >= kMaxChunks)
            break;
        chunks.append(words.mid(i, maxTokens).join(QLatin1Char(' ')));
    }
    return chunks;
}

struct Summary
{
    QString text;
    ValueList prompt;
};

// One inner structured call whose `key` must hold a string.
Result<Summary> summaryCall(const QString &prompt, const QString &key, const QString &description,
                            const QString &what, const LlmBlocks::Setup &setup,
                            BlockContext &context, Llm::CallStats &stats)
{
    LlmBlocks::StructuredInput structured;
    structured.prompt = prompt;
    structured.expectedFormat.insert(key, description);
    auto output = LlmBlocks::runStructured(structured, setup, context, stats);
    if (!output)
        return output.error();
    const Value value = output->response.toMap().value(key);
    if (!value.isString()) {
        QString received = QString::fromUtf8(Model::toJson(value));
        if (received.size() > 500)
            received = received.left(500) + QStringLiteral("...");
        return blockError(QStringLiteral("LLM generation failed: Expected a string %1, but "
                                         "received %2. The language model incorrectly formatted "
                                         "its response. Received value: %3")
                              .arg(what, Model::pythonTypeName(value), received));
    }
    return Summary {value.toString(), output->prompt};
}

Result<Summary> summarize(const QString &text, const QString &focus, const QString &style,
                          qint64 maxTokens, qint64 overlap, const LlmBlocks::Setup &setup,
                          BlockContext &context, Llm::CallStats &stats)
{
    QStringList summaries;
    ValueList lastPrompt;
    for (const QString &chunk : splitWords(text, maxTokens, overlap)) {
        auto summary = summaryCall(
            QStringLiteral("Summarize the following text in a %1 form. Focus your summary on the "
                           "topic of `%2` if present, otherwise just provide a general summary:"
                           "\n\n```%3```")
                .arg(styleName(style), focus, chunk),
            QStringLiteral("summary"), QStringLiteral("The summary of the given text."),
            QStringLiteral("summary"), setup, context, stats);
        if (!summary)
            return summary.error();
        summaries.append(summary->text);
        lastPrompt = summary->prompt;
    }
    const QString combined = summaries.join(QStringLiteral("\n\n"));
    const qsizetype words = combined.split(QRegularExpression(QStringLiteral("\\s+")),
                                           Qt::SkipEmptyParts)
                                .size();
    if (words <= maxTokens) {
        return summaryCall(QStringLiteral("Provide a final summary of the following section "
                                          "summaries in a %1 form, focus your summary on the "
                                          "topic of `%2` if present:\n\n ```%3```\n\n Just respond "
                                          "with the final_summary in the format specified.")
                               .arg(styleName(style), focus, combined),
                           QStringLiteral("final_summary"),
                           QStringLiteral("The final summary of all provided summaries."),
                           QStringLiteral("final summary"), setup, context, stats);
    }
    // Still too long: a new summarizer with the default focus and style,
    // whose stats and prompt upstream does not keep.
    Llm::CallStats dropped;
    auto again = summarize(combined, QStringLiteral("general information"),
                           QStringLiteral("concise"), maxTokens, overlap, setup, context, dropped);
    if (!again)
        return again.error();
    return Summary {again->text, lastPrompt};
}

Result<void> summarizerBlock(const ValueMap &input, BlockContext &context)
{
    auto setup = LlmBlocks::setup(input, context, QStringLiteral("summary"));
    if (!setup)
        return setup.error();
    const qint64 maxTokens = optionalInt(in(input, "max_tokens")).value_or(4096);
    const qint64 overlap = optionalInt(in(input, "chunk_overlap")).value_or(100);
    if (maxTokens < 1)
        return blockError(QStringLiteral("max_tokens must be at least 1"));
    if (overlap < 0)
        return blockError(QStringLiteral("chunk_overlap must not be negative"));
    Llm::CallStats stats;
    auto summary = summarize(stringInput(input, "text"),
                             stringInput(input, "focus", QStringLiteral("general information")),
                             stringInput(input, "style", QStringLiteral("concise")), maxTokens,
                             overlap, *setup, context, stats);
    LlmBlocks::recordStats(context, setup->model, stats);
    if (!summary)
        return summary.error();
    context.yield(QStringLiteral("summary"), summary->text);
    context.yield(QStringLiteral("prompt"), summary->prompt);
    return {};
}

} // namespace

namespace LlmBlocks {

QString trimPrompt(const QString &text)
{
    QStringList lines = text.trimmed().split(QLatin1Char('\n'));
    for (QString &line : lines) {
        line = line.trimmed();
        qsizetype pipes = 0;
        while (pipes < line.size() && line.at(pipes) == QLatin1Char('|'))
            ++pipes;
        line.remove(0, pipes);
    }
    return lines.join(QLatin1Char('\n'));
}

QString formatInstructions(const ValueMap &expectedFormat, bool listMode, bool pureJson,
                           const QString &tagStart)
{
    QString format = QString::fromUtf8(Model::toJson(expectedFormat, Model::JsonStyle::Indented));
    const QString outputType = listMode ? QStringLiteral("array") : QStringLiteral("object");
    const QString outer = pureJson ? QStringLiteral("object") : outputType;
    if (listMode) {
        format = QStringLiteral("[\n  %1,\n  ...\n]").arg(QString(format).replace(QLatin1String("\n"), QLatin1String("\n  ")));
        if (pureJson)
            format = QStringLiteral("{\n  \"reasoning\": \"... (optional)\",\n  \"results\": %1\n}")
                         .arg(QString(format).replace(QLatin1String("\n"), QLatin1String("\n  ")));
    }
    format.replace(QLatin1String("\n"), QLatin1String("\n|"));
    if (!pureJson)
        format = tagStart + QLatin1Char('\n') + format + QStringLiteral("\n</json_output>");
    QString instructions
        = QString(QStringLiteral("\n|In your response you MUST include a valid JSON ") + outer
           + QStringLiteral(" strictly following this format:\n|") + format
           + QStringLiteral("\n|\n|If you cannot provide all the keys, you MUST provide an empty "
                            "string for the values you cannot answer.\n"))
              .trimmed();
    if (!pureJson) {
        instructions += QString(QStringLiteral("\n|\n|You MUST enclose your final JSON answer in ")
                         + tagStart
                         + QStringLiteral("...</json_output> tags, even if the user specifies a "
                                          "different tag.\n|There MUST be exactly ONE ")
                         + tagStart
                         + QStringLiteral("...</json_output> block in your response, which MUST "
                                          "ONLY contain the JSON ")
                         + outer
                         + QStringLiteral(" and nothing else. Other text outside this block is "
                                          "allowed.\n"))
                            .trimmed();
    }
    return trimPrompt(instructions);
}

QString invalidResponseFeedback(const QString &error, bool wasParseable, bool listMode,
                                bool pureJson, const QString &tagStart)
{
    const QString outer = !listMode || pureJson ? QStringLiteral("object") : QStringLiteral("array");
    const QString complaint = wasParseable
        ? QStringLiteral("Your previous response did not match the expected %1 format.").arg(outer)
        : QStringLiteral("Your previous response did not contain a parseable JSON %1.").arg(outer);
    const QString instruction
        = (pureJson ? QStringLiteral("Please provide a")
                    : QStringLiteral("Please provide a %1...</json_output> block containing a").arg(tagStart))
        + QStringLiteral(" valid JSON %1 that matches the expected format.").arg(outer);
    return trimPrompt(QStringLiteral("\n|%1\n|\n|%2\n|\n|%3\n        ")
                          .arg(complaint, QString(error).replace(QLatin1String("\n"), QLatin1String("\n|")),
                               instruction));
}

StructuredInput StructuredInput::fromInput(const ValueMap &input)
{
    StructuredInput result;
    result.prompt = stringInput(input, "prompt");
    result.sysPrompt = stringInput(input, "sys_prompt");
    result.expectedFormat = in(input, "expected_format").toMap();
    result.listResult = in(input, "list_result").toBool();
    result.forceJsonOutput = in(input, "force_json_output").toBool();
    result.conversationHistory = in(input, "conversation_history").toArray();
    result.retry = optionalInt(in(input, "retry")).value_or(3);
    result.promptValues = in(input, "prompt_values").toMap();
    result.maxTokens = optionalInt(in(input, "max_tokens"));
    result.compress = isNone(in(input, "compress_prompt_to_fit"))
        || in(input, "compress_prompt_to_fit").toBool();
    result.ollamaHost = stringInput(input, "ollama_host");
    return result;
}

Result<Setup> setup(const ValueMap &input, BlockContext &context, const QString &progressPin)
{
    const Llm::Catalog &catalog = context.llmCatalog();
    const QString value = stringInput(input, "model", catalog.defaultModel());
    const Llm::LlmModel *model = catalog.resolve(value);
    if (!model)
        return blockError(QStringLiteral("Unknown model \"%1\": add it in Settings → Models or "
                                         "with `signalbox models add`")
                              .arg(value));
    const Llm::Provider *provider = catalog.provider(model->provider);
    if (!provider)
        return blockError(QStringLiteral("Model %1 needs the provider \"%2\", which is not "
                                         "configured")
                              .arg(model->value, model->provider));
    Setup result;
    result.model = *model;
    const Value meta = in(input, "credentials");
    if (meta.isMap() && !meta.toMap().value(QLatin1String("id")).toString().isEmpty()) {
        auto credentials = context.credentials(meta);
        if (!credentials)
            return credentials.error();
        const Credential &credential = credentials->first;
        if (credential.provider != model->provider)
            return blockError(QStringLiteral("Credentials #%1 are for %2, but model %3 is served "
                                             "by %4")
                                  .arg(credential.id, credential.provider, model->value,
                                       model->provider));
        result.environment.apiKey = credentials->second.apiKey;
    } else if (provider->usesKey) {
        return blockError(QStringLiteral("Model %1 needs %2 credentials: choose them in the "
                                         "node's credentials input")
                              .arg(model->value, provider->displayName));
    }
    result.environment.catalog = &catalog;
    result.environment.stream = context.streamAnswers();
    result.environment.onText = [&context, progressPin](const QString &text) {
        context.progress(progressPin, text);
    };
    return result;
}

Result<StructuredOutput> runStructured(const StructuredInput &input, const Setup &setup,
                                       BlockContext &context, Llm::CallStats &stats, QString tag)
{
    ValueList prompt;
    for (const Value &entry : input.conversationHistory) {
        if (entry.isMap() && Model::pythonTruthy(entry))
            prompt.append(entry);
    }
    QString userPrompt = input.prompt;
    QString sysPrompt = input.sysPrompt;
    if (!input.promptValues.isEmpty()) {
        auto renderedPrompt = renderTemplate(userPrompt, input.promptValues);
        if (!renderedPrompt)
            return renderedPrompt.error();
        auto renderedSys = renderTemplate(sysPrompt, input.promptValues);
        if (!renderedSys)
            return renderedSys.error();
        userPrompt = *renderedPrompt;
        sysPrompt = *renderedSys;
    }
    if (!sysPrompt.isEmpty())
        prompt.append(message(QStringLiteral("system"), sysPrompt));
    if (tag.isEmpty())
        tag = randomTag();
    const QString tagStart = QStringLiteral("<json_output id=\"%1\">").arg(tag);
    const bool hasFormat = !input.expectedFormat.isEmpty();
    if (hasFormat)
        prompt.append(message(QStringLiteral("system"),
                              formatInstructions(input.expectedFormat, input.listResult,
                                                 input.forceJsonOutput, tagStart)));
    if (!userPrompt.isEmpty())
        prompt.append(message(QStringLiteral("user"), userPrompt));

    Llm::CallRequest request;
    request.model = setup.model;
    request.jsonMode = input.forceJsonOutput && hasFormat;
    request.compress = input.compress;
    request.ollamaHost = input.ollamaHost;
    std::optional<qint64> maxTokens = input.maxTokens;

    QString feedback;
    for (qint64 attempt = 0; attempt < input.retry; ++attempt) {
        request.messages = prompt;
        request.maxTokens = maxTokens;
        auto answer = Llm::call(context, request, setup.environment, stats);
        if (const auto *failure = std::get_if<Llm::CallFailure>(&answer)) {
            if (failure->cancelled)
                return blockError(failure->message);
            feedback = QStringLiteral("Error calling LLM: %1").arg(failure->message);
            const int status = failure->status;
            if (status == 401 || status == 403 || status == 429 || failure->timedOut)
                break;
            const QString lower = failure->message.toLower();
            if (lower.contains(QLatin1String("maximum context length"))
                || lower.contains(QLatin1String("token limit"))) {
                const qint64 base = maxTokens.value_or(setup.model.maxOutputTokens.value_or(4096));
                maxTokens = qint64(double(base) * 0.85);
            }
            continue;
        }
        const Llm::CallResponse &response = std::get<Llm::CallResponse>(answer);
        const auto succeed = [&](const Value &value) {
            stats.add(QStringLiteral("llm_call_count"), attempt + 1);
            stats.add(QStringLiteral("llm_retry_count"), attempt);
            return StructuredOutput {value, prompt};
        };
        if (!hasFormat) {
            ValueMap wrapped;
            wrapped.insert(QStringLiteral("response"), response.text);
            return succeed(wrapped);
        }
        auto parsed = jsonFromResponse(response.text, input.forceJsonOutput, tagStart);
        if (!parsed) {
            prompt.append(message(QStringLiteral("assistant"), response.text));
            feedback = invalidResponseFeedback(parsed.error().message, false, input.listResult,
                                               input.forceJsonOutput, tagStart);
            prompt.append(message(QStringLiteral("user"), feedback));
            continue;
        }
        Value result = *parsed;
        if (input.listResult && result.isMap()) {
            const Value results = result.toMap().value(QLatin1String("results"));
            if (results.isArray()) {
                result = results;
            } else {
                feedback = QStringLiteral("Expected an array of objects in the 'results' key, but "
                                          "got: %1")
                               .arg(Model::pythonStr(result));
                prompt.append(message(QStringLiteral("assistant"), response.text));
                prompt.append(message(QStringLiteral("user"), feedback));
                continue;
            }
        }
        QStringList errors;
        const ValueList items = result.isArray() ? result.toArray() : ValueList {result};
        for (const Value &item : items) {
            if (const QString error = validateItem(item, input.expectedFormat); !error.isEmpty())
                errors.append(error);
        }
        if (errors.isEmpty())
            return succeed(result);
        prompt.append(message(QStringLiteral("assistant"), response.text));
        feedback = invalidResponseFeedback(errors.join(QLatin1Char('\n')), true, input.listResult,
                                           input.forceJsonOutput, tagStart);
        prompt.append(message(QStringLiteral("user"), feedback));
    }
    return blockError(feedback);
}

void recordStats(BlockContext &context, const Llm::LlmModel &model, const Llm::CallStats &stats)
{
    QJsonObject json = stats.toJson();
    qint64 credits = Llm::tokenCredits(model, stats.count(QStringLiteral("input_token_count")),
                                       stats.count(QStringLiteral("output_token_count")),
                                       stats.count(QStringLiteral("cache_read_token_count")),
                                       stats.count(QStringLiteral("cache_creation_token_count")));
    // OpenRouter reports what a call cost: 150 credits per dollar.
    if (stats.costUsd())
        credits += qint64(std::ceil(*stats.costUsd() * 150.0));
    json.insert(QStringLiteral("cost"), credits);
    context.mergeStats(json);
}

} // namespace LlmBlocks

void registerLlmBlocks(BlockRegistry &registry)
{
    registry.add(kStructured, structuredBlock);
    registry.add(kTextGenerator, textGeneratorBlock);
    registry.add(kSummarizer, summarizerBlock);
    registry.add(kConversation, conversationBlock);
    registry.add(kListGenerator, listGeneratorBlock);
}

} // namespace Signalbox::Engine
