// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/blocks/blockregistry.h"
#include "model/graph.h"
#include "model/stringkey.h"

#include <QHash>
#include <QList>
#include <QSet>

#include <memory>

namespace Signalbox::Engine {

// An immutable view of one graph version prepared for running: nodes by id,
// links by sink and by source, and each link's effective static flag (links
// from static_output blocks are always static). Shared read-only by the
// coordinator and the workers.
class GraphSnapshot
{
public:
    GraphSnapshot(Model::Graph graph, std::shared_ptr<const BlockRegistry> registry);

    const Model::Graph &graph() const { return m_graph; }
    const BlockRegistry &registry() const { return *m_registry; }
    std::shared_ptr<const BlockRegistry> registryPointer() const { return m_registry; }

    const Model::Node *node(const QString &nodeId) const;
    const Model::BlockSchema *schemaOf(const QString &nodeId) const;
    // Indices into graph().links.
    const QList<qsizetype> &inputLinks(const QString &nodeId) const;
    const QList<qsizetype> &outputLinks(const QString &nodeId) const;
    bool isStatic(qsizetype linkIndex) const { return m_static.at(linkIndex); }
    // True when a static link feeds the node (its latest input is reused).
    bool hasStaticInput(const QString &nodeId) const { return m_staticSinks.count(nodeId) > 0; }
    const Model::Link &link(qsizetype linkIndex) const { return m_graph.links.at(linkIndex); }

    // AutoGPT's starting nodes: input blocks and nodes no link points to.
    QList<const Model::Node *> startingNodes() const;

private:
    Model::Graph m_graph;
    std::shared_ptr<const BlockRegistry> m_registry;
    // By node id; schemas in node order.
    Model::StringKeyMap<qsizetype> m_nodeIndex;
    QList<const Model::BlockSchema *> m_schemas;
    Model::StringKeyMap<QList<qsizetype>> m_inputLinks;
    Model::StringKeyMap<QList<qsizetype>> m_outputLinks;
    QList<bool> m_static;
    Model::StringKeySet m_staticSinks;
};

} // namespace Signalbox::Engine
