// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "credential.h"
#include "secretstore.h"

#include "model/result.h"

#include <QJsonObject>
#include <QList>

#include <memory>

namespace Signalbox::Engine {

// An OAuth 2.0 provider users can connect accounts with: data, so a user
// can add one in settings.
struct OAuthProvider
{
    // The credentials' provider name ("github", "google", ...).
    QString name;
    QString title;
    QUrl authorizationUrl;
    QUrl tokenUrl;
    QString clientId;
    QStringList scopes;
    // Further authorization request parameters (prompt, access_type, ...).
    QJsonObject extraParameters;
};

// What validation and the editor's pickers ask of the user's credentials:
// their metadata, never their secrets.
class CredentialsLookup
{
public:
    virtual ~CredentialsLookup() = default;
    // A user's credentials, newest first; an empty provider lists them all.
    virtual Result<QList<Credential>> list(const QString &userId,
                                           const QString &provider = {}) const = 0;
    virtual Result<std::optional<Credential>> find(const QString &userId,
                                                   const QString &id) const = 0;
};

// The credentials' metadata as read at one moment: what a face keeps so that
// it can ask without touching the store (the desktop's GUI thread).
class CredentialsSnapshot : public CredentialsLookup
{
public:
    explicit CredentialsSnapshot(QList<Credential> credentials = {})
        : m_credentials(std::move(credentials))
    { }
    Result<QList<Credential>> list(const QString &userId,
                                   const QString &provider = {}) const override;
    Result<std::optional<Credential>> find(const QString &userId,
                                           const QString &id) const override;

private:
    QList<Credential> m_credentials;
};

// Users' connected accounts: metadata in the database, secrets in a
// SecretStore under the credential's id. Safe to use from any thread: each
// call opens its own connection.
class CredentialsStore : public CredentialsLookup
{
public:
    CredentialsStore(QString databasePath, std::shared_ptr<SecretStore> secrets);

    QString databasePath() const { return m_databasePath; }
    SecretStore &secrets() const { return *m_secrets; }

    Result<QList<Credential>> list(const QString &userId,
                                   const QString &provider = {}) const override;
    Result<std::optional<Credential>> find(const QString &userId,
                                           const QString &id) const override;
    // Stores the secret first, then the record (a new id and creation time
    // when the credential has none).
    Result<Credential> add(Credential credential, const CredentialSecret &secret);
    // New OAuth tokens (a rotated refresh token, a new expiry).
    Result<void> updateTokens(const Credential &credential, const CredentialSecret &secret);
    // Forgets the credential and its secret.
    Result<void> remove(const QString &userId, const QString &id);
    Result<CredentialSecret> secret(const QString &id) const;

    Result<QList<OAuthProvider>> providers() const;
    Result<std::optional<OAuthProvider>> provider(const QString &name) const;
    Result<void> saveProvider(const OAuthProvider &provider);
    Result<void> removeProvider(const QString &name);

private:
    QString m_databasePath;
    std::shared_ptr<SecretStore> m_secrets;
};

} // namespace Signalbox::Engine
