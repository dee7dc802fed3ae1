// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "value.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <vector>

namespace Signalbox::Model {

// A node: one use of a block in a graph. `extra` keeps the fields Signalbox
// does not interpret so that a round trip loses nothing. Inputs and metadata
// are the runtime's values: keys stay in the order they were written, and
// 1 and 1.0 stay apart.
struct Node
{
    QString id;
    QString blockId;
    ValueMap inputDefault;
    ValueMap metadata;
    QJsonObject extra;

    bool operator==(const Node &) const = default;
};

// A link from an output pin of one node to an input pin of another.
struct Link
{
    QString id;
    QString sourceId;
    QString sourceName;
    QString sinkId;
    QString sinkName;
    bool isStatic = false;
    QJsonObject extra;

    bool operator==(const Link &) const = default;
};

// One version of a graph. Executions refer to (id, version).
struct Graph
{
    QString id;
    int version = 1;
    bool isActive = true;
    QString name;
    QString description;
    QList<Node> nodes;
    QList<Link> links;
    // Graphs run by this graph's AgentExecutorBlock nodes, exported with it.
    std::vector<Graph> subGraphs;
    QJsonObject extra;

    bool operator==(const Graph &) const = default;

    const Node *node(const QString &nodeId) const;
    // True when the two versions have the same nodes, links, name and
    // description (ids, version numbers, active flags and sub-graphs aside):
    // saving such a graph makes no new version.
    bool sameContentAs(const Graph &other) const;
};

} // namespace Signalbox::Model
