// SPDX-License-Identifier: GPL-3.0-or-later
// Basic blocks: values, console, notes, graph inputs and outputs, type
// conversion, counting and iterating.
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"
#include "typeconversion.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

constexpr qsizetype kMaxStepItems = 10000;
constexpr qsizetype kMaxStepStringBytes = 1024 * 1024;

Result<void> storeValue(const ValueMap &input, BlockContext &context)
{
    const Value data = in(input, "data");
    context.yield(QStringLiteral("output"), Model::pythonTruthy(data) ? data : in(input, "input"));
    return {};
}

Result<void> printToConsole(const ValueMap &input, BlockContext &context)
{
    context.yield(QStringLiteral("output"), in(input, "text"));
    context.yield(QStringLiteral("status"), QStringLiteral("printed"));
    return {};
}

Result<void> note(const ValueMap &input, BlockContext &context)
{
    context.yield(QStringLiteral("output"), in(input, "text"));
    return {};
}

// AgentInputBlock and its subtypes: the value, if there is one.
Result<void> agentInput(const ValueMap &input, BlockContext &context)
{
    const Value value = in(input, "value");
    if (!value.isNull() && !value.isUndefined())
        context.yield(QStringLiteral("result"), value);
    return {};
}

Result<void> agentTableInput(const ValueMap &input, BlockContext &context)
{
    const Value value = in(input, "value");
    context.yield(QStringLiteral("result"),
                  value.isNull() || value.isUndefined() ? Value(ValueList()) : value);
    return {};
}

Result<void> universalTypeConverter(const ValueMap &input, BlockContext &context)
{
    static const QHash<QString, Model::PinType> types = {
        {QStringLiteral("string"), Model::PinType::String},
        {QStringLiteral("number"), Model::PinType::Number},
        {QStringLiteral("boolean"), Model::PinType::Boolean},
        {QStringLiteral("list"), Model::PinType::List},
        {QStringLiteral("dictionary"), Model::PinType::Object},
    };
    const QString type = in(input, "type").toString();
    if (!types.contains(type)) {
        context.yield(QStringLiteral("error"),
                      QStringLiteral("Failed to convert value: unknown type %1").arg(type));
        return {};
    }
    context.yield(QStringLiteral("value"), convertToPinType(in(input, "value"), types.value(type)));
    return {};
}

Result<void> reverseListOrder(const ValueMap &input, BlockContext &context)
{
    const ValueList list = in(input, "input_list").toArray();
    ValueList reversed;
    for (qsizetype i = list.size() - 1; i >= 0; --i)
        reversed.append(list.at(i));
    context.yield(QStringLiteral("reversed_list"), reversed);
    return {};
}

Result<void> countItems(const ValueMap &input, BlockContext &context)
{
    const Value collection = in(input, "collection");
    qint64 count = -1;
    if (collection.isString())
        count = collection.toString().toUcs4().size(); // code points
    else if (collection.isArray())
        count = collection.toArray().size();
    else if (collection.isMap())
        count = collection.toMap().size();
    context.yield(QStringLiteral("count"), count);
    return {};
}

Result<void> stepThroughItems(const ValueMap &input, BlockContext &context)
{
    for (const char *source : {"items", "items_object", "items_str"}) {
        Value data = in(input, source);
        if (!Model::pythonTruthy(data))
            continue;
        if (data.isString()) {
            const QByteArray text = data.toString().toUtf8();
            if (text.size() > kMaxStepStringBytes)
                return blockError(QStringLiteral("Input too large: %1 bytes").arg(text.size()));
            auto parsed
                = Model::parseJsonValue(text, Model::JsonLimits {}, QStringLiteral("items_str"));
            if (!parsed)
                return blockError(parsed.error().message);
            data = *parsed;
        }
        if (data.isMap()) {
            const ValueMap map = data.toMap();
            if (map.size() > kMaxStepItems)
                return blockError(QStringLiteral("Too many items: %1. Maximum allowed is %2.")
                                      .arg(map.size())
                                      .arg(kMaxStepItems));
            for (auto it = map.begin(); it != map.end(); ++it) {
                if (context.isCancelled())
                    return {};
                context.yield(QStringLiteral("item"), it.value());
                context.yield(QStringLiteral("key"), it.key());
            }
        } else if (data.isArray()) {
            const ValueList list = data.toArray();
            if (list.size() > kMaxStepItems)
                return blockError(QStringLiteral("Too many items: %1. Maximum allowed is %2.")
                                      .arg(list.size())
                                      .arg(kMaxStepItems));
            for (qsizetype i = 0; i < list.size(); ++i) {
                if (context.isCancelled())
                    return {};
                context.yield(QStringLiteral("item"), list.at(i));
                context.yield(QStringLiteral("key"), qint64(i));
            }
        } else if (data.isString()) {
            // A JSON string iterates its characters.
            const QList<uint> codePoints = data.toString().toUcs4();
            for (qsizetype i = 0; i < codePoints.size(); ++i) {
                const char32_t point = codePoints.at(i);
                context.yield(QStringLiteral("item"), QString::fromUcs4(&point, 1));
                context.yield(QStringLiteral("key"), qint64(i));
            }
        } else {
            return blockError(
                QStringLiteral("'%1' object is not iterable").arg(Model::pythonTypeName(data)));
        }
    }
    return {};
}

