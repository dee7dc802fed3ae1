// SPDX-License-Identifier: GPL-3.0-or-later
#include "credentialspage.h"

#include "offthread.h"

#include "engine/credentials/oauth.h"
#include "model/execution.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

const QString kUser = QString(Model::kDefaultUserId);

// A form dialog of line edits; the values in order, or nothing when cancelled.
std::optional<QStringList> askFields(QWidget *parent, const QString &title,
                                     const QList<std::pair<QString, bool>> &fields,
                                     const QStringList &initial = {})
{
    QDialog dialog(parent);
    dialog.setWindowTitle(title);
    auto *form = new QFormLayout(&dialog);
    QList<QLineEdit *> edits;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        auto *edit = new QLineEdit(initial.value(i), &dialog);
        edit->setAccessibleName(
            QString(fields.at(i).first).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
        if (fields.at(i).second)
            edit->setEchoMode(QLineEdit::Password);
        form->addRow(fields.at(i).first, edit);
        edits.append(edit);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    QStringList values;
    for (QLineEdit *edit : std::as_const(edits))
        values.append(edit->text().trimmed());
    return values;
}

} // namespace

SecretStoreChoice::SecretStoreChoice(Kind kind, QString filePath)
    : m_kind(kind)
    , m_filePath(std::move(filePath))
{ }

SecretStoreChoice::Kind SecretStoreChoice::kind() const
{
    QMutexLocker lock(&m_mutex);
    return m_kind;
}

void SecretStoreChoice::setKind(Kind kind)
{
    QMutexLocker lock(&m_mutex);
    m_kind = kind;
}

QString SecretStoreChoice::filePath() const
{
    QMutexLocker lock(&m_mutex);
    return m_filePath;
}

bool SecretStoreChoice::isUnlocked() const
{
    QMutexLocker lock(&m_mutex);
    return !m_passphrase.isEmpty();
}

void SecretStoreChoice::unlock(const QString &passphrase)
{
    QMutexLocker lock(&m_mutex);
    m_passphrase = passphrase;
}

Result<std::shared_ptr<Engine::SecretStore>> SecretStoreChoice::open() const
{
    QMutexLocker lock(&m_mutex);
    if (m_kind == Kind::EncryptedFile) {
        if (m_passphrase.isEmpty())
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("The encrypted secrets file is locked: unlock it in "
                                            "Settings → Credentials"));
        auto store = Engine::EncryptedFileSecretStore::open(m_filePath, m_passphrase);
        if (!store)
            return store.error();
        return std::shared_ptr<Engine::SecretStore>(std::move(*store));
    }
    if (auto available = Engine::KeychainSecretStore::probe(); !available)
        return makeError(available.error().code,
                         available.error().message
                             + QStringLiteral("\nChoose “Encrypted file” in Settings → "
                                              "Credentials to keep secrets there instead."));
    return std::shared_ptr<Engine::SecretStore>(std::make_shared<Engine::KeychainSecretStore>());
}

QString SecretStoreChoice::kindName(Kind kind)
{
    return kind == Kind::EncryptedFile ? QStringLiteral("file") : QStringLiteral("keychain");
}

SecretStoreChoice::Kind SecretStoreChoice::kindFromName(const QString &name)
{
    return name == QLatin1String("file") ? Kind::EncryptedFile : Kind::Keychain;
}

