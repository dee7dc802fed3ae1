// SPDX-License-Identifier: GPL-3.0-or-later
// SendWebRequestBlock and SendAuthenticatedWebRequestBlock.
#include "blockinput.h"
#include "blockregistry.h"
#include "mediafile.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QMimeDatabase>
#include <QRandomGenerator>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcWebRequest, "signalbox.blocks.webrequest")

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kSendWebRequest("6595ae1f-b924-42cb-9a41-551a0611c4b4");
const QLatin1StringView kSendAuthenticatedWebRequest("fff86bcd-e001-4bad-a7f6-2eae4720c8dc");
constexpr qsizetype kMaxJsonBodyChars = 10'000'000;

// Python's str() of a form value, as requests encodes it.
QString formText(const Value &value)
{
    return value.isString() ? value.toString() : Model::pythonStr(value);
}

// requests' encoding of a dict as form data: lists give one field per item.
QList<std::pair<QString, QString>> formFields(const Value &body)
{
    QList<std::pair<QString, QString>> fields;
    const ValueMap map = body.toMap();
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString key = it.key().toString();
        if (it.value().isArray()) {
            for (const Value &item : it.value().toArray())
                fields.append({key, formText(item)});
        } else if (!it.value().isNull()) {
            fields.append({key, formText(it.value())});
        }
    }
    return fields;
}

QByteArray urlEncoded(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray encoded;
    for (const auto &[key, value] : fields) {
        if (!encoded.isEmpty())
            encoded += '&';
        // urllib's quote_plus: spaces as '+'.
        encoded += QUrl::toPercentEncoding(key, " ").replace(' ', '+') + '='
            + QUrl::toPercentEncoding(value, " ").replace(' ', '+');
    }
    return encoded;
}

struct Upload
{
    QString name;
    QByteArray data;
    QByteArray mime;
};

QByteArray multipartBody(const QList<std::pair<QString, QString>> &fields,
                         const QList<Upload> &files, const QString &fieldName, QByteArray &boundary)
{
    boundary
        = QByteArray::number(QRandomGenerator::global()->generate64(), 16).rightJustified(16, '0');
    QByteArray body;
    auto quoted = [](const QString &text) {
        QString escaped = text;
        escaped.replace(QLatin1Char('"'), QLatin1String("%22"));
        return escaped.toUtf8();
    };
    for (const auto &[key, value] : fields) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(key)
            + "\"\r\n\r\n" + value.toUtf8() + "\r\n";
    }
    for (const Upload &file : files) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(fieldName)
            + "\"; filename=\"" + quoted(file.name) + "\"\r\nContent-Type: " + file.mime
            + "\r\n\r\n" + file.data + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return body;
}

