// SPDX-License-Identifier: GPL-3.0-or-later
#include "mainwindow.h"
#include "modelspage.h"

#include "appearance.h"
#include "blockpalette.h"
#include "commandpalette.h"
#include "connectdialog.h"
#include "credentialspage.h"
#include "dialogtitles.h"
#include "executionspanel.h"
#include "documents.h"
#include "drafts.h"
#include "graphdocument.h"
#include "grapheditor.h"
#include "graphlayouter.h"
#include "graphscene.h"
#include "graphview.h"
#include "helpdialogs.h"
#include "pinstyle.h"
#include "propertypanel.h"
#include "reviewcontroller.h"
#include "reviewdialog.h"
#include "reviewinbox.h"
#include "runcontroller.h"
#include "rundialog.h"
#include "statuspalette.h"
#include "toast.h"
#include "validationpanel.h"
#include "versionsdialog.h"

#include "engine/blocks/blockregistry.h"
#include "engine/service/servicethread.h"
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
#include <QStyle>
#include <QToolBar>
#include <QDir>
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

constexpr int kAutosaveIntervalMs = 30 * 1000;

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
    m_documents = new Documents(m_context.registry, m_tabs, m_undoGroup, m_context.draftsFolder,
                                this);
    connect(m_documents, &Documents::editorCreated, this, &MainWindow::wireEditor);
    connect(m_documents, &Documents::opened, this, &MainWindow::documentOpened);
    connect(m_documents, &Documents::openFailed, this, &MainWindow::documentOpenFailed);
    connect(m_documents, &Documents::statusMessage, this, &MainWindow::statusMessage);
    connect(m_documents, &Documents::logged, this, &MainWindow::log);
    connect(m_documents, &Documents::failed, this, &MainWindow::showError);
    connect(m_documents, &Documents::recentFilesChanged, this, &MainWindow::updateRecentMenu);

    m_revalidate = new QTimer(this);
    m_revalidate->setSingleShot(true);
    m_revalidate->setInterval(400);
    connect(m_revalidate, &QTimer::timeout, this, [this] { validate(false); });
    createDocks();
    createActions();
    createMenus();
    createToolBar();
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setAccessibleName(tr("Loading progress"));
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    connect(m_documents, &Documents::loadingChanged, this, [this](bool loading) {
        m_progress->setRange(0, 0);
        m_progress->setVisible(loading);
    });
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
    m_runs = new RunController(m_context.registry, m_executions, m_runLabel,
                               [this] { return currentEditor(); }, this);
    m_reviews = new ReviewController(m_context.registry, m_inbox, m_reviewBadge, m_tray, this);
    connect(m_runs, &RunController::runFinished, this, &MainWindow::runFinished);
    DialogTitles::install();
    // How each run of this window ended, in the corner; a click opens it.
    m_toast = new Toast(this);
    connect(m_runs, &RunController::runEnded, this,
            [this](const QString &id, Model::ExecutionStatus status, const QString &graph) {
                const QString what = graph.isEmpty() ? tr("Run %1").arg(id.right(6))
                                                     : tr("Run of %1").arg(graph.toHtmlEscaped());
                const bool ok = status == Model::ExecutionStatus::Completed;
                m_toast->setProperty("run", id);
                m_toast->showNotice(
                    tr("<b>%1 %2</b><br><small>Click to see the run</small>")
                        .arg(what, statusLabel(status).toLower()),
                    ok ? Toast::Kind::Success
                       : status == Model::ExecutionStatus::Failed ? Toast::Kind::Failure
                                                                  : Toast::Kind::Info);
            });
    connect(m_toast, &Toast::clicked, this,
            [this] { openRunDetails(m_toast->property("run").toString()); });
    // A stored run goes on an open document of its graph that holds the
    // same nodes and links (placed anywhere); else the version the run ran
    // opens from the library.
    m_runs->setGraphOpener([this](const Model::Graph &graph) -> GraphEditor * {
        const auto sameData = [&graph](const Model::Graph &shown) {
            if (shown.id != graph.id || shown.links != graph.links
                || shown.nodes.size() != graph.nodes.size())
                return false;
            for (qsizetype i = 0; i < shown.nodes.size(); ++i) {
                const Model::Node &a = shown.nodes.at(i);
                const Model::Node &b = graph.nodes.at(i);
                if (a.id != b.id || a.blockId != b.blockId || a.inputDefault != b.inputDefault)
                    return false;
            }
            return true;
        };
        for (GraphEditor *open : editors()) {
            if (sameData(open->document()->graph())) {
                m_tabs->setCurrentWidget(open);
                return open;
            }
        }
        GraphEditor *editor = addEditor(graph, QString(), false);
        // Nodes stored without a place would pile up at one point: laid out
        // as opened, which is no edit of the user's (nor of the run's data).
        const bool placeless = graph.nodes.size() > 1
            && std::none_of(graph.nodes.cbegin(), graph.nodes.cend(), [](const Model::Node &node) {
                   return node.metadata.contains(QLatin1String("position"));
               });
        if (placeless) {
            connect(
                editor, &GraphEditor::layoutFinished, this,
                [editor](bool ok) {
                    if (ok)
                        editor->document()->undoStack()->setClean();
                },
                Qt::SingleShotConnection);
            editor->autoLayout(*m_context.layouter);
        }
        return editor;
    });
    connect(m_runs, &RunController::monitorRefreshed, this, &MainWindow::executionsRefreshed);
    connect(m_runs, &RunController::stopFinished, this, &MainWindow::stopFinished);
    connect(m_runs, &RunController::statusMessage, this, &MainWindow::statusMessage);
    connect(m_runs, &RunController::logged, this, &MainWindow::log);
    connect(m_runs, &RunController::failed, this, &MainWindow::showError);
    // A run being watched asks for a review: ask now.
    connect(m_runs, &RunController::watchedReviewRequested, this, [this](const QString &id) {
        if (!findChild<ReviewDialog *>(QStringLiteral("reviewDialog")))
            openReview(id);
    });
    connect(m_reviews, &ReviewController::reviewRecorded, this, &MainWindow::reviewRecorded);
    connect(m_reviews, &ReviewController::reviewsArrived, this, &MainWindow::reviewsArrived);
    connect(m_reviews, &ReviewController::refreshed, this, &MainWindow::inboxRefreshed);
    connect(m_reviews, &ReviewController::statusMessage, this, &MainWindow::statusMessage);
    connect(m_reviews, &ReviewController::logged, this, &MainWindow::log);
    connect(m_reviews, &ReviewController::failed, this, &MainWindow::showError);
    startService();
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
                  // At the mouse when it is over the canvas, else the centre.
                  const QPointF at = e->pointerOrCentre();
                  quickAdd(at, e->view()->viewport()->mapToGlobal(e->view()->mapFromScene(at)));
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
    addAction(run, QStringLiteral("runOnWorkers"), tr("Run on &Workers…"),
              QKeySequence(Qt::ALT | Qt::Key_F5), [this] { runCurrent(true); })
        ->setToolTip(tr("Queue the graph in front for workers (signalbox worker) instead of "
                        "running it here (Alt+F5)"));
    addAction(run, QStringLiteral("stop"), tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5),
              [this] { stopRun(); });
    addAction(run, QStringLiteral("rerun"), tr("Run &Again"),
              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5), [this] { rerun(); });
    run->addSeparator();
    // The two safe modes, also on the toolbar: what a run asks a person about.
    QAction *hitl = addAction(run, QStringLiteral("hitlSafeMode"), tr("&Review Steps Ask"),
                              QKeySequence(), [this] { setSafeModes(); });
    hitl->setCheckable(true);
    hitl->setChecked(m_context.settings.hitlSafeMode);
    hitl->setToolTip(tr("Human-in-the-loop safe mode: runs pause at each Human In The Loop block "
                        "until a person decides"));
    QAction *sensitive = addAction(run, QStringLiteral("sensitiveSafeMode"),
                                   tr("Sensitive &Actions Ask"), QKeySequence(),
                                   [this] { setSafeModes(); });
    sensitive->setCheckable(true);
    sensitive->setChecked(m_context.settings.sensitiveSafeMode);
    sensitive->setToolTip(tr("Sensitive-action safe mode: runs pause before each block marked "
                             "as a sensitive action until a person decides"));

    // Where desktop users look for them: Edit › Preferences on Linux, the
    // application menu on macOS (the role), Tools-like Settings elsewhere.
