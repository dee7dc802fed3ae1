// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"
#include "clisupport.h"
#include "modelscommand.h"
#include "workercommand.h"

#include "engine/blocks/blockregistry.h"
#include "engine/blocks/standalonerun.h"
#include "engine/reviewer.h"
#include "engine/service/runservice.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/reviewrepository.h"
#include "engine/store/storecopy.h"
#include "model/graphjson.h"
#include "model/graphvalidation.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>
#include <QThread>

#include <memory>

namespace Signalbox::App {

namespace {

using Engine::Database;

// How long `stop` waits for the process running an execution to end it.
constexpr int kStopGraceMs = 3000;
using Engine::DatabaseOptions;

const QStringList kCommands
    = {QStringLiteral("graphs"),    QStringLiteral("executions"),  QStringLiteral("run"),
       QStringLiteral("blocks"),    QStringLiteral("resume"),      QStringLiteral("stop"),
       QStringLiteral("reviews"),   QStringLiteral("credentials"), QStringLiteral("models"),
       QStringLiteral("providers"), QStringLiteral("worker"),      QStringLiteral("db")};

// One CSV field (RFC 4180), quoted when it must be. A text that a
// spreadsheet would take for a formula (=, +, -, @ first) gets a leading
// apostrophe, so that an exported name or message is never run.
QString csvField(QString text)
{
    if (!text.isEmpty() && QStringLiteral("=+-@\t\r").contains(text.front()))
        text.prepend(QLatin1Char('\''));
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"'))
        || text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r'))) {
        text.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

QString shortTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                          : QStringLiteral("-");
}

class Cli
{
public:
    Cli(QTextStream &out, QTextStream &err)
        : m_out(out)
        , m_err(err)
    { }

