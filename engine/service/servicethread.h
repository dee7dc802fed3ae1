// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "runservice.h"

#include <QPointer>
#include <QThread>

#include <functional>
#include <memory>
#include <type_traits>

namespace Signalbox::Engine {

// A RunService on a thread of its own, for a face whose thread must never
// wait (the desktop's GUI thread). Calls are posted to the service's thread;
// their results come back to the caller's thread. Connect to the service's
// signals and to its events() as to any object on another thread.
class ServiceThread : public QObject
{
    Q_OBJECT

public:
    explicit ServiceThread(ServiceOptions options, QObject *parent = nullptr);
    // Ends the service's runs (they stay resumable) and the thread.
    ~ServiceThread() override;

    // The service, which lives on the other thread: connect to it and call
    // it through call() and post(), never directly.
    RunService *service() const { return m_service; }

    // Runs `work(service)` on the service's thread and then `done(result)`
    // on this object's thread, unless `context` is gone by then.
    template<typename Work, typename Done>
    void call(QObject *context, Work work, Done done)
    {
        using R = std::invoke_result_t<Work, RunService &>;
        QPointer<QObject> guard(context);
        QPointer<ServiceThread> self(this);
        post([self, guard, work = std::move(work), done = std::move(done)](RunService &service) mutable {
            auto result = std::make_shared<R>(work(service));
            if (!self)
                return;
            QMetaObject::invokeMethod(self.data(), [guard, result, done = std::move(done)]() mutable {
                if (guard)
                    done(std::move(*result));
            });
        });
    }
    // Runs `work(service)` on the service's thread.
    void post(std::function<void(RunService &)> work);

Q_SIGNALS:
    // The service opened (or could not: then calls fail).
    void opened(const Signalbox::Error &error, bool ok);
    // The service's node execution events, gathered on its thread and
    // delivered here together every kEventBatchMs: a large run costs this
    // thread a few deliveries a second, not one per event.
    void nodeEvents(const QList<Signalbox::Engine::NodeExecutionEvent> &events);

public:
    static constexpr int kEventBatchMs = 40;

private:
    QThread m_thread;
    RunService *m_service;
};

} // namespace Signalbox::Engine
