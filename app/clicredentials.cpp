// SPDX-License-Identifier: GPL-3.0-or-later
// The command line's credentials commands, and db password and db copy.
#include "cli.h"
#include "clicommands.h"
#include "clisupport.h"

#include "engine/store/database.h"
#include "engine/store/storecopy.h"
#include "model/graphjson.h"

#include <QJsonArray>

#include <memory>

namespace Signalbox::App {

// The credentials of the database in use; secrets are opened as the
// environment says (secretStoreFromEnvironment) when first needed.
std::shared_ptr<Engine::CredentialsStore> Cli::credentialsStore(const QString &databasePath)
{
    auto secrets = std::make_shared<Engine::DeferredSecretStore>(
        [databasePath] { return Engine::secretStoreFromEnvironment(databasePath); });
    return std::make_shared<Engine::CredentialsStore>(databasePath, secrets);
}

// The API key of stored credentials.
Result<QString> Cli::apiKeyOf(const QString &id)
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

int Cli::listCredentials()
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
                     Engine::credentialTypeName(credential.type), credential.title, credential.host,
                     shortTime(credential.expiresAt)});
    m_out << table(rows);
    return ExitCompleted;
}

int Cli::addCredentials(const QString &provider, const QString &typeName, const QString &title,
                        const QString &host, const QStringList &headers, const QString &username)
{
    const auto type = Engine::credentialTypeFromName(typeName);
    if (!type || *type == Engine::CredentialType::OAuth2)
        return fail(makeError(ErrorCode::BadInput,
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

int Cli::removeCredentials(const QString &id)
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    if (auto removed = credentialsStore((*db)->path())->remove(QString(Model::kDefaultUserId), id);
        !removed)
        return fail(removed.error());
    return ExitCompleted;
}

// Keeps the password of the --db PostgreSQL location, read from standard
// input, in the keychain, for when the server asks for one.
int Cli::storeDatabasePassword()
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
    if (auto written = (*store)->write(Engine::databasePasswordKey(m_dbPath), password.toUtf8());
        !written)
        return fail(written.error());
    m_out << "Kept the password of " << m_dbPath << " in " << (*store)->description() << ".\n";
    return ExitCompleted;
}

// Copies one store into a new, empty one, and checks the copy by
// counting each table's rows on both sides.
int Cli::copyDatabase(const QString &from, const QString &to)
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

} // namespace Signalbox::App
