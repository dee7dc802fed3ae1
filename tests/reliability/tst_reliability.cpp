// SPDX-License-Identifier: GPL-3.0-or-later
// The reliability battery, through the real program and real processes:
// kill -9 at random moments of a run and resume, a disk that fills up
// mid-run, eight processes deciding the same reviews at once, and a service
// that echoes a secret back in every form. The random moments come from a
// fixed seed (SIGNALBOX_RELIABILITY_SEED); SIGNALBOX_RELIABILITY_TRIALS sets
// how many kills (30 by default).
#include "engine/store/database.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

#include "clirunner.h"
#include "httptestserver.h"
#include "testsupport.h"

using namespace Signalbox;
using Testing::CliRun;
using Testing::newestExecution;
using Testing::signalbox;

namespace {

const QString kInput = QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b");
const QString kStore = QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
const QString kOutput = QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4");
const QString kStep = QStringLiteral("f66a3543-28d3-4ab5-8945-9b336371e2ce");
const QString kReview = QStringLiteral("8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d");
const QString kAuthenticatedRequest = QStringLiteral("fff86bcd-e001-4bad-a7f6-2eae4720c8dc");

QJsonObject node(const QString &id, const QString &block, const QJsonObject &defaults = {})
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("block_id"), block},
            {QStringLiteral("input_default"), defaults}};
}

QJsonObject link(const QString &source, const QString &sourcePin, const QString &sink,
                 const QString &sinkPin)
{
    return {{QStringLiteral("source_id"), source},
            {QStringLiteral("source_name"), sourcePin},
            {QStringLiteral("sink_id"), sink},
            {QStringLiteral("sink_name"), sinkPin}};
}

QByteArray graphJson(const QString &id, const QJsonArray &nodes, const QJsonArray &links)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("id"), id},
                                      {QStringLiteral("name"), id},
                                      {QStringLiteral("nodes"), nodes},
                                      {QStringLiteral("links"), links}})
        .toJson(QJsonDocument::Compact);
}

// input x -> `count` StoreValue nodes -> output y.
QByteArray chain(int count)
{
    QJsonArray nodes {node(QStringLiteral("in"), kInput, {{QStringLiteral("name"), QStringLiteral("x")}})};
    QJsonArray links;
    QString previous = QStringLiteral("in");
    QString pin = QStringLiteral("result");
    for (int i = 0; i < count; ++i) {
        const QString id = QStringLiteral("s%1").arg(i);
        nodes.append(node(id, kStore));
        links.append(link(previous, pin, id, QStringLiteral("input")));
        previous = id;
        pin = QStringLiteral("output");
    }
    nodes.append(node(QStringLiteral("out"), kOutput, {{QStringLiteral("name"), QStringLiteral("y")}}));
    links.append(link(previous, pin, QStringLiteral("out"), QStringLiteral("value")));
    return graphJson(QStringLiteral("chain-%1").arg(count), nodes, links);
}

// items -> StepThroughItems -> Human In The Loop -> outputs approved / rejected.
QByteArray reviewEach()
{
    const QJsonArray nodes {
        node(QStringLiteral("in"), kInput, {{QStringLiteral("name"), QStringLiteral("items")}}),
        node(QStringLiteral("step"), kStep),
        node(QStringLiteral("review"), kReview, {{QStringLiteral("name"), QStringLiteral("item")}}),
        node(QStringLiteral("approved"), kOutput, {{QStringLiteral("name"), QStringLiteral("approved")}}),
        node(QStringLiteral("rejected"), kOutput, {{QStringLiteral("name"), QStringLiteral("rejected")}})};
    const QJsonArray links {
        link(QStringLiteral("in"), QStringLiteral("result"), QStringLiteral("step"), QStringLiteral("items")),
        link(QStringLiteral("step"), QStringLiteral("item"), QStringLiteral("review"), QStringLiteral("data")),
        link(QStringLiteral("review"), QStringLiteral("approved_data"), QStringLiteral("approved"), QStringLiteral("value")),
        link(QStringLiteral("review"), QStringLiteral("rejected_data"), QStringLiteral("rejected"), QStringLiteral("value"))};
    return graphJson(QStringLiteral("review-each"), nodes, links);
}

// What the store says of one execution, read with a connection of our own.
struct Stored
{
    QString status;
    // node id -> statuses of its node executions
    QMap<QString, QStringList> nodes;
    QString integrity;
};

