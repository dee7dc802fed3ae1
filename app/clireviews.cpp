// SPDX-License-Identifier: GPL-3.0-or-later
// The command line's review commands: reviews list, show and decide; grants; the audit log.
#include "cli.h"
#include "clicommands.h"
#include "clisupport.h"

#include "engine/reviewer.h"
#include "engine/service/runservice.h"
#include "engine/store/database.h"
#include "model/graphjson.h"

namespace Signalbox::App {

namespace {

// One CSV field (RFC 4180), quoted when it must be. A text that a
// spreadsheet would take for a formula (=, +, -, @ first) gets a leading
// apostrophe, so that an exported name or message is never run.
QString csvField(QString text)
{
    if (!text.isEmpty() && QStringLiteral("=+-@\t\r").contains(text.front()))
        text.prepend(QLatin1Char('\''));
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"'))
        || text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r'))) {
        text.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

} // namespace

// "run", "graph", or a duration (30m, 8h, 2d) over every run of the graph.
Result<Engine::GrantRequest> Cli::grantRequest(const QString &scope)
{
    Engine::GrantRequest request;
    if (scope == QLatin1String("run"))
        return request;
    request.wholeGraph = true;
    if (scope == QLatin1String("graph"))
        return request;
    static const QHash<QChar, qint64> unit {
        {QLatin1Char('m'), 60}, {QLatin1Char('h'), 3600}, {QLatin1Char('d'), 86400}};
    bool ok = false;
    const qint64 count = scope.chopped(1).toLongLong(&ok);
    if (scope.isEmpty() || !unit.contains(scope.back()) || !ok || count < 1
        || count > 366 * 86400 / unit.value(scope.back()))
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("--grant takes run, graph, or a time from 1m to 366d "
                                        "such as 30m, 8h or 2d, not \"%1\"")
                             .arg(scope));
    request.seconds = count * unit.value(scope.back());
    return request;
}

// The grants, newest first: active ones, or all with --all.
int Cli::listGrants(bool includeInactive)
{
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto found = (*service)->grants(includeInactive);
    if (!found)
        return fail(found.error());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_json) {
        Model::ValueList list;
        for (const Model::ReviewGrant &grant : std::as_const(*found))
            list.append(grant.toValue(now));
        printValue(Model::ValueMap {{QStringLiteral("grants"), list}});
        return ExitCompleted;
    }
    QList<QStringList> rows {{QStringLiteral("GRANT"), QStringLiteral("NODE"),
                              QStringLiteral("SCOPE"), QStringLiteral("BY"),
                              QStringLiteral("GRANTED"), QStringLiteral("STATE")}};
    for (const Model::ReviewGrant &grant : std::as_const(*found)) {
        const QString state = grant.revokedAt.isValid()
            ? QStringLiteral("revoked by %1").arg(grant.revokedBy)
            : grant.isActive(now) ? QStringLiteral("active")
                                  : QStringLiteral("expired");
        rows.append({grant.id, grant.nodeId, grant.scopeText(), grant.grantedBy,
                     shortTime(grant.grantedAt), state});
    }
    m_out << table(rows);
    return ExitCompleted;
}

int Cli::revokeGrant(const QString &grantId)
{
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto revoked = (*service)->revokeGrant(grantId);
    if (!revoked)
        return fail(revoked.error());
    if (m_json)
        printValue(revoked->toValue(QDateTime::currentDateTimeUtc()));
    else
        m_out << QStringLiteral("Revoked grant %1 (node %2, %3).\n")
                     .arg(revoked->id, revoked->nodeId, revoked->scopeText());
    return ExitCompleted;
}

// Checks the audit log's chain: exit 0 when every entry is as written,
// 1 naming the first that was changed, deleted or moved.
int Cli::verifyAudit()
{
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto report = (*service)->verifyAudit();
    if (!report)
        return fail(report.error());
    const std::optional<Engine::AuditBreak> &broken = report->broken;
    if (m_json) {
        Model::ValueMap result {{QStringLiteral("entries"), qint64(report->entries.size())},
                                {QStringLiteral("intact"), !broken.has_value()}};
        if (broken) {
            result.insert(QStringLiteral("first_bad_entry"), broken->seq);
            result.insert(QStringLiteral("problem"), broken->problem);
        }
        printValue(result);
    } else if (!broken) {
        m_out
            << QStringLiteral("The audit log is intact: %1 entries.\n").arg(report->entries.size());
    }
    if (!broken)
        return ExitCompleted;
    m_err << "signalbox: the audit log was tampered with: " << broken->problem << '\n';
    return ExitFailed;
}

