// SPDX-License-Identifier: GPL-3.0-or-later
// The executor's task queue: every task runs, in order on one thread, never
// more at once than the pool's threads, and as many at once as it has, also
// while a thread lingers for more work. And lingering itself: it ends when
// what it waits for holds or its time is up, and stops for a while after a
// turn that took long.
#include "engine/executor/taskqueue.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

using namespace Signalbox::Engine;
using namespace std::chrono_literals;

namespace {

// Tasks that only finish once `count` of them run at the same time.
class Rendezvous
{
public:
    explicit Rendezvous(int count)
        : m_count(count)
    { }
    // Run by each task: true when all of them arrived within two seconds.
    bool meet()
    {
        ++m_arrived;
        QElapsedTimer clock;
        clock.start();
        while (m_arrived.load() < m_count) {
            if (clock.elapsed() > 2000)
                return false;
            QThread::yieldCurrentThread();
        }
        return true;
    }

private:
    const int m_count;
    std::atomic<int> m_arrived = 0;
};

} // namespace

class TestTaskQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsEveryTaskAndNoMoreAtOnceThanItsThreads_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("lingerUs");
        QTest::newRow("1 thread") << 1 << 50;
        QTest::newRow("2 threads") << 2 << 50;
        QTest::newRow("8 threads") << 8 << 50;
        QTest::newRow("2 threads, no lingering") << 2 << 0;
    }

    void runsEveryTaskAndNoMoreAtOnceThanItsThreads()
    {
        QFETCH(int, threads);
        QFETCH(int, lingerUs);
        TaskQueue queue(threads, std::chrono::microseconds(lingerUs));
        std::atomic<int> ran = 0;
        std::atomic<int> running = 0;
        std::atomic<int> mostAtOnce = 0;
        constexpr int kProducers = 4;
        constexpr int kTasksEach = 2500;
        // Tasks are started from several threads at once.
        std::vector<std::unique_ptr<QThread>> producers;
        for (int p = 0; p < kProducers; ++p) {
            producers.emplace_back(QThread::create([&] {
                for (int i = 0; i < kTasksEach; ++i) {
                    queue.start([&] {
                        const int now = ++running;
                        int most = mostAtOnce.load();
                        while (now > most && !mostAtOnce.compare_exchange_weak(most, now)) { }
                        --running;
                        ++ran;
                    });
                }
            }));
            producers.back()->start();
        }
        for (auto &producer : producers)
            QVERIFY(producer->wait(10000));
        QVERIFY(queue.waitForDone(10000));
        QCOMPARE(ran.load(), kProducers * kTasksEach);
        QVERIFY2(mostAtOnce.load() <= threads, qPrintable(QString::number(mostAtOnce.load())));
    }

    void keepsTheOrderOnOneThread()
    {
        TaskQueue queue(1, 50us);
        QMutex mutex;
        QList<int> order;
        QList<int> expected;
        for (int i = 0; i < 1000; ++i) {
            expected.append(i);
            queue.start([&, i] {
                QMutexLocker lock(&mutex);
                order.append(i);
            });
        }
        QVERIFY(queue.waitForDone(10000));
        QCOMPARE(order, expected);
    }

    void runsAsManyAtOnceAsItHasThreads()
    {
        constexpr int kThreads = 4;
        TaskQueue queue(kThreads, 50us);
        Rendezvous rendezvous(kThreads);
        std::atomic<int> met = 0;
        for (int i = 0; i < kThreads; ++i)
            queue.start([&] { met += rendezvous.meet() ? 1 : 0; });
        QVERIFY(queue.waitForDone(10000));
        QCOMPARE(met.load(), kThreads);
    }

    void aLingeringThreadTakesOneTaskNotTwo()
    {
        // A thread that finished its task waits for the next one; two tasks
        // started then must still run side by side, not one after the other.
        TaskQueue queue(2, 2s);
        QSemaphore done;
        queue.start([&] { done.release(); });
        QVERIFY(done.tryAcquire(1, 5000));
        QTest::qWait(50); // the thread is lingering now
        Rendezvous rendezvous(2);
        std::atomic<int> met = 0;
        for (int i = 0; i < 2; ++i) {
            queue.start([&] {
                met += rendezvous.meet() ? 1 : 0;
                done.release();
            });
        }
        QVERIFY(done.tryAcquire(2, 10000));
        QCOMPARE(met.load(), 2);
    }

    void lingeringEndsWhenReady()
    {
        std::atomic<bool> ready = false;
        std::unique_ptr<QThread> setter(QThread::create([&] {
            QThread::msleep(2);
            ready = true;
        }));
        setter->start();
        // Turns may take long on a loaded machine: only readiness ends this one.
        const LingerLimits patient {std::chrono::seconds(10), std::chrono::milliseconds(1)};
        QVERIFY(lingerUntil([&] { return ready.load(); }, 5s, patient));
        QVERIFY(setter->wait(5000));
    }

    void lingeringEndsWhenItsTimeIsUp()
    {
        const LingerLimits patient {std::chrono::seconds(10), std::chrono::milliseconds(1)};
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!lingerUntil([] { return false; }, 20ms, patient));
        QVERIFY(clock.elapsed() >= 20);
    }

    void aSlowTurnStopsLingeringForAWhile()
    {
        // A turn that takes longer than busyHandOver (here the check itself,
        // standing for a processor given to other work) ends the wait, also
        // when what it waited for came meanwhile...
        const LingerLimits limits {std::chrono::milliseconds(5), std::chrono::milliseconds(300)};
        int turns = 0;
        QVERIFY(lingerUntil(
            [&] {
                if (++turns == 1)
                    return false;
                QThread::msleep(30);
                return true;
            },
            10s, limits));
        QCOMPARE(turns, 2);
        // ...and the thread does not linger during the calm that follows...
        QElapsedTimer clock;
        clock.start();
        QVERIFY(!lingerUntil([] { return false; }, 200ms, limits));
        QVERIFY2(clock.elapsed() < 150, qPrintable(QString::number(clock.elapsed())));
        // ...but does again after it.
        QTest::qWait(350);
        clock.restart();
        const LingerLimits patient {std::chrono::seconds(10), std::chrono::milliseconds(1)};
        QVERIFY(!lingerUntil([] { return false; }, 50ms, patient));
        QVERIFY(clock.elapsed() >= 50);
    }

    void aTurnTakenByOwnWorkDoesNotStopLingering()
    {
        // A fresh thread, whose calm is its own.
        bool ok = false;
        QString failure;
        std::unique_ptr<QThread> thread(QThread::create([&] {
            const LingerLimits limits {std::chrono::milliseconds(5), std::chrono::seconds(10)};
            const LingerLimits patient {std::chrono::seconds(10), std::chrono::milliseconds(1)};
            const auto slowTurn = [&] {
                int turns = 0;
                return lingerUntil(
                    [&] {
                        if (++turns == 1)
                            return false;
                        QThread::msleep(30);
                        return turns == 3;
                    },
                    10s, limits);
            };
            const auto lingers = [&] {
                QElapsedTimer clock;
                clock.start();
                lingerUntil([] { return false; }, 50ms, patient);
                return clock.elapsed() >= 50;
            };
            // Slow while the process's own work runs: it goes on.
            {
                const OwnWork busy;
                if (!slowTurn())
                    return void(failure = QStringLiteral("a turn taken by own work ended it"));
            }
            if (!lingers())
                return void(failure = QStringLiteral("a turn taken by own work stopped lingering"));
            // Slow with no such work: a calm.
            slowTurn();
            if (lingers())
                return void(failure = QStringLiteral("a slow turn did not stop lingering"));
            ok = true;
        }));
        thread->start();
        QVERIFY(thread->wait(20000));
        QVERIFY2(ok, qPrintable(failure));
    }
};

QTEST_GUILESS_MAIN(TestTaskQueue)
#include "tst_taskqueue.moc"
