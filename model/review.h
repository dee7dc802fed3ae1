// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "value.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace Signalbox::Model {

// AutoGPT's ReviewStatus.
enum class ReviewStatus { Waiting, Approved, Rejected };

// "WAITING", "APPROVED", "REJECTED", as stored and as the JSON API spells them.
QString reviewStatusName(ReviewStatus status);
std::optional<ReviewStatus> reviewStatusFromName(QStringView name);

// The longest message a decision may carry (AutoGPT's review API).
inline constexpr qsizetype kMaxReviewMessageLength = 2000;
// The most approvals a review may require.
inline constexpr int kMaxRequiredApprovals = 9;

// What a reviewer allows along with an approval: later executions of the
// node run without asking, in this run or in every run of the graph, until
// the grant expires or is revoked, optionally only for a payload equal to
// the one approved.
struct GrantRequest
{
    // Every run of the graph, not only this one.
    bool wholeGraph = false;
    // How long it holds from now; 0 until revoked (or the run's end).
    qint64 seconds = 0;
    // Only for a payload equal to the one approved.
    bool samePayload = false;
};

// A reviewer's decision on one review.
struct ReviewDecision
{
    ReviewStatus status = ReviewStatus::Approved;
    // The edited payload; none keeps the stored one.
    std::optional<Value> data;
    // Whitespace only counts as no message.
    QString message;
    // With an approval, a grant for the node: later executions of it are
    // approved without asking, with their current input. Edited data is
    // then ignored. Refused for a review that needs several approvals.
    std::optional<GrantRequest> grant;
    // The digest (payloadDigest, or its first 12 or more characters)
    // of the payload the reviewer was shown. When given, a review whose
    // payload is no longer that is a Conflict.
    QString seenDigest;
};

// A human review of one node execution (AutoGPT's PendingHumanReviewModel),
// with who decided it, what it held before an edit, and its deadline.
struct PendingReview
{
    QString nodeExecId;
    QString userId;
    // The node the reviewed execution belongs to (the node execution id
    // itself when that execution is unknown, as upstream).
    QString nodeId;
    QString graphExecId;
    QString graphId;
    int graphVersion = 0;
    Value payload;
    QString instructions;
    bool editable = true;
    ReviewStatus status = ReviewStatus::Waiting;
    QString reviewMessage;
    std::optional<bool> wasEdited;
    bool processed = false;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime reviewedAt;
    QString reviewedBy;
    // The payload before the reviewer's edit (undefined when not edited).
    Value originalPayload;
    // What an approval is bound to: the digest (payloadDigest) of the
    // payload approved. The node runs only while its payload is still that.
    QString approvedDigest;
    // When it decides itself: approved when allowSkip, else rejected.
    QDateTime deadline;
    bool allowSkip = false;
    // Quorum: approvals from this many distinct reviewers approve it; one
    // rejection rejects it.
    int requiredApprovals = 1;
    // Who approved the current payload so far, while it waits.
    QStringList approvals;
    // The person who started the run may not approve it.
    bool forbidStarter = false;
    // Who started the run.
    QString runStartedBy;

    // The review as the JSON API and the CLI show it.
    ValueMap toValue() const;
};

// A decided review as the node that asked for it receives it (AutoGPT's
// ReviewResult).
struct ReviewResult
{
    Value data;
    ReviewStatus status = ReviewStatus::Waiting;
    QString message;
    bool processed = false;
    QString nodeExecId;
    // The grant that approved it without asking (ReviewGrant::id); empty
    // for a decision on the node execution's own review.
    QString grantId;
};

// A reviewer's permission for a node to run without asking: in one run (the
// reference's auto-approval), or in every run of its graph until it expires
// or is revoked; optionally only for one payload.
struct ReviewGrant
{
    QString id;
    QString userId;
    QString graphId;
    // The graph version it was made in.
    int graphVersion = 0;
    QString nodeId;
    // The run it covers; empty when it covers every run of the graph.
    QString graphExecId;
    // The payload approved when it was made.
    Value payload;
    // Only a payload with this digest (payloadDigest); empty: any payload.
    QString payloadDigest;
    // Invalid when it holds until revoked.
    QDateTime expiresAt;
    QString grantedBy;
    QDateTime grantedAt;
    // The review it was made in, and what that review asked.
    QString nodeExecId;
    QString instructions;
    QDateTime revokedAt;
    QString revokedBy;

    bool isActive(const QDateTime &now) const
    {
        return !revokedAt.isValid() && (!expiresAt.isValid() || expiresAt > now);
    }
    // "this run", "this graph until revoked" or "this graph until <time>",
    // then ", this payload only" when bound to one.
    QString scopeText() const;
    // The grant as the JSON API and the CLI show it.
    ValueMap toValue(const QDateTime &now) const;
};

} // namespace Signalbox::Model
