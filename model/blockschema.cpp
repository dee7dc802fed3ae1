// SPDX-License-Identifier: GPL-3.0-or-later
#include "blockschema.h"

#include "enumnames.h"
#include "strictjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace Signalbox::Model {

namespace {

constexpr EnumName<PinType> kPinTypes[] = {
    {PinType::String, QLatin1StringView("string")},
    {PinType::Number, QLatin1StringView("number")},
    {PinType::Integer, QLatin1StringView("integer")},
    {PinType::Boolean, QLatin1StringView("boolean")},
    {PinType::Object, QLatin1StringView("object")},
    {PinType::List, QLatin1StringView("list")},
    {PinType::Any, QLatin1StringView("any")},
    {PinType::Credentials, QLatin1StringView("credentials")},
};

constexpr EnumName<BlockType> kBlockTypes[] = {
    {BlockType::Standard, QLatin1StringView("Standard")},
    {BlockType::Input, QLatin1StringView("Input")},
    {BlockType::Output, QLatin1StringView("Output")},
    {BlockType::Note, QLatin1StringView("Note")},
    {BlockType::Agent, QLatin1StringView("Agent")},
    {BlockType::HumanInTheLoop, QLatin1StringView("Human In The Loop")},
    {BlockType::Webhook, QLatin1StringView("Webhook")},
    {BlockType::Ai, QLatin1StringView("AI")},
};

const PinSpec *findPin(const QList<PinSpec> &pins, QStringView name)
{
    for (const PinSpec &pin : pins) {
        if (pin.name == name)
            return &pin;
    }
    return nullptr;
}

Result<PinSpec> readPin(const QJsonObject &object, const QString &where)
{
    PinSpec pin;
    pin.name = object.value(QLatin1String("name")).toString();
    if (pin.name.isEmpty())
        return makeError(ErrorCode::BadInput, where + QLatin1String(": a pin has no name"));
    const auto type = pinTypeFromName(object.value(QLatin1String("type")).toString());
    if (!type) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: pin %2 has an unknown type").arg(where, pin.name));
    }
    pin.type = *type;
    pin.description = object.value(QLatin1String("description")).toString();
    pin.title = object.value(QLatin1String("title")).toString();
    pin.required = object.value(QLatin1String("required")).toBool();
    pin.hasDefault = object.contains(QLatin1String("default"));
    pin.defaultValue = object.value(QLatin1String("default"));
    pin.advanced = object.value(QLatin1String("advanced")).toBool();
    pin.llmModel = object.value(QLatin1String("llm_model")).toBool();
    pin.secret = object.value(QLatin1String("secret")).toBool();
    pin.hidden = object.value(QLatin1String("hidden")).toBool();
    for (const QJsonValue &value : object.value(QLatin1String("enum")).toArray())
        pin.enumValues.append(value.toString());
    for (const QJsonValue &value : object.value(QLatin1String("credentials_provider")).toArray())
        pin.credentialsProviders.append(value.toString());
    for (const QJsonValue &value : object.value(QLatin1String("credentials_types")).toArray())
        pin.credentialsTypes.append(value.toString());
    return pin;
}

} // namespace

QString pinTypeName(PinType type)
{
    return enumName(kPinTypes, type);
}

std::optional<PinType> pinTypeFromName(QStringView name)
{
    return enumFromName(kPinTypes, name);
}

QString blockTypeName(BlockType type)
{
    return enumName(kBlockTypes, type);
}

std::optional<BlockType> blockTypeFromName(QStringView name)
{
    return enumFromName(kBlockTypes, name, Qt::CaseInsensitive);
}

const PinSpec *BlockSchema::input(QStringView pinName) const
{
    return findPin(inputs, pinName);
}

const PinSpec *BlockSchema::output(QStringView pinName) const
{
    return findPin(outputs, pinName);
}

