// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/migrations.h"

#include "storefixture.h"

#include <QFile>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <atomic>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;

namespace {

// A plain connection for looking at the store from outside: the SQLite
// file, or the PostgreSQL database of a location.
class RawConnection
{
public:
    explicit RawConnection(const QString &location)
        : m_name(QStringLiteral("raw-%1").arg(quintptr(this)))
    {
        if (isPostgresLocation(location)) {
            const QUrl url(location);
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
            db.setHostName(url.host());
            db.setPort(url.port());
            db.setUserName(url.userName());
            db.setDatabaseName(url.path().mid(1));
            db.open();
            return;
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(location);
        db.open();
    }
    ~RawConnection() { QSqlDatabase::removeDatabase(m_name); }

    QVariant scalar(const QString &sql)
    {
        QSqlQuery query(QSqlDatabase::database(m_name));
        if (!query.exec(sql) || !query.next())
            return QVariant();
        return query.value(0);
    }
    bool exec(const QString &sql) { return QSqlQuery(QSqlDatabase::database(m_name)).exec(sql); }

private:
    QString m_name;
};

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private:
    TestStore m_store;
// Skips a test of what only SQLite has when the store is PostgreSQL.
#define SQLITE_ONLY(what)                                                                          \
    if (m_store.isPostgres())                                                                      \
    QSKIP("SQLite only: " what)

    QString path(const QString &name) const
    {
        return m_store.folder() + QLatin1Char('/') + name;
    }
    // A new store: a file not made yet, or a new PostgreSQL database.
    QString fresh(const char *name)
    {
        return m_store.newLocation(QString::fromLatin1(name));
    }
    SqlEngine engine() const
    {
        return m_store.isPostgres() ? SqlEngine::PostgreSQL : SqlEngine::SQLite;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SIGNALBOX_START_OR_SKIP(m_store);
    }

