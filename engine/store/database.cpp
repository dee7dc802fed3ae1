// SPDX-License-Identifier: GPL-3.0-or-later
#include "database.h"

#include "migrations.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDriver>
#include <QSqlError>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcStore, "signalbox.store")

namespace Signalbox::Engine {

namespace {

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("signalbox-%1").arg(counter.fetchAndAddRelaxed(1));
}

// SQLite's primary result codes, as QSQLITE reports them in nativeErrorCode().
QString describeSqliteCode(int code)
{
    switch (code & 0xff) {
    case 5: // SQLITE_BUSY
        return QStringLiteral("the database is locked by another connection");
    case 6: // SQLITE_LOCKED
        return QStringLiteral("a table is locked");
    case 8: // SQLITE_READONLY
        return QStringLiteral("the database is read-only");
    case 10: // SQLITE_IOERR
        return QStringLiteral("an input/output error occurred");
    case 11: // SQLITE_CORRUPT
        return QStringLiteral("the database file is damaged");
    case 13: // SQLITE_FULL
        return QStringLiteral("the disk or the database's size limit is full");
    case 14: // SQLITE_CANTOPEN
        return QStringLiteral("the database file cannot be opened");
    case 19: // SQLITE_CONSTRAINT
        return QStringLiteral("a constraint was violated");
    case 26: // SQLITE_NOTADB
        return QStringLiteral("the file is not a database");
    default:
        return QString();
    }
}

// SQLITE_IOERR, SQLITE_FULL and SQLITE_CANTOPEN, which a full disk causes.
const QList<int> kFullDiskCodes {10, 13, 14};
// Less free space than this, beside one of those errors, is a full disk.
constexpr qint64 kFullDiskBytes = 256 * 1024;

// The key of the store's write lock on PostgreSQL, a transaction-level
// advisory lock ("Signalbx" in ASCII).
constexpr qint64 kWriteLockKey = 0x5369676e616c6278;

// PostgreSQL's SQLSTATE codes, as QPSQL reports them in nativeErrorCode().
QString describeSqlState(const QString &state)
{
    if (state.startsWith(QLatin1String("23")))
        return QStringLiteral("a constraint was violated");
    if (state.startsWith(QLatin1String("08")))
        return QStringLiteral("the connection to the server failed");
    if (state == QLatin1String("40001"))
        return QStringLiteral("a concurrent transaction conflicted");
    if (state == QLatin1String("40P01"))
        return QStringLiteral("a deadlock was detected");
    if (state == QLatin1String("55P03"))
        return QStringLiteral("the database is locked by another connection's write");
    if (state == QLatin1String("25006"))
        return QStringLiteral("the database is read-only");
    if (state == QLatin1String("53100"))
        return QStringLiteral("the server's disk is full");
    if (state.startsWith(QLatin1String("57P")))
        return QStringLiteral("the server is shutting down or restarting");
    if (state == QLatin1String("28P01") || state == QLatin1String("28000"))
        return QStringLiteral("the server refused the login");
    return QString();
}

Database::PasswordProvider &passwordProvider()
{
    static Database::PasswordProvider provider;
    return provider;
}

} // namespace

bool isPostgresLocation(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://"))
        || location.startsWith(QLatin1String("postgres://"));
}

Result<void> checkPostgresLocation(const QString &location)
{
    const QUrl url(location, QUrl::StrictMode);
    // Messages name the location without a password that it should not hold.
    QUrl shown = url.adjusted(QUrl::RemovePassword);
    QUrlQuery shownQuery(shown);
    shownQuery.removeAllQueryItems(QStringLiteral("password"));
    shown.setQuery(shownQuery);
    auto fail = [&shown](const QString &cause) {
        return makeError(
            ErrorCode::Storage,
            QStringLiteral("database %1: %2").arg(shown.toString(QUrl::FullyEncoded), cause));
    };
    const bool hasHost
        = !url.host().isEmpty() || QUrlQuery(url).hasQueryItem(QStringLiteral("host"));
    if (!url.isValid() || !hasHost || url.path().size() < 2)
        return fail(QStringLiteral("not a PostgreSQL location; expected "
                                   "postgresql://user@host[:port]/dbname"));
    if (!url.password().isEmpty() || QUrlQuery(url).hasQueryItem(QStringLiteral("password")))
        return fail(QStringLiteral("a location must not hold a password: keep it in PGPASSFILE "
                                   "or the keychain"));
    return {};
}

