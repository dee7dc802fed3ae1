// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLatin1StringView>
#include <QString>

namespace Signalbox::Model {

// Dynamic pin names (AutoGPT's): "values_#_key" is entry `key` of the dict
// pin "values", "items_$_2" item 2 of the list pin "items", "obj_@_attr"
// attribute `attr` of the object pin "obj".
inline constexpr QLatin1StringView kDictSplit("_#_");
inline constexpr QLatin1StringView kListSplit("_$_");
inline constexpr QLatin1StringView kObjectSplit("_@_");

// The pin a (possibly dynamic) pin name belongs to: "values_#_a" -> "values".
QString basePinName(const QString &pinName);

// A SmartDecisionMaker's tool pins: "tools", and the argument it gives tool
// node `node` for its input `input`, "tools_^_<node>_~_<input>". Legacy
// exports name the tool links themselves "tools_^_<tool>_~_<field>".
inline constexpr QLatin1StringView kToolPrefix("tools_^_");
inline constexpr QLatin1StringView kToolSplit("_~_");
bool isToolPin(const QString &name);
QString toolArgumentPin(const QString &node, const QString &input);

} // namespace Signalbox::Model
