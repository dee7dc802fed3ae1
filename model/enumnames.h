// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLatin1StringView>
#include <QString>

#include <optional>

namespace Signalbox::Model {

// One row of a table that spells an enum's values.
template<typename Enum> struct EnumName
{
    Enum value;
    QLatin1StringView name;
};

template<typename Enum, size_t N> QString enumName(const EnumName<Enum> (&table)[N], Enum value)
{
    for (const auto &entry : table) {
        if (entry.value == value)
            return QString(entry.name);
    }
    return QString();
}

template<typename Enum, size_t N>
std::optional<Enum> enumFromName(const EnumName<Enum> (&table)[N], QStringView name,
                                 Qt::CaseSensitivity sensitivity = Qt::CaseSensitive)
{
    for (const auto &entry : table) {
        if (name.compare(entry.name, sensitivity) == 0)
            return entry.value;
    }
    return std::nullopt;
}

} // namespace Signalbox::Model
