// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "database.h"

#include <QStringList>

#include <optional>

namespace Signalbox::Engine {

// Runs queued for workers (`signalbox worker`), as the store keeps them:
// each queued run is taken by one worker at a time, which holds a lease on
// it and renews it while it runs the run. A lease that runs out (its
// worker died) lets another worker take the run over.
class RunQueue
{
public:
    explicit RunQueue(Database &db)
        : m_db(db)
    { }

    // Queues an execution for workers, in the caller's transaction.
    Result<void> enqueue(const QString &graphExecId, qint64 nowMs);
    // Whether an execution is queued for workers.
    Result<bool> isQueued(const QString &graphExecId);
    // The worker holding a queued execution's lease at `nowMs`; empty when
    // none does (the lease ran out or was released).
    Result<QString> holder(const QString &graphExecId, qint64 nowMs);

    // A queued execution for `worker` to run, its lease taken until
    // nowMs + leaseMs: the oldest that is QUEUED or RUNNING, or in REVIEW
    // with every review decided, and that no live lease holds. Nothing
    // when there is none.
    Result<std::optional<QString>> claim(const QString &worker, qint64 nowMs, qint64 leaseMs);
    // Extends the leases `worker` holds; returns the executions it still
    // holds (a lease that ran out may have gone to another worker).
    Result<QStringList> renew(const QString &worker, const QStringList &graphExecIds,
                              qint64 nowMs, qint64 leaseMs);
    // Gives a lease back: the execution waits for its reviews, or the
    // worker stops. Another worker may take it at once.
    Result<void> release(const QString &worker, const QString &graphExecId);
    // Takes an execution off the queue: it has ended.
    Result<void> remove(const QString &graphExecId);

private:
    Database &m_db;
};

} // namespace Signalbox::Engine
