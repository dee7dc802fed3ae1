// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"

#include <QGraphicsPathItem>

class QVariantAnimation;

namespace Signalbox::Ui {

// A point a link passes through, dragged by the user; the scene turns a
// finished drag into one reroute command.
class RerouteItem : public QGraphicsEllipseItem
{
public:
    enum { Type = UserType + 4 };

    explicit RerouteItem(QGraphicsItem *link);
    int type() const override { return Type; }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
};

// A link between two pins: a curve through its reroute points, coloured by
// the type it carries, dashed when static.
class LinkItem : public QGraphicsPathItem
{
public:
    enum { Type = UserType + 3 };

    explicit LinkItem(const QString &linkId);
    ~LinkItem() override;
    int type() const override { return Type; }

    const QString &linkId() const { return m_linkId; }
    void setStyle(Model::PinType type, bool isStatic);
    void setEnds(QPointF from, QPointF to);
    void setReroutePoints(const QList<QPointF> &points);
    QList<QPointF> reroutePoints() const;
    // Where a new reroute point at `scenePos` goes in the list.
    qsizetype rerouteInsertIndex(QPointF scenePos) const;
    void rebuildPath();

    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    // How many values went along the link in the run shown, drawn at its
    // middle; negative hides it.
    void setValueCount(int count);
    int valueCount() const { return m_count; }
    QRectF boundingRect() const override;

    // A dot travels the link once: data just went along it.
    void pulse();
    bool isPulsing() const { return m_dot >= 0; }

    // The curve a link from `from` to `to` follows through `via`.
    static QPainterPath curve(QPointF from, QPointF to, const QList<QPointF> &via = {});

private:
    QString m_linkId;
    QPointF m_from;
    QPointF m_to;
    QList<RerouteItem *> m_reroutes;
    QColor m_color;
    bool m_static = false;
    qreal m_dot = -1; // where the dot is along the path, 0..1; -1 none
    int m_count = -1;
    QRectF countRect() const;
    QVariantAnimation *m_animation = nullptr;
};

} // namespace Signalbox::Ui
