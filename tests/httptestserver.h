// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A small HTTP/1.1 server on 127.0.0.1 for tests, on a thread of its own so
// that blocks waiting on it never wait on the test's thread.
//
//   /json          200, application/json: the request echoed (method, body, headers)
//   /text          200, text/plain "hello"
//   /status/N      N, application/json {"status": N}
//   /redirect?to=U 302 to U
//   /slow          never answers
//   /nocontent     204, application/json
//   /leak          401, application/json: the Authorization header's parts
//                  echoed back as a careless service would (the token after
//                  the scheme in a message, URL-encoded in a link, in base64)
#include "loopbackhttp.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

namespace Signalbox::Testing {

struct SeenRequest
{
    QByteArray method;
    QByteArray target;
    QByteArray host;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

class HttpTestServer
{
public:
    quint16 port() const { return m_http.port(); }
    QString url(const QString &path, const QString &host = QStringLiteral("127.0.0.1")) const
    {
        return QStringLiteral("http://%1:%2%3").arg(host).arg(port()).arg(path);
    }
    QList<SeenRequest> requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }

private:
    void take(QTcpSocket *socket, const RawHttpRequest &raw)
    {
        SeenRequest request {raw.method, raw.target, raw.headers.value("host"), raw.headers, raw.body};
        {
            QMutexLocker lock(&m_mutex);
            m_requests.append(request);
        }
        answer(socket, request);
    }

    static void reply(QTcpSocket *socket, int status, const QByteArray &type,
                      const QByteArray &body, const QByteArray &extra = {})
    {
        LoopbackHttpServer::reply(socket, status, type, body, extra);
    }

    void answer(QTcpSocket *socket, const SeenRequest &request)
    {
        const QUrl url = QUrl::fromEncoded("http://x" + request.target);
        const QString path = url.path();
        if (path == QLatin1String("/json")) {
            QJsonObject headers;
            for (auto it = request.headers.begin(); it != request.headers.end(); ++it)
                headers.insert(QString::fromLatin1(it.key()), QString::fromUtf8(it.value()));
            const QJsonObject echo {{QStringLiteral("method"), QString::fromLatin1(request.method)},
                                    {QStringLiteral("body"), QString::fromUtf8(request.body)},
                                    {QStringLiteral("headers"), headers}};
            reply(socket, 200, "application/json",
                  QJsonDocument(echo).toJson(QJsonDocument::Compact));
        } else if (path == QLatin1String("/text")) {
            reply(socket, 200, "text/plain; charset=utf-8", "hello");
        } else if (path.startsWith(QLatin1String("/status/"))) {
            const int status = path.mid(8).toInt();
            reply(socket, status, "application/json",
                  "{\"status\": " + QByteArray::number(status) + "}");
        } else if (path == QLatin1String("/redirect")) {
            const QString to
                = QUrlQuery(url).queryItemValue(QStringLiteral("to"), QUrl::FullyDecoded);
            reply(socket, 302, {}, {}, "Location: " + to.toUtf8() + "\r\n");
        } else if (path == QLatin1String("/leak")) {
            const QByteArray authorization = request.headers.value("authorization");
            const QByteArray token = authorization.mid(authorization.indexOf(' ') + 1);
            const QJsonObject leak {
                {QStringLiteral("message"), QStringLiteral("invalid token %1").arg(QString::fromUtf8(token))},
                {QStringLiteral("retry"),
                 QStringLiteral("https://login.example/?token=%1&header=%2")
                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(token))),
                          QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(authorization))))},
                {QStringLiteral("b64"), QString::fromLatin1(authorization.toBase64())},
                {QStringLiteral("b64token"),
                 QString::fromLatin1(token.toBase64(QByteArray::Base64UrlEncoding
                                                    | QByteArray::OmitTrailingEquals))}};
            reply(socket, 401, "application/json",
                  QJsonDocument(leak).toJson(QJsonDocument::Compact));
        } else if (path == QLatin1String("/nocontent")) {
            reply(socket, 204, "application/json", {});
        } else if (path != QLatin1String("/slow")) {
            reply(socket, 404, "text/plain", "not found");
        }
    }

    mutable QMutex m_mutex;
    QList<SeenRequest> m_requests;
    // Last: it answers from its thread as soon as it is made.
    LoopbackHttpServer m_http {[this](QTcpSocket *socket, const RawHttpRequest &raw) {
        take(socket, raw);
    }};
};

} // namespace Signalbox::Testing
