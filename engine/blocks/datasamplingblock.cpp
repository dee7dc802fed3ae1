// SPDX-License-Identifier: GPL-3.0-or-later
// DataSamplingBlock, with Python's random number generator and its quirks.
#include "blockinput.h"
#include "blockregistry.h"
#include "pythonrandom.h"

#include <QMutex>

#include <numeric>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

const QLatin1StringView kDataSampling("4a448883-71fa-49cf-91cf-70d793bd7d87");

// Upstream samples with Python's global generator, which random_seed
// reseeds for every later user too, and accumulates into a buffer of the
// block object, which every run of the block shares. Both are kept.
struct SharedState
{
    QMutex mutex;
    PythonRandom random;
    ValueList accumulated;
};

SharedState &shared()
{
    static SharedState state;
    return state;
}

// Groups item indices by str(item[key]), keys in first-seen order.
struct Groups
{
    QStringList keys;
    QHash<QString, QList<qint64>> members;
};

// The value under `key` of each item, or an error in upstream's words.
Result<QList<Value>> keyedValues(const ValueList &items, const QString &key, const QString &missing)
{
    QList<Value> values;
    for (const Value &item : items) {
        if (!item.isMap())
            return blockError(missing.arg(Model::pythonStr(item)));
        values.append(item.toMap().value(key));
    }
    return values;
}

Groups group(const QList<Value> &values)
{
    Groups groups;
    for (qint64 i = 0; i < values.size(); ++i) {
        const QString name
            = Model::pythonStr(values.at(i).isUndefined() ? Value(nullptr) : values.at(i));
        if (!groups.members.contains(name))
            groups.keys.append(name);
        groups.members[name].append(i);
    }
    return groups;
}

// Python's float(value) for a weight.
std::optional<double> pythonFloat(const Value &value)
{
    if (value.isBool())
        return value.toBool() ? 1.0 : 0.0;
    if (value.isInteger())
        return double(value.toInteger());
    if (value.isDouble())
        return value.toDouble();
    if (!value.isString())
        return std::nullopt;
    QString text = value.toString().trimmed().toLower();
    text.remove(QLatin1Char('_'));
    const QString unsigned_ = text.startsWith(QLatin1Char('-')) || text.startsWith(QLatin1Char('+'))
        ? text.mid(1)
        : text;
    const double sign = text.startsWith(QLatin1Char('-')) ? -1.0 : 1.0;
    if (unsigned_ == QLatin1String("inf") || unsigned_ == QLatin1String("infinity"))
        return sign * qInf();
    if (unsigned_ == QLatin1String("nan"))
        return qQNaN();
    bool ok = false;
    const double parsed = text.toDouble(&ok);
    return ok ? std::optional<double>(parsed) : std::nullopt;
}

