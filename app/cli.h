// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QTextStream>

namespace Signalbox::App {

// Exit codes of the headless command line (DESIGN §6).
enum ExitCode {
    ExitCompleted = 0,
    ExitFailed = 1,
    ExitBadInput = 2,
    ExitPaused = 3,
    ExitTerminated = 4,
    ExitConflict = 5,
    ExitStorage = 6,
};

// True when the arguments name a headless command (graphs, executions, ...).
bool isCliCommand(const QStringList &arguments);

// Runs one headless command; `arguments` include the program name. Results go
// to `out` (text, or one JSON object with --json); errors go to `err`.
int runCli(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace Signalbox::App
