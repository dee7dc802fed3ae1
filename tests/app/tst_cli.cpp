// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/reviewrepository.h"
#include "model/blockschema.h"
#include "model/execution.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include "clirunner.h"
#include "examplegraph.h"
#include "testsupport.h"

using namespace Signalbox;

namespace {

const QString kExample = Testing::kExampleGraph;
const QString kExampleId = QStringLiteral("5b1f3c1e-8d0a-4c39-9a57-0f2d6e4b7a10");

using Run = Testing::CliRun;
using Testing::signalbox;

// The id of the newest RUNNING execution in `db`, or nothing yet.
QString runningExecution(const QString &db)
{
    return Testing::newestExecution(db, QStringLiteral("RUNNING"));
}

// Runs SQL on a database with the sqlite3 program, as a person would by
// hand: what it wrote on standard error, empty when it succeeded.
QString sqlite3(const QString &db, const QString &sql)
{
    QProcess process;
    process.start(QStandardPaths::findExecutable(QStringLiteral("sqlite3")), {db, sql});
    if (!process.waitForFinished(10000))
        return QStringLiteral("sqlite3 did not finish: %1").arg(process.errorString());
    return process.exitCode() == 0 ? QString()
                                   : QString::fromLocal8Bit(process.readAllStandardError());
}

bool hasSqlite3()
{
    return !QStandardPaths::findExecutable(QStringLiteral("sqlite3")).isEmpty();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;

    QString writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        file.open(QIODevice::WriteOnly);
        file.write(content);
        return file.fileName();
    }

private Q_SLOTS:
    void initTestCase() { m_db = m_dir.filePath(QStringLiteral("cli.db")); }

    void version()
    {
        const Run run = signalbox({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("signalbox " SIGNALBOX_VERSION)),
                 qPrintable(run.out));
    }

