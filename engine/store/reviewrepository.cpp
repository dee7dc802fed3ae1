// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewrepository.h"

#include "auditlog.h"

#include "database.h"

#include "model/uuid.h"

#include <QJsonArray>
#include <QSet>
#include <QSqlError>

namespace Signalbox::Engine {

using namespace StoreFormat;
using Model::ReviewStatus;
using Model::Value;

namespace {

// The columns readReview() reads, after SELECT; each review's approvals
// come as a JSON array of [reviewer, digest] pairs.
QString reviewColumns(const SqlDialect &dialect)
{
    return QStringLiteral(
               "r.node_exec_id, r.user_id, COALESCE(ne.node_id, r.node_id, r.node_exec_id),"
               " r.graph_exec_id, r.graph_id, r.graph_version, r.payload, r.instructions,"
               " r.editable, r.status, r.review_message, r.was_edited, r.processed, r.created_at,"
               " r.updated_at, r.reviewed_at, r.reviewed_by, r.original_payload, r.deadline,"
               " r.allow_skip, r.approved_sha256, r.required_approvals, r.forbid_starter, %1,"
               " (SELECT g.started_by FROM graph_executions g WHERE g.id = r.graph_exec_id)"
               " FROM pending_reviews r LEFT JOIN node_executions ne ON ne.id = r.node_exec_id")
        .arg(dialect.jsonPairs(QStringLiteral(
            "SELECT reviewer AS pair_first, payload_sha256 AS pair_second FROM review_approvals"
            " WHERE node_exec_id = r.node_exec_id ORDER BY approved_at, reviewer")));
}

const QString kStoppedMessage = QStringLiteral("Execution was stopped by user");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Model::PendingReview readReview(const QSqlQuery &q)
{
    Model::PendingReview review;
    review.nodeExecId = q.value(0).toString();
    review.userId = q.value(1).toString();
    review.nodeId = q.value(2).toString();
    review.graphExecId = q.value(3).toString();
    review.graphId = q.value(4).toString();
    review.graphVersion = q.value(5).toInt();
    review.payload = q.value(6).isNull() ? Value(nullptr) : valueFromText(q.value(6));
    review.instructions = q.value(7).toString();
    review.editable = q.value(8).toBool();
    review.status
        = Model::reviewStatusFromName(q.value(9).toString()).value_or(ReviewStatus::Waiting);
    review.reviewMessage = q.value(10).toString();
    if (!q.value(11).isNull())
        review.wasEdited = q.value(11).toBool();
    review.processed = q.value(12).toBool();
    review.createdAt = timeFromVariant(q.value(13));
    review.updatedAt = timeFromVariant(q.value(14));
    review.reviewedAt = timeFromVariant(q.value(15));
    review.reviewedBy = q.value(16).toString();
    if (!q.value(17).isNull())
        review.originalPayload = valueFromText(q.value(17));
    review.deadline = timeFromVariant(q.value(18));
    review.allowSkip = q.value(19).toBool();
    review.approvedDigest = q.value(20).toString();
    review.requiredApprovals = qMax(1, q.value(21).toInt());
    review.forbidStarter = q.value(22).toBool();
    const QJsonArray approvals = jsonFromText(q.value(23)).toArray();
    if (!approvals.isEmpty()) {
        // Approvals count for the payload they were given for.
        const QString current = Model::payloadDigest(review.payload);
        for (const QJsonValue &approval : approvals) {
            if (approval[1].toString() == current)
                review.approvals.append(approval[0].toString());
        }
    }
    review.runStartedBy = q.value(24).toString();
    return review;
}

int depthOf(const Value &value)
{
    int deepest = 0;
    if (value.isArray()) {
        for (const Value &item : value.toArray())
            deepest = qMax(deepest, depthOf(item));
        return deepest + 1;
    }
    if (value.isMap()) {
        const Model::ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            deepest = qMax(deepest, depthOf(it.value()));
        return deepest + 1;
    }
    return 0;
}

QString idList(const QStringList &ids)
{
    return jsonToText(QJsonValue(QJsonArray::fromStringList(ids)));
}

Error pageError(int page, int pageSize)
{
    return makeError(ErrorCode::BadInput,
                     QStringLiteral("page must be 1 or more and page size 1 to %1 (got page %2, "
                                    "size %3)")
                         .arg(ReviewRepository::kMaxPageSize)
                         .arg(page)
                         .arg(pageSize));
}

} // namespace

ReviewRepository::ReviewRepository(Database &db)
    : m_db(db)
{ }

Result<void> ReviewRepository::checkOwner(const QString &graphExecId, const QString &userId)
{
    auto owner
        = m_db.prepare(QStringLiteral("SELECT 1 FROM graph_executions WHERE id = ? AND user_id = ?"
                                      " AND is_deleted = 0"));
    if (!owner)
        return owner.error();
    (*owner)->addBindValue(graphExecId);
    (*owner)->addBindValue(userId);
    if (!(*owner)->exec())
        return m_db.storageError((*owner)->lastError(), QStringLiteral("checking an execution"));
    const bool owned = (*owner)->next();
    (*owner)->finish();
    if (!owned) {
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Graph execution %1 not found or doesn't belong to user %2")
                             .arg(graphExecId, userId));
    }
    return {};
}

QString ReviewRepository::autoApproveKey(const QString &graphExecId, const QString &nodeId)
{
    return QStringLiteral("auto_approve_%1_%2").arg(graphExecId, nodeId);
}

