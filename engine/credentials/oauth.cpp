// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QtNetworkAuthVersion>

namespace Signalbox::Engine {

namespace {

constexpr int kAuthorizationTimeoutMs = 5 * 60 * 1000;
constexpr qint64 kMaxCallbackRequest = 16 * 1024;

QByteArray randomUrlSafe(int bytes)
{
    QByteArray data(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(data.data()),
                                         reinterpret_cast<quint32 *>(data.data() + bytes));
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray htmlPage(const QString &title, const QString &text)
{
    return QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1</title>"
                          "</head><body style=\"font-family:sans-serif;margin:3em\"><h1>%1</h1>"
                          "<p>%2</p></body></html>")
        .arg(title.toHtmlEscaped(), text.toHtmlEscaped())
        .toUtf8();
}

void respond(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &body)
{
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                  + QByteArray::number(body.size())
                  + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

// Strips an empty client secret: public clients send none.
void dropEmptyClientSecret(QMultiMap<QString, QVariant> *parameters)
{
    if (parameters->value(QStringLiteral("client_secret")).toString().isEmpty())
        parameters->remove(QStringLiteral("client_secret"));
}

OAuthTokens tokensOf(const QOAuth2AuthorizationCodeFlow &flow, const QString &previousRefresh)
{
    OAuthTokens tokens;
    tokens.accessToken = flow.token();
    tokens.refreshToken = flow.refreshToken().isEmpty() ? previousRefresh : flow.refreshToken();
    tokens.expiresAt = flow.expirationAt().toUTC();
    tokens.scopes = flow.scope().split(u' ', Qt::SkipEmptyParts);
    return tokens;
}

} // namespace

LoopbackReplyHandler::LoopbackReplyHandler(QObject *parent)
    : QOAuthOobReplyHandler(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
        }
    });
}

bool LoopbackReplyHandler::listen()
{
    // Only this computer may answer: never every interface.
    if (m_server.isListening())
        return true;
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        return false;
    // The token request repeats the redirect URI after the listener closed.
    m_port = m_server.serverPort();
    return true;
}

void LoopbackReplyHandler::close()
{
    m_server.close();
}

QString LoopbackReplyHandler::callback() const
{
    return QStringLiteral("http://127.0.0.1:%1/callback").arg(m_port);
}

void LoopbackReplyHandler::readRequest(QTcpSocket *socket)
{
    if (socket->bytesAvailable() > kMaxCallbackRequest) {
        socket->abort();
        return;
    }
    if (!socket->canReadLine())
        return;
    const QList<QByteArray> parts = socket->readLine().trimmed().split(' ');
    if (parts.size() < 3 || parts.at(0) != "GET") {
        respond(socket, 400, "Bad Request", htmlPage(QStringLiteral("Bad request"), QString()));
        return;
    }
    const QUrl url = QUrl::fromEncoded("http://127.0.0.1" + parts.at(1));
    if (url.path() != QLatin1String("/callback")) {
        respond(socket, 404, "Not Found", htmlPage(QStringLiteral("Not found"), QString()));
        return;
    }
    const QUrlQuery query(url);
    const QString state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    if (m_state.isEmpty() || state != m_state) {
        // Not the answer to this sign-in: keep waiting for it.
        respond(socket, 400, "Bad Request",
                htmlPage(QStringLiteral("Unexpected sign-in"),
                         QStringLiteral("This is not the sign-in Signalbox is waiting for.")));
        return;
    }
    QVariantMap data;
    const auto items = query.queryItems(QUrl::FullyEncoded);
    for (const auto &[key, value] : items)
        data.insert(key, value);
    const QString error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    if (error.isEmpty()) {
        respond(socket, 200, "OK",
                htmlPage(QStringLiteral("Signed in"),
                         QStringLiteral("Signalbox is finishing the connection. You can close "
                                        "this window.")));
    } else {
        respond(socket, 200, "OK",
                htmlPage(QStringLiteral("Not connected"),
                         QStringLiteral("The provider answered: %1. You can close this window.")
                             .arg(error)));
    }
    // The state is single-use and the listener has done its work.
    m_state.clear();
    close();
    Q_EMIT callbackReceived(data);
}

