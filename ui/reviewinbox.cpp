// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewinbox.h"

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

// The time of day within the last day, the date and time before.
QString when(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    if (time.secsTo(QDateTime::currentDateTimeUtc()) < 24 * 3600)
        return QLocale().toString(local.time(), QLocale::ShortFormat);
    return QLocale().toString(local, QLocale::ShortFormat);
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
    m_waiting->setHeaderLabels({tr("Graph"), tr("Review"), tr("Asked"), tr("Run")});
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
    m_history->setHeaderLabels(
        {tr("Decided"), tr("By"), tr("Decision"), tr("Edited"), tr("Message"), tr("Review")});
    m_history->setRootIsDecorated(false);
    m_history->setAccessibleName(tr("Decided reviews"));
    m_tabs->addTab(m_history, tr("History"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_waiting, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT reviewActivated(item->data(0, Qt::UserRole).toString());
    });
    connect(m_waiting, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
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
        auto *item = new QTreeWidgetItem(m_waiting,
                                         {graphNames.value(review.graphId, review.graphId),
                                          review.instructions, when(review.createdAt),
                                          review.graphExecId.right(6)});
        item->setData(0, Qt::UserRole, review.nodeExecId);
        item->setToolTip(1, review.instructions);
        item->setToolTip(3, review.graphExecId);
        item->setSelected(selected.contains(review.nodeExecId));
    }
    m_waiting->resizeColumnToContents(0);
    m_waiting->resizeColumnToContents(2);
    m_pageLabel->setText(tr("Page %1").arg(page));
    m_newer->setEnabled(page > 1);
    m_older->setEnabled(hasMore);
    m_approve->setEnabled(!m_waiting->selectedItems().isEmpty());
    m_reject->setEnabled(!m_waiting->selectedItems().isEmpty());
    m_tabs->setTabText(
        0, reviews.isEmpty() && page == 1 ? tr("Waiting") : tr("Waiting (%1)").arg(reviews.size()));
}

void ReviewInbox::setHistory(const QList<Model::PendingReview> &reviews)
{
    m_history->clear();
    for (const Model::PendingReview &review : reviews) {
        auto *item = new QTreeWidgetItem(
            m_history,
            {when(review.reviewedAt), review.reviewedBy,
             review.status == Model::ReviewStatus::Approved ? tr("Approved") : tr("Rejected"),
             review.wasEdited.value_or(false) ? tr("edited") : QString(), review.reviewMessage,
             review.instructions});
        item->setData(0, Qt::UserRole, review.nodeExecId);
    }
    m_history->resizeColumnToContents(0);
}

} // namespace Signalbox::Ui
