// SPDX-License-Identifier: GPL-3.0-or-later
// Time blocks.
#include "blockregistry.h"

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueMap;

namespace {

const QLatin1StringView kCountdownTimer("d67a9c52-5e4e-11e2-bcfd-0800200c9a71");

// Python's int() of an int or a numeric string; nullopt where it raises.
std::optional<qint64> pythonInt(const Value &value)
{
    if (value.isInteger())
        return value.toInteger();
    if (value.isString()) {
        bool ok = false;
        const qint64 number = value.toString().trimmed().toLongLong(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

Result<void> countdownTimer(const ValueMap &input, BlockContext &context)
{
    qint64 total = 0;
    const std::pair<const char *, qint64> units[]
        = {{"seconds", 1}, {"minutes", 60}, {"hours", 3600}, {"days", 86400}};
    for (const auto &[pin, factor] : units) {
        const Value given = input.value(QLatin1String(pin));
        const auto number = pythonInt(given);
        if (!number)
            return blockError(QStringLiteral("invalid literal for int() with base 10: '%1'")
                                  .arg(given.toString()));
        total += *number * factor;
    }
    const qint64 repeat = input.value(QLatin1String("repeat")).toInteger(1);
    for (qint64 i = 0; i < repeat; ++i) {
        // Stopping the run wakes the wait at once.
        if (total > 0 && !context.sleep(total * 1000))
            return {};
        context.yield(QStringLiteral("output_message"),
                      input.value(QLatin1String("input_message")));
    }
    return {};
}

} // namespace

void registerTimeBlocks(BlockRegistry &registry)
{
    registry.add(kCountdownTimer, countdownTimer);
}

} // namespace Signalbox::Engine