Result<QList<Model::PendingReview>>
ReviewRepository::select(const QString &where, const QVariantList &binds, const QString &suffix)
{
    auto query = m_db.prepare(
        QStringLiteral("SELECT %1 WHERE %2%3").arg(reviewColumns(m_db.dialect()), where, suffix));
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    for (const QVariant &value : binds)
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(q->lastError(), QStringLiteral("reading reviews"));
    QList<Model::PendingReview> reviews;
    while (q->next())
        reviews.append(readReview(*q));
    q->finish();
    return reviews;
}

Result<std::optional<Model::ReviewResult>>
ReviewRepository::checkApproval(const QString &nodeExecId, const QString &graphExecId,
                                const QString &nodeId, const QString &userId,
                                const std::optional<Value> &inputData, bool nodeApproval)
{
    auto found = select(QStringLiteral("r.node_exec_id = ? AND r.status = 'APPROVED'"
                                       " AND r.user_id = ?"),
                        {nodeExecId, userId});
    if (!found)
        return found.error();
    if (!found->isEmpty()) {
        const Model::PendingReview &review = found->first();
        if (!review.approvedDigest.isEmpty()) {
            // The approval holds for the payload it was given for, and for
            // the input the reviewer was shown; otherwise the review asks
            // again.
            const Value shown = review.wasEdited.value_or(false) ? review.originalPayload
                                                                 : review.payload;
            QString reason;
            if (Model::payloadDigest(review.payload) != review.approvedDigest)
                reason = QStringLiteral("the approved payload was changed after the decision");
            else if (inputData && Model::payloadDigest(*inputData) != Model::payloadDigest(shown))
                reason = QStringLiteral("the node's input is not the payload that was reviewed");
            if (!reason.isEmpty()) {
                if (auto reopened = reopen(review, inputData ? *inputData : shown, reason);
                    !reopened)
                    return reopened.error();
                return std::optional<Model::ReviewResult>();
            }
        }
        Model::ReviewResult result;
        result.data = review.payload;
        result.status = ReviewStatus::Approved;
        result.message = review.reviewMessage;
        result.processed = true;
        result.nodeExecId = review.nodeExecId;
        return std::optional<Model::ReviewResult>(result);
    }
    if (!nodeApproval)
        return std::optional<Model::ReviewResult>();

    // A grant of the node: for this run before one for every run of the
    // graph, and one for this payload before one for any.
    const QString digest = inputData ? Model::payloadDigest(*inputData) : QString();
    auto grants = selectGrants(
        QStringLiteral(
            "user_id = ? AND node_id = ? AND revoked_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > ?)"
            " AND (graph_exec_id = ? OR (graph_exec_id IS NULL AND graph_id ="
            " (SELECT graph_id FROM graph_executions WHERE id = ?)"
            // A grant for every run covers the node while it is the
            // same block as where it was granted, in any version.
            " AND (SELECT n.block_id FROM nodes n WHERE n.graph_id = review_grants.graph_id"
            "  AND n.graph_version = review_grants.graph_version"
            "  AND n.id = review_grants.node_id)"
            " IS NOT DISTINCT FROM (SELECT n.block_id FROM nodes n JOIN graph_executions e"
            "  ON e.graph_id = n.graph_id AND e.graph_version = n.graph_version"
            "  WHERE e.id = ? AND n.id = review_grants.node_id)))"
            " AND (payload_sha256 IS NULL OR payload_sha256 = ?)"),
        {userId, nodeId, nowMs(), graphExecId, graphExecId, graphExecId, digest},
        QStringLiteral(" ORDER BY graph_exec_id IS NULL, payload_sha256 IS NULL, granted_at"
                       " LIMIT 1"));
    if (!grants)
        return grants.error();
    if (grants->isEmpty())
        return std::optional<Model::ReviewResult>();
    const Model::ReviewGrant &grant = grants->first();
    // The current input; without one, what was approved when it was made.
    const Value data = inputData ? *inputData : grant.payload;
    if (auto logged = AuditLog(m_db).append(
            QStringLiteral("auto_approved"), AuditLog::engineActor(), graphExecId, nodeExecId,
            Model::ValueMap {{QStringLiteral("node_id"), nodeId},
                             {QStringLiteral("grant_id"), grant.id},
                             {QStringLiteral("scope"), grant.scopeText()},
                             {QStringLiteral("approved_by"), grant.grantedBy},
                             {QStringLiteral("payload_sha256"),
                              inputData ? digest : Model::payloadDigest(data)}});
        !logged)
        return logged.error();
    Model::ReviewResult result;
    result.data = data;
    result.status = ReviewStatus::Approved;
    result.message = grant.id == autoApproveKey(graphExecId, nodeId)
        ? QStringLiteral("Auto-approved (user approved all future actions for this node)")
        : QStringLiteral("Auto-approved by %1's grant %2 (%3)")
              .arg(grant.grantedBy, grant.id, grant.scopeText());
    result.processed = true;
    result.nodeExecId = nodeExecId;
    result.grantId = grant.id;
    return std::optional<Model::ReviewResult>(result);
}

