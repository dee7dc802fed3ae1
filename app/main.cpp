// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"
#include "desktop.h"

#include "engine/credentials/secretstore.h"
#include "engine/store/database.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

int main(int argc, char *argv[])
{
    // A team database's password, where its server asks for one that
    // PGPASSFILE (or ~/.pgpass) does not hold, comes from the keychain.
    Signalbox::Engine::Database::setPasswordProvider([](const QString &location) {
        auto store = Signalbox::Engine::secretStoreFromEnvironment(location);
        if (!store)
            return QString();
        auto secret = (*store)->read(Signalbox::Engine::databasePasswordKey(location));
        return secret ? QString::fromUtf8(*secret) : QString();
    });
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
