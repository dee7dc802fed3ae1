// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/executor/runner.h"
#include "engine/service/servicethread.h"
#include "engine/store/executionrepository.h"
#include "engine/store/reviewrepository.h"
#include "engine/store/runqueue.h"
#include "model/graphjson.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "store/storefixture.h"
#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Model::ExecutionStatus;
using Testing::json;

namespace {

const QString kUser = QString(Model::kDefaultUserId);

// Input "msg" → Human Review → output "out".
const char *const kReviewGraph
    = "{'name': 'Reviewed', 'nodes': ["
      "{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
      "'input_default': {'name': 'msg'}},"
      " {'id': 'review', 'block_id': '8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d', "
      "'input_default': {'name': 'Check'}},"
      " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
      "'input_default': {'name': 'out'}}],"
      " 'links': [{'source_id': 'in', 'source_name': 'result', 'sink_id': 'review', "
      "'sink_name': 'data'},"
      " {'source_id': 'review', 'source_name': 'approved_data', 'sink_id': 'out', "
      "'sink_name': 'value'}]}";

} // namespace

class TestRunService : public QObject
{
    Q_OBJECT

    Testing::TestStore m_store;
    std::shared_ptr<const BlockRegistry> m_registry;
    QString m_path;

    ServiceOptions options(const QString &reviewer = QStringLiteral("ada")) const
    {
        ServiceOptions options;
        options.databasePath = m_path;
        options.registry = m_registry;
        options.threads = 2;
        options.reviewer = reviewer;
        options.stopGraceMs = 500;
        return options;
    }

    static QString saveGraph(RunService &service, const char *graphJson)
    {
        auto graph = Model::graphFromJson(json(graphJson), QStringLiteral("test graph"));
        if (!graph)
            qFatal("%s", qPrintable(graph.error().text()));
        auto saved = service.saveGraph(*graph);
        if (!saved)
            qFatal("%s", qPrintable(saved.error().text()));
        return saved->id;
    }

    // Starts a reviewed run on `service` and waits until it pauses.
    static QString pausedRun(RunService &service, const QString &graphId, const QString &msg)
    {
        QSignalSpy finished(&service, &RunService::runFinished);
        RunRequest request;
        request.graphId = graphId;
        request.inputs.insert(QStringLiteral("msg"), msg);
        auto started = service.start(request);
        if (!started)
            qFatal("%s", qPrintable(started.error().text()));
        if (!finished.wait(5000)
            || finished.first().at(1).value<ExecutionStatus>() != ExecutionStatus::Review)
            qFatal("the run did not pause for review");
        return *started;
    }

    // A reviewed run queued on `service` for workers; its id.
    static Result<QString> queuedRun(RunService &service, const QString &msg)
    {
        RunRequest request;
        request.graphId = saveGraph(service, kReviewGraph);
        request.inputs.insert(QStringLiteral("msg"), msg);
        request.onWorkers = true;
        return service.start(request);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SIGNALBOX_START_OR_SKIP(m_store);
        auto registry = BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
    }

    void init() { m_path = m_store.newLocation(QStringLiteral("service")); }

    // A run queued for workers runs nowhere until a worker claims it; it
    // pauses there, its review is decided elsewhere without the run going on
    // there, and a worker claims it again and completes it.
    void aQueuedRunRunsOnlyOnAWorker()
    {
        RunService face(options(QStringLiteral("ada")));
        QVERIFY(face.open().ok());
        auto queued = queuedRun(face, QStringLiteral("queued"));
        QVERIFY2(queued.ok(), qPrintable(queued.error().text()));
        const QString run = *queued;
        QVERIFY(!face.isRunning(run));
        QCOMPARE((*face.run(run))->status, ExecutionStatus::Queued);
        // Not an interrupted run to take up at start, and not resumed here.
        QVERIFY(!face.interruptedRuns()->contains(run));
        auto resumed = face.resume(run);
        QVERIFY(!resumed.ok());
        QCOMPARE(resumed.error().code, ErrorCode::Conflict);

        RunService worker(options(QStringLiteral("worker")));
        QVERIFY(worker.open().ok());
        QSignalSpy finished(&worker, &RunService::runFinished);
        auto claimed = worker.claimQueuedRun(10000);
        QVERIFY2(claimed.ok(), qPrintable(claimed.error().text()));
        QCOMPARE(claimed->value_or(QString()), run);
        // Nothing else waits; a second look finds nothing.
        QCOMPARE(worker.claimQueuedRun(10000)->has_value(), false);
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Review);
        // Paused, it is claimable again only once its review is decided.
        QCOMPARE(worker.claimQueuedRun(10000)->has_value(), false);