Result<void> ReviewRepository::reopen(const Model::PendingReview &review, const Value &payload,
                                      const QString &reason, const QString &instructions)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto update = m_db.prepare(QStringLiteral(
        "UPDATE pending_reviews SET status = 'WAITING', payload = ?, original_payload = NULL,"
        " review_message = NULL, was_edited = NULL, reviewed_at = NULL, reviewed_by = NULL,"
        " approved_sha256 = NULL, processed = 0, updated_at = ?, instructions = ?"
        " WHERE node_exec_id = ? AND status <> 'WAITING'"));
    if (!update)
        return update.error();
    for (const QVariant &value :
         QVariantList {valueToText(payload), nowMs(),
                       instructions.isEmpty() ? review.instructions : instructions,
                       review.nodeExecId})
        (*update)->addBindValue(value);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("asking again for review %1").arg(review.nodeExecId));
    if (auto logged = AuditLog(m_db).append(
            QStringLiteral("review_reopened"), AuditLog::engineActor(), review.graphExecId,
            review.nodeExecId,
            Model::ValueMap {{QStringLiteral("node_id"), review.nodeId},
                             {QStringLiteral("reason"), reason},
                             {QStringLiteral("approved_sha256"), review.approvedDigest},
                             {QStringLiteral("payload_sha256"), Model::payloadDigest(payload)}});
        !logged)
        return logged.error();
    return transaction.commit();
}

Result<QList<Model::ReviewGrant>> ReviewRepository::selectGrants(const QString &where,
                                                                 const QVariantList &binds,
                                                                 const QString &suffix)
{
    auto query = m_db.prepare(
        QStringLiteral("SELECT id, user_id, graph_id, graph_version, node_id, graph_exec_id,"
                       " payload_sha256, expires_at, granted_by, granted_at, node_exec_id,"
                       " revoked_at, revoked_by, payload, (SELECT instructions FROM pending_reviews r"
                       " WHERE r.node_exec_id = review_grants.node_exec_id)"
                       " FROM review_grants WHERE %1%2")
            .arg(where, suffix));
    if (!query)
        return query.error();
    QSqlQuery *q = *query;
    for (const QVariant &value : binds)
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(q->lastError(), QStringLiteral("reading grants"));
    QList<Model::ReviewGrant> grants;
    while (q->next()) {
        Model::ReviewGrant grant;
        grant.id = q->value(0).toString();
        grant.userId = q->value(1).toString();
        grant.graphId = q->value(2).toString();
        grant.graphVersion = q->value(3).toInt();
        grant.nodeId = q->value(4).toString();
        grant.graphExecId = q->value(5).toString();
        grant.payloadDigest = q->value(6).toString();
        grant.expiresAt = timeFromVariant(q->value(7));
        grant.grantedBy = q->value(8).toString();
        grant.grantedAt = timeFromVariant(q->value(9));
        grant.nodeExecId = q->value(10).toString();
        grant.revokedAt = timeFromVariant(q->value(11));
        grant.revokedBy = q->value(12).toString();
        grant.payload = q->value(13).isNull() ? Value(nullptr) : valueFromText(q->value(13));
        grant.instructions = q->value(14).toString();
        grants.append(grant);
    }
    q->finish();
    return grants;
}

Result<Model::ReviewGrant> ReviewRepository::createGrant(const Model::PendingReview &review,
                                                         const GrantRequest &request,
                                                         const QString &grantedBy)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    if (auto owned = checkOwner(review.graphExecId, review.userId); !owned)
        return owned.error();
    if (request.seconds < 0)
        return makeError(ErrorCode::BadInput, QStringLiteral("A grant cannot last less than "
                                                             "nothing"));
    const qint64 now = nowMs();
    Model::ReviewGrant grant;
    // The reference's auto-approval record keeps its key.
    const bool reference = !request.wholeGraph && !request.seconds && !request.samePayload;
    grant.id = reference ? autoApproveKey(review.graphExecId, review.nodeId)
                         : Model::createTimeOrderedUuid();
    grant.userId = review.userId;
    grant.graphId = review.graphId;
    grant.graphVersion = review.graphVersion;
    grant.nodeId = review.nodeId;
    grant.graphExecId = request.wholeGraph ? QString() : review.graphExecId;
    grant.payloadDigest = request.samePayload ? Model::payloadDigest(review.payload) : QString();
    if (request.seconds)
        grant.expiresAt = QDateTime::fromMSecsSinceEpoch(now + request.seconds * 1000, Qt::UTC);
    grant.grantedBy = grantedBy.isEmpty() ? review.userId : grantedBy;
    grant.grantedAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
    grant.nodeExecId = review.nodeExecId;
    grant.instructions = review.instructions;
    grant.payload = review.payload;
    auto insert = m_db.prepare(QStringLiteral(
        "INSERT INTO review_grants (id, user_id, graph_id, graph_version, node_id, graph_exec_id,"
        " payload_sha256, expires_at, granted_by, granted_at, node_exec_id, payload)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"));
    if (!insert)
        return insert.error();
    const auto orNull = [](const QString &text) {
        return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
    };
    QSqlQuery *q = *insert;
    for (const QVariant &value :
         QVariantList {grant.id, grant.userId, grant.graphId, grant.graphVersion, grant.nodeId,
                       orNull(grant.graphExecId), orNull(grant.payloadDigest),
                       timeToVariant(grant.expiresAt), grant.grantedBy, now, grant.nodeExecId,
                       valueToText(grant.payload)})
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(q->lastError(),
                                 QStringLiteral("granting node %1").arg(review.nodeId));
    if (q->numRowsAffected() == 1) {
        Model::ValueMap detail {{QStringLiteral("node_id"), grant.nodeId},
                                {QStringLiteral("grant_id"), grant.id},
                                {QStringLiteral("graph_id"), grant.graphId},
                                {QStringLiteral("scope"), grant.scopeText()}};
        if (grant.expiresAt.isValid())
            detail.insert(QStringLiteral("expires_at"),
                          grant.expiresAt.toString(Qt::ISODateWithMs));
        if (!grant.payloadDigest.isEmpty())
            detail.insert(QStringLiteral("payload_sha256"), grant.payloadDigest);
        if (auto logged = AuditLog(m_db).append(QStringLiteral("auto_approval_granted"),
                                                grant.grantedBy, review.graphExecId,
                                                review.nodeExecId, detail);
            !logged)
            return logged.error();
    } else {
        auto kept = selectGrants(QStringLiteral("id = ?"), {grant.id});
        if (!kept)
            return kept.error();
        if (!kept->isEmpty())
            grant = kept->first();
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return grant;
}

