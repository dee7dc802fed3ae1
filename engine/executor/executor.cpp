// SPDX-License-Identifier: GPL-3.0-or-later
#include "executor.h"

#include "engine/blocks/blockpipeline.h"
#include "engine/dynamicpins.h"

#include <QElapsedTimer>
#include <QLoggingCategory>

#include <ctime>

Q_LOGGING_CATEGORY(lcEngine, "signalbox.engine")

namespace Signalbox::Engine {

using Model::ExecutionStatus;
using Model::Value;
using Model::ValueMap;

namespace {

double threadCpuSeconds()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

// What a block sees on a worker thread: yields go to the coordinator's
// mailbox in order; key-value data is read and written on the coordinator.
class WorkerContext final : public BlockContext
{
public:
    WorkerContext(std::function<void(const QString &, const Value &)> post,
                  std::shared_ptr<CancelToken> cancel, Model::ExecutionContext context,
                  std::function<Result<std::optional<Value>>(const QString &)> read,
                  std::function<Result<void>(const QString &, const Value &)> write)
        : m_post(std::move(post))
        , m_cancel(std::move(cancel))
        , m_context(std::move(context))
        , m_read(std::move(read))
        , m_write(std::move(write))
    { }

    void yield(const QString &pin, const Value &value) override
    {
        m_outputSize += Model::toJson(value).size();
        m_post(pin, value);
    }
    bool isCancelled() const override { return m_cancel->isCancelled(); }
    bool sleep(qint64 milliseconds) override { return m_cancel->sleep(milliseconds); }
    const Model::ExecutionContext &executionContext() const override { return m_context; }
    Result<std::optional<Value>> readKeyValue(const QString &key) override { return m_read(key); }
    Result<void> writeKeyValue(const QString &key, const Value &value) override
    {
        return m_write(key, value);
    }

    qint64 outputSize() const { return m_outputSize; }

private:
    std::function<void(const QString &, const Value &)> m_post;
    std::shared_ptr<CancelToken> m_cancel;
    Model::ExecutionContext m_context;
    std::function<Result<std::optional<Value>>(const QString &)> m_read;
    std::function<Result<void>(const QString &, const Value &)> m_write;
    qint64 m_outputSize = 0;
};

} // namespace

Executor::Executor(QString databasePath, std::shared_ptr<const BlockRegistry> registry,
                   EventBus *events, int threads, QObject *parent)
    : QObject(parent)
    , m_databasePath(std::move(databasePath))
    , m_registry(std::move(registry))
    , m_events(events)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
}

Executor::~Executor()
{
    for (Run &run : m_runs)
        run.cancel->cancel();
    m_pool.waitForDone();
}

Result<void> Executor::open()
{
    auto db = Database::open(m_databasePath);
    if (!db)
        return db.error();
    m_db = std::move(*db);
    m_executions = std::make_unique<ExecutionRepository>(*m_db, m_registry.get());
    m_graphs = std::make_unique<GraphRepository>(*m_db);
    return {};
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
    auto snapshot = std::make_shared<const GraphSnapshot>(*graph, m_registry);

    if (const NodeErrors errors = validateGraphForRun(*snapshot, request.nodesInputMasks);
        !errors.isEmpty())
        return graphValidationError(errors, *snapshot);

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
        const ValueMap mask = request.nodesInputMasks.value(node->id).toMap();
        for (auto it = mask.begin(); it != mask.end(); ++it)
            input.insert(it.key(), it.value());
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
    creation.graphId = graph->id;
    creation.graphVersion = graph->version;
    creation.startingNodesInput = starting;
    creation.inputs = request.inputs;
    creation.userId = request.userId;
    creation.nodesInputMasks = request.nodesInputMasks;
    creation.parentGraphExecId = request.parentGraphExecId;
    auto created = m_executions->createGraphExecution(creation);
    if (!created)
        return created.error();
    const QString id = created->meta.id;
    if (auto queued = m_executions->updateGraphExecutionStats(id, ExecutionStatus::Queued); !queued)
        return queued.error();
    auto running = m_executions->updateGraphExecutionStartTime(id);
    if (!running)
        return running.error();

    Run run;
    run.id = id;
    run.snapshot = snapshot;
    run.masks = request.nodesInputMasks;
    run.cancel = std::make_shared<CancelToken>();
    run.context.userId = request.userId;
    run.context.graphId = graph->id;
    run.context.graphVersion = graph->version;
    run.context.graphExecId = id;
    run.context.humanInTheLoopSafeMode = request.humanInTheLoopSafeMode;
    run.context.sensitiveActionSafeMode = request.sensitiveActionSafeMode;
    run.context.parentExecutionId = request.parentGraphExecId;
    run.context.rootExecutionId
        = request.parentGraphExecId.isEmpty() ? id : request.parentGraphExecId;
    run.clock.start();
    for (const Model::NodeExecutionResult &node : created->nodeExecutions) {
        for (const auto &[nodeId, input] : std::as_const(starting)) {
            if (nodeId == node.nodeId) {
                run.waiting.append({node.nodeExecId, nodeId, input});
                break;
            }
        }
    }
    m_runs.insert(id, run);
    if (m_events) {
        Q_EMIT m_events->graphExecutionUpdated({id, graph->id, graph->version,
                                                ExecutionStatus::Running, std::nullopt,
                                                QDateTime::currentDateTimeUtc()});
    }
    dispatch();
    return id;
}

