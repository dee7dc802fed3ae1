// SPDX-License-Identifier: GPL-3.0-or-later
#include "graph.h"

namespace Signalbox::Model {

const Node *Graph::node(const QString &nodeId) const
{
    for (const Node &candidate : nodes) {
        if (candidate.id == nodeId)
            return &candidate;
    }
    return nullptr;
}

bool Graph::sameContentAs(const Graph &other) const
{
    return name == other.name && description == other.description && nodes == other.nodes
        && links == other.links && extra == other.extra;
}

} // namespace Signalbox::Model
