// SPDX-License-Identifier: GPL-3.0-or-later
// Fills a store with 10,000 runs and 1,000,000 node executions (one run holds
// 100,000 of them), then prints how long the desktop app's runs list takes
// to open, to turn a page, and to open the biggest run, as text and as one
// JSON line.
//
//   monitor_load [RUNS] [NODE_EXECUTIONS]   (QT_QPA_PLATFORM=offscreen or X)
#include "engine/blocks/blockregistry.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/uuid.h"
#include "ui/executionspanel.h"
#include "ui/graphlayouter.h"
#include "ui/mainwindow.h"
#include "engine/service/servicethread.h"
#include "ui/rundetails.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>
#include <cstdlib>

using namespace Signalbox;

namespace {

template<typename T> T check(Result<T> result)
{
    if (!result) {
        std::fprintf(stderr, "%s\n", qPrintable(result.error().text()));
        std::exit(1);
    }
    return std::move(result.value());
}

void check(Result<void> result)
{
    if (!result) {
        std::fprintf(stderr, "%s\n", qPrintable(result.error().text()));
        std::exit(1);
    }
}

double msSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const int runCount = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 10000;
    const int nodeExecCount = argc > 2 ? QString::fromLocal8Bit(argv[2]).toInt() : 1000000;
    const int biggest = nodeExecCount / 10;
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    const QString path = dir.filePath(QStringLiteral("monitor.db"));
    auto registry = check(Engine::BlockRegistry::builtin());

    QElapsedTimer fill;
    fill.start();
    QString biggestRun;
    {
        auto db = check(Engine::Database::open(path));
        Engine::GraphRepository graphs(*db);
        Engine::ExecutionRepository executions(*db, registry.get());
        Model::Graph graph;
        graph.id = QStringLiteral("monitor-bench");
        graph.name = QStringLiteral("Monitor benchmark");
        graph.nodes.append({QStringLiteral("a"),
                            QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9"),
                            {},
                            {},
                            {}});
        check(graphs.saveGraph(graph, QString(Model::kDefaultUserId)));
        // Each run starts with one node execution; the rest are added below.
        QStringList runs;
        Engine::WriteTransaction transaction(*db);
        check(transaction.begin());
        for (int i = 0; i < runCount; ++i) {
            Engine::NewGraphExecution request;
            request.graphId = graph.id;
            request.graphVersion = 1;
            request.userId = QString(Model::kDefaultUserId);
            request.startingNodesInput = {{QStringLiteral("a"), {}}};
            runs.append(check(executions.createGraphExecution(request)).meta.id);
        }
        check(transaction.commit());
        biggestRun = runs.first();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        int left = nodeExecCount - runCount;
        int inBatch = 0;
        Engine::WriteTransaction batch(*db);
        check(batch.begin());
        for (int i = 0; left > 0; ++i, --left) {
            // The first run takes the big share, the others the rest evenly.
            const QString &run = i < biggest - 1 ? biggestRun : runs.at(1 + (i % (runCount - 1)));
            check(executions.insertNodeExecution(
                Model::createTimeOrderedUuid(), run, QStringLiteral("a"),
                QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9"), now + i));
            if (++inBatch == 20000) {
                check(batch.commit());
                check(batch.begin());
                inBatch = 0;
            }
        }
        check(batch.commit());
    }
    const double fillMs = msSince(fill);

    const auto layouter = Ui::createDefaultLayouter();
    Ui::MainWindowContext context;
    context.registry = registry;
    context.layouter = layouter.get();
    context.settings.databasePath = path;
    // The window reads through its service, off the GUI thread: each figure
    // is the time until the answer is on screen.
    QElapsedTimer timer;
    timer.start();
    Ui::MainWindow window(context);
    window.show();
    Ui::ExecutionsPanel *panel = window.executionsPanel();
    const auto firstShown = [panel] {
        return panel->model()->index(0, 0).data(Ui::ExecutionsModel::ExecutionIdRole).toString();
    };
    const auto waitUntil = [](const std::function<bool()> &done) {
        while (!done())
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 5);
    };
    waitUntil([&] { return !firstShown().isEmpty(); });
    const double openMs = msSince(timer);
    auto *older = panel->findChildren<QPushButton *>().last();
    const int pageTurns = 20;
    timer.start();
    for (int i = 0; i < pageTurns; ++i) {
        const QString before = firstShown();
        older->click();
        waitUntil([&] { return firstShown() != before; });
    }
    const double pageMs = msSince(timer) / pageTurns;
    // Open the biggest run as the app does: read off the GUI thread, while
    // the event loop keeps turning (its longest gap is measured).
    qint64 biggestRows = 0;
    double biggestMs = 0;
    double longestStallMs = 0;
    {
        auto db = check(Engine::Database::open(path));
        Engine::ExecutionRepository executions(*db, registry.get());
        const auto meta
            = check(executions.graphExecutionMeta(QString(Model::kDefaultUserId), biggestRun));
        timer.start();
        auto *details = new Ui::RunDetails(window.service(), *meta, QStringLiteral("Monitor benchmark"),
                                           {{QStringLiteral("a"), QStringLiteral("Store Value")}},
                                           {}, &window);
        details->show();
        bool done = false;
        QObject::connect(details, &Ui::RunDetails::loaded, [&] { done = true; });
        QElapsedTimer tick;
        tick.start();
        while (!done) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            longestStallMs = std::max(longestStallMs, msSince(tick));
            tick.start();
        }
        biggestMs = msSince(timer);
        biggestRows = details->model()->rowCount();
    }
    std::printf("monitor_load: %d runs, %d node executions (the biggest run has %lld)\n", runCount,
                nodeExecCount, static_cast<long long>(biggestRows));
    std::printf("  fill the store: %.1f s\n", fillMs / 1000);
    std::printf("  open the window until the runs list shows (first page of %d): %.1f ms\n",
                Ui::ExecutionsPanel::kPageSize, openMs);
    std::printf("  turn a page (older, mean of %d): %.1f ms, now on page %d\n", pageTurns, pageMs,
                panel->page());
    std::printf("  open the biggest run (node executions with their data, timeline): %.0f ms; "
                "longest event-loop gap meanwhile %.0f ms\n",
                biggestMs, longestStallMs);
    const QJsonObject result {
        {QStringLiteral("bench"), QStringLiteral("monitor_load")},
        {QStringLiteral("runs"), runCount},
        {QStringLiteral("node_executions"), nodeExecCount},
        {QStringLiteral("open_list_ms"), qRound(openMs * 10) / 10.0},
        {QStringLiteral("page_ms"), qRound(pageMs * 10) / 10.0},
        {QStringLiteral("biggest_run_rows"), biggestRows},
        {QStringLiteral("biggest_run_ms"), qRound(biggestMs)},
        {QStringLiteral("biggest_run_longest_stall_ms"), qRound(longestStallMs)},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