Result<QList<qint64>> sampleIndices(const ValueMap &input, const ValueList &data, qint64 sampleSize,
                                    PythonRandom &random)
{
    const qint64 size = data.size();
    const QString method = in(input, "sampling_method").toString();
    const auto sampleOf
        = [&random](const QList<qint64> &population, qint64 k) -> Result<QList<qint64>> {
        auto sampled = random.sample(population, k);
        if (!sampled)
            return blockError(QStringLiteral("Sample larger than population or is negative"));
        return *sampled;
    };
    QList<qint64> range(size);
    std::iota(range.begin(), range.end(), qint64(0));

    if (method == QLatin1String("random"))
        return sampleOf(range, sampleSize);
    if (method == QLatin1String("systematic")) {
        const qint64 step = sampleSize == 0 ? 0 : size / sampleSize;
        if (sampleSize == 0)
            return blockError(QStringLiteral("integer division or modulo by zero"));
        const auto start = random.randint(0, step - 1);
        if (!start)
            return blockError(QStringLiteral("empty range in randrange(0, %1)").arg(step));
        QList<qint64> indices;
        for (qint64 i = *start; i < size && indices.size() < sampleSize; i += step)
            indices.append(i);
        return indices;
    }
    if (method == QLatin1String("top"))
        return range.mid(0, qMax<qint64>(0, sampleSize));
    if (method == QLatin1String("bottom"))
        return range.mid(qMax<qint64>(0, size - sampleSize));
    if (method == QLatin1String("stratified")) {
        const QString key = in(input, "stratify_key").toString();
        if (key.isEmpty())
            return blockError(
                QStringLiteral("Stratify key must be provided for stratified sampling."));
        auto values = keyedValues(data, key,
                                  QStringLiteral("Stratify key '%1' not found in item %2")
                                      .arg(key, QStringLiteral("%1")));
        if (!values)
            return values.error();
        for (const Value &value : std::as_const(*values)) {
            if (isNone(value))
                return blockError(QStringLiteral("Stratify value for key '%1' is None").arg(key));
        }
        const Groups strata = group(*values);
        QList<qint64> sizes;
        for (const QString &name : strata.keys)
            sizes.append(qMax<qint64>(1,
                                      qint64(double(strata.members.value(name).size())
                                             / double(size) * double(sampleSize))));
        // Adjust the largest stratum (the first of equals) until they add up.
        for (;;) {
            const qint64 total = std::accumulate(sizes.cbegin(), sizes.cend(), qint64(0));
            if (total == sampleSize)
                break;
            const auto largest = std::max_element(sizes.begin(), sizes.end());
            *largest += total < sampleSize ? 1 : -1;
        }
        QList<qint64> indices;
        for (qsizetype i = 0; i < strata.keys.size(); ++i) {
            auto sampled = sampleOf(strata.members.value(strata.keys.at(i)), sizes.at(i));
            if (!sampled)
                return sampled.error();
            indices.append(*sampled);
        }
        return indices;
    }
    if (method == QLatin1String("weighted")) {
        const QString key = in(input, "weight_key").toString();
        if (key.isEmpty())
            return blockError(QStringLiteral("Weight key must be provided for weighted sampling."));
        auto values = keyedValues(
            data, key,
            QStringLiteral("Weight key '%1' not found in item %2").arg(key, QStringLiteral("%1")));
        if (!values)
            return values.error();
        QList<double> weights;
        for (const Value &value : std::as_const(*values)) {
            if (isNone(value))
                return blockError(QStringLiteral("Weight value for key '%1' is None").arg(key));
            const auto weight = pythonFloat(value);
            if (!weight)
                return blockError(
                    QStringLiteral("Weight value '%1' cannot be converted to a number")
                        .arg(Model::pythonStr(value)));
            weights.append(*weight);
        }
        if (weights.isEmpty())
            return blockError(QStringLiteral("No valid weights found using key '%1'").arg(key));
        const double total = std::accumulate(weights.cbegin(), weights.cend(), 0.0);
        if (!(total > 0.0))
            return blockError(QStringLiteral("Total of weights must be greater than zero"));
        if (!std::isfinite(total))
            return blockError(QStringLiteral("Total of weights must be finite"));
        return random.choices(weights, sampleSize);
    }
    if (method == QLatin1String("reservoir")) {
        QList<qint64> indices = range.mid(0, qMax<qint64>(0, sampleSize));
        for (qint64 i = sampleSize; i < size; ++i) {
            const qint64 j = *random.randint(0, i);
            if (j < sampleSize)
                indices[j] = i;
        }
        return indices;
    }
    if (method == QLatin1String("cluster")) {
        const QString key = in(input, "cluster_key").toString();
        if (key.isEmpty())
            return blockError(QStringLiteral("Cluster key must be provided for cluster sampling."));
        auto values = keyedValues(data, key,
                                  QStringLiteral("Item %1 does not have the cluster key '%2'")
                                      .arg(QStringLiteral("%1"), key));
        if (!values)
            return values.error();
        const Groups clusters = group(*values);
        QStringList selected;
        qint64 selectedSize = 0;
        while (selectedSize < sampleSize) {
            QStringList available;
            for (const QString &name : clusters.keys) {
                if (!selected.contains(name))
                    available.append(name);
            }
            if (available.isEmpty())
                break;
            const QString chosen = available.at(random.randbelow(available.size()));
            selected.append(chosen);
            selectedSize += clusters.members.value(chosen).size();
        }
        QList<qint64> indices;
        for (const QString &name : std::as_const(selected))
            indices.append(clusters.members.value(name));
        if (indices.size() > sampleSize)
            return sampleOf(indices, sampleSize);
        return indices;
    }
    return blockError(QStringLiteral("Unknown sampling method: %1").arg(method));
}

Result<void> dataSampling(const ValueMap &input, BlockContext &context)
{
    SharedState &state = shared();
    QMutexLocker lock(&state.mutex);
    const Value data = in(input, "data");
    const qint64 sampleSize = in(input, "sample_size").toInteger();
    const bool accumulate = in(input, "accumulate").toBool();
    ValueList sampleFrom;
    if (accumulate) {
        if (data.isMap())
            state.accumulated.append(data);
        else if (data.isArray()) {
            for (const Value &item : data.toArray())
                state.accumulated.append(item);
        } else
            return blockError(QStringLiteral("Unsupported data type: <class '%1'>")
                                  .arg(Model::pythonTypeName(data)));
        if (state.accumulated.size() < sampleSize)
            return {};
        sampleFrom = state.accumulated;
    } else {
        sampleFrom = data.isArray() ? data.toArray() : ValueList {data};
    }
    if (const Value seed = in(input, "random_seed"); !isNone(seed))
        state.random.seed(seed.toInteger());
    if (sampleSize > sampleFrom.size()) {
        return blockError(
            QStringLiteral("Sample size (%1) cannot be larger than the dataset size (%2).")
                .arg(sampleSize)
                .arg(sampleFrom.size()));
    }
    auto indices = sampleIndices(input, sampleFrom, sampleSize, state.random);
    if (!indices)
        return indices.error();
    ValueList sampled;
    ValueList indexList;
    for (qint64 i : std::as_const(*indices)) {
        sampled.append(sampleFrom.at(i));
        indexList.append(i);
    }
    if (accumulate)
        state.accumulated = ValueList();
    lock.unlock();
    context.yield(QStringLiteral("sampled_data"), sampled);
    context.yield(QStringLiteral("sample_indices"), indexList);
    return {};
}

} // namespace

void registerDataSamplingBlock(BlockRegistry &registry)
{
    registry.add(kDataSampling, dataSampling);
}

} // namespace Signalbox::Engine
