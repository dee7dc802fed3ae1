// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"
#include "model/review.h"

#include <QMap>
#include <QSet>
#include <QStringList>

namespace Signalbox::Engine {

class Database;

// A review a node asks for.
struct NewReview
{
    QString userId;
    QString nodeExecId;
    QString nodeId;
    QString graphExecId;
    QString graphId;
    int graphVersion = 0;
    Model::Value inputData;
    QString message;
    bool editable = true;
    // When set, the review decides itself then (see expireDueReviews).
    QDateTime deadline;
    bool allowSkip = false;
    // Approvals from this many distinct reviewers approve it.
    int requiredApprovals = 1;
    // The person who started the run may not approve it.
    bool forbidStarter = false;
};

// A reviewer's decision and what it allows are the model's (model/review.h).
using Model::GrantRequest;
using Model::ReviewDecision;

// A review whose deadline passed and that decided itself.
struct ExpiredReview
{
    Model::PendingReview review;
    // Approved (allow_skip) or rejected.
    Model::ReviewStatus status;
};

// The human-review data layer (AutoGPT's backend/data/human_review.py) over
// one connection, function for function. Decisions are conditional updates
// inside write transactions: two threads or processes deciding one review
// can never both win. Not thread-safe: one repository per thread.
class ReviewRepository
{
public:
    explicit ReviewRepository(Database &db);

    // Decision limits (AutoGPT's review API).
    static constexpr qsizetype kMaxMessageLength = Model::kMaxReviewMessageLength;
    static constexpr qsizetype kMaxDataLength = 1000000;
    static constexpr int kMaxDataDepth = 10;
    static constexpr int kDefaultPageSize = 25;
    static constexpr int kMaxPageSize = 100;
    // The most approvals a review may require.
    static constexpr int kMaxRequiredApprovals = Model::kMaxRequiredApprovals;

    // The message of a review rejected because its deadline passed.
    static QString timedOutMessage() { return QStringLiteral("Review timed out"); }

    // "auto_approve_{graph_exec_id}_{node_id}": the id of the grant of a
    // node for the rest of one run, the reference's auto-approval record.
    static QString autoApproveKey(const QString &graphExecId, const QString &nodeId);