CredentialsPage::CredentialsPage(std::shared_ptr<Engine::CredentialsStore> store,
                                 std::shared_ptr<SecretStoreChoice> choice, QWidget *parent)
    : QWidget(parent)
    , m_store(std::move(store))
    , m_choice(std::move(choice))
{
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("System keychain"));
    m_kind->addItem(tr("Encrypted file (needs a passphrase)"));
    m_kind->setAccessibleName(tr("Where secrets are kept"));
    m_kind->setCurrentIndex(m_choice->kind() == SecretStoreChoice::Kind::EncryptedFile ? 1 : 0);
    m_state = new QLabel(this);
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_unlock = new QPushButton(tr("Unlock…"), this);
    m_unlock->setAccessibleName(tr("Unlock the encrypted secrets file"));
    connect(m_kind, &QComboBox::activated, this, [this](int index) {
        m_choice->setKind(index == 1 ? SecretStoreChoice::Kind::EncryptedFile
                                     : SecretStoreChoice::Kind::Keychain);
        showStoreState();
    });
    connect(m_unlock, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString passphrase = QInputDialog::getText(
            this, tr("Encrypted secrets file"),
            tr("Passphrase for %1\n(a new file is made with it if there is none):")
                .arg(m_choice->filePath()),
            QLineEdit::Password, QString(), &ok);
        if (!ok || passphrase.isEmpty())
            return;
        m_choice->unlock(passphrase);
        showStoreState();
    });

    m_list = new QTreeWidget(this);
    m_list->setHeaderLabels(
        {tr("Title"), tr("Provider"), tr("Type"), tr("Host or scopes"), tr("Expires")});
    m_list->setRootIsDecorated(false);
    m_list->setAccessibleName(tr("Connected accounts"));
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);

    auto *addKey = new QPushButton(tr("Add API key…"), this);
    auto *addHost = new QPushButton(tr("Add host headers…"), this);
    auto *connectButton = new QPushButton(tr("Connect account…"), this);
    auto *addProvider = new QPushButton(tr("Add OAuth provider…"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setEnabled(false);
    connect(addKey, &QPushButton::clicked, this, &CredentialsPage::addApiKeyDialog);
    connect(addHost, &QPushButton::clicked, this, &CredentialsPage::addHostHeadersDialog);
    connect(connectButton, &QPushButton::clicked, this, &CredentialsPage::connectAccount);
    connect(addProvider, &QPushButton::clicked, this, &CredentialsPage::addProviderDialog);
    connect(m_remove, &QPushButton::clicked, this, &CredentialsPage::removeSelected);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_list->selectedItems().isEmpty()); });

    auto *storeRow = new QHBoxLayout;
    storeRow->addWidget(new QLabel(tr("Secrets are kept in:"), this));
    storeRow->addWidget(m_kind, 1);
    storeRow->addWidget(m_unlock);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *button : {addKey, addHost, connectButton, addProvider})
        buttons->addWidget(button);
    buttons->addStretch();
    buttons->addWidget(m_remove);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(storeRow);
    layout->addWidget(m_state);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    showStoreState();
    refresh();
}

void CredentialsPage::showStoreState()
{
    const bool file = m_choice->kind() == SecretStoreChoice::Kind::EncryptedFile;
    m_unlock->setVisible(file);
    if (file) {
        m_state->setText(m_choice->isUnlocked()
                             ? tr("Secrets are encrypted in %1.").arg(m_choice->filePath())
                             : tr("Unlock the encrypted file to add or use credentials."));
        m_state->setStyleSheet(QString());
        return;
    }
    // Asking the keychain can take a while (it may start a service): off
    // the GUI thread, the answer shown when it comes, unless the choice
    // changed meanwhile.
    m_state->setText(tr("Asking the system keychain…"));
    m_state->setStyleSheet(QString());
    runOffThread(
        pool(), this, [] { return Engine::KeychainSecretStore::probe(); },
        [this](Result<void> available) {
            if (m_choice->kind() != SecretStoreChoice::Kind::Keychain)
                return;
            if (!available) {
                m_state->setText(tr("No system keychain answers (%1). Secrets cannot be stored "
                                    "until one does, or until you choose an encrypted file "
                                    "above.")
                                     .arg(available.error().message));
                m_state->setStyleSheet(QStringLiteral("color: #b71c1c;"));
            } else {
                m_state->setText(tr("Secrets are kept in the system keychain."));
            }
            Q_EMIT storeStateShown();
        });
}

QThreadPool *CredentialsPage::pool()
{
    static QThreadPool *const shared = [] {
        auto *made = new QThreadPool(QCoreApplication::instance());
        made->setMaxThreadCount(1);
        return made;
    }();
    return shared;
}