void LoopbackReplyHandler::networkReplyFinished(QNetworkReply *reply)
{
    const QByteArray data = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    QVariantMap values;
    if (contentType.startsWith("application/x-www-form-urlencoded")
        || contentType.startsWith("text/plain")) {
        const QUrlQuery query(QString::fromUtf8(data));
        const auto items = query.queryItems(QUrl::FullyDecoded);
        for (const auto &[key, value] : items)
            values.insert(key, value);
    } else {
        values = QJsonDocument::fromJson(data).object().toVariantMap();
    }
    const QString error = values.value(QStringLiteral("error")).toString();
    if (reply->error() != QNetworkReply::NoError || status >= 400 || !error.isEmpty()
        || values.value(QStringLiteral("access_token")).toString().isEmpty()) {
        QString message;
        if (!error.isEmpty()) {
            message = QStringLiteral("The token endpoint refused the request: %1").arg(error);
            const QString description
                = values.value(QStringLiteral("error_description")).toString();
            if (!description.isEmpty())
                message += QLatin1String(" (") + description + QLatin1Char(')');
        } else if (reply->error() != QNetworkReply::NoError) {
            message = QStringLiteral("The token endpoint could not be reached: %1")
                          .arg(reply->errorString());
        } else {
            message = QStringLiteral("The token endpoint answered HTTP %1 without an access token")
                          .arg(status);
        }
        Q_EMIT tokenRequestFailed(message);
        return;
    }
    Q_EMIT replyDataReceived(data);
    Q_EMIT tokensReceived(values);
}

OAuthAuthorization::OAuthAuthorization(OAuthProvider provider, QObject *parent)
    : QObject(parent)
    , m_provider(std::move(provider))
    , m_flow(new QOAuth2AuthorizationCodeFlow(this))
    , m_handler(new LoopbackReplyHandler(this))
{
    m_flow->setReplyHandler(m_handler);
    m_flow->setAuthorizationUrl(m_provider.authorizationUrl);
    m_flow->setAccessTokenUrl(m_provider.tokenUrl);
    m_flow->setClientIdentifier(m_provider.clientId);
    m_flow->setScope(m_provider.scopes.join(u' '));
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kAuthorizationTimeoutMs);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("No answer from the browser within %1 minutes")
                 .arg(m_timeout.interval() / 60000.0));
    });
    connect(m_flow, &QAbstractOAuth::authorizeWithBrowser, this,
            &OAuthAuthorization::authorizeWithBrowser);
    connect(m_flow, &QAbstractOAuth::granted, this, [this] {
        if (m_done)
            return;
        m_done = true;
        m_timeout.stop();
        m_handler->close();
        Q_EMIT finished(tokensOf(*m_flow, QString()));
    });
    connect(m_flow, &QAbstractOAuth2::error, this,
            [this](const QString &error, const QString &description, const QUrl &) {
                QString message
                    = QStringLiteral("%1 refused the connection: %2")
                          .arg(m_provider.title.isEmpty() ? m_provider.name : m_provider.title,
                               error);
                // QtNetworkAuth 6.4 leaves the query's '+' for spaces.
                if (!description.isEmpty())
                    message += QLatin1String(" (") + QString(description).replace(u'+', u' ')
                        + QLatin1Char(')');
                fail(message);
            });
    connect(m_handler, &LoopbackReplyHandler::tokenRequestFailed, this, &OAuthAuthorization::fail);
}

OAuthAuthorization::~OAuthAuthorization() = default;

void OAuthAuthorization::start()
{
    if (!m_handler->listen()) {
        fail(QStringLiteral("Cannot listen for the browser's answer on 127.0.0.1"));
        return;
    }
    const QString state = QString::fromLatin1(randomUrlSafe(24));
    m_flow->setState(state);
    m_handler->expectState(state);
    QByteArray challenge;
    if (m_pkce) {
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        m_flow->setPkceMethod(QOAuth2AuthorizationCodeFlow::PkceMethod::S256);
#else
        // RFC 7636 by hand: QtNetworkAuth adds PKCE itself from 6.8 on.
        m_verifier = randomUrlSafe(32);
        challenge = QCryptographicHash::hash(m_verifier, QCryptographicHash::Sha256)
                        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
#endif
    }
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    else {
        m_flow->setPkceMethod(QOAuth2AuthorizationCodeFlow::PkceMethod::None);
    }
#endif
    const QJsonObject extra = m_provider.extraParameters;
    m_flow->setModifyParametersFunction(
        [this, challenge, extra](QAbstractOAuth::Stage stage,
                                 QMultiMap<QString, QVariant> *parameters) {
            if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
                for (auto it = extra.begin(); it != extra.end(); ++it)
                    parameters->replace(it.key(), it.value().toVariant());
                if (!challenge.isEmpty()) {
                    parameters->replace(QStringLiteral("code_challenge"), challenge);
                    parameters->replace(QStringLiteral("code_challenge_method"),
                                        QStringLiteral("S256"));
                }
            } else if (stage == QAbstractOAuth::Stage::RequestingAccessToken) {
                if (!m_verifier.isEmpty())
                    parameters->replace(QStringLiteral("code_verifier"), m_verifier);
            }
            dropEmptyClientSecret(parameters);
        });
    m_timeout.start();
    m_flow->grant();
}

void OAuthAuthorization::cancel()
{
    fail(QStringLiteral("Cancelled"));
}

void OAuthAuthorization::fail(const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    m_handler->expectState(QString());
    m_handler->close();
    Q_EMIT failed(message);
}

