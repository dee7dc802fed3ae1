// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"
#include "modelspage.h"

#include "blockpalette.h"
#include "commandpalette.h"
#include "connectdialog.h"
#include "credentialspage.h"
#include "executionspanel.h"
#include "graphdocument.h"
#include "grapheditor.h"
#include "graphlayouter.h"
#include "graphscene.h"
#include "graphview.h"
#include "pinstyle.h"
#include "propertypanel.h"
#include "reviewdialog.h"
#include "reviewinbox.h"
#include "rundetails.h"
#include "rundialog.h"
#include "statuspalette.h"
#include "validationpanel.h"

#include "engine/blocks/blockregistry.h"
#include "engine/eventbus.h"
#include "engine/executor/executor.h"
#include "engine/stopexecution.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/reviewrepository.h"
#include "model/graphjson.h"
#include "model/graphvalidation.h"
#include "model/uuid.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>
#include <QUndoGroup>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace Signalbox::Ui {

namespace {

constexpr int kMaxRecentFiles = 10;
constexpr int kAutosaveIntervalMs = 30 * 1000;
const QLatin1StringView kDraftSuffix(".draft.json");

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

MainWindow::MainWindow(MainWindowContext context, QWidget *parent)
    : QMainWindow(parent)
    , m_context(std::move(context))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("Signalbox"));
    setAccessibleName(QStringLiteral("Signalbox"));
    resize(1400, 860);
    m_undoGroup = new QUndoGroup(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setAccessibleName(tr("Open graphs"));
    setCentralWidget(m_tabs);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::currentChanged);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeEditor);

    createDocks();
    createActions();
    createMenus();
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setAccessibleName(tr("Loading progress"));
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    m_runLabel = new QLabel(this);
    m_runLabel->setAccessibleName(tr("Run progress"));
    m_runLabel->hide();
    statusBar()->addPermanentWidget(m_runLabel);
    m_reviewBadge = new QLabel(this);
    m_reviewBadge->setAccessibleName(tr("Reviews waiting"));
    m_reviewBadge->setStyleSheet(
        QStringLiteral("background: #ef6c00; color: white; border-radius: 8px; padding: 1px 8px;"));
    m_reviewBadge->hide();
    statusBar()->addPermanentWidget(m_reviewBadge);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->show();
    }
    // Reviews arrive from runs in this and other processes: look every 2 s
    // (a short indexed read).
    auto *inboxTimer = new QTimer(this);
    inboxTimer->setInterval(2000);
    connect(inboxTimer, &QTimer::timeout, this, &MainWindow::refreshInbox);
    connect(inboxTimer, &QTimer::timeout, this, &MainWindow::refreshExecutions);
    inboxTimer->start();
    QTimer::singleShot(0, this, &MainWindow::refreshInbox);
    QTimer::singleShot(0, this, &MainWindow::refreshExecutions);
    connect(this, &MainWindow::runFinished, this, &MainWindow::refreshExecutions);
    connect(this, &MainWindow::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        if (const QScreen *screen = QGuiApplication::primaryScreen())
            resize(screen->availableSize() * 0.92);
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateRecentMenu();

    auto *autosaveTimer = new QTimer(this);
    autosaveTimer->setInterval(kAutosaveIntervalMs);
    connect(autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    autosaveTimer->start();
    currentChanged();
}

MainWindow::~MainWindow()
{
    // Editors first, while the window they report to is whole.
    const QList<GraphEditor *> open = editors();
    for (GraphEditor *editor : open) {
        editor->disconnect(this);
        editor->document()->disconnect(this);
        editor->document()->undoStack()->disconnect(this);
        editor->scene()->disconnect(this);
        editor->view()->disconnect(this);
        delete editor;
    }
}

QAction *MainWindow::addAction(QMenu *menu, const QString &name, const QString &text,
                               const QKeySequence &shortcut, const std::function<void()> &slot)
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    connect(action, &QAction::triggered, this, slot);
    if (menu)
        menu->addAction(action);
    QMainWindow::addAction(action);
    m_actions.insert(name, action);
    return action;
}

QAction *MainWindow::action(const QString &objectName) const
{
    return m_actions.value(objectName);
}

QList<QAction *> MainWindow::allActions() const
{
    QList<QAction *> result;
    for (QMenu *menu : menuBar()->findChildren<QMenu *>()) {
        for (QAction *action : menu->actions()) {
            if (!action->isSeparator() && !action->menu() && !action->text().isEmpty()
                && !result.contains(action))
                result.append(action);
        }
    }
    return result;
}

void MainWindow::createActions()
{
    // Menus are filled in createMenus(); actions exist first so that docks
    // and the command palette can refer to them.
}

