// SPDX-License-Identifier: GPL-3.0-or-later
#include "blockpipeline.h"

#include "blockregistry.h"
#include "typeconversion.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;

namespace {

// Checks and forwards a block's yields; remembers the first failure.
class CheckingContext final : public BlockContext
{
public:
    CheckingContext(const Model::BlockSchema &schema, BlockContext &outer)
        : m_schema(schema)
        , m_outer(outer)
    { }

    void yield(const QString &pin, const Value &value) override
    {
        if (m_failure)
            return;
        if (pin == QLatin1String("error")) {
            m_failure = value.isString() ? value.toString() : Model::pythonStr(value);
            return;
        }
        if (m_schema.type == Model::BlockType::Standard) {
            const Model::PinSpec *output = m_schema.output(pin);
            if (!output) {
                m_failure = QStringLiteral(
                                "Block produced an invalid output: %1 has no output pin \"%2\"")
                                .arg(m_schema.name, pin);
                return;
            }
            if (!value.isNull() && !hasPinType(value, output->type)) {
                m_failure
                    = QStringLiteral(
                          "Block produced an invalid output: %1 on pin \"%2\" is not of type %3")
                          .arg(Model::pythonStr(value).left(200), pin,
                               Model::pinTypeName(output->type));
                return;
            }
        }
        m_outer.yield(pin, value);
    }
    bool isCancelled() const override { return m_outer.isCancelled(); }
    bool sleep(qint64 milliseconds) override { return m_outer.sleep(milliseconds); }
    Result<std::pair<Credential, CredentialSecret>> credentials(const Value &meta) override
    {
        return m_outer.credentials(meta);
    }
    NetworkPolicy networkPolicy() const override { return m_outer.networkPolicy(); }
    void progress(const QString &pin, const QString &text) override
    {
        m_outer.progress(pin, text);
    }
    void mergeStats(const QJsonObject &stats) override { m_outer.mergeStats(stats); }
    const Llm::Catalog &llmCatalog() const override { return m_outer.llmCatalog(); }
    bool streamAnswers() const override { return m_outer.streamAnswers(); }
    std::shared_ptr<const GraphSnapshot> graphSnapshot() const override
    {
        return m_outer.graphSnapshot();
    }
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

    Result<std::optional<Model::ReviewResult>>
    reviewDecision(const Value &data, const QString &instructions, bool editable,
                   NodeApproval nodeApproval) override
    {
        return m_outer.reviewDecision(data, instructions, editable, nodeApproval);
    }
    Result<void> carryApproval(const QString &nodeId, const Value &input) override
    {
        return m_outer.carryApproval(nodeId, input);
    }

    std::optional<QString> failure() const { return m_failure; }

private:
    const Model::BlockSchema &m_schema;
    BlockContext &m_outer;
    std::optional<QString> m_failure;
};

} // namespace

ValueMap withDefaults(const Model::BlockSchema &schema, const ValueMap &input)
{
    ValueMap result;
    for (auto it = input.begin(); it != input.end(); ++it) {
        if (!it.value().isNull() && !it.value().isUndefined())
            result.insert(it.key(), it.value());
    }
    for (const Model::PinSpec &pin : schema.inputs) {
        if (!result.contains(pin.name) && pin.hasDefault)
            result.insert(pin.name, Model::fromQJson(pin.defaultValue));
        // pydantic turns integers into floats on float pins.
        if (pin.type == Model::PinType::Number && result.value(pin.name).isInteger())
            result.insert(pin.name, Value(double(result.value(pin.name).toInteger())));
    }
    return result;
}

PreparedInput prepareBlockInput(const BlockRegistry &registry, const Model::BlockSchema &schema,
                             const ValueMap &input)
{
    ValueMap present;
    for (auto it = input.begin(); it != input.end(); ++it) {
        if (!it.value().isNull() && !it.value().isUndefined())
            present.insert(it.key(), it.value());
    }
    PreparedInput prepared;
    prepared.problems = registry.validateInput(schema.id, present);
    prepared.input = withDefaults(schema, present);
    return prepared;
}

ValueMap maskSecrets(const Model::BlockSchema &schema, ValueMap input)
{
    for (const Model::PinSpec &pin : schema.inputs) {
        if (pin.secret && input.contains(pin.name) && !input.value(pin.name).isNull())
            input.insert(pin.name, QStringLiteral("\u2022\u2022\u2022\u2022\u2022\u2022"));
    }
    return input;
}

Result<void> executeBlock(const BlockRegistry &registry, const QString &blockId,
                          const ValueMap &input, BlockContext &context)
{
    const Model::BlockSchema *schema = registry.schema(blockId);
    if (!schema)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("Block for %1 not found.").arg(blockId));
    const BlockFunction *function = registry.implementation(blockId);
    if (!function) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("Block %1 (%2) is not available in this version of Signalbox")
                .arg(schema->name, blockId));
    }
    ValueMap reviewed = input;
    // A sensitive action in a run with the sensitive-action safe mode on
    // runs only on an approved input, which may have been edited.
    const Model::ExecutionContext &execution = context.executionContext();
    if (schema->isSensitiveAction && execution.sensitiveActionSafeMode
        && !execution.nodeExecId.isEmpty()) {
        auto decision = context.reviewDecision(
            Value(input), QStringLiteral("Review required for %1 execution").arg(schema->name),
            true);
        if (!decision)
            return decision.error();
        if (!decision->has_value())
            return {}; // waiting: the node pauses
        const Model::ReviewResult &result = **decision;
        if (result.status != Model::ReviewStatus::Approved) {
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("Block execution rejected by reviewer: %1")
                                 .arg(result.message.isEmpty()
                                          ? QStringLiteral("Execution rejected by reviewer")
                                          : result.message));
        }
        if (!result.data.isMap())
            return makeError(
                ErrorCode::BadInput,
                QStringLiteral("The approved input of %1 must be an object").arg(schema->name));
        reviewed = result.data.toMap();
    }
    const PreparedInput prepared = prepareBlockInput(registry, *schema, reviewed);
    if (!prepared.problems.isEmpty()) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("Unable to execute block with invalid input data: %1")
                             .arg(prepared.problems.join(QLatin1String("; "))));
    }
    CheckingContext checking(*schema, context);
    const Result<void> ran = (*function)(prepared.input, checking);
    if (const auto failure = checking.failure())
        return makeError(ErrorCode::BadInput, *failure);
    return ran;
}

} // namespace Signalbox::Engine
