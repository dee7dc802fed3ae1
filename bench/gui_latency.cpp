// SPDX-License-Identifier: GPL-3.0-or-later
//
// How late the GUI thread serves a 1 ms timer while an engine runs a large
// graph (a chain of N StoreValue nodes), and how fast the run goes:
//   engine      the executor alone on the main thread, as engine_throughput
//               runs it (no timer): the reference rate
//   gui-thread  the executor on the GUI thread, the timer beside it (how the
//               desktop ran runs before it had a service thread)
//   desktop     the main window's own service, on its thread, with the
//               window shown and following the store's changes
//
//   gui_latency [NODES=100000] [THREADS=2]
//
// The three runs go back to back on one database. Without a display the
// window is drawn offscreen.
#include "benchgraphs.h"

#include "engine/executor/executor.h"
#include "engine/service/servicethread.h"
#include "ui/graphlayouter.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Signalbox;
using namespace Signalbox::Bench;

namespace {

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "gui_latency: %s\n", qPrintable(message));
    std::exit(1);
}

// A 1 ms timer on the calling thread: how late each tick came.
class LatenessProbe
{
public:
    LatenessProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_lateness.append(double(now - m_last) / 1e6 - 1.0);
            m_last = now;
        });
    }
    void start()
    {
        m_lateness.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    QJsonObject figures() const
    {
        QList<double> sorted = m_lateness;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&sorted](double share) {
            return sorted.isEmpty()
                ? 0.0
                : sorted.at(qMin(sorted.size() - 1, qsizetype(sorted.size() * share)));
        };
        return {{QStringLiteral("ticks"), sorted.size()},
                {QStringLiteral("late_p50_ms"), qRound(at(0.5) * 100) / 100.0},
                {QStringLiteral("late_p99_ms"), qRound(at(0.99) * 100) / 100.0},
                {QStringLiteral("late_max_ms"), qRound((sorted.isEmpty() ? 0 : sorted.last()) * 100) / 100.0}};
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    QList<double> m_lateness;
};

struct Run
{
    double seconds = 0;
    qint64 nodes = 0;
    QJsonObject lateness;
    double rate() const { return seconds > 0 ? nodes / seconds : 0; }
};

// Times one run of the chain: `begin(request, started)` starts it, now or
// later, and calls `started` with its id; the run ends with `sender`'s
// runFinished. The probe, if any, watches this thread meanwhile.
template<typename Sender, typename Begin>
Run timeRun(Sender *sender, const QString &graphId, int nodes, LatenessProbe *probe,
            const Begin &begin)
{
    QEventLoop loop;
    QString startedId;
    Model::ExecutionStatus status = Model::ExecutionStatus::Running;
    QObject::connect(sender, &Sender::runFinished, &loop,
                     [&](const QString &id, Model::ExecutionStatus s) {
                         if (id == startedId) {
                             status = s;
                             loop.quit();
                         }
                     });
    Engine::RunRequest request;
    request.graphId = graphId;
    request.inputs.insert(QStringLiteral("x"), 1);
    if (probe)
        probe->start();
    QElapsedTimer clock;
    clock.start();
    begin(request, [&startedId](Result<QString> id) {
        if (!id)
            die(id.error().text());
        startedId = *id;
    });
    loop.exec();
    Run run {double(clock.nsecsElapsed()) / 1e9, nodes, {}};
    if (probe) {
        probe->stop();
        run.lateness = probe->figures();
    }
    if (status != Model::ExecutionStatus::Completed)
        die(QStringLiteral("the run ended %1").arg(Model::statusName(status)));
    return run;
}

// Runs the graph on an executor of this thread, with or without the probe.
Run onThisThread(const QString &path, std::shared_ptr<const Engine::BlockRegistry> registry,
                 const QString &graphId, int nodes, int threads, LatenessProbe *probe)
{
    Engine::EventBus events;
    Engine::Executor executor(path, registry, &events, threads);
    if (auto opened = executor.open(); !opened)
        die(opened.error().text());
    return timeRun(&executor, graphId, nodes, probe,
                   [&executor](const Engine::RunRequest &request, const auto &started) {
                       started(executor.start(request));
                   });
}

