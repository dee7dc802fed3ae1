// SPDX-License-Identifier: GPL-3.0-or-later
#include "nodeitem.h"

#include "canvascolors.h"
#include "graphdocument.h"
#include "graphscene.h"
#include "rundata.h"
#include "pinstyle.h"
#include "statuspalette.h"
#include "valuetext.h"

#include "model/linkrules.h"
#include "model/pinnames.h"

#include <QFontMetrics>
#include <QGraphicsScene>
#include <QGraphicsSceneMouseEvent>
#include <QJsonDocument>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace Signalbox::Ui {

namespace {

constexpr qreal kWidth = 250;
constexpr qreal kNoteWidth = 260;
constexpr qreal kHeader = 44;
constexpr qreal kRow = 22;
constexpr qreal kPinSize = 11;
constexpr qreal kRadius = 7;

} // namespace

PinItem::PinItem(const QString &nodeId, const QString &pinName, bool isInput,
                 Model::PinType pinType, QGraphicsItem *parent)
    : QGraphicsItem(parent)
    , m_nodeId(nodeId)
    , m_pinName(pinName)
    , m_isInput(isInput)
    , m_pinType(pinType)
{
    setAcceptHoverEvents(true);
    setCursor(Qt::CrossCursor);
    setToolTip(QStringLiteral("%1 (%2 %3)")
                   .arg(pinName, Model::pinTypeName(pinType),
                        isInput ? QObject::tr("input") : QObject::tr("output")));
}

QRectF PinItem::boundingRect() const
{
    const qreal r = kPinSize;
    return QRectF(-r, -r, 2 * r, 2 * r);
}

QPainterPath PinItem::shape() const
{
    // Generous to grab, small to see.
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), kPinSize, kPinSize);
    return path;
}

void PinItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    // Too small to see: the node draws a plain box.
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.35)
        return;
    const QColor color = pinColor(m_pinType);
    const qreal size = m_hovered || m_highlight != 0 ? kPinSize * 1.4 : kPinSize;
    painter->setRenderHint(QPainter::Antialiasing);
    if (m_highlight != 0) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_highlight > 0 ? QColor(76, 175, 80, 90) : QColor(229, 57, 53, 90));
        painter->drawEllipse(QPointF(0, 0), kPinSize, kPinSize);
    }
    painter->setPen(QPen(color.darker(130), 1.6));
    painter->setBrush(m_linked ? color : CanvasColors::current().pinFill);
    painter->drawPath(pinShape(m_pinType, size));
}

void PinItem::setLinked(bool linked)
{
    if (m_linked == linked)
        return;
    m_linked = linked;
    update();
}

void PinItem::setHighlight(int highlight)
{
    if (m_highlight == highlight)
        return;
    m_highlight = highlight;
    update();
}

void PinItem::hoverEnterEvent(QGraphicsSceneHoverEvent *)
{
    m_hovered = true;
    update();
}

void PinItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *)
{
    m_hovered = false;
    update();
}

NodeItem::NodeItem(GraphDocument *document, const QString &nodeId)
    : m_document(document)
    , m_nodeId(nodeId)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsScenePositionChanges | ItemIsFocusable);
    setAcceptHoverEvents(true);
    refresh();
}