void MainWindow::createMenus()
{
    const auto withEditor = [this](const std::function<void(GraphEditor *)> &call) {
        return [this, call] {
            if (GraphEditor *editor = currentEditor())
                call(editor);
        };
    };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    addAction(file, QStringLiteral("new"), tr("&New Graph"), QKeySequence::New,
              [this] { newGraph(); });
    addAction(file, QStringLiteral("open"), tr("&Open…"), QKeySequence::Open, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open graph"), QString(),
            tr("Signalbox graphs (*.sbx.json);;JSON files (*.json);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    addAction(
        file, QStringLiteral("import"), tr("&Import AutoGPT Export…"), QKeySequence(), [this] {
            const QString path
                = QFileDialog::getOpenFileName(this, tr("Import an AutoGPT agent"), QString(),
                                               tr("AutoGPT agent exports (*.json);;All files (*)"));
            if (!path.isEmpty())
                importFile(path);
        });
    file->addSeparator();
    addAction(file, QStringLiteral("save"), tr("&Save"), QKeySequence::Save, [this] {
        if (auto saved = saveCurrent(); !saved && !saved.error().message.isEmpty())
            showError(tr("Save failed"), saved.error().text());
    });
    addAction(file, QStringLiteral("saveAs"), tr("Save &As…"), QKeySequence::SaveAs, [this] {
        if (!currentEditor())
            return;
        QString path = QFileDialog::getSaveFileName(this, tr("Save graph"), QString(),
                                                    tr("Signalbox graphs (*.sbx.json)"));
        if (path.isEmpty())
            return;
        if (!path.endsWith(QLatin1String(".json")))
            path += QLatin1String(".sbx.json");
        if (auto saved = saveCurrentAs(path); !saved)
            showError(tr("Save failed"), saved.error().text());
    });
    addAction(file, QStringLiteral("export"), tr("&Export Without Secrets…"), QKeySequence(),
              [this] {
                  if (!currentEditor())
                      return;
                  const QString path = QFileDialog::getSaveFileName(
                      this, tr("Export graph"), QString(), tr("JSON files (*.json)"));
                  if (path.isEmpty())
                      return;
                  if (auto exported = exportCurrent(path); !exported)
                      showError(tr("Export failed"), exported.error().text());
              });
    file->addSeparator();
    addAction(file, QStringLiteral("saveVersion"), tr("Save &Version to Library"),
              QKeySequence(tr("Ctrl+Alt+S")), [this] { saveVersion(); });
    addAction(file, QStringLiteral("versions"), tr("Version &History…"), QKeySequence(),
              [this] { showVersions(); });
    file->addSeparator();
    addAction(file, QStringLiteral("close"), tr("&Close Graph"), QKeySequence::Close,
              [this] { closeEditor(m_tabs->currentIndex()); });
    addAction(file, QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoGroup->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undoGroup->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    m_actions.insert(QStringLiteral("undo"), undo);
    m_actions.insert(QStringLiteral("redo"), redo);
    edit->addSeparator();
    addAction(edit, QStringLiteral("cut"), tr("Cu&t"), QKeySequence::Cut,
              withEditor([](GraphEditor *e) { e->cut(); }));
    addAction(edit, QStringLiteral("copy"), tr("&Copy"), QKeySequence::Copy,
              withEditor([](GraphEditor *e) { e->copy(); }));
    addAction(edit, QStringLiteral("paste"), tr("&Paste"), QKeySequence::Paste,
              withEditor([](GraphEditor *e) { e->paste(); }));
    addAction(edit, QStringLiteral("duplicate"), tr("D&uplicate"), QKeySequence(tr("Ctrl+D")),
              withEditor([](GraphEditor *e) { e->duplicate(); }));
    addAction(edit, QStringLiteral("delete"), tr("&Delete"), QKeySequence::Delete,
              withEditor([](GraphEditor *e) { e->deleteSelection(); }));
    addAction(edit, QStringLiteral("selectAll"), tr("Select &All"), QKeySequence::SelectAll,
              withEditor([](GraphEditor *e) { e->selectAll(); }));
    edit->addSeparator();
    addAction(edit, QStringLiteral("rename"), tr("Re&name Node"), QKeySequence(Qt::Key_F2),
              [this] { focusNodeTitle(); });
    addAction(edit, QStringLiteral("group"), tr("&Group Nodes"), QKeySequence(tr("Ctrl+G")),
              withEditor([](GraphEditor *e) {
                  e->groupSelection(tr("Group %1").arg(e->document()->groups().size() + 1));
              }));
    addAction(edit, QStringLiteral("links"), tr("&Links of Selection…"), QKeySequence(tr("Ctrl+L")),
              withEditor([this](GraphEditor *e) {
                  const QStringList selected = e->scene()->selectedNodeIds();
                  if (selected.isEmpty())
                      return;
                  auto *dialog = new ConnectDialog(e->document(), selected, this);
                  dialog->setObjectName(QStringLiteral("connectDialog"));
                  dialog->setAttribute(Qt::WA_DeleteOnClose);
                  dialog->open();
              }));
    addAction(edit, QStringLiteral("ungroup"), tr("U&ngroup"), QKeySequence(tr("Ctrl+Shift+G")),
              withEditor([](GraphEditor *e) { e->ungroupSelection(); }));
    addAction(edit, QStringLiteral("mute"), tr("&Mute / Unmute Node"), QKeySequence(tr("Ctrl+M")),
              withEditor([](GraphEditor *e) { e->toggleMuteSelection(); }));
    addAction(edit, QStringLiteral("addBlock"), tr("&Add Block…"), QKeySequence(tr("Shift+A")),
              withEditor([this](GraphEditor *e) {
                  const QPoint centre = e->view()->viewport()->rect().center();
                  quickAdd(e->view()->mapToScene(centre),
                           e->view()->viewport()->mapToGlobal(centre));
              }));

    QMenu *arrange = menuBar()->addMenu(tr("&Arrange"));
    addAction(arrange, QStringLiteral("autoLayout"), tr("&Auto-Layout"),
              QKeySequence(tr("Ctrl+Shift+L")),
              withEditor([this](GraphEditor *e) { e->autoLayout(*m_context.layouter); }));
    arrange->addSeparator();
    const QList<std::pair<GraphEditor::Alignment, QString>> alignments = {
        {GraphEditor::Alignment::Left, tr("Align &Left")},
        {GraphEditor::Alignment::Right, tr("Align &Right")},
        {GraphEditor::Alignment::Top, tr("Align &Top")},
        {GraphEditor::Alignment::Bottom, tr("Align &Bottom")},
        {GraphEditor::Alignment::HorizontalCentre, tr("Align &Centres Horizontally")},
        {GraphEditor::Alignment::VerticalCentre, tr("Align Centres &Vertically")},
    };
    int index = 0;
    for (const auto &[alignment, text] : alignments) {
        const auto how = alignment;
        addAction(arrange, QStringLiteral("align%1").arg(index++), text, QKeySequence(),
                  withEditor([how](GraphEditor *e) { e->alignSelection(how); }));
    }

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    addAction(m_viewMenu, QStringLiteral("commandPalette"), tr("&Command Palette…"),
              QKeySequence(tr("Ctrl+K")), [this] { openCommandPalette(); });
    m_viewMenu->addSeparator();
    addAction(m_viewMenu, QStringLiteral("zoomIn"), tr("Zoom &In"), QKeySequence::ZoomIn,
              withEditor([](GraphEditor *e) { e->view()->zoomBy(1.25); }));
    addAction(m_viewMenu, QStringLiteral("zoomOut"), tr("Zoom &Out"), QKeySequence::ZoomOut,
              withEditor([](GraphEditor *e) { e->view()->zoomBy(0.8); }));
    addAction(m_viewMenu, QStringLiteral("zoomFit"), tr("Zoom to &Fit"), QKeySequence(tr("Ctrl+0")),
              withEditor([](GraphEditor *e) { e->view()->zoomToFit(); }));
    QAction *minimap = addAction(m_viewMenu, QStringLiteral("minimap"), tr("&Minimap"),
                                 QKeySequence(tr("Ctrl+Shift+M")), [this] {
                                     const bool on
                                         = m_actions.value(QStringLiteral("minimap"))->isChecked();
                                     for (GraphEditor *e : editors())
                                         e->view()->setMinimapVisible(on);
                                 });
    minimap->setCheckable(true);
    minimap->setChecked(true);
    m_viewMenu->addSeparator();
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        m_viewMenu->addAction(dock->toggleViewAction());

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    addAction(run, QStringLiteral("validate"), tr("&Validate Graph"), QKeySequence(Qt::Key_F7),
              [this] { validateCurrent(); });
    addAction(run, QStringLiteral("run"), tr("&Run…"), QKeySequence(Qt::Key_F5),
              [this] { runCurrent(); });
    addAction(run, QStringLiteral("stop"), tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
              [this] { stopRun(); });
    addAction(run, QStringLiteral("rerun"), tr("Run &Again"),
              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5), [this] { rerun(); });
    run->addSeparator();
    addAction(run, QStringLiteral("settings"), tr("&Settings…"), QKeySequence::Preferences,
              [this] { openSettings(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    addAction(help, QStringLiteral("about"), tr("&About Signalbox"), QKeySequence(), [this] {
        QMessageBox::about(
            this, tr("About Signalbox"),
            tr("<b>Signalbox %1</b><p>Build agent graphs, run them locally, "
               "keep a human in the loop.</p>"
               "<p>Copyright © the Signalbox authors. Signalbox is free software under the GNU "
               "General Public License, version 3 or any later version "
               "(GPL-3.0-or-later), with no warranty.</p>"
               "<p>Built with Qt %2, running on Qt %3.</p>"
               "<p>Uses: Qt 6 (LGPL-3.0; Qt Network Authorization GPL-3.0), QtKeychain "
               "(BSD-3-Clause), libsodium (ISC), SQLite (public domain), Graphviz (EPL-1.0), "
               "valijson (BSD-2-Clause).</p>")
                .arg(QApplication::applicationVersion(), QStringLiteral(QT_VERSION_STR),
                     QString::fromLatin1(qVersion())));
    });
}

void MainWindow::createDocks()
{
    setDockNestingEnabled(true);
    const auto dock = [this](const QString &name, const QString &title, QWidget *widget,
                             Qt::DockWidgetArea area) {
        auto *d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(widget);
        d->setAccessibleName(title);
        addDockWidget(area, d);
        return d;
    };
    m_palette = new BlockPalette(*m_context.registry, this);
    dock(QStringLiteral("paletteDock"), tr("Blocks"), m_palette, Qt::LeftDockWidgetArea);
    connect(m_palette, &BlockPalette::blockActivated, this, [this](const QString &blockId) {
        GraphEditor *editor = currentEditor();
        if (!editor)
            editor = newGraph();
        editor->addBlock(blockId);
    });

    m_properties = new PropertyPanel(this);
    m_properties->setCredentials(credentials());
    dock(QStringLiteral("propertiesDock"), tr("Properties"), m_properties, Qt::RightDockWidgetArea);

    m_validation = new ValidationPanel(this);
    QDockWidget *problems = dock(QStringLiteral("problemsDock"), tr("Problems"), m_validation,
                                 Qt::BottomDockWidgetArea);
    connect(m_validation, &ValidationPanel::nodeActivated, this, [this](const QString &nodeId) {
        if (GraphEditor *editor = currentEditor())
            editor->centerOnNode(nodeId);
    });

    m_executions = new ExecutionsPanel(this);
    connect(m_executions, &ExecutionsPanel::refreshRequested, this, &MainWindow::refreshExecutions);
    connect(m_executions, &ExecutionsPanel::executionActivated, this, &MainWindow::openRunDetails);
    QDockWidget *runs = dock(QStringLiteral("monitorDock"), tr("Execution Monitor"), m_executions,
                             Qt::BottomDockWidgetArea);
    m_inbox = new ReviewInbox(this);
    QDockWidget *reviews
        = dock(QStringLiteral("inboxDock"), tr("Review Inbox"), m_inbox, Qt::RightDockWidgetArea);
    connect(m_inbox, &ReviewInbox::reviewActivated, this, &MainWindow::openReview);
    connect(m_inbox, &ReviewInbox::pageRequested, this, [this](int page) {
        m_inbox->setWaiting({}, qMax(1, page), false);
        refreshInbox();
    });
    connect(m_inbox, &ReviewInbox::batchApproveRequested, this, [this](const QStringList &ids) {
        auto *box = new QMessageBox(QMessageBox::Question, tr("Approve reviews"),
                                    tr("Approve %n review(s)?", nullptr, int(ids.size())),
                                    QMessageBox::Yes | QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("batchConfirm"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, box, ids] {
            if (box->clickedButton() != box->button(QMessageBox::Yes))
                return;
            Engine::ReviewDecision approve;
            approve.status = Model::ReviewStatus::Approved;
            if (const QStringList problems = recordDecisions(ids, approve); !problems.isEmpty())
                showError(tr("Some reviews were not approved"), problems.join(QLatin1Char('\n')));
        });
        box->open();
    });
    connect(m_inbox, &ReviewInbox::batchRejectRequested, this, [this](const QStringList &ids) {
        auto *dialog = new QInputDialog(this);
        dialog->setObjectName(QStringLiteral("batchReject"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Reject reviews"));
        dialog->setLabelText(
            tr("Reject %n review(s) because (required):", nullptr, int(ids.size())));
        connect(dialog, &QInputDialog::textValueSelected, this, [this, ids](const QString &reason) {
            if (reason.trimmed().isEmpty()) {
                showError(tr("Reject reviews"), tr("A reason is required to reject."));
                return;
            }
            Engine::ReviewDecision reject;
            reject.status = Model::ReviewStatus::Rejected;
            reject.message = reason;
            if (const QStringList problems = recordDecisions(ids, reject); !problems.isEmpty())
                showError(tr("Some reviews were not rejected"), problems.join(QLatin1Char('\n')));
        });
        dialog->open();
    });
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setAccessibleName(tr("Log"));
    m_log->setMaximumBlockCount(5000);
    QDockWidget *logDock
        = dock(QStringLiteral("logDock"), tr("Log"), m_log, Qt::BottomDockWidgetArea);
    tabifyDockWidget(problems, runs);
    tabifyDockWidget(runs, logDock);
    problems->raise();
    tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("propertiesDock")), reviews);
    findChild<QDockWidget *>(QStringLiteral("propertiesDock"))->raise();
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("paletteDock"))}, {250}, Qt::Horizontal);
    resizeDocks({findChild<QDockWidget *>(QStringLiteral("propertiesDock"))}, {340},
                Qt::Horizontal);
    resizeDocks({problems}, {170}, Qt::Vertical);
}

GraphEditor *MainWindow::currentEditor() const
{
    return qobject_cast<GraphEditor *>(m_tabs->currentWidget());
}

QList<GraphEditor *> MainWindow::editors() const
{
    QList<GraphEditor *> result;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *editor = qobject_cast<GraphEditor *>(m_tabs->widget(i)))
            result.append(editor);
    }
    return result;
}