// Runs the graph on the main window's service while the window is shown.
Run inTheDesktop(Ui::MainWindow &window, const QString &graphId, int nodes, LatenessProbe &probe)
{
    Engine::ServiceThread *service = window.service();
    return timeRun(service->service(), graphId, nodes, &probe,
                   [service, &window](const Engine::RunRequest &request, const auto &started) {
                       service->call(
                           &window,
                           [request](Engine::RunService &runs) { return runs.start(request); },
                           started);
                   });
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int count = args.size() > 1 ? args.at(1).toInt() : 100000;
    const int threads = args.size() > 2 ? args.at(2).toInt() : 2;
    QTemporaryDir temporary;
    // The window's settings stay out of the user's.
    qputenv("XDG_CONFIG_HOME", temporary.filePath(QStringLiteral("config")).toUtf8());
    const QString path = temporary.filePath(QStringLiteral("gui_latency.db"));

    auto registry = Engine::BlockRegistry::builtin();
    if (!registry)
        die(registry.error().text());
    {
        auto db = Engine::Database::open(path);
        if (!db)
            die(db.error().text());
        Engine::GraphRepository graphs(**db);
        for (const char *name : {"engine", "gui-thread", "desktop"}) {
            if (auto saved = graphs.saveGraph(chain(QLatin1String(name), count),
                                              QString(Model::kDefaultUserId));
                !saved)
                die(saved.error().text());
        }
    }
    LatenessProbe probe;
    const Run engine = onThisThread(path, *registry, QStringLiteral("engine"), count, threads, nullptr);
    const Run guiThread
        = onThisThread(path, *registry, QStringLiteral("gui-thread"), count, threads, &probe);

    const auto layouter = Ui::createDefaultLayouter();
    Ui::MainWindowContext context;
    context.registry = *registry;
    context.layouter = layouter.get();
    context.settings.databasePath = path;
    context.settings.threads = threads;
    Ui::MainWindow window(context);
    window.show();
    {
        QEventLoop ready;
        QObject::connect(&window, &Ui::MainWindow::serviceReady, &ready, [&](const QString &error) {
            if (!error.isEmpty())
                die(error);
            ready.quit();
        });
        ready.exec();
    }
    const Run desktop = inTheDesktop(window, QStringLiteral("desktop"), count, probe);

    std::printf("gui_latency: a chain of %d nodes, %d threads\n", count, threads);
    std::printf("  engine alone (as engine_throughput): %.1f s = %.0f node executions/s\n",
                engine.seconds, engine.rate());
    for (const auto &[name, run] : {std::pair {"engine on the GUI thread", guiThread},
                                    std::pair {"desktop (service thread)", desktop}}) {
        std::printf("  %s: %.1f s = %.0f node executions/s (%.0f %% of the engine alone); "
                    "1 ms timer late p50 %.2f ms, p99 %.2f ms, max %.2f ms over %lld ticks\n",
                    name, run.seconds, run.rate(), 100.0 * run.rate() / engine.rate(),
                    run.lateness.value(QLatin1String("late_p50_ms")).toDouble(),
                    run.lateness.value(QLatin1String("late_p99_ms")).toDouble(),
                    run.lateness.value(QLatin1String("late_max_ms")).toDouble(),
                    static_cast<long long>(run.lateness.value(QLatin1String("ticks")).toInteger()));
    }
    const auto figures = [&engine](const Run &run) {
        QJsonObject object = run.lateness;
        object.insert(QStringLiteral("seconds"), qRound(run.seconds * 100) / 100.0);
        object.insert(QStringLiteral("node_execs_per_s"), qRound64(run.rate()));
        object.insert(QStringLiteral("share_of_engine"), qRound(1000 * run.rate() / engine.rate()) / 1000.0);
        return object;
    };
    const QJsonObject line {
        {QStringLiteral("bench"), QStringLiteral("gui_latency")},
        {QStringLiteral("nodes"), count},
        {QStringLiteral("threads"), threads},
        {QStringLiteral("engine_node_execs_per_s"), qRound64(engine.rate())},
        {QStringLiteral("gui_thread"), figures(guiThread)},
        {QStringLiteral("desktop"), figures(desktop)},
    };
    std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    return 0;
}
