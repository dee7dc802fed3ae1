// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphdocument.h"

#include "pinstyle.h"
#include "undocommands.h"

#include "model/graphjson.h"
#include "model/linkrules.h"
#include "model/pinnames.h"
#include "model/uuid.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QSaveFile>

namespace Signalbox::Ui {

namespace {

const QLatin1StringView kGroups("groups");
const QLatin1StringView kPosition("position");
const QLatin1StringView kCustomizedName("customized_name");
const QLatin1StringView kMuted("muted");

Model::Value positionValue(QPointF position)
{
    // Whole pixels keep the files tidy and the numbers stable.
    Model::ValueMap point;
    point.insert(QStringLiteral("x"), qint64(qRound(position.x())));
    point.insert(QStringLiteral("y"), qint64(qRound(position.y())));
    return point;
}

NodeGroup groupFromJson(const QJsonObject &object)
{
    NodeGroup group;
    group.id = object.value(QLatin1String("id")).toString();
    group.title = object.value(QLatin1String("title")).toString();
    for (const QJsonValue &id : object.value(QLatin1String("node_ids")).toArray())
        group.nodeIds.append(id.toString());
    return group;
}

QJsonObject groupToJson(const NodeGroup &group)
{
    return {{QStringLiteral("id"), group.id},
            {QStringLiteral("title"), group.title},
            {QStringLiteral("node_ids"), QJsonArray::fromStringList(group.nodeIds)}};
}

} // namespace

GraphDocument::GraphDocument(const Model::BlockSchemaLookup &blocks, QObject *parent)
    : QObject(parent)
    , m_blocks(blocks)
{
    m_graph.id = Model::createRandomUuid();
    m_graph.name = tr("Untitled graph");
}

GraphDocument::~GraphDocument()
{
    // The stack's last signals would reach views that are going away too.
    m_undoStack.blockSignals(true);
}

void GraphDocument::reset(Model::Graph graph, const QString &filePath,
                          std::optional<Model::Value> layout, bool trailingNewline)
{
    m_undoStack.clear();
    m_graph = std::move(graph);
    m_layout = std::move(layout);
    m_trailingNewline = trailingNewline;
    m_indexValid = false;
    m_filePath = filePath;
    m_undoStack.setClean();
    Q_EMIT documentReset();
    Q_EMIT filePathChanged();
}

void GraphDocument::reindex() const
{
    if (m_indexValid)
        return;
    m_nodeIndex.clear();
    m_linkIndex.clear();
    m_nodeIndex.reserve(m_graph.nodes.size());
    for (qsizetype i = 0; i < m_graph.nodes.size(); ++i)
        m_nodeIndex.insert(m_graph.nodes.at(i).id, i);
    m_linksByNode.clear();
    m_linkIndex.reserve(m_graph.links.size());
    for (qsizetype i = 0; i < m_graph.links.size(); ++i) {
        const Model::Link &link = m_graph.links.at(i);
        m_linkIndex.insert(link.id, i);
        m_linksByNode[link.sourceId].append(i);
        if (link.sinkId != link.sourceId)
            m_linksByNode[link.sinkId].append(i);
    }
    m_indexValid = true;
}

qsizetype GraphDocument::nodeIndex(const QString &nodeId) const
{
    reindex();
    return m_nodeIndex.value(nodeId, -1);
}

qsizetype GraphDocument::linkIndex(const QString &linkId) const
{
    reindex();
    return m_linkIndex.value(linkId, -1);
}

const Model::Node *GraphDocument::node(const QString &nodeId) const
{
    const qsizetype index = nodeIndex(nodeId);
    return index < 0 ? nullptr : &m_graph.nodes.at(index);
}

const Model::Link *GraphDocument::link(const QString &linkId) const
{
    const qsizetype index = linkIndex(linkId);
    return index < 0 ? nullptr : &m_graph.links.at(index);
}

QList<const Model::Link *> GraphDocument::linksOf(const QString &nodeId) const
{
    reindex();
    QList<const Model::Link *> result;
    for (const qsizetype index : m_linksByNode.value(nodeId))
        result.append(&m_graph.links.at(index));
    return result;
}

const Model::BlockSchema *GraphDocument::schemaOf(const QString &nodeId) const
{
    const Model::Node *found = node(nodeId);
    return found ? m_blocks.schema(found->blockId) : nullptr;
}

QList<NodeGroup> GraphDocument::groups() const
{
    QList<NodeGroup> result;
    for (const QJsonValue &value : groupsJson())
        result.append(groupFromJson(value.toObject()));
    return result;
}

QString GraphDocument::nodeTitle(const QString &nodeId) const
{
    const Model::Node *found = node(nodeId);
    if (!found)
        return {};
    const QString custom = found->metadata.value(kCustomizedName).toString();
    if (!custom.isEmpty())
        return custom;
    const Model::BlockSchema *schema = m_blocks.schema(found->blockId);
    // A node of a block Signalbox lacks is a placeholder for it.
    return schema ? blockDisplayName(*schema) : tr("Placeholder");
}

QPointF GraphDocument::nodePosition(const Model::Node &node)
{
    const Model::ValueMap position = node.metadata.value(kPosition).toMap();
    return {position.value(QLatin1String("x")).toDouble(),
            position.value(QLatin1String("y")).toDouble()};
}

void GraphDocument::setFilePath(const QString &filePath)
{
    if (m_filePath == filePath)
        return;
    m_filePath = filePath;
    Q_EMIT filePathChanged();
}

QString GraphDocument::displayName() const
{
    if (!m_filePath.isEmpty())
        return QFileInfo(m_filePath).fileName();
    return m_graph.name.isEmpty() ? tr("Untitled graph") : m_graph.name;
}

QByteArray GraphDocument::toJson() const
{
    Model::GraphExportOptions options;
    options.stripSecrets = false;
    options.layout = m_layout ? &*m_layout : nullptr;
    options.trailingNewline = m_trailingNewline;
    return Model::graphToJson(m_graph, options);
}

Result<void> GraphDocument::save(const QString &filePath)
{
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly)) {
        return makeError(ErrorCode::Storage,
                         tr("Cannot write %1: %2").arg(filePath, file.errorString()));
    }
    file.write(toJson());
    if (!file.commit()) {
        return makeError(ErrorCode::Storage,
                         tr("Cannot write %1: %2").arg(filePath, file.errorString()));
    }
    setFilePath(filePath);
    m_undoStack.setClean();
    return {};
}

