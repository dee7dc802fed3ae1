// SPDX-License-Identifier: GPL-3.0-or-later
#include "modelscommand.h"

#include "cli.h"
#include "clisupport.h"

#include "engine/llm/llmcatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Signalbox::App {

using Engine::Llm::Catalog;
using Engine::Llm::LlmModel;
using Engine::Llm::LlmSettings;
using Engine::Llm::Provider;
using Engine::Llm::Wire;

namespace {

QJsonObject modelJson(const LlmModel &model, const Catalog &catalog)
{
    QJsonObject object {{QStringLiteral("value"), model.value},
                        {QStringLiteral("provider"), model.provider},
                        {QStringLiteral("name"), model.displayName},
                        {QStringLiteral("context_window"), model.contextWindow},
                        {QStringLiteral("retired"), model.retired},
                        {QStringLiteral("custom"), model.custom},
                        {QStringLiteral("default"), model.value == catalog.defaultModel()}};
    if (model.maxOutputTokens)
        object.insert(QStringLiteral("max_output_tokens"), *model.maxOutputTokens);
    if (model.rates)
        object.insert(QStringLiteral("credits_per_million_tokens"),
                      QJsonObject {{QStringLiteral("input"), model.rates->input},
                                   {QStringLiteral("output"), model.rates->output}});
    return object;
}

class Runner
{
public:
    Runner(const ModelsCommand &command, QTextStream &out, QTextStream &err)
        : m_command(command)
        , m_out(out)
        , m_err(err)
        , m_settings(LlmSettings::load())
    { }

    int run()
    {
        const QString &action = m_command.action;
        const QStringList &args = m_command.arguments;
        if (m_command.group == QLatin1String("models")) {
            if (action == QLatin1String("list") && args.isEmpty())
                return listModels();
            if (action == QLatin1String("add") && args.size() == 1)
                return addModel(args.first());
            if (action == QLatin1String("remove") && args.size() == 1)
                return saved(m_settings.removeModel(args.first()),
                             QStringLiteral("No added model \"%1\"").arg(args.first()));
            if (action == QLatin1String("default") && args.size() == 1)
                return setDefault(args.first());
            if (action == QLatin1String("discover") && args.size() == 1)
                return discover(args.first());
            if (action == QLatin1String("stream") && args.size() == 1
                && (args.first() == QLatin1String("on") || args.first() == QLatin1String("off"))) {
                m_settings.stream = args.first() == QLatin1String("on");
                m_settings.save();
                return ExitCompleted;
            }
        } else {
            if (action == QLatin1String("list") && args.isEmpty())
                return listProviders();
            if (action == QLatin1String("set-url") && args.size() == 2)
                return done(m_settings.setBaseUrl(args.at(0), QUrl(args.at(1))));
            if (action == QLatin1String("add") && args.size() == 1)
                return addServer(args.first());
            if (action == QLatin1String("remove") && args.size() == 1)
                return saved(m_settings.removeServer(args.first()),
                             QStringLiteral("No added server \"%1\"").arg(args.first()));
        }
        m_err << "signalbox: unknown command: " << m_command.group << ' ' << action << ' '
              << args.join(QLatin1Char(' ')) << "\nTry 'signalbox --help'.\n";
        return ExitBadInput;
    }

private:
    int fail(const Error &error)
    {
        m_err << "signalbox: " << error.text() << '\n';
        return exitCodeFor(error);
    }

    int done(const Result<void> &result)
    {
        if (!result)
            return fail(result.error());
        m_settings.save();
        return ExitCompleted;
    }

    int saved(bool changed, const QString &otherwise)
    {
        if (!changed)
            return fail(makeError(ErrorCode::NotFound, otherwise));
        m_settings.save();
        return ExitCompleted;
    }

