// SPDX-License-Identifier: GPL-3.0-or-later
#include "executor.h"

#include "runner.h"

#include "model/graphvalidation.h"

#include "engine/blocks/blockpipeline.h"
#include "engine/blocks/mediafile.h"
#include "engine/cost.h"
#include "engine/credentials/credentialinputs.h"
#include "engine/credentials/oauth.h"
#include "engine/blocks/blockids.h"
#include "engine/dynamicpins.h"
#include "model/uuid.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>

#include <cmath>
#include <ctime>

#ifdef Q_OS_WIN
#include <windows.h>
#endif

Q_LOGGING_CATEGORY(lcEngine, "signalbox.engine")

namespace Signalbox::Engine {

using Model::ExecutionStatus;
using Model::Value;
using Model::ValueMap;

namespace {

// Rows are handed to the writer at once from this many.
constexpr qsizetype kSubmitRows = 2000;
// How often runs look in the store for a stop made by another process.
constexpr int kStopPollMs = 400;
// How long a pool thread, and the coordinator, keep looking for the next
// message before they sleep (see TaskQueue): a trivial block and the
// coordinator's work for it take less than this.
constexpr std::chrono::microseconds kLinger {50};
// The longest the coordinator takes messages before it lets the event loop
// turn, and how many rows it gathers meanwhile before the writer gets them.
constexpr qint64 kDrainBudgetMs = 5;
constexpr qsizetype kListenSubmitRows = 200;
// How long a block's yields may be held before they are handed over one by one.
constexpr qint64 kHoldYieldsNs = 1'000'000;

// Blocks that only pass a value on, which the coordinator runs itself: the
// block's work is less than handing it to a pool thread and its end back,
// and a chain of them then goes at one thread's pace wherever the scheduler
// puts the threads. None of them reads the store, asks for a review, waits
// or reaches the network.
bool runsOnCoordinator(const GraphSnapshot &snapshot, const QString &nodeId)
{
    const Model::Node *node = snapshot.node(nodeId);
    return node
        && (node->blockId == BlockIds::StoreValue || node->blockId == BlockIds::AgentInput);
}

QElapsedTimer startedClock()
{
    QElapsedTimer clock;
    clock.start();
    return clock;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

double threadCpuSeconds()
{
#ifdef Q_OS_WIN
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user))
        return 0;
    const auto ticks = [](const FILETIME &time) {
        return (quint64(time.dwHighDateTime) << 32) | time.dwLowDateTime;
    };
    return double(ticks(kernel) + ticks(user)) / 1e7; // 100 ns ticks
#else
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
#endif
}

// What a block sees on a worker thread: yields go to the coordinator's
// mailbox in order; key-value data is read and written on the coordinator.
//
// Yields made in a block's first moments are held and handed over together
// (with the block's end, when it ends by then), so that a short block costs
// the coordinator one message instead of one per yield and one for its end.
// They are handed over before the block waits for anything.
class WorkerContext final : public BlockContext
{
    static constexpr qint64 kProgressMs = 100;
    static constexpr qsizetype kProgressChars = 64 * 1024;

public:
    using ReviewFunction = std::function<Result<std::optional<Model::ReviewResult>>(
        const Value &, const QString &, bool, NodeApproval)>;
    using CarryFunction = std::function<Result<void>(const QString &, const Value &)>;
    using Yields = QList<std::pair<QString, Value>>;

    WorkerContext(std::function<void(Yields)> post, std::shared_ptr<CancelToken> cancel,
                  Model::ExecutionContext context,
                  std::function<Result<std::optional<Value>>(const QString &)> read,
                  std::function<Result<void>(const QString &, const Value &)> write,
                  ReviewFunction review, CarryFunction carry,
                  std::shared_ptr<CredentialsStore> credentials,
                  NetworkPolicy policy, Executor::Models models,
                  std::shared_ptr<const GraphSnapshot> snapshot, EventBus *events)
        : m_post(std::move(post))
        , m_cancel(std::move(cancel))
        , m_context(std::move(context))
        , m_read(std::move(read))
        , m_write(std::move(write))
        , m_review(std::move(review))
        , m_carry(std::move(carry))
        , m_credentials(std::move(credentials))
        , m_policy(policy)
        , m_models(std::move(models))
        , m_snapshot(std::move(snapshot))
        , m_events(events)
    { }

    void yield(const QString &pin, const Value &value) override
    {
        const Value shown = maskSecrets(value, m_secrets);
        m_outputSize += Model::toJson(shown).size();
        m_held.append({pin, shown});
        if (m_clock.nsecsElapsed() >= kHoldYieldsNs)
            handOver();
    }
    // The yields not handed over yet.
    Yields takeHeld() { return std::exchange(m_held, {}); }
    Result<std::pair<Credential, CredentialSecret>> credentials(const Value &meta) override
    {
        handOver();
        const QString id = meta.toMap().value(QLatin1String("id")).toString();
        if (!m_credentials)
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("Unknown credentials #%1").arg(id));
        auto found = m_credentials->find(m_context.userId, id);
        if (!found)
            return found.error();
        if (!found->has_value())
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("Unknown credentials #%1").arg(id));
        auto secret = freshOAuthSecret(*m_credentials, **found);
        if (!secret)
            return secret.error();
        // Every form a service may echo them in, longest first.
        m_secretValues.append(secret->values());
        m_secrets = secretForms(m_secretValues);
        return std::pair {**found, *secret};
    }
    NetworkPolicy networkPolicy() const override { return m_policy; }
    void progress(const QString &pin, const QString &text) override
    {
        // A few times a second is enough to watch text grow.
        if (!m_events || (m_progressClock.isValid() && m_progressClock.elapsed() < kProgressMs))
            return;
        m_progressClock.start();
        Q_EMIT m_events->nodeProgress(m_context.graphExecId, m_context.nodeExecId,
                                      m_context.nodeId, pin,
                                      maskSecrets(text.right(kProgressChars), m_secrets));
    }
    void mergeStats(const QJsonObject &stats) override
    {
        for (auto it = stats.begin(); it != stats.end(); ++it) {
            const QJsonValue before = m_stats.value(it.key());
            if (it.value().isDouble() && (before.isDouble() || before.isUndefined()))
                m_stats.insert(it.key(), before.toDouble() + it.value().toDouble());
            else
                m_stats.insert(it.key(), it.value());
        }
    }
    const QJsonObject &stats() const { return m_stats; }
    const Llm::Catalog &llmCatalog() const override
    {
        return m_models.catalog ? *m_models.catalog : Llm::Catalog::builtin();
    }
    bool streamAnswers() const override { return m_models.stream; }
    std::shared_ptr<const GraphSnapshot> graphSnapshot() const override { return m_snapshot; }
    // Every secret handed to the block so far.
    const QStringList &secrets() const { return m_secrets; }
    bool isCancelled() const override { return m_cancel->isCancelled(); }
    bool sleep(qint64 milliseconds) override
    {
        handOver();
        return m_cancel->sleep(milliseconds);
    }
    const Model::ExecutionContext &executionContext() const override { return m_context; }
    Result<std::optional<Value>> readKeyValue(const QString &key) override
    {
        handOver();
        return m_read(key);
    }
    Result<void> writeKeyValue(const QString &key, const Value &value) override
    {
        handOver();
        return m_write(key, value);
    }

    Result<std::optional<Model::ReviewResult>>
    reviewDecision(const Value &data, const QString &instructions, bool editable,
                   NodeApproval nodeApproval) override
    {
        handOver();
        auto decision = m_review(data, instructions, editable, nodeApproval);
        if (decision && !decision->has_value())
            m_paused = true;
        return decision;
    }
    Result<void> carryApproval(const QString &nodeId, const Value &input) override
    {
        handOver();
        return m_carry(nodeId, input);
    }

    qint64 outputSize() const { return m_outputSize; }
    bool paused() const { return m_paused; }

