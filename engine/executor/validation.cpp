// SPDX-License-Identifier: GPL-3.0-or-later
#include "validation.h"

#include "engine/blocks/blockids.h"
#include "engine/blocks/llmblocks.h"

#include "engine/blocks/typeconversion.h"
#include "engine/dynamicpins.h"
#include "engine/template/template.h"

#include <QJsonArray>
#include <QSet>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;

namespace {

QStringList pinNames(const QList<Model::PinSpec> &pins)
{
    QStringList names;
    for (const Model::PinSpec &pin : pins)
        names.append(pin.name);
    return names;
}

// AGENT blocks declare their pins in input_default's schemas.
QStringList agentPins(const Model::Node &node, const char *schemaKey)
{
    const ValueMap properties = node.inputDefault.value(QLatin1String(schemaKey))
                                    .toMap()
                                    .value(QLatin1String("properties"))
                                    .toMap();
    QStringList names;
    for (auto it = properties.begin(); it != properties.end(); ++it)
        names.append(it.key().toString());
    return names;
}

bool credentialsOptional(const Model::Node &node)
{
    return node.metadata.value(QLatin1String("credentials_optional")).toBool();
}

// A model served without a key needs no credentials.
bool credentialsNeeded(const Model::Node &node, const Model::BlockSchema &schema)
{
    return !Llm::takesNoKey(schema, node.inputDefault);
}

// _validate_node_input_credentials for one node: its problems by field, and
// whether a credentials input is missing.
std::pair<QMap<QString, QString>, bool>
credentialProblems(const Model::Node &node, const Model::BlockSchema &schema, const ValueMap &mask,
                   const CredentialsLookup *store, const QString &userId)
{
    QMap<QString, QString> problems;
    bool missing = false;
    for (const Model::PinSpec &pin : schema.inputs) {
        if (pin.type != Model::PinType::Credentials)
            continue;
        Value value;
        if (mask.contains(pin.name))
            value = mask.value(pin.name);
        else if (node.inputDefault.contains(pin.name) && !credentialsOptional(node))
            value = node.inputDefault.value(pin.name);
        // An optional node's stored credentials are ignored: they may be stale.
        if (value.isNull() || value.isUndefined()
            || (value.isMap() && !Model::pythonTruthy(value.toMap().value(QLatin1String("id"))))) {
            missing = true;
            if (!credentialsOptional(node) && credentialsNeeded(node, schema))
                problems.insert(pin.name, QStringLiteral("These credentials are required"));
            continue;
        }
        const ValueMap meta = value.toMap();
        QStringList absent;
        for (const char *field : {"id", "provider", "type"}) {
            if (!value.isMap() || !meta.value(QLatin1String(field)).isString())
                absent.append(QLatin1String(field));
        }
        if (!absent.isEmpty()) {
            problems.insert(pin.name,
                            QStringLiteral("Invalid credentials: missing or invalid %1")
                                .arg(absent.join(QLatin1String(", "))));
            continue;
        }
        const QString id = meta.value(QLatin1String("id")).toString();
        std::optional<Credential> stored;
        if (store) {
            auto found = store->find(userId, id);
            if (!found) {
                problems.insert(
                    pin.name,
                    QStringLiteral("Credentials not available: %1").arg(found.error().message));
                continue;
            }
            stored = *found;
        }
        if (!stored) {
            problems.insert(pin.name, QStringLiteral("Unknown credentials #%1").arg(id));
            continue;
        }
        if (stored->provider != meta.value(QLatin1String("provider")).toString()
            || credentialTypeName(stored->type) != meta.value(QLatin1String("type")).toString()) {
            problems.insert(pin.name,
                            QStringLiteral("Invalid credentials: type/provider mismatch"));
            continue;
        }
        // The pin takes only some providers and types.
        if (!stored->fits(pin)) {
            problems.insert(
                pin.name,
                QStringLiteral("Invalid credentials: %1 takes %2 credentials of type %3, "
                               "not %4 %5")
                    .arg(pin.name, pin.credentialsProviders.join(QLatin1String("/")),
                         pin.credentialsTypes.join(QLatin1String("/")), stored->provider,
                         credentialTypeName(stored->type)));
        }
    }
    return {problems, missing};
}

bool isMuted(const Model::Node &node)
{
    return node.metadata.value(QLatin1String("muted")).toBool();
}

} // namespace

