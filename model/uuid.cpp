// SPDX-License-Identifier: GPL-3.0-or-later
#include "uuid.h"

#include <QDateTime>
#include <QMutex>
#include <QRandomGenerator>
#include <QUuid>

#include <array>

namespace Signalbox::Model {

QString createTimeOrderedUuid()
{
    static QMutex mutex;
    static qint64 lastMs = 0;
    static quint32 counter = 0; // guarded by mutex

    qint64 ms = QDateTime::currentMSecsSinceEpoch();
    quint32 sequence;
    {
        QMutexLocker lock(&mutex);
        if (ms <= lastMs) {
            // Same millisecond (or a clock step back): keep order with the counter.
            ms = lastMs;
            ++counter;
            if (counter > 0xfff) {
                ++ms;
                counter = 0;
            }
        } else {
            counter = QRandomGenerator::global()->bounded(0x100u);
        }
        lastMs = ms;
        sequence = counter;
    }

    std::array<uchar, 16> bytes;
    for (int i = 0; i < 6; ++i)
        bytes[i] = uchar(ms >> (40 - 8 * i));
    bytes[6] = uchar(0x70 | ((sequence >> 8) & 0x0f));
    bytes[7] = uchar(sequence);
    quint64 random = QRandomGenerator::global()->generate64();
    for (int i = 8; i < 16; ++i)
        bytes[i] = uchar(random >> (8 * (i - 8)));
    bytes[8] = uchar(0x80 | (bytes[8] & 0x3f)); // RFC 4122 variant

    const QUuid uuid = QUuid::fromRfc4122(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
    return uuid.toString(QUuid::WithoutBraces);
}

QString createRandomUuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

bool isUuid(const QString &text)
{
    return text.size() == 36 && !QUuid::fromString(text).isNull();
}

} // namespace Signalbox::Model