QString GraphDocument::addNode(const QString &blockId, QPointF position)
{
    const Model::BlockSchema *schema = m_blocks.schema(blockId);
    if (!schema)
        return {};
    Model::Node node;
    node.id = Model::createRandomUuid();
    node.blockId = blockId;
    node.metadata.insert(kPosition, positionValue(position));
    const QString id = node.id;
    m_undoStack.push(new AddRemoveCommand(
        this, AddRemoveCommand::Kind::Add, {{node, m_graph.nodes.size()}}, {}, groupsJson(),
        groupsJson(), tr("Add %1").arg(blockDisplayName(*schema))));
    return id;
}

Model::Link GraphDocument::newLink(const QString &sourceId, const QString &sourceName,
                                   const QString &sinkId, const QString &sinkName) const
{
    Model::Link link;
    link.sourceId = sourceId;
    link.sourceName = sourceName;
    link.sinkId = sinkId;
    link.sinkName = Model::sinkPinForNewLink(m_graph, m_blocks, sinkId, sinkName, sourceName);
    return link;
}

QString GraphDocument::linkProblem(const QString &sourceId, const QString &sourceName,
                                   const QString &sinkId, const QString &sinkName) const
{
    return Model::linkProblem(m_graph, m_blocks, newLink(sourceId, sourceName, sinkId, sinkName));
}

Result<QString> GraphDocument::addLink(const QString &sourceId, const QString &sourceName,
                                       const QString &sinkId, const QString &sinkName)
{
    Model::Link link = newLink(sourceId, sourceName, sinkId, sinkName);
    link.id = Model::createRandomUuid();
    if (const QString problem = Model::linkProblem(m_graph, m_blocks, link); !problem.isEmpty())
        return makeError(ErrorCode::BadInput, problem);
    const QString id = link.id;
    m_undoStack.push(new AddRemoveCommand(this, AddRemoveCommand::Kind::Add, {},
                                          {{link, m_graph.links.size()}}, groupsJson(),
                                          groupsJson(), tr("Link %1").arg(sinkName)));
    return id;
}

