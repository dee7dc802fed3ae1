// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretstore.h"

#include <qt6keychain/keychain.h>
#include <sodium.h>

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimer>

namespace Signalbox::Engine {

namespace {

constexpr int kKeychainTimeoutMs = 15000;
const QLatin1StringView kFileFormat("signalbox-secrets-1");

// Runs a QtKeychain job to its end on the calling thread; false when the
// keychain did not answer in time.
bool runJob(QKeychain::Job &job)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false);
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(kKeychainTimeoutMs, &loop, &QEventLoop::quit);
    job.start();
    if (!finished)
        loop.exec();
    return finished;
}

Error keychainError(const QKeychain::Job &job, const QString &doing)
{
    const ErrorCode code
        = job.error() == QKeychain::EntryNotFound ? ErrorCode::NotFound : ErrorCode::Storage;
    QString reason = job.errorString();
    if (reason.isEmpty())
        reason = QStringLiteral("the keychain did not answer");
    return makeError(code,
                     QStringLiteral("The system keychain could not %1: %2").arg(doing, reason));
}

bool sodiumReady()
{
    static const bool ready = sodium_init() >= 0;
    return ready;
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{ }

Result<void> KeychainSecretStore::probe(const QString &service)
{
    KeychainSecretStore store(service);
    const QString key = QStringLiteral("signalbox-probe");
    if (auto written = store.write(key, QByteArrayLiteral("probe")); !written)
        return written.error();
    auto read = store.read(key);
    if (!read)
        return read.error();
    return store.remove(key);
}

QString KeychainSecretStore::description() const
{
    return QStringLiteral("the system keychain");
}

Result<QByteArray> KeychainSecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(key);
    if (!runJob(job) || job.error() != QKeychain::NoError)
        return keychainError(job, QStringLiteral("read a secret"));
    return job.binaryData();
}

Result<void> KeychainSecretStore::write(const QString &key, const QByteArray &secret)
{
    QMutexLocker lock(&m_mutex);
    QKeychain::WritePasswordJob job(m_service);
    job.setKey(key);
    job.setBinaryData(secret);
    if (!runJob(job) || job.error() != QKeychain::NoError)
        return keychainError(job, QStringLiteral("store a secret"));
    return {};
}

Result<void> KeychainSecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(key);
    if (!runJob(job)
        || (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound))
        return keychainError(job, QStringLiteral("delete a secret"));
    return {};
}

Result<std::unique_ptr<EncryptedFileSecretStore>>
EncryptedFileSecretStore::open(const QString &path, const QString &passphrase)
{
    if (!sodiumReady())
        return makeError(ErrorCode::Internal, QStringLiteral("libsodium could not start"));
    if (passphrase.isEmpty())
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("The encrypted secrets file %1 needs a passphrase").arg(path));
    std::unique_ptr<EncryptedFileSecretStore> store(new EncryptedFileSecretStore);
    store->m_path = path;
    store->m_key = static_cast<unsigned char *>(sodium_malloc(crypto_secretbox_KEYBYTES));
    if (!store->m_key)
        return makeError(ErrorCode::Internal, QStringLiteral("Out of secure memory"));

    QJsonObject header;
    if (QFile::exists(path)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Storage,
                             QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
        header = QJsonDocument::fromJson(file.readAll()).object();
        if (header.value(QLatin1String("format")).toString() != kFileFormat)
            return makeError(ErrorCode::Storage,
                             QStringLiteral("%1 is not a Signalbox secrets file").arg(path));
        store->m_salt
            = QByteArray::fromBase64(header.value(QLatin1String("salt")).toString().toLatin1());
    } else {
        store->m_salt.resize(crypto_pwhash_SALTBYTES);
        randombytes_buf(store->m_salt.data(), size_t(store->m_salt.size()));
    }
    if (store->m_salt.size() != crypto_pwhash_SALTBYTES)
        return makeError(ErrorCode::Storage, QStringLiteral("%1 is damaged (salt)").arg(path));

    const QByteArray secret = passphrase.toUtf8();
    if (crypto_pwhash(store->m_key, crypto_secretbox_KEYBYTES, secret.constData(),
                      quint64(secret.size()),
                      reinterpret_cast<const unsigned char *>(store->m_salt.constData()),
                      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                      crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return makeError(ErrorCode::Internal, QStringLiteral("Out of memory deriving the key"));

    if (!header.isEmpty()) {
        if (auto loaded = store->load(); !loaded)
            return loaded.error();
    } else if (auto saved = store->save(); !saved) {
        return saved.error();
    }
    return store;
}

EncryptedFileSecretStore::~EncryptedFileSecretStore()
{
    if (m_key)
        sodium_free(m_key);
}

QString EncryptedFileSecretStore::description() const
{
    return QStringLiteral("the encrypted file %1").arg(m_path);
}

Result<void> EncryptedFileSecretStore::load()
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Storage,
                         QStringLiteral("Cannot read %1: %2").arg(m_path, file.errorString()));
    const QJsonObject header = QJsonDocument::fromJson(file.readAll()).object();
    const QByteArray nonce
        = QByteArray::fromBase64(header.value(QLatin1String("nonce")).toString().toLatin1());
    const QByteArray box
        = QByteArray::fromBase64(header.value(QLatin1String("box")).toString().toLatin1());
    if (nonce.size() != crypto_secretbox_NONCEBYTES || box.size() < crypto_secretbox_MACBYTES)
        return makeError(ErrorCode::Storage, QStringLiteral("%1 is damaged").arg(m_path));
    QByteArray plain(box.size() - crypto_secretbox_MACBYTES, Qt::Uninitialized);
    if (crypto_secretbox_open_easy(
            reinterpret_cast<unsigned char *>(plain.data()),
            reinterpret_cast<const unsigned char *>(box.constData()), quint64(box.size()),
            reinterpret_cast<const unsigned char *>(nonce.constData()), m_key)
        != 0)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("The passphrase does not open %1 (or the file was "
                                        "altered)")
                             .arg(m_path));
    const QJsonObject secrets = QJsonDocument::fromJson(plain).object();
    sodium_memzero(plain.data(), size_t(plain.size()));
    m_secrets.clear();
    for (auto it = secrets.begin(); it != secrets.end(); ++it)
        m_secrets[it.key()] = QByteArray::fromBase64(it.value().toString().toLatin1());
    return {};
}

