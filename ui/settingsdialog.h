// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/executor/runbudget.h"
#include "engine/net/httpclient.h"

#include <QDialog>
#include <QString>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace Signalbox::Ui {

// The user's settings (DESIGN §6), kept in QSettings.
struct AppSettings
{
    bool hitlSafeMode = true;
    // DESIGN §4: human review on, sensitive actions off, by default.
    bool sensitiveSafeMode = false;
    QString databasePath;
    int threads = 0; // 0: one per core
    // Web requests may reach this computer, or private networks.
    bool allowLoopback = false;
    bool allowPrivateNetwork = false;
    // "keychain" or "file" (an encrypted file the user opted in to).
    QString secretStore = QStringLiteral("keychain");
    // How far each run may go before it is stopped.
    Engine::RunBudget budget;
    // Who decides reviews here; empty: the login name (Engine::Reviewer).
    QString reviewerName;
    // "system", "light" or "dark" (applyAppearance).
    QString appearance = QStringLiteral("system");

    static QString defaultDatabasePath();
    // Who decisions made here are recorded as.
    QString reviewer() const;
    // What web requests of runs may reach.
    Engine::NetworkPolicy networkPolicy() const;
    static AppSettings load(const QSettings &settings);
    void save(QSettings &settings) const;
    bool operator==(const AppSettings &) const = default;
};

// General settings, and the Credentials and Models pages when given.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const AppSettings &settings, QWidget *parent, QWidget *credentials = nullptr,
                   QWidget *models = nullptr);
    AppSettings settings() const;

private:
    QCheckBox *m_hitl;
    QCheckBox *m_sensitive;
    QLineEdit *m_database;
    QLabel *m_databaseError;
    QSpinBox *m_threads;
    QCheckBox *m_loopback;
    QCheckBox *m_private;
    QSpinBox *m_maxNodeExecutions;
    QSpinBox *m_maxWallSeconds;
    QSpinBox *m_maxCost;
    QLineEdit *m_reviewer;
    QComboBox *m_appearance;
    QString m_secretStore;
};

} // namespace Signalbox::Ui
