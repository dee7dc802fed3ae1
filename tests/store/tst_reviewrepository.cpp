// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/store/auditlog.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "engine/store/graphrepository.h"
#include "engine/store/reviewrepository.h"
#include "model/blockschema.h"

#include "storefixture.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Signalbox;
using namespace Signalbox::Engine;
using namespace Signalbox::Testing;
using Model::ReviewStatus;

class TestReviewRepository : public QObject
{
    Q_OBJECT

private:
    TestStore m_store;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<Model::BlockCatalog> m_catalog;
    std::unique_ptr<ExecutionRepository> m_executions;
    std::unique_ptr<ReviewRepository> m_reviews;

    QString createExecution(const QString &user = userId())
    {
        auto created = m_executions->createGraphExecution(smallGraphExecution(user));
        if (!created)
            qFatal("create failed: %s", qPrintable(created.error().message));
        return created->meta.id;
    }

    NewReview request(const QString &exec, const QString &nodeExecId,
                      const char *payload = "{'x': 1}", bool editable = true)
    {
        NewReview review;
        review.userId = userId();
        review.nodeExecId = nodeExecId;
        review.nodeId = QStringLiteral("tpl");
        review.graphExecId = exec;
        review.graphId = QStringLiteral("g-small");
        review.graphVersion = 1;
        review.inputData = value(payload);
        review.message = QStringLiteral("Review required for tpl execution");
        review.editable = editable;
        return review;
    }

    // A review of node `node` in `exec`, as a grant is made from.
    static Model::PendingReview reviewOf(const QString &exec, const QString &node,
                                         const char *payload = "{'x': 1}",
                                         const QString &user = userId())
    {
        Model::PendingReview review;
        review.userId = user;
        review.nodeExecId = QStringLiteral("granted-in-") + node;
        review.nodeId = node;
        review.graphExecId = exec;
        review.graphId = QStringLiteral("g-small");
        review.graphVersion = 1;
        review.payload = value(payload);
        return review;
    }

    static ReviewDecision decision(ReviewStatus status, const char *data = nullptr,
                                   const QString &message = {})
    {
        ReviewDecision decided;
        decided.status = status;
        if (data)
            decided.data = value(data);
        decided.message = message;
        return decided;
    }

private Q_SLOTS:
    void initTestCase()
    {
        SIGNALBOX_START_OR_SKIP(m_store);
        auto catalog = Model::BlockCatalog::builtin();
        QVERIFY(catalog.ok());
        m_catalog = std::make_unique<Model::BlockCatalog>(std::move(*catalog));
    }

    void init()
    {
        m_reviews.reset();
        m_executions.reset();
        m_db.reset();
        auto db = Database::open(m_store.newLocation(QStringLiteral("reviews")));
        QVERIFY2(db.ok(), qPrintable(db.error().message));
        m_db = std::move(*db);
        GraphRepository graphs(*m_db);
        QVERIFY(graphs.saveGraph(smallGraph(), userId()).ok());
        m_executions = std::make_unique<ExecutionRepository>(*m_db, m_catalog.get());
        m_reviews = std::make_unique<ReviewRepository>(*m_db);
    }

