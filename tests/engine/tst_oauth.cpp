// SPDX-License-Identifier: GPL-3.0-or-later
// OAuth 2.0 end to end against a real OpenID Connect server (npm's
// oidc-provider, installed from tests/oauth/package-lock.json and started on
// 127.0.0.1), its login and consent pages driven by a headless client.
#include "engine/credentials/oauth.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace Signalbox;
using namespace Signalbox::Engine;

namespace {

const QString kUser = QStringLiteral("3e53486c-cf57-477e-ba2a-cb02dc828e1a");

// Plays the user's browser: follows redirects, signs in as "alice", and
// gives or refuses consent, until the provider sends it back to the app.
class HeadlessBrowser : public QObject
{
    Q_OBJECT

public:
    enum class Answer { Consent, Refuse };

    HeadlessBrowser(Answer answer, quint16 callbackPort)
        : m_answer(answer)
        , m_callbackPort(callbackPort)
    {
        m_manager.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_manager.setCookieJar(new QNetworkCookieJar(&m_manager));
    }

    void open(const QUrl &url) { send(url); }
    QStringList visited;
    QString failure;
    bool callbackAnswered = false;

private:
    void send(const QUrl &url, const QByteArray &form = {})
    {
        visited.append(url.toString());
        QNetworkRequest request(url);
        QNetworkReply *reply;
        if (form.isNull()) {
            reply = m_manager.get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/x-www-form-urlencoded"));
            reply = m_manager.post(request, form);
        }
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            handle(reply);
        });
    }

    void handle(QNetworkReply *reply)
    {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QUrl url = reply->url();
        if (url.port() == m_callbackPort) {
            callbackAnswered = status == 200;
            return;
        }
        if (status >= 300 && status < 400) {
            send(url.resolved(QUrl::fromEncoded(reply->rawHeader("Location"))));
            return;
        }
        const QString page = QString::fromUtf8(reply->readAll());
        const auto action = QRegularExpression(QStringLiteral("action=\"([^\"]+)\"")).match(page);
        if (status != 200 || !action.hasMatch()) {
            failure
                = QStringLiteral("unexpected page %1 (HTTP %2)").arg(url.toString()).arg(status);
            return;
        }
        const QUrl target = url.resolved(QUrl(action.captured(1)));
        if (page.contains(QLatin1String("name=\"login\""))) {
            if (m_answer == Answer::Refuse) {
                const auto abort
                    = QRegularExpression(QStringLiteral("href=\"([^\"]*/abort)\"")).match(page);
                send(url.resolved(QUrl(abort.captured(1))));
            } else {
                send(target, QByteArrayLiteral("prompt=login&login=alice&password=secret"));
            }
        } else if (page.contains(QLatin1String("value=\"consent\""))) {
            send(target, QByteArrayLiteral("prompt=consent"));
        } else {
            failure = QStringLiteral("no form to fill on %1").arg(url.toString());
        }
    }

    QNetworkAccessManager m_manager;
    Answer m_answer;
    quint16 m_callbackPort;
};

struct Outcome
{
    std::optional<OAuthTokens> tokens;
    QString failure;
};

} // namespace

class TestOAuth : public QObject
{
    Q_OBJECT

private:
    QProcess m_server;
    quint16 m_port = 0;
    QTemporaryDir m_dir;
    OAuthProvider m_provider;

    NetworkPolicy loopback() const
    {
        NetworkPolicy policy;
        policy.allowLoopback = true;
        return policy;
    }

