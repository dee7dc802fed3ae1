// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentialsstore.h"

#include "engine/store/database.h"
#include "model/uuid.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>

namespace Signalbox::Engine {

using namespace StoreFormat;

namespace {

const QString kColumns = QStringLiteral(
    "SELECT id, user_id, provider, type, title, scopes, host, username, expires_at, created_at"
    " FROM credentials");
const QString kProviderColumns
    = QStringLiteral("SELECT name, title, authorization_url, token_url, client_id, scopes,"
                     " extra_parameters FROM oauth_providers");

QString listToText(const QStringList &list)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

QStringList listFromText(const QVariant &text)
{
    QStringList list;
    for (const QJsonValue &value : QJsonDocument::fromJson(text.toString().toUtf8()).array())
        list.append(value.toString());
    return list;
}

Credential readCredential(const QSqlQuery &q)
{
    Credential credential;
    credential.id = q.value(0).toString();
    credential.userId = q.value(1).toString();
    credential.provider = q.value(2).toString();
    credential.type
        = credentialTypeFromName(q.value(3).toString()).value_or(CredentialType::ApiKey);
    credential.title = q.value(4).toString();
    credential.scopes = listFromText(q.value(5));
    credential.host = q.value(6).toString();
    credential.username = q.value(7).toString();
    credential.expiresAt = timeFromVariant(q.value(8));
    credential.createdAt = timeFromVariant(q.value(9));
    return credential;
}

OAuthProvider readProvider(const QSqlQuery &q)
{
    OAuthProvider provider;
    provider.name = q.value(0).toString();
    provider.title = q.value(1).toString();
    provider.authorizationUrl = QUrl(q.value(2).toString());
    provider.tokenUrl = QUrl(q.value(3).toString());
    provider.clientId = q.value(4).toString();
    provider.scopes = listFromText(q.value(5));
    provider.extraParameters = objectFromText(q.value(6));
    return provider;
}

// Runs one statement on a connection of the calling thread's own and hands
// the finished query to `use`.
template<typename T>
Result<T> runStatement(const QString &path, const QString &sql, const QVariantList &values,
                       const QString &doing, const std::function<T(QSqlQuery &)> &use)
{
    auto db = Database::open(path);
    if (!db)
        return db.error();
    auto query = (*db)->prepare(sql);
    if (!query)
        return query.error();
    for (const QVariant &value : values)
        (*query)->addBindValue(value);
    if (!(*query)->exec()) {
        const Error error = (*db)->storageError((*query)->lastError(), doing);
        (*query)->finish();
        return error;
    }
    T result = use(**query);
    (*query)->finish();
    return result;
}

// The rows a SELECT finds, each made by `read`.
template<typename T>
Result<QList<T>> select(const QString &path, const QString &sql, const QVariantList &values,
                        const QString &doing, T (*read)(const QSqlQuery &))
{
    return runStatement<QList<T>>(path, sql, values, doing, [read](QSqlQuery &query) {
        QList<T> rows;
        while (query.next())
            rows.append(read(query));
        return rows;
    });
}

// How many rows an INSERT, UPDATE or DELETE changed.
Result<int> change(const QString &path, const QString &sql, const QVariantList &values,
                   const QString &doing)
{
    return runStatement<int>(path, sql, values, doing,
                             [](QSqlQuery &query) { return query.numRowsAffected(); });
}

template<typename T> std::optional<T> firstOf(const QList<T> &rows)
{
    return rows.isEmpty() ? std::nullopt : std::optional<T>(rows.constFirst());
}

} // namespace

Result<QList<Credential>> CredentialsSnapshot::list(const QString &userId,
                                                    const QString &provider) const
{
    QList<Credential> found;
    for (const Credential &credential : m_credentials) {
        if (credential.userId == userId && (provider.isEmpty() || credential.provider == provider))
            found.append(credential);
    }
    return found;
}

Result<std::optional<Credential>> CredentialsSnapshot::find(const QString &userId,
                                                            const QString &id) const
{
    for (const Credential &credential : m_credentials) {
        if (credential.userId == userId && credential.id == id)
            return std::optional(credential);
    }
    return std::optional<Credential>();
}

CredentialsStore::CredentialsStore(QString databasePath, std::shared_ptr<SecretStore> secrets)
    : m_databasePath(std::move(databasePath))
    , m_secrets(std::move(secrets))
{ }

Result<QList<Credential>> CredentialsStore::list(const QString &userId,
                                                 const QString &provider) const
{
    return select(m_databasePath,
                  kColumns
                      + QLatin1String(" WHERE user_id = ? AND (? = '' OR provider = ?)"
                                      " ORDER BY created_at DESC, id DESC"),
                  {userId, textOrEmpty(provider), textOrEmpty(provider)},
                  QStringLiteral("listing credentials"), readCredential);
}

Result<std::optional<Credential>> CredentialsStore::find(const QString &userId,
                                                         const QString &id) const
{
    auto rows
        = select(m_databasePath, kColumns + QLatin1String(" WHERE user_id = ? AND id = ?"),
                 {userId, id}, QStringLiteral("reading credentials %1").arg(id), readCredential);
    if (!rows)
        return rows.error();
    return firstOf(*rows);
}

Result<Credential> CredentialsStore::add(Credential credential, const CredentialSecret &secret)
{
    if (credential.id.isEmpty())
        credential.id = Model::createRandomUuid();
    if (!credential.createdAt.isValid())
        credential.createdAt = QDateTime::currentDateTimeUtc();
    if (credential.provider.isEmpty())
        return makeError(ErrorCode::BadInput, QStringLiteral("Credentials need a provider"));
    if (auto stored = m_secrets->write(credential.id, secret.toJson()); !stored)
        return stored.error();
    auto inserted = change(
        m_databasePath,
        QStringLiteral("INSERT INTO credentials (id, user_id, provider, type, title,"
                       " scopes, host, username, expires_at, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {credential.id, credential.userId, credential.provider, credentialTypeName(credential.type),
         textOrEmpty(credential.title), listToText(credential.scopes),
         credential.host.isEmpty() ? QVariant() : QVariant(credential.host),
         credential.username.isEmpty() ? QVariant() : QVariant(credential.username),
         timeToVariant(credential.expiresAt), timeToVariant(credential.createdAt)},
        QStringLiteral("storing credentials"));
    if (!inserted) {
        (void)m_secrets->remove(credential.id);
        return inserted.error();
    }
    return credential;
}

Result<void> CredentialsStore::updateTokens(const Credential &credential,
                                            const CredentialSecret &secret)
{
    if (auto stored = m_secrets->write(credential.id, secret.toJson()); !stored)
        return stored.error();
    auto updated = change(
        m_databasePath,
        QStringLiteral("UPDATE credentials SET expires_at = ?, scopes = ?"
                       " WHERE id = ?"),
        {timeToVariant(credential.expiresAt), listToText(credential.scopes), credential.id},
        QStringLiteral("updating credentials %1").arg(credential.id));
    if (!updated)
        return updated.error();
    return {};
}

Result<void> CredentialsStore::remove(const QString &userId, const QString &id)
{
    auto removed = change(m_databasePath,
                          QStringLiteral("DELETE FROM credentials WHERE user_id = ? AND id = ?"),
                          {userId, id}, QStringLiteral("removing credentials %1").arg(id));
    if (!removed)
        return removed.error();
    if (*removed == 0)
        return makeError(ErrorCode::NotFound, QStringLiteral("No credentials #%1").arg(id));
    return m_secrets->remove(id);
}

Result<CredentialSecret> CredentialsStore::secret(const QString &id) const
{
    auto data = m_secrets->read(id);
    if (!data)
        return data.error();
    auto secret = CredentialSecret::fromJson(*data);
    if (!secret)
        return makeError(ErrorCode::Storage,
                         QStringLiteral("The secret of credentials #%1 in %2 is damaged")
                             .arg(id, m_secrets->description()));
    return *secret;
}

Result<QList<OAuthProvider>> CredentialsStore::providers() const
{
    return select(m_databasePath, kProviderColumns + QLatin1String(" ORDER BY name"), {},
                  QStringLiteral("listing OAuth providers"), readProvider);
}

Result<std::optional<OAuthProvider>> CredentialsStore::provider(const QString &name) const
{
    auto rows = select(m_databasePath, kProviderColumns + QLatin1String(" WHERE name = ?"), {name},
                       QStringLiteral("reading OAuth provider %1").arg(name), readProvider);
    if (!rows)
        return rows.error();
    return firstOf(*rows);
}

Result<void> CredentialsStore::saveProvider(const OAuthProvider &provider)
{
    if (provider.name.isEmpty() || provider.clientId.isEmpty()
        || !provider.authorizationUrl.isValid() || !provider.tokenUrl.isValid()
        || provider.authorizationUrl.isRelative() || provider.tokenUrl.isRelative())
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("An OAuth provider needs a name, a client id and absolute "
                                        "authorization and token URLs"));
    auto saved = change(
        m_databasePath,
        QStringLiteral("INSERT INTO oauth_providers (name, title, authorization_url, token_url,"
                       " client_id, scopes, extra_parameters, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                       " title = excluded.title, authorization_url = excluded.authorization_url,"
                       " token_url = excluded.token_url, client_id = excluded.client_id,"
                       " scopes = excluded.scopes, extra_parameters = excluded.extra_parameters"),
        {provider.name, textOrEmpty(provider.title), provider.authorizationUrl.toString(),
         provider.tokenUrl.toString(), provider.clientId, listToText(provider.scopes),
         QString::fromUtf8(QJsonDocument(provider.extraParameters).toJson(QJsonDocument::Compact)),
         timeToVariant(QDateTime::currentDateTimeUtc())},
        QStringLiteral("saving OAuth provider %1").arg(provider.name));
    if (!saved)
        return saved.error();
    return {};
}

Result<void> CredentialsStore::removeProvider(const QString &name)
{
    auto removed
        = change(m_databasePath, QStringLiteral("DELETE FROM oauth_providers WHERE name = ?"),
                 {name}, QStringLiteral("removing OAuth provider %1").arg(name));
    if (!removed)
        return removed.error();
    return {};
}

} // namespace Signalbox::Engine
