// SPDX-License-Identifier: GPL-3.0-or-later
#include "llmcatalog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSettings>

#include <cmath>

namespace Signalbox::Engine::Llm {

namespace {

// OpenRouter-style ids upstream maps to its own models.
const QMap<QString, QString> &openRouterAliases()
{
    static const QMap<QString, QString> aliases {
        {QStringLiteral("anthropic/claude-haiku-4-5"), QStringLiteral("claude-haiku-4-5-20251001")},
        {QStringLiteral("anthropic/claude-opus-4-5"), QStringLiteral("claude-opus-4-5-20251101")},
        {QStringLiteral("anthropic/claude-sonnet-4-5"), QStringLiteral("claude-sonnet-4-5-20250929")},
        {QStringLiteral("openai/gpt-5.4"), QStringLiteral("gpt-5.4-2026-03-05")},
        {QStringLiteral("openai/gpt-5.4-mini"), QStringLiteral("gpt-5.4-mini-2026-03-17")},
        {QStringLiteral("openai/gpt-5.4-nano"), QStringLiteral("gpt-5.4-nano-2026-03-17")},
        {QStringLiteral("openai/gpt-5.5"), QStringLiteral("gpt-5.5-2026-04-23")},
    };
    return aliases;
}

QString settingsGroup()
{
    return QStringLiteral("models");
}

QSettings openSettings()
{
    // The desktop's organisation and application names, whichever face asks.
    return QSettings(QStringLiteral("Signalbox"), QStringLiteral("signalbox"));
}

ToolSupport toolSupportFromName(const QString &name)
{
    if (name == QLatin1String("refused"))
        return ToolSupport::Refused;
    if (name == QLatin1String("dropped"))
        return ToolSupport::Dropped;
    return ToolSupport::Supported;
}

LlmModel modelFromJson(const QJsonObject &object)
{
    LlmModel model;
    model.value = object.value(QLatin1String("value")).toString();
    model.provider = object.value(QLatin1String("provider")).toString();
    model.displayName = object.value(QLatin1String("display_name")).toString(model.value);
    model.creator = object.value(QLatin1String("creator")).toString();
    model.contextWindow = object.value(QLatin1String("context_window")).toInt(8192);
    if (const QJsonValue max = object.value(QLatin1String("max_output_tokens")); max.isDouble())
        model.maxOutputTokens = max.toInt();
    model.priceTier = object.value(QLatin1String("price_tier")).toInt(1);
    if (const QJsonObject rates = object.value(QLatin1String("token_rates")).toObject();
        !rates.isEmpty()) {
        model.rates = TokenRates {rates.value(QLatin1String("input")).toDouble(),
                                  rates.value(QLatin1String("output")).toDouble(),
                                  rates.value(QLatin1String("cache_read")).toDouble(),
                                  rates.value(QLatin1String("cache_creation")).toDouble()};
    }
    model.retired = object.value(QLatin1String("retired")).toBool();
    model.custom = object.value(QLatin1String("custom")).toBool();
    return model;
}

QJsonObject modelToJson(const LlmModel &model)
{
    QJsonObject object {{QStringLiteral("value"), model.value},
                        {QStringLiteral("provider"), model.provider},
                        {QStringLiteral("display_name"), model.displayName},
                        {QStringLiteral("context_window"), model.contextWindow}};
    if (model.maxOutputTokens)
        object.insert(QStringLiteral("max_output_tokens"), *model.maxOutputTokens);
    return object;
}

} // namespace

QString wireName(Wire wire)
{
    switch (wire) {
    case Wire::OpenAiResponses:
        return QStringLiteral("openai_responses");
    case Wire::OpenAiChat:
        return QStringLiteral("openai_chat");
    case Wire::AnthropicMessages:
        return QStringLiteral("anthropic_messages");
    case Wire::OllamaChat:
        return QStringLiteral("ollama_chat");
    }
    return {};
}

std::optional<Wire> wireFromName(QStringView name)
{
    for (Wire wire : {Wire::OpenAiResponses, Wire::OpenAiChat, Wire::AnthropicMessages,
                      Wire::OllamaChat}) {
        if (name == wireName(wire))
            return wire;
    }
    return std::nullopt;
}

LlmSettings LlmSettings::load()
{
    QSettings settings = openSettings();
    settings.beginGroup(settingsGroup());
    LlmSettings loaded;
    const QJsonObject urls
        = QJsonDocument::fromJson(settings.value(QStringLiteral("baseUrls")).toByteArray()).object();
    for (auto it = urls.begin(); it != urls.end(); ++it)
        loaded.baseUrls.insert(it.key(), QUrl(it.value().toString()));
    const QJsonArray servers
        = QJsonDocument::fromJson(settings.value(QStringLiteral("servers")).toByteArray()).array();
    for (const QJsonValue &value : servers) {
        const QJsonObject object = value.toObject();
        Provider server;
        server.id = object.value(QLatin1String("id")).toString();
        server.displayName = object.value(QLatin1String("display_name")).toString(server.id);
        server.baseUrl = QUrl(object.value(QLatin1String("base_url")).toString());
        server.wire = wireFromName(object.value(QLatin1String("wire")).toString())
                          .value_or(Wire::OpenAiChat);
        server.jsonMode = object.value(QLatin1String("json_mode")).toBool(true);
        server.usesKey = object.value(QLatin1String("uses_key")).toBool(true);
        server.custom = true;
        server.configured = true;
        if (!server.id.isEmpty())
            loaded.customProviders.append(server);
    }
    const QJsonArray models
        = QJsonDocument::fromJson(settings.value(QStringLiteral("custom")).toByteArray()).array();
    for (const QJsonValue &value : models) {
        LlmModel model = modelFromJson(value.toObject());
        model.custom = true;
        if (!model.value.isEmpty())
            loaded.customModels.append(model);
    }
    loaded.defaultModel = settings.value(QStringLiteral("default")).toString();
    loaded.stream = settings.value(QStringLiteral("stream"), true).toBool();
    return loaded;
}

void LlmSettings::save() const
{
    QSettings settings = openSettings();
    settings.beginGroup(settingsGroup());
    QJsonObject urls;
    for (auto it = baseUrls.begin(); it != baseUrls.end(); ++it)
        urls.insert(it.key(), it.value().toString());
    settings.setValue(QStringLiteral("baseUrls"), QJsonDocument(urls).toJson(QJsonDocument::Compact));
    QJsonArray servers;
    for (const Provider &server : customProviders) {
        servers.append(QJsonObject {{QStringLiteral("id"), server.id},
                                    {QStringLiteral("display_name"), server.displayName},
                                    {QStringLiteral("base_url"), server.baseUrl.toString()},
                                    {QStringLiteral("wire"), wireName(server.wire)},
                                    {QStringLiteral("json_mode"), server.jsonMode},
                                    {QStringLiteral("uses_key"), server.usesKey}});
    }
    settings.setValue(QStringLiteral("servers"),
                      QJsonDocument(servers).toJson(QJsonDocument::Compact));
    QJsonArray models;
    for (const LlmModel &model : customModels)
        models.append(modelToJson(model));
    settings.setValue(QStringLiteral("custom"), QJsonDocument(models).toJson(QJsonDocument::Compact));
    settings.setValue(QStringLiteral("default"), defaultModel);
    settings.setValue(QStringLiteral("stream"), stream);
}

namespace {

Result<void> checkUrl(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("\"%1\" is not an http or https URL").arg(url.toString()));
    return {};
}

bool isProviderId(const QString &id)
{
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9][a-z0-9_-]{0,39}$"));
    return valid.match(id).hasMatch();
}

} // namespace

