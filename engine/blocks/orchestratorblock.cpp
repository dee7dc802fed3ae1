// SPDX-License-Identifier: GPL-3.0-or-later
// SmartDecisionMakerBlock (upstream's OrchestratorBlock): the blocks linked
// from its `tools` pin become tools a language model may call.
#include "llmblocks.h"

#include "blockinput.h"
#include "blockregistry.h"

#include "blockpipeline.h"

#include "engine/dynamicpins.h"
#include "engine/executor/graphsnapshot.h"
#include "engine/executor/validation.h"
#include "engine/llm/llmvalues.h"
#include "engine/template/template.h"
#include "model/pinnames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;
using Llm::field;
using Llm::message;
using Llm::str;

namespace {

const QLatin1StringView kOrchestrator("3b191d9f-356f-482d-8238-ba04b6d18381");
const QLatin1StringView kAgentExecutor("e189baac-8c20-45a1-94a7-55177ea42565");
const QLatin1StringView kMainObjective("[Main Objective Prompt]: ");

QString compactJson(const Value &value)
{
    return QString::fromUtf8(Model::toJson(value));
}

// Python's repr() of a sorted list of strings.
QString listRepr(QStringList items)
{
    items.sort();
    ValueList list;
    for (const QString &item : std::as_const(items))
        list.append(item);
    return Model::pythonStr(list);
}

// A tool the model is offered: the chat-completions object, and where its
// parameters go.
struct Tool
{
    QString name;
    QString description;
    QString sinkNodeId;
    // Parameter (cleaned name) → the sink's pin, in declaration order.
    QList<std::pair<QString, QString>> fields;
    QStringList required;
    ValueMap properties;
    bool agent = false;
    ValueMap hardcodedDefaults;

    ValueMap toValue(bool withPrivate) const
    {
        ValueMap parameters;
        parameters.insert(QStringLiteral("type"), QStringLiteral("object"));
        parameters.insert(QStringLiteral("properties"), properties);
        parameters.insert(QStringLiteral("additionalProperties"), false);
        if (agent) {
            parameters.insert(QStringLiteral("strict"), true);
        } else {
            ValueList requiredList;
            for (const QString &name : required)
                requiredList.append(name);
            parameters.insert(QStringLiteral("required"), requiredList);
        }
        ValueMap function;
        function.insert(QStringLiteral("name"), name);
        function.insert(QStringLiteral("description"), description);
        function.insert(QStringLiteral("parameters"), parameters);
        if (withPrivate) {
            ValueMap mapping;
            for (const auto &[clean, original] : fields)
                mapping.insert(clean, original);
            function.insert(QStringLiteral("_field_mapping"), mapping);
            function.insert(QStringLiteral("_sink_node_id"), sinkNodeId);
        }
        ValueMap tool;
        tool.insert(QStringLiteral("type"), QStringLiteral("function"));
        tool.insert(QStringLiteral("function"), function);
        return tool;
    }
};

bool isSecretKey(const QString &key)
{
    static const QStringList secret {
        QStringLiteral("credentials"), QStringLiteral("api_key"),     QStringLiteral("password"),
        QStringLiteral("secret"),      QStringLiteral("token"),       QStringLiteral("auth"),
        QStringLiteral("authorization"), QStringLiteral("access_token"),
        QStringLiteral("refresh_token")};
    return secret.contains(key.toLower());
}

// The JSON schema of a dynamic pin of `base`, as upstream describes it.
ValueMap dynamicFieldSchema(const QString &pin)
{
    ValueMap schema;
    schema.insert(QStringLiteral("type"), QStringLiteral("string"));
    const auto describe = [&](QLatin1StringView split, const QString &format) {
        const qsizetype at = pin.indexOf(split);
        if (at < 0)
            return false;
        const QString base = pin.left(at);
        const QString key = pin.mid(at + split.size());
        schema.insert(QStringLiteral("description"), format.arg(key, base));
        return true;
    };
    if (!describe(Model::kDictSplit, QStringLiteral("Dictionary field '%1' for base field '%2' (%2['%1'])"))
        && !describe(Model::kListSplit, QStringLiteral("List item %1 for base field '%2' (%2[%1])")))
        describe(Model::kObjectSplit, QStringLiteral("Object attribute '%1' for base field '%2' (%2.%1)"));
    return schema;
}

bool isDynamicPin(const QString &pin)
{
    return pin.contains(Model::kDictSplit) || pin.contains(Model::kListSplit)
        || pin.contains(Model::kObjectSplit);
}

} // namespace

namespace LlmBlocks {

QString cleanupToolName(const QString &name)
{
    QString cleaned = name;
    static const QRegularExpression other(QStringLiteral("[^a-zA-Z0-9_-]"));
    cleaned.replace(other, QStringLiteral("_"));
    return cleaned.toLower();
}

} // namespace LlmBlocks

