// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>

#include <array>
#include <cstdint>
#include <optional>

namespace Signalbox::Engine {

// Python's `random` module: the same Mersenne Twister, seeded the same way
// from an integer, and the same algorithms on top of it, so that a seeded
// block samples exactly what AutoGPT's would. Not thread-safe.
class PythonRandom
{
public:
    // Seeded from the operating system, like Python at start.
    PythonRandom();

    // random.seed(n) for an integer n.
    void seed(qint64 n);
    // random.random(): a double in [0, 1).
    double random();
    // random.getrandbits(k), 0 <= k <= 64.
    quint64 getrandbits(int k);
    // random._randbelow(n), n > 0: an integer in [0, n).
    qint64 randbelow(qint64 n);
    // random.randint(a, b); nullopt when b < a (Python's ValueError).
    std::optional<qint64> randint(qint64 a, qint64 b);
    // random.sample(population, k); nullopt when k is negative or larger
    // than the population.
    std::optional<QList<qint64>> sample(const QList<qint64> &population, qint64 k);
    // random.choices(range(n), weights=weights, k=k): indices, with
    // replacement. The weights must have a positive, finite total.
    QList<qint64> choices(const QList<double> &weights, qint64 k);

private:
    static constexpr int kN = 624;
    void initGenrand(std::uint32_t s);
    void initByArray(const QList<std::uint32_t> &key);
    std::uint32_t genrand();

    std::array<std::uint32_t, kN> m_state {};
    int m_index = kN + 1;
};

} // namespace Signalbox::Engine
