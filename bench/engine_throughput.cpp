// SPDX-License-Identifier: GPL-3.0-or-later
//
// Runs graphs of trivial blocks with full persistence in one process and
// prints node executions per second, the p50/p99 latency from a node's last
// input (its queue time) to its first output, and peak memory:
//   chain   a chain of N StoreValue nodes
//   fanout  1 -> N -> 1 through StepThroughItems (N at most 10,000, its limit)
//   grid    10 chains of N/10 nodes from one input
//
//   engine_throughput [NODES=1000] [THREADS=2] [DB_FOLDER=temporary]
//
// SIGNALBOX_BENCH_DB=postgresql://user@host/db runs it against that (new,
// empty) PostgreSQL database instead of a SQLite file.
//
// SIGNALBOX_BENCH_RUNS=N runs each graph N times in the process and reports
// the run of median speed, with the slowest and fastest rates beside it.
//
// Each run also reports what it can of the machine (bench/machine.h): on
// Linux the processor time a virtual machine's host took from the machine
// while the run lasted (steal_ms; 0 on a machine of its own), and everywhere
// how long one thread then took for a fixed piece of work (control_ms). A
// slow run with stolen time or a slow control says more about the machine
// than about the engine.
#include "benchgraphs.h"
#include "machine.h"

#include "engine/executor/executor.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Bench;

namespace {

struct Figures
{
    qint64 nodeExecutions = 0;
    double seconds = 0;
    double p50 = 0;
    double p99 = 0;
    // Processor time the host took while the run lasted; -1 when unknown.
    qint64 stolenMs = -1;
    // The fixed work's time, measured right after the run.
    double controlMs = 0;
    // Over all runs of the graph, when there were several.
    int runs = 1;
    double slowest = 0;
    double fastest = 0;
    double rate() const { return seconds > 0 ? nodeExecutions / seconds : 0; }
    QJsonObject json() const
    {
        QJsonObject object {{QStringLiteral("node_execs"), nodeExecutions},
                            {QStringLiteral("node_execs_per_s"), qRound64(rate())},
                            {QStringLiteral("p50_ms"), p50},
                            {QStringLiteral("p99_ms"), p99}};
        if (stolenMs >= 0)
            object.insert(QStringLiteral("steal_ms"), stolenMs);
        object.insert(QStringLiteral("control_ms"), qRound(controlMs * 10) / 10.0);
        if (runs > 1) {
            object.insert(QStringLiteral("runs"), runs);
            object.insert(QStringLiteral("min_node_execs_per_s"), qRound64(slowest));
            object.insert(QStringLiteral("max_node_execs_per_s"), qRound64(fastest));
        }
        return object;
    }
};

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "engine_throughput: %s\n", qPrintable(message));
    std::exit(1);
}

