// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace Signalbox::Model {

// A hash for string keys on hot paths. Qt 6.4's qHash(QString) takes a slow
// path for strings shorter than 16 characters on some x86-64 machines (over
// 150 ns a call here); node ids, pin names and the like are often that short.
struct StringKeyHash
{
    size_t operator()(const QString &key) const noexcept
    {
        return std::hash<std::u16string_view> {}(
            std::u16string_view(reinterpret_cast<const char16_t *>(key.constData()), key.size()));
    }
};

template<typename Value> using StringKeyMap = std::unordered_map<QString, Value, StringKeyHash>;
using StringKeySet = std::unordered_set<QString, StringKeyHash>;

} // namespace Signalbox::Model