QString SqlDialect::jsonArrayValues(const QString &placeholder) const
{
    if (m_engine == SqlEngine::PostgreSQL)
        return QStringLiteral("SELECT json_array_elements_text(CAST(%1 AS json))").arg(placeholder);
    return QStringLiteral("SELECT value FROM json_each(%1)").arg(placeholder);
}

QString SqlDialect::jsonPairs(const QString &rows) const
{
    if (m_engine == SqlEngine::PostgreSQL)
        return QStringLiteral(
                   "(SELECT COALESCE(json_agg(json_build_array(p.pair_first, p.pair_second)), "
                   "'[]') FROM (%1) p)")
            .arg(rows);
    return QStringLiteral(
               "(SELECT json_group_array(json_array(p.pair_first, p.pair_second)) FROM (%1) p)")
        .arg(rows);
}

QString SqlDialect::noteChange() const
{
    // A later note of the same thing takes a new seq, so that a cursor past
    // the old one sees it again.
    if (m_engine == SqlEngine::PostgreSQL)
        return QStringLiteral(
            "INSERT INTO changes (kind, id, graph_exec_id, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, id) DO UPDATE SET"
            " seq = nextval('changes_seq_seq'),"
            " graph_exec_id = excluded.graph_exec_id, at = excluded.at");
    return QStringLiteral(
        "INSERT OR REPLACE INTO changes (kind, id, graph_exec_id, at) VALUES (?, ?, ?, ?)");
}

QString SqlDialect::dataVersion() const
{
    if (m_engine == SqlEngine::PostgreSQL)
        return QString();
    return QStringLiteral("PRAGMA data_version");
}

QString SqlDialect::lockRowsSkippingLocked(const QString &table) const
{
    if (m_engine == SqlEngine::PostgreSQL)
        return QStringLiteral(" FOR UPDATE OF %1 SKIP LOCKED").arg(table);
    return QString();
}

qint64 SqlDialect::writeLockKey()
{
    return kWriteLockKey;
}

void Database::setPasswordProvider(PasswordProvider provider)
{
    passwordProvider() = std::move(provider);
}

QString defaultDatabasePath()
{
    const QString data = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    const QString current = data + QStringLiteral("/signalbox/signalbox.db");
    const QString earlierDesktop = data + QStringLiteral("/Signalbox/signalbox/signalbox.db");
    if (!QFileInfo::exists(current) && QFileInfo::exists(earlierDesktop))
        return earlierDesktop;
    return current;
}

Database::Database(QString path, QString connectionName, SqlEngine engine)
    : m_path(std::move(path))
    , m_dialect(engine)
    , m_connectionName(std::move(connectionName))
{ }

Database::~Database()
{
    m_literalStatements.clear();
    m_statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen()) {
            if (m_transactionDepth > 0)
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path,
                                                 const DatabaseOptions &options)
{
    if (isPostgresLocation(path))
        return openPostgres(path, options);
    const QFileInfo info(path);
    const QString absolute = info.absoluteFilePath();
    auto fail = [&absolute](const QString &cause) {
        return makeError(ErrorCode::Storage,
                         QStringLiteral("database %1: %2").arg(absolute, cause));
    };
    if (!info.absoluteDir().exists())
        return fail(QStringLiteral("the folder %1 does not exist").arg(info.absolutePath()));
    if (info.exists() && info.isDir())
        return fail(QStringLiteral("this is a folder, not a database file"));
    if (!info.exists() && options.mode == DatabaseOptions::OpenMode::MustExist)
        return fail(QStringLiteral("the database file does not exist"));

    std::unique_ptr<Database> database(
        new Database(absolute, nextConnectionName(), SqlEngine::SQLite));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), database->m_connectionName);
        db.setDatabaseName(absolute);
        QStringList connectOptions {
            QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs)};
        if (options.readOnly)
            connectOptions.append(QStringLiteral("QSQLITE_OPEN_READONLY"));
        db.setConnectOptions(connectOptions.join(QLatin1Char(';')));
        if (!db.open())
            return database->storageError(db.lastError(), QStringLiteral("opening"));
    }
    if (auto configured = database->configure(options); !configured)
        return configured.error();
    if (auto migrated = migrateSchema(*database, options.migrateTo); !migrated)
        return migrated.error();
    return database;
}