private:
    void handOver()
    {
        if (!m_held.isEmpty())
            m_post(std::exchange(m_held, {}));
    }

    std::function<void(Yields)> m_post;
    std::shared_ptr<CancelToken> m_cancel;
    Model::ExecutionContext m_context;
    std::function<Result<std::optional<Value>>(const QString &)> m_read;
    std::function<Result<void>(const QString &, const Value &)> m_write;
    ReviewFunction m_review;
    CarryFunction m_carry;
    std::shared_ptr<CredentialsStore> m_credentials;
    NetworkPolicy m_policy;
    Executor::Models m_models;
    std::shared_ptr<const GraphSnapshot> m_snapshot;
    EventBus *m_events = nullptr;
    QElapsedTimer m_progressClock;
    QJsonObject m_stats;
    QStringList m_secretValues;
    QStringList m_secrets;
    qint64 m_outputSize = 0;
    bool m_paused = false;
    Yields m_held;
    QElapsedTimer m_clock = startedClock();
};

} // namespace

Executor::Executor(QString databasePath, std::shared_ptr<const BlockRegistry> registry,
                   EventBus *events, int threads, QObject *parent)
    : QObject(parent)
    , m_databasePath(std::move(databasePath))
    , m_registry(std::move(registry))
    , m_events(events)
    , m_pool(threads, kLinger)
    , m_runner(Runner::thisProcess().toText())
{
    // Another process may stop a run by setting its status in the store.
    m_stopPoll.setInterval(kStopPollMs);
    connect(&m_stopPoll, &QTimer::timeout, this, &Executor::pollForStops);
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &Executor::applyDeadlines);
}

Executor::~Executor()
{
    m_closing = true;
    for (Run &run : m_runs)
        run.cancel->cancel();
    // A block may be waiting on this thread for key-value data: keep serving
    // those calls until every worker has returned.
    while (!m_pool.waitForDone(20))
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    // What was handed to the writer is committed before it closes.
    m_writer.reset();
}

Result<void> Executor::open()
{
    auto db = Database::open(m_databasePath);
    if (!db)
        return db.error();
    m_db = std::move(*db);
    m_executions = std::make_unique<ExecutionRepository>(*m_db, m_registry.get());
    m_graphs = std::make_unique<GraphRepository>(*m_db);
    m_reviews = std::make_unique<ReviewRepository>(*m_db);
    m_writer = std::make_unique<StoreWriter>(m_databasePath, m_registry, [this] {
        QMetaObject::invokeMethod(this, &Executor::processCommitted, Qt::QueuedConnection);
    });
    return m_writer->open();
}

Result<QString> Executor::start(const RunRequest &request)
{
    if (!m_db)
        return makeError(ErrorCode::Internal,
                         QStringLiteral("the executor's database is not open"));
    auto graph = m_graphs->graph(
        request.graphId,
        request.graphVersion > 0 ? std::optional<int>(request.graphVersion) : std::nullopt, true);
    if (!graph)
        return graph.error().code == ErrorCode::NotFound
            ? makeError(ErrorCode::BadInput, graph.error().message)
            : graph.error();
    auto snapshot = std::make_shared<const GraphSnapshot>(std::move(*graph), m_registry);

    // Graph-level credential choices go to the nodes that take them.
    const ValueMap masks = mergeNodesInputMasks(
        makeNodeCredentialsInputMap(snapshot->graph(), *m_registry, request.credentialInputs),
        request.nodesInputMasks);
    RunCheck check = validateGraphForRun(*snapshot, masks, m_credentials.get(), request.userId);
    if (!check.errors.isEmpty())
        return graphValidationError(check.errors, *snapshot);
    // A graph input with no default needs a value (the graph's input schema
    // lists it as required).
    if (const QStringList missing
        = Model::missingGraphInputs(snapshot->graph(), *m_registry, request.inputs);
        !missing.isEmpty())
        return makeError(ErrorCode::BadInput, Model::missingGraphInputsMessage(missing));

    // AutoGPT's _construct_starting_node_execution_input.
    QList<std::pair<QString, ValueMap>> starting;
    QStringList problems;
    for (const Model::Node *node : snapshot->startingNodes()) {
        const Model::BlockSchema *schema = snapshot->schemaOf(node->id);
        if (schema->type == Model::BlockType::Note)
            continue;
        ValueMap input;
        if (schema->type == Model::BlockType::Input) {
            const QString name = node->inputDefault.value(QLatin1String("name")).toString();
            if (!name.isEmpty() && request.inputs.contains(name))
                input.insert(QStringLiteral("value"), request.inputs.value(name));
        }
        const ValueMap mask = masks.value(node->id).toMap();
        for (auto it = mask.begin(); it != mask.end(); ++it)
            input.insert(it.key(), it.value());
        // A node that is skipped completes without running: its input is moot.
        if (check.nodesToSkip.contains(node->id)) {
            starting.append({node->id, input});
            continue;
        }
        const ExecInput checked = validateExec(*snapshot, *node, input);
        if (!checked.input)
            problems.append(QStringLiteral("node %1: %2").arg(node->id, checked.message));
        else
            starting.append({node->id, *checked.input});
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("The graph's starting nodes cannot run"), problems);
    if (starting.isEmpty()) {
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral(
                "No starting nodes found for the graph, make sure an AgentInput or blocks with "
                "no inbound links are present as starting nodes."));
    }

    NewGraphExecution creation;
    creation.graphId = snapshot->graph().id;
    creation.graphVersion = snapshot->graph().version;
    creation.startingNodesInput = starting;
    creation.inputs = request.inputs;
    creation.userId = request.userId;
    creation.nodesInputMasks = masks;
    creation.credentialInputs = request.credentialInputs;
    creation.parentGraphExecId = request.parentGraphExecId;
    creation.startedBy = request.startedBy;
    creation.humanInTheLoopSafeMode = request.humanInTheLoopSafeMode;
    creation.sensitiveActionSafeMode = request.sensitiveActionSafeMode;
    // Created, queued and started in one transaction: a failure leaves nothing.
    WriteTransaction transaction(*m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto created = m_executions->createGraphExecution(creation);
    if (!created)
        return created.error();
    const QString id = created->meta.id;
    if (auto queued
        = m_executions->setGraphExecutionStatus(id, ExecutionStatus::Queued, std::nullopt);
        !queued)
        return queued.error();
    if (request.onWorkers) {
        // A worker takes it up from the queue; nothing runs here.
        if (auto enqueued = RunQueue(*m_db).enqueue(id, nowMs()); !enqueued)
            return enqueued.error();
        if (auto committed = transaction.commit(); !committed)
            return committed.error();
        if (m_events) {
            Q_EMIT m_events->graphExecutionUpdated(
                {id, snapshot->graph().id, snapshot->graph().version, ExecutionStatus::Queued,
                 std::nullopt, QDateTime::currentDateTimeUtc()});
        }
        return id;
    }
    auto running
        = m_executions->setGraphExecutionStatus(id, ExecutionStatus::Running, std::nullopt, true);
    if (!running)
        return running.error();
    if (auto held = m_executions->setGraphExecutionRunner(id, m_runner); !held)
        return held.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();

    Run run = newRun(id, snapshot, request.userId, masks, request.parentGraphExecId);
    run.nodesToSkip = std::move(check.nodesToSkip);
    run.context.humanInTheLoopSafeMode = request.humanInTheLoopSafeMode;
    run.context.sensitiveActionSafeMode = request.sensitiveActionSafeMode;
    run.executionCostThreshold = request.executionCostThreshold;
    run.executionCostPerThreshold = request.executionCostPerThreshold;
    run.budget = request.budget.value_or(m_budget);
    for (const Model::NodeExecutionResult &node : created->nodeExecutions) {
        for (const auto &[nodeId, input] : std::as_const(starting)) {
            if (nodeId == node.nodeId) {
                run.executions.insert(node.nodeExecId,
                                      {node.nodeExecId, nodeId, ExecutionStatus::Queued, input});
                run.latestInput.insert_or_assign(nodeId, input);
                run.queue({node.nodeExecId, nodeId, input});
                break;
            }
        }
    }
    m_runs.insert(id, run);
    m_stopPoll.start();
    if (m_events) {
        Q_EMIT m_events->graphExecutionUpdated({id, snapshot->graph().id, snapshot->graph().version,
                                                ExecutionStatus::Running, std::nullopt,
                                                QDateTime::currentDateTimeUtc()});
    }
    dispatch();
    // A run whose nodes were all skipped is over; it ends once its caller
    // has it (a parent registers a child after start() returns).
    QMetaObject::invokeMethod(
        this, [this, id] { finishIfDone(id); }, Qt::QueuedConnection);
    return id;
}

