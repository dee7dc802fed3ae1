// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>

namespace Signalbox::Engine {

// Runs tasks on a QThreadPool that it owns. A thread that runs out of tasks
// keeps looking for the next one for a short while (`linger`) before it goes
// back to the pool, so a chain of short tasks handed over one at a time does
// not pay a thread wake-up for each: waking a sleeping thread on another
// processor costs tens of microseconds on a virtual machine, more than a
// trivial block takes to run. At most one thread lingers at a time.
//
// start() may be called from any thread; tasks run in the order started.
class TaskQueue
{
public:
    using Clock = std::chrono::steady_clock;

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
    // Waits up to the linger time for a task to be queued; true when one is.
    bool linger();

    QThreadPool m_pool;
    const std::chrono::microseconds m_linger;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_tasks; // guarded by m_mutex
    int m_pumps = 0; // threads taking tasks; guarded by m_mutex
    int m_lingering = 0; // of them, waiting for one; guarded by m_mutex
    std::atomic<qsizetype> m_queued = 0; // m_tasks.size(), read without the lock
};

} // namespace Signalbox::Engine
