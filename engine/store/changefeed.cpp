// SPDX-License-Identifier: GPL-3.0-or-later
#include "changefeed.h"

#include "database.h"

#include <QDateTime>
#include <QSqlError>

namespace Signalbox::Engine {

void StoreChanges::merge(const StoreChanges &other)
{
    runs.unite(other.runs);
    nodeRuns.unite(other.nodeRuns);
    reviews.unite(other.reviews);
    reviewRuns.unite(other.reviewRuns);
    grants.unite(other.grants);
}

namespace {

// The one number a statement reads.
Result<qint64> readNumber(Database &db, const QString &sql)
{
    auto query = db.prepare(sql);
    if (!query)
        return query.error();
    QSqlQuery &q = **query;
    if (!q.exec() || !q.next()) {
        const auto error = db.storageError(q.lastError(), QStringLiteral("reading the change log"));
        q.finish();
        return error;
    }
    const qint64 number = q.value(0).toLongLong();
    q.finish();
    return number;
}

} // namespace

Result<void> noteNodeExecutionChanges(Database &db, const QSet<QString> &graphExecIds)
{
    if (graphExecIds.isEmpty())
        return {};
    auto query = db.prepare(db.dialect().noteChange());
    if (!query)
        return query.error();
    QSqlQuery &q = **query;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QString &id : graphExecIds) {
        q.addBindValue(QStringLiteral("nodes"));
        q.addBindValue(id);
        q.addBindValue(id);
        q.addBindValue(now);
        if (!q.exec()) {
            const auto error
                = db.storageError(q.lastError(), QStringLiteral("noting node execution changes"));
            q.finish();
            return error;
        }
    }
    q.finish();
    return {};
}

ChangeFeed::ChangeFeed(Database &db)
    : m_db(db)
{ }

Result<void> ChangeFeed::start()
{
    auto newest = readNumber(m_db, QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM changes"));
    if (!newest)
        return newest.error();
    m_cursor = *newest;
    m_dataVersion = -1;
    return {};
}

Result<bool> ChangeFeed::listen(QObject *context, std::function<void()> wake)
{
    return m_db.listen(SqlDialect::changeChannel(), context, std::move(wake));
}

Result<StoreChanges> ChangeFeed::poll()
{
    StoreChanges changes;
    if (const QString probe = m_db.dialect().dataVersion(); !probe.isEmpty()) {
        auto version = readNumber(m_db, probe);
        if (!version)
            return version.error();
        if (*version == m_dataVersion)
            return changes;
        m_dataVersion = *version;
    }

    auto query = m_db.prepare(QStringLiteral(
        "SELECT seq, kind, id, graph_exec_id FROM changes WHERE seq > ? ORDER BY seq"));
    if (!query)
        return query.error();
    QSqlQuery &q = **query;
    q.addBindValue(m_cursor);
    if (!q.exec()) {
        const auto error = m_db.storageError(q.lastError(), QStringLiteral("reading the change log"));
        q.finish();
        return error;
    }
    while (q.next()) {
        m_cursor = q.value(0).toLongLong();
        const QString kind = q.value(1).toString();
        const QString id = q.value(2).toString();
        if (kind == QLatin1String("run")) {
            changes.runs.insert(id);
        } else if (kind == QLatin1String("nodes")) {
            changes.nodeRuns.insert(id);
        } else if (kind == QLatin1String("review")) {
            changes.reviews.insert(id);
            changes.reviewRuns.insert(q.value(3).toString());
        } else if (kind == QLatin1String("grant")) {
            changes.grants.insert(id);
        }
    }
    q.finish();
    return changes;
}

Result<void> ChangeFeed::prune(int days)
{
    auto query = m_db.prepare(QStringLiteral("DELETE FROM changes WHERE at < ?"));
    if (!query)
        return query.error();
    QSqlQuery &q = **query;
    q.addBindValue(QDateTime::currentMSecsSinceEpoch() - qint64(days) * 24 * 3600 * 1000);
    const bool ok = q.exec();
    const auto error = ok ? std::optional<Error>()
                          : m_db.storageError(q.lastError(), QStringLiteral("pruning the change log"));
    q.finish();
    if (error)
        return *error;
    return {};
}

} // namespace Signalbox::Engine