void Executor::stop(const QString &graphExecId)
{
    auto it = m_runs.find(graphExecId);
    if (it == m_runs.end())
        return;
    it->cancel->cancel();
    // Queued work never starts; running blocks finish as TERMINATED.
    it->waiting.clear();
    finishIfDone(graphExecId);
}

void Executor::post(Message message)
{
    bool schedule = false;
    {
        QMutexLocker lock(&m_mailboxMutex);
        m_mailbox.append(std::move(message));
        schedule = !m_drainScheduled;
        m_drainScheduled = true;
    }
    if (schedule)
        QMetaObject::invokeMethod(this, &Executor::drain, Qt::QueuedConnection);
}

void Executor::drain()
{
    QList<Message> messages;
    {
        QMutexLocker lock(&m_mailboxMutex);
        messages.swap(m_mailbox);
        m_drainScheduled = false;
    }
    if (messages.isEmpty())
        return;

    QList<NodeExecutionEvent> events;
    QSet<QString> touched;
    WriteTransaction transaction(*m_db);
    Result<void> ok = transaction.begin();
    for (const Message &message : std::as_const(messages)) {
        auto run = m_runs.find(message.runId);
        if (run == m_runs.end())
            continue;
        touched.insert(run->id);
        if (message.kind == Message::Kind::Done) {
            --run->active;
            --m_active;
        }
        if (!ok)
            continue;
        if (auto handled = handle(*run, message, events); !handled) {
            ok = handled;
            failRun(*run, handled.error());
        }
    }
    if (ok)
        ok = transaction.commit();
    else
        transaction.rollback();
    if (!ok) {
        qCWarning(lcEngine).noquote() << "could not record progress:" << ok.error().message;
        for (const QString &id : std::as_const(touched)) {
            auto run = m_runs.find(id);
            if (run != m_runs.end())
                failRun(*run, ok.error());
        }
        events.clear();
    }
    if (m_events) {
        for (const NodeExecutionEvent &event : std::as_const(events))
            Q_EMIT m_events->nodeExecutionUpdated(event);
    }
    dispatch();
    for (const QString &id : std::as_const(touched))
        finishIfDone(id);
}

Result<void> Executor::handle(Run &run, const Message &message, QList<NodeExecutionEvent> &events)
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
        if (auto saved
            = m_executions->upsertExecutionOutput(message.nodeExecId, message.pin, message.value);
            !saved)
            return saved;
        event.outputPin = message.pin;
        event.outputValue = truncatedForEvent(message.value);
        events.append(event);
        if (run.cancel->isCancelled())
            return {};
        return deliver(run, message.nodeId, message.pin, message.value);
    }

    run.stats.nodeCount += 1;
    run.stats.nodesWalltime += message.stats.walltime;
    run.stats.nodesCputime += message.stats.cputime;
    run.stats.cost += message.stats.cost;
    ExecutionStatus status = ExecutionStatus::Completed;
    if (run.cancel->isCancelled()) {
        status = ExecutionStatus::Terminated;
    } else if (message.error) {
        status = ExecutionStatus::Failed;
        run.anyFailed = true;
        run.stats.nodeErrorCount += 1;
        if (run.firstError.isEmpty())
            run.firstError = *message.error;
        // The message is the node's error output, delivered along error links.
        if (auto saved = m_executions->upsertExecutionOutput(
                message.nodeExecId, QStringLiteral("error"), *message.error);
            !saved)
            return saved;
        if (auto delivered = deliver(run, message.nodeId, QStringLiteral("error"), *message.error);
            !delivered)
            return delivered;
    }
    Model::NodeExecutionStats stats = message.stats;
    if (message.error)
        stats.error = *message.error;
    auto updated = m_executions->updateNodeExecutionStatus(message.nodeExecId, status, std::nullopt,
                                                           stats.toJson());
    if (!updated)
        return updated.error();
    event.status = status;
    event.error = message.error.value_or(QString());
    events.append(event);
    return {};
}

