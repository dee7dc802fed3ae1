// SPDX-License-Identifier: GPL-3.0-or-later
#include "modelspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Signalbox::Ui {

using Engine::Llm::Catalog;
using Engine::Llm::LlmModel;
using Engine::Llm::Provider;
using Engine::Llm::Wire;

namespace {

enum Column { Name, BaseUrl, WireColumn, ColumnCount };

} // namespace

ModelsPage::ModelsPage(Engine::Llm::LlmSettings settings, Engine::NetworkPolicy policy,
                       QWidget *parent)
    : QWidget(parent)
    , m_settings(std::move(settings))
    , m_policy(policy)
{
    m_providers = new QTableWidget(0, ColumnCount, this);
    m_providers->setObjectName(QStringLiteral("providersTable"));
    m_providers->setHorizontalHeaderLabels({tr("Provider"), tr("Base URL"), tr("Speaks")});
    m_providers->horizontalHeader()->setSectionResizeMode(BaseUrl, QHeaderView::Stretch);
    m_providers->verticalHeader()->hide();
    m_providers->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_providers->setSelectionMode(QAbstractItemView::SingleSelection);
    m_providers->setAccessibleName(tr("Providers"));
    m_providers->setToolTip(tr("Double-click a base URL to change it. A base URL you set is "
                               "trusted, this computer and your network included."));
    connect(m_providers, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (m_refreshing || item->column() != BaseUrl)
            return;
        const QString id = m_providers->item(item->row(), Name)->data(Qt::UserRole).toString();
        if (auto set = m_settings.setBaseUrl(id, QUrl(item->text().trimmed())); !set) {
            m_status->setText(set.error().message);
            refresh();
            return;
        }
        m_status->setText(tr("%1 is reached at %2").arg(id, item->text().trimmed()));
    });

    auto *addServer = new QPushButton(tr("&Add server…"), this);
    addServer->setToolTip(tr("An OpenAI-compatible server (llama.cpp, LM Studio, vLLM, "
                             "OpenRouter, Groq) or an Ollama host, by base URL"));
    connect(addServer, &QPushButton::clicked, this, &ModelsPage::addServer);
    auto *removeServer = new QPushButton(tr("&Remove server"), this);
    connect(removeServer, &QPushButton::clicked, this, [this] {
        if (m_settings.removeServer(selectedProvider()))
            refresh();
        else
            m_status->setText(tr("Only servers you added can be removed."));
    });
    m_discover = new QPushButton(tr("&Discover models"), this);
    m_discover->setObjectName(QStringLiteral("discoverModels"));
    m_discover->setToolTip(tr("Ask the selected server which models it has (Ollama's "
                              "/api/tags, or /models) and add them"));
    connect(m_discover, &QPushButton::clicked, this, &ModelsPage::discoverSelected);
    auto *serverButtons = new QHBoxLayout;
    serverButtons->addWidget(addServer);
    serverButtons->addWidget(removeServer);
    serverButtons->addWidget(m_discover);
    serverButtons->addStretch();

    m_models = new QListWidget(this);
    m_models->setObjectName(QStringLiteral("addedModels"));
    m_models->setAccessibleName(tr("Models you added"));
    m_models->setMaximumHeight(110);
    auto *addModel = new QPushButton(tr("Add &model…"), this);
    connect(addModel, &QPushButton::clicked, this, &ModelsPage::addModel);
    auto *removeModel = new QPushButton(tr("Remove mo&del"), this);
    connect(removeModel, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_models->currentItem()) {
            m_settings.removeModel(item->data(Qt::UserRole).toString());
            refresh();
        }
    });
    auto *modelButtons = new QHBoxLayout;
    modelButtons->addWidget(addModel);
    modelButtons->addWidget(removeModel);
    modelButtons->addStretch();

    m_default = new QComboBox(this);
    m_default->setObjectName(QStringLiteral("defaultModel"));
    m_default->setAccessibleName(tr("Default model"));
    connect(m_default, &QComboBox::activated, this, [this](int index) {
        m_settings.defaultModel = m_default->itemData(index).toString();
    });
    m_stream = new QCheckBox(tr("Show answers as they arrive (streaming)"), this);
    m_stream->setChecked(m_settings.stream);
    connect(m_stream, &QCheckBox::toggled, this, [this](bool on) { m_settings.stream = on; });
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("modelsStatus"));
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Providers and servers"), this));
    layout->addWidget(m_providers);
    layout->addLayout(serverButtons);
    layout->addWidget(new QLabel(tr("Models you added"), this));
    layout->addWidget(m_models);
    layout->addLayout(modelButtons);
    auto *form = new QFormLayout;
    form->addRow(tr("Default &model:"), m_default);
    form->addRow(QString(), m_stream);
    layout->addLayout(form);
    layout->addWidget(m_status);
    refresh();
}

QString ModelsPage::selectedProvider() const
{
    const int row = m_providers->currentRow();
    return row < 0 ? QString() : m_providers->item(row, Name)->data(Qt::UserRole).toString();
}

