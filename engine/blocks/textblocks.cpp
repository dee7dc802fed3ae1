// SPDX-License-Identifier: GPL-3.0-or-later
// Text, JSON and persistence blocks.
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"

#include "engine/template/template.h"

#include <QRegularExpression>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kFillTextTemplate("db7d8f02-2f44-4c55-ab7a-eae0941f0c30");
const QLatin1StringView kCombineTexts("e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85");
const QLatin1StringView kTextSplit("d5ea33c8-a575-477a-b42f-2fe3be5055ec");
const QLatin1StringView kTextReplace("7e7c87ab-3469-4bcc-9abe-67705091b713");
const QLatin1StringView kWordCharacterCount("ab2a782d-22cf-4587-8a70-55b59b3f9f90");
const QLatin1StringView kJsonEncoder("9a9d20c5-5b4d-4e94-8022-83b6cb72648a");
const QLatin1StringView kJsonDecoder("2b935639-65bc-48fd-9f88-823cd706fcd9");
const QLatin1StringView kMatchTextPattern("3060088f-6ed9-4928-9ba7-9c92823a7ccd");
const QLatin1StringView kExtractTextInformation("3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0");
const QLatin1StringView kTextEncoder("5185f32e-4b65-4ecf-8fbb-873f003f09d6");
const QLatin1StringView kTextDecoder("2570e8fe-8447-43ed-84c7-70d657923231");
const QLatin1StringView kCodeExtraction("d3a7d896-3b78-4f44-8b4b-48fbf4f0bcd8");
const QLatin1StringView kPersistInformation("1d055e55-a2b9-4547-8311-907d05b0304d");
const QLatin1StringView kRetrieveInformation("d8710fc9-6e29-481e-a7d5-165eb16f8471");

// Python's str.strip() and str.split(): Unicode whitespace.
bool isPythonSpace(QChar c)
{
    return c.isSpace();
}

QString pythonStrip(const QString &text)
{
    qsizetype start = 0;
    qsizetype end = text.size();
    while (start < end && isPythonSpace(text.at(start)))
        ++start;
    while (end > start && isPythonSpace(text.at(end - 1)))
        --end;
    return text.mid(start, end - start);
}

Result<void> fillTextTemplate(const ValueMap &input, BlockContext &context)
{
    auto rendered = renderTemplate(in(input, "format").toString(), in(input, "values").toMap(),
                                   in(input, "escape_html").toBool());
    if (!rendered)
        return blockError(rendered.error().message);
    context.yield(QStringLiteral("output"), *rendered);
    return {};
}

Result<void> agentOutput(const ValueMap &input, BlockContext &context)
{
    const QString format = in(input, "format").toString();
    const Value value = in(input, "value");
    if (format.isEmpty()) {
        context.yield(QStringLiteral("output"), value);
        context.yield(QStringLiteral("name"), in(input, "name"));
        return {};
    }
    ValueMap variables;
    variables.insert(in(input, "name").toString(), value);
    auto rendered = renderTemplate(format, variables, in(input, "escape_html").toBool());
    // A template error becomes the output text, as AutoGPT does.
    context.yield(QStringLiteral("output"),
                  rendered ? Value(*rendered)
                           : Value(QStringLiteral("Error: %1, %2")
                                       .arg(rendered.error().message, Model::pythonStr(value))));
    return {};
}

Result<void> combineTexts(const ValueMap &input, BlockContext &context)
{
    QStringList parts;
    for (const Value &item : in(input, "input").toArray())
        parts.append(Model::pythonStr(item));
    context.yield(QStringLiteral("output"), parts.join(in(input, "delimiter").toString()));
    return {};
}

Result<void> textSplit(const ValueMap &input, BlockContext &context)
{
    const QString text = in(input, "text").toString();
    if (text.isEmpty()) {
        context.yield(QStringLiteral("texts"), ValueList());
        return {};
    }
    const QString delimiter = in(input, "delimiter").toString();
    if (delimiter.isEmpty())
        return blockError(QStringLiteral("empty separator"));
    ValueList texts;
    const bool strip = in(input, "strip").toBool();
    for (const QString &part : text.split(delimiter))
        texts.append(strip ? pythonStrip(part) : part);
    context.yield(QStringLiteral("texts"), texts);
    return {};
}

Result<void> textReplace(const ValueMap &input, BlockContext &context)
{
    const QString text = in(input, "text").toString();
    const QString old = in(input, "old").toString();
    const QString replacement = in(input, "new").toString();
    if (old.isEmpty()) {
        // Python inserts the replacement before every character and at the end.
        QString out;
        for (const QChar c : text)
            out += replacement + c;
        context.yield(QStringLiteral("output"), QString(out + replacement));
        return {};
    }
    context.yield(QStringLiteral("output"), QString(text).replace(old, replacement));
    return {};
}

