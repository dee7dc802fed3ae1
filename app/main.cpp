// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("signalbox"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SIGNALBOX_VERSION));

    // The command line reports every error itself, on stderr; the store's
    // warnings are for the desktop log.
    QLoggingCategory::setFilterRules(QStringLiteral("signalbox.*.warning=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList arguments = QCoreApplication::arguments();
    if (!Signalbox::App::isCliCommand(arguments)) {
        // The desktop application arrives with the UI; until then, help.
        arguments = {arguments.value(0), QStringLiteral("--help")};
    }
    return Signalbox::App::runCli(arguments, out, err);
}