    void importListExport()
    {
        Run run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                             QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.startsWith(QStringLiteral("Imported \"Review a greeting\"")),
                 qPrintable(run.out));

        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                         QStringLiteral("--db"), m_db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("id")).toString(), kExampleId);
        QCOMPARE(run.json().value(QLatin1String("version")).toInt(), 1);
        QCOMPARE(run.json().value(QLatin1String("created")).toBool(), false);

        run = signalbox({QStringLiteral("graphs"), QStringLiteral("list"), QStringLiteral("--db"),
                         m_db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray graphs = run.json().value(QLatin1String("graphs")).toArray();
        QCOMPARE(graphs.size(), 1);
        QCOMPARE(graphs.at(0).toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("Review a greeting"));
        QCOMPARE(graphs.at(0).toObject().value(QLatin1String("node_count")).toInt(), 6);

        run = signalbox(
            {QStringLiteral("graphs"), QStringLiteral("list"), QStringLiteral("--db"), m_db});
        QVERIFY(run.out.contains(QStringLiteral("Review a greeting")));

        run = signalbox({QStringLiteral("graphs"), QStringLiteral("export"), kExampleId,
                         QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 0);
        QFile example(kExample);
        QVERIFY(example.open(QIODevice::ReadOnly));
        const QJsonObject original = QJsonDocument::fromJson(example.readAll()).object();
        const QJsonObject exported = run.json();
        QCOMPARE(exported.value(QLatin1String("links")), original.value(QLatin1String("links")));
        QCOMPARE(exported.value(QLatin1String("nodes")).toArray().size(), 6);

        const QString target = m_dir.filePath(QStringLiteral("out.sbx.json"));
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("export"), kExampleId,
                         QStringLiteral("--db"), m_db, QStringLiteral("--output"), target});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(QFile::exists(target));
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("export"), QStringLiteral("nope"),
                         QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err, QStringLiteral("signalbox: there is no graph nope\n"));
    }

    void badGraphsAreExitTwoWithEveryProblem()
    {
        const QString broken = writeFile(QStringLiteral("broken.sbx.json"), "{\n  \"nodes\": [\n");
        Run run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), broken,
                             QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(broken
                                  + QStringLiteral(": line 3, column 1: unexpected end of input")),
                 qPrintable(run.err));

        const QString unknown
            = writeFile(QStringLiteral("unknown.sbx.json"),
                        Testing::json("{'nodes': [{'id': 'n1', 'block_id': 'not-a-block'}, {'id': "
                                      "'n2', 'block_id': 'nor-this'}]}"));
        // Unknown blocks are kept as placeholders: imported with a warning,
        // refused by a run that names each node and block.
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), unknown,
                         QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains(QStringLiteral("nodes[0] (node n1): unknown block "
                                                 "\"not-a-block\"; kept as a placeholder")),
                 qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("nodes[1] (node n2): unknown block \"nor-this\"")));
        run = signalbox({QStringLiteral("run"), unknown, QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("Signalbox has no block not-a-block")),
                 qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("Signalbox has no block nor-this")));

        const QString invalid = writeFile(
            QStringLiteral("invalid.sbx.json"),
            Testing::json(
                "{'nodes': [{'id': 'a', 'block_id': 'x'}, {'id': 'a', 'block_id': 'x'}], 'links': "
                "[{'source_id': 'a', 'source_name': 'o', 'sink_id': 'b', 'sink_name': 'i'}]}"));
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), invalid,
                         QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("(2 problems)")));
        QVERIFY(run.err.contains(QStringLiteral("nodes[1]: duplicate node id \"a\"")));
        QVERIFY(run.err.contains(QStringLiteral("links[0]: links to node \"b\"")));

        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"),
                         m_dir.filePath(QStringLiteral("absent.json")), QStringLiteral("--db"),
                         m_db});
        QCOMPARE(run.exitCode, 2);
        run = signalbox(
            {QStringLiteral("graphs"), QStringLiteral("frobnicate"), QStringLiteral("--db"), m_db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("unknown command: graphs frobnicate")));
        run = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                         QStringLiteral("--status"), QStringLiteral("DONE"), QStringLiteral("--db"),
                         m_db});
        QCOMPARE(run.exitCode, 2);
    }

    void mistypedCommandsAreUnknownNotTheDesktop()
    {
        // Without a display the desktop would not even start: an answer
        // within the time limit, exit 2 and the words show it was the CLI.
        for (const QStringList &words :
             {QStringList {QStringLiteral("frobnicate")},
              QStringList {QStringLiteral("reviews"), QStringLiteral("frobnicate")},
              QStringList {QStringLiteral("--db"), m_db, QStringLiteral("frobnicate")}}) {
            const Run run = signalbox(words);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.startsWith(QStringLiteral("signalbox: unknown command: ")),
                     qPrintable(run.err));
        }
    }

    void inputsFromFiles()
    {
        const QString db = m_dir.filePath(QStringLiteral("inputs.db"));
        const QString graph = QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json");
        // Past Linux's 128 KB limit for one argument.
        QByteArray items = "[";
        for (int i = 0; i < 9000; ++i)
            items += (i ? ",123456789012345" : "123456789012345");
        items += "]";
        QVERIFY(items.size() > 128 * 1024);
        const QString itemsFile = writeFile(QStringLiteral("items.json"), items);
        Run run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                             QStringLiteral("items=@") + itemsFile, QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("outputs")).toObject().value(QLatin1String("doubled")).toArray().size(),
                 9000);

        const QString inputs = writeFile(QStringLiteral("inputs.json"), Testing::json("{'items': [2.5]}"));
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input-file"), inputs,
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(QJsonDocument(run.json().value(QLatin1String("outputs")).toObject()).toJson(QJsonDocument::Compact),
                 QByteArray("{\"doubled\":[5]}"));

        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                         QStringLiteral("items=@") + m_dir.filePath(QStringLiteral("absent.json")),
                         QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("absent.json")), qPrintable(run.err));
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input-file"), itemsFile,
                         QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("a JSON object")), qPrintable(run.err));
    }

    void aRequiredGraphInputLeftEmptyIsRefusedByName()
    {
        // "items" has no default: a run without it, or with it empty, is
        // refused before anything runs, naming it.
        const QString db = m_dir.filePath(QStringLiteral("required.db"));
        const QString graph = QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json");
        for (const QStringList &given :
             {QStringList(), QStringList {QStringLiteral("--input"), QStringLiteral("items=")},
              QStringList {QStringLiteral("--input"), QStringLiteral("items=null")}}) {
            Run run = signalbox(QStringList {QStringLiteral("run"), graph, QStringLiteral("--db"), db}
                                + given);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(QStringLiteral("Missing graph input \"items\"")),
                     qPrintable(run.err));
        }
        const Run listed = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                                      QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY(listed.json().value(QLatin1String("executions")).toArray().isEmpty());
        // Given, it runs.
        const Run given = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                     QStringLiteral("items=[1]"), QStringLiteral("--db"), db});
        QCOMPARE(given.exitCode, 0);
    }

    void stoppingACompletedRunSaysSo()
    {
        const QString db = m_dir.filePath(QStringLiteral("stop-completed.db"));
        Run run = signalbox({QStringLiteral("run"),
                             QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json"),
                             QStringLiteral("--input"), QStringLiteral("items=[1]"),
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QString id = run.json().value(QLatin1String("execution_id")).toString();
        run = signalbox({QStringLiteral("stop"), id, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.err, QStringLiteral("signalbox: execution %1 had already completed; nothing "
                                         "was stopped\n")
                              .arg(id));
    }

    void aLoopWithNoExitStopsAtItsBudgetAndResumesWithALargerOne()
    {
        // An input block linked to itself runs forever.
        const QString db = m_dir.filePath(QStringLiteral("budget.db"));
        const QString graph = writeFile(
            QStringLiteral("loop.sbx.json"),
            Testing::json("{'id': 'loop', 'name': 'Loop', 'nodes': [{'id': 'in', 'block_id': "
                          "'c0a8e994-ebf1-4a9c-a4d8-89d09c86741b', 'input_default': {'name': "
                          "'x'}}], 'links': [{'source_id': 'in', 'source_name': 'result', "
                          "'sink_id': 'in', 'sink_name': 'value'}]}"));
        Run run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                             QStringLiteral("x=1"), QStringLiteral("--max-node-executions"),
                             QStringLiteral("500"), QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 4);
        const QString id = run.json().value(QLatin1String("execution_id")).toString();
        QVERIFY2(run.json().value(QLatin1String("error")).toString().contains(
                     QStringLiteral("budget of 500 node executions")),
                 qPrintable(run.out));
        QVERIFY2(run.err.contains(QStringLiteral("warning: node in: This node is in a loop that "
                                                 "no link leaves (in)")),
                 qPrintable(run.err));
        auto countNodes = [&] {
            const Run show = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                                        QStringLiteral("--db"), db, QStringLiteral("--json")});
            int completed = 0;
            for (const QJsonValue &node :
                 show.json().value(QLatin1String("node_executions")).toArray()) {
                if (node.toObject().value(QLatin1String("status")).toString()
                    == QLatin1String("COMPLETED"))
                    ++completed;
            }
            return completed;
        };
        QCOMPARE(countNodes(), 500);

        run = signalbox({QStringLiteral("resume"), id, QStringLiteral("--max-node-executions"),
                         QStringLiteral("800"), QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.json().value(QLatin1String("error")).toString().contains(
                     QStringLiteral("budget of 800 node executions")),
                 qPrintable(run.out));
        QCOMPARE(countNodes(), 800);

        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--max-wall-time"),
                         QStringLiteral("0"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--max-wall-time takes a whole number")),
                 qPrintable(run.err));
    }

    void nodeInputsKeepTheirKeyOrder()
    {
        // As AutoGPT: a dictionary default keeps the order it was written in,
        // through the file, the store, the run and the export.
        const QString db = m_dir.filePath(QStringLiteral("order.db"));
        const QString graph = writeFile(
            QStringLiteral("order.sbx.json"),
            Testing::json("{'id': 'order', 'name': 'Order', 'nodes': ["
                          "{'id': 'dict', 'block_id': 'b924ddf4-de4f-4b56-9a85-358930dcbc91', "
                          "'input_default': {'values': {'zeta': 1, 'alpha': 2.0, 'mid': 3}}, "
                          "'metadata': {'z': 1, 'a': 2}},"
                          "{'id': 'encode', 'block_id': '9a9d20c5-5b4d-4e94-8022-83b6cb72648a'},"
                          "{'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4', "
                          "'input_default': {'name': 'json'}}], 'links': ["
                          "{'source_id': 'dict', 'source_name': 'dictionary', 'sink_id': "
                          "'encode', 'sink_name': 'data'},"
                          "{'source_id': 'encode', 'source_name': 'json_str', 'sink_id': 'out', "
                          "'sink_name': 'value'}]}"));
        Run run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.firstOutput("json"), QStringLiteral("{\"zeta\":1,\"alpha\":2.0,\"mid\":3}"));
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("export"), QStringLiteral("order"),
                         QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        const QString compact = QString(run.out).remove(QLatin1Char(' ')).remove(QLatin1Char('\n'));
        // (Exports print numbers as JavaScript does, as AutoGPT's do: 2.0 as 2.)
        QVERIFY2(compact.contains(QStringLiteral("\"values\":{\"zeta\":1,\"alpha\":2,\"mid\":3}")),
                 qPrintable(run.out));
        QVERIFY2(compact.contains(QStringLiteral("\"metadata\":{\"z\":1,\"a\":2}")),
                 qPrintable(run.out));
    }

    void oneDefaultDatabaseWhichTakesOverTheDesktopsEarlierOne()
    {
        // Without --db: signalbox.db in the data folder's "signalbox" folder,
        // the file the desktop uses too (Engine::defaultDatabasePath).
        QTemporaryDir home;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("fresh")));
        const QString expected = home.filePath(QStringLiteral("fresh/signalbox/signalbox.db"));
        // (--help wraps its lines; the path has no spaces.)
        const auto helpNames = [&](const QString &path) {
            const Run help = signalbox({QStringLiteral("--help")}, {}, 30000, {}, environment);
            return QString(help.out).remove(QRegularExpression(QStringLiteral("\\s+"))).contains(path);
        };
        QVERIFY(helpNames(expected));
        Run run;
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample}, {}, 30000,
                        {}, environment);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(QFile::exists(expected));

        // Where only an earlier desktop's database exists, both faces use it.
        const QString earlier = home.filePath(QStringLiteral("old/Signalbox/signalbox/signalbox.db"));
        QVERIFY(QDir().mkpath(QFileInfo(earlier).absolutePath()));
        QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                            QStringLiteral("--db"), earlier})
                     .exitCode,
                 0);
        environment.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("old")));
        run = signalbox({QStringLiteral("graphs"), QStringLiteral("list"), QStringLiteral("--json")},
                        {}, 30000, {}, environment);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("graphs")).toArray().size(), 1);
        QVERIFY(helpNames(earlier));
        QVERIFY(!QFile::exists(home.filePath(QStringLiteral("old/signalbox/signalbox.db"))));
    }

    void decisionsAreRecordedUnderTheReviewersName()
    {
        // The name from the user's Signalbox settings (the desktop's Settings
        // page writes it), else the login name.
        QTemporaryDir config;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
        environment.insert(QStringLiteral("USER"), QStringLiteral("grace"));
        const auto decideOne = [&](const QString &db) {
            const Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--input"),
                                       QStringLiteral("name=Ada"), QStringLiteral("--db"), db});
            const QString id
                = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
            const Run decided = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                                           QStringLiteral("--approve"), QStringLiteral("--db"), db},
                                          {}, 30000, {}, environment);
            auto opened = Engine::Database::open(db);
            auto reviews = Engine::ReviewRepository(**opened).reviewsByNodeExecIds(
                {id}, QString(Model::kDefaultUserId));
            return std::pair {run.exitCode == 3 && decided.exitCode == 0,
                              reviews ? reviews->value(id).reviewedBy : QString()};
        };
        auto [ok, reviewer] = decideOne(m_dir.filePath(QStringLiteral("reviewer-login.db")));
        QVERIFY(ok);
        QCOMPARE(reviewer, QStringLiteral("grace"));

        QVERIFY(QDir().mkpath(config.filePath(QStringLiteral("Signalbox"))));
        QFile settings(config.filePath(QStringLiteral("Signalbox/signalbox.conf")));
        QVERIFY(settings.open(QIODevice::WriteOnly));
        settings.write("[review]\nreviewerName=Ada Lovelace\n");
        settings.close();
        std::tie(ok, reviewer) = decideOne(m_dir.filePath(QStringLiteral("reviewer-named.db")));
        QVERIFY(ok);
        QCOMPARE(reviewer, QStringLiteral("Ada Lovelace"));
    }

    void storageErrorsAreExitSix()
    {
        Run run = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                             QStringLiteral("--db"), m_dir.filePath(QStringLiteral("missing.db"))});
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(QStringLiteral("the database file does not exist")),
                 qPrintable(run.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("missing.db"))));

        run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                         QStringLiteral("--db"), m_dir.filePath(QStringLiteral("no/dir/x.db"))});
        QCOMPARE(run.exitCode, 6);
        QVERIFY(run.err.contains(QStringLiteral("does not exist")));

        const QString garbage = writeFile(QStringLiteral("garbage.db"), QByteArray(4096, 'g'));
        run = signalbox(
            {QStringLiteral("graphs"), QStringLiteral("list"), QStringLiteral("--db"), garbage});
        QCOMPARE(run.exitCode, 6);
        QVERIFY(run.err.contains(QStringLiteral("not a database")));
    }

    void readOnlyDatabaseIsExitSix()
    {
        // A database file the user may read but not write.
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("ro.db"));
        QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                            QStringLiteral("--db"), file})
                     .exitCode,
                 0);
        QVERIFY(QFile::setPermissions(
            file, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        QVERIFY(QFile::setPermissions(dir.path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                          | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                          | QFileDevice::ExeOther | QFileDevice::ReadGroup
                                          | QFileDevice::ExeGroup));
        QStringList asUser;
        if (geteuid() == 0) {
            // root writes anything; run as an unprivileged user instead.
            const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
            if (setpriv.isEmpty())
                QSKIP("running as root without setpriv: cannot make a file read-only for the CLI");
            asUser = {setpriv, QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                      QStringLiteral("--clear-groups")};
        }
        const QString changed = writeFile(
            QStringLiteral("changed.sbx.json"),
            Testing::json(
                "{'id': '5b1f3c1e-8d0a-4c39-9a57-0f2d6e4b7a10', 'name': 'Changed', 'nodes': []}"));
        QFile::setPermissions(changed, QFileDevice::ReadOwner | QFileDevice::ReadOther);
        QFile::setPermissions(m_dir.path(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                  | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                  | QFileDevice::ExeOther);
        const Run run = signalbox({QStringLiteral("graphs"), QStringLiteral("import"), changed,
                                   QStringLiteral("--db"), file},
                                  asUser);
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(file), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("the database is read-only")),
                 qPrintable(run.err));
        QCOMPARE(run.err.count(QLatin1Char('\n')), 1);
        // Still readable, nothing lost.
        const Run list = signalbox({QStringLiteral("graphs"), QStringLiteral("list"),
                                    QStringLiteral("--db"), file, QStringLiteral("--json")});
        QCOMPARE(list.exitCode, 0);
        QCOMPARE(list.json()
                     .value(QLatin1String("graphs"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 QStringLiteral("Review a greeting"));
    }

    void executionsListAndShow()
    {
        const QString db = m_dir.filePath(QStringLiteral("executions.db"));
        QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                            QStringLiteral("--db"), db})
                     .exitCode,
                 0);
        Run empty = signalbox(
            {QStringLiteral("executions"), QStringLiteral("list"), QStringLiteral("--db"), db});
        QCOMPARE(empty.exitCode, 0);
        QCOMPARE(empty.out, QStringLiteral("No executions.\n"));

        QStringList ids;
        {
            auto database = Engine::Database::open(db);
            QVERIFY(database.ok());
            auto catalog = Model::BlockCatalog::builtin();
            Engine::ExecutionRepository executions(**database, &*catalog);
            for (int i = 0; i < 3; ++i) {
                Engine::NewGraphExecution request;
                request.graphId = kExampleId;
                request.graphVersion = 1;
                request.userId = QString(Model::kDefaultUserId);
                request.startingNodesInput
                    = {{QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a01"),
                        {{QStringLiteral("value"), i}}}};
                auto created = executions.createGraphExecution(request);
                QVERIFY(created.ok());
                ids.prepend(created->meta.id);
            }
            QVERIFY(executions
                        .setGraphExecutionStatus(ids.first(), Model::ExecutionStatus::Running, {}, true)
                        .ok());
        }
        Run run = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray listed = run.json().value(QLatin1String("executions")).toArray();
        QCOMPARE(listed.size(), 3);
        QCOMPARE(listed.at(0).toObject().value(QLatin1String("id")).toString(), ids.at(0));
        QCOMPARE(listed.at(0).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("RUNNING"));
        QVERIFY(listed.at(0)
                    .toObject()
                    .value(QLatin1String("started_at"))
                    .toString()
                    .endsWith(QLatin1Char('Z')));
        for (const char *key :
             {"graph_id", "graph_version", "ended_at", "parent_graph_exec_id", "stats"})
            QVERIFY2(listed.at(0).toObject().contains(QLatin1String(key)), key);

        run = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                         QStringLiteral("--db"), db, QStringLiteral("--json"),
                         QStringLiteral("--status"), QStringLiteral("INCOMPLETE"),
                         QStringLiteral("--limit"), QStringLiteral("1")});
        QCOMPARE(run.json().value(QLatin1String("executions")).toArray().size(), 1);
        QCOMPARE(run.json()
                     .value(QLatin1String("executions"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("id"))
                     .toString(),
                 ids.at(1));

        run = signalbox({QStringLiteral("executions"), QStringLiteral("show"), ids.at(2),
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject shown = run.json();
        QCOMPARE(shown.value(QLatin1String("id")).toString(), ids.at(2));
        const QJsonArray nodes = shown.value(QLatin1String("node_executions")).toArray();
        QCOMPARE(nodes.size(), 1);
        QCOMPARE(nodes.at(0).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("QUEUED"));
        QCOMPARE(nodes.at(0)
                     .toObject()
                     .value(QLatin1String("input_data"))
                     .toObject()
                     .value(QLatin1String("value"))
                     .toInt(),
                 0);
        for (const char *key : {"inputs", "outputs", "stats", "graph_version"})
            QVERIFY2(shown.contains(QLatin1String(key)), key);

        run = signalbox({QStringLiteral("executions"), QStringLiteral("show"), ids.at(2),
                         QStringLiteral("--db"), db});
        QVERIFY(run.out.contains(QStringLiteral("AgentInputBlock")));
        run = signalbox({QStringLiteral("executions"), QStringLiteral("show"),
                         QStringLiteral("nope"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err, QStringLiteral("signalbox: there is no execution nope\n"));
    }

    void runPrintsOutputsAndExitCodes()
    {
        const QString db = m_dir.filePath(QStringLiteral("run.db"));
        const QString graph = QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json");
        Run run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                             QStringLiteral("items=[1, 2.5]"), QStringLiteral("--db"), db,
                             QStringLiteral("--json"), QStringLiteral("--threads"),
                             QStringLiteral("1")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject result = run.json();
        QCOMPARE(result.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QVERIFY(result.value(QLatin1String("error")).isNull());
        QCOMPARE(run.out.count(QStringLiteral("\"doubled\":[2.0,5.0]")), 1);
        const QString id = result.value(QLatin1String("execution_id")).toString();

        run = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        const QJsonArray nodes = run.json().value(QLatin1String("node_executions")).toArray();
        QCOMPARE(nodes.size(), 1 + 1 + 2 + 2);
        for (const QJsonValue &node : nodes) {
            QCOMPARE(node.toObject().value(QLatin1String("status")).toString(),
                     QStringLiteral("COMPLETED"));
            QVERIFY(!node.toObject().value(QLatin1String("end_time")).isNull());
        }

        // A failing block: exit 1 with the error.
        const QString failing = writeFile(
            QStringLiteral("failing.sbx.json"),
            Testing::json(
                "{'nodes': [{'id': 'get', 'block_id': '262ca24c-1025-43cf-a578-534e23234e97', "
                "'input_default': {'list': [1], 'index': 5}}]}"));
        run = signalbox(
            {QStringLiteral("run"), failing, QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("FAILED"));
        QCOMPARE(run.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("Index out of range"));

        // A number on a list pin is converted as AutoGPT does: 5 becomes [5].
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                         QStringLiteral("items=5"), QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count(QStringLiteral("\"doubled\":[10.0]")), 1);

        // Bad input: exit 2, nothing run.
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--input"),
                         QStringLiteral("noequals"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
        run = signalbox({QStringLiteral("run"), graph, QStringLiteral("--hitl-safe-mode"),
                         QStringLiteral("maybe"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 2);
    }

    void anAutoGptExportWithASubGraphRunsUnchanged()
    {
        const QString db = m_dir.filePath(QStringLiteral("autogpt.db"));
        const Run run = signalbox(
            {QStringLiteral("run"),
             QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/autogpt_export_with_subgraph.json"),
             QStringLiteral("--input"), QStringLiteral("name=Ada"), QStringLiteral("--db"), db,
             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.trimmed().section(QLatin1Char(','), 1),
                 QStringLiteral("\"status\":\"COMPLETED\",\"outputs\":{\"greeting\":[\"HELLO, ADA "
                                "AND ADA, LIN!\"]},\"error\":null}"));
        // The sub-graph ran as a child execution of the run.
        const Run list = signalbox({QStringLiteral("executions"), QStringLiteral("list"),
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        const QJsonArray executions = list.json().value(QLatin1String("executions")).toArray();
        QCOMPARE(executions.size(), 2);
        const QString parent = run.json().value(QLatin1String("execution_id")).toString();
        int children = 0;
        for (const QJsonValue &execution : executions)
            children += execution.toObject().value(QLatin1String("parent_graph_exec_id")).toString()
                == parent;
        QCOMPARE(children, 1);
    }

    void theBundledExampleRuns()
    {
        const QString db = m_dir.filePath(QStringLiteral("example.db"));
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--hitl-safe-mode"),
                             QStringLiteral("off"), QStringLiteral("--input"),
                             QStringLiteral("name=Grace"), QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.firstOutput("greeting"), QStringLiteral("Hello, Grace! Welcome aboard."));
    }

    // The first waiting review of `db`, as `reviews list --json` shows it.
    // A review in any status, as `reviews list` cannot show a decided one.
    static QJsonObject waitingReviewOrDecided(const QString &db, const QString &nodeExecId)
    {
        auto store = Engine::Database::open(db);
        if (!store)
            return {};
        Engine::ReviewRepository reviews(**store);
        auto found = reviews.reviewsByNodeExecIds({nodeExecId}, QString(Model::kDefaultUserId));
        if (!found || found->isEmpty())
            return {};
        return QJsonDocument::fromJson(Model::toJson(found->first().toValue())).object();
    }

    static QJsonObject waitingReview(const QString &db)
    {
        const Run list = signalbox({QStringLiteral("reviews"), QStringLiteral("list"),
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        return list.json().value(QLatin1String("reviews")).toArray().at(0).toObject();
    }

    void reviewApprovedWithAnEditCompletesWithTheEdit()
    {
        const QString db = m_dir.filePath(QStringLiteral("review-approve.db"));
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--input"),
                             QStringLiteral("name=Ada"), QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 3); // paused for review
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("REVIEW"));
        const QString execution = run.json().value(QLatin1String("execution_id")).toString();

        const QJsonObject review = waitingReview(db);
        QCOMPARE(review.value(QLatin1String("graph_exec_id")).toString(), execution);
        QCOMPARE(review.value(QLatin1String("payload")).toString(),
                 QStringLiteral("Hello, Ada! Welcome aboard."));
        QCOMPARE(review.value(QLatin1String("instructions")).toString(),
                 QStringLiteral("Review required for Greeting execution"));
        QCOMPARE(review.value(QLatin1String("status")).toString(), QStringLiteral("WAITING"));
        const QString id = review.value(QLatin1String("node_exec_id")).toString();

        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--data"),
                         QStringLiteral("\"Hello, Ada! Edited.\""), QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(run.json().value(QLatin1String("outputs")).toObject(),
                 QJsonDocument::fromJson(Testing::json("{'greeting': ['Hello, Ada! Edited.']}"))
                     .object());
        // Nothing upstream ran again: one execution of each node.
        const Run show = signalbox({QStringLiteral("executions"), QStringLiteral("show"), execution,
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        const QJsonArray nodes = show.json().value(QLatin1String("node_executions")).toArray();
        QCOMPARE(nodes.size(), 4);
        for (const QJsonValue &node : nodes)
            QCOMPARE(node.toObject().value(QLatin1String("status")).toString(),
                     QStringLiteral("COMPLETED"));
        // A different decision afterwards is a conflict.
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--reject"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 5);
        QVERIFY(run.err.contains(QLatin1String("already processed with status APPROVED")));
    }

    void theAuditLogChainsWhatHappenedAndNamesTampering()
    {
        const QString db = m_dir.filePath(QStringLiteral("audit.db"));
        // One run approved with an edit, one stopped while it waits.
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 3);
        const QString id = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--data"),
                         QStringLiteral("\"Hello, Ada! Edited.\""), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        run = signalbox(
            {QStringLiteral("run"), kExample, QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 3);
        const QString stopped = run.json().value(QLatin1String("execution_id")).toString();
        QCOMPARE(signalbox({QStringLiteral("stop"), stopped, QStringLiteral("--db"), db}).exitCode,
                 0);

        const Run exported = signalbox({QStringLiteral("audit"), QStringLiteral("export"),
                                        QStringLiteral("--db"), db});
        QCOMPARE(exported.exitCode, 0);
        const QStringList lines = exported.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QStringList kinds;
        QList<QJsonObject> entries;
        for (const QString &line : lines) {
            entries.append(QJsonDocument::fromJson(line.toUtf8()).object());
            kinds.append(entries.last().value(QLatin1String("kind")).toString());
        }
        QCOMPARE(kinds, (QStringList {QStringLiteral("review_requested"),
                                      QStringLiteral("review_approved"),
                                      QStringLiteral("review_requested"),
                                      QStringLiteral("review_cancelled"),
                                      QStringLiteral("run_stopped")}));
        // The approval names who decided and the digest of what they approved.
        const QJsonObject approval = entries.at(1);
        const QString reviewer
            = waitingReviewOrDecided(db, id).value(QLatin1String("reviewed_by")).toString();
        QVERIFY(!reviewer.isEmpty());
        QCOMPARE(approval.value(QLatin1String("actor")).toString(), reviewer);
        const QJsonObject detail = approval.value(QLatin1String("detail")).toObject();
        QVERIFY(detail.value(QLatin1String("was_edited")).toBool());
        QCOMPARE(detail.value(QLatin1String("payload_sha256")).toString(),
                 QString::fromLatin1(QCryptographicHash::hash("\"Hello, Ada! Edited.\"",
                                                              QCryptographicHash::Sha256)
                                         .toHex()));
        QCOMPARE(detail.value(QLatin1String("proposed_sha256")).toString(),
                 entries.at(0)
                     .value(QLatin1String("detail"))
                     .toObject()
                     .value(QLatin1String("payload_sha256"))
                     .toString());
        // Each entry names the hash of the one before.
        for (int i = 1; i < entries.size(); ++i)
            QCOMPARE(entries.at(i).value(QLatin1String("prev_hash")).toString(),
                     entries.at(i - 1).value(QLatin1String("hash")).toString());

        const Run csv = signalbox({QStringLiteral("audit"), QStringLiteral("export"),
                                   QStringLiteral("--format"), QStringLiteral("csv"),
                                   QStringLiteral("--db"), db});
        QCOMPARE(csv.exitCode, 0);
        QVERIFY(csv.out.startsWith(
            QLatin1String("seq,at,kind,actor,graph_exec_id,node_exec_id,detail,prev_hash,hash\n")));
        QCOMPARE(csv.out.count(QLatin1Char('\n')), 6);
        const Run later = signalbox({QStringLiteral("audit"), QStringLiteral("export"),
                                     QStringLiteral("--since"),
                                     QDateTime::currentDateTimeUtc().addSecs(60).toString(
                                         Qt::ISODate),
                                     QStringLiteral("--db"), db});
        QCOMPARE(later.exitCode, 0);
        QVERIFY(later.out.isEmpty());
        QCOMPARE(signalbox({QStringLiteral("audit"), QStringLiteral("export"),
                            QStringLiteral("--since"), QStringLiteral("yesterday"),
                            QStringLiteral("--db"), db})
                     .exitCode,
                 2);

        const Run intact = signalbox({QStringLiteral("audit"), QStringLiteral("verify"),
                                      QStringLiteral("--db"), db});
        QCOMPARE(intact.exitCode, 0);
        QVERIFY2(intact.out.contains(QLatin1String("intact: 5 entries")), qPrintable(intact.out));

        // Tampering with sqlite3, each time on a copy of the database.
        if (!hasSqlite3())
            QSKIP("sqlite3 is not installed");
        const struct
        {
            const char *name;
            const char *sql;
            int entry;
            const char *problem;
        } cases[] = {
            {"edited", "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;", 2,
             "entry 2 was changed"},
            {"deleted", "DELETE FROM audit_log WHERE seq = 3;", 3, "entry 3 is missing"},
            {"swapped",
             "UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE "
             "seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1;",
             2, "entry 2 was changed or moved"},
            {"cut off", "DELETE FROM audit_log WHERE seq = 5;", 5, "entries 5 to 5 are missing"},
        };
        for (const auto &tamper : cases) {
            const QString copy = m_dir.filePath(QStringLiteral("audit-%1.db")
                                                    .arg(QString::fromLatin1(tamper.name))
                                                    .replace(QLatin1Char(' '), QLatin1Char('-')));
            for (const QString &suffix :
                 {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
                QFile::remove(copy + suffix);
                if (QFile::exists(db + suffix))
                    QVERIFY(QFile::copy(db + suffix, copy + suffix));
            }
            const QString edited = sqlite3(copy, QString::fromLatin1(tamper.sql));
            QVERIFY2(edited.isEmpty(), qPrintable(edited));
            const Run verify = signalbox({QStringLiteral("audit"), QStringLiteral("verify"),
                                          QStringLiteral("--db"), copy, QStringLiteral("--json")});
            QVERIFY2(verify.exitCode == 1, tamper.name);
            QVERIFY2(verify.err.contains(QLatin1String(tamper.problem)), qPrintable(verify.err));
            QCOMPARE(verify.json().value(QLatin1String("first_bad_entry")).toInt(), tamper.entry);
            QVERIFY(!verify.json().value(QLatin1String("intact")).toBool());
        }
    }

    void aDecisionIsBoundToThePayloadItNames()
    {
        const QString db = m_dir.filePath(QStringLiteral("digest.db"));
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 3);
        const QJsonObject review = waitingReview(db);
        const QString id = review.value(QLatin1String("node_exec_id")).toString();
        const QString digest = review.value(QLatin1String("payload_sha256")).toString();
        // The SHA-256 of the payload's canonical JSON (here a plain string).
        const QString payload = review.value(QLatin1String("payload")).toString();
        QVERIFY(!payload.contains(QLatin1Char('"')) && !payload.contains(QLatin1Char('\\')));
        QCOMPARE(digest, QString::fromLatin1(QCryptographicHash::hash(
                                                 (QLatin1Char('"') + payload + QLatin1Char('"')).toUtf8(),
                                                 QCryptographicHash::Sha256)
                                                 .toHex()));
        const Run table = signalbox({QStringLiteral("reviews"), QStringLiteral("list"),
                                     QStringLiteral("--db"), db});
        QVERIFY2(table.out.contains(digest.left(12)), qPrintable(table.out));

        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--digest"),
                         QStringLiteral("0123456789ab"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 5);
        QVERIFY2(run.err.contains(QStringLiteral("is not what was shown")), qPrintable(run.err));
        QCOMPARE(waitingReview(db).value(QLatin1String("node_exec_id")).toString(), id);

        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--digest"), digest.left(12),
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(waitingReviewOrDecided(db, id).value(QLatin1String("approved_sha256")).toString(),
                 digest);
    }

    void aGrantLetsTheNodeRunWithoutAskingUntilRevoked()
    {
        const QString db = m_dir.filePath(QStringLiteral("grants.db"));
        const auto runExample = [&] {
            return signalbox({QStringLiteral("run"), kExample, QStringLiteral("--db"), db,
                              QStringLiteral("--json")});
        };
        QCOMPARE(runExample().exitCode, 3);
        const QString id = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        // A grant goes with an approval, and its scope must be one it knows.
        for (const QStringList &wrong :
             {QStringList {QStringLiteral("--reject"), QStringLiteral("--message"),
                           QStringLiteral("no"), QStringLiteral("--grant"), QStringLiteral("run")},
              QStringList {QStringLiteral("--approve"), QStringLiteral("--grant"),
                           QStringLiteral("5x")},
              QStringList {QStringLiteral("--approve"), QStringLiteral("--grant"),
                           QStringLiteral("0h")},
              QStringList {QStringLiteral("--approve"), QStringLiteral("--same-payload")}}) {
            const Run refused = signalbox(QStringList {QStringLiteral("reviews"),
                                                       QStringLiteral("decide"), id, QStringLiteral("--db"), db}
                                          + wrong);
            QCOMPARE(refused.exitCode, 2);
        }
        QCOMPARE(waitingReview(db).value(QLatin1String("node_exec_id")).toString(), id);

        // Approved and allowed in every run of the graph, for this payload.
        Run run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                             QStringLiteral("--approve"), QStringLiteral("--grant"),
                             QStringLiteral("graph"), QStringLiteral("--same-payload"),
                             QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        Run listed = signalbox({QStringLiteral("grants"), QStringLiteral("list"),
                                QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(listed.exitCode, 0);
        const QJsonArray grants = listed.json().value(QLatin1String("grants")).toArray();
        QCOMPARE(grants.size(), 1);
        const QJsonObject grant = grants.first().toObject();
        const QString grantId = grant.value(QLatin1String("id")).toString();
        QCOMPARE(grant.value(QLatin1String("node_exec_id")).toString(), id);
        QVERIFY(grant.value(QLatin1String("graph_exec_id")).isNull());
        QVERIFY(grant.value(QLatin1String("active")).toBool());
        QVERIFY(grant.value(QLatin1String("scope")).toString().startsWith(
            QLatin1String("this graph until revoked, payload ")));
        const Run table = signalbox({QStringLiteral("grants"), QStringLiteral("list"),
                                     QStringLiteral("--db"), db});
        QVERIFY2(table.out.contains(grantId) && table.out.contains(QLatin1String("active")),
                 qPrintable(table.out));

        // The next run does not ask, and the audit log names the grant.
        run = runExample();
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        const Run exported = signalbox({QStringLiteral("audit"), QStringLiteral("export"),
                                        QStringLiteral("--db"), db});
        const QList<QByteArray> lines = exported.out.toUtf8().trimmed().split('\n');
        QJsonObject lastUse;
        for (const QByteArray &line : lines) {
            const QJsonObject entry = QJsonDocument::fromJson(line).object();
            if (entry.value(QLatin1String("kind")).toString() == QLatin1String("auto_approved"))
                lastUse = entry;
        }
        QCOMPARE(lastUse.value(QLatin1String("detail")).toObject().value(QLatin1String("grant_id")).toString(),
                 grantId);

        // Revoked, the node asks again; revoking twice is a conflict.
        run = signalbox({QStringLiteral("grants"), QStringLiteral("revoke"), grantId,
                         QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String("Revoked grant")), qPrintable(run.out));
        run = signalbox({QStringLiteral("grants"), QStringLiteral("revoke"), grantId,
                         QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 5);
        QVERIFY2(run.err.contains(QLatin1String("already revoked")), qPrintable(run.err));
        QCOMPARE(signalbox({QStringLiteral("grants"), QStringLiteral("list"), QStringLiteral("--db"),
                            db, QStringLiteral("--json")})
                     .json()
                     .value(QLatin1String("grants"))
                     .toArray()
                     .size(),
                 0);
        QCOMPARE(signalbox({QStringLiteral("grants"), QStringLiteral("list"), QStringLiteral("--all"),
                            QStringLiteral("--db"), db, QStringLiteral("--json")})
                     .json()
                     .value(QLatin1String("grants"))
                     .toArray()
                     .size(),
                 1);
        QCOMPARE(runExample().exitCode, 3);

        // For a while: every run until then.
        const QString next = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), next,
                         QStringLiteral("--approve"), QStringLiteral("--grant"), QStringLiteral("30m"),
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject timed = signalbox({QStringLiteral("grants"), QStringLiteral("list"),
                                             QStringLiteral("--db"), db, QStringLiteral("--json")})
                                      .json()
                                      .value(QLatin1String("grants"))
                                      .toArray()
                                      .first()
                                      .toObject();
        const QDateTime expires = QDateTime::fromString(
            timed.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(expires) - 1800) < 60);
        QCOMPARE(runExample().exitCode, 0);
        // Once it has expired, the node asks again.
        if (!hasSqlite3())
            QSKIP("sqlite3 is not installed");
        QCOMPARE(sqlite3(db, QStringLiteral("UPDATE review_grants SET expires_at = 1 WHERE id = '%1';")
                                 .arg(timed.value(QLatin1String("id")).toString())),
                 QString());
        QCOMPARE(runExample().exitCode, 3);
        const Run all = signalbox({QStringLiteral("grants"), QStringLiteral("list"),
                                   QStringLiteral("--all"), QStringLiteral("--db"), db});
        QVERIFY2(all.out.contains(QLatin1String("expired")), qPrintable(all.out));
    }

    void aQuorumWaitsForDistinctReviewersAndTheStarterMayNotApprove()
    {
        // The example, its Human Review step needing two approvals from
        // people other than whoever started the run.
        const QString path = Testing::writeQuorumExample(m_dir.path());
        QVERIFY(!path.isEmpty());

        QTemporaryDir config;
        const auto as = [&](const QString &name) {
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
            environment.insert(QStringLiteral("USER"), name);
            return environment;
        };
        const QString db = m_dir.filePath(QStringLiteral("quorum.db"));
        Run run = signalbox({QStringLiteral("run"), path, QStringLiteral("--db"), db,
                             QStringLiteral("--json")},
                            {}, 30000, {}, as(QStringLiteral("sam")));
        QCOMPARE(run.exitCode, 3);
        QJsonObject review = waitingReview(db);
        const QString id = review.value(QLatin1String("node_exec_id")).toString();
        QCOMPARE(review.value(QLatin1String("required_approvals")).toInt(), 2);
        QCOMPARE(review.value(QLatin1String("run_started_by")).toString(), QStringLiteral("sam"));
        const auto decide = [&](const QString &who, const QStringList &how) {
            return signalbox(QStringList {QStringLiteral("reviews"), QStringLiteral("decide"), id,
                                          QStringLiteral("--db"), db}
                                 + how,
                             {}, 30000, {}, as(who));
        };
        const QStringList approve {QStringLiteral("--approve")};

        // The starter may not approve it.
        run = decide(QStringLiteral("sam"), approve);
        QCOMPARE(run.exitCode, 5);
        QVERIFY2(run.err.contains(QLatin1String("sam started the run and may not approve it")),
                 qPrintable(run.err));
        // One approval: the run still waits, and says how many it has.
        run = decide(QStringLiteral("ann"), approve);
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(QLatin1String("has 1 of 2 approvals (ann)")), qPrintable(run.err));
        const Run table = signalbox({QStringLiteral("reviews"), QStringLiteral("list"),
                                     QStringLiteral("--db"), db});
        QVERIFY2(table.out.contains(QLatin1String("1 of 2")), qPrintable(table.out));
        // The same reviewer again is still one approval; a grant is refused.
        QCOMPARE(decide(QStringLiteral("ann"), approve).exitCode, 3);
        QCOMPARE(decide(QStringLiteral("bob"), {QStringLiteral("--approve"), QStringLiteral("--grant"),
                                                QStringLiteral("run")})
                     .exitCode,
                 2);
        QCOMPARE(waitingReview(db).value(QLatin1String("approvals")).toArray(),
                 QJsonArray {QStringLiteral("ann")});
        // A second reviewer completes it, and the run goes on.
        run = decide(QStringLiteral("bob"), {QStringLiteral("--approve"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(waitingReviewOrDecided(db, id).value(QLatin1String("reviewed_by")).toString(),
                 QStringLiteral("ann, bob"));

        // One rejection rejects it, even by the starter.
        run = signalbox({QStringLiteral("run"), path, QStringLiteral("--db"), db}, {}, 30000, {},
                        as(QStringLiteral("sam")));
        QCOMPARE(run.exitCode, 3);
        const QString next = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        QCOMPARE(signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), next,
                            QStringLiteral("--approve"), QStringLiteral("--db"), db},
                           {}, 30000, {}, as(QStringLiteral("ann")))
                     .exitCode,
                 3);
        QCOMPARE(signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), next,
                            QStringLiteral("--reject"), QStringLiteral("--message"),
                            QStringLiteral("not today"), QStringLiteral("--db"), db},
                           {}, 30000, {}, as(QStringLiteral("sam")))
                     .exitCode,
                 0);
        QCOMPARE(waitingReviewOrDecided(db, next).value(QLatin1String("status")).toString(),
                 QStringLiteral("REJECTED"));
    }

    void reviewsShowSaysWhatAnEditChanges()
    {
        const QString db = m_dir.filePath(QStringLiteral("show.db"));
        QCOMPARE(signalbox({QStringLiteral("run"), kExample, QStringLiteral("--input"),
                            QStringLiteral("name=Ada"), QStringLiteral("--db"), db})
                     .exitCode,
                 3);
        const QString id = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        // An edit's diff, before deciding.
        Run shown = signalbox({QStringLiteral("reviews"), QStringLiteral("show"), id,
                               QStringLiteral("--data"), QStringLiteral("\"Hi, Ada.\""),
                               QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(shown.exitCode, 0);
        QCOMPARE(shown.json().value(QLatin1String("status")).toString(), QStringLiteral("WAITING"));
        QCOMPARE(shown.json().value(QLatin1String("changes")).toArray(),
                 QJsonArray({QJsonObject {{QStringLiteral("path"), QStringLiteral("$")},
                                          {QStringLiteral("change"), QStringLiteral("changed")},
                                          {QStringLiteral("before"),
                                           QStringLiteral("Hello, Ada! Welcome aboard.")},
                                          {QStringLiteral("after"), QStringLiteral("Hi, Ada.")}}}));
        // Not a sensitive action: no block input.
        QVERIFY(!shown.json().contains(QLatin1String("block_input")));
        shown = signalbox({QStringLiteral("reviews"), QStringLiteral("show"), id,
                           QStringLiteral("--data"), QStringLiteral("{\"a\": "),
                           QStringLiteral("--db"), db});
        QCOMPARE(shown.exitCode, 2);
        // After an edited approval: what the reviewer changed.
        QCOMPARE(signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                            QStringLiteral("--approve"), QStringLiteral("--data"),
                            QStringLiteral("\"Hi, Ada.\""), QStringLiteral("--db"), db})
                     .exitCode,
                 0);
        shown = signalbox({QStringLiteral("reviews"), QStringLiteral("show"), id,
                           QStringLiteral("--db"), db});
        QCOMPARE(shown.exitCode, 0);
        QVERIFY2(shown.out.contains(QLatin1String("The reviewer changed:"))
                     && shown.out.contains(QLatin1String("\"Hello, Ada! Welcome aboard.\""))
                     && shown.out.contains(QLatin1String("APPROVED by")),
                 qPrintable(shown.out));
        QCOMPARE(signalbox({QStringLiteral("reviews"), QStringLiteral("show"),
                            QStringLiteral("no-such-review"), QStringLiteral("--db"), db})
                     .exitCode,
                 2);
    }

    void aStoreThatRefusesAReviewKeepsTheRunResumable()
    {
        const QString db = m_dir.filePath(QStringLiteral("refusing.db"));
        QCOMPARE(signalbox({QStringLiteral("graphs"), QStringLiteral("import"), kExample,
                            QStringLiteral("--db"), db})
                     .exitCode,
                 0);
        // The store refuses what asking for a review writes.
        if (!hasSqlite3())
            QSKIP("sqlite3 is not installed");
        QCOMPARE(sqlite3(db, QStringLiteral("CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN "
                                            "SELECT RAISE(ABORT, 'disk quota exceeded'); END;")),
                 QString());
        Run run = signalbox(
            {QStringLiteral("run"), kExample, QStringLiteral("--db"), db, QStringLiteral("--json")});
        // A storage error, not the graph's failure: exit 6, the run resumable.
        QCOMPARE(run.exitCode, 6);
        QVERIFY2(run.err.contains(QLatin1String("disk quota exceeded")), qPrintable(run.err));
        const QString id = runningExecution(db);
        QVERIFY(!id.isEmpty());
        const Run show = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(show.json().value(QLatin1String("status")).toString(), QStringLiteral("RUNNING"));
        for (const QJsonValue &node : show.json().value(QLatin1String("node_executions")).toArray())
            QVERIFY(node.toObject().value(QLatin1String("status")).toString()
                    != QLatin1String("FAILED"));

        // Once the store takes writes again, the run goes on to its review.
        QCOMPARE(sqlite3(db, QStringLiteral("DROP TRIGGER refuse;")), QString());
        run = signalbox({QStringLiteral("resume"), id, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(waitingReview(db).value(QLatin1String("graph_exec_id")).toString(), id);
    }

    void reviewRejectedTakesTheRejectedBranch()
    {
        const QString db = m_dir.filePath(QStringLiteral("review-reject.db"));
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 3);
        const QString id = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--reject"), QStringLiteral("--message"),
                         QStringLiteral("too informal"), QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json().value(QLatin1String("outputs")).toObject(),
                 QJsonDocument::fromJson(
                     Testing::json("{'rejected': ['Hello, World! Welcome aboard.']}"))
                     .object());
        QVERIFY(waitingReview(db).isEmpty());
    }

    QString exampleWithTimeout(const QString &name, double timeout, bool allowSkip,
                               int countdownSeconds)
    {
        return Testing::writeExampleWithTimeout(m_dir.path(), name, timeout, allowSkip,
                                                countdownSeconds);
    }

    void reviewTimeoutsWhileRunning()
    {
        // The countdown keeps the run alive past the deadline: allow_skip
        // approves the review, which the node then takes.
        const QString db = m_dir.filePath(QStringLiteral("timeout-running.db"));
        Run run = signalbox({QStringLiteral("run"),
                             exampleWithTimeout(QStringLiteral("skip"), 0.5, true, 2),
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.firstOutput("greeting"), QStringLiteral("Hello, World! Welcome aboard."));
        // Without allow_skip the review is rejected and the node fails.
        run = signalbox({QStringLiteral("run"),
                         exampleWithTimeout(QStringLiteral("strict"), 0.5, false, 2),
                         QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("Review timed out"));
        QVERIFY(run.json().value(QLatin1String("outputs")).toObject().isEmpty());
    }

    void reviewTimeoutsAcrossARestart()
    {
        // Paused with nothing else to run, the process ends; resumed after
        // the deadline, the deadline applies at once.
        const QString db = m_dir.filePath(QStringLiteral("timeout-restart.db"));
        Run run = signalbox({QStringLiteral("run"),
                             exampleWithTimeout(QStringLiteral("later"), 1, true, 0),
                             QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 3);
        const QString execution = run.json().value(QLatin1String("execution_id")).toString();
        QCOMPARE(waitingReview(db).value(QLatin1String("deadline")).toString().isEmpty(), false);
        QThread::msleep(1200);
        run = signalbox({QStringLiteral("resume"), execution, QStringLiteral("--db"), db,
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.firstOutput("greeting"), QStringLiteral("Hello, World! Welcome aboard."));
    }

    void autoApprovingANodeFromAnotherProcess()
    {
        // A countdown feeds the review step twice, two seconds apart, while
        // `run` goes on; a reviewer in another process approves the first
        // and the node for the rest of the run: the second is not asked.
        const QString path = exampleWithTimeout(QStringLiteral("auto"), 0, false, 0);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject graph = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        QJsonArray nodes = graph.value(QLatin1String("nodes")).toArray();
        nodes.append(QJsonObject {
            {QStringLiteral("id"), QStringLiteral("tick")},
            {QStringLiteral("block_id"), QStringLiteral("d67a9c52-5e4e-11e2-bcfd-0800200c9a71")},
            {QStringLiteral("input_default"),
             QJsonObject {{QStringLiteral("seconds"), 2},
                          {QStringLiteral("repeat"), 2},
                          {QStringLiteral("input_message"), QStringLiteral("tick")}}}});
        graph.insert(QStringLiteral("nodes"), nodes);
        QJsonArray links = graph.value(QLatin1String("links")).toArray();
        for (qsizetype i = 0; i < links.size(); ++i) {
            QJsonObject link = links.at(i).toObject();
            if (link.value(QLatin1String("sink_name")).toString() == QLatin1String("data")) {
                link.insert(QStringLiteral("source_id"), QStringLiteral("tick"));
                link.insert(QStringLiteral("source_name"), QStringLiteral("output_message"));
                links[i] = link;
            }
        }
        graph.insert(QStringLiteral("links"), links);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(graph).toJson());
        file.close();

        const QString db = m_dir.filePath(QStringLiteral("review-auto.db"));
        QProcess runner;
        runner.start(
            QStringLiteral(SIGNALBOX_BINARY),
            {QStringLiteral("run"), path, QStringLiteral("--db"), db, QStringLiteral("--json")});
        QJsonObject review;
        QElapsedTimer clock;
        clock.start();
        while (review.isEmpty() && clock.elapsed() < 15000) {
            QThread::msleep(100);
            if (QFileInfo::exists(db))
                review = waitingReview(db);
        }
        QVERIFY(!review.isEmpty());
        Run decide = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"),
                                review.value(QLatin1String("node_exec_id")).toString(),
                                QStringLiteral("--approve"), QStringLiteral("--auto-approve-node"),
                                QStringLiteral("--db"), db});
        QCOMPARE(decide.exitCode, 0);
        QVERIFY(runner.waitForFinished(20000));
        QCOMPARE(runner.exitCode(), 0);
        const QJsonObject result = QJsonDocument::fromJson(runner.readAllStandardOutput()).object();
        QCOMPARE(result.value(QLatin1String("outputs")).toObject(),
                 QJsonDocument::fromJson(Testing::json("{'greeting': ['tick', 'tick']}")).object());
        // One review was asked for, and no review waits.
        const Run history = signalbox({QStringLiteral("reviews"), QStringLiteral("list"),
                                       QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY(history.json().value(QLatin1String("reviews")).toArray().isEmpty());
    }

    void stoppingAPausedExecutionRejectsItsReviews()
    {
        const QString db = m_dir.filePath(QStringLiteral("review-stop.db"));
        Run run = signalbox({QStringLiteral("run"), kExample, QStringLiteral("--db"), db,
                             QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 3);
        const QString execution = run.json().value(QLatin1String("execution_id")).toString();
        const QString id = waitingReview(db).value(QLatin1String("node_exec_id")).toString();
        run = signalbox({QStringLiteral("stop"), execution, QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(waitingReview(db).isEmpty());
        // The review was rejected with the reference's message.
        run = signalbox({QStringLiteral("reviews"), QStringLiteral("decide"), id,
                         QStringLiteral("--approve"), QStringLiteral("--db"), db});
        QCOMPARE(run.exitCode, 5);
        QVERIFY(run.err.contains(QLatin1String("already processed with status REJECTED")));
    }

    void blocksListAndRun()
    {
        Run run = signalbox(
            {QStringLiteral("blocks"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray blocks = run.json().value(QLatin1String("blocks")).toArray();
        QCOMPARE(blocks.size(), 74);
        bool sawCalculator = false;
        for (const QJsonValue &block : blocks) {
            if (block.toObject().value(QLatin1String("name")).toString()
                == QLatin1String("CalculatorBlock")) {
                sawCalculator = true;
                QVERIFY(block.toObject().value(QLatin1String("available")).toBool());
                QCOMPARE(block.toObject().value(QLatin1String("id")).toString(),
                         QStringLiteral("b1ab9b19-67a6-406d-abf5-2dba76d00c79"));
            }
        }
        QVERIFY(sawCalculator);

        run = signalbox({QStringLiteral("blocks"), QStringLiteral("run"),
                         QStringLiteral("b1ab9b19-67a6-406d-abf5-2dba76d00c79"),
                         QStringLiteral("--input"),
                         QStringLiteral("{\"operation\": \"Divide\", \"a\": 7, \"b\": 2}"),
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.trimmed(),
                 QStringLiteral(
                     "{\"status\":\"COMPLETED\",\"outputs\":[[\"result\",3.5]],\"error\":null}"));
        run = signalbox({QStringLiteral("blocks"), QStringLiteral("run"),
                         QStringLiteral("262ca24c-1025-43cf-a578-534e23234e97"),
                         QStringLiteral("--input"), QStringLiteral("{\"list\": [], \"index\": 3}"),
                         QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("Index out of range"));
        run = signalbox({QStringLiteral("blocks"), QStringLiteral("run"), QStringLiteral("nope")});
        QCOMPARE(run.exitCode, 2);
    }

    void resumeAfterAKilledProcess()
    {
        const QString db = m_dir.filePath(QStringLiteral("crash.db"));
        QProcess running;
        running.start(QStringLiteral(SIGNALBOX_BINARY),
                      {QStringLiteral("run"),
                       QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/countdown.sbx.json"),
                       QStringLiteral("--input"), QStringLiteral("msg=hello"),
                       QStringLiteral("--db"), db});
        QVERIFY(running.waitForStarted());
        // Wait until the countdown runs, then kill the process outright.
        QString id;
        QTRY_VERIFY_WITH_TIMEOUT(
            ([&] {
                id = runningExecution(db);
                if (id.isEmpty())
                    return false;
                const Run nodes
                    = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                                 QStringLiteral("--db"), db, QStringLiteral("--json")});
                for (const QJsonValue &node :
                     nodes.json().value(QLatin1String("node_executions")).toArray()) {
                    if (node.toObject().value(QLatin1String("node_id")).toString()
                            == QLatin1String("wait")
                        && node.toObject().value(QLatin1String("status")).toString()
                            == QLatin1String("RUNNING"))
                        return true;
                }
                return false;
            }()),
            10000);
        // While that process lives, the run is its own: a resume elsewhere
        // would run it twice.
        const Run twice = signalbox({QStringLiteral("resume"), id, QStringLiteral("--db"), db});
        QCOMPARE(twice.exitCode, 5);
        QVERIFY2(twice.err.contains(QStringLiteral("process %1").arg(running.processId())),
                 qPrintable(twice.err));
        running.kill();
        QVERIFY(running.waitForFinished());

        const Run resumed = signalbox(
            {QStringLiteral("resume"), id, QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(resumed.exitCode, 0);
        QCOMPARE(resumed.json().value(QLatin1String("status")).toString(),
                 QStringLiteral("COMPLETED"));
        QCOMPARE(resumed.out.count(QStringLiteral("\"said\":[\"hello\"]")), 1);
        const Run show = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        QMap<QString, int> runs;
        for (const QJsonValue &node : show.json().value(QLatin1String("node_executions")).toArray())
            runs[node.toObject().value(QLatin1String("node_id")).toString()] += 1;
        // The completed input node did not run again; the countdown was re-queued, not duplicated.
        QCOMPARE(runs.value(QStringLiteral("in")), 1);
        QCOMPARE(runs.value(QStringLiteral("wait")), 1);
        QCOMPARE(runs.value(QStringLiteral("out")), 1);

        const Run again = signalbox({QStringLiteral("resume"), id, QStringLiteral("--db"), db});
        QCOMPARE(again.exitCode, 5); // already completed
    }

    void stopFromASecondProcess()
    {
        const QString db = m_dir.filePath(QStringLiteral("stop.db"));
        const QString graph = Testing::writeLongCountdown(m_dir.path(), 120);
        QVERIFY(!graph.isEmpty());
        QProcess running;
        running.start(QStringLiteral(SIGNALBOX_BINARY),
                      {QStringLiteral("run"), graph, QStringLiteral("--input"),
                       QStringLiteral("msg=x"), QStringLiteral("--db"), db});
        QVERIFY(running.waitForStarted());
        QString id;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     id = runningExecution(db);
                                     return !id.isEmpty();
                                 }()),
                                 10000);
        QElapsedTimer clock;
        clock.start();
        const Run stop = signalbox({QStringLiteral("stop"), id, QStringLiteral("--db"), db});
        QCOMPARE(stop.exitCode, 0);
        QVERIFY(running.waitForFinished(5000));
        QVERIFY2(clock.elapsed() < 3000,
                 "the running process did not notice the stop within a second or so");
        QCOMPARE(running.exitCode(), 4);
        const Run show = signalbox({QStringLiteral("executions"), QStringLiteral("show"), id,
                                    QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(show.json().value(QLatin1String("status")).toString(),
                 QStringLiteral("TERMINATED"));
        for (const QJsonValue &node :
             show.json().value(QLatin1String("node_executions")).toArray()) {
            const QString status = node.toObject().value(QLatin1String("status")).toString();
            QVERIFY2(status == QLatin1String("COMPLETED") || status == QLatin1String("TERMINATED"),
                     qPrintable(status));
        }
        const Run again = signalbox({QStringLiteral("stop"), id, QStringLiteral("--db"), db});
        QCOMPARE(again.exitCode, 0); // stopping a stopped execution is fine
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
