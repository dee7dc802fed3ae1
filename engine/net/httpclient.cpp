// SPDX-License-Identifier: GPL-3.0-or-later
#include "httpclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <memory>

namespace Signalbox::Engine {

namespace {

constexpr int kCancelPollMs = 50;

bool inSubnet(const QHostAddress &address, const char *subnet)
{
    return address.isInSubnet(QHostAddress::parseSubnet(QString::fromLatin1(subnet)));
}

// Why connecting to `address` is refused, or empty.
QString refusedAddress(QHostAddress address, const NetworkPolicy &policy)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        address = QHostAddress(v4);
    const QString shown = address.toString();
    if (address.isNull() || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        || inSubnet(address, "0.0.0.0/8"))
        return QStringLiteral("%1 is not a routable address").arg(shown);
    if (address.isMulticast() || address.isBroadcast())
        return QStringLiteral("%1 is a multicast or broadcast address").arg(shown);
    if (address.isLoopback()) {
        return policy.allowLoopback
            ? QString()
            : QStringLiteral("%1 is a loopback address (allow it in Settings to reach this "
                             "computer's own services)")
                  .arg(shown);
    }
    const bool linkLocal = address.isLinkLocal();
    const bool privateRange = address.isSiteLocal() || address.isUniqueLocalUnicast()
        || inSubnet(address, "10.0.0.0/8") || inSubnet(address, "172.16.0.0/12")
        || inSubnet(address, "192.168.0.0/16") || inSubnet(address, "100.64.0.0/10");
    if ((linkLocal || privateRange) && !policy.allowPrivate) {
        return QStringLiteral("%1 is a %2 address (allow private networks in Settings to reach it)")
            .arg(shown, linkLocal ? QStringLiteral("link-local") : QStringLiteral("private"));
    }
    return {};
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(a.scheme() == QLatin1String("https") ? 443 : 80)
        == b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

// Removes the headers whose lower-case name `drop` accepts.
void dropHeaders(HttpHeaders &headers, const std::function<bool(const QByteArray &)> &drop)
{
    headers.removeIf([&drop](const auto &header) { return drop(header.first.toLower()); });
}

} // namespace

QString refusedAddressReason(const QUrl &url, const NetworkPolicy &policy)
{
    if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
        return QStringLiteral("Only http and https URLs can be requested, not %1")
            .arg(url.toDisplayString());
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("%1 is not a valid URL").arg(url.toDisplayString());
    QList<QHostAddress> addresses;
    if (QHostAddress literal; literal.setAddress(url.host())) {
        addresses.append(literal);
    } else {
        const QHostInfo info = QHostInfo::fromName(url.host());
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty())
            return QStringLiteral("Cannot resolve %1: %2").arg(url.host(), info.errorString());
        addresses = info.addresses();
    }
    // Every address the name has must pass: the connection may use any.
    for (const QHostAddress &address : std::as_const(addresses)) {
        if (const QString reason = refusedAddress(address, policy); !reason.isEmpty())
            return QStringLiteral("Refused to connect to %1: %2").arg(url.host(), reason);
    }
    return {};
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

Result<HttpResponse> sendHttpRequest(const HttpRequest &request, const NetworkPolicy &policy,
                                     const std::function<bool()> &cancelled,
                                     const HttpBodyReceiver &receive)
{
    QNetworkAccessManager manager;
    manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    manager.setAutoDeleteReplies(false);

    QElapsedTimer clock;
    clock.start();
    HttpRequest hop = request;
    for (int redirects = 0;; ++redirects) {
        if (const QString refused = refusedAddressReason(hop.url, policy); !refused.isEmpty())
            return makeError(ErrorCode::BadInput, refused);

        QNetworkRequest networkRequest(hop.url);
        networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                    QNetworkRequest::ManualRedirectPolicy);
        networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                                    QNetworkRequest::AlwaysNetwork);
        networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute,
                                    QNetworkRequest::Manual);
        networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute,
                                    QNetworkRequest::Manual);
        for (const auto &[name, value] : std::as_const(hop.headers))
            networkRequest.setRawHeader(name, value);
        std::unique_ptr<QNetworkReply> reply(manager.sendCustomRequest(
            networkRequest, hop.method, hop.body.isEmpty() ? QByteArray() : hop.body));

        // Why this hop was cut short, if it was.
        QString failure;
        QByteArray body;
        QEventLoop loop;
        QTimer poll;
        poll.setInterval(kCancelPollMs);
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (cancelled && cancelled()) {
                failure = QStringLiteral("The request was cancelled: the run was stopped");
                reply->abort();
            } else if (clock.elapsed() > policy.timeoutMs) {
                failure = QStringLiteral("The request to %1 timed out after %2 s")
                              .arg(hop.url.host())
                              .arg(policy.timeoutMs / 1000.0);
                reply->abort();
            }
        });
        QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
            const QByteArray piece = reply->readAll();
            body += piece;
            if (receive) {
                const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
                const bool redirecting = !reply->rawHeader("Location").isEmpty();
                if (status.isValid() && !redirecting)
                    receive(status.toInt(), piece);
            }
            if (body.size() > policy.maxResponseBytes) {
                failure = QStringLiteral("The response from %1 is larger than %2 bytes")
                              .arg(hop.url.host())
                              .arg(policy.maxResponseBytes);
                reply->abort();
            }
        });
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        poll.start();
        if (!reply->isFinished())
            loop.exec();
        poll.stop();
        if (!failure.isEmpty())
            return makeError(ErrorCode::BadInput, failure);
        const QByteArray rest = reply->readAll();
        body += rest;

        const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!statusAttribute.isValid()) {
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("The request to %1 failed: %2")
                                 .arg(hop.url.host(), reply->errorString()));
        }
        const int status = statusAttribute.toInt();
        const QByteArray location = reply->rawHeader("Location");
        const bool redirect
            = (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
            && !location.isEmpty();
        if (!redirect) {
            HttpResponse response;
            response.status = status;
            response.contentType = reply->rawHeader("Content-Type");
            response.body = body;
            response.url = hop.url;
            response.headers = reply->rawHeaderPairs();
            if (receive && !rest.isEmpty())
                receive(status, rest);
            return response;
        }
        if (redirects >= policy.maxRedirects)
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("Too many redirects (more than %1) from %2")
                                 .arg(policy.maxRedirects)
                                 .arg(request.url.toDisplayString()));
        const QUrl next = hop.url.resolved(QUrl::fromEncoded(location));
        if (!sameOrigin(hop.url, next)) {
            // Credentials stay with the host they were meant for.
            dropHeaders(hop.headers, [&hop](const QByteArray &name) {
                return name == "authorization" || name == "cookie" || name == "proxy-authorization"
                    || hop.hostBoundHeaders.contains(name);
            });
        }
        if (status == 303 || ((status == 301 || status == 302) && hop.method == "POST")) {
            hop.method = QByteArrayLiteral("GET");
            hop.body.clear();
            dropHeaders(hop.headers, [](const QByteArray &name) {
                return name == "content-type" || name == "content-length";
            });
        }
        hop.url = next;
    }
}

} // namespace Signalbox::Engine
