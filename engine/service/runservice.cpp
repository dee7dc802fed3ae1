// SPDX-License-Identifier: GPL-3.0-or-later
#include "runservice.h"

#include "engine/executor/runner.h"

#include "engine/reviewer.h"
#include "engine/stopexecution.h"
#include "engine/store/runqueue.h"

namespace Signalbox::Engine {

using Model::ExecutionStatus;

RunService::RunService(ServiceOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_feedTimer.setInterval(m_options.feedIntervalMs);
    connect(&m_feedTimer, &QTimer::timeout, this, &RunService::pollChanges);
}

RunService::~RunService()
{
    m_stopPool.waitForDone();
    m_feedTimer.stop();
    // The executor ends its runs (resumable) before the connection goes.
    m_executor.reset();
}

Result<void> RunService::open()
{
    auto db = Database::open(m_options.databasePath);
    if (!db)
        return db.error();
    m_db = std::move(*db);
    auto executor = std::make_unique<Executor>(m_options.databasePath, m_options.registry,
                                               &m_events, qMax(1, m_options.threads));
    if (auto opened = executor->open(); !opened)
        return opened.error();
    executor->setCredentials(m_options.credentials);
    executor->setNetworkPolicy(m_options.networkPolicy);
    executor->setBudget(m_options.budget);
    executor->setModels(m_options.models);
    connect(executor.get(), &Executor::runFinished, this,
            [this](const QString &graphExecId, ExecutionStatus status) {
                releaseLease(graphExecId, status);
                Q_EMIT runFinished(graphExecId, status);
            });
    connect(executor.get(), &Executor::runInterrupted, this,
            [this](const QString &graphExecId, const Error &error) {
                releaseLease(graphExecId, ExecutionStatus::Running);
                Q_EMIT runInterrupted(graphExecId, error);
            });
    m_executor = std::move(executor);
    m_feed = std::make_unique<ChangeFeed>(*m_db);
    if (auto pruned = m_feed->prune(); !pruned)
        return pruned.error();
    if (auto started = m_feed->start(); !started)
        return started.error();
    // Where commits are notified, a change is read as soon as it is
    // committed, and polling only covers a notification that was missed.
    auto listening = m_feed->listen(this, [this] { pollChanges(); });
    if (!listening)
        return listening.error();
    if (*listening)
        m_feedTimer.setInterval(qMax(m_options.feedIntervalMs, m_options.feedFallbackMs));
    m_feedTimer.start();
    return {};
}

void RunService::setNetworkPolicy(const NetworkPolicy &policy)
{
    m_options.networkPolicy = policy;
    if (m_executor)
        m_executor->setNetworkPolicy(policy);
}

void RunService::setBudget(const RunBudget &budget)
{
    m_options.budget = budget;
    if (m_executor)
        m_executor->setBudget(budget);
}

void RunService::setModels(Executor::Models models)
{
    m_options.models = models;
    if (m_executor)
        m_executor->setModels(std::move(models));
}

QString RunService::reviewer() const
{
    return Reviewer::named(m_options.reviewer).name;
}

// --- graphs

Result<SavedGraph> RunService::saveGraph(const Model::Graph &graph)
{
    return GraphRepository(*m_db).saveGraph(graph, m_options.userId);
}

Result<Model::Graph> RunService::graph(const QString &id, std::optional<int> version)
{
    return GraphRepository(*m_db).graph(id, version);
}

Result<QList<GraphSummary>> RunService::versions(const QString &graphId)
{
    return GraphRepository(*m_db).versions(graphId);
}

Result<QHash<QString, QString>> RunService::graphNames()
{
    auto stored = GraphRepository(*m_db).listGraphs();
    if (!stored)
        return stored.error();
    QHash<QString, QString> names;
    for (const GraphSummary &graph : std::as_const(*stored))
        names.insert(graph.id, graph.name);
    return names;
}

// --- runs

Result<QString> RunService::start(const RunRequest &request)
{
    RunRequest owned = request;
    owned.userId = m_options.userId;
    owned.startedBy = reviewer();
    auto started = m_executor->start(owned);
    // A run queued for workers starts where a worker takes it, not here.
    if (started && !request.onWorkers)
        Q_EMIT runStarted(*started);
    return started;
}

Result<void> RunService::resume(const QString &graphExecId)
{
    auto resumed = m_executor->resume(graphExecId, m_options.userId);
    if (resumed)
        Q_EMIT runStarted(graphExecId);
    return resumed;
}

Result<std::pair<QString, RunRequest>> RunService::runAgain(const QString &graphExecId)
{
    auto meta = run(graphExecId);
    if (!meta)
        return meta.error();
    if (!*meta)
        return makeError(ErrorCode::NotFound, QStringLiteral("there is no execution %1").arg(graphExecId));
    RunRequest request;
    request.graphId = (*meta)->graphId;
    request.graphVersion = (*meta)->graphVersion;
    request.inputs = (*meta)->inputs;
    request.nodesInputMasks = (*meta)->nodesInputMasks;
    request.humanInTheLoopSafeMode = (*meta)->humanInTheLoopSafeMode;
    request.sensitiveActionSafeMode = (*meta)->sensitiveActionSafeMode;
    auto started = start(request);
    if (!started)
        return started.error();
    return std::pair {*started, request};
}

namespace {

// A stop goes into the audit log with who asked for it and what the run was.
Result<void> logStop(Database &db, const QString &graphExecId, const QString &who,
                     ExecutionStatus before)
{
    return AuditLog(db).append(
        QStringLiteral("run_stopped"), who, graphExecId, QString(),
        Model::ValueMap {{QStringLiteral("status_before"), Model::statusName(before)}});
}

} // namespace

void RunService::stop(const QString &graphExecId)
{
    if (m_executor->isRunning(graphExecId)) {
        m_executor->stop(graphExecId);
        StopOutcome outcome {graphExecId, ExecutionStatus::Running, std::nullopt};
        if (auto logged = logStop(*m_db, graphExecId, reviewer(), outcome.before); !logged)
            outcome.error = logged.error();
        Q_EMIT stopFinished(outcome);
        return;
    }
    // Another process runs it (or nobody does): stopped through the store,
    // which waits for that process, so on a thread of its own and with a
    // connection of its own while this thread goes on.
    m_stopPool.start([this, graphExecId, path = m_options.databasePath,
                                          user = m_options.userId, who = reviewer(),
                                          grace = m_options.stopGraceMs] {
        StopOutcome outcome {graphExecId, ExecutionStatus::Running, std::nullopt};
        if (auto db = Database::open(path, {.mode = DatabaseOptions::OpenMode::MustExist}); !db) {
            outcome.error = db.error();
        } else if (auto stopped = stopExecution(**db, user, graphExecId, grace); !stopped) {
            outcome.error = stopped.error();
        } else {
            outcome.before = *stopped;
            if (auto logged = logStop(**db, graphExecId, who, outcome.before); !logged)
                outcome.error = logged.error();
        }
        QMetaObject::invokeMethod(this, [this, outcome] { Q_EMIT stopFinished(outcome); });
    });
}

Result<void> RunService::deleteRun(const QString &graphExecId)
{
    if (m_executor->isRunning(graphExecId))
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("execution %1 is running: stop it first").arg(graphExecId));
    return ExecutionRepository(*m_db, m_options.registry.get())
        .deleteGraphExecution(graphExecId, m_options.userId);
}

