// SPDX-License-Identifier: GPL-3.0-or-later
#include "undocommands.h"

#include "graphdocument.h"

#include <QJsonObject>

#include <algorithm>

namespace Signalbox::Ui {

AddRemoveCommand::AddRemoveCommand(GraphDocument *document, Kind kind, QList<NodeAt> nodes,
                                   QList<LinkAt> links, QJsonArray groupsBefore,
                                   QJsonArray groupsAfter, const QString &text)
    : QUndoCommand(text)
    , m_document(document)
    , m_kind(kind)
    , m_nodes(std::move(nodes))
    , m_links(std::move(links))
    , m_groupsBefore(std::move(groupsBefore))
    , m_groupsAfter(std::move(groupsAfter))
{
    std::sort(m_nodes.begin(), m_nodes.end(),
              [](const NodeAt &a, const NodeAt &b) { return a.index < b.index; });
    std::sort(m_links.begin(), m_links.end(),
              [](const LinkAt &a, const LinkAt &b) { return a.index < b.index; });
}

void AddRemoveCommand::add()
{
    for (const NodeAt &entry : std::as_const(m_nodes))
        m_document->insertNode(entry.node, entry.index);
    for (const LinkAt &entry : std::as_const(m_links))
        m_document->insertLink(entry.link, entry.index);
}

void AddRemoveCommand::remove()
{
    // Links first, so that no link is ever left without its nodes; from the
    // back, so that the recorded indices stay right.
    for (auto it = m_links.crbegin(); it != m_links.crend(); ++it)
        m_document->takeLink(it->link.id);
    for (auto it = m_nodes.crbegin(); it != m_nodes.crend(); ++it)
        m_document->takeNode(it->node.id);
}

void AddRemoveCommand::redo()
{
    if (m_kind == Kind::Add) {
        add();
        m_document->setGroupsJson(m_groupsAfter);
    } else {
        m_document->setGroupsJson(m_groupsAfter);
        remove();
    }
}

void AddRemoveCommand::undo()
{
    if (m_kind == Kind::Add) {
        m_document->setGroupsJson(m_groupsBefore);
        remove();
    } else {
        add();
        m_document->setGroupsJson(m_groupsBefore);
    }
}

ChangeNodeCommand::ChangeNodeCommand(GraphDocument *document, Model::Node before, Model::Node after,
                                     const QString &text, const QString &mergeKey)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey.isEmpty() ? QString() : m_before.id + QLatin1Char('/') + mergeKey)
{ }

void ChangeNodeCommand::undo()
{
    m_document->replaceNode(m_before);
}

void ChangeNodeCommand::redo()
{
    m_document->replaceNode(m_after);
}

bool ChangeNodeCommand::mergeWith(const QUndoCommand *other)
{
    const auto *change = static_cast<const ChangeNodeCommand *>(other);
    if (change->m_mergeKey != m_mergeKey)
        return false;
    m_after = change->m_after;
    setObsolete(m_after == m_before);
    return true;
}

MoveNodesCommand::MoveNodesCommand(GraphDocument *document, QHash<QString, Model::Value> before,
                                   QHash<QString, Model::Value> after, const QString &text)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{ }

void MoveNodesCommand::apply(const QHash<QString, Model::Value> &positions)
{
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        m_document->setPositionValue(it.key(), it.value());
}

void MoveNodesCommand::undo()
{
    apply(m_before);
}

void MoveNodesCommand::redo()
{
    apply(m_after);
}

ChangeLinkCommand::ChangeLinkCommand(GraphDocument *document, Model::Link before, Model::Link after,
                                     const QString &text)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{ }

void ChangeLinkCommand::undo()
{
    m_document->replaceLink(m_before);
}

void ChangeLinkCommand::redo()
{
    m_document->replaceLink(m_after);
}

ChangeGroupsCommand::ChangeGroupsCommand(GraphDocument *document, QJsonArray before,
                                         QJsonArray after, const QString &text,
                                         QUndoCommand *parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{ }

void ChangeGroupsCommand::undo()
{
    m_document->setGroupsJson(m_before);
}

void ChangeGroupsCommand::redo()
{
    m_document->setGroupsJson(m_after);
}

ChangeGraphFieldsCommand::ChangeGraphFieldsCommand(GraphDocument *document, QStringList before,
                                                   QStringList after, const QString &text)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{ }

void ChangeGraphFieldsCommand::undo()
{
    m_document->setGraphFields(m_before.value(0), m_before.value(1));
}

void ChangeGraphFieldsCommand::redo()
{
    m_document->setGraphFields(m_after.value(0), m_after.value(1));
}

} // namespace Signalbox::Ui
