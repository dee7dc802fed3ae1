// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/blocks/blockregistry.h"
#include "engine/credentials/credentialsstore.h"
#include "engine/eventbus.h"
#include "engine/net/httpclient.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/reviewrepository.h"
#include "engine/store/runqueue.h"
#include "graphsnapshot.h"
#include "runbudget.h"
#include "storewriter.h"
#include "taskqueue.h"
#include "validation.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace Signalbox::Engine {

struct RunRequest
{
    QString graphId;
    // 0: the latest version.
    int graphVersion = 0;
    Model::ValueMap inputs;
    Model::ValueMap nodesInputMasks;
    // Graph-level credential choices, keyed as aggregateCredentialsInputs
    // keys them; nodesInputMasks win over them field by field.
    Model::ValueMap credentialInputs;
    QString userId = QString(Model::kDefaultUserId);
    // Who starts it (the reviewer's name), for reviews that forbid it.
    QString startedBy;
    QString parentGraphExecId;
    bool humanInTheLoopSafeMode = true;
    bool sensitiveActionSafeMode = false;
    // execution_usage_cost: this much every `executionCostThreshold` node
    // executions (AutoGPT's defaults: 1 every 100).
    qint64 executionCostThreshold = 100;
    qint64 executionCostPerThreshold = 1;
    // The executor's budget (setBudget) when not set.
    std::optional<RunBudget> budget;
    // Queued for workers (`signalbox worker`) instead of run here: start()
    // creates the execution QUEUED and returns; a worker takes it up.
    bool onWorkers = false;
};

// Stops a run's blocks: a flag they check and a wait they can sleep on.
class CancelToken
{
public:
    void cancel()
    {
        {
            std::lock_guard lock(m_mutex);
            m_cancelled = true;
        }
        m_wake.notify_all();
    }
    bool isCancelled() const { return m_cancelled.load(); }
    // Sleeps up to `milliseconds`; false when woken by cancel().
    bool sleep(qint64 milliseconds)
    {
        std::unique_lock lock(m_mutex);
        return !m_wake.wait_for(lock, std::chrono::milliseconds(milliseconds),
                                [this] { return m_cancelled.load(); });
    }

private:
    std::atomic<bool> m_cancelled = false;
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

// Runs graph executions with AutoGPT's dataflow semantics. Lives on one
// thread (its coordinator), which keeps the dataflow state; blocks run on
// the executor's own QThreadPool and report back through a mailbox that the
// coordinator drains, except blocks that only pass a value on (StoreValue,
// AgentInput), which the coordinator runs itself without waiting for a free
// thread. While blocks run, the coordinator keeps taking their
// messages for up to a few milliseconds before the event loop turns again,
// and it and the pool's threads wait a moment for each other's next message
// before they sleep (lingerUntil). The rows a run makes go to a store writer
// thread with its own connection, which commits them in batches; graph-level
// changes are written by the coordinator's connection once the rows before
// them are committed. Every status change is committed before the event
// announcing it.
class Executor : public QObject
{
    Q_OBJECT

public:
    Executor(QString databasePath, std::shared_ptr<const BlockRegistry> registry, EventBus *events,
             int threads = QThread::idealThreadCount(), QObject *parent = nullptr);
    ~Executor() override;

    // Opens the database on the calling thread, which becomes the coordinator.
    Result<void> open();

    // Validates the graph and its inputs (every problem at once), creates
    // the execution and starts it. Returns the graph execution id.
    Result<QString> start(const RunRequest &request);
    // Who this executor is in the store (its process), as it holds runs
    // and their leases.
    QString runnerName() const { return m_runner; }
    // Continues an execution left QUEUED or RUNNING (by a crash) or
    // TERMINATED: completed node executions and their outputs are kept and
    // never run again; node executions caught RUNNING or halted are queued
    // again; waiting inputs are restored.
    Result<void> resume(const QString &graphExecId,
                        const QString &userId = QString(Model::kDefaultUserId));
    // Resumes an execution paused in REVIEW once none of its reviews waits.
    // Of several processes (or callers) trying at once, exactly one takes
    // it: true here; false when it is not paused any more (another took
    // it, or it ended) or a review still waits.
    Result<bool> resumeAfterReview(const QString &graphExecId,
                                   const QString &userId = QString(Model::kDefaultUserId));
    // Stops a run of this executor: blocks are cancelled, waits wake, and the
    // execution ends TERMINATED. Runs stopped from another process (their
    // status set to TERMINATED in the store) are noticed within a second.
    void stop(const QString &graphExecId);
    bool isRunning(const QString &graphExecId) const { return m_runs.contains(graphExecId); }
    int threadCount() const { return m_pool.maxThreadCount(); }

