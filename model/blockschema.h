// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "result.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace Signalbox::Model {

// The JSON kind a pin carries (DESIGN §2).
enum class PinType { String, Number, Integer, Boolean, Object, List, Any, Credentials };

QString pinTypeName(PinType type);
std::optional<PinType> pinTypeFromName(QStringView name);

struct PinSpec
{
    QString name;
    PinType type = PinType::Any;
    QString description;
    QString title;
    bool required = false;
    bool hasDefault = false;
    QJsonValue defaultValue;
    bool advanced = false;
    // Holds a language model's id (AutoGPT's LlmModel): the editor offers
    // the catalogue's models.
    bool llmModel = false;
    bool secret = false;
    bool hidden = false;
    QStringList enumValues;
    // A credentials pin: the providers and credential types it accepts
    // (AutoGPT's CredentialsMetaInput[Literal[provider], Literal[type]]).
    QStringList credentialsProviders;
    QStringList credentialsTypes;
};

// One of a block's cost rules (AutoGPT's BlockCost): a charge per run, per
// second of run time or per byte of data, applying when `filter` matches
// the input.
struct CostRule
{
    enum class Type { Run, Second, Byte };
    Type type = Type::Run;
    qint64 amount = 0;
    QJsonValue filter = QJsonObject();
};

// AutoGPT's BlockType, spelled as its API's uiType.
enum class BlockType { Standard, Input, Output, Note, Agent, HumanInTheLoop, Webhook, Ai };

QString blockTypeName(BlockType type);
std::optional<BlockType> blockTypeFromName(QStringView name);

// What a block is: identity, pins and flags. Behaviour lives in the engine.
struct BlockSchema
{
    QString id;
    QString name;
    QString description;
    QStringList categories;
    BlockType type = BlockType::Standard;
    QList<PinSpec> inputs;
    QList<PinSpec> outputs;
    bool staticOutput = false;
    bool isSensitiveAction = false;
    // In order; the first whose filter matches applies.
    QList<CostRule> costs;

    const PinSpec *input(QStringView pinName) const;
    const PinSpec *output(QStringView pinName) const;
};

// A block's name for people: "StoreValueBlock" -> "Store Value".
QString blockDisplayName(const BlockSchema &schema);

// Read-only access to block schemas by id.
class BlockSchemaLookup
{
public:
    virtual ~BlockSchemaLookup() = default;
    virtual const BlockSchema *schema(const QString &blockId) const = 0;
};

// The block schemas described by a JSON catalogue: an array of objects with
// id, name, description, categories, block_type, static_output,
// is_sensitive_action, inputs and outputs (name, type, required, default,
// advanced, secret, hidden, title, description, enum), and costs
// ({"cost_type": "run"|"second"|"byte", "cost_amount", "cost_filter"}).
class BlockCatalog final : public BlockSchemaLookup
{
public:
    static Result<BlockCatalog> fromJson(const QByteArray &json, const QString &source);
    // The built-in blocks' catalogue compiled into the model library.
    static Result<BlockCatalog> builtin();

    const BlockSchema *schema(const QString &blockId) const override;
    const QList<BlockSchema> &blocks() const { return m_blocks; }

private:
    QList<BlockSchema> m_blocks;
    QHash<QString, qsizetype> m_indexById;
};

} // namespace Signalbox::Model
