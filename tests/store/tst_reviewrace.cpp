// SPDX-License-Identifier: GPL-3.0-or-later
//
// Many reviewers deciding the same reviews at once. On SQLite, 8 threads
// here and 2 other processes (this executable started again with --decide)
// make 1,000 random approve/reject decisions on 100 waiting reviews. On
// PostgreSQL, 4 other processes of 8 threads each make 2,000 on 200.
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/reviewrepository.h"

#include "storefixture.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cstdio>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;
using Model::ReviewStatus;

namespace {

// Who decides how often, on how many reviews.
struct RaceShape
{
    int reviews;
    int localThreads; // threads of this process
    int processes; // other processes
    int threadsPerProcess;
    int decisions; // in all

    int workers() const { return localThreads + processes * threadsPerProcess; }
    // The decisions of worker `index`, so that they add up.
    int decisionsOf(int index) const
    {
        return decisions / workers() + (index < decisions % workers() ? 1 : 0);
    }
};

constexpr RaceShape kSqliteRace {100, 8, 2, 1, 1000};
constexpr RaceShape kPostgresRace {200, 0, 4, 8, 2000};
int kReviews = kSqliteRace.reviews;

QString reviewId(int index)
{
    return QStringLiteral("review-%1").arg(index, 3, 10, QLatin1Char('0'));
}

// One call's outcome, as "reviewer review status outcome [message]".
struct Attempt
{
    QString reviewer;
    QString review;
    ReviewStatus status;
    QString outcome; // ok, conflict or error
    QString message;

    QString line() const
    {
        return QStringList {reviewer, review, Model::reviewStatusName(status), outcome, message}
            .join(QLatin1Char('\t'));
    }
    static Attempt parse(const QString &line)
    {
        const QStringList parts = line.split(QLatin1Char('\t'));
        return {parts.value(0), parts.value(1),
                Model::reviewStatusFromName(parts.value(2)).value_or(ReviewStatus::Waiting),
                parts.value(3), parts.value(4)};
    }
};

// Makes `count` random decisions on the first `reviews` reviews as `worker`
// on its own connection.
QList<Attempt> decide(const QString &path, const QString &worker, quint32 seed, int count)
{
    QList<Attempt> attempts;
    auto db = Database::open(path);
    if (!db) {
        attempts.append({worker, QString(), ReviewStatus::Approved, QStringLiteral("error"),
                         db.error().message});
        return attempts;
    }
    ReviewRepository reviews(**db);
    QRandomGenerator random(seed);
    for (int i = 0; i < count; ++i) {
        Attempt attempt;
        attempt.reviewer = QStringLiteral("%1#%2").arg(worker).arg(i);
        attempt.review = reviewId(int(random.bounded(quint32(kReviews))));
        attempt.status = random.bounded(2) ? ReviewStatus::Approved : ReviewStatus::Rejected;
        ReviewDecision decision;
        decision.status = attempt.status;
        decision.message = attempt.reviewer;
        auto result = reviews.processAllReviewsForExecution(userId(), {{attempt.review, decision}},
                                                            attempt.reviewer);
        if (result)
            attempt.outcome = QStringLiteral("ok");
        else if (result.error().code == ErrorCode::Conflict)
            attempt.outcome = QStringLiteral("conflict");
        else
            attempt.outcome = QStringLiteral("error");
        attempt.message = result ? QString() : result.error().message;
        attempts.append(attempt);
    }
    return attempts;
}

} // namespace

class TestReviewRace : public QObject
{
    Q_OBJECT

private:
    TestStore m_store;
    RaceShape m_shape = kSqliteRace;

    // kReviews waiting reviews, ten per execution, each needing
    // `requiredApprovals` approvals.
    static bool createReviews(const QString &path, int requiredApprovals)
    {
        auto db = Database::open(path);
        if (!db || !GraphRepository(**db).saveGraph(smallGraph(), userId()))
            return false;
        auto catalog = Model::BlockCatalog::builtin();
        ExecutionRepository executions(**db, &*catalog);
        ReviewRepository reviews(**db);
        QString exec;
        for (int i = 0; i < kReviews; ++i) {
            if (i % 10 == 0)
                exec = executions.createGraphExecution(smallGraphExecution())->meta.id;
            NewReview review;
            review.userId = userId();
            review.nodeExecId = reviewId(i);
            review.nodeId = QStringLiteral("tpl");
            review.graphExecId = exec;
            review.graphId = QStringLiteral("g-small");
            review.graphVersion = 1;
            review.inputData = value("{'n': 1}");
            review.requiredApprovals = requiredApprovals;
            if (!reviews.getOrCreateHumanReview(review))
                return false;
        }
        return true;
    }

