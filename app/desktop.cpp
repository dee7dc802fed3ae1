// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop.h"

#include "engine/blocks/blockregistry.h"
#include "engine/store/database.h"
#include "ui/appearance.h"
#include "ui/grapheditor.h"
#include "ui/graphlayouter.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

namespace Signalbox::App {

int runDesktop(int &argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Signalbox"));
    QApplication::setApplicationName(QStringLiteral("signalbox"));
    QApplication::setDesktopFileName(QStringLiteral("io.signalbox.Signalbox"));
    QIcon icon;
    icon.addFile(QStringLiteral(":/signalbox/icons/signalbox-64.png"));
    icon.addFile(QStringLiteral(":/signalbox/icons/signalbox-256.png"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.signalbox.Signalbox"), icon));
    QApplication::setApplicationDisplayName(QStringLiteral("Signalbox"));
    QApplication::setApplicationVersion(QStringLiteral(SIGNALBOX_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Signalbox: build, run and review agent graphs."));
    const QCommandLineOption database(
        QStringLiteral("db"),
        QStringLiteral("The database to use: a file, or a team database's location"
                       " (postgresql://user@host:port/name)."),
        QStringLiteral("LOCATION"));
    parser.addOption(database);
    parser.addPositionalArgument(QStringLiteral("graphs"), QStringLiteral("Graphs to open."),
                                 QStringLiteral("[GRAPH.sbx.json...]"));
    parser.process(app);

    auto registry = Engine::BlockRegistry::builtin();
    if (!registry) {
        QMessageBox::critical(nullptr, QStringLiteral("Signalbox"), registry.error().text());
        return 1;
    }
    const std::unique_ptr<Ui::GraphLayouter> layouter = Ui::createDefaultLayouter();
    Ui::MainWindowContext context;
    context.registry = *registry;
    context.layouter = layouter.get();
    context.settings = Ui::AppSettings::load(QSettings());
    Ui::applyAppearance(context.settings.appearance);
    // A team database's location is a URL, kept as given; a file's is made
    // absolute, and its folder is made.
    if (parser.isSet(database)) {
        const QString given = parser.value(database);
        context.settings.databasePath
            = Engine::isPostgresLocation(given) ? given : QFileInfo(given).absoluteFilePath();
    }
    if (!Engine::isPostgresLocation(context.settings.databasePath))
        QDir().mkpath(QFileInfo(context.settings.databasePath).absolutePath());
    context.draftsFolder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/drafts");

    Ui::MainWindow window(std::move(context));
    window.show();
    const QStringList files = parser.positionalArguments();
    for (const QString &file : files)
        window.openFile(file);
    if (files.isEmpty())
        window.newGraph();
    QTimer::singleShot(0, &window, &Ui::MainWindow::offerRecovery);
    return app.exec();
}

} // namespace Signalbox::App