Result<QList<Model::ReviewGrant>> ReviewRepository::grants(const QString &userId,
                                                           bool includeInactive)
{
    if (includeInactive)
        return selectGrants(QStringLiteral("user_id = ?"), {userId},
                            QStringLiteral(" ORDER BY granted_at DESC, id DESC"));
    return selectGrants(QStringLiteral("user_id = ? AND revoked_at IS NULL"
                                       " AND (expires_at IS NULL OR expires_at > ?)"),
                        {userId, nowMs()}, QStringLiteral(" ORDER BY granted_at DESC, id DESC"));
}

Result<Model::ReviewGrant> ReviewRepository::revokeGrant(const QString &grantId,
                                                         const QString &userId,
                                                         const QString &revokedBy)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto found = selectGrants(QStringLiteral("id = ? AND user_id = ?"), {grantId, userId});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Grant %1 not found or access denied").arg(grantId));
    Model::ReviewGrant grant = found->first();
    if (grant.revokedAt.isValid())
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("Grant %1 was already revoked by %2 at %3")
                             .arg(grantId, grant.revokedBy,
                                  grant.revokedAt.toString(Qt::ISODate)));
    const qint64 now = nowMs();
    const QString who = revokedBy.isEmpty() ? userId : revokedBy;
    auto update = m_db.prepare(QStringLiteral("UPDATE review_grants SET revoked_at = ?,"
                                              " revoked_by = ? WHERE id = ? AND revoked_at IS NULL"));
    if (!update)
        return update.error();
    for (const QVariant &value : QVariantList {now, who, grantId})
        (*update)->addBindValue(value);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("revoking grant %1").arg(grantId));
    if ((*update)->numRowsAffected() != 1)
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("Grant %1 was revoked meanwhile").arg(grantId));
    grant.revokedAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
    grant.revokedBy = who;
    if (auto logged = AuditLog(m_db).append(
            QStringLiteral("grant_revoked"), who, grant.graphExecId, grant.nodeExecId,
            Model::ValueMap {{QStringLiteral("node_id"), grant.nodeId},
                             {QStringLiteral("grant_id"), grant.id},
                             {QStringLiteral("scope"), grant.scopeText()}});
        !logged)
        return logged.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return grant;
}

Result<std::optional<Model::ReviewResult>>
ReviewRepository::getOrCreateHumanReview(const NewReview &request)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto insert = m_db.prepare(QStringLiteral(
        "INSERT INTO pending_reviews (node_exec_id, user_id, node_id, graph_exec_id, graph_id,"
        " graph_version, payload, instructions, editable, status, processed, created_at,"
        " updated_at, deadline, allow_skip, required_approvals, forbid_starter)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'WAITING', 0, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (node_exec_id) DO NOTHING"));
    if (!insert)
        return insert.error();
    QSqlQuery *q = *insert;
    const qint64 now = nowMs();
    for (const QVariant &value : QVariantList {
             request.nodeExecId, request.userId, request.nodeId, request.graphExecId,
             request.graphId, request.graphVersion, valueToText(request.inputData), request.message,
             flag(request.editable), now, now, timeToVariant(request.deadline),
             flag(request.allowSkip), qBound(1, request.requiredApprovals, kMaxRequiredApprovals),
             flag(request.forbidStarter)})
        q->addBindValue(value);
    if (!q->exec())
        return m_db.storageError(
            q->lastError(), QStringLiteral("asking for a review of %1").arg(request.nodeExecId));
    if (q->numRowsAffected() == 1) {
        if (auto logged = AuditLog(m_db).append(
                QStringLiteral("review_requested"), AuditLog::engineActor(), request.graphExecId,
                request.nodeExecId,
                Model::ValueMap {{QStringLiteral("node_id"), request.nodeId},
                                 {QStringLiteral("graph_id"), request.graphId},
                                 {QStringLiteral("graph_version"), request.graphVersion},
                                 {QStringLiteral("instructions"), request.message},
                                 {QStringLiteral("editable"), request.editable},
                                 {QStringLiteral("required_approvals"),
                                  qBound(1, request.requiredApprovals, kMaxRequiredApprovals)},
                                 {QStringLiteral("forbid_run_starter"), request.forbidStarter},
                                 {QStringLiteral("payload_sha256"),
                                  Model::payloadDigest(request.inputData)}});
            !logged)
            return logged.error();
    }
    auto found = select(QStringLiteral("r.node_exec_id = ?"), {request.nodeExecId});
    if (!found)
        return found.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    if (found->isEmpty())
        return makeError(ErrorCode::Internal,
                         QStringLiteral("the review of %1 vanished").arg(request.nodeExecId));
    const Model::PendingReview &review = found->first();
    // A decided review that the node execution asks again about another
    // payload (a later turn of an agent) asks the person again.
    if (review.processed) {
        const QString asked = Model::payloadDigest(request.inputData);
        if (Model::payloadDigest(review.payload) != asked
            && (!review.wasEdited.value_or(false)
                || Model::payloadDigest(review.originalPayload) != asked)) {
            if (auto reopened = reopen(review, request.inputData,
                                       QStringLiteral("the node asks about another payload"),
                                       request.message);
                !reopened)
                return reopened.error();
            return std::optional<Model::ReviewResult>();
        }
    }
    if (review.processed || review.status == ReviewStatus::Waiting)
        return std::optional<Model::ReviewResult>();
    return std::optional<Model::ReviewResult>(Model::ReviewResult {
        review.payload, review.status, review.reviewMessage, review.processed, review.nodeExecId});
}

