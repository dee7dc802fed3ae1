// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

namespace Signalbox::Ui {

QString AppSettings::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/signalbox.db");
}

Engine::NetworkPolicy AppSettings::networkPolicy() const
{
    Engine::NetworkPolicy policy;
    policy.allowLoopback = allowLoopback;
    policy.allowPrivate = allowPrivateNetwork;
    return policy;
}

AppSettings AppSettings::load(const QSettings &settings)
{
    AppSettings result;
    result.hitlSafeMode = settings.value(QStringLiteral("run/hitlSafeMode"), true).toBool();
    result.sensitiveSafeMode
        = settings.value(QStringLiteral("run/sensitiveSafeMode"), false).toBool();
    result.databasePath
        = settings.value(QStringLiteral("store/databasePath"), defaultDatabasePath()).toString();
    result.threads = qBound(0, settings.value(QStringLiteral("run/threads"), 0).toInt(), 64);
    result.allowLoopback = settings.value(QStringLiteral("network/allowLoopback"), false).toBool();
    result.allowPrivateNetwork
        = settings.value(QStringLiteral("network/allowPrivateNetwork"), false).toBool();
    result.secretStore
        = settings.value(QStringLiteral("credentials/secretStore"), QStringLiteral("keychain"))
              .toString();
    return result;
}

void AppSettings::save(QSettings &settings) const
{
    settings.setValue(QStringLiteral("run/hitlSafeMode"), hitlSafeMode);
    settings.setValue(QStringLiteral("run/sensitiveSafeMode"), sensitiveSafeMode);
    settings.setValue(QStringLiteral("store/databasePath"), databasePath);
    settings.setValue(QStringLiteral("run/threads"), threads);
    settings.setValue(QStringLiteral("network/allowLoopback"), allowLoopback);
    settings.setValue(QStringLiteral("network/allowPrivateNetwork"), allowPrivateNetwork);
    settings.setValue(QStringLiteral("credentials/secretStore"), secretStore);
}

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent, QWidget *credentials)
    : QDialog(parent)
    , m_secretStore(settings.secretStore)
{
    setWindowTitle(tr("Settings"));
    m_hitl = new QCheckBox(tr("Pause at Human Review blocks"), this);
    m_hitl->setChecked(settings.hitlSafeMode);
    m_hitl->setAccessibleName(tr("Human-in-the-loop safe mode"));
    m_sensitive = new QCheckBox(tr("Ask before sensitive actions"), this);
    m_sensitive->setChecked(settings.sensitiveSafeMode);
    m_sensitive->setAccessibleName(tr("Sensitive-action safe mode"));
    m_database = new QLineEdit(settings.databasePath, this);
    m_database->setAccessibleName(tr("Database file"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setAccessibleName(tr("Choose the database file"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Database file"), m_database->text(), tr("SQLite databases (*.db)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_database->setText(path);
    });
    auto *databaseRow = new QHBoxLayout;
    databaseRow->addWidget(m_database);
    databaseRow->addWidget(browse);
    m_threads = new QSpinBox(this);
    m_threads->setRange(0, 64);
    m_threads->setSpecialValueText(tr("One per core (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(settings.threads);
    m_threads->setAccessibleName(tr("Threads"));
    m_loopback = new QCheckBox(tr("Let web requests reach this computer (localhost)"), this);
    m_loopback->setChecked(settings.allowLoopback);
    m_loopback->setAccessibleName(tr("Allow loopback addresses"));
    m_private = new QCheckBox(tr("Let web requests reach private and link-local networks"), this);
    m_private->setChecked(settings.allowPrivateNetwork);
    m_private->setAccessibleName(tr("Allow private networks"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *general = new QWidget(this);
    auto *form = new QFormLayout(general);
    form->addRow(tr("Human review:"), m_hitl);
    form->addRow(tr("Sensitive actions:"), m_sensitive);
    auto *databaseLabel = new QLabel(tr("&Database:"), general);
    databaseLabel->setBuddy(m_database);
    form->addRow(databaseLabel, databaseRow);
    form->addRow(tr("&Threads:"), m_threads);
    form->addRow(tr("Network:"), m_loopback);
    form->addRow(QString(), m_private);
    auto *layout = new QVBoxLayout(this);
    if (credentials) {
        auto *tabs = new QTabWidget(this);
        tabs->addTab(general, tr("&General"));
        credentials->setParent(tabs);
        tabs->addTab(credentials, tr("&Credentials"));
        tabs->setObjectName(QStringLiteral("settingsTabs"));
        layout->addWidget(tabs);
        resize(760, 460);
    } else {
        layout->addWidget(general);
    }
    layout->addWidget(buttons);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings result;
    result.hitlSafeMode = m_hitl->isChecked();
    result.sensitiveSafeMode = m_sensitive->isChecked();
    result.databasePath = m_database->text().trimmed();
    result.threads = m_threads->value();
    result.allowLoopback = m_loopback->isChecked();
    result.allowPrivateNetwork = m_private->isChecked();
    result.secretStore = m_secretStore;
    return result;
}

} // namespace Signalbox::Ui