Result<void> EncryptedFileSecretStore::save()
{
    QJsonObject secrets;
    for (const auto &[key, secret] : m_secrets)
        secrets.insert(key, QString::fromLatin1(secret.toBase64()));
    QByteArray plain = QJsonDocument(secrets).toJson(QJsonDocument::Compact);
    QByteArray nonce(crypto_secretbox_NONCEBYTES, Qt::Uninitialized);
    randombytes_buf(nonce.data(), size_t(nonce.size()));
    QByteArray box(plain.size() + crypto_secretbox_MACBYTES, Qt::Uninitialized);
    crypto_secretbox_easy(reinterpret_cast<unsigned char *>(box.data()),
                          reinterpret_cast<const unsigned char *>(plain.constData()),
                          quint64(plain.size()),
                          reinterpret_cast<const unsigned char *>(nonce.constData()), m_key);
    sodium_memzero(plain.data(), size_t(plain.size()));

    const QJsonObject header {
        {QStringLiteral("format"), QString(kFileFormat)},
        {QStringLiteral("kdf"), QStringLiteral("argon2id13")},
        {QStringLiteral("salt"), QString::fromLatin1(m_salt.toBase64())},
        {QStringLiteral("nonce"), QString::fromLatin1(nonce.toBase64())},
        {QStringLiteral("box"), QString::fromLatin1(box.toBase64())},
    };
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::Storage,
                         QStringLiteral("Cannot write %1: %2").arg(m_path, file.errorString()));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(header).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return makeError(ErrorCode::Storage,
                         QStringLiteral("Cannot write %1: %2").arg(m_path, file.errorString()));
    return {};
}

Result<QByteArray> EncryptedFileSecretStore::read(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_secrets.find(key);
    if (it == m_secrets.end())
        return makeError(ErrorCode::NotFound, QStringLiteral("No secret stored for %1").arg(key));
    return it->second;
}

Result<void> EncryptedFileSecretStore::write(const QString &key, const QByteArray &secret)
{
    QMutexLocker lock(&m_mutex);
    m_secrets[key] = secret;
    return save();
}

Result<void> EncryptedFileSecretStore::remove(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    if (m_secrets.erase(key) == 0)
        return {};
    return save();
}

Result<SecretStore *> DeferredSecretStore::store()
{
    QMutexLocker lock(&m_mutex);
    if (!m_store) {
        auto opened = m_open();
        if (!opened)
            return opened.error();
        m_store = *opened;
    }
    return m_store.get();
}

QString DeferredSecretStore::description() const
{
    return m_store ? m_store->description() : QStringLiteral("the secret store");
}

Result<QByteArray> DeferredSecretStore::read(const QString &key)
{
    auto opened = store();
    if (!opened)
        return opened.error();
    return (*opened)->read(key);
}

Result<void> DeferredSecretStore::write(const QString &key, const QByteArray &secret)
{
    auto opened = store();
    if (!opened)
        return opened.error();
    return (*opened)->write(key, secret);
}

Result<void> DeferredSecretStore::remove(const QString &key)
{
    auto opened = store();
    if (!opened)
        return opened.error();
    return (*opened)->remove(key);
}

Result<std::shared_ptr<SecretStore>> secretStoreFromEnvironment(const QString &databasePath)
{
    const QString kind = qEnvironmentVariable("SIGNALBOX_SECRET_STORE", QStringLiteral("keychain"));
    if (kind == QLatin1String("file")) {
        const QString path = qEnvironmentVariable("SIGNALBOX_SECRETS_FILE",
                                                  databasePath + QLatin1String(".secrets"));
        auto store = EncryptedFileSecretStore::open(
            path, qEnvironmentVariable("SIGNALBOX_SECRETS_PASSPHRASE"));
        if (!store)
            return store.error();
        return std::shared_ptr<SecretStore>(std::move(*store));
    }
    if (kind != QLatin1String("keychain"))
        return makeError(
            ErrorCode::BadInput,
            QStringLiteral("SIGNALBOX_SECRET_STORE must be keychain or file, not %1").arg(kind));
    if (auto available = KeychainSecretStore::probe(); !available)
        return makeError(
            ErrorCode::Storage,
            available.error().message
                + QLatin1String("\nTo keep secrets in an encrypted file instead, set "
                                "SIGNALBOX_SECRET_STORE=file and SIGNALBOX_SECRETS_PASSPHRASE."));
    return std::shared_ptr<SecretStore>(std::make_shared<KeychainSecretStore>());
}

} // namespace Signalbox::Engine
