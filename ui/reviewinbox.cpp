// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewinbox.h"

#include "valuetext.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

// The time of day within a day of now, the date and time further off.
QString when(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    if (qAbs(time.secsTo(QDateTime::currentDateTimeUtc())) < 24 * 3600)
        return QLocale().toString(time.toLocalTime().time(), QLocale::ShortFormat);
    return dateTimeText(time);
}

// What the reviewer is asked about, in a row and, whole, in its tooltip.
void showPayload(QTreeWidgetItem *item, int column, const Model::Value &payload)
{
    item->setText(column, valuePreview(payload, 80));
    QString whole = payload.isString() ? payload.toString()
                                       : QString::fromUtf8(Model::toJson(payload, Model::JsonStyle::Indented));
    if (whole.size() > 2000)
        whole = whole.left(2000) + QChar(0x2026);
    item->setToolTip(column, whole);
}

// An audit entry's details in words: the message, whether the payload was
// edited, the short digest of what was decided on, and what a stop ended.
QString auditSummary(const Model::Value &detail)
{
    const Model::ValueMap map = detail.toMap();
    QStringList parts;
    if (const QString status = map.value(QLatin1String("status")).toString(); !status.isEmpty())
        parts.append(status);
    if (const QString before = map.value(QLatin1String("status_before")).toString();
        !before.isEmpty())
        parts.append(ReviewInbox::tr("was %1").arg(before));
    if (map.value(QLatin1String("was_edited")).toBool())
        parts.append(ReviewInbox::tr("edited"));
    if (const int needed = int(map.value(QLatin1String("required_approvals")).toInteger());
        needed > 1)
        parts.append(ReviewInbox::tr("%1 of %2 approvals")
                         .arg(map.value(QLatin1String("approvals")).toArray().size())
                         .arg(needed));
    if (const QString message = map.value(QLatin1String("message")).toString(); !message.isEmpty())
        parts.append(QStringLiteral("\u201c%1\u201d").arg(message));
    const QString scope = map.value(QLatin1String("scope")).toString();
    if (!scope.isEmpty())
        parts.append(scope);
    if (const QString digest = map.value(QLatin1String("payload_sha256")).toString();
        !digest.isEmpty() && !scope.contains(digest.left(12)))
        parts.append(ReviewInbox::tr("payload %1").arg(digest.left(12)));
    return parts.join(QStringLiteral(" \u00b7 "));
}

} // namespace