Result<BlockCatalog> BlockCatalog::fromJson(const QByteArray &json, const QString &source)
{
    auto parsed = parseStrictJson(json, JsonLimits {}, source);
    if (!parsed)
        return parsed.error();
    if (!parsed->isArray())
        return makeError(ErrorCode::BadInput,
                         source + QLatin1String(": expected an array of blocks"));

    BlockCatalog catalog;
    for (const QJsonValue &entry : parsed->toArray()) {
        const QJsonObject object = entry.toObject();
        BlockSchema block;
        block.id = object.value(QLatin1String("id")).toString();
        block.name = object.value(QLatin1String("name")).toString();
        const QString where = QStringLiteral("%1: block %2").arg(source, block.name);
        if (block.id.isEmpty() || block.name.isEmpty())
            return makeError(ErrorCode::BadInput,
                             source + QLatin1String(": a block has no id or name"));
        if (catalog.m_indexById.contains(block.id))
            return makeError(ErrorCode::BadInput, where + QLatin1String(": duplicate block id"));
        block.description = object.value(QLatin1String("description")).toString();
        for (const QJsonValue &category : object.value(QLatin1String("categories")).toArray())
            block.categories.append(category.toString());
        const auto type = blockTypeFromName(object.value(QLatin1String("block_type")).toString());
        if (!type)
            return makeError(ErrorCode::BadInput, where + QLatin1String(": unknown block_type"));
        block.type = *type;
        block.staticOutput = object.value(QLatin1String("static_output")).toBool();
        block.isSensitiveAction = object.value(QLatin1String("is_sensitive_action")).toBool();
        for (const QJsonValue &pin : object.value(QLatin1String("inputs")).toArray()) {
            auto spec = readPin(pin.toObject(), where);
            if (!spec)
                return spec.error();
            block.inputs.append(*spec);
        }
        for (const QJsonValue &pin : object.value(QLatin1String("outputs")).toArray()) {
            auto spec = readPin(pin.toObject(), where);
            if (!spec)
                return spec.error();
            block.outputs.append(*spec);
        }
        for (const QJsonValue &entry : object.value(QLatin1String("costs")).toArray()) {
            const QJsonObject cost = entry.toObject();
            CostRule rule;
            const QString type = cost.value(QLatin1String("cost_type")).toString();
            if (type == QLatin1String("run"))
                rule.type = CostRule::Type::Run;
            else if (type == QLatin1String("second"))
                rule.type = CostRule::Type::Second;
            else if (type == QLatin1String("byte"))
                rule.type = CostRule::Type::Byte;
            else
                return makeError(ErrorCode::BadInput,
                                 where + QStringLiteral(": unknown cost_type \"%1\"").arg(type));
            rule.amount = cost.value(QLatin1String("cost_amount")).toInteger();
            rule.filter = cost.contains(QLatin1String("cost_filter"))
                ? cost.value(QLatin1String("cost_filter"))
                : QJsonValue(QJsonObject());
            block.costs.append(rule);
        }
        catalog.m_indexById.insert(block.id, catalog.m_blocks.size());
        catalog.m_blocks.append(std::move(block));
    }
    return catalog;
}

Result<BlockCatalog> BlockCatalog::builtin()
{
    QFile file(QStringLiteral(":/signalbox/blocks/builtin_blocks.json"));
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Internal,
                         QStringLiteral("the built-in block catalogue is missing"));
    return fromJson(file.readAll(), file.fileName());
}

const BlockSchema *BlockCatalog::schema(const QString &blockId) const
{
    const auto it = m_indexById.constFind(blockId);
    return it == m_indexById.constEnd() ? nullptr : &m_blocks.at(it.value());
}

QString blockDisplayName(const BlockSchema &schema)
{
    QString name = schema.name;
    if (name.endsWith(QLatin1String("Block")) && name.size() > 5)
        name.chop(5);
    QString spaced;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const bool boundary = i > 0 && c.isUpper()
            && (name.at(i - 1).isLower()
                || (i + 1 < name.size() && name.at(i + 1).isLower() && name.at(i - 1).isUpper()));
        if (boundary)
            spaced.append(QLatin1Char(' '));
        spaced.append(c);
    }
    return spaced;
}

} // namespace Signalbox::Model