    Outcome authorize(HeadlessBrowser::Answer answer, bool pkce = true)
    {
        OAuthAuthorization authorization(m_provider);
        authorization.setPkceEnabled(pkce);
        std::unique_ptr<HeadlessBrowser> browser;
        Outcome outcome;
        bool done = false;
        int strayStatus = 0;
        connect(
            &authorization, &OAuthAuthorization::authorizeWithBrowser, this, [&](const QUrl &url) {
                browser = std::make_unique<HeadlessBrowser>(answer, authorization.callbackPort());
                // A callback with another state is turned away and changes nothing.
                QNetworkAccessManager stray;
                QNetworkReply *reply = stray.get(QNetworkRequest(
                    QUrl(QStringLiteral("http://127.0.0.1:%1/callback?code=forged&state=forged")
                             .arg(authorization.callbackPort()))));
                QSignalSpy strayDone(reply, &QNetworkReply::finished);
                strayDone.wait(5000);
                strayStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                delete reply;
                browser->open(url);
            });
        connect(&authorization, &OAuthAuthorization::finished, this,
                [&](const OAuthTokens &tokens) {
                    outcome.tokens = tokens;
                    done = true;
                });
        connect(&authorization, &OAuthAuthorization::failed, this, [&](const QString &message) {
            outcome.failure = message;
            done = true;
        });
        authorization.start();
        QElapsedTimer clock;
        clock.start();
        while (!done && !(browser && !browser->failure.isEmpty()) && clock.elapsed() < 20000)
            QTest::qWait(20);
        if (!done && outcome.failure.isEmpty())
            outcome.failure = QStringLiteral("no answer within 20 s");
        if (strayStatus != 400 && answer == HeadlessBrowser::Answer::Consent && pkce)
            outcome.failure += QStringLiteral(" (a forged callback got HTTP %1)").arg(strayStatus);
        if (browser && !browser->failure.isEmpty())
            outcome.failure = QLatin1String("browser: ") + browser->failure;
        // The listener has closed: nothing answers on its port any more.
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, authorization.callbackPort());
        if (probe.waitForConnected(1000))
            outcome.failure += QStringLiteral(" (the listener is still open)");
        return outcome;
    }

    std::shared_ptr<CredentialsStore> openStore()
    {
        const QString path = m_dir.filePath(QStringLiteral("oauth.db"));
        auto secrets = EncryptedFileSecretStore::open(path + QLatin1String(".secrets"),
                                                      QStringLiteral("passphrase"));
        if (!secrets)
            qFatal("%s", qPrintable(secrets.error().message));
        auto store = std::make_shared<CredentialsStore>(
            path, std::shared_ptr<SecretStore>(std::move(*secrets)));
        if (auto saved = store->saveProvider(m_provider); !saved)
            qFatal("%s", qPrintable(saved.error().message));
        return store;
    }

    Credential storeTokens(CredentialsStore &store, const OAuthTokens &tokens)
    {
        Credential credential;
        credential.userId = kUser;
        credential.provider = m_provider.name;
        credential.type = CredentialType::OAuth2;
        credential.title = QStringLiteral("alice at the test provider");
        credential.scopes = tokens.scopes;
        credential.expiresAt = tokens.expiresAt;
        CredentialSecret secret;
        secret.accessToken = tokens.accessToken;
        secret.refreshToken = tokens.refreshToken;
        auto added = store.add(credential, secret);
        if (!added)
            qFatal("%s", qPrintable(added.error().message));
        return *added;
    }

    QJsonObject userInfo(CredentialsStore &store, const Credential &credential)
    {
        HttpRequest request;
        request.url = QUrl(QStringLiteral("http://127.0.0.1:%1/me").arg(m_port));
        auto response = sendOAuthRequest(store, credential, request, loopback());
        if (!response) {
            qWarning("%s", qPrintable(response.error().message));
            return {};
        }
        if (response->status != 200)
            qWarning("HTTP %d: %s", response->status, response->body.constData());
        return QJsonDocument::fromJson(response->body).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString npm = QStandardPaths::findExecutable(QStringLiteral("npm"));
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (npm.isEmpty() || node.isEmpty())
            QSKIP("npm and node are not installed: the OAuth tests need them to run the "
                  "oidc-provider test server (install nodejs and npm)");
        // Install the pinned server once per build folder.
        const QDir work(QStringLiteral(SIGNALBOX_OAUTH_WORK_DIR));
        QVERIFY(QDir().mkpath(work.path()));
        const QDir source(QStringLiteral(SIGNALBOX_SOURCE_DIR "/tests/oauth"));
        bool changed = false;
        for (const char *name : {"package.json", "package-lock.json", "oidc-server.mjs"}) {
            QFile from(source.filePath(QLatin1String(name)));
            QVERIFY(from.open(QIODevice::ReadOnly));
            const QByteArray data = from.readAll();
            QFile to(work.filePath(QLatin1String(name)));
            if (to.open(QIODevice::ReadOnly) && to.readAll() == data)
                continue;
            to.close();
            QVERIFY(to.open(QIODevice::WriteOnly | QIODevice::Truncate));
            to.write(data);
            changed = true;
        }
        if (changed
            || !QFile::exists(
                work.filePath(QStringLiteral("node_modules/oidc-provider/package.json")))) {
            QProcess install;
            install.setWorkingDirectory(work.path());
            install.setProcessChannelMode(QProcess::MergedChannels);
            install.start(npm,
                          {QStringLiteral("ci"), QStringLiteral("--no-audit"),
                           QStringLiteral("--no-fund"), QStringLiteral("--loglevel=error")});
            QVERIFY(install.waitForFinished(300000));
            QVERIFY2(install.exitCode() == 0, install.readAll().constData());
        }
        m_server.setWorkingDirectory(work.path());
        m_server.start(node, {QStringLiteral("oidc-server.mjs"), QStringLiteral("0")});
        QVERIFY(m_server.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        QByteArray output;
        while (m_port == 0 && clock.elapsed() < 30000) {
            m_server.waitForReadyRead(500);
            output += m_server.readAllStandardOutput();
            const auto match = QRegularExpression(QStringLiteral("listening (\\d+)"))
                                   .match(QString::fromUtf8(output));
            if (match.hasMatch())
                m_port = quint16(match.captured(1).toUInt());
        }
        QVERIFY2(m_port != 0, m_server.readAllStandardError().constData());
        m_provider.name = QStringLiteral("test-oidc");
        m_provider.title = QStringLiteral("Test OIDC");
        m_provider.authorizationUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/auth").arg(m_port));
        m_provider.tokenUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/token").arg(m_port));
        m_provider.clientId = QStringLiteral("signalbox-test");
        m_provider.scopes = {QStringLiteral("openid")};
    }

    void cleanupTestCase()
    {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.terminate();
            if (!m_server.waitForFinished(5000))
                m_server.kill();
        }
    }

    void codeFlowWithPkceAndProtectedCall()
    {
        const Outcome outcome = authorize(HeadlessBrowser::Answer::Consent);
        QVERIFY2(outcome.tokens && outcome.failure.isEmpty(), qPrintable(outcome.failure));
        QVERIFY(!outcome.tokens->accessToken.isEmpty());
        QVERIFY(!outcome.tokens->refreshToken.isEmpty());
        QVERIFY(outcome.tokens->expiresAt > QDateTime::currentDateTimeUtc().addSecs(3000));

        auto store = openStore();
        const Credential credential = storeTokens(*store, *outcome.tokens);
        QCOMPARE(userInfo(*store, credential).value(QLatin1String("sub")).toString(),
                 QStringLiteral("alice"));
    }

    void refreshRotatesAndRestartsFromStoredToken()
    {
        const Outcome outcome = authorize(HeadlessBrowser::Answer::Consent);
        QVERIFY2(outcome.tokens, qPrintable(outcome.failure));
        auto store = openStore();
        Credential credential = storeTokens(*store, *outcome.tokens);

        // Due for a refresh: the next use refreshes, and the server rotates
        // the refresh token.
        credential.expiresAt = QDateTime::currentDateTimeUtc().addSecs(10);
        QVERIFY(store->updateTokens(credential, *store->secret(credential.id)).ok());
        auto fresh = freshOAuthSecret(*store, credential);
        QVERIFY2(fresh.ok(), qPrintable(fresh ? QString() : fresh.error().message));
        QVERIFY(fresh->accessToken != outcome.tokens->accessToken);
        QVERIFY(fresh->refreshToken != outcome.tokens->refreshToken);
        QVERIFY((*store->find(kUser, credential.id))->expiresAt
                > QDateTime::currentDateTimeUtc().addSecs(3000));
        // A new program start: the flow restarts from the stored refresh token.
        store.reset();
        auto reopened = openStore();
        Credential later = **reopened->find(kUser, credential.id);
        later.expiresAt = QDateTime::currentDateTimeUtc().addSecs(-5);
        QVERIFY(reopened->updateTokens(later, *reopened->secret(later.id)).ok());
        auto restarted = freshOAuthSecret(*reopened, later);
        QVERIFY2(restarted.ok(), qPrintable(restarted ? QString() : restarted.error().message));
        QVERIFY(restarted->refreshToken != fresh->refreshToken);
        QCOMPARE(userInfo(*reopened, later).value(QLatin1String("sub")).toString(),
                 QStringLiteral("alice"));

        // The first refresh token was used up; the token endpoint says so (and,
        // seeing it reused, revokes the grant).
        auto reused = refreshOAuthTokens(m_provider, outcome.tokens->refreshToken);
        QVERIFY(!reused.ok());
        QVERIFY2(reused.error().message.contains(QLatin1String("invalid_grant")),
                 qPrintable(reused.error().message));
    }

    void unauthorizedRefreshesOnce()
    {
        const Outcome outcome = authorize(HeadlessBrowser::Answer::Consent);
        QVERIFY2(outcome.tokens, qPrintable(outcome.failure));
        auto store = openStore();
        const Credential credential = storeTokens(*store, *outcome.tokens);
        // The server no longer knows the stored access token: a 401, then a
        // refresh and a second try that succeeds.
        CredentialSecret secret = *store->secret(credential.id);
        secret.accessToken = QStringLiteral("revoked-token");
        QVERIFY(store->updateTokens(credential, secret).ok());
        QCOMPARE(userInfo(*store, credential).value(QLatin1String("sub")).toString(),
                 QStringLiteral("alice"));
        QVERIFY(store->secret(credential.id)->accessToken != QLatin1String("revoked-token"));
    }

    void consentRefused()
    {
        const Outcome outcome = authorize(HeadlessBrowser::Answer::Refuse);
        QVERIFY(!outcome.tokens);
        QVERIFY2(outcome.failure.contains(QLatin1String("access_denied")),
                 qPrintable(outcome.failure));
    }

    void missingPkceRefused()
    {
        const Outcome outcome = authorize(HeadlessBrowser::Answer::Consent, false);
        QVERIFY(!outcome.tokens);
        QVERIFY2(outcome.failure.contains(QLatin1String("invalid_request"))
                     && outcome.failure.contains(QLatin1String("PKCE")),
                 qPrintable(outcome.failure));
    }

    void timesOut()
    {
        OAuthAuthorization authorization(m_provider);
        authorization.setTimeout(300);
        QSignalSpy failed(&authorization, &OAuthAuthorization::failed);
        authorization.start();
        const quint16 port = authorization.callbackPort();
        QVERIFY(failed.wait(5000));
        QVERIFY(
            failed.at(0).at(0).toString().contains(QLatin1String("No answer from the browser")));
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!probe.waitForConnected(1000));
    }
};

QTEST_GUILESS_MAIN(TestOAuth)
#include "tst_oauth.moc"