Result<void> wordCharacterCount(const ValueMap &input, BlockContext &context)
{
    const QString text = in(input, "text").toString();
    static const QRegularExpression whitespace(QStringLiteral("\\s+"),
                                               QRegularExpression::UseUnicodePropertiesOption);
    context.yield(QStringLiteral("word_count"),
                  qint64(text.split(whitespace, Qt::SkipEmptyParts).size()));
    context.yield(QStringLiteral("character_count"), qint64(text.toUcs4().size()));
    return {};
}

bool hasNonFinite(const Value &value)
{
    QList<Value> pending {value};
    while (!pending.isEmpty()) {
        const Value current = pending.takeLast();
        if (current.isDouble() && !std::isfinite(current.toDouble()))
            return true;
        if (current.isArray()) {
            for (const Value &item : current.toArray())
                pending.append(item);
        } else if (current.isMap()) {
            const Model::ValueMap map = current.toMap();
            for (auto it = map.begin(); it != map.end(); ++it)
                pending.append(it.value());
        }
    }
    return false;
}

Result<void> jsonEncoder(const ValueMap &input, BlockContext &context)
{
    const Value data = in(input, "data");
    if (hasNonFinite(data))
        return blockError(QStringLiteral(
            "JSON Encoding Error: Out of range float values are not JSON compliant"));
    context.yield(QStringLiteral("json_str"), QString::fromUtf8(Model::toJson(data)));
    return {};
}

Result<void> jsonDecoder(const ValueMap &input, BlockContext &context)
{
    auto parsed = Model::parseJsonValue(in(input, "json_str").toString().toUtf8(),
                                        Model::JsonLimits {}, QStringLiteral("json_str"));
    if (!parsed)
        return blockError(QStringLiteral("JSON Decoding Error: %1").arg(parsed.error().message));
    context.yield(QStringLiteral("data"), *parsed);
    return {};
}

// Python's re flags for the text blocks.
QRegularExpression::PatternOptions regexOptions(const ValueMap &input)
{
    QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
    if (!in(input, "case_sensitive").toBool())
        options |= QRegularExpression::CaseInsensitiveOption;
    if (in(input, "dot_all").toBool())
        options |= QRegularExpression::DotMatchesEverythingOption;
    return options;
}

// A str as is; anything else as orjson writes it.
QString textOf(const Value &value)
{
    return value.isString() ? value.toString() : QString::fromUtf8(Model::toJson(value));
}

Result<void> matchTextPattern(const ValueMap &input, BlockContext &context)
{
    const Value data = in(input, "data");
    const Value output = Model::pythonTruthy(data) ? data : in(input, "text");
    const QRegularExpression pattern(in(input, "match").toString(), regexOptions(input));
    if (!pattern.isValid())
        return blockError(QStringLiteral("invalid pattern: %1").arg(pattern.errorString()));
    const bool found = pattern.match(textOf(in(input, "text"))).hasMatch();
    context.yield(found ? QStringLiteral("positive") : QStringLiteral("negative"), output);
    return {};
}

Result<void> extractTextInformation(const ValueMap &input, BlockContext &context)
{
    constexpr qsizetype kMaxText = 1000000;
    constexpr qsizetype kMaxMatch = 10000;
    constexpr int kMaxMatches = 1000;
    const Value original = in(input, "text");
    const QString text = textOf(original).left(kMaxText);
    const QRegularExpression pattern(in(input, "pattern").toString(), regexOptions(input));
    ValueList matches;
    if (pattern.isValid()) {
        const qint64 group = in(input, "group").toInteger();
        for (auto it = pattern.globalMatch(text); it.hasNext() && matches.size() < kMaxMatches;) {
            const QRegularExpressionMatch match = it.next();
            if (group >= 0 && group <= match.lastCapturedIndex())
                matches.append(match.captured(int(group)).left(kMaxMatch));
        }
        if (!in(input, "find_all").toBool() && matches.size() > 1)
            matches = ValueList {matches.first()};
    }
    // An invalid pattern (or one PCRE gives up on) finds nothing.
    for (const Value &match : std::as_const(matches))
        context.yield(QStringLiteral("positive"), match);
    if (matches.isEmpty())
        context.yield(QStringLiteral("negative"), original);
    context.yield(QStringLiteral("matched_results"), matches);
    context.yield(QStringLiteral("matched_count"), qint64(matches.size()));
    return {};
}

