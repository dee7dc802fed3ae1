// SPDX-License-Identifier: GPL-3.0-or-later
#include "runcontroller.h"

#include "executionspanel.h"
#include "graphdocument.h"
#include "grapheditor.h"
#include "graphscene.h"
#include "pinstyle.h"
#include "rundetails.h"
#include "statuspalette.h"

#include <QLabel>
#include <QMessageBox>

namespace Signalbox::Ui {

namespace {

// What the run details dialog shows besides the node executions.
struct RunContext
{
    Model::GraphExecutionMeta meta;
    QString graphName;
    QHash<QString, QString> nodeTitles;
    QList<Model::GraphExecutionMeta> children;
};

// The language models as the settings say now: both faces read them when a
// run starts.
void useCurrentModels(Engine::RunService &service)
{
    const Engine::Llm::LlmSettings models = Engine::Llm::LlmSettings::load();
    service.setModels({std::make_shared<const Engine::Llm::Catalog>(
                           Engine::Llm::Catalog::withSettings(models)),
                       models.stream});
}

} // namespace

RunController::RunController(std::shared_ptr<const Engine::BlockRegistry> registry,
                             ExecutionsPanel *monitor, QLabel *runLabel,
                             std::function<GraphEditor *()> frontEditor, QWidget *window)
    : QObject(window)
    , m_registry(std::move(registry))
    , m_monitor(monitor)
    , m_runLabel(runLabel)
    , m_frontEditor(std::move(frontEditor))
    , m_window(window)
    , m_monitorRead([this] { readMonitor(); })
{ }

void RunController::setService(Engine::ServiceThread *service)
{
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_service = service;
    if (!service)
        return;
    Engine::RunService *runs = service->service();
    m_connections.append(connect(service, &Engine::ServiceThread::nodeEvents, this,
                                 &RunController::applyEvents));
    m_going.clear();
    m_connections.append(connect(runs, &Engine::RunService::runStarted, this,
                                 [this](const QString &id) { m_going.insert(id); }));
    m_connections.append(connect(runs, &Engine::RunService::runFinished, this,
                                 [this](const QString &id, Model::ExecutionStatus status) {
                                     m_going.remove(id);
                                     Q_EMIT logged(tr("Run %1 ended %2")
                                                       .arg(id, Model::statusName(status)));
                                     if (id == m_watched.runId) {
                                         m_watched.ended = true;
                                         m_runLabel->setText(
                                             tr("Run: %1").arg(statusLabel(status).toLower()));
                                         showRunData(id, m_watched.editor);
                                     }
                                     const bool watched = id == m_watched.runId && m_watched.editor;
                                     Q_EMIT runEnded(id, status,
                                                     watched ? m_watched.editor->document()->graph().name
                                                             : QString());
                                     Q_EMIT runFinished(id);
                                     refreshMonitor();
                                 }));
    m_connections.append(connect(runs, &Engine::RunService::runInterrupted, this,
                                 [this](const QString &id, const Error &error) {
                                     // Not the graph's failure: the run is kept and resumes later.
                                     Q_EMIT logged(tr("Run %1 was interrupted and can be resumed "
                                                      "once this is resolved: %2")
                                                       .arg(id, error.text()));
                                     Q_EMIT statusMessage(
                                         tr("Run interrupted: %1").arg(error.message));
                                 }));
    m_connections.append(connect(runs, &Engine::RunService::stopFinished, this,
                                 [this](const Engine::StopOutcome &outcome) {
                                     QString error;
                                     if (outcome.error) {
                                         error = outcome.error->text();
                                         Q_EMIT failed(tr("The run was not stopped"), error);
                                     } else if (outcome.alreadyEnded()) {
                                         error = tr("Run %1 had already %2; nothing was stopped")
                                                     .arg(outcome.graphExecId,
                                                          outcome.before
                                                                  == Model::ExecutionStatus::Completed
                                                              ? tr("completed")
                                                              : tr("failed"));
                                         Q_EMIT failed(tr("The run was not stopped"), error);
                                     } else {
                                         Q_EMIT logged(tr("Run %1 stopped").arg(outcome.graphExecId));
                                         Q_EMIT statusMessage(
                                             tr("Run %1 stopped").arg(outcome.graphExecId));
                                     }
                                     refreshMonitor();
                                     Q_EMIT stopFinished(outcome.graphExecId, error);
                                 }));
    m_connections.append(connect(runs, &Engine::RunService::changed, this,
                                 [this](const Engine::StoreChanges &changes) {
                                     if (!changes.runs.isEmpty())
                                         refreshMonitor();
                                     const QString watched = m_watched.runId;
                                     if (!watched.isEmpty() && m_watched.onWorkers
                                         && !m_watched.ended && !m_going.contains(watched)
                                         && (changes.runs.contains(watched)
                                             || changes.nodeRuns.contains(watched)))
                                         followElsewhere(watched);
                                 }));
    // A model's answer as it streams in: on the node and in the monitor.
    m_connections.append(connect(runs->events(), &Engine::EventBus::nodeProgress, this,
                                 [this](const QString &graphExecId, const QString &,
                                        const QString &nodeId, const QString &,
                                        const QString &text) {
                                     if (graphExecId != m_watched.runId)
                                         return;
                                     QString title = nodeId;
                                     if (m_watched.editor) {
                                         m_watched.editor->scene()->setLiveText(nodeId, text);
                                         title = m_watched.editor->document()->nodeTitle(nodeId);
                                     }
                                     m_monitor->setLiveText(title, text);
                                 }));
    m_connections.append(connect(runs->events(), &Engine::EventBus::reviewRequested, this,
                                 [this](const QString &graphExecId, const QString &nodeExecId) {
                                     if (graphExecId != m_watched.runId)
                                         return;
                                     // What the run did so far, while it waits.
                                     showRunData(graphExecId, m_watched.editor, false);
                                     Q_EMIT watchedReviewRequested(nodeExecId);
                                 }));
    refreshMonitor();
}

void RunController::start(GraphEditor *editor, const Model::ValueMap &inputs, bool hitlSafeMode,
                          bool sensitiveSafeMode, bool onWorkers)
{
    if (!m_service || !editor)
        return;
    Engine::RunRequest request;
    request.inputs = inputs;
    request.humanInTheLoopSafeMode = hitlSafeMode;
    request.sensitiveActionSafeMode = sensitiveSafeMode;
    request.onWorkers = onWorkers;
    follow(QString(), editor, request);
    m_runLabel->setText(onWorkers ? tr("Queueing…") : tr("Starting…"));
    m_runLabel->show();
    QPointer<GraphEditor> guard(editor);
    const bool queued = onWorkers;
    // A run is of a stored version: the graph as it is now.
    m_service->call(
        this,
        [graph = editor->document()->graph(), request](
            Engine::RunService &service) mutable -> Result<std::pair<Engine::SavedGraph, QString>> {
            useCurrentModels(service);
            auto saved = service.saveGraph(graph);
            if (!saved)
                return saved.error();
            request.graphId = saved->id;
            request.graphVersion = saved->version;
            auto started = service.start(request);
            if (!started)
                return started.error();
            return std::pair {*saved, *started};
        },
        [this, guard, queued](Result<std::pair<Engine::SavedGraph, QString>> started) {
            if (!started) {
                m_runLabel->hide();
                Q_EMIT failed(tr("The run did not start"), started.error().text());
                return;
            }
            const auto &[saved, id] = *started;
            if (guard == m_watched.editor && m_watched.runId.isEmpty()) {
                m_watched.runId = id;
                // On the canvas from now on, its links counting from nought.
                RunData live;
                live.runId = id;
                guard->scene()->setRunData(live);
            }
            Q_EMIT logged((queued ? tr("Queued run %1 of %2 version %3 for workers")
                                  : tr("Started run %1 of %2 version %3"))
                              .arg(id, guard ? guard->document()->graph().name : saved.id)
                              .arg(saved.version));
            m_runLabel->setText(queued ? tr("Queued for workers…") : tr("Running…"));
            Q_EMIT runStarted(id);
            refreshMonitor();
        });
}

void RunController::rerun()
{
    if (m_watched.editor)
        start(m_watched.editor, m_watched.inputs, m_watched.hitlSafeMode,
              m_watched.sensitiveSafeMode);
}

void RunController::runAgain(const QString &graphExecId)
{
    if (!m_service)
        return;
    m_service->call(
        this,
        [graphExecId](Engine::RunService &service) {
            useCurrentModels(service);
            return service.runAgain(graphExecId);
        },
        [this, graphExecId](Result<std::pair<QString, Engine::RunRequest>> started) {
            if (!started) {
                Q_EMIT failed(tr("The run did not start"), started.error().text());
                return;
            }
            const auto &[id, request] = *started;
            // The canvas follows it when its graph is the one in front.
            GraphEditor *front = m_frontEditor();
            const bool shown = front && front->document()->graph().id == request.graphId;
            follow(id, shown ? front : nullptr, request);
            Q_EMIT logged(tr("Started run %1 again as %2").arg(graphExecId, id));
            Q_EMIT runStarted(id);
            refreshMonitor();
        });
}

void RunController::follow(const QString &graphExecId, GraphEditor *editor,
                           const Engine::RunRequest &request)
{
    m_watched = WatchedRun {graphExecId,
                            editor,
                            request.inputs,
                            request.humanInTheLoopSafeMode,
                            request.sensitiveActionSafeMode,
                            {},
                            0,
                            0,
                            false,
                            request.onWorkers};
    if (editor) {
        // A new run on the canvas (an edit clears it): its links count from
        // nought. A run about to start clears the last one's data.
        RunData live;
        live.runId = graphExecId;
        editor->scene()->setRunData(live);
        // Out of the graph's nodes, notes aside.
        for (const Model::Node &node : editor->document()->graph().nodes) {
            const Model::BlockSchema *schema = m_registry->schema(node.blockId);
            m_watched.total += schema && schema->type != Model::BlockType::Note ? 1 : 0;
        }
    }
    m_monitor->setLiveText({}, {});
}

void RunController::applyEvents(const QList<Engine::NodeExecutionEvent> &events)
{
    bool statusesChanged = false;
    for (const Engine::NodeExecutionEvent &event : events) {
        if (event.graphExecId != m_watched.runId || m_watched.runId.isEmpty())
            continue;
        if (!event.outputPin.isEmpty()) {
            if (m_watched.editor
                && m_watched.editor->scene()->runData().runId == m_watched.runId) {
                GraphScene *scene = m_watched.editor->scene();
                scene->pulseLinksFrom(event.nodeId, event.outputPin, !m_watched.ended);
                // A streamed answer ends as the output upstream yields
                // (events carry long values cut short: those keep the stream's).
                const QString final = event.outputValue.toString();
                if (event.outputValue.isString() && !scene->liveText(event.nodeId).isEmpty()
                    && final.toUtf8().size() <= Engine::kEventValueLimit) {
                    scene->setLiveText(event.nodeId, final);
                    m_monitor->setLiveText(m_watched.editor->document()->nodeTitle(event.nodeId),
                                           final, true);
                }
            }
            continue;
        }
        const auto previous = m_watched.statuses.constFind(event.nodeId);
        const bool wasDone = previous != m_watched.statuses.cend()
            && *previous == Model::ExecutionStatus::Completed;
        const bool isDone = event.status == Model::ExecutionStatus::Completed;
        m_watched.completed += (isDone ? 1 : 0) - (wasDone ? 1 : 0);
        m_watched.statuses.insert(event.nodeId, event.status);
        statusesChanged = true;
    }
    if (!statusesChanged || m_watched.ended)
        return;
    // Unless an edit took the run off the canvas.
    if (m_watched.editor && m_watched.editor->scene()->runData().runId == m_watched.runId)
        m_watched.editor->scene()->setRunStatuses(m_watched.statuses);
    showProgress();
}

void RunController::showRunData(const QString &graphExecId, GraphEditor *editor, bool ended)
{
    if (!m_service || !editor)
        return;
    const Model::Graph graph = editor->document()->graph();
    m_service->call(
        this,
        [graphExecId, graph](Engine::RunService &service) -> Result<RunData> {
            auto found = service.nodeExecutions(graphExecId);
            if (!found)
                return found.error();
            return runDataFrom(graphExecId, graph, *found);
        },
        [this, graphExecId, ended, target = QPointer<GraphEditor>(editor)](Result<RunData> data) {
            if (!data) {
                Q_EMIT logged(tr("Could not read run %1: %2").arg(graphExecId, data.error().text()));
                return;
            }
            // Edited meanwhile, or showing another run now: this one is stale.
            if (!target || target->scene()->runData().runId != graphExecId)
                return;
            if (!ended)
                data->linkValues = target->scene()->runData().linkValues;
            target->scene()->setRunData(*data);
        });
}

void RunController::followElsewhere(const QString &graphExecId)
{
    m_service->call(
        this, [graphExecId](Engine::RunService &service) { return service.run(graphExecId); },
        [this, graphExecId](Result<std::optional<Model::GraphExecutionMeta>> meta) {
            // Taken up here meanwhile (the run's own events say more), or no
            // longer watched.
            if (!meta || !*meta || graphExecId != m_watched.runId || m_going.contains(graphExecId)
                || m_watched.ended)
                return;
            const Model::ExecutionStatus status = (*meta)->status;
            const bool ended = Model::isFinal(status);
            m_runLabel->setText(ended ? tr("Run: %1").arg(statusLabel(status).toLower())
                                      : tr("Run elsewhere: %1").arg(statusLabel(status).toLower()));
            m_watched.ended = ended;
            showRunData(graphExecId, m_watched.editor, ended);
        });
}

void RunController::openOnCanvas(const QString &graphExecId)
{
    if (!m_service || !m_openGraph)
        return;
    m_service->call(
        this,
        [graphExecId](Engine::RunService &service) -> Result<Model::Graph> {
            auto meta = service.run(graphExecId);
            if (!meta)
                return meta.error();
            if (!*meta)
                return makeError(ErrorCode::NotFound, QObject::tr("No run %1").arg(graphExecId));
            return service.graph((*meta)->graphId, (*meta)->graphVersion);
        },
        [this, graphExecId](Result<Model::Graph> graph) {
            if (!graph) {
                Q_EMIT failed(tr("Open the run on the canvas"), graph.error().text());
                return;
            }
            GraphEditor *editor = m_openGraph(*graph);
            if (!editor)
                return;
            RunData shown;
            shown.runId = graphExecId;
            editor->scene()->setRunData(shown);
            showRunData(graphExecId, editor);
            Q_EMIT statusMessage(tr("Showing run %1 on the canvas; an edit clears it")
                                     .arg(graphExecId));
        });
}

void RunController::showProgress()
{
    // Out of the graph's nodes, or of those seen so far.
    const qsizetype total = qMax(m_watched.total, m_watched.statuses.size());
    m_runLabel->setText(tr("Running: %1 of %2 nodes done").arg(m_watched.completed).arg(total));
}

void RunController::stop(const QString &graphExecId)
{
    if (!m_service)
        return;
    Q_EMIT statusMessage(tr("Stopping run %1…").arg(graphExecId));
    m_service->post([graphExecId](Engine::RunService &service) { service.stop(graphExecId); });
}

void RunController::stopWatched()
{
    if (!m_watched.runId.isEmpty())
        stop(m_watched.runId);
}

void RunController::resume(const QString &graphExecId)
{
    if (!m_service)
        return;
    m_service->call(
        this, [graphExecId](Engine::RunService &service) { return service.resume(graphExecId); },
        [this, graphExecId](Result<void> resumed) {
            if (!resumed)
                Q_EMIT failed(tr("The run did not resume"), resumed.error().text());
            else
                Q_EMIT logged(tr("Resumed run %1").arg(graphExecId));
        });
}

void RunController::refreshMonitor()
{
    m_monitorRead.request();
}

void RunController::readMonitor()
{
    if (!m_service) {
        m_monitorRead.answered();
        return;
    }
    Engine::GraphExecutionFilter filter;
    filter.statuses = m_monitor->statuses();
    filter.graphId = m_monitor->graphId();
    const int page = m_monitor->page();
    m_service->call(
        this,
        [filter, page](Engine::RunService &service) {
            return service.runs(filter, page, ExecutionsPanel::kPageSize);
        },
        [this, page](Result<Engine::RunsPage> found) {
            if (found) {
                // Every stored graph can be chosen, not only those on this page.
                m_monitor->setGraphs(found->graphNames);
                m_monitor->setPage(found->page.executions, found->graphNames, page,
                                   found->page.pagination.totalItems, found->rejected);
            }
            if (m_monitorRead.answered())
                Q_EMIT monitorRefreshed();
        });
}

void RunController::openDetails(const QString &graphExecId)
{
    if (!m_service)
        return;
    m_service->call(
        this,
        [graphExecId, registry = m_registry](Engine::RunService &service) -> Result<RunContext> {
            auto meta = service.run(graphExecId);
            if (!meta)
                return meta.error();
            if (!*meta)
                return makeError(ErrorCode::NotFound,
                                 QObject::tr("No run %1").arg(graphExecId));
            RunContext context {**meta, (*meta)->graphId, {}, {}};
            if (auto graph = service.graph((*meta)->graphId, (*meta)->graphVersion)) {
                context.graphName = graph->name;
                for (const Model::Node &node : graph->nodes) {
                    QString title
                        = node.metadata.value(QLatin1String("customized_name")).toString();
                    if (title.isEmpty()) {
                        const Model::BlockSchema *schema = registry->schema(node.blockId);
                        title = schema ? blockDisplayName(*schema) : node.blockId;
                    }
                    context.nodeTitles.insert(node.id, title);
                }
            }
            if (auto children = service.children(graphExecId))
                context.children = *children;
            return context;
        },
        [this](Result<RunContext> context) {
            if (!context) {
                Q_EMIT failed(tr("Run"), context.error().text());
                return;
            }
            auto *details = new RunDetails(m_service, context->meta, context->graphName,
                                           context->nodeTitles, context->children, m_window);
            details->setAttribute(Qt::WA_DeleteOnClose);
            connect(details, &RunDetails::runActivated, this, &RunController::openDetails);
            connect(details, &RunDetails::rerunRequested, this, &RunController::runAgain);
            connect(details, &RunDetails::openOnCanvasRequested, this,
                    &RunController::openOnCanvas);
            connect(details, &RunDetails::stopRequested, this, &RunController::stop);
            connect(details, &RunDetails::resumeRequested, this, &RunController::resume);
            connect(details, &RunDetails::deleteRequested, this,
                    [this, details = QPointer<RunDetails>(details)](const QString &id) {
                        m_service->call(
                            this,
                            [id](Engine::RunService &service) { return service.deleteRun(id); },
                            [this, details](Result<void> deleted) {
                                if (!deleted) {
                                    Q_EMIT failed(tr("The run was not deleted"),
                                                  deleted.error().text());
                                    return;
                                }
                                if (details)
                                    details->close();
                                refreshMonitor();
                            });
                    });
            details->show();
        });
}

void RunController::offerResume()
{
    if (!m_service)
        return;
    m_service->call(
        this, [](Engine::RunService &service) { return service.interruptedRuns(); },
        [this](Result<QStringList> interrupted) {
            if (!interrupted) {
                Q_EMIT logged(interrupted.error().text());
                return;
            }
            const QStringList ids = *interrupted;
            if (ids.isEmpty())
                return;
            auto *box = new QMessageBox(
                QMessageBox::Question, tr("Resume interrupted runs?"),
                tr("%n run(s) were still going when Signalbox last stopped. Resume them now? "
                   "Completed steps are not run again.",
                   nullptr, int(ids.size())),
                QMessageBox::Yes | QMessageBox::No, m_window);
            box->setObjectName(QStringLiteral("resumeBox"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            connect(box, &QMessageBox::finished, this, [this, ids, box] {
                if (box->clickedButton() != box->button(QMessageBox::Yes))
                    return;
                for (const QString &id : ids)
                    resume(id);
            });
            box->open();
        });
}

} // namespace Signalbox::Ui