bool RunService::isRunning(const QString &graphExecId) const
{
    return m_executor && m_executor->isRunning(graphExecId);
}

Result<RunsPage> RunService::runs(const GraphExecutionFilter &filter, int page, int pageSize)
{
    auto found = ExecutionRepository(*m_db, m_options.registry.get())
                     .graphExecutionsPage(m_options.userId, filter, page, pageSize);
    if (!found)
        return found.error();
    auto names = graphNames();
    if (!names)
        return names.error();
    QStringList ids;
    for (const Model::GraphExecutionMeta &meta : std::as_const(found->executions))
        ids.append(meta.id);
    auto rejected = ReviewRepository(*m_db).executionsWithRejectedReviews(ids);
    if (!rejected)
        return rejected.error();
    return RunsPage {*found, *names, *rejected};
}

Result<std::optional<Model::GraphExecutionMeta>> RunService::run(const QString &graphExecId)
{
    return ExecutionRepository(*m_db, m_options.registry.get())
        .graphExecutionMeta(m_options.userId, graphExecId);
}

Result<QList<Model::GraphExecutionMeta>> RunService::children(const QString &graphExecId)
{
    return ExecutionRepository(*m_db, m_options.registry.get()).childGraphExecutions(graphExecId);
}

Result<QList<Model::NodeExecutionResult>> RunService::nodeExecutions(const QString &graphExecId)
{
    NodeExecutionFilter filter;
    filter.graphExecId = graphExecId;
    return ExecutionRepository(*m_db, m_options.registry.get()).nodeExecutions(filter);
}

