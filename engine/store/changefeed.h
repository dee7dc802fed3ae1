// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"

#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>

namespace Signalbox::Engine {

class Database;

// What changed in the store since the last look, by any connection of any
// process: executions (added, changed, deleted), executions whose node
// executions changed, reviews with the execution each belongs to, and grants. A
// stop that ends node executions itself changes their execution too: read
// an execution's nodes again when it is in either set.
struct StoreChanges
{
    QSet<QString> runs;
    QSet<QString> nodeRuns;
    QSet<QString> reviews;
    QSet<QString> reviewRuns;
    // Grants made or revoked.
    QSet<QString> grants;

    bool isEmpty() const
    {
        return runs.isEmpty() && nodeRuns.isEmpty() && reviews.isEmpty() && grants.isEmpty();
    }
    void merge(const StoreChanges &other);
};

// Reads the change log (the `changes` table, kept by triggers) from a
// cursor. Each look first asks SQLite whether any other connection has
// committed since the last (PRAGMA data_version); only then does it read
// the log's rows past the cursor, never whole tables. Use it on the
// thread that owns `db`.
// Notes in the change log that these executions' node executions changed,
// one row each, in the caller's transaction. The executor's store writer
// calls it once per transaction: a trigger per row would cost every node.
Result<void> noteNodeExecutionChanges(Database &db, const QSet<QString> &graphExecIds);

class ChangeFeed
{
public:
    explicit ChangeFeed(Database &db);

    // Starts after the newest change in the log.
    Result<void> start();
    // Calls `wake` (on this thread, from its event loop) as soon as another
    // connection commits a change, where the engine tells (PostgreSQL's
    // LISTEN/NOTIFY): true then, and polling is only the fallback. False
    // where only polling sees changes (SQLite).
    Result<bool> listen(QObject *context, std::function<void()> wake);
    // The changes committed since the last call (or start()).
    Result<StoreChanges> poll();
    // Forgets changes older than `days` days from the log; things changed
    // since stay in it.
    Result<void> prune(int days = 7);

private:
    Database &m_db;
    qint64 m_cursor = 0;
    qint64 m_dataVersion = -1;
};

} // namespace Signalbox::Engine

Q_DECLARE_METATYPE(Signalbox::Engine::StoreChanges)