Executor::Run Executor::newRun(const QString &id, std::shared_ptr<const GraphSnapshot> snapshot,
                               const QString &userId, const ValueMap &masks,
                               const QString &parentGraphExecId)
{
    Run run;
    run.id = id;
    run.masks = masks;
    run.cancel = std::make_shared<CancelToken>();
    run.context.userId = userId;
    run.context.graphId = snapshot->graph().id;
    run.context.graphVersion = snapshot->graph().version;
    run.context.graphExecId = id;
    run.context.parentExecutionId = parentGraphExecId;
    run.context.rootExecutionId = parentGraphExecId.isEmpty() ? id : parentGraphExecId;
    run.snapshot = std::move(snapshot);
    run.clock.start();
    return run;
}

Result<void> Executor::resume(const QString &graphExecId, const QString &userId)
{
    auto resumed = resumeExecution(graphExecId, userId, false);
    if (!resumed)
        return resumed.error();
    return {};
}

Result<bool> Executor::resumeAfterReview(const QString &graphExecId, const QString &userId)
{
    return resumeExecution(graphExecId, userId, true);
}

Result<bool> Executor::resumeExecution(const QString &graphExecId, const QString &userId,
                                       bool onlyPaused)
{
    if (!m_db)
        return makeError(ErrorCode::Internal,
                         QStringLiteral("the executor's database is not open"));
    if (m_runs.contains(graphExecId)) {
        if (onlyPaused)
            return false;
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("execution %1 is already running").arg(graphExecId));
    }
    // The execution is read and taken over in one write transaction: of
    // several processes resuming it at once, the first takes it, and the
    // others read what the first wrote.
    WriteTransaction transaction(*m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto loaded = m_executions->graphExecution(userId, graphExecId, true);
    if (!loaded)
        return loaded.error();
    if (!loaded->has_value())
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("there is no execution %1").arg(graphExecId));
    const Model::GraphExecution &execution = **loaded;
    const ExecutionStatus status = execution.meta.status;
    if (onlyPaused && status != ExecutionStatus::Review)
        return false;
    if (status != ExecutionStatus::Queued && status != ExecutionStatus::Running
        && status != ExecutionStatus::Terminated && status != ExecutionStatus::Review) {
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("execution %1 is %2; only QUEUED, RUNNING, REVIEW or "
                                        "TERMINATED executions can be resumed")
                             .arg(graphExecId, Model::statusName(status)));
    }
    // A run queued for workers is run by the worker that holds its lease:
    // the lease, not the process that ran it last, says who may.
    RunQueue queue(*m_db);
    auto queued = queue.isQueued(graphExecId);
    if (!queued)
        return queued.error();
    if (*queued) {
        auto holder = queue.holder(graphExecId, nowMs());
        if (!holder)
            return holder.error();
        if (*holder != m_runner) {
            if (onlyPaused)
                return false;
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("execution %1 is queued for workers: a worker runs "
                                            "it")
                                 .arg(graphExecId));
        }
    } else if (status == ExecutionStatus::Queued || status == ExecutionStatus::Running) {
        // Going, or left so by a process that ended without finishing it:
        // only the second is taken up here.
        auto runner = m_executions->graphExecutionRunner(graphExecId);
        if (!runner)
            return runner.error();
        const Runner other = Runner::fromText(*runner);
        if (other.isAnotherLiveProcess()) {
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("execution %1 is being run by %2; stop it first to "
                                            "resume it here")
                                 .arg(graphExecId, other.describe()));
        }
    }
    if (status == ExecutionStatus::Review) {
        // Deadlines that passed while nothing ran it are applied now.
        if (auto expired
            = m_reviews->expireDueReviews(QDateTime::currentDateTimeUtc(), graphExecId);
            !expired)
            return expired.error();
        auto waits = m_reviews->hasPendingReviewsForGraphExec(graphExecId);
        if (!waits)
            return waits.error();
        if (*waits && onlyPaused) {
            if (auto committed = transaction.commit(); !committed)
                return committed.error();
            return false;
        }
        if (*waits) {
            auto waiting = m_reviews->pendingReviewsForExecution(graphExecId, userId);
            if (!waiting)
                return waiting.error();
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("execution %1 still waits for %2 review(s)")
                                 .arg(graphExecId)
                                 .arg(waiting->size()));
        }
    }
    auto graph = m_graphs->graph(execution.meta.graphId, execution.meta.graphVersion, true);
    if (!graph)
        return graph.error();
    auto snapshot = std::make_shared<const GraphSnapshot>(std::move(*graph), m_registry);
    Run run = newRun(graphExecId, snapshot, userId, execution.meta.nodesInputMasks,
                     execution.meta.parentGraphExecId);
    run.nodesToSkip = validateGraphForRun(*snapshot, execution.meta.nodesInputMasks,
                                          m_credentials.get(), userId)
                          .nodesToSkip;
    run.context.humanInTheLoopSafeMode = execution.meta.humanInTheLoopSafeMode;
    run.context.sensitiveActionSafeMode = execution.meta.sensitiveActionSafeMode;
    run.budget = m_budget;

    // Rebuild the dataflow state from the store; node executions come ordered
    // by queue time, never-queued ones last by add time.
    QList<std::pair<QString, QList<ExecutionStatus>>> requeue;
    for (const Model::NodeExecutionResult &node : execution.nodeExecutions) {
        run.executions.insert(node.nodeExecId,
                              {node.nodeExecId, node.nodeId, node.status, node.inputData});
        switch (node.status) {
        case ExecutionStatus::Incomplete:
            run.incomplete[node.nodeId].append(node.nodeExecId);
            continue;
        case ExecutionStatus::Completed:
        case ExecutionStatus::Failed:
            run.stats.nodeCount += 1;
            run.stats.nodesWalltime += node.stats.walltime;
            run.stats.nodesCputime += node.stats.cputime;
            run.stats.cost += node.stats.cost;
            if (node.status == ExecutionStatus::Failed) {
                run.anyFailed = true;
                run.stats.nodeErrorCount += 1;
                if (run.firstError.isEmpty())
                    run.firstError = node.stats.error;
            }
            break;
        case ExecutionStatus::Queued:
            run.queue({node.nodeExecId, node.nodeId, node.inputData});
            break;
        case ExecutionStatus::Running:
            // Caught running by a crash: halted, then queued again.
            requeue.append(
                {node.nodeExecId, {ExecutionStatus::Terminated, ExecutionStatus::Queued}});
            run.queue({node.nodeExecId, node.nodeId, node.inputData});
            break;
        case ExecutionStatus::Terminated: {
            // Halted by a stop: queued again when its input is complete.
            const Model::Node *graphNode = snapshot->node(node.nodeId);
            if (graphNode && validateExec(*snapshot, *graphNode, node.inputData).input) {
                requeue.append({node.nodeExecId, {ExecutionStatus::Queued}});
                run.queue({node.nodeExecId, node.nodeId, node.inputData});
            }
            break;
        }
        case ExecutionStatus::Review:
            // Its review is decided: it runs again and finds the decision.
            requeue.append({node.nodeExecId, {ExecutionStatus::Queued}});
            run.queue({node.nodeExecId, node.nodeId, node.inputData});
            break;
        }
        run.latestInput.insert_or_assign(node.nodeId, node.inputData);
    }

    const qint64 now = nowMs();
    for (const auto &[id, path] : std::as_const(requeue)) {
        const QList<qint64> times(path.size(), now);
        if (auto ok = m_executions->setNodeExecutionStatusPath(
                id, {path, times, run.executions.value(id).inputs, std::nullopt});
            !ok) {
            return ok.error();
        }
        run.executions[id].status = ExecutionStatus::Queued;
    }
    if (status == ExecutionStatus::Terminated || status == ExecutionStatus::Review) {
        if (auto queued = m_executions->setGraphExecutionStatus(
                graphExecId, ExecutionStatus::Queued, std::nullopt);
            !queued) {
            return queued.error();
        }
    }
    if (status != ExecutionStatus::Running) {
        if (auto running = m_executions->setGraphExecutionStatus(
                graphExecId, ExecutionStatus::Running, std::nullopt, true);
            !running)
            return running.error();
    }
    if (auto held = m_executions->setGraphExecutionRunner(graphExecId, m_runner); !held)
        return held.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();

    m_runs.insert(graphExecId, run);
    m_stopPoll.start();
    if (m_events) {
        Q_EMIT m_events->graphExecutionUpdated({graphExecId, snapshot->graph().id,
                                                snapshot->graph().version, ExecutionStatus::Running,
                                                std::nullopt, QDateTime::currentDateTimeUtc()});
    }
    dispatch();
    finishIfDone(graphExecId);
    return true;
}