    // Every review as it stands after the race, and (in `ids`) their ids.
    static QMap<QString, Model::PendingReview> finalReviews(const QString &path, QStringList *ids)
    {
        for (int i = 0; i < kReviews; ++i)
            ids->append(reviewId(i));
        auto db = Database::open(path);
        if (!db)
            return {};
        auto found = ReviewRepository(**db).reviewsByNodeExecIds(*ids, userId());
        return found ? *found : QMap<QString, Model::PendingReview>();
    }

    // The other processes and this one's threads deciding at once; every
    // attempt.
    QList<Attempt> race(const QString &path)
    {
        QList<QProcess *> processes;
        int worker = m_shape.localThreads;
        for (int p = 0; p < m_shape.processes; ++p) {
            QStringList arguments {QStringLiteral("--decide"), path,
                                   QStringLiteral("process%1").arg(p), QString::number(kReviews)};
            for (int t = 0; t < m_shape.threadsPerProcess; ++t, ++worker)
                arguments.append(QString::number(m_shape.decisionsOf(worker)));
            auto *process = new QProcess(this);
            process->start(QCoreApplication::applicationFilePath(), arguments);
            processes.append(process);
        }
        QList<QList<Attempt>> results(m_shape.localThreads);
        QList<QThread *> threads;
        for (int t = 0; t < m_shape.localThreads; ++t) {
            threads.append(QThread::create([&results, t, path, count = m_shape.decisionsOf(t)] {
                results[t] = decide(path, QStringLiteral("thread%1").arg(t), quint32(t + 1), count);
            }));
            threads.last()->start();
        }
        QList<Attempt> attempts;
        for (int t = 0; t < m_shape.localThreads; ++t) {
            if (!threads.at(t)->wait(120000))
                qFatal("a deciding thread hangs");
            delete threads.at(t);
            attempts.append(results.at(t));
        }
        for (QProcess *process : std::as_const(processes)) {
            if (!process->waitForFinished(120000) || process->exitCode() != 0)
                qFatal("a deciding process failed");
            const QStringList lines = QString::fromUtf8(process->readAllStandardOutput())
                                          .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            for (const QString &line : lines)
                attempts.append(Attempt::parse(line));
            delete process;
        }
        return attempts;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SIGNALBOX_START_OR_SKIP(m_store);
        m_shape = m_store.isPostgres() ? kPostgresRace : kSqliteRace;
        kReviews = m_shape.reviews;
        qInfo("%s: %d processes x %d threads and %d threads here, %d decisions on %d reviews",
              qPrintable(m_store.engineName()), m_shape.processes, m_shape.threadsPerProcess,
              m_shape.localThreads, m_shape.decisions, m_shape.reviews);
    }

    void exactlyOneDecisionWinsEachReview()
    {
        const QString path = m_store.newLocation(QStringLiteral("race"));
        QVERIFY(createReviews(path, 1));
        const QList<Attempt> attempts = race(path);
        QCOMPARE(attempts.size(), m_shape.decisions);

        QStringList ids;
        const auto final = finalReviews(path, &ids);
        QCOMPARE(final.size(), kReviews); // nothing lost

        QHash<QString, QList<Attempt>> byReview;
        int conflicts = 0;
        for (const Attempt &attempt : std::as_const(attempts)) {
            // Every call succeeds or gets a conflict; none is "database is locked".
            QVERIFY2(attempt.outcome != QLatin1String("error"), qPrintable(attempt.line()));
            conflicts += attempt.outcome == QLatin1String("conflict");
            byReview[attempt.review].append(attempt);
        }
        for (const QString &id : std::as_const(ids)) {
            const Model::PendingReview review = final.value(id);
            const QList<Attempt> tried = byReview.value(id);
            if (tried.isEmpty()) {
                QCOMPARE(review.status, ReviewStatus::Waiting);
                continue;
            }
            QVERIFY(review.status != ReviewStatus::Waiting);
            // The winner is one call that asked for the final decision; every
            // other call asking for it was an idempotent success, every call
            // asking for the other one a conflict.
            int winners = 0;
            for (const Attempt &attempt : tried) {
                if (attempt.status == review.status) {
                    QCOMPARE(attempt.outcome, QStringLiteral("ok"));
                    winners += attempt.reviewer == review.reviewedBy;
                } else {
                    QCOMPARE(attempt.outcome, QStringLiteral("conflict"));
                }
            }
            QCOMPARE(winners, 1);
            QCOMPARE(review.reviewMessage, review.reviewedBy);
        }
        QVERIFY(conflicts > 0);
        qInfo("%lld decisions, %d conflicts, %lld reviews decided",
              static_cast<long long>(attempts.size()), conflicts,
              static_cast<long long>(byReview.size()));
    }

