// SPDX-License-Identifier: GPL-3.0-or-later
// Blocks that store and read files of a graph execution.
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"
#include "mediafile.h"

#include <string>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kFileStore("cbb50872-625b-42f0-8203-a2ae78242d8a");
const QLatin1StringView kFileRead("3735a31f-7e18-4aca-9e90-08a7120674bc");

const QString &execId(BlockContext &context)
{
    return context.executionContext().graphExecId;
}

// FileStoreBlock: the file in the execution's folder, as a relative path,
// or with base_64 as a data URI.
Result<void> fileStore(const ValueMap &input, BlockContext &context)
{
    auto stored = MediaFile::store(execId(context), in(input, "file_in").toString(),
                                   in(input, "base_64").toBool());
    if (!stored)
        return stored.error();
    context.yield(QStringLiteral("file_out"), *stored);
    return {};
}

// AgentFileInputBlock: like FileStoreBlock on the run's input, nothing
// when the input is empty.
Result<void> agentFileInput(const ValueMap &input, BlockContext &context)
{
    const Value value = in(input, "value");
    if (!Model::pythonTruthy(value))
        return {};
    auto stored
        = MediaFile::store(execId(context), value.toString(), in(input, "base_64").toBool());
    if (!stored)
        return stored.error();
    context.yield(QStringLiteral("result"), *stored);
    return {};
}

// Python slices by code point; QString counts UTF-16 units.
QString codePointSlice(const std::u32string &text, qsizetype from, qsizetype count = -1)
{
    if (from >= qsizetype(text.size()))
        return {};
    const std::u32string part
        = text.substr(size_t(from), count < 0 ? std::u32string::npos : size_t(count));
    return QString::fromUcs4(part.data(), qsizetype(part.size()));
}

// FileReadBlock, chunks and quirks as upstream: rows are split off and
// joined again, so only size_limit splits what is yielded.
Result<void> fileRead(const ValueMap &input, BlockContext &context)
{
    auto stored = MediaFile::store(execId(context), in(input, "file_input").toString(), false);
    if (!stored)
        return stored.error();
    auto bytes = MediaFile::read(execId(context), *stored);
    if (!bytes)
        return bytes.error();
    // Read in text mode: universal newlines.
    QString content = MediaFile::decodeText(*bytes);
    content.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    content.replace(QLatin1Char('\r'), QLatin1Char('\n'));

    const qint64 skipSize = in(input, "skip_size").toInteger();
    if (skipSize > 0)
        content = codePointSlice(content.toStdU32String(), skipSize);
    const QString delimiter = in(input, "delimiter").toString();
    QStringList items = delimiter.isEmpty() ? QStringList {content} : content.split(delimiter);
    const qint64 skipRows = in(input, "skip_rows").toInteger();
    if (skipRows > 0)
        items = items.mid(qMin<qsizetype>(skipRows, items.size()));
    const qint64 rowLimit = in(input, "row_limit").toInteger();
    if (rowLimit > 0)
        items = items.mid(0, qMin<qsizetype>(rowLimit, items.size()));
    if (items.isEmpty()) {
        context.yield(QStringLiteral("content"), QString());
        return {};
    }
    const QString full = items.join(delimiter);
    const qint64 sizeLimit = in(input, "size_limit").toInteger();
    if (sizeLimit <= 0) {
        if (!full.isEmpty())
            context.yield(QStringLiteral("content"), full);
        return {};
    }
    const std::u32string points = full.toStdU32String();
    for (qsizetype at = 0; at < qsizetype(points.size()); at += sizeLimit)
        context.yield(QStringLiteral("content"), codePointSlice(points, at, sizeLimit));
    return {};
}

} // namespace

void registerFileBlocks(BlockRegistry &registry)
{
    registry.add(kFileStore, fileStore);
    registry.add(kFileRead, fileRead);
    registry.add(BlockIds::AgentFileInput, agentFileInput);
}

} // namespace Signalbox::Engine