void NodeItem::refresh()
{
    prepareGeometryChange();
    qDeleteAll(m_pins);
    m_pins.clear();
    m_inputLabels.clear();
    m_outputLabels.clear();
    m_hiddenAdvanced = 0;

    const Model::Node *node = m_document->node(m_nodeId);
    const Model::BlockSchema *schema = m_document->schemaOf(m_nodeId);
    if (!node)
        return;
    setPos(GraphDocument::nodePosition(*node));
    m_title = m_document->nodeTitle(m_nodeId);
    m_subtitle = schema ? blockDisplayName(*schema)
                        : QObject::tr("Signalbox has no block %1").arg(node->blockId);
    if (schema && node->metadata.value(QLatin1String("customized_name")).toString().isEmpty()) {
        // No title of its own: the block's name is the title, its category below.
        m_title = m_subtitle;
        m_subtitle = categoryDisplayName(schema->categories.value(0));
    }
    m_isNote = schema && schema->type == Model::BlockType::Note;
    m_muted = node->metadata.value(QLatin1String("muted")).toBool();
    m_noteText = node->inputDefault.value(QLatin1String("text")).toString();
    // A placeholder for a block Signalbox lacks is red, to be replaced.
    m_accent = schema ? QColor(0x45, 0x5a, 0x64) : QColor(0xc6, 0x28, 0x28);
    if (schema) {
        switch (schema->type) {
        case Model::BlockType::Input:
            m_accent = QColor(0x2e, 0x7d, 0x32);
            break;
        case Model::BlockType::Output:
            m_accent = QColor(0x15, 0x65, 0xc0);
            break;
        case Model::BlockType::HumanInTheLoop:
            m_accent = QColor(0xef, 0x6c, 0x00);
            break;
        case Model::BlockType::Agent:
            m_accent = QColor(0x6a, 0x1b, 0x9a);
            break;
        default:
            break;
        }
    }

    if (m_isNote) {
        const QFontMetrics metrics(QFont {});
        const QRect text = metrics.boundingRect(QRect(0, 0, int(kNoteWidth - 24), 2000),
                                                Qt::TextWordWrap, m_noteText);
        m_size = QSizeF(kNoteWidth, qMax<qreal>(90, text.height() + 44));
        update();
        return;
    }

    // Dynamic entries and linked pins, from the links touching this node.
    QStringList inputEntries;
    QStringList outputEntries;
    QSet<QString> linkedInputs;
    QSet<QString> linkedSinks;
    QSet<QString> linkedOutputs;
    for (const Model::Link *linked : m_document->linksOf(m_nodeId)) {
        const Model::Link &link = *linked;
        if (link.sourceId == m_nodeId)
            linkedOutputs.insert(link.sourceName);
        if (link.sinkId == m_nodeId) {
            linkedInputs.insert(Model::basePinName(link.sinkName));
            linkedSinks.insert(link.sinkName);
            if (link.sinkName != Model::basePinName(link.sinkName)
                && !inputEntries.contains(link.sinkName)) {
                inputEntries.append(link.sinkName);
            }
        }
        if (link.sourceId == m_nodeId && link.sourceName != Model::basePinName(link.sourceName)
            && !outputEntries.contains(link.sourceName)) {
            outputEntries.append(link.sourceName);
        }
    }

    qreal y = kHeader + kRow / 2;
    const auto addPin
        = [&](const QString &name, const QString &label, bool isInput, Model::PinType type) {
              auto *pin = new PinItem(m_nodeId, name, isInput, type, this);
              pin->setPos(isInput ? 0 : kWidth, y);
              m_pins.append(pin);
              (isInput ? m_inputLabels : m_outputLabels).append(label);
              if (!isInput)
                  m_inputLabels.append(QString());
              else
                  m_outputLabels.append(QString());
              y += kRow;
          };
    if (schema) {
        for (const Model::PinSpec &spec : schema->outputs) {
            if (spec.hidden)
                continue;
            addPin(spec.name, spec.title.isEmpty() ? spec.name : spec.title, false, spec.type);
            for (const QString &entry : std::as_const(outputEntries)) {
                if (Model::basePinName(entry) == spec.name)
                    addPin(entry, QStringLiteral("  ") + entry, false, Model::PinType::Any);
            }
        }
        for (const Model::PinSpec &spec : schema->inputs) {
            if (spec.hidden)
                continue;
            if (spec.advanced && !m_showAdvanced && !linkedInputs.contains(spec.name)) {
                ++m_hiddenAdvanced;
                continue;
            }
            QString label = spec.title.isEmpty() ? spec.name : spec.title;
            if (spec.required)
                label += QLatin1Char('*');
            // A list or object lists its entries, each a pin of its own.
            const QList<Model::PinEntry> entries = Model::pinEntries(m_document->graph(), *node, spec);
            if (const Model::Value value = node->inputDefault.value(spec.name);
                !value.isUndefined() && !value.isNull() && entries.isEmpty()
                && spec.type != Model::PinType::Credentials && !spec.secret) {
                label += QStringLiteral(" = ") + valuePreview(value);
            }
            addPin(spec.name, label, true, spec.type);
            QStringList shown;
            for (const Model::PinEntry &entry : entries) {
                QString entryLabel = spec.type == Model::PinType::List
                    ? QStringLiteral("  [%1]").arg(entry.key)
                    : QStringLiteral("  ") + entry.key;
                const Model::Value whole = node->inputDefault.value(spec.name);
                const Model::Value value = !entry.hasValue || !entry.linkIds.isEmpty()
                    ? Model::Value()
                    : whole.isArray() ? whole.toArray().at(entry.key.toLongLong())
                                      : whole.toMap().value(entry.key);
                if (value.isString() ? !value.toString().isEmpty() : !value.isUndefined())
                    entryLabel += QStringLiteral(" = ") + valuePreview(value);
                addPin(entry.pinName, entryLabel, true, Model::PinType::Any);
                shown.append(entry.pinName);
            }
            for (const QString &entry : std::as_const(inputEntries)) {
                if (Model::basePinName(entry) == spec.name && !shown.contains(entry))
                    addPin(entry, QStringLiteral("  ") + entry, true, Model::PinType::Any);
            }
        }
    }
    if (!schema) {
        // A placeholder keeps what it had: its linked outputs, and its inputs
        // (set or linked) with their values.
        QStringList outputs(linkedOutputs.cbegin(), linkedOutputs.cend());
        outputs.sort();
        for (const QString &name : std::as_const(outputs))
            addPin(name, name, false, Model::PinType::Any);
        QStringList inputs;
        for (auto it = node->inputDefault.begin(); it != node->inputDefault.end(); ++it)
            inputs.append(it.key().toString());
        QStringList linked(linkedInputs.cbegin(), linkedInputs.cend());
        linked.sort();
        for (const QString &name : std::as_const(linked)) {
            if (!inputs.contains(name))
                inputs.append(name);
        }
        for (const QString &name : std::as_const(inputs)) {
            const Model::Value value = node->inputDefault.value(name);
            addPin(name,
                   value.isUndefined() || value.isNull()
                       ? name
                       : name + QStringLiteral(" = ") + valuePreview(value),
                   true, Model::PinType::Any);
        }
        for (const QString &entry : std::as_const(inputEntries))
            addPin(entry, QStringLiteral("  ") + entry, true, Model::PinType::Any);
    }
    const bool hasAdvanced = m_hiddenAdvanced > 0 || m_showAdvanced;
    m_size = QSizeF(kWidth, y - kRow / 2 + (hasAdvanced ? kRow : 0) + 8);
    // Linked pins are drawn filled; a list or object is when any entry is.
    for (PinItem *pin : std::as_const(m_pins)) {
        const QString &name = pin->pinName();
        const bool entry = Model::basePinName(name) != name;
        pin->setLinked(!pin->isInput()       ? linkedOutputs.contains(name)
                           : entry ? linkedSinks.contains(name)
                                   : linkedInputs.contains(name));
    }
    placeBubbles();
    update();
}