void Executor::pollForStops()
{
    if (m_runs.isEmpty()) {
        m_stopPoll.stop();
        return;
    }
    const QStringList ids = m_runs.keys();
    for (const QString &id : ids) {
        auto it = m_runs.find(id);
        if (it == m_runs.end() || it->cancel->isCancelled() || checkBudget(*it))
            continue;
        auto meta = m_executions->graphExecutionMeta(it->context.userId, id);
        if (meta && meta->has_value() && (*meta)->status == ExecutionStatus::Terminated) {
            it->stoppedElsewhere = true;
            stop(id);
            continue;
        }
        if (!it->paused.isEmpty())
            takeDecisions(*it);
    }
}

void Executor::takeDecisions(Run &run)
{
    // Reviews decided elsewhere (another window, another process) while
    // other branches of the run go on: their nodes run again now.
    const QStringList paused(run.paused.cbegin(), run.paused.cend());
    auto reviews = m_reviews->reviewsByNodeExecIds(paused, run.context.userId);
    if (!reviews)
        return;
    bool requeued = false;
    for (const QString &id : paused) {
        const auto review = reviews->constFind(id);
        if (review == reviews->constEnd() || review->status == Model::ReviewStatus::Waiting)
            continue;
        if (m_events)
            Q_EMIT m_events->reviewDecided(run.id, id, review->status);
        requeuePaused(run, id);
        requeued = true;
    }
    if (requeued)
        dispatch();
}

void Executor::requeuePaused(Run &run, const QString &nodeExecId)
{
    if (!run.paused.remove(nodeExecId))
        return;
    const NodeExec exec = run.executions.value(nodeExecId);
    setStatus(run, exec.id, ExecutionStatus::Queued, exec.inputs);
    run.queue({exec.id, exec.nodeId, exec.inputs});
}

void Executor::stop(const QString &graphExecId)
{
    auto it = m_runs.find(graphExecId);
    if (it == m_runs.end())
        return;
    stopChildren(graphExecId);
    it->cancel->cancel();
    // Queued work never starts; running blocks finish as TERMINATED.
    it->clearWaiting();
    finishIfDone(graphExecId);
}

void Executor::stopChildren(const QString &graphExecId)
{
    // Stopping a parent stops its sub-graphs, once the caller is done with m_runs.
    for (const Run &child : std::as_const(m_runs)) {
        if (child.parentRunId == graphExecId && !child.cancel->isCancelled())
            QMetaObject::invokeMethod(
                this, [this, id = child.id] { stop(id); }, Qt::QueuedConnection);
    }
}

void Executor::post(Message message)
{
    post(QList<Message> {std::move(message)});
}

void Executor::post(QList<Message> messages)
{
    bool schedule = false;
    {
        QMutexLocker lock(&m_mailboxMutex);
        m_mailbox.append(std::move(messages));
        m_mailCount.store(m_mailbox.size(), std::memory_order_release);
        // A coordinator that is listening takes it without an event.
        schedule = !m_drainScheduled && !m_listening;
        m_drainScheduled = m_drainScheduled || schedule;
    }
    if (schedule)
        QMetaObject::invokeMethod(this, &Executor::drain, Qt::QueuedConnection);
}

bool Executor::listen()
{
    {
        QMutexLocker lock(&m_mailboxMutex);
        if (!m_mailbox.isEmpty())
            return true;
        m_listening = true;
    }
    lingerUntil([this] { return m_mailCount.load(std::memory_order_acquire) > 0; }, kLinger);
    QMutexLocker lock(&m_mailboxMutex);
    m_listening = false;
    return !m_mailbox.isEmpty();
}

void Executor::drain()
{
    // Messages that come while blocks run are taken here for a while,
    // without a turn of the event loop and its wake-up for each.
    QElapsedTimer budget;
    budget.start();
    {
        // Messages posted from now on need another drain; one queued is enough.
        QMutexLocker lock(&m_mailboxMutex);
        m_drainScheduled = false;
    }
    for (;;) {
        if (m_closing)
            return; // results of cancelled blocks during shutdown are not recorded
        QList<Message> messages;
        {
            QMutexLocker lock(&m_mailboxMutex);
            messages.swap(m_mailbox);
            m_mailCount.store(0, std::memory_order_release);
        }
        QSet<QString> touched;
        for (const Message &message : std::as_const(messages)) {
            auto run = m_runs.find(message.runId);
            if (run == m_runs.end())
                continue;
            touched.insert(run->id);
            if (message.kind == Message::Kind::Done) {
                --run->active;
                if (message.pooled)
                    --m_active;
            }
            handle(*run, message);
        }
        dispatch();
        for (const QString &id : std::as_const(touched))
            finishIfDone(id);
        // Ends of blocks the coordinator ran are already in the mailbox.
        if ((m_active == 0 && m_mailCount.load(std::memory_order_acquire) == 0)
            || budget.elapsed() >= kDrainBudgetMs)
            break;
        // The writer gets what was recorded meanwhile.
        if (m_log.size() >= kListenSubmitRows)
            handOverRows();
        if (!listen())
            break;
    }
}

void Executor::scheduleSubmit()
{
    if (m_log.size() >= kSubmitRows) {
        handOverRows();
    } else if (!m_submitScheduled) {
        m_submitScheduled = true;
        QMetaObject::invokeMethod(this, &Executor::submit, Qt::QueuedConnection);
    }
}

void Executor::submit()
{
    m_submitScheduled = false;
    handOverRows();
}

void Executor::handOverRows()
{
    if (m_writer && !m_closing)
        m_writer->submit(std::exchange(m_log, {}), std::exchange(m_logEvents, {}));
}

void Executor::writeAll()
{
    submit();
    if (m_writer)
        m_writer->waitUntilWritten();
    processCommitted();
}

void Executor::processCommitted()
{
    if (!m_writer)
        return;
    const QList<CommittedBatch> batches = m_writer->takeCommitted();
    for (const CommittedBatch &batch : batches) {
        if (batch.error) {
            // The runs these rows belong to cannot be recorded: they end
            // here as the store last had them, to be resumed later. A
            // storage error is not the graph's failure.
            qCWarning(lcEngine).noquote() << batch.error->message;
            for (const QString &id : batch.failedRuns)
                interruptRun(id, *batch.error);
            continue;
        }
        if (m_events) {
            for (const NodeExecutionEvent &event : batch.events)
                Q_EMIT m_events->nodeExecutionUpdated(event);
        }
    }
}

void Executor::setStatus(Run &run, const QString &nodeExecId, ExecutionStatus status,
                         std::optional<ValueMap> executionData, std::optional<QJsonObject> stats)
{
    // Finished node executions are only in the store: the run's memory holds
    // what can still change.
    if (Model::isTerminal(status))
        run.executions.remove(nodeExecId);
    else if (auto exec = run.executions.find(nodeExecId); exec != run.executions.end())
        exec->status = status;
    WriteOp op {WriteOp::Kind::SetStatus};
    op.graphExecId = run.id;
    op.nodeExecId = nodeExecId;
    op.status = status;
    op.timeMs = nowMs();
    op.executionData = std::move(executionData);
    op.stats = std::move(stats);
    m_log.append(std::move(op));
    scheduleSubmit();
}