    int run(const QStringList &arguments)
    {
        QCommandLineParser parser;
        parser.setApplicationDescription(
            QStringLiteral("Signalbox: build agent graphs, run them, keep a human in the loop."));
        parser.addHelpOption();
        parser.addVersionOption();
        const QCommandLineOption db(
            QStringLiteral("db"),
            QStringLiteral("The database: a file (default: %1), or a team's PostgreSQL "
                           "database as postgresql://user@host[:port]/dbname, its password in "
                           "PGPASSFILE or the keychain.")
                .arg(defaultDatabasePath()),
            QStringLiteral("FILE|URL"));
        const QCommandLineOption json(QStringLiteral("json"),
                                      QStringLiteral("Print one JSON object instead of text."));
        const QCommandLineOption graph(QStringLiteral("graph"),
                                       QStringLiteral("Only executions of this graph."),
                                       QStringLiteral("ID"));
        const QCommandLineOption status(
            QStringLiteral("status"),
            QStringLiteral("Only executions with this status (repeatable)."),
            QStringLiteral("STATUS"));
        const QCommandLineOption limit(QStringLiteral("limit"),
                                       QStringLiteral("At most this many executions (default 50)."),
                                       QStringLiteral("N"), QStringLiteral("50"));
        const QCommandLineOption version(
            QStringLiteral("graph-version"),
            QStringLiteral("Export this version (default: the latest)."), QStringLiteral("N"));
        const QCommandLineOption output(
            QStringLiteral("output"),
            QStringLiteral("Write the export to FILE instead of standard output."),
            QStringLiteral("FILE"));
        const QCommandLineOption input(
            QStringLiteral("input"),
            QStringLiteral(
                "A graph input (run) as NAME=JSON, or the block input (blocks run) as JSON; "
                "@FILE in place of the JSON reads it from a file."),
            QStringLiteral("INPUT"));
        const QCommandLineOption inputFile(
            QStringLiteral("input-file"),
            QStringLiteral("The graph inputs (run) as a JSON object of names and values; --input "
                           "values win over it."),
            QStringLiteral("FILE"));
        const QCommandLineOption hitl(QStringLiteral("hitl-safe-mode"),
                                      QStringLiteral("Pause at Human Review blocks (default on)."),
                                      QStringLiteral("on|off"), QStringLiteral("on"));
        const QCommandLineOption sensitive(
            QStringLiteral("sensitive-safe-mode"),
            QStringLiteral("Review sensitive actions before they run (default off)."),
            QStringLiteral("on|off"), QStringLiteral("off"));
        const QCommandLineOption threads(
            QStringLiteral("threads"),
            QStringLiteral("Threads that run blocks (default: one per core)."), QStringLiteral("N"),
            QString::number(QThread::idealThreadCount()));
        const QCommandLineOption maxNodes(
            QStringLiteral("max-node-executions"),
            QStringLiteral("The run's budget of node executions (run, resume, reviews decide; "
                           "default %1).")
                .arg(Engine::RunBudget {}.maxNodeExecutions),
            QStringLiteral("N"));
        const QCommandLineOption maxWall(
            QStringLiteral("max-wall-time"),
            QStringLiteral("The run's budget of wall time in seconds, from its start or resume "
                           "(default %1).")
                .arg(Engine::RunBudget {}.maxWallSeconds),
            QStringLiteral("SECONDS"));
        const QCommandLineOption maxCost(
            QStringLiteral("max-cost"),
            QStringLiteral("The run's budget of cost in credits (default %1).")
                .arg(Engine::RunBudget {}.maxCost),
            QStringLiteral("N"));
        const QCommandLineOption digest(
            QStringLiteral("digest"),
            QStringLiteral("The SHA-256 (12 characters or more) of the payload reviewed, as "
                           "reviews list shows it: the decision is refused if the payload is no "
                           "longer that (reviews decide, one review)."),
            QStringLiteral("HEX"));
        const QCommandLineOption format(QStringLiteral("format"),
                                        QStringLiteral("jsonl (default) or csv (audit export)."),
                                        QStringLiteral("FORMAT"), QStringLiteral("jsonl"));
        const QCommandLineOption since(
            QStringLiteral("since"),
            QStringLiteral("Only entries from this moment on, ISO 8601 (audit export)."),
            QStringLiteral("TIME"));
        const QCommandLineOption execution(QStringLiteral("execution"),
                                           QStringLiteral("Only reviews of this execution."),
                                           QStringLiteral("ID"));
        const QCommandLineOption approve(QStringLiteral("approve"),
                                         QStringLiteral("Approve the reviews."));
        const QCommandLineOption reject(QStringLiteral("reject"),
                                        QStringLiteral("Reject the reviews."));
        const QCommandLineOption message(QStringLiteral("message"),
                                         QStringLiteral("The reviewer's message."),
                                         QStringLiteral("TEXT"));
        const QCommandLineOption data(QStringLiteral("data"),
                                      QStringLiteral("The edited payload, as JSON."),
                                      QStringLiteral("JSON"));
        const QCommandLineOption autoApproveNode(
            QStringLiteral("auto-approve-node"),
            QStringLiteral("Also approve later executions of the node in this run (--grant run)."));
        const QCommandLineOption grant(
            QStringLiteral("grant"),
            QStringLiteral("With --approve, let later executions of the node run without asking: "
                           "run (this run), graph (every run of the graph until revoked), or a "
                           "time such as 30m, 8h or 2d (every run of the graph until then)."),
            QStringLiteral("SCOPE"));
        const QCommandLineOption samePayload(
            QStringLiteral("same-payload"),
            QStringLiteral("The grant holds only for a payload equal to the one approved."));
        const QCommandLineOption allGrants(
            QStringLiteral("all"), QStringLiteral("Also expired and revoked grants (grants list)."));
        const QCommandLineOption credentials(
            QStringLiteral("credentials"),
            QStringLiteral("A graph credentials input as KEY=CREDENTIALS_ID (repeatable; run)."),
            QStringLiteral("KEY=ID"));
        const QCommandLineOption allowLoopback(
            QStringLiteral("allow-loopback"),
            QStringLiteral("Let web requests reach this computer's own addresses."));
        const QCommandLineOption allowPrivate(
            QStringLiteral("allow-private-network"),
            QStringLiteral("Let web requests reach private and link-local addresses."));
        const QCommandLineOption provider(
            QStringLiteral("provider"),
            QStringLiteral("The credentials' provider (credentials add)."), QStringLiteral("NAME"));
        const QCommandLineOption type(
            QStringLiteral("type"),
            QStringLiteral("api_key, user_password or host_scoped (credentials add)."),
            QStringLiteral("TYPE"));
        const QCommandLineOption title(QStringLiteral("title"),
                                       QStringLiteral("The credentials' title (credentials add)."),
                                       QStringLiteral("TEXT"));
        const QCommandLineOption host(QStringLiteral("host"),
                                      QStringLiteral("The host host_scoped credentials are for."),
                                      QStringLiteral("HOST"));
        const QCommandLineOption header(
            QStringLiteral("header"),
            QStringLiteral("A header host_scoped credentials send (repeatable); its value is read "
                           "from standard input, one line per header."),
            QStringLiteral("NAME"));
        const QCommandLineOption username(
            QStringLiteral("username"),
            QStringLiteral("The user name of user_password credentials."), QStringLiteral("NAME"));
        const QCommandLineOption baseUrl(
            QStringLiteral("base-url"),
            QStringLiteral("The server's base URL, e.g. http://localhost:1234/v1 (providers add)."),
            QStringLiteral("URL"));
        const QCommandLineOption wire(
            QStringLiteral("wire"),
            QStringLiteral("openai_chat (default) or ollama_chat (providers add)."),
            QStringLiteral("WIRE"));
        const QCommandLineOption noKey(QStringLiteral("no-key"),
                                       QStringLiteral("The server takes no API key (providers add)."));
        const QCommandLineOption contextWindow(
            QStringLiteral("context"), QStringLiteral("The model's context window in tokens (models add)."),
            QStringLiteral("N"));
        const QCommandLineOption maxOutput(
            QStringLiteral("max-output"),
            QStringLiteral("The most tokens the model answers with (models add)."), QStringLiteral("N"));
        const QCommandLineOption addFound(QStringLiteral("add"),
                                          QStringLiteral("Add the models found (models discover)."));
        parser.addOptions({baseUrl, wire, noKey, contextWindow, maxOutput, addFound});
        parser.addOptions({format, since, digest, grant, samePayload, allGrants});
        const QCommandLineOption queue(
            QStringLiteral("queue"),
            QStringLiteral("Queue the run for workers (signalbox worker) instead of running it "
                           "here (run)."));
        const QCommandLineOption maxRuns(
            QStringLiteral("max-runs"),
            QStringLiteral("How many queued runs the worker runs at once (worker; default 1)."),
            QStringLiteral("N"), QStringLiteral("1"));
        const QCommandLineOption leaseSeconds(
            QStringLiteral("lease-seconds"),
            QStringLiteral("How long a worker's hold on a run lasts unless renewed; another "
                           "worker takes the run over after it (worker; default 30)."),
            QStringLiteral("S"), QStringLiteral("30"));
        parser.addOptions({queue, maxRuns, leaseSeconds});
        const QCommandLineOption copyFrom(QStringLiteral("from"),
                                          QStringLiteral("The store to copy (db copy)."),
                                          QStringLiteral("FILE|URL"));
        const QCommandLineOption copyTo(
            QStringLiteral("to"), QStringLiteral("The new, empty store to copy into (db copy)."),
            QStringLiteral("FILE|URL"));
        parser.addOptions({copyFrom, copyTo});
        parser.addOptions({db,
                           json,
                           graph,
                           status,
                           limit,
                           version,
                           output,
                           input,
                           inputFile,
                           hitl,
                           sensitive,
                           threads,
                           maxNodes,
                           maxWall,
                           maxCost,
                           execution,
                           approve,
                           reject,
                           message,
                           data,
                           autoApproveNode,
                           credentials,
                           allowLoopback,
                           allowPrivate,
                           provider,
                           type,
                           title,
                           host,
                           header,
                           username});
        parser.addPositionalArgument(
            QStringLiteral("command"),
            QStringLiteral("run FILE | graphs import FILE | graphs export ID | graphs list | "
                           "executions list | executions show ID | reviews list | reviews show ID "
                           "[--data JSON] | "
                           "reviews decide "
                           "NODE_EXEC_ID... [--digest HEX] | resume ID | stop ID | blocks list | "
                           "blocks run ID | "
                           "credentials list | credentials add | credentials remove ID | models "
                           "list | models add "
                           "ID | models remove ID | models default ID | models discover PROVIDER | "
                           "models stream on|off | providers list | providers set-url PROVIDER URL "
                           "| providers add ID | providers remove ID | grants list | grants revoke "
                           "ID | audit verify | audit export | worker | db copy --from FILE|URL "
                           "--to FILE|URL | db password"));
        if (!parser.parse(arguments))
            return usage(parser.errorText());
        if (parser.isSet(QStringLiteral("help"))) {
            m_out << parser.helpText();
            return ExitCompleted;
        }
        if (parser.isSet(QStringLiteral("version"))) {
            m_out << QStringLiteral("signalbox %1 (Qt %2)\n")
                         .arg(QStringLiteral(SIGNALBOX_VERSION), QString::fromLatin1(qVersion()));
            return ExitCompleted;
        }

        m_json = parser.isSet(json);
        for (const auto &[option, limit] :
             {std::pair {&maxNodes, &m_budget.maxNodeExecutions},
              std::pair {&maxWall, &m_budget.maxWallSeconds},
              std::pair {&maxCost, &m_budget.maxCost}}) {
            if (!parser.isSet(*option))
                continue;
            bool ok = false;
            *limit = parser.value(*option).toLongLong(&ok);
            if (!ok || *limit < 1)
                return usage(QStringLiteral("--%1 takes a whole number of at least 1, not \"%2\"")
                                 .arg(option->names().constFirst(), parser.value(*option)));
        }
        m_networkPolicy.allowLoopback = parser.isSet(allowLoopback);
        m_networkPolicy.allowPrivate = parser.isSet(allowPrivate);
        m_dbPath = parser.isSet(db) ? parser.value(db) : QString();
        const QStringList positional = parser.positionalArguments();
        const QString group = positional.value(0);
        const QString action = positional.value(1);
        const QStringList rest = positional.mid(2);

        if (group == QLatin1String("graphs")) {
            if (action == QLatin1String("import") && rest.size() == 1)
                return importGraph(rest.first());
            if (action == QLatin1String("export") && rest.size() == 1)
                return exportGraph(rest.first(), parser.value(version), parser.value(output));
            if (action == QLatin1String("list") && rest.isEmpty())
                return listGraphs();
        } else if (group == QLatin1String("run") && positional.size() == 2) {
            return runGraph(positional.at(1), parser.values(input), parser.value(inputFile),
                            parser.value(hitl), parser.value(sensitive), parser.value(threads),
                            parser.values(credentials), parser.isSet(queue));
        } else if (group == QLatin1String("db") && action == QLatin1String("copy")
                   && rest.isEmpty()) {
            return copyDatabase(parser.value(copyFrom), parser.value(copyTo));
        } else if (group == QLatin1String("db") && action == QLatin1String("password")
                   && rest.isEmpty()) {
            return storeDatabasePassword();
        } else if (group == QLatin1String("worker") && positional.size() == 1) {
            return runWorker(parser.value(threads), parser.value(maxRuns),
                             parser.value(leaseSeconds));
        } else if (group == QLatin1String("resume") && positional.size() == 2) {
            return resumeExecution(positional.at(1), parser.value(threads));
        } else if (group == QLatin1String("stop") && positional.size() == 2) {
            return stopExecution(positional.at(1));
        } else if (group == QLatin1String("blocks")) {
            if (action == QLatin1String("list") && rest.isEmpty())
                return listBlocks();
            if (action == QLatin1String("run") && rest.size() == 1)
                return runBlock(rest.first(), parser.value(input));
        } else if (group == QLatin1String("reviews")) {
            if (action == QLatin1String("list") && rest.isEmpty())
                return listReviews(parser.value(execution));
            if (action == QLatin1String("show") && rest.size() == 1)
                return showReview(rest.first(), parser.isSet(data)
                                                    ? std::optional(parser.value(data))
                                                    : std::nullopt);
            if (action == QLatin1String("decide") && !rest.isEmpty()) {
                if (parser.isSet(approve) == parser.isSet(reject))
                    return usage(QStringLiteral("reviews decide takes --approve or --reject"));
                if (parser.isSet(digest) && rest.size() != 1)
                    return usage(QStringLiteral("--digest goes with one review"));
                std::optional<Engine::GrantRequest> granted;
                if (parser.isSet(grant) || parser.isSet(autoApproveNode)) {
                    if (!parser.isSet(approve))
                        return usage(QStringLiteral("a grant goes with --approve"));
                    auto parsed = grantRequest(parser.isSet(grant) ? parser.value(grant)
                                                                   : QStringLiteral("run"));
                    if (!parsed)
                        return usage(parsed.error().message);
                    parsed->samePayload = parser.isSet(samePayload);
                    granted = *parsed;
                } else if (parser.isSet(samePayload)) {
                    return usage(QStringLiteral("--same-payload goes with --grant"));
                }
                return decideReviews(rest, parser.isSet(approve), parser.value(message),
                                     parser.isSet(data) ? std::optional(parser.value(data))
                                                        : std::nullopt,
                                     granted, parser.value(threads), parser.value(digest));
            }
        } else if (group == QLatin1String("credentials")) {
            if (action == QLatin1String("list") && rest.isEmpty())
                return listCredentials();
            if (action == QLatin1String("add") && rest.isEmpty())
                return addCredentials(parser.value(provider), parser.value(type),
                                      parser.value(title), parser.value(host),
                                      parser.values(header), parser.value(username));
            if (action == QLatin1String("remove") && rest.size() == 1)
                return removeCredentials(rest.first());
        } else if (group == QLatin1String("models") || group == QLatin1String("providers")) {
            ModelsCommand command;
            command.group = group;
            command.action = action;
            command.arguments = rest;
            command.provider = parser.value(provider);
            command.title = parser.value(title);
            command.baseUrl = parser.value(baseUrl);
            command.wire = parser.value(wire);
            command.contextWindow = parser.value(contextWindow);
            command.maxOutput = parser.value(maxOutput);
            command.noKey = parser.isSet(noKey);
            command.addFound = parser.isSet(addFound);
            command.json = m_json;
            command.policy = m_networkPolicy;
            if (parser.isSet(credentials)) {
                const QString id = parser.value(credentials);
                command.apiKey = [this, id]() -> Result<QString> { return apiKeyOf(id); };
            }
            return runModelsCommand(command, m_out, m_err);
        } else if (group == QLatin1String("grants")) {
            if (action == QLatin1String("list") && rest.isEmpty())
                return listGrants(parser.isSet(allGrants));
            if (action == QLatin1String("revoke") && rest.size() == 1)
                return revokeGrant(rest.first());
        } else if (group == QLatin1String("audit")) {
            if (action == QLatin1String("verify") && rest.isEmpty())
                return verifyAudit();
            if (action == QLatin1String("export") && rest.isEmpty())
                return exportAudit(parser.value(format), parser.value(since));
        } else if (group == QLatin1String("executions")) {
            if (action == QLatin1String("list") && rest.isEmpty())
                return listExecutions(parser.value(graph), parser.values(status),
                                      parser.value(limit));
            if (action == QLatin1String("show") && rest.size() == 1)
                return showExecution(rest.first());
        }
        return usage(QStringLiteral("unknown command: %1").arg(positional.join(QLatin1Char(' '))));
    }

private:
    static QString defaultDatabasePath() { return Engine::defaultDatabasePath(); }

