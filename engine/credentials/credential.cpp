// SPDX-License-Identifier: GPL-3.0-or-later
#include "credential.h"

#include "model/enumnames.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace Signalbox::Engine {

namespace {

constexpr Model::EnumName<CredentialType> kTypes[] = {
    {CredentialType::ApiKey, QLatin1StringView("api_key")},
    {CredentialType::OAuth2, QLatin1StringView("oauth2")},
    {CredentialType::UserPassword, QLatin1StringView("user_password")},
    {CredentialType::HostScoped, QLatin1StringView("host_scoped")},
};

} // namespace

QString credentialTypeName(CredentialType type)
{
    return Model::enumName(kTypes, type);
}

std::optional<CredentialType> credentialTypeFromName(QStringView name)
{
    return Model::enumFromName(kTypes, name);
}

Model::Value Credential::meta() const
{
    Model::ValueMap meta;
    meta.insert(QStringLiteral("id"), id);
    meta.insert(QStringLiteral("provider"), provider);
    meta.insert(QStringLiteral("type"), credentialTypeName(type));
    meta.insert(QStringLiteral("title"), title);
    return meta;
}

bool Credential::matchesUrl(const QUrl &url) const
{
    if (host.isEmpty() || !url.isValid() || url.host().isEmpty())
        return false;
    QString wantedHost = host.toLower();
    int wantedPort = -1;
    // "host:port"; a bare IPv6 address has more than one colon.
    if (const qsizetype colon = wantedHost.lastIndexOf(u':');
        colon > 0 && wantedHost.count(u':') == 1) {
        bool ok = false;
        wantedPort = wantedHost.mid(colon + 1).toInt(&ok);
        if (!ok)
            return false;
        wantedHost.truncate(colon);
    }
    const QString actual = url.host().toLower();
    if (wantedPort >= 0
        && url.port(url.scheme() == QLatin1String("https") ? 443 : 80) != wantedPort)
        return false;
    if (wantedHost.startsWith(QLatin1String("*."))) {
        const QStringView domain = QStringView(wantedHost).mid(1); // ".example.com"
        return actual.endsWith(domain) && actual.size() > domain.size();
    }
    return actual == wantedHost;
}

bool Credential::fits(const Model::PinSpec &pin) const
{
    return (pin.credentialsProviders.isEmpty() || pin.credentialsProviders.contains(provider))
        && (pin.credentialsTypes.isEmpty()
            || pin.credentialsTypes.contains(credentialTypeName(type)));
}