    void approvalsAreBoundToThePayloadShownAndApproved()
    {
        const QString exec = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("b"))).ok());
        const QString shown = Model::payloadDigest(value("{'x': 1}"));
        QCOMPARE(shown, Model::payloadDigest(value("{ 'x' : 1 }")));
        QCOMPARE(m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, userId())
                     ->value(QStringLiteral("a"))
                     .toValue()
                     .value(QLatin1String("payload_sha256"))
                     .toString(),
                 shown);

        // A decision on what was not shown is refused, and nothing is decided.
        ReviewDecision stale = decision(ReviewStatus::Approved);
        stale.seenDigest = Model::payloadDigest(value("{'x': 2}")).left(12);
        auto refused = m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("a"), stale}});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QVERIFY2(refused.error().message.contains(shown.left(12)), qPrintable(refused.error().message));
        ReviewDecision tooShort = decision(ReviewStatus::Approved);
        tooShort.seenDigest = shown.left(4);
        QVERIFY(!m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("a"), tooShort}}).ok());
        QCOMPARE(m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, userId())
                     ->value(QStringLiteral("a"))
                     .status,
                 ReviewStatus::Waiting);

        // Approved as shown (a), and approved with an edit (b): each bound
        // to the payload approved.
        ReviewDecision seen = decision(ReviewStatus::Approved);
        seen.seenDigest = shown.left(12).toUpper();
        QVERIFY(m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("a"), seen}}).ok());
        ReviewDecision edited = decision(ReviewStatus::Approved, "{'x': 5}");
        edited.seenDigest = shown;
        QVERIFY(m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("b"), edited}}).ok());
        auto stored = *m_reviews->reviewsByNodeExecIds({QStringLiteral("a"), QStringLiteral("b")}, userId());
        QCOMPARE(stored.value(QStringLiteral("a")).approvedDigest, shown);
        QCOMPARE(stored.value(QStringLiteral("b")).approvedDigest,
                 Model::payloadDigest(value("{'x': 5}")));

        // The node runs on its approval while its input is what was shown...
        auto approved = m_reviews->checkApproval(QStringLiteral("a"), exec, QStringLiteral("tpl"),
                                                 userId(), value("{'x': 1}"));
        QVERIFY(approved.ok() && approved->has_value());
        auto approvedEdit = m_reviews->checkApproval(QStringLiteral("b"), exec, QStringLiteral("tpl"),
                                                     userId(), value("{'x': 1}"));
        QVERIFY(approvedEdit.ok() && approvedEdit->has_value());
        QCOMPARE(Model::toJson((*approvedEdit)->data), QByteArray("{\"x\":5}"));

        // ...but another input asks again, with that input...
        auto other = m_reviews->checkApproval(QStringLiteral("a"), exec, QStringLiteral("tpl"),
                                              userId(), value("{'x': 9}"));
        QVERIFY(other.ok());
        QVERIFY(!other->has_value());
        auto reopened = m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, userId())
                            ->value(QStringLiteral("a"));
        QCOMPARE(reopened.status, ReviewStatus::Waiting);
        QCOMPARE(Model::toJson(reopened.payload), QByteArray("{\"x\":9}"));
        QVERIFY(reopened.approvedDigest.isEmpty());
        QVERIFY(reopened.reviewedBy.isEmpty());

        // ...and so does an approved payload changed behind the decision.
        QVERIFY(m_db->execute(QStringLiteral(
                                  "UPDATE pending_reviews SET payload = '{\"x\":6}' WHERE node_exec_id = 'b'"))
                    .ok());
        auto changed = m_reviews->checkApproval(QStringLiteral("b"), exec, QStringLiteral("tpl"),
                                                userId(), value("{'x': 1}"));
        QVERIFY(changed.ok());
        QVERIFY(!changed->has_value());
        QCOMPARE(m_reviews->reviewsByNodeExecIds({QStringLiteral("b")}, userId())
                     ->value(QStringLiteral("b"))
                     .status,
                 ReviewStatus::Waiting);

        // Both are in the audit log, with why.
        auto entries = AuditLog(*m_db).entries();
        QVERIFY(entries.ok());
        QStringList reasons;
        for (const AuditEntry &entry : std::as_const(*entries)) {
            if (entry.kind == QLatin1String("review_reopened"))
                reasons.append(entry.detail.toMap().value(QLatin1String("reason")).toString());
        }
        QCOMPARE(reasons, (QStringList {QStringLiteral("the node's input is not the payload that was reviewed"),
                                        QStringLiteral("the approved payload was changed after the decision")}));
        QVERIFY(!AuditLog(*m_db).verify()->broken.has_value());
    }

    void getOrCreateIsIdempotentAndWaits()
    {
        const QString exec = createExecution();
        auto first = m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-1")));
        QVERIFY(first.ok());
        QVERIFY(!first->has_value()); // waiting
        // Asking again (with other data) keeps the one review as it was.
        auto again
            = m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-1"), "{'x': 2}"));
        QVERIFY(again.ok());
        QVERIFY(!again->has_value());
        auto waiting = m_reviews->pendingReviewsForExecution(exec, userId());
        QCOMPARE(waiting->size(), 1);
        QCOMPARE(Model::toJson(waiting->first().payload), json("{'x':1}"));
        QCOMPARE(waiting->first().nodeId, QStringLiteral("tpl"));
        QCOMPARE(waiting->first().status, ReviewStatus::Waiting);

        // Decided and not yet processed: the decision; once processed: none.
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(),
                        {{QStringLiteral("ne-1"),
                          decision(ReviewStatus::Approved, "{'x': 5}", QStringLiteral("ok"))}})
                    .ok());
        auto decided = m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-1")));
        QVERIFY(decided.ok() && decided->has_value());
        QCOMPARE((*decided)->status, ReviewStatus::Approved);
        QCOMPARE(Model::toJson((*decided)->data), json("{'x':5}"));
        QCOMPARE((*decided)->message, QStringLiteral("ok"));
        QVERIFY(!(*decided)->processed);
        QVERIFY(m_reviews->updateReviewProcessedStatus(QStringLiteral("ne-1"), true).ok());
        auto processed = m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-1")));
        QVERIFY(processed.ok());
        QVERIFY(!processed->has_value());
        QCOMPARE(m_reviews->updateReviewProcessedStatus(QStringLiteral("nope"), true).error().code,
                 ErrorCode::NotFound);
    }

    void aDecidedReviewAskedAboutAnotherPayloadWaitsAgain()
    {
        // One node execution may ask several times (an agent's turns): once
        // its review is decided and processed, a question about another
        // payload puts it back to WAITING; the same question does not.
        const QString exec = createExecution();
        QVERIFY(!m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-2")))->has_value());
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(), {{QStringLiteral("ne-2"),
                                    decision(ReviewStatus::Rejected, nullptr, QStringLiteral("no"))}})
                    .ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-2")))->has_value());
        QVERIFY(m_reviews->updateReviewProcessedStatus(QStringLiteral("ne-2"), true).ok());
        QVERIFY(!m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-2")))->has_value());
        QCOMPARE(m_reviews->pendingReviewsForExecution(exec, userId())->size(), 0);

        NewReview next = request(exec, QStringLiteral("ne-2"), "{'x': 2}");
        next.message = QStringLiteral("The second turn");
        QVERIFY(!m_reviews->getOrCreateHumanReview(next)->has_value());
        const auto waiting = *m_reviews->pendingReviewsForExecution(exec, userId());
        QCOMPARE(waiting.size(), 1);
        QCOMPARE(waiting.first().status, ReviewStatus::Waiting);
        QCOMPARE(Model::toJson(waiting.first().payload), json("{'x':2}"));
        QCOMPARE(waiting.first().instructions, QStringLiteral("The second turn"));
        QVERIFY(waiting.first().reviewMessage.isEmpty());
        QVERIFY(!waiting.first().processed);
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(), {{QStringLiteral("ne-2"), decision(ReviewStatus::Approved)}})
                    .ok());
        const auto decided = m_reviews->getOrCreateHumanReview(next);
        QVERIFY(decided.ok() && decided->has_value());
        QCOMPARE((*decided)->status, ReviewStatus::Approved);
        QCOMPARE(Model::toJson((*decided)->data), json("{'x':2}"));
    }

    void checkApprovalFindsNormalAndAutoApprovals()
    {
        const QString exec = createExecution();
        const QString node = QStringLiteral("tpl");
        auto none = m_reviews->checkApproval(QStringLiteral("ne-1"), exec, node, userId());
        QVERIFY(none.ok() && !none->has_value());

        // A waiting review is no approval; a normal approval answers with the
        // stored, edited payload.
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("ne-1"))).ok());
        QVERIFY(
            !m_reviews->checkApproval(QStringLiteral("ne-1"), exec, node, userId())->has_value());
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(),
                        {{QStringLiteral("ne-1"),
                          decision(ReviewStatus::Approved, "{'x': 9}", QStringLiteral("fine"))}})
                    .ok());
        // (Its input is still the one shown: see
        // approvalsAreBoundToThePayloadShownAndApproved for another.)
        auto normal = m_reviews->checkApproval(QStringLiteral("ne-1"), exec, node, userId(),
                                               value("{'x': 1}"));
        QVERIFY(normal.ok() && normal->has_value());
        QCOMPARE(Model::toJson((*normal)->data), json("{'x':9}"));
        QCOMPARE((*normal)->message, QStringLiteral("fine"));
        QCOMPARE((*normal)->nodeExecId, QStringLiteral("ne-1"));
        QVERIFY((*normal)->processed);
        // Another user sees nothing.
        QVERIFY(!m_reviews->checkApproval(QStringLiteral("ne-1"), exec, node, QStringLiteral("eve"))
                     ->has_value());

        // An auto-approval of the node answers later executions with their
        // current input.
        QVERIFY(m_reviews->createGrant(reviewOf(exec, node), GrantRequest {}, QStringLiteral("ann"))
                    .ok());
        auto later = m_reviews->checkApproval(QStringLiteral("ne-2"), exec, node, userId(),
                                              value("{'x': 42}"));
        QVERIFY(later.ok() && later->has_value());
        QCOMPARE(Model::toJson((*later)->data), json("{'x':42}"));
        QCOMPARE((*later)->message,
                 QStringLiteral("Auto-approved (user approved all future actions for this node)"));
        QCOMPARE((*later)->grantId, ReviewRepository::autoApproveKey(exec, node));
        // Without current input it answers with the recorded payload.
        auto stored = m_reviews->checkApproval(QStringLiteral("ne-3"), exec, node, userId());
        QCOMPARE(Model::toJson((*stored)->data), json("{'x':1}"));
        // Asked for the execution's own approval only, the node's does not answer,
        // and the execution's own approval is not taken for the node's.
        QVERIFY(!m_reviews->checkApproval(QStringLiteral("ne-2"), exec, node, userId(),
                                          value("{'x': 42}"), false)
                     ->has_value());
        auto own = m_reviews->checkApproval(QStringLiteral("ne-1"), exec, node, userId(),
                                            value("{'x': 1}"), false);
        QVERIFY(own.ok() && own->has_value());
        QCOMPARE((*own)->nodeExecId, QStringLiteral("ne-1"));
        QVERIFY((*own)->message != QLatin1String("Auto-approved (user approved all future actions for this node)"));
        // Other nodes and other runs are not approved.
        QVERIFY(
            !m_reviews->checkApproval(QStringLiteral("ne-4"), exec, QStringLiteral("out"), userId())
                 ->has_value());
        QVERIFY(!m_reviews->checkApproval(QStringLiteral("ne-5"), createExecution(), node, userId())
                     ->has_value());
    }

    void grantsCoverTheirScopeUntilTheyExpireOrAreRevoked()
    {
        const QString first = createExecution();
        const QString second = createExecution();
        const QString node = QStringLiteral("tpl");
        Model::Graph other = smallGraph();
        other.id = QStringLiteral("g-other");
        QVERIFY(GraphRepository(*m_db).saveGraph(other, userId()).ok());
        NewGraphExecution otherRun = smallGraphExecution();
        otherRun.graphId = other.id;
        const QString elsewhere = m_executions->createGraphExecution(otherRun)->meta.id;
        const auto approved = [&](const QString &exec, const char *input,
                                  const QString &nodeExecId = QStringLiteral("ne-later")) {
            auto found = m_reviews->checkApproval(nodeExecId, exec, node, userId(), value(input));
            if (!found)
                qFatal("%s", qPrintable(found.error().message));
            return *found;
        };

        // A grant for the run covers that run only.
        QVERIFY(m_reviews->createGrant(reviewOf(first, node), GrantRequest {}, QStringLiteral("ann"))
                    .ok());
        QVERIFY(approved(first, "{'x': 5}").has_value());
        QVERIFY(!approved(second, "{'x': 5}").has_value());

        // One for every run of the graph covers the graph's other runs, not
        // another graph's, and not another user's.
        GrantRequest wholeGraph;
        wholeGraph.wholeGraph = true;
        auto graphGrant = m_reviews->createGrant(reviewOf(first, node), wholeGraph,
                                                 QStringLiteral("ann"));
        QVERIFY2(graphGrant.ok(), qPrintable(graphGrant.error().text()));
        QCOMPARE(graphGrant->scopeText(), QStringLiteral("this graph until revoked"));
        auto later = approved(second, "{'x': 5}");
        QVERIFY(later.has_value());
        QCOMPARE(later->grantId, graphGrant->id);
        QCOMPARE(later->nodeExecId, QStringLiteral("ne-later"));
        QCOMPARE(Model::toJson(later->data), json("{'x':5}"));
        QCOMPARE(later->message, QStringLiteral("Auto-approved by ann's grant %1 (this graph until "
                                                "revoked)")
                                     .arg(graphGrant->id));
        QVERIFY(!approved(elsewhere, "{'x': 5}").has_value());
        // A later version of the graph: covered while the node is the same
        // block, not once another block took its id.
        Model::Graph renamed = smallGraph();
        renamed.name = QStringLiteral("Small, renamed");
        const int sameBlock = GraphRepository(*m_db).saveGraph(renamed, userId())->version;
        NewGraphExecution later2 = smallGraphExecution();
        later2.graphVersion = sameBlock;
        QVERIFY(approved(m_executions->createGraphExecution(later2)->meta.id, "{'x': 5}").has_value());
        Model::Graph swapped = smallGraph();
        for (Model::Node &each : swapped.nodes) {
            if (each.id == node)
                each.blockId = kOutputBlock;
        }
        const int otherBlock = GraphRepository(*m_db).saveGraph(swapped, userId())->version;
        QVERIFY(otherBlock > sameBlock);
        NewGraphExecution later3 = smallGraphExecution();
        later3.graphVersion = otherBlock;
        QVERIFY(!approved(m_executions->createGraphExecution(later3)->meta.id, "{'x': 5}").has_value());
        QVERIFY(!m_reviews
                     ->checkApproval(QStringLiteral("ne-later"), second, node,
                                     QStringLiteral("eve"), value("{'x': 5}"))
                     ->has_value());
        // The auto-approval names the grant in the audit log.
        auto entries = AuditLog(*m_db).entries();
        QCOMPARE(entries->constLast().kind, QStringLiteral("auto_approved"));
        QCOMPARE(entries->constLast().detail.toMap().value(QLatin1String("grant_id")).toString(),
                 graphGrant->id);
        QCOMPARE(entries->constLast().detail.toMap().value(QLatin1String("approved_by")).toString(),
                 QStringLiteral("ann"));

        // Revoked, it covers nothing; revoking again says who did first.
        auto revoked = m_reviews->revokeGrant(graphGrant->id, userId(), QStringLiteral("bob"));
        QVERIFY(revoked.ok());
        QCOMPARE(revoked->revokedBy, QStringLiteral("bob"));
        QVERIFY(!approved(second, "{'x': 5}").has_value());
        auto again = m_reviews->revokeGrant(graphGrant->id, userId(), QStringLiteral("cy"));
        QCOMPARE(again.error().code, ErrorCode::Conflict);
        QVERIFY2(again.error().message.contains(QLatin1String("bob")), qPrintable(again.error().message));
        QCOMPARE(m_reviews->revokeGrant(QStringLiteral("nope"), userId(), QString()).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(m_reviews->revokeGrant(graphGrant->id, QStringLiteral("eve"), QString()).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(AuditLog(*m_db).entries()->constLast().kind, QStringLiteral("grant_revoked"));

        // One for a while covers the graph until it expires.
        GrantRequest hour = wholeGraph;
        hour.seconds = 3600;
        auto timed = m_reviews->createGrant(reviewOf(first, node), hour, QStringLiteral("ann"));
        QVERIFY(timed.ok());
        QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(timed->expiresAt) - 3600) <= 2);
        QCOMPARE(approved(second, "{'x': 5}")->grantId, timed->id);
        QVERIFY(m_db->execute(QStringLiteral("UPDATE review_grants SET expires_at = %1 WHERE id = '%2'")
                                  .arg(QDateTime::currentMSecsSinceEpoch() - 1)
                                  .arg(timed->id))
                    .ok());
        QVERIFY(!approved(second, "{'x': 5}").has_value());

        // One for a payload covers an equal payload only (keys in any order),
        // and is preferred to one for any payload.
        GrantRequest samePayload = wholeGraph;
        samePayload.samePayload = true;
        auto bound = m_reviews->createGrant(reviewOf(first, node, "{'x': 1, 'y': [2]}"),
                                            samePayload, QStringLiteral("ann"));
        QVERIFY(bound.ok());
        QCOMPARE(bound->payloadDigest, Model::payloadDigest(value("{'x': 1, 'y': [2]}")));
        QCOMPARE(approved(second, "{'y': [2], 'x': 1}")->grantId, bound->id);
        QVERIFY(!approved(second, "{'x': 1, 'y': [3]}").has_value());

        // The lists: active ones, or all.
        QStringList active;
        const auto listed = m_reviews->grants(userId());
        QVERIFY2(listed.ok(), qPrintable(listed.error().message));
        for (const Model::ReviewGrant &grant : *listed)
            active.append(grant.id);
        QCOMPARE(active, (QStringList {bound->id, ReviewRepository::autoApproveKey(first, node)}));
        QCOMPARE(m_reviews->grants(userId(), true)->size(), 4);
        QVERIFY(m_reviews->grants(QStringLiteral("eve"), true)->isEmpty());
    }

    void aDecisionGrantsInTheReviewersName()
    {
        const QString exec = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        ReviewDecision allow = decision(ReviewStatus::Approved);
        allow.grant = GrantRequest {true, 8 * 3600, true};
        auto decided = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("a"), allow}}, QStringLiteral("ann"));
        QVERIFY2(decided.ok(), qPrintable(decided.error().text()));
        auto grants = m_reviews->grants(userId());
        QCOMPARE(grants->size(), 1);
        const Model::ReviewGrant &grant = grants->first();
        QCOMPARE(grant.grantedBy, QStringLiteral("ann"));
        QCOMPARE(grant.nodeExecId, QStringLiteral("a"));
        QVERIFY(grant.graphExecId.isEmpty());
        QCOMPARE(grant.payloadDigest, Model::payloadDigest(value("{'x': 1}")));
        QVERIFY(grant.expiresAt.isValid());
        auto entries = AuditLog(*m_db).entries();
        QCOMPARE(entries->constLast().kind, QStringLiteral("auto_approval_granted"));
        QCOMPARE(entries->constLast().actor, QStringLiteral("ann"));
        QCOMPARE(entries->constLast().detail.toMap().value(QLatin1String("grant_id")).toString(),
                 grant.id);
        // A rejection grants nothing.
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("b"))).ok());
        ReviewDecision refuse = decision(ReviewStatus::Rejected);
        refuse.grant = GrantRequest {};
        QVERIFY(m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("b"), refuse}})
                    .ok());
        QCOMPARE(m_reviews->grants(userId(), true)->size(), 1);
    }

    void theReferencesAutoApprovalRecordsBecomeGrants()
    {
        if (m_store.isPostgres())
            QSKIP("PostgreSQL stores begin at schema 10, which has grants");
        // A database made before grants, with an auto-approval record.
        const QString path = m_store.newLocation(QStringLiteral("before_grants"));
        DatabaseOptions before;
        before.migrateTo = 8;
        auto old = Database::open(path, before);
        QVERIFY(old.ok());
        QVERIFY(GraphRepository(**old).saveGraph(smallGraph(), userId()).ok());
        const QString exec = QStringLiteral("run-before-grants");
        QVERIFY((*old)->execute(QStringLiteral(
                    "INSERT INTO graph_executions (id, user_id, graph_id, graph_version, status,"
                    " created_at, updated_at) VALUES ('%1', '%2', 'g-small', 1, 'REVIEW', 1, 1)")
                                   .arg(exec, userId()))
                    .ok());
        const QString key = ReviewRepository::autoApproveKey(exec, QStringLiteral("tpl"));
        QVERIFY((*old)->execute(QStringLiteral(
                    "INSERT INTO pending_reviews (node_exec_id, user_id, node_id, graph_exec_id,"
                    " graph_id, graph_version, payload, instructions, editable, status, processed,"
                    " created_at, updated_at, reviewed_at, reviewed_by) VALUES ('%1', '%2', 'tpl',"
                    " '%3', 'g-small', 1, '{\"x\": 1}', 'Auto-approval record', 0, 'APPROVED', 1,"
                    " 1, 1, 1, 'ann')")
                                   .arg(key, userId(), exec))
                    .ok());
        old->reset();
        auto db = Database::open(path);
        QVERIFY(db.ok());
        ReviewRepository reviews(**db);
        auto grants = reviews.grants(userId());
        QCOMPARE(grants->size(), 1);
        QCOMPARE(grants->first().id, key);
        QCOMPARE(grants->first().grantedBy, QStringLiteral("ann"));
        QCOMPARE(grants->first().scopeText(), QStringLiteral("this run"));
        QVERIFY(reviews.reviewsByNodeExecIds({key}, userId())->isEmpty());
        auto later = reviews.checkApproval(QStringLiteral("ne-9"), exec, QStringLiteral("tpl"),
                                           userId());
        QVERIFY(later.ok() && later->has_value());
        QCOMPARE(Model::toJson((*later)->data), json("{'x':1}"));
    }

    void aQuorumNeedsDistinctReviewersAndTheStarterMayNotApprove()
    {
        NewGraphExecution started = smallGraphExecution();
        started.startedBy = QStringLiteral("sam");
        const QString exec = m_executions->createGraphExecution(started)->meta.id;
        const auto ask = [&](const QString &id) {
            NewReview review = request(exec, id);
            review.requiredApprovals = 2;
            review.forbidStarter = true;
            return m_reviews->getOrCreateHumanReview(review).ok();
        };
        const auto decideAs = [&](const QString &id, const QString &who, ReviewDecision decided) {
            return m_reviews->processAllReviewsForExecution(userId(), {{id, decided}}, who);
        };
        const auto stored = [&](const QString &id) {
            return m_reviews->reviewsByNodeExecIds({id}, userId())->value(id);
        };
        QVERIFY(ask(QStringLiteral("q")));
        QCOMPARE(stored(QStringLiteral("q")).requiredApprovals, 2);
        QCOMPARE(stored(QStringLiteral("q")).runStartedBy, QStringLiteral("sam"));

        // The person who started the run may not approve it.
        auto refused = decideAs(QStringLiteral("q"), QStringLiteral("sam"),
                                decision(ReviewStatus::Approved));
        QCOMPARE(refused.error().code, ErrorCode::Conflict);
        QCOMPARE(refused.error().message,
                 QStringLiteral("Review q: sam started the run and may not approve it"));
        // One approval: it waits, and says who approved.
        QVERIFY(decideAs(QStringLiteral("q"), QStringLiteral("ann"), decision(ReviewStatus::Approved)).ok());
        QCOMPARE(stored(QStringLiteral("q")).status, ReviewStatus::Waiting);
        QCOMPARE(stored(QStringLiteral("q")).approvals, QStringList {QStringLiteral("ann")});
        QCOMPARE(AuditLog(*m_db).entries()->constLast().kind, QStringLiteral("review_approval_added"));
        QVERIFY(!m_reviews->checkApproval(QStringLiteral("q"), exec, QStringLiteral("tpl"), userId())
                     ->has_value());
        // The same reviewer again does not count twice.
        QVERIFY(decideAs(QStringLiteral("q"), QStringLiteral("ann"), decision(ReviewStatus::Approved)).ok());
        QCOMPARE(stored(QStringLiteral("q")).status, ReviewStatus::Waiting);
        // A grant cannot stand in for the second approval.
        ReviewDecision allow = decision(ReviewStatus::Approved);
        allow.grant = GrantRequest {};
        QCOMPARE(decideAs(QStringLiteral("q"), QStringLiteral("bob"), allow).error().code,
                 ErrorCode::BadInput);
        // A second reviewer approves it.
        auto done = decideAs(QStringLiteral("q"), QStringLiteral("bob"), decision(ReviewStatus::Approved));
        QVERIFY(done.ok());
        const Model::PendingReview approved = stored(QStringLiteral("q"));
        QCOMPARE(approved.status, ReviewStatus::Approved);
        QCOMPARE(approved.reviewedBy, QStringLiteral("ann, bob"));
        QCOMPARE(approved.approvedDigest, Model::payloadDigest(value("{'x': 1}")));
        QVERIFY(m_reviews->checkApproval(QStringLiteral("q"), exec, QStringLiteral("tpl"), userId(),
                                         value("{'x': 1}"))
                    ->has_value());
        auto last = AuditLog(*m_db).entries()->constLast();
        QCOMPARE(last.kind, QStringLiteral("review_approved"));
        QCOMPARE(Model::toJson(last.detail.toMap().value(QLatin1String("approvals"))),
                 json("['ann','bob']"));
        // Deciding it the same way again succeeds; rejecting it now conflicts.
        QVERIFY(decideAs(QStringLiteral("q"), QStringLiteral("cy"), decision(ReviewStatus::Approved)).ok());
        QCOMPARE(decideAs(QStringLiteral("q"), QStringLiteral("cy"),
                          decision(ReviewStatus::Rejected, nullptr, QStringLiteral("no")))
                     .error()
                     .code,
                 ErrorCode::Conflict);

        // An edit replaces the payload: approvals of the old one no longer count.
        QVERIFY(ask(QStringLiteral("e")));
        QVERIFY(decideAs(QStringLiteral("e"), QStringLiteral("ann"), decision(ReviewStatus::Approved)).ok());
        QVERIFY(decideAs(QStringLiteral("e"), QStringLiteral("bob"),
                         decision(ReviewStatus::Approved, "{'x': 2}"))
                    .ok());
        Model::PendingReview edited = stored(QStringLiteral("e"));
        QCOMPARE(edited.status, ReviewStatus::Waiting);
        QCOMPARE(edited.approvals, QStringList {QStringLiteral("bob")});
        QCOMPARE(Model::toJson(edited.payload), json("{'x':2}"));
        QVERIFY(decideAs(QStringLiteral("e"), QStringLiteral("ann"), decision(ReviewStatus::Approved)).ok());
        edited = stored(QStringLiteral("e"));
        QCOMPARE(edited.status, ReviewStatus::Approved);
        QCOMPARE(edited.wasEdited, std::optional<bool>(true));
        QCOMPARE(Model::toJson(edited.originalPayload), json("{'x':1}"));
        QCOMPARE(edited.approvedDigest, Model::payloadDigest(value("{'x': 2}")));

        // One rejection rejects it, whatever approvals it had; the starter may reject.
        QVERIFY(ask(QStringLiteral("r")));
        QVERIFY(decideAs(QStringLiteral("r"), QStringLiteral("ann"), decision(ReviewStatus::Approved)).ok());
        QVERIFY(decideAs(QStringLiteral("r"), QStringLiteral("sam"),
                         decision(ReviewStatus::Rejected, nullptr, QStringLiteral("not this")))
                    .ok());
        QCOMPARE(stored(QStringLiteral("r")).status, ReviewStatus::Rejected);
        QCOMPARE(stored(QStringLiteral("r")).reviewedBy, QStringLiteral("sam"));
    }

    void autoApprovalRequiresTheUsersExecution()
    {
        const QString exec = createExecution(QStringLiteral("alice"));
        auto refused = m_reviews->createGrant(reviewOf(exec, QStringLiteral("tpl"), "1"),
                                              GrantRequest {}, QString());
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().message,
                 QStringLiteral("Graph execution %1 not found or doesn't belong to user %2")
                     .arg(exec, userId()));
        // Recording it twice keeps one record.
        const QString mine = createExecution();
        for (const char *payload : {"1", "2"})
            QVERIFY(m_reviews
                        ->createGrant(reviewOf(mine, QStringLiteral("tpl"), payload),
                                      GrantRequest {}, QString())
                        .ok());
        const QString key = ReviewRepository::autoApproveKey(mine, QStringLiteral("tpl"));
        auto records = m_reviews->grants(userId(), true);
        QCOMPARE(records->size(), 1);
        QCOMPARE(records->first().id, key);
        QCOMPARE(records->first().graphExecId, mine);
        QCOMPARE(Model::toJson(records->first().payload), QByteArray("1"));
        QCOMPARE(records->first().grantedBy, userId());
        // It is no review: the inbox's lists do not show it.
        QVERIFY(m_reviews->reviewsByNodeExecIds({key}, userId())->isEmpty());
    }

    void lookupsByIdExecutionAndUser()
    {
        const QString exec = createExecution();
        const QString other = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        QThread::msleep(3);
        QVERIFY(m_reviews->getOrCreateHumanReview(request(other, QStringLiteral("b"))).ok());
        QThread::msleep(3);
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("c"))).ok());

        QVERIFY(m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, userId())
                    ->contains(QStringLiteral("a")));
        QVERIFY(m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, QStringLiteral("eve"))
                    ->isEmpty());
        QVERIFY(*m_reviews->hasPendingReviewsForGraphExec(exec));

        // Newest first for the user, paged; oldest first for an execution.
        auto newest = m_reviews->pendingReviewsForUser(userId(), 1, 2);
        QCOMPARE(newest->size(), 2);
        QCOMPARE(newest->at(0).nodeExecId, QStringLiteral("c"));
        QCOMPARE(newest->at(1).nodeExecId, QStringLiteral("b"));
        QCOMPARE(m_reviews->pendingReviewsForUser(userId(), 2, 2)->first().nodeExecId,
                 QStringLiteral("a"));
        QVERIFY(m_reviews->pendingReviewsForUser(userId(), 3, 2)->isEmpty());
        QCOMPARE(m_reviews->pendingReviewsForUser(userId(), 1, 101).error().code,
                 ErrorCode::BadInput);
        QCOMPARE(m_reviews->pendingReviewsForUser(userId(), 0).error().code, ErrorCode::BadInput);
        auto ofExec = m_reviews->pendingReviewsForExecution(exec, userId());
        QCOMPARE(ofExec->size(), 2);
        QCOMPARE(ofExec->at(0).nodeExecId, QStringLiteral("a"));
        QCOMPARE(ofExec->at(1).nodeExecId, QStringLiteral("c"));

        // Any status by id; only the user's.
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(), {{QStringLiteral("a"), decision(ReviewStatus::Rejected)}})
                    .ok());
        auto byIds = m_reviews->reviewsByNodeExecIds(
            {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("zzz")}, userId());
        QCOMPARE(byIds->keys(), (QList<QString> {QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(byIds->value(QStringLiteral("a")).status, ReviewStatus::Rejected);
        QVERIFY(m_reviews->reviewsByNodeExecIds({QStringLiteral("a")}, QStringLiteral("eve"))
                    ->isEmpty());
        QVERIFY(m_reviews->pendingReviewsForUser(QStringLiteral("eve"))->isEmpty());
    }

    void decisionsAreIdempotentAndConflictsAreErrors()
    {
        const QString exec = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("b"))).ok());
        auto decided = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("a"), decision(ReviewStatus::Approved, nullptr, QStringLiteral("ok"))},
             {QStringLiteral("b"),
              decision(ReviewStatus::Rejected, nullptr, QStringLiteral("no"))}},
            QStringLiteral("reviewer-1"));
        QVERIFY2(decided.ok(), qPrintable(decided.error().text()));
        QCOMPARE(decided->value(QStringLiteral("a")).status, ReviewStatus::Approved);
        QCOMPARE(decided->value(QStringLiteral("a")).reviewedBy, QStringLiteral("reviewer-1"));
        QVERIFY(decided->value(QStringLiteral("a")).reviewedAt.isValid());
        QCOMPARE(decided->value(QStringLiteral("b")).reviewMessage, QStringLiteral("no"));
        QVERIFY(!*m_reviews->hasPendingReviewsForGraphExec(exec));

        // The same decision again succeeds and changes nothing.
        auto same = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("a"),
              decision(ReviewStatus::Approved, nullptr, QStringLiteral("other message"))}},
            QStringLiteral("reviewer-2"));
        QVERIFY(same.ok());
        QCOMPARE(same->value(QStringLiteral("a")).reviewMessage, QStringLiteral("ok"));
        QCOMPARE(same->value(QStringLiteral("a")).reviewedBy, QStringLiteral("reviewer-1"));
        // A different one is a conflict, and nothing of the batch is applied.
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("c"))).ok());
        auto changed = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("c"), decision(ReviewStatus::Approved)},
             {QStringLiteral("b"), decision(ReviewStatus::Approved)}});
        QVERIFY(!changed.ok());
        QCOMPARE(changed.error().code, ErrorCode::Conflict);
        QCOMPARE(changed.error().message,
                 QStringLiteral("Review b was already processed with status REJECTED, cannot "
                                "change to APPROVED"));
        QCOMPARE(
            m_reviews->reviewsByNodeExecIds({QStringLiteral("c")}, userId())
                ->value(QStringLiteral("c"))
                .status,
            ReviewStatus::Waiting);

        // Unknown reviews and other users' reviews are named.
        auto unknown = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("c"), decision(ReviewStatus::Approved)},
             {QStringLiteral("ghost"), decision(ReviewStatus::Approved)}});
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().message,
                 QStringLiteral("Reviews not found or access denied: ghost"));
        auto foreign = m_reviews->processAllReviewsForExecution(
            QStringLiteral("eve"), {{QStringLiteral("c"), decision(ReviewStatus::Approved)}});
        QCOMPARE(foreign.error().message, QStringLiteral("Reviews not found or access denied: c"));
        QVERIFY(m_reviews->processAllReviewsForExecution(userId(), {}).ok());
    }

    void editsAreCheckedAndRecorded()
    {
        const QString exec = createExecution();
        QVERIFY(
            m_reviews
                ->getOrCreateHumanReview(request(exec, QStringLiteral("fixed"), "{'x': 1}", false))
                .ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("free"))).ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("same"))).ok());
        // An edit of a non-editable review is an error ...
        auto refused = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("fixed"), decision(ReviewStatus::Approved, "{'x': 2}")}});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().message, QStringLiteral("Review fixed is not editable"));
        // ... but the unchanged data is not an edit (1.0 equals 1, as in Python).
        auto unchanged = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("fixed"), decision(ReviewStatus::Approved, "{'x': 1.0}")},
             {QStringLiteral("same"), decision(ReviewStatus::Approved, "{'x': 1}")}});
        QVERIFY2(unchanged.ok(), qPrintable(unchanged.error().text()));
        QCOMPARE(unchanged->value(QStringLiteral("fixed")).wasEdited, std::optional<bool>(false));
        QCOMPARE(unchanged->value(QStringLiteral("same")).wasEdited, std::optional<bool>(false));
        QVERIFY(unchanged->value(QStringLiteral("same")).originalPayload.isUndefined());
        // A real edit replaces the payload and keeps the original.
        auto edited = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("free"), decision(ReviewStatus::Approved, "{'x': 7}")}});
        QVERIFY(edited.ok());
        const Model::PendingReview review = edited->value(QStringLiteral("free"));
        QCOMPARE(review.wasEdited, std::optional<bool>(true));
        QCOMPARE(Model::toJson(review.payload), json("{'x':7}"));
        QCOMPARE(Model::toJson(review.originalPayload), json("{'x':1}"));
    }

    void decisionLimits()
    {
        const QString exec = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        const QString other = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(other, QStringLiteral("b"))).ok());

        ReviewDecision longMessage = decision(ReviewStatus::Rejected);
        longMessage.message = QString(2001, QLatin1Char('m'));
        auto tooLong = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("a"), longMessage}});
        QCOMPARE(tooLong.error().code, ErrorCode::BadInput);
        QVERIFY(tooLong.error().details.first().contains(QLatin1String("2000 characters")));

        QByteArray deep = "1";
        for (int i = 0; i < 11; ++i)
            deep = "[" + deep + "]";
        auto tooDeep = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("a"), decision(ReviewStatus::Approved, deep.constData())}});
        QVERIFY(tooDeep.error().details.first().contains(QLatin1String("deeper than 10")));
        ReviewDecision big = decision(ReviewStatus::Approved);
        big.data = Model::Value(QString(1000001, QLatin1Char('b')));
        auto tooBig
            = m_reviews->processAllReviewsForExecution(userId(), {{QStringLiteral("a"), big}});
        QVERIFY(tooBig.error().details.first().contains(QLatin1String("1000000 characters")));

        // One execution per batch.
        auto mixed = m_reviews->processAllReviewsForExecution(
            userId(),
            {{QStringLiteral("a"), decision(ReviewStatus::Approved)},
             {QStringLiteral("b"), decision(ReviewStatus::Approved)}});
        QCOMPARE(mixed.error().code, ErrorCode::BadInput);

        // Whitespace only is no message; auto-approve ignores edits and
        // records the node as approved for the run.
        ReviewDecision autoApprove
            = decision(ReviewStatus::Approved, "{'x': 99}", QStringLiteral("  "));
        autoApprove.grant = GrantRequest {};
        auto approved = m_reviews->processAllReviewsForExecution(
            userId(), {{QStringLiteral("a"), autoApprove}});
        QVERIFY2(approved.ok(), qPrintable(approved.error().text()));
        QVERIFY(approved->value(QStringLiteral("a")).reviewMessage.isNull());
        QCOMPARE(Model::toJson(approved->value(QStringLiteral("a")).payload), json("{'x':1}"));
        QVERIFY(
            m_reviews->checkApproval(QStringLiteral("later"), exec, QStringLiteral("tpl"), userId())
                ->has_value());
    }

    void stoppingRejectsWaitingReviews()
    {
        const QString exec = createExecution();
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("a"))).ok());
        QVERIFY(m_reviews->getOrCreateHumanReview(request(exec, QStringLiteral("b"))).ok());
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(), {{QStringLiteral("b"), decision(ReviewStatus::Approved)}})
                    .ok());
        QCOMPARE(
            m_reviews->cancelPendingReviewsForExecution(exec, QStringLiteral("eve"))
                .error()
                .message,
            QStringLiteral("Graph execution %1 not found or doesn't belong to user eve").arg(exec));
        QCOMPARE(*m_reviews->cancelPendingReviewsForExecution(exec, userId()), 1);
        auto reviews
            = m_reviews->reviewsByNodeExecIds({QStringLiteral("a"), QStringLiteral("b")}, userId());
        QCOMPARE(reviews->value(QStringLiteral("a")).status, ReviewStatus::Rejected);
        QCOMPARE(reviews->value(QStringLiteral("a")).reviewMessage,
                 QStringLiteral("Execution was stopped by user"));
        QVERIFY(reviews->value(QStringLiteral("a")).processed);
        QCOMPARE(reviews->value(QStringLiteral("b")).status, ReviewStatus::Approved);
        QCOMPARE(*m_reviews->cancelPendingReviewsForExecution(exec, userId()), 0);
    }

    void deadlinesDecideReviews()
    {
        const QString exec = createExecution();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        NewReview skippable = request(exec, QStringLiteral("skip"));
        skippable.deadline = now.addSecs(-5);
        skippable.allowSkip = true;
        NewReview strict = request(exec, QStringLiteral("strict"));
        strict.deadline = now.addSecs(-1);
        NewReview later = request(exec, QStringLiteral("later"));
        later.deadline = now.addSecs(3600);
        for (const NewReview &review : {skippable, strict, later})
            QVERIFY(m_reviews->getOrCreateHumanReview(review).ok());
        QCOMPARE((*m_reviews->nextDeadline(exec))->toMSecsSinceEpoch(),
                 skippable.deadline.toMSecsSinceEpoch());

        auto expired = m_reviews->expireDueReviews(now);
        QVERIFY(expired.ok());
        QCOMPARE(expired->size(), 2);
        QCOMPARE(expired->at(0).review.nodeExecId, QStringLiteral("skip"));
        QCOMPARE(expired->at(0).status, ReviewStatus::Approved);
        QVERIFY(expired->at(0).review.reviewMessage.contains(QLatin1String("timed out")));
        QCOMPARE(expired->at(1).status, ReviewStatus::Rejected);
        QCOMPARE(expired->at(1).review.reviewMessage, QStringLiteral("Review timed out"));
        // Decided once: nothing more to expire; the later one still waits.
        QVERIFY(m_reviews->expireDueReviews(now)->isEmpty());
        QCOMPARE(m_reviews->pendingReviewsForExecution(exec, userId())->size(), 1);
        QCOMPARE((*m_reviews->nextDeadline(exec))->toMSecsSinceEpoch(),
                 later.deadline.toMSecsSinceEpoch());
        // A reviewer who decided first wins over the deadline.
        QThread::msleep(3); // a later decision time than the expiries
        QVERIFY(m_reviews
                    ->processAllReviewsForExecution(
                        userId(), {{QStringLiteral("later"), decision(ReviewStatus::Approved)}})
                    .ok());
        QVERIFY(m_reviews->expireDueReviews(now.addSecs(7200))->isEmpty());
        QVERIFY(!m_reviews->nextDeadline(exec)->has_value());

        // The history lists decisions, latest first, without auto-approvals.
        auto history = m_reviews->decidedReviewsForUser(userId());
        QCOMPARE(history->size(), 3);
        QCOMPARE(history->first().nodeExecId, QStringLiteral("later"));
    }
};

QTEST_GUILESS_MAIN(TestReviewRepository)
#include "tst_reviewrepository.moc"
