// SPDX-License-Identifier: GPL-3.0-or-later
// List blocks, with Python's list semantics (slices clamp, negative indices
// count from the end, == treats 1, 1.0 and True alike).
#include "blockids.h"
#include "blockinput.h"
#include "blockregistry.h"

#include <QSet>

namespace Signalbox::Engine {

using Model::Value;
using Model::ValueList;
using Model::ValueMap;
using namespace BlockInput;

namespace {

// Python's clamp of a slice bound.
qsizetype sliceBound(qint64 index, qsizetype size)
{
    if (index < 0)
        index += size;
    return qsizetype(qBound<qint64>(0, index, size));
}

// Python's list[index]: nullopt when out of range.
std::optional<qsizetype> resolveIndex(qint64 index, qsizetype size)
{
    const qint64 resolved = index < 0 ? index + size : index;
    if (resolved < 0 || resolved >= size)
        return std::nullopt;
    return qsizetype(resolved);
}

// Rough token count of a value's text, for CreateList's max_tokens: about
// four characters a token, as common tokenizers average on English text.
qint64 estimateTokens(const Value &value)
{
    const QString text = Model::pythonStr(value);
    return (text.size() + 3) / 4;
}

Result<void> createList(const ValueMap &input, BlockContext &context)
{
    const ValueList values = in(input, "values").toArray();
    const Value maxSizeValue = in(input, "max_size");
    const Value maxTokensValue = in(input, "max_tokens");
    const qint64 maxSize = maxSizeValue.isInteger() ? maxSizeValue.toInteger() : 0;
    const qint64 maxTokens = maxTokensValue.isInteger() ? maxTokensValue.toInteger() : 0;
    ValueList chunk;
    qint64 tokens = 0;
    for (const Value &value : values) {
        const qint64 valueTokens = maxTokens ? estimateTokens(value) : 0;
        if ((maxTokens && tokens + valueTokens > maxTokens)
            || (maxSize && chunk.size() + 1 > maxSize)) {
            context.yield(QStringLiteral("list"), chunk);
            chunk = ValueList {value};
            tokens = valueTokens;
        } else {
            chunk.append(value);
            tokens += valueTokens;
        }
    }
    if (!chunk.isEmpty() || values.isEmpty())
        context.yield(QStringLiteral("list"), chunk);
    return {};
}

Result<void> addToList(const ValueMap &input, BlockContext &context)
{
    const ValueList list = in(input, "list").toArray();
    ValueList added = in(input, "entries").toArray();
    if (!isNone(in(input, "entry")))
        added.append(in(input, "entry"));
    ValueList updated;
    const Value position = in(input, "position");
    if (position.isInteger()) {
        const qsizetype at = sliceBound(position.toInteger(), list.size());
        for (qsizetype i = 0; i < at; ++i)
            updated.append(list.at(i));
        for (const Value &value : added)
            updated.append(value);
        for (qsizetype i = at; i < list.size(); ++i)
            updated.append(list.at(i));
    } else {
        updated = list;
        for (const Value &value : added)
            updated.append(value);
    }
    context.yield(QStringLiteral("updated_list"), updated);
    return {};
}

Result<void> findInList(const ValueMap &input, BlockContext &context)
{
    const ValueList list = in(input, "list").toArray();
    const Value value = in(input, "value");
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (Model::pythonEquals(list.at(i), value)) {
            context.yield(QStringLiteral("index"), qint64(i));
            context.yield(QStringLiteral("found"), true);
            return {};
        }
    }
    context.yield(QStringLiteral("found"), false);
    context.yield(QStringLiteral("not_found_value"), value);
    return {};
}

Result<void> getListItem(const ValueMap &input, BlockContext &context)
{
    const ValueList list = in(input, "list").toArray();
    const auto index = resolveIndex(in(input, "index").toInteger(), list.size());
    if (!index) {
        context.yield(QStringLiteral("error"), QStringLiteral("Index out of range"));
        return {};
    }
    context.yield(QStringLiteral("item"), list.at(*index));
    return {};
}

Result<void> removeFromList(const ValueMap &input, BlockContext &context)
{
    ValueList list = in(input, "list").toArray();
    const Value indexValue = in(input, "index");
    const Value value = in(input, "value");
    Value removed;
    bool ok = false;
    if (indexValue.isInteger()) {
        if (const auto index = resolveIndex(indexValue.toInteger(), list.size())) {
            removed = list.takeAt(*index);
            ok = true;
        }
    } else if (!isNone(value)) {
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (Model::pythonEquals(list.at(i), value)) {
                list.removeAt(i);
                removed = value;
                ok = true;
                break;
            }
        }
    }
    if (!ok) {
        context.yield(QStringLiteral("error"), QStringLiteral("Index or value not found"));
        return {};
    }
    context.yield(QStringLiteral("updated_list"), list);
    if (in(input, "return_item").toBool())
        context.yield(QStringLiteral("removed_item"), removed);
    return {};
}

