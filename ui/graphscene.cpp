// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphscene.h"

#include "graphdocument.h"
#include "groupitem.h"
#include "linkitem.h"
#include "nodeitem.h"

#include "model/pinnames.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneMouseEvent>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

namespace Signalbox::Ui {

namespace {

// Items made per event-loop turn while a graph is built.
constexpr int kPopulateStep = 150;

QList<QPointF> reroutesOf(const Model::Link &link)
{
    QList<QPointF> points;
    for (const QJsonValue &value : link.extra.value(QLatin1String("reroutes")).toArray()) {
        const QJsonObject point = value.toObject();
        points.append(QPointF(point.value(QLatin1String("x")).toDouble(),
                              point.value(QLatin1String("y")).toDouble()));
    }
    return points;
}

} // namespace

GraphScene::GraphScene(GraphDocument *document, QObject *parent)
    : QGraphicsScene(parent)
    , m_document(document)
{
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    connect(document, &GraphDocument::documentReset, this, &GraphScene::rebuild);
    connect(document, &GraphDocument::nodeAdded, this, &GraphScene::addNodeItem);
    connect(document, &GraphDocument::nodeAboutToBeRemoved, this, &GraphScene::removeNodeItem);
    connect(document, &GraphDocument::nodeChanged, this, &GraphScene::refreshNode);
    connect(document, &GraphDocument::nodeMoved, this, [this](const QString &nodeId) {
        NodeItem *item = m_nodes.value(nodeId);
        const Model::Node *node = m_document->node(nodeId);
        if (item && node)
            item->setPos(GraphDocument::nodePosition(*node));
    });
    connect(document, &GraphDocument::linkAdded, this, &GraphScene::addLinkItem);
    connect(document, &GraphDocument::linkAboutToBeRemoved, this, &GraphScene::removeLinkItem);
    connect(document, &GraphDocument::linkChanged, this, [this](const QString &linkId) {
        if (LinkItem *item = m_links.value(linkId)) {
            const Model::Link *link = m_document->link(linkId);
            item->setReroutePoints(reroutesOf(*link));
            // A renamed entry moves the link to another row of its sink.
            refreshNode(link->sinkId);
            updateLink(item);
        }
    });
    connect(document, &GraphDocument::groupsChanged, this, &GraphScene::rebuildGroups);
    // An edit makes the graph another than the one the run ran: its data goes.
    const auto dropRunData = [this] {
        if (!m_runData.isEmpty())
            setRunData({});
    };
    connect(document, &GraphDocument::documentReset, this, dropRunData);
    for (const auto signal : {&GraphDocument::nodeAdded, &GraphDocument::nodeAboutToBeRemoved, &GraphDocument::nodeChanged,
                              &GraphDocument::linkAdded, &GraphDocument::linkAboutToBeRemoved,
                              &GraphDocument::linkChanged})
        connect(document, signal, this, dropRunData);
    rebuild();
}

void GraphScene::rebuild()
{
    m_dragFrom = nullptr;
    m_highlighted = nullptr;
    m_dragPath = nullptr;
    clear();
    m_nodes.clear();
    m_links.clear();
    m_groups.clear();
    m_linksOfNode.clear();
    m_problems.clear();
    m_populateAt = 0;
    populateSome();
}

void GraphScene::populateSome()
{
    if (m_populateAt < 0)
        return;
    // Nodes first, then links; a step of each per event-loop turn.
    const QList<Model::Node> &nodes = m_document->graph().nodes;
    const QList<Model::Link> &links = m_document->graph().links;
    const int nodeCount = int(nodes.size());
    const int total = nodeCount + int(links.size());
    const int end = qMin(total, m_populateAt + kPopulateStep);
    for (int i = m_populateAt; i < end; ++i) {
        if (i < nodeCount) {
            addNodeItem(nodes.at(i).id);
        } else {
            // The node items already show which of their pins are linked.
            updateLink(createLinkItem(links.at(i - nodeCount)));
        }
    }
    m_populateAt = end;
    Q_EMIT populateProgressed(end, total);
    if (end < total) {
        QTimer::singleShot(0, this, &GraphScene::populateSome);
        return;
    }
    m_populateAt = -1;
    rebuildGroups();
    Q_EMIT populated();
}

void GraphScene::addNodeItem(const QString &nodeId)
{
    if (m_nodes.contains(nodeId))
        return;
    auto *item = new NodeItem(m_document, nodeId);
    m_nodes.insert(nodeId, item);
    addItem(item);
    if (m_problems.contains(nodeId))
        item->setProblems(m_problems.value(nodeId));
}

void GraphScene::removeNodeItem(const QString &nodeId)
{
    NodeItem *item = m_nodes.take(nodeId);
    if (!item)
        return;
    if (m_dragFrom && m_dragFrom->nodeId() == nodeId)
        m_dragFrom = nullptr;
    if (m_highlighted && m_highlighted->nodeId() == nodeId)
        m_highlighted = nullptr;
    delete item;
}

LinkItem *GraphScene::createLinkItem(const Model::Link &link)
{
    auto *item = new LinkItem(link.id);
    m_links.insert(link.id, item);
    m_linksOfNode.insert(link.sourceId, link.id);
    m_linksOfNode.insert(link.sinkId, link.id);
    addItem(item);
    item->setReroutePoints(reroutesOf(link));
    return item;
}

void GraphScene::addLinkItem(const QString &linkId)
{
    const Model::Link *link = m_document->link(linkId);
    if (!link || m_links.contains(linkId) || isPopulating())
        return;
    createLinkItem(*link);
    // A new dynamic entry adds a row to its sink; the pins' filling changes.
    refreshNode(link->sinkId);
    refreshNode(link->sourceId);
}

void GraphScene::removeLinkItem(const QString &linkId)
{
    LinkItem *item = m_links.take(linkId);
    if (!item)
        return;
    const Model::Link *link = m_document->link(linkId);
    delete item;
    if (!link)
        return;
    m_linksOfNode.remove(link->sourceId, linkId);
    m_linksOfNode.remove(link->sinkId, linkId);
    // The link is still in the document: refresh once it is gone.
    const QString source = link->sourceId;
    const QString sink = link->sinkId;
    QTimer::singleShot(0, this, [this, source, sink] {
        refreshNode(source);
        refreshNode(sink);
    });
}

void GraphScene::refreshNode(const QString &nodeId)
{
    NodeItem *item = m_nodes.value(nodeId);
    if (!item)
        return;
    item->refresh();
    updateLinksOf(nodeId);
    fitGroups(nodeId);
}

void GraphScene::updateLink(LinkItem *item)
{
    const Model::Link *link = m_document->link(item->linkId());
    if (!link)
        return;
    NodeItem *source = m_nodes.value(link->sourceId);
    NodeItem *sink = m_nodes.value(link->sinkId);
    if (!source || !sink)
        return;
    Model::PinType type = Model::PinType::Any;
    if (const Model::BlockSchema *schema = m_document->schemaOf(link->sourceId)) {
        if (const Model::PinSpec *pin = schema->output(link->sourceName))
            type = pin->type;
    }
    item->setStyle(type, link->isStatic);
    item->setEnds(source->pinScenePos(link->sourceName, false),
                  sink->pinScenePos(link->sinkName, true));
}

void GraphScene::updateLinksOf(const QString &nodeId)
{
    const QList<QString> ids = m_linksOfNode.values(nodeId);
    for (const QString &linkId : ids) {
        if (LinkItem *item = m_links.value(linkId))
            updateLink(item);
    }
}

void GraphScene::nodeItemMoved(const QString &nodeId)
{
    if (isPopulating())
        return;
    updateLinksOf(nodeId);
    fitGroups(nodeId);
}

void GraphScene::rebuildGroups()
{
    if (isPopulating())
        return;
    for (GroupItem *item : std::as_const(m_groups))
        delete item;
    m_groups.clear();
    for (const NodeGroup &group : m_document->groups()) {
        auto *item = new GroupItem(group.id, group.title, group.nodeIds);
        m_groups.insert(group.id, item);
        addItem(item);
    }
    fitGroups();
}

void GraphScene::fitGroups(const QString &nodeId)
{
    for (GroupItem *group : std::as_const(m_groups)) {
        if (!nodeId.isEmpty() && !group->nodeIds().contains(nodeId))
            continue;
        QRectF members;
        for (const QString &id : group->nodeIds()) {
            if (NodeItem *node = m_nodes.value(id))
                members |= node->sceneBoundingRect();
        }
        group->fitAround(members);
    }
}

void GraphScene::dragGroupBy(const QString &groupId, QPointF delta)
{
    GroupItem *group = m_groups.value(groupId);
    if (!group)
        return;
    for (const QString &id : group->nodeIds()) {
        if (NodeItem *node = m_nodes.value(id))
            node->moveBy(delta.x(), delta.y());
    }
}

void GraphScene::commitMoves()
{
    QHash<QString, QPointF> moved;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        const Model::Node *node = m_document->node(it.key());
        if (!node)
            continue;
        const QPointF now = it.value()->pos();
        const QPointF stored = GraphDocument::nodePosition(*node);
        if (qRound(now.x()) != qRound(stored.x()) || qRound(now.y()) != qRound(stored.y()))
            moved.insert(it.key(), now);
    }
    if (!moved.isEmpty())
        m_document->moveNodes(moved);
    for (auto it = m_links.cbegin(); it != m_links.cend(); ++it) {
        const Model::Link *link = m_document->link(it.key());
        if (!link)
            continue;
        const QList<QPointF> now = it.value()->reroutePoints();
        const QList<QPointF> stored = reroutesOf(*link);
        bool same = now.size() == stored.size();
        for (qsizetype i = 0; same && i < now.size(); ++i)
            same = now.at(i).toPoint() == stored.at(i).toPoint();
        if (!same)
            m_document->setReroutePoints(it.key(), now);
    }
}

