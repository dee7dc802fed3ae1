// SPDX-License-Identifier: GPL-3.0-or-later
#include "grapheditor.h"

#include "graphdocument.h"
#include "graphlayouter.h"
#include "graphscene.h"
#include "graphview.h"
#include "groupitem.h"
#include "linkitem.h"
#include "nodeitem.h"

#include "model/graphjson.h"
#include "model/pinnames.h"

#include <QApplication>
#include <QClipboard>
#include <QCursor>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QLineF>
#include <QMenu>
#include <QMimeData>
#include <QPointer>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace Signalbox::Ui {

GraphEditor::GraphEditor(GraphDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    m_document->setParent(this);
    m_scene = new GraphScene(document, this);
    m_view = new GraphView(m_scene, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &GraphEditor::selectionChanged);
    connect(m_view, &GraphView::blockDropped, this,
            [this](const QString &blockId, QPointF scenePos) { addBlockAt(blockId, scenePos); });
    connect(m_scene, &GraphScene::linkRefused, this, [this](const QString &reason) {
        // Where the hand is, and in the status bar.
        QToolTip::showText(QCursor::pos(), reason, m_view);
        Q_EMIT message(reason);
    });
    connect(m_scene, &GraphScene::linkDroppedOnCanvas, this,
            [this](const QString &nodeId, const QString &pin, bool fromInput, QPointF at) {
                const QPoint global = m_view->viewport()->mapToGlobal(m_view->mapFromScene(at));
                Q_EMIT addLinkedBlockRequested(at, global, nodeId, pin, fromInput);
            });
    connect(m_view, &GraphView::contextMenuRequested, this, &GraphEditor::showContextMenu);
    connect(m_scene, &GraphScene::groupRenameRequested, this, [this](const QString &groupId) {
        QString title;
        for (const NodeGroup &group : m_document->groups()) {
            if (group.id == groupId)
                title = group.title;
        }
        auto *dialog = new QInputDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Rename group"));
        dialog->setLabelText(tr("Group title:"));
        dialog->setTextValue(title);
        connect(dialog, &QInputDialog::textValueSelected, this,
                [this, groupId](const QString &text) { m_document->renameGroup(groupId, text); });
        dialog->open();
    });
}

GraphEditor::~GraphEditor()
{
    // The canvas goes before the document it observes.
    m_scene->disconnect(this);
    delete m_view;
    delete m_scene;
}

QPointF GraphEditor::pointerOrCentre() const
{
    const QPoint pointer = m_view->viewport()->mapFromGlobal(QCursor::pos());
    if (m_view->viewport()->rect().contains(pointer))
        return m_view->mapToScene(pointer);
    return m_view->mapToScene(m_view->viewport()->rect().center()) - QPointF(125, 40);
}

QPointF GraphEditor::freeSpotNear(const QString &blockId, QPointF scenePos) const
{
    const QSizeF size = NodeItem::newNodeSize(m_document->blocks().schema(blockId));
    constexpr qreal kGap = 24;
    const auto isFree = [&](QPointF at) {
        const QRectF wanted = QRectF(at, size).adjusted(-kGap, -kGap, kGap, kGap);
        for (const Model::Node &node : m_document->graph().nodes) {
            if (const NodeItem *item = m_scene->nodeItem(node.id);
                item && item->sceneBoundingRect().intersects(wanted))
                return false;
        }
        return true;
    };
    if (isFree(scenePos))
        return scenePos;
    // The nearest free place on a grid of the node's size around it.
    QList<QPointF> candidates;
    constexpr int kReach = 8;
    for (int row = -kReach; row <= kReach; ++row) {
        for (int column = -kReach; column <= kReach; ++column)
            candidates.append(scenePos
                              + QPointF(column * (size.width() + kGap), row * (size.height() + kGap)));
    }
    std::stable_sort(candidates.begin(), candidates.end(), [scenePos](QPointF a, QPointF b) {
        return QLineF(scenePos, a).length() < QLineF(scenePos, b).length();
    });
    for (const QPointF &candidate : std::as_const(candidates)) {
        if (isFree(candidate))
            return candidate;
    }
    return scenePos;
}