namespace {

using LlmBlocks::cleanupToolName;

Result<QList<Tool>> toolsOf(const GraphSnapshot &snapshot, const QString &nodeId)
{
    QStringList sinkOrder;
    QHash<QString, QList<const Model::Link *>> bySink;
    for (qsizetype index : snapshot.outputLinks(nodeId)) {
        const Model::Link &link = snapshot.link(index);
        if (!Model::isToolPin(link.sourceName))
            continue;
        if (!bySink.contains(link.sinkId))
            sinkOrder.append(link.sinkId);
        bySink[link.sinkId].append(&link);
    }
    if (sinkOrder.isEmpty())
        return blockError(QStringLiteral("There is no next node to execute."));

    QList<Tool> tools;
    for (const QString &sinkId : std::as_const(sinkOrder)) {
        const Model::Node *sink = snapshot.node(sinkId);
        const Model::BlockSchema *schema = sink ? snapshot.schemaOf(sinkId) : nullptr;
        if (!sink || !schema)
            return blockError(QStringLiteral("Tool node %1 has no block Signalbox knows").arg(sinkId));
        Tool tool;
        tool.sinkNodeId = sinkId;
        const QString customized = sink->metadata.value(QLatin1String("customized_name")).toString();
        QSet<QString> linkedPins;
        if (sink->blockId == kAgentExecutor) {
            tool.agent = true;
            const ValueMap inputSchema = sink->inputDefault.value(QLatin1String("input_schema")).toMap();
            tool.name = cleanupToolName(customized.isEmpty()
                                            ? sink->inputDefault.value(QLatin1String("graph_name")).toString()
                                            : customized);
            tool.description = sink->inputDefault.value(QLatin1String("graph_description")).toString();
            for (const Model::Link *link : bySink.value(sinkId)) {
                const QString clean = cleanupToolName(link->sinkName);
                linkedPins.insert(link->sinkName);
                const ValueMap pinSchema = field(field(inputSchema, "properties"), link->sinkName.toUtf8().constData()).toMap();
                ValueMap property;
                property.insert(QStringLiteral("type"), QStringLiteral("string"));
                const QString description = pinSchema.value(QLatin1String("description")).toString();
                property.insert(QStringLiteral("description"),
                                description.isEmpty() ? QStringLiteral("The %1 of the tool").arg(link->sinkName)
                                                      : description);
                property.insert(QStringLiteral("default"),
                                compactJson(pinSchema.contains(QLatin1String("default"))
                                                ? pinSchema.value(QLatin1String("default"))
                                                : Value(nullptr)));
                tool.properties.insert(clean, property);
                tool.fields.append({clean, link->sinkName});
            }
        } else {
            tool.name = cleanupToolName(customized.isEmpty() ? schema->name : customized);
            tool.description = schema->description;
            const QJsonObject inputSchema = snapshot.registry().inputJsonSchema(sink->blockId);
            const QJsonObject properties = inputSchema.value(QLatin1String("properties")).toObject();
            QStringList required;
            for (const Model::Link *link : bySink.value(sinkId)) {
                const QString clean = cleanupToolName(link->sinkName);
                linkedPins.insert(link->sinkName);
                const QString base = Model::basePinName(link->sinkName);
                ValueMap property;
                if (isDynamicPin(link->sinkName)) {
                    property = dynamicFieldSchema(link->sinkName);
                } else if (properties.contains(link->sinkName)) {
                    property = Model::fromQJson(properties.value(link->sinkName)).toMap();
                } else {
                    property.insert(QStringLiteral("type"), QStringLiteral("string"));
                    property.insert(QStringLiteral("description"),
                                    QStringLiteral("Value for %1").arg(link->sinkName));
                }
                tool.properties.insert(clean, property);
                tool.fields.append({clean, link->sinkName});
                const Model::PinSpec *pin = schema->input(base);
                if (pin && pin->required && !required.contains(clean))
                    required.append(clean);
            }
            required.sort();
            tool.required = required;
        }
        for (auto it = sink->inputDefault.begin(); it != sink->inputDefault.end(); ++it) {
            const QString key = it.key().toString();
            if (linkedPins.contains(key) || key.startsWith(QLatin1Char('_')) || isSecretKey(key))
                continue;
            if (tool.agent
                && (key == QLatin1String("graph_id") || key == QLatin1String("graph_version")
                    || key == QLatin1String("input_schema")))
                continue;
            tool.hardcodedDefaults.insert(key, it.value());
        }
        tools.append(tool);
    }

    // Tools that share a name get _1, _2, ... and say how they differ.
    QHash<QString, int> counts;
    for (const Tool &tool : std::as_const(tools))
        counts[tool.name] += 1;
    QSet<QString> taken;
    for (const Tool &tool : std::as_const(tools))
        taken.insert(tool.name);
    QHash<QString, int> next;
    for (Tool &tool : tools) {
        if (counts.value(tool.name) < 2)
            continue;
        const QString base = tool.name;
        QString candidate;
        do {
            const QString suffix = QStringLiteral("_%1").arg(++next[base]);
            candidate = base.left(64 - suffix.size()) + suffix;
        } while (taken.contains(candidate));
        taken.insert(candidate);
        tool.name = candidate;
        QStringList defaults;
        for (auto it = tool.hardcodedDefaults.begin(); it != tool.hardcodedDefaults.end(); ++it) {
            QString shown = compactJson(it.value());
            if (shown.size() > 100)
                shown = shown.left(80) + QStringLiteral("...<truncated>");
            defaults.append(QStringLiteral("%1=%2").arg(it.key().toString(), shown));
        }
        if (!defaults.isEmpty())
            tool.description += QStringLiteral(" [Pre-configured: %1]").arg(defaults.join(QStringLiteral(", ")));
    }
    return tools;
}

// Tool-call ids asked for and not yet answered, in the order asked, each as
// many times as it is pending.
QStringList pendingToolCalls(const ValueList &conversation)
{
    QStringList requested;
    QStringList answered;
    for (const Value &entry : conversation) {
        if (str(entry, "role") == QLatin1String("assistant")) {
            for (const Value &call : field(entry, "tool_calls").toArray())
                requested.append(str(call, "id"));
        }
        const QString type = str(entry, "type");
        if (type == QLatin1String("function_call"))
            requested.append(str(entry, "call_id"));
        if (type == QLatin1String("function_call_output"))
            answered.append(str(entry, "call_id"));
        if (str(entry, "role") == QLatin1String("tool"))
            answered.append(str(entry, "tool_call_id"));
        for (const Value &item : field(entry, "content").toArray()) {
            if (str(item, "type") == QLatin1String("tool_use"))
                requested.append(str(item, "id"));
            else if (str(item, "type") == QLatin1String("tool_result"))
                answered.append(str(item, "tool_use_id"));
        }
    }
    for (const QString &id : std::as_const(answered))
        requested.removeOne(id);
    return requested;
}

// The message that answers tool call `id` with `content`, in the shape of
// the provider that asked.
ValueMap toolAnswer(const QString &id, const QString &content, const QString &provider)
{
    if (id.startsWith(QLatin1String("toolu_"))) {
        ValueMap result;
        result.insert(QStringLiteral("tool_use_id"), id);
        result.insert(QStringLiteral("type"), QStringLiteral("tool_result"));
        result.insert(QStringLiteral("content"), content);
        ValueMap answer = message(QStringLiteral("user"), ValueList {result});
        answer.insert(QStringLiteral("type"), QStringLiteral("message"));
        return answer;
    }
    if (provider == QLatin1String("openai")) {
        ValueMap output;
        output.insert(QStringLiteral("type"), QStringLiteral("function_call_output"));
        output.insert(QStringLiteral("call_id"), id);
        output.insert(QStringLiteral("output"), content);
        return output;
    }
    ValueMap answer = message(QStringLiteral("tool"), content);
    answer.insert(QStringLiteral("tool_call_id"), id);
    return answer;
}

QString pendingRepr(const QStringList &pending)
{
    ValueMap counts;
    for (const QString &id : pending)
        counts.insert(id, counts.value(id).toInteger() + 1);
    return Model::pythonStr(counts);
}

struct CheckedCall
{
    const Tool *tool = nullptr;
    Llm::ToolCall call;
    ValueMap arguments;
};

// upstream's _validate_tool_calls: every problem of every call, or the calls.
std::variant<QList<CheckedCall>, QString> checkToolCalls(const QList<Llm::ToolCall> &calls,
                                                        const QList<Tool> &tools)
{
    QStringList errors;
    QList<CheckedCall> checked;
    for (const Llm::ToolCall &call : calls) {
        auto parsed = Model::parseJsonValue(call.arguments.isEmpty() ? QByteArray("{}") : call.arguments.toUtf8(),
                                            {}, QStringLiteral("the arguments"));
        if (!parsed || !parsed->isMap()) {
            errors.append(QStringLiteral("Tool call '%1' has invalid JSON arguments: %2")
                              .arg(call.name, parsed ? QStringLiteral("not an object") : parsed.error().message));
            continue;
        }
        const Tool *tool = nullptr;
        for (const Tool &candidate : tools) {
            if (candidate.name == call.name)
                tool = &candidate;
        }
        if (!tool && tools.size() == 1)
            tool = &tools.first();
        if (!tool) {
            errors.append(QStringLiteral("Tool call for '%1' does not match any known tool definition.")
                              .arg(call.name));
            continue;
        }
        const ValueMap arguments = parsed->toMap();
        QStringList expected;
        for (const auto &field : tool->fields)
            expected.append(field.first);
        QStringList unknown;
        for (auto it = arguments.begin(); it != arguments.end(); ++it) {
            if (!expected.contains(it.key().toString()))
                unknown.append(it.key().toString());
        }
        QStringList missing;
        for (const QString &name : tool->required) {
            if (!arguments.contains(name))
                missing.append(name);
        }
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            QStringList parts;
            if (!unknown.isEmpty())
                parts.append(QStringLiteral("Unknown parameters: %1.").arg(listRepr(unknown)));
            if (!missing.isEmpty())
                parts.append(QStringLiteral("Missing required parameters: %1.").arg(listRepr(missing)));
            parts.append(QStringLiteral("Expected parameters: %1.").arg(listRepr(expected)));
            parts.append(QStringLiteral("Required parameters: %1.").arg(listRepr(tool->required)));
            errors.append(QStringLiteral("Tool call '%1' has parameter errors: %2")
                              .arg(call.name, parts.join(QLatin1Char(' '))));
            continue;
        }
        checked.append({tool, call, arguments});
    }
    if (!errors.isEmpty())
        return errors.join(QStringLiteral("; "));
    return checked;
}

