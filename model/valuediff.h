// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "value.h"

#include <QList>
#include <QString>

namespace Signalbox::Model {

// One difference between two JSON values, at a path from the root: "$",
// "$.name", "$.items[2].title", or "$[\"odd key\"]" for a key that is not
// a plain name.
struct ValueChange
{
    enum class Kind { Added, Removed, Changed };

    QString path;
    Kind kind = Kind::Changed;
    // Undefined where the kind has none (an added value has no before).
    Value before;
    Value after;
};

// What changed from `before` to `after`: objects key by key (the keys of
// `before` in their order, then the new ones), arrays item by item (extra
// items are added or removed at the end), anything else as one change where
// the values differ as Python compares them (1 equals 1.0). An object or an
// array that replaces a value of another kind is one change.
QList<ValueChange> diffValues(const Value &before, const Value &after);

} // namespace Signalbox::Model
