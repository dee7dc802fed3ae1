// SPDX-License-Identifier: GPL-3.0-or-later
// The command line's run commands: run, resume, stop, worker; executions list and show.
#include "cli.h"
#include "clicommands.h"
#include "clisupport.h"
#include "workercommand.h"

#include "engine/service/runservice.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "model/graphjson.h"

#include <QEventLoop>

#include <memory>

namespace Signalbox::App {

int Cli::runGraph(const QString &fileName, const QStringList &inputs, const QString &inputFile,
                  const QString &hitlText, const QString &sensitiveText, const QString &threadsText,
                  const QStringList &credentials, bool queue)
{
    Engine::RunRequest request;
    const auto hitl = onOff(hitlText);
    const auto sensitive = onOff(sensitiveText);
    if (!hitl || !sensitive)
        return fail(
            makeError(ErrorCode::BadInput, QStringLiteral("safe modes take \"on\" or \"off\"")));
    request.humanInTheLoopSafeMode = *hitl;
    request.sensitiveActionSafeMode = *sensitive;
    if (!inputFile.isEmpty()) {
        auto content = readArgumentFile(inputFile, QStringLiteral("--input-file"));
        if (!content)
            return fail(content.error());
        auto parsed = Model::parseJsonValue(*content, Model::JsonLimits {}, inputFile);
        if (!parsed)
            return fail(parsed.error());
        if (!parsed->isMap())
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("%1: the graph inputs are a JSON object of "
                                                 "names and values")
                                      .arg(inputFile)));
        request.inputs = parsed->toMap();
    }
    for (const QString &entry : inputs) {
        const qsizetype equals = entry.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return fail(makeError(
                ErrorCode::BadInput,
                QStringLiteral("--input takes NAME=JSON or NAME=@FILE, not \"%1\"").arg(entry)));
        const QString name = entry.left(equals);
        auto text = argumentText(entry.mid(equals + 1), QStringLiteral("--input %1").arg(name));
        if (!text)
            return fail(text.error());
        auto parsed = Model::parseJsonValue(*text, Model::JsonLimits {},
                                            QStringLiteral("--input %1").arg(name));
        // A bare word is a string.
        request.inputs.insert(name, parsed ? *parsed : Model::Value(QString::fromUtf8(*text)));
    }

    Model::Graph graph;
    std::unique_ptr<Database> db;
    Engine::SavedGraph saved;
    if (const auto failed = importFile(fileName, graph, db, saved))
        return *failed;
    request.graphId = saved.id;
    request.graphVersion = saved.version;
    // Warnings do not stop a run; they say what may go wrong.
    const Engine::NodeErrors warnings
        = Engine::graphWarnings(Engine::GraphSnapshot(graph, *catalog()));
    for (auto node = warnings.cbegin(); node != warnings.cend(); ++node) {
        for (const QString &warning : node.value())
            m_err << "signalbox: warning: node " << node.key() << ": " << warning << '\n';
    }
    auto store = credentialsStore(db->path());
    for (const QString &entry : credentials) {
        const qsizetype equals = entry.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return fail(makeError(
                ErrorCode::BadInput,
                QStringLiteral("--credentials takes KEY=CREDENTIALS_ID, not \"%1\"").arg(entry)));
        auto found = store->find(QString(Model::kDefaultUserId), entry.mid(equals + 1));
        if (!found)
            return fail(found.error());
        Model::ValueMap meta;
        meta.insert(QStringLiteral("id"), entry.mid(equals + 1));
        if (found->has_value())
            meta = (*found)->meta().toMap();
        request.credentialInputs.insert(entry.left(equals), meta);
    }

    if (queue) {
        // Created QUEUED for workers; this process runs nothing.
        request.onWorkers = true;
        auto service = openService(db->path(), QStringLiteral("1"));
        if (!service)
            return fail(service.error());
        auto queued = (*service)->start(request);
        if (!queued)
            return fail(queued.error());
        // What this command did; a worker may have taken the run up by now.
        if (m_json)
            printJson({{QStringLiteral("execution_id"), *queued},
                       {QStringLiteral("status"), QStringLiteral("QUEUED")},
                       {QStringLiteral("outputs"), QJsonObject()},
                       {QStringLiteral("error"), QJsonValue::Null}});
        else
            m_out << "Execution " << *queued << ": QUEUED\n";
        return ExitCompleted;
    }
    QString executionId;
    if (const auto failed = execute(
            db->path(), threadsText,
            [&](Engine::RunService &service) { return service.start(request); }, executionId))
        return *failed;
    return printRun(*db, executionId);
}