Result<QStringList> RunService::interruptedRuns()
{
    GraphExecutionFilter filter;
    filter.userId = m_options.userId;
    filter.statuses = {ExecutionStatus::Running, ExecutionStatus::Queued};
    ExecutionRepository executions(*m_db, m_options.registry.get());
    auto found = executions.graphExecutions(filter);
    if (!found)
        return found.error();
    QStringList ids;
    for (const Model::GraphExecutionMeta &meta : std::as_const(*found)) {
        // Children resume with their parent; runs of this service are going.
        if (!meta.parentGraphExecId.isEmpty() || isRunning(meta.id))
            continue;
        // Workers run those queued for them.
        auto queued = RunQueue(*m_db).isQueued(meta.id);
        if (!queued)
            return queued.error();
        if (*queued)
            continue;
        // So are those that another process still runs.
        auto runner = executions.graphExecutionRunner(meta.id);
        if (!runner)
            return runner.error();
        if (!Runner::fromText(*runner).isAnotherLiveProcess())
            ids.append(meta.id);
    }
    return ids;
}

// --- workers

Result<std::optional<QString>> RunService::claimQueuedRun(qint64 leaseMs)
{
    RunQueue queue(*m_db);
    const QString worker = m_executor->runnerName();
    auto claimed = queue.claim(worker, QDateTime::currentMSecsSinceEpoch(), leaseMs);
    if (!claimed || !claimed->has_value())
        return claimed;
    const QString id = **claimed;
    m_leased.insert(id);
    auto meta = ExecutionRepository(*m_db, m_options.registry.get())
                    .graphExecutionMeta(m_options.userId, id);
    Result<bool> resumed = meta ? Result<bool>(false) : Result<bool>(meta.error());
    if (meta && meta->has_value() && (*meta)->status == ExecutionStatus::Review) {
        // Every review is decided: the run goes on from its decisions.
        resumed = m_executor->resumeAfterReview(id, m_options.userId);
    } else if (meta) {
        auto going = m_executor->resume(id, m_options.userId);
        resumed = going ? Result<bool>(true) : Result<bool>(going.error());
    }
    if (!resumed || !*resumed) {
        // Given back at once, for another worker or a later look.
        m_leased.remove(id);
        if (auto released = queue.release(worker, id); !released)
            return released.error();
        if (!resumed)
            return resumed.error();
        return std::optional<QString>();
    }
    Q_EMIT runStarted(id);
    return claimed;
}

Result<void> RunService::renewLeases(qint64 leaseMs)
{
    const QStringList mine = leasedRuns();
    auto held = RunQueue(*m_db).renew(m_executor->runnerName(), mine,
                                      QDateTime::currentMSecsSinceEpoch(), leaseMs);
    if (!held)
        return held.error();
    QStringList lost;
    for (const QString &id : mine) {
        if (!held->contains(id))
            lost.append(id);
    }
    if (!lost.isEmpty())
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("the lease of %1 ran out and another worker took it")
                             .arg(lost.join(QLatin1String(", "))));
    return {};
}

void RunService::releaseLease(const QString &graphExecId, ExecutionStatus status)
{
    if (!m_leased.remove(graphExecId))
        return;
    RunQueue queue(*m_db);
    const auto done = Model::isFinal(status) ? queue.remove(graphExecId)
                                             : queue.release(m_executor->runnerName(), graphExecId);
    // Left in the queue, the lease runs out and another worker looks again.
    if (!done)
        qCWarning(lcStore).noquote() << done.error().message;
}

Result<QList<Credential>> RunService::credentials()
{
    if (!m_options.credentials)
        return QList<Credential>();
    return m_options.credentials->list(m_options.userId);
}

// --- reviews

Result<InboxPage> RunService::inbox(int page, int pageSize, int decidedCount)
{
    ReviewRepository reviews(*m_db);
    InboxPage inbox;
    auto waiting = reviews.pendingReviewsForUser(m_options.userId, page, pageSize);
    if (!waiting)
        return waiting.error();
    // The review after this page, if any: is there an older page?
    auto next = reviews.pendingReviewsForUser(m_options.userId, page * pageSize + 1, 1);
    if (!next)
        return next.error();
    auto decided = reviews.decidedReviewsForUser(m_options.userId, 1, decidedCount);
    if (!decided)
        return decided.error();
    auto names = graphNames();
    if (!names)
        return names.error();
    inbox.waiting = *waiting;
    inbox.hasMore = !next->isEmpty();
    inbox.decided = *decided;
    inbox.graphNames = *names;
    return inbox;
}

Result<QMap<QString, Model::PendingReview>> RunService::reviews(const QStringList &nodeExecIds)
{
    return ReviewRepository(*m_db).reviewsByNodeExecIds(nodeExecIds, m_options.userId);
}

