// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/value.h"

// Reading and writing the JSON of model conversations: messages, tool calls
// and provider answers.
namespace Signalbox::Engine::Llm {

// The entry `key` of a map, as text (empty when absent or not a map).
inline QString str(const Model::Value &map, const char *key)
{
    return map.toMap().value(QLatin1String(key)).toString();
}

// The entry `key` of a map (undefined when absent or not a map).
inline Model::Value field(const Model::Value &map, const char *key)
{
    return map.toMap().value(QLatin1String(key));
}

// A chat message: {"role": role, "content": content}.
inline Model::ValueMap message(const QString &role, const Model::Value &content)
{
    Model::ValueMap map;
    map.insert(QStringLiteral("role"), role);
    map.insert(QStringLiteral("content"), content);
    return map;
}

} // namespace Signalbox::Engine::Llm