GraphEditor *MainWindow::newGraph()
{
    Model::Graph graph;
    graph.id = Model::createRandomUuid();
    graph.name = tr("Untitled graph");
    return addEditor(std::move(graph), QString(), false);
}

GraphEditor *MainWindow::addEditor(Model::Graph graph, const QString &filePath, bool modified,
                                   std::optional<Model::Value> layout, bool trailingNewline)
{
    auto *document = new GraphDocument(*m_context.registry);
    document->reset(std::move(graph), filePath, std::move(layout), trailingNewline);
    auto *editor = new GraphEditor(document, m_tabs);
    m_undoGroup->addStack(document->undoStack());
    editor->view()->setMinimapVisible(action(QStringLiteral("minimap"))->isChecked());
    connect(document->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(document, &GraphDocument::filePathChanged, this, &MainWindow::updateTitle);
    connect(editor, &GraphEditor::selectionChanged, this, &MainWindow::updateSelection);
    connect(editor, &GraphEditor::message, this, [this](const QString &text) {
        Q_EMIT statusMessage(text);
        log(text);
    });
    connect(editor, &GraphEditor::layoutFinished, this, [this](bool ok, const QString &message) {
        if (!ok)
            showError(tr("Auto-layout failed"), message);
    });
    connect(editor->view(), &GraphView::quickAddRequested, this, &MainWindow::quickAdd);
    connect(editor, &GraphEditor::addBlockRequested, this, &MainWindow::quickAdd);
    connect(editor, &GraphEditor::renameRequested, this, [this, editor](const QString &nodeId) {
        editor->scene()->selectNodes({nodeId});
        focusNodeTitle();
    });
    connect(document->undoStack(), &QUndoStack::indexChanged, this, [this, editor] {
        // Problems of an older state mislead: clear them on any edit.
        if (editor == currentEditor() && !editor->scene()->isPopulating()) {
            editor->showProblems({});
            m_properties->setProblems({});
        }
    });
    if (modified) {
        // A recovered draft: unsaved until the user saves it.
        document->undoStack()->resetClean();
    }
    const int index = m_tabs->addTab(editor, document->displayName());
    m_tabs->setCurrentIndex(index);
    connect(editor->scene(), &GraphScene::populateProgressed, this, [this](int done, int total) {
        m_progress->setVisible(done < total);
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
    if (!editor->scene()->isPopulating())
        QTimer::singleShot(0, editor->view(), [editor] { editor->view()->zoomToFit(); });
    else
        connect(editor->scene(), &GraphScene::populated, editor->view(),
                [editor] { editor->view()->zoomToFit(); });
    updateTitle();
    return editor;
}

void MainWindow::openFile(const QString &path)
{
    for (GraphEditor *editor : editors()) {
        if (QFileInfo(editor->document()->filePath()) == QFileInfo(path)) {
            m_tabs->setCurrentWidget(editor);
            Q_EMIT documentOpened(editor);
            return;
        }
    }
    loadAsync(path, false);
}

void MainWindow::importFile(const QString &path)
{
    loadAsync(path, true);
}

void MainWindow::loadAsync(const QString &path, bool asImport)
{
    ++m_loading;
    m_progress->setRange(0, 0);
    m_progress->show();
    Q_EMIT statusMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    auto *watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, asImport] {
        watcher->deleteLater();
        --m_loading;
        m_progress->hide();
        Loaded loaded = watcher->result();
        if (!loaded.graph) {
            const QString message = loaded.graph.error().text();
            showError(asImport ? tr("Import failed") : tr("Open failed"), message);
            log(message);
            Q_EMIT documentOpenFailed(path, message);
            return;
        }
        // Nodes of blocks Signalbox lacks open as placeholders, shown in red
        // and named by validation, so that the user can replace them.
        if (!loaded.unknownBlocks.isEmpty())
            log(tr("%1 uses blocks Signalbox does not have; their nodes are kept as "
                   "placeholders:\n  %2")
                    .arg(QFileInfo(path).fileName(),
                         loaded.unknownBlocks.join(QStringLiteral("\n  "))));
        // Saved in the layout it was read in: the same bytes when unchanged.
        GraphEditor *editor
            = addEditor(std::move(*loaded.graph), asImport ? QString() : path, asImport,
                        std::move(loaded.layout), loaded.trailingNewline);
        if (!asImport)
            addRecentFile(path);
        QString opened
            = tr("Opened %1 (%n node(s))", nullptr, int(editor->document()->graph().nodes.size()))
                  .arg(QFileInfo(path).fileName());
        if (!loaded.unknownBlocks.isEmpty())
            opened += tr("; %n node(s) of blocks Signalbox does not have are placeholders",
                         nullptr, int(loaded.unknownBlocks.size()));
        log(opened);
        Q_EMIT statusMessage(opened);
        if (editor->scene()->isPopulating()) {
            connect(editor->scene(), &GraphScene::populated, this,
                    [this, editor] { Q_EMIT documentOpened(editor); });
        } else {
            Q_EMIT documentOpened(editor);
        }
    });
    watcher->setFuture(QtConcurrent::run(readGraph, path, m_context.registry));
}

Result<void> MainWindow::saveCurrent()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    if (editor->document()->filePath().isEmpty()) {
        QString path = QFileDialog::getSaveFileName(
            this, tr("Save graph"), editor->document()->graph().name + QStringLiteral(".sbx.json"),
            tr("Signalbox graphs (*.sbx.json)"));
        if (path.isEmpty())
            return makeError(ErrorCode::BadInput, QString());
        if (!path.endsWith(QLatin1String(".json")))
            path += QLatin1String(".sbx.json");
        return saveCurrentAs(path);
    }
    return saveCurrentAs(editor->document()->filePath());
}

