// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QMutex>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace Signalbox::Engine {

// Where secrets live: the OS keychain, or, when the user opts in because
// there is none, an encrypted file. Thread-safe.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    // For messages: "the system keychain", "the encrypted file …".
    virtual QString description() const = 0;
    // ErrorCode::NotFound when there is no secret under `key`.
    virtual Result<QByteArray> read(const QString &key) = 0;
    virtual Result<void> write(const QString &key, const QByteArray &secret) = 0;
    // Removing a missing key succeeds.
    virtual Result<void> remove(const QString &key) = 0;
};

// The OS keychain through QtKeychain (Secret Service or KWallet on Linux,
// Keychain on macOS, Credential Manager on Windows). QtKeychain's own
// plain-text fallback is off.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(QString service = QStringLiteral("Signalbox"));
    // Whether a keychain answers: writes, reads back and deletes a probe
    // entry; the error says why not (no Secret Service, locked, refused).
    static Result<void> probe(const QString &service = QStringLiteral("Signalbox"));

    QString description() const override;
    Result<QByteArray> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &secret) override;
    Result<void> remove(const QString &key) override;

private:
    QString m_service;
    QMutex m_mutex;
};

// Secrets in one file, encrypted with a key derived from the user's
// passphrase (Argon2id, XSalsa20-Poly1305 via libsodium), written
// atomically and readable by its owner only. Only used when the user chose
// it.
class EncryptedFileSecretStore final : public SecretStore
{
public:
    // Opens `path` with `passphrase`, or creates it when it does not exist.
    // A wrong passphrase or a damaged file is an error.
    static Result<std::unique_ptr<EncryptedFileSecretStore>> open(const QString &path,
                                                                  const QString &passphrase);
    ~EncryptedFileSecretStore() override;

    QString description() const override;
    Result<QByteArray> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &secret) override;
    Result<void> remove(const QString &key) override;

private:
    EncryptedFileSecretStore() = default;
    Result<void> load();
    Result<void> save();

    QString m_path;
    QByteArray m_salt;
    // The derived key, in memory that is locked and wiped when freed.
    unsigned char *m_key = nullptr;
    std::map<QString, QByteArray> m_secrets;
    QMutex m_mutex;
};

// A secret store opened when a secret is first needed, so that work that
// needs none (most runs) never asks the keychain or a passphrase. A failed
// opening is tried again on the next use.
class DeferredSecretStore final : public SecretStore
{
public:
    using Opener = std::function<Result<std::shared_ptr<SecretStore>>()>;
    explicit DeferredSecretStore(Opener open)
        : m_open(std::move(open))
    { }

    QString description() const override;
    Result<QByteArray> read(const QString &key) override;
    Result<void> write(const QString &key, const QByteArray &secret) override;
    Result<void> remove(const QString &key) override;

private:
    Result<SecretStore *> store();

    Opener m_open;
    std::shared_ptr<SecretStore> m_store;
    QMutex m_mutex;
};

// How a program chooses its secret store, for the command line:
// SIGNALBOX_SECRET_STORE=keychain (the default) or file, and for the file
// SIGNALBOX_SECRETS_FILE (default: next to the database, DATABASE.secrets)
// and SIGNALBOX_SECRETS_PASSPHRASE. Without a keychain the error tells the
// user how to opt in to the file; it never falls back by itself.
Result<std::shared_ptr<SecretStore>> secretStoreFromEnvironment(const QString &databasePath);

} // namespace Signalbox::Engine