ReviewInbox::ReviewInbox(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Review inbox"));
    m_tabs = new QTabWidget(this);
    m_tabs->setAccessibleName(tr("Reviews"));

    auto *waitingPage = new QWidget(m_tabs);
    m_waiting = new QTreeWidget(waitingPage);
    // The data first: it is what differs from row to row.
    m_waiting->setHeaderLabels({tr("Graph"), tr("Data"), tr("Asked"), tr("Run"), tr("Review")});
    m_waiting->setRootIsDecorated(false);
    m_waiting->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_waiting->setAccessibleName(tr("Waiting reviews"));
    // Ctrl+A selects the reviews when the list has the focus, not the
    // canvas's nodes (the window's Select All).
    m_waiting->installEventFilter(this);
    m_approve = new QPushButton(tr("Approve…"), waitingPage);
    m_approve->setToolTip(tr("Approve the selected reviews"));
    m_reject = new QPushButton(tr("Reject…"), waitingPage);
    m_reject->setToolTip(tr("Reject the selected reviews"));
    m_newer = new QPushButton(tr("Newer"), waitingPage);
    m_older = new QPushButton(tr("Older"), waitingPage);
    m_pageLabel = new QLabel(waitingPage);
    m_pageLabel->setAccessibleName(tr("Page"));
    // Two short rows keep the dock narrow.
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_approve);
    actions->addWidget(m_reject);
    auto *paging = new QHBoxLayout;
    paging->addWidget(m_newer);
    paging->addStretch();
    paging->addWidget(m_pageLabel);
    paging->addStretch();
    paging->addWidget(m_older);
    auto *waitingLayout = new QVBoxLayout(waitingPage);
    waitingLayout->setContentsMargins(2, 2, 2, 2);
    waitingLayout->addWidget(m_waiting);
    waitingLayout->addLayout(actions);
    waitingLayout->addLayout(paging);
    m_tabs->addTab(waitingPage, tr("Waiting"));

    m_history = new QTreeWidget(m_tabs);
    m_history->setHeaderLabels({tr("Decided"), tr("By"), tr("Decision"), tr("Graph"), tr("Data"),
                                tr("Message"), tr("Run"), tr("Review")});
    m_history->setRootIsDecorated(false);
    m_history->setAccessibleName(tr("Decided reviews"));
    m_tabs->addTab(m_history, tr("History"));

    m_grantsPage = new QWidget(m_tabs);
    m_grants = new QTreeWidget(m_grantsPage);
    m_grants->setHeaderLabels(
        {tr("Graph"), tr("Allowed"), tr("State"), tr("By"), tr("Granted"), tr("Step")});
    m_grants->setRootIsDecorated(false);
    m_grants->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grants->setAccessibleName(tr("Grants"));
    m_revoke = new QPushButton(tr("Revoke"), m_grantsPage);
    m_revoke->setToolTip(tr("Revoke the selected grants: their nodes ask again"));
    m_revoke->setEnabled(false);
    m_allGrants = new QCheckBox(tr("Show expired and revoked"), m_grantsPage);
    auto *grantActions = new QHBoxLayout;
    grantActions->addWidget(m_revoke);
    grantActions->addStretch();
    grantActions->addWidget(m_allGrants);
    auto *grantsLayout = new QVBoxLayout(m_grantsPage);
    grantsLayout->setContentsMargins(2, 2, 2, 2);
    grantsLayout->addWidget(m_grants);
    grantsLayout->addLayout(grantActions);
    m_tabs->addTab(m_grantsPage, tr("Grants"));
    connect(m_allGrants, &QCheckBox::toggled, this, &ReviewInbox::grantsRequested);
    connect(m_grants, &QTreeWidget::itemSelectionChanged, this, [this] {
        bool any = false;
        for (QTreeWidgetItem *item : m_grants->selectedItems())
            any = any || item->data(0, Qt::UserRole + 1).toBool();
        m_revoke->setEnabled(any);
    });
    connect(m_revoke, &QPushButton::clicked, this, [this] {
        QStringList ids;
        for (QTreeWidgetItem *item : m_grants->selectedItems()) {
            if (item->data(0, Qt::UserRole + 1).toBool())
                ids.append(item->data(0, Qt::UserRole).toString());
        }
        if (!ids.isEmpty())
            Q_EMIT revokeRequested(ids);
    });

    m_auditPage = new QWidget(m_tabs);
    m_auditState = new QLabel(m_auditPage);
    m_auditState->setObjectName(QStringLiteral("auditState"));
    m_auditState->setWordWrap(true);
    m_auditState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *verify = new QPushButton(tr("Verify"), m_auditPage);
    verify->setToolTip(tr("Read the audit log again and check its hash chain"));
    m_audit = new QTreeWidget(m_auditPage);
    m_audit->setHeaderLabels({tr("#"), tr("When"), tr("By"), tr("What"), tr("Run"), tr("Review"),
                              tr("Details"), tr("Hash")});
    m_audit->setRootIsDecorated(false);
    m_audit->setAccessibleName(tr("Audit log"));
    auto *stateRow = new QHBoxLayout;
    stateRow->addWidget(m_auditState, 1);
    stateRow->addWidget(verify);
    auto *auditLayout = new QVBoxLayout(m_auditPage);
    auditLayout->setContentsMargins(2, 2, 2, 2);
    auditLayout->addLayout(stateRow);
    auditLayout->addWidget(m_audit);
    m_tabs->addTab(m_auditPage, tr("Audit"));
    connect(verify, &QPushButton::clicked, this, &ReviewInbox::auditRequested);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (auditShown())
            Q_EMIT auditRequested();
        if (grantsShown())
            Q_EMIT grantsRequested();
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_waiting, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT reviewActivated(item->data(0, Qt::UserRole).toString());
    });
    connect(m_waiting, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        Q_EMIT reviewActivated(item->data(0, Qt::UserRole).toString());
    });
    // A decided review opens as it was decided, with what the reviewer changed.
    connect(m_history, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT reviewActivated(item->data(0, Qt::UserRole).toString());
    });
    const auto updateButtons = [this] {
        const bool any = !m_waiting->selectedItems().isEmpty();
        m_approve->setEnabled(any);
        m_reject->setEnabled(any);
    };
    connect(m_waiting, &QTreeWidget::itemSelectionChanged, this, updateButtons);
    connect(m_approve, &QPushButton::clicked, this,
            [this] { Q_EMIT batchApproveRequested(selectedReviews()); });
    connect(m_reject, &QPushButton::clicked, this,
            [this] { Q_EMIT batchRejectRequested(selectedReviews()); });
    connect(m_newer, &QPushButton::clicked, this, [this] { Q_EMIT pageRequested(m_page - 1); });
    connect(m_older, &QPushButton::clicked, this, [this] { Q_EMIT pageRequested(m_page + 1); });
    setWaiting({}, 1, false);
}

