// SPDX-License-Identifier: GPL-3.0-or-later
#include "groupitem.h"

#include "canvascolors.h"

#include "graphscene.h"

#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace Signalbox::Ui {

GroupItem::GroupItem(const QString &groupId, const QString &title, const QStringList &nodeIds)
    : m_groupId(groupId)
    , m_title(title)
    , m_nodeIds(nodeIds)
{
    setFlags(ItemIsSelectable);
    setZValue(-10);
    setToolTip(QObject::tr("Group \"%1\": drag the title bar to move its nodes").arg(title));
}

void GroupItem::fitAround(const QRectF &members)
{
    prepareGeometryChange();
    setPos(0, 0);
    m_rect = members.adjusted(-20, -20 - kTitleHeight, 20, 20);
    update();
}

QRectF GroupItem::boundingRect() const
{
    return m_rect.adjusted(-2, -2, 2, 2);
}

QPainterPath GroupItem::shape() const
{
    // Only the title bar grabs the mouse; the nodes inside stay clickable and
    // a rubber band can start inside the frame.
    QPainterPath path;
    path.addRect(QRectF(m_rect.topLeft(), QSizeF(m_rect.width(), kTitleHeight)));
    return path;
}

void GroupItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = option->state & QStyle::State_Selected;
    painter->setPen(
        QPen(selected ? QColor(0xff, 0xa0, 0x00) : QColor(0x90, 0xa4, 0xae), selected ? 2.5 : 1.2));
    painter->setBrush(QColor(0x90, 0xa4, 0xae, 40));
    painter->drawRoundedRect(m_rect, 10, 10);
    QPainterPath title;
    title.addRoundedRect(QRectF(m_rect.topLeft(), QSizeF(m_rect.width(), kTitleHeight)), 10, 10);
    painter->fillPath(title, QColor(0x90, 0xa4, 0xae, 110));
    QFont font;
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(CanvasColors::current().text);
    painter->drawText(QRectF(m_rect.left() + 12, m_rect.top(), m_rect.width() - 24, kTitleHeight),
                      Qt::AlignLeft | Qt::AlignVCenter, m_title);
}

void GroupItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsItem::mousePressEvent(event);
    if (event->button() == Qt::LeftButton) {
        m_dragStart = event->scenePos();
        m_dragging = true;
    }
}

void GroupItem::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (!m_dragging)
        return;
    const QPointF delta = event->scenePos() - m_dragStart;
    m_dragStart = event->scenePos();
    if (auto *graphScene = qobject_cast<GraphScene *>(scene()))
        graphScene->dragGroupBy(m_groupId, delta);
}

void GroupItem::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsItem::mouseReleaseEvent(event);
    m_dragging = false;
    if (auto *graphScene = qobject_cast<GraphScene *>(scene()))
        graphScene->commitMoves();
}

} // namespace Signalbox::Ui
