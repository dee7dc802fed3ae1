// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "block.h"

#include "model/blockschema.h"

#include <QDateTime>
#include <QHash>

#include <memory>

namespace valijson {
class Schema;
}

namespace Signalbox::Engine {

// The built-in blocks: the catalogue of schemas (AutoGPT's ids and pins) and
// the functions that implement them. Read-only once built, so it may be
// shared by every thread.
class BlockRegistry final : public Model::BlockSchemaLookup
{
public:
    // The catalogue with every block Signalbox implements.
    static Result<std::shared_ptr<const BlockRegistry>> builtin();
    // The built-in implementations over another catalogue (one that adds
    // blocks, say), and `more` for blocks of it they do not cover.
    static Result<std::shared_ptr<const BlockRegistry>>
    withBuiltinBlocks(Model::BlockCatalog catalog, const QHash<QString, BlockFunction> &more = {});

    explicit BlockRegistry(Model::BlockCatalog catalog);
    ~BlockRegistry() override;

    const Model::BlockSchema *schema(const QString &blockId) const override;
    // Null when the block is in the catalogue but not implemented.
    const BlockFunction *implementation(const QString &blockId) const;
    // Every block of the catalogue, implemented or not, in catalogue order.
    const QList<Model::BlockSchema> &blocks() const { return m_catalog.blocks(); }

    // The block's input pins as a JSON Schema object.
    QJsonObject inputJsonSchema(const QString &blockId) const;
    // Validates an input (nulls already dropped) against the block's input
    // JSON Schema with valijson; every problem listed.
    QStringList validateInput(const QString &blockId, const Model::ValueMap &input) const;

    // Adds or replaces a block's implementation; the id must be in the catalogue.
    void add(const QString &blockId, BlockFunction function);

private:
    Model::BlockCatalog m_catalog;
    QHash<QString, BlockFunction> m_functions;
    QHash<QString, std::shared_ptr<valijson::Schema>> m_inputSchemas;
};

// Python's datetime.strftime and isoformat(timespec="seconds" or
// "microseconds") for the time blocks.
QString pythonStrftime(const QDateTime &time, const QString &format);
QString pythonIsoFormat(const QDateTime &time, bool microseconds);

// Each file of built-in blocks registers its own.
void registerBasicBlocks(BlockRegistry &registry);
void registerListBlocks(BlockRegistry &registry);
void registerDictionaryBlocks(BlockRegistry &registry);
void registerLogicBlocks(BlockRegistry &registry);
void registerTimeBlocks(BlockRegistry &registry);
void registerTextBlocks(BlockRegistry &registry);
void registerXmlBlocks(BlockRegistry &registry);
void registerSpreadsheetBlocks(BlockRegistry &registry);
void registerWebRequestBlocks(BlockRegistry &registry);
void registerFileBlocks(BlockRegistry &registry);
void registerDataSamplingBlock(BlockRegistry &registry);
void registerLlmBlocks(BlockRegistry &registry);
void registerOrchestratorBlock(BlockRegistry &registry);

} // namespace Signalbox::Engine
