// SPDX-License-Identifier: GPL-3.0-or-later
#include "taskqueue.h"

namespace Signalbox::Engine {

TaskQueue::TaskQueue(int threads, std::chrono::microseconds linger)
    : m_linger(linger)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
}

TaskQueue::~TaskQueue()
{
    m_pool.waitForDone();
}

void TaskQueue::start(std::function<void()> task)
{
    bool newPump = false;
    {
        std::lock_guard lock(m_mutex);
        m_tasks.push_back(std::move(task));
        m_queued.store(qsizetype(m_tasks.size()), std::memory_order_release);
        // Each queued task needs a thread that is free or about to be:
        // a lingering one, or a new one while the pool has room. A thread
        // still running a task is not counted: its task may take long.
        if (qsizetype(m_tasks.size()) > m_lingering && m_pumps < m_pool.maxThreadCount()) {
            ++m_pumps;
            newPump = true;
        }
    }
    if (newPump)
        m_pool.start([this] { pump(); });
}

void TaskQueue::pump()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_tasks.empty()) {
            // One thread lingers; the others return to the pool at once.
            if (m_lingering > 0 || m_linger.count() <= 0) {
                --m_pumps;
                return;
            }
            ++m_lingering;
            lock.unlock();
            lingerUntil([this] { return m_queued.load(std::memory_order_acquire) > 0; }, m_linger);
            lock.lock();
            --m_lingering;
            if (m_tasks.empty()) {
                --m_pumps;
                return;
            }
        }
        std::function<void()> task = std::move(m_tasks.front());
        m_tasks.pop_front();
        m_queued.store(qsizetype(m_tasks.size()), std::memory_order_release);
        lock.unlock();
        task();
        task = nullptr; // what it captured goes before the next one runs
        lock.lock();
    }
}

std::atomic<quint64> &Detail::ownWorkBegun()
{
    static std::atomic<quint64> begun = 0;
    return begun;
}

std::atomic<quint64> &Detail::ownWorkEnded()
{
    static std::atomic<quint64> ended = 0;
    return ended;
}

std::chrono::steady_clock::time_point &Detail::calmUntil()
{
    thread_local std::chrono::steady_clock::time_point until;
    return until;
}

} // namespace Signalbox::Engine