Result<void> Executor::deliver(Run &run, const QString &nodeId, const QString &pin,
                               const Value &value)
{
    const GraphSnapshot &snapshot = *run.snapshot;
    for (qsizetype index : snapshot.outputLinks(nodeId)) {
        const Model::Link &link = snapshot.link(index);
        const std::optional<Value> data = selectOutput(pin, value, link.sourceName);
        if (!data)
            continue;
        const Model::Node *sink = snapshot.node(link.sinkId);
        auto upserted
            = m_executions->upsertExecutionInput(link.sinkId, run.id, link.sinkName, *data);
        if (!upserted)
            return upserted.error();
        ValueMap input = upserted->inputs;

        // Missing static pins come from the latest execution of the sink.
        QStringList staticNames;
        for (qsizetype in : snapshot.inputLinks(link.sinkId)) {
            const QString name = snapshot.link(in).sinkName;
            if (snapshot.isStatic(in) && !input.contains(name) && !staticNames.contains(name))
                staticNames.append(name);
        }
        if (!staticNames.isEmpty()) {
            auto latest = m_executions->latestNodeExecution(link.sinkId, run.id);
            if (!latest)
                return latest.error();
            if (latest->has_value()) {
                for (const QString &name : std::as_const(staticNames)) {
                    if ((*latest)->inputData.contains(name))
                        input.insert(name, (*latest)->inputData.value(name));
                }
            }
        }
        const ValueMap mask = run.masks.value(link.sinkId).toMap();
        for (auto it = mask.begin(); it != mask.end(); ++it)
            input.insert(it.key(), it.value());

        const ExecInput ready = validateExec(snapshot, *sink, input);
        if (!ready.input)
            continue; // still waiting for inputs
        if (auto queued
            = enqueue(run, upserted->nodeExecution.nodeExecId, link.sinkId, *ready.input);
            !queued)
            return queued;

        if (!snapshot.isStatic(index))
            continue;
        // A static value also completes executions that were waiting for it.
        NodeExecutionFilter filter;
        filter.graphExecId = run.id;
        filter.nodeId = link.sinkId;
        filter.statuses = {ExecutionStatus::Incomplete};
        auto waiting = m_executions->nodeExecutions(filter);
        if (!waiting)
            return waiting.error();
        for (const Model::NodeExecutionResult &execution : std::as_const(*waiting)) {
            ValueMap data = execution.inputData;
            for (qsizetype in : snapshot.inputLinks(link.sinkId)) {
                const QString name = snapshot.link(in).sinkName;
                if (snapshot.isStatic(in) && !data.contains(name) && input.contains(name))
                    data.insert(name, input.value(name));
            }
            for (auto it = mask.begin(); it != mask.end(); ++it)
                data.insert(it.key(), it.value());
            const ExecInput complete = validateExec(snapshot, *sink, data);
            if (!complete.input)
                continue;
            if (auto queued = enqueue(run, execution.nodeExecId, link.sinkId, *complete.input);
                !queued)
                return queued;
        }
    }
    return {};
}

Result<void> Executor::enqueue(Run &run, const QString &nodeExecId, const QString &nodeId,
                               const ValueMap &input)
{
    auto queued
        = m_executions->updateNodeExecutionStatus(nodeExecId, ExecutionStatus::Queued, input);
    if (!queued)
        return queued.error();
    run.waiting.append({nodeExecId, nodeId, input});
    return {};
}