    // An approval of this node execution, or, with `nodeApproval`, an active
    // grant of its node: for this run or every run of the graph, and for
    // any payload or for `inputData`'s. A grant answers with `inputData`,
    // the current input, when given, and is named in the result and in the
    // audit log; a normal approval answers with the stored, possibly edited,
    // payload. An approval is bound to its payload: when the stored payload
    // is no longer the one approved, or `inputData` is not the payload the
    // reviewer was shown, the review goes back to WAITING and none is given.
    Result<std::optional<Model::ReviewResult>>
    checkApproval(const QString &nodeExecId, const QString &graphExecId, const QString &nodeId,
                  const QString &userId, const std::optional<Model::Value> &inputData = {},
                  bool nodeApproval = true);
    // Grants the review's node what `request` says, made by `grantedBy`;
    // the run must belong to the user. A grant for the rest of the run (the
    // reference's auto-approval record) made twice keeps the first. The
    // caller's transaction, if any, holds it.
    Result<Model::ReviewGrant> createGrant(const Model::PendingReview &review,
                                           const GrantRequest &request, const QString &grantedBy);
    // The user's grants, newest first: the active ones, or all.
    Result<QList<Model::ReviewGrant>> grants(const QString &userId, bool includeInactive = false);
    // Revokes a grant: later executions ask again. Revoking one already
    // revoked is a Conflict naming who did; an unknown one is NotFound.
    Result<Model::ReviewGrant> revokeGrant(const QString &grantId, const QString &userId,
                                           const QString &revokedBy);
    // The review of the node execution, created WAITING when there is none
    // (asking twice makes one). None while it waits or once processed; the
    // decision when decided and not yet processed.
    Result<std::optional<Model::ReviewResult>> getOrCreateHumanReview(const NewReview &review);
    // The user's reviews of these node executions, in any status.
    Result<QMap<QString, Model::PendingReview>> reviewsByNodeExecIds(const QStringList &nodeExecIds,
                                                                     const QString &userId);
    // Whether any review of the execution is WAITING.
    Result<bool> hasPendingReviewsForGraphExec(const QString &graphExecId);
    // Which of these executions had a review rejected.
    Result<QSet<QString>> executionsWithRejectedReviews(const QStringList &graphExecIds);
    // The user's WAITING reviews, newest first; `page` from 1.
    Result<QList<Model::PendingReview>> pendingReviewsForUser(const QString &userId, int page = 1,
                                                              int pageSize = kDefaultPageSize);
    // The WAITING reviews of one execution, oldest first.
    Result<QList<Model::PendingReview>> pendingReviewsForExecution(const QString &graphExecId,
                                                                   const QString &userId);
    // The user's decided reviews, most recently decided first (auto-approval
    // records left out); `page` from 1.
    Result<QList<Model::PendingReview>> decidedReviewsForUser(const QString &userId, int page = 1,
                                                              int pageSize = kDefaultPageSize);
    // Decides reviews of one execution, all or none. The same decision again
    // succeeds; a different one on a decided review is a Conflict; unknown
    // reviews or another user's are an error naming them; an edit of a
    // non-editable review is an error; was_edited only when the data
    // changed. `reviewer` is recorded as who decided. A review that needs
    // several approvals records each reviewer's approval of the current
    // payload (an edit replaces the payload, so approvals of the old one no
    // longer count) and is approved by the last one needed; one rejection
    // rejects it; a grant cannot stand in for the approvals. Where the run's
    // starter may not approve, their approval is a Conflict. Returns every
    // named review as it now stands.
    Result<QMap<QString, Model::PendingReview>>
    processAllReviewsForExecution(const QString &userId,
                                  const QMap<QString, ReviewDecision> &decisions,
                                  const QString &reviewer = QString());
    Result<void> updateReviewProcessedStatus(const QString &nodeExecId, bool processed);
    // Rejects the execution's WAITING reviews ("Execution was stopped by
    // user"); the execution must belong to the user. Returns how many.
    Result<int> cancelPendingReviewsForExecution(const QString &graphExecId, const QString &userId);
    // Decides the WAITING reviews whose deadline is at or before `now`:
    // approved with a message saying so when they allow skipping, otherwise
    // rejected. Each is decided by a conditional update, so a reviewer who
    // decided first wins.
    Result<QList<ExpiredReview>> expireDueReviews(const QDateTime &now,
                                                  const QString &graphExecId = QString());
    // The earliest deadline of a WAITING review (of one execution, or any).
    Result<std::optional<QDateTime>> nextDeadline(const QString &graphExecId = QString());

private:
    // Records `reviewer`'s approval of `payload` (the review's, or their
    // edit of it, which then replaces it) and returns who approved that
    // payload so far.
    Result<QStringList> recordApproval(const Model::PendingReview &review, const QString &reviewer,
                                       const Model::Value &payload, bool edited,
                                       const QString &message);
    // Puts a decided review back to WAITING with `payload` (and
    // `instructions`, unless empty), saying why.
    Result<void> reopen(const Model::PendingReview &review, const Model::Value &payload,
                        const QString &reason, const QString &instructions = {});
    // The execution exists and belongs to the user (upstream's
    // get_graph_execution_meta check), or an error naming both.
    Result<void> checkOwner(const QString &graphExecId, const QString &userId);
    Result<QList<Model::ReviewGrant>> selectGrants(const QString &where, const QVariantList &binds,
                                                   const QString &suffix = QString());
    Result<QList<Model::PendingReview>> select(const QString &where, const QVariantList &binds,
                                               const QString &suffix = QString());

    Database &m_db;
};

} // namespace Signalbox::Engine
