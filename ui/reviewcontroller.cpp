// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewcontroller.h"

#include "engine/reviewpreview.h"

#include "pinstyle.h"
#include "reviewdialog.h"
#include "reviewinbox.h"

#include <QApplication>
#include <QDockWidget>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QSystemTrayIcon>

namespace Signalbox::Ui {

namespace {

// What the review dialog shows besides the review.
struct ReviewContext
{
    Model::PendingReview review;
    QString graphName;
    QString blockName;
    QString reviewer;
    // The block of a sensitive action under review (the registry's).
    const Model::BlockSchema *sensitiveBlock = nullptr;
};

} // namespace

ReviewController::ReviewController(std::shared_ptr<const Engine::BlockRegistry> registry,
                                   ReviewInbox *inbox, QLabel *badge, QSystemTrayIcon *tray,
                                   QWidget *window)
    : QObject(window)
    , m_registry(std::move(registry))
    , m_inbox(inbox)
    , m_badge(badge)
    , m_tray(tray)
    , m_window(window)
    , m_read([this] { read(); })
{
    connect(m_inbox, &ReviewInbox::reviewActivated, this, &ReviewController::open);
    connect(m_inbox, &ReviewInbox::auditRequested, this, &ReviewController::readAudit);
    connect(m_inbox, &ReviewInbox::grantsRequested, this, &ReviewController::readGrants);
    connect(m_inbox, &ReviewInbox::revokeRequested, this, &ReviewController::revoke);
    connect(m_inbox, &ReviewInbox::pageRequested, this, [this](int page) {
        m_inbox->setWaiting({}, qMax(1, page), false);
        refresh();
    });
    connect(m_inbox, &ReviewInbox::batchApproveRequested, this,
            &ReviewController::confirmBatchApproval);
    connect(m_inbox, &ReviewInbox::batchRejectRequested, this,
            &ReviewController::askBatchRejection);
}

void ReviewController::setService(Engine::ServiceThread *service)
{
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_service = service;
    if (!service)
        return;
    // Reviews asked, decided or timed out by any process on the database.
    m_connections.append(connect(service->service(), &Engine::RunService::changed, this,
                                 [this](const Engine::StoreChanges &changes) {
                                     if (!changes.reviews.isEmpty())
                                         refresh();
                                     if (m_inbox->auditShown()
                                         && !(changes.reviews.isEmpty() && changes.runs.isEmpty()
                                              && changes.grants.isEmpty()))
                                         readAudit();
                                     if (m_inbox->grantsShown() && !changes.grants.isEmpty())
                                         readGrants();
                                 }));
    m_connections.append(connect(service->service()->events(),
                                 &Engine::EventBus::reviewRequested, this,
                                 [this] { refresh(); }));
    refresh();
}

void ReviewController::refresh()
{
    m_read.request();
}

void ReviewController::read()
{
    if (!m_service) {
        m_read.answered();
        return;
    }
    const int page = m_inbox->page();
    m_service->call(
        this,
        [page](Engine::RunService &service) { return service.inbox(page, ReviewInbox::kPageSize); },
        [this, page](Result<Engine::InboxPage> inbox) {
            if (inbox)
                showInbox(*inbox, page);
            if (m_read.answered())
                Q_EMIT refreshed();
        });
}

void ReviewController::readAudit()
{
    if (!m_service)
        return;
    m_service->call(
        this, [](Engine::RunService &service) { return service.verifyAudit(); },
        [this](Result<Engine::AuditReport> report) {
            if (!report) {
                Q_EMIT failed(tr("Audit Log"), report.error().text());
                return;
            }
            // The check reads the whole chain; the tab shows its newest part.
            constexpr qsizetype kShown = 500;
            const qsizetype total = report->entries.size();
            m_inbox->setAudit(report->entries.mid(qMax<qsizetype>(0, total - kShown)), total,
                              report->broken);
        });
}

void ReviewController::readGrants()
{
    if (!m_service)
        return;
    const bool all = m_inbox->allGrantsShown();
    using Listed = std::pair<QList<Model::ReviewGrant>, QHash<QString, QString>>;
    m_service->call(
        this,
        [all](Engine::RunService &service) -> Result<Listed> {
            auto grants = service.grants(all);
            if (!grants)
                return grants.error();
            auto names = service.graphNames();
            if (!names)
                return names.error();
            return Listed {*grants, *names};
        },
        [this](Result<Listed> listed) {
            if (!listed) {
                Q_EMIT failed(tr("Grants"), listed.error().text());
                return;
            }
            m_inbox->setGrants(listed->first, listed->second, QDateTime::currentDateTimeUtc());
        });
}

void ReviewController::revoke(const QStringList &grantIds)
{
    if (!m_service)
        return;
    m_service->call(
        this,
        [grantIds](Engine::RunService &service) {
            QStringList problems;
            for (const QString &id : grantIds) {
                if (auto revoked = service.revokeGrant(id); !revoked)
                    problems.append(revoked.error().text());
            }
            return problems;
        },
        [this, count = grantIds.size()](const QStringList &problems) {
            if (!problems.isEmpty())
                Q_EMIT failed(tr("Revoke Grants"), problems.join(QLatin1Char('\n')));
            else
                Q_EMIT statusMessage(tr("Revoked %n grant(s): their nodes ask again", nullptr,
                                        int(count)));
            readGrants();
        });
}

void ReviewController::showInbox(const Engine::InboxPage &inbox, int page)
{
    m_inbox->setWaiting(inbox.waiting, page, inbox.hasMore, inbox.graphNames);
    m_inbox->setHistory(inbox.decided, inbox.graphNames);
    int arrived = 0;
    for (const Model::PendingReview &review : inbox.waiting) {
        if (!m_seen.contains(review.nodeExecId)) {
            m_seen.insert(review.nodeExecId);
            ++arrived;
        }
    }
    // The badge: how many wait (at least), on the dock and in the status bar.
    const QString count = inbox.hasMore
        ? QStringLiteral("%1+").arg(page * ReviewInbox::kPageSize)
        : QString::number((page - 1) * ReviewInbox::kPageSize + inbox.waiting.size());
    m_waitingCount = inbox.waiting.isEmpty() ? QString() : count;
    if (auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("inboxDock")))
        dock->setWindowTitle(inbox.waiting.isEmpty() ? tr("Review Inbox")
                                                     : tr("Review Inbox (%1)").arg(count));
    m_badge->setText(inbox.waiting.isEmpty() ? QString()
                                             : tr("%1 waiting for review").arg(count));
    m_badge->setVisible(!inbox.waiting.isEmpty());
    if (arrived > 0 && m_primed) {
        Q_EMIT reviewsArrived(arrived);
        const QString text = tr("%n new review(s) waiting", nullptr, arrived);
        Q_EMIT statusMessage(text);
        if (m_tray)
            m_tray->showMessage(tr("Signalbox"), text);
        QApplication::alert(m_window);
    }
    m_primed = true;
}