QRectF NodeItem::foldToggleRect() const
{
    return QRectF(8, m_size.height() - kRow - 6, kWidth - 16, kRow);
}

void NodeItem::setAdvancedShown(bool shown)
{
    if (m_showAdvanced == shown)
        return;
    m_showAdvanced = shown;
    refresh();
    if (auto *graphScene = qobject_cast<GraphScene *>(scene()))
        graphScene->updateLinksOf(m_nodeId);
}

void NodeItem::setRunStatus(std::optional<Model::ExecutionStatus> status)
{
    if (m_runStatus == status)
        return;
    m_runStatus = status;
    update();
}

namespace {

// A bubble under a node: its frame, in the canvas's colours, which it
// returns for the text.
CanvasColors paintBubble(QPainter *painter, const QRectF &rect)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const CanvasColors colors = CanvasColors::current();
    painter->setPen(QPen(colors.bubbleBorder, 1));
    painter->setBrush(colors.bubble);
    painter->drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
    return colors;
}

// The text a node is producing, under the node: its last lines, growing.
class LiveTextItem final : public QGraphicsItem
{
public:
    static constexpr int kLines = 6;

    LiveTextItem(qreal width, QGraphicsItem *parent)
        : QGraphicsItem(parent)
        , m_width(width)
    {
        setAcceptedMouseButtons(Qt::NoButton);
    }

    int type() const override { return NodeItem::LiveTextType; }
    QRectF boundingRect() const override { return {0, 0, m_width, m_height}; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const CanvasColors colors = paintBubble(painter, boundingRect());
        painter->setPen(colors.text);
        painter->drawText(boundingRect().adjusted(8, 6, -8, -6), Qt::TextWordWrap, m_shown);
    }