Stored readStore(const QString &db, const QString &executionId)
{
    Stored stored;
    auto opened = Engine::Database::open(db, {.mode = Engine::DatabaseOptions::OpenMode::MustExist});
    if (!opened)
        return stored;
    auto query = (*opened)->prepare(QStringLiteral("SELECT status FROM graph_executions WHERE id = ?"));
    if (query) {
        (*query)->addBindValue(executionId);
        if ((*query)->exec() && (*query)->next())
            stored.status = (*query)->value(0).toString();
        (*query)->finish();
    }
    query = (*opened)->prepare(
        QStringLiteral("SELECT node_id, status FROM node_executions WHERE graph_exec_id = ?"));
    if (query) {
        (*query)->addBindValue(executionId);
        (*query)->exec();
        while ((*query)->next())
            stored.nodes[(*query)->value(0).toString()].append((*query)->value(1).toString());
        (*query)->finish();
    }
    query = (*opened)->prepare(QStringLiteral("PRAGMA integrity_check"));
    if (query && (*query)->exec() && (*query)->next())
        stored.integrity = (*query)->value(0).toString();
    if (query)
        (*query)->finish();
    return stored;
}

int executionCount(const QString &db)
{
    auto opened = Engine::Database::open(db, {.mode = Engine::DatabaseOptions::OpenMode::MustExist});
    if (!opened)
        return 0;
    auto query = (*opened)->prepare(QStringLiteral("SELECT count(*) FROM graph_executions"));
    int count = 0;
    if (query && (*query)->exec() && (*query)->next())
        count = (*query)->value(0).toInt();
    if (query)
        (*query)->finish();
    return count;
}

quint32 seed()
{
    bool ok = false;
    const quint32 value = qEnvironmentVariable("SIGNALBOX_RELIABILITY_SEED").toUInt(&ok);
    return ok ? value : 20261202u;
}

// A tmpfs of our own, unmounted when it goes.
class SmallDisk
{
public:
    explicit SmallDisk(const QString &path, const QString &size)
        : m_path(path)
    {
        QProcess mount;
        mount.start(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"),
                                              QStringLiteral("-o"), QStringLiteral("size=") + size,
                                              QStringLiteral("tmpfs"), path});
        m_mounted = mount.waitForFinished(10000) && mount.exitCode() == 0;
        m_error = QString::fromLocal8Bit(mount.readAllStandardError()).trimmed();
    }
    ~SmallDisk()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_path});
    }
    bool mounted() const { return m_mounted; }
    QString error() const { return m_error; }
    qint64 bytesFree() const { return QStorageInfo(m_path).bytesAvailable(); }

    // Takes all but `leave` bytes of the free space.
    bool fill(qint64 leave)
    {
        QFile filler(QDir(m_path).filePath(QStringLiteral("filler")));
        if (!filler.open(QIODevice::Append))
            return false;
        const QByteArray block(4096, 'f');
        while (bytesFree() > leave) {
            if (filler.write(block.constData(), qMin<qint64>(block.size(), bytesFree() - leave)) <= 0)
                break;
            filler.flush();
        }
        return true;
    }
    void freeSpace() { QFile::remove(QDir(m_path).filePath(QStringLiteral("filler"))); }

private:
    QString m_path;
    bool m_mounted = false;
    QString m_error;
};

} // namespace

class TestReliability : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        file.open(QIODevice::WriteOnly);
        file.write(content);
        return file.fileName();
    }

    // Every node ran to COMPLETED exactly once and nothing else is stored.
    static QStringList checkCompletedOnce(const Stored &stored, int nodeCount)
    {
        QStringList problems;
        if (stored.status != QLatin1String("COMPLETED"))
            problems.append(QStringLiteral("execution is %1").arg(stored.status));
        if (stored.nodes.size() != nodeCount)
            problems.append(QStringLiteral("%1 of %2 nodes ran").arg(stored.nodes.size()).arg(nodeCount));
        for (auto it = stored.nodes.cbegin(); it != stored.nodes.cend(); ++it) {
            if (it.value() != QStringList {QStringLiteral("COMPLETED")})
                problems.append(QStringLiteral("node %1: %2").arg(it.key(), it.value().join(u',')));
        }
        if (stored.integrity != QLatin1String("ok"))
            problems.append(QStringLiteral("integrity_check: %1").arg(stored.integrity));
        return problems.mid(0, 10);
    }