void ReviewController::open(const QString &nodeExecId)
{
    // One dialog per review: asking again brings it forward.
    for (ReviewDialog *open : m_window->findChildren<ReviewDialog *>()) {
        if (open->isVisible() && open->review().nodeExecId == nodeExecId) {
            open->raise();
            open->activateWindow();
            return;
        }
    }
    if (!m_service)
        return;
    m_service->call(
        this,
        [nodeExecId](Engine::RunService &service) -> Result<ReviewContext> {
            auto shown = service.showReview(nodeExecId);
            if (!shown)
                return shown.error();
            ReviewContext context {shown->review,
                                   shown->graphName.isEmpty() ? shown->review.graphId
                                                              : shown->graphName,
                                   !shown->nodeName.isEmpty() ? shown->nodeName
                                       : shown->block         ? blockDisplayName(*shown->block)
                                                              : QObject::tr("Human Review"),
                                   service.reviewer()};
            if (shown->block && shown->block->isSensitiveAction)
                context.sensitiveBlock = shown->block;
            return context;
        },
        [this, nodeExecId](Result<ReviewContext> context) {
            if (!context) {
                Q_EMIT failed(tr("Review"), context.error().text());
                return;
            }
            // Asked twice while the first was being read: one dialog.
            for (ReviewDialog *open : m_window->findChildren<ReviewDialog *>()) {
                if (open->isVisible() && open->review().nodeExecId == nodeExecId)
                    return;
            }
            auto *dialog = new ReviewDialog(context->review, context->blockName,
                                            context->graphName, &m_drafts, m_window);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->setReviewer(context->reviewer);
            if (const Model::BlockSchema *block = context->sensitiveBlock) {
                // What the block will receive, computed here from the
                // registry (no store, no engine work).
                dialog->setBlockInputPreview([registry = m_registry, block](const Model::Value &payload) {
                    return Engine::blockInputFor(*registry, *block, payload);
                });
            }
            connect(dialog, &ReviewDialog::decisionMade, this,
                    [this, dialog](const QString &id, const Model::ReviewDecision &decision) {
                        decideOne(dialog, id, decision);
                    });
            if (context->review.status != Model::ReviewStatus::Waiting)
                dialog->showDecided(context->review, false);
            dialog->open();
        });
}