Result<void> replaceListItem(const ValueMap &input, BlockContext &context)
{
    ValueList list = in(input, "list").toArray();
    const auto index = resolveIndex(in(input, "index").toInteger(), list.size());
    if (!index) {
        context.yield(QStringLiteral("error"), QStringLiteral("Index out of range"));
        return {};
    }
    const Value old = list.at(*index);
    list[*index] = in(input, "value");
    context.yield(QStringLiteral("updated_list"), list);
    context.yield(QStringLiteral("old_item"), old);
    return {};
}

Result<void> listIsEmpty(const ValueMap &input, BlockContext &context)
{
    context.yield(QStringLiteral("is_empty"), in(input, "list").toArray().isEmpty());
    return {};
}

// The sub-lists of `lists`, None ones skipped; an error message for others.
std::optional<QString> subLists(const ValueMap &input, QList<ValueList> &out)
{
    const ValueList lists = in(input, "lists").toArray();
    for (qsizetype i = 0; i < lists.size(); ++i) {
        const Value item = lists.at(i);
        if (isNone(item))
            continue;
        if (!item.isArray()) {
            return QStringLiteral("Invalid input at index %1: expected a list, got %2. All items "
                                  "in 'lists' must be "
                                  "lists (e.g., [[1, 2], [3, 4]]).")
                .arg(i)
                .arg(Model::pythonTypeName(item));
        }
        out.append(item.toArray());
    }
    return std::nullopt;
}

Result<void> concatenateLists(const ValueMap &input, BlockContext &context)
{
    QList<ValueList> lists;
    if (const auto problem = subLists(input, lists)) {
        context.yield(QStringLiteral("error"), *problem);
        return {};
    }
    const bool removeNone = in(input, "remove_none").toBool();
    const bool deduplicate = in(input, "deduplicate").toBool();
    ValueList result;
    QSet<QString> seen;
    for (const ValueList &list : std::as_const(lists)) {
        for (const Value &item : list) {
            if (removeNone && isNone(item))
                continue;
            if (deduplicate) {
                const QString key = Model::identityKey(item);
                if (seen.contains(key))
                    continue;
                seen.insert(key);
            }
            result.append(item);
        }
    }
    context.yield(QStringLiteral("concatenated_list"), result);
    context.yield(QStringLiteral("length"), qint64(result.size()));
    return {};
}

int depthOf(const Value &root)
{
    // Iterative: a leaf at depth d gives d, an empty list at depth d gives d + 1.
    int deepest = 0;
    QList<std::pair<Value, int>> pending {{root, 0}};
    while (!pending.isEmpty()) {
        auto [value, depth] = pending.takeLast();
        if (!value.isArray()) {
            deepest = qMax(deepest, depth);
            continue;
        }
        const ValueList list = value.toArray();
        if (list.isEmpty())
            deepest = qMax(deepest, depth + 1);
        for (const Value &item : list)
            pending.append({item, depth + 1});
    }
    return deepest;
}

Result<void> flattenList(const ValueMap &input, BlockContext &context)
{
    const qint64 maxDepth = in(input, "max_depth").toInteger(-1);
    if (maxDepth < -1) {
        context.yield(
            QStringLiteral("error"),
            QStringLiteral("max_depth must be -1 (unlimited) or a non-negative integer, got %1")
                .arg(maxDepth));
        return {};
    }
    const Value nested = in(input, "nested_list");
    ValueList flat;
    // Iterative depth-first walk keeping the order: (list, next index, depth).
    struct Frame
    {
        ValueList list;
        qsizetype next;
        qint64 depth;
    };
    QList<Frame> stack {{nested.toArray(), 0, 0}};
    while (!stack.isEmpty()) {
        Frame &frame = stack.last();
        if (frame.next >= frame.list.size()) {
            stack.removeLast();
            continue;
        }
        const Value item = frame.list.at(frame.next++);
        if (item.isArray() && (maxDepth == -1 || frame.depth < maxDepth)) {
            const qint64 depth = frame.depth + 1;
            stack.append({item.toArray(), 0, depth});
        } else {
            flat.append(item);
        }
    }
    context.yield(QStringLiteral("flattened_list"), flat);
    context.yield(QStringLiteral("length"), qint64(flat.size()));
    context.yield(QStringLiteral("original_depth"), qint64(depthOf(nested)));
    return {};
}

