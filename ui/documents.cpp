// SPDX-License-Identifier: GPL-3.0-or-later
#include "documents.h"

#include "graphdocument.h"
#include "grapheditor.h"
#include "graphscene.h"
#include "graphview.h"

#include "engine/blocks/blockregistry.h"
#include "model/graphjson.h"
#include "model/graphvalidation.h"
#include "model/uuid.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QUndoGroup>
#include <QtConcurrent>

namespace Signalbox::Ui {

namespace {

constexpr int kMaxRecentFiles = 10;

struct Loaded
{
    Result<Model::Graph> graph = makeError(ErrorCode::Internal, QString());
    QStringList unknownBlocks;
    // The file as read, so that saving keeps its layout.
    Model::Value layout;
    bool trailingNewline = false;
};

Loaded parseGraph(const QByteArray &bytes, const QString &source,
                  const Engine::BlockRegistry &registry)
{
    Loaded loaded;
    loaded.graph = Model::graphFromJson(bytes, source, {}, &loaded.layout);
    if (loaded.graph) {
        loaded.unknownBlocks = Model::unknownBlockProblems(*loaded.graph, registry);
        loaded.trailingNewline = bytes.endsWith('\n');
    }
    return loaded;
}

Loaded readGraph(const QString &path, std::shared_ptr<const Engine::BlockRegistry> registry)
{
    Loaded loaded;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        loaded.graph = makeError(ErrorCode::BadInput,
                                 QObject::tr("Cannot read %1: %2").arg(path, file.errorString()));
        return loaded;
    }
    return parseGraph(file.readAll(), QFileInfo(path).fileName(), *registry);
}

} // namespace

Documents::Documents(std::shared_ptr<const Engine::BlockRegistry> registry, QTabWidget *tabs,
                     QUndoGroup *undo, const QString &draftsFolder, QWidget *window)
    : QObject(window)
    , m_registry(std::move(registry))
    , m_tabs(tabs)
    , m_undo(undo)
    , m_window(window)
    , m_drafts(draftsFolder)
{ }

GraphEditor *Documents::currentEditor() const
{
    return qobject_cast<GraphEditor *>(m_tabs->currentWidget());
}

QList<GraphEditor *> Documents::editors() const
{
    QList<GraphEditor *> result;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *editor = qobject_cast<GraphEditor *>(m_tabs->widget(i)))
            result.append(editor);
    }
    return result;
}

GraphEditor *Documents::newGraph()
{
    Model::Graph graph;
    graph.id = Model::createRandomUuid();
    graph.name = tr("Untitled graph");
    return add(std::move(graph), QString(), false);
}

GraphEditor *Documents::add(Model::Graph graph, const QString &filePath, bool modified,
                            std::optional<Model::Value> layout, bool trailingNewline)
{
    auto *document = new GraphDocument(*m_registry);
    document->reset(std::move(graph), filePath, std::move(layout), trailingNewline);
    auto *editor = new GraphEditor(document, m_tabs);
    m_undo->addStack(document->undoStack());
    Q_EMIT editorCreated(editor);
    if (modified) {
        // A recovered draft: unsaved until the user saves it.
        document->undoStack()->resetClean();
    }
    const int index = m_tabs->addTab(editor, document->displayName());
    m_tabs->setCurrentIndex(index);
    if (!editor->scene()->isPopulating())
        QTimer::singleShot(0, editor->view(), [editor] { editor->view()->zoomToFit(); });
    else
        connect(editor->scene(), &GraphScene::populated, editor->view(),
                [editor] { editor->view()->zoomToFit(); });
    return editor;
}

void Documents::open(const QString &path)
{
    for (GraphEditor *editor : editors()) {
        if (QFileInfo(editor->document()->filePath()) == QFileInfo(path)) {
            m_tabs->setCurrentWidget(editor);
            Q_EMIT opened(editor);
            return;
        }
    }
    load(path, false);
}

void Documents::import(const QString &path)
{
    load(path, true);
}

