// SPDX-License-Identifier: GPL-3.0-or-later
#include "auditlog.h"

#include "database.h"

#include <QCryptographicHash>
#include <QSqlError>
#include <QSqlQuery>

namespace Signalbox::Engine {

using namespace StoreFormat;

namespace {

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

AuditEntry entryFrom(const QSqlQuery &q)
{
    AuditEntry entry;
    entry.seq = q.value(0).toLongLong();
    entry.at = timeFromVariant(q.value(1));
    entry.kind = q.value(2).toString();
    entry.actor = q.value(3).toString();
    entry.graphExecId = q.value(4).toString();
    entry.nodeExecId = q.value(5).toString();
    entry.detail = valueFromText(q.value(6));
    entry.previousHash = q.value(7).toString();
    entry.hash = q.value(8).toString();
    return entry;
}

const QString kColumns
    = QStringLiteral("seq, at, kind, actor, graph_exec_id, node_exec_id, detail, prev_hash, hash");

} // namespace

Model::Value AuditEntry::toValue() const
{
    Model::ValueMap map;
    map.insert(QStringLiteral("seq"), seq);
    map.insert(QStringLiteral("at"), at.toMSecsSinceEpoch());
    map.insert(QStringLiteral("kind"), kind);
    map.insert(QStringLiteral("actor"), actor);
    map.insert(QStringLiteral("graph_exec_id"), graphExecId);
    map.insert(QStringLiteral("node_exec_id"), nodeExecId);
    map.insert(QStringLiteral("detail"), detail);
    map.insert(QStringLiteral("prev_hash"), previousHash);
    return map;
}

QString AuditEntry::contentHash() const
{
    return sha256(Model::toJson(toValue(), Model::JsonStyle::Canonical));
}

AuditLog::AuditLog(Database &db)
    : m_db(db)
{ }

Result<void> AuditLog::append(const QString &kind, const QString &actor, const QString &graphExecId,
                              const QString &nodeExecId, const Model::Value &detail)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto head = m_db.prepare(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (!head)
        return head.error();
    if (!(*head)->exec())
        return m_db.storageError((*head)->lastError(), QStringLiteral("reading the audit log"));
    AuditEntry entry;
    entry.seq = 1;
    if ((*head)->next()) {
        entry.seq = (*head)->value(0).toLongLong() + 1;
        entry.previousHash = (*head)->value(1).toString();
    }
    (*head)->finish();
    // Milliseconds, as stored.
    entry.at = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    entry.kind = kind;
    entry.actor = actor;
    entry.graphExecId = graphExecId;
    entry.nodeExecId = nodeExecId;
    entry.detail = detail;
    entry.hash = entry.contentHash();

    auto insert = m_db.prepare(QStringLiteral("INSERT INTO audit_log (%1)"
                                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                   .arg(kColumns));
    if (!insert)
        return insert.error();
    for (const QVariant &value :
         QVariantList {entry.seq, entry.at.toMSecsSinceEpoch(), entry.kind, entry.actor,
                       textOrEmpty(entry.graphExecId), textOrEmpty(entry.nodeExecId),
                       valueToText(entry.detail), textOrEmpty(entry.previousHash), entry.hash})
        (*insert)->addBindValue(value);
    if (!(*insert)->exec())
        return m_db.storageError((*insert)->lastError(),
                                 QStringLiteral("appending to the audit log"));
    auto moved = m_db.prepare(QStringLiteral("INSERT INTO audit_head (id, seq, hash)"
                                             " VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE"
                                             " SET seq = excluded.seq, hash = excluded.hash"));
    if (!moved)
        return moved.error();
    (*moved)->addBindValue(entry.seq);
    (*moved)->addBindValue(entry.hash);
    if (!(*moved)->exec())
        return m_db.storageError((*moved)->lastError(),
                                 QStringLiteral("appending to the audit log"));
    return transaction.commit();
}

Result<QList<AuditEntry>> AuditLog::entries(const QDateTime &since)
{
    auto select = m_db.prepare(
        QStringLiteral("SELECT %1 FROM audit_log WHERE at >= ? ORDER BY seq").arg(kColumns));
    if (!select)
        return select.error();
    (*select)->addBindValue(since.isValid() ? since.toMSecsSinceEpoch() : qint64(0));
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(), QStringLiteral("reading the audit log"));
    QList<AuditEntry> found;
    while ((*select)->next())
        found.append(entryFrom(**select));
    (*select)->finish();
    return found;
}

Result<AuditReport> AuditLog::verify()
{
    auto all = entries();
    if (!all)
        return all.error();
    AuditReport report;
    report.entries = std::move(*all);
    const auto broken = [&report](qint64 seq, QString problem) -> Result<AuditReport> {
        report.broken = AuditBreak {seq, std::move(problem)};
        return std::move(report);
    };
    qint64 expected = 1;
    QString previous;
    for (const AuditEntry &entry : std::as_const(report.entries)) {
        if (entry.seq != expected) {
            return broken(expected,
                          entry.seq > expected
                              ? QStringLiteral("entry %1 is missing: it was deleted").arg(expected)
                              : QStringLiteral("entry %1 is out of its place").arg(entry.seq));
        }
        if (entry.contentHash() != entry.hash) {
            return broken(entry.seq,
                          QStringLiteral("entry %1 was changed or moved: its content does "
                                         "not match its hash")
                              .arg(entry.seq));
        }
        if (entry.previousHash != previous) {
            return broken(entry.seq,
                          QStringLiteral("entry %1 does not follow entry %2: one of them was "
                                         "replaced or they were reordered")
                              .arg(entry.seq)
                              .arg(entry.seq - 1));
        }
        previous = entry.hash;
        ++expected;
    }
    auto head = m_db.prepare(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (!head)
        return head.error();
    if (!(*head)->exec())
        return m_db.storageError((*head)->lastError(), QStringLiteral("reading the audit log"));
    const qint64 last = expected - 1;
    const bool hasHead = (*head)->next();
    const qint64 headSeq = hasHead ? (*head)->value(0).toLongLong() : 0;
    const QString headHash = hasHead ? (*head)->value(1).toString() : QString();
    (*head)->finish();
    if (headSeq != last || (last > 0 && headHash != previous)) {
        return broken(
            last + 1,
            headSeq > last
                ? QStringLiteral("entries %1 to %2 are missing: they were deleted")
                      .arg(last + 1)
                      .arg(headSeq)
                : QStringLiteral("the log's head does not name entry %1, its last").arg(last));
    }
    return report;
}

} // namespace Signalbox::Engine
