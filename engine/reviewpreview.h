// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/blocks/blockpipeline.h"
#include "model/review.h"
#include "model/valuediff.h"

#include <optional>

namespace Signalbox::Engine {

// What a sensitive action's block receives for `payload`: nulls dropped,
// defaults added, validated (the problems that would refuse it), the values
// of secret inputs masked. A payload that is not an object is refused.
PreparedInput blockInputFor(const BlockRegistry &registry, const Model::BlockSchema &block,
                            const Model::Value &payload);

// What a reviewer looks at besides the payload: what an edit changes, or
// for a decided, edited review what the reviewer changed; and for a
// sensitive action what its block will receive.
struct ReviewPreview
{
    // The payload compared, and what it became (or would become); no
    // `after` when there is nothing to compare.
    Model::Value before;
    std::optional<Model::Value> after;
    QList<Model::ValueChange> changes;
    std::optional<PreparedInput> blockInput;
};

// What `edit` (the reviewer's version, if any) changes from the review's
// payload, or for a decided, edited review what the reviewer changed; no
// block input.
ReviewPreview previewChanges(const Model::PendingReview &review,
                             const std::optional<Model::Value> &edit);

// The preview of `review` with `edit` (the reviewer's version, if any).
// `sensitiveBlock`: the block when the review is of a sensitive action.
ReviewPreview previewReview(const Model::PendingReview &review,
                            const std::optional<Model::Value> &edit, const BlockRegistry &registry,
                            const Model::BlockSchema *sensitiveBlock);

} // namespace Signalbox::Engine
