// SPDX-License-Identifier: GPL-3.0-or-later
//
// Team mode through the real program: `signalbox --db postgresql://...`
// against a PostgreSQL server that this test starts (tests/pgserver.h).
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>

#include <QTest>
#include <array>
#include <memory>

#include "clirunner.h"
#include "examplegraph.h"
#include "pgserver.h"

using namespace Signalbox;
using Testing::CliRun;
using Testing::PostgresServer;
using Testing::signalbox;

// The command line's exit codes (DESIGN §6).
constexpr int kCompleted = 0;
constexpr int kPaused = 3;
constexpr int kConflict = 5;
constexpr int kStorage = 6;

class TestTeamMode : public QObject
{
    Q_OBJECT

private:
    // A `signalbox worker` process on `db`, with leases of 2 s.
    class Worker
    {
    public:
        explicit Worker(const QString &db)
        {
            m_process.setProcessChannelMode(QProcess::SeparateChannels);
            m_process.start(QStringLiteral(SIGNALBOX_BINARY),
                            {QStringLiteral("worker"), QStringLiteral("--db"), db,
                             QStringLiteral("--lease-seconds"), QStringLiteral("2"),
                             QStringLiteral("--threads"), QStringLiteral("2")});
            m_process.waitForStarted();
        }
        ~Worker()
        {
            m_process.kill();
            m_process.waitForFinished();
        }
        // Whether it has printed `line` so far.
        bool said(const QString &line)
        {
            m_out += QString::fromUtf8(m_process.readAllStandardOutput());
            return m_out.contains(line + QLatin1Char('\n'));
        }
        // How often it has printed `line`.
        int times(const QString &line)
        {
            said(line);
            return int(m_out.count(line + QLatin1Char('\n')));
        }
        void kill()
        {
            m_process.kill(); // SIGKILL: no clean-up at all
            m_process.waitForFinished();
        }

    private:
        QProcess m_process;
        QString m_out;
    };

