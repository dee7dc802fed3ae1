// SPDX-License-Identifier: GPL-3.0-or-later
#include "runqueue.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>

namespace Signalbox::Engine {

namespace {

QString idListJson(const QStringList &ids)
{
    return StoreFormat::jsonToText(QJsonValue(QJsonArray::fromStringList(ids)));
}

} // namespace

Result<void> RunQueue::enqueue(const QString &graphExecId, qint64 nowMs)
{
    auto insert = m_db.prepare(
        QStringLiteral("INSERT INTO run_queue (graph_exec_id, queued_at) VALUES (?, ?)"));
    if (!insert)
        return insert.error();
    (*insert)->addBindValue(graphExecId);
    (*insert)->addBindValue(nowMs);
    if (!(*insert)->exec())
        return m_db.storageError((*insert)->lastError(),
                                 QStringLiteral("queueing %1 for workers").arg(graphExecId));
    return {};
}

Result<bool> RunQueue::isQueued(const QString &graphExecId)
{
    auto select
        = m_db.prepare(QStringLiteral("SELECT count(*) FROM run_queue WHERE graph_exec_id = ?"));
    if (!select)
        return select.error();
    (*select)->addBindValue(graphExecId);
    if (!(*select)->exec() || !(*select)->next())
        return m_db.storageError((*select)->lastError(),
                                 QStringLiteral("reading the run queue"));
    const bool queued = (*select)->value(0).toInt() > 0;
    (*select)->finish();
    return queued;
}

Result<QString> RunQueue::holder(const QString &graphExecId, qint64 nowMs)
{
    auto select = m_db.prepare(QStringLiteral(
        "SELECT worker FROM run_queue WHERE graph_exec_id = ? AND lease_expires_at >= ?"));
    if (!select)
        return select.error();
    (*select)->addBindValue(graphExecId);
    (*select)->addBindValue(nowMs);
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(),
                                 QStringLiteral("reading the run queue"));
    const QString worker = (*select)->next() ? (*select)->value(0).toString() : QString();
    (*select)->finish();
    return worker;
}

Result<std::optional<QString>> RunQueue::claim(const QString &worker, qint64 nowMs,
                                               qint64 leaseMs)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    // The row is locked for this transaction, and rows another worker is
    // claiming are passed over rather than waited for.
    auto select = m_db.prepare(
        QStringLiteral(
            "SELECT q.graph_exec_id FROM run_queue q JOIN graph_executions e"
            " ON e.id = q.graph_exec_id"
            " WHERE (q.lease_expires_at IS NULL OR q.lease_expires_at < ?)"
            " AND (e.status IN ('QUEUED', 'RUNNING') OR (e.status = 'REVIEW' AND NOT EXISTS"
            "  (SELECT 1 FROM pending_reviews r WHERE r.graph_exec_id = e.id"
            "   AND r.status = 'WAITING')))"
            " ORDER BY q.queued_at, q.graph_exec_id LIMIT 1%1")
            .arg(m_db.dialect().lockRowsSkippingLocked(QStringLiteral("q"))));
    if (!select)
        return select.error();
    (*select)->addBindValue(nowMs);
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(), QStringLiteral("claiming a queued run"));
    if (!(*select)->next()) {
        (*select)->finish();
        return std::optional<QString>();
    }
    const QString id = (*select)->value(0).toString();
    (*select)->finish();
    auto update = m_db.prepare(QStringLiteral(
        "UPDATE run_queue SET worker = ?, lease_expires_at = ? WHERE graph_exec_id = ?"));
    if (!update)
        return update.error();
    (*update)->addBindValue(worker);
    (*update)->addBindValue(nowMs + leaseMs);
    (*update)->addBindValue(id);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("taking the lease of %1").arg(id));
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return std::optional<QString>(id);
}

Result<QStringList> RunQueue::renew(const QString &worker, const QStringList &graphExecIds,
                                    qint64 nowMs, qint64 leaseMs)
{
    if (graphExecIds.isEmpty())
        return QStringList();
    const QString ids = idListJson(graphExecIds);
    auto update = m_db.prepare(
        QStringLiteral("UPDATE run_queue SET lease_expires_at = ? WHERE worker = ?"
                       " AND graph_exec_id IN (%1)")
            .arg(m_db.dialect().jsonArrayValues()));
    if (!update)
        return update.error();
    (*update)->addBindValue(nowMs + leaseMs);
    (*update)->addBindValue(worker);
    (*update)->addBindValue(ids);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(), QStringLiteral("renewing leases"));
    auto select = m_db.prepare(
        QStringLiteral("SELECT graph_exec_id FROM run_queue WHERE worker = ?"
                       " AND graph_exec_id IN (%1)")
            .arg(m_db.dialect().jsonArrayValues()));
    if (!select)
        return select.error();
    (*select)->addBindValue(worker);
    (*select)->addBindValue(ids);
    if (!(*select)->exec())
        return m_db.storageError((*select)->lastError(), QStringLiteral("renewing leases"));
    QStringList held;
    while ((*select)->next())
        held.append((*select)->value(0).toString());
    (*select)->finish();
    return held;
}

Result<void> RunQueue::release(const QString &worker, const QString &graphExecId)
{
    auto update = m_db.prepare(
        QStringLiteral("UPDATE run_queue SET worker = NULL, lease_expires_at = NULL"
                       " WHERE graph_exec_id = ? AND worker = ?"));
    if (!update)
        return update.error();
    (*update)->addBindValue(graphExecId);
    (*update)->addBindValue(worker);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("releasing the lease of %1").arg(graphExecId));
    return {};
}

Result<void> RunQueue::remove(const QString &graphExecId)
{
    auto remove = m_db.prepare(QStringLiteral("DELETE FROM run_queue WHERE graph_exec_id = ?"));
    if (!remove)
        return remove.error();
    (*remove)->addBindValue(graphExecId);
    if (!(*remove)->exec())
        return m_db.storageError((*remove)->lastError(),
                                 QStringLiteral("taking %1 off the run queue").arg(graphExecId));
    return {};
}

} // namespace Signalbox::Engine
