// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphvalidation.h"

namespace Signalbox::Model {

namespace {

void collect(const Graph &graph, const BlockSchemaLookup &blocks, const QString &prefix,
             QStringList &problems)
{
    for (qsizetype i = 0; i < graph.nodes.size(); ++i) {
        const Node &node = graph.nodes.at(i);
        if (!blocks.schema(node.blockId)) {
            problems.append(QStringLiteral("%1nodes[%2] (node %3): unknown block \"%4\"")
                                .arg(prefix)
                                .arg(i)
                                .arg(node.id, node.blockId));
        }
    }
}

} // namespace

QStringList unknownBlockProblems(const Graph &graph, const BlockSchemaLookup &blocks)
{
    QStringList problems;
    collect(graph, blocks, QString(), problems);
    for (size_t i = 0; i < graph.subGraphs.size(); ++i)
        collect(graph.subGraphs.at(i), blocks, QStringLiteral("sub_graphs[%1].").arg(i), problems);
    return problems;
}

} // namespace Signalbox::Model
