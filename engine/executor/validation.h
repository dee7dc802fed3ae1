// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "graphsnapshot.h"

#include "engine/credentials/credentialsstore.h"

#include "model/value.h"

#include <QMap>
#include <QSet>

namespace Signalbox::Engine {

// {node id: {field: message}}, every problem of the whole graph at once.
using NodeErrors = QMap<QString, QMap<QString, QString>>;

struct RunCheck
{
    NodeErrors errors;
    // Nodes whose optional credentials are not set: they do not run.
    QSet<QString> nodesToSkip;
};

// AutoGPT's validate_graph_with_credentials. validate_graph_get_errors for a
// run: every node's block exists and is available, every required input is
// given by a default, a link or an input mask, link pins exist on both blocks
// (dynamic suffixes stripped), and default values are of (or convertible to)
// their pin's type. Then _validate_node_input_credentials: each credentials
// input (an input mask before the node's default) must be set, unless the
// node's metadata marks its credentials optional, which skips the node; a
// value set must be well-formed credentials the store knows. A skipped node
// need not be available in this build, since it never runs. Nodes muted in
// the editor (metadata "muted") are skipped the same way, unchecked.
// Without a credentials store every credentials reference is unknown.
RunCheck validateGraphForRun(const GraphSnapshot &snapshot, const Model::ValueMap &nodesInputMasks,
                             const CredentialsLookup *credentials = nullptr,
                             const QString &userId = QString(Model::kDefaultUserId));

// Loops that no link leaves (strongly connected nodes, or a node linked to
// itself, with no link out to another node): one warning per loop, on its
// first node, naming the nodes in it. Iterative, for graphs of any depth.
NodeErrors loopWarnings(const GraphSnapshot &snapshot);

// Templates that name a variable nothing provides (Fill Text Template's
// "format" and the AI blocks' prompts, whose variables come from "values" or
// "prompt_values"): one warning on the template field, naming each missing
// variable. A template or a whole dict linked from a block other than an
// input is not judged, since its text or keys are known only at run time.
NodeErrors templateWarnings(const GraphSnapshot &snapshot);

// Every warning: loops that no link leaves and templates' missing variables.
NodeErrors graphWarnings(const GraphSnapshot &snapshot);

// "Graph validation failed: N issues on M nodes" with one line per problem.
Error graphValidationError(const NodeErrors &errors, const GraphSnapshot &snapshot);

struct ExecInput
{
    // The resolved input when the node can run.
    std::optional<Model::ValueMap> input;
    // Why it cannot, when it cannot.
    QString message;
};

// AutoGPT's validate_exec: the node's inputs merged over its defaults,
// dynamic pins folded, values converted to their pin types; ready only when
// every linked pin has arrived, every required input is present and the
// input matches the block's schema.
ExecInput validateExec(const GraphSnapshot &snapshot, const Model::Node &node,
                       const Model::ValueMap &data);

} // namespace Signalbox::Engine
