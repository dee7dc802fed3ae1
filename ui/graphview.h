// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QGraphicsView>
#include <QImage>

class QTimer;

class QLabel;

namespace Signalbox::Ui {

class GraphScene;
class Minimap;

// The canvas view: zoom with the wheel (around the cursor), pan with the
// middle button or Space + drag, rubber-band selection, blocks dropped from
// the palette, and a double-click on empty canvas asking for quick-add.
// Keyboard: arrows move the selection, Tab walks the nodes and then leaves
// the canvas, Escape clears the selection.
class GraphView : public QGraphicsView
{
    Q_OBJECT

public:
    static constexpr const char *kBlockMimeType = "application/x-signalbox-block";

    explicit GraphView(GraphScene *scene, QWidget *parent = nullptr);

    GraphScene *graphScene() const { return m_scene; }
    qreal zoom() const { return transform().m11(); }
    void setZoom(qreal zoom);
    void zoomBy(qreal factor);
    void zoomToFit();
    Minimap *minimap() const { return m_minimap; }
    // The hint an empty canvas shows: how to add the first block.
    QLabel *emptyHint() const { return m_emptyHint; }
    // The minimap shows while enabled and some of the graph is out of view.
    void setMinimapVisible(bool visible);
    bool isMinimapEnabled() const { return m_minimapEnabled; }

Q_SIGNALS:
    void blockDropped(const QString &blockId, QPointF scenePos);
    void quickAddRequested(QPointF scenePos, QPoint globalPos);
    void zoomChanged(qreal zoom);
    void contextMenuRequested(QPointF scenePos, QPoint globalPos);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    // Another palette (light or dark): the cached background goes.
    void changeEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool focusNextPrevChild(bool next) override;

private:
    void placeMinimap();
    void updateMinimap();
    void nudgeSelection(QPointF delta);

    GraphScene *m_scene;
    Minimap *m_minimap;
    QLabel *m_emptyHint;
    void updateEmptyHint();
    bool m_panning = false;
    bool m_spaceHeld = false;
    bool m_minimapEnabled = true;
    QTimer *m_boundsTimer = nullptr;
    QRectF m_contentBounds;
};

// An overview of the whole scene in a corner of the view; the view's
// visible area is outlined, and clicking or dragging moves it there. The
// scene is drawn into an image when it has settled, so panning costs only
// the outline.
class Minimap : public QWidget
{
    Q_OBJECT

public:
    Minimap(GraphView *view, QWidget *parent);
    // Draws the scene again soon (after changes have settled).
    void refit();

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void render();
    QPointF toScene(QPointF widgetPos) const;

    GraphView *m_view;
    QImage m_image;
    QRectF m_source; // the scene area the image shows
    QRectF m_target; // where the image is drawn in the widget
    QTimer *m_renderTimer;
};

} // namespace Signalbox::Ui
