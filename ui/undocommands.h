// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/graph.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonValue>

#include "model/value.h"
#include <QUndoCommand>

namespace Signalbox::Ui {

class GraphDocument;

// The undo commands of a GraphDocument. Each captures in its constructor what
// it needs to go both ways and acts on the document by id; redo() performs.

// Nodes and links added or removed together, each at its index in the graph's
// lists so that undo restores the document exactly; the groups before and
// after (a removed node leaves its group).
class AddRemoveCommand : public QUndoCommand
{
public:
    struct NodeAt
    {
        Model::Node node;
        qsizetype index = 0;
    };
    struct LinkAt
    {
        Model::Link link;
        qsizetype index = 0;
    };
    enum class Kind { Add, Remove };

    AddRemoveCommand(GraphDocument *document, Kind kind, QList<NodeAt> nodes, QList<LinkAt> links,
                     QJsonArray groupsBefore, QJsonArray groupsAfter, const QString &text);
    void undo() override;
    void redo() override;

private:
    void add();
    void remove();

    GraphDocument *m_document;
    Kind m_kind;
    QList<NodeAt> m_nodes; // by ascending index
    QList<LinkAt> m_links; // by ascending index
    QJsonArray m_groupsBefore;
    QJsonArray m_groupsAfter;
};

// A node's inputs or metadata changed. Successive edits of the same field of
// the same node (typing in the property panel) merge into one command.
class ChangeNodeCommand : public QUndoCommand
{
public:
    ChangeNodeCommand(GraphDocument *document, Model::Node before, Model::Node after,
                      const QString &text, const QString &mergeKey = {});
    void undo() override;
    void redo() override;
    int id() const override { return m_mergeKey.isEmpty() ? -1 : 1; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    GraphDocument *m_document;
    Model::Node m_before;
    Model::Node m_after;
    QString m_mergeKey;
};

// Nodes moved: one command per drag, layout or alignment.
class MoveNodesCommand : public QUndoCommand
{
public:
    // Each node's metadata "position" before and after.
    MoveNodesCommand(GraphDocument *document, QHash<QString, Model::Value> before,
                     QHash<QString, Model::Value> after, const QString &text);
    void undo() override;
    void redo() override;

private:
    void apply(const QHash<QString, Model::Value> &positions);

    GraphDocument *m_document;
    QHash<QString, Model::Value> m_before;
    QHash<QString, Model::Value> m_after;
};

class ChangeLinkCommand : public QUndoCommand
{
public:
    ChangeLinkCommand(GraphDocument *document, Model::Link before, Model::Link after,
                      const QString &text);
    void undo() override;
    void redo() override;

private:
    GraphDocument *m_document;
    Model::Link m_before;
    Model::Link m_after;
};

class ChangeGroupsCommand : public QUndoCommand
{
public:
    ChangeGroupsCommand(GraphDocument *document, QJsonArray before, QJsonArray after,
                        const QString &text, QUndoCommand *parent = nullptr);
    void undo() override;
    void redo() override;

private:
    GraphDocument *m_document;
    QJsonArray m_before;
    QJsonArray m_after;
};

class ChangeGraphFieldsCommand : public QUndoCommand
{
public:
    ChangeGraphFieldsCommand(GraphDocument *document, QStringList before, QStringList after,
                             const QString &text);
    void undo() override;
    void redo() override;

private:
    GraphDocument *m_document;
    QStringList m_before; // name, description
    QStringList m_after;
};

} // namespace Signalbox::Ui
