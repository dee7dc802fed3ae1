// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "block.h"

#include "engine/llm/llmcall.h"

// What AutoGPT's LLM blocks share: choosing the model and its credentials,
// and the structured-response block the others are built on.
namespace Signalbox::Engine::LlmBlocks {

// The model a node chose and what calling it needs.
struct Setup
{
    Llm::LlmModel model;
    Llm::CallEnvironment environment;
};

// Resolves the node's `model` and `credentials` inputs: the model must be
// known, and the credentials must be for its provider. Answers stream to
// the node's `progressPin`.
Result<Setup> setup(const Model::ValueMap &input, BlockContext &context,
                    const QString &progressPin);

// AIStructuredResponseGeneratorBlock's input.
struct StructuredInput
{
    QString prompt;
    QString sysPrompt;
    Model::ValueMap expectedFormat;
    bool listResult = false;
    bool forceJsonOutput = false;
    Model::ValueList conversationHistory;
    qint64 retry = 3;
    Model::ValueMap promptValues;
    std::optional<qint64> maxTokens;
    bool compress = true;
    QString ollamaHost;

    static StructuredInput fromInput(const Model::ValueMap &input);
};

struct StructuredOutput
{
    // The parsed object or list, or {"response": text} without a format.
    Model::Value response;
    // The messages sent in the last call.
    Model::ValueList prompt;
};

// AIStructuredResponseGeneratorBlock.run: the messages, the format
// instructions, up to `retry` calls with correction prompts. Stats (tokens,
// calls, retries, cost) go into `stats`. `tag` is the output tag's 16 hex
// characters (random when empty).
Result<StructuredOutput> runStructured(const StructuredInput &input, const Setup &setup,
                                       BlockContext &context, Llm::CallStats &stats,
                                       QString tag = {});

// The format instructions and the correction prompt, exactly as upstream
// words them.
QString formatInstructions(const Model::ValueMap &expectedFormat, bool listMode, bool pureJson,
                           const QString &tagStart);
QString invalidResponseFeedback(const QString &error, bool wasParseable, bool listMode,
                                bool pureJson, const QString &tagStart);

// Hands the calls' stats to the node execution, with their cost in credits.
void recordStats(BlockContext &context, const Llm::LlmModel &model, const Llm::CallStats &stats);

// upstream's cleanup of a tool name: characters outside [A-Za-z0-9_-]
// become "_", then lower case.
QString cleanupToolName(const QString &name);
// The tool calls a conversation asked for and has not answered yet, in the
// order asked (each as many times as it waits).
QStringList pendingToolCallIds(const Model::ValueList &conversation);

// Python's str.strip() of each line and lstrip("|"): upstream's trim_prompt.
QString trimPrompt(const QString &text);

} // namespace Signalbox::Engine::LlmBlocks
