// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/net/httpclient.h"
#include "model/blockschema.h"
#include "model/value.h"
#include "model/result.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

namespace Signalbox::Engine::Llm {

// How a provider is spoken to.
enum class Wire {
    // OpenAI's Responses API: POST /responses.
    OpenAiResponses,
    // OpenAI chat completions, as Groq, OpenRouter, llama.cpp's server, LM
    // Studio and vLLM speak it: POST /chat/completions.
    OpenAiChat,
    // Anthropic's Messages API: POST /v1/messages.
    AnthropicMessages,
    // Ollama's POST /api/chat.
    OllamaChat,
};
QString wireName(Wire wire);
std::optional<Wire> wireFromName(QStringView name);

// What a provider does with the tools a block offers.
enum class ToolSupport { Supported, Refused, Dropped };

struct Provider
{
    QString id;
    QString displayName;
    QUrl baseUrl;
    Wire wire = Wire::OpenAiChat;
    // Whether it honours a JSON-mode request.
    bool jsonMode = false;
    ToolSupport tools = ToolSupport::Supported;
    // Extra headers upstream sends to it (OpenRouter's HTTP-Referer...).
    HttpHeaders headers;
    // Whether its key is used: Ollama's is not.
    bool usesKey = true;
    // Added by the user (a local server), not one of the catalogue's.
    bool custom = false;
    // The user set its base URL: its host is trusted, loopback included.
    bool configured = false;
};

// Credits per million tokens.
struct TokenRates
{
    double input = 0;
    double output = 0;
    double cacheRead = 0;
    double cacheCreation = 0;
};

struct LlmModel
{
    // What graphs store in a node's `model` input.
    QString value;
    QString provider;
    QString displayName;
    QString creator;
    int contextWindow = 8192;
    std::optional<int> maxOutputTokens;
    int priceTier = 1;
    std::optional<TokenRates> rates;
    // No longer offered upstream: kept so that old graphs run.
    bool retired = false;
    // Added by the user for a local server.
    bool custom = false;
};

// Where providers live and which models the user added, as the user set
// them (Settings → Models, `signalbox models`).
struct LlmSettings
{
    // Base URLs the user set, by provider id.
    QMap<QString, QUrl> baseUrls;
    // OpenAI-compatible servers the user added.
    QList<Provider> customProviders;
    QList<LlmModel> customModels;
    // The model new nodes get; empty for the catalogue's.
    QString defaultModel;
    // Whether answers are requested as a stream, shown as they arrive.
    bool stream = true;

    static LlmSettings load();
    void save() const;

    // Where `provider` (a catalogue provider or an added server) is
    // reached: an http or https URL.
    Result<void> setBaseUrl(const QString &provider, const QUrl &url);
    // Adds (or replaces) an OpenAI-compatible server, or an Ollama host
    // with wire OllamaChat, under a new provider id.
    Result<void> addServer(const QString &id, const QString &displayName, const QUrl &url,
                           Wire wire, bool usesKey);
    bool removeServer(const QString &id);
    // Adds (or replaces) a model of a provider the catalogue or the user has.
    Result<void> addModel(const LlmModel &model);
    bool removeModel(const QString &value);
};


// The models and providers blocks can use: AutoGPT's catalogue, plus what
// the user configured.
class Catalog
{
public:
    // AutoGPT's catalogue alone.
    static const Catalog &builtin();
    // The catalogue with the user's base URLs, servers and models.
    static Catalog withSettings(const LlmSettings &settings);

    const QList<Provider> &providers() const { return m_providers; }
    const QList<LlmModel> &models() const { return m_models; }
    const Provider *provider(const QString &id) const;
    QString defaultModel() const { return m_defaultModel; }

    // The model a stored value names, as upstream resolves it: the value
    // itself, a retired value through its mapping, an OpenRouter alias, or
    // the value without its first "vendor/" segment.
    const LlmModel *resolve(const QString &value) const;

    // Whether a request to `url` goes to a base URL the user configured (or
    // to the Ollama host), which may then be on this computer or the LAN.
    bool isTrusted(const QUrl &url) const;

private:
    static Catalog parse(const QJsonObject &object);

    QList<Provider> m_providers;
    QList<LlmModel> m_models;
    QMap<QString, QString> m_legacy;
    QString m_defaultModel;
};

// The models a provider's server offers: Ollama's /api/tags, or an
// OpenAI-compatible server's /models. `apiKey` is sent when given.
Result<QList<LlmModel>> discoverModels(const Catalog &catalog, const QString &providerId,
                                       const QString &apiKey, NetworkPolicy policy,
                                       const std::function<bool()> &cancelled = {});

// Whether a node of `schema` with `input` calls a model whose provider takes
// no key (Ollama): its credentials pin may then stay empty. Models the
// built-in catalogue does not know are checked when the block runs.
bool takesNoKey(const Model::BlockSchema &schema, const Model::ValueMap &input);

// The credits a call costs under upstream's token rates: per million tokens,
// rounded up; none for a model without rates.
qint64 tokenCredits(const LlmModel &model, qint64 input, qint64 output, qint64 cacheRead,
                    qint64 cacheCreation);

} // namespace Signalbox::Engine::Llm