Result<QMap<QString, Model::PendingReview>>
ReviewRepository::reviewsByNodeExecIds(const QStringList &nodeExecIds, const QString &userId)
{
    QMap<QString, Model::PendingReview> result;
    if (nodeExecIds.isEmpty())
        return result;
    auto found = select(QStringLiteral("r.node_exec_id IN (%1) AND r.user_id = ?")
                            .arg(m_db.dialect().jsonArrayValues()),
                        {idList(nodeExecIds), userId});
    if (!found)
        return found.error();
    for (const Model::PendingReview &review : std::as_const(*found))
        result.insert(review.nodeExecId, review);
    return result;
}

Result<bool> ReviewRepository::hasPendingReviewsForGraphExec(const QString &graphExecId)
{
    auto query = m_db.prepare(
        QStringLiteral("SELECT EXISTS (SELECT 1 FROM pending_reviews WHERE graph_exec_id = ?"
                       " AND status = 'WAITING')"));
    if (!query)
        return query.error();
    (*query)->addBindValue(graphExecId);
    if (!(*query)->exec() || !(*query)->next())
        return m_db.storageError((*query)->lastError(), QStringLiteral("reading reviews"));
    const bool waiting = (*query)->value(0).toBool();
    (*query)->finish();
    return waiting;
}

Result<QSet<QString>> ReviewRepository::executionsWithRejectedReviews(const QStringList &graphExecIds)
{
    QSet<QString> rejected;
    if (graphExecIds.isEmpty())
        return rejected;
    QStringList marks;
    for (qsizetype i = 0; i < graphExecIds.size(); ++i)
        marks.append(QStringLiteral("?"));
    auto query = m_db.prepare(QStringLiteral("SELECT DISTINCT graph_exec_id FROM pending_reviews"
                                             " WHERE status = 'REJECTED' AND graph_exec_id IN (%1)")
                                  .arg(marks.join(QLatin1Char(','))));
    if (!query)
        return query.error();
    for (const QString &id : graphExecIds)
        (*query)->addBindValue(id);
    if (!(*query)->exec())
        return m_db.storageError((*query)->lastError(), QStringLiteral("reading reviews"));
    while ((*query)->next())
        rejected.insert((*query)->value(0).toString());
    (*query)->finish();
    return rejected;
}

Result<QList<Model::PendingReview>> ReviewRepository::pendingReviewsForUser(const QString &userId,
                                                                            int page, int pageSize)
{
    if (page < 1 || pageSize < 1 || pageSize > kMaxPageSize)
        return pageError(page, pageSize);
    return select(QStringLiteral("r.user_id = ? AND r.status = 'WAITING'"),
                  {userId, pageSize, qint64(page - 1) * pageSize},
                  QStringLiteral(" ORDER BY r.created_at DESC, r.node_exec_id DESC"
                                 " LIMIT ? OFFSET ?"));
}

Result<QList<Model::PendingReview>>
ReviewRepository::pendingReviewsForExecution(const QString &graphExecId, const QString &userId)
{
    return select(QStringLiteral("r.user_id = ? AND r.graph_exec_id = ? AND r.status = 'WAITING'"),
                  {userId, graphExecId},
                  QStringLiteral(" ORDER BY r.created_at ASC, r.node_exec_id ASC"));
}

Result<QList<Model::PendingReview>> ReviewRepository::decidedReviewsForUser(const QString &userId,
                                                                            int page, int pageSize)
{
    if (page < 1 || pageSize < 1 || pageSize > kMaxPageSize)
        return pageError(page, pageSize);
    return select(QStringLiteral("r.user_id = ? AND r.status <> 'WAITING'"
                                 " AND r.node_exec_id NOT LIKE 'auto\\_approve\\_%' ESCAPE '\\'"),
                  {userId, pageSize, qint64(page - 1) * pageSize},
                  QStringLiteral(" ORDER BY r.reviewed_at DESC, r.node_exec_id DESC"
                                 " LIMIT ? OFFSET ?"));
}