Result<void> MainWindow::saveCurrentAs(const QString &path)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    if (auto saved = editor->document()->save(path); !saved)
        return saved;
    QFile::remove(draftPath(editor));
    addRecentFile(path);
    Q_EMIT statusMessage(tr("Saved %1").arg(path));
    return {};
}

Result<void> MainWindow::exportCurrent(const QString &path)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return {};
    Model::GraphExportOptions options;
    options.blocks = m_context.registry.get();
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

void MainWindow::validateCurrent()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    const DocumentCheck check
        = validateDocument(*editor->document(), m_context.registry, credentials().get());
    const Engine::NodeErrors &errors = check.errors;
    editor->showProblems(errors);
    m_validation->showProblems(*editor->document(), errors, check.warnings);
    m_properties->setProblems(errors);
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("problemsDock"))) {
        dock->show();
        dock->raise();
    }
    Q_EMIT statusMessage(!errors.isEmpty()
                             ? tr("%n node(s) have problems", nullptr, int(errors.size()))
                             : check.warnings.isEmpty()
                             ? tr("The graph is ready to run")
                             : tr("The graph is ready to run, with %n warning(s)", nullptr,
                                  int(check.warnings.size())));
}

void MainWindow::currentChanged()
{
    GraphEditor *editor = currentEditor();
    m_undoGroup->setActiveStack(editor ? editor->document()->undoStack() : nullptr);
    m_validation->clear();
    m_properties->setProblems({});
    updateSelection();
    updateTitle();
    for (const QString &name :
         {QStringLiteral("save"), QStringLiteral("saveAs"), QStringLiteral("export"),
          QStringLiteral("close"), QStringLiteral("validate"), QStringLiteral("autoLayout")}) {
        if (QAction *a = action(name))
            a->setEnabled(editor);
    }
}

void MainWindow::updateTitle()
{
    GraphEditor *editor = currentEditor();
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *tab = qobject_cast<GraphEditor *>(m_tabs->widget(i))) {
            const GraphDocument *document = tab->document();
            m_tabs->setTabText(i,
                               document->displayName()
                                   + (document->isModified() ? QStringLiteral(" •") : QString()));
            m_tabs->setTabToolTip(i, document->filePath());
        }
    }
    if (!editor) {
        setWindowTitle(QStringLiteral("Signalbox"));
        setWindowModified(false);
        return;
    }
    setWindowTitle(editor->document()->displayName() + QStringLiteral("[*] — Signalbox"));
    setWindowModified(editor->document()->isModified());
}

void MainWindow::updateSelection()
{
    GraphEditor *editor = currentEditor();
    const QStringList selected = editor ? editor->scene()->selectedNodeIds() : QStringList();
    m_properties->showNode(editor ? editor->document() : nullptr,
                           selected.size() == 1 ? selected.first() : QString());
}

void MainWindow::focusNodeTitle()
{
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("propertiesDock"))) {
        dock->show();
        dock->raise();
    }
    m_properties->focusTitle();
}

void MainWindow::showError(const QString &title, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::log(const QString &text)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  "))
                           + text);
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(QStringLiteral("recentFiles")).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    QSettings().setValue(QStringLiteral("recentFiles"), files);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files.at(i);
        QAction *entry = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        entry->setToolTip(path);
        connect(entry, &QAction::triggered, this, [this, path] { openFile(path); });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

