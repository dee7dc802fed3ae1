// SPDX-License-Identifier: GPL-3.0-or-later
// Processor time a virtual machine's host gave to others while this
// machine's processors were ready to run ("steal" in /proc/stat). A run
// that the host interrupts is slow through no fault of its own; the engine
// benchmarks print how much of it fell within each run they time.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QList>

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

} // namespace Signalbox::Bench