Result<QMap<QString, Model::PendingReview>> ReviewRepository::processAllReviewsForExecution(
    const QString &userId, const QMap<QString, ReviewDecision> &decisions, const QString &reviewer)
{
    QMap<QString, Model::PendingReview> result;
    if (decisions.isEmpty())
        return result;
    // The decisions' own limits first.
    QStringList problems;
    for (auto it = decisions.begin(); it != decisions.end(); ++it) {
        if (it->message.trimmed().size() > kMaxMessageLength)
            problems.append(QStringLiteral("Review %1: the message is longer than %2 characters")
                                .arg(it.key())
                                .arg(kMaxMessageLength));
        if (it->data && !it->grant) {
            if (Model::toJson(*it->data).size() > kMaxDataLength)
                problems.append(QStringLiteral("Review %1: the data is larger than %2 characters")
                                    .arg(it.key())
                                    .arg(kMaxDataLength));
            else if (depthOf(*it->data) > kMaxDataDepth)
                problems.append(QStringLiteral("Review %1: the data is nested deeper than %2")
                                    .arg(it.key())
                                    .arg(kMaxDataDepth));
        }
        if (it->status == ReviewStatus::Waiting)
            problems.append(
                QStringLiteral("Review %1: a decision approves or rejects").arg(it.key()));
    }
    if (!problems.isEmpty())
        return makeError(ErrorCode::BadInput, QStringLiteral("Invalid review decisions"), problems);

    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    auto found = reviewsByNodeExecIds(decisions.keys(), userId);
    if (!found)
        return found.error();
    QStringList missing;
    QSet<QString> executions;
    for (auto it = decisions.begin(); it != decisions.end(); ++it) {
        if (!found->contains(it.key()))
            missing.append(it.key());
        else
            executions.insert(found->value(it.key()).graphExecId);
    }
    if (!missing.isEmpty())
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Reviews not found or access denied: %1")
                             .arg(missing.join(QLatin1String(", "))));
    if (executions.size() > 1)
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("The reviews belong to %1 executions; decide one "
                                        "execution's reviews at a time")
                             .arg(executions.size()));
    // An already decided review must have been decided the same way.
    for (auto it = decisions.begin(); it != decisions.end(); ++it) {
        const Model::PendingReview &review = found->value(it.key());
        if (review.status != ReviewStatus::Waiting && review.status != it->status) {
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("Review %1 was already processed with status %2, "
                                            "cannot change to %3")
                                 .arg(it.key(), Model::reviewStatusName(review.status),
                                      Model::reviewStatusName(it->status)));
        }
    }
    auto update = m_db.prepare(
        QStringLiteral("UPDATE pending_reviews SET status = ?, review_message = ?, was_edited = ?,"
                       " reviewed_at = ?, updated_at = ?, reviewed_by = ?,"
                       " original_payload = CASE WHEN ? THEN payload ELSE original_payload END,"
                       " payload = CASE WHEN ? THEN ? ELSE payload END, approved_sha256 = ?"
                       " WHERE node_exec_id = ? AND status = 'WAITING'"));
    if (!update)
        return update.error();
    const qint64 now = nowMs();
    for (auto it = decisions.begin(); it != decisions.end(); ++it) {
        const Model::PendingReview &review = found->value(it.key());
        if (review.status != ReviewStatus::Waiting)
            continue; // decided the same way before: nothing to do
        // Bound to what the reviewer was shown: a payload that changed since
        // is not what they decided on.
        if (!it->seenDigest.isEmpty()) {
            const QString shown = Model::payloadDigest(review.payload);
            if (it->seenDigest.size() < 12 || !shown.startsWith(it->seenDigest, Qt::CaseInsensitive))
                return makeError(ErrorCode::Conflict,
                                 QStringLiteral("Review %1 is not what was shown: its payload's "
                                                "SHA-256 is %2, not %3")
                                     .arg(it.key(), shown.left(12), it->seenDigest));
        }
        bool changed
            = it->data && !it->grant && !Model::pythonEquals(*it->data, review.payload);
        if (changed && !review.editable)
            return makeError(ErrorCode::BadInput,
                             QStringLiteral("Review %1 is not editable").arg(it.key()));
        const QString message = it->message.trimmed().isEmpty() ? QString() : it->message;
        const QString who = reviewer.isEmpty() ? userId : reviewer;
        const bool approving = it->status == ReviewStatus::Approved;
        // Separation of duties.
        if (approving && review.forbidStarter && !review.runStartedBy.isEmpty()
            && who == review.runStartedBy)
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("Review %1: %2 started the run and may not approve it")
                                 .arg(it.key(), who));
        // Quorum: each approval is counted; the last one needed approves.
        QStringList approvers;
        bool edited = changed;
        const QString approvedDigest = Model::payloadDigest(changed ? *it->data : review.payload);
        if (approving && review.requiredApprovals > 1) {
            if (it->grant)
                return makeError(ErrorCode::BadInput,
                                 QStringLiteral("Review %1 needs %2 approvals from different "
                                                "reviewers; a grant cannot stand in for them")
                                     .arg(it.key())
                                     .arg(review.requiredApprovals));
            auto counted = recordApproval(review, who, changed ? *it->data : review.payload,
                                          changed, message);
            if (!counted)
                return counted.error();
            if (counted->size() < review.requiredApprovals)
                continue; // it waits for more
            approvers = *counted;
            edited = changed || review.wasEdited.value_or(false);
            changed = false; // recordApproval put the edit in place
        }
        QSqlQuery *q = *update;
        for (const QVariant &value : QVariantList {
                 Model::reviewStatusName(it->status),
                 message.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(message),
                 flag(edited), now, now,
                 approvers.isEmpty() ? QVariant(who)
                                     : QVariant(approvers.join(QLatin1String(", "))),
                 changed, changed, changed ? valueToText(*it->data) : QString(),
                 approving ? QVariant(approvedDigest) : QVariant(QMetaType::fromType<QString>()),
                 it.key()})
            q->addBindValue(value);
        if (!q->exec())
            return m_db.storageError(q->lastError(),
                                     QStringLiteral("deciding review %1").arg(it.key()));
        // The transaction holds the write lock, so the row is as read.
        if (q->numRowsAffected() != 1)
            return makeError(ErrorCode::Conflict,
                             QStringLiteral("Review %1 was decided meanwhile").arg(it.key()));
        Model::ValueMap detail {
            {QStringLiteral("node_id"), review.nodeId},
            {QStringLiteral("message"), message.isNull() ? Value() : Value(message)},
            {QStringLiteral("was_edited"), changed},
            {QStringLiteral("payload_sha256"), approvedDigest}};
        if (changed)
            detail.insert(QStringLiteral("proposed_sha256"), Model::payloadDigest(review.payload));
        if (!approvers.isEmpty()) {
            Model::ValueList names;
            for (const QString &name : std::as_const(approvers))
                names.append(name);
            detail.insert(QStringLiteral("approvals"), names);
            detail.insert(QStringLiteral("required_approvals"), review.requiredApprovals);
        }
        AuditLog audit(m_db);
        if (auto logged = audit.append(approving ? QStringLiteral("review_approved")
                                                 : QStringLiteral("review_rejected"),
                                       who, review.graphExecId, it.key(), detail);
            !logged)
            return logged.error();
        if (it->grant && it->status == ReviewStatus::Approved) {
            if (auto granted = createGrant(review, *it->grant, who); !granted)
                return granted.error();
        }
    }
    auto decided = reviewsByNodeExecIds(decisions.keys(), userId);
    if (!decided)
        return decided.error();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return *decided;
}