bool MainWindow::closeEditor(int index)
{
    auto *editor = qobject_cast<GraphEditor *>(m_tabs->widget(index));
    if (!editor)
        return true;
    if (editor->document()->isModified()) {
        m_tabs->setCurrentIndex(index);
        const auto answer = QMessageBox::question(
            this, tr("Unsaved changes"),
            tr("Save the changes to %1 before closing?").arg(editor->document()->displayName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel)
            return false;
        if (answer == QMessageBox::Save && !saveCurrent())
            return false;
    }
    QFile::remove(draftPath(editor));
    m_undoGroup->removeStack(editor->document()->undoStack());
    m_tabs->removeTab(index);
    editor->deleteLater();
    return true;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    while (m_tabs->count() > 0) {
        if (!closeEditor(m_tabs->count() - 1)) {
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::openCommandPalette()
{
    auto *palette = new CommandPalette(allActions(), this);
    palette->setObjectName(QStringLiteral("commandPalette"));
    const QPoint top = mapToGlobal(QPoint((width() - palette->width()) / 2, 60));
    palette->move(top);
    palette->show();
}

void MainWindow::openSettings()
{
    auto *page = new CredentialsPage(credentials(), m_secretChoice);
    page->setObjectName(QStringLiteral("credentialsPage"));
    auto *models = new ModelsPage(Engine::Llm::LlmSettings::load(),
                                  m_context.settings.networkPolicy());
    models->setObjectName(QStringLiteral("modelsPage"));
    auto *dialog = new SettingsDialog(m_context.settings, this, page, models);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, models] {
        models->save();
        AppSettings chosen = dialog->settings();
        chosen.secretStore = SecretStoreChoice::kindName(m_secretChoice->kind());
        if (chosen.databasePath != m_context.settings.databasePath) {
            m_executor.reset();
            m_store.reset();
            m_credentials.reset();
            m_secretChoice.reset();
            log(tr("Database: %1").arg(chosen.databasePath));
        }
        if (m_executor) {
            m_executor->setNetworkPolicy(chosen.networkPolicy());
            m_executor->setBudget(chosen.budget);
            m_executor->setModels(Engine::Llm::LlmSettings::load());
        }
        m_context.settings = chosen;
        QSettings settings;
        chosen.save(settings);
        m_properties->setCredentials(credentials());
    });
    dialog->open();
}

void MainWindow::quickAdd(QPointF scenePos, QPoint globalPos)
{
    auto *popup = new QuickAddPopup(*m_context.registry, scenePos, this);
    popup->setObjectName(QStringLiteral("quickAdd"));
    connect(popup, &QuickAddPopup::blockChosen, this,
            [this](const QString &blockId, QPointF position) {
                if (GraphEditor *editor = currentEditor())
                    editor->addBlockAt(blockId, position);
            });
    popup->move(globalPos);
    popup->show();
}

void MainWindow::saveVersion()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    auto db = store();
    if (!db) {
        showError(tr("Library unavailable"), db.error().text());
        return;
    }
    Engine::GraphRepository graphs(**db);
    auto saved = graphs.saveGraph(editor->document()->graph(), QString(Model::kDefaultUserId));
    if (!saved) {
        showError(tr("Saving the version failed"), saved.error().text());
        return;
    }
    const QString message = saved->created
        ? tr("Saved version %1 of \"%2\" to the library")
              .arg(saved->version)
              .arg(editor->document()->graph().name)
        : tr("Version %1 in the library is the same: nothing to save").arg(saved->version);
    Q_EMIT statusMessage(message);
    log(message);
}

void MainWindow::showVersions()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    auto db = store();
    if (!db) {
        showError(tr("Library unavailable"), db.error().text());
        return;
    }
    Engine::GraphRepository graphs(**db);
    auto versions = graphs.versions(editor->document()->graph().id);
    if (!versions) {
        showError(tr("Version history"), versions.error().text());
        return;
    }
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("versionsDialog"));
    dialog->setWindowTitle(tr("Versions of %1").arg(editor->document()->graph().name));
    auto *list = new QListWidget(dialog);
    list->setAccessibleName(tr("Versions"));
    for (const Engine::GraphSummary &summary : *versions) {
        auto *item = new QListWidgetItem(
            tr("Version %1 — %2 — %n node(s)", nullptr, summary.nodeCount)
                .arg(summary.version)
                .arg(QLocale().toString(summary.createdAt.toLocalTime(), QLocale::ShortFormat)),
            list);
        item->setData(Qt::UserRole, summary.version);
    }
    if (versions->isEmpty())
        new QListWidgetItem(tr("No version saved yet: use File › Save Version to Library."), list);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Close, dialog);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(list);
    layout->addWidget(buttons);
    const QString graphId = editor->document()->graph().id;
    const auto openVersion = [this, dialog, list, graphId] {
        QListWidgetItem *item = list->currentItem();
        if (!item || !item->data(Qt::UserRole).isValid())
            return;
        auto db = store();
        if (!db)
            return;
        Engine::GraphRepository repository(**db);
        auto graph = repository.graph(graphId, item->data(Qt::UserRole).toInt());
        if (!graph) {
            showError(tr("Version history"), graph.error().text());
            return;
        }
        addEditor(std::move(*graph), QString(), false);
        dialog->accept();
    };
    connect(buttons->button(QDialogButtonBox::Open), &QPushButton::clicked, dialog, openVersion);
    connect(list, &QListWidget::itemActivated, dialog, openVersion);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->resize(460, 320);
    dialog->open();
}

QString MainWindow::draftPath(const GraphEditor *editor) const
{
    if (m_context.draftsFolder.isEmpty())
        return {};
    QString id = m_draftIds.value(editor);
    if (id.isEmpty()) {
        id = Model::createRandomUuid();
        const_cast<MainWindow *>(this)->m_draftIds.insert(editor, id);
    }
    return m_context.draftsFolder + QLatin1Char('/') + id + kDraftSuffix;
}

void MainWindow::autosave()
{
    if (m_context.draftsFolder.isEmpty())
        return;
    QDir().mkpath(m_context.draftsFolder);
    for (GraphEditor *editor : editors()) {
        const QString path = draftPath(editor);
        if (!editor->document()->isModified()) {
            QFile::remove(path);
            continue;
        }
        // The draft is the graph plus where it belongs.
        QJsonObject draft;
        draft.insert(QStringLiteral("file_path"), editor->document()->filePath());
        // As text: the graph's own layout survives.
        draft.insert(QStringLiteral("graph_text"), QString::fromUtf8(editor->document()->toJson()));
        QSaveFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            file.write(QJsonDocument(draft).toJson(QJsonDocument::Compact));
            if (!file.commit())
                log(tr("Could not write the draft %1: %2").arg(path, file.errorString()));
        }
    }
}

void MainWindow::offerRecovery()
{
    const QDir folder(m_context.draftsFolder);
    const QStringList drafts = m_context.draftsFolder.isEmpty()
        ? QStringList()
        : folder.entryList({QStringLiteral("*") + kDraftSuffix}, QDir::Files, QDir::Time);
    if (drafts.isEmpty()) {
        offerResume();
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Recover unsaved work"),
        tr("Signalbox did not close properly last time. Recover %n unsaved graph(s)?", nullptr,
           int(drafts.size())),
        QMessageBox::Yes | QMessageBox::Discard, this);
    box->setObjectName(QStringLiteral("recoverBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, drafts, folder, box] {
        const bool recover = box->clickedButton() == box->button(QMessageBox::Yes);
        for (const QString &name : drafts) {
            const QString path = folder.filePath(name);
            if (recover) {
                QFile file(path);
                if (file.open(QIODevice::ReadOnly)) {
                    const QJsonObject draft = QJsonDocument::fromJson(file.readAll()).object();
                    Loaded loaded
                        = parseGraph(draft.value(QLatin1String("graph_text")).toString().toUtf8(),
                                     name, *m_context.registry);
                    if (loaded.graph) {
                        GraphEditor *editor
                            = addEditor(std::move(*loaded.graph),
                                        draft.value(QLatin1String("file_path")).toString(), true,
                                        std::move(loaded.layout), loaded.trailingNewline);
                        log(tr("Recovered %1").arg(editor->document()->displayName()));
                    }
                }
            }
            QFile::remove(path);
        }
        autosave();
        offerResume();
    });
    box->open();
}

Result<Engine::Database *> MainWindow::store()
{
    if (!m_store) {
        auto db = Engine::Database::open(m_context.settings.databasePath);
        if (!db)
            return db.error();
        m_store = std::move(*db);
    }
    return m_store.get();
}

std::shared_ptr<Engine::CredentialsStore> MainWindow::credentials()
{
    if (m_credentials)
        return m_credentials;
    const QString path = m_context.settings.databasePath;
    if (!m_secretChoice)
        m_secretChoice = std::make_shared<SecretStoreChoice>(
            SecretStoreChoice::kindFromName(m_context.settings.secretStore),
            path + QLatin1String(".secrets"));
    auto secrets = std::make_shared<Engine::DeferredSecretStore>(
        [choice = m_secretChoice] { return choice->open(); });
    m_credentials = std::make_shared<Engine::CredentialsStore>(path, secrets);
    return m_credentials;
}