QStringList GraphScene::selectedNodeIds() const
{
    QStringList ids;
    // In document order, so that copies and commands are stable.
    for (const Model::Node &node : m_document->graph().nodes) {
        if (NodeItem *item = m_nodes.value(node.id); item && item->isSelected())
            ids.append(node.id);
    }
    return ids;
}

QStringList GraphScene::selectedLinkIds() const
{
    QStringList ids;
    for (const Model::Link &link : m_document->graph().links) {
        if (LinkItem *item = m_links.value(link.id); item && item->isSelected())
            ids.append(link.id);
    }
    return ids;
}

QStringList GraphScene::selectedGroupIds() const
{
    QStringList ids;
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        if (it.value()->isSelected())
            ids.append(it.key());
    }
    return ids;
}

void GraphScene::selectNodes(const QStringList &nodeIds)
{
    clearSelection();
    for (const QString &id : nodeIds) {
        if (NodeItem *item = m_nodes.value(id))
            item->setSelected(true);
    }
}

void GraphScene::setProblems(const QHash<QString, QStringList> &problems)
{
    m_problems = problems;
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it)
        it.value()->setProblems(problems.value(it.key()));
}

void GraphScene::setRunStatuses(const QHash<QString, Model::ExecutionStatus> &statuses)
{
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        const auto found = statuses.constFind(it.key());
        it.value()->setRunStatus(found == statuses.cend()
                                     ? std::nullopt
                                     : std::optional<Model::ExecutionStatus>(*found));
    }
}