bool sensitiveInSafeMode(const GraphSnapshot &snapshot, const Tool &tool,
                         const Model::ExecutionContext &execution)
{
    const Model::BlockSchema *sink = snapshot.schemaOf(tool.sinkNodeId);
    return execution.sensitiveActionSafeMode && sink && sink->isSensitiveAction;
}

// Whether a person reviews this node's tool calls before they run: the
// node asks for it, or the tool's block is a sensitive action while the
// sensitive-action safe mode is on.
bool reviewsToolCall(const Model::Node &node, const GraphSnapshot &snapshot, const Tool &tool,
                     const Model::ExecutionContext &execution)
{
    if (node.metadata.value(QLatin1String("review_tool_calls")).toBool())
        return true;
    return sensitiveInSafeMode(snapshot, tool, execution);
}

// The assistant's turn as it goes into the conversation: as the provider
// gave it, after its reasoning unless the turn carries tool-call items.
ValueList assistantTurn(const Llm::CallResponse &response)
{
    bool callItems = false;
    for (const Value &item : response.assistantTurn) {
        if (str(item, "type") == QLatin1String("function_call"))
            callItems = true;
        for (const Value &part : field(item, "content").toArray())
            callItems = callItems || str(part, "type") == QLatin1String("tool_use");
    }
    ValueList turn;
    if (!response.reasoning.isEmpty() && !callItems)
        turn.append(message(QStringLiteral("assistant"),
                            QStringLiteral("[Reasoning]: %1").arg(response.reasoning)));
    for (const Value &item : response.assistantTurn)
        turn.append(item);
    return turn;
}

