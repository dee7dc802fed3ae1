// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphsnapshot.h"

namespace Signalbox::Engine {

GraphSnapshot::GraphSnapshot(Model::Graph graph, std::shared_ptr<const BlockRegistry> registry)
    : m_graph(std::move(graph))
    , m_registry(std::move(registry))
{
    m_nodeIndex.reserve(m_graph.nodes.size());
    m_schemas.reserve(m_graph.nodes.size());
    for (qsizetype i = 0; i < m_graph.nodes.size(); ++i) {
        m_nodeIndex.emplace(m_graph.nodes.at(i).id, i);
        m_schemas.append(m_registry->schema(m_graph.nodes.at(i).blockId));
    }
    for (qsizetype i = 0; i < m_graph.links.size(); ++i) {
        const Model::Link &link = m_graph.links.at(i);
        m_inputLinks[link.sinkId].append(i);
        m_outputLinks[link.sourceId].append(i);
        const Model::BlockSchema *source = schemaOf(link.sourceId);
        m_static.append(link.isStatic || (source && source->staticOutput));
        if (m_static.last())
            m_staticSinks.insert(link.sinkId);
    }
}

const Model::Node *GraphSnapshot::node(const QString &nodeId) const
{
    const auto it = m_nodeIndex.find(nodeId);
    return it == m_nodeIndex.end() ? nullptr : &m_graph.nodes.at(it->second);
}

const Model::BlockSchema *GraphSnapshot::schemaOf(const QString &nodeId) const
{
    const auto it = m_nodeIndex.find(nodeId);
    return it == m_nodeIndex.end() ? nullptr : m_schemas.at(it->second);
}

const QList<qsizetype> &GraphSnapshot::inputLinks(const QString &nodeId) const
{
    static const QList<qsizetype> none;
    const auto it = m_inputLinks.find(nodeId);
    return it == m_inputLinks.end() ? none : it->second;
}

const QList<qsizetype> &GraphSnapshot::outputLinks(const QString &nodeId) const
{
    static const QList<qsizetype> none;
    const auto it = m_outputLinks.find(nodeId);
    return it == m_outputLinks.end() ? none : it->second;
}

QList<const Model::Node *> GraphSnapshot::startingNodes() const
{
    QList<const Model::Node *> nodes;
    for (const Model::Node &candidate : m_graph.nodes) {
        const Model::BlockSchema *schema = m_registry->schema(candidate.blockId);
        const bool isInput = schema && schema->type == Model::BlockType::Input;
        if (isInput || m_inputLinks.count(candidate.id) == 0)
            nodes.append(&candidate);
    }
    return nodes;
}

} // namespace Signalbox::Engine
