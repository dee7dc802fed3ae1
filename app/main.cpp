// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"
#include "desktop.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (!Signalbox::App::isCliCommand(arguments))
        return Signalbox::App::runDesktop(argc, argv);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("signalbox"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SIGNALBOX_VERSION));

    // The command line reports every error itself, on stderr; the store's
    // warnings are for the desktop log.
    QLoggingCategory::setFilterRules(QStringLiteral("signalbox.*.warning=false"));

    QTextStream out(stdout);
    QTextStream err(stderr);
    return Signalbox::App::runCli(QCoreApplication::arguments(), out, err);
}
