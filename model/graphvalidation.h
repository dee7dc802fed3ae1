// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "blockschema.h"
#include "graph.h"

#include <QStringList>

namespace Signalbox::Model {

// Every node (of the graph and its sub-graphs) whose block is not known,
// each as "nodes[i] (node ID): unknown block BLOCK_ID".
QStringList unknownBlockProblems(const Graph &graph, const BlockSchemaLookup &blocks);

// The graph inputs a run must be given: the names of input blocks with no
// default value (AutoGPT's graph input schema lists them as required) for
// which `inputs` has no value, or null, or empty text. Muted input blocks
// are left out. In the order of the graph's nodes, each name once.
QStringList missingGraphInputs(const Graph &graph, const BlockSchemaLookup &blocks,
                               const ValueMap &inputs);
// "Missing graph input \"topic\": it has no default, so the run needs a value"
// (for one or several).
QString missingGraphInputsMessage(const QStringList &names);

} // namespace Signalbox::Model
