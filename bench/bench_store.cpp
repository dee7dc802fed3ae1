// SPDX-License-Identifier: GPL-3.0-or-later
//
// Persists node executions with the calls the executor's store writer makes,
// one call per step: the execution with its input record, QUEUED, RUNNING,
// the output record, COMPLETED. Each step commits on its own
// (synchronous=FULL), so this is the unbatched floor; the writer batches.
//
//   bench_store [NODE_EXECUTIONS=5000] [DB_FOLDER=temporary]
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/execution.h"
#include "model/uuid.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>

using namespace Signalbox;

namespace {

Model::Graph benchGraph()
{
    Model::Graph graph;
    graph.id = QStringLiteral("bench");
    graph.name = QStringLiteral("bench");
    graph.nodes = {
        {QStringLiteral("in"), QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"), {}, {}, {}},
        {QStringLiteral("work"),
         QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9"),
         {},
         {},
         {}}};
    return graph;
}

[[noreturn]] void die(const Error &error)
{
    std::fprintf(stderr, "bench_store: %s\n", qPrintable(error.text()));
    std::exit(1);
}

template<typename T> T check(Result<T> result)
{
    if (!result)
        die(result.error());
    return std::move(*result);
}

void check(Result<void> result)
{
    if (!result)
        die(result.error());
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int count = args.size() > 1 ? args.at(1).toInt() : 5000;
    QTemporaryDir temporary;
    const QString folder = args.size() > 2 ? args.at(2) : temporary.path();

    auto db = check(Engine::Database::open(folder + QStringLiteral("/bench_store.db")));
    Engine::GraphRepository graphs(*db);
    check(graphs.saveGraph(benchGraph(), QString(Model::kDefaultUserId)));
    Engine::ExecutionRepository executions(*db, nullptr);
    Engine::NewGraphExecution request;
    request.graphId = QStringLiteral("bench");
    request.graphVersion = 1;
    request.userId = QString(Model::kDefaultUserId);
    const QString exec = check(executions.createGraphExecution(request)).meta.id;
    check(executions.setGraphExecutionStatus(exec, Model::ExecutionStatus::Running, std::nullopt,
                                             true));

    const auto step = [&db](const std::function<Result<void>()> &write) {
        Engine::WriteTransaction transaction(*db);
        check(transaction.begin());
        check(write());
        check(transaction.commit());
    };
    const auto now = [] { return QDateTime::currentMSecsSinceEpoch(); };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; ++i) {
        const QString id = Model::createTimeOrderedUuid();
        const Model::ValueMap input {{QStringLiteral("input"), i}};
        step([&] {
            if (auto added = executions.insertNodeExecution(
                    id, exec, QStringLiteral("work"),
                    QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9"), now());
                !added)
                return added;
            return executions.insertExecutionInput(Model::createTimeOrderedUuid(), id,
                                                   QStringLiteral("input"), i, now());
        });
        step([&] {
            return executions.setNodeExecutionStatusPath(
                id, {{Model::ExecutionStatus::Queued}, {now()}, input, {}});
        });
        step([&] {
            return executions.setNodeExecutionStatusPath(
                id, {{Model::ExecutionStatus::Running}, {now()}, {}, {}});
        });
        step([&] {
            return executions.insertExecutionOutput(Model::createTimeOrderedUuid(), id,
                                                    QStringLiteral("output"), i, now());
        });
        step([&] {
            return executions.setNodeExecutionStatusPath(
                id, {{Model::ExecutionStatus::Completed}, {now()}, {}, {}});
        });
    }
    const double seconds = timer.nsecsElapsed() / 1e9;

    timer.restart();
    const auto loaded
        = check(executions.graphExecution(QString(Model::kDefaultUserId), exec, true));
    const double loadSeconds = timer.nsecsElapsed() / 1e9;

    const double perSecond = count / seconds;
    std::printf(
        "node executions persisted: %d in %.3f s = %.0f /s (5 commits each, %.0f commits/s)\n",
        count, seconds, perSecond, perSecond * 5);
    std::printf("graph execution with %lld node executions read back in %.3f s\n",
                static_cast<long long>(loaded->nodeExecutions.size()), loadSeconds);
    const QJsonObject figures {{QStringLiteral("benchmark"), QStringLiteral("store")},
                               {QStringLiteral("node_executions"), count},
                               {QStringLiteral("seconds"), seconds},
                               {QStringLiteral("node_executions_per_second"), perSecond},
                               {QStringLiteral("commits_per_second"), perSecond * 5},
                               {QStringLiteral("read_back_seconds"), loadSeconds}};
    std::printf("%s\n", QJsonDocument(figures).toJson(QJsonDocument::Compact).constData());
    return 0;
}
