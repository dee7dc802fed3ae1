// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "blockschema.h"
#include "graph.h"

#include <QStringList>

namespace Signalbox::Model {

// Every node (of the graph and its sub-graphs) whose block is not known,
// each as "nodes[i] (node ID): unknown block BLOCK_ID".
QStringList unknownBlockProblems(const Graph &graph, const BlockSchemaLookup &blocks);

} // namespace Signalbox::Model
