// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/store/auditlog.h"
#include "model/review.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTreeWidget;

namespace Signalbox::Ui {

// The review inbox: every waiting review across runs, newest first, a page
// at a time, with batch approve and reject of the selected ones; and a
// history of decided reviews (who, when, decision, edited or not, message);
// the grants that let nodes run without asking, with Revoke; and the audit
// log, newest first, with whether its hash chain is intact.
// It shows what it is given; its owner reads the store and decides.
class ReviewInbox : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kPageSize = 25;

    explicit ReviewInbox(QWidget *parent = nullptr);

    // One page of waiting reviews; `hasMore` enables "Older".
    // `graphNames` names the graphs by id.
    void setWaiting(const QList<Model::PendingReview> &reviews, int page, bool hasMore,
                    const QHash<QString, QString> &graphNames = {});
    // Decided reviews, newest first: when (date and time), who, the
    // decision, the graph, the data, the message and the run.
    void setHistory(const QList<Model::PendingReview> &reviews,
                    const QHash<QString, QString> &graphNames = {});
    // The newest audit entries (oldest first, as read), how many the log
    // holds, and where its chain breaks, if it does.
    void setAudit(const QList<Engine::AuditEntry> &entries, qsizetype total,
                  const std::optional<Engine::AuditBreak> &broken);
    // Grants, newest first: node, graph, scope, who made it and when, and
    // whether it is active, expired or revoked.
    void setGrants(const QList<Model::ReviewGrant> &grants,
                   const QHash<QString, QString> &graphNames, const QDateTime &now);
    bool grantsShown() const;
    void showGrants();
    // Whether expired and revoked grants are listed too.
    bool allGrantsShown() const;
    QTreeWidget *grantList() const { return m_grants; }
    QPushButton *revokeButton() const { return m_revoke; }
    QCheckBox *allGrantsBox() const { return m_allGrants; }
    // Whether the Audit tab is the one shown.
    bool auditShown() const;
    void showAudit();
    int page() const { return m_page; }
    QTreeWidget *auditList() const { return m_audit; }
    QLabel *auditState() const { return m_auditState; }
    QTreeWidget *waitingList() const { return m_waiting; }
    QTreeWidget *historyList() const { return m_history; }
    QPushButton *approveButton() const { return m_approve; }
    QPushButton *rejectButton() const { return m_reject; }
    QStringList selectedReviews() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    void reviewActivated(const QString &nodeExecId);
    void batchApproveRequested(const QStringList &nodeExecIds);
    void batchRejectRequested(const QStringList &nodeExecIds);
    void pageRequested(int page);
    // The Audit tab was shown, or Verify pressed: the log should be read.
    void auditRequested();
    // The Grants tab was shown, or what it lists changed: read them.
    void grantsRequested();
    void revokeRequested(const QStringList &grantIds);

private:
    QTabWidget *m_tabs;
    QTreeWidget *m_waiting;
    QTreeWidget *m_history;
    QWidget *m_grantsPage;
    QTreeWidget *m_grants;
    QPushButton *m_revoke;
    QCheckBox *m_allGrants;
    QWidget *m_auditPage;
    QTreeWidget *m_audit;
    QLabel *m_auditState;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QPushButton *m_newer;
    QPushButton *m_older;
    QLabel *m_pageLabel;
    int m_page = 1;
};

} // namespace Signalbox::Ui