Engine::Executor *MainWindow::executor()
{
    if (m_executor)
        return m_executor.get();
    m_events = std::make_unique<Engine::EventBus>();
    auto executor = std::make_unique<Engine::Executor>(
        m_context.settings.databasePath, m_context.registry, m_events.get(),
        m_context.settings.threads > 0 ? m_context.settings.threads : QThread::idealThreadCount());
    if (auto opened = executor->open(); !opened) {
        showError(tr("Cannot run"), opened.error().text());
        return nullptr;
    }
    executor->setCredentials(credentials());
    executor->setNetworkPolicy(m_context.settings.networkPolicy());
    executor->setBudget(m_context.settings.budget);
    executor->setModels(Engine::Llm::LlmSettings::load());
    connect(executor.get(), &Engine::Executor::runInterrupted, this,
            [this](const QString &id, const Error &error) {
                // Not the graph's failure: the run is kept and resumes later.
                log(tr("Run %1 was interrupted and can be resumed once this is resolved: %2")
                        .arg(id, error.text()));
                Q_EMIT statusMessage(tr("Run interrupted: %1").arg(error.message));
            });
    connect(executor.get(), &Engine::Executor::runFinished, this,
            [this](const QString &id, Model::ExecutionStatus status) {
                log(tr("Run %1 ended %2").arg(id, Model::statusName(status)));
                if (id == m_watched.runId)
                    m_runLabel->setText(tr("Run: %1").arg(statusLabel(status).toLower()));
                Q_EMIT runFinished(id);
            });
    connect(m_events.get(), &Engine::EventBus::nodeExecutionUpdated, this,
            [this](const Engine::NodeExecutionEvent &event) {
                if (event.graphExecId != m_watched.runId)
                    return;
                if (!event.outputPin.isEmpty()) {
                    if (m_watched.editor) {
                        GraphScene *scene = m_watched.editor->scene();
                        scene->pulseLinksFrom(event.nodeId, event.outputPin);
                        // A streamed answer ends as the output upstream yields
                        // (events carry long values cut short: those keep the stream's).
                        const QString final = event.outputValue.toString();
                        if (event.outputValue.isString() && !scene->liveText(event.nodeId).isEmpty()
                            && final.toUtf8().size() <= Engine::kEventValueLimit) {
                            scene->setLiveText(event.nodeId, final);
                            m_executions->setLiveText(
                                m_watched.editor->document()->nodeTitle(event.nodeId), final, true);
                        }
                    }
                    return;
                }
                m_watched.statuses.insert(event.nodeId, event.status);
                if (m_watched.editor)
                    m_watched.editor->scene()->setRunStatuses(m_watched.statuses);
                int done = 0;
                for (const Model::ExecutionStatus status : std::as_const(m_watched.statuses))
                    done += status == Model::ExecutionStatus::Completed ? 1 : 0;
                // Out of the graph's nodes (notes aside), or of those seen so far.
                qsizetype total = m_watched.statuses.size();
                if (m_watched.editor) {
                    total = 0;
                    for (const Model::Node &node : m_watched.editor->document()->graph().nodes) {
                        const Model::BlockSchema *schema = m_context.registry->schema(node.blockId);
                        total += schema && schema->type != Model::BlockType::Note ? 1 : 0;
                    }
                    total = qMax(total, m_watched.statuses.size());
                }
                m_runLabel->setText(tr("Running: %1 of %2 nodes done").arg(done).arg(total));
            });
    // A model's answer as it streams in: on the node and in the monitor.
    connect(m_events.get(), &Engine::EventBus::nodeProgress, this,
            [this](const QString &graphExecId, const QString &, const QString &nodeId,
                   const QString &, const QString &text) {
                if (graphExecId != m_watched.runId)
                    return;
                QString title = nodeId;
                if (m_watched.editor) {
                    m_watched.editor->scene()->setLiveText(nodeId, text);
                    title = m_watched.editor->document()->nodeTitle(nodeId);
                }
                m_executions->setLiveText(title, text);
            });
    connect(m_events.get(), &Engine::EventBus::reviewRequested, this,
            [this](const QString &graphExecId, const QString &nodeExecId) {
                // A run being watched asks for a review: ask now.
                if (graphExecId == m_watched.runId
                    && !findChild<ReviewDialog *>(QStringLiteral("reviewDialog")))
                    QTimer::singleShot(0, this, [this, nodeExecId] { openReview(nodeExecId); });
                refreshInbox();
            });
    m_executor = std::move(executor);
    return m_executor.get();
}

void MainWindow::runCurrent()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    validateCurrent();
    if (!validateDocument(*editor->document(), m_context.registry, credentials().get())
             .errors.isEmpty()) {
        Q_EMIT statusMessage(tr("Fix the problems before running"));
        return;
    }
    auto *dialog = new RunDialog(editor->document()->graph(), *m_context.registry,
                                 m_watched.editor == editor ? m_watched.inputs : Model::ValueMap(),
                                 m_context.settings.hitlSafeMode,
                                 m_context.settings.sensitiveSafeMode, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (auto started
            = startRun(dialog->inputs(), dialog->hitlSafeMode(), dialog->sensitiveSafeMode());
            !started) {
            showError(tr("The run did not start"), started.error().text());
        }
    });
    dialog->open();
}

Result<QString> MainWindow::startRun(const Model::ValueMap &inputs, bool hitlSafeMode,
                                     bool sensitiveSafeMode)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return makeError(ErrorCode::BadInput, tr("No graph is open"));
    Engine::Executor *engine = executor();
    if (!engine)
        return makeError(ErrorCode::Storage, tr("The store is not available"));
    // A run is of a stored version: the graph as it is now.
    auto db = store();
    if (!db)
        return db.error();
    Engine::GraphRepository graphs(**db);
    auto saved = graphs.saveGraph(editor->document()->graph(), QString(Model::kDefaultUserId));
    if (!saved)
        return saved.error();
    Engine::RunRequest request;
    request.graphId = saved->id;
    request.graphVersion = saved->version;
    request.inputs = inputs;
    request.humanInTheLoopSafeMode = hitlSafeMode;
    request.sensitiveActionSafeMode = sensitiveSafeMode;
    editor->scene()->setRunStatuses({});
    editor->scene()->clearLiveTexts();
    m_executions->setLiveText({}, {});
    m_watched = WatchedRun {QString(), editor, inputs, hitlSafeMode, sensitiveSafeMode, {}};
    auto started = engine->start(request);
    if (!started)
        return started.error();
    m_watched.runId = *started;
    log(tr("Started run %1 of %2 version %3")
            .arg(*started, editor->document()->graph().name)
            .arg(saved->version));
    m_runLabel->setText(tr("Running…"));
    m_runLabel->show();
    return *started;
}

void MainWindow::stopRun()
{
    if (m_executor && !m_watched.runId.isEmpty())
        m_executor->stop(m_watched.runId);
}

void MainWindow::stopExecution(const QString &graphExecId)
{
    if (m_executor && m_executor->isRunning(graphExecId)) {
        m_executor->stop(graphExecId);
        Q_EMIT stopFinished(graphExecId, QString());
        return;
    }
    // Another process runs it (or nobody does): stopped through the store,
    // which waits for that process, so on a thread of its own.
    Q_EMIT statusMessage(tr("Stopping run %1…").arg(graphExecId));
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, graphExecId] {
        watcher->deleteLater();
        const QString error = watcher->result();
        if (error.isEmpty()) {
            log(tr("Run %1 stopped").arg(graphExecId));
            Q_EMIT statusMessage(tr("Run %1 stopped").arg(graphExecId));
        } else {
            showError(tr("The run was not stopped"), error);
        }
        refreshExecutions();
        Q_EMIT stopFinished(graphExecId, error);
    });
    watcher->setFuture(QtConcurrent::run([path = m_context.settings.databasePath, graphExecId] {
        auto db = Engine::Database::open(path, {.mode = Engine::DatabaseOptions::OpenMode::MustExist});
        if (!db)
            return db.error().text();
        auto stopped = Engine::stopExecution(**db, QString(Model::kDefaultUserId), graphExecId);
        if (!stopped)
            return stopped.error().text();
        return Model::isFinal(*stopped)
            ? tr("Run %1 had already %2; nothing was stopped")
                  .arg(graphExecId, *stopped == Model::ExecutionStatus::Completed
                                        ? tr("completed")
                                        : tr("failed"))
            : QString();
    }));
}