    // Where credentials and their secrets are found; without a store every
    // credentials reference is unknown. Set before runs start.
    void setCredentials(std::shared_ptr<CredentialsStore> credentials)
    {
        m_credentials = std::move(credentials);
    }
    // What blocks' outgoing requests may do.
    void setNetworkPolicy(const NetworkPolicy &policy) { m_networkPolicy = policy; }
    // The language models the LLM blocks call, and how.
    struct Models
    {
        std::shared_ptr<const Llm::Catalog> catalog;
        bool stream = true;
    };
    void setModels(Models models) { m_models = std::move(models); }
    void setModels(const Llm::LlmSettings &settings)
    {
        setModels({std::make_shared<const Llm::Catalog>(Llm::Catalog::withSettings(settings)),
                   settings.stream});
    }
    // The budget of resumed runs and of runs started without one.
    void setBudget(const RunBudget &budget) { m_budget = budget; }

Q_SIGNALS:
    // A run ended here. `status` is what the store has; for an interrupted
    // run, runInterrupted came first and the store keeps it resumable.
    void runFinished(const QString &graphExecId, Signalbox::Model::ExecutionStatus status);
    // A run stopped because its progress could not be stored (a full disk):
    // the execution stays as last stored and can be resumed.
    void runInterrupted(const QString &graphExecId, const Signalbox::Error &error);

private:
    struct Message
    {
        enum class Kind { Output, Done };
        Kind kind = Kind::Output;
        QString runId;
        QString nodeExecId;
        QString nodeId;
        QString pin;
        Model::Value value;
        std::optional<QString> error;
        Model::NodeExecutionStats stats;
        // Whether a block ran (not an agent node's child run), and on a
        // pool thread (not on the coordinator).
        bool ranBlock = true;
        bool pooled = true;
        // The block asked for a human review that waits: the node pauses.
        bool paused = false;
        // The store refused what the block wrote through it (key-value
        // data, a review): the run is interrupted, resumable, and the node
        // has not failed.
        std::optional<Error> storageError;
    };
    struct QueuedNode
    {
        QString nodeExecId;
        QString nodeId;
        Model::ValueMap input;
        // Its block is one the coordinator runs itself (set by Run::queue).
        bool onCoordinator = false;
    };
    // A node execution as the coordinator tracks it while the run lasts.
    struct NodeExec
    {
        QString id;
        QString nodeId;
        Model::ExecutionStatus status = Model::ExecutionStatus::Incomplete;
        Model::ValueMap inputs;
    };
    struct Run
    {
        QString id;
        std::shared_ptr<const GraphSnapshot> snapshot;
        Model::ExecutionContext context;
        Model::ValueMap masks;
        std::shared_ptr<CancelToken> cancel;
        // Node executions ready to run, oldest first, and how many of them
        // are of blocks the coordinator runs itself; queue(), take() and
        // clearWaiting() keep both.
        QList<QueuedNode> waiting;
        qsizetype waitingHere = 0;
        void queue(QueuedNode node);
        QueuedNode take(qsizetype index);
        void clearWaiting();
        // The upsert rule's index: INCOMPLETE executions per node, oldest first.
        Model::StringKeyMap<QList<QString>> incomplete;
        QHash<QString, NodeExec> executions;
        // The input of each node's most recently queued execution, for static pins.
        Model::StringKeyMap<Model::ValueMap> latestInput;
        int active = 0;
        bool anyFailed = false;
        QString firstError;
        QElapsedTimer clock;
        Model::GraphExecutionStats stats;
        // Set when another process stopped it: the store already says so.
        bool stoppedElsewhere = false;
        // Set when its rows could not be stored (a full disk): it ends here
        // as the store last had it, resumable, and nothing more is written.
        std::optional<Error> interrupted;
        RunBudget budget;
        // Why it stopped, when it went over its budget.
        QString overBudget;
        qint64 executionCostThreshold = 100;
        qint64 executionCostPerThreshold = 1;
        // Nodes whose optional credentials are not set.
        QSet<QString> nodesToSkip;
        // Node executions paused for a human review.
        QSet<QString> paused;
        // For a child execution: the agent node execution waiting for it.
        QString parentRunId;
        QString parentNodeExecId;
        QString parentNodeId;
    };
    void post(Message message);
    void post(QList<Message> messages);
    void drain();
    // Waits a moment for a message; true when one is in the mailbox.
    bool listen();
    void handle(Run &run, const Message &message);
    void deliver(Run &run, const QString &nodeId, const QString &pin, const Model::Value &value);
    void enqueue(Run &run, const QString &nodeExecId, const Model::ValueMap &input);
    void setStatus(Run &run, const QString &nodeExecId, Model::ExecutionStatus status,
                   std::optional<Model::ValueMap> executionData = std::nullopt,
                   std::optional<QJsonObject> stats = std::nullopt);
    void dispatch();
    void skip(Run &run, const QueuedNode &node);
    void finishIfDone(const QString &runId);
    // Ends a run whose rows the store refused, with its parent and children
    // (they wait on each other), leaving them as the store has them.
    void interruptRun(const QString &runId, const Error &error);
    // Announces that a run ended here without its end being stored.
    void announceInterrupted(const QString &runId, const Error &error);
    // Stops the runs of a run's sub-graphs (queued, after the caller).
    void stopChildren(const QString &graphExecId);
    // Stops a run that reached a limit of its budget; true when it did.
    bool checkBudget(Run &run);
    // Runs the node's block on a pool thread, or here on the coordinator.
    void runNode(const QString &runId, const QueuedNode &node, bool pooled);
    // From a worker: runs `call` on the coordinator, which owns the
    // connection, and waits for its result; refused while closing.
    template<typename R> R onCoordinator(const std::function<R()> &call);
    // An AGENT node runs its sub-graph as a child execution on this executor.
    void startChild(const QString &parentRunId, const QueuedNode &node);
    void childFinished(const Run &child, Model::ExecutionStatus status);
    // Hands the rows recorded so far to the writer (soon, or at once).
    void scheduleSubmit();
    // The queued hand-over that scheduleSubmit() asked for.
    void submit();
    // The rows and events recorded so far go to the writer now.
    void handOverRows();
    // Submits and waits until the writer has committed everything, then
    // emits the events of what it committed.
    void writeAll();
    // Emits the events of committed batches; fails the runs of refused ones.
    void processCommitted();
    Run newRun(const QString &id, std::shared_ptr<const GraphSnapshot> snapshot,
               const QString &userId, const Model::ValueMap &masks,
               const QString &parentGraphExecId);
    Result<bool> resumeExecution(const QString &graphExecId, const QString &userId,
                                 bool onlyPaused);
    void pollForStops();
    // Decides the reviews whose deadline passed; paused nodes of runs here
    // run again to take the decision. Then waits for the next deadline.
    void applyDeadlines();
    // Makes applyDeadlines run at `deadline` unless it runs sooner.
    void scheduleDeadline(const QDateTime &deadline);
    void takeDecisions(Run &run);
    // A paused node execution whose review is decided runs again.
    void requeuePaused(Run &run, const QString &nodeExecId);
    // handle_review_decision for a node execution of a run, on the
    // coordinator's connection.
    Result<std::optional<Model::ReviewResult>>
    reviewDecision(const QString &runId, const QString &nodeExecId, const QString &nodeId,
                   const Model::Value &data, const QString &instructions, bool editable,
                   bool nodeApproval);
    // A person's approval of node execution `nodeExecId` made a grant of
    // node `nodeId` for the run and `payload` (BlockContext::carryApproval).
    Result<void> carryApproval(const QString &runId, const QString &nodeExecId,
                               const QString &nodeId, const Model::Value &payload);

