// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rundata.h"

#include "model/executionstatus.h"
#include "model/graph.h"
#include <QGraphicsScene>

#include <QHash>

class QGraphicsPathItem;

namespace Signalbox::Ui {

class GraphDocument;
class GroupItem;
class LinkItem;
class NodeItem;
class PinItem;

// The canvas of one document. It only observes the document (items are made,
// changed and removed on its signals) and turns gestures into document edits:
// a finished drag into one move, a pin-to-pin drag into a link (or a refusal
// with its reason), a double-click on a link into a reroute point.
class GraphScene : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit GraphScene(GraphDocument *document, QObject *parent = nullptr);

    GraphDocument *document() const { return m_document; }
    NodeItem *nodeItem(const QString &nodeId) const { return m_nodes.value(nodeId); }
    LinkItem *linkItem(const QString &linkId) const { return m_links.value(linkId); }
    GroupItem *groupItem(const QString &groupId) const { return m_groups.value(groupId); }

    QStringList selectedNodeIds() const;
    QStringList selectedLinkIds() const;
    QStringList selectedGroupIds() const;
    void selectNodes(const QStringList &nodeIds);

    // Validation problems per node id; other nodes are cleared.
    void setProblems(const QHash<QString, QStringList> &problems);
    // Node statuses of the run being watched; an empty map clears them.
    void setRunStatuses(const QHash<QString, Model::ExecutionStatus> &statuses);
    // A node's text so far in the watched run (a streaming answer); empty
    // clears it. clearLiveTexts() clears every node's.
    void setLiveText(const QString &nodeId, const QString &text);
    void clearLiveTexts();
    QString liveText(const QString &nodeId) const;
    // A node yielded on `pin`: a dot runs along the links from it; with
    // `count`, each such link counts one more value.
    void pulseLinksFrom(const QString &nodeId, const QString &pin, bool count = false);
    // A run laid over the graph: each node's status and last outputs under
    // it, on each link the number of values that went along it. An empty
    // one clears it all, statuses and live texts too.
    void setRunData(const RunData &data);
    const RunData &runData() const { return m_runData; }
    const NodeRunData *nodeRunData(const QString &nodeId) const;

    // Building the items of a large graph is spread over several event loop
    // turns; these say how far it got.
    bool isPopulating() const { return m_populateAt >= 0; }

    // For the items.
    void nodeItemMoved(const QString &nodeId);
    void updateLinksOf(const QString &nodeId);
    void dragGroupBy(const QString &groupId, QPointF delta);
    // Turns item positions that differ from the document into one command.
    void commitMoves();

Q_SIGNALS:
    // The run laid over the graph changed (set, updated or cleared).
    void runDataChanged();
    void linkRefused(const QString &reason);
    // A link dragged from a pin was let go over empty canvas.
    void linkDroppedOnCanvas(const QString &nodeId, const QString &pinName, bool fromInput,
                             QPointF scenePos);
    void groupRenameRequested(const QString &groupId);
    void populateProgressed(int done, int total);
    void populated();

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event) override;

private:
    void rebuild();
    void populateSome();
    void addNodeItem(const QString &nodeId);
    void removeNodeItem(const QString &nodeId);
    void addLinkItem(const QString &linkId);
    LinkItem *createLinkItem(const Model::Link &link);
    void removeLinkItem(const QString &linkId);
    void updateLink(LinkItem *item);
    void refreshNode(const QString &nodeId);
    void rebuildGroups();
    void fitGroups(const QString &nodeId = {});
    PinItem *pinAt(QPointF scenePos) const;
    void clearHighlight();

    GraphDocument *m_document;
    QHash<QString, NodeItem *> m_nodes;
    QHash<QString, LinkItem *> m_links;
    QHash<QString, GroupItem *> m_groups;
    // node id -> ids of the links touching it
    QMultiHash<QString, QString> m_linksOfNode;
    QHash<QString, QStringList> m_problems;
    int m_populateAt = -1;
    RunData m_runData;

    PinItem *m_dragFrom = nullptr;
    QGraphicsPathItem *m_dragPath = nullptr;
    PinItem *m_highlighted = nullptr;
};

} // namespace Signalbox::Ui