QString GraphEditor::addBlock(const QString &blockId)
{
    return addBlockAt(blockId, freeSpotNear(blockId, pointerOrCentre()));
}

QString GraphEditor::addBlockAt(const QString &blockId, QPointF scenePos)
{
    const QString id = m_document->addNode(blockId, scenePos);
    if (!id.isEmpty()) {
        m_scene->selectNodes({id});
        m_view->setFocus();
    }
    return id;
}

QString GraphEditor::addBlockLinkedTo(const QString &blockId, QPointF scenePos,
                                      const QString &nodeId, const QString &pinName,
                                      bool fromInput)
{
    const Model::BlockSchema *schema = m_document->blocks().schema(blockId);
    if (!schema)
        return {};
    m_document->undoStack()->beginMacro(tr("Add %1 linked").arg(blockDisplayName(*schema)));
    const QString id = addBlockAt(blockId, scenePos);
    QString linked;
    if (!id.isEmpty()) {
        // The pin that takes the link best: one of the same type, then one
        // that is not a choice among fixed values, then any; visible pins
        // before advanced ones, each in the block's order.
        const Model::BlockSchema *other = m_document->schemaOf(nodeId);
        const Model::PinSpec *from = !other ? nullptr
            : fromInput                     ? other->input(Model::basePinName(pinName))
                                            : other->output(Model::basePinName(pinName));
        const Model::PinType type = from ? from->type : Model::PinType::Any;
        const QList<Model::PinSpec> &pins = fromInput ? schema->outputs : schema->inputs;
        const QList<std::function<bool(const Model::PinSpec &)>> passes {
            [type](const Model::PinSpec &pin) {
                return pin.type == type && pin.enumValues.isEmpty();
            },
            [](const Model::PinSpec &pin) { return pin.enumValues.isEmpty(); },
            [](const Model::PinSpec &) { return true; },
        };
        for (const auto &fits : passes) {
            for (const bool advanced : {false, true}) {
                for (const Model::PinSpec &pin : pins) {
                    if (!linked.isEmpty() || pin.hidden || pin.advanced != advanced || !fits(pin))
                        continue;
                    const auto made = fromInput
                        ? m_document->addLink(id, pin.name, nodeId, pinName)
                        : m_document->addLink(nodeId, pinName, id, pin.name);
                    if (made)
                        linked = pin.name;
                }
            }
        }
    }
    m_document->undoStack()->endMacro();
    if (!id.isEmpty() && linked.isEmpty())
        Q_EMIT message(tr("%1 has no pin that takes this link").arg(blockDisplayName(*schema)));
    return id;
}

void GraphEditor::selectAll()
{
    m_scene->selectNodes([this] {
        QStringList ids;
        for (const Model::Node &node : m_document->graph().nodes)
            ids.append(node.id);
        return ids;
    }());
}

void GraphEditor::deleteSelection()
{
    m_document->remove(m_scene->selectedNodeIds(), m_scene->selectedLinkIds(),
                       m_scene->selectedGroupIds());
}

void GraphEditor::copy() const
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.isEmpty())
        return;
    const Model::Graph part = m_document->fragment(ids);
    Model::GraphExportOptions keep;
    keep.stripSecrets = false;
    Model::GraphExportOptions strip;
    strip.blocks = &m_document->blocks();
    auto *data = new QMimeData;
    data->setData(QLatin1String(kNodesMimeType), Model::graphToJson(part, keep));
    data->setText(QString::fromUtf8(Model::graphToJson(part, strip)));
    QGuiApplication::clipboard()->setMimeData(data);
}

void GraphEditor::cut()
{
    copy();
    deleteSelection();
}

