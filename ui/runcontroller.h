// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "coalescedread.h"

#include "engine/service/servicethread.h"

#include "model/executionstatus.h"
#include "model/value.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

class QLabel;
class QWidget;

namespace Signalbox::Ui {

class ExecutionsPanel;
class GraphEditor;

// The desktop's runs: starting the graph in front, the run the canvas
// follows, the execution monitor, run details, stop, resume, run again and
// delete, for runs of this window and of other processes alike. Every store
// and engine call goes to the service's thread; the answers come back here.
class RunController : public QObject
{
    Q_OBJECT

public:
    // `frontEditor` says which graph is in front.
    RunController(std::shared_ptr<const Engine::BlockRegistry> registry, ExecutionsPanel *monitor,
                  QLabel *runLabel, std::function<GraphEditor *()> frontEditor, QWidget *window);

    // The service to use (again after the database changed).
    void setService(Engine::ServiceThread *service);

    // Saves the editor's graph as a version and runs it; the canvas follows
    // the run. runStarted (or failed) says how it went.
    void start(GraphEditor *editor, const Model::ValueMap &inputs, bool hitlSafeMode,
               bool sensitiveSafeMode, bool onWorkers = false);
    // The followed run again, with the same inputs and safe modes.
    void rerun();
    // A stored run again: the same graph version, inputs, masks and modes.
    void runAgain(const QString &graphExecId);
    void stop(const QString &graphExecId);
    void stopWatched();
    void resume(const QString &graphExecId);
    void openDetails(const QString &graphExecId);
    // Lays a stored run over its graph on the canvas: the graph's open
    // document when it is that version unedited, else the version opened
    // from the library (through `openGraph`, which MainWindow provides).
    void openOnCanvas(const QString &graphExecId);
    void setGraphOpener(std::function<GraphEditor *(const Model::Graph &graph)> openGraph)
    {
        m_openGraph = std::move(openGraph);
    }
    // Reads the monitor's page again (coalesced while a read is going).
    void refreshMonitor();
    // Offers to resume runs left going when Signalbox last stopped.
    void offerResume();

    QString watchedRun() const { return m_watched.runId; }
    // Runs this window's service has going now.
    int goingRuns() const { return int(m_going.size()); }
    GraphEditor *watchedEditor() const { return m_watched.editor; }
    Model::ValueMap watchedInputs() const { return m_watched.inputs; }

Q_SIGNALS:
    void runStarted(const QString &graphExecId);
    // The monitor shows what the store held when it was last read.
    void monitorRefreshed();
    void runFinished(const QString &graphExecId);
    // A run of this window ended: how, and its graph's name when known.
    void runEnded(const QString &graphExecId, Model::ExecutionStatus status,
                  const QString &graphName);
    void failed(const QString &title, const QString &text);
    void stopFinished(const QString &graphExecId, const QString &error);
    void statusMessage(const QString &text);
    void logged(const QString &text);
    // The followed run asks for a review.
    void watchedReviewRequested(const QString &nodeExecId);

private:
    struct WatchedRun
    {
        QString runId;
        QPointer<GraphEditor> editor;
        Model::ValueMap inputs;
        bool hitlSafeMode = true;
        bool sensitiveSafeMode = false;
        QHash<QString, Model::ExecutionStatus> statuses;
        int completed = 0;
        qsizetype total = 0;
        // Ended: the store has the last word, late events change nothing.
        bool ended = false;
        // Queued for workers: another process runs it, and the window
        // follows it through the change feed.
        bool onWorkers = false;
    };
    void follow(const QString &graphExecId, GraphEditor *editor, const Engine::RunRequest &request);
    void applyEvents(const QList<Engine::NodeExecutionEvent> &events);
    // Reads the run's node executions off the GUI thread and lays them over
    // the editor's graph, unless the canvas moved on meanwhile.
    // While the run goes (`ended` false), the links keep the counts that
    // its events made.
    void showRunData(const QString &graphExecId, GraphEditor *editor, bool ended = true);
    // The watched run goes on in another process (a worker): its status
    // and what it did so far, read again when the store says it changed.
    void followElsewhere(const QString &graphExecId);
    void showProgress();
    void readMonitor();

    std::shared_ptr<const Engine::BlockRegistry> m_registry;
    ExecutionsPanel *m_monitor;
    QLabel *m_runLabel;
    std::function<GraphEditor *()> m_frontEditor;
    std::function<GraphEditor *(const Model::Graph &graph)> m_openGraph;
    QWidget *m_window;
    QPointer<Engine::ServiceThread> m_service;
    QList<QMetaObject::Connection> m_connections;
    WatchedRun m_watched;
    QSet<QString> m_going;
    CoalescedRead m_monitorRead;
};

} // namespace Signalbox::Ui
