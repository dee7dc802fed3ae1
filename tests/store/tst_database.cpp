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

#include <atomic>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;

namespace {

// A plain connection for looking at the file from outside the store.
class RawConnection
{
public:
    explicit RawConnection(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(quintptr(this)))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
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
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void migrationFromAnEmptyFile()
    {
        const QString file = path(QStringLiteral("empty.db"));
        QFile touch(file);
        QVERIFY(touch.open(QIODevice::WriteOnly));
        touch.close();
        {
            auto db = Database::open(file);
            QVERIFY2(db.ok(), qPrintable(db.error().message));
            QCOMPARE((*db)->schemaVersion(), latestSchemaVersion());
        }
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), latestSchemaVersion());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
        const QStringList tables
            = {QStringLiteral("graphs"),          QStringLiteral("nodes"),
               QStringLiteral("links"),           QStringLiteral("graph_executions"),
               QStringLiteral("node_executions"), QStringLiteral("node_execution_io"),
               QStringLiteral("execution_kv"),    QStringLiteral("pending_reviews")};
        for (const QString &table : tables) {
            QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = "
                                               "'table' AND name = '%1'")
                                    .arg(table))
                         .toInt(),
                     1);
        }
    }

    void eachMigrationFromThePreviousVersion()
    {
        for (const Migration &migration : schemaMigrations()) {
            const QString file = path(QStringLiteral("step-%1.db").arg(migration.version));
            DatabaseOptions previous;
            previous.migrateTo = migration.version - 1;
            auto db = Database::open(file, previous);
            QVERIFY2(db.ok(), qPrintable(db.error().message));
            QCOMPARE((*db)->schemaVersion(), migration.version - 1);
            QVERIFY(migrateSchema(**db, migration.version).ok());
            QCOMPARE((*db)->schemaVersion(), migration.version);
        }
        // Opening an up-to-date file again changes nothing.
        const QString file = path(QStringLiteral("step-%1.db").arg(latestSchemaVersion()));
        auto again = Database::open(file);
        QVERIFY(again.ok());
        QCOMPARE((*again)->schemaVersion(), latestSchemaVersion());
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                 QStringLiteral("ok"));
    }

    void inputsAndOutputsKeepTheirIndexesAfterMigration4()
    {
        // Records made before migration 4 are found through its indexes,
        // which hold only their side's records, and still go with their
        // node execution.
        const QString file = path(QStringLiteral("io-indexes.db"));
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
        auto db = Database::open(path(QStringLiteral("pragmas.db")));
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
        const QString file = path(QStringLiteral("newer.db"));
        {
            QVERIFY(Database::open(file).ok());
        }
        {
            RawConnection raw(file);
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 999")));
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
        QFETCH(QString, file);
        QFETCH(bool, mustExist);
        QFETCH(QString, cause);
        {
            QFile garbage(path(QStringLiteral("garbage.db")));
            QVERIFY(garbage.open(QIODevice::WriteOnly));
            garbage.write(QByteArray(8192, 'z'));
        }
        QDir(m_dir.path()).mkpath(QStringLiteral("adir"));
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

    void readOnlyDatabase()
    {
        const QString file = path(QStringLiteral("readonly.db"));
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
        const QString file = path(QStringLiteral("full.db"));
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
        const QString file = path(QStringLiteral("locked.db"));
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
        const QString file = path(QStringLiteral("threads.db"));
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