NodeErrors loopWarnings(const GraphSnapshot &snapshot)
{
    // Tarjan's strongly connected components, with an explicit stack.
    const QList<Model::Node> &nodes = snapshot.graph().nodes;
    QHash<QString, qsizetype> indexOf;
    for (qsizetype i = 0; i < nodes.size(); ++i)
        indexOf.insert(nodes.at(i).id, i);
    const auto successors = [&](qsizetype node) {
        QList<qsizetype> next;
        for (qsizetype link : snapshot.outputLinks(nodes.at(node).id)) {
            const auto found = indexOf.constFind(snapshot.link(link).sinkId);
            if (found != indexOf.constEnd())
                next.append(*found);
        }
        return next;
    };
    QList<qsizetype> order(nodes.size(), -1);
    QList<qsizetype> low(nodes.size(), 0);
    QList<bool> onStack(nodes.size(), false);
    QList<qsizetype> stack;
    qsizetype counter = 0;
    NodeErrors warnings;
    struct Frame
    {
        qsizetype node;
        QList<qsizetype> next;
        qsizetype position = 0;
    };
    for (qsizetype root = 0; root < nodes.size(); ++root) {
        if (order.at(root) >= 0)
            continue;
        QList<Frame> frames {{root, successors(root)}};
        order[root] = low[root] = counter++;
        stack.append(root);
        onStack[root] = true;
        while (!frames.isEmpty()) {
            Frame &frame = frames.last();
            if (frame.position < frame.next.size()) {
                const qsizetype next = frame.next.at(frame.position++);
                if (order.at(next) < 0) {
                    order[next] = low[next] = counter++;
                    stack.append(next);
                    onStack[next] = true;
                    frames.append({next, successors(next)});
                } else if (onStack.at(next)) {
                    low[frame.node] = qMin(low.at(frame.node), order.at(next));
                }
                continue;
            }
            const qsizetype node = frame.node;
            frames.removeLast();
            if (!frames.isEmpty())
                low[frames.last().node] = qMin(low.at(frames.last().node), low.at(node));
            if (low.at(node) != order.at(node))
                continue;
            // `node` roots a component: take it off the stack.
            QSet<qsizetype> component;
            qsizetype member = -1;
            do {
                member = stack.takeLast();
                onStack[member] = false;
                component.insert(member);
            } while (member != node);
            bool loops = component.size() > 1;
            bool leaves = false;
            for (qsizetype inside : std::as_const(component)) {
                for (qsizetype next : successors(inside)) {
                    if (next == inside)
                        loops = true;
                    else if (!component.contains(next))
                        leaves = true;
                }
            }
            if (!loops || leaves)
                continue;
            QList<qsizetype> members(component.cbegin(), component.cend());
            std::sort(members.begin(), members.end());
            QStringList ids;
            for (qsizetype inside : std::as_const(members))
                ids.append(nodes.at(inside).id);
            warnings[ids.first()][QStringLiteral("links")]
                = QStringLiteral("This node is in a loop that no link leaves (%1): it runs until "
                                 "the run's budget stops it")
                      .arg(ids.join(QLatin1String(" → ")));
        }
    }
    return warnings;
}

NodeErrors templateWarnings(const GraphSnapshot &snapshot)
{
    // A template pin and the dict input its variables come from.
    static const QList<std::pair<QString, QString>> kTemplates {
        {QStringLiteral("format"), QStringLiteral("values")},
        {QStringLiteral("prompt"), QStringLiteral("prompt_values")},
        {QStringLiteral("sys_prompt"), QStringLiteral("prompt_values")},
    };
    NodeErrors warnings;
    for (const Model::Node &node : snapshot.graph().nodes) {
        const Model::BlockSchema *schema = snapshot.schemaOf(node.id);
        if (!schema || isMuted(node))
            continue;
        for (const auto &[templatePin, valuesPin] : kTemplates) {
            const Model::PinSpec *values = schema->input(valuesPin);
            if (!schema->input(templatePin) || !values || values->type != Model::PinType::Object)
                continue;
            const Value source = node.inputDefault.value(templatePin);
            if (!source.isString())
                continue;
            // What provides the variables: the dict's own keys, a link to an
            // entry, or a link of the whole dict (its keys known only when
            // it comes from an input block, which sends one plain value).
            QSet<QString> provided;
            const Value staticValues = node.inputDefault.value(valuesPin);
            if (staticValues.isMap()) {
                const ValueMap map = staticValues.toMap();
                for (auto it = map.begin(); it != map.end(); ++it)
                    provided.insert(it.key().toString());
            }
            bool templateLinked = false;
            bool unknownKeys = false;
            QString wholeFrom;
            for (qsizetype index : snapshot.inputLinks(node.id)) {
                const Model::Link &link = snapshot.link(index);
                if (link.sinkName == templatePin)
                    templateLinked = true;
                if (link.sinkName.startsWith(valuesPin + kDictSplit))
                    provided.insert(link.sinkName.mid(valuesPin.size() + kDictSplit.size()));
                if (link.sinkName != valuesPin)
                    continue;
                const Model::BlockSchema *from = snapshot.schemaOf(link.sourceId);
                if (from && from->type == Model::BlockType::Input) {
                    const Model::Node *input = snapshot.node(link.sourceId);
                    wholeFrom = input ? input->inputDefault.value(QLatin1String("name")).toString()
                                      : QString();
                } else {
                    unknownKeys = true;
                }
            }
            if (templateLinked || unknownKeys)
                continue;
            QStringList missing;
            for (const QString &name : templateVariables(source.toString())) {
                if (!provided.contains(name))
                    missing.append(name);
            }
            if (missing.isEmpty())
                continue;
            QString message
                = QStringLiteral("The template names %1, which nothing provides: it renders as "
                                 "empty text. Give \"%2\" an entry %3 and link a value to it")
                      .arg(missing.size() == 1
                               ? QStringLiteral("{{%1}}").arg(missing.first())
                               : QStringLiteral("{{%1}}").arg(missing.join(QLatin1String("}}, {{"))),
                           valuesPin,
                           missing.size() == 1 ? QStringLiteral("\"%1\"").arg(missing.first())
                                               : QStringLiteral("for each"));
            if (!wholeFrom.isNull()) {
                message += QStringLiteral("; the input \"%1\" is linked to the whole of \"%2\", "
                                          "which passes one value, not a named entry")
                               .arg(wholeFrom, valuesPin);
            }
            warnings[node.id][templatePin] = message;
        }
    }
    return warnings;
}