Result<std::unique_ptr<Database>> Database::openPostgres(const QString &location,
                                                         const DatabaseOptions &options)
{
    if (auto checked = checkPostgresLocation(location); !checked)
        return checked.error();
    const QUrl url(location, QUrl::StrictMode);
    const QUrlQuery query(url);
    // The location names the database as given (it holds no secret).
    std::unique_ptr<Database> database(
        new Database(location, nextConnectionName(), SqlEngine::PostgreSQL));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), database->m_connectionName);
        if (!db.isValid())
            return database->storageError(QStringLiteral("Qt's PostgreSQL driver (QPSQL, Debian "
                                                         "package libqt6sql6-psql) is not "
                                                         "installed"),
                                          QStringLiteral("connecting"));
        db.setHostName(url.host());
        if (url.port() > 0)
            db.setPort(url.port());
        db.setUserName(url.userName());
        db.setDatabaseName(url.path().mid(1));
        QStringList connectOptions {
            QStringLiteral("connect_timeout=%1").arg(std::max(1, options.busyTimeoutMs / 1000)),
            QStringLiteral("application_name=signalbox")};
        // libpq's own options (sslmode, host for a socket folder, ...).
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
            connectOptions.append(key + QLatin1Char('=') + value);
        db.setConnectOptions(connectOptions.join(QLatin1Char(';')));
        // First as libpq alone would (trust, PGPASSFILE or ~/.pgpass); only
        // a server that asks for a password the user did not give that way
        // gets the one the provider keeps.
        bool opened = db.open();
        const QString refusal = db.lastError().text();
        if (!opened && passwordProvider()
            && refusal.contains(QLatin1String("no password supplied"))) {
            const QString password = passwordProvider()(location);
            if (!password.isEmpty()) {
                db.setPassword(password);
                opened = db.open();
            }
        }
        if (!opened)
            return database->storageError(db.lastError(), QStringLiteral("connecting"));
    }
    if (auto configured = database->configurePostgres(options); !configured)
        return configured.error();
    if (auto migrated = migrateSchema(*database, options.migrateTo); !migrated)
        return migrated.error();
    return database;
}

Result<void> Database::configurePostgres(const DatabaseOptions &options)
{
    QStringList settings = {
        // Notices (an index that exists already) are not the user's concern.
        QStringLiteral("SET client_min_messages = warning"),
        // How long a writer waits for another connection's write lock.
        QStringLiteral("SET lock_timeout = %1").arg(options.busyTimeoutMs),
    };
    if (options.readOnly)
        settings.append(QStringLiteral("SET default_transaction_read_only = on"));
    for (const QString &setting : settings) {
        if (auto ok = execute(setting); !ok)
            return ok;
    }
    return {};
}

Result<void> Database::configure(const DatabaseOptions &options)
{
    // Reading the schema first turns "not a database" into an error here.
    {
        QSqlQuery probe(QSqlDatabase::database(m_connectionName, false));
        if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema")))
            return storageError(probe.lastError(), QStringLiteral("opening"));
    }
    const QStringList pragmas = {
        QStringLiteral("PRAGMA busy_timeout = %1").arg(options.busyTimeoutMs),
        QStringLiteral("PRAGMA foreign_keys = ON"),
        QStringLiteral("PRAGMA synchronous = FULL"),
    };
    for (const QString &pragma : pragmas) {
        if (auto ok = execute(pragma); !ok)
            return ok;
    }
    if (!options.readOnly) {
        // WAL lets readers run beside the single writer. It is a property of
        // the file, so only the first connection really changes anything.
        auto query = prepare(QStringLiteral("PRAGMA journal_mode = WAL"));
        if (!query)
            return query.error();
        if (!(*query)->exec())
            return storageError((*query)->lastError(), QStringLiteral("switching to WAL mode"));
        (*query)->finish();
    }
    if (options.maxPageCount > 0) {
        if (auto ok
            = execute(QStringLiteral("PRAGMA max_page_count = %1").arg(options.maxPageCount));
            !ok)
            return ok;
    }
    return {};
}