#if defined(Q_OS_LINUX)
    QMenu *settingsMenu = edit;
    const QString settingsText = tr("Pr&eferences…");
    edit->addSeparator();
#else
    QMenu *settingsMenu = run;
    const QString settingsText = tr("&Settings…");
#endif
    QAction *settings = addAction(settingsMenu, QStringLiteral("settings"), settingsText,
                                  QKeySequence::Preferences, [this] { openSettings(); });
    settings->setMenuRole(QAction::PreferencesRole);
    addAction(file, QStringLiteral("graphDetails"), tr("Graph &Details…"), QKeySequence(),
              [this] { editGraphDetails(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    addAction(help, QStringLiteral("guide"), tr("User &Guide"), QKeySequence::HelpContents,
              [this] { showGuide(); });
    addAction(help, QStringLiteral("shortcuts"), tr("&Keyboard Shortcuts"),
              QKeySequence(tr("Ctrl+/")), [this] { showShortcuts(); });
    QMenu *examples = help->addMenu(tr("&Examples"));
    examples->setObjectName(QStringLiteral("examplesMenu"));
    const QDir bundled(QStringLiteral(":/signalbox/examples"));
    for (const QFileInfo &example : bundled.entryInfoList({QStringLiteral("*.json")}, QDir::Files,
                                                          QDir::Name)) {
        QString title = example.completeBaseName();
        title.remove(QLatin1String(".sbx"));
        title.replace(QLatin1Char('-'), QLatin1Char(' '));
        title[0] = title.at(0).toUpper();
        const QString path = example.filePath();
        QAction *open = examples->addAction(title, this, [this, path] { openExample(path); });
        open->setObjectName(QStringLiteral("example:") + example.fileName());
    }
    help->addSeparator();
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
    m_properties->setCredentials(m_credentialsSnapshot);
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
    connect(m_executions, &ExecutionsPanel::openOnCanvasRequested, this,
            [this](const QString &id) { m_runs->openOnCanvas(id); });
    QDockWidget *runs = dock(QStringLiteral("monitorDock"), tr("Execution Monitor"), m_executions,
                             Qt::BottomDockWidgetArea);
    m_inbox = new ReviewInbox(this);
    QDockWidget *reviews
        = dock(QStringLiteral("inboxDock"), tr("Review Inbox"), m_inbox, Qt::RightDockWidgetArea);
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
    return m_documents->currentEditor();
}

QList<GraphEditor *> MainWindow::editors() const
{
    return m_documents->editors();
}

GraphEditor *MainWindow::newGraph()
{
    return m_documents->newGraph();
}

GraphEditor *MainWindow::addEditor(Model::Graph graph, const QString &filePath, bool modified,
                                   std::optional<Model::Value> layout, bool trailingNewline)
{
    GraphEditor *editor = m_documents->add(std::move(graph), filePath, modified,
                                           std::move(layout), trailingNewline);
    updateTitle();
    return editor;
}

void MainWindow::wireEditor(GraphEditor *editor)
{
    GraphDocument *document = editor->document();
    editor->view()->setMinimapVisible(action(QStringLiteral("minimap"))->isChecked());
    connect(document->undoStack(), &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(document, &GraphDocument::filePathChanged, this, &MainWindow::updateTitle);
    connect(editor, &GraphEditor::selectionChanged, this, &MainWindow::updateSelection);
    connect(editor->scene(), &GraphScene::runDataChanged, this, [this, editor] {
        if (editor == currentEditor())
            updateSelection();
    });
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
    connect(editor, &GraphEditor::addLinkedBlockRequested, this,
            [this, editor](QPointF at, QPoint global, const QString &nodeId, const QString &pin,
                           bool fromInput) {
                auto *popup = quickAdd(at, global);
                disconnect(popup, &QuickAddPopup::blockChosen, this, nullptr);
                connect(popup, &QuickAddPopup::blockChosen, editor,
                        [editor, nodeId, pin, fromInput](const QString &blockId, QPointF position) {
                            editor->addBlockLinkedTo(blockId,
                                                     editor->freeSpotNear(blockId, position),
                                                     nodeId, pin, fromInput);
                        });
            });
    connect(editor, &GraphEditor::renameRequested, this, [this, editor](const QString &nodeId) {
        editor->scene()->selectNodes({nodeId});
        focusNodeTitle();
    });
    connect(document->undoStack(), &QUndoStack::indexChanged, this, [this, editor] {
        // Problems of an older state mislead: the graph is checked again
        // once the user pauses.
        if (editor == currentEditor() && !editor->scene()->isPopulating())
            m_revalidate->start();
    });
    connect(editor->scene(), &GraphScene::populateProgressed, this, [this](int done, int total) {
        m_progress->setVisible(done < total);
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    });
}

void MainWindow::openFile(const QString &path)
{
    m_documents->open(path);
}

void MainWindow::importFile(const QString &path)
{
    m_documents->import(path);
}

Result<void> MainWindow::saveCurrent()
{
    return m_documents->saveCurrent();
}

Result<void> MainWindow::saveCurrentAs(const QString &path)
{
    return m_documents->saveCurrentAs(path);
}

Result<void> MainWindow::exportCurrent(const QString &path)
{
    return m_documents->exportCurrent(path);
}

void MainWindow::validateCurrent()
{
    validate(true);
}

void MainWindow::validate(bool ask)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    const DocumentCheck check
        = validateDocument(*editor->document(), m_context.registry, m_credentialsSnapshot.get());
    const Engine::NodeErrors &errors = check.errors;
    editor->showProblems(errors);
    m_validation->showProblems(*editor->document(), errors, check.warnings);
    m_properties->setProblems(errors, check.warnings);
    if (!ask)
        return;
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
    const QString node = selected.size() == 1 ? selected.first() : QString();
    const bool changed = node != m_properties->nodeId();
    m_properties->showNode(editor ? editor->document() : nullptr, node);
    m_properties->setRunData(editor && !node.isEmpty() ? editor->scene()->nodeRunData(node)
                                                       : nullptr);
    // A node just selected shows its properties, even when another tab
    // (the inbox) was in front of them; a dock the user closed stays closed.
    if (changed && !node.isEmpty()) {
        auto *dock = findChild<QDockWidget *>(QStringLiteral("propertiesDock"));
        if (dock && dock->toggleViewAction()->isChecked())
            dock->raise();
    }
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
    return m_documents->recentFiles();
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
    return m_documents->close(index);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QList<GraphEditor *> unsaved;
    for (GraphEditor *editor : editors()) {
        if (editor->document()->isModified())
            unsaved.append(editor);
    }
    const int going = m_runs->goingRuns();
    const QString waiting = m_reviews->waitingCount();
    if (!m_quitConfirmed && (!unsaved.isEmpty() || going > 0 || !waiting.isEmpty())) {
        // Asked once, before anything closes; Cancel leaves all as it was.
        event->ignore();
        askBeforeQuitting(unsaved, going, waiting);
        return;
    }
    m_quitConfirmed = false;
    m_documents->closeAll();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::askBeforeQuitting(const QList<GraphEditor *> &unsaved, int going,
                                   const QString &waiting)
{
    QStringList lines;
    if (!unsaved.isEmpty()) {
        QStringList names;
        for (GraphEditor *editor : unsaved)
            names.append(editor->document()->displayName());
        lines.append(tr("%n graph(s) have unsaved changes: %1.", nullptr, int(unsaved.size()))
                         .arg(names.join(QLatin1String(", "))));
    }
    if (going > 0)
        lines.append(tr("%n run(s) are going here; they stop, and can be resumed later.", nullptr,
                        going));
    if (!waiting.isEmpty())
        lines.append(tr("%1 review(s) wait for a decision; they keep waiting.").arg(waiting));
    auto *box = new QMessageBox(QMessageBox::Question, tr("Quit Signalbox"),
                                lines.join(QLatin1Char('\n')), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("quitBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!unsaved.isEmpty()) {
        box->addButton(QMessageBox::SaveAll);
        box->addButton(QMessageBox::Discard)->setText(tr("Discard All"));
    } else {
        box->addButton(QMessageBox::Yes)->setText(tr("Quit"));
    }
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    QList<QPointer<GraphEditor>> toSave(unsaved.cbegin(), unsaved.cend());
    connect(box, &QMessageBox::finished, this, [this, box, toSave] {
        const QMessageBox::StandardButton answer = box->standardButton(box->clickedButton());
        if (answer == QMessageBox::Cancel || answer == QMessageBox::NoButton)
            return;
        if (answer == QMessageBox::SaveAll) {
            for (const QPointer<GraphEditor> &editor : toSave) {
                if (!editor)
                    continue;
                m_tabs->setCurrentWidget(editor);
                // A save refused or cancelled stops the quit; what was
                // saved stays saved, and every document stays open.
                if (!saveCurrent())
                    return;
            }
        }
        m_quitConfirmed = true;
        close();
    });
    box->open();
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
    connect(page, &CredentialsPage::changed, this, &MainWindow::refreshCredentials);
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
        const bool otherDatabase = chosen.databasePath != m_context.settings.databasePath;
        if (chosen.appearance != m_context.settings.appearance)
            applyAppearance(chosen.appearance);
        m_context.settings = chosen;
        action(QStringLiteral("hitlSafeMode"))->setChecked(chosen.hitlSafeMode);
        action(QStringLiteral("sensitiveSafeMode"))->setChecked(chosen.sensitiveSafeMode);
        QSettings settings;
        chosen.save(settings);
        if (otherDatabase) {
            m_credentials.reset();
            m_secretChoice.reset();
            log(tr("Database: %1").arg(chosen.databasePath));
            startService();
        } else if (m_service) {
            m_service->post([options = serviceOptions()](Engine::RunService &service) {
                service.setNetworkPolicy(options.networkPolicy);
                service.setBudget(options.budget);
                service.setModels(options.models);
                service.setReviewer(options.reviewer);
            });
        }
        refreshCredentials();
    });
    dialog->open();
}

QuickAddPopup *MainWindow::quickAdd(QPointF scenePos, QPoint globalPos)
{
    auto *popup = new QuickAddPopup(*m_context.registry, scenePos, this);
    popup->setObjectName(QStringLiteral("quickAdd"));
    connect(popup, &QuickAddPopup::blockChosen, this,
            [this](const QString &blockId, QPointF position) {
                if (GraphEditor *editor = currentEditor())
                    editor->addBlockAt(blockId, editor->freeSpotNear(blockId, position));
            });
    popup->move(globalPos);
    popup->show();
    return popup;
}

void MainWindow::saveVersion()
{
    GraphEditor *editor = currentEditor();
    if (!editor || !m_service)
        return;
    const QString name = editor->document()->graph().name;
    m_service->call(
        this,
        [graph = editor->document()->graph()](Engine::RunService &service) {
            return service.saveGraph(graph);
        },
        [this, name](Result<Engine::SavedGraph> saved) {
            if (!saved) {
                showError(tr("Saving the version failed"), saved.error().text());
                return;
            }
            const QString message = saved->created
                ? tr("Saved version %1 of \"%2\" to the library").arg(saved->version).arg(name)
                : tr("Version %1 in the library is the same: nothing to save")
                      .arg(saved->version);
            Q_EMIT statusMessage(message);
            log(message);
        });
}

void MainWindow::showVersions()
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    auto *dialog = new VersionsDialog(m_service.get(), editor->document()->graph().id,
                                      editor->document()->graph().name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &VersionsDialog::versionOpened, this,
            [this](const Model::Graph &graph) { addEditor(graph, QString(), false); });
    connect(dialog, &VersionsDialog::failed, this, &MainWindow::showError);
    dialog->open();
}

void MainWindow::autosave()
{
    m_documents->writeDrafts();
}

void MainWindow::offerRecovery()
{
    const QStringList drafts = m_documents->leftBehindDrafts();
    if (drafts.isEmpty()) {
        m_runs->offerResume();
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Recover unsaved work"),
        tr("Signalbox did not close properly last time. Recover %n unsaved graph(s)?", nullptr,
           int(drafts.size())),
        QMessageBox::Yes | QMessageBox::Discard, this);
    box->setObjectName(QStringLiteral("recoverBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, drafts, box] {
        m_documents->takeDrafts(drafts, box->clickedButton() == box->button(QMessageBox::Yes));
        m_runs->offerResume();
    });
    box->open();
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

Engine::ServiceOptions MainWindow::serviceOptions()
{
    Engine::ServiceOptions options;
    options.databasePath = m_context.settings.databasePath;
    options.registry = m_context.registry;
    options.credentials = credentials();
    options.networkPolicy = m_context.settings.networkPolicy();
    options.budget = m_context.settings.budget;
    const Engine::Llm::LlmSettings models = Engine::Llm::LlmSettings::load();
    options.models = {std::make_shared<const Engine::Llm::Catalog>(
                          Engine::Llm::Catalog::withSettings(models)),
                      models.stream};
    options.threads = m_context.settings.threads > 0 ? m_context.settings.threads
                                                     : QThread::idealThreadCount();
    options.reviewer = m_context.settings.reviewer();
    return options;
}

void MainWindow::startService()
{
    // The old service ends first: its runs stay resumable in their database.
    m_runs->setService(nullptr);
    m_reviews->setService(nullptr);
    m_service.reset();
    m_service = std::make_unique<Engine::ServiceThread>(serviceOptions());
    connect(m_service.get(), &Engine::ServiceThread::opened, this,
            [this](const Error &error, bool ok) {
                if (!ok) {
                    log(tr("The database %1 is not available: %2")
                            .arg(m_context.settings.databasePath, error.text()));
                    showError(tr("Database unavailable"), error.text());
                }
                Q_EMIT serviceReady(ok ? QString() : error.text());
            });
    m_runs->setService(m_service.get());
    m_reviews->setService(m_service.get());
    refreshCredentials();
}

void MainWindow::refreshCredentials()
{
    if (!m_service)
        return;
    m_service->call(
        this, [](Engine::RunService &service) { return service.credentials(); },
        [this](Result<QList<Engine::Credential>> listed) {
            if (!listed) {
                log(tr("The credentials could not be read: %1").arg(listed.error().text()));
                return;
            }
            m_credentialsSnapshot = std::make_shared<Engine::CredentialsSnapshot>(*listed);
            m_properties->setCredentials(m_credentialsSnapshot);
            Q_EMIT credentialsRefreshed();
        });
}

void MainWindow::runCurrent(bool onWorkers)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return;
    validateCurrent();
    if (!validateDocument(*editor->document(), m_context.registry, m_credentialsSnapshot.get())
             .errors.isEmpty()) {
        Q_EMIT statusMessage(tr("Fix the problems before running"));
        return;
    }
    auto *dialog = new RunDialog(editor->document()->graph(), *m_context.registry,
                                 m_runs->watchedEditor() == editor ? m_runs->watchedInputs()
                                                                   : Model::ValueMap(),
                                 m_context.settings.hitlSafeMode,
                                 m_context.settings.sensitiveSafeMode, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOnWorkers(onWorkers);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (auto started = startRun(dialog->inputs(), dialog->hitlSafeMode(),
                                    dialog->sensitiveSafeMode(), dialog->onWorkers());
            !started) {
            showError(tr("The run did not start"), started.error().text());
        }
    });
    dialog->open();
}