void MainWindow::rerun()
{
    if (!m_watched.editor)
        return;
    m_tabs->setCurrentWidget(m_watched.editor);
    if (auto started
        = startRun(m_watched.inputs, m_watched.hitlSafeMode, m_watched.sensitiveSafeMode);
        !started) {
        showError(tr("The run did not start"), started.error().text());
    }
}

void MainWindow::openReview(const QString &nodeExecId)
{
    // One dialog per review: asking again brings it forward.
    for (ReviewDialog *open : findChildren<ReviewDialog *>()) {
        if (open->isVisible() && open->review().nodeExecId == nodeExecId) {
            open->raise();
            open->activateWindow();
            return;
        }
    }
    auto db = store();
    if (!db) {
        showError(tr("Review"), db.error().text());
        return;
    }
    Engine::ReviewRepository reviews(**db);
    const QString user(Model::kDefaultUserId);
    auto found = reviews.reviewsByNodeExecIds({nodeExecId}, user);
    if (!found || !found->contains(nodeExecId)) {
        showError(tr("Review"), found ? tr("No review %1").arg(nodeExecId) : found.error().text());
        return;
    }
    const Model::PendingReview review = found->value(nodeExecId);
    QString graphName = review.graphId;
    QString blockName = tr("Human Review");
    Engine::GraphRepository graphs(**db);
    if (auto graph = graphs.graph(review.graphId, review.graphVersion)) {
        graphName = graph->name;
        if (const Model::Node *node = graph->node(review.nodeId)) {
            const QString custom
                = node->metadata.value(QLatin1String("customized_name")).toString();
            if (!custom.isEmpty())
                blockName = custom;
            else if (const Model::BlockSchema *schema = m_context.registry->schema(node->blockId))
                blockName = blockDisplayName(*schema);
        }
    }
    auto *dialog = new ReviewDialog(review, blockName, graphName, &m_reviewDrafts, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReviewDialog::decisionMade, this,
            [this, dialog](const QString &id, const Engine::ReviewDecision &decision) {
                decideReview(dialog, id, decision);
            });
    if (review.status != Model::ReviewStatus::Waiting)
        dialog->showDecidedElsewhere(review);
    dialog->open();
}

void MainWindow::decideReview(ReviewDialog *dialog, const QString &nodeExecId,
                              const Engine::ReviewDecision &decision)
{
    auto db = store();
    if (!db) {
        showError(tr("Review"), db.error().text());
        return;
    }
    Engine::ReviewRepository reviews(**db);
    const QString user(Model::kDefaultUserId);
    const QString reviewer = m_context.settings.reviewer();
    auto decided = reviews.processAllReviewsForExecution(user, {{nodeExecId, decision}}, reviewer);
    if (!decided) {
        // Someone else decided first: show their decision, never overwrite it.
        auto current = reviews.reviewsByNodeExecIds({nodeExecId}, user);
        if (decided.error().code == ErrorCode::Conflict && current
            && current->contains(nodeExecId)) {
            dialog->showDecidedElsewhere(current->value(nodeExecId));
        } else {
            showError(tr("The decision was not recorded"), decided.error().text());
        }
        return;
    }
    m_reviewDrafts.remove(nodeExecId);
    const Model::PendingReview review = decided->value(nodeExecId);
    log(tr("Review %1 %2").arg(nodeExecId, Model::reviewStatusName(review.status)));
    Q_EMIT reviewRecorded(nodeExecId);
    dialog->accept();
    resumeIfDone(review.graphExecId);
    refreshInbox();
}

void MainWindow::resumeIfDone(const QString &graphExecId)
{
    auto db = store();
    if (!db)
        return;
    Engine::ReviewRepository reviews(**db);
    // The last waiting review of a run that nothing runs here: resume it,
    // unless another process took it over first.
    auto waiting = reviews.hasPendingReviewsForGraphExec(graphExecId);
    if (!waiting || *waiting)
        return;
    Engine::Executor *engine = executor();
    if (engine && !engine->isRunning(graphExecId)) {
        if (auto resumed = engine->resumeAfterReview(graphExecId); !resumed)
            log(tr("Run %1 did not resume: %2").arg(graphExecId, resumed.error().text()));
    }
}

QStringList MainWindow::recordDecisions(const QStringList &nodeExecIds,
                                        const Engine::ReviewDecision &decision)
{
    auto db = store();
    if (!db)
        return {db.error().text()};
    Engine::ReviewRepository reviews(**db);
    const QString user(Model::kDefaultUserId);
    auto found = reviews.reviewsByNodeExecIds(nodeExecIds, user);
    if (!found)
        return {found.error().text()};
    // processAllReviewsForExecution takes one run at a time.
    QMap<QString, QMap<QString, Engine::ReviewDecision>> byRun;
    for (const Model::PendingReview &review : std::as_const(*found))
        byRun[review.graphExecId].insert(review.nodeExecId, decision);
    QStringList problems;
    const QString reviewer = m_context.settings.reviewer();
    for (auto it = byRun.cbegin(); it != byRun.cend(); ++it) {
        auto decided = reviews.processAllReviewsForExecution(user, it.value(), reviewer);
        if (!decided) {
            problems.append(decided.error().text());
            continue;
        }
        for (const QString &id : it.value().keys())
            m_reviewDrafts.remove(id);
        log(tr("%n review(s) of run %1 %2", nullptr, int(it.value().size()))
                .arg(it.key(), Model::reviewStatusName(decision.status)));
    }
    for (auto it = byRun.cbegin(); it != byRun.cend(); ++it)
        resumeIfDone(it.key());
    refreshInbox();
    return problems;
}

Result<QString> MainWindow::rerunExecution(const QString &graphExecId)
{
    auto db = store();
    if (!db)
        return db.error();
    Engine::ExecutionRepository executions(**db, m_context.registry.get());
    auto meta = executions.graphExecutionMeta(QString(Model::kDefaultUserId), graphExecId);
    if (!meta)
        return meta.error();
    if (!*meta)
        return makeError(ErrorCode::NotFound, tr("No run %1").arg(graphExecId));
    Engine::Executor *engine = executor();
    if (!engine)
        return makeError(ErrorCode::Storage, tr("The store is not available"));
    // The same graph version, inputs, masks and safe modes.
    Engine::RunRequest request;
    request.graphId = (*meta)->graphId;
    request.graphVersion = (*meta)->graphVersion;
    request.inputs = (*meta)->inputs;
    request.nodesInputMasks = (*meta)->nodesInputMasks;
    request.humanInTheLoopSafeMode = (*meta)->humanInTheLoopSafeMode;
    request.sensitiveActionSafeMode = (*meta)->sensitiveActionSafeMode;
    auto started = engine->start(request);
    if (!started)
        return started.error();
    // The canvas follows it when its graph is the one in front.
    GraphEditor *editor = currentEditor();
    const bool shown = editor && editor->document()->graph().id == request.graphId;
    m_watched = WatchedRun {*started,
                            shown ? editor : nullptr,
                            request.inputs,
                            request.humanInTheLoopSafeMode,
                            request.sensitiveActionSafeMode,
                            {}};
    if (shown) {
        editor->scene()->setRunStatuses({});
        editor->scene()->clearLiveTexts();
    }
    m_executions->setLiveText({}, {});
    log(tr("Started run %1 again as %2").arg(graphExecId, *started));
    refreshExecutions();
    return *started;
}

