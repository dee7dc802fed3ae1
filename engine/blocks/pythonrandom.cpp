// SPDX-License-Identifier: GPL-3.0-or-later
#include "pythonrandom.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace Signalbox::Engine {

namespace {

constexpr int kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;

int bitLength(quint64 n)
{
    int bits = 0;
    while (n) {
        ++bits;
        n >>= 1;
    }
    return bits;
}

} // namespace

PythonRandom::PythonRandom()
{
    // Python seeds from os.urandom: 624 words of entropy.
    QList<std::uint32_t> key(kN);
    QRandomGenerator::system()->fillRange(key.data(), key.size());
    initByArray(key);
}

void PythonRandom::initGenrand(std::uint32_t s)
{
    m_state[0] = s;
    for (int i = 1; i < kN; ++i)
        m_state[i] = 1812433253U * (m_state[i - 1] ^ (m_state[i - 1] >> 30)) + std::uint32_t(i);
    m_index = kN;
}

void PythonRandom::initByArray(const QList<std::uint32_t> &key)
{
    initGenrand(19650218U);
    int i = 1;
    qsizetype j = 0;
    const qsizetype length = key.size();
    for (qsizetype k = std::max<qsizetype>(kN, length); k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1664525U))
            + key.at(j) + std::uint32_t(j);
        ++i;
        ++j;
        if (i >= kN) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
        if (j >= length)
            j = 0;
    }
    for (int k = kN - 1; k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1566083941U))
            - std::uint32_t(i);
        ++i;
        if (i >= kN) {
            m_state[0] = m_state[kN - 1];
            i = 1;
        }
    }
    m_state[0] = 0x80000000U;
}

void PythonRandom::seed(qint64 n)
{
    // The absolute value, as 32-bit words from the least significant.
    quint64 magnitude = n < 0 ? quint64(0) - quint64(n) : quint64(n);
    QList<std::uint32_t> key;
    do {
        key.append(std::uint32_t(magnitude & 0xffffffffU));
        magnitude >>= 32;
    } while (magnitude);
    initByArray(key);
}

std::uint32_t PythonRandom::genrand()
{
    static constexpr std::uint32_t mag01[2] = {0, kMatrixA};
    if (m_index >= kN) {
        int kk = 0;
        for (; kk < kN - kM; ++kk) {
            const std::uint32_t y = (m_state[kk] & kUpperMask) | (m_state[kk + 1] & kLowerMask);
            m_state[kk] = m_state[kk + kM] ^ (y >> 1) ^ mag01[y & 1U];
        }
        for (; kk < kN - 1; ++kk) {
            const std::uint32_t y = (m_state[kk] & kUpperMask) | (m_state[kk + 1] & kLowerMask);
            m_state[kk] = m_state[kk + (kM - kN)] ^ (y >> 1) ^ mag01[y & 1U];
        }
        const std::uint32_t y = (m_state[kN - 1] & kUpperMask) | (m_state[0] & kLowerMask);
        m_state[kN - 1] = m_state[kM - 1] ^ (y >> 1) ^ mag01[y & 1U];
        m_index = 0;
    }
    std::uint32_t y = m_state[m_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

double PythonRandom::random()
{
    const std::uint32_t a = genrand() >> 5;
    const std::uint32_t b = genrand() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

quint64 PythonRandom::getrandbits(int k)
{
    if (k <= 0)
        return 0;
    if (k <= 32)
        return genrand() >> (32 - k);
    // Words from the least significant; the last one keeps its top bits.
    quint64 result = 0;
    for (int shift = 0; k > 0; shift += 32, k -= 32) {
        std::uint32_t word = genrand();
        if (k < 32)
            word >>= 32 - k;
        result |= quint64(word) << shift;
    }
    return result;
}

qint64 PythonRandom::randbelow(qint64 n)
{
    if (n <= 0)
        return 0;
    const int k = bitLength(quint64(n));
    quint64 r = getrandbits(k);
    while (r >= quint64(n))
        r = getrandbits(k);
    return qint64(r);
}

std::optional<qint64> PythonRandom::randint(qint64 a, qint64 b)
{
    if (b < a)
        return std::nullopt;
    return a + randbelow(b - a + 1);
}

std::optional<QList<qint64>> PythonRandom::sample(const QList<qint64> &population, qint64 k)
{
    const qint64 n = population.size();
    if (k < 0 || k > n)
        return std::nullopt;
    QList<qint64> result(k);
    qint64 setSize = 21; // a small set's size minus an empty list's
    if (k > 5)
        setSize += qint64(std::pow(4.0, std::ceil(std::log(double(k * 3)) / std::log(4.0))));
    if (n <= setSize) {
        QList<qint64> pool = population;
        for (qint64 i = 0; i < k; ++i) {
            const qint64 j = randbelow(n - i);
            result[i] = pool.at(j);
            pool[j] = pool.at(n - i - 1);
        }
    } else {
        std::unordered_set<qint64> selected;
        for (qint64 i = 0; i < k; ++i) {
            qint64 j = randbelow(n);
            while (selected.count(j))
                j = randbelow(n);
            selected.insert(j);
            result[i] = population.at(j);
        }
    }
    return result;
}

QList<qint64> PythonRandom::choices(const QList<double> &weights, qint64 k)
{
    QList<double> cumulative;
    double sum = 0;
    for (double weight : weights) {
        sum += weight;
        cumulative.append(sum);
    }
    const double total = cumulative.isEmpty() ? 0.0 : cumulative.last();
    const qint64 hi = weights.size() - 1;
    QList<qint64> result;
    for (qint64 i = 0; i < k; ++i) {
        // bisect_right(cumulative, x, 0, hi)
        const double x = random() * total;
        const auto at = std::upper_bound(cumulative.cbegin(), cumulative.cbegin() + hi, x);
        result.append(at - cumulative.cbegin());
    }
    return result;
}

} // namespace Signalbox::Engine