void Executor::handle(Run &run, const Message &message)
{
    const Model::Node *node = run.snapshot->node(message.nodeId);
    NodeExecutionEvent event {run.id,
                              message.nodeExecId,
                              message.nodeId,
                              node ? node->blockId : QString(),
                              ExecutionStatus::Running,
                              {},
                              {},
                              {},
                              {},
                              QDateTime::currentDateTimeUtc()};
    if (message.kind == Message::Kind::Output) {
        WriteOp op {WriteOp::Kind::InsertOutput};
        op.id = Model::createTimeOrderedUuid();
        op.graphExecId = run.id;
        op.nodeExecId = message.nodeExecId;
        op.name = message.pin;
        op.data = message.value;
        op.timeMs = nowMs();
        m_log.append(std::move(op));
        event.outputPin = message.pin;
        event.outputValue = truncatedForEvent(message.value);
        m_logEvents.append(event);
        scheduleSubmit();
        if (!run.cancel->isCancelled())
            deliver(run, message.nodeId, message.pin, message.value);
        return;
    }

    if (message.storageError) {
        // A storage error is not the graph's failure: the node stays as the
        // store has it, to run again when the run is resumed.
        interruptRun(run.id, *message.storageError);
        return;
    }
    if (message.paused && !message.error && !run.cancel->isCancelled()) {
        // Waiting for a reviewer: it runs again once the review is decided,
        // and is counted then.
        run.paused.insert(message.nodeExecId);
        // Its resolved input, to run it again with.
        if (auto exec = run.executions.find(message.nodeExecId); exec != run.executions.end())
            exec->inputs = message.value.toMap();
        setStatus(run, message.nodeExecId, ExecutionStatus::Review);
        event.status = ExecutionStatus::Review;
        m_logEvents.append(event);
        return;
    }
    Model::NodeExecutionStats stats = message.stats;
    // block_usage_cost on the node's input, data size and run time; then
    // execution_usage_cost on the run's count of node executions.
    if (message.ranBlock) {
        if (const Model::BlockSchema *schema = run.snapshot->schemaOf(message.nodeId)) {
            const BlockCost cost
                = blockUsageCost(*schema, message.value.toMap(),
                                 double(stats.inputSize + stats.outputSize), stats.walltime);
            stats.cost += cost.amount;
        }
    }
    run.stats.nodeCount += 1;
    run.stats.nodesWalltime += stats.walltime;
    run.stats.nodesCputime += stats.cputime;
    run.stats.cost += stats.cost
        + executionUsageCost(run.stats.nodeCount, run.executionCostThreshold,
                             run.executionCostPerThreshold);
    ExecutionStatus status = ExecutionStatus::Completed;
    if (run.cancel->isCancelled()) {
        status = ExecutionStatus::Terminated;
    } else if (message.error) {
        status = ExecutionStatus::Failed;
        run.anyFailed = true;
        run.stats.nodeErrorCount += 1;
        if (run.firstError.isEmpty())
            run.firstError = *message.error;
        stats.error = *message.error;
        // The message is the node's error output, delivered along error links.
        WriteOp op {WriteOp::Kind::InsertOutput};
        op.id = Model::createTimeOrderedUuid();
        op.graphExecId = run.id;
        op.nodeExecId = message.nodeExecId;
        op.name = QStringLiteral("error");
        op.data = *message.error;
        op.timeMs = nowMs();
        m_log.append(std::move(op));
        deliver(run, message.nodeId, QStringLiteral("error"), *message.error);
    }
    setStatus(run, message.nodeExecId, status, std::nullopt, stats.toJson());
    event.status = status;
    event.error = message.error.value_or(QString());
    m_logEvents.append(event);
    // Its cost counts from now on; the node itself ran to its end.
    checkBudget(run);
}

void Executor::deliver(Run &run, const QString &nodeId, const QString &pin, const Value &value)
{
    const GraphSnapshot &snapshot = *run.snapshot;
    for (qsizetype index : snapshot.outputLinks(nodeId)) {
        const Model::Link &link = snapshot.link(index);
        const std::optional<Value> data = selectOutput(pin, value, link.sourceName, link.sinkId, link.sinkName);
        if (!data)
            continue;
        const Model::Node *sink = snapshot.node(link.sinkId);

        // upsert_execution_input: the oldest INCOMPLETE execution of the sink
        // without this input takes it, else a new one is made.
        QList<QString> &open = run.incomplete[link.sinkId];
        QString target;
        for (const QString &candidate : std::as_const(open)) {
            if (!run.executions.value(candidate).inputs.contains(link.sinkName)) {
                target = candidate;
                break;
            }
        }
        const qint64 now = nowMs();
        if (target.isEmpty()) {
            target = Model::createTimeOrderedUuid();
            run.executions.insert(target, {target, link.sinkId, ExecutionStatus::Incomplete, {}});
            open.append(target);
            WriteOp create {WriteOp::Kind::InsertNodeExecution};
            create.id = target;
            create.graphExecId = run.id;
            create.nodeId = link.sinkId;
            create.blockId = sink->blockId;
            create.timeMs = now;
            m_log.append(std::move(create));
        }
        NodeExec &exec = run.executions[target];
        exec.inputs.insert(link.sinkName, *data);
        WriteOp input {WriteOp::Kind::InsertInput};
        input.id = Model::createTimeOrderedUuid();
        input.graphExecId = run.id;
        input.nodeExecId = target;
        input.name = link.sinkName;
        input.data = *data;
        input.timeMs = now;
        m_log.append(std::move(input));
        scheduleSubmit();

        // Missing static pins come from the latest queued execution of the sink.
        ValueMap candidateInput = exec.inputs;
        const auto latestFound = run.latestInput.find(link.sinkId);
        const ValueMap latest
            = latestFound == run.latestInput.end() ? ValueMap() : latestFound->second;
        for (qsizetype in : snapshot.inputLinks(link.sinkId)) {
            const QString name = snapshot.link(in).sinkName;
            if (snapshot.isStatic(in) && !candidateInput.contains(name) && latest.contains(name))
                candidateInput.insert(name, latest.value(name));
        }
        const ValueMap mask = run.masks.value(link.sinkId).toMap();
        for (auto it = mask.begin(); it != mask.end(); ++it)
            candidateInput.insert(it.key(), it.value());
        const ExecInput ready = validateExec(snapshot, *sink, candidateInput);
        if (!ready.input)
            continue; // still waiting for inputs
        enqueue(run, target, *ready.input);

        if (!snapshot.isStatic(index))
            continue;
        // A static value also completes executions that were waiting for it.
        const auto waitingFound = run.incomplete.find(link.sinkId);
        const QList<QString> waiting
            = waitingFound == run.incomplete.end() ? QList<QString>() : waitingFound->second;
        for (const QString &other : waiting) {
            ValueMap data = run.executions.value(other).inputs;
            for (qsizetype in : snapshot.inputLinks(link.sinkId)) {
                const QString name = snapshot.link(in).sinkName;
                if (snapshot.isStatic(in) && !data.contains(name) && candidateInput.contains(name))
                    data.insert(name, candidateInput.value(name));
            }
            for (auto it = mask.begin(); it != mask.end(); ++it)
                data.insert(it.key(), it.value());
            const ExecInput complete = validateExec(snapshot, *sink, data);
            if (complete.input)
                enqueue(run, other, *complete.input);
        }
    }
}

void Executor::enqueue(Run &run, const QString &nodeExecId, const ValueMap &input)
{
    NodeExec &exec = run.executions[nodeExecId];
    if (auto open = run.incomplete.find(exec.nodeId); open != run.incomplete.end()) {
        open->second.removeOne(nodeExecId);
        if (open->second.isEmpty())
            run.incomplete.erase(open);
    }
    if (run.snapshot->hasStaticInput(exec.nodeId))
        run.latestInput.insert_or_assign(exec.nodeId, input);
    setStatus(run, nodeExecId, ExecutionStatus::Queued, input);
    run.queue({nodeExecId, exec.nodeId, input});
}

