// SPDX-License-Identifier: GPL-3.0-or-later
// ReadSpreadsheetBlock over CSV text, with Python's csv.reader rules.
#include "blockinput.h"
#include "blockregistry.h"
#include "mediafile.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kReadSpreadsheet("acf7625e-d2cb-4941-bfeb-2819fc6fc015");

struct CsvDialect
{
    QChar delimiter = u',';
    QChar quote = u'"';
    std::optional<QChar> escape;
};

// Python's csv.reader (doublequote on, strict off): quoted fields may hold
// delimiters and newlines, "" inside quotes is one quote, the escape
// character takes the next character literally, and a blank line is an
// empty row. Iterative over the text.
QList<QStringList> readCsv(const QString &text, const CsvDialect &dialect)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    enum class State {
        StartRecord,
        StartField,
        InField,
        InQuoted,
        QuoteInQuoted,
        Escaped,
        EscapedInQuoted
    };
    State state = State::StartRecord;
    auto endField = [&] {
        row.append(field);
        field.clear();
    };
    auto endRow = [&] {
        rows.append(row);
        row.clear();
    };
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool end = i == text.size();
        const QChar c = end ? QChar() : text.at(i);
        const bool newline = !end && (c == u'\n' || c == u'\r');
        if (!end && c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n')
            ++i; // \r\n is one line end
        switch (state) {
        case State::StartRecord:
            if (end)
                break;
            if (newline) {
                rows.append(QStringList()); // a blank line
                break;
            }
            state = State::StartField;
            [[fallthrough]];
        case State::StartField:
            if (end || newline) {
                endField();
                endRow();
                state = State::StartRecord;
            } else if (c == dialect.quote) {
                state = State::InQuoted;
            } else if (dialect.escape && c == *dialect.escape) {
                state = State::Escaped;
            } else if (c == dialect.delimiter) {
                endField();
            } else {
                field += c;
                state = State::InField;
            }
            break;
        case State::InField:
            if (end || newline) {
                endField();
                endRow();
                state = State::StartRecord;
            } else if (dialect.escape && c == *dialect.escape) {
                state = State::Escaped;
            } else if (c == dialect.delimiter) {
                endField();
                state = State::StartField;
            } else {
                field += c;
            }
            break;
        case State::Escaped:
            if (!end)
                field += c;
            state = State::InField;
            break;
        case State::InQuoted:
            if (end) {
                endField();
                endRow();
            } else if (dialect.escape && c == *dialect.escape) {
                state = State::EscapedInQuoted;
            } else if (c == dialect.quote) {
                state = State::QuoteInQuoted;
            } else {
                field += c;
                if (c == u'\r' && i > 0 && text.at(i) == u'\n')
                    field += u'\n';
            }
            break;
        case State::EscapedInQuoted:
            if (!end)
                field += c;
            state = State::InQuoted;
            break;
        case State::QuoteInQuoted:
            if (!end && c == dialect.quote) {
                field += c; // a doubled quote
                state = State::InQuoted;
            } else if (end || newline) {
                endField();
                endRow();
                state = State::StartRecord;
            } else if (c == dialect.delimiter) {
                endField();
                state = State::StartField;
            } else {
                field += c; // text after the closing quote joins the field
                state = State::InField;
            }
            break;
        }
    }
    return rows;
}

QChar singleChar(const Value &value, QChar fallback)
{
    const QString text = value.toString();
    return text.isEmpty() ? fallback : text.at(0);
}

Result<void> readSpreadsheet(const ValueMap &input, BlockContext &context)
{
    QString text;
    if (const Value file = in(input, "file_input"); Model::pythonTruthy(file)) {
        const QString &execId = context.executionContext().graphExecId;
        auto stored = MediaFile::store(execId, file.toString(), false);
        if (!stored)
            return stored.error();
        if (stored->endsWith(QLatin1String(".xlsx"), Qt::CaseInsensitive)
            || stored->endsWith(QLatin1String(".xls"), Qt::CaseInsensitive)) {
            return blockError(
                QStringLiteral("Excel files cannot be read by this build; save the sheet as CSV"));
        }
        auto bytes = MediaFile::read(execId, *stored);
        if (!bytes)
            return bytes.error();
        text = MediaFile::decodeText(*bytes);
    } else if (isNone(in(input, "contents"))) {
        return blockError(QStringLiteral("Either 'contents' or 'file_input' must be provided"));
    } else {
        text = in(input, "contents").toString();
    }
    CsvDialect dialect;
    dialect.delimiter = singleChar(in(input, "delimiter"), u',');
    dialect.quote = singleChar(in(input, "quotechar"), u'"');
    if (!in(input, "escapechar").toString().isEmpty())
        dialect.escape = in(input, "escapechar").toString().at(0);
    const bool strip = in(input, "strip").toBool();
    QList<QStringList> rows = readCsv(text, dialect);

    QStringList header;
    bool hasHeader = in(input, "has_header").toBool();
    if (hasHeader && !rows.isEmpty()) {
        header = rows.takeFirst();
        if (strip) {
            for (QString &name : header)
                name = name.trimmed();
        }
    }
    const qint64 skip = qMax<qint64>(0, in(input, "skip_rows").toInteger());
    rows = rows.mid(qMin<qsizetype>(skip, rows.size()));
    // skip_columns holds names but is compared with column numbers upstream,
    // so it never removes anything.
    ValueList all;
    for (const QStringList &row : std::as_const(rows)) {
        ValueMap data;
        for (qsizetype i = 0; i < row.size(); ++i) {
            // header[i] upstream: a row longer than the header is an IndexError.
            if (hasHeader && i >= header.size())
                return blockError(QStringLiteral("list index out of range"));
            const QString key = hasHeader ? header.at(i) : QString::number(i);
            data.insert(key, strip ? row.at(i).trimmed() : row.at(i));
        }
        all.append(data);
    }
    context.yield(QStringLiteral("rows"), all);
    for (const Value &row : std::as_const(all))
        context.yield(QStringLiteral("row"), row);
    return {};
}

} // namespace

void registerSpreadsheetBlocks(BlockRegistry &registry)
{
    registry.add(kReadSpreadsheet, readSpreadsheet);
}

} // namespace Signalbox::Engine