// Python's codecs.encode(text, "unicode_escape").
Result<void> textEncoder(const ValueMap &input, BlockContext &context)
{
    QString out;
    for (const uint point : in(input, "text").toString().toUcs4()) {
        if (point == u'\\')
            out += QLatin1String("\\\\");
        else if (point == u'\t')
            out += QLatin1String("\\t");
        else if (point == u'\n')
            out += QLatin1String("\\n");
        else if (point == u'\r')
            out += QLatin1String("\\r");
        else if (point < 0x20 || (point >= 0x7f && point <= 0xff))
            out += QStringLiteral("\\x%1").arg(point, 2, 16, QLatin1Char('0'));
        else if (point > 0xffff)
            out += QStringLiteral("\\U%1").arg(point, 8, 16, QLatin1Char('0'));
        else if (point > 0xff)
            out += QStringLiteral("\\u%1").arg(point, 4, 16, QLatin1Char('0'));
        else
            out += QChar(char16_t(point));
    }
    context.yield(QStringLiteral("encoded_text"), out);
    return {};
}

// Python's codecs.decode(text, "unicode_escape"): the text's UTF-8 bytes
// are read as Latin-1, so non-ASCII input comes out mangled, as upstream.
Result<void> textDecoder(const ValueMap &input, BlockContext &context)
{
    const QByteArray bytes = in(input, "text").toString().toUtf8();
    QString out;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes.at(i);
        if (c != '\\') {
            out += QChar(char16_t(static_cast<unsigned char>(c)));
            continue;
        }
        if (++i >= bytes.size())
            return blockError(QStringLiteral("'unicodeescape' codec can't decode byte 0x5c in "
                                             "position %1: \\ at end of string")
                                  .arg(i - 1));
        const char e = bytes.at(i);
        auto hex = [&](int digits) -> std::optional<uint> {
            // The escape needs `digits` hex digits after position i.
            if (i + digits >= bytes.size())
                return std::nullopt;
            bool ok = false;
            const uint value = QString::fromLatin1(bytes.mid(i + 1, digits)).toUInt(&ok, 16);
            if (!ok)
                return std::nullopt;
            i += digits;
            return value;
        };
        switch (e) {
        case '\n':
            break; // a backslash-newline is a line continuation
        case '\\':
            out += QLatin1Char('\\');
            break;
        case '\'':
            out += QLatin1Char('\'');
            break;
        case '"':
            out += QLatin1Char('"');
            break;
        case 'a':
            out += QChar(0x07);
            break;
        case 'b':
            out += QChar(0x08);
            break;
        case 'f':
            out += QChar(0x0c);
            break;
        case 'n':
            out += QLatin1Char('\n');
            break;
        case 'r':
            out += QLatin1Char('\r');
            break;
        case 't':
            out += QLatin1Char('\t');
            break;
        case 'v':
            out += QChar(0x0b);
            break;
        case 'x':
        case 'u':
        case 'U': {
            const auto value = hex(e == 'x' ? 2 : e == 'u' ? 4 : 8);
            if (!value || *value > 0x10ffff)
                return blockError(QStringLiteral("'unicodeescape' codec can't decode bytes in "
                                                 "position %1: truncated \\%2 escape")
                                      .arg(i - 1)
                                      .arg(QLatin1Char(e)));
            const char32_t point = *value;
            out += QString::fromUcs4(&point, 1);
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                uint value = uint(e - '0');
                for (int k = 0; k < 2 && i + 1 < bytes.size() && bytes.at(i + 1) >= '0'
                     && bytes.at(i + 1) <= '7';
                     ++k)
                    value = value * 8 + uint(bytes.at(++i) - '0');
                out += QChar(char16_t(value));
            } else {
                // Unknown escapes stay as they are.
                out += QLatin1Char('\\') + QChar(char16_t(static_cast<unsigned char>(e)));
            }
        }
    }
    context.yield(QStringLiteral("decoded_text"), out);
    return {};
}