    int usage(const QString &message)
    {
        m_err << "signalbox: " << message << "\nTry 'signalbox --help'.\n";
        return ExitBadInput;
    }

    int fail(const Error &error)
    {
        m_err << "signalbox: " << error.text() << '\n';
        return exitCodeFor(error);
    }

    void printValue(const Model::Value &value)
    {
        m_out << QString::fromUtf8(Model::toJson(value)) << '\n';
    }

    void printJson(const QJsonObject &object)
    {
        m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
    }

    Result<std::unique_ptr<Database>> openDatabase(DatabaseOptions::OpenMode mode)
    {
        QString path = m_dbPath;
        if (path.isEmpty()) {
            path = defaultDatabasePath();
            // The default location is ours to create; a named one is not.
            QDir().mkpath(QFileInfo(path).absolutePath());
        }
        DatabaseOptions options;
        options.mode = mode;
        return Database::open(path, options);
    }

    Result<std::shared_ptr<const Engine::BlockRegistry>> &catalog()
    {
        if (!m_registry) {
            m_registry = std::make_unique<Result<std::shared_ptr<const Engine::BlockRegistry>>>(
                Engine::BlockRegistry::builtin());
        }
        return *m_registry;
    }

    int importGraph(const QString &fileName)
    {
        Model::Graph graph;
        std::unique_ptr<Database> db;
        Engine::SavedGraph saved;
        if (const auto failed = importFile(fileName, graph, db, saved))
            return *failed;

        if (m_json) {
            QJsonArray subGraphs;
            for (const Engine::SavedGraph &sub : saved.subGraphs)
                subGraphs.append(QJsonObject {{QStringLiteral("id"), sub.id},
                                              {QStringLiteral("version"), sub.version},
                                              {QStringLiteral("created"), sub.created}});
            printJson({{QStringLiteral("id"), saved.id},
                       {QStringLiteral("version"), saved.version},
                       {QStringLiteral("name"), graph.name},
                       {QStringLiteral("created"), saved.created},
                       {QStringLiteral("sub_graphs"), subGraphs}});
        } else {
            m_out << (saved.created ? "Imported " : "Already stored: ") << '"' << graph.name
                  << "\" " << saved.id << " version " << saved.version << " (" << graph.nodes.size()
                  << " nodes, " << graph.links.size() << " links";
            if (!saved.subGraphs.isEmpty())
                m_out << ", " << saved.subGraphs.size() << " sub-graphs";
            m_out << ")\n";
        }
        return ExitCompleted;
    }

