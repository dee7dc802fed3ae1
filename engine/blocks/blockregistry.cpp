// SPDX-License-Identifier: GPL-3.0-or-later
#include "blockregistry.h"

#include <QJsonArray>
#include <QJsonObject>

#include "valueadapter.h"

#include <valijson/adapters/qtjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace Signalbox::Engine {

namespace {

QJsonObject pinSchema(const Model::PinSpec &pin)
{
    QJsonObject schema;
    switch (pin.type) {
    case Model::PinType::String:
        schema.insert(QStringLiteral("type"), QStringLiteral("string"));
        break;
    case Model::PinType::Number:
        schema.insert(QStringLiteral("type"), QStringLiteral("number"));
        break;
    case Model::PinType::Integer:
        schema.insert(QStringLiteral("type"), QStringLiteral("integer"));
        break;
    case Model::PinType::Boolean:
        schema.insert(QStringLiteral("type"), QStringLiteral("boolean"));
        break;
    case Model::PinType::Object:
    case Model::PinType::Credentials:
        schema.insert(QStringLiteral("type"), QStringLiteral("object"));
        break;
    case Model::PinType::List:
        schema.insert(QStringLiteral("type"), QStringLiteral("array"));
        break;
    case Model::PinType::Any:
        break;
    }
    // A list of choices: each item is one of them (AutoGPT's List[Enum]).
    if (!pin.enumValues.isEmpty() && pin.type == Model::PinType::List)
        schema.insert(QStringLiteral("items"),
                      QJsonObject {{QStringLiteral("enum"),
                                    QJsonArray::fromStringList(pin.enumValues)}});
    else if (!pin.enumValues.isEmpty())
        schema.insert(QStringLiteral("enum"), QJsonArray::fromStringList(pin.enumValues));
    if (!pin.description.isEmpty())
        schema.insert(QStringLiteral("description"), pin.description);
    return schema;
}

QJsonObject inputSchemaOf(const Model::BlockSchema &block)
{
    QJsonObject properties;
    QJsonArray required;
    for (const Model::PinSpec &pin : block.inputs) {
        properties.insert(pin.name, pinSchema(pin));
        if (pin.required)
            required.append(pin.name);
    }
    return QJsonObject {{QStringLiteral("type"), QStringLiteral("object")},
                        {QStringLiteral("properties"), properties},
                        {QStringLiteral("required"), required}};
}

} // namespace

BlockRegistry::BlockRegistry(Model::BlockCatalog catalog)
    : m_catalog(std::move(catalog))
{
    for (const Model::BlockSchema &block : m_catalog.blocks()) {
        auto schema = std::make_shared<valijson::Schema>();
        valijson::SchemaParser parser;
        const QJsonValue document = inputSchemaOf(block);
        valijson::adapters::QtJsonAdapter adapter(document);
        parser.populateSchema(adapter, *schema);
        m_inputSchemas.insert(block.id, std::move(schema));
    }
}

BlockRegistry::~BlockRegistry() = default;

Result<std::shared_ptr<const BlockRegistry>> BlockRegistry::builtin()
{
    auto catalog = Model::BlockCatalog::builtin();
    if (!catalog)
        return catalog.error();
    return withBuiltinBlocks(std::move(*catalog));
}

Result<std::shared_ptr<const BlockRegistry>>
BlockRegistry::withBuiltinBlocks(Model::BlockCatalog catalog,
                                 const QHash<QString, BlockFunction> &more)
{
    auto registry = std::make_shared<BlockRegistry>(std::move(catalog));
    registerBasicBlocks(*registry);
    registerListBlocks(*registry);
    registerDictionaryBlocks(*registry);
    registerLogicBlocks(*registry);
    registerTimeBlocks(*registry);
    registerTextBlocks(*registry);
    registerXmlBlocks(*registry);
    registerSpreadsheetBlocks(*registry);
    registerFileBlocks(*registry);
    registerDataSamplingBlock(*registry);
    registerWebRequestBlocks(*registry);
    registerLlmBlocks(*registry);
    registerOrchestratorBlock(*registry);
    for (auto it = more.begin(); it != more.end(); ++it) {
        if (!registry->schema(it.key()))
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("block %1 is not in the catalogue").arg(it.key()));
        registry->add(it.key(), it.value());
    }
    return std::shared_ptr<const BlockRegistry>(std::move(registry));
}

const Model::BlockSchema *BlockRegistry::schema(const QString &blockId) const
{
    return m_catalog.schema(blockId);
}

const BlockFunction *BlockRegistry::implementation(const QString &blockId) const
{
    const auto it = m_functions.constFind(blockId);
    return it == m_functions.constEnd() ? nullptr : &it.value();
}

QJsonObject BlockRegistry::inputJsonSchema(const QString &blockId) const
{
    const Model::BlockSchema *block = schema(blockId);
    return block ? inputSchemaOf(*block) : QJsonObject();
}

QStringList BlockRegistry::validateInput(const QString &blockId, const Model::ValueMap &input) const
{
    const auto schemaIt = m_inputSchemas.constFind(blockId);
    if (schemaIt == m_inputSchemas.constEnd())
        return {QStringLiteral("unknown block %1").arg(blockId)};
    const ValueSchema::ValueAdapter adapter {Model::Value(input)};
    valijson::Validator validator;
    valijson::ValidationResults results;
    if (validator.validate(**schemaIt, adapter, &results))
        return {};
    QStringList problems;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
        QStringList path;
        for (const std::string &part : error.context) {
            if (part != "<root>")
                path.append(
                    QString::fromStdString(part).remove(QLatin1Char('[')).remove(QLatin1Char(']')));
        }
        const QString where
            = path.isEmpty() ? QString() : path.join(QLatin1Char('.')) + QLatin1String(": ");
        problems.append(where + QString::fromStdString(error.description));
    }
    return problems;
}

void BlockRegistry::add(const QString &blockId, BlockFunction function)
{
    if (!m_catalog.schema(blockId))
        qFatal("BlockRegistry::add: block %s is not in the catalogue", qPrintable(blockId));
    m_functions.insert(blockId, std::move(function));
}

} // namespace Signalbox::Engine