int Cli::runWorker(const QString &threadsText, const QString &maxRunsText, const QString &leaseText)
{
    bool ok = false;
    Engine::WorkerOptions options;
    options.maxRuns = maxRunsText.toInt(&ok);
    if (!ok || options.maxRuns < 1)
        return usage(QStringLiteral("--max-runs takes a whole number of at least 1, not \"%1\"")
                         .arg(maxRunsText));
    const double leaseSeconds = leaseText.toDouble(&ok);
    if (!ok || leaseSeconds < 0.5)
        return usage(QStringLiteral("--lease-seconds takes a number of at least 0.5, not \"%1\"")
                         .arg(leaseText));
    options.leaseMs = qint64(leaseSeconds * 1000);
    options.pollMs = int(qBound(qint64(100), options.leaseMs / 3, qint64(1000)));
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    auto service = openService((*db)->path(), threadsText);
    if (!service)
        return fail(service.error());
    return App::runWorker(**service, options, m_out, m_err);
}

// Runs `begin` on a fresh service and waits for the run it names to end.
std::optional<int> Cli::execute(const QString &databasePath, const QString &threadsText,
                                const std::function<Result<QString>(Engine::RunService &)> &begin,
                                QString &executionId)
{
    auto service = openService(databasePath, threadsText);
    if (!service)
        return fail(service.error());
    QEventLoop loop;
    QStringList finished;
    std::optional<Error> interrupted;
    QObject::connect(service->get(), &Engine::RunService::runInterrupted, &loop,
                     [&](const QString &id, const Error &error) {
                         if (id == executionId || executionId.isEmpty())
                             interrupted = error;
                     });
    QObject::connect(service->get(), &Engine::RunService::runFinished, &loop,
                     [&](const QString &id, Model::ExecutionStatus) {
                         finished.append(id);
                         // Child executions end too; wait for this one.
                         if (id == executionId)
                             loop.quit();
                     });
    auto started = begin(**service);
    if (!started)
        return fail(started.error());
    executionId = *started;
    // An empty id: nothing was started here.
    if (!executionId.isEmpty() && !finished.contains(executionId))
        loop.exec();
    if (interrupted) {
        // Not the graph's failure: the run is kept as far as it was stored.
        Error error = *interrupted;
        error.message += QStringLiteral("; execution %1 was kept and continues with "
                                        "'signalbox resume %1' once this is resolved")
                             .arg(executionId);
        return fail(error);
    }
    return std::nullopt;
}

int Cli::resumeExecution(const QString &id, const QString &threadsText)
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    QString executionId;
    const auto failed = execute((*db)->path(), threadsText,
                                [&](Engine::RunService &service) -> Result<QString> {
                                    if (auto resumed = service.resume(id); !resumed)
                                        return resumed.error();
                                    return id;
                                },
                                executionId);
    if (failed)
        return *failed;
    return printRun(**db, executionId);
}

// Stops an execution and its children, also one another process is
// running: that process sees the TERMINATED status and ends the run.
int Cli::stopExecution(const QString &id)
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    auto service = openService((*db)->path(), QStringLiteral("1"));
    if (!service)
        return fail(service.error());
    QEventLoop loop;
    Engine::StopOutcome outcome;
    QObject::connect(service->get(), &Engine::RunService::stopFinished, &loop,
                     [&](const Engine::StopOutcome &stopped) {
                         outcome = stopped;
                         loop.quit();
                     });
    (*service)->stop(id);
    loop.exec();
    if (outcome.error)
        return fail(*outcome.error);
    printRun(**db, id);
    if (outcome.alreadyEnded()) {
        m_err << "signalbox: execution " << id << " had already "
              << (outcome.before == Model::ExecutionStatus::Completed ? "completed" : "failed")
              << "; nothing was stopped\n";
    }
    return ExitCompleted;
}

// Prints an execution as `run` does and returns its exit code.
int Cli::printRun(Database &db, const QString &executionId)
{
    Engine::ExecutionRepository executions(db, catalog()->get());
    auto execution = executions.graphExecution(QString(Model::kDefaultUserId), executionId);
    if (!execution)
        return fail(execution.error());
    if (!execution->has_value())
        return fail(makeError(ErrorCode::NotFound,
                              QStringLiteral("there is no execution %1").arg(executionId)));
    const Model::GraphExecution &e = **execution;
    const QString error = e.meta.stats ? e.meta.stats->error : QString();
    if (m_json) {
        Model::ValueMap result;
        result.insert(QStringLiteral("execution_id"), e.meta.id);
        result.insert(QStringLiteral("status"), Model::statusName(e.meta.status));
        result.insert(QStringLiteral("outputs"), e.outputs);
        result.insert(QStringLiteral("error"),
                      error.isEmpty() ? Model::Value(nullptr) : Model::Value(error));
        printValue(result);
    } else {
        m_out << "Execution " << e.meta.id << ": " << Model::statusName(e.meta.status) << '\n';
        if (!error.isEmpty())
            m_out << "error: " << error << '\n';
        for (auto it = e.outputs.begin(); it != e.outputs.end(); ++it) {
            m_out << it.key().toString() << ": "
                  << QString::fromUtf8(Model::toJson(it.value(), Model::JsonStyle::PythonDumps))
                  << '\n';
        }
    }
    switch (e.meta.status) {
    case Model::ExecutionStatus::Completed:
        return ExitCompleted;
    case Model::ExecutionStatus::Review:
        return ExitPaused;
    case Model::ExecutionStatus::Terminated:
        return ExitTerminated;
    default:
        return ExitFailed;
    }
}