void Executor::dispatch()
{
    // Start as many waiting node executions as there are free threads,
    // taking turns between runs; those of blocks the coordinator runs itself
    // need no free thread. Sub-graphs start after the walk, since starting a
    // run changes m_runs.
    QList<std::pair<QString, QueuedNode>> agents;
    bool progress = true;
    while (progress) {
        progress = false;
        for (Run &run : m_runs) {
            if (run.waiting.isEmpty() || run.cancel->isCancelled() || checkBudget(run))
                continue;
            qsizetype next = 0;
            if (m_active >= m_pool.maxThreadCount()) {
                if (run.waitingHere == 0)
                    continue;
                next = -1;
                for (qsizetype i = 0; i < run.waiting.size() && next < 0; ++i) {
                    if (run.waiting.at(i).onCoordinator)
                        next = i;
                }
            }
            const QueuedNode node = run.take(next);
            progress = true;
            if (run.nodesToSkip.contains(node.nodeId)) {
                skip(run, node);
                continue;
            }
            const Model::Node *graphNode = run.snapshot->node(node.nodeId);
            const bool pooled = !node.onCoordinator;
            ++run.active;
            if (pooled)
                ++m_active;
            setStatus(run, node.nodeExecId, ExecutionStatus::Running);
            m_logEvents.append({run.id,
                                node.nodeExecId,
                                node.nodeId,
                                graphNode->blockId,
                                ExecutionStatus::Running,
                                {},
                                {},
                                node.input,
                                {},
                                QDateTime::currentDateTimeUtc()});
            const Model::BlockSchema *schema = run.snapshot->schemaOf(node.nodeId);
            if (schema && schema->type == Model::BlockType::Agent) {
                // Takes no pool thread: the coordinator runs the child itself.
                if (pooled)
                    --m_active;
                agents.append({run.id, node});
                continue;
            }
            runNode(run.id, node, pooled);
        }
    }
    for (const auto &[runId, node] : std::as_const(agents))
        startChild(runId, node);
}

Result<std::optional<Model::ReviewResult>>
Executor::reviewDecision(const QString &runId, const QString &nodeExecId, const QString &nodeId,
                         const Value &data, const QString &instructions, bool editable,
                         bool nodeApproval)
{
    const auto found = m_runs.constFind(runId);
    if (found == m_runs.constEnd())
        return blockError(QStringLiteral("execution %1 is not running").arg(runId));
    const Run &run = *found;
    // An approval of this node execution, or of its node for the run.
    auto approval = m_reviews->checkApproval(nodeExecId, runId, nodeId, run.context.userId, data,
                                             nodeApproval);
    if (!approval)
        return approval.error();
    if (approval->has_value()) {
        Model::ReviewResult result = **approval;
        if (!Model::pythonTruthy(result.data))
            result.data = data;
        return std::optional<Model::ReviewResult>(result);
    }
    NewReview review;
    // A Human Review node's settings: a timeout in seconds, and whether a
    // review that runs out is approved (otherwise rejected).
    if (const Model::Node *node = run.snapshot->node(nodeId)) {
        const double timeout = node->metadata.value(QLatin1String("timeout")).toDouble();
        if (timeout > 0)
            review.deadline = QDateTime::currentDateTimeUtc().addMSecs(qint64(timeout * 1000));
        review.allowSkip = node->metadata.value(QLatin1String("allow_skip")).toBool();
        // Quorum and separation of duties.
        review.requiredApprovals = int(
            qBound(qint64(1), node->metadata.value(QLatin1String("required_approvals")).toInteger(),
                   qint64(ReviewRepository::kMaxRequiredApprovals)));
        review.forbidStarter = node->metadata.value(QLatin1String("forbid_run_starter")).toBool();
    }
    review.userId = run.context.userId;
    review.nodeExecId = nodeExecId;
    review.nodeId = nodeId;
    review.graphExecId = runId;
    review.graphId = run.context.graphId;
    review.graphVersion = run.context.graphVersion;
    review.inputData = data;
    review.message = instructions;
    review.editable = editable;
    auto decided = m_reviews->getOrCreateHumanReview(review);
    if (!decided)
        return decided.error();
    if (!decided->has_value()) {
        if (m_events)
            Q_EMIT m_events->reviewRequested(runId, nodeExecId);
        if (review.deadline.isValid())
            scheduleDeadline(review.deadline);
        return decided;
    }
    if (auto processed = m_reviews->updateReviewProcessedStatus(nodeExecId, true); !processed)
        return processed.error();
    // A review rejected by its deadline fails the node.
    if ((*decided)->status == Model::ReviewStatus::Rejected
        && (*decided)->message == ReviewRepository::timedOutMessage())
        return blockError(ReviewRepository::timedOutMessage());
    return decided;
}

Result<void> Executor::carryApproval(const QString &runId, const QString &nodeExecId,
                                     const QString &nodeId, const Value &payload)
{
    const auto found = m_runs.constFind(runId);
    if (found == m_runs.constEnd())
        return blockError(QStringLiteral("execution %1 is not running").arg(runId));
    auto reviews = m_reviews->reviewsByNodeExecIds({nodeExecId}, found->context.userId);
    if (!reviews)
        return reviews.error();
    const auto review = reviews->constFind(nodeExecId);
    if (review == reviews->constEnd() || review->status != Model::ReviewStatus::Approved)
        return blockError(QStringLiteral("No person approved node execution %1").arg(nodeExecId));
    // The grant is made in this review, for the other node and its input.
    Model::PendingReview made = *review;
    made.nodeId = nodeId;
    made.payload = payload;
    GrantRequest request;
    request.samePayload = true;
    auto granted = m_reviews->createGrant(made, request, review->reviewedBy);
    if (!granted)
        return granted.error();
    return {};
}

void Executor::applyDeadlines()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto expired = m_reviews->expireDueReviews(now);
    if (!expired) {
        qCWarning(lcEngine).noquote() << expired.error().message;
    } else {
        QSet<QString> touched;
        for (const ExpiredReview &decided : std::as_const(*expired)) {
            if (m_events)
                Q_EMIT m_events->reviewTimedOut(decided.review.graphExecId,
                                                decided.review.nodeExecId, decided.status);
            auto run = m_runs.find(decided.review.graphExecId);
            if (run == m_runs.end() || !run->paused.contains(decided.review.nodeExecId))
                continue;
            // The paused node runs again and takes the decision.
            requeuePaused(*run, decided.review.nodeExecId);
            touched.insert(run->id);
        }
        if (!touched.isEmpty())
            dispatch();
    }
    // Then wait for the next one.
    m_deadlineTimer.stop();
    if (auto next = m_reviews->nextDeadline(); next && next->has_value())
        scheduleDeadline(**next);
}

void Executor::scheduleDeadline(const QDateTime &deadline)
{
    const qint64 wait = qBound(qint64(0), QDateTime::currentDateTimeUtc().msecsTo(deadline) + 1,
                               qint64(24) * 3600 * 1000);
    if (!m_deadlineTimer.isActive() || m_deadlineTimer.remainingTime() > wait)
        m_deadlineTimer.start(int(wait));
}

void Executor::skip(Run &run, const QueuedNode &node)
{
    // Completed without running: no outputs, so nothing downstream of it runs.
    qCInfo(lcEngine).noquote() << QStringLiteral("Skipping node execution %1 for node %2: optional "
                                                 "credentials not configured")
                                      .arg(node.nodeExecId, node.nodeId);
    const QString blockId = run.snapshot->node(node.nodeId)->blockId;
    for (ExecutionStatus status : {ExecutionStatus::Running, ExecutionStatus::Completed}) {
        setStatus(run, node.nodeExecId, status);
        m_logEvents.append({run.id,
                            node.nodeExecId,
                            node.nodeId,
                            blockId,
                            status,
                            {},
                            {},
                            node.input,
                            {},
                            QDateTime::currentDateTimeUtc()});
    }
}

