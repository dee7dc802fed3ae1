// SPDX-License-Identifier: GPL-3.0-or-later
#include "storewriter.h"

#include "taskqueue.h"

#include "engine/store/changefeed.h"

#include "engine/blocks/blockregistry.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"

#include <QHash>

namespace Signalbox::Engine {

using Model::ExecutionStatus;

namespace {

// The executor waits while this many rows are waiting to be written.
constexpr qsizetype kMaxPendingRows = 4000;

} // namespace

StoreWriter::StoreWriter(QString databasePath, std::shared_ptr<const BlockRegistry> registry,
                         std::function<void()> committed)
    : m_databasePath(std::move(databasePath))
    , m_registry(std::move(registry))
    , m_committed(std::move(committed))
{ }

StoreWriter::~StoreWriter()
{
    if (!m_thread)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_wake.notify_all();
    m_thread->wait();
}

Result<void> StoreWriter::open()
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("signalbox store writer"));
    m_thread->start();
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [this] { return m_opened || m_openError; });
    if (m_openError)
        return *m_openError;
    return {};
}

void StoreWriter::submit(QList<WriteOp> ops, QList<NodeExecutionEvent> events)
{
    if (ops.isEmpty() && events.isEmpty())
        return;
    {
        std::unique_lock lock(m_mutex);
        m_progress.wait(
            lock, [this] { return m_pending.size() < kMaxPendingRows || m_closing || !m_opened; });
        m_pending.append(std::move(ops));
        m_pendingEvents.append(std::move(events));
        ++m_submitted;
    }
    m_wake.notify_one();
}

void StoreWriter::waitUntilWritten()
{
    std::unique_lock lock(m_mutex);
    const quint64 target = m_submitted;
    m_progress.wait(lock, [this, target] { return m_written >= target || !m_opened; });
}

QList<CommittedBatch> StoreWriter::takeCommitted()
{
    std::lock_guard lock(m_mutex);
    QList<CommittedBatch> done;
    done.swap(m_done);
    return done;
}

void StoreWriter::forgetRefusedRun(const QString &graphExecId)
{
    std::lock_guard lock(m_mutex);
    m_refusedRuns.remove(graphExecId);
}

void StoreWriter::run()
{
    auto db = Database::open(m_databasePath);
    if (!db) {
        {
            std::lock_guard lock(m_mutex);
            m_openError = db.error();
        }
        m_progress.notify_all();
        return;
    }
    ExecutionRepository executions(**db, m_registry.get());
    {
        std::lock_guard lock(m_mutex);
        m_opened = true;
    }
    m_progress.notify_all();

    m_db = db->get();
    m_repository = &executions;
    for (;;) {
        QList<WriteOp> log;
        QList<NodeExecutionEvent> events;
        quint64 taken = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return !m_pending.isEmpty() || m_closing; });
            if (m_pending.isEmpty() && m_pendingEvents.isEmpty())
                break; // closing, and everything is written
            log.swap(m_pending);
            events.swap(m_pendingEvents);
            taken = m_submitted;
            if (!m_refusedRuns.isEmpty()) {
                log.removeIf([this](const WriteOp &op) {
                    return m_refusedRuns.contains(op.graphExecId);
                });
                events.removeIf([this](const NodeExecutionEvent &event) {
                    return m_refusedRuns.contains(event.graphExecId);
                });
            }
        }
        m_progress.notify_all(); // room for more
        CommittedBatch batch;
        {
            const OwnWork busy;
            batch = write(log, std::move(events));
        }
        {
            std::lock_guard lock(m_mutex);
            m_refusedRuns.unite(batch.failedRuns);
            m_done.append(std::move(batch));
            m_written = taken;
        }
        m_progress.notify_all();
        if (m_committed)
            m_committed();
    }
    m_repository = nullptr;
    m_db = nullptr;
    std::lock_guard lock(m_mutex);
    m_opened = false;
}

CommittedBatch StoreWriter::write(const QList<WriteOp> &log, QList<NodeExecutionEvent> events)
{
    // Status changes of one node execution within the batch become one
    // update, written where its last change stood (after its row exists);
    // a row created in the same batch is inserted as its changes leave it.
    struct PendingPath
    {
        NodeStatusPath change;
        qsizetype last = -1;
        bool settledOnInsert = false;
    };
    QHash<QString, PendingPath> paths;
    QSet<QString> created;
    for (qsizetype i = 0; i < log.size(); ++i) {
        const WriteOp &op = log.at(i);
        if (op.kind == WriteOp::Kind::InsertNodeExecution) {
            created.insert(op.id);
            continue;
        }
        if (op.kind != WriteOp::Kind::SetStatus)
            continue;
        PendingPath &entry = paths[op.nodeExecId];
        entry.change.path.append(op.status);
        entry.change.timesMs.append(op.timeMs);
        if (op.executionData)
            entry.change.executionData = op.executionData;
        if (op.stats)
            entry.change.stats = op.stats;
        entry.last = i;
        entry.settledOnInsert = created.contains(op.nodeExecId);
    }

    // New rows go in many to a statement: the node executions first, then
    // their inputs and outputs, which name them; then the status changes of
    // rows that earlier batches made.
    QList<NewNodeExecution> nodes;
    QList<NewExecutionData> data;
    QList<std::pair<QString, const NodeStatusPath *>> changes;
    QSet<QString> runs;
    for (qsizetype i = 0; i < log.size(); ++i) {
        const WriteOp &op = log.at(i);
        switch (op.kind) {
        case WriteOp::Kind::InsertNodeExecution: {
            runs.insert(op.graphExecId);
            const auto entry = paths.constFind(op.id);
            nodes.append({op.id, op.graphExecId, op.nodeId, op.blockId, op.timeMs,
                          entry != paths.constEnd() ? &entry->change : nullptr});
            break;
        }
        case WriteOp::Kind::InsertInput:
        case WriteOp::Kind::InsertOutput:
            data.append({op.kind == WriteOp::Kind::InsertOutput, op.id, op.nodeExecId, op.name,
                         &op.data, op.timeMs});
            break;
        case WriteOp::Kind::SetStatus: {
            const PendingPath &entry = paths[op.nodeExecId];
            if (entry.last != i || entry.settledOnInsert)
                break;
            runs.insert(op.graphExecId);
            changes.append({op.nodeExecId, &entry.change});
            break;
        }
        }
    }

    ExecutionRepository &executions = *m_repository;
    WriteTransaction transaction(*m_db);
    Result<void> ok = transaction.begin();
    if (ok)
        ok = executions.insertNodeExecutions(nodes);
    if (ok)
        ok = executions.insertExecutionData(data);
    for (qsizetype i = 0; i < changes.size() && ok; ++i)
        ok = executions.setNodeExecutionStatusPath(changes.at(i).first, *changes.at(i).second);
    // The change feed hears of these runs' node executions once per batch.
    if (ok)
        ok = noteNodeExecutionChanges(*m_db, runs);
    if (ok)
        ok = transaction.commit();
    else
        transaction.rollback();

    CommittedBatch batch;
    if (ok) {
        batch.events = std::move(events);
        return batch;
    }
    batch.error = ok.error();
    for (const WriteOp &op : log)
        batch.failedRuns.insert(op.graphExecId);
    return batch;
}

} // namespace Signalbox::Engine
