// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"
#include "model/value.h"

#include <optional>

namespace Signalbox::Engine {

// Dynamic pin names (AutoGPT's): "values_#_key" is entry `key` of the dict
// pin "values", "items_$_2" item 2 of the list pin "items", "obj_@_attr"
// attribute `attr` of the object pin "obj".
inline constexpr QLatin1StringView kDictSplit("_#_");
inline constexpr QLatin1StringView kListSplit("_$_");
inline constexpr QLatin1StringView kObjectSplit("_@_");

// The pin a (possibly dynamic) pin name belongs to: "values_#_a" -> "values".
QString basePinName(const QString &pinName);

// AutoGPT's merge_execution_input: folds every dynamic input into its base
// pin (lists padded with "" up to the index, then dicts, then objects). The
// dynamic entries stay in the input as they do upstream. A list index that
// is not a whole number is an error.
Result<Model::ValueMap> mergeDynamicInputs(Model::ValueMap input);

// AutoGPT's parse_execution_output: what a link whose source pin is
// `selector` carries when the block yielded (`pin`, `value`): the value itself
// when the names match, a list item, dict entry or object attribute for a
// dynamic selector, nothing otherwise.
std::optional<Model::Value> selectOutput(const QString &pin, const Model::Value &value,
                                         const QString &selector);

} // namespace Signalbox::Engine