    void setText(const QString &text)
    {
        m_text = text;
        // The end of the text, as many whole lines as fit.
        const QFontMetricsF metrics {QFont {}};
        const qreal inner = m_width - 16;
        const QRectF all = metrics.boundingRect(QRectF(0, 0, inner, 1e6), Qt::TextWordWrap, text);
        m_shown = text;
        const qreal maxHeight = metrics.lineSpacing() * kLines;
        if (all.height() > maxHeight) {
            qsizetype start = text.size();
            while (start > 0
                   && metrics.boundingRect(QRectF(0, 0, inner, 1e6), Qt::TextWordWrap,
                                           QStringLiteral("\u2026") + text.mid(start - 1))
                              .height()
                       <= maxHeight)
                --start;
            m_shown = QStringLiteral("\u2026") + text.mid(start);
        }
        prepareGeometryChange();
        m_height = metrics.boundingRect(QRectF(0, 0, inner, 1e6), Qt::TextWordWrap, m_shown).height()
            + 12;
        update();
    }
    const QString &text() const { return m_text; }

private:
    qreal m_width;
    qreal m_height = 0;
    QString m_text;
    QString m_shown;
};

// What a node did in a run, under it: a line per output pin with its last
// value, and its error in red; a click unfolds each value whole.
class RunDataItem final : public QGraphicsItem
{
public:
    static constexpr int kFoldedLines = 2;
    static constexpr int kUnfoldedLines = 12;

    RunDataItem(qreal width, QGraphicsItem *parent)
        : QGraphicsItem(parent)
        , m_width(width)
    {
        setAcceptedMouseButtons(Qt::LeftButton);
        setCursor(Qt::PointingHandCursor);
        setToolTip(QObject::tr("Click to show or hide the whole values"));
    }

    int type() const override { return NodeItem::RunDataType; }
    QRectF boundingRect() const override { return {0, 0, m_width, m_height}; }

    void setData(const Model::BlockSchema *schema, const NodeRunData &data)
    {
        m_lines.clear();
        QStringList pins;
        if (schema) {
            for (const Model::PinSpec &spec : schema->outputs)
                pins.append(spec.name);
        }
        for (auto it = data.outputs.begin(); it != data.outputs.end(); ++it) {
            if (!pins.contains(it.key().toString()))
                pins.append(it.key().toString());
        }

        for (const QString &pin : std::as_const(pins)) {
            const Model::ValueList values = data.outputs.value(pin).toArray();
            if (values.isEmpty() || (pin == QLatin1String("error") && !data.error.isEmpty()))
                continue;
            QString whole = values.last().isString()
                ? values.last().toString()
                : QString::fromUtf8(Model::toJson(values.last(), Model::JsonStyle::Indented));
            if (values.size() > 1)
                whole = QObject::tr("%1 (%2 values)").arg(whole).arg(values.size());
            m_lines.append({pin, whole, false});
        }
        if (!data.error.isEmpty())
            m_lines.append({QObject::tr("error"), data.error, true});
        if (m_lines.isEmpty())
            m_lines.append({QObject::tr("no output"), {}, false});
        if (data.executions > 1) {
            // The last of several: said before the first value.
            m_lines.first().pin = QObject::tr("×%1, last %2").arg(data.executions).arg(m_lines.first().pin);
            setToolTip(QObject::tr("Ran %1 times; the last execution's values. Click to show or "
                                   "hide the whole values")
                           .arg(data.executions));
        }
        layout();
    }

    QStringList lines() const
    {
        QStringList shown;
        for (const Line &line : m_lines) {
            if (!m_expanded && shown.size() == kFoldedLines)
                break;
            shown.append(line.value.isEmpty() ? line.pin
                                              : line.pin + QStringLiteral(": ") + text(line));
        }
        return shown;
    }
    bool expanded() const { return m_expanded; }
    void setExpanded(bool expanded)
    {
        m_expanded = expanded;
        layout();
    }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *) override
    {
        const CanvasColors colors = paintBubble(painter, boundingRect());
        qreal y = 5;
        int drawn = 0;
        for (const Line &line : m_lines) {
            if (!m_expanded && ++drawn > kFoldedLines)
                break;
            const QRectF box(8, y, m_width - 16, lineHeight(line));
            QFont bold;
            bold.setBold(true);
            painter->setFont(bold);
            painter->setPen(line.error ? QColor(0xe5, 0x39, 0x35) : colors.mutedText);
            const QString pin = line.pin + (line.value.isEmpty() ? QString() : QStringLiteral(":"));
            painter->drawText(box, Qt::AlignLeft | Qt::AlignTop, pin);
            painter->setFont(QFont {});
            painter->setPen(line.error ? QColor(0xe5, 0x39, 0x35) : colors.text);
            const qreal indent = QFontMetricsF(bold).horizontalAdvance(pin + QLatin1Char(' '));
            painter->drawText(box.adjusted(indent, 0, 0, 0),
                              (m_expanded ? Qt::TextWordWrap : Qt::TextSingleLine)
                                  | Qt::AlignLeft | Qt::AlignTop,
                              text(line, box.width() - indent));
            y += box.height() + 2;
        }
    }

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override
    {
        setExpanded(!m_expanded);
        if (parentItem() && parentItem()->type() == NodeItem::Type)
            static_cast<NodeItem *>(parentItem())->placeBubbles();
        event->accept();
    }