template<typename R> R Executor::onCoordinator(const std::function<R()> &call)
{
    if (m_closing)
        return R(blockError(QStringLiteral("the executor is shutting down")));
    std::optional<R> result;
    QMetaObject::invokeMethod(
        this, [&] { result.emplace(call()); }, Qt::BlockingQueuedConnection);
    return std::move(*result);
}

void Executor::runNode(const QString &runId, const QueuedNode &node, bool pooled)
{
    const Run &run = m_runs[runId];
    const Model::Node *graphNode = run.snapshot->node(node.nodeId);
    Model::ExecutionContext context = run.context;
    context.nodeId = node.nodeId;
    context.nodeExecId = node.nodeExecId;
    auto snapshot = run.snapshot;
    auto cancel = run.cancel;
    const QString blockId = graphNode->blockId;
    const QString userId = run.context.userId;
    const QString nodeExecId = node.nodeExecId;
    const QString nodeId = node.nodeId;
    const ValueMap input = node.input;
    auto credentials = m_credentials;
    const NetworkPolicy policy = m_networkPolicy;
    const Models models = m_models;
    EventBus *events = m_events;

    auto task = [this, runId, snapshot, cancel, context, blockId, userId, nodeExecId, nodeId,
                 input, credentials, policy, models, events, pooled] {
        QElapsedTimer clock;
        clock.start();
        const double cpuStart = threadCpuSeconds();
        const auto outputs = [runId, nodeExecId, nodeId](WorkerContext::Yields yields) {
            QList<Message> messages;
            messages.reserve(yields.size() + 1);
            for (auto &[pin, value] : yields)
                messages.append({Message::Kind::Output,
                                 runId,
                                 nodeExecId,
                                 nodeId,
                                 pin,
                                 std::move(value),
                                 std::nullopt,
                                 {}});
            return messages;
        };
        auto postOutputs = [this, outputs](WorkerContext::Yields yields) {
            post(outputs(std::move(yields)));
        };
        // Key-value data and reviews go through the coordinator's connection.
        auto read = [this, userId](const QString &key) {
            return onCoordinator<Result<std::optional<Value>>>(
                [&] { return m_executions->executionKvData(userId, key); });
        };
        auto write = [this, userId, nodeExecId](const QString &key, const Value &value) {
            return onCoordinator<Result<void>>([&]() -> Result<void> {
                auto stored = m_executions->setExecutionKvData(userId, nodeExecId, key, value);
                if (!stored)
                    return stored.error();
                return {};
            });
        };
        auto review = [this, runId, nodeExecId, nodeId](const Value &data,
                                                        const QString &instructions, bool editable,
                                                        BlockContext::NodeApproval nodeApproval) {
            return onCoordinator<Result<std::optional<Model::ReviewResult>>>([&] {
                return reviewDecision(runId, nodeExecId, nodeId, data, instructions, editable,
                                      nodeApproval == BlockContext::NodeApproval::Applies);
            });
        };
        auto carry = [this, runId, nodeExecId](const QString &target, const Value &payload) {
            return onCoordinator<Result<void>>(
                [&] { return carryApproval(runId, nodeExecId, target, payload); });
        };
        WorkerContext worker(postOutputs, cancel, context, read, write, review, carry, credentials,
                             policy, models, snapshot, events);
        const Result<void> result = executeBlock(snapshot->registry(), blockId, input, worker);

        Message done {Message::Kind::Done, runId, nodeExecId, nodeId, {}, {}, std::nullopt, {}};
        done.pooled = pooled;
        done.value = input; // the resolved input, for cost filters
        done.stats.walltime = double(clock.nsecsElapsed()) / 1e9;
        done.stats.cputime = threadCpuSeconds() - cpuStart;
        done.stats.inputSize = Model::toJson(input).size();
        done.stats.outputSize = worker.outputSize();
        // What the block counted itself (tokens, calls, its cost).
        QJsonObject counted = worker.stats();
        if (counted.contains(QLatin1String("cost")))
            done.stats.cost += qint64(counted.take(QLatin1String("cost")).toDouble());
        for (auto it = counted.begin(); it != counted.end(); ++it) {
            const double number = it.value().toDouble();
            done.stats.extra.insert(it.key(), it.value().isDouble() && number == std::floor(number)
                                                  ? QJsonValue(qint64(number))
                                                  : it.value());
        }
        if (!result && result.error().code == ErrorCode::Storage) {
            done.storageError = result.error();
            done.storageError->message = maskSecrets(result.error().message, worker.secrets());
        } else if (!result) {
            done.error = maskSecrets(result.error().message, worker.secrets());
            qCDebug(lcEngine).noquote() << QStringLiteral("node %1 of execution %2 failed: %3")
                                               .arg(nodeId, runId, *done.error);
        }
        done.paused = worker.paused();
        // What it yields last goes with its end, in one message.
        QList<Message> messages = outputs(worker.takeHeld());
        messages.append(std::move(done));
        post(std::move(messages));
    };
    if (!pooled)
        task();
    else
        m_pool.start(std::move(task));
}

void Executor::Run::queue(QueuedNode node)
{
    node.onCoordinator = runsOnCoordinator(*snapshot, node.nodeId);
    if (node.onCoordinator)
        ++waitingHere;
    waiting.append(std::move(node));
}

Executor::QueuedNode Executor::Run::take(qsizetype index)
{
    QueuedNode node = waiting.takeAt(index);
    if (node.onCoordinator)
        --waitingHere;
    return node;
}

void Executor::Run::clearWaiting()
{
    waiting.clear();
    waitingHere = 0;
}

bool Executor::checkBudget(Run &run)
{
    if (!run.overBudget.isEmpty())
        return true;
    const RunBudget &budget = run.budget;
    QString reason;
    // Executions that ended and those under way: the next one would pass the limit.
    if (run.stats.nodeCount + run.active >= budget.maxNodeExecutions && !run.waiting.isEmpty())
        reason = QStringLiteral("%1 node executions").arg(budget.maxNodeExecutions);
    else if (run.clock.elapsed() > budget.maxWallSeconds * 1000)
        reason = QStringLiteral("%1 seconds of wall time").arg(budget.maxWallSeconds);
    else if (run.stats.cost > double(budget.maxCost))
        reason = QStringLiteral("a cost of %1").arg(budget.maxCost);
    if (reason.isEmpty())
        return false;
    run.overBudget = QStringLiteral("The run reached its budget of %1 and was stopped; resume it "
                                    "with a larger budget to go on")
                         .arg(reason);
    qCInfo(lcEngine).noquote() << QStringLiteral("execution %1: %2").arg(run.id, run.overBudget);
    stopChildren(run.id);
    run.cancel->cancel();
    run.clearWaiting();
    QMetaObject::invokeMethod(
        this, [this, id = run.id] { finishIfDone(id); }, Qt::QueuedConnection);
    return true;
}

void Executor::interruptRun(const QString &runId, const Error &error)
{
    QStringList pending {runId};
    while (!pending.isEmpty()) {
        auto run = m_runs.find(pending.takeFirst());
        if (run == m_runs.end() || run->interrupted)
            continue;
        run->interrupted = error;
        run->cancel->cancel();
        run->clearWaiting();
        if (!run->parentRunId.isEmpty())
            pending.append(run->parentRunId);
        for (const Run &child : std::as_const(m_runs)) {
            if (child.parentRunId == run->id)
                pending.append(child.id);
        }
    }
    // Runs with nothing on the pool end now; the others when their blocks return.
    QMetaObject::invokeMethod(
        this,
        [this] {
            for (const QString &id : m_runs.keys()) {
                if (m_runs.value(id).interrupted)
                    finishIfDone(id);
            }
        },
        Qt::QueuedConnection);
}

void Executor::announceInterrupted(const QString &runId, const Error &error)
{
    qCWarning(lcEngine).noquote()
        << QStringLiteral("execution %1 was interrupted and can be resumed: %2")
               .arg(runId, error.message);
    Q_EMIT runInterrupted(runId, error);
    // The store keeps it as it was: RUNNING, for resume to take up.
    Q_EMIT runFinished(runId, ExecutionStatus::Running);
}

