// SPDX-License-Identifier: GPL-3.0-or-later
#include "cost.h"

#include <cmath>

namespace Signalbox::Engine {

bool isCostFilterMatch(const Model::Value &filter, const Model::Value &input)
{
    if (!filter.isMap() || !input.isMap())
        return Model::pythonEquals(filter, input);
    const Model::ValueMap filters = filter.toMap();
    const Model::ValueMap inputs = input.toMap();
    for (auto it = filters.begin(); it != filters.end(); ++it) {
        const Model::Value given = inputs.value(it.key());
        const bool givenEmpty = !Model::pythonTruthy(given);
        const bool wantedEmpty = !Model::pythonTruthy(it.value());
        if (givenEmpty && wantedEmpty)
            continue;
        if (!givenEmpty && isCostFilterMatch(it.value(), given))
            continue;
        return false;
    }
    return true;
}

BlockCost blockUsageCost(const Model::BlockSchema &block, const Model::ValueMap &input,
                         double dataSize, double runSeconds)
{
    for (const Model::CostRule &rule : block.costs) {
        const Model::Value filter = Model::fromQJson(rule.filter);
        if (!isCostFilterMatch(filter, input))
            continue;
        switch (rule.type) {
        case Model::CostRule::Type::Run:
            return {rule.amount, filter};
        case Model::CostRule::Type::Second:
            return {qint64(std::trunc(runSeconds * double(rule.amount))), filter};
        case Model::CostRule::Type::Byte:
            return {qint64(std::trunc(dataSize * double(rule.amount))), filter};
        }
    }
    return {0, Model::ValueMap()};
}

qint64 executionUsageCost(qint64 nodeExecutionCount, qint64 threshold, qint64 perThreshold)
{
    if (threshold <= 0)
        return 0;
    return nodeExecutionCount % threshold == 0 ? perThreshold : 0;
}

} // namespace Signalbox::Engine