    QString m_databasePath;
    std::shared_ptr<const BlockRegistry> m_registry;
    EventBus *m_events;
    std::shared_ptr<CredentialsStore> m_credentials;
    NetworkPolicy m_networkPolicy;
    Models m_models;
    RunBudget m_budget;
    TaskQueue m_pool;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<ExecutionRepository> m_executions;
    // This process, as the store records who runs an execution.
    const QString m_runner;
    std::unique_ptr<GraphRepository> m_graphs;
    std::unique_ptr<ReviewRepository> m_reviews;
    QHash<QString, Run> m_runs;
    int m_active = 0;
    QList<WriteOp> m_log;
    QList<NodeExecutionEvent> m_logEvents;
    bool m_submitScheduled = false;
    std::unique_ptr<StoreWriter> m_writer;
    QTimer m_stopPoll;
    // Fires at the earliest deadline of a review a run here waits for.
    QTimer m_deadlineTimer;
    // Set by the destructor; read by workers.
    std::atomic<bool> m_closing = false;

    QMutex m_mailboxMutex;
    QList<Message> m_mailbox; // guarded by m_mailboxMutex
    bool m_drainScheduled = false; // guarded by m_mailboxMutex
    bool m_listening = false; // guarded by m_mailboxMutex
    std::atomic<qsizetype> m_mailCount = 0; // m_mailbox.size(), read without the lock
};

} // namespace Signalbox::Engine