void Documents::load(const QString &path, bool asImport)
{
    if (m_loading++ == 0)
        Q_EMIT loadingChanged(true);
    Q_EMIT statusMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    auto *watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, asImport] {
        watcher->deleteLater();
        if (--m_loading == 0)
            Q_EMIT loadingChanged(false);
        Loaded loaded = watcher->result();
        if (!loaded.graph) {
            const QString message = loaded.graph.error().text();
            Q_EMIT failed(asImport ? tr("Import failed") : tr("Open failed"), message);
            Q_EMIT logged(message);
            Q_EMIT openFailed(path, message);
            return;
        }
        // Nodes of blocks Signalbox lacks open as placeholders, shown in red
        // and named by validation, so that the user can replace them.
        if (!loaded.unknownBlocks.isEmpty())
            Q_EMIT logged(tr("%1 uses blocks Signalbox does not have; their nodes are kept as "
                             "placeholders:\n  %2")
                              .arg(QFileInfo(path).fileName(),
                                   loaded.unknownBlocks.join(QStringLiteral("\n  "))));
        // Saved in the layout it was read in: the same bytes when unchanged.
        GraphEditor *editor
            = add(std::move(*loaded.graph), asImport ? QString() : path, asImport,
                  std::move(loaded.layout), loaded.trailingNewline);
        if (!asImport)
            addRecentFile(path);
        QString said
            = tr("Opened %1 (%n node(s))", nullptr, int(editor->document()->graph().nodes.size()))
                  .arg(QFileInfo(path).fileName());
        if (!loaded.unknownBlocks.isEmpty())
            said += tr("; %n node(s) of blocks Signalbox does not have are placeholders",
                       nullptr, int(loaded.unknownBlocks.size()));
        Q_EMIT logged(said);
        Q_EMIT statusMessage(said);
        if (editor->scene()->isPopulating()) {
            connect(editor->scene(), &GraphScene::populated, this,
                    [this, editor] { Q_EMIT opened(editor); });
        } else {
            Q_EMIT opened(editor);
        }
    });
    watcher->setFuture(QtConcurrent::run(readGraph, path, m_registry));
}

Result<void> Documents::saveCurrent()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    if (editor->document()->filePath().isEmpty()) {
        QString path = QFileDialog::getSaveFileName(
            m_window, tr("Save graph"), editor->document()->graph().name + QStringLiteral(".sbx.json"),
            tr("Signalbox graphs (*.sbx.json)"));
        if (path.isEmpty())
            return makeError(ErrorCode::BadInput, QString());
        if (!path.endsWith(QLatin1String(".json")))
            path += QLatin1String(".sbx.json");
        return saveCurrentAs(path);
    }
    return saveCurrentAs(editor->document()->filePath());
}

Result<void> Documents::saveCurrentAs(const QString &path)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    if (auto saved = editor->document()->save(path); !saved)
        return saved;
    m_drafts.forget(editor);
    addRecentFile(path);
    Q_EMIT statusMessage(tr("Saved %1").arg(path));
    return {};
}

Result<void> Documents::exportCurrent(const QString &path)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    Model::GraphExportOptions options;
    options.blocks = m_registry.get();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Storage,
                         tr("Cannot write %1: %2").arg(path, file.errorString()));
    file.write(Model::graphToJson(editor->document()->graph(), options));
    if (!file.commit())
        return makeError(ErrorCode::Storage,
                         tr("Cannot write %1: %2").arg(path, file.errorString()));
    Q_EMIT statusMessage(tr("Exported %1 without secrets").arg(path));
    return {};
}

bool Documents::close(int index)
{
    auto *editor = qobject_cast<GraphEditor *>(m_tabs->widget(index));
    if (!editor)
        return true;
    if (editor->document()->isModified()) {
        m_tabs->setCurrentIndex(index);
        const auto answer = QMessageBox::question(
            m_window, tr("Unsaved changes"),
            tr("Save the changes to %1 before closing?").arg(editor->document()->displayName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel)
            return false;
        if (answer == QMessageBox::Save && !saveCurrent())
            return false;
    }
    m_drafts.forget(editor);
    m_undo->removeStack(editor->document()->undoStack());
    m_tabs->removeTab(index);
    editor->deleteLater();
    return true;
}

void Documents::closeAll()
{
    while (m_tabs->count() > 0) {
        auto *editor = qobject_cast<GraphEditor *>(m_tabs->widget(0));
        if (editor) {
            m_drafts.forget(editor);
            m_undo->removeStack(editor->document()->undoStack());
        }
        m_tabs->removeTab(0);
        if (editor)
            editor->deleteLater();
    }
}

QStringList Documents::recentFiles() const
{
    return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void Documents::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), files);
    Q_EMIT recentFilesChanged();
}

void Documents::writeDrafts()
{
    for (const QString &problem : m_drafts.write(editors()))
        Q_EMIT logged(tr("Could not write the draft %1").arg(problem));
}

QStringList Documents::leftBehindDrafts() const
{
    return m_drafts.leftBehind();
}

void Documents::takeDrafts(const QStringList &names, bool recover)
{
    for (const QString &name : names) {
        const std::optional<Drafts::Draft> draft = m_drafts.take(name);
        if (!recover || !draft)
            continue;
        Loaded loaded = parseGraph(draft->graphText, name, *m_registry);
        if (loaded.graph) {
            GraphEditor *editor = add(std::move(*loaded.graph), draft->filePath, true,
                                      std::move(loaded.layout), loaded.trailingNewline);
            Q_EMIT logged(tr("Recovered %1").arg(editor->document()->displayName()));
        }
    }
    writeDrafts();
}

} // namespace Signalbox::Ui