Result<void> MainWindow::startRun(const Model::ValueMap &inputs, bool hitlSafeMode,
                                  bool sensitiveSafeMode, bool onWorkers)
{
    GraphEditor *editor = currentEditor();
    if (!editor)
        return makeError(ErrorCode::BadInput, tr("No graph is open"));
    m_runs->start(editor, inputs, hitlSafeMode, sensitiveSafeMode, onWorkers);
    return {};
}

void MainWindow::stopRun()
{
    m_runs->stopWatched();
}

void MainWindow::stopExecution(const QString &graphExecId)
{
    m_runs->stop(graphExecId);
}

void MainWindow::rerun()
{
    if (GraphEditor *editor = m_runs->watchedEditor()) {
        m_tabs->setCurrentWidget(editor);
        m_runs->rerun();
    }
}

QString MainWindow::watchedRun() const
{
    return m_runs->watchedRun();
}

void MainWindow::openReview(const QString &nodeExecId)
{
    m_reviews->open(nodeExecId);
}

void MainWindow::recordDecisions(const QStringList &nodeExecIds,
                                 const Model::ReviewDecision &decision)
{
    m_reviews->decide(nodeExecIds, decision);
}

void MainWindow::rerunExecution(const QString &graphExecId)
{
    m_runs->runAgain(graphExecId);
}

