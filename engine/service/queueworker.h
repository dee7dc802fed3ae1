// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "runservice.h"

#include <QObject>
#include <QTimer>

namespace Signalbox::Engine {

struct WorkerOptions
{
    // How many queued runs it runs at once.
    int maxRuns = 1;
    // How long a lease lasts without renewal; renewed every third of it.
    qint64 leaseMs = 30000;
    // How often it looks for queued runs besides the change feed's news.
    int pollMs = 1000;
};

// A worker: takes runs queued for workers from the store through the
// service (RunService::claimQueuedRun), up to maxRuns at once, renews their
// leases while they run, and says what it does. `signalbox worker` adapts
// it. Lives on the service's thread.
class QueueWorker : public QObject
{
    Q_OBJECT

public:
    QueueWorker(RunService &service, WorkerOptions options, QObject *parent = nullptr);

    void start();
    // Takes no more runs; those going here go on.
    void stopTaking();
    int active() const { return int(m_service.leasedRuns().size()); }

Q_SIGNALS:
    void claimed(const QString &graphExecId);
    void finished(const QString &graphExecId, Signalbox::Model::ExecutionStatus status);
    // Something went wrong that the worker lives with (a storage error, a
    // lease lost); it goes on.
    void problem(const Signalbox::Error &error);

private:
    void takeRuns();
    void renew();

    RunService &m_service;
    WorkerOptions m_options;
    QTimer m_poll {this};
    QTimer m_renew {this};
    bool m_taking = false;
};

} // namespace Signalbox::Engine