void GraphDocument::remove(const QStringList &nodeIds, const QStringList &linkIds,
                           const QStringList &groupIds)
{
    const QSet<QString> nodes(nodeIds.cbegin(), nodeIds.cend());
    const QSet<QString> links(linkIds.cbegin(), linkIds.cend());
    QList<AddRemoveCommand::NodeAt> removedNodes;
    QList<AddRemoveCommand::LinkAt> removedLinks;
    for (qsizetype i = 0; i < m_graph.nodes.size(); ++i) {
        if (nodes.contains(m_graph.nodes.at(i).id))
            removedNodes.append({m_graph.nodes.at(i), i});
    }
    // A removed node takes its links with it.
    for (qsizetype i = 0; i < m_graph.links.size(); ++i) {
        const Model::Link &link = m_graph.links.at(i);
        if (links.contains(link.id) || nodes.contains(link.sourceId)
            || nodes.contains(link.sinkId)) {
            removedLinks.append({link, i});
        }
    }
    const QJsonArray before = groupsJson();
    QJsonArray after;
    for (NodeGroup group : groups()) {
        if (groupIds.contains(group.id))
            continue;
        group.nodeIds.removeIf([&](const QString &id) { return nodes.contains(id); });
        if (!group.nodeIds.isEmpty())
            after.append(groupToJson(group));
    }
    if (removedNodes.isEmpty() && removedLinks.isEmpty() && before == after)
        return;
    QString text;
    if (removedNodes.isEmpty() && removedLinks.isEmpty())
        text = tr("Ungroup");
    else if (removedNodes.size() == 1 && removedLinks.isEmpty())
        text = tr("Delete %1").arg(nodeTitle(removedNodes.first().node.id));
    else
        text = tr("Delete %n item(s)", nullptr, int(removedNodes.size() + removedLinks.size()));
    m_undoStack.push(new AddRemoveCommand(this, AddRemoveCommand::Kind::Remove,
                                          std::move(removedNodes), std::move(removedLinks), before,
                                          after, text));
}

void GraphDocument::moveNodes(const QHash<QString, QPointF> &positions, const QString &text)
{
    QHash<QString, Model::Value> before;
    QHash<QString, Model::Value> after;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        const Model::Node *found = node(it.key());
        if (!found)
            continue;
        const Model::Value old = found->metadata.value(kPosition);
        const Model::Value now = positionValue(it.value());
        if (old == now)
            continue;
        before.insert(it.key(), old);
        after.insert(it.key(), now);
    }
    if (after.isEmpty())
        return;
    const QString label = !text.isEmpty() ? text
        : after.size() == 1               ? tr("Move %1").arg(nodeTitle(after.cbegin().key()))
                                          : tr("Move %n node(s)", nullptr, int(after.size()));
    m_undoStack.push(new MoveNodesCommand(this, std::move(before), std::move(after), label));
}

void GraphDocument::setNodeField(const QString &nodeId, Model::ValueMap Model::Node::*object,
                                 const QString &key, const Model::Value &value, const QString &text,
                                 const QString &mergeKey)
{
    const Model::Node *found = node(nodeId);
    if (!found)
        return;
    Model::Node changed = *found;
    if (value.isUndefined())
        (changed.*object).remove(key);
    else
        (changed.*object).insert(key, value);
    if (changed == *found)
        return;
    m_undoStack.push(new ChangeNodeCommand(this, *found, changed, text, mergeKey));
}

void GraphDocument::setInputValue(const QString &nodeId, const QString &pin,
                                  const Model::Value &value)
{
    setNodeField(nodeId, &Model::Node::inputDefault, pin, value,
                 tr("Set %1 of %2").arg(pin, nodeTitle(nodeId)), QStringLiteral("input/") + pin);
}

void GraphDocument::setMetadataValue(const QString &nodeId, const QString &key,
                                     const Model::Value &value, const QString &text)
{
    setNodeField(nodeId, &Model::Node::metadata, key, value, text,
                 QStringLiteral("metadata/") + key);
}

void GraphDocument::setNodeTitle(const QString &nodeId, const QString &title)
{
    const Model::BlockSchema *schema = schemaOf(nodeId);
    const bool plain = title.trimmed().isEmpty()
        || (schema && (title == schema->name || title == blockDisplayName(*schema)));
    setMetadataValue(nodeId, kCustomizedName, plain ? Model::Value() : Model::Value(title.trimmed()),
                     tr("Rename %1").arg(nodeTitle(nodeId)));
}

