// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"
#include "model/stringkey.h"
#include "model/value.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <map>
#include <memory>
#include <unordered_map>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace Signalbox::Engine {

struct DatabaseOptions
{
    enum class OpenMode {
        CreateIfMissing, // make the file (not its folder) if it is not there
        MustExist, // a missing file is a storage error
    };
    OpenMode mode = OpenMode::CreateIfMissing;
    // How long a writer waits for another connection's write lock.
    int busyTimeoutMs = 10000;
    // Upper bound on the file's size in pages (0: none); writes beyond it fail
    // with a "full" storage error as a full disk would.
    qint64 maxPageCount = 0;
    // Open without write access: every write is a "read-only" storage error.
    bool readOnly = false;
    // Schema version to migrate to; -1 for the latest. Older targets are for
    // testing migrations one step at a time.
    int migrateTo = -1;
};

// The database the command line and the desktop use when none is named:
// signalbox.db in the per-user data folder's "signalbox" folder
// (~/.local/share/signalbox/signalbox.db on Linux). Where only the file an
// earlier desktop version made exists (its "Signalbox/signalbox" folder),
// that one is used, so that no run is lost.
QString defaultDatabasePath();

// One SQLite connection, opened on and used by a single thread (Qt's rule):
// each thread that touches the database makes its own Database. Opening
// applies the pragmas of DESIGN §8 and brings the schema up to date.
//
// Every failure is an Error with ErrorCode::Storage whose message names the
// database file and the cause (locked, read-only, full, missing, damaged).
class Database
{
public:
    static Result<std::unique_ptr<Database>> open(const QString &path,
                                                  const DatabaseOptions &options = {});
    ~Database();

    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    QString path() const { return m_path; }
    int schemaVersion() const;

    // A prepared statement for `sql`, prepared once per connection and reused.
    // The caller binds, executes and calls finish() (see Query).
    Result<QSqlQuery *> prepare(const QString &sql);
    // Runs a statement that is not worth caching (pragmas, DDL).
    Result<void> execute(const QString &sql);

    // Write transactions start with BEGIN IMMEDIATE so that a read-then-write
    // never fails half-way with "database is locked". Nested calls join the
    // outermost transaction; a rollback anywhere rolls back the outermost.
    Result<void> begin();
    Result<void> commit();
    void rollback();

    Error storageError(const QSqlError &error, const QString &doing) const;
    // True for SQLITE_CONSTRAINT and its extended codes (unique, foreign key).
    static bool isConstraintViolation(const QSqlError &error);
    Error storageError(const QString &cause, const QString &doing) const;

private:
    Database(QString path, QString connectionName);
    Result<void> configure(const DatabaseOptions &options);

    QString m_path;
    QString m_connectionName;
    Model::StringKeyMap<std::unique_ptr<QSqlQuery>> m_statements;
    // Statements written as string literals, by where their text lives: found
    // without hashing or comparing the text.
    std::map<std::pair<const QChar *, qsizetype>, QSqlQuery *> m_literalStatements;
    int m_transactionDepth = 0;
    bool m_rollbackOnly = false;
};

// Runs a write transaction scope: rolls back unless commit() succeeded.
class WriteTransaction
{
public:
    explicit WriteTransaction(Database &db)
        : m_db(db)
    { }
    ~WriteTransaction()
    {
        if (m_begun && !m_done)
            m_db.rollback();
    }
    Result<void> begin()
    {
        auto result = m_db.begin();
        m_begun = result.ok();
        return result;
    }
    Result<void> commit()
    {
        m_done = true;
        return m_db.commit();
    }
    void rollback()
    {
        if (m_begun && !m_done)
            m_db.rollback();
        m_done = true;
    }

private:
    Database &m_db;
    bool m_begun = false;
    bool m_done = false;
};

// Helpers for the stored representations.
namespace StoreFormat {
// Times are stored as UTC milliseconds since the epoch; null for none.
QVariant timeToVariant(const QDateTime &time);
QDateTime timeFromVariant(const QVariant &value);
// Null QStrings bind as SQL NULL; NOT NULL text columns get "" instead.
inline QString textOrEmpty(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}
QString jsonToText(const QJsonValue &value);
QString jsonToText(const QJsonObject &object);
// Values (block data, execution inputs and outputs) keep number kinds and
// key order in their stored text.
QString valueToText(const Model::Value &value);
Model::Value valueFromText(const QVariant &text);
Model::ValueMap mapFromText(const QVariant &text);
// Other stored JSON (stats, graph fields) is trusted and read with Qt's parser.
QJsonValue jsonFromText(const QVariant &text);
QJsonObject objectFromText(const QVariant &text);
} // namespace StoreFormat

} // namespace Signalbox::Engine