// Where a turn waiting for its review is kept: the node execution's own key.
QString turnKey(const Model::ExecutionContext &execution)
{
    return QStringLiteral("signalbox.pending-tool-calls.%1").arg(execution.nodeExecId);
}

// The tools a person approved calls of, for the node in this run.
QString approvedToolsKey(const Model::ExecutionContext &execution)
{
    return QStringLiteral("signalbox.approved-tools.%1.%2").arg(execution.graphExecId, execution.nodeId);
}

ValueMap responseToValue(const Llm::CallResponse &response)
{
    ValueMap map;
    map.insert(QStringLiteral("text"), response.text);
    map.insert(QStringLiteral("reasoning"), response.reasoning);
    ValueList calls;
    for (const Llm::ToolCall &call : response.toolCalls) {
        ValueMap entry;
        entry.insert(QStringLiteral("id"), call.id);
        entry.insert(QStringLiteral("name"), call.name);
        entry.insert(QStringLiteral("arguments"), call.arguments);
        calls.append(entry);
    }
    map.insert(QStringLiteral("tool_calls"), calls);
    map.insert(QStringLiteral("turn"), response.assistantTurn);
    return map;
}

Llm::CallResponse responseFromValue(const Value &value)
{
    Llm::CallResponse response;
    response.text = str(value, "text");
    response.reasoning = str(value, "reasoning");
    for (const Value &call : field(value, "tool_calls").toArray())
        response.toolCalls.append({str(call, "id"), str(call, "name"), str(call, "arguments")});
    response.assistantTurn = field(value, "turn").toArray();
    return response;
}

// The turn kept while this node execution waited for its review, if any.
std::optional<ValueMap> keptTurn(BlockContext &context, const Model::ExecutionContext &execution)
{
    auto kept = context.readKeyValue(turnKey(execution));
    if (!kept || !kept->has_value() || !(*kept)->isMap())
        return std::nullopt;
    return (*kept)->toMap();
}

// What a person decided on a turn's tool calls.
struct CallsDecision
{
    enum class Verdict { Run, Rejected, Waiting };
    Verdict verdict = Verdict::Run;
    // For a rejection: each call's result, which the model reads.
    QString reason;
    // The calls run on a person's approval of this turn (not unasked, not
    // on a grant).
    bool approvedByPerson = false;
};

