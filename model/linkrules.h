// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "blockschema.h"
#include "graph.h"

#include <QString>

namespace Signalbox::Model {

// Why a value of pin type `from` should not feed an input of type `to`, or
// an empty string when it may. The engine converts every value to its pin's
// type when a node runs (AutoGPT's convert); the editor refuses the pairs
// whose conversion only ever loses the data: a list or object arriving as a
// number (its length) or a boolean, a scalar wrapped into an object, and
// anything to or from a credentials pin.
QString pinTypeProblem(PinType from, PinType to);

// True when an input pin takes several links, one per entry: list and object
// pins, whose entries are the dynamic pins "pin_$_N" and "pin_#_KEY".
bool isDynamicInput(const PinSpec &pin);

// One entry of a list or object input: a key of the node's value for the
// pin (an index for a list), or an entry a link feeds, or both.
struct PinEntry
{
    QString key;
    // The dynamic pin that feeds it: "values_#_topic", "items_$_0".
    QString pinName;
    // The links into the entry (one at most in a valid graph).
    QStringList linkIds;
    // True when the node's own value for the pin has this key.
    bool hasValue = false;
};

// The entries of `pin` of `node`: the keys of its value on the node in
// order (indices for a list), then entries only links feed, in link order.
// Empty for a pin that is not a list or an object.
QList<PinEntry> pinEntries(const Graph &graph, const Node &node, const PinSpec &pin);

// The input pin name a new link to `sinkName` of `sinkId` should use: the
// pin itself while it is free; for a dynamic pin that is taken, its next
// entry ("items_$_2", or "values_#_SOURCE" named after the source pin).
QString sinkPinForNewLink(const Graph &graph, const BlockSchemaLookup &blocks,
                          const QString &sinkId, const QString &sinkName,
                          const QString &sourceName);

// Why `link` cannot be added to `graph`, or an empty string when it can:
// both nodes exist and differ, the source pin is an output and the sink pin
// an input of their blocks (dynamic entries by their base pin), the types
// fit (pinTypeProblem), the input is not linked already, and the same link
// does not exist.
QString linkProblem(const Graph &graph, const BlockSchemaLookup &blocks, const Link &link);

} // namespace Signalbox::Model