void GraphEditor::paste()
{
    const QMimeData *data = QGuiApplication::clipboard()->mimeData();
    if (!data)
        return;
    QByteArray json = data->data(QLatin1String(kNodesMimeType));
    if (json.isEmpty())
        json = data->text().toUtf8();
    if (json.trimmed().isEmpty())
        return;
    auto part = Model::graphFromJson(json, tr("the clipboard"));
    if (!part) {
        Q_EMIT message(tr("Nothing to paste: %1").arg(part.error().message));
        return;
    }
    // The copied nodes' top-left corner goes to the view's centre.
    QRectF bounds;
    for (const Model::Node &node : part->nodes)
        bounds |= QRectF(GraphDocument::nodePosition(node), QSizeF(1, 1));
    const QPointF centre = m_view->mapToScene(m_view->viewport()->rect().center());
    const QStringList created = m_document->paste(*part, centre - bounds.topLeft());
    m_scene->selectNodes(created);
    if (created.isEmpty())
        Q_EMIT message(tr("Nothing to paste: the clipboard holds no blocks this version knows"));
}

void GraphEditor::duplicate()
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.isEmpty())
        return;
    m_scene->selectNodes(m_document->paste(m_document->fragment(ids), QPointF(40, 40)));
}

QString GraphEditor::groupSelection(const QString &title)
{
    return m_document->groupNodes(m_scene->selectedNodeIds(), title);
}

void GraphEditor::ungroupSelection()
{
    m_document->remove({}, {}, m_scene->selectedGroupIds());
}

void GraphEditor::toggleMuteSelection()
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.isEmpty())
        return;
    bool allMuted = true;
    for (const QString &id : ids) {
        const Model::Node *node = m_document->node(id);
        allMuted = allMuted && node && node->metadata.value(QLatin1String("muted")).toBool();
    }
    m_document->setMuted(ids, !allMuted);
}

void GraphEditor::alignSelection(Alignment alignment)
{
    const QStringList ids = m_scene->selectedNodeIds();
    if (ids.size() < 2)
        return;
    QRectF bounds;
    for (const QString &id : ids)
        bounds |= m_scene->nodeItem(id)->sceneBoundingRect();
    QHash<QString, QPointF> positions;
    for (const QString &id : ids) {
        NodeItem *item = m_scene->nodeItem(id);
        const QRectF rect = item->boundingRect().adjusted(4, 4, -4, -4);
        QPointF position = item->pos();
        switch (alignment) {
        case Alignment::Left:
            position.setX(bounds.left() + 4);
            break;
        case Alignment::Right:
            position.setX(bounds.right() - 4 - rect.width());
            break;
        case Alignment::Top:
            position.setY(bounds.top() + 4);
            break;
        case Alignment::Bottom:
            position.setY(bounds.bottom() - 4 - rect.height());
            break;
        case Alignment::HorizontalCentre:
            position.setX(bounds.center().x() - rect.width() / 2);
            break;
        case Alignment::VerticalCentre:
            position.setY(bounds.center().y() - rect.height() / 2);
            break;
        }
        positions.insert(id, position);
    }
    m_document->moveNodes(positions, tr("Align %n node(s)", nullptr, int(ids.size())));
}

void GraphEditor::autoLayout(const GraphLayouter &layouter)
{
    QHash<QString, QSizeF> sizes;
    for (const Model::Node &node : m_document->graph().nodes) {
        if (NodeItem *item = m_scene->nodeItem(node.id))
            sizes.insert(node.id, item->boundingRect().adjusted(4, 4, -4, -4).size());
    }
    const Model::Graph graph = m_document->graph();
    auto *watcher = new QFutureWatcher<Result<QHash<QString, QPointF>>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        const auto positions = watcher->result();
        if (!positions) {
            Q_EMIT layoutFinished(false, positions.error().message);
            return;
        }
        m_document->moveNodes(*positions, tr("Auto-layout"));
        m_view->zoomToFit();
        Q_EMIT layoutFinished(true, QString());
    });
    watcher->setFuture(
        QtConcurrent::run([&layouter, graph, sizes] { return layouter.layout(graph, sizes); }));
}

