// SPDX-License-Identifier: GPL-3.0-or-later
// What the engine benchmarks tell of the machine beside each run they time,
// so that a slow run can be told from a slow machine:
// - the processor time a virtual machine's host gave to others while this
//   machine's processors were ready to run ("steal" in /proc/stat);
// - how long one thread takes for a fixed piece of work of the engine's
//   kind (strings hashed into a table and looked up), measured right after
//   the run. On a machine of its own it hardly varies; on a shared host it
//   varies with what the host's other guests do, steal or not.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QList>
#include <QString>

#ifdef Q_OS_LINUX
#include <unistd.h>
#endif

namespace Signalbox::Bench {

// All processors' stolen time since boot in ms; -1 where the system does
// not tell.
inline qint64 stolenMs()
{
#ifdef Q_OS_LINUX
    QFile stat(QStringLiteral("/proc/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    // cpu  user nice system idle iowait irq softirq steal ...
    const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
    if (fields.size() < 9 || fields.at(0) != "cpu")
        return -1;
    bool ok = false;
    const qint64 ticks = fields.at(8).toLongLong(&ok);
    const long perSecond = sysconf(_SC_CLK_TCK);
    if (!ok || perSecond <= 0)
        return -1;
    return ticks * 1000 / perSecond;
#else
    return -1;
#endif
}

// The fixed work's time in ms.
inline double controlWorkMs()
{
    QElapsedTimer clock;
    clock.start();
    QHash<QString, qint64> table;
    qint64 sum = 0;
    for (int round = 0; round < 2; ++round) {
        table.clear();
        for (qint64 i = 0; i < 50000; ++i)
            table.insert(QString::number(i * 7919), i);
        for (qint64 i = 0; i < 50000; ++i)
            sum += table.value(QString::number(i * 7919));
    }
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    // Kept, so that the compiler cannot leave the work out.
    [[maybe_unused]] volatile qint64 kept = sum;
    return ms;
}

} // namespace Signalbox::Bench
