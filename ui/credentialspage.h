// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/credentials/credentialsstore.h"

#include <QMutex>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace Signalbox::Ui {

// Which secret store the app uses, and the passphrase of the encrypted file
// once the user typed it. Shared with the engine's threads, which open the
// store when a run first needs a secret.
class SecretStoreChoice
{
public:
    enum class Kind { Keychain, EncryptedFile };

    SecretStoreChoice(Kind kind, QString filePath);
    Kind kind() const;
    void setKind(Kind kind);
    QString filePath() const;
    bool isUnlocked() const;
    void unlock(const QString &passphrase);
    // Opens the chosen store; a locked file or a missing keychain is an
    // error that tells the user what to do.
    Result<std::shared_ptr<Engine::SecretStore>> open() const;

    static QString kindName(Kind kind);
    static Kind kindFromName(const QString &name);

private:
    mutable QMutex m_mutex;
    Kind m_kind;
    QString m_filePath;
    QString m_passphrase;
};

// Settings → Credentials: where secrets are kept, the connected accounts
// (title, provider, type, host or scopes, expiry), adding an API key or a
// host's headers, connecting an OAuth account in the system browser,
// removing credentials, and adding OAuth providers.
class CredentialsPage : public QWidget
{
    Q_OBJECT

public:
    CredentialsPage(std::shared_ptr<Engine::CredentialsStore> store,
                    std::shared_ptr<SecretStoreChoice> choice, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }
    void refresh();

    // The steps behind the buttons, without their dialogs (for tests).
    Result<Engine::Credential> addApiKey(const QString &provider, const QString &title,
                                         const QString &key);
    Result<Engine::Credential> addHostHeaders(const QString &title, const QString &host,
                                              const QString &header, const QString &value);

Q_SIGNALS:
    // Credentials were added or removed.
    void changed();

private:
    void showStoreState();
    void addApiKeyDialog();
    void addHostHeadersDialog();
    void addProviderDialog();
    void connectAccount();
    void removeSelected();
    void error(const QString &text);

    std::shared_ptr<Engine::CredentialsStore> m_store;
    std::shared_ptr<SecretStoreChoice> m_choice;
    QComboBox *m_kind;
    QLabel *m_state;
    QPushButton *m_unlock;
    QTreeWidget *m_list;
    QPushButton *m_remove;
};

} // namespace Signalbox::Ui