void CredentialsPage::refresh()
{
    runOffThread(
        pool(), this, [store = m_store] { return store->list(kUser); },
        [this](Result<QList<Engine::Credential>> credentials) {
            m_list->clear();
            if (!credentials) {
                error(credentials.error().message);
                return;
            }
            for (const Engine::Credential &credential : std::as_const(*credentials)) {
                QString expires = tr("never");
                if (credential.expiresAt.isValid()) {
                    expires = QLocale().toString(credential.expiresAt.toLocalTime(),
                                                 QLocale::ShortFormat);
                    if (credential.expiresAt < QDateTime::currentDateTimeUtc())
                        expires += tr(" (refreshed on next use)");
                }
                auto *item = new QTreeWidgetItem(
                    m_list,
                    {credential.title.isEmpty() ? credential.provider : credential.title,
                     credential.provider, Engine::credentialTypeName(credential.type),
                     credential.host.isEmpty() ? credential.scopes.join(u' ') : credential.host,
                     expires});
                item->setData(0, Qt::UserRole, credential.id);
            }
            Q_EMIT refreshed();
        });
}

void CredentialsPage::add(const Engine::Credential &credential,
                          const Engine::CredentialSecret &secret)
{
    runOffThread(
        pool(), this,
        [store = m_store, credential, secret] { return store->add(credential, secret); },
        [this](Result<Engine::Credential> added) {
            if (!added) {
                error(added.error().message);
                return;
            }
            refresh();
            Q_EMIT changed();
        });
}

void CredentialsPage::addApiKey(const QString &provider, const QString &title,
                                const QString &key)
{
    if (provider.isEmpty() || key.isEmpty()) {
        error(tr("Give the provider and the key"));
        return;
    }
    Engine::Credential credential;
    credential.userId = kUser;
    credential.provider = provider;
    credential.type = Engine::CredentialType::ApiKey;
    credential.title = title;
    Engine::CredentialSecret secret;
    secret.apiKey = key;
    add(credential, secret);
}

void CredentialsPage::addHostHeaders(const QString &title, const QString &host,
                                     const QString &header, const QString &value)
{
    if (host.isEmpty() || header.isEmpty() || value.isEmpty()) {
        error(tr("Give the host, the header and its value"));
        return;
    }
    Engine::Credential credential;
    credential.userId = kUser;
    credential.provider = QStringLiteral("http");
    credential.type = Engine::CredentialType::HostScoped;
    credential.title = title.isEmpty() ? host : title;
    credential.host = host;
    Engine::CredentialSecret secret;
    secret.headers.insert(header, value);
    add(credential, secret);
}

void CredentialsPage::addApiKeyDialog()
{
    const auto fields
        = askFields(this, tr("Add API key"),
                    {{tr("&Provider:"), false}, {tr("&Title:"), false}, {tr("API &key:"), true}});
    if (!fields)
        return;
    addApiKey(fields->at(0), fields->at(1), fields->at(2));
}

void CredentialsPage::addHostHeadersDialog()
{
    const auto fields = askFields(this, tr("Add host headers"),
                                  {{tr("&Title:"), false},
                                   {tr("&Host (api.example.com, *.example.com):"), false},
                                   {tr("H&eader:"), false},
                                   {tr("&Value:"), true}},
                                  {QString(), QString(), QStringLiteral("Authorization")});
    if (!fields)
        return;
    addHostHeaders(fields->at(0), fields->at(1), fields->at(2), fields->at(3));
}

void CredentialsPage::addProviderDialog()
{
    const auto fields = askFields(this, tr("Add OAuth provider"),
                                  {{tr("&Name (the credentials' provider):"), false},
                                   {tr("&Title:"), false},
                                   {tr("&Authorization URL:"), false},
                                   {tr("T&oken URL:"), false},
                                   {tr("&Client id:"), false},
                                   {tr("&Scopes (space-separated):"), false}});
    if (!fields)
        return;
    Engine::OAuthProvider provider;
    provider.name = fields->at(0);
    provider.title = fields->at(1);
    provider.authorizationUrl = QUrl(fields->at(2));
    provider.tokenUrl = QUrl(fields->at(3));
    provider.clientId = fields->at(4);
    provider.scopes = fields->at(5).split(u' ', Qt::SkipEmptyParts);
    runOffThread(
        pool(), this, [store = m_store, provider] { return store->saveProvider(provider); },
        [this](Result<void> saved) {
            if (!saved)
                error(saved.error().message);
        });
}