int Database::schemaVersion() const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (engine() == SqlEngine::PostgreSQL) {
        // A database that Signalbox has not used yet has no version table.
        // The catalog is read as a table, with this statement's snapshot, so
        // that a table another connection just made is seen (to_regclass
        // may answer from this connection's cache).
        if (!query.exec(QStringLiteral("SELECT count(*) FROM pg_catalog.pg_tables WHERE"
                                       " schemaname = current_schema() AND"
                                       " tablename = 'signalbox_schema'"))
            || !query.next())
            return -1;
        if (query.value(0).toInt() == 0)
            return 0;
        if (!query.exec(QStringLiteral("SELECT version FROM signalbox_schema")))
            return -1;
        return query.next() ? query.value(0).toInt() : 0;
    }
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

Result<QSqlQuery *> Database::prepare(const QString &sql)
{
    // A literal's text is static (it has no data header) and never changes.
    const bool literal = !sql.data_ptr().isMutable() && !sql.isNull();
    const std::pair<const QChar *, qsizetype> where {sql.constData(), sql.size()};
    if (literal) {
        if (const auto known = m_literalStatements.find(where); known != m_literalStatements.end())
            return known->second;
    }
    auto it = m_statements.find(sql);
    if (it != m_statements.end()) {
        if (literal)
            m_literalStatements.emplace(where, it->second.get());
        return it->second.get();
    }
    auto query = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connectionName, false));
    // Forward-only PostgreSQL queries read row by row from the connection,
    // and another statement run meanwhile discards the rest: read whole
    // results there, as the callers may run a statement while reading.
    query->setForwardOnly(engine() == SqlEngine::SQLite);
    if (!query->prepare(sql))
        return storageError(query->lastError(), QStringLiteral("preparing a statement"));
    QSqlQuery *raw = query.get();
    m_statements.emplace(sql, std::move(query));
    if (literal)
        m_literalStatements.emplace(where, raw);
    return raw;
}

Result<void> Database::execute(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(sql))
        return storageError(query.lastError(), QStringLiteral("running \"%1\"").arg(sql.left(60)));
    return {};
}

Result<bool> Database::listen(const QString &channel, QObject *context,
                              std::function<void()> onNotified)
{
    if (engine() != SqlEngine::PostgreSQL)
        return false;
    QSqlDriver *driver = QSqlDatabase::database(m_connectionName, false).driver();
    if (!driver->subscribedToNotifications().contains(channel)
        && !driver->subscribeToNotification(channel))
        return storageError(driver->lastError(),
                            QStringLiteral("listening for notifications on %1").arg(channel));
    QObject::connect(driver, &QSqlDriver::notification, context,
                     [channel, onNotified = std::move(onNotified)](const QString &name) {
                         if (name == channel)
                             onNotified();
                     });
    return true;
}

Result<void> Database::control(const QString &sql, const QString &doing)
{
    // PostgreSQL prepares only queries, not transaction control; SQLite
    // reuses the prepared statement.
    if (engine() == SqlEngine::PostgreSQL) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        if (!query.exec(sql))
            return storageError(query.lastError(), doing);
        return {};
    }
    auto query = prepare(sql);
    if (!query)
        return query.error();
    const bool ok = (*query)->exec();
    const auto error = ok ? std::optional<Error>() : storageError((*query)->lastError(), doing);
    (*query)->finish();
    if (error)
        return *error;
    return {};
}

Result<void> Database::begin()
{
    if (m_transactionDepth > 0) {
        ++m_transactionDepth;
        return {};
    }
    const bool postgres = engine() == SqlEngine::PostgreSQL;
    if (auto ok = control(postgres ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"),
                          QStringLiteral("starting a write transaction"));
        !ok)
        return ok;
    m_transactionDepth = 1;
    m_rollbackOnly = false;
    if (postgres) {
        if (auto locked
            = control(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kWriteLockKey),
                      QStringLiteral("taking the write lock"));
            !locked) {
            rollback();
            return locked;
        }
    }
    return {};
}

Result<void> Database::commit()
{
    if (m_transactionDepth == 0)
        return storageError(QStringLiteral("commit without a transaction"),
                            QStringLiteral("committing"));
    if (m_transactionDepth > 1) {
        --m_transactionDepth;
        return {};
    }
    if (m_rollbackOnly) {
        rollback();
        return storageError(QStringLiteral("an inner step failed"), QStringLiteral("committing"));
    }
    if (auto ok = control(QStringLiteral("COMMIT"), QStringLiteral("committing")); !ok) {
        rollback();
        return ok;
    }
    m_transactionDepth = 0;
    return {};
}