// Asks a person about the turn's calls when one of them is reviewed (the
// node's review_tool_calls, or a sensitive action in safe mode): one review
// for the turn, showing the calls and `conversation`. `kept` is what the
// node needs to take the turn up again; it is kept while the review waits,
// so that the person decides on the answer the node then acts on. Edited
// arguments replace the model's in `calls`.
Result<CallsDecision> decideCalls(BlockContext &context, const GraphSnapshot &snapshot,
                                  const Model::Node &self, QList<CheckedCall> &calls,
                                  const ValueList &conversation, const ValueMap &kept)
{
    const Model::ExecutionContext &execution = context.executionContext();
    const bool review = std::any_of(calls.begin(), calls.end(), [&](const CheckedCall &call) {
        return reviewsToolCall(self, snapshot, *call.tool, execution);
    });
    if (!review)
        return CallsDecision {};
    ValueList proposed;
    QStringList names;
    for (const CheckedCall &call : std::as_const(calls)) {
        ValueMap entry;
        entry.insert(QStringLiteral("id"), call.call.id);
        entry.insert(QStringLiteral("tool"), call.tool->name);
        entry.insert(QStringLiteral("arguments"), call.arguments);
        proposed.append(entry);
        names.append(call.tool->name);
    }
    ValueMap data;
    data.insert(QStringLiteral("tool_calls"), proposed);
    data.insert(QStringLiteral("conversation"), conversation);
    if (auto written = context.writeKeyValue(turnKey(execution), kept); !written)
        return written.error();
    const QString instructions
        = QStringLiteral("The model wants to call %1. Approve, edit the arguments, or "
                         "reject with a reason the model will see.")
              .arg(names.join(QStringLiteral(", ")));
    // A grant of the node covers the tools a person approved in this run;
    // a call of another tool, or of a sensitive action while the safe mode
    // is on, asks without consulting grants.
    const QString toolsKey = approvedToolsKey(execution);
    QStringList approvedTools;
    if (auto known = context.readKeyValue(toolsKey); known && known->has_value())
        for (const Value &name : (*known)->toArray())
            approvedTools.append(name.toString());
    const bool covered = std::all_of(calls.begin(), calls.end(), [&](const CheckedCall &call) {
        return approvedTools.contains(call.tool->name)
            && !sensitiveInSafeMode(snapshot, *call.tool, execution);
    });
    auto decision = context.reviewDecision(data, instructions, true,
                                           covered ? BlockContext::NodeApproval::Applies
                                                   : BlockContext::NodeApproval::Ignored);
    if (!decision)
        return decision.error();
    if (!decision->has_value())
        return CallsDecision {CallsDecision::Verdict::Waiting, {}, false};
    // The kept turn is spent: a later execution asks the model anew.
    if (auto cleared = context.writeKeyValue(turnKey(execution), Value(nullptr)); !cleared)
        return cleared.error();
    const Model::ReviewResult &result = **decision;
    if (result.status != Model::ReviewStatus::Approved) {
        return CallsDecision {
            CallsDecision::Verdict::Rejected,
            result.message.isEmpty()
                ? QStringLiteral("The reviewer rejected this tool call.")
                : QStringLiteral("The reviewer rejected this tool call: %1").arg(result.message),
            false};
    }
    const bool byPerson = result.grantId.isEmpty();
    if (byPerson) {
        ValueList list;
        for (const QString &name : std::as_const(approvedTools))
            list.append(name);
        for (const QString &name : std::as_const(names)) {
            if (!approvedTools.contains(name)) {
                approvedTools.append(name);
                list.append(name);
            }
        }
        if (auto written = context.writeKeyValue(toolsKey, list); !written)
            return written.error();
    }
    // Edited arguments replace the model's.
    const ValueList edited = result.data.toMap().value(QLatin1String("tool_calls")).toArray();
    for (qsizetype i = 0; i < calls.size() && i < edited.size(); ++i) {
        const Value arguments = field(edited.at(i), "arguments");
        if (arguments.isMap())
            calls[i].arguments = arguments.toMap();
    }
    return CallsDecision {CallsDecision::Verdict::Run, {}, byPerson};
}

// The sink's input for a call: the model's arguments (nulls for the ones it
// left out) on the tool's pins.
ValueMap toolPinValues(const CheckedCall &call)
{
    ValueMap values;
    for (const auto &[clean, original] : call.tool->fields)
        values.insert(original, call.arguments.contains(clean) ? call.arguments.value(clean)
                                                               : Value(nullptr));
    return values;
}

// The context of a tool block run inside the decision maker's own
// execution (agent mode): its outputs are collected; everything else is the
// decision maker's. A block that asks for a review (a sensitive action) is
// answered by the person's approval of the call, when there was one.
class ToolContext final : public BlockContext
{
public:
    ToolContext(BlockContext &outer, bool approvedByPerson)
        : m_outer(outer)
        , m_approved(approvedByPerson)
    { }

    void yield(const QString &pin, const Value &value) override
    {
        ValueList values = m_outputs.value(pin).toArray();
        values.append(value);
        m_outputs.insert(pin, values);
    }
    bool isCancelled() const override { return m_outer.isCancelled(); }
    bool sleep(qint64 milliseconds) override { return m_outer.sleep(milliseconds); }
    const Model::ExecutionContext &executionContext() const override
    {
        return m_outer.executionContext();
    }
    Result<std::optional<Value>> readKeyValue(const QString &key) override
    {
        return m_outer.readKeyValue(key);
    }
    Result<void> writeKeyValue(const QString &key, const Value &value) override
    {
        return m_outer.writeKeyValue(key, value);
    }
    Result<std::pair<Credential, CredentialSecret>> credentials(const Value &meta) override
    {
        return m_outer.credentials(meta);
    }
    NetworkPolicy networkPolicy() const override { return m_outer.networkPolicy(); }
    void mergeStats(const QJsonObject &stats) override { m_outer.mergeStats(stats); }
    const Llm::Catalog &llmCatalog() const override { return m_outer.llmCatalog(); }
    bool streamAnswers() const override { return false; }
    std::shared_ptr<const GraphSnapshot> graphSnapshot() const override
    {
        return m_outer.graphSnapshot();
    }
    Result<std::optional<Model::ReviewResult>> reviewDecision(const Value &data, const QString &,
                                                              bool, NodeApproval) override
    {
        if (!m_approved)
            return blockError(QStringLiteral("A tool cannot wait for a review in agent mode"));
        Model::ReviewResult approved;
        approved.data = data;
        approved.status = Model::ReviewStatus::Approved;
        approved.processed = true;
        approved.nodeExecId = m_outer.executionContext().nodeExecId;
        return std::optional<Model::ReviewResult>(approved);
    }

