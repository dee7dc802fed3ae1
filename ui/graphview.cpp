// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphview.h"
#include "canvascolors.h"
#include <QLabel>

#include "graphdocument.h"
#include "graphscene.h"
#include "nodeitem.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QtMath>

namespace Signalbox::Ui {

namespace {

constexpr qreal kMinZoom = 0.08;
constexpr qreal kMaxZoom = 3.0;
constexpr int kGrid = 20;

} // namespace

GraphView::GraphView(GraphScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent)
    , m_scene(scene)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontSavePainterState);
    setDragMode(QGraphicsView::RubberBandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    // Panning is by drag, wheel with Shift, keys and the minimap.
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setCacheMode(QGraphicsView::CacheBackground);
    setAccessibleName(tr("Graph canvas"));
    viewport()->setAccessibleName(tr("Graph canvas"));
    setAccessibleDescription(tr("Nodes and links of the graph. Arrows move the selected nodes, "
                                "Tab selects the next node, Delete removes the selection."));
    // A fixed, ample area: adding or moving nodes never shifts the view, and
    // there is room to pan beyond them.
    setSceneRect(QRectF(-1e6, -1e6, 2e6, 2e6));
    m_minimap = new Minimap(this, this);
    m_minimap->hide();
    placeMinimap();
    m_emptyHint = new QLabel(
        tr("<p style='font-size:large'><b>An empty graph</b></p>"
           "<p>Drag a block here from the <b>Blocks</b> palette, double-click the canvas or "
           "press <b>Shift+A</b> to add one.<br>Link blocks by dragging from a pin to a pin; "
           "let go on the canvas to add a linked block.<br>Run with <b>F5</b>. "
           "Help › Examples has graphs to start from.</p>"),
        this);
    m_emptyHint->setObjectName(QStringLiteral("emptyHint"));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);
    m_emptyHint->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_emptyHint->setForegroundRole(QPalette::PlaceholderText);
    for (const auto signal : {&GraphDocument::nodeAdded, &GraphDocument::nodeAboutToBeRemoved})
        connect(scene->document(), signal, this, [this] {
            // After the removal has happened.
            QTimer::singleShot(0, this, &GraphView::updateEmptyHint);
        });
    connect(scene->document(), &GraphDocument::documentReset, this, &GraphView::updateEmptyHint);
    // Centred in the viewport whatever its size.
    viewport()->installEventFilter(this);
    updateEmptyHint();
    // What the graph covers, read again a moment after the scene changes
    // (the scene's own rectangle only ever grows: deleted and moved nodes
    // would keep the minimap up).
    m_boundsTimer = new QTimer(this);
    m_boundsTimer->setSingleShot(true);
    m_boundsTimer->setInterval(100);
    connect(m_boundsTimer, &QTimer::timeout, this, [this] {
        m_contentBounds = m_scene->itemsBoundingRect();
        updateMinimap();
    });
    connect(scene, &QGraphicsScene::changed, this, [this] {
        if (!m_boundsTimer->isActive())
            m_boundsTimer->start();
    });
}

void GraphView::setZoom(qreal zoom)
{
    zoom = qBound(kMinZoom, zoom, kMaxZoom);
    setTransform(QTransform::fromScale(zoom, zoom));
    updateMinimap();
    Q_EMIT zoomChanged(zoom);
}

void GraphView::zoomBy(qreal factor)
{
    setZoom(zoom() * factor);
}

void GraphView::zoomToFit()
{
    QRectF bounds = m_scene->itemsBoundingRect();
    if (bounds.isEmpty())
        bounds = QRectF(0, 0, 400, 300);
    fitInView(bounds.adjusted(-40, -40, 40, 40), Qt::KeepAspectRatio);
    if (zoom() > 1.0)
        setZoom(1.0);
    else
        setZoom(zoom());
    centerOn(bounds.center());
}

void GraphView::setMinimapVisible(bool visible)
{
    m_minimapEnabled = visible;
    updateMinimap();
}

void GraphView::updateMinimap()
{
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    const QRectF bounds = m_contentBounds;
    const bool show = m_minimapEnabled && !bounds.isEmpty() && !visible.contains(bounds);
    if (show != m_minimap->isVisible())
        m_minimap->setVisible(show);
    if (show)
        m_minimap->update();
}

