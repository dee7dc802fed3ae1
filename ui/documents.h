// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "drafts.h"

#include "model/graph.h"
#include "model/result.h"
#include "model/value.h"

#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>

class QTabWidget;
class QUndoGroup;
class QWidget;

namespace Signalbox::Engine {
class BlockRegistry;
}

namespace Signalbox::Ui {

class GraphEditor;

// The open graphs, one tab each: new, open (read off the GUI thread),
// import, save, save as, export without secrets, close (asking about unsaved
// changes), the recent files, and the drafts written while unsaved and
// offered back after a crash. The window wires each editor it is handed
// (editorCreated) and keeps the menus.
class Documents : public QObject
{
    Q_OBJECT

public:
    Documents(std::shared_ptr<const Engine::BlockRegistry> registry, QTabWidget *tabs,
              QUndoGroup *undo, const QString &draftsFolder, QWidget *window);

    GraphEditor *currentEditor() const;
    QList<GraphEditor *> editors() const;
    GraphEditor *newGraph();
    // A tab for `graph`; `modified` for a recovered draft or an import.
    GraphEditor *add(Model::Graph graph, const QString &filePath, bool modified,
                     std::optional<Model::Value> layout = std::nullopt,
                     bool trailingNewline = false);
    // Reads the file off the GUI thread; opened() or openFailed() follows.
    // A file open already comes to the front.
    void open(const QString &path);
    void import(const QString &path);
    // Asks for a path when the graph has none; an empty error is a cancel.
    Result<void> saveCurrent();
    Result<void> saveCurrentAs(const QString &path);
    Result<void> exportCurrent(const QString &path);
    // Asks about unsaved changes first; false when the user cancels.
    bool close(int index);
    // Closes every tab without asking (the window asked already).
    void closeAll();

    QStringList recentFiles() const;
    void writeDrafts();
    QStringList leftBehindDrafts() const;
    // Takes the drafts left behind: reopened when `recover`, else dropped.
    void takeDrafts(const QStringList &names, bool recover);

Q_SIGNALS:
    // A new editor, before its tab is shown: the window connects to it.
    void editorCreated(Signalbox::Ui::GraphEditor *editor);
    void opened(Signalbox::Ui::GraphEditor *editor);
    void openFailed(const QString &path, const QString &message);
    void loadingChanged(bool loading);
    void recentFilesChanged();
    void statusMessage(const QString &text);
    void logged(const QString &text);
    void failed(const QString &title, const QString &text);

private:
    void load(const QString &path, bool asImport);
    void addRecentFile(const QString &path);

    std::shared_ptr<const Engine::BlockRegistry> m_registry;
    QTabWidget *m_tabs;
    QUndoGroup *m_undo;
    QWidget *m_window;
    Drafts m_drafts;
    int m_loading = 0;
};

} // namespace Signalbox::Ui