private:
    struct Line
    {
        QString pin;
        QString value;
        bool error;
    };

    QString text(const Line &line, qreal width = 0) const
    {
        if (m_expanded) {
            // Whole, within a bound on the lines a value takes.
            const QStringList rows = line.value.split(QLatin1Char('\n'));
            QString shown = rows.mid(0, kUnfoldedLines).join(QLatin1Char('\n'));
            if (rows.size() > kUnfoldedLines || shown.size() > 1200)
                shown = shown.left(1200) + QChar(0x2026);
            return shown;
        }
        const QString flat = line.value.simplified();
        if (width <= 0)
            return flat;
        return QFontMetricsF(QFont {}).elidedText(flat, Qt::ElideRight, width);
    }

    qreal lineHeight(const Line &line) const
    {
        const QFontMetricsF metrics {QFont {}};
        if (!m_expanded || line.value.isEmpty())
            return metrics.lineSpacing();
        return metrics
            .boundingRect(QRectF(0, 0, m_width - 16 - 60, 1e6), Qt::TextWordWrap, text(line))
            .height();
    }

    void layout()
    {
        prepareGeometryChange();
        qreal height = 10;
        int shown = 0;
        for (const Line &line : m_lines) {
            if (!m_expanded && ++shown > kFoldedLines)
                break;
            height += lineHeight(line) + 2;
        }
        m_height = height;
        update();
    }

    qreal m_width;
    qreal m_height = 0;
    bool m_expanded = false;
    QList<Line> m_lines;
};

} // namespace

void NodeItem::placeBubbles()
{
    qreal y = m_size.height() + 6;
    for (QGraphicsItem *bubble : {m_runData, m_live}) {
        if (!bubble || !bubble->isVisible())
            continue;
        bubble->setPos(0, y);
        y += bubble->boundingRect().height() + 4;
    }
}

namespace {

// Stacking: a node with a bubble above plain ones, the hovered one on top.
constexpr qreal kPlainZ = 0;
constexpr qreal kBubbleZ = 0.5;
constexpr qreal kHoveredZ = 1;

} // namespace

qreal NodeItem::restingZ() const
{
    return (m_runData && m_runData->isVisible()) || m_live ? kBubbleZ : kPlainZ;
}

void NodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *event)
{
    setZValue(kHoveredZ);
    QGraphicsItem::hoverEnterEvent(event);
}

void NodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *event)
{
    setZValue(restingZ());
    QGraphicsItem::hoverLeaveEvent(event);
}

void NodeItem::setRunData(const NodeRunData *data)
{
    if (!data) {
        // Hidden, not deleted: taking thousands of items out of the scene's
        // index costs far more than hiding them, and the next run reuses them.
        if (m_runData && m_runData->isVisible()) {
            m_runData->hide();
            placeBubbles();
        }
        if (!isUnderMouse())
            setZValue(restingZ());
        return;
    }
    if (!m_runData)
        m_runData = new RunDataItem(m_size.width(), this);
    static_cast<RunDataItem *>(m_runData)->setData(m_document->schemaOf(m_nodeId), *data);
    m_runData->show();
    placeBubbles();
    if (!isUnderMouse())
        setZValue(restingZ());
}

QStringList NodeItem::runPreview() const
{
    return m_runData && m_runData->isVisible() ? static_cast<RunDataItem *>(m_runData)->lines()
                                               : QStringList();
}

bool NodeItem::runPreviewExpanded() const
{
    return m_runData && m_runData->isVisible()
        && static_cast<RunDataItem *>(m_runData)->expanded();
}