bool ReviewInbox::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_waiting && event->type() == QEvent::ShortcutOverride
        && static_cast<QKeyEvent *>(event)->matches(QKeySequence::SelectAll)) {
        event->accept();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QStringList ReviewInbox::selectedReviews() const
{
    QStringList ids;
    for (int i = 0; i < m_waiting->topLevelItemCount(); ++i) {
        if (m_waiting->topLevelItem(i)->isSelected())
            ids.append(m_waiting->topLevelItem(i)->data(0, Qt::UserRole).toString());
    }
    return ids;
}

void ReviewInbox::setWaiting(const QList<Model::PendingReview> &reviews, int page, bool hasMore,
                             const QHash<QString, QString> &graphNames)
{
    const QStringList selected = selectedReviews();
    m_page = page;
    m_waiting->clear();
    for (const Model::PendingReview &review : reviews) {
        // A run's id ends in its random part; its start is a timestamp.
        // A quorum's state goes with what is asked.
        const QString asked = review.requiredApprovals > 1
            ? tr("%1 · %2 of %3 approvals")
                  .arg(review.instructions)
                  .arg(review.approvals.size())
                  .arg(review.requiredApprovals)
            : review.instructions;
        auto *item = new QTreeWidgetItem(m_waiting,
                                         {graphNames.value(review.graphId, review.graphId),
                                          QString(), when(review.createdAt),
                                          review.graphExecId.right(6), asked});
        item->setData(0, Qt::UserRole, review.nodeExecId);
        showPayload(item, 1, review.payload);
        item->setToolTip(2, dateTimeText(review.createdAt));
        item->setToolTip(3, review.graphExecId);
        item->setToolTip(4, review.approvals.isEmpty()
                                ? asked
                                : tr("%1\nApproved so far by %2")
                                      .arg(asked, review.approvals.join(QLatin1String(", "))));
        item->setSelected(selected.contains(review.nodeExecId));
    }
    m_waiting->resizeColumnToContents(0);
    m_waiting->setColumnWidth(1, qMax(m_waiting->columnWidth(1), 220));
    m_waiting->resizeColumnToContents(2);
    m_pageLabel->setText(tr("Page %1").arg(page));
    m_newer->setEnabled(page > 1);
    m_older->setEnabled(hasMore);
    m_approve->setEnabled(!m_waiting->selectedItems().isEmpty());
    m_reject->setEnabled(!m_waiting->selectedItems().isEmpty());
    m_tabs->setTabText(
        0, reviews.isEmpty() && page == 1 ? tr("Waiting") : tr("Waiting (%1)").arg(reviews.size()));
}

void ReviewInbox::setHistory(const QList<Model::PendingReview> &reviews,
                             const QHash<QString, QString> &graphNames)
{
    m_history->clear();
    for (const Model::PendingReview &review : reviews) {
        const bool approved = review.status == Model::ReviewStatus::Approved;
        const bool edited = review.wasEdited.value_or(false);
        auto *item = new QTreeWidgetItem(
            m_history,
            {dateTimeText(review.reviewedAt), review.reviewedBy,
             approved ? (edited ? tr("Approved, edited") : tr("Approved")) : tr("Rejected"),
             graphNames.value(review.graphId, review.graphId), QString(), review.reviewMessage,
             review.graphExecId.right(6), review.instructions});
        item->setData(0, Qt::UserRole, review.nodeExecId);
        showPayload(item, 4, review.payload);
        item->setToolTip(6, review.graphExecId);
    }
    for (int column : {0, 2, 3})
        m_history->resizeColumnToContents(column);
}

bool ReviewInbox::grantsShown() const
{
    return m_tabs->currentWidget() == m_grantsPage;
}

void ReviewInbox::showGrants()
{
    m_tabs->setCurrentWidget(m_grantsPage);
}

bool ReviewInbox::allGrantsShown() const
{
    return m_allGrants->isChecked();
}

void ReviewInbox::setGrants(const QList<Model::ReviewGrant> &grants,
                            const QHash<QString, QString> &graphNames, const QDateTime &now)
{
    QSet<QString> selected;
    for (QTreeWidgetItem *item : m_grants->selectedItems())
        selected.insert(item->data(0, Qt::UserRole).toString());
    m_grants->clear();
    int active = 0;
    for (const Model::ReviewGrant &grant : grants) {
        const bool live = grant.isActive(now);
        active += live ? 1 : 0;
        QString allowed = !grant.graphExecId.isEmpty()
            ? tr("the rest of run %1").arg(grant.graphExecId.right(6))
            : grant.expiresAt.isValid() ? tr("every run until %1").arg(when(grant.expiresAt))
                                        : tr("every run until revoked");
        if (!grant.payloadDigest.isEmpty())
            allowed += tr(", payload %1 only").arg(grant.payloadDigest.left(12));
        const QString state = grant.revokedAt.isValid()
            ? tr("Revoked by %1").arg(grant.revokedBy)
            : live ? tr("Active") : tr("Expired");
        auto *item = new QTreeWidgetItem(
            m_grants, {graphNames.value(grant.graphId, grant.graphId), allowed, state,
                       grant.grantedBy, when(grant.grantedAt),
                       grant.instructions.isEmpty() ? grant.nodeId : grant.instructions});
        item->setData(0, Qt::UserRole, grant.id);
        item->setData(0, Qt::UserRole + 1, live);
        item->setToolTip(1, grant.scopeText());
        if (grant.revokedAt.isValid())
            item->setToolTip(2, dateTimeText(grant.revokedAt));
        item->setToolTip(4, dateTimeText(grant.grantedAt));
        item->setToolTip(5, tr("Node %1\nGrant %2\nMade in review %3")
                                .arg(grant.nodeId, grant.id, grant.nodeExecId));
        if (!live) {
            for (int column = 0; column < m_grants->columnCount(); ++column)
                item->setForeground(column, palette().color(QPalette::PlaceholderText));
        }
        item->setSelected(selected.contains(grant.id));
    }
    for (int column : {0, 1, 2, 3, 4})
        m_grants->resizeColumnToContents(column);
    m_grants->setColumnWidth(1, qMin(m_grants->columnWidth(1), 360));
    m_tabs->setTabText(m_tabs->indexOf(m_grantsPage),
                       active ? tr("Grants (%1)").arg(active) : tr("Grants"));
}

bool ReviewInbox::auditShown() const
{
    return m_tabs->currentWidget() == m_auditPage;
}

void ReviewInbox::showAudit()
{
    m_tabs->setCurrentWidget(m_auditPage);
}

void ReviewInbox::setAudit(const QList<Engine::AuditEntry> &entries, qsizetype total,
                           const std::optional<Engine::AuditBreak> &broken)
{
    static const QHash<QString, QString> kWhat {
        {QStringLiteral("review_requested"), tr("Review asked")},
        {QStringLiteral("review_approved"), tr("Approved")},
        {QStringLiteral("review_approval_added"), tr("Approval counted")},
        {QStringLiteral("review_rejected"), tr("Rejected")},
        {QStringLiteral("review_timed_out"), tr("Timed out")},
        {QStringLiteral("review_cancelled"), tr("Cancelled by a stop")},
        {QStringLiteral("auto_approval_granted"), tr("Node allowed")},
        {QStringLiteral("grant_revoked"), tr("Grant revoked")},
        {QStringLiteral("auto_approved"), tr("Auto-approved")},
        {QStringLiteral("run_stopped"), tr("Run stopped")},
    };
    m_audit->clear();
    // Newest first: what a reviewer looks for is what just happened.
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        const Engine::AuditEntry &entry = *it;
        auto *item = new QTreeWidgetItem(
            m_audit, {QString::number(entry.seq), when(entry.at), entry.actor,
                      kWhat.value(entry.kind, entry.kind), entry.graphExecId.right(6),
                      entry.nodeExecId.right(6), QString(), entry.hash.left(12)});
        item->setData(0, Qt::UserRole, entry.seq);
        item->setToolTip(1, dateTimeText(entry.at));
        item->setToolTip(3, entry.kind);
        item->setToolTip(4, entry.graphExecId);
        item->setToolTip(5, entry.nodeExecId);
        item->setText(6, auditSummary(entry.detail));
        item->setToolTip(6, QString::fromUtf8(Model::toJson(entry.detail, Model::JsonStyle::Indented)));
        item->setToolTip(7, tr("SHA-256 %1\nafter %2")
                                .arg(entry.hash,
                                     entry.previousHash.isEmpty() ? tr("nothing: the first entry")
                                                                  : entry.previousHash));
        if (broken && entry.seq >= broken->seq) {
            for (int column = 0; column < m_audit->columnCount(); ++column)
                item->setForeground(column, palette().color(QPalette::PlaceholderText));
        }
    }
    for (int column : {0, 1, 2, 3})
        m_audit->resizeColumnToContents(column);
    m_audit->setColumnWidth(6, qMax(m_audit->columnWidth(6), 220));
    if (broken) {
        m_auditState->setText(tr("<b>The audit log was tampered with</b>: %1. Entries from %2 on "
                                 "cannot be trusted.")
                                  .arg(broken->problem.toHtmlEscaped())
                                  .arg(broken->seq));
        m_auditState->setStyleSheet(QStringLiteral("color: palette(highlighted-text);"
                                                   " background: #b3261e; padding: 4px;"));
    } else {
        m_auditState->setText(
            entries.size() < total
                ? tr("Hash chain intact: %1 entries, the newest %2 shown.")
                      .arg(total)
                      .arg(entries.size())
                : total == 1 ? tr("Hash chain intact: 1 entry.")
                             : tr("Hash chain intact: %1 entries.").arg(total));
        m_auditState->setStyleSheet(QString());
    }
}

} // namespace Signalbox::Ui
