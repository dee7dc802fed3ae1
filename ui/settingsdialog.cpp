// SPDX-License-Identifier: GPL-3.0-or-later
#include "settingsdialog.h"

#include "engine/reviewer.h"
#include "engine/store/database.h"

#include <QCheckBox>
#include <QComboBox>
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

#include <limits>

namespace Signalbox::Ui {

QString AppSettings::defaultDatabasePath()
{
    // The same file as the command line's.
    return Engine::defaultDatabasePath();
}

Engine::NetworkPolicy AppSettings::networkPolicy() const
{
    Engine::NetworkPolicy policy;
    policy.allowLoopback = allowLoopback;
    policy.allowPrivate = allowPrivateNetwork;
    return policy;
}

QString AppSettings::reviewer() const
{
    return Engine::Reviewer::named(reviewerName).name;
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
    const auto limit = [&settings](const char *key, qint64 fallback) {
        const qint64 value = settings.value(QLatin1String(key), fallback).toLongLong();
        return value > 0 ? value : fallback;
    };
    const Engine::RunBudget defaults;
    result.budget.maxNodeExecutions
        = limit("run/budgetNodeExecutions", defaults.maxNodeExecutions);
    result.budget.maxWallSeconds = limit("run/budgetWallSeconds", defaults.maxWallSeconds);
    result.budget.maxCost = limit("run/budgetCost", defaults.maxCost);
    result.reviewerName = settings.value(Engine::Reviewer::settingsKey()).toString();
    result.appearance
        = settings.value(QStringLiteral("window/appearance"), QStringLiteral("system")).toString();
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
    settings.setValue(QStringLiteral("run/budgetNodeExecutions"), budget.maxNodeExecutions);
    settings.setValue(QStringLiteral("run/budgetWallSeconds"), budget.maxWallSeconds);
    settings.setValue(QStringLiteral("run/budgetCost"), budget.maxCost);
    settings.setValue(Engine::Reviewer::settingsKey(), reviewerName.trimmed());
    settings.setValue(QStringLiteral("window/appearance"), appearance);
}

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent, QWidget *credentials,
                               QWidget *models)
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
    m_database->setObjectName(QStringLiteral("databaseLocation"));
    m_database->setAccessibleName(tr("Database"));
    m_database->setPlaceholderText(tr("A file, or postgresql://user@host/dbname"));
    m_database->setToolTip(
        tr("A SQLite file for yourself, or a team's PostgreSQL database as "
           "postgresql://user@host[:port]/dbname. The password is never part of it: it comes from "
           "PGPASSFILE (~/.pgpass) or the keychain."));
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
    const auto budgetBox = [this](qint64 value, const QString &name, const QString &suffix) {
        auto *box = new QSpinBox(this);
        box->setRange(1, std::numeric_limits<int>::max());
        box->setGroupSeparatorShown(true);
        box->setValue(int(qMin<qint64>(value, std::numeric_limits<int>::max())));
        box->setSuffix(suffix);
        box->setAccessibleName(name);
        box->setToolTip(tr("A run that reaches this stops; resume it with a larger budget."));
        return box;
    };
    m_maxNodeExecutions = budgetBox(settings.budget.maxNodeExecutions,
                                    tr("Budget: node executions"), tr(" node executions"));
    m_maxWallSeconds
        = budgetBox(settings.budget.maxWallSeconds, tr("Budget: wall time in seconds"),
                    tr(" seconds of wall time"));
    m_maxCost = budgetBox(settings.budget.maxCost, tr("Budget: cost in credits"), tr(" credits"));
    m_reviewer = new QLineEdit(settings.reviewerName, this);
    m_reviewer->setPlaceholderText(Engine::Reviewer::loginName());
    m_reviewer->setAccessibleName(tr("Reviewer name"));
    m_reviewer->setToolTip(tr("Decisions are recorded under this name, from the app and the "
                              "command line alike; empty: your login name."));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_databaseError = new QLabel(this);
    m_databaseError->setObjectName(QStringLiteral("databaseError"));
    m_databaseError->setWordWrap(true);
    // As the run dialog says what it refuses.
    m_databaseError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_databaseError->hide();
    connect(m_database, &QLineEdit::textEdited, m_databaseError, &QWidget::hide);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        // A location that cannot be kept (a password in it) is said at once,
        // before it reaches the settings file.
        const QString location = m_database->text().trimmed();
        if (Engine::isPostgresLocation(location)) {
            if (auto checked = Engine::checkPostgresLocation(location); !checked) {
                m_databaseError->setText(checked.error().message);
                m_databaseError->show();
                m_database->setFocus();
                return;
            }
        }
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *general = new QWidget(this);
    auto *form = new QFormLayout(general);
    form->addRow(tr("Human review:"), m_hitl);
    form->addRow(tr("Sensitive actions:"), m_sensitive);
    auto *databaseLabel = new QLabel(tr("&Database:"), general);
    databaseLabel->setBuddy(m_database);
    form->addRow(databaseLabel, databaseRow);
    form->addRow(QString(), m_databaseError);
    form->addRow(tr("&Threads:"), m_threads);
    form->addRow(tr("&Reviewer:"), m_reviewer);
    m_appearance = new QComboBox(this);
    m_appearance->setObjectName(QStringLiteral("appearance"));
    m_appearance->setAccessibleName(tr("Appearance"));
    m_appearance->addItem(tr("As the system"), QStringLiteral("system"));
    m_appearance->addItem(tr("Light"), QStringLiteral("light"));
    m_appearance->addItem(tr("Dark"), QStringLiteral("dark"));
    m_appearance->setCurrentIndex(qMax(0, m_appearance->findData(settings.appearance)));
    form->addRow(tr("&Appearance:"), m_appearance);
    form->addRow(tr("Network:"), m_loopback);
    form->addRow(QString(), m_private);
    form->addRow(tr("Run &budget:"), m_maxNodeExecutions);
    form->addRow(QString(), m_maxWallSeconds);
    form->addRow(QString(), m_maxCost);
    auto *layout = new QVBoxLayout(this);
    if (credentials) {
        auto *tabs = new QTabWidget(this);
        tabs->addTab(general, tr("&General"));
        credentials->setParent(tabs);
        tabs->addTab(credentials, tr("&Credentials"));
        if (models) {
            models->setParent(tabs);
            tabs->addTab(models, tr("&Models"));
        }
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
    result.budget.maxNodeExecutions = m_maxNodeExecutions->value();
    result.budget.maxWallSeconds = m_maxWallSeconds->value();
    result.budget.maxCost = m_maxCost->value();
    result.reviewerName = m_reviewer->text().trimmed();
    result.appearance = m_appearance->currentData().toString();
    return result;
}

} // namespace Signalbox::Ui
