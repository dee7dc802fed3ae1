// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/value.h"

namespace Signalbox::Engine {

// AutoGPT's _is_cost_filter_match: an object filter matches when each of its
// keys matches the input's (nested objects recursively), where a missing,
// null or empty value matches only a filter value that is one of those too;
// any other filter must equal the input.
bool isCostFilterMatch(const Model::Value &filter, const Model::Value &input);

struct BlockCost
{
    qint64 amount = 0;
    Model::Value filter;
};

// AutoGPT's block_usage_cost: the first of the block's cost rules whose
// filter matches the input, charged per run, per second of `runSeconds` or
// per byte of `dataSize` (truncated to a whole amount).
BlockCost blockUsageCost(const Model::BlockSchema &block, const Model::ValueMap &input,
                         double dataSize, double runSeconds);

// AutoGPT's execution_usage_cost: `perThreshold` every `threshold` node
// executions (when the count is a multiple of it), else nothing.
qint64 executionUsageCost(qint64 nodeExecutionCount, qint64 threshold, qint64 perThreshold);

} // namespace Signalbox::Engine
