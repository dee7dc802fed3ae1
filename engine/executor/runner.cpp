// SPDX-License-Identifier: GPL-3.0-or-later
#include "runner.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#endif

namespace Signalbox::Engine {

namespace {

#ifdef Q_OS_WIN
QString startOf(qint64 pid)
{
    HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid));
    if (!process)
        return {};
    FILETIME created, exited, kernel, user;
    QString started;
    DWORD code = 0;
    if (GetExitCodeProcess(process, &code) && code == STILL_ACTIVE
        && GetProcessTimes(process, &created, &exited, &kernel, &user)) {
        started = QString::number((quint64(created.dwHighDateTime) << 32)
                                  | created.dwLowDateTime);
    }
    CloseHandle(process);
    return started;
}

bool alive(qint64 pid)
{
    return !startOf(pid).isEmpty();
}
#else
// On Linux, the boot and the clock tick at which the process started;
// elsewhere nothing, and a process id is checked for life alone.
QString startOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    QFile boot(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    if (!stat.open(QIODevice::ReadOnly) || !boot.open(QIODevice::ReadOnly))
        return {};
    const QByteArray line = stat.readAll();
    // The command name, in parentheses, may hold spaces: fields are
    // counted from after its closing parenthesis (field 2); the start
    // time is field 22.
    const qsizetype close = line.lastIndexOf(')');
    if (close < 0)
        return {};
    const QList<QByteArray> fields = line.mid(close + 2).split(' ');
    if (fields.size() < 20)
        return {};
    return QString::fromLatin1(boot.readAll().trimmed() + '/' + fields.at(19));
}

bool alive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}
#endif

} // namespace

Runner Runner::thisProcess()
{
    const qint64 pid = QCoreApplication::applicationPid();
    return {QSysInfo::machineHostName(), pid, startOf(pid)};
}

QString Runner::toText() const
{
    if (pid <= 0)
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("host"), host},
                                                        {QStringLiteral("pid"), pid},
                                                        {QStringLiteral("started"), started}})
                                 .toJson(QJsonDocument::Compact));
}

Runner Runner::fromText(const QString &text)
{
    const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
    const qint64 pid = object.value(QLatin1String("pid")).toInteger();
    if (pid <= 0)
        return {};
    return {object.value(QLatin1String("host")).toString(), pid,
            object.value(QLatin1String("started")).toString()};
}

bool Runner::isThisProcess() const
{
    const Runner self = thisProcess();
    return pid == self.pid && host == self.host && started == self.started;
}

bool Runner::isAnotherLiveProcess() const
{
    if (pid <= 0 || isThisProcess())
        return false;
    if (host != QSysInfo::machineHostName())
        return true;
    if (!alive(pid))
        return false;
    // A process that started at another moment got the id later.
    return started.isEmpty() || startOf(pid) == started;
}

QString Runner::describe() const
{
    return QStringLiteral("process %1 on %2").arg(pid).arg(host);
}

} // namespace Signalbox::Engine
