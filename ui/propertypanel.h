// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/credentials/credentialsstore.h"
#include "engine/executor/validation.h"

#include "rundata.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <functional>

class QFormLayout;
class QLabel;
class QLineEdit;
class QScrollArea;

namespace Signalbox::Ui {

class GraphDocument;

// The selected node's settings: its title, a form built from its block's
// input schema (text, numbers, booleans, enums as drop-downs, lists and
// objects in a JSON editor, credentials pickers), the Human Review node's
// timeout and skip settings, and a validation message next to each field.
// Every change goes through the document, so each is one undoable edit.
class PropertyPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PropertyPanel(QWidget *parent = nullptr);

    // Shows `nodeId` of `document`; an empty id or a null document clears.
    void showNode(GraphDocument *document, const QString &nodeId);
    QString nodeId() const { return m_nodeId; }
    // Problems from the last graph validation, {node id: {field: message}},
    // and its warnings (a template naming a variable nothing provides),
    // shown in amber where no problem is.
    void setProblems(const Engine::NodeErrors &errors, const Engine::NodeErrors &warnings = {});

    // The editor of a field ("title", an input pin's name, "timeout",
    // "allow_skip", "muted"), for tests and for focusing.
    QWidget *fieldEditor(const QString &field) const { return m_editors.value(field); }
    // The message shown next to a field; empty when it is fine.
    QString fieldMessage(const QString &field) const;
    void focusTitle();
    // Where the credentials pickers find the user's credentials.
    // The credentials the pickers offer (a snapshot: no store call here).
    void setCredentials(std::shared_ptr<const Engine::CredentialsLookup> credentials);
    // What the shown node did in the run on the canvas (null: none), shown
    // under its settings as a foldable tree of its inputs and outputs.
    void setRunData(const NodeRunData *data);

private:
    void rebuild();
    void scheduleRebuild();
    // Runs an edit of the panel's own, keeping its editors in place.
    void edit(const std::function<void()> &change);
    void updateMessages();
    void addField(const QString &field, const QString &label, QWidget *editor,
                  const QString &tooltip, QFormLayout *form, const QString &note = {});
    // The entries of a list or object pin: each key with what feeds it, to
    // rename or remove, and a field to add a key (a button to add an item).
    QWidget *entriesEditor(const Model::PinSpec &pin);
    // The links into the shown node, in document order.
    QList<const Model::Link *> inputLinks() const;
    // The language models of the catalogue and the user's, by provider.
    QWidget *modelPicker(const QString &field, const QString &stored, const QString &fallback);
    QWidget *inputEditor(const QString &pin);
    void applyInput(const QString &pin, const Model::Value &value);
    void setLocalMessage(const QString &field, const QString &message);

    // The run's data in a foldable tree: inputs, outputs, error.
    QWidget *runDataView() const;

    QPointer<GraphDocument> m_document;
    std::optional<NodeRunData> m_runData;
    std::shared_ptr<const Engine::CredentialsLookup> m_credentials;
    QString m_nodeId;
    Engine::NodeErrors m_problems;
    Engine::NodeErrors m_warnings;
    QScrollArea *m_scroll;
    QWidget *m_form = nullptr;
    QLabel *m_placeholder;
    QHash<QString, QWidget *> m_editors;
    QHash<QString, QLabel *> m_messages;
    QHash<QString, QString> m_localMessages;
    bool m_applying = false;
    bool m_rebuilding = false;
    bool m_rebuildPending = false;
    bool m_showAdvanced = false;
};

} // namespace Signalbox::Ui
