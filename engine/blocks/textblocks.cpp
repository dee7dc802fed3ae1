// SPDX-License-Identifier: GPL-3.0-or-later
// Text, JSON and persistence blocks.
#include "blockids.h"
#include "blockregistry.h"

#include "engine/template/template.h"

#include <QRegularExpression>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;

namespace {

const QLatin1StringView kFillTextTemplate("db7d8f02-2f44-4c55-ab7a-eae0941f0c30");
const QLatin1StringView kCombineTexts("e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85");
const QLatin1StringView kTextSplit("d5ea33c8-a575-477a-b42f-2fe3be5055ec");
const QLatin1StringView kTextReplace("7e7c87ab-3469-4bcc-9abe-67705091b713");
const QLatin1StringView kWordCharacterCount("ab2a782d-22cf-4587-8a70-55b59b3f9f90");
const QLatin1StringView kJsonEncoder("9a9d20c5-5b4d-4e94-8022-83b6cb72648a");
const QLatin1StringView kJsonDecoder("2b935639-65bc-48fd-9f88-823cd706fcd9");
const QLatin1StringView kPersistInformation("1d055e55-a2b9-4547-8311-907d05b0304d");
const QLatin1StringView kRetrieveInformation("d8710fc9-6e29-481e-a7d5-165eb16f8471");

Value in(const ValueMap &input, const char *pin)
{
    return input.value(QLatin1String(pin));
}

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
            for (auto it = current.toMap().begin(); it != current.toMap().end(); ++it)
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
    registry.add(kPersistInformation, persistInformation);
    registry.add(kRetrieveInformation, retrieveInformation);
}

} // namespace Signalbox::Engine
