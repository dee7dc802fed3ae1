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

#include <functional>
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

// The two SQL engines a store can live on: a SQLite file (the default, for
// one user) or a PostgreSQL server (for a team).
enum class SqlEngine { SQLite, PostgreSQL };

// Whether `location` names a PostgreSQL database
// (postgresql://user@host[:port]/dbname[?libpq-options]) rather than a file.
bool isPostgresLocation(const QString &location);
// Why a PostgreSQL location cannot be used (it is malformed, or it holds a
// password, which belongs in PGPASSFILE or the keychain), or nothing.
Result<void> checkPostgresLocation(const QString &location);

// SQL that differs between the engines, written once per engine: each
// function gives SQLite's text or PostgreSQL's. The schema's own
// differences are in migrations.cpp.
class SqlDialect
{
public:
    explicit SqlDialect(SqlEngine engine)
        : m_engine(engine)
    { }
    SqlEngine engine() const { return m_engine; }

    // A subquery of the text values of the JSON array bound at
    // `placeholder`, for "x IN (...)".
    QString jsonArrayValues(const QString &placeholder = QStringLiteral("?")) const;
    // A subquery's rows as a JSON array text of [first, second] pairs, in the
    // rows' order; "[]" when there are none. `rows` is a subquery with
    // columns pair_first and pair_second.
    QString jsonPairs(const QString &rows) const;
    // Notes a change in the change log (parameters: kind, id, execution id,
    // time in ms); a thing noted again takes a new, higher seq.
    QString noteChange() const;
    // The statement that tells whether another connection committed since
    // it last ran, by a changed number; empty where there is none.
    QString dataVersion() const;
    // The key of PostgreSQL's advisory lock that serialises the store's
    // writers.
    static qint64 writeLockKey();
    // Ends a SELECT that takes the rows it reads for this transaction,
    // passing over rows that another transaction holds: PostgreSQL's
    // FOR UPDATE SKIP LOCKED on `table`; nothing on SQLite, whose write
    // transaction holds the whole file.
    QString lockRowsSkippingLocked(const QString &table) const;
    // The channel on which PostgreSQL's triggers notify committed changes.
    static QString changeChannel() { return QStringLiteral("signalbox_changes"); }

private:
    SqlEngine m_engine;
};

// Where the keychain keeps the password of a PostgreSQL location.
inline QString databasePasswordKey(const QString &location)
{
    return QStringLiteral("database-password:") + location;
}

// The database the command line and the desktop use when none is named:
// signalbox.db in the per-user data folder's "signalbox" folder
// (~/.local/share/signalbox/signalbox.db on Linux). Where only the file an
// earlier desktop version made exists (its "Signalbox/signalbox" folder),
// that one is used, so that no run is lost.
QString defaultDatabasePath();

// One connection to a store, a SQLite file or a PostgreSQL database, opened
// on and used by a single thread (Qt's rule): each thread that touches the
// database makes its own Database. Opening applies the pragmas of DESIGN §8
// (SQLite) or the session settings (PostgreSQL) and brings the schema up to
// date.
//
// A PostgreSQL location never holds a password: libpq reads it from
// PGPASSFILE (or ~/.pgpass), or the password provider gives it.
//
// Every failure is an Error with ErrorCode::Storage whose message names the
// database and the cause (locked, read-only, full, missing, damaged,
// unreachable).
class Database
{
public:
    static Result<std::unique_ptr<Database>> open(const QString &path,
                                                  const DatabaseOptions &options = {});
    ~Database();

    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // The file's absolute path, or the PostgreSQL location as given.
    QString path() const { return m_path; }
    SqlEngine engine() const { return m_dialect.engine(); }
    const SqlDialect &dialect() const { return m_dialect; }
    int schemaVersion() const;

    // Where a PostgreSQL connection's password comes from when the server
    // asks for one that PGPASSFILE (or ~/.pgpass) does not have: given the
    // location, the password or an empty string. Set once at start-up (the
    // application reads the keychain, see databasePasswordKey()).
    using PasswordProvider = std::function<QString(const QString &location)>;
    static void setPasswordProvider(PasswordProvider provider);

    // A prepared statement for `sql`, prepared once per connection and reused.
    // The caller binds, executes and calls finish() (see Query).
    Result<QSqlQuery *> prepare(const QString &sql);
    // Runs a statement that is not worth caching (pragmas, DDL).
    Result<void> execute(const QString &sql);

    // Calls `onNotified` from this thread's event loop whenever a
    // transaction of any connection that notified `channel` commits
    // (PostgreSQL's LISTEN/NOTIFY), until `context` goes. False where the
    // engine has no notifications (SQLite).
    Result<bool> listen(const QString &channel, QObject *context, std::function<void()> onNotified);

    // Write transactions take the store's write lock first, so that writers
    // are serialised on both engines and a read-then-write sees what it
    // writes over: SQLite's BEGIN IMMEDIATE, or on PostgreSQL a transaction
    // that takes the store's transaction-level advisory lock (which the
    // change log's triggers take too). Nested calls join the outermost
    // transaction; a rollback anywhere rolls back the outermost.
    Result<void> begin();
    Result<void> commit();
    void rollback();

    Error storageError(const QSqlError &error, const QString &doing) const;
    // True for a violated constraint (unique, foreign key, check): SQLite's
    // SQLITE_CONSTRAINT and its extended codes, PostgreSQL's class 23.
    bool isConstraintViolation(const QSqlError &error) const;
    Error storageError(const QString &cause, const QString &doing) const;

private:
    Database(QString path, QString connectionName, SqlEngine engine);
    static Result<std::unique_ptr<Database>> openPostgres(const QString &location,
                                                          const DatabaseOptions &options);
    Result<void> configure(const DatabaseOptions &options);
    Result<void> configurePostgres(const DatabaseOptions &options);
    // Runs a statement of transaction control.
    Result<void> control(const QString &sql, const QString &doing);

    QString m_path;
    SqlDialect m_dialect;
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
// Flags are INTEGER 0/1 columns on both engines: bind them as numbers
// (PostgreSQL does not take a boolean for an integer).
inline int flag(bool value)
{
    return value ? 1 : 0;
}
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
