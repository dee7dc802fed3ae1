// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/credentials/credentialsstore.h"
#include "engine/service/runservice.h"
#include "settingsdialog.h"

#include "model/executionstatus.h"
#include "model/graph.h"
#include "model/result.h"
#include "model/value.h"

#include <QDir>
#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QSystemTrayIcon;
class QTabWidget;
class QTimer;
class QUndoGroup;

namespace Signalbox::Engine {
class BlockRegistry;
class ServiceThread;
struct ReviewDecision;
} // namespace Signalbox::Engine

namespace Signalbox::Ui {

class BlockPalette;
class Documents;
class GraphEditor;
class QuickAddPopup;
class Toast;
class GraphLayouter;
class PropertyPanel;
class ReviewController;
class RunController;
class SecretStoreChoice;
class ReviewInbox;
class ExecutionsPanel;
class ValidationPanel;

// What the main window is made with; app/ builds it.
struct MainWindowContext
{
    std::shared_ptr<const Engine::BlockRegistry> registry;
    const GraphLayouter *layouter = nullptr;
    AppSettings settings;
    // Where unsaved drafts are kept for recovery after a crash.
    QString draftsFolder;
};

// The desktop application's window: dockable palette, properties, problems,
// runs, reviews and log around a tab per open graph; menus, shortcuts, a
// command palette (Ctrl+K), recent files, settings, autosaved drafts.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(MainWindowContext context, QWidget *parent = nullptr);
    ~MainWindow() override;

    GraphEditor *currentEditor() const;
    QList<GraphEditor *> editors() const;
    QTabWidget *tabs() const { return m_tabs; }
    BlockPalette *palette() const { return m_palette; }
    PropertyPanel *propertyPanel() const { return m_properties; }
    // The credentials of the database in use (secrets opened when needed).
    // Its calls are store I/O: the window's own thread uses
    // credentialsSnapshot() instead.
    std::shared_ptr<Engine::CredentialsStore> credentials();
    // The credentials as last read through the service.
    std::shared_ptr<const Engine::CredentialsLookup> credentialsSnapshot() const
    {
        return m_credentialsSnapshot;
    }
    // Reads the credentials again, off this thread (credentialsRefreshed).
    void refreshCredentials();
    std::shared_ptr<SecretStoreChoice> secretStoreChoice() const { return m_secretChoice; }
    ValidationPanel *validationPanel() const { return m_validation; }
    QAction *action(const QString &objectName) const;
    QList<QAction *> allActions() const;
    const AppSettings &settings() const { return m_context.settings; }