void Executor::dispatch()
{
    // Start as many waiting node executions as there are free threads,
    // taking turns between runs; all of them are marked RUNNING in one commit.
    QList<std::pair<QString, QueuedNode>> starting;
    bool progress = true;
    while (m_active + starting.size() < m_pool.maxThreadCount() && progress) {
        progress = false;
        for (Run &run : m_runs) {
            if (run.waiting.isEmpty() || run.cancel->isCancelled())
                continue;
            if (m_active + starting.size() >= m_pool.maxThreadCount())
                break;
            starting.append({run.id, run.waiting.takeFirst()});
            progress = true;
        }
    }
    if (starting.isEmpty())
        return;
    QStringList ids;
    for (const auto &[runId, node] : std::as_const(starting))
        ids.append(node.nodeExecId);
    auto marked = m_executions->updateNodeExecutionStatusBatch(ids, ExecutionStatus::Running);
    if (!marked) {
        for (const auto &[runId, node] : std::as_const(starting)) {
            auto run = m_runs.find(runId);
            if (run != m_runs.end())
                failRun(*run, marked.error());
        }
        return;
    }
    for (const auto &[runId, node] : std::as_const(starting)) {
        Run &run = m_runs[runId];
        ++run.active;
        ++m_active;
        if (m_events) {
            const Model::Node *graphNode = run.snapshot->node(node.nodeId);
            Q_EMIT m_events->nodeExecutionUpdated({run.id,
                                                   node.nodeExecId,
                                                   node.nodeId,
                                                   graphNode->blockId,
                                                   ExecutionStatus::Running,
                                                   {},
                                                   {},
                                                   node.input,
                                                   {},
                                                   QDateTime::currentDateTimeUtc()});
        }
        runNode(runId, node);
    }
}

void Executor::runNode(const QString &runId, const QueuedNode &node)
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

    m_pool.start([this, runId, snapshot, cancel, context, blockId, userId, nodeExecId, nodeId,
                  input] {
        QElapsedTimer clock;
        clock.start();
        const double cpuStart = threadCpuSeconds();
        auto postOutput = [this, runId, nodeExecId, nodeId](const QString &pin,
                                                            const Value &value) {
            post({Message::Kind::Output, runId, nodeExecId, nodeId, pin, value, std::nullopt, {}});
        };
        // Key-value data goes through the coordinator's connection.
        auto read = [this, userId](const QString &key) {
            Result<std::optional<Value>> result = std::optional<Value>();
            QMetaObject::invokeMethod(
                this, [&] { result = m_executions->executionKvData(userId, key); },
                Qt::BlockingQueuedConnection);
            return result;
        };
        auto write = [this, userId, nodeExecId](const QString &key, const Value &value) {
            Result<void> result;
            QMetaObject::invokeMethod(
                this,
                [&] {
                    auto stored = m_executions->setExecutionKvData(userId, nodeExecId, key, value);
                    if (!stored)
                        result = stored.error();
                },
                Qt::BlockingQueuedConnection);
            return result;
        };
        WorkerContext worker(postOutput, cancel, context, read, write);
        const Result<void> result = executeBlock(snapshot->registry(), blockId, input, worker);

        Message done {Message::Kind::Done, runId, nodeExecId, nodeId, {}, {}, std::nullopt, {}};
        done.stats.walltime = double(clock.nsecsElapsed()) / 1e9;
        done.stats.cputime = threadCpuSeconds() - cpuStart;
        done.stats.inputSize = Model::toJson(input).size();
        done.stats.outputSize = worker.outputSize();
        if (!result)
            done.error = result.error().message;
        post(std::move(done));
    });
}

void Executor::failRun(Run &run, const Error &error)
{
    if (run.firstError.isEmpty())
        run.firstError = error.message;
    run.anyFailed = true;
    run.cancel->cancel();
    run.waiting.clear();
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
    Run run = m_runs.take(runId);
    const bool stopped = run.cancel->isCancelled() && !run.anyFailed;
    ExecutionStatus status = stopped ? ExecutionStatus::Terminated
        : run.anyFailed              ? ExecutionStatus::Failed
                                     : ExecutionStatus::Completed;
    if (stopped) {
        // Whatever did not get to run ends with the execution.
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
                !terminated)
                qCWarning(lcEngine).noquote() << terminated.error().message;
        }
    }
    run.stats.walltime = double(run.clock.nsecsElapsed()) / 1e9;
    run.stats.cputime = run.stats.nodesCputime;
    if (!run.firstError.isEmpty())
        run.stats.error = run.firstError;
    auto finished = m_executions->updateGraphExecutionStats(runId, status, run.stats);
    if (!finished) {
        qCWarning(lcEngine).noquote() << finished.error().message;
        status = ExecutionStatus::Failed;
    }
    if (m_events) {
        Q_EMIT m_events->graphExecutionUpdated({runId, run.snapshot->graph().id,
                                                run.snapshot->graph().version, status, run.stats,
                                                QDateTime::currentDateTimeUtc()});
    }
    Q_EMIT runFinished(runId, status);
}

} // namespace Signalbox::Engine