NodeErrors graphWarnings(const GraphSnapshot &snapshot)
{
    NodeErrors warnings = loopWarnings(snapshot);
    const NodeErrors templates = templateWarnings(snapshot);
    for (auto node = templates.begin(); node != templates.end(); ++node) {
        for (auto field = node->begin(); field != node->end(); ++field)
            warnings[node.key()][field.key()] = field.value();
    }
    return warnings;
}

RunCheck validateGraphForRun(const GraphSnapshot &snapshot, const ValueMap &nodesInputMasks,
                             const CredentialsLookup *credentials, const QString &userId)
{
    RunCheck check;
    NodeErrors &errors = check.errors;
    const Model::Graph &graph = snapshot.graph();
    for (const Model::Node &node : graph.nodes) {
        const Model::BlockSchema *block = snapshot.registry().schema(node.blockId);
        if (!block)
            continue;
        // A muted node completes without running, whatever its inputs.
        if (isMuted(node)) {
            check.nodesToSkip.insert(node.id);
            continue;
        }
        const auto [problems, missing] = credentialProblems(
            node, *block, nodesInputMasks.value(node.id).toMap(), credentials, userId);
        if (!problems.isEmpty())
            errors[node.id].insert(problems);
        else if (missing && credentialsOptional(node))
            check.nodesToSkip.insert(node.id);
    }
    for (const Model::Node &node : graph.nodes) {
        const Model::BlockSchema *schema = snapshot.registry().schema(node.blockId);
        if (!schema) {
            errors[node.id][QStringLiteral("block_id")]
                = QStringLiteral("Signalbox has no block %1; replace this node to run the graph")
                      .arg(node.blockId);
            continue;
        }
        if (!snapshot.registry().implementation(node.blockId)
            && schema->type != Model::BlockType::Note && !check.nodesToSkip.contains(node.id)) {
            errors[node.id][QStringLiteral("block_id")]
                = QStringLiteral("Block %1 is not available in this version of Signalbox")
                      .arg(schema->name);
            continue;
        }
        if (isMuted(node))
            continue;
        QSet<QString> provided;
        for (auto it = node.inputDefault.begin(); it != node.inputDefault.end(); ++it)
            provided.insert(basePinName(it.key().toString()));
        for (qsizetype index : snapshot.inputLinks(node.id))
            provided.insert(basePinName(snapshot.link(index).sinkName));
        const ValueMap mask = nodesInputMasks.value(node.id).toMap();
        for (auto it = mask.begin(); it != mask.end(); ++it)
            provided.insert(it.key().toString());
        for (const Model::PinSpec &pin : schema->inputs) {
            if (pin.required && !provided.contains(pin.name)
                && pin.type != Model::PinType::Credentials)
                errors[node.id][pin.name] = QStringLiteral("This field is required");
        }
        if (node.blockId == BlockIds::SmartDecisionMaker) {
            // Its conversation loop: both pins linked, or neither, and the
            // tool's output never from a static link (get_missing_links).
            bool history = false;
            std::optional<qsizetype> toolOutput;
            for (qsizetype index : snapshot.inputLinks(node.id)) {
                const Model::Link &link = snapshot.link(index);
                if (link.sinkName == QLatin1String("conversation_history"))
                    history = true;
                else if (link.sinkName == QLatin1String("last_tool_output"))
                    toolOutput = index;
            }
            if (history != toolOutput.has_value()) {
                errors[node.id][QStringLiteral("last_tool_output")] = QStringLiteral(
                    "Last Tool Output is needed when Conversation History is used, and vice "
                    "versa. Please connect both inputs together.");
            } else if (toolOutput && snapshot.isStatic(*toolOutput)) {
                errors[node.id][QStringLiteral("last_tool_output")] = QStringLiteral(
                    "Last Tool Output can't be connected to a static (dashed line) link like the "
                    "output of `StoreValue` or `AgentInput` block");
            }
        }
        // Defaults must be of, or convertible to, their pin's type.
        for (const Model::PinSpec &pin : schema->inputs) {
            const Value given = node.inputDefault.value(pin.name);
            if (given.isUndefined() || given.isNull() || pin.type == Model::PinType::Any)
                continue;
            const Value converted = convertToPinType(given, pin.type);
            ValueMap single;
            single.insert(pin.name, converted);
            for (const QString &problem : snapshot.registry().validateInput(node.blockId, single)) {
                if (!problem.contains(QLatin1String("required"))
                    && !problem.contains(QLatin1String("Missing")))
                    errors[node.id][pin.name] = problem;
            }
        }
    }
    for (qsizetype i = 0; i < graph.links.size(); ++i) {
        const Model::Link &link = graph.links.at(i);
        const Model::Node *source = snapshot.node(link.sourceId);
        const Model::Node *sink = snapshot.node(link.sinkId);
        const Model::BlockSchema *sourceSchema = snapshot.schemaOf(link.sourceId);
        const Model::BlockSchema *sinkSchema = snapshot.schemaOf(link.sinkId);
        if (source && sourceSchema) {
            const bool agent = sourceSchema->type == Model::BlockType::Agent;
            // Legacy exports name a SmartDecisionMaker's tool links
            // tools_^_<tool>_~_<field>: they are its `tools` pin.
            const QString pin = source->blockId == BlockIds::SmartDecisionMaker
                    && Model::isToolPin(link.sourceName)
                ? QStringLiteral("tools")
                : basePinName(link.sourceName);
            if (agent ? !agentPins(*source, "output_schema").contains(pin)
                      : !sourceSchema->output(pin)) {
                const QStringList outputs
                    = agent ? agentPins(*source, "output_schema") : pinNames(sourceSchema->outputs);
                errors[source->id][link.sourceName]
                    = QStringLiteral("Link %1: output `%2` invalid, allowed fields: %3")
                          .arg(link.id, link.sourceName, outputs.join(QLatin1String(", ")));
            }
        }
        if (sink && sinkSchema) {
            const bool agent = sinkSchema->type == Model::BlockType::Agent;
            const QString pin = basePinName(link.sinkName);
            if (agent ? !agentPins(*sink, "input_schema").contains(pin) : !sinkSchema->input(pin)) {
                const QStringList inputs
                    = agent ? agentPins(*sink, "input_schema") : pinNames(sinkSchema->inputs);
                errors[sink->id][link.sinkName]
                    = QStringLiteral("Link %1: input `%2` invalid, allowed fields: %3")
                          .arg(link.id, link.sinkName, inputs.join(QLatin1String(", ")));
            }
        }
    }
    return check;
}

