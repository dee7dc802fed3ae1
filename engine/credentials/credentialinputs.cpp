// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentialinputs.h"

#include "engine/blocks/blockregistry.h"
#include "engine/llm/llmcatalog.h"

namespace Signalbox::Engine {

QMap<QString, GraphCredentialsInput> aggregateCredentialsInputs(const Model::Graph &graph,
                                                                const BlockRegistry &registry)
{
    QMap<QString, GraphCredentialsInput> inputs;
    for (const Model::Node &node : graph.nodes) {
        const Model::BlockSchema *schema = registry.schema(node.blockId);
        if (!schema)
            continue;
        for (const Model::PinSpec &pin : schema->inputs) {
            if (pin.type != Model::PinType::Credentials)
                continue;
            QStringList providers = pin.credentialsProviders;
            QStringList types = pin.credentialsTypes;
            // An LLM block's credentials are for its model's provider
            // (AutoGPT's discriminator on the model field).
            if (providers.isEmpty()) {
                for (const Model::PinSpec &other : schema->inputs) {
                    if (!other.llmModel)
                        continue;
                    const Llm::Catalog &catalog = Llm::Catalog::builtin();
                    const Model::Value chosen = node.inputDefault.value(other.name);
                    const QString value = chosen.isString() && !chosen.toString().isEmpty()
                        ? chosen.toString()
                        : catalog.defaultModel();
                    if (const Llm::LlmModel *model = catalog.resolve(value))
                        providers = {model->provider};
                }
            }
            providers.sort();
            types.sort();
            const QString key
                = providers.join(u'_') + u'_' + types.join(u'_') + QLatin1String("_credentials");
            GraphCredentialsInput &input = inputs[key];
            input.providers = providers;
            input.types = types;
            input.nodeFields.append({node.id, pin.name});
            if (!node.metadata.value(QLatin1String("credentials_optional")).toBool()
                && !Llm::takesNoKey(*schema, node.inputDefault))
                input.required = true;
        }
    }
    return inputs;
}

Model::ValueMap makeNodeCredentialsInputMap(const Model::Graph &graph,
                                            const BlockRegistry &registry,
                                            const Model::ValueMap &graphCredentialsInputs)
{
    Model::ValueMap result;
    const auto inputs = aggregateCredentialsInputs(graph, registry);
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        if (!graphCredentialsInputs.contains(it.key()))
            continue;
        const Model::Value chosen = graphCredentialsInputs.value(it.key());
        for (const auto &[nodeId, field] : it->nodeFields) {
            Model::ValueMap fields = result.value(nodeId).toMap();
            fields.insert(field, chosen);
            result.insert(nodeId, fields);
        }
    }
    return result;
}

Model::ValueMap mergeNodesInputMasks(const Model::ValueMap &base, const Model::ValueMap &overrides)
{
    Model::ValueMap merged = base;
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        Model::ValueMap fields = merged.value(it.key()).toMap();
        const Model::ValueMap extra = it.value().toMap();
        for (auto field = extra.begin(); field != extra.end(); ++field)
            fields.insert(field.key(), field.value());
        merged.insert(it.key(), fields);
    }
    return merged;
}

} // namespace Signalbox::Engine