void CredentialsPage::connectAccount()
{
    runOffThread(pool(), this, [store = m_store] { return store->providers(); },
                 [this](Result<QList<Engine::OAuthProvider>> providers) {
                     connectAccountWith(std::move(providers));
                 });
}

void CredentialsPage::connectAccountWith(Result<QList<Engine::OAuthProvider>> providers)
{
    if (!providers) {
        error(providers.error().message);
        return;
    }
    if (providers->isEmpty()) {
        error(tr("Add an OAuth provider first."));
        return;
    }
    QStringList names;
    for (const Engine::OAuthProvider &provider : std::as_const(*providers))
        names.append(provider.title.isEmpty() ? provider.name : provider.title);
    bool ok = false;
    const QString chosen
        = QInputDialog::getItem(this, tr("Connect account"), tr("Provider:"), names, 0, false, &ok);
    if (!ok)
        return;
    const Engine::OAuthProvider provider = providers->at(names.indexOf(chosen));

    // The browser does the sign-in; this waits with a way out.
    auto *waiting = new QDialog(this);
    waiting->setAttribute(Qt::WA_DeleteOnClose);
    waiting->setWindowTitle(tr("Connect %1").arg(chosen));
    auto *text = new QLabel(tr("Finish signing in to %1 in your browser.\nSignalbox waits for "
                               "up to five minutes.")
                                .arg(chosen),
                            waiting);
    auto *cancel = new QDialogButtonBox(QDialogButtonBox::Cancel, waiting);
    auto *layout = new QVBoxLayout(waiting);
    layout->addWidget(text);
    layout->addWidget(cancel);
    auto *authorization = new Engine::OAuthAuthorization(provider, waiting);
    connect(authorization, &Engine::OAuthAuthorization::authorizeWithBrowser, this,
            [this](const QUrl &url) {
                if (!QDesktopServices::openUrl(url))
                    error(tr("Cannot open a browser. Open this address yourself:\n%1")
                              .arg(url.toString()));
            });
    connect(authorization, &Engine::OAuthAuthorization::finished, waiting,
            [this, waiting, provider](const Engine::OAuthTokens &tokens) {
                Engine::Credential credential;
                credential.userId = kUser;
                credential.provider = provider.name;
                credential.type = Engine::CredentialType::OAuth2;
                credential.title = provider.title.isEmpty() ? provider.name : provider.title;
                credential.scopes = tokens.scopes.isEmpty() ? provider.scopes : tokens.scopes;
                credential.expiresAt = tokens.expiresAt;
                Engine::CredentialSecret secret;
                secret.accessToken = tokens.accessToken;
                secret.refreshToken = tokens.refreshToken;
                add(credential, secret);
                waiting->accept();
            });
    connect(authorization, &Engine::OAuthAuthorization::failed, waiting,
            [this, waiting](const QString &message) {
                waiting->reject();
                if (message != QLatin1String("Cancelled"))
                    error(message);
            });
    connect(cancel, &QDialogButtonBox::rejected, authorization,
            &Engine::OAuthAuthorization::cancel);
    waiting->open();
    authorization->start();
}

void CredentialsPage::removeSelected()
{
    const QList<QTreeWidgetItem *> selected = m_list->selectedItems();
    if (selected.isEmpty())
        return;
    const QString id = selected.first()->data(0, Qt::UserRole).toString();
    if (QMessageBox::question(this, tr("Remove credentials"),
                              tr("Remove %1? Graphs that use it will ask for other credentials.")
                                  .arg(selected.first()->text(0)))
        != QMessageBox::Yes)
        return;
    runOffThread(
        pool(), this, [store = m_store, id] { return store->remove(kUser, id); },
        [this](Result<void> removed) {
            if (!removed)
                error(removed.error().message);
            refresh();
            Q_EMIT changed();
        });
}

void CredentialsPage::error(const QString &text)
{
    Q_EMIT failed(text);
    // Said without waiting for it to be read.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Credentials"), text, QMessageBox::Ok,
                                this);
    box->setObjectName(QStringLiteral("credentialsError"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace Signalbox::Ui
