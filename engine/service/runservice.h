// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/executor/executor.h"
#include "engine/reviewpreview.h"
#include "engine/store/auditlog.h"
#include "engine/store/changefeed.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace Signalbox::Engine {

// What the service runs with; the faces fill it from their settings.
struct ServiceOptions
{
    QString databasePath;
    std::shared_ptr<const BlockRegistry> registry;
    std::shared_ptr<CredentialsStore> credentials;
    NetworkPolicy networkPolicy;
    RunBudget budget;
    Executor::Models models;
    int threads = QThread::idealThreadCount();
    // Who decides reviews (Reviewer::current() when empty).
    QString reviewer;
    QString userId = QString(Model::kDefaultUserId);
    // How often the change feed looks for other connections' commits.
    int feedIntervalMs = 100;
    // How often it looks where commits are notified (PostgreSQL), in case a
    // notification was missed.
    int feedFallbackMs = 1000;
    // How long a stop of another process's run waits for that process.
    int stopGraceMs = 3000;
};

// How a stop ended: the run's status before it, or why it failed.
struct StopOutcome
{
    QString graphExecId;
    Model::ExecutionStatus before = Model::ExecutionStatus::Running;
    std::optional<Error> error;
    // The run had already completed or failed: nothing was stopped.
    bool alreadyEnded() const { return !error && Model::isFinal(before); }
};

// The reviews of one execution decided together.
struct DecidedRun
{
    QString graphExecId;
    // Every named review as it now stands.
    QMap<QString, Model::PendingReview> reviews;
    // The decisions were not recorded (Conflict: a review was decided
    // first elsewhere; `reviews` then say how).
    std::optional<Error> error;
    // Nothing waits any more and this service took the run over.
    bool resumedHere = false;
    // The decisions were recorded, but the run could not be resumed here.
    std::optional<Error> resumeError;
};

// One review with what goes with it: the diff of an edit (or of the
// decided edit) and, for a sensitive action, what its block will receive.
struct ReviewShown
{
    Model::PendingReview review;
    // The graph's name and the reviewed node's block (the registry's) and
    // custom name, where the stored graph has them.
    QString graphName;
    const Model::BlockSchema *block = nullptr;
    QString nodeName;
    ReviewPreview preview;
};

// The page of executions the monitor shows, with the stored graphs' names.
struct RunsPage
{
    Model::GraphExecutionsPage page;
    QHash<QString, QString> graphNames;
    // The page's executions that had a review rejected.
    QSet<QString> rejected;
};

// The review inbox: a page of waiting reviews, whether an older page
// exists, the recent decisions and the graphs' names.
struct InboxPage
{
    QList<Model::PendingReview> waiting;
    bool hasMore = false;
    QList<Model::PendingReview> decided;
    QHash<QString, QString> graphNames;
};

// The runs-and-reviews service: the one place where a use case is
// orchestrated. The command line and the desktop adapt it.
//
// It lives on one thread, the one that calls open(): its store connection,
// the change feed and the executor's coordinator are there. Its calls are
// made on that thread (the desktop's ServiceThread posts them) and return
// Results; what happens later comes as signals, and from events().
class RunService : public QObject
{
    Q_OBJECT

public:
    explicit RunService(ServiceOptions options, QObject *parent = nullptr);
    ~RunService() override;

    Result<void> open();
    const ServiceOptions &options() const { return m_options; }
    EventBus *events() { return &m_events; }
    // The store connection of the service's thread, for reads the faces
    // make through the service's thread.
    Database &database() { return *m_db; }

    void setNetworkPolicy(const NetworkPolicy &policy);
    void setBudget(const RunBudget &budget);
    void setModels(Executor::Models models);
    void setReviewer(const QString &name) { m_options.reviewer = name; }
    QString reviewer() const;

    // Graphs.
    Result<SavedGraph> saveGraph(const Model::Graph &graph);
    Result<Model::Graph> graph(const QString &id, std::optional<int> version = std::nullopt);
    Result<QList<GraphSummary>> versions(const QString &graphId);
    Result<QHash<QString, QString>> graphNames();

