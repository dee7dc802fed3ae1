// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

#include <unistd.h>

#include <memory>

namespace Signalbox::Testing {

// A PostgreSQL server of Debian's postgresql package, for one test: a new
// cluster in a temporary folder (initdb), on a free port of 127.0.0.1 and a
// socket in that folder, trusted for its superuser "signalbox", stopped and
// removed when this goes. As root, the server runs as "nobody" (PostgreSQL
// refuses to run as root), through setpriv.
class PostgresServer
{
public:
    PostgresServer() = default;
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;
    ~PostgresServer() { stop(); }

    // Where initdb and pg_ctl are (the newest installed version), or empty.
    static QString binDir()
    {
        QDir versions(QStringLiteral("/usr/lib/postgresql"));
        QStringList found = versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        std::sort(found.begin(), found.end(),
                  [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
        for (const QString &version : std::as_const(found)) {
            const QString bin = versions.filePath(version + QStringLiteral("/bin"));
            if (QFile::exists(bin + QStringLiteral("/initdb")) && QFile::exists(bin + QStringLiteral("/pg_ctl")))
                return bin;
        }
        return {};
    }

    // Starts the server. False with `why` when it cannot: `skip` is set
    // when the reason is a missing package, not a failure.
    bool start(QString *why, bool *skip)
    {
        *skip = false;
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
            *skip = true;
            *why = QStringLiteral("Qt's QPSQL driver is not installed (Debian package "
                                  "libqt6sql6-psql)");
            return false;
        }
        const QString bin = binDir();
        if (bin.isEmpty()) {
            *skip = true;
            *why = QStringLiteral("Debian's postgresql package is not installed (no initdb under "
                                  "/usr/lib/postgresql)");
            return false;
        }
        m_bin = bin;
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid()) {
            *why = QStringLiteral("cannot make a temporary folder");
            return false;
        }
        if (geteuid() == 0) {
            const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
            if (setpriv.isEmpty()) {
                *skip = true;
                *why = QStringLiteral("running as root without setpriv: PostgreSQL will not run as root");
                return false;
            }
            m_asUser = {setpriv, QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                        QStringLiteral("--clear-groups")};
            if (::chown(QFile::encodeName(m_dir->path()).constData(), 65534, 65534) != 0) {
                *why = QStringLiteral("cannot give the temporary folder to nobody");
                return false;
            }
        }
        {
            // A free port: the kernel's pick, released for the server.
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                *why = QStringLiteral("no free port on 127.0.0.1");
                return false;
            }
            m_port = probe.serverPort();
        }
        if (!run(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), user(),
                  QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                  QStringLiteral("--no-sync"), QStringLiteral("--locale=C")},
                 why))
            return false;
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 "
                                               "-c fsync=off -c full_page_writes=off")
                                    .arg(m_port)
                                    .arg(m_dir->path());
        if (!run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("-D"), dataDir(), QStringLiteral("-o"), options, QStringLiteral("-l"),
                  m_dir->filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
                  QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
                 why))
            return false;
        m_running = true;
        return true;
    }

    // Stops it at once (the tests' data is thrown away).
    bool stop()
    {
        if (!m_running)
            return true;
        m_running = false;
        QString why;
        return run(QStringLiteral("pg_ctl"),
                   {QStringLiteral("-D"), dataDir(), QStringLiteral("-m"), QStringLiteral("immediate"),
                    QStringLiteral("-w"), QStringLiteral("stop")},
                   &why);
    }

    // Makes a new, empty database `name` (lower-case letters, digits, '_').
    bool createDatabase(const QString &name, QString *why)
    {
        const QString connection = QStringLiteral("pgserver-admin");
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(host());
            db.setPort(port());
            db.setUserName(user());
            db.setDatabaseName(database());
            QSqlQuery query(db);
            ok = db.open() && query.exec(QStringLiteral("CREATE DATABASE %1").arg(name));
            if (!ok)
                *why = (db.isOpen() ? query.lastError() : db.lastError()).text();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        return ok;
    }

    // Makes `role` with `password`, allowed into `database`, and has the
    // server ask it for the password on 127.0.0.1 (SCRAM).
    bool requirePassword(const QString &role, const QString &password, const QString &database,
                         QString *why)
    {
        const QString connection = QStringLiteral("pgserver-roles");
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(host());
            db.setPort(port());
            db.setUserName(user());
            db.setDatabaseName(database);
            QSqlQuery query(db);
            ok = db.open()
                && query.exec(
                    QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(role, password))
                && query.exec(QStringLiteral("GRANT ALL ON SCHEMA public TO %1").arg(role));
            if (ok) {
                QFile hba(dataDir() + QStringLiteral("/pg_hba.conf"));
                QByteArray rules;
                ok = hba.open(QIODevice::ReadOnly);
                if (ok) {
                    rules = QStringLiteral("host all %1 127.0.0.1/32 scram-sha-256\n")
                                .arg(role)
                                .toUtf8()
                        + hba.readAll();
                    hba.close();
                    ok = hba.open(QIODevice::WriteOnly | QIODevice::Truncate)
                        && hba.write(rules) == rules.size();
                    hba.close();
                }
                ok = ok && query.exec(QStringLiteral("SELECT pg_reload_conf()"));
            }
            if (!ok)
                *why = (db.isOpen() ? query.lastError() : db.lastError()).text();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        return ok;
    }

    // The location Signalbox opens for database `name` of this server.
    QString location(const QString &name) const
    {
        return QStringLiteral("postgresql://%1@%2:%3/%4").arg(user(), host()).arg(m_port).arg(name);
    }

    bool isRunning() const { return m_running; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    int port() const { return m_port; }
    static QString user() { return QStringLiteral("signalbox"); }
    static QString database() { return QStringLiteral("postgres"); }
    // The server's log, for a failing test to show.
    QString log() const
    {
        QFile file(m_dir ? m_dir->filePath(QStringLiteral("server.log")) : QString());
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

private:
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }

    bool run(const QString &tool, const QStringList &arguments, QString *why)
    {
        QProcess process;
        QStringList command = m_asUser;
        command.append(m_bin + QLatin1Char('/') + tool);
        command.append(arguments);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.setWorkingDirectory(m_dir->path());
        process.start(command.first(), command.mid(1));
        if (!process.waitForFinished(90000) || process.exitStatus() != QProcess::NormalExit
            || process.exitCode() != 0) {
            *why = QStringLiteral("%1 failed: %2").arg(tool, QString::fromLocal8Bit(process.readAll()));
            return false;
        }
        return true;
    }

    QString m_bin;
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_asUser;
    int m_port = 0;
    bool m_running = false;
};

} // namespace Signalbox::Testing

// Starts `object` (a PostgresServer, or anything with its start()) in a
// test function: skips saying why when only a package is missing, fails
// otherwise.
#define SIGNALBOX_START_OR_SKIP(object)                                                            \
    do {                                                                                           \
        QString why_;                                                                              \
        bool skip_ = false;                                                                        \
        if (!(object).start(&why_, &skip_)) {                                                      \
            if (skip_)                                                                             \
                QSKIP(qPrintable(why_));                                                           \
            QFAIL(qPrintable(why_));                                                               \
        }                                                                                          \
    } while (false)