Result<QStringList> ReviewRepository::recordApproval(const Model::PendingReview &review,
                                                    const QString &reviewer, const Value &payload,
                                                    bool edited, const QString &message)
{
    const qint64 now = nowMs();
    const QString digest = Model::payloadDigest(payload);
    // An edit replaces the payload, so approvals of the old one no longer
    // count; otherwise the row is touched so that every inbox sees the count.
    auto touch = m_db.prepare(
        edited ? QStringLiteral("UPDATE pending_reviews SET original_payload ="
                                " COALESCE(original_payload, payload), payload = ?, was_edited = 1,"
                                " updated_at = ? WHERE node_exec_id = ? AND status = 'WAITING'")
               : QStringLiteral("UPDATE pending_reviews SET updated_at = ?"
                                " WHERE node_exec_id = ? AND status = 'WAITING'"));
    if (!touch)
        return touch.error();
    if (edited)
        (*touch)->addBindValue(valueToText(payload));
    (*touch)->addBindValue(now);
    (*touch)->addBindValue(review.nodeExecId);
    if (!(*touch)->exec())
        return m_db.storageError((*touch)->lastError(),
                                 QStringLiteral("approving review %1").arg(review.nodeExecId));
    if ((*touch)->numRowsAffected() != 1)
        return makeError(ErrorCode::Conflict,
                         QStringLiteral("Review %1 was decided meanwhile").arg(review.nodeExecId));
    auto insert = m_db.prepare(QStringLiteral(
        "INSERT INTO review_approvals (node_exec_id, reviewer, payload_sha256, approved_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (node_exec_id, reviewer) DO UPDATE SET"
        " payload_sha256 = excluded.payload_sha256, approved_at = excluded.approved_at"));
    if (!insert)
        return insert.error();
    for (const QVariant &value : QVariantList {review.nodeExecId, reviewer, digest, now})
        (*insert)->addBindValue(value);
    if (!(*insert)->exec())
        return m_db.storageError((*insert)->lastError(),
                                 QStringLiteral("approving review %1").arg(review.nodeExecId));
    auto count = m_db.prepare(QStringLiteral("SELECT reviewer FROM review_approvals"
                                             " WHERE node_exec_id = ? AND payload_sha256 = ?"
                                             " ORDER BY approved_at, reviewer"));
    if (!count)
        return count.error();
    (*count)->addBindValue(review.nodeExecId);
    (*count)->addBindValue(digest);
    if (!(*count)->exec())
        return m_db.storageError((*count)->lastError(),
                                 QStringLiteral("counting the approvals of %1").arg(review.nodeExecId));
    QStringList approvers;
    while ((*count)->next())
        approvers.append((*count)->value(0).toString());
    (*count)->finish();
    if (approvers.size() < review.requiredApprovals) {
        Model::ValueList names;
        for (const QString &name : std::as_const(approvers))
            names.append(name);
        Model::ValueMap detail {{QStringLiteral("node_id"), review.nodeId},
                                {QStringLiteral("message"), message.isNull() ? Value() : Value(message)},
                                {QStringLiteral("was_edited"), edited},
                                {QStringLiteral("payload_sha256"), digest},
                                {QStringLiteral("approvals"), names},
                                {QStringLiteral("required_approvals"), review.requiredApprovals}};
        if (edited)
            detail.insert(QStringLiteral("proposed_sha256"), Model::payloadDigest(review.payload));
        if (auto logged = AuditLog(m_db).append(QStringLiteral("review_approval_added"), reviewer,
                                                review.graphExecId, review.nodeExecId, detail);
            !logged)
            return logged.error();
    }
    return approvers;
}

Result<void> ReviewRepository::updateReviewProcessedStatus(const QString &nodeExecId,
                                                           bool processed)
{
    auto update = m_db.prepare(QStringLiteral(
        "UPDATE pending_reviews SET processed = ?, updated_at = ? WHERE node_exec_id = ?"));
    if (!update)
        return update.error();
    (*update)->addBindValue(flag(processed));
    (*update)->addBindValue(nowMs());
    (*update)->addBindValue(nodeExecId);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("marking review %1 processed").arg(nodeExecId));
    if ((*update)->numRowsAffected() != 1)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("Review %1 not found").arg(nodeExecId));
    return {};
}

