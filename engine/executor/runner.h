// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Signalbox::Engine {

// Which process runs an execution, as the store keeps it beside the
// execution: the host, the process id, and when that process started, so
// that a process id given to another program later is not taken for the
// one that ran it.
struct Runner
{
    QString host;
    qint64 pid = 0;
    QString started;

    static Runner thisProcess();
    // What the store keeps; empty for a runner with no process.
    QString toText() const;
    // A runner read back from the store; one with no process when the text
    // is not a runner's.
    static Runner fromText(const QString &text);

    bool isThisProcess() const;
    // Whether it is another process that still runs. A process on another
    // host cannot be looked at from here and counts as running.
    bool isAnotherLiveProcess() const;
    // "process 1234 on host".
    QString describe() const;
};

} // namespace Signalbox::Engine
