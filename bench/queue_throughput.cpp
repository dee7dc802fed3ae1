// SPDX-License-Identifier: GPL-3.0-or-later
//
// Queues short runs for workers and times how long W `signalbox worker`
// processes take to complete them all:
//   queue_throughput LOCATION [RUNS=200] [WORKERS=1] [MAX_RUNS_PER_WORKER=2]
// LOCATION is a new, empty store (postgresql://... or a file). Prints the
// runs per second from the first claim to the last completion, and one
// JSON line.
#include "engine/service/runservice.h"
#include "engine/store/executionrepository.h"
#include "model/graphjson.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QThread>

#include <cstdio>
#include <memory>

using namespace Signalbox;
using namespace Signalbox::Engine;

namespace {

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "queue_throughput: %s\n", qPrintable(message));
    std::exit(1);
}

// in -> template -> out: a run of three quick nodes.
const char *const kShortGraph = R"({
  "id": "queue-bench", "name": "Queue bench",
  "nodes": [
    {"id": "in", "block_id": "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b", "input_default": {"name": "n"}},
    {"id": "tpl", "block_id": "db7d8f02-2f44-4c55-ab7a-eae0941f0c30",
     "input_default": {"format": "run {{n}}"}},
    {"id": "out", "block_id": "363ae599-353e-4804-937e-b2ee3cef3da4", "input_default": {"name": "said"}}
  ],
  "links": [
    {"source_id": "in", "source_name": "result", "sink_id": "tpl", "sink_name": "values_#_n"},
    {"source_id": "tpl", "source_name": "output", "sink_id": "out", "sink_name": "value"}
  ]
})";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2)
        die(QStringLiteral("usage: queue_throughput LOCATION [RUNS] [WORKERS] [MAX_RUNS]"));
    const QString location = args.at(1);
    const int runs = args.size() > 2 ? args.at(2).toInt() : 200;
    const int workers = args.size() > 3 ? args.at(3).toInt() : 1;
    const QString maxRuns = args.size() > 4 ? args.at(4) : QStringLiteral("2");

    auto registry = BlockRegistry::builtin();
    if (!registry)
        die(registry.error().message);
    ServiceOptions options;
    options.databasePath = location;
    options.registry = *registry;
    options.threads = 1;
    RunService service(options);
    if (auto opened = service.open(); !opened)
        die(opened.error().message);
    auto graph = Model::graphFromJson(QByteArray(kShortGraph), QStringLiteral("bench"));
    if (!graph)
        die(graph.error().text());
    auto saved = service.saveGraph(*graph);
    if (!saved)
        die(saved.error().message);
    QElapsedTimer queueing;
    queueing.start();
    for (int i = 0; i < runs; ++i) {
        RunRequest request;
        request.graphId = saved->id;
        request.inputs.insert(QStringLiteral("n"), i);
        request.onWorkers = true;
        if (auto queued = service.start(request); !queued)
            die(queued.error().message);
    }
    const double queueSeconds = double(queueing.nsecsElapsed()) / 1e9;

    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<QProcess>> processes;
    for (int w = 0; w < workers; ++w) {
        auto process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start(QStringLiteral(SIGNALBOX_BINARY),
                       {QStringLiteral("worker"), QStringLiteral("--db"), location,
                        QStringLiteral("--max-runs"), maxRuns, QStringLiteral("--threads"),
                        QStringLiteral("2")});
        if (!process->waitForStarted())
            die(QStringLiteral("a worker did not start"));
        processes.push_back(std::move(process));
    }
    GraphExecutionFilter completed;
    completed.statuses = {Model::ExecutionStatus::Completed};
    ExecutionRepository executions(service.database(), registry->get());
    qint64 done = 0;
    while (done < runs) {
        QThread::msleep(20);
        auto counted = executions.countGraphExecutions(completed);
        if (!counted)
            die(counted.error().message);
        done = *counted;
        if (clock.elapsed() > 600000)
            die(QStringLiteral("the runs did not complete in 10 minutes"));
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    for (auto &process : processes) {
        process->terminate();
        process->waitForFinished(10000);
    }
    std::printf("%d runs queued in %.2f s; %d worker(s) of up to %s runs each completed them in "
                "%.2f s = %.1f runs/s\n",
                runs, queueSeconds, workers, qPrintable(maxRuns), seconds, runs / seconds);
    std::printf("%s\n",
                QJsonDocument(QJsonObject {{QStringLiteral("bench"), QStringLiteral("queue")},
                                           {QStringLiteral("runs"), runs},
                                           {QStringLiteral("workers"), workers},
                                           {QStringLiteral("seconds"), seconds},
                                           {QStringLiteral("runs_per_second"), runs / seconds}})
                    .toJson(QJsonDocument::Compact)
                    .constData());
    return 0;
}
