// SPDX-License-Identifier: GPL-3.0-or-later
#include "review.h"

#include "enumnames.h"

namespace Signalbox::Model {

namespace {

constexpr EnumName<ReviewStatus> kNames[] = {
    {ReviewStatus::Waiting, QLatin1StringView("WAITING")},
    {ReviewStatus::Approved, QLatin1StringView("APPROVED")},
    {ReviewStatus::Rejected, QLatin1StringView("REJECTED")},
};

Value timeValue(const QDateTime &time)
{
    return time.isValid() ? Value(time.toUTC().toString(Qt::ISODateWithMs)) : Value(nullptr);
}

} // namespace

QString reviewStatusName(ReviewStatus status)
{
    return enumName(kNames, status);
}

std::optional<ReviewStatus> reviewStatusFromName(QStringView name)
{
    return enumFromName(kNames, name, Qt::CaseInsensitive);
}

ValueMap PendingReview::toValue() const
{
    ValueMap map;
    map.insert(QStringLiteral("node_exec_id"), nodeExecId);
    map.insert(QStringLiteral("user_id"), userId);
    map.insert(QStringLiteral("node_id"), nodeId);
    map.insert(QStringLiteral("graph_exec_id"), graphExecId);
    map.insert(QStringLiteral("graph_id"), graphId);
    map.insert(QStringLiteral("graph_version"), graphVersion);
    map.insert(QStringLiteral("payload"), payload.isUndefined() ? Value(nullptr) : payload);
    map.insert(QStringLiteral("instructions"),
               instructions.isNull() ? Value(nullptr) : Value(instructions));
    map.insert(QStringLiteral("editable"), editable);
    map.insert(QStringLiteral("status"), reviewStatusName(status));
    map.insert(QStringLiteral("review_message"),
               reviewMessage.isNull() ? Value(nullptr) : Value(reviewMessage));
    map.insert(QStringLiteral("was_edited"), wasEdited ? Value(*wasEdited) : Value(nullptr));
    map.insert(QStringLiteral("processed"), processed);
    map.insert(QStringLiteral("created_at"), timeValue(createdAt));
    map.insert(QStringLiteral("updated_at"), timeValue(updatedAt));
    map.insert(QStringLiteral("reviewed_at"), timeValue(reviewedAt));
    map.insert(QStringLiteral("reviewed_by"),
               reviewedBy.isNull() ? Value(nullptr) : Value(reviewedBy));
    map.insert(QStringLiteral("deadline"), timeValue(deadline));
    map.insert(QStringLiteral("allow_skip"), allowSkip);
    map.insert(QStringLiteral("payload_sha256"), payloadDigest(payload.isUndefined() ? Value(nullptr) : payload));
    map.insert(QStringLiteral("approved_sha256"),
               approvedDigest.isEmpty() ? Value(nullptr) : Value(approvedDigest));
    map.insert(QStringLiteral("required_approvals"), requiredApprovals);
    ValueList approvers;
    for (const QString &name : approvals)
        approvers.append(name);
    map.insert(QStringLiteral("approvals"), approvers);
    map.insert(QStringLiteral("forbid_run_starter"), forbidStarter);
    map.insert(QStringLiteral("run_started_by"),
               runStartedBy.isEmpty() ? Value(nullptr) : Value(runStartedBy));
    return map;
}

QString ReviewGrant::scopeText() const
{
    QString text = !graphExecId.isEmpty() ? QStringLiteral("this run")
        : expiresAt.isValid()
        ? QStringLiteral("this graph until %1").arg(expiresAt.toUTC().toString(Qt::ISODate))
        : QStringLiteral("this graph until revoked");
    if (!payloadDigest.isEmpty())
        text += QStringLiteral(", payload %1 only").arg(payloadDigest.left(12));
    return text;
}

ValueMap ReviewGrant::toValue(const QDateTime &now) const
{
    const auto text = [](const QString &value) {
        return value.isEmpty() ? Value(nullptr) : Value(value);
    };
    ValueMap map;
    map.insert(QStringLiteral("id"), id);
    map.insert(QStringLiteral("user_id"), userId);
    map.insert(QStringLiteral("graph_id"), graphId);
    map.insert(QStringLiteral("graph_version"), graphVersion);
    map.insert(QStringLiteral("node_id"), nodeId);
    map.insert(QStringLiteral("graph_exec_id"), text(graphExecId));
    map.insert(QStringLiteral("payload_sha256"), text(payloadDigest));
    map.insert(QStringLiteral("expires_at"), timeValue(expiresAt));
    map.insert(QStringLiteral("granted_by"), grantedBy);
    map.insert(QStringLiteral("granted_at"), timeValue(grantedAt));
    map.insert(QStringLiteral("node_exec_id"), text(nodeExecId));
    map.insert(QStringLiteral("instructions"), text(instructions));
    map.insert(QStringLiteral("revoked_at"), timeValue(revokedAt));
    map.insert(QStringLiteral("revoked_by"), text(revokedBy));
    map.insert(QStringLiteral("scope"), scopeText());
    map.insert(QStringLiteral("active"), isActive(now));
    return map;
}

} // namespace Signalbox::Model
