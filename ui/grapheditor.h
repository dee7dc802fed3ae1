// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/executor/validation.h"

#include <QWidget>

class QMenu;

#include <memory>

namespace Signalbox::Ui {

class GraphDocument;
class GraphLayouter;
class GraphScene;
class GraphView;

// One open graph in a tab: its document, canvas and view, and the editing
// commands that work on the selection. Owns the document.
class GraphEditor : public QWidget
{
    Q_OBJECT

public:
    // The clipboard format of copied nodes (the export format of a graph
    // holding them; secrets kept). Other applications get the same JSON, with
    // secrets stripped, as text.
    static constexpr const char *kNodesMimeType = "application/x-signalbox-nodes";

    GraphEditor(GraphDocument *document, QWidget *parent = nullptr);
    ~GraphEditor() override;

    GraphDocument *document() const { return m_document; }
    GraphScene *scene() const { return m_scene; }
    GraphView *view() const { return m_view; }

    // Adds a node of the block at the centre of the view (or at `scenePos`).
    // Adds a block where the mouse is when it is over the canvas, else at
    // the view's centre, moved to the nearest spot where it covers no node.
    QString addBlock(const QString &blockId);
    // Where a new block of this kind goes near `scenePos` without covering
    // a node: `scenePos` itself when that is free.
    QPointF freeSpotNear(const QString &blockId, QPointF scenePos) const;
    // The mouse's place on the canvas, or the view's centre when the mouse
    // is elsewhere.
    QPointF pointerOrCentre() const;
    QString addBlockAt(const QString &blockId, QPointF scenePos);
    // Adds the block and links it to the pin a link was dragged from: its
    // first input (or output) that takes the link. One undoable step.
    QString addBlockLinkedTo(const QString &blockId, QPointF scenePos, const QString &nodeId,
                             const QString &pinName, bool fromInput);
    void selectAll();
    void deleteSelection();
    void copy() const;
    void cut();
    void paste();
    void duplicate();
    QString groupSelection(const QString &title);
    void ungroupSelection();
    void toggleMuteSelection();
    enum class Alignment { Left, Right, Top, Bottom, HorizontalCentre, VerticalCentre };
    void alignSelection(Alignment alignment);
    // Lays the graph out with `layouter` in a worker thread; one undoable
    // move when done.
    void autoLayout(const GraphLayouter &layouter);
    void centerOnNode(const QString &nodeId);
    // Validation problems on the canvas, {node id: {field: message}}.
    void showProblems(const Engine::NodeErrors &errors);
    // The menu for what is at `scenePos` (a node, a link, a group or the
    // canvas), shown at `globalPos`; it deletes itself when closed.
    QMenu *showContextMenu(QPointF scenePos, QPoint globalPos);

Q_SIGNALS:
    void selectionChanged();
    void layoutFinished(bool ok, const QString &message);
    void message(const QString &text);
    void renameRequested(const QString &nodeId);
    void addBlockRequested(QPointF scenePos, QPoint globalPos);
    // A link let go over empty canvas: quick-add a block there to link to.
    void addLinkedBlockRequested(QPointF scenePos, QPoint globalPos, const QString &nodeId,
                                 const QString &pinName, bool fromInput);

private:
    GraphDocument *m_document;
    GraphScene *m_scene;
    GraphView *m_view;
};

} // namespace Signalbox::Ui
