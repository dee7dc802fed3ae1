// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QUrl>

#include <functional>
#include <utility>

namespace Signalbox::Engine {

// What outgoing requests may do (DESIGN §8). Private, loopback and
// link-local addresses are refused unless allowed here.
struct NetworkPolicy
{
    bool allowLoopback = false;
    // Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and
    // link-local ones (169.254/16, fe80::/10).
    bool allowPrivate = false;
    qint64 maxResponseBytes = 10 * 1024 * 1024;
    int timeoutMs = 30000;
    int maxRedirects = 10;
};

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpRequest
{
    QByteArray method = QByteArrayLiteral("GET");
    QUrl url;
    HttpHeaders headers;
    QByteArray body;
    // Headers (besides Authorization, Cookie and Proxy-Authorization) that
    // belong to the first host only and are dropped on a redirect elsewhere:
    // the ones credentials added.
    QSet<QByteArray> hostBoundHeaders;
};

struct HttpResponse
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    // Where the last hop went.
    QUrl url;
    // The last hop's headers, as received.
    HttpHeaders headers;

    // The first header named `name` (case-insensitive), or empty.
    QByteArray header(QByteArrayView name) const;
};

// Called with each piece of a response's body as it arrives, with the
// response's status, for answers that stream (server-sent events, JSON lines).
using HttpBodyReceiver = std::function<void(int status, QByteArrayView piece)>;

// Why `url` may not be requested under `policy` (its scheme, or an address
// its host resolves to), or an empty string when it may.
QString refusedAddressReason(const QUrl &url, const NetworkPolicy &policy);

// Sends `request` on the calling thread (waiting in a local event loop),
// with Signalbox's own redirect handling: each hop's address is checked
// when it is requested, and Authorization and credential headers are not
// sent to another origin. A 303, or a 301/302 after a POST, turns into a
// GET without a body, as Python's requests does. Fails on a refused
// address, too many redirects, a response over the size limit, the time
// limit, a network error, or when `cancelled` turns true (checked every
// 50 ms). HTTP error statuses are responses, not failures. `receive`, when
// given, sees the final hop's body piece by piece as it arrives; the whole
// body is in the response all the same.
Result<HttpResponse> sendHttpRequest(const HttpRequest &request, const NetworkPolicy &policy,
                                     const std::function<bool()> &cancelled = {},
                                     const HttpBodyReceiver &receive = {});

} // namespace Signalbox::Engine
