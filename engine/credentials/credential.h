// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/value.h"

#include <QDateTime>
#include <QMap>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace Signalbox::Engine {

// AutoGPT's credential types, spelled as its API spells them.
enum class CredentialType { ApiKey, OAuth2, UserPassword, HostScoped };

QString credentialTypeName(CredentialType type);
std::optional<CredentialType> credentialTypeFromName(QStringView name);

// A connected account as the database keeps it: everything but its secrets.
struct Credential
{
    QString id;
    QString userId;
    QString provider;
    CredentialType type = CredentialType::ApiKey;
    QString title;
    QStringList scopes;
    // host_scoped: the host its headers are sent to ("api.example.com",
    // "*.example.com" for every subdomain, "example.com:8443" for one port).
    QString host;
    // user_password: the user name.
    QString username;
    // oauth2: when the access token runs out (invalid when it does not).
    QDateTime expiresAt;
    QDateTime createdAt;

    // The reference a node input holds (AutoGPT's CredentialsMetaInput):
    // {"id", "provider", "type", "title"}.
    Model::Value meta() const;
    // AutoGPT's HostScopedCredentials.matches_url.
    bool matchesUrl(const QUrl &url) const;
    // Whether a credentials pin takes these: its providers and types (an
    // empty list takes any).
    bool fits(const Model::PinSpec &pin) const;
};

// A credential's secret parts, kept in the secret store under its id.
struct CredentialSecret
{
    QString apiKey;
    QString password;
    QString accessToken;
    QString refreshToken;
    // host_scoped: the headers sent to the host.
    QMap<QString, QString> headers;

    QByteArray toJson() const;
    static std::optional<CredentialSecret> fromJson(const QByteArray &json);
    // Every secret string it holds, to mask them wherever they might show.
    QStringList values() const;
};

// Every form in which the secrets may come back from a service, longest
// first: each as stored; its meaningful parts (the token after a scheme word
// such as "Bearer", the user and password of a Basic credential); and each
// of these URL-encoded (as a path, a query or a form encodes it) and in
// base64 (standard and URL-safe, with and without padding).
QStringList secretForms(const QStringList &secrets);

// `value` with every occurrence of each of `secrets` replaced by "***", in
// strings and map keys at any depth.
Model::Value maskSecrets(const Model::Value &value, const QStringList &secrets);
QString maskSecrets(QString text, const QStringList &secrets);

} // namespace Signalbox::Engine
