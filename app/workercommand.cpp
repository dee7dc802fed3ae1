// SPDX-License-Identifier: GPL-3.0-or-later
#include "workercommand.h"

#include "cli.h"

#include <QEventLoop>
#include <QTimer>

#include <atomic>
#include <csignal>

namespace Signalbox::App {

namespace {

std::atomic<int> g_stopSignal {0};

extern "C" void noteStopSignal(int signal)
{
    g_stopSignal.store(signal);
}

} // namespace

int runWorker(Engine::RunService &service, const Engine::WorkerOptions &options,
              QTextStream &out, QTextStream &err)
{
    Engine::QueueWorker worker(service, options);
    QObject::connect(&worker, &Engine::QueueWorker::claimed, &worker, [&out](const QString &id) {
        out << "claimed " << id << Qt::endl;
    });
    QObject::connect(&worker, &Engine::QueueWorker::finished, &worker,
                     [&out](const QString &id, Model::ExecutionStatus status) {
                         out << "finished " << id << ' ' << Model::statusName(status) << Qt::endl;
                     });
    QObject::connect(&worker, &Engine::QueueWorker::problem, &worker,
                     [&err](const Error &error) {
                         err << "signalbox worker: " << error.text() << Qt::endl;
                     });

    g_stopSignal.store(0);
    std::signal(SIGINT, noteStopSignal);
    std::signal(SIGTERM, noteStopSignal);
    QEventLoop loop;
    QTimer watch;
    QObject::connect(&watch, &QTimer::timeout, &loop, [&] {
        if (g_stopSignal.load() != 0) {
            worker.stopTaking();
            loop.quit();
        }
    });
    watch.start(100);
    out << "worker " << service.database().path() << ": up to " << options.maxRuns
        << " run(s) at once, leases of " << options.leaseMs / 1000.0 << " s" << Qt::endl;
    worker.start();
    loop.exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    out << "worker stops; " << worker.active() << " run(s) left resumable" << Qt::endl;
    return ExitCompleted;
}

} // namespace Signalbox::App
