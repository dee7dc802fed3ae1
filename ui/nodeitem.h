// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/executionstatus.h"

#include <optional>

#include <QGraphicsItem>
#include <QStringList>

namespace Signalbox::Ui {

class GraphDocument;
struct NodeRunData;

// A connection point on a node: an input on the left edge, an output on the
// right. Carries what the scene needs to make a link; changes nothing.
class PinItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 2 };

    PinItem(const QString &nodeId, const QString &pinName, bool isInput, Model::PinType pinType,
            QGraphicsItem *parent);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    const QString &nodeId() const { return m_nodeId; }
    const QString &pinName() const { return m_pinName; }
    bool isInput() const { return m_isInput; }
    Model::PinType pinType() const { return m_pinType; }
    // Drawn filled while a link attaches to it.
    void setLinked(bool linked);
    // While a link is dragged: 1 accepted here, -1 refused, 0 neither.
    void setHighlight(int highlight);

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    QString m_nodeId;
    QString m_pinName;
    bool m_isInput;
    Model::PinType m_pinType;
    bool m_linked = false;
    bool m_hovered = false;
    int m_highlight = 0;
};

// A node on the canvas, drawn from the document; sticky-note style for
// NoteBlock. Moving it only moves the item: the scene turns a finished drag
// into one move command.
class NodeItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 1 };
    // The bubble under a node with the text it is producing.
    static constexpr int LiveTextType = UserType + 9;
    // The bubble under a node with what it did in the run shown.
    static constexpr int RunDataType = UserType + 10;

    NodeItem(GraphDocument *document, const QString &nodeId);
    // The size of a new node of this block (its inputs' defaults, no links).
    static QSizeF newNodeSize(const Model::BlockSchema *schema);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    const QString &nodeId() const { return m_nodeId; }
    // Rebuilds the pins and the size from the document.
    void refresh();
    // Where a link to or from the pin attaches, in scene coordinates; a
    // dynamic entry without a row of its own attaches to its base pin.
    QPointF pinScenePos(const QString &pinName, bool isInput) const;
    PinItem *pin(const QString &pinName, bool isInput) const;
    QList<PinItem *> pins() const { return m_pins; }
    bool advancedShown() const { return m_showAdvanced; }
    void setAdvancedShown(bool shown);
    bool isNote() const { return m_isNote; }
    // Problems found by validation, shown as a red outline and a tooltip.
    void setProblems(const QStringList &problems);
    const QStringList &problems() const { return m_problems; }
    // The status of the node in the run being watched; none hides it.
    void setRunStatus(std::optional<Model::ExecutionStatus> status);
    std::optional<Model::ExecutionStatus> runStatus() const { return m_runStatus; }
    // What the node has produced so far in the run being watched (a model's
    // answer streaming in), shown under it; empty hides it.
    void setLiveText(const QString &text);
    QString liveText() const;
    // What the node did in the run shown on the canvas (null hides it): its
    // last output on each pin and its error, a line each, in a bubble under
    // the node that a click unfolds to whole values.
    void setRunData(const NodeRunData *data);
    // The bubble's lines as shown; empty without run data.
    QStringList runPreview() const;
    bool runPreviewExpanded() const;
    void setRunPreviewExpanded(bool expanded);
    // Places the bubbles under the node, the run's above the live text.
    void placeBubbles();
    // The stacking when not hovered: above plain nodes while a bubble shows.
    qreal restingZ() const;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    // A node under the mouse comes forward, with its bubbles.
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    QRectF foldToggleRect() const;

    GraphDocument *m_document;
    QString m_nodeId;
    QString m_title;
    QString m_subtitle;
    QString m_noteText;
    QSizeF m_size;
    QList<PinItem *> m_pins;
    QStringList m_inputLabels;
    QStringList m_outputLabels;
    int m_hiddenAdvanced = 0;
    bool m_showAdvanced = false;
    bool m_isNote = false;
    bool m_muted = false;
    QColor m_accent;
    QStringList m_problems;
    std::optional<Model::ExecutionStatus> m_runStatus;
    QGraphicsItem *m_live = nullptr;
    QGraphicsItem *m_runData = nullptr;
};

} // namespace Signalbox::Ui
