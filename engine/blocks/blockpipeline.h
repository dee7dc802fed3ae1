// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "block.h"

#include "model/blockschema.h"

namespace Signalbox::Engine {

class BlockRegistry;

// Runs one block through AutoGPT's Block.execute pipeline: null inputs are
// dropped, the input is validated against the block's input JSON Schema,
// pin defaults are applied and numbers coerced, then the block runs. Each
// output it yields is checked (standard blocks: the pin exists and the value
// has its type) and passed on to `context`. A yield on "error", a returned
// error, an invalid input or output ends the run with that message; yields
// after an error are dropped. Thread-safe for a shared registry.
Result<void> executeBlock(const BlockRegistry &registry, const QString &blockId,
                          const Model::ValueMap &input, BlockContext &context);

// What a block receives for `input` (executeBlock's first steps): nulls
// dropped, defaults applied, numbers coerced; and the problems validation
// finds, which would stop it.
struct PreparedInput
{
    Model::ValueMap input;
    QStringList problems;
};
PreparedInput prepareBlockInput(const BlockRegistry &registry, const Model::BlockSchema &schema,
                             const Model::ValueMap &input);

// `input` with the values of the schema's secret pins shown as dots.
Model::ValueMap maskSecrets(const Model::BlockSchema &schema, Model::ValueMap input);

// The input a block sees after nulls are dropped and defaults applied.
Model::ValueMap withDefaults(const Model::BlockSchema &schema, const Model::ValueMap &input);

} // namespace Signalbox::Engine
