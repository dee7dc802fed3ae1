// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/llm/llmcatalog.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace Signalbox::Ui {

// Settings → Models: where each provider is reached, servers the user
// added (llama.cpp, LM Studio, vLLM, Ollama on another machine), their
// models found by discovery or added by hand, the default model, and
// whether answers stream. The same settings as `signalbox models` and
// `signalbox providers`; nothing is saved until save().
class ModelsPage : public QWidget
{
    Q_OBJECT

public:
    explicit ModelsPage(Engine::Llm::LlmSettings settings, Engine::NetworkPolicy policy,
                        QWidget *parent = nullptr);

    const Engine::Llm::LlmSettings &settings() const { return m_settings; }
    void save() const { m_settings.save(); }

    QTableWidget *providers() const { return m_providers; }
    QListWidget *addedModels() const { return m_models; }
    // Finds the models of the selected provider, off the GUI thread.
    void discoverSelected();

Q_SIGNALS:
    // Discovery ended: how many models were added, or why it failed.
    void discoveryFinished(int added, const QString &error);

private:
    void refresh();
    void addServer();
    void addModel();
    QString selectedProvider() const;

    Engine::Llm::LlmSettings m_settings;
    Engine::NetworkPolicy m_policy;
    QTableWidget *m_providers;
    QListWidget *m_models;
    QComboBox *m_default;
    QCheckBox *m_stream;
    QPushButton *m_discover;
    QLabel *m_status;
    bool m_refreshing = false;
};

} // namespace Signalbox::Ui