Result<int> ReviewRepository::cancelPendingReviewsForExecution(const QString &graphExecId,
                                                               const QString &userId)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    if (auto owned = checkOwner(graphExecId, userId); !owned)
        return owned.error();
    auto waiting = pendingReviewsForExecution(graphExecId, userId);
    if (!waiting)
        return waiting.error();
    AuditLog audit(m_db);
    for (const Model::PendingReview &review : std::as_const(*waiting)) {
        if (auto logged = audit.append(
                QStringLiteral("review_cancelled"), AuditLog::engineActor(), graphExecId,
                review.nodeExecId,
                Model::ValueMap {{QStringLiteral("node_id"), review.nodeId},
                                 {QStringLiteral("message"), kStoppedMessage}});
            !logged)
            return logged.error();
    }
    auto update = m_db.prepare(QStringLiteral(
        "UPDATE pending_reviews SET status = 'REJECTED', review_message = ?, processed = 1,"
        " reviewed_at = ?, updated_at = ?"
        " WHERE graph_exec_id = ? AND user_id = ? AND status = 'WAITING'"));
    if (!update)
        return update.error();
    const qint64 now = nowMs();
    for (const QVariant &value : QVariantList {kStoppedMessage, now, now, graphExecId, userId})
        (*update)->addBindValue(value);
    if (!(*update)->exec())
        return m_db.storageError((*update)->lastError(),
                                 QStringLiteral("cancelling the reviews of %1").arg(graphExecId));
    const int cancelled = (*update)->numRowsAffected();
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return cancelled;
}

Result<QList<ExpiredReview>> ReviewRepository::expireDueReviews(const QDateTime &now,
                                                                const QString &graphExecId)
{
    WriteTransaction transaction(m_db);
    if (auto begun = transaction.begin(); !begun)
        return begun.error();
    QString where = QStringLiteral("r.status = 'WAITING' AND r.deadline IS NOT NULL"
                                   " AND r.deadline <= ?");
    QVariantList binds {now.toMSecsSinceEpoch()};
    if (!graphExecId.isEmpty()) {
        where += QStringLiteral(" AND r.graph_exec_id = ?");
        binds.append(graphExecId);
    }
    auto due = select(where, binds, QStringLiteral(" ORDER BY r.deadline, r.node_exec_id"));
    if (!due)
        return due.error();
    auto update = m_db.prepare(
        QStringLiteral("UPDATE pending_reviews SET status = ?, review_message = ?, was_edited = 0,"
                       " reviewed_at = ?, updated_at = ?, reviewed_by = 'timeout'"
                       " WHERE node_exec_id = ? AND status = 'WAITING'"));
    if (!update)
        return update.error();
    QList<ExpiredReview> expired;
    const qint64 decidedAt = nowMs();
    for (Model::PendingReview review : std::as_const(*due)) {
        const ReviewStatus status
            = review.allowSkip ? ReviewStatus::Approved : ReviewStatus::Rejected;
        const QString message = review.allowSkip
            ? QStringLiteral("Review timed out; approved automatically (skipping allowed)")
            : timedOutMessage();
        QSqlQuery *q = *update;
        for (const QVariant &value : QVariantList {Model::reviewStatusName(status), message,
                                                   decidedAt, decidedAt, review.nodeExecId})
            q->addBindValue(value);
        if (!q->exec())
            return m_db.storageError(q->lastError(),
                                     QStringLiteral("expiring review %1").arg(review.nodeExecId));
        if (q->numRowsAffected() != 1)
            continue;
        review.status = status;
        review.reviewMessage = message;
        review.wasEdited = false;
        review.reviewedAt = QDateTime::fromMSecsSinceEpoch(decidedAt, Qt::UTC);
        review.reviewedBy = QStringLiteral("timeout");
        if (auto logged = AuditLog(m_db).append(
                QStringLiteral("review_timed_out"), AuditLog::engineActor(), review.graphExecId,
                review.nodeExecId,
                Model::ValueMap {{QStringLiteral("node_id"), review.nodeId},
                                 {QStringLiteral("status"), Model::reviewStatusName(status)},
                                 {QStringLiteral("message"), message}});
            !logged)
            return logged.error();
        expired.append({review, status});
    }
    if (auto committed = transaction.commit(); !committed)
        return committed.error();
    return expired;
}

Result<std::optional<QDateTime>> ReviewRepository::nextDeadline(const QString &graphExecId)
{
    auto query = m_db.prepare(
        graphExecId.isEmpty()
            ? QStringLiteral("SELECT min(deadline) FROM pending_reviews WHERE status = 'WAITING'")
            : QStringLiteral("SELECT min(deadline) FROM pending_reviews WHERE status = 'WAITING'"
                             " AND graph_exec_id = ?"));
    if (!query)
        return query.error();
    if (!graphExecId.isEmpty())
        (*query)->addBindValue(graphExecId);
    if (!(*query)->exec() || !(*query)->next())
        return m_db.storageError((*query)->lastError(), QStringLiteral("reading deadlines"));
    const QVariant earliest = (*query)->value(0);
    (*query)->finish();
    if (earliest.isNull())
        return std::optional<QDateTime>();
    return std::optional<QDateTime>(timeFromVariant(earliest));
}

} // namespace Signalbox::Engine
