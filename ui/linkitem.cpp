// SPDX-License-Identifier: GPL-3.0-or-later
#include "linkitem.h"

#include "canvascolors.h"
#include "pinstyle.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>
#include <QVariantAnimation>

namespace Signalbox::Ui {

RerouteItem::RerouteItem(QGraphicsItem *link)
    : QGraphicsEllipseItem(-6, -6, 12, 12, link)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setBrush(Qt::white);
    setPen(QPen(QColor(0x60, 0x7d, 0x8b), 2));
    setCursor(Qt::SizeAllCursor);
    setToolTip(QObject::tr("Reroute point: drag to move, double-click to remove"));
}

QVariant RerouteItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged && parentItem())
        static_cast<LinkItem *>(parentItem())->rebuildPath();
    return QGraphicsEllipseItem::itemChange(change, value);
}

LinkItem::LinkItem(const QString &linkId)
    : m_linkId(linkId)
{
    setFlags(ItemIsSelectable);
    setZValue(-1);
    setAcceptHoverEvents(true);
}

void LinkItem::pulse()
{
    if (!m_animation) {
        m_animation = new QVariantAnimation;
        m_animation->setDuration(600);
        m_animation->setStartValue(0.0);
        m_animation->setEndValue(1.0);
        QObject::connect(m_animation, &QVariantAnimation::valueChanged, m_animation,
                         [this](const QVariant &value) {
                             m_dot = value.toReal();
                             update();
                         });
        QObject::connect(m_animation, &QVariantAnimation::finished, m_animation, [this] {
            m_dot = -1;
            update();
        });
    }
    m_animation->stop();
    m_animation->start();
}

LinkItem::~LinkItem()
{
    delete m_animation;
}

void LinkItem::setStyle(Model::PinType type, bool isStatic)
{
    m_color = pinColor(type);
    m_static = isStatic;
    update();
}

void LinkItem::setEnds(QPointF from, QPointF to)
{
    m_from = from;
    m_to = to;
    rebuildPath();
}

void LinkItem::setReroutePoints(const QList<QPointF> &points)
{
    qDeleteAll(m_reroutes);
    m_reroutes.clear();
    for (const QPointF point : points) {
        auto *item = new RerouteItem(this);
        item->setPos(point);
        m_reroutes.append(item);
    }
    rebuildPath();
}

QList<QPointF> LinkItem::reroutePoints() const
{
    QList<QPointF> points;
    for (const RerouteItem *item : m_reroutes)
        points.append(item->pos());
    return points;
}

qsizetype LinkItem::rerouteInsertIndex(QPointF scenePos) const
{
    QList<QPointF> stops = reroutePoints();
    stops.prepend(m_from);
    stops.append(m_to);
    qsizetype best = 0;
    qreal bestDistance = std::numeric_limits<qreal>::max();
    for (qsizetype i = 0; i + 1 < stops.size(); ++i) {
        const QPointF middle = (stops.at(i) + stops.at(i + 1)) / 2;
        const qreal distance = QLineF(middle, scenePos).length();
        if (distance < bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

QPainterPath LinkItem::curve(QPointF from, QPointF to, const QList<QPointF> &via)
{
    QList<QPointF> stops = via;
    stops.prepend(from);
    stops.append(to);
    QPainterPath path(from);
    for (qsizetype i = 0; i + 1 < stops.size(); ++i) {
        const QPointF a = stops.at(i);
        const QPointF b = stops.at(i + 1);
        const qreal bend = qMax<qreal>(40, qAbs(b.x() - a.x()) * 0.5);
        path.cubicTo(a + QPointF(bend, 0), b - QPointF(bend, 0), b);
    }
    return path;
}

void LinkItem::rebuildPath()
{
    setPath(curve(m_from, m_to, reroutePoints()));
}

QPainterPath LinkItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(12);
    return stroker.createStroke(path());
}

void LinkItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    painter->setRenderHint(QPainter::Antialiasing, lod >= 0.35);
    const bool selected = option->state & QStyle::State_Selected;
    if (selected) {
        painter->setPen(QPen(QColor(0xff, 0xa0, 0x00, 160), 7, Qt::SolidLine, Qt::RoundCap));
        painter->drawPath(path());
    }
    QPen pen(m_color, 2.4, m_static ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
    if (m_dot >= 0) {
        painter->setPen(QPen(Qt::white, 1.5));
        painter->setBrush(m_color);
        painter->drawEllipse(path().pointAtPercent(m_dot), 5, 5);
    }
    if (m_count >= 0 && lod >= 0.35) {
        const QRectF box = countRect();
        const CanvasColors colors = CanvasColors::current();
        painter->setPen(QPen(m_count > 0 ? m_color : colors.bubbleBorder, 1));
        painter->setBrush(colors.nodeBody);
        painter->drawRoundedRect(box, box.height() / 2, box.height() / 2);
        painter->setPen(m_count > 0 ? colors.text : colors.mutedText);
        painter->drawText(box, Qt::AlignCenter, QString::number(m_count));
    }
}

QRectF LinkItem::countRect() const
{
    const QFontMetricsF metrics {QFont {}};
    const qreal width = metrics.horizontalAdvance(QString::number(m_count)) + 12;
    const qreal height = metrics.height() + 2;
    const QPointF middle = path().pointAtPercent(0.5);
    return QRectF(middle.x() - width / 2, middle.y() - height / 2, width, height);
}

QRectF LinkItem::boundingRect() const
{
    const QRectF line = QGraphicsPathItem::boundingRect().adjusted(-5, -5, 5, 5);
    return m_count >= 0 ? line.united(countRect().adjusted(-1, -1, 1, 1)) : line;
}

void LinkItem::setValueCount(int count)
{
    if (m_count == count)
        return;
    prepareGeometryChange();
    m_count = count;
    update();
}

} // namespace Signalbox::Ui