    GraphEditor *newGraph();
    // Reads and parses the file off the GUI thread; the editor appears when
    // its canvas is built (documentOpened). Errors are shown and returned by
    // documentOpenFailed.
    void openFile(const QString &path);
    // The same for an AutoGPT export: it opens as a new, unsaved graph.
    void importFile(const QString &path);
    Result<void> saveCurrent();
    Result<void> saveCurrentAs(const QString &path);
    Result<void> exportCurrent(const QString &path);
    // Validates the current graph and shows the problems on the canvas and in
    // the Problems panel, which comes forward (F7). Edits validate again by
    // themselves, 400 ms after the last one, without bringing it forward.
    void validateCurrent();
    // Writes drafts of the modified documents now.
    void autosave();
    // Offers to recover drafts left by a crash, then to resume runs left
    // RUNNING or QUEUED in the store.
    void offerRecovery();
    QStringList recentFiles() const;
    // Opens the HumanReview dialog on a review; a decision is recorded in
    // the store and, when the run has no review left waiting, the run
    // resumes in this process.
    void openReview(const QString &nodeExecId);
    // Validates and saves the current graph to the library, asks for its
    // inputs and starts a run that the canvas follows (on workers: queues
    // it for them, the dialog's choice preset).
    void runCurrent(bool onWorkers = false);
    // Starts the current graph's run with these inputs (no dialog), here or
    // queued for workers; the run is watchedRun() once the service started
    // (or queued) it.
    Result<void> startRun(const Model::ValueMap &inputs, bool hitlSafeMode, bool sensitiveSafeMode,
                          bool onWorkers = false);
    void stopRun();
    // Stops a run, whichever process runs it; stopFinished says how it went.
    void stopExecution(const QString &graphExecId);
    void rerun();
    QString watchedRun() const;
    // The run's stats, timeline and node executions in a window of its own.
    void openRunDetails(const QString &graphExecId);
    // Runs the same graph version again with the run's inputs and safe modes.
    void rerunExecution(const QString &graphExecId);
    // Reads the runs list's page again.
    void refreshExecutions();
    ExecutionsPanel *executionsPanel() const { return m_executions; }
    // Reads the waiting reviews and the history again (inboxRefreshed).
    void refreshInbox();
    ReviewInbox *inbox() const { return m_inbox; }
    // Records one decision for each review, a batch per run, and resumes the
    // runs left with no review waiting; problems are shown.
    void recordDecisions(const QStringList &nodeExecIds, const Model::ReviewDecision &decision);
    // The runs-and-reviews service, on its own thread.
    Engine::ServiceThread *service() const { return m_service.get(); }

Q_SIGNALS:
    // A stop asked with stopExecution was carried out (or failed: `error`).
    void stopFinished(const QString &graphExecId, const QString &error);
    void documentOpened(Signalbox::Ui::GraphEditor *editor);
    void documentOpenFailed(const QString &path, const QString &message);
    void statusMessage(const QString &text);
    void reviewRecorded(const QString &nodeExecId);
    void runFinished(const QString &graphExecId);
    // New waiting reviews arrived (counted since the last refresh).
    void reviewsArrived(int count);
    // The inbox shows what the store held when it was last read.
    void inboxRefreshed();
    // So does the execution monitor.
    void executionsRefreshed();
    void credentialsRefreshed();
    // The service opened the database (or could not: `error`).
    void serviceReady(const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    QAction *addAction(QMenu *menu, const QString &name, const QString &text,
                       const QKeySequence &shortcut, const std::function<void()> &slot);
    GraphEditor *addEditor(Model::Graph graph, const QString &filePath, bool modified,
                           std::optional<Model::Value> layout = std::nullopt,
                           bool trailingNewline = false);
    // The window's connections to an editor Documents made.
    void wireEditor(GraphEditor *editor);
    void currentChanged();
    void updateTitle();
    void updateSelection();
    void showError(const QString &title, const QString &text);
    void focusNodeTitle();
    void log(const QString &text);
    void updateRecentMenu();
    bool closeEditor(int index);
    void openCommandPalette();
    void openSettings();
    // The toolbar's safe-mode switches into the settings, kept for next time.
    void setSafeModes();
    void editGraphDetails();
    void showGuide();
    void showShortcuts();
    // A bundled example opens as a new, unsaved graph.
    void openExample(const QString &path);
    void createToolBar();
    Toast *m_toast = nullptr;
    void showVersions();
    void saveVersion();
    QuickAddPopup *quickAdd(QPointF scenePos, QPoint globalPos);
    // The service for the database in the settings, with the settings'
    // runner options; the controllers move to it.
    void startService();
    void askBeforeQuitting(const QList<GraphEditor *> &unsaved, int going,
                           const QString &waiting);
    // Validates the current graph; `ask` brings the Problems panel forward
    // and says the outcome in the status bar.
    void validate(bool ask);
    Engine::ServiceOptions serviceOptions();

    MainWindowContext m_context;
    Documents *m_documents = nullptr;
    QTabWidget *m_tabs;
    QUndoGroup *m_undoGroup;
    BlockPalette *m_palette = nullptr;
    PropertyPanel *m_properties = nullptr;
    ValidationPanel *m_validation = nullptr;
    QPlainTextEdit *m_log = nullptr;
    ExecutionsPanel *m_executions = nullptr;
    ReviewInbox *m_inbox = nullptr;
    QLabel *m_reviewBadge = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QLabel *m_runLabel = nullptr;
    QTimer *m_revalidate = nullptr;
    // The user chose to quit: the next close asks nothing.
    bool m_quitConfirmed = false;
    QProgressBar *m_progress = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QHash<QString, QAction *> m_actions;
    std::shared_ptr<SecretStoreChoice> m_secretChoice;
    std::shared_ptr<Engine::CredentialsStore> m_credentials;
    std::shared_ptr<const Engine::CredentialsLookup> m_credentialsSnapshot
        = std::make_shared<Engine::CredentialsSnapshot>();
    std::unique_ptr<Engine::ServiceThread> m_service;
    RunController *m_runs = nullptr;
    ReviewController *m_reviews = nullptr;
};

} // namespace Signalbox::Ui
