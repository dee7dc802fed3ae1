// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/graph.h"
#include "model/value.h"

#include <QMap>
#include <QStringList>

namespace Signalbox::Engine {

class BlockRegistry;

// One credentials input of a whole graph: the node fields that accept the
// same providers and types, which one choice of credentials fills.
struct GraphCredentialsInput
{
    QStringList providers;
    QStringList types;
    // (node id, field name), in graph order.
    QList<std::pair<QString, QString>> nodeFields;
    // False when every node using it has optional credentials.
    bool required = false;
};

// AutoGPT's GraphModel.aggregate_credentials_inputs: keyed
// "{providers}_{types}_credentials" (each sorted and joined by "_").
QMap<QString, GraphCredentialsInput> aggregateCredentialsInputs(const Model::Graph &graph,
                                                                const BlockRegistry &registry);

// AutoGPT's make_node_credentials_input_map: graph-level credential choices
// ({key: {"id", "provider", "type", "title"}}) as node input masks.
Model::ValueMap makeNodeCredentialsInputMap(const Model::Graph &graph,
                                            const BlockRegistry &registry,
                                            const Model::ValueMap &graphCredentialsInputs);

// AutoGPT's _merge_nodes_input_masks: `overrides` wins field by field.
Model::ValueMap mergeNodesInputMasks(const Model::ValueMap &base, const Model::ValueMap &overrides);

} // namespace Signalbox::Engine
