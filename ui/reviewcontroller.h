// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "coalescedread.h"

#include "engine/service/servicethread.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

class QLabel;
class QSystemTrayIcon;
class QWidget;

namespace Signalbox::Ui {

class ReviewDialog;
class ReviewInbox;

// The desktop's reviews: the inbox and its badge, kept current from the
// service's change feed (reviews of any process on the database), the
// review dialog, and decisions one at a time or in batches. Decisions and
// the resume that follows are the service's; this adapts them.
class ReviewController : public QObject
{
    Q_OBJECT

public:
    ReviewController(std::shared_ptr<const Engine::BlockRegistry> registry, ReviewInbox *inbox,
                     QLabel *badge, QSystemTrayIcon *tray, QWidget *window);

    void setService(Engine::ServiceThread *service);

    // Reads the inbox's page again (coalesced while a read is going).
    void refresh();
    // Opens the review's dialog, or brings it forward.
    void open(const QString &nodeExecId);
    // Decides several reviews the same way; problems come as failed().
    void decide(const QStringList &nodeExecIds, const Model::ReviewDecision &decision);
    // How many reviews waited when the inbox was last read ("25+": more).
    QString waitingCount() const { return m_waitingCount; }

Q_SIGNALS:
    void reviewRecorded(const QString &nodeExecId);
    void reviewsArrived(int count);
    void refreshed();
    void failed(const QString &title, const QString &text);
    void statusMessage(const QString &text);
    void logged(const QString &text);

private:
    void decideOne(ReviewDialog *dialog, const QString &nodeExecId,
                   const Model::ReviewDecision &decision);
    void confirmBatchApproval(const QStringList &nodeExecIds);
    void askBatchRejection(const QStringList &nodeExecIds);
    void read();
    // The audit log's newest entries and its check, for the Audit tab.
    void readAudit();
    // The grants for the Grants tab, and revoking them.
    void readGrants();
    void revoke(const QStringList &grantIds);
    void showInbox(const Engine::InboxPage &inbox, int page);

    std::shared_ptr<const Engine::BlockRegistry> m_registry;
    ReviewInbox *m_inbox;
    QLabel *m_badge;
    QSystemTrayIcon *m_tray;
    QWidget *m_window;
    QPointer<Engine::ServiceThread> m_service;
    QList<QMetaObject::Connection> m_connections;
    QSet<QString> m_seen;
    bool m_primed = false;
    QString m_waitingCount;
    CoalescedRead m_read;
    // Edits of review payloads not sent yet, by node execution id.
    QHash<QString, QString> m_drafts;
};

} // namespace Signalbox::Ui