void GraphScene::setLiveText(const QString &nodeId, const QString &text)
{
    if (NodeItem *node = m_nodes.value(nodeId))
        node->setLiveText(text);
}

QString GraphScene::liveText(const QString &nodeId) const
{
    const NodeItem *node = m_nodes.value(nodeId);
    return node ? node->liveText() : QString();
}

void GraphScene::clearLiveTexts()
{
    for (NodeItem *node : std::as_const(m_nodes))
        node->setLiveText({});
}

void GraphScene::pulseLinksFrom(const QString &nodeId, const QString &pin, bool count)
{
    for (const Model::Link *link : m_document->linksOf(nodeId)) {
        if (link->sourceId != nodeId || Model::basePinName(link->sourceName) != pin)
            continue;
        LinkItem *item = m_links.value(link->id);
        if (item)
            item->pulse();
        if (count && !m_runData.isEmpty()) {
            const int values = ++m_runData.linkValues[link->id];
            if (item)
                item->setValueCount(values);
        }
    }
}

void GraphScene::setRunData(const RunData &data)
{
    m_runData = data;
    QHash<QString, Model::ExecutionStatus> statuses;
    for (auto it = data.nodes.cbegin(); it != data.nodes.cend(); ++it)
        statuses.insert(it.key(), it->status);
    if (data.isEmpty())
        clearLiveTexts();
    setRunStatuses(statuses);
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it)
        it.value()->setRunData(nodeRunData(it.key()));
    for (auto it = m_links.cbegin(); it != m_links.cend(); ++it)
        it.value()->setValueCount(data.isEmpty() ? -1 : data.linkValues.value(it.key(), 0));
    Q_EMIT runDataChanged();
}

const NodeRunData *GraphScene::nodeRunData(const QString &nodeId) const
{
    const auto found = m_runData.nodes.constFind(nodeId);
    return found == m_runData.nodes.cend() ? nullptr : &*found;
}

