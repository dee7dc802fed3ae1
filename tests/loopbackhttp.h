// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the tests' HTTP servers share: a server on 127.0.0.1 with a thread of
// its own, which reads each request whole (head and Content-Length body)
// and hands it to the server's handler on that thread.

#include <QByteArray>
#include <QHostAddress>
#include <QMap>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <functional>
#include <memory>

namespace Signalbox::Testing {

struct RawHttpRequest
{
    QByteArray method;
    QByteArray target;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

class LoopbackHttpServer
{
public:
    using Handler = std::function<void(QTcpSocket *, const RawHttpRequest &)>;

    // Listens on `port` (0: any free one).
    LoopbackHttpServer(Handler handler, quint16 port = 0)
        : m_handler(std::move(handler))
    {
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_anchor,
            [this, port] {
                m_server = new QTcpServer;
                m_server->listen(QHostAddress::LocalHost, port);
                m_port = m_server->serverPort();
                QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] {
                    while (QTcpSocket *socket = m_server->nextPendingConnection())
                        serve(socket);
                });
            },
            Qt::BlockingQueuedConnection);
    }
    ~LoopbackHttpServer()
    {
        QMetaObject::invokeMethod(
            &m_anchor, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    LoopbackHttpServer(const LoopbackHttpServer &) = delete;
    LoopbackHttpServer &operator=(const LoopbackHttpServer &) = delete;

    quint16 port() const { return m_port; }

    // Writes a whole response and closes the connection.
    static void reply(QTcpSocket *socket, int status, const QByteArray &type,
                      const QByteArray &body, const QByteArray &extra = {})
    {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + " X\r\n";
        if (!type.isEmpty())
            head += "Content-Type: " + type + "\r\n";
        head += extra + "Content-Length: " + QByteArray::number(body.size())
            + "\r\nConnection: close\r\n\r\n";
        socket->write(head + body);
        socket->disconnectFromHost();
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            RawHttpRequest request;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon > 0)
                    request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                           lines.at(i).mid(colon + 1).trimmed());
            }
            const qsizetype length = request.headers.value("content-length").toLongLong();
            if (buffer->size() < end + 4 + length)
                return;
            request.body = buffer->mid(end + 4, length);
            buffer->clear();
            m_handler(socket, request);
        });
    }

    Handler m_handler;
    QThread m_thread;
    QObject m_anchor;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
};

} // namespace Signalbox::Testing