Result<void> LlmSettings::setBaseUrl(const QString &provider, const QUrl &url)
{
    if (auto checked = checkUrl(url); !checked)
        return checked;
    for (Provider &server : customProviders) {
        if (server.id == provider) {
            server.baseUrl = url;
            return {};
        }
    }
    if (!Catalog::builtin().provider(provider))
        return makeError(ErrorCode::NotFound, QStringLiteral("No provider \"%1\"").arg(provider));
    baseUrls.insert(provider, url);
    return {};
}

Result<void> LlmSettings::addServer(const QString &id, const QString &displayName, const QUrl &url,
                                    Wire wire, bool usesKey)
{
    if (!isProviderId(id))
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("A server's id is up to 40 lower-case letters, digits, "
                                        "\"-\" and \"_\", not \"%1\"")
                             .arg(id));
    if (Catalog::builtin().provider(id))
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("\"%1\" is one of the catalogue's providers: set its "
                                        "base URL instead")
                             .arg(id));
    if (auto checked = checkUrl(url); !checked)
        return checked;
    if (wire != Wire::OpenAiChat && wire != Wire::OllamaChat)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("An added server speaks OpenAI chat completions or Ollama"));
    removeServer(id);
    Provider server;
    server.id = id;
    server.displayName = displayName.isEmpty() ? id : displayName;
    server.baseUrl = url;
    server.wire = wire;
    server.jsonMode = true;
    server.usesKey = usesKey && wire != Wire::OllamaChat;
    server.custom = true;
    server.configured = true;
    customProviders.append(server);
    return {};
}