void MainWindow::openRunDetails(const QString &graphExecId)
{
    m_runs->openDetails(graphExecId);
}

void MainWindow::refreshExecutions()
{
    m_runs->refreshMonitor();
}

void MainWindow::refreshInbox()
{
    m_reviews->refresh();
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    const QList<std::pair<const char *, QStyle::StandardPixmap>> icons {
        {"run", QStyle::SP_MediaPlay},
        {"stop", QStyle::SP_MediaStop},
        {"validate", QStyle::SP_DialogApplyButton},
        {"addBlock", QStyle::SP_FileDialogNewFolder},
    };
    for (const auto &[name, icon] : icons)
        action(QLatin1String(name))->setIcon(style()->standardIcon(icon));
    action(QStringLiteral("run"))->setToolTip(tr("Run the graph in front (F5)"));
    action(QStringLiteral("stop"))->setToolTip(tr("Stop the run on the canvas (Shift+F5)"));
    action(QStringLiteral("validate"))->setToolTip(tr("Check the graph before a run (F7)"));
    action(QStringLiteral("addBlock"))->setToolTip(tr("Add a block at the mouse (Shift+A)"));
    for (const char *name : {"run", "stop", "validate"})
        bar->addAction(action(QLatin1String(name)));
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("addBlock")));
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("hitlSafeMode")));
    bar->addAction(action(QStringLiteral("sensitiveSafeMode")));
    m_viewMenu->addAction(bar->toggleViewAction());
}

void MainWindow::setSafeModes()
{
    m_context.settings.hitlSafeMode = action(QStringLiteral("hitlSafeMode"))->isChecked();
    m_context.settings.sensitiveSafeMode
        = action(QStringLiteral("sensitiveSafeMode"))->isChecked();
    QSettings settings;
    m_context.settings.save(settings);
    Q_EMIT statusMessage(tr("Review steps %1; sensitive actions %2")
                             .arg(m_context.settings.hitlSafeMode ? tr("ask") : tr("do not ask"),
                                  m_context.settings.sensitiveSafeMode ? tr("ask")
                                                                       : tr("do not ask")));
}

void MainWindow::editGraphDetails()
{
    if (GraphEditor *editor = currentEditor())
        graphDetailsDialog(editor->document(), this)->open();
}

void MainWindow::showGuide()
{
    guideDialog(this)->show();
}

void MainWindow::showShortcuts()
{
    shortcutsDialog(allActions(), this)->show();
}

void MainWindow::openExample(const QString &path)
{
    importFile(path);
}

} // namespace Signalbox::Ui