void Executor::finishIfDone(const QString &runId)
{
    auto it = m_runs.find(runId);
    if (it == m_runs.end() || it->active > 0 || !it->waiting.isEmpty())
        return;
    {
        QMutexLocker lock(&m_mailboxMutex);
        for (const Message &message : std::as_const(m_mailbox)) {
            if (message.runId == runId)
                return; // its last messages are still to be recorded
        }
    }
    // Everything the run did is committed before its end is.
    writeAll();
    if (!m_runs.contains(runId))
        return; // ended while its rows were being written
    if (m_runs.value(runId).interrupted) {
        // Nothing more is written: the store keeps the run as its last
        // committed rows left it, as after a crash, and resume takes it up.
        const Run run = m_runs.take(runId);
        m_writer->forgetRefusedRun(runId);
        announceInterrupted(runId, *run.interrupted);
        return;
    }
    Run run = m_runs.take(runId);
    const bool overBudget = !run.overBudget.isEmpty();
    const bool stopped = run.cancel->isCancelled() && (!run.anyFailed || overBudget);
    // Nothing else can run while reviews wait: the execution pauses, and
    // deciding its last review resumes it.
    const bool paused = !run.paused.isEmpty() && !run.cancel->isCancelled();
    ExecutionStatus status = paused ? ExecutionStatus::Review
        : stopped                   ? ExecutionStatus::Terminated
        : run.anyFailed             ? ExecutionStatus::Failed
                                    : ExecutionStatus::Completed;
    if (run.cancel->isCancelled() && !overBudget) {
        // A stopped execution's waiting reviews are rejected; one that
        // reached its budget keeps them for when it resumes.
        if (auto cancelled = m_reviews->cancelPendingReviewsForExecution(runId, run.context.userId);
            !cancelled)
            qCWarning(lcEngine).noquote() << cancelled.error().message;
    }
    if (stopped) {
        // Whatever did not get to run ends with the execution (as the store
        // has it: another process may have ended some already).
        NodeExecutionFilter filter;
        filter.graphExecId = runId;
        filter.statuses = {ExecutionStatus::Incomplete, ExecutionStatus::Queued,
                           ExecutionStatus::Running, ExecutionStatus::Review};
        filter.includeExecData = false;
        if (auto open = m_executions->nodeExecutions(filter); open && !open->isEmpty()) {
            QStringList ids;
            for (const Model::NodeExecutionResult &node : std::as_const(*open))
                ids.append(node.nodeExecId);
            if (auto terminated
                = m_executions->updateNodeExecutionStatusBatch(ids, ExecutionStatus::Terminated);
                !terminated) {
                qCWarning(lcEngine).noquote() << terminated.error().message;
            }
        }
    }
    run.stats.walltime = double(run.clock.nsecsElapsed()) / 1e9;
    run.stats.cputime = run.stats.nodesCputime;
    if (overBudget)
        run.stats.error = run.overBudget;
    else if (!run.firstError.isEmpty())
        run.stats.error = run.firstError;
    // A run stopped from elsewhere already has its status in the store.
    const Result<void> finished = m_executions->setGraphExecutionStatus(
        runId, run.stoppedElsewhere ? std::nullopt : std::optional<ExecutionStatus>(status),
        run.stats);
    if (!finished) {
        qCWarning(lcEngine).noquote() << finished.error().message;
        if (finished.error().code == ErrorCode::Storage) {
            // Its end is not stored: it stays resumable.
            announceInterrupted(runId, finished.error());
            if (!run.parentRunId.isEmpty())
                interruptRun(run.parentRunId, finished.error());
            return;
        }
        status = ExecutionStatus::Failed;
    }
    if (m_events) {
        Q_EMIT m_events->graphExecutionUpdated({runId, run.snapshot->graph().id,
                                                run.snapshot->graph().version, status, run.stats,
                                                QDateTime::currentDateTimeUtc()});
    }
    // The run's files go with it, unless it may be resumed.
    if (Model::isFinal(status))
        MediaFile::removeExecutionFolder(runId);
    // A paused child keeps its parent's agent node waiting.
    if (!run.parentRunId.isEmpty() && !paused)
        childFinished(run, status);
    Q_EMIT runFinished(runId, status);
}

void Executor::startChild(const QString &parentRunId, const QueuedNode &node)
{
    auto found = m_runs.find(parentRunId);
    if (found == m_runs.end())
        return;
    Run &parent = *found;
    const Model::Node *graphNode = parent.snapshot->node(node.nodeId);
    RunRequest request;
    request.graphId = graphNode->inputDefault.value(QLatin1String("graph_id")).toString();
    request.graphVersion
        = int(graphNode->inputDefault.value(QLatin1String("graph_version")).toInteger());
    request.inputs = node.input;
    request.nodesInputMasks
        = graphNode->inputDefault.value(QLatin1String("nodes_input_masks")).toMap();
    request.userId = parent.context.userId;
    request.parentGraphExecId = parentRunId;
    request.humanInTheLoopSafeMode = parent.context.humanInTheLoopSafeMode;
    request.sensitiveActionSafeMode = parent.context.sensitiveActionSafeMode;
    request.executionCostThreshold = parent.executionCostThreshold;
    request.executionCostPerThreshold = parent.executionCostPerThreshold;
    request.budget = parent.budget;
    // The parent's pending rows go first: the child refers to the parent.
    writeAll();
    found = m_runs.find(parentRunId);
    if (found == m_runs.end() || found->cancel->isCancelled())
        return;
    auto started = start(request);
    if (!started && started.error().code == ErrorCode::Storage) {
        interruptRun(parentRunId, started.error());
        return;
    }
    if (!started) {
        // The agent node fails with the child's error; the parent goes on.
        Message done {Message::Kind::Done,    parentRunId, node.nodeExecId, node.nodeId, {}, {},
                      started.error().text(), {}};
        done.ranBlock = false;
        done.pooled = false;
        post(std::move(done));
        return;
    }
    // A started run is registered until it finishes, which is never before
    // start() returns.
    auto child = m_runs.find(*started);
    if (child == m_runs.end())
        return;
    child->parentRunId = parentRunId;
    child->parentNodeExecId = node.nodeExecId;
    child->context.rootExecutionId = m_runs.value(parentRunId).context.rootExecutionId;
    child->parentNodeId = node.nodeId;
}

void Executor::childFinished(const Run &child, ExecutionStatus status)
{
    if (!m_runs.contains(child.parentRunId))
        return;
    // The node yields every value of the child's output blocks, on a pin
    // named after the output block.
    NodeExecutionFilter filter;
    filter.graphExecId = child.id;
    filter.statuses = {ExecutionStatus::Completed};
    QList<std::pair<QString, Value>> outputs;
    if (auto nodes = m_executions->nodeExecutions(filter)) {
        std::reverse(nodes->begin(), nodes->end()); // oldest first
        for (const Model::NodeExecutionResult &node : std::as_const(*nodes)) {
            const Model::BlockSchema *schema = child.snapshot->schemaOf(node.nodeId);
            if (!schema || schema->type != Model::BlockType::Output)
                continue;
            const QString name = node.inputData.value(QLatin1String("name")).toString();
            if (name.isEmpty())
                continue;
            for (const Value &value : node.outputData.value(QLatin1String("output")).toArray())
                outputs.append({name, value});
        }
    }
    for (const auto &[pin, value] : std::as_const(outputs))
        post({Message::Kind::Output,
              child.parentRunId,
              child.parentNodeExecId,
              child.parentNodeId,
              pin,
              value,
              std::nullopt,
              {}});
    Message done {Message::Kind::Done,
                  child.parentRunId,
                  child.parentNodeExecId,
                  child.parentNodeId,
                  {},
                  {},
                  std::nullopt,
                  {}};
    done.stats.walltime = child.stats.walltime;
    done.stats.cputime = child.stats.nodesCputime;
    done.stats.cost = child.stats.cost;
    done.stats.extra.insert(QStringLiteral("child_graph_exec_id"), child.id);
    done.stats.extra.insert(QStringLiteral("child_status"), Model::statusName(status));
    done.ranBlock = false;
    done.pooled = false;
    post(std::move(done));
}

} // namespace Signalbox::Engine