Figures measure(Executor &executor, Database &db, Model::Graph graph, Model::ValueMap inputs)
{
    GraphRepository graphs(db);
    if (auto saved = graphs.saveGraph(graph, QString(Model::kDefaultUserId)); !saved)
        die(saved.error().message);
    // The executor runs the graph from the store.
    const QString graphId = graph.id;
    graph = {};
    QEventLoop loop;
    QString finishedId;
    Model::ExecutionStatus status = Model::ExecutionStatus::Running;
    auto connection = QObject::connect(&executor, &Executor::runFinished, &loop,
                                       [&](const QString &id, Model::ExecutionStatus s) {
                                           finishedId = id;
                                           status = s;
                                           loop.quit();
                                       });
    RunRequest request;
    request.graphId = graphId;
    request.inputs = inputs;
    const qint64 stolenBefore = stolenMs();
    QElapsedTimer clock;
    clock.start();
    auto started = executor.start(request);
    if (!started)
        die(started.error().text());
    if (finishedId.isEmpty())
        loop.exec();
    Figures figures;
    figures.seconds = double(clock.nsecsElapsed()) / 1e9;
    if (const qint64 stolenAfter = stolenMs(); stolenBefore >= 0 && stolenAfter >= 0)
        figures.stolenMs = stolenAfter - stolenBefore;
    figures.controlMs = controlWorkMs();
    QObject::disconnect(connection);
    if (status != Model::ExecutionStatus::Completed)
        die(QStringLiteral("%1 ended %2").arg(graphId, Model::statusName(status)));

    QList<double> latencies;
    auto firstOutputs
        = db.prepare(QStringLiteral("SELECT ne.queued_at, min(io.time) FROM node_executions ne "
                                    "JOIN node_execution_io io ON io.output_exec_id = ne.id"
                                    " WHERE ne.graph_exec_id = ? GROUP BY ne.id"));
    (*firstOutputs)->addBindValue(*started);
    (*firstOutputs)->exec();
    while ((*firstOutputs)->next())
        latencies.append(double((*firstOutputs)->value(1).toLongLong()
                                - (*firstOutputs)->value(0).toLongLong()));
    (*firstOutputs)->finish();
    auto count = db.prepare(
        QStringLiteral("SELECT count(*) FROM node_executions WHERE graph_exec_id = ?"));
    (*count)->addBindValue(*started);
    (*count)->exec();
    (*count)->next();
    figures.nodeExecutions = (*count)->value(0).toLongLong();
    (*count)->finish();
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.isEmpty()) {
        figures.p50 = latencies.at(latencies.size() / 2);
        figures.p99 = latencies.at(qMin(latencies.size() - 1, qsizetype(latencies.size() * 0.99)));
    }
    return figures;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int count = args.size() > 1 ? args.at(1).toInt() : 1000;
    const int threads = args.size() > 2 ? args.at(2).toInt() : 2;
    QTemporaryDir temporary;
    // SIGNALBOX_BENCH_DB=postgresql://... measures against a new, empty
    // PostgreSQL database instead of a SQLite file.
    const QString team = qEnvironmentVariable("SIGNALBOX_BENCH_DB");
    const QString path = !team.isEmpty() ? team
                                         : (args.size() > 3 ? args.at(3) : temporary.path())
            + QStringLiteral("/engine_throughput.db");
    if (team.isEmpty())
        QFile::remove(path);

    auto registry = BlockRegistry::builtin();
    if (!registry)
        die(registry.error().message);
    auto db = Database::open(path);
    if (!db)
        die(db.error().message);
    EventBus events;
    Executor executor(path, *registry, &events, threads);
    if (auto opened = executor.open(); !opened)
        die(opened.error().message);

    Model::ValueMap one;
    one.insert(QStringLiteral("x"), 1);
    // StepThroughItems takes at most 10,000 items.
    Model::ValueList items;
    for (int i = 0; i < qMin(count, 10000); ++i)
        items.append(i);
    Model::ValueMap many;
    many.insert(QStringLiteral("items"), items);

    // SIGNALBOX_BENCH_ONLY=chain|fanout|grid runs one of them (for profiling).
    const QString only = qEnvironmentVariable("SIGNALBOX_BENCH_ONLY");
    const auto wanted = [&only](const char *name) {
        return only.isEmpty() || only == QLatin1String(name);
    };
    const int runs = qMax(1, qEnvironmentVariableIntValue("SIGNALBOX_BENCH_RUNS"));
    const auto repeated = [&](const char *name, const auto &build, const Model::ValueMap &inputs) {
        if (!wanted(name))
            return Figures();
        QList<Figures> all;
        for (int run = 1; run <= runs; ++run) {
            all.append(measure(executor, **db,
                               build(QStringLiteral("%1-%2").arg(QLatin1String(name)).arg(run)),
                               inputs));
            if (runs > 1)
                std::fprintf(stderr, "%s run %d: %.0f /s\n", name, run, all.last().rate());
        }
        std::sort(all.begin(), all.end(),
                  [](const Figures &a, const Figures &b) { return a.rate() < b.rate(); });
        Figures median = all.at(all.size() / 2);
        median.runs = runs;
        median.slowest = all.first().rate();
        median.fastest = all.last().rate();
        return median;
    };
    const Figures chainFigures = repeated(
        "chain", [&](const QString &id) { return chain(id, count); }, one);
    const Figures fanoutFigures = repeated(
        "fanout", [&](const QString &id) { return fanout(id); }, many);
    const Figures gridFigures = repeated(
        "grid", [&](const QString &id) { return grid(id, count); }, one);
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const double peakMb = double(usage.ru_maxrss) / 1024.0;

    for (const auto &[name, figures] :
         {std::pair {"chain", chainFigures}, std::pair {"fanout", fanoutFigures},
          std::pair {"grid", gridFigures}}) {
        std::printf("%-6s %6lld node executions in %.3f s = %7.0f /s, p50 %.1f ms, p99 %.1f ms",
                    name, static_cast<long long>(figures.nodeExecutions), figures.seconds,
                    figures.rate(), figures.p50, figures.p99);
        if (figures.stolenMs >= 0)
            std::printf(", steal %lld ms", static_cast<long long>(figures.stolenMs));
        std::printf(", control %.1f ms", figures.controlMs);
        if (figures.runs > 1)
            std::printf(" (median of %d runs: %.0f to %.0f /s)", figures.runs, figures.slowest,
                        figures.fastest);
        std::printf("\n");
    }
    std::printf("peak RSS %.1f MB, %d threads\n", peakMb, threads);
    const QJsonObject line {{QStringLiteral("bench"), QStringLiteral("engine_throughput")},
                            {QStringLiteral("chain"), chainFigures.json()},
                            {QStringLiteral("fanout"), fanoutFigures.json()},
                            {QStringLiteral("grid"), gridFigures.json()},
                            {QStringLiteral("peak_rss_mb"), qRound(peakMb * 10) / 10.0},
                            {QStringLiteral("threads"), threads}};
    std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    return 0;
}