void NodeItem::setRunPreviewExpanded(bool expanded)
{
    if (!m_runData)
        return;
    static_cast<RunDataItem *>(m_runData)->setExpanded(expanded);
    placeBubbles();
}

void NodeItem::setLiveText(const QString &text)
{
    if (text.isEmpty()) {
        delete m_live;
        m_live = nullptr;
        return;
    }
    if (!m_live) {
        m_live = new LiveTextItem(m_size.width(), this);
    }
    static_cast<LiveTextItem *>(m_live)->setText(text);
    placeBubbles();
}

QString NodeItem::liveText() const
{
    return m_live ? static_cast<LiveTextItem *>(m_live)->text() : QString();
}

void NodeItem::setProblems(const QStringList &problems)
{
    m_problems = problems;
    setToolTip(problems.join(QLatin1Char('\n')));
    update();
}

QSizeF NodeItem::newNodeSize(const Model::BlockSchema *schema)
{
    if (schema && schema->type == Model::BlockType::Note)
        return {kNoteWidth, 90};
    int rows = 0;
    bool advanced = false;
    if (schema) {
        for (const Model::PinSpec &spec : schema->outputs)
            rows += spec.hidden ? 0 : 1;
        for (const Model::PinSpec &spec : schema->inputs) {
            if (spec.hidden)
                continue;
            if (spec.advanced)
                advanced = true;
            else
                ++rows;
        }
    }
    return {kWidth, kHeader + rows * kRow + (advanced ? kRow : 0) + 8};
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size).adjusted(-4, -4, 4, 4);
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    const QRectF body(QPointF(0, 0), m_size);
    const bool selected = option->state & QStyle::State_Selected;
    const CanvasColors colors = CanvasColors::current();
    // Level of detail: far out, a node is a plain box.
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    if (m_muted)
        painter->setOpacity(0.5);
    if (lod < 0.35) {
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->fillRect(body, m_isNote ? QColor(0xff, 0xf5, 0x9d) : colors.nodeBody);
        painter->fillRect(QRectF(0, 0, m_size.width(), m_isNote ? 0 : kHeader), m_accent);
        if (selected || !m_problems.isEmpty()) {
            painter->setPen(QPen(
                m_problems.isEmpty() ? QColor(0xff, 0xa0, 0x00) : QColor(0xe5, 0x39, 0x35), 0));
            painter->drawRect(body);
        }
        return;
    }

    if (m_isNote) {
        painter->setPen(QPen(selected ? QColor(0xf5, 0x7f, 0x17) : QColor(0xe0, 0xc0, 0x40),
                             selected ? 2.5 : 1));
        painter->setBrush(QColor(0xff, 0xf5, 0x9d));
        painter->drawRoundedRect(body, 3, 3);
        if (lod < 0.35)
            return;
        painter->setPen(QColor(0x5d, 0x40, 0x37));
        QFont bold;
        bold.setBold(true);
        painter->setFont(bold);
        painter->drawText(QRectF(12, 8, kNoteWidth - 24, 20), Qt::AlignLeft | Qt::AlignVCenter,
                          m_title);
        painter->setFont(QFont {});
        painter->drawText(QRectF(12, 32, kNoteWidth - 24, m_size.height() - 40), Qt::TextWordWrap,
                          m_noteText);
        return;
    }

    QColor border = selected ? QColor(0xff, 0xa0, 0x00) : colors.nodeBorder;
    qreal borderWidth = selected ? 2.5 : 1.2;
    if (!m_problems.isEmpty()) {
        border = QColor(0xe5, 0x39, 0x35);
        borderWidth = 2.5;
    }
    QPen pen(border, borderWidth);
    if (m_muted)
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(colors.nodeBody);
    painter->drawRoundedRect(body, kRadius, kRadius);

    // Header band in the block kind's colour.
    QPainterPath header;
    header.setFillRule(Qt::WindingFill);
    header.addRoundedRect(QRectF(0, 0, m_size.width(), kHeader), kRadius, kRadius);
    header.addRect(QRectF(0, kHeader / 2, m_size.width(), kHeader / 2));
    painter->fillPath(header, m_accent);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(body, kRadius, kRadius);
    if (lod < 0.35)
        return;

    QFont titleFont;
    titleFont.setBold(true);
    painter->setFont(titleFont);
    painter->setPen(Qt::white);
    const QFontMetrics titleMetrics(titleFont);
    painter->drawText(QRectF(10, 4, m_size.width() - 20, 20), Qt::AlignLeft | Qt::AlignVCenter,
                      titleMetrics.elidedText(m_title, Qt::ElideRight, int(m_size.width() - 20)));
    QFont small;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    painter->setPen(QColor(255, 255, 255, 200));
    QString subtitle = m_subtitle;
    if (m_muted)
        subtitle += QObject::tr(" · muted");
    painter->drawText(QRectF(10, 23, m_size.width() - 20, 16), Qt::AlignLeft | Qt::AlignVCenter,
                      subtitle);
    if (m_runStatus) {
        // The run's status: a band down the left edge and a label.
        const QColor color = statusColor(*m_runStatus);
        painter->setPen(Qt::NoPen);
        painter->setBrush(color);
        painter->drawRoundedRect(QRectF(-3, kHeader, 6, m_size.height() - kHeader - 4), 3, 3);
        const QString label = statusLabel(*m_runStatus);
        QFont pill = small;
        pill.setBold(true);
        const qreal width = QFontMetrics(pill).horizontalAdvance(label) + 12;
        const QRectF badge(m_size.width() - width - 6, 24, width, 15);
        painter->setBrush(Qt::white);
        painter->drawRoundedRect(badge, 7, 7);
        painter->setPen(color.darker(120));
        painter->setFont(pill);
        painter->drawText(badge, Qt::AlignCenter, label);
    }
    if (!m_problems.isEmpty()) {
        painter->setBrush(QColor(0xe5, 0x39, 0x35));
        painter->setPen(QPen(Qt::white, 1.5));
        const QRectF badge(m_size.width() - 26, 10, 18, 18);
        painter->drawEllipse(badge);
        painter->setFont(titleFont);
        painter->drawText(badge, Qt::AlignCenter, QString::number(m_problems.size()));
    }

    painter->setFont(QFont {});
    const QFontMetrics metrics(painter->font());
    qreal y = kHeader;
    for (qsizetype i = 0; i < m_pins.size(); ++i) {
        const QRectF row(14, y, m_size.width() - 28, kRow);
        const QString &input = m_inputLabels.at(i);
        const QString &output = m_outputLabels.at(i);
        painter->setPen(colors.text);
        if (!input.isEmpty()) {
            painter->drawText(row, Qt::AlignLeft | Qt::AlignVCenter,
                              metrics.elidedText(input, Qt::ElideRight, int(row.width())));
        } else if (!output.isEmpty()) {
            painter->drawText(row, Qt::AlignRight | Qt::AlignVCenter,
                              metrics.elidedText(output, Qt::ElideLeft, int(row.width())));
        }
        y += kRow;
    }
    if (m_hiddenAdvanced > 0 || m_showAdvanced) {
        painter->setPen(colors.mutedText);
        painter->setFont(small);
        painter->drawText(foldToggleRect(), Qt::AlignLeft | Qt::AlignVCenter,
                          m_showAdvanced
                              ? QObject::tr("▾ hide advanced inputs")
                              : QObject::tr("▸ %n advanced input(s)", nullptr, m_hiddenAdvanced));
    }
}

QPointF NodeItem::pinScenePos(const QString &pinName, bool isInput) const
{
    if (PinItem *found = pin(pinName, isInput))
        return found->scenePos();
    if (PinItem *base = pin(Model::basePinName(pinName), isInput))
        return base->scenePos();
    // A folded pin: the middle of the node's edge.
    return mapToScene(QPointF(isInput ? 0 : m_size.width(), kHeader / 2));
}

PinItem *NodeItem::pin(const QString &pinName, bool isInput) const
{
    for (PinItem *candidate : m_pins) {
        if (candidate->isInput() == isInput && candidate->pinName() == pinName)
            return candidate;
    }
    return nullptr;
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemScenePositionHasChanged) {
        if (auto *graphScene = qobject_cast<GraphScene *>(scene()))
            graphScene->nodeItemMoved(m_nodeId);
    }
    return QGraphicsItem::itemChange(change, value);
}

void NodeItem::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && (m_hiddenAdvanced > 0 || m_showAdvanced)
        && foldToggleRect().contains(event->pos())) {
        setAdvancedShown(!m_showAdvanced);
        event->accept();
        return;
    }
    QGraphicsItem::mousePressEvent(event);
}

} // namespace Signalbox::Ui