void MainWindow::openRunDetails(const QString &graphExecId)
{
    auto db = store();
    if (!db) {
        showError(tr("Run"), db.error().text());
        return;
    }
    Engine::ExecutionRepository executions(**db, m_context.registry.get());
    auto meta = executions.graphExecutionMeta(QString(Model::kDefaultUserId), graphExecId);
    if (!meta || !*meta) {
        showError(tr("Run"), meta ? tr("No run %1").arg(graphExecId) : meta.error().text());
        return;
    }
    QString graphName = (*meta)->graphId;
    QHash<QString, QString> nodeTitles;
    Engine::GraphRepository graphs(**db);
    if (auto graph = graphs.graph((*meta)->graphId, (*meta)->graphVersion)) {
        graphName = graph->name;
        for (const Model::Node &node : graph->nodes) {
            QString title = node.metadata.value(QLatin1String("customized_name")).toString();
            if (title.isEmpty()) {
                const Model::BlockSchema *schema = m_context.registry->schema(node.blockId);
                title = schema ? blockDisplayName(*schema) : node.blockId;
            }
            nodeTitles.insert(node.id, title);
        }
    }
    const auto children = executions.childGraphExecutions(graphExecId);
    auto *details = new RunDetails(m_context.settings.databasePath, **meta, graphName, nodeTitles,
                                   children ? *children : QList<Model::GraphExecutionMeta>(), this);
    connect(details, &RunDetails::runActivated, this, &MainWindow::openRunDetails);
    connect(details, &RunDetails::rerunRequested, this, [this](const QString &id) {
        if (auto started = rerunExecution(id); !started)
            showError(tr("The run did not start"), started.error().text());
    });
    details->setAttribute(Qt::WA_DeleteOnClose);
    connect(details, &RunDetails::stopRequested, this, &MainWindow::stopExecution);
    connect(details, &RunDetails::resumeRequested, this, [this](const QString &id) {
        Engine::Executor *engine = executor();
        if (!engine)
            return;
        if (auto resumed = engine->resume(id); !resumed)
            showError(tr("The run did not resume"), resumed.error().text());
    });
    connect(details, &RunDetails::deleteRequested, this, [this, details](const QString &id) {
        auto db = store();
        if (!db)
            return;
        Engine::ExecutionRepository repository(**db, m_context.registry.get());
        if (auto deleted = repository.deleteGraphExecution(id, QString(Model::kDefaultUserId));
            !deleted) {
            showError(tr("The run was not deleted"), deleted.error().text());
            return;
        }
        details->close();
        refreshExecutions();
    });
    details->show();
}

void MainWindow::loadGraphNames(Engine::Database &db)
{
    Engine::GraphRepository graphs(db);
    if (auto stored = graphs.listGraphs()) {
        for (const Engine::GraphSummary &graph : std::as_const(*stored))
            m_graphNames.insert(graph.id, graph.name);
    }
}

void MainWindow::refreshExecutions()
{
    auto db = store();
    if (!db)
        return;
    Engine::ExecutionRepository executions(**db, m_context.registry.get());
    Engine::GraphExecutionFilter filter;
    filter.statuses = m_executions->statuses();
    filter.graphId = m_executions->graphId();
    auto page = executions.graphExecutionsPage(QString(Model::kDefaultUserId), filter,
                                               m_executions->page(), ExecutionsPanel::kPageSize);
    if (!page)
        return;
    // Every stored graph can be chosen, not only those on this page.
    loadGraphNames(**db);
    m_executions->setGraphs(m_graphNames);
    m_executions->setPage(page->executions, m_graphNames, m_executions->page(),
                          page->pagination.totalItems);
}

void MainWindow::refreshInbox()
{
    auto db = store();
    if (!db)
        return;
    Engine::ReviewRepository reviews(**db);
    const QString user(Model::kDefaultUserId);
    const int page = m_inbox->page();
    auto waiting = reviews.pendingReviewsForUser(user, page, ReviewInbox::kPageSize);
    // The review after this page, if any: is there an older page?
    auto next = reviews.pendingReviewsForUser(user, page * ReviewInbox::kPageSize + 1, 1);
    auto decided = reviews.decidedReviewsForUser(user, 1, 50);
    if (!waiting || !decided || !next)
        return;
    const QList<Model::PendingReview> &all = *waiting;
    const bool hasMore = !next->isEmpty();
    for (const Model::PendingReview &review : all) {
        if (!m_graphNames.contains(review.graphId)) {
            loadGraphNames(**db);
            break;
        }
    }
    m_inbox->setWaiting(all, page, hasMore, m_graphNames);
    m_inbox->setHistory(*decided);
    int arrived = 0;
    for (const Model::PendingReview &review : all) {
        if (!m_seenReviews.contains(review.nodeExecId)) {
            m_seenReviews.insert(review.nodeExecId);
            ++arrived;
        }
    }
    // The badge: how many wait (at least), on the dock and in the status bar.
    const QString count = hasMore
        ? QStringLiteral("%1+").arg(page * ReviewInbox::kPageSize)
        : QString::number((page - 1) * ReviewInbox::kPageSize + all.size());
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("inboxDock")))
        dock->setWindowTitle(all.isEmpty() ? tr("Review Inbox")
                                           : tr("Review Inbox (%1)").arg(count));
    m_reviewBadge->setText(all.isEmpty() ? QString() : tr("%1 waiting for review").arg(count));
    m_reviewBadge->setVisible(!all.isEmpty());
    if (arrived > 0 && m_inboxPrimed) {
        Q_EMIT reviewsArrived(arrived);
        const QString text = tr("%n new review(s) waiting", nullptr, arrived);
        Q_EMIT statusMessage(text);
        if (m_tray)
            m_tray->showMessage(tr("Signalbox"), text);
        QApplication::alert(this);
    }
    m_inboxPrimed = true;
}

void MainWindow::offerResume()
{
    auto db = store();
    if (!db) {
        log(db.error().text());
        return;
    }
    Engine::ExecutionRepository executions(**db, m_context.registry.get());
    Engine::GraphExecutionFilter filter;
    filter.statuses = {Model::ExecutionStatus::Running, Model::ExecutionStatus::Queued};
    auto interrupted = executions.graphExecutions(filter);
    if (!interrupted || interrupted->isEmpty())
        return;
    QStringList ids;
    for (const Model::GraphExecutionMeta &meta : *interrupted) {
        // Children resume with their parent.
        if (meta.parentGraphExecId.isEmpty())
            ids.append(meta.id);
    }
    if (ids.isEmpty())
        return;
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Resume interrupted runs?"),
        tr("%n run(s) were still going when Signalbox last stopped. Resume them now? "
           "Completed steps are not run again.",
           nullptr, int(ids.size())),
        QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(QStringLiteral("resumeBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, ids, box] {
        if (box->clickedButton() != box->button(QMessageBox::Yes))
            return;
        if (!executor())
            return;
        for (const QString &id : ids) {
            if (auto resumed = m_executor->resume(id); !resumed)
                log(tr("Run %1 could not resume: %2").arg(id, resumed.error().text()));
            else
                log(tr("Resumed run %1").arg(id));
        }
    });
    box->open();
}

} // namespace Signalbox::Ui