        auto waiting = face.waitingReviews(run);
        QCOMPARE(waiting->size(), 1);
        ReviewDecision approve;
        approve.status = Model::ReviewStatus::Approved;
        const QList<DecidedRun> decided = face.decide({{waiting->first().nodeExecId, approve}});
        QCOMPARE(decided.size(), 1);
        QVERIFY(!decided.first().error);
        QVERIFY(!decided.first().resumedHere);
        QVERIFY(!face.isRunning(run));

        finished.clear();
        claimed = worker.claimQueuedRun(10000);
        QCOMPARE(claimed->value_or(QString()), run);
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Completed);
        QCOMPARE((*face.run(run))->status, ExecutionStatus::Completed);
        // Ended, it left the queue.
        QVERIFY(worker.leasedRuns().isEmpty());
        QCOMPARE(*RunQueue(face.database()).isQueued(run), false);
    }

    // A lease that is not renewed runs out, and another worker takes the
    // run; the first learns it lost it when it renews.
    void anExpiredLeaseGoesToAnotherWorker()
    {
        RunService face(options());
        QVERIFY(face.open().ok());
        auto queued = queuedRun(face, QStringLiteral("lease"));
        QVERIFY2(queued.ok(), qPrintable(queued.error().text()));
        const QString run = *queued;
        RunQueue queue(face.database());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(queue.claim(QStringLiteral("first"), now, 1000)->value_or(QString()), run);
        // Held: no one else gets it.
        QCOMPARE(queue.claim(QStringLiteral("second"), now + 500, 1000)->has_value(), false);
        QCOMPARE(*queue.holder(run, now + 500), QStringLiteral("first"));
        // Renewed in time, still held.
        QCOMPARE(*queue.renew(QStringLiteral("first"), {run}, now + 900, 1000), QStringList {run});
        QCOMPARE(queue.claim(QStringLiteral("second"), now + 1800, 1000)->has_value(), false);
        // Not renewed: after its end, the second worker takes it.
        QCOMPARE(queue.claim(QStringLiteral("second"), now + 2000, 1000)->value_or(QString()),
                 run);
        QVERIFY(queue.renew(QStringLiteral("first"), {run}, now + 2100, 1000)->isEmpty());
        QCOMPARE(*queue.holder(run, now + 2100), QStringLiteral("second"));
    }

    void decisionsOfSeveralRunsResumeEachOnce()
    {
        RunService service(options());
        QVERIFY(service.open().ok());
        const QString graph = saveGraph(service, kReviewGraph);
        const QString first = pausedRun(service, graph, QStringLiteral("one"));
        const QString second = pausedRun(service, graph, QStringLiteral("two"));
        auto waiting = service.waitingReviews();
        QVERIFY(waiting.ok());
        QCOMPARE(waiting->size(), 2);

        QSignalSpy finished(&service, &RunService::runFinished);
        QMap<QString, ReviewDecision> decisions;
        ReviewDecision approve;
        approve.status = Model::ReviewStatus::Approved;
        ReviewDecision reject;
        reject.status = Model::ReviewStatus::Rejected;
        reject.message = QStringLiteral("not this one");
        for (const Model::PendingReview &review : std::as_const(*waiting))
            decisions.insert(review.nodeExecId, review.graphExecId == first ? approve : reject);
        const QList<DecidedRun> decided = service.decide(decisions);
        QCOMPARE(decided.size(), 2);
        for (const DecidedRun &run : decided) {
            QVERIFY2(!run.error, qPrintable(run.error ? run.error->text() : QString()));
            QVERIFY(run.resumedHere);
            // Recorded with the service's reviewer, whichever face asked.
            QCOMPARE(run.reviews.first().reviewedBy, QStringLiteral("ada"));
        }
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 5000);
        auto approved = service.run(first);
        auto rejected = service.run(second);
        QCOMPARE((*approved)->status, ExecutionStatus::Completed);
        QCOMPARE((*rejected)->status, ExecutionStatus::Completed);
        auto outputs = service.nodeExecutions(first);
        QVERIFY(outputs.ok());
        bool wroteOut = false;
        for (const Model::NodeExecutionResult &node : std::as_const(*outputs))
            wroteOut |= node.nodeId == QLatin1String("out") && node.status == ExecutionStatus::Completed;
        QVERIFY(wroteOut);

        // Deciding the same review the other way now is a conflict that
        // says how it stands, and resumes nothing.
        const QString id = decisions.firstKey();
        ReviewDecision other = decisions.first().status == Model::ReviewStatus::Approved ? reject
                                                                                        : approve;
        const QList<DecidedRun> again = service.decide({{id, other}});
        QCOMPARE(again.size(), 1);
        QVERIFY(again.first().error);
        QCOMPARE(again.first().error->code, ErrorCode::Conflict);
        QCOMPARE(again.first().reviews.value(id).status, decisions.first().status);
        QVERIFY(!again.first().resumedHere);
    }

    void changesOfAnotherConnectionArriveWithinHalfASecond()
    {
        // The service watches; a second service, with its own connections
        // on its own thread, stands for another process. On PostgreSQL the
        // watcher polls only every 5 s: a change arrives sooner only by
        // notification (LISTEN/NOTIFY).
        ServiceOptions watching = options();
        if (m_store.isPostgres())
            watching.feedIntervalMs = 5000;
        ServiceThread watcher(watching);
        QSignalSpy opened(&watcher, &ServiceThread::opened);
        QVERIFY(opened.wait(5000));
        QVERIFY(opened.first().at(1).toBool());
        StoreChanges seen;
        QElapsedTimer clock;
        qint64 reviewSeenAt = -1;
        qint64 decisionSeenAt = -1;
        // Ends with this test: changes still queued then are not delivered.
        QObject receiver;
        connect(watcher.service(), &RunService::changed, &receiver, [&](const StoreChanges &changes) {
            seen.merge(changes);
            if (!changes.reviews.isEmpty() && reviewSeenAt < 0)
                reviewSeenAt = clock.elapsed();
            else if (!changes.reviews.isEmpty() && decisionSeenAt < 0)
                decisionSeenAt = clock.elapsed();
        });

        RunService other(options(QStringLiteral("grace")));
        QVERIFY(other.open().ok());
        const QString graph = saveGraph(other, kReviewGraph);
        clock.start();
        const QString run = pausedRun(other, graph, QStringLiteral("hello"));
        const qint64 pausedAt = clock.elapsed();
        QTRY_VERIFY_WITH_TIMEOUT(reviewSeenAt >= 0, 2000);
        QVERIFY(seen.runs.contains(run));
        QVERIFY(seen.nodeRuns.contains(run));
        QVERIFY(seen.reviewRuns.contains(run));
        QVERIFY2(reviewSeenAt - pausedAt < 500,
                 qPrintable(QStringLiteral("seen %1 ms after the pause").arg(reviewSeenAt - pausedAt)));

        // The watcher decides it; the run is not going in the watcher, so
        // the watcher takes it over and completes it.
        auto waiting = other.waitingReviews(run);
        QCOMPARE(waiting->size(), 1);
        std::optional<QList<DecidedRun>> decided;
        ReviewDecision approve;
        approve.status = Model::ReviewStatus::Approved;
        watcher.call(
            this,
            [id = waiting->first().nodeExecId, approve](RunService &service) {
                return service.decide({{id, approve}});
            },
            [&decided](QList<DecidedRun> result) { decided = result; });
        QTRY_VERIFY_WITH_TIMEOUT(decided.has_value(), 5000);
        QCOMPARE(decided->size(), 1);
        QVERIFY(decided->first().resumedHere);
        std::optional<ExecutionStatus> status;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto meta = other.run(run);
                status = meta && *meta ? std::optional((*meta)->status) : std::nullopt;
                return status == ExecutionStatus::Completed;
            }(),
            5000);
        QCOMPARE(waiting->first().nodeExecId, decided->first().reviews.firstKey());
        QCOMPARE(decided->first().reviews.first().reviewedBy, QStringLiteral("ada"));
    }

    void aQuietStoreIsNotRead()
    {
        RunService service(options());
        QVERIFY(service.open().ok());
        auto db = Database::open(m_path);
        QVERIFY(db.ok());
        ChangeFeed feed(**db);
        QVERIFY(feed.start().ok());
        // Nothing committed: nothing to read.
        auto none = feed.poll();
        QVERIFY(none.ok());
        QVERIFY(none->isEmpty());
        // A commit by another connection is seen once.
        RunRequest request;
        request.graphId = saveGraph(service, kReviewGraph);
        request.inputs.insert(QStringLiteral("msg"), QStringLiteral("x"));
        QSignalSpy finished(&service, &RunService::runFinished);
        auto started = service.start(request);
        QVERIFY(started.ok());
        QVERIFY(finished.wait(5000));
        auto some = feed.poll();
        QVERIFY(some.ok());
        QVERIFY(some->runs.contains(*started));
        auto again = feed.poll();
        QVERIFY(again.ok());
        QVERIFY(again->isEmpty());
    }

    void interruptedRunsLeaveRunsThatAnotherLiveProcessRuns()
    {
        RunService service(options());
        QVERIFY(service.open().ok());
        const QString graph = saveGraph(service, kReviewGraph);
        QProcess live;
        QProcess dead;
        for (QProcess *process : {&live, &dead}) {
            process->start(QStringLiteral("sleep"), {QStringLiteral("30")});
            QVERIFY(process->waitForStarted());
        }
        // Two runs left RUNNING, each recorded as run by one of them.
        auto db = Database::open(m_path);
        QVERIFY(db.ok());
        ExecutionRepository executions(**db, m_registry.get());
        QStringList ids;
        for (QProcess *process : {&live, &dead}) {
            NewGraphExecution request;
            request.graphId = graph;
            request.graphVersion = 1;
            request.userId = kUser;
            auto created = executions.createGraphExecution(request);
            QVERIFY(created.ok());
            ids.append(created->meta.id);
            QVERIFY(executions.setGraphExecutionStatus(ids.last(), ExecutionStatus::Queued, {}).ok());
            QVERIFY(executions.setGraphExecutionStatus(ids.last(), ExecutionStatus::Running, {}).ok());
            Runner runner = Runner::thisProcess();
            runner.pid = process->processId();
            runner.started.clear();
            QVERIFY(executions.setGraphExecutionRunner(ids.last(), runner.toText()).ok());
        }
        dead.kill();
        QVERIFY(dead.waitForFinished());

        auto interrupted = service.interruptedRuns();
        QVERIFY(interrupted.ok());
        QCOMPARE(*interrupted, QStringList {ids.at(1)});
        auto resumed = service.resume(ids.at(0));
        QVERIFY(!resumed.ok());
        QCOMPARE(resumed.error().code, ErrorCode::Conflict);
        QVERIFY2(resumed.error().message.contains(
                     QStringLiteral("process %1 on").arg(live.processId())),
                 qPrintable(resumed.error().message));
        live.kill();
        QVERIFY(live.waitForFinished());
    }

    void stopsARunThatAnotherServiceRuns()
    {
        // A countdown that would take 30 s, run by one service; another stops it.
        const char *slow = "{'name': 'Slow', 'nodes': [{'id': 'tick', 'block_id': "
                           "'d67a9c52-5e4e-11e2-bcfd-0800200c9a71', 'input_default': "
                           "{'seconds': 30, 'repeat': 1, 'input_message': 'late'}}], 'links': []}";
        RunService runner(options());
        QVERIFY(runner.open().ok());
        const QString graph = saveGraph(runner, slow);
        RunRequest request;
        request.graphId = graph;
        auto started = runner.start(request);
        QVERIFY(started.ok());
        QSignalSpy finished(&runner, &RunService::runFinished);

        ServiceThread stopper(options());
        QSignalSpy opened(&stopper, &ServiceThread::opened);
        QVERIFY(opened.wait(5000));
        QSignalSpy stopped(stopper.service(), &RunService::stopFinished);
        QElapsedTimer clock;
        clock.start();
        stopper.post([id = *started](RunService &service) { service.stop(id); });
        QVERIFY(finished.wait(3000));
        QCOMPARE(finished.first().at(1).value<ExecutionStatus>(), ExecutionStatus::Terminated);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 3000);
        const auto outcome = stopped.first().at(0).value<StopOutcome>();
        QVERIFY(!outcome.error);
        QCOMPARE(outcome.before, ExecutionStatus::Running);
    }
};

QTEST_GUILESS_MAIN(TestRunService)
#include "tst_runservice.moc"
