// SPDX-License-Identifier: GPL-3.0-or-later
// Credentials (store, encrypted file, graph-level inputs, validation), the
// web-request blocks against a local HTTP server, and secrets kept out of
// the database, its WAL, the logs and exports.
#include "engine/credentials/credentialinputs.h"
#include "engine/credentials/credentialsstore.h"
#include "engine/executor/executor.h"
#include "model/graphjson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "clirunner.h"
#include "httptestserver.h"
#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Engine;
using Model::ExecutionStatus;
using Signalbox::Testing::HttpTestServer;
using Signalbox::Testing::json;
using Signalbox::Testing::value;

namespace {

const QString kUser = QString(Model::kDefaultUserId);
const QString kCanary = QStringLiteral("canary-7f3a9c21-secret-value");
const QLatin1StringView kWebRequest("6595ae1f-b924-42cb-9a41-551a0611c4b4");
const QLatin1StringView kAuthenticated("fff86bcd-e001-4bad-a7f6-2eae4720c8dc");

QStringList g_log;
QMutex g_logMutex;

void captureMessages(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_log.append(QString::fromLatin1(context.category ? context.category : "") + u' ' + message);
}

struct Run
{
    QString id;
    ExecutionStatus status = ExecutionStatus::Incomplete;
    Model::GraphExecution execution;
};

} // namespace

