// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>

namespace Signalbox::Engine {

struct LingerLimits
{
    // A hand-over of the processor that takes longer than this shows that
    // other work competes for it (a scheduler gives a busy thread a few
    // milliseconds at a time)...
    std::chrono::microseconds busyHandOver {1000};
    // ...and then the thread does not linger for this long.
    std::chrono::milliseconds calm {50};
};

namespace Detail {
// Until when the calling thread does not linger.
std::chrono::steady_clock::time_point &calmUntil();
// How many OwnWork scopes began and ended in the process.
std::atomic<quint64> &ownWorkBegun();
std::atomic<quint64> &ownWorkEnded();
} // namespace Detail

// Marks work of this process that holds a processor for a while, such as
// the store writer's transactions. A turn of a lingering thread that was
// slow while such work ran went to it, not to other programs: the thread
// goes on lingering. Without this, every transaction that took a
// processor from a lingering thread stopped lingering for the calm, and
// the runs around it went at the pace of thread wake-ups.
class OwnWork
{
public:
    OwnWork() { Detail::ownWorkBegun().fetch_add(1, std::memory_order_acq_rel); }
    ~OwnWork() { Detail::ownWorkEnded().fetch_add(1, std::memory_order_acq_rel); }
    OwnWork(const OwnWork &) = delete;
    OwnWork &operator=(const OwnWork &) = delete;
};

// Waits up to `linger` for ready() by spinning; true when it holds. Each
// turn hands the processor to any thread that is ready to run on it, so a
// thread on the same processor that would make ready() hold goes first.
// While other programs compete for the processors a turn takes long: the
// thread then stops lingering for a while, since spinning would give its
// turn away and a busy processor wakes a sleeping thread at once anyway.
// A turn that was slow while OwnWork ran does not count.
template<typename Ready>
bool lingerUntil(Ready ready, std::chrono::microseconds linger, const LingerLimits &limits = {})
{
    using Clock = std::chrono::steady_clock;
    Clock::time_point last = Clock::now();
    if (linger.count() <= 0 || last < Detail::calmUntil())
        return ready();
    const Clock::time_point until = last + linger;
    quint64 ownBegun = Detail::ownWorkBegun().load(std::memory_order_acquire);
    for (;;) {
        const bool done = ready();
        const Clock::time_point now = Clock::now();
        if (now - last > limits.busyHandOver) {
            const quint64 begun = Detail::ownWorkBegun().load(std::memory_order_acquire);
            const bool own = begun != ownBegun
                || begun != Detail::ownWorkEnded().load(std::memory_order_acquire);
            // Also when what it waited for came meanwhile: it came late.
            if (!own) {
                Detail::calmUntil() = now + limits.calm;
                return done;
            }
        }
        if (done)
            return true;
        if (now >= until)
            return false;
        last = now;
        ownBegun = Detail::ownWorkBegun().load(std::memory_order_acquire);
        QThread::yieldCurrentThread();
    }
}

// Runs tasks on a QThreadPool that it owns. A thread that runs out of tasks
// keeps looking for the next one for a short while (`linger`) before it goes
// back to the pool, so a chain of short tasks handed over one at a time does
// not pay a thread wake-up for each: waking a sleeping thread on another
// processor costs tens of microseconds on a virtual machine, more than a
// trivial block takes to run. It waits as lingerUntil() does, and at most
// one thread lingers at a time.
//
// start() may be called from any thread; tasks run in the order started.
class TaskQueue
{
public:
    TaskQueue(int threads, std::chrono::microseconds linger);
    ~TaskQueue();

    TaskQueue(const TaskQueue &) = delete;
    TaskQueue &operator=(const TaskQueue &) = delete;

    void start(std::function<void()> task);
    int maxThreadCount() const { return m_pool.maxThreadCount(); }
    // Waits up to `milliseconds` for every task to have run and every
    // thread to have returned to the pool; true when they have.
    bool waitForDone(int milliseconds) { return m_pool.waitForDone(milliseconds); }

private:
    void pump();

    QThreadPool m_pool;
    const std::chrono::microseconds m_linger;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_tasks; // guarded by m_mutex
    int m_pumps = 0; // threads taking tasks; guarded by m_mutex
    int m_lingering = 0; // of them, waiting for one; guarded by m_mutex
    std::atomic<qsizetype> m_queued = 0; // m_tasks.size(), read without the lock
};

} // namespace Signalbox::Engine