    void migrationFromAnEmptyStore()
    {
        const QString file = fresh("empty");
        if (!m_store.isPostgres()) {
            QFile touch(file);
            QVERIFY(touch.open(QIODevice::WriteOnly));
            touch.close();
        }
        {
            auto db = Database::open(file);
            QVERIFY2(db.ok(), qPrintable(db.error().message));
            QCOMPARE((*db)->schemaVersion(), latestSchemaVersion());
            QCOMPARE((*db)->engine(), engine());
        }
        RawConnection raw(file);
        const QStringList tables
            = {QStringLiteral("graphs"),          QStringLiteral("nodes"),
               QStringLiteral("links"),           QStringLiteral("graph_executions"),
               QStringLiteral("node_executions"), QStringLiteral("node_execution_io"),
               QStringLiteral("execution_kv"),    QStringLiteral("pending_reviews")};
        const QString countTable = m_store.isPostgres()
            ? QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema ="
                             " 'public' AND table_name = '%1'")
            : QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name ="
                             " '%1'");
        for (const QString &table : tables)
            QCOMPARE(raw.scalar(countTable.arg(table)).toInt(), 1);
        if (m_store.isPostgres()) {
            QCOMPARE(raw.scalar(QStringLiteral("SELECT version FROM signalbox_schema")).toInt(),
                     latestSchemaVersion());
            return;
        }
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), latestSchemaVersion());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
    }

    void eachMigrationFromThePreviousVersion()
    {
        // PostgreSQL's first migration starts from nothing (version 0).
        int before = 0;
        QString file;
        for (const Migration &migration : schemaMigrations(engine())) {
            file = fresh("step");
            DatabaseOptions previous;
            previous.migrateTo = m_store.isPostgres() ? before : migration.version - 1;
            auto db = Database::open(file, previous);
            QVERIFY2(db.ok(), qPrintable(db.error().message));
            QCOMPARE((*db)->schemaVersion(), previous.migrateTo);
            QVERIFY(migrateSchema(**db, migration.version).ok());
            QCOMPARE((*db)->schemaVersion(), migration.version);
            before = migration.version;
        }
        QCOMPARE(before, latestSchemaVersion());
        // Opening an up-to-date store again changes nothing.
        auto again = Database::open(file);
        QVERIFY(again.ok());
        QCOMPARE((*again)->schemaVersion(), latestSchemaVersion());
        if (!m_store.isPostgres()) {
            RawConnection raw(file);
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                     QStringLiteral("ok"));
        }
    }

    // Two connections opening one new store at once: one migrates, the
    // other waits for the write lock and finds it done.
    void twoConnectionsMigrateANewStoreOnce()
    {
        const QString location = fresh("together");
        std::atomic<int> failures = 0;
        auto open = [&] {
            auto db = Database::open(location);
            if (!db || (*db)->schemaVersion() != latestSchemaVersion())
                ++failures;
        };
        std::unique_ptr<QThread> a(QThread::create(open));
        std::unique_ptr<QThread> b(QThread::create(open));
        a->start();
        b->start();
        QVERIFY(a->wait(60000) && b->wait(60000));
        QCOMPARE(failures.load(), 0);
    }

    void inputsAndOutputsKeepTheirIndexesAfterMigration4()
    {
        // Records made before migration 4 are found through its indexes,
        // which hold only their side's records, and still go with their
        // node execution.
        SQLITE_ONLY("PostgreSQL stores begin at schema 10");
        const QString file = fresh("io_indexes");
        QString graphExecId;
        QString nodeExecId;
        {
            DatabaseOptions version3;
            version3.migrateTo = 3;
            auto db = Database::open(file, version3);
            QVERIFY(db.ok());
            GraphRepository graphs(**db);
            QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
            ExecutionRepository executions(**db, nullptr);
            // The execution as version 3 holds it, with its starting node's input.
            graphExecId = QStringLiteral("run-before-4");
            QVERIFY((*db)->execute(QStringLiteral("INSERT INTO graph_executions (id, user_id,"
                                                  " graph_id, graph_version, status, created_at,"
                                                  " updated_at) VALUES ('%1', '%2', 'g-small', 1,"
                                                  " 'RUNNING', 1, 1)")
                                       .arg(graphExecId, userId()))
                        .ok());
            addNodeInput(executions, graphExecId, QStringLiteral("in"), QStringLiteral("value"),
                         QStringLiteral("Ada"));
            nodeExecId = addNodeInput(executions, graphExecId, QStringLiteral("tpl"),
                                      QStringLiteral("values_#_who"), QStringLiteral("Ada"));
            QVERIFY(addNodeOutput(executions, nodeExecId, QStringLiteral("output"),
                                  QStringLiteral("Hi Ada")));
        }
        auto db = Database::open(file);
        QVERIFY(db.ok());
        QCOMPARE((*db)->schemaVersion(), latestSchemaVersion());
        ExecutionRepository executions(**db, nullptr);
        auto node = nodeExecutionById(executions, nodeExecId);
        QVERIFY(node.ok() && node->has_value());
        QCOMPARE(Model::toJson((*node)->inputData), QByteArray(R"({"values_#_who":"Ada"})"));
        QCOMPARE(Model::toJson((*node)->outputData), QByteArray(R"({"output":["Hi Ada"]})"));
        {
            RawConnection raw(file);
            const auto entries = [&](const char *index) {
                return raw
                    .scalar(QStringLiteral("SELECT count(*) FROM node_execution_io INDEXED BY %1"
                                           " WHERE %2 IS NOT NULL")
                                .arg(QLatin1String(index),
                                     QLatin1String(qstrcmp(index, "node_execution_io_inputs") == 0
                                                       ? "input_exec_id"
                                                       : "output_exec_id")))
                    .toInt();
            };
            // The starting node's input, tpl's input; tpl's output.
            QCOMPARE(entries("node_execution_io_inputs"), 2);
            QCOMPARE(entries("node_execution_io_outputs"), 1);
            QVERIFY(raw.scalar(QStringLiteral("SELECT sql FROM sqlite_schema WHERE name ="
                                              " 'node_execution_io_outputs'"))
                        .toString()
                        .endsWith(QStringLiteral("WHERE output_exec_id IS NOT NULL")));
        }
        QVERIFY(executions.deleteGraphExecution(graphExecId, userId(), false).ok());
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM node_execution_io")).toInt(), 0);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                 QStringLiteral("ok"));
    }

    void pragmasPerConnection()
    {
        SQLITE_ONLY("PRAGMA");
        auto db = Database::open(fresh("pragmas"));
        QVERIFY(db.ok());
        auto fk = (*db)->prepare(QStringLiteral("PRAGMA foreign_keys"));
        QVERIFY(fk.ok());
        QVERIFY((*fk)->exec() && (*fk)->next());
        QCOMPARE((*fk)->value(0).toInt(), 1);
        (*fk)->finish();
        auto sync = (*db)->prepare(QStringLiteral("PRAGMA synchronous"));
        QVERIFY((*sync)->exec() && (*sync)->next());
        QCOMPARE((*sync)->value(0).toInt(), 2); // FULL
        (*sync)->finish();
    }

    void newerSchemaIsRefused()
    {
        const QString file = fresh("newer");
        {
            QVERIFY(Database::open(file).ok());
        }
        {
            RawConnection raw(file);
            QVERIFY(raw.exec(m_store.isPostgres()
                                 ? QStringLiteral("UPDATE signalbox_schema SET version = 999")
                                 : QStringLiteral("PRAGMA user_version = 999")));
        }
        auto db = Database::open(file);
        QVERIFY(!db.ok());
        QCOMPARE(db.error().code, ErrorCode::Storage);
        QVERIFY2(db.error().message.contains(file), qPrintable(db.error().message));
        QVERIFY(db.error().message.contains(QStringLiteral("made by a newer Signalbox")));
    }

    void openErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("mustExist");
        QTest::addColumn<QString>("cause");
        QTest::newRow("missing folder")
            << QStringLiteral("no/such/folder/x.db") << false << QStringLiteral("does not exist");
        QTest::newRow("missing file") << QStringLiteral("absent.db") << true
                                      << QStringLiteral("the database file does not exist");
        QTest::newRow("not a database") << QStringLiteral("garbage.db") << false
                                        << QStringLiteral("the file is not a database");
        QTest::newRow("a folder") << QStringLiteral("adir") << false
                                  << QStringLiteral("this is a folder");
    }

    void openErrors()
    {
        SQLITE_ONLY("files");
        QFETCH(QString, file);
        QFETCH(bool, mustExist);
        QFETCH(QString, cause);
        {
            QFile garbage(path(QStringLiteral("garbage.db")));
            QVERIFY(garbage.open(QIODevice::WriteOnly));
            garbage.write(QByteArray(8192, 'z'));
        }
        QDir(m_store.folder()).mkpath(QStringLiteral("adir"));
        DatabaseOptions options;
        if (mustExist)
            options.mode = DatabaseOptions::OpenMode::MustExist;
        auto db = Database::open(path(file), options);
        QVERIFY(!db.ok());
        QCOMPARE(db.error().code, ErrorCode::Storage);
        QVERIFY2(db.error().message.startsWith(
                     QStringLiteral("database %1").arg(QFileInfo(path(file)).absoluteFilePath())),
                 qPrintable(db.error().message));
        QVERIFY2(db.error().message.contains(cause), qPrintable(db.error().message));
        QVERIFY(!QFile::exists(path(QStringLiteral("absent.db"))));
    }

    // What a PostgreSQL location may not be, and a server that is not there.
    void postgresOpenErrors_data()
    {
        QTest::addColumn<QString>("location");
        QTest::addColumn<QString>("cause");
        QTest::newRow("password") << QStringLiteral("postgresql://ann:secret@127.0.0.1/db")
                                  << QStringLiteral("must not hold a password");
        QTest::newRow("password option")
            << QStringLiteral("postgresql://ann@127.0.0.1/db?password=secret")
            << QStringLiteral("must not hold a password");
        QTest::newRow("no database") << QStringLiteral("postgresql://ann@127.0.0.1")
                                     << QStringLiteral("expected postgresql://");
        // A port nothing listens on (the server's own, plus one).
        QTest::newRow("unreachable") << QStringLiteral("postgresql://signalbox@127.0.0.1:1/db")
                                     << QStringLiteral("while connecting");
    }

    void postgresOpenErrors()
    {
        QFETCH(QString, location);
        QFETCH(QString, cause);
        DatabaseOptions options;
        options.busyTimeoutMs = 2000;
        auto db = Database::open(location, options);
        QVERIFY(!db.ok());
        QCOMPARE(db.error().code, ErrorCode::Storage);
        QVERIFY2(db.error().message.startsWith(QStringLiteral("database postgresql://")),
                 qPrintable(db.error().message));
        QVERIFY2(db.error().message.contains(cause), qPrintable(db.error().message));
        // A password never reaches a message.
        QVERIFY2(!db.error().message.contains(QStringLiteral("secret")),
                 qPrintable(db.error().message));
    }

    // A server that asks for a password gets the one the provider keeps
    // (the keychain, in the program), and only then; none is written into
    // a message.
    void aPasswordComesFromTheProviderWhenTheServerAsks()
    {
        if (!m_store.isPostgres())
            QSKIP("PostgreSQL only: a server that asks for a password");
        const QString location = fresh("guarded");
        const QString name = QUrl(location).path().mid(1);
        QString why;
        QVERIFY2(m_store.server()->requirePassword(QStringLiteral("guard"),
                                                   QStringLiteral("s3cret-word"), name, &why),
                 qPrintable(why));
        QUrl url(location);
        url.setUserName(QStringLiteral("guard"));
        const QString guarded = url.toString();

        auto refused = Database::open(guarded);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("password")),
                 qPrintable(refused.error().message));

        QStringList asked;
        Database::setPasswordProvider([&asked](const QString &at) {
            asked.append(at);
            return QStringLiteral("wrong-word");
        });
        auto wrong = Database::open(guarded);
        QVERIFY(!wrong.ok());
        QVERIFY(!wrong.error().message.contains(QStringLiteral("wrong-word")));
        QCOMPARE(asked, QStringList {guarded});

        Database::setPasswordProvider(
            [](const QString &) { return QStringLiteral("s3cret-word"); });
        auto opened = Database::open(guarded);
        QVERIFY2(opened.ok(), qPrintable(opened.error().message));
        QCOMPARE((*opened)->schemaVersion(), latestSchemaVersion());
        // A server that does not ask is not given one: the provider is not called.
        asked.clear();
        Database::setPasswordProvider([&asked](const QString &at) {
            asked.append(at);
            return QString();
        });
        QVERIFY(Database::open(location).ok());
        QVERIFY(asked.isEmpty());
        Database::setPasswordProvider({});
    }

    void readOnlyDatabase()
    {
        const QString file = fresh("readonly");
        {
            auto db = Database::open(file);
            QVERIFY(db.ok());
            GraphRepository graphs(**db);
            QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
        }
        DatabaseOptions options;
        options.readOnly = true;
        auto db = Database::open(file, options);
        QVERIFY2(db.ok(), qPrintable(db.error().message));
        GraphRepository graphs(**db);
        auto changed = smallGraph();
        changed.name = QStringLiteral("Changed");
        auto saved = graphs.saveGraph(changed, userId());
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, ErrorCode::Storage);
        QVERIFY2(saved.error().message.contains(QStringLiteral("the database is read-only")),
                 qPrintable(saved.error().message));
        QVERIFY(saved.error().message.contains(file));
        // Reading still works and nothing was lost.
        auto list = graphs.listGraphs();
        QVERIFY(list.ok());
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().name, QStringLiteral("Small"));
    }

    void fullDatabaseLeavesNoHalfWrittenTransaction()
    {
        SQLITE_ONLY("a size limit in pages");
        const QString file = fresh("full");
        qint64 pages = 0;
        {
            auto db = Database::open(file);
            QVERIFY(db.ok());
            GraphRepository graphs(**db);
            QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
            auto count = (*db)->prepare(QStringLiteral("PRAGMA page_count"));
            QVERIFY((*count)->exec() && (*count)->next());
            pages = (*count)->value(0).toLongLong();
            (*count)->finish();
        }
        DatabaseOptions options;
        options.maxPageCount = pages + 4;
        auto db = Database::open(file, options);
        QVERIFY(db.ok());
        ExecutionRepository executions(**db, nullptr);
        NewGraphExecution request;
        request.graphId = QStringLiteral("g-small");
        request.graphVersion = 1;
        request.userId = userId();
        // Far more input data than four pages hold.
        request.startingNodesInput.append(
            {QStringLiteral("in"), {{QStringLiteral("value"), QString(200000, QLatin1Char('x'))}}});
        auto created = executions.createGraphExecution(request);
        QVERIFY(!created.ok());
        QCOMPARE(created.error().code, ErrorCode::Storage);
        QVERIFY2(created.error().message.contains(QStringLiteral("full")),
                 qPrintable(created.error().message));

        // Nothing of the failed execution remains; the graph is intact.
        GraphExecutionFilter all;
        auto count = executions.countGraphExecutions(all);
        QVERIFY(count.ok());
        QCOMPARE(*count, 0);
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM node_executions")).toInt(), 0);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM nodes")).toInt(), 3);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                 QStringLiteral("ok"));

        // A small write still fits afterwards: the connection is usable.
        request.startingNodesInput
            = {{QStringLiteral("in"), {{QStringLiteral("value"), QStringLiteral("ok")}}}};
        QVERIFY(executions.createGraphExecution(request).ok());
    }

    void lockedDatabaseIsAClearError()
    {
        const QString file = fresh("locked");
        {
            QVERIFY(Database::open(file).ok());
        }
        auto holder = Database::open(file);
        QVERIFY(holder.ok());
        QVERIFY((*holder)->begin().ok());

        DatabaseOptions options;
        options.busyTimeoutMs = 200;
        auto db = Database::open(file, options);
        QVERIFY(db.ok());
        GraphRepository graphs(**db);
        auto saved = graphs.saveGraph(smallGraph(), userId());
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().code, ErrorCode::Storage);
        QVERIFY2(saved.error().message.contains(QStringLiteral("locked")),
                 qPrintable(saved.error().message));
        (*holder)->rollback();
        QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
    }

    void twoThreadsWriteWithTheirOwnConnections()
    {
        const QString file = fresh("threads");
        {
            auto db = Database::open(file);
            QVERIFY(db.ok());
            GraphRepository graphs(**db);
            QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
        }
        constexpr int kPerThread = 300;
        std::atomic<int> failures = 0;
        QStringList errors;
        QMutex errorsMutex;
        auto work = [&]() {
            auto db = Database::open(file);
            if (!db) {
                ++failures;
                return;
            }
            ExecutionRepository executions(**db, nullptr);
            for (int i = 0; i < kPerThread; ++i) {
                NewGraphExecution request;
                request.graphId = QStringLiteral("g-small");
                request.graphVersion = 1;
                request.userId = userId();
                request.startingNodesInput.append(
                    {QStringLiteral("in"), {{QStringLiteral("value"), i}}});
                auto created = executions.createGraphExecution(request);
                // A second node execution with its input, as the store writer writes it.
                const QString nodeExecId = Model::createTimeOrderedUuid();
                Result<void> input = created
                    ? executions.insertNodeExecution(nodeExecId, created->meta.id,
                                                     QStringLiteral("tpl"), kTemplateBlock,
                                                     QDateTime::currentMSecsSinceEpoch())
                    : Result<void>(created.error());
                if (input)
                    input = executions.insertExecutionInput(
                        Model::createTimeOrderedUuid(), nodeExecId, QStringLiteral("values_#_who"),
                        i, QDateTime::currentMSecsSinceEpoch());
                if (!created || !input) {
                    ++failures;
                    QMutexLocker lock(&errorsMutex);
                    errors.append(!created ? created.error().message : input.error().message);
                }
            }
        };
        std::unique_ptr<QThread> a(QThread::create(work));
        std::unique_ptr<QThread> b(QThread::create(work));
        a->start();
        b->start();
        QVERIFY(a->wait(60000));
        QVERIFY(b->wait(60000));
        QVERIFY2(failures == 0, qPrintable(errors.join(QLatin1Char('\n'))));
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM graph_executions")).toInt(),
                 2 * kPerThread);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM node_executions")).toInt(),
                 4 * kPerThread);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