void GraphDocument::setMuted(const QStringList &nodeIds, bool muted)
{
    m_undoStack.beginMacro(muted ? tr("Mute %n node(s)", nullptr, int(nodeIds.size()))
                                 : tr("Unmute %n node(s)", nullptr, int(nodeIds.size())));
    for (const QString &id : nodeIds)
        setMetadataValue(id, kMuted, muted ? Model::Value(true) : Model::Value(), QString());
    m_undoStack.endMacro();
}

namespace {

Result<const Model::PinSpec *> entryPin(const GraphDocument &document, const QString &nodeId,
                                        const QString &pin)
{
    const Model::BlockSchema *schema = document.schemaOf(nodeId);
    const Model::PinSpec *spec = schema ? schema->input(pin) : nullptr;
    if (!document.node(nodeId) || !spec || !Model::isDynamicInput(*spec))
        return makeError(ErrorCode::BadInput,
                         GraphDocument::tr("\"%1\" is not a list or an object input").arg(pin));
    return spec;
}

} // namespace

Result<void> GraphDocument::addEntry(const QString &nodeId, const QString &pin,
                                     const QString &key)
{
    auto spec = entryPin(*this, nodeId, pin);
    if (!spec)
        return spec.error();
    Model::Node changed = *node(nodeId);
    const Model::Value current = changed.inputDefault.value(pin);
    if ((*spec)->type == Model::PinType::List) {
        Model::ValueList items = current.isArray() ? current.toArray() : Model::ValueList();
        items.append(QString());
        changed.inputDefault.insert(pin, items);
        m_undoStack.push(new ChangeNodeCommand(this, *node(nodeId), changed,
                                               tr("Add an item to %1").arg(pin)));
        return {};
    }
    const QString name = key.trimmed();
    if (name.isEmpty())
        return makeError(ErrorCode::BadInput, tr("Name the key to add"));
    for (const Model::PinEntry &entry : Model::pinEntries(m_graph, changed, **spec)) {
        if (entry.key == name)
            return makeError(ErrorCode::BadInput,
                             tr("\"%1\" has a key \"%2\" already").arg(pin, name));
    }
    Model::ValueMap map = current.isMap() ? current.toMap() : Model::ValueMap();
    map.insert(name, QString());
    changed.inputDefault.insert(pin, map);
    m_undoStack.push(new ChangeNodeCommand(this, *node(nodeId), changed,
                                           tr("Add key %1 to %2").arg(name, pin)));
    return {};
}

Result<void> GraphDocument::renameEntry(const QString &nodeId, const QString &pin,
                                        const QString &from, const QString &to)
{
    auto spec = entryPin(*this, nodeId, pin);
    if (!spec)
        return spec.error();
    if ((*spec)->type != Model::PinType::Object)
        return makeError(ErrorCode::BadInput, tr("The items of a list have no names"));
    const QString name = to.trimmed();
    if (name.isEmpty())
        return makeError(ErrorCode::BadInput, tr("A key needs a name"));
    if (name == from)
        return {};
    const Model::Node &found = *node(nodeId);
    for (const Model::PinEntry &entry : Model::pinEntries(m_graph, found, **spec)) {
        if (entry.key == name)
            return makeError(ErrorCode::BadInput,
                             tr("\"%1\" has a key \"%2\" already").arg(pin, name));
    }
    const QString fromPin = from.isEmpty() ? pin : pin + Model::kDictSplit + from;
    const QString toPin = pin + Model::kDictSplit + name;
    m_undoStack.beginMacro(from.isEmpty() ? tr("Name the entry of %1 %2").arg(pin, name)
                                          : tr("Rename key %1 of %2 to %3").arg(from, pin, name));
    const Model::Value current = found.inputDefault.value(pin);
    if (!from.isEmpty() && current.isMap() && current.toMap().contains(from)) {
        // The key keeps its place among the others.
        Model::ValueMap renamed;
        const Model::ValueMap map = current.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            renamed.insert(it.key().toString() == from ? name : it.key().toString(), it.value());
        Model::Node changed = found;
        changed.inputDefault.insert(pin, renamed);
        m_undoStack.push(new ChangeNodeCommand(this, found, changed, QString()));
    }
    const QList<Model::Link> links = m_graph.links;
    for (const Model::Link &link : links) {
        if (link.sinkId != nodeId || link.sinkName != fromPin)
            continue;
        Model::Link changed = link;
        changed.sinkName = toPin;
        m_undoStack.push(new ChangeLinkCommand(this, link, changed, QString()));
    }
    m_undoStack.endMacro();
    return {};
}

