// SPDX-License-Identifier: GPL-3.0-or-later
//
// Team mode through the real program: `signalbox --db postgresql://...`
// against a PostgreSQL server that this test starts (tests/pgserver.h).
#include <QJsonArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QTest>

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
    void initTestCase()
    {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            QSKIP("Qt's QPSQL driver is not installed (Debian package libqt6sql6-psql)");
        QString why;
        bool skip = false;
        if (!m_server.start(&why, &skip)) {
            if (skip)
                QSKIP(qPrintable(why));
            QFAIL(qPrintable(why));
        }
    }

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