    const ValueMap &outputs() const { return m_outputs; }

private:
    BlockContext &m_outer;
    const bool m_approved;
    ValueMap m_outputs;
};

// Runs one tool call's block inline, its arguments over the node's own
// inputs.
QString runToolCall(BlockContext &context, const GraphSnapshot &snapshot,
                    const CheckedCall &call, bool approvedByPerson)
{
    const Model::Node *sink = snapshot.node(call.tool->sinkNodeId);
    ValueMap input = sink->inputDefault;
    const ValueMap values = toolPinValues(call);
    for (auto it = values.begin(); it != values.end(); ++it)
        input.insert(it.key(), it.value());
    auto merged = mergeDynamicInputs(input);
    ToolContext inner(context, approvedByPerson);
    Result<void> ran = merged ? executeBlock(snapshot.registry(), sink->blockId, *merged, inner)
                              : Result<void>(merged.error());
    if (!ran)
        return QStringLiteral("Tool execution failed: %1").arg(ran.error().message);
    if (inner.outputs().isEmpty())
        return QStringLiteral("Tool executed successfully");
    return compactJson(inner.outputs());
}

// Answers the turn's calls in the conversation, one result each; several
// Anthropic results go back in one user message.
void appendToolResults(ValueList &prompt, const QList<CheckedCall> &calls,
                       const QStringList &results, const QString &provider)
{
    ValueList anthropicResults;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const QString &id = calls.at(i).call.id;
        ValueMap answered = toolAnswer(id, results.at(i), provider);
        if (id.startsWith(QLatin1String("toolu_")))
            anthropicResults.append(field(answered, "content").toArray().first());
        else
            prompt.append(answered);
    }
    if (!anthropicResults.isEmpty()) {
        ValueMap merged = message(QStringLiteral("user"), anthropicResults);
        merged.insert(QStringLiteral("type"), QStringLiteral("message"));
        prompt.append(merged);
    }
}

// Agent mode: the model calls tools, which run here, until it answers
// without one or the iterations run out. A turn whose calls a person
// reviews pauses the node; it takes up the loop where it stopped, with the
// conversation and iteration kept with the turn.
Result<void> runAgentMode(BlockContext &context, const GraphSnapshot &snapshot,
                          const Model::Node &self, const QList<Tool> &tools,
                          Llm::CallRequest request, const Llm::CallEnvironment &environment,
                          ValueList prompt, qint64 limit, const QString &provider,
                          Llm::CallStats &stats)
{
    const Model::ExecutionContext &execution = context.executionContext();
    qint64 iteration = 0;
    std::optional<ValueMap> kept = keptTurn(context, execution);
    if (kept && kept->contains(QLatin1String("prompt"))) {
        prompt = kept->value(QLatin1String("prompt")).toArray();
        iteration = kept->value(QLatin1String("iteration")).toInteger() - 1;
    } else {
        kept.reset();
    }
    while (limit < 0 || iteration < limit) {
        ++iteration;
        if (context.isCancelled())
            return blockError(QStringLiteral("The run was stopped"));
        Llm::CallResponse response;
        if (kept) {
            // The turn the person decided on; the prompt already holds it.
            response = responseFromValue(*std::exchange(kept, std::nullopt));
        } else {
            request.messages = prompt;
            if (limit > 0 && iteration == limit)
                request.messages.append(message(
                    QStringLiteral("system"),
                    QStringLiteral("[Main Objective Prompt]: This is your last iteration. Try to "
                                   "complete the task with the information you have. If you "
                                   "cannot fully complete it, provide a summary of what you've "
                                   "accomplished and what remains to be done. Prefer finishing "
                                   "with a clear response rather than making additional tool "
                                   "calls.")));
            auto answer = Llm::call(context, request, environment, stats);
            stats.add(QStringLiteral("llm_call_count"), 1);
            if (const auto *failure = std::get_if<Llm::CallFailure>(&answer))
                return blockError(failure->message);
            response = std::get<Llm::CallResponse>(answer);
            for (const Value &item : assistantTurn(response))
                prompt.append(item);
        }
        auto checked = checkToolCalls(response.toolCalls, tools);
        if (const auto *error = std::get_if<QString>(&checked))
            return blockError(*error);
        QList<CheckedCall> calls = std::get<QList<CheckedCall>>(checked);
        if (calls.isEmpty()) {
            context.yield(QStringLiteral("finished"), response.text);
            context.yield(QStringLiteral("conversations"), prompt);
            return {};
        }
        ValueMap turn = responseToValue(response);
        turn.insert(QStringLiteral("prompt"), prompt);
        turn.insert(QStringLiteral("iteration"), iteration);
        auto decision = decideCalls(context, snapshot, self, calls, prompt, turn);
        if (!decision)
            return decision.error();
        if (decision->verdict == CallsDecision::Verdict::Waiting)
            return {}; // paused until a person decides
        QStringList results;
        for (const CheckedCall &call : std::as_const(calls))
            results.append(decision->verdict == CallsDecision::Verdict::Rejected
                               ? decision->reason
                               : runToolCall(context, snapshot, call, decision->approvedByPerson));
        appendToolResults(prompt, calls, results, provider);
        context.yield(QStringLiteral("conversations"), prompt);
        if (decision->verdict == CallsDecision::Verdict::Rejected)
            continue; // the model hears why in its next turn
        for (const CheckedCall &call : std::as_const(calls)) {
            ValueMap made;
            made.insert(QStringLiteral("name"), call.tool->name);
            made.insert(QStringLiteral("arguments"), compactJson(call.arguments));
            context.yield(QStringLiteral("tool_calls"), made);
        }
    }
    context.yield(QStringLiteral("finished"),
                  QStringLiteral("Agent mode completed after %1 iterations (limit reached)").arg(limit));
    context.yield(QStringLiteral("conversations"), prompt);
    return {};
}