Result<OAuthTokens> refreshOAuthTokens(const OAuthProvider &provider, const QString &refreshToken,
                                       int timeoutMs)
{
    if (refreshToken.isEmpty())
        return makeError(ErrorCode::BadInput, QStringLiteral("There is no refresh token"));
    QOAuth2AuthorizationCodeFlow flow;
    LoopbackReplyHandler handler;
    flow.setReplyHandler(&handler);
    flow.setAccessTokenUrl(provider.tokenUrl);
    flow.setClientIdentifier(provider.clientId);
    flow.setRefreshToken(refreshToken);
    flow.setModifyParametersFunction(
        [](QAbstractOAuth::Stage stage, QMultiMap<QString, QVariant> *parameters) {
            if (stage == QAbstractOAuth::Stage::RefreshingAccessToken) {
                // Not part of a refresh request (RFC 6749 §6).
                parameters->remove(QStringLiteral("redirect_uri"));
            }
            dropEmptyClientSecret(parameters);
        });
    QEventLoop loop;
    QString failure;
    bool granted = false;
    QObject::connect(&flow, &QAbstractOAuth::granted, &loop, [&] {
        granted = true;
        loop.quit();
    });
    QObject::connect(&handler, &LoopbackReplyHandler::tokenRequestFailed, &loop,
                     [&](const QString &message) {
                         failure = message;
                         loop.quit();
                     });
    QTimer::singleShot(timeoutMs, &loop, [&] {
        failure
            = QStringLiteral("The token endpoint did not answer within %1 s").arg(timeoutMs / 1000);
        loop.quit();
    });
    flow.refreshAccessToken();
    if (!granted && failure.isEmpty())
        loop.exec();
    if (!granted)
        return makeError(ErrorCode::BadInput, failure);
    return tokensOf(flow, refreshToken);
}

Result<CredentialSecret> freshOAuthSecret(CredentialsStore &store, const Credential &credential,
                                          const QString &rejectedToken)
{
    if (credential.type != CredentialType::OAuth2)
        return store.secret(credential.id);
    static QMutex locksMutex;
    static QHash<QString, std::shared_ptr<QMutex>> locks;
    std::shared_ptr<QMutex> lock;
    {
        QMutexLocker guard(&locksMutex);
        auto &entry = locks[credential.id];
        if (!entry)
            entry = std::make_shared<QMutex>();
        lock = entry;
    }
    QMutexLocker guard(lock.get());
    // Read again under the lock: another thread may have refreshed already.
    auto current = store.find(credential.userId, credential.id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Unknown credentials #%1").arg(credential.id));
    Credential latest = **current;
    auto secret = store.secret(latest.id);
    if (!secret)
        return secret.error();
    const bool rejected = !rejectedToken.isEmpty() && secret->accessToken == rejectedToken;
    const bool expiring = latest.expiresAt.isValid()
        && QDateTime::currentDateTimeUtc().secsTo(latest.expiresAt) < 60;
    if (!rejected && !expiring)
        return secret;
    if (secret->refreshToken.isEmpty())
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("The access token of %1 has run out and there is no refresh "
                           "token: connect the account again")
                .arg(latest.title.isEmpty() ? latest.provider : latest.title));
    auto provider = store.provider(latest.provider);
    if (!provider)
        return provider.error();
    if (!provider->has_value())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("No OAuth provider named %1 to refresh %2 with")
                             .arg(latest.provider, latest.title));
    auto tokens = refreshOAuthTokens(**provider, secret->refreshToken);
    if (!tokens)
        return tokens.error();
    secret->accessToken = tokens->accessToken;
    secret->refreshToken = tokens->refreshToken;
    latest.expiresAt = tokens->expiresAt;
    if (!tokens->scopes.isEmpty())
        latest.scopes = tokens->scopes;
    if (auto stored = store.updateTokens(latest, *secret); !stored)
        return stored.error();
    return secret;
}

Result<HttpResponse> sendOAuthRequest(CredentialsStore &store, const Credential &credential,
                                      HttpRequest request, const NetworkPolicy &policy,
                                      const std::function<bool()> &cancelled)
{
    auto secret = freshOAuthSecret(store, credential);
    if (!secret)
        return secret.error();
    HttpHeaders headers = request.headers;
    for (int attempt = 0;; ++attempt) {
        request.headers = headers;
        request.headers.append(
            {QByteArrayLiteral("Authorization"), "Bearer " + secret->accessToken.toUtf8()});
        auto response = sendHttpRequest(request, policy, cancelled);
        if (!response || response->status != 401 || attempt > 0)
            return response;
        // The server no longer takes this token: refresh once and retry.
        secret = freshOAuthSecret(store, credential, secret->accessToken);
        if (!secret)
            return secret.error();
    }
}

} // namespace Signalbox::Engine
