// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs the real `signalbox` program (SIGNALBOX_BINARY) for tests.
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
                        int timeoutMs = 30000)
{
    QProcess process;
    const QString program = prefix.isEmpty() ? QStringLiteral(SIGNALBOX_BINARY) : prefix.first();
    QStringList args = prefix.isEmpty() ? QStringList() : prefix.mid(1);
    if (!prefix.isEmpty())
        args.append(QStringLiteral(SIGNALBOX_BINARY));
    args.append(arguments);
    process.start(program, args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace Signalbox::Testing