    // Runs.
    Result<QString> start(const RunRequest &request);
    // Continues a run left QUEUED, RUNNING (by a crash) or TERMINATED.
    Result<void> resume(const QString &graphExecId);
    // Starts a run of the same graph version with the same inputs, masks and
    // safe modes; returns the new run's request with its id.
    Result<std::pair<QString, RunRequest>> runAgain(const QString &graphExecId);
    // Stops a run and its children, also one another process runs; the
    // outcome comes as stopFinished (at once for a run of this service).
    void stop(const QString &graphExecId);
    Result<void> deleteRun(const QString &graphExecId);
    bool isRunning(const QString &graphExecId) const;
    Result<RunsPage> runs(const GraphExecutionFilter &filter, int page, int pageSize);
    Result<std::optional<Model::GraphExecutionMeta>> run(const QString &graphExecId);
    Result<QList<Model::GraphExecutionMeta>> children(const QString &graphExecId);
    Result<QList<Model::NodeExecutionResult>> nodeExecutions(const QString &graphExecId);
    // Top-level runs left QUEUED or RUNNING, as by a crash: neither this
    // service nor another live process runs them, and they are not queued
    // for workers.
    Result<QStringList> interruptedRuns();

    // Workers. Takes the oldest run queued for workers that no live lease
    // holds (RunRequest::onWorkers), holds its lease for `leaseMs` and runs
    // it here; nothing when none waits. A run taken over from a worker
    // that died goes on from its completed nodes.
    Result<std::optional<QString>> claimQueuedRun(qint64 leaseMs);
    // Renews the leases of the queued runs that run here. A run whose lease
    // another worker took meanwhile is named in the error.
    Result<void> renewLeases(qint64 leaseMs);
    // The queued runs that run here.
    QStringList leasedRuns() const { return QStringList(m_leased.cbegin(), m_leased.cend()); }

    // The user's credentials, metadata only (for the faces' pickers and
    // validation).
    Result<QList<Credential>> credentials();

    // Reviews.
    Result<InboxPage> inbox(int page, int pageSize, int decidedCount = 50);
    Result<QMap<QString, Model::PendingReview>> reviews(const QStringList &nodeExecIds);
    Result<QList<Model::PendingReview>> waitingReviews(const QString &graphExecId = QString());
    // Records the decisions with the reference's rules, one execution at a
    // time (a review decided elsewhere first is a Conflict for its
    // execution), then resumes each execution none of whose reviews waits
    // any more, unless another process took it first. One entry per
    // execution, in the order of their ids. Without `acrossExecutions`, the
    // reviews of several executions are refused together.
    QList<DecidedRun> decide(const QMap<QString, ReviewDecision> &decisions,
                             bool acrossExecutions = true);

    // A review with its preview for `edit` (the reviewer's version, if any).
    Result<ReviewShown> showReview(const QString &nodeExecId,
                                   const std::optional<Model::Value> &edit = std::nullopt);
    // The user's grants, newest first: the active ones, or all.
    Result<QList<Model::ReviewGrant>> grants(bool includeInactive = false);
    // Revokes a grant in the reviewer's name: the node asks again.
    Result<Model::ReviewGrant> revokeGrant(const QString &grantId);

    // The audit log, oldest first (from `since` when it is valid); and the
    // whole log with the first place where its chain breaks.
    Result<QList<AuditEntry>> auditEntries(const QDateTime &since = {});
    Result<AuditReport> verifyAudit();

Q_SIGNALS:
    // A run started, resumed or taken over after its reviews here.
    void runStarted(const QString &graphExecId);
    // A run of this service ended; see Executor::runFinished.
    void runFinished(const QString &graphExecId, Signalbox::Model::ExecutionStatus status);
    void runInterrupted(const QString &graphExecId, const Signalbox::Error &error);
    void stopFinished(const Signalbox::Engine::StopOutcome &outcome);
    // What any process changed in the store since the last signal.
    void changed(const Signalbox::Engine::StoreChanges &changes);

private:
    void pollChanges();
    // A queued run held here ended (final: it leaves the queue) or paused
    // for its reviews (its lease goes back).
    void releaseLease(const QString &graphExecId, Model::ExecutionStatus status);

    ServiceOptions m_options;
    // Children, so that they move with the service to its thread.
    EventBus m_events {this};
    QTimer m_feedTimer {this};
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Executor> m_executor;
    std::unique_ptr<ChangeFeed> m_feed;
    QSet<QString> m_leased;
    // Stops of other processes' runs wait for those processes here; the
    // service ends only after them.
    QThreadPool m_stopPool;
};

} // namespace Signalbox::Engine

Q_DECLARE_METATYPE(Signalbox::Engine::StopOutcome)