    int exportGraph(const QString &id, const QString &versionText, const QString &outputFile)
    {
        std::optional<int> version;
        if (!versionText.isEmpty()) {
            bool ok = false;
            version = versionText.toInt(&ok);
            if (!ok || *version < 1)
                return fail(makeError(
                    ErrorCode::BadInput,
                    QStringLiteral("--graph-version takes a whole number of at least 1, not \"%1\"")
                        .arg(versionText)));
        }
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        Engine::GraphRepository graphs(**db);
        auto graph = graphs.graph(id, version, true);
        if (!graph)
            return fail(graph.error());
        auto &blocks = catalog();
        if (!blocks)
            return fail(blocks.error());
        Model::GraphExportOptions options;
        options.blocks = blocks->get();
        const QByteArray json = Model::graphToJson(*graph, options);
        if (outputFile.isEmpty()) {
            m_out << QString::fromUtf8(json);
            return ExitCompleted;
        }
        QSaveFile file(outputFile);
        if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit())
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("%1: %2").arg(outputFile, file.errorString())));
        if (!m_json)
            m_out << "Exported \"" << graph->name << "\" version " << graph->version << " to "
                  << outputFile << '\n';
        else
            printJson({{QStringLiteral("id"), graph->id},
                       {QStringLiteral("version"), graph->version},
                       {QStringLiteral("file"), outputFile}});
        return ExitCompleted;
    }

    // Reads and checks a graph file; an exit code on failure.
    std::optional<int> readGraphFile(const QString &fileName, Model::Graph &graph)
    {
        QFile file(fileName);
        if (!file.open(QIODevice::ReadOnly))
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("%1: %2").arg(fileName, file.errorString())));
        const Model::GraphLimits limits;
        if (file.size() > limits.json.maxBytes) {
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("%1: %2 bytes is more than the limit of %3 bytes")
                                      .arg(fileName)
                                      .arg(file.size())
                                      .arg(limits.json.maxBytes)));
        }
        auto parsed = Model::graphFromJson(file.readAll(), fileName, limits);
        if (!parsed)
            return fail(parsed.error());
        auto &blocks = catalog();
        if (!blocks)
            return fail(blocks.error());
        // Nodes of blocks Signalbox lacks are kept as placeholders: the graph
        // is stored as it is, and a run refuses it naming them.
        for (const QString &problem : Model::unknownBlockProblems(*parsed, **blocks))
            m_err << "signalbox: warning: " << fileName << ": " << problem
                  << "; kept as a placeholder\n";
        graph = std::move(*parsed);
        return std::nullopt;
    }

    // Reads a graph file, then stores it with its sub-graphs in the database
    // (made if missing); an exit code on failure.
    std::optional<int> importFile(const QString &fileName, Model::Graph &graph,
                                  std::unique_ptr<Database> &db, Engine::SavedGraph &saved)
    {
        if (const auto failed = readGraphFile(fileName, graph))
            return failed;
        auto opened = openDatabase(DatabaseOptions::OpenMode::CreateIfMissing);
        if (!opened)
            return fail(opened.error());
        db = std::move(*opened);
        Engine::GraphRepository graphs(*db);
        auto stored = graphs.saveGraph(graph, QString(Model::kDefaultUserId));
        if (!stored)
            return fail(stored.error());
        saved = *stored;
        return std::nullopt;
    }

    // The contents of a file named on the command line, within the JSON size limit.
    static Result<QByteArray> readArgumentFile(const QString &fileName, const QString &option)
    {
        QFile file(fileName);
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("%1: %2: %3").arg(option, fileName, file.errorString()));
        const qint64 limit = Model::JsonLimits {}.maxBytes;
        if (file.size() > limit)
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("%1: %2 is larger than the limit of %3 bytes")
                                 .arg(option, fileName)
                                 .arg(limit));
        return file.readAll();
    }

    // A value given as text, or as @FILE for a file's contents (for values
    // longer than a command line can carry).
    static Result<QByteArray> argumentText(const QString &argument, const QString &option)
    {
        if (argument.startsWith(QLatin1Char('@')))
            return readArgumentFile(argument.mid(1), option);
        return argument.toUtf8();
    }

    static std::optional<bool> onOff(const QString &text)
    {
        if (text == QLatin1String("on"))
            return true;
        if (text == QLatin1String("off"))
            return false;
        return std::nullopt;
    }

    // The credentials of the database in use; secrets are opened as the
    // environment says (secretStoreFromEnvironment) when first needed.
    std::shared_ptr<Engine::CredentialsStore> credentialsStore(const QString &databasePath)
    {
        auto secrets = std::make_shared<Engine::DeferredSecretStore>(
            [databasePath] { return Engine::secretStoreFromEnvironment(databasePath); });
        return std::make_shared<Engine::CredentialsStore>(databasePath, secrets);
    }

    // The API key of stored credentials.
    Result<QString> apiKeyOf(const QString &id)
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::CreateIfMissing);
        if (!db)
            return db.error();
        auto store = credentialsStore((*db)->path());
        auto found = store->find(QString(Model::kDefaultUserId), id);
        if (!found)
            return found.error();
        if (!found->has_value())
            return makeError(ErrorCode::NotFound, QStringLiteral("Unknown credentials #%1").arg(id));
        auto secret = store->secret(id);
        if (!secret)
            return secret.error();
        return secret->apiKey;
    }

    int listCredentials()
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::CreateIfMissing);
        if (!db)
            return fail(db.error());
        auto listed = credentialsStore((*db)->path())->list(QString(Model::kDefaultUserId));
        if (!listed)
            return fail(listed.error());
        if (m_json) {
            Model::ValueList list;
            for (const Engine::Credential &credential : std::as_const(*listed)) {
                Model::ValueMap item = credential.meta().toMap();
                item.insert(QStringLiteral("host"), credential.host);
                item.insert(QStringLiteral("expires_at"), Model::timeToValue(credential.expiresAt));
                list.append(item);
            }
            printValue(list);
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("PROVIDER"),
                                  QStringLiteral("TYPE"), QStringLiteral("TITLE"),
                                  QStringLiteral("HOST"), QStringLiteral("EXPIRES")}};
        for (const Engine::Credential &credential : std::as_const(*listed))
            rows.append({credential.id, credential.provider,
                         Engine::credentialTypeName(credential.type), credential.title,
                         credential.host, shortTime(credential.expiresAt)});
        m_out << table(rows);
        return ExitCompleted;
    }

    int addCredentials(const QString &provider, const QString &typeName, const QString &title,
                       const QString &host, const QStringList &headers, const QString &username)
    {
        const auto type = Engine::credentialTypeFromName(typeName);
        if (!type || *type == Engine::CredentialType::OAuth2)
            return fail(
                makeError(ErrorCode::BadInput,
                          QStringLiteral("--type takes api_key, user_password or "
                                         "host_scoped (connect OAuth accounts in the app)")));
        Engine::Credential credential;
        credential.userId = QString(Model::kDefaultUserId);
        credential.provider = provider.isEmpty() && *type == Engine::CredentialType::HostScoped
            ? QStringLiteral("http")
            : provider;
        credential.type = *type;
        credential.title = title;
        credential.host = host;
        credential.username = username;
        if (*type == Engine::CredentialType::HostScoped && (host.isEmpty() || headers.isEmpty()))
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("host_scoped credentials need --host and at "
                                                 "least one --header")));
        // Secrets come from standard input, never the command line.
        QTextStream in(stdin);
        Engine::CredentialSecret secret;
        if (*type == Engine::CredentialType::HostScoped) {
            for (const QString &name : headers)
                secret.headers.insert(name, in.readLine());
        } else if (*type == Engine::CredentialType::ApiKey) {
            secret.apiKey = in.readLine();
        } else {
            secret.password = in.readLine();
        }
        if (secret.values().isEmpty())
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("no secret was given on standard input")));
        auto db = openDatabase(DatabaseOptions::OpenMode::CreateIfMissing);
        if (!db)
            return fail(db.error());
        auto added = credentialsStore((*db)->path())->add(credential, secret);
        if (!added)
            return fail(added.error());
        if (m_json)
            printValue(added->meta());
        else
            m_out << added->id << '\n';
        return ExitCompleted;
    }

    int removeCredentials(const QString &id)
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        if (auto removed
            = credentialsStore((*db)->path())->remove(QString(Model::kDefaultUserId), id);
            !removed)
            return fail(removed.error());
        return ExitCompleted;
    }

    int runGraph(const QString &fileName, const QStringList &inputs, const QString &inputFile,
                 const QString &hitlText, const QString &sensitiveText, const QString &threadsText,
                 const QStringList &credentials, bool queue)
    {
        Engine::RunRequest request;
        const auto hitl = onOff(hitlText);
        const auto sensitive = onOff(sensitiveText);
        if (!hitl || !sensitive)
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("safe modes take \"on\" or \"off\"")));
        request.humanInTheLoopSafeMode = *hitl;
        request.sensitiveActionSafeMode = *sensitive;
        if (!inputFile.isEmpty()) {
            auto content = readArgumentFile(inputFile, QStringLiteral("--input-file"));
            if (!content)
                return fail(content.error());
            auto parsed = Model::parseJsonValue(*content, Model::JsonLimits {}, inputFile);
            if (!parsed)
                return fail(parsed.error());
            if (!parsed->isMap())
                return fail(makeError(ErrorCode::BadInput,
                                      QStringLiteral("%1: the graph inputs are a JSON object of "
                                                     "names and values")
                                          .arg(inputFile)));
            request.inputs = parsed->toMap();
        }
        for (const QString &entry : inputs) {
            const qsizetype equals = entry.indexOf(QLatin1Char('='));
            if (equals <= 0)
                return fail(makeError(
                    ErrorCode::BadInput,
                    QStringLiteral("--input takes NAME=JSON or NAME=@FILE, not \"%1\"").arg(entry)));
            const QString name = entry.left(equals);
            auto text = argumentText(entry.mid(equals + 1), QStringLiteral("--input %1").arg(name));
            if (!text)
                return fail(text.error());
            auto parsed = Model::parseJsonValue(*text, Model::JsonLimits {},
                                                QStringLiteral("--input %1").arg(name));
            // A bare word is a string.
            request.inputs.insert(name, parsed ? *parsed : Model::Value(QString::fromUtf8(*text)));
        }

        Model::Graph graph;
        std::unique_ptr<Database> db;
        Engine::SavedGraph saved;
        if (const auto failed = importFile(fileName, graph, db, saved))
            return *failed;
        request.graphId = saved.id;
        request.graphVersion = saved.version;
        // Warnings do not stop a run; they say what may go wrong.
        const Engine::NodeErrors warnings
            = Engine::graphWarnings(Engine::GraphSnapshot(graph, *catalog()));
        for (auto node = warnings.cbegin(); node != warnings.cend(); ++node) {
            for (const QString &warning : node.value())
                m_err << "signalbox: warning: node " << node.key() << ": " << warning << '\n';
        }
        auto store = credentialsStore(db->path());
        for (const QString &entry : credentials) {
            const qsizetype equals = entry.indexOf(QLatin1Char('='));
            if (equals <= 0)
                return fail(
                    makeError(ErrorCode::BadInput,
                              QStringLiteral("--credentials takes KEY=CREDENTIALS_ID, not \"%1\"")
                                  .arg(entry)));
            auto found = store->find(QString(Model::kDefaultUserId), entry.mid(equals + 1));
            if (!found)
                return fail(found.error());
            Model::ValueMap meta;
            meta.insert(QStringLiteral("id"), entry.mid(equals + 1));
            if (found->has_value())
                meta = (*found)->meta().toMap();
            request.credentialInputs.insert(entry.left(equals), meta);
        }

        if (queue) {
            // Created QUEUED for workers; this process runs nothing.
            request.onWorkers = true;
            auto service = openService(db->path(), QStringLiteral("1"));
            if (!service)
                return fail(service.error());
            auto queued = (*service)->start(request);
            if (!queued)
                return fail(queued.error());
            // What this command did; a worker may have taken the run up by now.
            if (m_json)
                printJson({{QStringLiteral("execution_id"), *queued},
                           {QStringLiteral("status"), QStringLiteral("QUEUED")},
                           {QStringLiteral("outputs"), QJsonObject()},
                           {QStringLiteral("error"), QJsonValue::Null}});
            else
                m_out << "Execution " << *queued << ": QUEUED\n";
            return ExitCompleted;
        }
        QString executionId;
        if (const auto failed = execute(
                db->path(), threadsText,
                [&](Engine::RunService &service) { return service.start(request); }, executionId))
            return *failed;
        return printRun(*db, executionId);
    }

    // Keeps the password of the --db PostgreSQL location, read from standard
    // input, in the keychain, for when the server asks for one.
    int storeDatabasePassword()
    {
        if (!Engine::isPostgresLocation(m_dbPath))
            return usage(QStringLiteral("db password takes --db postgresql://user@host/dbname"));
        if (auto checked = Engine::checkPostgresLocation(m_dbPath); !checked)
            return fail(checked.error());
        QTextStream in(stdin);
        const QString password = in.readLine();
        if (password.isEmpty())
            return usage(QStringLiteral("db password reads the password from standard input"));
        auto store = Engine::secretStoreFromEnvironment(m_dbPath);
        if (!store)
            return fail(store.error());
        if (auto written
            = (*store)->write(Engine::databasePasswordKey(m_dbPath), password.toUtf8());
            !written)
            return fail(written.error());
        m_out << "Kept the password of " << m_dbPath << " in " << (*store)->description() << ".\n";
        return ExitCompleted;
    }

    // Copies one store into a new, empty one, and checks the copy by
    // counting each table's rows on both sides.
    int copyDatabase(const QString &from, const QString &to)
    {
        if (from.isEmpty() || to.isEmpty())
            return usage(QStringLiteral("db copy takes --from FILE|URL and --to FILE|URL"));
        auto source = Database::open(from, {.mode = DatabaseOptions::OpenMode::MustExist});
        if (!source)
            return fail(source.error());
        auto target = Database::open(to);
        if (!target)
            return fail(target.error());
        auto copied = Engine::copyStore(**source, **target);
        if (!copied)
            return fail(copied.error());
        QJsonArray tables;
        for (const Engine::CopiedTable &table : std::as_const(*copied)) {
            if (m_json) {
                tables.append(QJsonObject {{QStringLiteral("table"), table.table},
                                           {QStringLiteral("source_rows"), table.sourceRows},
                                           {QStringLiteral("target_rows"), table.targetRows}});
            } else {
                m_out << QStringLiteral("%1 %2 rows, %3 copied\n")
                             .arg(table.table, -20)
                             .arg(table.sourceRows)
                             .arg(table.targetRows);
            }
        }
        if (m_json)
            printJson({{QStringLiteral("from"), (*source)->path()},
                       {QStringLiteral("to"), (*target)->path()},
                       {QStringLiteral("tables"), tables}});
        else
            m_out << "Copied " << (*source)->path() << " to " << (*target)->path()
                  << "; every table has as many rows on both sides.\n";
        return ExitCompleted;
    }

    int runWorker(const QString &threadsText, const QString &maxRunsText, const QString &leaseText)
    {
        bool ok = false;
        Engine::WorkerOptions options;
        options.maxRuns = maxRunsText.toInt(&ok);
        if (!ok || options.maxRuns < 1)
            return usage(QStringLiteral("--max-runs takes a whole number of at least 1, not \"%1\"")
                             .arg(maxRunsText));
        const double leaseSeconds = leaseText.toDouble(&ok);
        if (!ok || leaseSeconds < 0.5)
            return usage(
                QStringLiteral("--lease-seconds takes a number of at least 0.5, not \"%1\"")
                    .arg(leaseText));
        options.leaseMs = qint64(leaseSeconds * 1000);
        options.pollMs = int(qBound(qint64(100), options.leaseMs / 3, qint64(1000)));
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        auto service = openService((*db)->path(), threadsText);
        if (!service)
            return fail(service.error());
        return App::runWorker(**service, options, m_out, m_err);
    }

    // The service for commands that run, stop or decide, on this thread.
    Result<std::unique_ptr<Engine::RunService>> openService(const QString &databasePath,
                                                            const QString &threadsText)
    {
        bool threadsOk = false;
        const int threadCount = threadsText.toInt(&threadsOk);
        if (!threadsOk || threadCount < 1)
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("--threads takes a whole number of at least 1"));
        auto &blocks = catalog();
        if (!blocks)
            return blocks.error();
        Engine::ServiceOptions options;
        options.databasePath = databasePath;
        options.registry = *blocks;
        options.credentials = credentialsStore(databasePath);
        options.networkPolicy = m_networkPolicy;
        options.budget = m_budget;
        const Engine::Llm::LlmSettings models = Engine::Llm::LlmSettings::load();
        options.models = {std::make_shared<const Engine::Llm::Catalog>(
                              Engine::Llm::Catalog::withSettings(models)),
                          models.stream};
        options.threads = threadCount;
        // Recorded as the desktop records it: the name from Settings, else the login name.
        options.reviewer = Engine::Reviewer::current().name;
        options.stopGraceMs = kStopGraceMs;
        auto service = std::make_unique<Engine::RunService>(options);
        if (auto opened = service->open(); !opened)
            return opened.error();
        return service;
    }

    // A one-thread service on the database, which must exist (a missing
    // file is a storage error, not a new database).
    Result<std::unique_ptr<Engine::RunService>> openExistingService()
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return db.error();
        return openService((*db)->path(), QStringLiteral("1"));
    }

    // Runs `begin` on a fresh service and waits for the run it names to end.
    std::optional<int> execute(const QString &databasePath, const QString &threadsText,
                               const std::function<Result<QString>(Engine::RunService &)> &begin,
                               QString &executionId)
    {
        auto service = openService(databasePath, threadsText);
        if (!service)
            return fail(service.error());
        QEventLoop loop;
        QStringList finished;
        std::optional<Error> interrupted;
        QObject::connect(service->get(), &Engine::RunService::runInterrupted, &loop,
                         [&](const QString &id, const Error &error) {
                             if (id == executionId || executionId.isEmpty())
                                 interrupted = error;
                         });
        QObject::connect(service->get(), &Engine::RunService::runFinished, &loop,
                         [&](const QString &id, Model::ExecutionStatus) {
                             finished.append(id);
                             // Child executions end too; wait for this one.
                             if (id == executionId)
                                 loop.quit();
                         });
        auto started = begin(**service);
        if (!started)
            return fail(started.error());
        executionId = *started;
        // An empty id: nothing was started here.
        if (!executionId.isEmpty() && !finished.contains(executionId))
            loop.exec();
        if (interrupted) {
            // Not the graph's failure: the run is kept as far as it was stored.
            Error error = *interrupted;
            error.message += QStringLiteral("; execution %1 was kept and continues with "
                                            "'signalbox resume %1' once this is resolved")
                                 .arg(executionId);
            return fail(error);
        }
        return std::nullopt;
    }

    int resumeExecution(const QString &id, const QString &threadsText)
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        QString executionId;
        const auto failed = execute(
            (*db)->path(), threadsText,
            [&](Engine::RunService &service) -> Result<QString> {
                if (auto resumed = service.resume(id); !resumed)
                    return resumed.error();
                return id;
            },
            executionId);
        if (failed)
            return *failed;
        return printRun(**db, executionId);
    }

    // Stops an execution and its children, also one another process is
    // running: that process sees the TERMINATED status and ends the run.
    int stopExecution(const QString &id)
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        auto service = openService((*db)->path(), QStringLiteral("1"));
        if (!service)
            return fail(service.error());
        QEventLoop loop;
        Engine::StopOutcome outcome;
        QObject::connect(service->get(), &Engine::RunService::stopFinished, &loop,
                         [&](const Engine::StopOutcome &stopped) {
                             outcome = stopped;
                             loop.quit();
                         });
        (*service)->stop(id);
        loop.exec();
        if (outcome.error)
            return fail(*outcome.error);
        printRun(**db, id);
        if (outcome.alreadyEnded()) {
            m_err << "signalbox: execution " << id << " had already "
                  << (outcome.before == Model::ExecutionStatus::Completed ? "completed" : "failed")
                  << "; nothing was stopped\n";
        }
        return ExitCompleted;
    }

    // "run", "graph", or a duration (30m, 8h, 2d) over every run of the graph.
    static Result<Engine::GrantRequest> grantRequest(const QString &scope)
    {
        Engine::GrantRequest request;
        if (scope == QLatin1String("run"))
            return request;
        request.wholeGraph = true;
        if (scope == QLatin1String("graph"))
            return request;
        static const QHash<QChar, qint64> unit {
            {QLatin1Char('m'), 60}, {QLatin1Char('h'), 3600}, {QLatin1Char('d'), 86400}};
        bool ok = false;
        const qint64 count = scope.chopped(1).toLongLong(&ok);
        if (scope.isEmpty() || !unit.contains(scope.back()) || !ok || count < 1
            || count > 366 * 86400 / unit.value(scope.back()))
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("--grant takes run, graph, or a time from 1m to 366d "
                                            "such as 30m, 8h or 2d, not \"%1\"")
                                 .arg(scope));
        request.seconds = count * unit.value(scope.back());
        return request;
    }

    // The grants, newest first: active ones, or all with --all.
    int listGrants(bool includeInactive)
    {
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto found = (*service)->grants(includeInactive);
        if (!found)
            return fail(found.error());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (m_json) {
            Model::ValueList list;
            for (const Model::ReviewGrant &grant : std::as_const(*found))
                list.append(grant.toValue(now));
            printValue(Model::ValueMap {{QStringLiteral("grants"), list}});
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("GRANT"), QStringLiteral("NODE"),
                                  QStringLiteral("SCOPE"), QStringLiteral("BY"),
                                  QStringLiteral("GRANTED"), QStringLiteral("STATE")}};
        for (const Model::ReviewGrant &grant : std::as_const(*found)) {
            const QString state = grant.revokedAt.isValid()
                ? QStringLiteral("revoked by %1").arg(grant.revokedBy)
                : grant.isActive(now) ? QStringLiteral("active") : QStringLiteral("expired");
            rows.append({grant.id, grant.nodeId, grant.scopeText(), grant.grantedBy,
                         shortTime(grant.grantedAt), state});
        }
        m_out << table(rows);
        return ExitCompleted;
    }

    int revokeGrant(const QString &grantId)
    {
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto revoked = (*service)->revokeGrant(grantId);
        if (!revoked)
            return fail(revoked.error());
        if (m_json)
            printValue(revoked->toValue(QDateTime::currentDateTimeUtc()));
        else
            m_out << QStringLiteral("Revoked grant %1 (node %2, %3).\n")
                         .arg(revoked->id, revoked->nodeId, revoked->scopeText());
        return ExitCompleted;
    }

    // Checks the audit log's chain: exit 0 when every entry is as written,
    // 1 naming the first that was changed, deleted or moved.
    int verifyAudit()
    {
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto report = (*service)->verifyAudit();
        if (!report)
            return fail(report.error());
        const std::optional<Engine::AuditBreak> &broken = report->broken;
        if (m_json) {
            Model::ValueMap result {{QStringLiteral("entries"), qint64(report->entries.size())},
                                    {QStringLiteral("intact"), !broken.has_value()}};
            if (broken) {
                result.insert(QStringLiteral("first_bad_entry"), broken->seq);
                result.insert(QStringLiteral("problem"), broken->problem);
            }
            printValue(result);
        } else if (!broken) {
            m_out << QStringLiteral("The audit log is intact: %1 entries.\n")
                         .arg(report->entries.size());
        }
        if (!broken)
            return ExitCompleted;
        m_err << "signalbox: the audit log was tampered with: " << broken->problem << '\n';
        return ExitFailed;
    }

    int exportAudit(const QString &format, const QString &sinceText)
    {
        if (format != QLatin1String("jsonl") && format != QLatin1String("csv"))
            return usage(QStringLiteral("--format is jsonl or csv, not \"%1\"").arg(format));
        QDateTime from;
        if (!sinceText.isEmpty()) {
            from = QDateTime::fromString(sinceText, Qt::ISODateWithMs);
            if (!from.isValid())
                from = QDateTime::fromString(sinceText, Qt::ISODate);
            if (!from.isValid())
                return usage(
                    QStringLiteral("--since takes an ISO 8601 time (2026-12-01T09:00:00Z), not "
                                   "\"%1\"")
                        .arg(sinceText));
        }
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto entries = (*service)->auditEntries(from);
        if (!entries)
            return fail(entries.error());
        if (format == QLatin1String("csv")) {
            m_out << "seq,at,kind,actor,graph_exec_id,node_exec_id,detail,prev_hash,hash\n";
            for (const Engine::AuditEntry &entry : std::as_const(*entries)) {
                QStringList fields {QString::number(entry.seq),
                                    entry.at.toString(Qt::ISODateWithMs),
                                    entry.kind,
                                    entry.actor,
                                    entry.graphExecId,
                                    entry.nodeExecId,
                                    QString::fromUtf8(Model::toJson(entry.detail,
                                                                    Model::JsonStyle::Canonical)),
                                    entry.previousHash,
                                    entry.hash};
                for (QString &field : fields)
                    field = csvField(field);
                m_out << fields.join(QLatin1Char(',')) << '\n';
            }
            return ExitCompleted;
        }
        for (const Engine::AuditEntry &entry : std::as_const(*entries)) {
            Model::ValueMap line = entry.toValue().toMap();
            line.insert(QStringLiteral("at"), entry.at.toString(Qt::ISODateWithMs));
            line.insert(QStringLiteral("hash"), entry.hash);
            m_out << QString::fromUtf8(Model::toJson(line, Model::JsonStyle::Canonical)) << '\n';
        }
        return ExitCompleted;
    }

    // The waiting reviews, newest first (of one execution: oldest first).
    int listReviews(const QString &executionId)
    {
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto found = (*service)->waitingReviews(executionId);
        if (!found)
            return fail(found.error());
        const QList<Model::PendingReview> &waiting = *found;
        if (m_json) {
            Model::ValueList list;
            for (const Model::PendingReview &review : waiting)
                list.append(review.toValue());
            Model::ValueMap result;
            result.insert(QStringLiteral("reviews"), list);
            printValue(result);
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("NODE EXECUTION"), QStringLiteral("NODE"),
                                  QStringLiteral("EXECUTION"), QStringLiteral("CREATED"),
                                  QStringLiteral("SHA-256"), QStringLiteral("APPROVALS"),
                                  QStringLiteral("INSTRUCTIONS")}};
        for (const Model::PendingReview &review : waiting)
            rows.append({review.nodeExecId, review.nodeId, review.graphExecId,
                         shortTime(review.createdAt),
                         Model::payloadDigest(review.payload).left(12),
                         QStringLiteral("%1 of %2")
                             .arg(review.approvals.size())
                             .arg(review.requiredApprovals),
                         review.instructions});
        m_out << table(rows);
        return ExitCompleted;
    }

    // One review: its state, its payload, what an edit (--data) would change
    // or what the reviewer changed, and for a sensitive action what its
    // block will receive, secrets masked.
    int showReview(const QString &id, const std::optional<QString> &dataText)
    {
        std::optional<Model::Value> edit;
        if (dataText) {
            auto parsed = Model::parseJsonValue(dataText->toUtf8(), Model::JsonLimits {},
                                                QStringLiteral("--data"));
            if (!parsed)
                return fail(parsed.error());
            edit = *parsed;
        }
        auto service = openExistingService();
        if (!service)
            return fail(service.error());
        auto shown = (*service)->showReview(id, edit);
        if (!shown)
            return fail(shown.error());
        const Model::PendingReview &review = shown->review;
        const Engine::ReviewPreview &preview = shown->preview;
        static const QHash<Model::ValueChange::Kind, QString> kinds {
            {Model::ValueChange::Kind::Added, QStringLiteral("added")},
            {Model::ValueChange::Kind::Removed, QStringLiteral("removed")},
            {Model::ValueChange::Kind::Changed, QStringLiteral("changed")}};
        const auto text = [](const Model::Value &value) {
            return QString::fromUtf8(Model::toJson(value, Model::JsonStyle::PythonDumps));
        };
        if (m_json) {
            Model::ValueMap result = review.toValue();
            Model::ValueList changes;
            for (const Model::ValueChange &change : preview.changes) {
                changes.append(Model::ValueMap {
                    {QStringLiteral("path"), change.path},
                    {QStringLiteral("change"), kinds.value(change.kind)},
                    {QStringLiteral("before"), change.before.isUndefined() ? Model::Value(nullptr)
                                                                           : change.before},
                    {QStringLiteral("after"), change.after.isUndefined() ? Model::Value(nullptr)
                                                                         : change.after}});
            }
            result.insert(QStringLiteral("changes"), changes);
            if (preview.blockInput) {
                Model::ValueList problems;
                for (const QString &problem : preview.blockInput->problems)
                    problems.append(problem);
                result.insert(QStringLiteral("block_input"), preview.blockInput->input);
                result.insert(QStringLiteral("block_input_problems"), problems);
            }
            printValue(result);
            return ExitCompleted;
        }
        QString decided = Model::reviewStatusName(review.status);
        if (review.status != Model::ReviewStatus::Waiting)
            decided += QStringLiteral(" by %1 at %2").arg(review.reviewedBy, shortTime(review.reviewedAt));
        m_out << "Review " << review.nodeExecId << ": " << decided << '\n'
              << "Instructions: " << review.instructions << '\n'
              << "Execution: " << review.graphExecId << '\n'
              << "SHA-256: " << Model::payloadDigest(review.payload) << '\n';
        if (review.requiredApprovals > 1 || !review.approvals.isEmpty())
            m_out << QStringLiteral("Approvals: %1 of %2%3\n")
                         .arg(review.approvals.size())
                         .arg(review.requiredApprovals)
                         .arg(review.approvals.isEmpty()
                                  ? QString()
                                  : QStringLiteral(" (%1)").arg(review.approvals.join(QLatin1String(", "))));
        m_out << "Payload:\n"
              << QString::fromUtf8(Model::toJson(review.payload, Model::JsonStyle::Indented)).trimmed()
              << '\n';
        if (preview.after) {
            m_out << (edit ? "Your edit changes:\n" : "The reviewer changed:\n");
            if (preview.changes.isEmpty())
                m_out << "  nothing\n";
            QList<QStringList> rows;
            for (const Model::ValueChange &change : preview.changes)
                rows.append({change.path, kinds.value(change.kind),
                             change.before.isUndefined() ? QString() : text(change.before),
                             change.after.isUndefined() ? QString() : text(change.after)});
            if (!rows.isEmpty())
                m_out << table(rows);
        }
        if (preview.blockInput) {
            m_out << "The block will receive:\n";
            QList<QStringList> rows;
            for (auto it = preview.blockInput->input.begin(); it != preview.blockInput->input.end(); ++it)
                rows.append({it.key().toString(), text(it.value())});
            if (!rows.isEmpty())
                m_out << table(rows);
            for (const QString &problem : preview.blockInput->problems)
                m_out << "  refused: " << problem << '\n';
        }
        return ExitCompleted;
    }

    // Records the decisions; when none of the execution's reviews is left
    // waiting, resumes it here and prints it as `run` does.
    int decideReviews(const QStringList &ids, bool approve, const QString &message,
                      const std::optional<QString> &dataText,
                      const std::optional<Engine::GrantRequest> &grant,
                      const QString &threadsText, const QString &seenDigest)
    {
        if (QSet<QString>(ids.begin(), ids.end()).size() != ids.size())
            return fail(makeError(ErrorCode::BadInput, QStringLiteral("a review is named twice")));
        Engine::ReviewDecision decision;
        decision.status = approve ? Model::ReviewStatus::Approved : Model::ReviewStatus::Rejected;
        decision.seenDigest = seenDigest;
        decision.message = message;
        decision.grant = grant;
        if (dataText) {
            auto parsed = Model::parseJsonValue(dataText->toUtf8(), Model::JsonLimits {},
                                                QStringLiteral("--data"));
            if (!parsed)
                return fail(parsed.error());
            decision.data = *parsed;
        }
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        QMap<QString, Engine::ReviewDecision> decisions;
        for (const QString &id : ids)
            decisions.insert(id, decision);
        // The process whose decision leaves nothing waiting takes the
        // execution over and resumes it; of several deciding at once,
        // exactly one does, and the others report what they saw.
        QList<Engine::DecidedRun> decided;
        QString resumedId;
        if (const auto failed = execute(
                (*db)->path(), threadsText,
                [&](Engine::RunService &service) -> Result<QString> {
                    decided = service.decide(decisions, false);
                    const Engine::DecidedRun &run = decided.constFirst();
                    if (run.error)
                        return *run.error;
                    if (run.resumeError)
                        return *run.resumeError;
                    return run.resumedHere ? run.graphExecId : QString();
                },
                resumedId))
            return *failed;
        const QString executionId = decided.constFirst().graphExecId;
        // A review that needs more approvals waits for other reviewers.
        if (!m_json) {
            for (const Model::PendingReview &review : decided.constFirst().reviews) {
                if (review.status == Model::ReviewStatus::Waiting && review.requiredApprovals > 1)
                    m_err << QStringLiteral("signalbox: review %1 has %2 of %3 approvals (%4); it "
                                            "waits for another reviewer\n")
                                 .arg(review.nodeExecId)
                                 .arg(review.approvals.size())
                                 .arg(review.requiredApprovals)
                                 .arg(review.approvals.join(QLatin1String(", ")));
            }
        }
        const int shown = printRun(**db, executionId);
        if (decided.constFirst().resumedHere || shown == ExitPaused)
            return shown;
        if (!m_json)
            m_err << "signalbox: the decisions were recorded; execution " << executionId
                  << " is run by another process\n";
        return ExitCompleted;
    }

    // Prints an execution as `run` does and returns its exit code.
    int printRun(Database &db, const QString &executionId)
    {
        Engine::ExecutionRepository executions(db, catalog()->get());
        auto execution = executions.graphExecution(QString(Model::kDefaultUserId), executionId);
        if (!execution)
            return fail(execution.error());
        if (!execution->has_value())
            return fail(makeError(ErrorCode::NotFound,
                                  QStringLiteral("there is no execution %1").arg(executionId)));
        const Model::GraphExecution &e = **execution;
        const QString error = e.meta.stats ? e.meta.stats->error : QString();
        if (m_json) {
            Model::ValueMap result;
            result.insert(QStringLiteral("execution_id"), e.meta.id);
            result.insert(QStringLiteral("status"), Model::statusName(e.meta.status));
            result.insert(QStringLiteral("outputs"), e.outputs);
            result.insert(QStringLiteral("error"),
                          error.isEmpty() ? Model::Value(nullptr) : Model::Value(error));
            printValue(result);
        } else {
            m_out << "Execution " << e.meta.id << ": " << Model::statusName(e.meta.status) << '\n';
            if (!error.isEmpty())
                m_out << "error: " << error << '\n';
            for (auto it = e.outputs.begin(); it != e.outputs.end(); ++it) {
                m_out << it.key().toString() << ": "
                      << QString::fromUtf8(Model::toJson(it.value(), Model::JsonStyle::PythonDumps))
                      << '\n';
            }
        }
        switch (e.meta.status) {
        case Model::ExecutionStatus::Completed:
            return ExitCompleted;
        case Model::ExecutionStatus::Review:
            return ExitPaused;
        case Model::ExecutionStatus::Terminated:
            return ExitTerminated;
        default:
            return ExitFailed;
        }
    }

    int listBlocks()
    {
        auto &blocks = catalog();
        if (!blocks)
            return fail(blocks.error());
        const Engine::BlockRegistry &registry = **blocks;
        if (m_json) {
            Model::ValueList list;
            for (const Model::BlockSchema &block : registry.blocks()) {
                Model::ValueMap entry;
                entry.insert(QStringLiteral("id"), block.id);
                entry.insert(QStringLiteral("name"), block.name);
                entry.insert(QStringLiteral("description"), block.description);
                entry.insert(QStringLiteral("categories"),
                             Model::fromQJson(QJsonArray::fromStringList(block.categories)));
                entry.insert(QStringLiteral("block_type"), Model::blockTypeName(block.type));
                entry.insert(QStringLiteral("static_output"), block.staticOutput);
                entry.insert(QStringLiteral("is_sensitive_action"), block.isSensitiveAction);
                entry.insert(QStringLiteral("available"),
                             registry.implementation(block.id) != nullptr);
                entry.insert(QStringLiteral("input_schema"),
                             Model::fromQJson(registry.inputJsonSchema(block.id)));
                Model::ValueList outputs;
                for (const Model::PinSpec &pin : block.outputs)
                    outputs.append(pin.name);
                entry.insert(QStringLiteral("outputs"), outputs);
                list.append(entry);
            }
            Model::ValueMap result;
            result.insert(QStringLiteral("blocks"), list);
            printValue(result);
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("TYPE"),
                                  QStringLiteral("AVAILABLE"), QStringLiteral("NAME")}};
        for (const Model::BlockSchema &block : registry.blocks()) {
            rows.append(
                {block.id, Model::blockTypeName(block.type),
                 registry.implementation(block.id) ? QStringLiteral("yes") : QStringLiteral("no"),
                 block.name});
        }
        m_out << table(rows);
        return ExitCompleted;
    }

    int runBlock(const QString &blockId, const QString &inputText)
    {
        auto &blocks = catalog();
        if (!blocks)
            return fail(blocks.error());
        if (!(*blocks)->schema(blockId))
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("unknown block \"%1\"").arg(blockId)));
        Model::ValueMap input;
        if (!inputText.isEmpty()) {
            auto text = argumentText(inputText, QStringLiteral("--input"));
            if (!text)
                return fail(text.error());
            auto parsed = Model::parseJsonValue(*text, Model::JsonLimits {},
                                                QStringLiteral("--input"));
            if (!parsed)
                return fail(parsed.error());
            if (!parsed->isMap())
                return fail(makeError(ErrorCode::BadInput,
                                      QStringLiteral("--input: the block input is a JSON object")));
            input = parsed->toMap();
        }
        const Engine::Llm::Catalog models
            = Engine::Llm::Catalog::withSettings(Engine::Llm::LlmSettings::load());
        const Engine::StandaloneRun run = Engine::runBlockStandalone(**blocks, blockId, input, &models);
        if (m_json) {
            printValue(run.toValue());
        } else {
            for (const auto &[pin, value] : run.outputs)
                m_out << pin << ": "
                      << QString::fromUtf8(Model::toJson(value, Model::JsonStyle::PythonDumps))
                      << '\n';
            if (!run.completed)
                m_err << "signalbox: the block failed: " << run.error << '\n';
        }
        return run.completed ? ExitCompleted : ExitFailed;
    }

    int listGraphs()
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        Engine::GraphRepository graphs(**db);
        auto list = graphs.listGraphs();
        if (!list)
            return fail(list.error());
        if (m_json) {
            QJsonArray array;
            for (const Engine::GraphSummary &g : std::as_const(*list)) {
                array.append(
                    QJsonObject {{QStringLiteral("id"), g.id},
                                 {QStringLiteral("version"), g.version},
                                 {QStringLiteral("name"), g.name},
                                 {QStringLiteral("description"), g.description},
                                 {QStringLiteral("is_active"), g.isActive},
                                 {QStringLiteral("created_at"), Model::timeToJson(g.createdAt)},
                                 {QStringLiteral("node_count"), g.nodeCount},
                                 {QStringLiteral("link_count"), g.linkCount}});
            }
            printJson({{QStringLiteral("graphs"), array}});
            return ExitCompleted;
        }
        if (list->isEmpty()) {
            m_out << "No graphs yet. Import one with: signalbox graphs import FILE\n";
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("VERSION"),
                                  QStringLiteral("NODES"), QStringLiteral("NAME")}};
        for (const Engine::GraphSummary &g : std::as_const(*list))
            rows.append({g.id, QString::number(g.version), QString::number(g.nodeCount), g.name});
        m_out << table(rows);
        return ExitCompleted;
    }

    int listExecutions(const QString &graphId, const QStringList &statusNames,
                       const QString &limitText)
    {
        Engine::GraphExecutionFilter filter;
        filter.userId = QString(Model::kDefaultUserId);
        filter.graphId = graphId;
        for (const QString &name : statusNames) {
            const auto status = Model::statusFromName(name);
            if (!status)
                return fail(
                    makeError(ErrorCode::BadInput,
                              QStringLiteral("unknown status \"%1\"; use INCOMPLETE, QUEUED, "
                                             "RUNNING, REVIEW, COMPLETED, FAILED or TERMINATED")
                                  .arg(name)));
            filter.statuses.append(*status);
        }
        bool ok = false;
        filter.limit = limitText.toInt(&ok);
        if (!ok || *filter.limit < 1)
            return fail(
                makeError(ErrorCode::BadInput,
                          QStringLiteral("--limit takes a whole number of at least 1, not \"%1\"")
                              .arg(limitText)));

        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        Engine::ExecutionRepository executions(**db, nullptr);
        auto list = executions.graphExecutions(filter);
        if (!list)
            return fail(list.error());
        if (m_json) {
            Model::ValueList array;
            for (const Model::GraphExecutionMeta &meta : std::as_const(*list))
                array.append(Model::toApiValue(meta));
            Model::ValueMap result;
            result.insert(QStringLiteral("executions"), array);
            printValue(result);
            return ExitCompleted;
        }
        if (list->isEmpty()) {
            m_out << "No executions.\n";
            return ExitCompleted;
        }
        QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("STATUS"),
                                  QStringLiteral("GRAPH"), QStringLiteral("STARTED"),
                                  QStringLiteral("NODES"), QStringLiteral("COST")}};
        for (const Model::GraphExecutionMeta &meta : std::as_const(*list)) {
            rows.append({meta.id, Model::statusName(meta.status),
                         QStringLiteral("%1 v%2").arg(meta.graphId).arg(meta.graphVersion),
                         shortTime(meta.startedAt.isValid() ? meta.startedAt : meta.createdAt),
                         meta.stats ? QString::number(meta.stats->nodeCount) : QStringLiteral("-"),
                         meta.stats ? QString::number(meta.stats->cost) : QStringLiteral("-")});
        }
        m_out << table(rows);
        return ExitCompleted;
    }

    int showExecution(const QString &id)
    {
        auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
        if (!db)
            return fail(db.error());
        auto &blocks = catalog();
        if (!blocks)
            return fail(blocks.error());
        Engine::ExecutionRepository executions(**db, blocks->get());
        auto execution = executions.graphExecution(QString(Model::kDefaultUserId), id, true);
        if (!execution)
            return fail(execution.error());
        if (!execution->has_value())
            return fail(
                makeError(ErrorCode::NotFound, QStringLiteral("there is no execution %1").arg(id)));
        const Model::GraphExecution &e = **execution;
        if (m_json) {
            printValue(Model::toApiValue(e));
            return ExitCompleted;
        }
        m_out << "Execution " << e.meta.id << '\n'
              << "  graph    " << e.meta.graphId << " version " << e.meta.graphVersion << '\n'
              << "  status   " << Model::statusName(e.meta.status) << '\n'
              << "  started  " << shortTime(e.meta.startedAt) << '\n'
              << "  ended    " << shortTime(e.meta.endedAt) << '\n';
        if (e.meta.stats && !e.meta.stats->error.isEmpty())
            m_out << "  error    " << e.meta.stats->error << '\n';
        m_out << "  outputs  "
              << QString::fromUtf8(Model::toJson(e.outputs, Model::JsonStyle::PythonDumps)) << '\n';
        QList<QStringList> rows {{QStringLiteral("NODE EXECUTION"), QStringLiteral("STATUS"),
                                  QStringLiteral("BLOCK"), QStringLiteral("NODE")}};
        for (const Model::NodeExecutionResult &node : e.nodeExecutions) {
            const Model::BlockSchema *schema = (*blocks)->schema(node.blockId);
            rows.append({node.nodeExecId, Model::statusName(node.status),
                         schema ? schema->name : node.blockId, node.nodeId});
        }
        m_out << '\n' << table(rows);
        return ExitCompleted;
    }

    QTextStream &m_out;
    QTextStream &m_err;
    bool m_json = false;
    QString m_dbPath;
    Engine::NetworkPolicy m_networkPolicy;
    Engine::RunBudget m_budget;
    std::unique_ptr<Result<std::shared_ptr<const Engine::BlockRegistry>>> m_registry;
};

} // namespace

bool isCliCommand(const QStringList &arguments)
{
    // The desktop takes only `--db FILE` and graph files that exist; any
    // other word is a command, and a mistyped one is reported as unknown.
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (kCommands.contains(argument) || argument == QLatin1String("--version")
            || argument == QLatin1String("-v") || argument == QLatin1String("--help")
            || argument == QLatin1String("-h"))
            return true;
        if (argument == QLatin1String("--db")) {
            ++i;
            continue;
        }
        if (argument.startsWith(QLatin1Char('-')))
            continue;
        if (!QFileInfo(argument).isFile())
            return true;
    }
    return false;
}

int runCli(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    Cli cli(out, err);
    return cli.run(arguments);
}

} // namespace Signalbox::App