// With human_in_the_loop_safe_mode off the data is approved at once, as
// AutoGPT does; otherwise the reviewer's decision routes it.
Result<void> humanInTheLoop(const ValueMap &input, BlockContext &context)
{
    if (!context.executionContext().humanInTheLoopSafeMode) {
        context.yield(QStringLiteral("approved_data"), in(input, "data"));
        context.yield(QStringLiteral("review_message"),
                      QStringLiteral("Auto-approved (safe mode disabled)"));
        return {};
    }
    const Value data = in(input, "data");
    auto decision = context.reviewDecision(
        data, QStringLiteral("Review required for %1 execution").arg(in(input, "name").toString()),
        in(input, "editable").toBool());
    if (!decision)
        return decision.error();
    if (!decision->has_value())
        return {}; // waiting: the node pauses
    const Model::ReviewResult &result = **decision;
    const bool approved = result.status == Model::ReviewStatus::Approved;
    if (!approved && result.status != Model::ReviewStatus::Rejected)
        return blockError(QStringLiteral("Unexpected review status %1")
                              .arg(Model::reviewStatusName(result.status)));
    context.yield(approved ? QStringLiteral("approved_data") : QStringLiteral("rejected_data"),
                  result.data);
    // Upstream's default messages make this pin fire after every decision.
    context.yield(QStringLiteral("review_message"),
                  !result.message.isEmpty() ? result.message
                      : approved            ? QStringLiteral("Execution approved by reviewer")
                                            : QStringLiteral("Execution rejected by reviewer"));
    return {};
}

// The executor runs AGENT nodes itself, as child executions.
Result<void> agentExecutorOutsideAGraph(const ValueMap &, BlockContext &)
{
    return blockError(
        QStringLiteral("AgentExecutorBlock runs another graph and only runs inside a graph"));
}

} // namespace

void registerBasicBlocks(BlockRegistry &registry)
{
    registry.add(BlockIds::AgentExecutor, agentExecutorOutsideAGraph);
    registry.add(BlockIds::HumanInTheLoop, humanInTheLoop);
    registry.add(BlockIds::StoreValue, storeValue);
    registry.add(BlockIds::PrintToConsole, printToConsole);
    registry.add(BlockIds::Note, note);
    for (const QLatin1StringView id :
         {BlockIds::AgentInput, BlockIds::AgentShortTextInput, BlockIds::AgentLongTextInput,
          BlockIds::AgentNumberInput, BlockIds::AgentDateInput, BlockIds::AgentTimeInput,
          BlockIds::AgentDropdownInput, BlockIds::AgentToggleInput,
          BlockIds::AgentGoogleDriveFileInput}) {
        registry.add(id, agentInput);
    }
    registry.add(BlockIds::AgentTableInput, agentTableInput);
    registry.add(BlockIds::UniversalTypeConverter, universalTypeConverter);
    registry.add(BlockIds::ReverseListOrder, reverseListOrder);
    registry.add(BlockIds::CountItems, countItems);
    registry.add(BlockIds::StepThroughItems, stepThroughItems);
}

} // namespace Signalbox::Engine
