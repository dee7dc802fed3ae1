// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credentialsstore.h"

#include "engine/net/httpclient.h"

#include <QDateTime>
#include <QOAuthOobReplyHandler>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

class QOAuth2AuthorizationCodeFlow;

namespace Signalbox::Engine {

struct OAuthTokens
{
    QString accessToken;
    QString refreshToken;
    QDateTime expiresAt;
    QStringList scopes;
};

// The redirect target of an authorization: a listener on 127.0.0.1 (never
// another interface) on a port the system picks, which takes the first
// callback carrying the expected state, answers the browser, and closes.
// It also reads the token endpoint's replies, and reports their errors,
// which QtNetworkAuth 6.4 only logs.
class LoopbackReplyHandler : public QOAuthOobReplyHandler
{
    Q_OBJECT

public:
    explicit LoopbackReplyHandler(QObject *parent = nullptr);

    bool listen();
    void close();
    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_port; }
    QString callback() const override;
    // The state the callback must carry; cleared once one did.
    void expectState(const QString &state) { m_state = state; }
    void networkReplyFinished(QNetworkReply *reply) override;

Q_SIGNALS:
    void tokenRequestFailed(const QString &message);

private:
    void readRequest(QTcpSocket *socket);

    QTcpServer m_server;
    quint16 m_port = 0;
    QString m_state;
};

// Connecting an account: QtNetworkAuth's authorization-code flow with PKCE
// (S256), a fresh single-use state, the loopback listener above, and a
// time limit (five minutes by default) after which the listener closes.
class OAuthAuthorization : public QObject
{
    Q_OBJECT

public:
    explicit OAuthAuthorization(OAuthProvider provider, QObject *parent = nullptr);
    ~OAuthAuthorization() override;

    // Off only to show that a server requiring PKCE refuses the request.
    void setPkceEnabled(bool enabled) { m_pkce = enabled; }
    void setTimeout(int milliseconds) { m_timeout.setInterval(milliseconds); }
    quint16 callbackPort() const { return m_handler->port(); }

    // Opens the listener and emits authorizeWithBrowser with the URL the
    // user's browser must open; then finished or failed, once.
    void start();
    void cancel();

Q_SIGNALS:
    void authorizeWithBrowser(const QUrl &url);
    void finished(const Signalbox::Engine::OAuthTokens &tokens);
    void failed(const QString &message);

private:
    void fail(const QString &message);

    OAuthProvider m_provider;
    QOAuth2AuthorizationCodeFlow *m_flow = nullptr;
    LoopbackReplyHandler *m_handler = nullptr;
    QTimer m_timeout;
    QByteArray m_verifier;
    bool m_pkce = true;
    bool m_done = false;
};

// Trades a refresh token for new tokens with QtNetworkAuth's flow, on the
// calling thread. The server may rotate the refresh token: the result holds
// the one to keep (the old one when it did not).
Result<OAuthTokens> refreshOAuthTokens(const OAuthProvider &provider, const QString &refreshToken,
                                       int timeoutMs = 30000);

// An OAuth credential's secret with an access token that is good for at
// least another minute: refreshed first when it is not, or when it is
// `rejectedToken` (a server answered 401 to it); rotated tokens are stored.
// Refreshes of one credential are serialised, and one that another thread
// already made is not made again.
Result<CredentialSecret> freshOAuthSecret(CredentialsStore &store, const Credential &credential,
                                          const QString &rejectedToken = {});

// A request with an OAuth credential's bearer token, refreshed before it
// runs out and once more after a 401.
Result<HttpResponse> sendOAuthRequest(CredentialsStore &store, const Credential &credential,
                                      HttpRequest request, const NetworkPolicy &policy,
                                      const std::function<bool()> &cancelled = {});

} // namespace Signalbox::Engine

Q_DECLARE_METATYPE(Signalbox::Engine::OAuthTokens)
