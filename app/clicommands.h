// SPDX-License-Identifier: GPL-3.0-or-later
// The command line as one class. Cli::run (cli.cpp) parses the arguments
// and calls one command; a command adapts a use case of the engine's
// service or store to text or JSON and returns the exit code (DESIGN §6).
// The commands live in cli*.cpp by subject.
#pragma once

#include "engine/blocks/blockregistry.h"
#include "engine/credentials/credentialsstore.h"
#include "engine/executor/runbudget.h"
#include "engine/net/httpclient.h"
#include "engine/service/runservice.h"
#include "engine/store/database.h"
#include "model/graph.h"
#include "model/result.h"
#include "model/review.h"

#include <QJsonObject>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

namespace Signalbox::App {

using Engine::Database;
using Engine::DatabaseOptions;

class Cli
{
public:
    Cli(QTextStream &out, QTextStream &err)
        : m_out(out)
        , m_err(err)
    { }

    int run(const QStringList &arguments);

private:
    static QString defaultDatabasePath() { return Engine::defaultDatabasePath(); }

    int usage(const QString &message);

    int fail(const Error &error);

    void printValue(const Model::Value &value);

    void printJson(const QJsonObject &object);

    Result<std::unique_ptr<Database>> openDatabase(DatabaseOptions::OpenMode mode);

    Result<std::shared_ptr<const Engine::BlockRegistry>> &catalog();

    int importGraph(const QString &fileName);

    int exportGraph(const QString &id, const QString &versionText, const QString &outputFile);

    // Reads and checks a graph file; an exit code on failure.
    std::optional<int> readGraphFile(const QString &fileName, Model::Graph &graph);

    // Reads a graph file, then stores it with its sub-graphs in the database
    // (made if missing); an exit code on failure.
    std::optional<int> importFile(const QString &fileName, Model::Graph &graph,
                                  std::unique_ptr<Database> &db, Engine::SavedGraph &saved);

    // The contents of a file named on the command line, within the JSON size limit.
    static Result<QByteArray> readArgumentFile(const QString &fileName, const QString &option);

    // A value given as text, or as @FILE for a file's contents (for values
    // longer than a command line can carry).
    static Result<QByteArray> argumentText(const QString &argument, const QString &option);

    static std::optional<bool> onOff(const QString &text);

    // The credentials of the database in use; secrets are opened as the
    // environment says (secretStoreFromEnvironment) when first needed.
    std::shared_ptr<Engine::CredentialsStore> credentialsStore(const QString &databasePath);

    // The API key of stored credentials.
    Result<QString> apiKeyOf(const QString &id);

    int listCredentials();

    int addCredentials(const QString &provider, const QString &typeName, const QString &title,
                       const QString &host, const QStringList &headers, const QString &username);

    int removeCredentials(const QString &id);

    int runGraph(const QString &fileName, const QStringList &inputs, const QString &inputFile,
                 const QString &hitlText, const QString &sensitiveText, const QString &threadsText,
                 const QStringList &credentials, bool queue);

    // Keeps the password of the --db PostgreSQL location, read from standard
    // input, in the keychain, for when the server asks for one.
    int storeDatabasePassword();

    // Copies one store into a new, empty one, and checks the copy by
    // counting each table's rows on both sides.
    int copyDatabase(const QString &from, const QString &to);

    int runWorker(const QString &threadsText, const QString &maxRunsText, const QString &leaseText);

    // The service for commands that run, stop or decide, on this thread.
    Result<std::unique_ptr<Engine::RunService>> openService(const QString &databasePath,
                                                            const QString &threadsText);

    // A one-thread service on the database, which must exist (a missing
    // file is a storage error, not a new database).
    Result<std::unique_ptr<Engine::RunService>> openExistingService();

    // Runs `begin` on a fresh service and waits for the run it names to end.
    std::optional<int> execute(const QString &databasePath, const QString &threadsText,
                               const std::function<Result<QString>(Engine::RunService &)> &begin,
                               QString &executionId);

    int resumeExecution(const QString &id, const QString &threadsText);

    // Stops an execution and its children, also one another process is
    // running: that process sees the TERMINATED status and ends the run.
    int stopExecution(const QString &id);

    // "run", "graph", or a duration (30m, 8h, 2d) over every run of the graph.
    static Result<Engine::GrantRequest> grantRequest(const QString &scope);

    // The grants, newest first: active ones, or all with --all.
    int listGrants(bool includeInactive);

    int revokeGrant(const QString &grantId);

    // Checks the audit log's chain: exit 0 when every entry is as written,
    // 1 naming the first that was changed, deleted or moved.
    int verifyAudit();

    int exportAudit(const QString &format, const QString &sinceText);

    // The waiting reviews, newest first (of one execution: oldest first).
    int listReviews(const QString &executionId);

    // One review: its state, its payload, what an edit (--data) would change
    // or what the reviewer changed, and for a sensitive action what its
    // block will receive, secrets masked.
    int showReview(const QString &id, const std::optional<QString> &dataText);

    // Records the decisions; when none of the execution's reviews is left
    // waiting, resumes it here and prints it as `run` does.
    int decideReviews(const QStringList &ids, bool approve, const QString &message,
                      const std::optional<QString> &dataText,
                      const std::optional<Engine::GrantRequest> &grant, const QString &threadsText,
                      const QString &seenDigest);

    // Prints an execution as `run` does and returns its exit code.
    int printRun(Database &db, const QString &executionId);

    int listBlocks();

    int runBlock(const QString &blockId, const QString &inputText);

    int listGraphs();

    int listExecutions(const QString &graphId, const QStringList &statusNames,
                       const QString &limitText);

    int showExecution(const QString &id);

    QTextStream &m_out;
    QTextStream &m_err;
    bool m_json = false;
    QString m_dbPath;
    Engine::NetworkPolicy m_networkPolicy;
    Engine::RunBudget m_budget;
    std::unique_ptr<Result<std::shared_ptr<const Engine::BlockRegistry>>> m_registry;
};

} // namespace Signalbox::App