int Cli::exportAudit(const QString &format, const QString &sinceText)
{
    if (format != QLatin1String("jsonl") && format != QLatin1String("csv"))
        return usage(QStringLiteral("--format is jsonl or csv, not \"%1\"").arg(format));
    QDateTime from;
    if (!sinceText.isEmpty()) {
        from = QDateTime::fromString(sinceText, Qt::ISODateWithMs);
        if (!from.isValid())
            from = QDateTime::fromString(sinceText, Qt::ISODate);
        if (!from.isValid())
            return usage(
                QStringLiteral("--since takes an ISO 8601 time (2026-12-01T09:00:00Z), not "
                               "\"%1\"")
                    .arg(sinceText));
    }
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto entries = (*service)->auditEntries(from);
    if (!entries)
        return fail(entries.error());
    if (format == QLatin1String("csv")) {
        m_out << "seq,at,kind,actor,graph_exec_id,node_exec_id,detail,prev_hash,hash\n";
        for (const Engine::AuditEntry &entry : std::as_const(*entries)) {
            QStringList fields {
                QString::number(entry.seq),
                entry.at.toString(Qt::ISODateWithMs),
                entry.kind,
                entry.actor,
                entry.graphExecId,
                entry.nodeExecId,
                QString::fromUtf8(Model::toJson(entry.detail, Model::JsonStyle::Canonical)),
                entry.previousHash,
                entry.hash};
            for (QString &field : fields)
                field = csvField(field);
            m_out << fields.join(QLatin1Char(',')) << '\n';
        }
        return ExitCompleted;
    }
    for (const Engine::AuditEntry &entry : std::as_const(*entries)) {
        Model::ValueMap line = entry.toValue().toMap();
        line.insert(QStringLiteral("at"), entry.at.toString(Qt::ISODateWithMs));
        line.insert(QStringLiteral("hash"), entry.hash);
        m_out << QString::fromUtf8(Model::toJson(line, Model::JsonStyle::Canonical)) << '\n';
    }
    return ExitCompleted;
}

// The waiting reviews, newest first (of one execution: oldest first).
int Cli::listReviews(const QString &executionId)
{
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto found = (*service)->waitingReviews(executionId);
    if (!found)
        return fail(found.error());
    const QList<Model::PendingReview> &waiting = *found;
    if (m_json) {
        Model::ValueList list;
        for (const Model::PendingReview &review : waiting)
            list.append(review.toValue());
        Model::ValueMap result;
        result.insert(QStringLiteral("reviews"), list);
        printValue(result);
        return ExitCompleted;
    }
    QList<QStringList> rows {{QStringLiteral("NODE EXECUTION"), QStringLiteral("NODE"),
                              QStringLiteral("EXECUTION"), QStringLiteral("CREATED"),
                              QStringLiteral("SHA-256"), QStringLiteral("APPROVALS"),
                              QStringLiteral("INSTRUCTIONS")}};
    for (const Model::PendingReview &review : waiting)
        rows.append(
            {review.nodeExecId, review.nodeId, review.graphExecId, shortTime(review.createdAt),
             Model::payloadDigest(review.payload).left(12),
             QStringLiteral("%1 of %2").arg(review.approvals.size()).arg(review.requiredApprovals),
             review.instructions});
    m_out << table(rows);
    return ExitCompleted;
}