Error graphValidationError(const NodeErrors &errors, const GraphSnapshot &snapshot)
{
    int count = 0;
    QStringList details;
    for (auto node = errors.begin(); node != errors.end(); ++node) {
        const Model::BlockSchema *schema = snapshot.schemaOf(node.key());
        const QString block = schema ? schema->name : QStringLiteral("unknown block");
        for (auto field = node->begin(); field != node->end(); ++field) {
            ++count;
            details.append(QStringLiteral("node %1 (%2), %3: %4")
                               .arg(node.key(), block, field.key(), field.value()));
        }
    }
    return makeError(ErrorCode::BadInput,
                     QStringLiteral("Graph validation failed: %1 issues on %2 nodes")
                         .arg(count)
                         .arg(errors.size()),
                     details);
}

ExecInput validateExec(const GraphSnapshot &snapshot, const Model::Node &node, const ValueMap &data)
{
    const Model::BlockSchema *schema = snapshot.registry().schema(node.blockId);
    if (!schema)
        return {std::nullopt, QStringLiteral("Block for %1 not found.").arg(node.blockId)};
    const QString prefix
        = QStringLiteral("Input data missing or mismatch for `%1`:").arg(schema->name);

    // SmartDecisionMaker's conversation loop: its history and the last
    // tool's output are linked but not waited for (get_missing_links).
    const bool decisionMaker = node.blockId == BlockIds::SmartDecisionMaker;
    const auto loopPin = [decisionMaker](const QString &name) {
        return decisionMaker
            && (name == QLatin1String("conversation_history")
                || name == QLatin1String("last_tool_output"));
    };
    QStringList missingLinks;
    for (qsizetype index : snapshot.inputLinks(node.id)) {
        const QString sinkName = snapshot.link(index).sinkName;
        if (loopPin(sinkName))
            continue;
        if (!data.contains(sinkName) && !missingLinks.contains(sinkName))
            missingLinks.append(sinkName);
    }
    if (!missingLinks.isEmpty())
        return {std::nullopt,
                QStringLiteral("%1 unpopulated links %2")
                    .arg(prefix, missingLinks.join(QLatin1String(", ")))};

    if (schema->type == Model::BlockType::Agent) {
        // AgentExecutorBlock: the sub-graph's inputs, defaulted from
        // input_default.inputs and checked against input_default.input_schema.
        ValueMap inputs = node.inputDefault.value(QLatin1String("inputs")).toMap();
        for (auto it = data.begin(); it != data.end(); ++it)
            inputs.insert(it.key(), it.value());
        QStringList missing;
        const Model::ValueList required = node.inputDefault.value(QLatin1String("input_schema"))
                                              .toMap()
                                              .value(QLatin1String("required"))
                                              .toArray();
        for (const Value &name : required) {
            if (!inputs.contains(name.toString()))
                missing.append(name.toString());
        }
        if (!missing.isEmpty())
            return {std::nullopt,
                    QStringLiteral("%1 missing input %2")
                        .arg(prefix, missing.join(QLatin1String(", ")))};
        return {inputs, schema->name};
    }

    ValueMap merged = node.inputDefault;
    for (auto it = data.begin(); it != data.end(); ++it)
        merged.insert(it.key(), it.value());
    auto folded = mergeDynamicInputs(merged);
    if (!folded)
        return {std::nullopt, QStringLiteral("%1 %2").arg(prefix, folded.error().message)};
    ValueMap resolved = *folded;
    for (const Model::PinSpec &pin : schema->inputs) {
        const Value value = resolved.value(pin.name);
        if (!value.isNull() && !value.isUndefined() && !hasPinType(value, pin.type))
            resolved.insert(pin.name, convertToPinType(value, pin.type));
    }
    QStringList missing;
    const bool keyless = Llm::takesNoKey(*schema, resolved);
    for (const Model::PinSpec &pin : schema->inputs) {
        const Value value = resolved.value(pin.name);
        if (pin.required && (value.isNull() || value.isUndefined())
            && !(keyless && pin.type == Model::PinType::Credentials))
            missing.append(pin.name);
    }
    if (!missing.isEmpty())
        return {
            std::nullopt,
            QStringLiteral("%1 missing input %2").arg(prefix, missing.join(QLatin1String(", ")))};
    ValueMap present;
    for (auto it = resolved.begin(); it != resolved.end(); ++it) {
        if (!it.value().isNull() && !it.value().isUndefined())
            present.insert(it.key(), it.value());
    }
    if (const QStringList problems = snapshot.registry().validateInput(node.blockId, present);
        !problems.isEmpty())
        return {std::nullopt,
                QStringLiteral("%1 %2").arg(prefix, problems.join(QLatin1String("; ")))};
    if (decisionMaker) {
        // get_missing_input: the tool's output while calls wait for it, and
        // the history that goes with a tool's output.
        const bool pending = !LlmBlocks::pendingToolCallIds(
                                  resolved.value(QLatin1String("conversation_history")).toArray())
                                  .isEmpty();
        const Value output = resolved.value(QLatin1String("last_tool_output"));
        const bool hasOutput = !output.isNull() && !output.isUndefined();
        if (pending && !hasOutput)
            return {std::nullopt, QStringLiteral("%1 missing input last_tool_output").arg(prefix)};
        if (!pending && hasOutput && !data.contains(QLatin1String("conversation_history")))
            return {std::nullopt,
                    QStringLiteral("%1 missing input conversation_history").arg(prefix)};
    }
    return {resolved, schema->name};
}

} // namespace Signalbox::Engine