int Cli::listExecutions(const QString &graphId, const QStringList &statusNames,
                        const QString &limitText)
{
    Engine::GraphExecutionFilter filter;
    filter.userId = QString(Model::kDefaultUserId);
    filter.graphId = graphId;
    for (const QString &name : statusNames) {
        const auto status = Model::statusFromName(name);
        if (!status)
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("unknown status \"%1\"; use INCOMPLETE, QUEUED, "
                                                 "RUNNING, REVIEW, COMPLETED, FAILED or TERMINATED")
                                      .arg(name)));
        filter.statuses.append(*status);
    }
    bool ok = false;
    filter.limit = limitText.toInt(&ok);
    if (!ok || *filter.limit < 1)
        return fail(
            makeError(ErrorCode::BadInput,
                      QStringLiteral("--limit takes a whole number of at least 1, not \"%1\"")
                          .arg(limitText)));

    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    Engine::ExecutionRepository executions(**db, nullptr);
    auto list = executions.graphExecutions(filter);
    if (!list)
        return fail(list.error());
    if (m_json) {
        Model::ValueList array;
        for (const Model::GraphExecutionMeta &meta : std::as_const(*list))
            array.append(Model::toApiValue(meta));
        Model::ValueMap result;
        result.insert(QStringLiteral("executions"), array);
        printValue(result);
        return ExitCompleted;
    }
    if (list->isEmpty()) {
        m_out << "No executions.\n";
        return ExitCompleted;
    }
    QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("STATUS"),
                              QStringLiteral("GRAPH"), QStringLiteral("STARTED"),
                              QStringLiteral("NODES"), QStringLiteral("COST")}};
    for (const Model::GraphExecutionMeta &meta : std::as_const(*list)) {
        rows.append({meta.id, Model::statusName(meta.status),
                     QStringLiteral("%1 v%2").arg(meta.graphId).arg(meta.graphVersion),
                     shortTime(meta.startedAt.isValid() ? meta.startedAt : meta.createdAt),
                     meta.stats ? QString::number(meta.stats->nodeCount) : QStringLiteral("-"),
                     meta.stats ? QString::number(meta.stats->cost) : QStringLiteral("-")});
    }
    m_out << table(rows);
    return ExitCompleted;
}

int Cli::showExecution(const QString &id)
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    auto &blocks = catalog();
    if (!blocks)
        return fail(blocks.error());
    Engine::ExecutionRepository executions(**db, blocks->get());
    auto execution = executions.graphExecution(QString(Model::kDefaultUserId), id, true);
    if (!execution)
        return fail(execution.error());
    if (!execution->has_value())
        return fail(
            makeError(ErrorCode::NotFound, QStringLiteral("there is no execution %1").arg(id)));
    const Model::GraphExecution &e = **execution;
    if (m_json) {
        printValue(Model::toApiValue(e));
        return ExitCompleted;
    }
    m_out << "Execution " << e.meta.id << '\n'
          << "  graph    " << e.meta.graphId << " version " << e.meta.graphVersion << '\n'
          << "  status   " << Model::statusName(e.meta.status) << '\n'
          << "  started  " << shortTime(e.meta.startedAt) << '\n'
          << "  ended    " << shortTime(e.meta.endedAt) << '\n';
    if (e.meta.stats && !e.meta.stats->error.isEmpty())
        m_out << "  error    " << e.meta.stats->error << '\n';
    m_out << "  outputs  "
          << QString::fromUtf8(Model::toJson(e.outputs, Model::JsonStyle::PythonDumps)) << '\n';
    QList<QStringList> rows {{QStringLiteral("NODE EXECUTION"), QStringLiteral("STATUS"),
                              QStringLiteral("BLOCK"), QStringLiteral("NODE")}};
    for (const Model::NodeExecutionResult &node : e.nodeExecutions) {
        const Model::BlockSchema *schema = (*blocks)->schema(node.blockId);
        rows.append({node.nodeExecId, Model::statusName(node.status),
                     schema ? schema->name : node.blockId, node.nodeId});
    }
    m_out << '\n' << table(rows);
    return ExitCompleted;
}

} // namespace Signalbox::App