Result<void> interleaveLists(const ValueMap &input, BlockContext &context)
{
    QList<ValueList> lists;
    if (const auto problem = subLists(input, lists)) {
        context.yield(QStringLiteral("error"), *problem);
        return {};
    }
    qsizetype longest = 0;
    for (const ValueList &list : std::as_const(lists))
        longest = qMax(longest, list.size());
    ValueList result;
    for (qsizetype i = 0; i < longest; ++i) {
        for (const ValueList &list : std::as_const(lists)) {
            if (list.size() > i)
                result.append(list.at(i));
        }
    }
    context.yield(QStringLiteral("interleaved_list"), result);
    context.yield(QStringLiteral("length"), qint64(result.size()));
    return {};
}

Result<void> zipLists(const ValueMap &input, BlockContext &context)
{
    QList<ValueList> lists;
    if (const auto problem = subLists(input, lists)) {
        context.yield(QStringLiteral("error"), *problem);
        return {};
    }
    ValueList result;
    if (!lists.isEmpty()) {
        const bool pad = in(input, "pad_to_longest").toBool();
        qsizetype count = pad ? 0 : std::numeric_limits<qsizetype>::max();
        for (const ValueList &list : std::as_const(lists))
            count = pad ? qMax(count, list.size()) : qMin(count, list.size());
        for (qsizetype i = 0; i < count; ++i) {
            ValueList group;
            for (const ValueList &list : std::as_const(lists))
                group.append(i < list.size() ? list.at(i) : in(input, "fill_value"));
            result.append(group);
        }
    }
    context.yield(QStringLiteral("zipped_list"), result);
    context.yield(QStringLiteral("length"), qint64(result.size()));
    return {};
}

QSet<QString> identities(const ValueList &list)
{
    QSet<QString> keys;
    for (const Value &item : list)
        keys.insert(Model::identityKey(item));
    return keys;
}

Result<void> listDifference(const ValueMap &input, BlockContext &context)
{
    const ValueList a = in(input, "list_a").toArray();
    const ValueList b = in(input, "list_b").toArray();
    const QSet<QString> inA = identities(a);
    const QSet<QString> inB = identities(b);
    ValueList difference;
    for (const Value &item : a) {
        if (!inB.contains(Model::identityKey(item)))
            difference.append(item);
    }
    if (in(input, "symmetric").toBool()) {
        for (const Value &item : b) {
            if (!inA.contains(Model::identityKey(item)))
                difference.append(item);
        }
    }
    context.yield(QStringLiteral("difference"), difference);
    context.yield(QStringLiteral("length"), qint64(difference.size()));
    return {};
}

Result<void> listIntersection(const ValueMap &input, BlockContext &context)
{
    const ValueList a = in(input, "list_a").toArray();
    const QSet<QString> inB = identities(in(input, "list_b").toArray());
    ValueList intersection;
    QSet<QString> seen;
    for (const Value &item : a) {
        const QString key = Model::identityKey(item);
        if (inB.contains(key) && !seen.contains(key)) {
            seen.insert(key);
            intersection.append(item);
        }
    }
    context.yield(QStringLiteral("intersection"), intersection);
    context.yield(QStringLiteral("length"), qint64(intersection.size()));
    return {};
}

} // namespace

void registerListBlocks(BlockRegistry &registry)
{
    registry.add(BlockIds::CreateList, createList);
    registry.add(BlockIds::AddToList, addToList);
    registry.add(BlockIds::FindInList, findInList);
    registry.add(BlockIds::GetListItem, getListItem);
    registry.add(BlockIds::RemoveFromList, removeFromList);
    registry.add(BlockIds::ReplaceListItem, replaceListItem);
    registry.add(BlockIds::ListIsEmpty, listIsEmpty);
    registry.add(BlockIds::ConcatenateLists, concatenateLists);
    registry.add(BlockIds::FlattenList, flattenList);
    registry.add(BlockIds::InterleaveLists, interleaveLists);
    registry.add(BlockIds::ZipLists, zipLists);
    registry.add(BlockIds::ListDifference, listDifference);
    registry.add(BlockIds::ListIntersection, listIntersection);
}

} // namespace Signalbox::Engine