bool LlmSettings::removeServer(const QString &id)
{
    const auto removed = customProviders.removeIf([&](const Provider &p) { return p.id == id; });
    return removed > 0;
}

Result<void> LlmSettings::addModel(const LlmModel &model)
{
    if (model.value.trimmed().isEmpty())
        return makeError(ErrorCode::BadInput, QStringLiteral("A model needs its id"));
    const bool known = Catalog::builtin().provider(model.provider)
        || std::any_of(customProviders.begin(), customProviders.end(),
                       [&](const Provider &p) { return p.id == model.provider; });
    if (!known)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("No provider \"%1\": add the server first").arg(model.provider));
    if (model.contextWindow < 1)
        return makeError(ErrorCode::BadInput, QStringLiteral("The context window must be at least 1 token"));
    for (const LlmModel &known : Catalog::builtin().models()) {
        if (known.value == model.value && known.provider != model.provider)
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("\"%1\" is %2's model in the catalogue; a model id "
                                            "names one model")
                                 .arg(model.value, known.provider));
    }
    removeModel(model.value);
    LlmModel added = model;
    added.custom = true;
    if (added.displayName.isEmpty())
        added.displayName = added.value;
    customModels.append(added);
    return {};
}

bool LlmSettings::removeModel(const QString &value)
{
    return customModels.removeIf([&](const LlmModel &m) { return m.value == value; }) > 0;
}

Result<QList<LlmModel>> discoverModels(const Catalog &catalog, const QString &providerId,
                                       const QString &apiKey, NetworkPolicy policy,
                                       const std::function<bool()> &cancelled)
{
    const Provider *provider = catalog.provider(providerId);
    if (!provider)
        return makeError(ErrorCode::NotFound, QStringLiteral("No provider \"%1\"").arg(providerId));
    const bool ollama = provider->wire == Wire::OllamaChat;
    if (!ollama && provider->wire != Wire::OpenAiChat && provider->wire != Wire::OpenAiResponses)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1 does not list its models").arg(provider->displayName));
    HttpRequest request;
    request.url = provider->baseUrl;
    QString path = request.url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    request.url.setPath(path + (ollama ? QStringLiteral("/api/tags") : QStringLiteral("/models")));
    if (!apiKey.isEmpty() && !ollama)
        request.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + apiKey.toUtf8()});
    if (catalog.isTrusted(request.url)) {
        policy.allowLoopback = true;
        policy.allowPrivate = true;
    }
    auto response = sendHttpRequest(request, policy, cancelled);
    if (!response)
        return response.error();
    if (response->status != 200)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1 answered HTTP %2: %3")
                             .arg(request.url.toDisplayString(), QString::number(response->status),
                                  QString::fromUtf8(response->body.left(300))));
    const QJsonObject body = QJsonDocument::fromJson(response->body).object();
    QList<LlmModel> models;
    const QJsonArray list = body.value(ollama ? QLatin1String("models") : QLatin1String("data")).toArray();
    for (const QJsonValue &entry : list) {
        const QString id = entry.toObject().value(ollama ? QLatin1String("name") : QLatin1String("id")).toString();
        if (id.isEmpty())
            continue;
        LlmModel model;
        model.value = id;
        model.provider = providerId;
        model.displayName = id;
        model.custom = true;
        // A model id is one model: one the catalogue has stays its own.
        for (const LlmModel &known : catalog.models()) {
            if (known.value == id)
                model = known;
        }
        models.append(model);
    }
    return models;
}

Catalog Catalog::parse(const QJsonObject &object)
{
    Catalog catalog;
    catalog.m_defaultModel = object.value(QLatin1String("default_model")).toString();
    const QJsonObject legacy = object.value(QLatin1String("legacy_model_mappings")).toObject();
    for (auto it = legacy.begin(); it != legacy.end(); ++it)
        catalog.m_legacy.insert(it.key(), it.value().toString());
    const QJsonObject providers = object.value(QLatin1String("providers")).toObject();
    for (auto it = providers.begin(); it != providers.end(); ++it) {
        const QJsonObject spec = it.value().toObject();
        Provider provider;
        provider.id = it.key();
        provider.displayName = spec.value(QLatin1String("display_name")).toString();
        provider.baseUrl = QUrl(spec.value(QLatin1String("base_url")).toString());
        provider.wire = wireFromName(spec.value(QLatin1String("wire")).toString())
                            .value_or(Wire::OpenAiChat);
        provider.jsonMode = spec.value(QLatin1String("json_mode")).toBool();
        provider.tools = toolSupportFromName(spec.value(QLatin1String("tools")).toString());
        const QJsonObject headers = spec.value(QLatin1String("headers")).toObject();
        for (auto header = headers.begin(); header != headers.end(); ++header)
            provider.headers.append({header.key().toUtf8(), header.value().toString().toUtf8()});
        provider.usesKey = provider.wire != Wire::OllamaChat;
        // The Ollama host is this computer's unless the user says otherwise.
        provider.configured = provider.wire == Wire::OllamaChat;
        catalog.m_providers.append(provider);
    }
    for (const QJsonValue &value : object.value(QLatin1String("models")).toArray())
        catalog.m_models.append(modelFromJson(value.toObject()));
    return catalog;
}

