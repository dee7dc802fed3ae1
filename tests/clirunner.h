// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs the real `signalbox` program (SIGNALBOX_BINARY) for tests.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace Signalbox::Testing {

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
    QJsonObject json() const { return QJsonDocument::fromJson(out.toUtf8()).object(); }
    // The first value the output block `name` received, as `run --json` prints it.
    QString firstOutput(const char *name) const
    {
        return json()
            .value(QLatin1String("outputs"))
            .toObject()
            .value(QLatin1String(name))
            .toArray()
            .at(0)
            .toString();
    }
};

// Runs signalbox with `arguments` and waits up to `timeoutMs` for it; with a
// `prefix` (e.g. setpriv ...), runs it through that program. Exit code -1
// when it crashed or did not finish.
inline CliRun signalbox(const QStringList &arguments, const QStringList &prefix = {},
                        int timeoutMs = 30000, const QByteArray &input = {},
                        const QProcessEnvironment &environment
                        = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    const QString program = prefix.isEmpty() ? QStringLiteral(SIGNALBOX_BINARY) : prefix.first();
    QStringList args = prefix.isEmpty() ? QStringList() : prefix.mid(1);
    if (!prefix.isEmpty())
        args.append(QStringLiteral(SIGNALBOX_BINARY));
    args.append(arguments);
    process.start(program, args);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// Writes the countdown test graph (tests/data/graphs/countdown.sbx.json)
// counting down `seconds` into `folder` as long-countdown.sbx.json; its path,
// or nothing when it could not be written.
inline QString writeLongCountdown(const QString &folder, int seconds)
{
    QFile source(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/countdown.sbx.json"));
    if (!source.open(QIODevice::ReadOnly))
        return {};
    const QString path = folder + QStringLiteral("/long-countdown.sbx.json");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    const QByteArray longer = QByteArray("\"seconds\": ") + QByteArray::number(seconds);
    file.write(source.readAll().replace("\"seconds\": 2", longer));
    return path;
}

// The id of the newest execution in `db` (of one status, when given), or
// nothing yet.
inline QString newestExecution(const QString &db, const QString &status = {})
{
    QStringList arguments {QStringLiteral("executions"), QStringLiteral("list"),
                           QStringLiteral("--db"), db, QStringLiteral("--json")};
    if (!status.isEmpty())
        arguments += {QStringLiteral("--status"), status};
    const QJsonArray list
        = signalbox(arguments).json().value(QLatin1String("executions")).toArray();
    return list.isEmpty() ? QString() : list.at(0).toObject().value(QLatin1String("id")).toString();
}

} // namespace Signalbox::Testing