void ReviewController::decideOne(ReviewDialog *dialog, const QString &nodeExecId,
                                 const Model::ReviewDecision &decision)
{
    if (!m_service)
        return;
    QPointer<ReviewDialog> guard(dialog);
    m_service->call(
        this,
        [nodeExecId, decision](Engine::RunService &service) {
            return service.decide({{nodeExecId, decision}});
        },
        [this, guard, nodeExecId](QList<Engine::DecidedRun> decided) {
            const Engine::DecidedRun &run = decided.constFirst();
            if (run.error) {
                // Someone else decided first: show their decision, never overwrite it.
                if (run.error->code == ErrorCode::Conflict && run.reviews.contains(nodeExecId)
                    && run.reviews.value(nodeExecId).status != Model::ReviewStatus::Waiting) {
                    if (guard)
                        guard->showDecidedElsewhere(run.reviews.value(nodeExecId));
                } else {
                    Q_EMIT failed(tr("The decision was not recorded"), run.error->text());
                }
                return;
            }
            m_drafts.remove(nodeExecId);
            const Model::PendingReview review = run.reviews.value(nodeExecId);
            if (review.status == Model::ReviewStatus::Waiting && review.requiredApprovals > 1)
                Q_EMIT statusMessage(tr("Your approval is recorded: %1 of %2 approvals")
                                         .arg(review.approvals.size())
                                         .arg(review.requiredApprovals));
            Q_EMIT logged(tr("Review %1 %2").arg(nodeExecId, Model::reviewStatusName(review.status)));
            if (run.resumeError)
                Q_EMIT logged(tr("Run %1 did not resume: %2")
                                  .arg(run.graphExecId, run.resumeError->text()));
            Q_EMIT reviewRecorded(nodeExecId);
            if (guard)
                guard->accept();
            refresh();
        });
}

void ReviewController::decide(const QStringList &nodeExecIds, const Model::ReviewDecision &decision)
{
    if (!m_service)
        return;
    QMap<QString, Model::ReviewDecision> decisions;
    for (const QString &id : nodeExecIds)
        decisions.insert(id, decision);
    m_service->call(
        this, [decisions](Engine::RunService &service) { return service.decide(decisions); },
        [this, status = decision.status](QList<Engine::DecidedRun> decided) {
            QStringList problems;
            for (const Engine::DecidedRun &run : std::as_const(decided)) {
                if (run.error) {
                    problems.append(run.error->text());
                    continue;
                }
                for (const QString &id : run.reviews.keys())
                    m_drafts.remove(id);
                // Reviews that need more approvals still wait: counted apart.
                int waiting = 0;
                for (const Model::PendingReview &review : run.reviews)
                    waiting += review.status == Model::ReviewStatus::Waiting ? 1 : 0;
                if (run.reviews.size() > waiting)
                    Q_EMIT logged(tr("%n review(s) of run %1 %2", nullptr,
                                     int(run.reviews.size()) - waiting)
                                      .arg(run.graphExecId, Model::reviewStatusName(status)));
                if (waiting > 0)
                    Q_EMIT logged(tr("%n review(s) of run %1 counted your approval and wait for "
                                     "more reviewers",
                                     nullptr, waiting)
                                      .arg(run.graphExecId));
                if (run.resumeError)
                    problems.append(tr("Run %1 did not resume: %2")
                                        .arg(run.graphExecId, run.resumeError->text()));
            }
            if (!problems.isEmpty())
                Q_EMIT failed(status == Model::ReviewStatus::Approved
                                  ? tr("Some reviews were not approved")
                                  : tr("Some reviews were not rejected"),
                              problems.join(QLatin1Char('\n')));
            refresh();
        });
}

void ReviewController::confirmBatchApproval(const QStringList &nodeExecIds)
{
    auto *box = new QMessageBox(QMessageBox::Question, tr("Approve reviews"),
                                tr("Approve %n review(s)?", nullptr, int(nodeExecIds.size())),
                                QMessageBox::Yes | QMessageBox::Cancel, m_window);
    box->setObjectName(QStringLiteral("batchConfirm"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, nodeExecIds] {
        if (box->clickedButton() != box->button(QMessageBox::Yes))
            return;
        Model::ReviewDecision approve;
        approve.status = Model::ReviewStatus::Approved;
        decide(nodeExecIds, approve);
    });
    box->open();
}

void ReviewController::askBatchRejection(const QStringList &nodeExecIds)
{
    auto *dialog = new QInputDialog(m_window);
    dialog->setObjectName(QStringLiteral("batchReject"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Reject reviews"));
    dialog->setLabelText(
        tr("Reject %n review(s) because (required):", nullptr, int(nodeExecIds.size())));
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this, nodeExecIds](const QString &reason) {
                if (reason.trimmed().isEmpty()) {
                    Q_EMIT failed(tr("Reject reviews"), tr("A reason is required to reject."));
                    return;
                }
                Model::ReviewDecision reject;
                reject.status = Model::ReviewStatus::Rejected;
                reject.message = reason;
                decide(nodeExecIds, reject);
            });
    dialog->open();
}

} // namespace Signalbox::Ui