    // The same race on reviews that need two approvals from distinct
    // reviewers: each is approved by exactly two, or rejected by one before
    // a second approval; nothing is counted twice or lost.
    void aQuorumIsReachedOnceUnderRaces()
    {
        const QString path = m_store.newLocation(QStringLiteral("quorum"));
        QVERIFY(createReviews(path, 2));
        const QList<Attempt> attempts = race(path);
        QCOMPARE(attempts.size(), m_shape.decisions);

        QStringList ids;
        const auto final = finalReviews(path, &ids);
        QCOMPARE(final.size(), kReviews);
        auto db = Database::open(path);
        QVERIFY(db.ok());
        // Who approved each review, as recorded.
        QHash<QString, QStringList> approvals;
        {
            auto q = (*db)->prepare(QStringLiteral("SELECT node_exec_id, reviewer FROM review_approvals"));
            QVERIFY(q.ok() && (*q)->exec());
            while ((*q)->next())
                approvals[(*q)->value(0).toString()].append((*q)->value(1).toString());
        }
        QHash<QString, QList<Attempt>> byReview;
        for (const Attempt &attempt : std::as_const(attempts)) {
            QVERIFY2(attempt.outcome != QLatin1String("error"), qPrintable(attempt.line()));
            byReview[attempt.review].append(attempt);
        }
        int approved = 0;
        int rejected = 0;
        for (const QString &id : std::as_const(ids)) {
            const Model::PendingReview review = final.value(id);
            const QList<Attempt> tried = byReview.value(id);
            QSet<QString> okApprovers;
            for (const Attempt &attempt : tried) {
                if (attempt.status == ReviewStatus::Approved && attempt.outcome == QLatin1String("ok"))
                    okApprovers.insert(attempt.reviewer);
            }
            const QStringList counted = approvals.value(id);
            if (review.status == ReviewStatus::Approved) {
                ++approved;
                // Exactly two approvals, both calls that succeeded, named as who decided.
                QCOMPARE(counted.size(), 2);
                QStringList names = review.reviewedBy.split(QLatin1String(", "));
                names.sort();
                QStringList expected = counted;
                expected.sort();
                QCOMPARE(names, expected);
                for (const QString &name : counted)
                    QVERIFY(okApprovers.contains(name));
                for (const Attempt &attempt : tried) {
                    if (attempt.status == ReviewStatus::Rejected)
                        QCOMPARE(attempt.outcome, QStringLiteral("conflict"));
                }
            } else if (review.status == ReviewStatus::Rejected) {
                ++rejected;
                // One rejection won before a second approval arrived.
                QVERIFY(counted.size() <= 1);
                int winners = 0;
                for (const Attempt &attempt : tried)
                    winners += attempt.status == ReviewStatus::Rejected
                        && attempt.reviewer == review.reviewedBy;
                QCOMPARE(winners, 1);
            } else {
                // Still waiting: no rejection and at most one approval.
                QVERIFY(counted.size() <= 1);
                QCOMPARE(review.approvals, counted);
                for (const Attempt &attempt : tried)
                    QCOMPARE(attempt.status, ReviewStatus::Approved);
            }
        }
        QVERIFY(approved > 0 && rejected > 0);
        qInfo("%lld decisions: %d reviews approved by two, %d rejected",
              static_cast<long long>(attempts.size()), approved, rejected);
    }
};

int main(int argc, char *argv[])
{
    // The other processes of the race: --decide LOCATION NAME REVIEWS
    // COUNT... decides with one thread per COUNT, prints each outcome, exits.
    if (argc >= 6 && qstrcmp(argv[1], "--decide") == 0) {
        QCoreApplication app(argc, argv);
        const QString location = QString::fromLocal8Bit(argv[2]);
        const QString name = QString::fromLocal8Bit(argv[3]);
        kReviews = QByteArray(argv[4]).toInt();
        const int threadCount = argc - 5;
        QList<QList<Attempt>> results(threadCount);
        QList<QThread *> threads;
        for (int t = 0; t < threadCount; ++t) {
            const int count = QByteArray(argv[5 + t]).toInt();
            // Seeds differ between processes and threads.
            const quint32 seed = quint32(qHash(name) ^ (t * 7919 + 1000));
            threads.append(QThread::create([&results, t, location, name, seed, count] {
                results[t]
                    = decide(location, QStringLiteral("%1.%2").arg(name).arg(t), seed, count);
            }));
            threads.last()->start();
        }
        for (int t = 0; t < threadCount; ++t) {
            threads.at(t)->wait();
            delete threads.at(t);
            for (const Attempt &attempt : std::as_const(results.at(t)))
                std::printf("%s\n", attempt.line().toUtf8().constData());
        }
        return 0;
    }
    QCoreApplication app(argc, argv);
    TestReviewRace test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_reviewrace.moc"
