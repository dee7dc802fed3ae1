// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli.h"
#include "clicommands.h"
#include "clisupport.h"
#include "modelscommand.h"

#include "engine/blocks/blockregistry.h"
#include "engine/reviewer.h"
#include "engine/service/runservice.h"
#include "engine/store/database.h"
#include "engine/store/storecopy.h"
#include "model/graphjson.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QThread>

#include <memory>

namespace Signalbox::App {

namespace {

// How long `stop` waits for the process running an execution to end it.
constexpr int kStopGraceMs = 3000;

const QStringList kCommands
    = {QStringLiteral("graphs"),    QStringLiteral("executions"),  QStringLiteral("run"),
       QStringLiteral("blocks"),    QStringLiteral("resume"),      QStringLiteral("stop"),
       QStringLiteral("reviews"),   QStringLiteral("credentials"), QStringLiteral("models"),
       QStringLiteral("providers"), QStringLiteral("worker"),      QStringLiteral("db")};

} // namespace

int Cli::run(const QStringList &arguments)
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
        QStringLiteral("status"), QStringLiteral("Only executions with this status (repeatable)."),
        QStringLiteral("STATUS"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("At most this many executions (default 50)."),
                                   QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption version(QStringLiteral("graph-version"),
                                     QStringLiteral("Export this version (default: the latest)."),
                                     QStringLiteral("N"));
    const QCommandLineOption output(
        QStringLiteral("output"),
        QStringLiteral("Write the export to FILE instead of standard output."),
        QStringLiteral("FILE"));
    const QCommandLineOption input(
        QStringLiteral("input"),
        QStringLiteral("A graph input (run) as NAME=JSON, or the block input (blocks run) as JSON; "
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
        QStringLiteral("provider"), QStringLiteral("The credentials' provider (credentials add)."),
        QStringLiteral("NAME"));
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
    const QCommandLineOption username(QStringLiteral("username"),
                                      QStringLiteral("The user name of user_password credentials."),
                                      QStringLiteral("NAME"));
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
        QStringLiteral("context"),
        QStringLiteral("The model's context window in tokens (models add)."), QStringLiteral("N"));
    const QCommandLineOption maxOutput(
        QStringLiteral("max-output"),
        QStringLiteral("The most tokens the model answers with (models add)."),
        QStringLiteral("N"));
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
    const QCommandLineOption copyTo(QStringLiteral("to"),
                                    QStringLiteral("The new, empty store to copy into (db copy)."),
                                    QStringLiteral("FILE|URL"));
    parser.addOptions({copyFrom, copyTo});
    parser.addOptions({db,       json,    graph,           status,      limit,         version,
                       output,   input,   inputFile,       hitl,        sensitive,     threads,
                       maxNodes, maxWall, maxCost,         execution,   approve,       reject,
                       message,  data,    autoApproveNode, credentials, allowLoopback, allowPrivate,
                       provider, type,    title,           host,        header,        username});
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
    for (const auto &[option, limit] : {std::pair {&maxNodes, &m_budget.maxNodeExecutions},
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
    } else if (group == QLatin1String("db") && action == QLatin1String("copy") && rest.isEmpty()) {
        return copyDatabase(parser.value(copyFrom), parser.value(copyTo));
    } else if (group == QLatin1String("db") && action == QLatin1String("password")
               && rest.isEmpty()) {
        return storeDatabasePassword();
    } else if (group == QLatin1String("worker") && positional.size() == 1) {
        return runWorker(parser.value(threads), parser.value(maxRuns), parser.value(leaseSeconds));
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
            return showReview(rest.first(),
                              parser.isSet(data) ? std::optional(parser.value(data))
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
            return addCredentials(parser.value(provider), parser.value(type), parser.value(title),
                                  parser.value(host), parser.values(header),
                                  parser.value(username));
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
            command.apiKey = [this, id]() -> Result<QString> {
                return apiKeyOf(id);
            };
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
            return listExecutions(parser.value(graph), parser.values(status), parser.value(limit));
        if (action == QLatin1String("show") && rest.size() == 1)
            return showExecution(rest.first());
    }
    return usage(QStringLiteral("unknown command: %1").arg(positional.join(QLatin1Char(' '))));
}

int Cli::usage(const QString &message)
{
    m_err << "signalbox: " << message << "\nTry 'signalbox --help'.\n";
    return ExitBadInput;
}

int Cli::fail(const Error &error)
{
    m_err << "signalbox: " << error.text() << '\n';
    return exitCodeFor(error);
}

void Cli::printValue(const Model::Value &value)
{
    m_out << QString::fromUtf8(Model::toJson(value)) << '\n';
}

void Cli::printJson(const QJsonObject &object)
{
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
}

Result<std::unique_ptr<Database>> Cli::openDatabase(DatabaseOptions::OpenMode mode)
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

Result<std::shared_ptr<const Engine::BlockRegistry>> &Cli::catalog()
{
    if (!m_registry) {
        m_registry = std::make_unique<Result<std::shared_ptr<const Engine::BlockRegistry>>>(
            Engine::BlockRegistry::builtin());
    }
    return *m_registry;
}

// The contents of a file named on the command line, within the JSON size limit.
Result<QByteArray> Cli::readArgumentFile(const QString &fileName, const QString &option)
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
Result<QByteArray> Cli::argumentText(const QString &argument, const QString &option)
{
    if (argument.startsWith(QLatin1Char('@')))
        return readArgumentFile(argument.mid(1), option);
    return argument.toUtf8();
}

std::optional<bool> Cli::onOff(const QString &text)
{
    if (text == QLatin1String("on"))
        return true;
    if (text == QLatin1String("off"))
        return false;
    return std::nullopt;
}

// The service for commands that run, stop or decide, on this thread.
Result<std::unique_ptr<Engine::RunService>> Cli::openService(const QString &databasePath,
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
    options.models
        = {std::make_shared<const Engine::Llm::Catalog>(Engine::Llm::Catalog::withSettings(models)),
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
Result<std::unique_ptr<Engine::RunService>> Cli::openExistingService()
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return db.error();
    return openService((*db)->path(), QStringLiteral("1"));
}

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