Result<void> codeExtraction(const ValueMap &input, BlockContext &context)
{
    static const QList<std::pair<QString, QStringList>> languages = {
        {QStringLiteral("html"), {QStringLiteral("html"), QStringLiteral("htm")}},
        {QStringLiteral("css"), {QStringLiteral("css")}},
        {QStringLiteral("javascript"), {QStringLiteral("javascript"), QStringLiteral("js")}},
        {QStringLiteral("python"), {QStringLiteral("python"), QStringLiteral("py")}},
        {QStringLiteral("sql"), {QStringLiteral("sql")}},
        {QStringLiteral("java"), {QStringLiteral("java")}},
        {QStringLiteral("cpp"), {QStringLiteral("cpp"), QStringLiteral("c++")}},
        {QStringLiteral("csharp"),
         {QStringLiteral("csharp"), QStringLiteral("c#"), QStringLiteral("cs")}},
        {QStringLiteral("json_code"), {QStringLiteral("json")}},
        {QStringLiteral("bash"),
         {QStringLiteral("bash"), QStringLiteral("shell"), QStringLiteral("sh")}},
        {QStringLiteral("php"), {QStringLiteral("php")}},
        {QStringLiteral("ruby"), {QStringLiteral("ruby"), QStringLiteral("rb")}},
        {QStringLiteral("yaml"), {QStringLiteral("yaml"), QStringLiteral("yml")}},
        {QStringLiteral("markdown"), {QStringLiteral("markdown"), QStringLiteral("md")}},
        {QStringLiteral("typescript"), {QStringLiteral("typescript"), QStringLiteral("ts")}},
        {QStringLiteral("xml"), {QStringLiteral("xml")}},
    };
    const QString text = in(input, "text").toString();
    QStringList allAliases;
    for (const auto &[name, aliases] : languages) {
        QStringList perAlias;
        for (const QString &alias : aliases) {
            allAliases.append(QRegularExpression::escape(alias));
            const QRegularExpression block(QStringLiteral("```") + QRegularExpression::escape(alias)
                                               + QStringLiteral("[ \\t]*\\n(.*?)\\n```"),
                                           QRegularExpression::DotMatchesEverythingOption
                                               | QRegularExpression::CaseInsensitiveOption);
            QStringList found;
            for (auto it = block.globalMatch(text); it.hasNext();)
                found.append(it.next().captured(1).trimmed());
            const QString joined = found.join(QLatin1String("\n\n"));
            if (!joined.isEmpty())
                perAlias.append(joined);
        }
        const QString code = perAlias.join(QLatin1String("\n\n"));
        if (!code.isEmpty())
            context.yield(name, code);
    }
    QString remaining = text;
    remaining.remove(QRegularExpression(QStringLiteral("```(?:") + allAliases.join(QLatin1Char('|'))
                                        + QStringLiteral(")[ \\t]*\\n[\\s\\S]*?```")));
    remaining = remaining.trimmed();
    remaining.replace(QRegularExpression(QStringLiteral("\\n\\s*\\n")), QStringLiteral("\n"));
    if (!remaining.isEmpty())
        context.yield(QStringLiteral("remaining_text"), remaining);
    return {};
}

QString storageKey(const ValueMap &input, const BlockContext &context)
{
    const QString key = in(input, "key").toString();
    if (in(input, "scope").toString() == QLatin1String("across_agents"))
        return QStringLiteral("global#") + key;
    return QStringLiteral("agent#%1#%2").arg(context.executionContext().graphId, key);
}

Result<void> persistInformation(const ValueMap &input, BlockContext &context)
{
    const Value value = in(input, "value");
    if (auto written = context.writeKeyValue(storageKey(input, context), value); !written)
        return written;
    // The stored data comes back as AutoGPT's store returns it: falsy as null.
    context.yield(QStringLiteral("value"), Model::pythonTruthy(value) ? value : Value(nullptr));
    return {};
}

Result<void> retrieveInformation(const ValueMap &input, BlockContext &context)
{
    auto stored = context.readKeyValue(storageKey(input, context));
    if (!stored)
        return stored.error();
    context.yield(QStringLiteral("value"),
                  stored->has_value() ? **stored : in(input, "default_value"));
    return {};
}

} // namespace

void registerTextBlocks(BlockRegistry &registry)
{
    registry.add(kFillTextTemplate, fillTextTemplate);
    registry.add(BlockIds::AgentOutput, agentOutput);
    registry.add(kCombineTexts, combineTexts);
    registry.add(kTextSplit, textSplit);
    registry.add(kTextReplace, textReplace);
    registry.add(kWordCharacterCount, wordCharacterCount);
    registry.add(kJsonEncoder, jsonEncoder);
    registry.add(kJsonDecoder, jsonDecoder);
    registry.add(kMatchTextPattern, matchTextPattern);
    registry.add(kExtractTextInformation, extractTextInformation);
    registry.add(kTextEncoder, textEncoder);
    registry.add(kTextDecoder, textDecoder);
    registry.add(kCodeExtraction, codeExtraction);
    registry.add(kPersistInformation, persistInformation);
    registry.add(kRetrieveInformation, retrieveInformation);
}

} // namespace Signalbox::Engine