void Database::rollback()
{
    if (m_transactionDepth == 0)
        return;
    if (m_transactionDepth > 1) {
        --m_transactionDepth;
        m_rollbackOnly = true;
        return;
    }
    m_transactionDepth = 0;
    m_rollbackOnly = false;
    // Statements still reading would keep their snapshot; end them first.
    for (auto &entry : m_statements)
        entry.second->finish();
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCWarning(lcStore) << "rollback failed on" << m_path << query.lastError().text();
}

Error Database::storageError(const QSqlError &error, const QString &doing) const
{
    if (engine() == SqlEngine::PostgreSQL) {
        QString cause = describeSqlState(error.nativeErrorCode());
        const QString detail
            = (error.databaseText().isEmpty() ? error.driverText() : error.databaseText())
                  .trimmed();
        if (cause.isEmpty())
            cause = detail;
        else if (!detail.isEmpty())
            cause += QStringLiteral(" (%1)").arg(detail);
        return storageError(cause, doing);
    }
    bool isNumber = false;
    const int code = error.nativeErrorCode().toInt(&isNumber);
    QString cause = isNumber ? describeSqliteCode(code) : QString();
    // A disk that is full makes SQLite fail in several ways (writing the
    // journal, growing the shared-memory index): say what the user can fix.
    if (isNumber && kFullDiskCodes.contains(code & 0xff)) {
        const QStorageInfo disk(QFileInfo(m_path).absolutePath());
        if (disk.isValid() && disk.bytesAvailable() < kFullDiskBytes)
            return storageError(QStringLiteral("the disk holding the database is full (%1 bytes "
                                               "free)")
                                    .arg(disk.bytesAvailable()),
                                doing);
    }
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    if (cause.isEmpty())
        cause = detail;
    else if (!detail.isEmpty())
        cause += QStringLiteral(" (%1)").arg(detail);
    return storageError(cause, doing);
}

bool Database::isConstraintViolation(const QSqlError &error) const
{
    if (engine() == SqlEngine::PostgreSQL)
        return error.nativeErrorCode().startsWith(QLatin1String("23"));
    bool isNumber = false;
    const int code = error.nativeErrorCode().toInt(&isNumber);
    return isNumber && (code & 0xff) == 19;
}

Error Database::storageError(const QString &cause, const QString &doing) const
{
    const Error error = makeError(
        ErrorCode::Storage, QStringLiteral("database %1: %2 while %3").arg(m_path, cause, doing));
    qCWarning(lcStore).noquote() << error.message;
    return error;
}

namespace StoreFormat {

QVariant timeToVariant(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType::fromType<qint64>());
}

QDateTime timeFromVariant(const QVariant &value)
{
    if (value.isNull())
        return QDateTime();
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QString jsonToText(const QJsonValue &value)
{
    if (value.isObject())
        return jsonToText(value.toObject());
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.sliced(1, wrapped.size() - 2));
}

QString jsonToText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString valueToText(const Model::Value &value)
{
    return QString::fromUtf8(Model::toJson(value));
}

Model::Value valueFromText(const QVariant &text)
{
    if (text.isNull())
        return Model::Value(nullptr);
    return Model::parseTrustedJson(text.toString().toUtf8());
}

Model::ValueMap mapFromText(const QVariant &text)
{
    return valueFromText(text).toMap();
}

QJsonValue jsonFromText(const QVariant &text)
{
    if (text.isNull())
        return QJsonValue();
    const QByteArray utf8 = text.toString().toUtf8();
    const QJsonDocument doc = QJsonDocument::fromJson('[' + utf8 + ']');
    return doc.array().at(0);
}

QJsonObject objectFromText(const QVariant &text)
{
    // Most nodes and links store empty objects; an empty QJsonObject holds
    // no allocation, a parsed one does.
    if (text.isNull() || text.toString() == QLatin1String("{}"))
        return {};
    return jsonFromText(text).toObject();
}

} // namespace StoreFormat

} // namespace Signalbox::Engine