Result<ReviewShown> RunService::showReview(const QString &nodeExecId,
                                          const std::optional<Model::Value> &edit)
{
    auto found = reviews({nodeExecId});
    if (!found)
        return found.error();
    if (!found->contains(nodeExecId))
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Reviews not found or access denied: %1").arg(nodeExecId));
    ReviewShown shown;
    shown.review = found->value(nodeExecId);
    // The node's block, from the graph version the review is of.
    if (auto graph = this->graph(shown.review.graphId, shown.review.graphVersion)) {
        shown.graphName = graph->name;
        if (const Model::Node *node = graph->node(shown.review.nodeId)) {
            shown.block = m_options.registry->schema(node->blockId);
            shown.nodeName = node->metadata.value(QLatin1String("customized_name")).toString();
        }
    }
    shown.preview = previewReview(shown.review, edit, *m_options.registry,
                                  shown.block && shown.block->isSensitiveAction ? shown.block
                                                                                : nullptr);
    return shown;
}

Result<QList<Model::ReviewGrant>> RunService::grants(bool includeInactive)
{
    return ReviewRepository(*m_db).grants(m_options.userId, includeInactive);
}

Result<Model::ReviewGrant> RunService::revokeGrant(const QString &grantId)
{
    return ReviewRepository(*m_db).revokeGrant(grantId, m_options.userId, reviewer());
}

Result<QList<AuditEntry>> RunService::auditEntries(const QDateTime &since)
{
    return AuditLog(*m_db).entries(since);
}

Result<AuditReport> RunService::verifyAudit()
{
    return AuditLog(*m_db).verify();
}

Result<QList<Model::PendingReview>> RunService::waitingReviews(const QString &graphExecId)
{
    ReviewRepository reviews(*m_db);
    if (!graphExecId.isEmpty())
        return reviews.pendingReviewsForExecution(graphExecId, m_options.userId);
    QList<Model::PendingReview> waiting;
    for (int page = 1;; ++page) {
        auto found = reviews.pendingReviewsForUser(m_options.userId, page,
                                                   ReviewRepository::kMaxPageSize);
        if (!found)
            return found.error();
        waiting.append(*found);
        if (found->size() < ReviewRepository::kMaxPageSize)
            return waiting;
    }
}

QList<DecidedRun> RunService::decide(const QMap<QString, ReviewDecision> &decisions,
                                     bool acrossExecutions)
{
    ReviewRepository reviews(*m_db);
    QList<DecidedRun> outcome;
    // processAllReviewsForExecution takes one execution at a time.
    QMap<QString, QMap<QString, ReviewDecision>> byRun;
    auto found = reviews.reviewsByNodeExecIds(decisions.keys(), m_options.userId);
    if (!found) {
        outcome.append({QString(), {}, found.error(), false, std::nullopt});
        return outcome;
    }
    for (auto it = decisions.cbegin(); it != decisions.cend(); ++it) {
        // An unknown review goes alone: the repository names it.
        const QString run = acrossExecutions && found->contains(it.key())
            ? found->value(it.key()).graphExecId
            : QString();
        byRun[run].insert(it.key(), it.value());
    }
    const QString who = reviewer();
    for (auto it = byRun.cbegin(); it != byRun.cend(); ++it) {
        DecidedRun decided;
        decided.graphExecId = it.key();
        auto recorded = reviews.processAllReviewsForExecution(m_options.userId, it.value(), who);
        if (!recorded) {
            decided.error = recorded.error();
            // What stands now, so that a face can show who decided first.
            if (auto current = reviews.reviewsByNodeExecIds(it.value().keys(), m_options.userId))
                decided.reviews = *current;
            outcome.append(decided);
            continue;
        }
        decided.reviews = *recorded;
        decided.graphExecId = recorded->first().graphExecId;
        // A run going here takes its decisions itself. Otherwise the one
        // whose decision leaves nothing waiting takes the run over; of
        // several processes deciding at once, exactly one does.
        if (!m_executor->isRunning(decided.graphExecId)) {
            auto resumed = m_executor->resumeAfterReview(decided.graphExecId, m_options.userId);
            if (!resumed)
                decided.resumeError = resumed.error();
            else
                decided.resumedHere = *resumed;
            if (decided.resumedHere)
                Q_EMIT runStarted(decided.graphExecId);
        }
        outcome.append(decided);
    }
    return outcome;
}

void RunService::pollChanges()
{
    auto changes = m_feed->poll();
    if (changes && !changes->isEmpty())
        Q_EMIT changed(*changes);
}

} // namespace Signalbox::Engine
