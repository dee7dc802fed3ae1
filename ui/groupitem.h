// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QGraphicsItem>
#include <QStringList>

namespace Signalbox::Ui {

// A frame around a group of nodes, drawn behind them. Dragging its title bar
// drags its nodes; the scene makes that one move command on release.
class GroupItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 5 };
    static constexpr qreal kTitleHeight = 28;

    GroupItem(const QString &groupId, const QString &title, const QStringList &nodeIds);
    int type() const override { return Type; }

    const QString &groupId() const { return m_groupId; }
    const QString &title() const { return m_title; }
    const QStringList &nodeIds() const { return m_nodeIds; }
    // The frame around the members' bounding rectangle (scene coordinates).
    void fitAround(const QRectF &members);

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;

private:
    QString m_groupId;
    QString m_title;
    QStringList m_nodeIds;
    QRectF m_rect;
    QPointF m_dragStart;
    bool m_dragging = false;
};

} // namespace Signalbox::Ui