// A sensitive action called as a tool that a person approved is not asked
// about again when its node runs on the approved arguments: the approval
// is carried to that node for the input it will receive, when the call
// alone makes it (otherwise the node asks).
Result<void> carryApprovals(BlockContext &context, const GraphSnapshot &snapshot,
                            const QList<CheckedCall> &calls)
{
    for (const CheckedCall &call : calls) {
        if (!sensitiveInSafeMode(snapshot, *call.tool, context.executionContext()))
            continue;
        const Model::Node *sink = snapshot.node(call.tool->sinkNodeId);
        const ExecInput input = sink ? validateExec(snapshot, *sink, toolPinValues(call))
                                     : ExecInput {};
        if (!input.input)
            continue;
        if (auto carried = context.carryApproval(sink->id, Value(*input.input)); !carried)
            return carried.error();
    }
    return {};
}

Result<void> orchestratorBlock(const ValueMap &input, BlockContext &context)
{
    const auto snapshot = context.graphSnapshot();
    const Model::ExecutionContext &execution = context.executionContext();
    const Model::Node *self = snapshot ? snapshot->node(execution.nodeId) : nullptr;
    if (!snapshot || !self)
        return blockError(QStringLiteral("SmartDecisionMakerBlock needs a graph to find its tools in"));
    if (in(input, "execution_mode").toString() == QLatin1String("extended_thinking"))
        return blockError(QStringLiteral("The extended_thinking mode runs Anthropic's Claude Agent "
                                         "SDK, which Signalbox does not have: use built_in"));
    const qint64 iterations = in(input, "agent_mode_max_iterations").toInteger();

    auto tools = toolsOf(*snapshot, execution.nodeId);
    if (!tools)
        return tools.error();
    ValueList toolValues;
    ValueList privateToolValues;
    for (const Tool &tool : std::as_const(*tools)) {
        toolValues.append(tool.toValue(false));
        privateToolValues.append(tool.toValue(true));
    }
    context.yield(QStringLiteral("tool_functions"), compactJson(privateToolValues));

    auto setup = LlmBlocks::setup(input, context, QStringLiteral("finished"));
    if (!setup)
        return setup.error();
    const QString provider = setup->model.provider;

    ValueList prompt;
    for (const Value &entry : in(input, "conversation_history").toArray()) {
        if (entry.isMap() && Model::pythonTruthy(entry))
            prompt.append(entry);
    }
    const Value lastToolOutput = in(input, "last_tool_output");
    QStringList pending = pendingToolCalls(prompt);
    if (!pending.isEmpty() && isNone(lastToolOutput))
        return blockError(QStringLiteral("Tool call requires an output for %1").arg(pendingRepr(pending)));
    if (!pending.isEmpty()) {
        const QString content = lastToolOutput.isString() ? lastToolOutput.toString() : compactJson(lastToolOutput);
        prompt.append(toolAnswer(pending.first(), content, provider));
        pending.removeFirst();
        if (!pending.isEmpty()) {
            context.yield(QStringLiteral("conversations"), prompt);
            return {};
        }
    } else if (Model::pythonTruthy(lastToolOutput)) {
        prompt.append(message(QStringLiteral("user"),
                              QStringLiteral("Last tool output: %1").arg(compactJson(lastToolOutput))));
    }

    QString userPrompt = in(input, "prompt").toString();
    QString sysPrompt = in(input, "sys_prompt").toString();
    const ValueMap values = in(input, "prompt_values").toMap();
    if (!values.isEmpty()) {
        auto renderedPrompt = renderTemplate(userPrompt, values);
        if (!renderedPrompt)
            return renderedPrompt.error();
        auto renderedSys = renderTemplate(sysPrompt, values);
        if (!renderedSys)
            return renderedSys.error();
        userPrompt = *renderedPrompt;
        sysPrompt = *renderedSys;
    }
    const auto hasObjective = [&prompt](const QString &role) {
        return std::any_of(prompt.begin(), prompt.end(), [&role](const Value &entry) {
            const Value content = field(entry, "content");
            return str(entry, "role") == role && content.isString()
                && content.toString().startsWith(kMainObjective);
        });
    };
    if (!sysPrompt.isEmpty() && !hasObjective(QStringLiteral("system")))
        prompt.append(message(QStringLiteral("system"), QString(kMainObjective + sysPrompt)));
    if (!userPrompt.isEmpty() && !hasObjective(QStringLiteral("user")))
        prompt.append(message(QStringLiteral("user"), QString(kMainObjective + userPrompt)));

    Llm::CallRequest request;
    request.model = setup->model;
    request.tools = toolValues;
    if (!setup->model.value.startsWith(QLatin1Char('o')))
        request.parallelToolCalls = in(input, "multiple_tool_calls").toBool();
    request.compress = isNone(in(input, "conversation_compaction"))
        || in(input, "conversation_compaction").toBool();
    request.ollamaHost = in(input, "ollama_host").toString();
    if (const Value max = in(input, "max_tokens"); max.isInteger())
        request.maxTokens = max.toInteger();

    Llm::CallStats stats;
    const auto finish = [&](Result<void> result) {
        LlmBlocks::recordStats(context, setup->model, stats);
        return result;
    };
    if (iterations != 0)
        return finish(runAgentMode(context, *snapshot, *self, *tools, request,
                                   setup->environment, prompt, iterations, provider, stats));
    const qint64 attempts = std::max<qint64>(1, in(input, "retry").isInteger() ? in(input, "retry").toInteger() : 3);
    ValueList feedback;
    for (qint64 attempt = 0; attempt < attempts; ++attempt) {
        request.messages = prompt;
        for (const Value &entry : std::as_const(feedback))
            request.messages.append(entry);
        // A turn kept while the node waited for its review is not asked again.
        std::variant<Llm::CallResponse, Llm::CallFailure> answer;
        if (auto kept = attempt == 0 ? keptTurn(context, execution) : std::nullopt) {
            answer = responseFromValue(*kept);
        } else {
            answer = Llm::call(context, request, setup->environment, stats);
            stats.add(QStringLiteral("llm_call_count"), 1);
        }
        if (const auto *failure = std::get_if<Llm::CallFailure>(&answer))
            return finish(blockError(failure->message));
        const Llm::CallResponse &response = std::get<Llm::CallResponse>(answer);
        if (response.toolCalls.isEmpty()) {
            context.yield(QStringLiteral("finished"), response.text);
            return finish({});
        }
        auto checked = checkToolCalls(response.toolCalls, *tools);
        if (const auto *error = std::get_if<QString>(&checked)) {
            if (attempt + 1 >= attempts)
                return finish(blockError(*error));
            feedback.append(message(QStringLiteral("user"),
                                    QStringLiteral("Your tool call had errors. Please fix the "
                                                   "following issues and try again:\n- %1\n\nPlease "
                                                   "make sure to use the exact tool and parameter "
                                                   "names as specified in the function schema.")
                                        .arg(*error)));
            continue;
        }
        QList<CheckedCall> calls = std::get<QList<CheckedCall>>(checked);
        const ValueList turn = assistantTurn(response);
        ValueList conversation = prompt;
        for (const Value &item : turn)
            conversation.append(item);
        auto decision = decideCalls(context, *snapshot, *self, calls, conversation,
                                    responseToValue(response));
        if (!decision)
            return finish(decision.error());
        if (decision->verdict == CallsDecision::Verdict::Waiting)
            return finish({}); // paused until a person decides
        if (decision->verdict == CallsDecision::Verdict::Rejected) {
            // The model hears why, as each call's result, in its next turn.
            for (const CheckedCall &call : std::as_const(calls))
                conversation.append(toolAnswer(call.call.id, decision->reason, provider));
            context.yield(QStringLiteral("conversations"), conversation);
            return finish({});
        }
        if (decision->approvedByPerson) {
            if (auto carried = carryApprovals(context, *snapshot, calls); !carried)
                return finish(carried.error());
        }
        for (const CheckedCall &call : std::as_const(calls)) {
            const ValueMap values = toolPinValues(call);
            for (auto it = values.begin(); it != values.end(); ++it)
                context.yield(Model::toolArgumentPin(call.tool->sinkNodeId, it.key().toString()),
                              it.value());
        }
        context.yield(QStringLiteral("conversations"), conversation);
        return finish({});
    }
    return finish(blockError(QStringLiteral("No valid tool call after %1 attempts").arg(attempts)));
}

} // namespace

namespace LlmBlocks {

QStringList pendingToolCallIds(const ValueList &conversation)
{
    return pendingToolCalls(conversation);
}

} // namespace LlmBlocks

void registerOrchestratorBlock(BlockRegistry &registry)
{
    registry.add(kOrchestrator, orchestratorBlock);
}

} // namespace Signalbox::Engine
