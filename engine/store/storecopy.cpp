// SPDX-License-Identifier: GPL-3.0-or-later
#include "storecopy.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

namespace Signalbox::Engine {

namespace {

// The tables copied, each after those it refers to; and the order their
// rows are read in, so that a run comes after the run it is a child of.
struct TableCopy
{
    const char *name;
    const char *order;
};

constexpr TableCopy kTables[] = {
    {"graphs", "id, version"},
    {"nodes", "graph_id, graph_version, position"},
    {"links", "graph_id, graph_version, position"},
    {"graph_executions", "parent_graph_exec_id IS NOT NULL, created_at, id"},
    {"node_executions", "added_at, id"},
    {"node_execution_io", "time, id"},
    {"execution_kv", "user_id, key"},
    {"pending_reviews", "created_at, node_exec_id"},
    {"review_approvals", "approved_at, node_exec_id, reviewer"},
    {"review_grants", "granted_at, id"},
    {"credentials", "created_at, id"},
    {"oauth_providers", "name"},
    {"audit_log", "seq"},
    {"audit_head", "id"},
    {"run_queue", "queued_at, graph_exec_id"},
};

Result<qint64> countRows(Database &db, const QString &table)
{
    auto query = db.prepare(QStringLiteral("SELECT count(*) FROM %1").arg(table));
    if (!query)
        return query.error();
    if (!(*query)->exec() || !(*query)->next())
        return db.storageError((*query)->lastError(),
                               QStringLiteral("counting the rows of %1").arg(table));
    const qint64 count = (*query)->value(0).toLongLong();
    (*query)->finish();
    return count;
}

} // namespace

Result<QList<CopiedTable>> copyStore(Database &source, Database &target)
{
    if (source.schemaVersion() != target.schemaVersion())
        return makeError(ErrorCode::Storage,
                         QStringLiteral("the stores have different schema versions (%1 and %2)")
                             .arg(source.schemaVersion())
                             .arg(target.schemaVersion()));
    for (const char *table : {"graphs", "graph_executions"}) {
        auto rows = countRows(target, QString::fromLatin1(table));
        if (!rows)
            return rows.error();
        if (*rows > 0)
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("%1 is not empty (%2 rows in %3): copy into a new "
                                            "database")
                                 .arg(target.path())
                                 .arg(*rows)
                                 .arg(QString::fromLatin1(table)));
    }

    WriteTransaction transaction(target);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    for (const TableCopy &copy : kTables) {
        const QString table = QString::fromLatin1(copy.name);
        auto read = source.prepare(QStringLiteral("SELECT * FROM %1 ORDER BY %2")
                                       .arg(table, QString::fromLatin1(copy.order)));
        if (!read)
            return read.error();
        QSqlQuery &rows = **read;
        if (!rows.exec())
            return source.storageError(rows.lastError(), QStringLiteral("reading %1").arg(table));
        const QSqlRecord record = rows.record();
        QStringList columns;
        for (int i = 0; i < record.count(); ++i)
            columns.append(record.fieldName(i));
        const QStringList marks(columns.size(), QStringLiteral("?"));
        auto write = target.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                                        .arg(table, columns.join(QLatin1String(", ")),
                                             marks.join(QLatin1String(", "))));
        if (!write)
            return write.error();
        while (rows.next()) {
            for (int i = 0; i < columns.size(); ++i)
                (*write)->addBindValue(rows.value(i));
            if (!(*write)->exec()) {
                const Error error = target.storageError(
                    (*write)->lastError(), QStringLiteral("copying a row of %1").arg(table));
                rows.finish();
                return error;
            }
        }
        rows.finish();
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();

    QList<CopiedTable> report;
    QStringList differing;
    for (const TableCopy &copy : kTables) {
        const QString table = QString::fromLatin1(copy.name);
        auto from = countRows(source, table);
        if (!from)
            return from.error();
        auto to = countRows(target, table);
        if (!to)
            return to.error();
        report.append({table, *from, *to});
        if (*from != *to)
            differing.append(QStringLiteral("%1 (%2 rows, %3 copied)").arg(table).arg(*from).arg(*to));
    }
    if (!differing.isEmpty())
        return makeError(ErrorCode::Storage,
                         QStringLiteral("the copy differs from its source: %1")
                             .arg(differing.join(QLatin1String(", "))));
    return report;
}

} // namespace Signalbox::Engine