const Catalog &Catalog::builtin()
{
    static const Catalog catalog = [] {
        QFile file(QStringLiteral(":/signalbox/llm/llm_models.json"));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("The built-in model catalogue is missing");
        return parse(QJsonDocument::fromJson(file.readAll()).object());
    }();
    return catalog;
}

Catalog Catalog::withSettings(const LlmSettings &settings)
{
    Catalog catalog = builtin();
    for (Provider &provider : catalog.m_providers) {
        if (const QUrl url = settings.baseUrls.value(provider.id); url.isValid() && !url.isEmpty()) {
            provider.baseUrl = url;
            provider.configured = true;
        }
    }
    for (const Provider &server : settings.customProviders) {
        catalog.m_providers.removeIf([&](const Provider &p) { return p.id == server.id; });
        catalog.m_providers.append(server);
    }
    for (const LlmModel &model : settings.customModels) {
        catalog.m_models.removeIf([&](const LlmModel &m) { return m.value == model.value; });
        catalog.m_models.append(model);
    }
    if (!settings.defaultModel.isEmpty() && catalog.resolve(settings.defaultModel))
        catalog.m_defaultModel = settings.defaultModel;
    return catalog;
}

const Provider *Catalog::provider(const QString &id) const
{
    for (const Provider &provider : m_providers) {
        if (provider.id == id)
            return &provider;
    }
    return nullptr;
}

const LlmModel *Catalog::resolve(const QString &value) const
{
    const auto find = [this](const QString &candidate) -> const LlmModel * {
        for (const LlmModel &model : m_models) {
            if (model.value == candidate)
                return &model;
        }
        return nullptr;
    };
    if (const QString mapped = m_legacy.value(value); !mapped.isEmpty()) {
        if (const LlmModel *model = find(mapped))
            return model;
    }
    if (const LlmModel *model = find(value))
        return model;
    if (const QString alias = openRouterAliases().value(value); !alias.isEmpty())
        return find(alias);
    if (const qsizetype slash = value.indexOf(QLatin1Char('/')); slash >= 0)
        return find(value.mid(slash + 1));
    return nullptr;
}

bool Catalog::isTrusted(const QUrl &url) const
{
    for (const Provider &provider : m_providers) {
        if (!provider.configured)
            continue;
        const QUrl base = provider.baseUrl;
        if (base.host().compare(url.host(), Qt::CaseInsensitive) == 0
            && base.port(base.scheme() == QLatin1String("https") ? 443 : 80)
                == url.port(url.scheme() == QLatin1String("https") ? 443 : 80))
            return true;
    }
    return false;
}

bool takesNoKey(const Model::BlockSchema &schema, const Model::ValueMap &input)
{
    for (const Model::PinSpec &pin : schema.inputs) {
        if (!pin.llmModel)
            continue;
        const Catalog &catalog = Catalog::builtin();
        const Model::Value chosen = input.value(pin.name);
        const QString value = chosen.isString() && !chosen.toString().isEmpty()
            ? chosen.toString()
            : catalog.defaultModel();
        const LlmModel *model = catalog.resolve(value);
        if (!model)
            return true;
        const Provider *provider = catalog.provider(model->provider);
        return provider && !provider->usesKey;
    }
    return false;
}

qint64 tokenCredits(const LlmModel &model, qint64 input, qint64 output, qint64 cacheRead,
                    qint64 cacheCreation)
{
    if (!model.rates)
        return 0;
    const TokenRates &rates = *model.rates;
    const double total = double(input) * rates.input + double(output) * rates.output
        + double(cacheRead) * rates.cacheRead + double(cacheCreation) * rates.cacheCreation;
    return qint64(std::ceil(total / 1'000'000.0));
}

} // namespace Signalbox::Engine::Llm
