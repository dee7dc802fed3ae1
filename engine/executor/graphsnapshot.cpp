// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphsnapshot.h"

namespace Signalbox::Engine {

GraphSnapshot::GraphSnapshot(Model::Graph graph, std::shared_ptr<const BlockRegistry> registry)
    : m_graph(std::move(graph))
    , m_registry(std::move(registry))
{
    for (qsizetype i = 0; i < m_graph.nodes.size(); ++i)
        m_nodeIndex.insert(m_graph.nodes.at(i).id, i);
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
    const auto it = m_nodeIndex.constFind(nodeId);
    return it == m_nodeIndex.constEnd() ? nullptr : &m_graph.nodes.at(*it);
}

const Model::BlockSchema *GraphSnapshot::schemaOf(const QString &nodeId) const
{
    const Model::Node *found = node(nodeId);
    return found ? m_registry->schema(found->blockId) : nullptr;
}

const QList<qsizetype> &GraphSnapshot::inputLinks(const QString &nodeId) const
{
    static const QList<qsizetype> none;
    const auto it = m_inputLinks.constFind(nodeId);
    return it == m_inputLinks.constEnd() ? none : *it;
}

const QList<qsizetype> &GraphSnapshot::outputLinks(const QString &nodeId) const
{
    static const QList<qsizetype> none;
    const auto it = m_outputLinks.constFind(nodeId);
    return it == m_outputLinks.constEnd() ? none : *it;
}

QList<const Model::Node *> GraphSnapshot::startingNodes() const
{
    QList<const Model::Node *> nodes;
    for (const Model::Node &candidate : m_graph.nodes) {
        const Model::BlockSchema *schema = m_registry->schema(candidate.blockId);
        const bool isInput = schema && schema->type == Model::BlockType::Input;
        if (isInput || !m_inputLinks.contains(candidate.id))
            nodes.append(&candidate);
    }
    return nodes;
}

} // namespace Signalbox::Engine