class TestCredentials : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    QString m_path;
    std::shared_ptr<const BlockRegistry> m_registry;
    std::shared_ptr<CredentialsStore> m_store;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<Executor> m_executor;
    std::unique_ptr<HttpTestServer> m_server;
    QList<GraphExecutionEvent> m_graphEvents;
    QList<NodeExecutionEvent> m_nodeEvents;

    void openExecutor(const NetworkPolicy &policy)
    {
        m_executor = std::make_unique<Executor>(m_path, m_registry, m_events.get(), 2);
        QVERIFY(m_executor->open().ok());
        m_executor->setCredentials(m_store);
        m_executor->setNetworkPolicy(policy);
    }

    static NetworkPolicy loopbackAllowed()
    {
        NetworkPolicy policy;
        policy.allowLoopback = true;
        return policy;
    }

    Credential addHostScoped(const QString &host, const QString &headerValue = kCanary)
    {
        Credential credential;
        credential.userId = kUser;
        credential.provider = QStringLiteral("http");
        credential.type = CredentialType::HostScoped;
        credential.title = QStringLiteral("Test API");
        credential.host = host;
        CredentialSecret secret;
        secret.headers.insert(QStringLiteral("Authorization"),
                              QLatin1String("Bearer ") + headerValue);
        secret.headers.insert(QStringLiteral("X-Api-Key"), headerValue);
        auto added = m_store->add(credential, secret);
        if (!added)
            qFatal("%s", qPrintable(added.error().message));
        return *added;
    }

    // A graph: [url constant] -> web request -> outputs for each pin.
    static QByteArray requestGraph(const QString &blockId, const Model::Value &credentials = {},
                                   const char *extraInputs = "{}")
    {
        Model::ValueMap request = value(extraInputs).toMap();
        if (credentials.isMap())
            request.insert(QStringLiteral("credentials"), credentials);
        Model::ValueMap node;
        node.insert(QStringLiteral("id"), QStringLiteral("call"));
        node.insert(QStringLiteral("block_id"), blockId);
        node.insert(QStringLiteral("input_default"), request);
        Model::ValueList nodes;
        nodes.append(value("{'id': 'in', 'block_id': 'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', "
                           "'input_default': {'name': 'url'}}"));
        nodes.append(node);
        Model::ValueList links;
        links.append(value("{'source_id': 'in', 'source_name': 'result', 'sink_id': 'call', "
                           "'sink_name': 'url'}"));
        for (const char *pin : {"response", "client_error", "server_error", "error"}) {
            Model::ValueMap out;
            out.insert(QStringLiteral("id"), QLatin1String(pin));
            out.insert(QStringLiteral("block_id"),
                       QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4"));
            Model::ValueMap defaults;
            defaults.insert(QStringLiteral("name"), QLatin1String(pin));
            out.insert(QStringLiteral("input_default"), defaults);
            nodes.append(out);
            Model::ValueMap link;
            link.insert(QStringLiteral("source_id"), QStringLiteral("call"));
            link.insert(QStringLiteral("source_name"), QLatin1String(pin));
            link.insert(QStringLiteral("sink_id"), QLatin1String(pin));
            link.insert(QStringLiteral("sink_name"), QStringLiteral("value"));
            links.append(link);
        }
        Model::ValueMap graph;
        graph.insert(QStringLiteral("name"), QStringLiteral("request"));
        graph.insert(QStringLiteral("nodes"), nodes);
        graph.insert(QStringLiteral("links"), links);
        return Model::toJson(graph);
    }

    QString importRequestGraph(const QString &blockId, const Model::Value &credentials = {},
                               const char *extraInputs = "{}")
    {
        auto parsed = Model::graphFromJson(requestGraph(blockId, credentials, extraInputs),
                                           QStringLiteral("test graph"));
        if (!parsed)
            qFatal("%s", qPrintable(parsed.error().text()));
        GraphRepository graphs(*m_db);
        auto saved = graphs.saveGraph(*parsed, kUser);
        if (!saved)
            qFatal("%s", qPrintable(saved.error().message));
        return saved->id;
    }

    Result<QString> start(const QString &graphId, const QString &url,
                          const Model::ValueMap &credentialInputs = {})
    {
        RunRequest request;
        request.graphId = graphId;
        request.inputs.insert(QStringLiteral("url"), url);
        request.credentialInputs = credentialInputs;
        return m_executor->start(request);
    }

    Run wait(const QString &id, QSignalSpy &finished, int timeoutMs = 20000)
    {
        QElapsedTimer clock;
        clock.start();
        Run run;
        run.id = id;
        while (clock.elapsed() < timeoutMs) {
            for (const QList<QVariant> &signal : std::as_const(finished)) {
                if (signal.at(0).toString() == id)
                    run.status = signal.at(1).value<ExecutionStatus>();
            }
            if (run.status != ExecutionStatus::Incomplete)
                break;
            finished.wait(50);
        }
        ExecutionRepository executions(*m_db, m_registry.get());
        auto execution = executions.graphExecution(kUser, id, true);
        if (execution && execution->has_value())
            run.execution = **execution;
        return run;
    }

    Run runToEnd(const QString &graphId, const QString &url,
                 const Model::ValueMap &credentialInputs = {})
    {
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        auto id = start(graphId, url, credentialInputs);
        if (!id)
            qFatal("start failed: %s", qPrintable(id.error().text()));
        return wait(*id, finished);
    }

    // The value the output node `pin` received, or undefined.
    static Model::Value output(const Run &run, const QString &pin)
    {
        const Model::Value outputs = run.execution.outputs.value(pin);
        return outputs.isArray() && !outputs.toArray().isEmpty() ? outputs.toArray().at(0)
                                                                 : Model::Value();
    }

    static QString nodeError(const Run &run)
    {
        for (const auto &node : run.execution.nodeExecutions) {
            if (node.nodeId == QLatin1String("call"))
                return node.outputData.value(QStringLiteral("error")).toArray().at(0).toString();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto registry = BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
        m_server = std::make_unique<HttpTestServer>();
    }

    void init()
    {
        m_executor.reset();
        m_db.reset();
        m_path = m_dir.filePath(QStringLiteral("credentials-%1.db").arg(++m_counter));
        auto db = Database::open(m_path);
        QVERIFY(db.ok());
        m_db = std::move(*db);
        auto secrets = EncryptedFileSecretStore::open(m_path + QLatin1String(".secrets"),
                                                      QStringLiteral("test passphrase"));
        QVERIFY2(secrets.ok(), qPrintable(secrets ? QString() : secrets.error().message));
        m_store = std::make_shared<CredentialsStore>(
            m_path, std::shared_ptr<SecretStore>(std::move(*secrets)));
        m_events = std::make_unique<EventBus>();
        m_graphEvents.clear();
        m_nodeEvents.clear();
        connect(m_events.get(), &EventBus::graphExecutionUpdated, this,
                [this](const GraphExecutionEvent &event) { m_graphEvents.append(event); });
        connect(m_events.get(), &EventBus::nodeExecutionUpdated, this,
                [this](const NodeExecutionEvent &event) { m_nodeEvents.append(event); });
        openExecutor(loopbackAllowed());
    }

    void encryptedFileKeepsSecretsEncrypted()
    {
        const Credential added = addHostScoped(QStringLiteral("api.example.com"));
        auto listed = m_store->list(kUser);
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 1);
        QCOMPARE(listed->at(0).host, QStringLiteral("api.example.com"));
        QCOMPARE(listed->at(0).type, CredentialType::HostScoped);
        auto secret = m_store->secret(added.id);
        QVERIFY(secret.ok());
        QCOMPARE(secret->headers.value(QStringLiteral("X-Api-Key")), kCanary);

        // The file holds no plain secret, reopens with the passphrase only.
        QFile file(m_path + QLatin1String(".secrets"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(kCanary.toUtf8()));
        QCOMPARE(file.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        auto wrong = EncryptedFileSecretStore::open(file.fileName(), QStringLiteral("wrong"));
        QVERIFY(!wrong.ok());
        QVERIFY(wrong.error().message.contains(QLatin1String("passphrase does not open")));
        auto right
            = EncryptedFileSecretStore::open(file.fileName(), QStringLiteral("test passphrase"));
        QVERIFY(right.ok());
        QVERIFY((*right)->read(added.id).ok());

        QVERIFY(m_store->remove(kUser, added.id).ok());
        QCOMPARE(m_store->list(kUser)->size(), 0);
        QCOMPARE(m_store->secret(added.id).error().code, ErrorCode::NotFound);
        QCOMPARE(m_store->remove(kUser, added.id).error().code, ErrorCode::NotFound);
    }

    void noKeychainIsAnErrorNotAFallback()
    {
        // This machine has no Secret Service: choosing the keychain must fail
        // and say how to opt in to the file, never fall back on its own.
        qputenv("SIGNALBOX_SECRET_STORE", "keychain");
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        auto store = secretStoreFromEnvironment(m_path);
        qunsetenv("SIGNALBOX_SECRET_STORE");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        if (store.ok())
            QSKIP("a keychain answers on this machine");
        QVERIFY2(store.error().message.contains(QLatin1String("SIGNALBOX_SECRET_STORE=file")),
                 qPrintable(store.error().message));
        QVERIFY(!QFile::exists(m_path + QLatin1String(".secrets-unexpected")));
    }

    void hostMatching()
    {
        Credential credential;
        credential.host = QStringLiteral("api.example.com");
        QVERIFY(credential.matchesUrl(QUrl(QStringLiteral("https://api.example.com/x"))));
        QVERIFY(credential.matchesUrl(QUrl(QStringLiteral("http://API.example.com:8080/"))));
        QVERIFY(!credential.matchesUrl(QUrl(QStringLiteral("https://evil.com/api.example.com"))));
        QVERIFY(!credential.matchesUrl(QUrl(QStringLiteral("https://api.example.com.evil.com/"))));
        credential.host = QStringLiteral("*.example.com");
        QVERIFY(credential.matchesUrl(QUrl(QStringLiteral("https://a.example.com/"))));
        QVERIFY(!credential.matchesUrl(QUrl(QStringLiteral("https://example.com/"))));
        credential.host = QStringLiteral("127.0.0.1:8443");
        QVERIFY(credential.matchesUrl(QUrl(QStringLiteral("https://127.0.0.1:8443/"))));
        QVERIFY(!credential.matchesUrl(QUrl(QStringLiteral("https://127.0.0.1/"))));
    }

    void graphCredentialInputsAndValidation()
    {
        const Credential credential = addHostScoped(QStringLiteral("127.0.0.1"));
        const QString graph = importRequestGraph(kAuthenticated);
        auto snapshotGraph = GraphRepository(*m_db).graph(graph, std::nullopt, true);
        QVERIFY(snapshotGraph.ok());
        const auto inputs = aggregateCredentialsInputs(*snapshotGraph, *m_registry);
        QCOMPARE(inputs.keys(), QStringList {QStringLiteral("http_host_scoped_credentials")});
        QVERIFY(inputs.first().required);
        QCOMPARE(inputs.first().nodeFields.size(), 1);

        // Missing, unknown, and mismatched credentials are refused per node.
        auto missing = start(graph, m_server->url(QStringLiteral("/json")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().text().contains(
            QLatin1String("credentials: These credentials are required")));
        Model::ValueMap unknown;
        unknown.insert(QStringLiteral("http_host_scoped_credentials"),
                       value("{'id': 'nope', 'provider': 'http', 'type': 'host_scoped'}"));
        auto refused = start(graph, m_server->url(QStringLiteral("/json")), unknown);
        QVERIFY(refused.error().text().contains(QLatin1String("Unknown credentials #nope")));
        Model::ValueMap mismatched;
        Model::ValueMap meta = credential.meta().toMap();
        meta.insert(QStringLiteral("type"), QStringLiteral("api_key"));
        mismatched.insert(QStringLiteral("http_host_scoped_credentials"), meta);
        auto mismatch = start(graph, m_server->url(QStringLiteral("/json")), mismatched);
        QVERIFY2(mismatch.error().text().contains(
                     QLatin1String("Invalid credentials: type/provider mismatch")),
                 qPrintable(mismatch.error().text()));

        // The graph-level choice reaches the node and the request carries it.
        Model::ValueMap chosen;
        chosen.insert(QStringLiteral("http_host_scoped_credentials"), credential.meta());
        const Run run = runToEnd(graph, m_server->url(QStringLiteral("/json")), chosen);
        QVERIFY2(run.status == ExecutionStatus::Completed, qPrintable(nodeError(run)));
        QVERIFY(!m_server->requests().isEmpty());
        QCOMPARE(m_server->requests().constLast().headers.value("x-api-key"), kCanary.toUtf8());
    }

    void webRequestSuccessAndStatuses()
    {
        const QString graph = importRequestGraph(
            kWebRequest, {}, "{'method': 'POST', 'body': {'a': 1, 'b': [1, 2]}}");
        Run run = runToEnd(graph, m_server->url(QStringLiteral("/json")));
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const Model::ValueMap echo = output(run, QStringLiteral("response")).toMap();
        QCOMPARE(echo.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(echo.value(QStringLiteral("body")).toString(),
                 QStringLiteral("{\"a\": 1, \"b\": [1, 2]}"));
        QCOMPARE(echo.value(QStringLiteral("headers"))
                     .toMap()
                     .value(QStringLiteral("content-type"))
                     .toString(),
                 QStringLiteral("application/json"));

        run = runToEnd(graph, m_server->url(QStringLiteral("/text")));
        QCOMPARE(output(run, QStringLiteral("response")).toString(), QStringLiteral("hello"));
        run = runToEnd(graph, m_server->url(QStringLiteral("/status/404")));
        QCOMPARE(output(run, QStringLiteral("client_error")), value("{'status': 404}"));
        run = runToEnd(graph, m_server->url(QStringLiteral("/status/503")));
        QCOMPARE(output(run, QStringLiteral("server_error")), value("{'status': 503}"));
        run = runToEnd(graph, m_server->url(QStringLiteral("/nocontent")));
        QVERIFY(output(run, QStringLiteral("response")).isNull());

        // Form encoding when json_format is off.
        const QString form = importRequestGraph(
            kWebRequest, {}, "{'json_format': false, 'body': {'a': 'x y&z', 'b': [1, 2]}}");
        run = runToEnd(form, m_server->url(QStringLiteral("/json")));
        QCOMPARE(output(run, QStringLiteral("response"))
                     .toMap()
                     .value(QStringLiteral("body"))
                     .toString(),
                 QStringLiteral("a=x+y%26z&b=1&b=2"));
    }

    void addressesAreChecked()
    {
        const QString graph = importRequestGraph(kWebRequest, {}, "{'method': 'GET'}");
        // Loopback is refused unless allowed.
        openExecutor(NetworkPolicy {});
        Run run = runToEnd(graph, m_server->url(QStringLiteral("/json")));
        QCOMPARE(run.status, ExecutionStatus::Failed);
        QVERIFY2(nodeError(run).contains(QLatin1String("loopback address")),
                 qPrintable(nodeError(run)));
        QVERIFY(m_server->requests().isEmpty()
                || !m_server->requests().constLast().target.isEmpty());

        // A redirect to a private address is refused at that hop.
        openExecutor(loopbackAllowed());
        const int before = m_server->requests().size();
        run = runToEnd(graph,
                       m_server->url(QStringLiteral("/redirect?to=http%3A%2F%2F10.1.2.3%2Fadmin")));
        QCOMPARE(run.status, ExecutionStatus::Failed);
        QVERIFY2(nodeError(run).contains(QLatin1String("10.1.2.3 is a private address")),
                 qPrintable(nodeError(run)));
        QCOMPARE(m_server->requests().size(), before + 1);
        run = runToEnd(
            graph, m_server->url(QStringLiteral("/redirect?to=http%3A%2F%2F169.254.169.254%2F")));
        QVERIFY2(nodeError(run).contains(QLatin1String("link-local")), qPrintable(nodeError(run)));
        run = runToEnd(graph, QStringLiteral("file:///etc/passwd"));
        QVERIFY2(nodeError(run).contains(QLatin1String("Only http and https")),
                 qPrintable(nodeError(run)));
    }

    void authorizationStaysWithItsHost()
    {
        const Credential credential = addHostScoped(QStringLiteral("127.0.0.1"));
        const QString graph
            = importRequestGraph(kAuthenticated, credential.meta(), "{'method': 'GET'}");
        // 127.0.0.1 redirects to localhost: another origin, the same server.
        const QString target = QString::fromLatin1(QUrl::toPercentEncoding(
            m_server->url(QStringLiteral("/json"), QStringLiteral("localhost"))));
        const Run run = runToEnd(graph, m_server->url(QStringLiteral("/redirect?to=") + target));
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const QList<Testing::SeenRequest> seen = m_server->requests();
        QVERIFY(seen.size() >= 2);
        const Testing::SeenRequest first = seen.at(seen.size() - 2);
        const Testing::SeenRequest second = seen.constLast();
        QVERIFY(first.host.startsWith("127.0.0.1"));
        QCOMPARE(first.headers.value("authorization"), "Bearer " + kCanary.toUtf8());
        QVERIFY(second.host.startsWith("localhost"));
        QVERIFY(!second.headers.contains("authorization"));
        QVERIFY(!second.headers.contains("x-api-key"));

        // Credentials for another host are not sent at all.
        const Credential other = addHostScoped(QStringLiteral("api.example.com"));
        const QString elsewhere
            = importRequestGraph(kAuthenticated, other.meta(), "{'method': 'GET'}");
        runToEnd(elsewhere, m_server->url(QStringLiteral("/json")));
        QVERIFY(!m_server->requests().constLast().headers.contains("x-api-key"));
    }

    void timeoutAndStop()
    {
        const QString graph = importRequestGraph(kWebRequest, {}, "{'method': 'GET'}");
        NetworkPolicy policy = loopbackAllowed();
        policy.timeoutMs = 600;
        openExecutor(policy);
        QElapsedTimer clock;
        clock.start();
        Run run = runToEnd(graph, m_server->url(QStringLiteral("/slow")));
        QCOMPARE(run.status, ExecutionStatus::Failed);
        QVERIFY2(nodeError(run).contains(QLatin1String("timed out")), qPrintable(nodeError(run)));
        QVERIFY(clock.elapsed() < 5000);

        // Stopping the run aborts the request at once.
        openExecutor(loopbackAllowed());
        QSignalSpy finished(m_executor.get(), &Executor::runFinished);
        const int before = m_server->requests().size();
        auto id = start(graph, m_server->url(QStringLiteral("/slow")));
        QVERIFY(id.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_server->requests().size() > before, 5000);
        clock.restart();
        m_executor->stop(*id);
        run = wait(*id, finished);
        QCOMPARE(run.status, ExecutionStatus::Terminated);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    }

    void canarySecretLeaksNowhere()
    {
        {
            QMutexLocker lock(&g_logMutex);
            g_log.clear();
        }
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        const QtMessageHandler previous = qInstallMessageHandler(captureMessages);

        const Credential credential = addHostScoped(QStringLiteral("127.0.0.1"));
        // The server echoes the request's headers: the secret comes back in
        // the response and must be masked there.
        const QString echo
            = importRequestGraph(kAuthenticated, credential.meta(), "{'method': 'GET'}");
        Run run = runToEnd(echo, m_server->url(QStringLiteral("/json")));
        QCOMPARE(run.status, ExecutionStatus::Completed);
        QCOMPARE(m_server->requests().constLast().headers.value("x-api-key"), kCanary.toUtf8());
        const Model::ValueMap headers = output(run, QStringLiteral("response"))
                                            .toMap()
                                            .value(QStringLiteral("headers"))
                                            .toMap();
        QCOMPARE(headers.value(QStringLiteral("x-api-key")).toString(), QStringLiteral("***"));
        // A failing request (nothing listens on port 1), and a server error.
        run = runToEnd(echo, QStringLiteral("http://127.0.0.1:1/"));
        QCOMPARE(run.status, ExecutionStatus::Failed);
        run = runToEnd(echo, m_server->url(QStringLiteral("/status/500")));
        QCOMPARE(run.status, ExecutionStatus::Completed);

        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());

        GraphRepository graphs(*m_db);
        auto graph = graphs.graph(echo, std::nullopt, true);
        QVERIFY(graph.ok());
        const QByteArray exported = Model::graphToJson(*graph);

        m_executor.reset();
        const QByteArray canary = kCanary.toUtf8();
        for (const QString &file : QStringList {m_path, m_path + QLatin1String("-wal")}) {
            QFile data(file);
            if (!data.exists())
                continue;
            QVERIFY(data.open(QIODevice::ReadOnly));
            QVERIFY2(!data.readAll().contains(canary), qPrintable(file));
        }
        QVERIFY(!exported.contains(canary));
        QMutexLocker lock(&g_logMutex);
        QVERIFY(!g_log.isEmpty());
        for (const QString &line : std::as_const(g_log))
            QVERIFY2(!line.contains(kCanary), qPrintable(line));
        QVERIFY(!m_nodeEvents.isEmpty());
        for (const NodeExecutionEvent &event : std::as_const(m_nodeEvents)) {
            QVERIFY(!Model::toJson(event.outputValue).contains(canary));
            QVERIFY(!Model::toJson(event.inputData).contains(canary));
            QVERIFY(!event.error.contains(kCanary));
        }
    }

    void partsAndEncodingsOfSecretsAreMasked()
    {
        // A token with characters that URL-encoding and base64 change.
        const QString token = QStringLiteral("c4n4ry/T0ken+v=9f3a");
        const Credential credential = addHostScoped(QStringLiteral("127.0.0.1"), token);
        const QString graph
            = importRequestGraph(kAuthenticated, credential.meta(), "{'method': 'GET'}");
        const Run run = runToEnd(graph, m_server->url(QStringLiteral("/leak")));
        QCOMPARE(run.status, ExecutionStatus::Completed);
        const Model::ValueMap leak = output(run, QStringLiteral("client_error")).toMap();
        QCOMPARE(leak.value(QStringLiteral("message")).toString(),
                 QStringLiteral("invalid token ***"));
        QCOMPARE(leak.value(QStringLiteral("retry")).toString(),
                 QStringLiteral("https://login.example/?token=***&header=***"));
        QCOMPARE(leak.value(QStringLiteral("b64")).toString(), QStringLiteral("***"));
        QCOMPARE(leak.value(QStringLiteral("b64token")).toString(), QStringLiteral("***"));
        m_executor.reset();
        const QByteArray header = "Bearer " + token.toUtf8();
        QFile data(m_path);
        QVERIFY(data.open(QIODevice::ReadOnly));
        QByteArray stored = data.readAll();
        QFile wal(m_path + QLatin1String("-wal"));
        if (wal.open(QIODevice::ReadOnly))
            stored += wal.readAll();
        for (const QByteArray &form :
             {token.toUtf8(), QUrl::toPercentEncoding(token), header.toBase64(),
              token.toUtf8().toBase64(QByteArray::Base64UrlEncoding
                                      | QByteArray::OmitTrailingEquals)})
            QVERIFY2(!stored.contains(form), form.constData());
    }

    void secretFormsOfStoredValues()
    {
        const QStringList forms = secretForms(
            {QStringLiteral("Basic ") + QString::fromLatin1(QByteArray("ann:pa ss+w0rd").toBase64()),
             QStringLiteral("abc"), QStringLiteral("client-7:cl13nt-s3cret")});
        QVERIFY(forms.contains(QStringLiteral("cl13nt-s3cret")));
        for (const QString &expected :
             {QStringLiteral("ann:pa ss+w0rd"), QStringLiteral("pa ss+w0rd"),
              QStringLiteral("pa%20ss%2Bw0rd"), QStringLiteral("pa+ss%2Bw0rd"),
              QString::fromLatin1(QByteArray("pa ss+w0rd").toBase64())})
            QVERIFY2(forms.contains(expected), qPrintable(expected));
        // The scheme word and values too short to mask are left alone.
        QVERIFY(!forms.contains(QStringLiteral("Basic")));
        QVERIFY(!forms.contains(QStringLiteral("abc")));
        for (qsizetype i = 1; i < forms.size(); ++i)
            QVERIFY(forms.at(i - 1).size() >= forms.at(i).size());
    }

    void commandLineRunKeepsTheSecretOut()
    {
        // The same through the real program: credentials added from standard
        // input, a run that uses them, and everything it printed (with every
        // debug message on), its database, WAL and an export.
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SIGNALBOX_SECRET_STORE"), QStringLiteral("file"));
        environment.insert(QStringLiteral("SIGNALBOX_SECRETS_PASSPHRASE"), QStringLiteral("pw"));
        environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
        const QString db = m_dir.filePath(QStringLiteral("cli.db"));
        QByteArray printed;
        auto signalbox = [&](const QStringList &arguments, const QByteArray &input = {}) {
            const Testing::CliRun ran = Testing::signalbox(
                QStringList {QStringLiteral("--db"), db} + arguments, {}, 30000, input, environment);
            printed += ran.out.toUtf8() + ran.err.toUtf8();
            return std::pair {ran.exitCode, ran.out.toUtf8()};
        };
        const auto [added, id] = signalbox(
            {QStringLiteral("credentials"), QStringLiteral("add"), QStringLiteral("--type"),
             QStringLiteral("host_scoped"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
             QStringLiteral("--header"), QStringLiteral("X-Api-Key")},
            kCanary.toUtf8() + '\n');
        QCOMPARE(added, 0);
        const QString file = m_dir.filePath(QStringLiteral("request.json"));
        QFile graph(file);
        QVERIFY(graph.open(QIODevice::WriteOnly));
        graph.write(requestGraph(kAuthenticated, {}, "{'method': 'GET'}"));
        graph.close();
        const int before = m_server->requests().size();
        const auto [ran, output] = signalbox(
            {QStringLiteral("run"), file, QStringLiteral("--allow-loopback"),
             QStringLiteral("--credentials"),
             QStringLiteral("http_host_scoped_credentials=") + QString::fromUtf8(id.trimmed()),
             QStringLiteral("--input"),
             QStringLiteral("url=") + m_server->url(QStringLiteral("/json"))});
        QVERIFY2(ran == 0, printed.constData());
        QCOMPARE(m_server->requests().size(), before + 1);
        QCOMPARE(m_server->requests().constLast().headers.value("x-api-key"), kCanary.toUtf8());
        QVERIFY(output.contains("***"));
        const auto [listed, graphs] = signalbox(
            {QStringLiteral("graphs"), QStringLiteral("list"), QStringLiteral("--json")});
        const QString graphId = QJsonDocument::fromJson(graphs)
                                    .object()
                                    .value(QLatin1String("graphs"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("id"))
                                    .toString();
        const auto [exported, text]
            = signalbox({QStringLiteral("graphs"), QStringLiteral("export"), graphId});
        QCOMPARE(exported, 0);
        QVERIFY(text.contains("nodes"));
        QVERIFY(!printed.contains(kCanary.toUtf8()));
        for (const QString &path : QStringList {db, db + QLatin1String("-wal")}) {
            QFile data(path);
            if (data.open(QIODevice::ReadOnly))
                QVERIFY2(!data.readAll().contains(kCanary.toUtf8()), qPrintable(path));
        }
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
