// SPDX-License-Identifier: GPL-3.0-or-later
#include "queueworker.h"

namespace Signalbox::Engine {

QueueWorker::QueueWorker(RunService &service, WorkerOptions options, QObject *parent)
    : QObject(parent)
    , m_service(service)
    , m_options(options)
{
    m_poll.setInterval(m_options.pollMs);
    m_renew.setInterval(int(qMax<qint64>(100, m_options.leaseMs / 3)));
    connect(&m_poll, &QTimer::timeout, this, &QueueWorker::takeRuns);
    connect(&m_renew, &QTimer::timeout, this, &QueueWorker::renew);
    // A run queued, or reviews decided, anywhere: look at once.
    connect(&m_service, &RunService::changed, this, [this](const StoreChanges &changes) {
        if (!changes.runs.isEmpty() || !changes.reviews.isEmpty())
            takeRuns();
    });
    connect(&m_service, &RunService::runFinished, this,
            [this](const QString &graphExecId, Model::ExecutionStatus status) {
                Q_EMIT finished(graphExecId, status);
                // A place is free.
                QMetaObject::invokeMethod(this, &QueueWorker::takeRuns, Qt::QueuedConnection);
            });
}

void QueueWorker::start()
{
    m_taking = true;
    m_poll.start();
    m_renew.start();
    takeRuns();
}

void QueueWorker::stopTaking()
{
    m_taking = false;
    m_poll.stop();
}

void QueueWorker::takeRuns()
{
    while (m_taking && active() < m_options.maxRuns) {
        auto taken = m_service.claimQueuedRun(m_options.leaseMs);
        if (!taken) {
            Q_EMIT problem(taken.error());
            return;
        }
        if (!taken->has_value())
            return;
        Q_EMIT claimed(**taken);
    }
}

void QueueWorker::renew()
{
    if (auto renewed = m_service.renewLeases(m_options.leaseMs); !renewed)
        Q_EMIT problem(renewed.error());
}

} // namespace Signalbox::Engine
