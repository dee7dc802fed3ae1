// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/graph.h"
#include "model/result.h"
#include "model/value.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QPointF>
#include <QUndoStack>

namespace Signalbox::Ui {

// A group (frame) of nodes, kept in the graph's "groups" field.
struct NodeGroup
{
    QString id;
    QString title;
    QStringList nodeIds;
};

// One open graph: the model, its file and its undo stack. The edit functions
// are the only way to change the graph; each pushes one undoable command that
// acts on the model by id. The raw mutators below them are for those
// commands alone. Signals announce every change so that views only observe.
// GUI thread only.
class GraphDocument : public QObject
{
    Q_OBJECT

public:
    GraphDocument(const Model::BlockSchemaLookup &blocks, QObject *parent = nullptr);
    ~GraphDocument() override;

    // Replaces the whole graph (a new or opened document): clears the undo
    // history and marks the document clean.
    // `layout` is the file as read: saving keeps its key order and layout.
    void reset(Model::Graph graph, const QString &filePath = {},
               std::optional<Model::Value> layout = std::nullopt, bool trailingNewline = false);

    const Model::Graph &graph() const { return m_graph; }
    const Model::BlockSchemaLookup &blocks() const { return m_blocks; }
    const Model::Node *node(const QString &nodeId) const;
    const Model::Link *link(const QString &linkId) const;
    // The links from or to a node, in document order.
    QList<const Model::Link *> linksOf(const QString &nodeId) const;
    const Model::BlockSchema *schemaOf(const QString &nodeId) const;
    QList<NodeGroup> groups() const;
    // The title shown for a node: its customized name, else its block's name.
    QString nodeTitle(const QString &nodeId) const;
    static QPointF nodePosition(const Model::Node &node);

    QUndoStack *undoStack() { return &m_undoStack; }
    QString filePath() const { return m_filePath; }
    void setFilePath(const QString &filePath);
    // The file name, or the graph's name for a document never saved.
    QString displayName() const;
    bool isModified() const { return !m_undoStack.isClean(); }
    // The document as written to disk: AutoGPT's export format, secrets kept.
    QByteArray toJson() const;
    // Writes the document and marks it clean.
    Result<void> save(const QString &filePath);

    // Edits, each one undoable command.
    QString addNode(const QString &blockId, QPointF position);
    Result<QString> addLink(const QString &sourceId, const QString &sourceName,
                            const QString &sinkId, const QString &sinkName);
    // Why addLink would refuse these pins, or an empty string.
    QString linkProblem(const QString &sourceId, const QString &sourceName, const QString &sinkId,
                        const QString &sinkName) const;
    void remove(const QStringList &nodeIds, const QStringList &linkIds,
                const QStringList &groupIds = {});
    void moveNodes(const QHash<QString, QPointF> &positions, const QString &text = {});
    // An input value set in the property panel; an undefined value removes it.
    void setInputValue(const QString &nodeId, const QString &pin, const Model::Value &value);
    // A metadata field (title, review timeout, muted...); undefined removes it.
    void setMetadataValue(const QString &nodeId, const QString &key, const Model::Value &value,
                          const QString &text);
    void setNodeTitle(const QString &nodeId, const QString &title);
    void setMuted(const QStringList &nodeIds, bool muted);
    // Entries of a list or object input (Model::pinEntries). Adding gives an
    // object a key (a list, an item) with an empty value, which shows as a
    // pin of its own to link to. Renaming changes the key of the node's
    // value and of the links into the entry together; an empty `from` names
    // the link into the whole object, turning it into an entry. Removing
    // drops the key and the links into it.
    Result<void> addEntry(const QString &nodeId, const QString &pin, const QString &key = {});
    Result<void> renameEntry(const QString &nodeId, const QString &pin, const QString &from,
                             const QString &to);
    void removeEntry(const QString &nodeId, const QString &pin, const QString &key);
    void setLinkStatic(const QString &linkId, bool isStatic);
    void setReroutePoints(const QString &linkId, const QList<QPointF> &points);
    QString groupNodes(const QStringList &nodeIds, const QString &title);
    void renameGroup(const QString &groupId, const QString &title);
    // Adds copies of a fragment's nodes and the links among them with new
    // ids, moved by `offset`; returns the new node ids.
    QStringList paste(const Model::Graph &fragment, QPointF offset);
    void setGraphName(const QString &name);
    // The graph's name and description as one edit.
    void setGraphInfo(const QString &name, const QString &description);

    // The selected nodes and the links among them, as a graph of their own.
    Model::Graph fragment(const QStringList &nodeIds) const;

    // Raw mutators for the undo commands.
    void insertNode(const Model::Node &node, qsizetype index);
    Model::Node takeNode(const QString &nodeId);
    void insertLink(const Model::Link &link, qsizetype index);
    Model::Link takeLink(const QString &linkId);
    void replaceNode(const Model::Node &node);
    void replaceLink(const Model::Link &link);
    // A node's metadata "position"; undefined removes it. Emits nodeMoved.
    void setPositionValue(const QString &nodeId, const Model::Value &position);
    void setGroupsJson(const QJsonArray &groups);
    QJsonArray groupsJson() const;
    void setGraphFields(const QString &name, const QString &description);
    qsizetype nodeIndex(const QString &nodeId) const;
    qsizetype linkIndex(const QString &linkId) const;

Q_SIGNALS:
    void documentReset();
    void nodeAdded(const QString &nodeId);
    void nodeAboutToBeRemoved(const QString &nodeId);
    void nodeChanged(const QString &nodeId);
    void nodeMoved(const QString &nodeId);
    void linkAdded(const QString &linkId);
    void linkAboutToBeRemoved(const QString &linkId);
    void linkChanged(const QString &linkId);
    void groupsChanged();
    void graphFieldsChanged();
    void filePathChanged();

private:
    void reindex() const;
    // A link between the pins, without an id yet; a taken dynamic input gets its
    // next entry (Model::sinkPinForNewLink).
    Model::Link newLink(const QString &sourceId, const QString &sourceName, const QString &sinkId,
                        const QString &sinkName) const;
    // Sets (or, undefined, removes) one key of a node's input_default or
    // metadata as one command; edits with the same merge key merge.
    void setNodeField(const QString &nodeId, Model::ValueMap Model::Node::*object, const QString &key,
                      const Model::Value &value, const QString &text, const QString &mergeKey);

    const Model::BlockSchemaLookup &m_blocks;
    Model::Graph m_graph;
    std::optional<Model::Value> m_layout;
    bool m_trailingNewline = false;
    QString m_filePath;
    QUndoStack m_undoStack;
    mutable QHash<QString, qsizetype> m_nodeIndex;
    mutable QHash<QString, qsizetype> m_linkIndex;
    mutable QHash<QString, QList<qsizetype>> m_linksByNode;
    mutable bool m_indexValid = false;
};

} // namespace Signalbox::Ui
