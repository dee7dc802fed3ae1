// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/credentials/credentialsstore.h"

#include <QMutex>
#include <QWidget>

class QThreadPool;

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
    // Where secrets are kept, and whether that works.
    QLabel *storeState() const { return m_state; }
    // Reads the credentials again, off the GUI thread; refreshed() follows.
    void refresh();

    // The steps behind the buttons, without their dialogs (for tests). The
    // store is written off the GUI thread: changed() follows, or failed().
    void addApiKey(const QString &provider, const QString &title, const QString &key);
    void addHostHeaders(const QString &title, const QString &host, const QString &header,
                        const QString &value);

Q_SIGNALS:
    // Credentials were added or removed.
    void changed();
    // The list shows what the store holds now.
    void refreshed();
    // A step did not happen, and why (also shown to the user).
    void failed(const QString &message);
    // The keychain answered whether it keeps secrets; the page says so.
    void storeStateShown();

private:
    void showStoreState();
    void addApiKeyDialog();
    void addHostHeadersDialog();
    void addProviderDialog();
    void connectAccount();
    void connectAccountWith(Result<QList<Engine::OAuthProvider>> providers);
    void removeSelected();
    void error(const QString &text);
    // Adds the credential off the GUI thread, then refreshes.
    void add(const Engine::Credential &credential, const Engine::CredentialSecret &secret);

    std::shared_ptr<Engine::CredentialsStore> m_store;
    std::shared_ptr<SecretStoreChoice> m_choice;
    QComboBox *m_kind;
    QLabel *m_state;
    QPushButton *m_unlock;
    QTreeWidget *m_list;
    QPushButton *m_remove;
    // The store's calls, in the order they were made: one thread, shared
    // by every page and kept to the end of the application (a page closed
    // waits for none of them).
    static QThreadPool *pool();
};

} // namespace Signalbox::Ui
