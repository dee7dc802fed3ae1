// SPDX-License-Identifier: GPL-3.0-or-later
#include "servicethread.h"

namespace Signalbox::Engine {

ServiceThread::ServiceThread(ServiceOptions options, QObject *parent)
    : QObject(parent)
    , m_service(new RunService(std::move(options)))
{
    qRegisterMetaType<Signalbox::Engine::StoreChanges>();
    qRegisterMetaType<Signalbox::Engine::StopOutcome>();
    qRegisterMetaType<Signalbox::Engine::NodeExecutionEvent>();
    qRegisterMetaType<Signalbox::Engine::GraphExecutionEvent>();
    qRegisterMetaType<Signalbox::Error>();
    qRegisterMetaType<QList<Signalbox::Engine::NodeExecutionEvent>>();
    m_thread.setObjectName(QStringLiteral("signalbox-service"));
    m_service->moveToThread(&m_thread);
    m_thread.start();
    QPointer<ServiceThread> self(this);
    post([self](RunService &service) {
        // The relay is the service's child: it lives and dies on its thread.
        auto *relay = new QTimer(&service);
        relay->setInterval(kEventBatchMs);
        relay->setSingleShot(true);
        auto pending = std::make_shared<QList<NodeExecutionEvent>>();
        QObject::connect(relay, &QTimer::timeout, relay, [self, pending] {
            if (self)
                QMetaObject::invokeMethod(self.data(), [self, events = std::move(*pending)] {
                    if (self)
                        Q_EMIT self->nodeEvents(events);
                });
            pending->clear();
        });
        QObject::connect(service.events(), &EventBus::nodeExecutionUpdated, relay,
                         [relay, pending](const NodeExecutionEvent &event) {
                             pending->append(event);
                             if (!relay->isActive())
                                 relay->start();
                         });
        const auto result = service.open();
        const Error error = result ? Error {} : result.error();
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, error, ok = result.ok()] {
                if (self)
                    Q_EMIT self->opened(error, ok);
            });
    });
}

ServiceThread::~ServiceThread()
{
    RunService *service = m_service;
    QMetaObject::invokeMethod(
        service, [service] { delete service; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ServiceThread::post(std::function<void(RunService &)> work)
{
    RunService *service = m_service;
    QMetaObject::invokeMethod(service, [service, work = std::move(work)] { work(*service); });
}

} // namespace Signalbox::Engine