PinItem *GraphScene::pinAt(QPointF scenePos) const
{
    const QList<QGraphicsItem *> found = items(scenePos);
    for (QGraphicsItem *item : found) {
        if (item->type() == PinItem::Type)
            return static_cast<PinItem *>(item);
    }
    return nullptr;
}

void GraphScene::clearHighlight()
{
    if (m_highlighted)
        m_highlighted->setHighlight(0);
    m_highlighted = nullptr;
}

void GraphScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        if (PinItem *pin = pinAt(event->scenePos())) {
            m_dragFrom = pin;
            m_dragPath = new QGraphicsPathItem;
            m_dragPath->setPen(QPen(QColor(0x60, 0x7d, 0x8b), 2, Qt::DashLine));
            m_dragPath->setZValue(100);
            addItem(m_dragPath);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
}

void GraphScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_dragFrom || !m_dragPath) {
        QGraphicsScene::mouseMoveEvent(event);
        return;
    }
    const QPointF start = m_dragFrom->scenePos();
    const QPointF end = event->scenePos();
    m_dragPath->setPath(m_dragFrom->isInput() ? LinkItem::curve(end, start)
                                              : LinkItem::curve(start, end));
    PinItem *target = pinAt(end);
    if (target != m_highlighted)
        clearHighlight();
    if (target && target != m_dragFrom && target->isInput() != m_dragFrom->isInput()) {
        const PinItem *source = m_dragFrom->isInput() ? target : m_dragFrom;
        const PinItem *sink = m_dragFrom->isInput() ? m_dragFrom : target;
        const QString problem = m_document->linkProblem(source->nodeId(), source->pinName(),
                                                        sink->nodeId(), sink->pinName());
        target->setHighlight(problem.isEmpty() ? 1 : -1);
        target->setToolTip(problem);
        m_highlighted = target;
    }
    event->accept();
}

void GraphScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_dragPath) {
        QGraphicsScene::mouseReleaseEvent(event);
        if (event->button() == Qt::LeftButton)
            commitMoves();
        return;
    }
    delete m_dragPath;
    m_dragPath = nullptr;
    clearHighlight();
    PinItem *from = m_dragFrom;
    m_dragFrom = nullptr;
    PinItem *target = pinAt(event->scenePos());
    event->accept();
    if (from && !target) {
        const QList<QGraphicsItem *> under = items(event->scenePos());
        const bool empty = std::none_of(under.cbegin(), under.cend(), [](QGraphicsItem *item) {
            return item->type() == NodeItem::Type || item->parentItem();
        });
        if (empty) {
            Q_EMIT linkDroppedOnCanvas(from->nodeId(), from->pinName(), from->isInput(),
                                       event->scenePos());
        }
        return;
    }
    if (!from || !target || target == from)
        return;
    if (target->isInput() == from->isInput()) {
        Q_EMIT linkRefused(from->isInput()
                               ? tr("Link an input to an output, not to another input")
                               : tr("Link an output to an input, not to another output"));
        return;
    }
    const PinItem *source = from->isInput() ? target : from;
    const PinItem *sink = from->isInput() ? from : target;
    const auto added
        = m_document->addLink(source->nodeId(), source->pinName(), sink->nodeId(), sink->pinName());
    if (!added)
        Q_EMIT linkRefused(added.error().message);
}

void GraphScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent *event)
{
    for (QGraphicsItem *item : items(event->scenePos())) {
        if (item->type() == RerouteItem::Type) {
            auto *link = static_cast<LinkItem *>(item->parentItem());
            QList<QPointF> points = link->reroutePoints();
            points.removeOne(item->pos());
            m_document->setReroutePoints(link->linkId(), points);
            event->accept();
            return;
        }
        if (item->type() == LinkItem::Type) {
            auto *link = static_cast<LinkItem *>(item);
            QList<QPointF> points = link->reroutePoints();
            points.insert(link->rerouteInsertIndex(event->scenePos()), event->scenePos());
            m_document->setReroutePoints(link->linkId(), points);
            event->accept();
            return;
        }
        if (item->type() == GroupItem::Type) {
            Q_EMIT groupRenameRequested(static_cast<GroupItem *>(item)->groupId());
            event->accept();
            return;
        }
        if (item->type() == NodeItem::Type || item->type() == PinItem::Type) {
            QGraphicsScene::mouseDoubleClickEvent(event);
            return;
        }
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

} // namespace Signalbox::Ui