void GraphDocument::removeEntry(const QString &nodeId, const QString &pin, const QString &key)
{
    auto spec = entryPin(*this, nodeId, pin);
    if (!spec || (*spec)->type != Model::PinType::Object)
        return;
    const Model::Node &found = *node(nodeId);
    QStringList links;
    for (const Model::PinEntry &entry : Model::pinEntries(m_graph, found, **spec)) {
        if (entry.key == key)
            links = entry.linkIds;
    }
    const Model::Value current = found.inputDefault.value(pin);
    const bool hasKey = current.isMap() && current.toMap().contains(key);
    if (!hasKey && links.isEmpty())
        return;
    m_undoStack.beginMacro(tr("Remove key %1 of %2").arg(key, pin));
    if (hasKey) {
        Model::Node changed = found;
        Model::ValueMap map = current.toMap();
        map.remove(key);
        changed.inputDefault.insert(pin, map);
        m_undoStack.push(new ChangeNodeCommand(this, found, changed, QString()));
    }
    if (!links.isEmpty())
        remove({}, links);
    m_undoStack.endMacro();
}

void GraphDocument::setLinkStatic(const QString &linkId, bool isStatic)
{
    const Model::Link *found = link(linkId);
    if (!found || found->isStatic == isStatic)
        return;
    Model::Link changed = *found;
    changed.isStatic = isStatic;
    m_undoStack.push(new ChangeLinkCommand(
        this, *found, changed, isStatic ? tr("Make link static") : tr("Make link dynamic")));
}

void GraphDocument::setReroutePoints(const QString &linkId, const QList<QPointF> &points)
{
    const Model::Link *found = link(linkId);
    if (!found)
        return;
    Model::Link changed = *found;
    if (points.isEmpty()) {
        changed.extra.remove(QLatin1String("reroutes"));
    } else {
        QJsonArray array;
        for (const QPointF point : points)
            array.append(Model::toQJson(positionValue(point)));
        changed.extra.insert(QLatin1String("reroutes"), array);
    }
    if (changed == *found)
        return;
    m_undoStack.push(new ChangeLinkCommand(this, *found, changed, tr("Reroute link")));
}

QString GraphDocument::groupNodes(const QStringList &nodeIds, const QString &title)
{
    if (nodeIds.isEmpty())
        return {};
    const QJsonArray before = groupsJson();
    QJsonArray after;
    // A node belongs to one group at most: the new one takes it.
    for (NodeGroup group : groups()) {
        group.nodeIds.removeIf([&](const QString &id) { return nodeIds.contains(id); });
        if (!group.nodeIds.isEmpty())
            after.append(groupToJson(group));
    }
    NodeGroup group {Model::createRandomUuid(), title, nodeIds};
    after.append(groupToJson(group));
    m_undoStack.push(new ChangeGroupsCommand(this, before, after,
                                             tr("Group %n node(s)", nullptr, int(nodeIds.size()))));
    return group.id;
}

void GraphDocument::renameGroup(const QString &groupId, const QString &title)
{
    const QJsonArray before = groupsJson();
    QJsonArray after;
    for (NodeGroup group : groups()) {
        if (group.id == groupId)
            group.title = title;
        after.append(groupToJson(group));
    }
    if (before != after)
        m_undoStack.push(new ChangeGroupsCommand(this, before, after, tr("Rename group")));
}

Model::Graph GraphDocument::fragment(const QStringList &nodeIds) const
{
    const QSet<QString> selected(nodeIds.cbegin(), nodeIds.cend());
    Model::Graph part;
    part.id = m_graph.id;
    part.name = m_graph.name;
    for (const Model::Node &candidate : m_graph.nodes) {
        if (selected.contains(candidate.id))
            part.nodes.append(candidate);
    }
    for (const Model::Link &candidate : m_graph.links) {
        if (selected.contains(candidate.sourceId) && selected.contains(candidate.sinkId))
            part.links.append(candidate);
    }
    return part;
}

