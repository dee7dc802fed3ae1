// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/pinnames.h"
#include "model/result.h"
#include "model/value.h"

#include <optional>

namespace Signalbox::Engine {

using Model::basePinName;
using Model::kDictSplit;
using Model::kListSplit;
using Model::kObjectSplit;

// AutoGPT's merge_execution_input: folds every dynamic input into its base
// pin (lists padded with "" up to the index, then dicts, then objects). The
// dynamic entries stay in the input as they do upstream. A list index that
// is not a whole number is an error.
Result<Model::ValueMap> mergeDynamicInputs(Model::ValueMap input);

// AutoGPT's parse_execution_output: what a link whose source pin is
// `selector` carries when the block yielded (`pin`, `value`): the value itself
// when the names match, a list item, dict entry or object attribute for a
// dynamic selector, nothing otherwise. A SmartDecisionMaker's tool argument
// (pin "tools_^_<node>_~_<input>") goes only down a tool link ("tools", or a
// legacy "tools_^_..." selector) into that node's input.
std::optional<Model::Value> selectOutput(const QString &pin, const Model::Value &value,
                                         const QString &selector, const QString &sinkId = {},
                                         const QString &sinkName = {});

} // namespace Signalbox::Engine
