// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewpreview.h"

namespace Signalbox::Engine {

PreparedInput blockInputFor(const BlockRegistry &registry, const Model::BlockSchema &block,
                            const Model::Value &payload)
{
    if (!payload.isMap())
        return {{}, {QStringLiteral("The approved input of %1 must be an object").arg(block.name)}};
    PreparedInput prepared = prepareBlockInput(registry, block, payload.toMap());
    prepared.input = maskSecrets(block, prepared.input);
    return prepared;
}

ReviewPreview previewChanges(const Model::PendingReview &review,
                             const std::optional<Model::Value> &edit)
{
    ReviewPreview preview;
    preview.before = review.payload;
    if (edit) {
        preview.after = *edit;
    } else if (review.status != Model::ReviewStatus::Waiting && review.wasEdited.value_or(false)) {
        preview.before = review.originalPayload;
        preview.after = review.payload;
    }
    if (preview.after)
        preview.changes = Model::diffValues(preview.before, *preview.after);
    return preview;
}

ReviewPreview previewReview(const Model::PendingReview &review,
                            const std::optional<Model::Value> &edit, const BlockRegistry &registry,
                            const Model::BlockSchema *sensitiveBlock)
{
    ReviewPreview preview = previewChanges(review, edit);
    if (sensitiveBlock)
        preview.blockInput = blockInputFor(registry, *sensitiveBlock,
                                           edit ? *edit : review.payload);
    return preview;
}

} // namespace Signalbox::Engine
