// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace Signalbox::Ui {

class GraphEditor;

// Drafts of the unsaved documents, kept in a folder so that a crash loses
// nothing: one file per open document while it has unsaved changes, holding
// the graph's text and the file it belongs to. Without a folder, nothing is
// kept.
class Drafts
{
public:
    explicit Drafts(QString folder);

    // Writes the draft of each modified document and removes those of the
    // others. Returns what could not be written.
    QStringList write(const QList<GraphEditor *> &editors);
    // The document was saved or closed: its draft goes.
    void forget(const GraphEditor *editor);

    // Drafts left by a session that did not close properly, newest first.
    QStringList leftBehind() const;
    struct Draft
    {
        QString name;
        // Where the graph belongs (empty for a graph never saved).
        QString filePath;
        // The graph as the document wrote it, so that its layout survives.
        QByteArray graphText;
    };
    // Reads a draft left behind and removes it.
    std::optional<Draft> take(const QString &name);

private:
    QString pathFor(const GraphEditor *editor);

    QString m_folder;
    QHash<const GraphEditor *, QString> m_ids;
};

} // namespace Signalbox::Ui
