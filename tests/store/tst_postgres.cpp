// SPDX-License-Identifier: GPL-3.0-or-later
//
// The PostgreSQL server the team-mode tests start for themselves: a real
// server of Debian's postgresql package, reached through Qt's QPSQL driver.
#include "pgserver.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>

using namespace Signalbox::Testing;

class TestPostgres : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aServerStartsOnLoopbackAnswersAndStops()
    {
        PostgresServer server;
        SIGNALBOX_START_OR_SKIP(server);
        QVERIFY(server.port() > 0);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("pg"));
            db.setHostName(server.host());
            db.setPort(server.port());
            db.setUserName(PostgresServer::user());
            db.setDatabaseName(PostgresServer::database());
            QVERIFY2(db.open(), qPrintable(db.lastError().text() + server.log()));
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("SELECT current_setting('server_version_num')::int,"
                                              " inet_server_addr()::text")));
            QVERIFY(query.next());
            // PostgreSQL 15 or later, listening on 127.0.0.1 only.
            QVERIFY2(query.value(0).toInt() >= 150000, qPrintable(query.value(0).toString()));
            QCOMPARE(query.value(1).toString(), QStringLiteral("127.0.0.1/32"));
            QVERIFY(query.exec(QStringLiteral("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)")));
            QVERIFY(query.exec(QStringLiteral("INSERT INTO t VALUES ('a', 1) ON CONFLICT (id) DO NOTHING")));
            QVERIFY(query.exec(QStringLiteral("SELECT n FROM t WHERE id = 'a' FOR UPDATE SKIP LOCKED")));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 1);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("pg"));
        // Stopped, nothing listens on its port any more.
        const int port = server.port();
        QVERIFY(server.stop());
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
        QVERIFY(!socket.waitForConnected(1000));
    }
};

QTEST_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"
