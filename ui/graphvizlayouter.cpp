// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphlayouter.h"

#include <graphviz/gvc.h>

#include <QMutex>

namespace Signalbox::Ui {

namespace {

// Graphviz keeps global state; one layout at a time.
QMutex graphvizMutex;

constexpr double kPointsPerInch = 72.0;

void setAttribute(void *object, const char *name, const QByteArray &value)
{
    agsafeset(object, const_cast<char *>(name), const_cast<char *>(value.constData()),
              const_cast<char *>(""));
}

} // namespace

Result<QHash<QString, QPointF>> GraphvizLayouter::layout(const Model::Graph &graph,
                                                         const QHash<QString, QSizeF> &sizes) const
{
    QMutexLocker locker(&graphvizMutex);
    GVC_t *context = gvContext();
    if (!context)
        return makeError(ErrorCode::Internal, QStringLiteral("Graphviz could not start"));
    Agraph_t *g = agopen(const_cast<char *>("signalbox"), Agdirected, nullptr);
    setAttribute(g, "rankdir", "LR");
    setAttribute(g, "nodesep", "0.5");
    setAttribute(g, "ranksep", "1.1");
    setAttribute(g, "splines", "false");

    QHash<QString, Agnode_t *> nodes;
    for (const Model::Node &node : graph.nodes) {
        const QByteArray name = node.id.toUtf8();
        Agnode_t *n = agnode(g, const_cast<char *>(name.constData()), 1);
        const QSizeF size = sizes.value(node.id, QSizeF(250, 120));
        setAttribute(n, "shape", "box");
        setAttribute(n, "label", "");
        setAttribute(n, "fixedsize", "true");
        setAttribute(n, "width", QByteArray::number(size.width() / kPointsPerInch));
        setAttribute(n, "height", QByteArray::number(size.height() / kPointsPerInch));
        nodes.insert(node.id, n);
    }
    for (const Model::Link &link : graph.links) {
        Agnode_t *source = nodes.value(link.sourceId);
        Agnode_t *sink = nodes.value(link.sinkId);
        if (source && sink && source != sink)
            agedge(g, source, sink, nullptr, 1);
    }
    if (gvLayout(context, g, "dot") != 0) {
        agclose(g);
        gvFreeContext(context);
        return makeError(ErrorCode::Internal,
                         QStringLiteral("Graphviz could not lay out the graph"));
    }
    QHash<QString, QPointF> positions;
    for (auto it = nodes.cbegin(); it != nodes.cend(); ++it) {
        const pointf centre = ND_coord(it.value());
        const QSizeF size = sizes.value(it.key(), QSizeF(250, 120));
        // Graphviz's y axis points up.
        positions.insert(it.key(),
                         QPointF(centre.x - size.width() / 2, -centre.y - size.height() / 2));
    }
    gvFreeLayout(context, g);
    agclose(g);
    gvFreeContext(context);
    return positions;
}

std::unique_ptr<GraphLayouter> createDefaultLayouter()
{
    return std::make_unique<GraphvizLayouter>();
}

} // namespace Signalbox::Ui
