// SPDX-License-Identifier: GPL-3.0-or-later
#include "mediafile.h"

#include "block.h"
#include "model/uuid.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStringDecoder>

namespace Signalbox::Engine::MediaFile {

namespace {

// Files larger than this are refused (a data URI is held in memory whole).
constexpr qint64 kMaxFileBytes = 100 * 1024 * 1024;

// mimetypes.guess_extension(mime, strict=False), ".bin" when unknown.
QString extensionFor(const QString &mime)
{
    const QMimeType type = QMimeDatabase().mimeTypeForName(mime);
    if (!type.isValid() || type.preferredSuffix().isEmpty())
        return QStringLiteral(".bin");
    return QLatin1Char('.') + type.preferredSuffix();
}

// mimetypes.guess_type(path)[0] or "application/octet-stream".
QString mimeFor(const QString &path)
{
    const QMimeType type = QMimeDatabase().mimeTypeForFile(path, QMimeDatabase::MatchExtension);
    return type.isValid() && !type.isDefault() ? type.name()
                                               : QStringLiteral("application/octet-stream");
}

// `path` (relative to `base`, or absolute) when it is inside `base`.
std::optional<QString> inside(const QString &base, const QString &path)
{
    const QString candidate = QDir::cleanPath(QDir(base).absoluteFilePath(path));
    if (candidate == base || !candidate.startsWith(base + QLatin1Char('/')))
        return std::nullopt;
    return candidate;
}

// An execution id can name its folder: not empty, no separator, no dot first.
bool isFolderName(const QString &graphExecId)
{
    return !graphExecId.isEmpty() && !graphExecId.contains(QLatin1Char('/'))
        && !graphExecId.startsWith(QLatin1Char('.'));
}

} // namespace

QString executionFolder(const QString &graphExecId)
{
    return QDir::cleanPath(QDir::tempPath() + QStringLiteral("/signalbox/exec_file/")
                           + graphExecId);
}

Result<QString> store(const QString &graphExecId, const QString &file, bool returnContent)
{
    if (!isFolderName(graphExecId))
        return blockError(QStringLiteral("Files need a graph execution to belong to"));
    const QString base = executionFolder(graphExecId);
    if (!QDir().mkpath(base))
        return blockError(QStringLiteral("Could not create the folder %1").arg(base));

    QString target;
    if (file.startsWith(QLatin1String("data:"))) {
        static const QRegularExpression dataUri(QStringLiteral("^data:([^;]+);base64,(.*)$"),
                                                QRegularExpression::DotMatchesEverythingOption);
        const QRegularExpressionMatch match = dataUri.match(file);
        if (!match.hasMatch())
            return blockError(
                QStringLiteral("Invalid data URI format. Expected data:<mime>;base64,<data>"));
        const QString mime = match.captured(1).trimmed().toLower();
        const QByteArray encoded = match.captured(2).trimmed().toLatin1();
        if (encoded.size() / 4 * 3 > kMaxFileBytes)
            return blockError(
                QStringLiteral("File too large: more than %1 bytes").arg(kMaxFileBytes));
        const auto decoded = QByteArray::fromBase64Encoding(encoded);
        if (!decoded)
            return blockError(QStringLiteral("Invalid base64 data in data URI"));
        target = base + QLatin1Char('/') + Model::createTimeOrderedUuid() + extensionFor(mime);
        QSaveFile out(target);
        if (!out.open(QIODevice::WriteOnly) || out.write(decoded.decoded) != decoded.decoded.size()
            || !out.commit()) {
            return blockError(
                QStringLiteral("Could not write %1: %2").arg(target, out.errorString()));
        }
    } else if (file.startsWith(QLatin1String("http://"))
               || file.startsWith(QLatin1String("https://"))) {
        return blockError(QStringLiteral(
            "Downloading files from URLs is not supported by this build; pass the file as a "
            "data URI"));
    } else {
        const auto local = inside(base, file);
        if (!local)
            return blockError(
                QStringLiteral("Local file path is outside of the temp_base directory."));
        if (!QFileInfo(*local).isFile())
            return blockError(QStringLiteral("Local file does not exist: %1").arg(*local));
        target = *local;
    }

    if (!returnContent)
        return QDir(base).relativeFilePath(target);
    QFile in(target);
    if (in.size() > kMaxFileBytes)
        return blockError(QStringLiteral("File too large: more than %1 bytes").arg(kMaxFileBytes));
    if (!in.open(QIODevice::ReadOnly))
        return blockError(QStringLiteral("Could not read %1: %2").arg(target, in.errorString()));
    return QStringLiteral("data:%1;base64,%2")
        .arg(mimeFor(target), QString::fromLatin1(in.readAll().toBase64()));
}

Result<QByteArray> read(const QString &graphExecId, const QString &relativePath)
{
    const auto path = inside(executionFolder(graphExecId), relativePath);
    if (!path)
        return blockError(QStringLiteral("Local file path is outside of the temp_base directory."));
    QFile in(*path);
    if (in.size() > kMaxFileBytes)
        return blockError(QStringLiteral("File too large: more than %1 bytes").arg(kMaxFileBytes));
    if (!in.open(QIODevice::ReadOnly))
        return blockError(QStringLiteral("Could not read %1: %2").arg(*path, in.errorString()));
    return in.readAll();
}

QString decodeText(const QByteArray &bytes)
{
    QStringDecoder utf8(QStringDecoder::Utf8,
                        QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString text = utf8.decode(bytes);
    if (!utf8.hasError())
        return text;
    return QString::fromLatin1(bytes);
}

void removeExecutionFolder(const QString &graphExecId)
{
    if (!isFolderName(graphExecId))
        return;
    QDir folder(executionFolder(graphExecId));
    if (folder.exists())
        folder.removeRecursively();
}

} // namespace Signalbox::Engine::MediaFile