private Q_SLOTS:
    void killAtRandomMomentsAndResume()
    {
        const int nodes = 5000;
        const QString graph = writeFile(QStringLiteral("chain.sbx.json"), chain(nodes));
        const int trials = qEnvironmentVariableIsSet("SIGNALBOX_RELIABILITY_TRIALS")
            ? qEnvironmentVariableIntValue("SIGNALBOX_RELIABILITY_TRIALS")
            : 30;
        // An uninterrupted run: how long one takes, and what it yields.
        const QString reference = m_dir.filePath(QStringLiteral("reference.db"));
        const CliRun whole = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                        QStringLiteral("x=\"payload\""), QStringLiteral("--db"),
                                        reference, QStringLiteral("--json")},
                                       {}, 120000);
        QCOMPARE(whole.exitCode, 0);
        const QJsonValue expected = whole.json().value(QLatin1String("outputs"));
        // How long the run itself takes, from its execution's creation.
        const CliRun referenceShow = signalbox(
            {QStringLiteral("executions"), QStringLiteral("show"),
             whole.json().value(QLatin1String("execution_id")).toString(), QStringLiteral("--db"),
             reference, QStringLiteral("--json")});
        const auto time = [&](const char *field) {
            return QDateTime::fromString(
                referenceShow.json().value(QLatin1String(field)).toString(), Qt::ISODateWithMs);
        };
        const qint64 duration = time("started_at").msecsTo(time("ended_at"));
        QVERIFY2(duration > 50, qPrintable(referenceShow.out.left(300)));

        QRandomGenerator random(seed());
        int midRun = 0;
        for (int trial = 0; trial < trials; ++trial) {
            const QString db = m_dir.filePath(QStringLiteral("kill-%1.db").arg(trial));
            // Imported first, so that the kill falls in the run itself.
            QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), graph,
                                QStringLiteral("--db"), db})
                         .exitCode,
                     0);
            QProcess running;
            running.start(QStringLiteral(SIGNALBOX_BINARY),
                          {QStringLiteral("run"), graph, QStringLiteral("--input"),
                           QStringLiteral("x=\"payload\""), QStringLiteral("--db"), db});
            QVERIFY(running.waitForStarted());
            // The kill falls at a random moment after the run began.
            QElapsedTimer begun;
            begun.start();
            while (executionCount(db) == 0 && begun.elapsed() < 30000
                   && running.state() == QProcess::Running)
                QThread::msleep(2);
            const int wait = int(random.bounded(quint32(duration)));
            QThread::msleep(wait);
            const bool stillRunning = running.state() == QProcess::Running;
            ::kill(pid_t(running.processId()), SIGKILL);
            running.waitForFinished();
            const QString id = newestExecution(db);
            if (id.isEmpty())
                continue; // killed before the execution was made: nothing to resume
            if (stillRunning && readStore(db, id).status != QLatin1String("COMPLETED"))
                ++midRun;
            const CliRun resumed = signalbox({QStringLiteral("resume"), id, QStringLiteral("--db"),
                                              db, QStringLiteral("--json")},
                                             {}, 120000);
            // A run that had finished before the kill cannot be resumed.
            QVERIFY2(resumed.exitCode == 0 || resumed.exitCode == 5,
                     qPrintable(QStringLiteral("trial %1 (kill at %2 ms): exit %3: %4")
                                    .arg(trial)
                                    .arg(wait)
                                    .arg(resumed.exitCode)
                                    .arg(resumed.err)));
            const CliRun shown = signalbox({QStringLiteral("executions"), QStringLiteral("show"),
                                            id, QStringLiteral("--db"), db, QStringLiteral("--json")});
            QCOMPARE(shown.json().value(QLatin1String("outputs")), expected);
            const QStringList problems = checkCompletedOnce(readStore(db, id), nodes + 2);
            QVERIFY2(problems.isEmpty(),
                     qPrintable(QStringLiteral("trial %1 (kill at %2 ms): %3")
                                    .arg(trial)
                                    .arg(wait)
                                    .arg(problems.join(QLatin1String("; ")))));
            QFile::remove(db);
        }
        qInfo("%d trials, %d killed in the middle of a run (the run takes %lld ms)", trials,
              midRun, duration);
        QVERIFY2(midRun >= trials / 2, "too few kills fell in the middle of a run");
    }

    void aFullDiskKeepsTheRunResumable()
    {
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root; this run is not root");
        if (QStandardPaths::findExecutable(QStringLiteral("mount")).isEmpty())
            QSKIP("no mount command");
        const QString folder = m_dir.filePath(QStringLiteral("small-disk"));
        QVERIFY(QDir().mkpath(folder));
        SmallDisk disk(folder, QStringLiteral("8m"));
        if (!disk.mounted())
            QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs here: ") + disk.error()));
        const int nodes = 2000;
        const QString graph = writeFile(QStringLiteral("full.sbx.json"), chain(nodes));
        const QString db = QDir(folder).filePath(QStringLiteral("full.db"));
        QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), graph,
                            QStringLiteral("--db"), db})
                     .exitCode,
                 0);

        // Room for part of the run only.
        QVERIFY(disk.fill(400 * 1024));
        CliRun run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                QStringLiteral("x=7"), QStringLiteral("--db"), db},
                               {}, 120000);
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(QStringLiteral("full")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("signalbox resume")), qPrintable(run.err));
        QVERIFY2(!run.out.contains(QStringLiteral("FAILED")), qPrintable(run.out));
        const QString id = newestExecution(db);
        QVERIFY(!id.isEmpty());
        Stored stored = readStore(db, id);
        QVERIFY2(stored.status == QLatin1String("RUNNING"), qPrintable(stored.status));
        int completed = 0;
        for (const QStringList &statuses : std::as_const(stored.nodes)) {
            QCOMPARE(statuses.size(), 1);
            QVERIFY2(statuses.first() != QLatin1String("FAILED"), "a storage error failed a node");
            completed += statuses.first() == QLatin1String("COMPLETED");
        }
        QVERIFY2(completed < nodes, "the disk did not fill during the run");

        // Space is back: the run goes on from where it was stored.
        disk.freeSpace();
        run = signalbox({QStringLiteral("resume"), id, QStringLiteral("--db"), db, QStringLiteral("--json")},
                        {}, 120000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json().value(QLatin1String("outputs")).toObject(),
                 (QJsonObject {{QStringLiteral("y"), QJsonArray {7}}}));
        const QStringList problems = checkCompletedOnce(readStore(db, id), nodes + 2);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));

        // A disk that is already full is called full.
        QVERIFY(disk.fill(0));
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                         QStringLiteral("x=7"), QStringLiteral("--db"), db},
                        {}, 120000);
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(QStringLiteral("full")), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("disk I/O error")), qPrintable(run.err));
        disk.freeSpace();
    }

    void identicalDecisionsAtOnceResumeOnce()
    {
        const QString graph = writeFile(QStringLiteral("review-each.sbx.json"), reviewEach());
        QJsonArray items;
        for (int i = 0; i < 50; ++i)
            items.append(i);
        const QString inputs = QStringLiteral("items=")
            + QString::fromUtf8(QJsonDocument(items).toJson(QJsonDocument::Compact));
        const int executions = 4;
        const int processes = 8;
        for (int round = 0; round < executions; ++round) {
            const QString db = m_dir.filePath(QStringLiteral("decide-%1.db").arg(round));
            CliRun run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"), inputs,
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
            QCOMPARE(run.exitCode, 3);
            const QString id = run.json().value(QLatin1String("execution_id")).toString();
            const CliRun listed = signalbox({QStringLiteral("reviews"), QStringLiteral("list"),
                                             QStringLiteral("--execution"), id,
                                             QStringLiteral("--db"), db, QStringLiteral("--json")});
            QStringList decide {QStringLiteral("reviews"), QStringLiteral("decide")};
            for (const QJsonValue &review : listed.json().value(QLatin1String("reviews")).toArray())
                decide.append(review.toObject().value(QLatin1String("node_exec_id")).toString());
            QCOMPARE(decide.size(), 52);
            decide += {QStringLiteral("--reject"), QStringLiteral("--db"), db, QStringLiteral("--json")};

            std::vector<std::unique_ptr<QProcess>> deciders;
            for (int p = 0; p < processes; ++p) {
                deciders.push_back(std::make_unique<QProcess>());
                deciders.back()->start(QStringLiteral(SIGNALBOX_BINARY), decide);
            }
            QStringList outcomes;
            for (auto &process : deciders) {
                QVERIFY(process->waitForFinished(60000));
                const QString err = QString::fromUtf8(process->readAllStandardError());
                outcomes.append(QStringLiteral("exit %1").arg(process->exitCode()));
                QVERIFY2(process->exitStatus() == QProcess::NormalExit && process->exitCode() == 0,
                         qPrintable(QStringLiteral("round %1: exit %2: %3")
                                        .arg(round)
                                        .arg(process->exitCode())
                                        .arg(err)));
                QVERIFY2(!err.contains(QStringLiteral("cannot change status")), qPrintable(err));
            }
            // The one that resumed it ran it to the end; nothing is left behind.
            const Stored stored = readStore(db, id);
            QCOMPARE(stored.status, QStringLiteral("COMPLETED"));
            for (auto it = stored.nodes.cbegin(); it != stored.nodes.cend(); ++it) {
                for (const QString &status : it.value())
                    QVERIFY2(status == QLatin1String("COMPLETED"),
                             qPrintable(it.key() + QLatin1Char(' ') + status));
            }
            const CliRun shown = signalbox({QStringLiteral("executions"), QStringLiteral("show"),
                                            id, QStringLiteral("--db"), db, QStringLiteral("--json")});
            QCOMPARE(shown.json()
                         .value(QLatin1String("outputs"))
                         .toObject()
                         .value(QLatin1String("rejected"))
                         .toArray()
                         .size(),
                     50);
            // Deciding again the same way still succeeds.
            const CliRun again = signalbox(decide);
            QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        }
    }

    void echoedSecretsLeakNowhere()
    {
        // A canary token with characters that encodings change, added from
        // standard input, sent to a service that echoes it back in parts,
        // URL-encoded and in base64 (tests/httptestserver.h, /leak).
        Testing::HttpTestServer server;
        const QString token = QStringLiteral("Cn4ry+t0k/en=Zq81");
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("SIGNALBOX_SECRET_STORE"), QStringLiteral("file"));
        environment.insert(QStringLiteral("SIGNALBOX_SECRETS_PASSPHRASE"), QStringLiteral("pw"));
        environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
        environment.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("xdg")));
        const QString db = m_dir.filePath(QStringLiteral("canary.db"));
        QByteArray printed;
        auto run = [&](const QStringList &arguments, const QByteArray &input = {}) {
            const CliRun ran = signalbox(QStringList {QStringLiteral("--db"), db} + arguments, {},
                                         30000, input, environment);
            printed += ran.out.toUtf8() + ran.err.toUtf8();
            return std::pair {ran.exitCode, ran.out.toUtf8()};
        };
        const auto [added, credentialId] = run(
            {QStringLiteral("credentials"), QStringLiteral("add"), QStringLiteral("--type"),
             QStringLiteral("host_scoped"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
             QStringLiteral("--header"), QStringLiteral("Authorization")},
            "Bearer " + token.toUtf8() + '\n');
        QCOMPARE(added, 0);
        const QJsonArray nodes {
            node(QStringLiteral("url"), kInput, {{QStringLiteral("name"), QStringLiteral("url")}}),
            node(QStringLiteral("call"), kAuthenticatedRequest, {{QStringLiteral("method"), QStringLiteral("GET")}}),
            node(QStringLiteral("out"), kOutput, {{QStringLiteral("name"), QStringLiteral("answer")}})};
        const QJsonArray links {
            link(QStringLiteral("url"), QStringLiteral("result"), QStringLiteral("call"), QStringLiteral("url")),
            link(QStringLiteral("call"), QStringLiteral("client_error"), QStringLiteral("out"), QStringLiteral("value"))};
        const QString graph = writeFile(QStringLiteral("leak.sbx.json"), graphJson(QStringLiteral("leak"), nodes, links));
        const auto [ran, output] = run(
            {QStringLiteral("run"), graph, QStringLiteral("--allow-loopback"),
             QStringLiteral("--credentials"),
             QStringLiteral("http_host_scoped_credentials=") + QString::fromUtf8(credentialId.trimmed()),
             QStringLiteral("--input"), QStringLiteral("url=") + server.url(QStringLiteral("/leak"))});
        QVERIFY2(ran == 0, printed.constData());
        QCOMPARE(server.requests().size(), 1);
        QVERIFY(output.contains("invalid token ***"));
        run({QStringLiteral("executions"), QStringLiteral("list"), QStringLiteral("--json")});
        run({QStringLiteral("graphs"), QStringLiteral("export"), QStringLiteral("leak")});

        const QByteArray header = "Bearer " + token.toUtf8();
        QByteArray everything = printed;
        for (const QString &path : QStringList {db, db + QLatin1String("-wal")}) {
            QFile data(path);
            if (data.open(QIODevice::ReadOnly))
                everything += data.readAll();
        }
        for (const QByteArray &form :
             {token.toUtf8(), QUrl::toPercentEncoding(token), QUrl::toPercentEncoding(token).toLower(),
              header.toBase64(), token.toUtf8().toBase64(),
              token.toUtf8().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)})
            QVERIFY2(!everything.contains(form), form.constData());
    }
};

QTEST_GUILESS_MAIN(TestReliability)
#include "tst_reliability.moc"