QByteArray CredentialSecret::toJson() const
{
    QJsonObject object;
    if (!apiKey.isEmpty())
        object.insert(QStringLiteral("api_key"), apiKey);
    if (!password.isEmpty())
        object.insert(QStringLiteral("password"), password);
    if (!accessToken.isEmpty())
        object.insert(QStringLiteral("access_token"), accessToken);
    if (!refreshToken.isEmpty())
        object.insert(QStringLiteral("refresh_token"), refreshToken);
    if (!headers.isEmpty()) {
        QJsonObject headerObject;
        for (auto it = headers.begin(); it != headers.end(); ++it)
            headerObject.insert(it.key(), it.value());
        object.insert(QStringLiteral("headers"), headerObject);
    }
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<CredentialSecret> CredentialSecret::fromJson(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    CredentialSecret secret;
    secret.apiKey = object.value(QLatin1String("api_key")).toString();
    secret.password = object.value(QLatin1String("password")).toString();
    secret.accessToken = object.value(QLatin1String("access_token")).toString();
    secret.refreshToken = object.value(QLatin1String("refresh_token")).toString();
    const QJsonObject headers = object.value(QLatin1String("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it)
        secret.headers.insert(it.key(), it.value().toString());
    return secret;
}

QStringList CredentialSecret::values() const
{
    QStringList values;
    for (const QString &value : {apiKey, password, accessToken, refreshToken}) {
        if (!value.isEmpty())
            values.append(value);
    }
    for (const QString &value : headers) {
        if (!value.isEmpty())
            values.append(value);
    }
    return values;
}

namespace {

// Shorter values would mask ordinary words.
constexpr qsizetype kMinSecretLength = 4;

// The parts of a stored secret that mean something alone.
QStringList secretParts(const QString &secret)
{
    QStringList parts;
    const QStringList words = secret.split(QRegularExpression(QStringLiteral("\\s+")),
                                           Qt::SkipEmptyParts);
    if (words.size() < 2) {
        const qsizetype colon = secret.indexOf(QLatin1Char(':'));
        if (colon > 0)
            parts.append(secret.mid(colon + 1));
        return parts;
    }
    // "Bearer <token>", "Basic <base64>", "Token <token>": the first word
    // names the scheme and is not secret itself.
    static const QRegularExpression scheme(QStringLiteral("^[A-Za-z][A-Za-z0-9_-]*$"));
    const bool hasScheme = scheme.match(words.first()).hasMatch();
    for (qsizetype i = hasScheme ? 1 : 0; i < words.size(); ++i)
        parts.append(words.at(i));
    // "id:secret" pairs (a client id and its secret, a user and password).
    for (const QString &word : words) {
        const qsizetype colon = word.indexOf(QLatin1Char(':'));
        if (colon > 0)
            parts.append(word.mid(colon + 1));
    }
    if (hasScheme && words.size() == 2
        && words.first().compare(QLatin1String("Basic"), Qt::CaseInsensitive) == 0) {
        // user:password
        const auto decoded = QByteArray::fromBase64Encoding(words.at(1).toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (decoded) {
            const QString pair = QString::fromUtf8(*decoded);
            const qsizetype colon = pair.indexOf(QLatin1Char(':'));
            if (colon > 0) {
                parts.append(pair);
                parts.append(pair.mid(colon + 1));
            }
        }
    }
    return parts;
}

// How a value looks URL-encoded and in base64.
QStringList encodedForms(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    QStringList forms;
    const QByteArray percent = QUrl::toPercentEncoding(value);
    forms.append(QString::fromLatin1(percent));
    forms.append(QString::fromLatin1(percent).toLower());
    // application/x-www-form-urlencoded: spaces as '+'.
    forms.append(QString::fromLatin1(QUrl::toPercentEncoding(value, " ")).replace(
        QLatin1Char(' '), QLatin1Char('+')));
    for (const QByteArray::Base64Options options :
         {QByteArray::Base64Options(QByteArray::Base64Encoding),
          QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals,
          QByteArray::Base64Options(QByteArray::Base64UrlEncoding),
          QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals}) {
        forms.append(QString::fromLatin1(utf8.toBase64(options)));
    }
    return forms;
}

} // namespace

QStringList secretForms(const QStringList &secrets)
{
    QStringList plain;
    for (const QString &secret : secrets) {
        plain.append(secret);
        plain.append(secretParts(secret));
    }
    QStringList forms;
    for (const QString &value : std::as_const(plain)) {
        if (value.size() < kMinSecretLength)
            continue;
        forms.append(value);
        forms.append(encodedForms(value));
    }
    forms.removeDuplicates();
    // The longest first, so that a whole value is masked before its parts.
    std::stable_sort(forms.begin(), forms.end(),
                     [](const QString &a, const QString &b) { return a.size() > b.size(); });
    return forms;
}

QString maskSecrets(QString text, const QStringList &secrets)
{
    for (const QString &secret : secrets) {
        if (secret.size() >= kMinSecretLength)
            text.replace(secret, QLatin1String("***"));
    }
    return text;
}

Model::Value maskSecrets(const Model::Value &value, const QStringList &secrets)
{
    if (secrets.isEmpty())
        return value;
    if (value.isString())
        return maskSecrets(value.toString(), secrets);
    if (value.isArray()) {
        Model::ValueList list;
        for (const Model::Value &item : value.toArray())
            list.append(maskSecrets(item, secrets));
        return list;
    }
    if (value.isMap()) {
        Model::ValueMap map;
        const Model::ValueMap source = value.toMap();
        for (auto it = source.begin(); it != source.end(); ++it)
            map.insert(maskSecrets(it.key(), secrets), maskSecrets(it.value(), secrets));
        return map;
    }
    return value;
}

} // namespace Signalbox::Engine