void ModelsPage::refresh()
{
    m_refreshing = true;
    const QString selected = selectedProvider();
    const Catalog catalog = Catalog::withSettings(m_settings);
    m_providers->setRowCount(0);
    for (const Provider &provider : catalog.providers()) {
        const int row = m_providers->rowCount();
        m_providers->insertRow(row);
        auto *name = new QTableWidgetItem(provider.custom ? tr("%1 (added)").arg(provider.displayName)
                                                          : provider.displayName);
        name->setData(Qt::UserRole, provider.id);
        name->setFlags(name->flags() & ~Qt::ItemIsEditable);
        m_providers->setItem(row, Name, name);
        m_providers->setItem(row, BaseUrl, new QTableWidgetItem(provider.baseUrl.toString()));
        auto *wire = new QTableWidgetItem(provider.wire == Wire::OpenAiResponses ? tr("OpenAI Responses")
                                          : provider.wire == Wire::AnthropicMessages ? tr("Anthropic Messages")
                                          : provider.wire == Wire::OllamaChat ? tr("Ollama")
                                                                                : tr("OpenAI chat"));
        wire->setFlags(wire->flags() & ~Qt::ItemIsEditable);
        m_providers->setItem(row, WireColumn, wire);
        if (provider.id == selected)
            m_providers->selectRow(row);
    }
    m_models->clear();
    for (const LlmModel &model : std::as_const(m_settings.customModels)) {
        auto *item = new QListWidgetItem(tr("%1 · %2 · %3 tokens").arg(model.value, model.provider).arg(model.contextWindow));
        item->setData(Qt::UserRole, model.value);
        m_models->addItem(item);
    }
    m_default->clear();
    for (const LlmModel &model : catalog.models()) {
        if (model.retired)
            continue;
        m_default->addItem(QStringLiteral("%1 — %2").arg(model.displayName, model.provider), model.value);
        if (model.value == catalog.defaultModel())
            m_default->setCurrentIndex(m_default->count() - 1);
    }
    m_refreshing = false;
}

void ModelsPage::addServer()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Add a server"));
    auto *id = new QLineEdit(&dialog);
    id->setPlaceholderText(QStringLiteral("lmstudio"));
    auto *name = new QLineEdit(&dialog);
    name->setPlaceholderText(QStringLiteral("LM Studio"));
    auto *url = new QLineEdit(&dialog);
    url->setPlaceholderText(QStringLiteral("http://localhost:1234/v1"));
    auto *wire = new QComboBox(&dialog);
    wire->addItem(tr("OpenAI chat completions"), Engine::Llm::wireName(Wire::OpenAiChat));
    wire->addItem(tr("Ollama"), Engine::Llm::wireName(Wire::OllamaChat));
    auto *key = new QCheckBox(tr("Needs an API key"), &dialog);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *form = new QFormLayout(&dialog);
    form->addRow(tr("&Id:"), id);
    form->addRow(tr("&Name:"), name);
    form->addRow(tr("&Base URL:"), url);
    form->addRow(tr("&Speaks:"), wire);
    form->addRow(QString(), key);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto added = m_settings.addServer(id->text().trimmed(), name->text().trimmed(),
                                            QUrl(url->text().trimmed()),
                                            *Engine::Llm::wireFromName(wire->currentData().toString()),
                                            key->isChecked());
    m_status->setText(added ? tr("Added %1: discover its models next.").arg(id->text().trimmed())
                            : added.error().message);
    refresh();
}

void ModelsPage::addModel()
{
    const QString provider = selectedProvider();
    if (provider.isEmpty()) {
        m_status->setText(tr("Select the provider of the model first."));
        return;
    }
    bool ok = false;
    const QString value = QInputDialog::getText(this, tr("Add a model"),
                                                tr("Model id at %1:").arg(provider),
                                                QLineEdit::Normal, QString(), &ok)
                              .trimmed();
    if (!ok || value.isEmpty())
        return;
    LlmModel model;
    model.value = value;
    model.provider = provider;
    const auto added = m_settings.addModel(model);
    m_status->setText(added ? tr("Added %1").arg(value) : added.error().message);
    refresh();
}

void ModelsPage::discoverSelected()
{
    const QString provider = selectedProvider();
    if (provider.isEmpty()) {
        m_status->setText(tr("Select a server to ask first."));
        return;
    }
    m_discover->setEnabled(false);
    m_status->setText(tr("Asking %1 for its models…").arg(provider));
    const Catalog catalog = Catalog::withSettings(m_settings);
    const Engine::NetworkPolicy policy = m_policy;
    auto *watcher = new QFutureWatcher<Result<QList<LlmModel>>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_discover->setEnabled(true);
        const Result<QList<LlmModel>> found = watcher->result();
        if (!found) {
            m_status->setText(found.error().message);
            Q_EMIT discoveryFinished(0, found.error().message);
            return;
        }
        int added = 0;
        for (const LlmModel &model : *found) {
            if (model.custom && m_settings.addModel(model))
                ++added;
        }
        m_status->setText(tr("Found %n model(s), %1 new.", nullptr, int(found->size())).arg(added));
        refresh();
        Q_EMIT discoveryFinished(added, {});
    });
    watcher->setFuture(QtConcurrent::run([catalog, provider, policy] {
        return Engine::Llm::discoverModels(catalog, provider, {}, policy);
    }));
}

} // namespace Signalbox::Ui
