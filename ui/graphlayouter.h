// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/graph.h"
#include "model/result.h"

#include <QHash>
#include <QPointF>
#include <QSizeF>

#include <memory>

namespace Signalbox::Ui {

// Places a graph's nodes: given each node's size, returns the top-left
// position of each, links flowing left to right.
class GraphLayouter
{
public:
    virtual ~GraphLayouter() = default;
    virtual Result<QHash<QString, QPointF>> layout(const Model::Graph &graph,
                                                   const QHash<QString, QSizeF> &sizes) const = 0;
};

// Graphviz's `dot` through libgvc: layered, few crossings.
class GraphvizLayouter final : public GraphLayouter
{
public:
    Result<QHash<QString, QPointF>> layout(const Model::Graph &graph,
                                           const QHash<QString, QSizeF> &sizes) const override;
};

std::unique_ptr<GraphLayouter> createDefaultLayouter();

} // namespace Signalbox::Ui