    // in -> three 1-second waits -> out
    static QString writeChainGraph(const QString &folder)
    {
        const QString wait = QStringLiteral("d67a9c52-5e4e-11e2-bcfd-0800200c9a71");
        QJsonArray nodes {
            QJsonObject {{QStringLiteral("id"), QStringLiteral("in")},
                         {QStringLiteral("block_id"),
                          QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b")},
                         {QStringLiteral("input_default"),
                          QJsonObject {{QStringLiteral("name"), QStringLiteral("msg")}}}},
            QJsonObject {{QStringLiteral("id"), QStringLiteral("out")},
                         {QStringLiteral("block_id"),
                          QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4")},
                         {QStringLiteral("input_default"),
                          QJsonObject {{QStringLiteral("name"), QStringLiteral("said")}}}}};
        QJsonArray links;
        QString previous = QStringLiteral("in");
        QString pin = QStringLiteral("result");
        for (int i = 1; i <= 3; ++i) {
            const QString id = QStringLiteral("wait%1").arg(i);
            nodes.append(QJsonObject {
                {QStringLiteral("id"), id},
                {QStringLiteral("block_id"), wait},
                {QStringLiteral("input_default"), QJsonObject {{QStringLiteral("seconds"), 1}}}});
            links.append(
                QJsonObject {{QStringLiteral("source_id"), previous},
                             {QStringLiteral("source_name"), pin},
                             {QStringLiteral("sink_id"), id},
                             {QStringLiteral("sink_name"), QStringLiteral("input_message")}});
            previous = id;
            pin = QStringLiteral("output_message");
        }
        links.append(QJsonObject {{QStringLiteral("source_id"), previous},
                                  {QStringLiteral("source_name"), pin},
                                  {QStringLiteral("sink_id"), QStringLiteral("out")},
                                  {QStringLiteral("sink_name"), QStringLiteral("value")}});
        const QJsonObject graph {{QStringLiteral("id"), QStringLiteral("relay-of-waits")},
                                 {QStringLiteral("name"), QStringLiteral("Relay of waits")},
                                 {QStringLiteral("nodes"), nodes},
                                 {QStringLiteral("links"), links}};
        QFile file(folder + QStringLiteral("/relay.sbx.json"));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        return file.fileName();
    }

    // in -> Persist Information ("memo") -> out
    static QString writePersistGraph(const QString &folder)
    {
        const QJsonObject graph {
            {QStringLiteral("id"), QStringLiteral("keep-a-memo")},
            {QStringLiteral("name"), QStringLiteral("Keep a memo")},
            {QStringLiteral("nodes"),
             QJsonArray {
                 QJsonObject {{QStringLiteral("id"), QStringLiteral("in")},
                              {QStringLiteral("block_id"),
                               QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b")},
                              {QStringLiteral("input_default"),
                               QJsonObject {{QStringLiteral("name"), QStringLiteral("msg")}}}},
                 QJsonObject {{QStringLiteral("id"), QStringLiteral("keep")},
                              {QStringLiteral("block_id"),
                               QStringLiteral("1d055e55-a2b9-4547-8311-907d05b0304d")},
                              {QStringLiteral("input_default"),
                               QJsonObject {{QStringLiteral("key"), QStringLiteral("memo")}}}},
                 QJsonObject {{QStringLiteral("id"), QStringLiteral("out")},
                              {QStringLiteral("block_id"),
                               QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4")},
                              {QStringLiteral("input_default"),
                               QJsonObject {{QStringLiteral("name"), QStringLiteral("kept")}}}}}},
            {QStringLiteral("links"),
             QJsonArray {QJsonObject {{QStringLiteral("source_id"), QStringLiteral("in")},
                                      {QStringLiteral("source_name"), QStringLiteral("result")},
                                      {QStringLiteral("sink_id"), QStringLiteral("keep")},
                                      {QStringLiteral("sink_name"), QStringLiteral("value")}},
                         QJsonObject {{QStringLiteral("source_id"), QStringLiteral("keep")},
                                      {QStringLiteral("source_name"), QStringLiteral("value")},
                                      {QStringLiteral("sink_id"), QStringLiteral("out")},
                                      {QStringLiteral("sink_name"), QStringLiteral("value")}}}}};
        QFile file(folder + QStringLiteral("/memo.sbx.json"));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(graph).toJson());
        return file.fileName();
    }

    // A query on the server's database of `location`, as an outsider.
    template<typename Read>
    static void query(const QString &location, const QString &sql, const QString &run, Read read)
    {
        const QUrl url(location);
        const QString name = QStringLiteral("look-%1").arg(quintptr(&read));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(url.host());
            db.setPort(url.port());
            db.setUserName(url.userName());
            db.setDatabaseName(url.path().mid(1));
            if (db.open()) {
                QSqlQuery q(db);
                q.prepare(sql);
                q.addBindValue(run);
                if (q.exec()) {
                    while (q.next())
                        read(q);
                }
            }
        }
        QSqlDatabase::removeDatabase(name);
    }

    static int completedNodes(const QString &location, const QString &run)
    {
        int count = 0;
        query(location,
              QStringLiteral("SELECT count(*) FROM node_executions WHERE graph_exec_id = ?"
                             " AND status = 'COMPLETED'"),
              run, [&count](QSqlQuery &q) { count = q.value(0).toInt(); });
        return count;
    }

    // Each node's executions' statuses.
    static QMap<QString, QStringList> nodeStatuses(const QString &location, const QString &run)
    {
        QMap<QString, QStringList> statuses;
        query(location,
              QStringLiteral("SELECT node_id, status FROM node_executions WHERE graph_exec_id = ?"
                             " ORDER BY node_id, added_at"),
              run, [&statuses](QSqlQuery &q) {
                  statuses[q.value(0).toString()].append(q.value(1).toString());
              });
        return statuses;
    }

    PostgresServer m_server;
    int m_databases = 0;

    // A new, empty team database's location.
    QString newDatabase()
    {
        const QString name = QStringLiteral("team_%1").arg(++m_databases);
        QString why;
        if (!m_server.createDatabase(name, &why))
            qFatal("cannot create %s: %s", qPrintable(name), qPrintable(why));
        return m_server.location(name);
    }

    static QString said(const CliRun &run)
    {
        return QStringLiteral("exit %1\n%2\n%3").arg(run.exitCode).arg(run.out, run.err);
    }

private Q_SLOTS:
    void initTestCase() { SIGNALBOX_START_OR_SKIP(m_server); }

    // A run pauses at its review in one process; other processes list the
    // review, decide it and see the run complete, all in the server's
    // database; the audit log kept there is intact.
    void theCommandLineRunsAndReviewsOnAPostgresDatabase()
    {
        const QString db = newDatabase();
        CliRun run = signalbox({QStringLiteral("run"), Testing::kExampleGraph,
                                QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == kPaused, qPrintable(said(run)));
        const QString exec = run.json().value(QLatin1String("execution_id")).toString();
        QVERIFY(!exec.isEmpty());

        run = signalbox({QStringLiteral("reviews"), QStringLiteral("list"), QStringLiteral("--db"),
                         db, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        const QJsonArray reviews = run.json().value(QLatin1String("reviews")).toArray();
        QCOMPARE(reviews.size(), 1);
        const QJsonObject review = reviews.at(0).toObject();
        QCOMPARE(review.value(QLatin1String("graph_exec_id")).toString(), exec);
        const QString id = review.value(QLatin1String("node_exec_id")).toString();

        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
        QCOMPARE(run.firstOutput("greeting"), QStringLiteral("Hello, World! Welcome aboard."));

        // Deciding again with the other decision is a conflict, as on SQLite.
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--reject"), QStringLiteral("--db"), db});
        QVERIFY2(run.exitCode == kConflict, qPrintable(said(run)));

        run = signalbox({QStringLiteral("executions"), QStringLiteral("show"), exec,
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));

        run = signalbox({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"),
                         db});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QVERIFY2(run.out.contains(QStringLiteral("intact")), qPrintable(said(run)));
    }

    // Two workers share a queue; one is killed (SIGKILL) while it runs a
    // run, ten times over. The other takes each run over once the lease runs
    // out and completes it from where it was: every node completes exactly
    // once, and the outputs are those of a run that was never interrupted.
    void aRunGoesOnOnAnotherWorkerWhenItsWorkerIsKilled()
    {
        QTemporaryDir dir;
        const QString graph = writeChainGraph(dir.path());
        QVERIFY(!graph.isEmpty());
        // The outputs of an uninterrupted run, in a database of its own.
        CliRun reference = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                      QStringLiteral("msg=relay"), QStringLiteral("--db"),
                                      newDatabase(), QStringLiteral("--json")});
        QVERIFY2(reference.exitCode == kCompleted, qPrintable(said(reference)));
        const QJsonValue expected = reference.json().value(QLatin1String("outputs"));

        const QString db = newDatabase();
        // The graph is stored once, so that the workers' first look finds it.
        QVERIFY(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), graph,
                           QStringLiteral("--db"), db})
                    .exitCode
                == kCompleted);
        std::array<std::unique_ptr<Worker>, 2> workers {std::make_unique<Worker>(db),
                                                        std::make_unique<Worker>(db)};
        QList<qint64> takeovers;
        for (int round = 0; round < 10; ++round) {
            const CliRun queued
                = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                             QStringLiteral("msg=relay"), QStringLiteral("--queue"),
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
            QVERIFY2(queued.exitCode == kCompleted, qPrintable(said(queued)));
            const QString run = queued.json().value(QLatin1String("execution_id")).toString();
            QCOMPARE(queued.json().value(QLatin1String("status")).toString(),
                     QStringLiteral("QUEUED"));
            // One worker takes it; it is killed while the second wait runs.
            int taker = -1;
            QTRY_VERIFY_WITH_TIMEOUT((taker = workers[0]->said(QStringLiteral("claimed ") + run) ? 0
                                          : workers[1]->said(QStringLiteral("claimed ") + run)   ? 1
                                                                                               : -1)
                                         >= 0,
                                     10000);
            QTRY_VERIFY_WITH_TIMEOUT(completedNodes(db, run) >= 2, 10000);
            workers[taker]->kill();
            QElapsedTimer clock;
            clock.start();
            Worker &other = *workers[1 - taker];
            QTRY_VERIFY_WITH_TIMEOUT(other.said(QStringLiteral("finished %1 COMPLETED").arg(run)),
                                     30000);
            takeovers.append(clock.elapsed());
            // The outputs, and one COMPLETED execution per node.
            const CliRun shown
                = signalbox({QStringLiteral("executions"), QStringLiteral("show"), run,
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
            QCOMPARE(shown.json().value(QLatin1String("status")).toString(),
                     QStringLiteral("COMPLETED"));
            QCOMPARE(shown.json().value(QLatin1String("outputs")), expected);
            const QMap<QString, QStringList> statuses = nodeStatuses(db, run);
            QCOMPARE(statuses.size(), 5);
            for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
                QVERIFY2(
                    it.value() == QStringList {QStringLiteral("COMPLETED")},
                    qPrintable(it.key() + QLatin1String(": ") + it.value().join(QLatin1Char(','))));
            // A new worker stands in for the killed one.
            workers[taker] = std::make_unique<Worker>(db);
        }
        std::sort(takeovers.begin(), takeovers.end());
        qInfo("10 kills: the other worker completed each run %lld to %lld ms after the kill "
              "(median %lld ms; leases of 2 s)",
              takeovers.first(), takeovers.last(), takeovers.at(takeovers.size() / 2));
    }

    // A run that a worker runs is stopped from another process (standing in
    // for another machine): the worker ends it TERMINATED.
    void aWorkersRunIsStoppedFromElsewhere()
    {
        QTemporaryDir dir;
        const QString graph = writeChainGraph(dir.path());
        const QString db = newDatabase();
        Worker worker(db);
        const CliRun queued = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                         QStringLiteral("msg=halt"), QStringLiteral("--queue"),
                                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY2(queued.exitCode == kCompleted, qPrintable(said(queued)));
        const QString run = queued.json().value(QLatin1String("execution_id")).toString();
        QTRY_VERIFY_WITH_TIMEOUT(worker.said(QStringLiteral("claimed ") + run), 10000);
        const CliRun stopped = signalbox({QStringLiteral("stop"), run, QStringLiteral("--db"), db});
        QVERIFY2(stopped.exitCode == 0, qPrintable(said(stopped)));
        QTRY_VERIFY_WITH_TIMEOUT(worker.said(QStringLiteral("finished %1 TERMINATED").arg(run)),
                                 10000);
        const CliRun shown = signalbox({QStringLiteral("executions"), QStringLiteral("show"), run,
                                        QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(),
                 QStringLiteral("TERMINATED"));
        // Off the queue: no worker takes it up again.
        QTest::qWait(1000);
        QCOMPARE(worker.times(QStringLiteral("claimed ") + run), 1);
    }

    // A user's SQLite store moves to a team database: graphs, runs,
    // node data, key-value data, reviews and the audit log arrive, counted
    // on both sides; the paused run is decided there and completes, and the
    // audit log verifies. A database that is not empty is refused.
    void aFileIsCopiedToATeamDatabaseAndGoesOnThere()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mine.db"));
        const QString persist = writePersistGraph(dir.path());
        CliRun run = signalbox({QStringLiteral("run"), persist, QStringLiteral("--input"),
                                QStringLiteral("msg=kept"), QStringLiteral("--db"), file});
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
        run = signalbox({QStringLiteral("run"), Testing::kExampleGraph, QStringLiteral("--db"),
                         file, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == kPaused, qPrintable(said(run)));
        const QString paused = run.json().value(QLatin1String("execution_id")).toString();

        const QString team = newDatabase();
        run = signalbox({QStringLiteral("db"), QStringLiteral("copy"), QStringLiteral("--from"),
                         file, QStringLiteral("--to"), team, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
        QMap<QString, qint64> copied;
        for (const QJsonValue &entry : run.json().value(QLatin1String("tables")).toArray()) {
            const QJsonObject table = entry.toObject();
            QCOMPARE(table.value(QLatin1String("target_rows")).toInteger(),
                     table.value(QLatin1String("source_rows")).toInteger());
            copied.insert(table.value(QLatin1String("table")).toString(),
                          table.value(QLatin1String("target_rows")).toInteger());
        }
        QCOMPARE(copied.value(QStringLiteral("graphs")), 2);
        QCOMPARE(copied.value(QStringLiteral("graph_executions")), 2);
        QCOMPARE(copied.value(QStringLiteral("execution_kv")), 1);
        QCOMPARE(copied.value(QStringLiteral("pending_reviews")), 1);
        QVERIFY(copied.value(QStringLiteral("node_execution_io")) > 0);
        QVERIFY(copied.value(QStringLiteral("audit_log")) > 0);

        // The paused run goes on in the team database.
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("list"), QStringLiteral("--db"),
                         team, QStringLiteral("--json")});
        const QJsonArray waiting = run.json().value(QLatin1String("reviews")).toArray();
        QCOMPARE(waiting.size(), 1);
        QCOMPARE(waiting.at(0).toObject().value(QLatin1String("graph_exec_id")).toString(), paused);
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"),
                         waiting.at(0).toObject().value(QLatin1String("node_exec_id")).toString(),
                         QStringLiteral("--approve"), QStringLiteral("--db"), team,
                         QStringLiteral("--json")});
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
        run = signalbox(
            {QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--db"), team});
        QVERIFY2(run.exitCode == 0 && run.out.contains(QStringLiteral("intact")),
                 qPrintable(said(run)));

        run = signalbox({QStringLiteral("db"), QStringLiteral("copy"), QStringLiteral("--from"),
                         file, QStringLiteral("--to"), team});
        QCOMPARE(run.exitCode, kConflict);
        QVERIFY2(run.err.contains(QStringLiteral("is not empty")), qPrintable(said(run)));
    }

    // A server that asks for a password: `db password` keeps it (here in the
    // encrypted file, as this machine has no keychain), and the program
    // gives it when the server asks.
    void thePasswordKeptForALocationIsGivenWhenTheServerAsks()
    {
        const QString open = newDatabase();
        QUrl url(open);
        QString why;
        QVERIFY2(m_server.requirePassword(QStringLiteral("keeper"), QStringLiteral("kept-word"),
                                          url.path().mid(1), &why),
                 qPrintable(why));
        url.setUserName(QStringLiteral("keeper"));
        const QString db = url.toString();
        QTemporaryDir dir;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SIGNALBOX_SECRET_STORE"), QStringLiteral("file"));
        environment.insert(QStringLiteral("SIGNALBOX_SECRETS_FILE"),
                           dir.filePath(QStringLiteral("team.secrets")));
        environment.insert(QStringLiteral("SIGNALBOX_SECRETS_PASSPHRASE"), QStringLiteral("pass"));
        const QStringList list {QStringLiteral("executions"), QStringLiteral("list"),
                                QStringLiteral("--db"), db};
        CliRun run = signalbox(list, {}, 30000, {}, environment);
        QCOMPARE(run.exitCode, kStorage);
        QVERIFY2(run.err.contains(QStringLiteral("no password supplied")), qPrintable(said(run)));
        run = signalbox(
            {QStringLiteral("db"), QStringLiteral("password"), QStringLiteral("--db"), db}, {},
            30000, "kept-word\n", environment);
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
        QVERIFY(!run.out.contains(QStringLiteral("kept-word")));
        run = signalbox(list, {}, 30000, {}, environment);
        QVERIFY2(run.exitCode == kCompleted, qPrintable(said(run)));
    }

    // `signalbox --db postgresql://...` opens the desktop on that server's
    // database, not on a file named after the location.
    void theDesktopOpensTheTeamDatabaseItIsGiven()
    {
        const QString team = newDatabase();
        const QString name = QUrl(team).path().mid(1);
        QTemporaryDir dir;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        environment.insert(QStringLiteral("HOME"), dir.path());
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"),
                           dir.filePath(QStringLiteral("config")));
        environment.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
        QProcess desktop;
        desktop.setProcessEnvironment(environment);
        desktop.setWorkingDirectory(dir.path());
        desktop.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        desktop.start(QStringLiteral(SIGNALBOX_BINARY), {QStringLiteral("--db"), team});
        QVERIFY(desktop.waitForStarted());
        const auto connections = [&] {
            int count = 0;
            query(team,
                  QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
                                 " AND application_name = 'signalbox'"),
                  name, [&count](QSqlQuery &q) { count = q.value(0).toInt(); });
            return count;
        };
        const bool connected = QTest::qWaitFor([&] { return connections() > 0; }, 20000);
        const QStringList made
            = QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        desktop.kill();
        desktop.waitForFinished();
        QVERIFY2(connected, "the desktop never connected to the team database");
        QVERIFY2(!made.contains(QStringLiteral("postgresql:")),
                 qPrintable(made.join(QLatin1Char(' '))));
    }

    // A password never goes into a location: refused before any connection,
    // and not repeated in the message.
    void aLocationWithAPasswordIsRefused()
    {
        const QString db = QStringLiteral("postgresql://%1:hunter2@%2:%3/postgres")
                               .arg(PostgresServer::user(), m_server.host())
                               .arg(m_server.port());
        const CliRun run = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                                      QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, kStorage);
        QVERIFY2(run.err.contains(QStringLiteral("must not hold a password")), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("hunter2")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestTeamMode)
#include "tst_teammode.moc"
