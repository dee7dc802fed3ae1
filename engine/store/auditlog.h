// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"
#include "model/value.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace Signalbox::Engine {

class Database;

// One entry of the audit log: what happened to a review or a run, who did
// it, and the hashes that chain it to the entry before.
struct AuditEntry
{
    qint64 seq = 0;
    QDateTime at;
    // review_requested, review_approved, review_rejected, review_timed_out,
    // review_cancelled, auto_approval_granted, auto_approved, run_stopped.
    QString kind;
    // The reviewer's name, or "signalbox" for what the engine did itself.
    QString actor;
    QString graphExecId;
    QString nodeExecId;
    Model::Value detail;
    QString previousHash;
    QString hash;

    // SHA-256 (hex) of the canonical JSON of everything above but `hash`.
    QString contentHash() const;
    Model::Value toValue() const;
};

// Where the chain breaks: the first entry that was changed, deleted or put
// in another place, and what is wrong with it.
struct AuditBreak
{
    qint64 seq = 0;
    QString problem;
};

// The whole log as read for a check, and the first break in its chain.
struct AuditReport
{
    QList<AuditEntry> entries;
    std::optional<AuditBreak> broken;
};

// The tamper-evident audit log (DESIGN §12): entries are only appended,
// each in a write transaction that reads the last hash, so that the entries
// of every process on the database form one chain. A head row holds the
// last entry's number and hash, so that entries cut off the end show too.
// Not thread-safe: one per thread, like the repositories.
class AuditLog
{
public:
    explicit AuditLog(Database &db);

    static QString engineActor() { return QStringLiteral("signalbox"); }

    Result<void> append(const QString &kind, const QString &actor, const QString &graphExecId,
                        const QString &nodeExecId, const Model::Value &detail);
    // Oldest first; from `since` on when it is valid.
    Result<QList<AuditEntry>> entries(const QDateTime &since = {});
    // Reads the whole log once and finds the first break in the chain, if
    // any entry is not as written.
    Result<AuditReport> verify();

private:
    Database &m_db;
};

} // namespace Signalbox::Engine