QMenu *GraphEditor::showContextMenu(QPointF scenePos, QPoint globalPos)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("canvasMenu"));
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QGraphicsItem *item = nullptr;
    for (QGraphicsItem *candidate : m_scene->items(scenePos)) {
        const int type = candidate->type();
        if (type == NodeItem::Type || type == LinkItem::Type || type == GroupItem::Type) {
            item = candidate;
            break;
        }
        if (type == PinItem::Type) {
            item = candidate->parentItem();
            break;
        }
    }
    if (item && item->type() == NodeItem::Type) {
        const QString nodeId = static_cast<NodeItem *>(item)->nodeId();
        if (!item->isSelected())
            m_scene->selectNodes({nodeId});
        const Model::Node *node = m_document->node(nodeId);
        const bool muted = node && node->metadata.value(QLatin1String("muted")).toBool();
        menu->addAction(tr("Rename"), this, [this, nodeId] { Q_EMIT renameRequested(nodeId); });
        menu->addAction(muted ? tr("Unmute") : tr("Mute"), this, [this] { toggleMuteSelection(); });
        menu->addAction(tr("Duplicate"), this, [this] { duplicate(); });
        menu->addAction(tr("Copy"), this, [this] { copy(); });
        menu->addSeparator();
        menu->addAction(tr("Delete"), this, [this] { deleteSelection(); });
    } else if (item && item->type() == LinkItem::Type) {
        const QString linkId = static_cast<LinkItem *>(item)->linkId();
        const Model::Link *link = m_document->link(linkId);
        QAction *isStatic = menu->addAction(tr("Static Link"));
        isStatic->setCheckable(true);
        isStatic->setChecked(link && link->isStatic);
        isStatic->setToolTip(tr("A static link keeps its last value for every later run of the "
                                "node it feeds"));
        connect(isStatic, &QAction::toggled, this,
                [this, linkId](bool on) { m_document->setLinkStatic(linkId, on); });
        menu->addAction(tr("Add Reroute Point"), this, [this, linkId, scenePos] {
            LinkItem *linkItem = m_scene->linkItem(linkId);
            if (!linkItem)
                return;
            QList<QPointF> points = linkItem->reroutePoints();
            points.insert(linkItem->rerouteInsertIndex(scenePos), scenePos);
            m_document->setReroutePoints(linkId, points);
        });
        menu->addSeparator();
        menu->addAction(tr("Delete Link"), this,
                        [this, linkId] { m_document->remove({}, {linkId}); });
    } else if (item && item->type() == GroupItem::Type) {
        const QString groupId = static_cast<GroupItem *>(item)->groupId();
        menu->addAction(tr("Rename Group"), this,
                        [this, groupId] { Q_EMIT m_scene->groupRenameRequested(groupId); });
        menu->addAction(tr("Ungroup"), this,
                        [this, groupId] { m_document->remove({}, {}, {groupId}); });
    } else {
        menu->addAction(tr("Add Block…"), this, [this, scenePos, globalPos] {
            Q_EMIT addBlockRequested(scenePos, globalPos);
        });
        menu->addAction(tr("Paste"), this, [this] { paste(); });
        menu->addAction(tr("Select All"), this, [this] { selectAll(); });
        menu->addAction(tr("Zoom to Fit"), this, [this] { m_view->zoomToFit(); });
    }
    menu->popup(globalPos);
    return menu;
}

void GraphEditor::centerOnNode(const QString &nodeId)
{
    NodeItem *item = m_scene->nodeItem(nodeId);
    if (!item)
        return;
    m_scene->selectNodes({nodeId});
    m_view->centerOn(item);
    m_view->setFocus();
}

void GraphEditor::showProblems(const Engine::NodeErrors &errors)
{
    QHash<QString, QStringList> problems;
    for (auto node = errors.cbegin(); node != errors.cend(); ++node) {
        for (auto field = node.value().cbegin(); field != node.value().cend(); ++field)
            problems[node.key()].append(field.key() + QLatin1String(": ") + field.value());
    }
    m_scene->setProblems(problems);
}

} // namespace Signalbox::Ui