// One review: its state, its payload, what an edit (--data) would change
// or what the reviewer changed, and for a sensitive action what its
// block will receive, secrets masked.
int Cli::showReview(const QString &id, const std::optional<QString> &dataText)
{
    std::optional<Model::Value> edit;
    if (dataText) {
        auto parsed = Model::parseJsonValue(dataText->toUtf8(), Model::JsonLimits {},
                                            QStringLiteral("--data"));
        if (!parsed)
            return fail(parsed.error());
        edit = *parsed;
    }
    auto service = openExistingService();
    if (!service)
        return fail(service.error());
    auto shown = (*service)->showReview(id, edit);
    if (!shown)
        return fail(shown.error());
    const Model::PendingReview &review = shown->review;
    const Engine::ReviewPreview &preview = shown->preview;
    static const QHash<Model::ValueChange::Kind, QString> kinds {
        {Model::ValueChange::Kind::Added, QStringLiteral("added")},
        {Model::ValueChange::Kind::Removed, QStringLiteral("removed")},
        {Model::ValueChange::Kind::Changed, QStringLiteral("changed")}};
    const auto text = [](const Model::Value &value) {
        return QString::fromUtf8(Model::toJson(value, Model::JsonStyle::PythonDumps));
    };
    if (m_json) {
        Model::ValueMap result = review.toValue();
        Model::ValueList changes;
        for (const Model::ValueChange &change : preview.changes) {
            changes.append(Model::ValueMap {
                {QStringLiteral("path"), change.path},
                {QStringLiteral("change"), kinds.value(change.kind)},
                {QStringLiteral("before"),
                 change.before.isUndefined() ? Model::Value(nullptr) : change.before},
                {QStringLiteral("after"),
                 change.after.isUndefined() ? Model::Value(nullptr) : change.after}});
        }
        result.insert(QStringLiteral("changes"), changes);
        if (preview.blockInput) {
            Model::ValueList problems;
            for (const QString &problem : preview.blockInput->problems)
                problems.append(problem);
            result.insert(QStringLiteral("block_input"), preview.blockInput->input);
            result.insert(QStringLiteral("block_input_problems"), problems);
        }
        printValue(result);
        return ExitCompleted;
    }
    QString decided = Model::reviewStatusName(review.status);
    if (review.status != Model::ReviewStatus::Waiting)
        decided
            += QStringLiteral(" by %1 at %2").arg(review.reviewedBy, shortTime(review.reviewedAt));
    m_out << "Review " << review.nodeExecId << ": " << decided << '\n'
          << "Instructions: " << review.instructions << '\n'
          << "Execution: " << review.graphExecId << '\n'
          << "SHA-256: " << Model::payloadDigest(review.payload) << '\n';
    if (review.requiredApprovals > 1 || !review.approvals.isEmpty())
        m_out << QStringLiteral("Approvals: %1 of %2%3\n")
                     .arg(review.approvals.size())
                     .arg(review.requiredApprovals)
                     .arg(review.approvals.isEmpty()
                              ? QString()
                              : QStringLiteral(" (%1)").arg(
                                  review.approvals.join(QLatin1String(", "))));
    m_out << "Payload:\n"
          << QString::fromUtf8(Model::toJson(review.payload, Model::JsonStyle::Indented)).trimmed()
          << '\n';
    if (preview.after) {
        m_out << (edit ? "Your edit changes:\n" : "The reviewer changed:\n");
        if (preview.changes.isEmpty())
            m_out << "  nothing\n";
        QList<QStringList> rows;
        for (const Model::ValueChange &change : preview.changes)
            rows.append({change.path, kinds.value(change.kind),
                         change.before.isUndefined() ? QString() : text(change.before),
                         change.after.isUndefined() ? QString() : text(change.after)});
        if (!rows.isEmpty())
            m_out << table(rows);
    }
    if (preview.blockInput) {
        m_out << "The block will receive:\n";
        QList<QStringList> rows;
        for (auto it = preview.blockInput->input.begin(); it != preview.blockInput->input.end();
             ++it)
            rows.append({it.key().toString(), text(it.value())});
        if (!rows.isEmpty())
            m_out << table(rows);
        for (const QString &problem : preview.blockInput->problems)
            m_out << "  refused: " << problem << '\n';
    }
    return ExitCompleted;
}

// Records the decisions; when none of the execution's reviews is left
// waiting, resumes it here and prints it as `run` does.
int Cli::decideReviews(const QStringList &ids, bool approve, const QString &message,
                       const std::optional<QString> &dataText,
                       const std::optional<Engine::GrantRequest> &grant, const QString &threadsText,
                       const QString &seenDigest)
{
    if (QSet<QString>(ids.begin(), ids.end()).size() != ids.size())
        return fail(makeError(ErrorCode::BadInput, QStringLiteral("a review is named twice")));
    Engine::ReviewDecision decision;
    decision.status = approve ? Model::ReviewStatus::Approved : Model::ReviewStatus::Rejected;
    decision.seenDigest = seenDigest;
    decision.message = message;
    decision.grant = grant;
    if (dataText) {
        auto parsed = Model::parseJsonValue(dataText->toUtf8(), Model::JsonLimits {},
                                            QStringLiteral("--data"));
        if (!parsed)
            return fail(parsed.error());
        decision.data = *parsed;
    }
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    QMap<QString, Engine::ReviewDecision> decisions;
    for (const QString &id : ids)
        decisions.insert(id, decision);
    // The process whose decision leaves nothing waiting takes the
    // execution over and resumes it; of several deciding at once,
    // exactly one does, and the others report what they saw.
    QList<Engine::DecidedRun> decided;
    QString resumedId;
    if (const auto failed = execute((*db)->path(), threadsText,
                                    [&](Engine::RunService &service) -> Result<QString> {
                                        decided = service.decide(decisions, false);
                                        const Engine::DecidedRun &run = decided.constFirst();
                                        if (run.error)
                                            return *run.error;
                                        if (run.resumeError)
                                            return *run.resumeError;
                                        return run.resumedHere ? run.graphExecId : QString();
                                    },
                                    resumedId))
        return *failed;
    const QString executionId = decided.constFirst().graphExecId;
    // A review that needs more approvals waits for other reviewers.
    if (!m_json) {
        for (const Model::PendingReview &review : decided.constFirst().reviews) {
            if (review.status == Model::ReviewStatus::Waiting && review.requiredApprovals > 1)
                m_err << QStringLiteral("signalbox: review %1 has %2 of %3 approvals (%4); it "
                                        "waits for another reviewer\n")
                             .arg(review.nodeExecId)
                             .arg(review.approvals.size())
                             .arg(review.requiredApprovals)
                             .arg(review.approvals.join(QLatin1String(", ")));
        }
    }
    const int shown = printRun(**db, executionId);
    if (decided.constFirst().resumedHere || shown == ExitPaused)
        return shown;
    if (!m_json)
        m_err << "signalbox: the decisions were recorded; execution " << executionId
              << " is run by another process\n";
    return ExitCompleted;
}

} // namespace Signalbox::App
