// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/eventbus.h"
#include "model/execution.h"
#include "model/result.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QThread>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace Signalbox::Engine {

class BlockRegistry;
class Database;
class ExecutionRepository;

// One row change of a run, as the executor records it.
struct WriteOp
{
    enum class Kind { InsertNodeExecution, InsertInput, InsertOutput, SetStatus };
    Kind kind;
    QString id;
    QString graphExecId;
    QString nodeExecId;
    QString nodeId;
    QString blockId;
    QString name;
    Model::Value data;
    qint64 timeMs = 0;
    Model::ExecutionStatus status = Model::ExecutionStatus::Incomplete;
    std::optional<Model::ValueMap> executionData;
    std::optional<QJsonObject> stats;
};

// What one transaction of the writer did: the events of the rows it
// committed, or why it committed nothing and the runs that lost rows.
struct CommittedBatch
{
    QList<NodeExecutionEvent> events;
    std::optional<Error> error;
    QSet<QString> failedRuns;
};

// The executor's write-behind log, written on a thread of its own with its
// own connection. Rows handed over while a transaction is being written
// are gathered into the next one, so batches grow with the load; the
// caller is held back while too many rows wait.
class StoreWriter
{
public:
    // `committed` runs on the writer's thread after each transaction; it
    // should only post to the thread that collects the batches.
    StoreWriter(QString databasePath, std::shared_ptr<const BlockRegistry> registry,
                std::function<void()> committed);
    ~StoreWriter();

    // Starts the thread and opens its connection.
    Result<void> open();
    // Hands rows and the events announcing them over.
    void submit(QList<WriteOp> ops, QList<NodeExecutionEvent> events);
    // Returns once everything submitted so far is committed (or refused).
    void waitUntilWritten();
    // The results of finished transactions, oldest first.
    QList<CommittedBatch> takeCommitted();
    // Once a transaction with rows of a run is refused, later rows of that
    // run are dropped (they may depend on the refused ones) until the
    // executor, having let the run go, forgets it.
    void forgetRefusedRun(const QString &graphExecId);

private:
    void run();
    CommittedBatch write(const QList<WriteOp> &log, QList<NodeExecutionEvent> events);

    QString m_databasePath;
    std::shared_ptr<const BlockRegistry> m_registry;
    std::function<void()> m_committed;
    std::unique_ptr<QThread> m_thread;
    // The writer thread's own connection, while it runs.
    Database *m_db = nullptr;
    ExecutionRepository *m_repository = nullptr;

    std::mutex m_mutex;
    std::condition_variable m_wake; // new work, or closing
    std::condition_variable m_progress; // a transaction ended
    QList<WriteOp> m_pending;
    QList<NodeExecutionEvent> m_pendingEvents;
    QList<CommittedBatch> m_done;
    QSet<QString> m_refusedRuns;
    quint64 m_submitted = 0;
    quint64 m_written = 0;
    bool m_closing = false;
    std::optional<Error> m_openError;
    bool m_opened = false;
};

} // namespace Signalbox::Engine