    int listModels()
    {
        const Catalog catalog = Catalog::withSettings(m_settings);
        QJsonArray list;
        QList<QStringList> rows {{QStringLiteral("MODEL"), QStringLiteral("PROVIDER"),
                                  QStringLiteral("CONTEXT"), QStringLiteral("NAME")}};
        for (const LlmModel &model : catalog.models()) {
            if (!m_command.provider.isEmpty() && model.provider != m_command.provider)
                continue;
            if (m_command.json) {
                list.append(modelJson(model, catalog));
                continue;
            }
            if (model.retired)
                continue;
            rows.append({model.value + (model.value == catalog.defaultModel() ? QStringLiteral(" *")
                                                                                : QString()),
                         model.provider, QString::number(model.contextWindow), model.displayName});
        }
        if (m_command.json)
            m_out << QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("models"), list}})
                                           .toJson(QJsonDocument::Compact))
                  << '\n';
        else
            m_out << table(rows) << "* the default model of new nodes\n";
        return ExitCompleted;
    }

    int listProviders()
    {
        const Catalog catalog = Catalog::withSettings(m_settings);
        QJsonArray list;
        QList<QStringList> rows {{QStringLiteral("PROVIDER"), QStringLiteral("WIRE"),
                                  QStringLiteral("BASE URL"), QStringLiteral("NAME")}};
        for (const Provider &provider : catalog.providers()) {
            list.append(QJsonObject {{QStringLiteral("id"), provider.id},
                                     {QStringLiteral("name"), provider.displayName},
                                     {QStringLiteral("base_url"), provider.baseUrl.toString()},
                                     {QStringLiteral("wire"), Engine::Llm::wireName(provider.wire)},
                                     {QStringLiteral("custom"), provider.custom},
                                     {QStringLiteral("trusted"), provider.configured}});
            rows.append({provider.id, Engine::Llm::wireName(provider.wire),
                         provider.baseUrl.toString(), provider.displayName});
        }
        if (m_command.json)
            m_out << QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("providers"), list}})
                                           .toJson(QJsonDocument::Compact))
                  << '\n';
        else
            m_out << table(rows);
        return ExitCompleted;
    }

    std::optional<int> number(const QString &text, const char *option, int &into)
    {
        if (text.isEmpty())
            return std::nullopt;
        bool ok = false;
        into = text.toInt(&ok);
        if (!ok || into < 1)
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("--%1 takes a whole number of at least 1, not \"%2\"")
                                      .arg(QLatin1String(option), text)));
        return std::nullopt;
    }

    int addModel(const QString &value)
    {
        if (m_command.provider.isEmpty())
            return fail(makeError(ErrorCode::BadInput, QStringLiteral("models add needs --provider")));
        LlmModel model;
        model.value = value;
        model.provider = m_command.provider;
        model.displayName = m_command.title;
        if (auto failed = number(m_command.contextWindow, "context", model.contextWindow))
            return *failed;
        int maxOutput = 0;
        if (auto failed = number(m_command.maxOutput, "max-output", maxOutput))
            return *failed;
        if (maxOutput > 0)
            model.maxOutputTokens = maxOutput;
        return done(m_settings.addModel(model));
    }

    int setDefault(const QString &value)
    {
        const Catalog catalog = Catalog::withSettings(m_settings);
        const LlmModel *model = catalog.resolve(value);
        if (!model)
            return fail(makeError(ErrorCode::NotFound, QStringLiteral("Unknown model \"%1\"").arg(value)));
        m_settings.defaultModel = model->value;
        m_settings.save();
        return ExitCompleted;
    }

    int addServer(const QString &id)
    {
        Wire wire = Wire::OpenAiChat;
        if (!m_command.wire.isEmpty()) {
            const auto named = Engine::Llm::wireFromName(m_command.wire);
            if (!named)
                return fail(makeError(ErrorCode::BadInput,
                                      QStringLiteral("--wire takes openai_chat or ollama_chat")));
            wire = *named;
        }
        if (m_command.baseUrl.isEmpty())
            return fail(makeError(ErrorCode::BadInput, QStringLiteral("providers add needs --base-url")));
        return done(m_settings.addServer(id, m_command.title, QUrl(m_command.baseUrl), wire,
                                         !m_command.noKey));
    }

    int discover(const QString &providerId)
    {
        QString key;
        if (m_command.apiKey) {
            auto found = m_command.apiKey();
            if (!found)
                return fail(found.error());
            key = *found;
        }
        const Catalog catalog = Catalog::withSettings(m_settings);
        auto models = Engine::Llm::discoverModels(catalog, providerId, key, m_command.policy);
        if (!models)
            return fail(models.error());
        QJsonArray list;
        for (const LlmModel &model : std::as_const(*models)) {
            list.append(modelJson(model, catalog));
            if (m_command.addFound && model.custom) {
                if (auto added = m_settings.addModel(model); !added)
                    return fail(added.error());
            }
            if (!m_command.json)
                m_out << model.value
                      << (model.custom ? QString()
                                       : QStringLiteral("  (in the catalogue, %1's)").arg(model.provider))
                      << '\n';
        }
        if (m_command.addFound)
            m_settings.save();
        if (m_command.json)
            m_out << QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("models"), list}})
                                           .toJson(QJsonDocument::Compact))
                  << '\n';
        else if (models->isEmpty())
            m_out << "No models found.\n";
        return ExitCompleted;
    }

    const ModelsCommand &m_command;
    QTextStream &m_out;
    QTextStream &m_err;
    LlmSettings m_settings;
};

} // namespace

int runModelsCommand(const ModelsCommand &command, QTextStream &out, QTextStream &err)
{
    return Runner(command, out, err).run();
}

} // namespace Signalbox::App