void GraphView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ShiftModifier) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const qreal steps = event->angleDelta().y() / 120.0;
    if (qFuzzyIsNull(steps))
        return;
    zoomBy(qPow(1.15, steps));
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_panning = true;
        setDragMode(QGraphicsView::ScrollHandDrag);
        // ScrollHandDrag pans with the left button only.
        QMouseEvent press(event->type(), event->position(), event->globalPosition(), Qt::LeftButton,
                          Qt::LeftButton, event->modifiers());
        QGraphicsView::mousePressEvent(&press);
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning) {
        QMouseEvent release(event->type(), event->position(), event->globalPosition(),
                            Qt::LeftButton, Qt::NoButton, event->modifiers());
        QGraphicsView::mouseReleaseEvent(&release);
        setDragMode(QGraphicsView::RubberBandDrag);
        m_panning = false;
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void GraphView::contextMenuEvent(QContextMenuEvent *event)
{
    Q_EMIT contextMenuRequested(mapToScene(event->pos()), event->globalPos());
    event->accept();
}

void GraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && !itemAt(event->position().toPoint())) {
        Q_EMIT quickAddRequested(mapToScene(event->position().toPoint()),
                                 event->globalPosition().toPoint());
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void GraphView::nudgeSelection(QPointF delta)
{
    QHash<QString, QPointF> positions;
    for (const QString &id : m_scene->selectedNodeIds()) {
        if (const Model::Node *node = m_scene->document()->node(id))
            positions.insert(id, GraphDocument::nodePosition(*node) + delta);
    }
    if (!positions.isEmpty())
        m_scene->document()->moveNodes(positions);
}

void GraphView::keyPressEvent(QKeyEvent *event)
{
    const qreal step = event->modifiers() & Qt::ShiftModifier ? 1 : kGrid;
    switch (event->key()) {
    case Qt::Key_Space:
        if (!event->isAutoRepeat())
            m_spaceHeld = true;
        event->accept();
        return;
    case Qt::Key_Escape:
        m_scene->clearSelection();
        return;
    case Qt::Key_Left:
        nudgeSelection({-step, 0});
        return;
    case Qt::Key_Right:
        nudgeSelection({step, 0});
        return;
    case Qt::Key_Up:
        nudgeSelection({0, -step});
        return;
    case Qt::Key_Down:
        nudgeSelection({0, step});
        return;
    default:
        break;
    }
    QGraphicsView::keyPressEvent(event);
}

void GraphView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

bool GraphView::focusNextPrevChild(bool next)
{
    // Tab walks the nodes in document order; the selection follows.
    const QList<Model::Node> &nodes = m_scene->document()->graph().nodes;
    if (nodes.isEmpty())
        return QGraphicsView::focusNextPrevChild(next);
    const QStringList selected = m_scene->selectedNodeIds();
    qsizetype index = selected.isEmpty() ? -1 : m_scene->document()->nodeIndex(selected.last());
    // Past the last node (or before the first), focus leaves the canvas.
    if ((next && index == nodes.size() - 1) || (!next && index == 0)) {
        m_scene->clearSelection();
        return QGraphicsView::focusNextPrevChild(next);
    }
    index = next ? index + 1 : (index < 0 ? nodes.size() - 1 : index - 1);
    const QString id = nodes.at(index).id;
    m_scene->selectNodes({id});
    if (NodeItem *item = m_scene->nodeItem(id))
        ensureVisible(item, 60, 60);
    return true;
}

void GraphView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(QLatin1String(kBlockMimeType)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragEnterEvent(event);
}

void GraphView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(QLatin1String(kBlockMimeType)))
        event->acceptProposedAction();
    else
        QGraphicsView::dragMoveEvent(event);
}

void GraphView::dropEvent(QDropEvent *event)
{
    const QByteArray data = event->mimeData()->data(QLatin1String(kBlockMimeType));
    if (data.isEmpty()) {
        QGraphicsView::dropEvent(event);
        return;
    }
    Q_EMIT blockDropped(QString::fromUtf8(data), mapToScene(event->position().toPoint()));
    event->acceptProposedAction();
}

void GraphView::drawBackground(QPainter *painter, const QRectF &rect)
{
    const CanvasColors colors = CanvasColors::current();
    painter->fillRect(rect, colors.background);
    if (zoom() < 0.4)
        return;
    const qreal left = std::floor(rect.left() / kGrid) * kGrid;
    const qreal top = std::floor(rect.top() / kGrid) * kGrid;
    QList<QPointF> dots;
    for (qreal x = left; x < rect.right(); x += kGrid) {
        for (qreal y = top; y < rect.bottom(); y += kGrid)
            dots.append(QPointF(x, y));
    }
    painter->setPen(QPen(colors.grid, 1.5));
    painter->drawPoints(dots.constData(), int(dots.size()));
}

void GraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    placeMinimap();
    updateMinimap();
    updateEmptyHint();
}

void GraphView::changeEvent(QEvent *event)
{
    QGraphicsView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        resetCachedContent();
        m_scene->update();
        updateMinimap();
    }
}

bool GraphView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == viewport() && (event->type() == QEvent::Resize || event->type() == QEvent::Show))
        updateEmptyHint();
    return QGraphicsView::eventFilter(watched, event);
}

void GraphView::updateEmptyHint()
{
    const bool empty = m_scene->document()->graph().nodes.isEmpty();
    m_emptyHint->setVisible(empty);
    if (!empty)
        return;
    const int width = qMin(520, viewport()->width() - 40);
    m_emptyHint->setFixedWidth(qMax(120, width));
    m_emptyHint->adjustSize();
    // A child of the view, not of the viewport, which scrolls its children.
    const QRect area = viewport()->geometry();
    m_emptyHint->move(area.x() + (area.width() - m_emptyHint->width()) / 2,
                      area.y() + (area.height() - m_emptyHint->height()) / 2);
    m_emptyHint->raise();
}

void GraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    updateMinimap();
}

void GraphView::placeMinimap()
{
    const QSize size(220, 150);
    m_minimap->resize(size);
    m_minimap->move(viewport()->width() - size.width() - 12,
                    viewport()->height() - size.height() - 12);
}

Minimap::Minimap(GraphView *view, QWidget *parent)
    : QWidget(parent)
    , m_view(view)
{
    setAccessibleName(tr("Minimap"));
    setToolTip(tr("Overview: click or drag to move the view"));
    setCursor(Qt::PointingHandCursor);
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_renderTimer = new QTimer(this);
    m_renderTimer->setSingleShot(true);
    m_renderTimer->setInterval(250);
    connect(m_renderTimer, &QTimer::timeout, this, &Minimap::render);
    connect(view->scene(), &QGraphicsScene::changed, this, &Minimap::refit);
}

void Minimap::refit()
{
    if (isVisible() && !m_renderTimer->isActive())
        m_renderTimer->start();
    update();
}

void Minimap::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    render();
}

void Minimap::render()
{
    m_source = m_view->scene()->itemsBoundingRect().adjusted(-50, -50, 50, 50);
    const QSizeF fitted = m_source.size().scaled(QSizeF(size()), Qt::KeepAspectRatio);
    m_target
        = QRectF(QPointF((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
    const qreal ratio = devicePixelRatioF();
    m_image = QImage((fitted * ratio).toSize().expandedTo(QSize(1, 1)),
                     QImage::Format_ARGB32_Premultiplied);
    m_image.setDevicePixelRatio(ratio);
    m_image.fill(CanvasColors::current().background);
    QPainter painter(&m_image);
    m_view->scene()->render(&painter, QRectF(QPointF(0, 0), fitted), m_source, Qt::KeepAspectRatio);
    update();
}

void Minimap::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), CanvasColors::current().background);
    painter.drawImage(m_target.topLeft(), m_image);
    if (m_source.isEmpty())
        return;
    // The view's visible area, mapped from the scene into the image.
    const QRectF visible = m_view->mapToScene(m_view->viewport()->rect()).boundingRect();
    const qreal scale = m_target.width() / m_source.width();
    const QRectF outline((visible.left() - m_source.left()) * scale + m_target.left(),
                         (visible.top() - m_source.top()) * scale + m_target.top(),
                         visible.width() * scale, visible.height() * scale);
    painter.setPen(QPen(QColor(0xff, 0x8f, 0x00), 2));
    painter.setBrush(QColor(0xff, 0x8f, 0x00, 18));
    painter.drawRect(outline.intersected(QRectF(rect()).adjusted(1, 1, -1, -1)));
    painter.setPen(QColor(0x90, 0xa4, 0xae));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
}

QPointF Minimap::toScene(QPointF widgetPos) const
{
    const qreal scale = m_target.width() / m_source.width();
    return m_source.topLeft() + (widgetPos - m_target.topLeft()) / scale;
}

void Minimap::mousePressEvent(QMouseEvent *event)
{
    if (!m_source.isEmpty())
        m_view->centerOn(toScene(event->position()));
}

void Minimap::mouseMoveEvent(QMouseEvent *event)
{
    if ((event->buttons() & Qt::LeftButton) && !m_source.isEmpty())
        m_view->centerOn(toScene(event->position()));
}

} // namespace Signalbox::Ui
