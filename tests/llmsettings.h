// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/llm/llmcatalog.h"

namespace Signalbox::Testing {

// Adds a local OpenAI-compatible server ("LM Studio") at `baseUrl` that
// serves qwen2.5-7b-instruct, as a user adds one in Settings → Models.
inline void addLocalServer(Engine::Llm::LlmSettings &settings, const QUrl &baseUrl, bool usesKey,
                           bool jsonMode)
{
    Engine::Llm::Provider local;
    local.id = QStringLiteral("lmstudio");
    local.displayName = QStringLiteral("LM Studio");
    local.baseUrl = baseUrl;
    local.wire = Engine::Llm::Wire::OpenAiChat;
    local.jsonMode = jsonMode;
    local.usesKey = usesKey;
    local.custom = true;
    local.configured = true;
    settings.customProviders.append(local);
    Engine::Llm::LlmModel model;
    model.value = QStringLiteral("qwen2.5-7b-instruct");
    model.provider = local.id;
    model.contextWindow = 32768;
    model.custom = true;
    settings.customModels.append(model);
}

} // namespace Signalbox::Testing