// SendWebRequestBlock.run, with `extraHeaders` (from credentials) under the
// user's headers.
Result<void> sendWebRequest(const ValueMap &input, BlockContext &context,
                            const QMap<QString, QString> &extraHeaders)
{
    const QString url = in(input, "url").toString();
    QByteArray method = in(input, "method").toString().toLatin1();
    if (method.isEmpty())
        method = QByteArrayLiteral("POST");
    Value body = in(input, "body");
    bool jsonFormat = in(input, "json_format").isUndefined() || in(input, "json_format").toBool();

    // A string body that holds JSON is sent as that JSON.
    if (body.isString()) {
        const QString text = body.toString();
        bool parsed = false;
        if (text.size() <= kMaxJsonBodyChars) {
            if (auto value = Model::parseJsonValue(text.toUtf8(), {}, QStringLiteral("body"))) {
                body = *value;
                parsed = true;
            }
        }
        if (!parsed)
            jsonFormat = false;
    }

    QList<Upload> uploads;
    const Value files = in(input, "files");
    if (files.isArray() && !files.toArray().isEmpty()) {
        if (jsonFormat)
            return blockError(QStringLiteral("json_format=True cannot be combined with file "
                                             "uploads; set json_format=False and put form fields "
                                             "in `body`."));
        QMimeDatabase mimes;
        for (const Value &file : files.toArray()) {
            const QString graphExecId = context.executionContext().graphExecId;
            auto stored = MediaFile::store(graphExecId, file.toString(), false);
            if (!stored)
                return stored.error();
            auto data = MediaFile::read(graphExecId, *stored);
            if (!data)
                return data.error();
            uploads.append({QFileInfo(*stored).fileName(), *data,
                            mimes.mimeTypeForFileNameAndData(*stored, *data).name().toUtf8()});
        }
    }

    HttpRequest request;
    request.method = method;
    request.url = QUrl(url, QUrl::StrictMode);
    // {**extra_headers, **user_headers}: the user's win.
    QMap<QString, QString> headers = extraHeaders;
    const ValueMap userHeaders = in(input, "headers").toMap();
    for (auto it = userHeaders.begin(); it != userHeaders.end(); ++it)
        headers.insert(it.key().toString(), formText(it.value()));
    for (auto it = extraHeaders.begin(); it != extraHeaders.end(); ++it) {
        if (headers.value(it.key()) == it.value())
            request.hostBoundHeaders.insert(it.key().toLower().toUtf8());
    }
    bool contentTypeSet = false;
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        request.headers.append({it.key().toUtf8(), it.value().toUtf8()});
        contentTypeSet = contentTypeSet
            || it.key().compare(QLatin1String("content-type"), Qt::CaseInsensitive) == 0;
    }
    auto setContentType = [&](const QByteArray &type) {
        if (!contentTypeSet)
            request.headers.append({QByteArrayLiteral("Content-Type"), type});
    };
    if (!uploads.isEmpty()) {
        QByteArray boundary;
        const auto fields = body.isMap() ? formFields(body) : QList<std::pair<QString, QString>>();
        request.body = multipartBody(fields, uploads,
                                     in(input, "files_name").toString().isEmpty()
                                         ? QStringLiteral("file")
                                         : in(input, "files_name").toString(),
                                     boundary);
        setContentType("multipart/form-data; boundary=" + boundary);
    } else if (jsonFormat) {
        if (!isNone(body)) {
            request.body = Model::toJson(body, Model::JsonStyle::PythonDumps);
            setContentType("application/json");
        }
    } else if (body.isMap()) {
        request.body = urlEncoded(formFields(body));
        setContentType("application/x-www-form-urlencoded");
    } else if (body.isString()) {
        request.body = body.toString().toUtf8();
    } else if (!isNone(body)) {
        request.body = Model::toJson(body, Model::JsonStyle::PythonDumps);
    }

    auto response = sendHttpRequest(request, context.networkPolicy(),
                                    [&context] { return context.isCancelled(); });
    if (!response)
        return response.error();

    Value result;
    if (response->contentType.startsWith("application/json")) {
        if (response->status == 204 || response->body.isEmpty()) {
            result = Value(nullptr);
        } else {
            auto parsed = Model::parseJsonValue(response->body, {}, QStringLiteral("the response"));
            if (!parsed)
                return parsed.error();
            result = *parsed;
        }
    } else {
        result = MediaFile::decodeText(response->body);
    }
    const int status = response->status;
    qCDebug(lcWebRequest).noquote() << QStringLiteral("%1 %2: HTTP %3, %4 bytes")
                                           .arg(QString::fromLatin1(request.method),
                                                response->url.toDisplayString(QUrl::RemoveQuery))
                                           .arg(status)
                                           .arg(response->body.size());
    if (status >= 200 && status < 300)
        context.yield(QStringLiteral("response"), result);
    else if (status >= 400 && status < 500)
        context.yield(QStringLiteral("client_error"), result);
    else
        context.yield(QStringLiteral("server_error"), result);
    return {};
}

Result<void> sendPlainWebRequest(const ValueMap &input, BlockContext &context)
{
    return sendWebRequest(input, context, {});
}

// SendAuthenticatedWebRequestBlock: the credentials' headers go only to the
// host they are for.
Result<void> sendAuthenticatedWebRequest(const ValueMap &input, BlockContext &context)
{
    auto credentials = context.credentials(in(input, "credentials"));
    if (!credentials)
        return credentials.error();
    const auto &[credential, secret] = *credentials;
    if (credential.type != CredentialType::HostScoped)
        return blockError(QStringLiteral("Credentials #%1 are not host-scoped").arg(credential.id));
    QMap<QString, QString> extra;
    const QUrl url(in(input, "url").toString());
    if (credential.matchesUrl(url)) {
        extra = secret.headers;
    } else {
        qCWarning(lcWebRequest).noquote()
            << QStringLiteral("Credentials #%1 are for %2, not %3: sent without them")
                   .arg(credential.id, credential.host, url.host());
    }
    ValueMap plain = input;
    plain.remove(QStringLiteral("credentials"));
    return sendWebRequest(plain, context, extra);
}

} // namespace

void registerWebRequestBlocks(BlockRegistry &registry)
{
    registry.add(kSendWebRequest, sendPlainWebRequest);
    registry.add(kSendAuthenticatedWebRequest, sendAuthenticatedWebRequest);
}

} // namespace Signalbox::Engine