QStringList GraphDocument::paste(const Model::Graph &fragment, QPointF offset)
{
    QHash<QString, QString> newIds;
    QList<AddRemoveCommand::NodeAt> nodes;
    QList<AddRemoveCommand::LinkAt> links;
    QStringList created;
    for (Model::Node copy : fragment.nodes) {
        if (!m_blocks.schema(copy.blockId))
            continue;
        const QString id = Model::createRandomUuid();
        newIds.insert(copy.id, id);
        copy.id = id;
        copy.metadata.insert(kPosition, positionValue(nodePosition(copy) + offset));
        nodes.append({copy, m_graph.nodes.size() + nodes.size()});
        created.append(id);
    }
    for (Model::Link copy : fragment.links) {
        if (!newIds.contains(copy.sourceId) || !newIds.contains(copy.sinkId))
            continue;
        copy.id = Model::createRandomUuid();
        copy.sourceId = newIds.value(copy.sourceId);
        copy.sinkId = newIds.value(copy.sinkId);
        links.append({copy, m_graph.links.size() + links.size()});
    }
    if (nodes.isEmpty())
        return {};
    m_undoStack.push(new AddRemoveCommand(this, AddRemoveCommand::Kind::Add, std::move(nodes),
                                          std::move(links), groupsJson(), groupsJson(),
                                          tr("Paste %n node(s)", nullptr, int(created.size()))));
    return created;
}

void GraphDocument::setGraphInfo(const QString &name, const QString &description)
{
    if (name == m_graph.name && description == m_graph.description)
        return;
    m_undoStack.push(new ChangeGraphFieldsCommand(this, {m_graph.name, m_graph.description},
                                                  {name, description}, tr("Edit graph details")));
}

void GraphDocument::setGraphName(const QString &name)
{
    if (name == m_graph.name)
        return;
    m_undoStack.push(new ChangeGraphFieldsCommand(this, {m_graph.name, m_graph.description},
                                                  {name, m_graph.description}, tr("Rename graph")));
}

void GraphDocument::insertNode(const Model::Node &node, qsizetype index)
{
    m_graph.nodes.insert(qBound(qsizetype(0), index, m_graph.nodes.size()), node);
    m_indexValid = false;
    Q_EMIT nodeAdded(node.id);
}

Model::Node GraphDocument::takeNode(const QString &nodeId)
{
    const qsizetype index = nodeIndex(nodeId);
    if (index < 0)
        return {};
    Q_EMIT nodeAboutToBeRemoved(nodeId);
    m_indexValid = false;
    return m_graph.nodes.takeAt(index);
}

void GraphDocument::insertLink(const Model::Link &link, qsizetype index)
{
    m_graph.links.insert(qBound(qsizetype(0), index, m_graph.links.size()), link);
    m_indexValid = false;
    Q_EMIT linkAdded(link.id);
}

Model::Link GraphDocument::takeLink(const QString &linkId)
{
    const qsizetype index = linkIndex(linkId);
    if (index < 0)
        return {};
    Q_EMIT linkAboutToBeRemoved(linkId);
    m_indexValid = false;
    return m_graph.links.takeAt(index);
}

void GraphDocument::replaceNode(const Model::Node &node)
{
    const qsizetype index = nodeIndex(node.id);
    if (index < 0)
        return;
    const bool moved
        = m_graph.nodes.at(index).metadata.value(kPosition) != node.metadata.value(kPosition);
    m_graph.nodes[index] = node;
    Q_EMIT nodeChanged(node.id);
    if (moved)
        Q_EMIT nodeMoved(node.id);
}

void GraphDocument::replaceLink(const Model::Link &link)
{
    const qsizetype index = linkIndex(link.id);
    if (index < 0)
        return;
    m_graph.links[index] = link;
    Q_EMIT linkChanged(link.id);
}

void GraphDocument::setPositionValue(const QString &nodeId, const Model::Value &position)
{
    const qsizetype index = nodeIndex(nodeId);
    if (index < 0)
        return;
    Model::ValueMap &metadata = m_graph.nodes[index].metadata;
    if (position.isUndefined())
        metadata.remove(kPosition);
    else
        metadata.insert(kPosition, position);
    Q_EMIT nodeMoved(nodeId);
}

QJsonArray GraphDocument::groupsJson() const
{
    return m_graph.extra.value(kGroups).toArray();
}

void GraphDocument::setGroupsJson(const QJsonArray &groups)
{
    if (groups == groupsJson() && (m_graph.extra.contains(kGroups) || groups.isEmpty()))
        return;
    if (groups.isEmpty())
        m_graph.extra.remove(kGroups);
    else
        m_graph.extra.insert(kGroups, groups);
    Q_EMIT groupsChanged();
}

void GraphDocument::setGraphFields(const QString &name, const QString &description)
{
    m_graph.name = name;
    m_graph.description = description;
    Q_EMIT graphFieldsChanged();
}

} // namespace Signalbox::Ui
