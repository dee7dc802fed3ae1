// SPDX-License-Identifier: GPL-3.0-or-later
// The HumanReview dialog on real paused runs: a real `signalbox run` pauses
// the bundled example at its review step, the dialog decides it, and the run
// completes in the window's process. A second process deciding first is
// shown as such.
#include "../llmtestserver.h"
#include "../pgserver.h"
#include "engine/blocks/blockregistry.h"
#include "engine/llm/llmcatalog.h"
#include "engine/store/database.h"
#include "engine/store/reviewrepository.h"
#include "model/graphjson.h"
#include "ui/executionspanel.h"
#include "ui/graphdocument.h"
#include "ui/grapheditor.h"
#include "ui/graphlayouter.h"
#include "ui/graphscene.h"
#include "ui/graphview.h"
#include "ui/linkitem.h"
#include "ui/mainwindow.h"
#include "ui/nodeitem.h"
#include "ui/propertypanel.h"
#include "ui/reviewdialog.h"
#include "ui/reviewinbox.h"
#include "ui/rundetails.h"
#include "ui/rundialog.h"
#include "ui/statuspalette.h"
#include "ui/toast.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QProcess>
#include <QPushButton>
#include <QPointer>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTreeWidget>
#include <QTableWidget>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeWidget>

#include "clirunner.h"
#include "examplegraph.h"
#include "testsupport.h"

using namespace Signalbox;
using namespace Signalbox::Ui;

namespace {

const QString kExample = Testing::kExampleGraph;

QJsonObject runCli(const QStringList &arguments, int *exitCode = nullptr)
{
    QProcess process;
    process.start(QStringLiteral(SIGNALBOX_BINARY), arguments);
    process.waitForFinished(30000);
    if (exitCode)
        *exitCode = process.exitCode();
    return QJsonDocument::fromJson(process.readAllStandardOutput()).object();
}

} // namespace

class tst_ReviewDialog : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const Engine::BlockRegistry> m_registry;
    std::unique_ptr<GraphLayouter> m_layouter;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    QString m_db;

    // Runs `graph` with a real process until it pauses; returns the execution
    // and its waiting review.
    std::pair<QString, QString> pausedRun(const QString &graph = kExample)
    {
        int exitCode = -1;
        const QJsonObject run = runCli({QStringLiteral("run"), graph, QStringLiteral("--input"),
                                        QStringLiteral("name=Ada"), QStringLiteral("--db"), m_db,
                                        QStringLiteral("--json")},
                                       &exitCode);
        if (exitCode != 3)
            return {};
        const QString execution = run.value(QLatin1String("execution_id")).toString();
        const QJsonObject reviews = runCli(
            {QStringLiteral("reviews"), QStringLiteral("list"), QStringLiteral("--execution"),
             execution, QStringLiteral("--db"), m_db, QStringLiteral("--json")});
        return {execution,
                reviews.value(QLatin1String("reviews"))
                    .toArray()
                    .first()
                    .toObject()
                    .value(QLatin1String("node_exec_id"))
                    .toString()};
    }

    QJsonObject execution(const QString &id)
    {
        return runCli({QStringLiteral("executions"), QStringLiteral("show"), id,
                       QStringLiteral("--db"), m_db, QStringLiteral("--json")});
    }

    Model::PendingReview storedReview(const QString &nodeExecId)
    {
        auto db = Engine::Database::open(m_db);
        Engine::ReviewRepository reviews(**db);
        auto found = reviews.reviewsByNodeExecIds({nodeExecId}, QString(Model::kDefaultUserId));
        return found ? found->value(nodeExecId) : Model::PendingReview();
    }

    // Opens the review's dialog, which appears once the window has read the
    // review through its service.
    ReviewDialog *openDialog(const QString &nodeExecId)
    {
        m_window->openReview(nodeExecId);
        ReviewDialog *dialog = nullptr;
        (void)QTest::qWaitFor(
            [&] {
                dialog = m_window->findChild<ReviewDialog *>(QStringLiteral("reviewDialog"));
                return dialog != nullptr;
            },
            5000);
        return dialog;
    }

    // Reads the inbox again and waits until it shows the store.
    void refreshInbox()
    {
        QSignalSpy refreshed(m_window.get(), &MainWindow::inboxRefreshed);
        m_window->refreshInbox();
        QVERIFY(refreshed.wait(5000));
    }

    void refreshExecutions()
    {
        QSignalSpy refreshed(m_window.get(), &MainWindow::executionsRefreshed);
        m_window->refreshExecutions();
        QVERIFY(refreshed.wait(5000));
    }

    // The run the window started, once the service has started it.
    QString startedRun(const Model::ValueMap &inputs)
    {
        const QString before = m_window->watchedRun();
        if (!m_window->startRun(inputs, true, false).ok())
            return {};
        (void)QTest::qWaitFor(
            [&] { return !m_window->watchedRun().isEmpty() && m_window->watchedRun() != before; },
            5000);
        return m_window->watchedRun();
    }

    void clickMode(ReviewDialog *dialog, const QString &name)
    {
        for (QToolButton *button : dialog->findChildren<QToolButton *>()) {
            if (button->accessibleName() == name)
                QTest::mouseClick(button, Qt::LeftButton);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        qputenv("XDG_CONFIG_HOME", m_dir->filePath(QStringLiteral("config")).toUtf8());
        // The default database of both faces, for this process and the
        // command lines it starts.
        qputenv("XDG_DATA_HOME", m_dir->filePath(QStringLiteral("data")).toUtf8());
        auto registry = Engine::BlockRegistry::builtin();
        QVERIFY(registry.ok());
        m_registry = *registry;
        m_layouter = createDefaultLayouter();
    }

    void init()
    {
        static int count = 0;
        m_db = m_dir->filePath(QStringLiteral("store-%1.db").arg(++count));
        MainWindowContext context;
        context.registry = m_registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = m_db;
        context.settings.reviewerName = QStringLiteral("Rita Reviewer");
        m_window = std::make_unique<MainWindow>(context);
        m_window->show();
    }

    void cleanup() { m_window.reset(); }

    void approveWithAnEditByCtrlEnter()
    {
        const auto [run, review] = pausedRun();
        QVERIFY(!review.isEmpty());
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        // What is shown carries the short form of the digest the decision is bound to.
        const QString digest = Model::payloadDigest(dialog->review().payload);
        bool named = false;
        for (QLabel *label : dialog->findChildren<QLabel *>())
            named = named || label->text().contains(QStringLiteral("SHA-256 %1").arg(digest.left(12)));
        QVERIFY(named);
        QTRY_VERIFY(dialog->isVisible());
        // Asked again (a double-click in the inbox activates twice): one dialog.
        refreshInbox();
        QTreeWidget *waiting = m_window->inbox()->waitingList();
        QCOMPARE(waiting->topLevelItemCount(), 1);
        QTest::mouseDClick(waiting->viewport(), Qt::LeftButton, {},
                           waiting->visualItemRect(waiting->topLevelItem(0)).center());
        m_window->openReview(review);
        QCOMPARE(m_window->findChildren<ReviewDialog *>().size(), 1);
        QCOMPARE(dialog->mode(), ReviewDialog::Mode::View);
        // A string payload shows as text.
        auto *text = qobject_cast<QTextBrowser *>(dialog->payloadView());
        QVERIFY(text);
        QCOMPARE(text->toPlainText(), QStringLiteral("Hello, Ada! Welcome aboard."));
        clickMode(dialog, QStringLiteral("Edit"));
        QCOMPARE(dialog->mode(), ReviewDialog::Mode::Edit);
        dialog->editor()->selectAll();
        QTest::keyClicks(dialog->editor(), QStringLiteral("Hello, Ada! Glad you came."));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(dialog->editor(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.last().first().toString(), run);
        const Model::PendingReview stored = storedReview(review);
        QCOMPARE(stored.status, Model::ReviewStatus::Approved);
        QCOMPARE(stored.wasEdited, std::optional<bool>(true));
        // Recorded under the name from Settings, as the command line records it.
        QCOMPARE(stored.reviewedBy, QStringLiteral("Rita Reviewer"));
        const QJsonObject shown = execution(run);
        QCOMPARE(shown.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(shown.value(QLatin1String("outputs")).toObject().value(QLatin1String("greeting")),
                 QJsonValue(QJsonArray {QStringLiteral("Hello, Ada! Glad you came.")}));
    }

    void rejectNeedsAReason()
    {
        const auto [run, review] = pausedRun();
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        auto *reject = dialog->findChild<QPushButton *>();
        for (QPushButton *button : dialog->findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("&Reject"))
                reject = button;
        }
        QTest::mouseClick(reject, Qt::LeftButton);
        QCOMPARE(dialog->mode(), ReviewDialog::Mode::Reject);
        QTest::mouseClick(reject, Qt::LeftButton);
        QVERIFY(dialog->problemLabel()->isVisibleTo(dialog));
        QVERIFY(dialog->problemLabel()->text().contains(QStringLiteral("reason is required")));
        QCOMPARE(storedReview(review).status, Model::ReviewStatus::Waiting);
        // Whitespace is no reason either.
        QTest::keyClicks(dialog->reasonField(), QStringLiteral("   "));
        QTest::keyClick(dialog->reasonField(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(storedReview(review).status, Model::ReviewStatus::Waiting);
        QTest::keyClicks(dialog->reasonField(), QStringLiteral("Too casual"));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(dialog->reasonField(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(15000));
        const Model::PendingReview stored = storedReview(review);
        QCOMPARE(stored.status, Model::ReviewStatus::Rejected);
        QCOMPARE(stored.reviewMessage, QStringLiteral("Too casual"));
        const QJsonObject outputs = execution(run).value(QLatin1String("outputs")).toObject();
        QCOMPARE(outputs.value(QLatin1String("rejected")),
                 QJsonValue(QJsonArray {QStringLiteral("Hello, Ada! Welcome aboard.")}));
    }

    void aDecisionMadeElsewhereFirstIsShown()
    {
        const auto [run, review] = pausedRun();
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        // A second process rejects it while the dialog is open.
        int exitCode = -1;
        runCli({QStringLiteral("reviews"), QStringLiteral("decide"), review,
                QStringLiteral("--reject"), QStringLiteral("--message"),
                QStringLiteral("Not today"), QStringLiteral("--db"), m_db},
               &exitCode);
        QCOMPARE(exitCode, 0);
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        auto *banner = dialog->findChild<QLabel *>();
        for (QLabel *label : dialog->findChildren<QLabel *>()) {
            if (label->accessibleName() == QStringLiteral("Decided elsewhere"))
                banner = label;
        }
        QTRY_VERIFY(banner->isVisibleTo(dialog));
        QVERIFY(dialog->isVisible());
        QVERIFY2(banner->text().startsWith(QStringLiteral("Already rejected")),
                 qPrintable(banner->text()));
        QVERIFY(banner->text().contains(QStringLiteral("Not today")));
        // Never overwritten.
        const Model::PendingReview stored = storedReview(review);
        QCOMPARE(stored.status, Model::ReviewStatus::Rejected);
        QCOMPARE(stored.reviewMessage, QStringLiteral("Not today"));
    }

    void theEditDraftSurvivesClosing()
    {
        const auto [run, review] = pausedRun();
        ReviewDialog *dialog = openDialog(review);
        clickMode(dialog, QStringLiteral("Edit"));
        dialog->editor()->selectAll();
        QTest::keyClicks(dialog->editor(), QStringLiteral("Half-written"));
        dialog->close();
        QTRY_VERIFY(!m_window->findChild<ReviewDialog *>(QStringLiteral("reviewDialog")));
        dialog = openDialog(review);
        QVERIFY(dialog);
        QCOMPARE(dialog->mode(), ReviewDialog::Mode::Edit);
        QCOMPARE(dialog->editor()->toPlainText(), QStringLiteral("Half-written"));
        QCOMPARE(storedReview(review).status, Model::ReviewStatus::Waiting);
    }

    void aDeadlineShowsACountdown_data()
    {
        QTest::addColumn<int>("timeout");
        QTest::addColumn<bool>("pulsing");
        QTest::newRow("an hour") << 3600 << false;
        QTest::newRow("two minutes") << 120 << true;
    }

    void aDeadlineShowsACountdown()
    {
        QFETCH(int, timeout);
        QFETCH(bool, pulsing);
        // The example with a timeout on its review step.
        const QString path = Testing::writeExampleWithTimeout(
            m_dir->path(), QString::number(timeout), timeout, false);
        QVERIFY(!path.isEmpty());
        const auto [run, review] = pausedRun(path);
        QVERIFY(!review.isEmpty());
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        QVERIFY(dialog->countdownLabel()->isVisibleTo(dialog));
        QVERIFY2(dialog->countdownLabel()->text().startsWith(QStringLiteral("Decides itself in ")),
                 qPrintable(dialog->countdownLabel()->text()));
        QVERIFY(dialog->countdownLabel()->text().endsWith(QStringLiteral("then it is rejected")));
        QCOMPARE(dialog->isPulsing(), pulsing);
        // It counts down.
        const QString before = dialog->countdownLabel()->text();
        QTRY_VERIFY_WITH_TIMEOUT(dialog->countdownLabel()->text() != before, 3000);
    }

    void inboxBatchApprovesWithACountConfirmation()
    {
        refreshInbox();
        QSignalSpy arrived(m_window.get(), &MainWindow::reviewsArrived);
        const auto [first, firstReview] = pausedRun();
        const auto [second, secondReview] = pausedRun();
        // Both arrive without asking (the change feed), together or one by one.
        int count = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                count = 0;
                for (const QList<QVariant> &signal : std::as_const(arrived))
                    count += signal.first().toInt();
                return count == 2;
            }(),
            3000);
        refreshInbox();
        QTreeWidget *waiting = m_window->inbox()->waitingList();
        QCOMPARE(waiting->topLevelItemCount(), 2);
        // Newest first, each with its graph's name and what it asks about.
        QCOMPARE(waiting->topLevelItem(0)->data(0, Qt::UserRole).toString(), secondReview);
        QCOMPARE(waiting->headerItem()->text(1), QStringLiteral("Data"));
        for (int row = 0; row < 2; ++row) {
            const QTreeWidgetItem *item = waiting->topLevelItem(row);
            QCOMPARE(item->text(0), QStringLiteral("Review a greeting"));
            QVERIFY2(item->text(1).contains(QStringLiteral("Ada")), qPrintable(item->text(1)));
        }
        auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("inboxDock"));
        QCOMPARE(dock->windowTitle(), QStringLiteral("Review Inbox (2)"));
        QVERIFY(m_window->statusBar()->findChild<QLabel *>());

        waiting->setFocus();
        QTest::keyClick(waiting, Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(m_window->inbox()->selectedReviews().size(), 2);
        QTest::mouseClick(m_window->inbox()->approveButton(), Qt::LeftButton);
        auto *confirm = m_window->findChild<QMessageBox *>(QStringLiteral("batchConfirm"));
        QVERIFY(confirm);
        QCOMPARE(confirm->text(), QStringLiteral("Approve 2 review(s)?"));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        confirm->button(QMessageBox::Yes)->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 15000);
        for (const QString &run : {first, second}) {
            QCOMPARE(execution(run).value(QLatin1String("status")).toString(),
                     QStringLiteral("COMPLETED"));
        }
        QCOMPARE(waiting->topLevelItemCount(), 0);
        QTreeWidget *history = m_window->inbox()->historyList();
        QCOMPARE(history->topLevelItemCount(), 2);
        QCOMPARE(history->topLevelItem(0)->text(2), QStringLiteral("Approved"));
        QVERIFY(!history->topLevelItem(0)->text(1).isEmpty());
        // Dated, with the graph, the data and the run decided.
        const QString today = QLocale().toString(QDate::currentDate(), QLocale::ShortFormat);
        QVERIFY2(history->topLevelItem(0)->text(0).startsWith(today),
                 qPrintable(history->topLevelItem(0)->text(0)));
        QCOMPARE(history->topLevelItem(0)->text(3), QStringLiteral("Review a greeting"));
        QVERIFY(history->topLevelItem(0)->text(4).contains(QStringLiteral("Ada")));
        QStringList runs {history->topLevelItem(0)->toolTip(6), history->topLevelItem(1)->toolTip(6)};
        runs.sort();
        QStringList expected {first, second};
        expected.sort();
        QCOMPARE(runs, expected);
        QCOMPARE(dock->windowTitle(), QStringLiteral("Review Inbox"));
    }

    void approveAndAllowMakesAGrantTheGrantsTabRevokes()
    {
        const auto [run, review] = pausedRun();
        QVERIFY(!review.isEmpty());
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        // The grant's choices: this run, a while, or until revoked; and the payload.
        QComboBox *scope = dialog->grantScopeBox();
        QCOMPARE(scope->count(), 5);
        QCOMPARE(scope->currentText(), QStringLiteral("for the rest of this run"));
        scope->setCurrentIndex(2);
        QCOMPARE(scope->currentText(), QStringLiteral("in every run of this graph for 8 hours"));
        dialog->grantPayloadBox()->setChecked(true);
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::mouseClick(dialog->approveAndAllowButton(), Qt::LeftButton);
        QVERIFY(finished.wait(15000));

        ReviewInbox *inbox = m_window->inbox();
        QTreeWidget *grants = inbox->grantList();
        inbox->showGrants();
        QTRY_COMPARE_WITH_TIMEOUT(grants->topLevelItemCount(), 1, 5000);
        QTreeWidgetItem *row = grants->topLevelItem(0);
        QCOMPARE(row->text(3), QStringLiteral("Rita Reviewer"));
        QCOMPARE(row->text(5), QStringLiteral("Review required for Greeting execution"));
        QVERIFY2(row->text(1).startsWith(QLatin1String("every run until"))
                     && row->text(1).contains(
                         QStringLiteral("payload %1 only")
                             .arg(Model::payloadDigest(storedReview(review).payload).left(12))),
                 qPrintable(row->text(1)));
        QCOMPARE(row->text(2), QStringLiteral("Active"));

        // The next run with the same payload goes through without asking.
        int exitCode = -1;
        runCli({QStringLiteral("run"), kExample, QStringLiteral("--input"),
                QStringLiteral("name=Ada"), QStringLiteral("--db"), m_db, QStringLiteral("--json")},
               &exitCode);
        QCOMPARE(exitCode, 0);
        // Another payload asks.
        runCli({QStringLiteral("run"), kExample, QStringLiteral("--input"),
                QStringLiteral("name=Bo"), QStringLiteral("--db"), m_db, QStringLiteral("--json")},
               &exitCode);
        QCOMPARE(exitCode, 3);

        // Revoked from the tab (shown, greyed, with expired and revoked ones).
        inbox->allGrantsBox()->setChecked(true);
        QVERIFY(!inbox->revokeButton()->isEnabled());
        grants->setCurrentItem(grants->topLevelItem(0));
        grants->topLevelItem(0)->setSelected(true);
        QVERIFY(inbox->revokeButton()->isEnabled());
        QTest::mouseClick(inbox->revokeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(grants->topLevelItem(0)->text(2),
                                  QStringLiteral("Revoked by Rita Reviewer"), 5000);
        QVERIFY(!inbox->revokeButton()->isEnabled());
        QVERIFY(!pausedRun().second.isEmpty());
    }

    void aQuorumShowsItsApprovalsAndTheStarterCannotApprove()
    {
        const QString graph = Testing::writeQuorumExample(m_dir->path());
        QVERIFY(!graph.isEmpty());
        // Command lines as other people: sam starts runs, ann approves.
        const auto as = [&](const QString &name, const QStringList &arguments) {
            QProcess process;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(QStringLiteral("USER"), name);
            environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("nobody")));
            process.setProcessEnvironment(environment);
            process.start(QStringLiteral(SIGNALBOX_BINARY),
                          arguments + QStringList {QStringLiteral("--db"), m_db});
            process.waitForFinished(30000);
            return process.exitCode();
        };
        const auto waiting = [&] {
            return runCli({QStringLiteral("reviews"), QStringLiteral("list"), QStringLiteral("--db"),
                           m_db, QStringLiteral("--json")})
                .value(QLatin1String("reviews"))
                .toArray();
        };
        QCOMPARE(as(QStringLiteral("sam"), {QStringLiteral("run"), graph, QStringLiteral("--input"),
                                            QStringLiteral("name=Ada")}),
                 3);
        const QString review = waiting().first().toObject().value(QLatin1String("node_exec_id")).toString();
        QCOMPARE(as(QStringLiteral("ann"), {QStringLiteral("reviews"), QStringLiteral("decide"),
                                            review, QStringLiteral("--approve")}),
                 3);

        // The desktop's reviewer sees one approval of two, and completes it.
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        QVERIFY(dialog->quorumLabel()->isVisible());
        QVERIFY2(dialog->quorumLabel()->text().contains(QLatin1String("1 of 2 approvals"))
                     && dialog->quorumLabel()->text().contains(QLatin1String("so far: ann"))
                     && dialog->quorumLabel()->text().contains(QLatin1String("Your approval completes it"))
                     && dialog->quorumLabel()->text().contains(
                         QLatin1String("sam started this run and may not approve it")),
                 qPrintable(dialog->quorumLabel()->text()));
        QVERIFY(dialog->approveButton()->isEnabled());
        QVERIFY(!dialog->approveAndAllowButton()->isEnabled());
        QVERIFY(!dialog->grantScopeBox()->isEnabled());
        refreshInbox();
        QVERIFY2(m_window->inbox()->waitingList()->topLevelItem(0)->text(4).endsWith(
                     QLatin1String("1 of 2 approvals")),
                 qPrintable(m_window->inbox()->waitingList()->topLevelItem(0)->text(4)));
        QSignalSpy recorded(m_window.get(), &MainWindow::reviewRecorded);
        QPointer<ReviewDialog> first(dialog);
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(recorded.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(first.isNull(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(storedReview(review).status, Model::ReviewStatus::Approved, 10000);
        // Named in the order they approved.
        QCOMPARE(storedReview(review).reviewedBy, QStringLiteral("ann, Rita Reviewer"));

        // A run the desktop's reviewer started: they may reject it, not approve it.
        QCOMPARE(as(QStringLiteral("Rita Reviewer"), {QStringLiteral("run"), graph,
                                                      QStringLiteral("--input"),
                                                      QStringLiteral("name=Bo")}),
                 3);
        const QString own = waiting().first().toObject().value(QLatin1String("node_exec_id")).toString();
        dialog = openDialog(own);
        QVERIFY(dialog);
        QVERIFY2(dialog->quorumLabel()->text().contains(QLatin1String("You started this run")),
                 qPrintable(dialog->quorumLabel()->text()));
        QVERIFY(!dialog->approveButton()->isEnabled());
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        QTest::qWait(300);
        QCOMPARE(storedReview(own).status, Model::ReviewStatus::Waiting);
        QVERIFY(storedReview(own).approvals.isEmpty());
        QPointer<ReviewDialog> refused(dialog);
        dialog->close();
        QTRY_VERIFY_WITH_TIMEOUT(refused.isNull(), 5000);

        // A batch approval from the inbox counts one approval, and the log
        // says the review still waits rather than that it was approved.
        QCOMPARE(as(QStringLiteral("sam"), {QStringLiteral("run"), graph, QStringLiteral("--input"),
                                            QStringLiteral("name=Cy")}),
                 3);
        refreshInbox();
        QTreeWidget *list = m_window->inbox()->waitingList();
        QString batch;
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            const QString id = list->topLevelItem(i)->data(0, Qt::UserRole).toString();
            if (id != own) {
                batch = id;
                list->topLevelItem(i)->setSelected(true);
            }
        }
        QVERIFY(!batch.isEmpty());
        QPlainTextEdit *logView = nullptr;
        for (QPlainTextEdit *edit : m_window->findChildren<QPlainTextEdit *>()) {
            if (edit->accessibleName() == QLatin1String("Log"))
                logView = edit;
        }
        QVERIFY(logView);
        QTest::mouseClick(m_window->inbox()->approveButton(), Qt::LeftButton);
        auto *confirm = m_window->findChild<QMessageBox *>(QStringLiteral("batchConfirm"));
        QVERIFY(confirm);
        confirm->button(QMessageBox::Yes)->click();
        QTRY_COMPARE_WITH_TIMEOUT(storedReview(batch).approvals,
                                  QStringList {QStringLiteral("Rita Reviewer")}, 5000);
        QCOMPARE(storedReview(batch).status, Model::ReviewStatus::Waiting);
        QTRY_VERIFY_WITH_TIMEOUT(
            logView->toPlainText().contains(QLatin1String("counted your approval and wait")), 5000);
        QVERIFY2(!logView->toPlainText().contains(
                     QRegularExpression(QStringLiteral("review\\(s\\) of run \\S+ APPROVED"))),
                 qPrintable(logView->toPlainText()));
    }

    void aSensitiveActionShowsWhatTheBlockReceivesAndEditsShowAsADiff()
    {
        // No built-in block is a sensitive action: a transfer with a secret
        // token and a defaulted currency is added to the window's blocks.
        const QByteArray schema = Testing::json(
            "{'id': '5e0517e0-0000-4000-8000-000000000002', 'name': 'TestTransferBlock',"
            " 'description': 'Transfers.', 'categories': ['OUTPUT'], 'block_type': 'Standard',"
            " 'static_output': false, 'is_sensitive_action': true, 'inputs': ["
            "{'name': 'recipient', 'type': 'string', 'required': true},"
            " {'name': 'amount', 'type': 'integer', 'required': true},"
            " {'name': 'currency', 'type': 'string', 'default': 'EUR'},"
            " {'name': 'api_token', 'type': 'string', 'secret': true}],"
            " 'outputs': [{'name': 'receipt', 'type': 'string'}]}");
        QFile builtin(QStringLiteral(":/signalbox/blocks/builtin_blocks.json"));
        QVERIFY(builtin.open(QIODevice::ReadOnly));
        QJsonArray blocks = QJsonDocument::fromJson(builtin.readAll()).array();
        blocks.append(QJsonDocument::fromJson(schema).object());
        auto catalog = Model::BlockCatalog::fromJson(QJsonDocument(blocks).toJson(),
                                                     QStringLiteral("test catalogue"));
        QVERIFY(catalog.ok());
        auto registry = Engine::BlockRegistry::withBuiltinBlocks(
            std::move(*catalog),
            {{QStringLiteral("5e0517e0-0000-4000-8000-000000000002"),
              [](const Model::ValueMap &input, Engine::BlockContext &context) -> Result<void> {
                  context.yield(QStringLiteral("receipt"),
                                QStringLiteral("sent %1 %2 to %3")
                                    .arg(input.value(QLatin1String("amount")).toInteger())
                                    .arg(input.value(QLatin1String("currency")).toString(),
                                         input.value(QLatin1String("recipient")).toString()));
                  return {};
              }}});
        QVERIFY(registry.ok());
        m_window.reset();
        MainWindowContext context;
        context.registry = *registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = m_db;
        context.settings.reviewerName = QStringLiteral("Rita Reviewer");
        m_window = std::make_unique<MainWindow>(context);
        m_window->show();

        const QString path = m_dir->filePath(QStringLiteral("transfer.sbx.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(Testing::json(
            "{'id': 'transfer', 'version': 1, 'name': 'Transfer', 'nodes': ["
            "{'id': 'pay', 'block_id': '5e0517e0-0000-4000-8000-000000000002', 'input_default':"
            " {'recipient': 'bob', 'amount': 5, 'api_token': 'tok-123-secret'}, 'metadata': {}},"
            " {'id': 'out', 'block_id': '363ae599-353e-4804-937e-b2ee3cef3da4',"
            " 'input_default': {'name': 'receipt'}, 'metadata': {}}],"
            " 'links': [{'id': 'l1', 'source_id': 'pay', 'source_name': 'receipt',"
            " 'sink_id': 'out', 'sink_name': 'value'}]}"));
        file.close();
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(path);
        QVERIFY(opened.wait(10000));
        QVERIFY(m_window->startRun({}, true, true).ok());
        ReviewDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<ReviewDialog *>(QStringLiteral("reviewDialog"))), 10000);
        const QString run = m_window->watchedRun();

        // What the block will receive: validated, its default added, the secret masked.
        QTRY_VERIFY_WITH_TIMEOUT(dialog->detailsTabs()->isVisible(), 5000);
        QTreeWidget *input = dialog->blockInputList();
        QStringList rows;
        for (int i = 0; i < input->topLevelItemCount(); ++i)
            rows.append(input->topLevelItem(i)->text(0) + QLatin1Char('=')
                        + input->topLevelItem(i)->text(1));
        rows.sort();
        QCOMPARE(rows, (QStringList {QStringLiteral("amount=5"),
                                     QStringLiteral("api_token=\u2022\u2022\u2022\u2022\u2022\u2022"),
                                     QStringLiteral("currency=EUR"),
                                     QStringLiteral("recipient=bob")}));
        QVERIFY(dialog->blockInputProblems()->isHidden());
        QVERIFY(dialog->changesList()->topLevelItemCount() == 0);

        // An edit the block would refuse says so, and the diff shows it.
        clickMode(dialog, QStringLiteral("Edit"));
        QString edited = dialog->editor()->toPlainText();
        QVERIFY(edited.contains(QLatin1String("\"amount\": 5")));
        dialog->editor()->setPlainText(QString(edited).replace(QLatin1String("\"amount\": 5"),
                                                               QLatin1String("\"amount\": \"five\"")));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->blockInputProblems()->isHidden(), 3000);
        QCOMPARE(dialog->detailsTabs()->tabText(1), QStringLiteral("Block input: refused"));
        QTRY_COMPARE_WITH_TIMEOUT(dialog->changesList()->topLevelItemCount(), 1, 3000);
        QCOMPARE(dialog->changesList()->topLevelItem(0)->text(0), QStringLiteral("$.amount"));
        // An edit it takes: the diff names what changed, from what to what.
        dialog->editor()->setPlainText(QString(edited)
                                           .replace(QLatin1String("\"amount\": 5"),
                                                    QLatin1String("\"amount\": 7"))
                                           .replace(QLatin1String("\"recipient\": \"bob\""),
                                                    QLatin1String("\"recipient\": \"carol\"")));
        QTRY_VERIFY_WITH_TIMEOUT(dialog->blockInputProblems()->isHidden(), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->changesList()->topLevelItemCount(), 2, 3000);
        // In the payload's order: the recipient, then the amount.
        QCOMPARE(dialog->changesList()->topLevelItem(0)->text(0), QStringLiteral("$.recipient"));
        QTreeWidgetItem *amount = dialog->changesList()->topLevelItem(1);
        QCOMPARE(QStringList({amount->text(0), amount->text(1), amount->text(2), amount->text(3)}),
                 (QStringList {QStringLiteral("$.amount"), QStringLiteral("changed"),
                               QStringLiteral("5"), QStringLiteral("7")}));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QPointer<ReviewDialog> first(dialog);
        QTest::keyClick(dialog->editor(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(15000));
        QCOMPARE(execution(run).value(QLatin1String("outputs")).toObject().value(QLatin1String("receipt")),
                 QJsonValue(QJsonArray {QStringLiteral("sent 7 EUR to carol")}));

        // In the history, the decided review opens with the same diff.
        QTRY_VERIFY_WITH_TIMEOUT(first.isNull(), 5000);
        refreshInbox();
        QTreeWidget *history = m_window->inbox()->historyList();
        QTRY_COMPARE_WITH_TIMEOUT(history->topLevelItemCount(), 1, 5000);
        QCOMPARE(history->topLevelItem(0)->text(2), QStringLiteral("Approved, edited"));
        Q_EMIT history->itemActivated(history->topLevelItem(0), 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_window->findChild<ReviewDialog *>(QStringLiteral("reviewDialog"))), 5000);
        QCOMPARE(dialog->changesList()->topLevelItemCount(), 2);
        QCOMPARE(dialog->changesList()->topLevelItem(1)->text(3), QStringLiteral("7"));
        QVERIFY(!dialog->approveButton()->isEnabled());
    }

    void theAuditTabShowsTheLogAndATamperedEntry()
    {
        const auto [run, review] = pausedRun();
        QVERIFY(!review.isEmpty());
        ReviewDialog *dialog = openDialog(review);
        QVERIFY(dialog);
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(10000));

        ReviewInbox *inbox = m_window->inbox();
        QTreeWidget *audit = inbox->auditList();
        inbox->showAudit();
        QTRY_COMPARE_WITH_TIMEOUT(audit->topLevelItemCount(), 2, 5000);
        // Newest first: the approval by the name set in Settings, then the request.
        QCOMPARE(audit->topLevelItem(0)->text(3), QStringLiteral("Approved"));
        QCOMPARE(audit->topLevelItem(0)->text(2), QStringLiteral("Rita Reviewer"));
        QCOMPARE(audit->topLevelItem(1)->text(3), QStringLiteral("Review asked"));
        QCOMPARE(audit->topLevelItem(1)->text(2), QStringLiteral("signalbox"));
        QCOMPARE(inbox->auditState()->text(), QStringLiteral("Hash chain intact: 2 entries."));

        // Someone edits the request with another connection to the file.
        {
            auto db = Engine::Database::open(m_db);
            QVERIFY(db.ok());
            QVERIFY((*db)->execute(QStringLiteral(
                                      "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
                        .ok());
        }
        QPushButton *verify = nullptr;
        for (QPushButton *button : inbox->findChildren<QPushButton *>()) {
            if (button->text() == QLatin1String("Verify"))
                verify = button;
        }
        QTest::mouseClick(verify, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            inbox->auditState()->text().contains(QLatin1String("tampered")), 5000);
        QVERIFY2(inbox->auditState()->text().contains(QLatin1String("entry 1 was changed")),
                 qPrintable(inbox->auditState()->text()));
        QCOMPARE(audit->topLevelItem(1)->text(2), QStringLiteral("mallory"));
    }

    void runFromTheRunDialogAndReviewWhenAsked()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(kExample);
        QVERIFY(opened.wait(10000));
        GraphEditor *editor = m_window->currentEditor();
        m_window->action(QStringLiteral("run"))->trigger();
        auto *dialog = m_window->findChild<RunDialog *>(QStringLiteral("runDialog"));
        QVERIFY(dialog);
        QLineEdit *name = dialog->inputField(QStringLiteral("name"));
        QVERIFY(name);
        QTest::keyClicks(name, QStringLiteral("Grace"));
        QTest::keyClick(name, Qt::Key_Return);
        // Data moving along a link shows as a dot running along it.
        QString templateLink;
        for (const Model::Link &link : editor->document()->graph().links) {
            if (link.sourceId == QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a02"))
                templateLink = link.id;
        }
        QTRY_VERIFY_WITH_TIMEOUT(editor->scene()->linkItem(templateLink)->isPulsing(), 5000);
        // The run pauses at its review step, and the dialog asks at once.
        ReviewDialog *review = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (review = m_window->findChild<ReviewDialog *>(QStringLiteral("reviewDialog"))), 10000);
        const QString run = m_window->watchedRun();
        QVERIFY(!run.isEmpty());
        GraphScene *scene = editor->scene();
        const QString input = QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a01");
        const QString gate = QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a03");
        const QString greeting = QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a04");
        QTRY_COMPARE(scene->nodeItem(input)->runStatus(),
                     std::optional(Model::ExecutionStatus::Completed));
        QTRY_COMPARE(scene->nodeItem(gate)->runStatus(),
                     std::optional(Model::ExecutionStatus::Review));
        QCOMPARE(scene->nodeItem(greeting)->runStatus(), std::nullopt);
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(review, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(15000));
        QTRY_COMPARE(scene->nodeItem(greeting)->runStatus(),
                     std::optional(Model::ExecutionStatus::Completed));
        QCOMPARE(execution(run)
                     .value(QLatin1String("outputs"))
                     .toObject()
                     .value(QLatin1String("greeting")),
                 QJsonValue(QJsonArray {QStringLiteral("Hello, Grace! Welcome aboard.")}));

        // A notice in the corner says how it ended.
        auto *toast = m_window->findChild<Toast *>(QStringLiteral("toast"));
        QVERIFY(toast);
        QTRY_VERIFY(toast->isVisible());
        QVERIFY2(toast->text().contains(QStringLiteral("Run of Review a greeting completed")),
                 qPrintable(toast->text()));

        // The run's data stays on the canvas: each node's last output under
        // it, and on each link the values that went along it.
        const QString fill = QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a02");
        QTRY_VERIFY(scene->nodeItem(fill)->runPreview().contains(
            QStringLiteral("output: Hello, Grace! Welcome aboard.")));
        QCOMPARE(scene->linkItem(templateLink)->valueCount(), 1);
        // A node with a bubble stacks above one without, so the bubble shows.
        QVERIFY(scene->nodeItem(greeting)->zValue()
                > scene->nodeItem(QStringLiteral("2f6b7d4e-1c3a-4e5f-8a9b-0c1d2e3f4a05"))->zValue());
        int unused = 0;
        for (const Model::Link &link : editor->document()->graph().links) {
            if (link.sourceName == QStringLiteral("rejected_data"))
                unused = scene->linkItem(link.id)->valueCount();
        }
        QCOMPARE(unused, 0);
        QVERIFY(!scene->nodeItem(fill)->runPreviewExpanded());
        scene->nodeItem(fill)->setRunPreviewExpanded(true);
        QVERIFY(scene->nodeItem(fill)->runPreviewExpanded());
        // Selected, a node shows its inputs and outputs in a foldable tree.
        scene->selectNodes({fill});
        QTreeWidget *data = nullptr;
        QTRY_VERIFY((data = m_window->propertyPanel()->findChild<QTreeWidget *>(
                         QStringLiteral("runData"))));
        QCOMPARE(data->topLevelItem(0)->text(0), QStringLiteral("Inputs"));
        QCOMPARE(data->topLevelItem(1)->text(0), QStringLiteral("Outputs"));
        QStringList outputs;
        for (int i = 0; i < data->topLevelItem(1)->childCount(); ++i)
            outputs.append(data->topLevelItem(1)->child(i)->text(1));
        QVERIFY(outputs.contains(QStringLiteral("Hello, Grace! Welcome aboard.")));
        // An edit makes it another graph: the run's data goes.
        editor->document()->setNodeTitle(fill, QStringLiteral("Greeting text"));
        QVERIFY(scene->nodeItem(fill)->runPreview().isEmpty());
        QCOMPARE(scene->linkItem(templateLink)->valueCount(), -1);
        QCOMPARE(scene->nodeItem(gate)->runStatus(), std::nullopt);
        editor->document()->undoStack()->undo();

        // Opened again from the monitor, the stored run returns to the canvas.
        refreshExecutions();
        QTableView *table = m_window->executionsPanel()->table();
        QTRY_VERIFY(m_window->executionsPanel()->model()->rowCount() > 0);
        table->selectRow(0);
        QPushButton *open = m_window->executionsPanel()->openOnCanvasButton();
        QVERIFY(open->isEnabled());
        QTest::mouseClick(open, Qt::LeftButton);
        QTRY_COMPARE(m_window->currentEditor()->scene()->runData().runId, run);
        GraphScene *shown = m_window->currentEditor()->scene();
        QTRY_VERIFY(shown->nodeItem(fill)->runPreview().contains(
            QStringLiteral("output: Hello, Grace! Welcome aboard.")));
        QCOMPARE(shown->nodeItem(greeting)->runStatus(),
                 std::optional(Model::ExecutionStatus::Completed));
    }

    void aModelsAnswerGrowsOnTheNodeAndInTheMonitor()
    {
        // A local Ollama host (the protocol-level test server) in the settings
        // both faces read; its answer streams slowly.
        Testing::LlmTestServer server;
        Engine::Llm::LlmSettings models;
        QVERIFY(models.setBaseUrl(QStringLiteral("ollama"), QUrl(server.baseUrl(QString()))).ok());
        models.save();
        const QString text = QStringLiteral("Salt wind on the dunes, waves fold the light into foam.");
        Testing::ScriptedAnswer answer = Testing::ScriptedAnswer::says(text);
        answer.pieceDelayMs = 40;
        server.script({answer});
        QFile source(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/llm_haiku.json"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QString path = m_dir->filePath(QStringLiteral("local-haiku.json"));
        QFile local(path);
        QVERIFY(local.open(QIODevice::WriteOnly));
        local.write(source.readAll().replace("\"gpt-4o\"", "\"llama3.2\""));
        local.close();

        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(path);
        QVERIFY(opened.wait(10000));
        GraphScene *scene = m_window->currentEditor()->scene();
        const QString generator = QStringLiteral("9a8b7c6d-0000-4000-8000-000000000002");
        m_window->action(QStringLiteral("run"))->trigger();
        auto *dialog = m_window->findChild<RunDialog *>(QStringLiteral("runDialog"));
        QVERIFY(dialog);
        dialog->accept();
        // Part of the answer shows before the node ends.
        QTRY_VERIFY_WITH_TIMEOUT(!scene->liveText(generator).isEmpty(), 10000);
        const QString partial = scene->liveText(generator);
        QVERIFY(text.startsWith(partial));
        QVERIFY(partial.size() < text.size());
        QCOMPARE(m_window->executionsPanel()->liveText()->toPlainText(), partial);
        QVERIFY(m_window->executionsPanel()->liveTitle()->text().startsWith(QLatin1String("Live:")));
        QCOMPARE(scene->nodeItem(generator)->runStatus(), std::optional(Model::ExecutionStatus::Running));
        // It ends as the whole answer, the output upstream yields.
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QVERIFY(finished.wait(15000));
        QTRY_COMPARE(scene->liveText(generator), text);
        QCOMPARE(m_window->executionsPanel()->liveText()->toPlainText(), text);
        QVERIFY(m_window->executionsPanel()->liveTitle()->text().startsWith(QLatin1String("Answer of")));
        QCOMPARE(execution(m_window->watchedRun()).value(QLatin1String("outputs")).toObject().value(QLatin1String("haiku")),
                 QJsonValue(QJsonArray {text}));
        Engine::Llm::LlmSettings().save();
    }

    void stopAndRunAgain()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/countdown.sbx.json"));
        QVERIFY(opened.wait(10000));
        GraphScene *scene = m_window->currentEditor()->scene();
        const QString first = startedRun(Testing::value("{'msg': 'hi'}").toMap());
        QVERIFY(!first.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(scene->nodeItem(QStringLiteral("wait"))->runStatus(),
                                  std::optional(Model::ExecutionStatus::Running), 10000);
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(m_window->currentEditor()->view(), Qt::Key_F5, Qt::ShiftModifier);
        QVERIFY(finished.wait(10000));
        QCOMPARE(execution(first).value(QLatin1String("status")).toString(),
                 QStringLiteral("TERMINATED"));
        QTRY_COMPARE(scene->nodeItem(QStringLiteral("wait"))->runStatus(),
                     std::optional(Model::ExecutionStatus::Terminated));
        // Again, with the same inputs: a new run that completes.
        QTest::keyClick(m_window->currentEditor()->view(), Qt::Key_F5,
                        Qt::ShiftModifier | Qt::ControlModifier);
        QTRY_VERIFY(!m_window->watchedRun().isEmpty() && m_window->watchedRun() != first);
        const QString second = m_window->watchedRun();
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.last().first().toString(), second);
        const QJsonObject shown = execution(second);
        QCOMPARE(shown.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(shown.value(QLatin1String("outputs")).toObject().value(QLatin1String("said")),
                 QJsonValue(QJsonArray {QStringLiteral("hi")}));

        // The runs list: newest first, then filtered by status.
        refreshExecutions();
        ExecutionsModel *runs = m_window->executionsPanel()->model();
        QTRY_COMPARE(runs->rowCount(), 2);
        QCOMPARE(runs->index(0, 0).data(ExecutionsModel::ExecutionIdRole).toString(), second);
        QCOMPARE(runs->index(0, ExecutionsModel::Status).data().toString(),
                 statusLabel(Model::ExecutionStatus::Completed));
        QCOMPARE(runs->index(1, ExecutionsModel::Status).data().toString(),
                 statusLabel(Model::ExecutionStatus::Terminated));
        QCOMPARE(runs->index(0, ExecutionsModel::Graph).data().toString(),
                 QStringLiteral("wait v1"));
        QComboBox *filter = m_window->executionsPanel()->statusFilter();
        filter->setCurrentIndex(filter->findText(statusLabel(Model::ExecutionStatus::Terminated)));
        QTRY_COMPARE(runs->rowCount(), 1);
        QCOMPARE(runs->index(0, 0).data(ExecutionsModel::ExecutionIdRole).toString(), first);

        // The stopped run's details: every node execution, then one node's.
        QTableView *table = m_window->executionsPanel()->table();
        table->setCurrentIndex(runs->index(0, 0));
        QTest::keyClick(table, Qt::Key_Return);
        RunDetails *details = nullptr;
        QTRY_VERIFY((details = m_window->findChild<RunDetails *>(QStringLiteral("runDetails"))));
        QTRY_VERIFY_WITH_TIMEOUT(details->model()->rowCount() > 0, 10000);
        NodeExecutionsModel *nodes = details->model();
        QCOMPARE(nodes->rowCount(), 2); // "in" completed, "wait" terminated
        QCOMPARE(details->timeline()->barCount(), 2);
        // Each bar is named after its node, with a labelled time axis; the
        // header's duration is the list's.
        TimelineView *timeline = details->timeline();
        QStringList bars;
        QStringList rows;
        for (int row = 0; row < 2; ++row) {
            bars.append(timeline->barLabel(row));
            rows.append(nodes->index(row, NodeExecutionsModel::Node).data().toString());
            QVERIFY(timeline->barToolTip(row).startsWith(timeline->barLabel(row)));
        }
        bars.sort();
        rows.sort();
        QCOMPARE(bars, rows);
        QCOMPARE(timeline->axisLabels().size(), TimelineView::kTicks + 1);
        QCOMPARE(timeline->axisLabels().first(), QStringLiteral("0 ms"));
        const QString listed = runs->index(0, ExecutionsModel::Duration).data().toString();
        QVERIFY(!listed.isEmpty());
        const QString header = details->findChild<QLabel *>(QStringLiteral("runHeader"))->text();
        QVERIFY2(header.contains(QStringLiteral("took ") + listed), qPrintable(header));
        QComboBox *node = details->nodeFilter();
        node->setCurrentIndex(node->findData(QStringLiteral("wait")));
        QCOMPARE(details->visibleRows(), 1);
        QCOMPARE(details->table()->model()->index(0, NodeExecutionsModel::Status).data().toString(),
                 statusLabel(Model::ExecutionStatus::Terminated));

        // Run again from its details: the same graph version and inputs.
        auto *again = details->findChild<QPushButton *>(QStringLiteral("runAgain"));
        QVERIFY(again);
        finished.clear();
        QTest::mouseClick(again, Qt::LeftButton);
        QVERIFY(finished.wait(15000));
        const QString third = finished.last().first().toString();
        QVERIFY(third != first && third != second);
        const QJsonObject rerun = execution(third);
        QCOMPARE(rerun.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QCOMPARE(rerun.value(QLatin1String("outputs")).toObject().value(QLatin1String("said")),
                 QJsonValue(QJsonArray {QStringLiteral("hi")}));

        // Filtered by graph: another graph's run is left out.
        pausedRun();
        filter->setCurrentIndex(0);
        refreshExecutions();
        QTRY_COMPARE(runs->rowCount(), 4);
        QComboBox *graph = m_window->executionsPanel()->graphFilter();
        graph->setCurrentIndex(graph->findText(QStringLiteral("wait")));
        QTRY_COMPARE(runs->rowCount(), 3);
        graph->setCurrentIndex(graph->findText(QStringLiteral("Review a greeting")));
        QTRY_COMPARE(runs->rowCount(), 1);
    }

    void theRunDialogRefusesAnEmptyRequiredInput()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json"));
        QVERIFY(opened.wait(10000));
        m_window->action(QStringLiteral("run"))->trigger();
        RunDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<RunDialog *>(QStringLiteral("runDialog"))));
        QTRY_VERIFY(dialog->isVisible());
        // "items" has no default: Run with it empty names it and stays.
        QLineEdit *items = dialog->inputField(QStringLiteral("items"));
        QVERIFY(items && items->text().isEmpty());
        QTest::keyClick(dialog, Qt::Key_Return);
        QVERIFY(dialog->isVisible());
        auto *problem = dialog->findChild<QLabel *>(QStringLiteral("runProblem"));
        QVERIFY(problem && problem->isVisible());
        QVERIFY2(problem->text().contains(QStringLiteral("\"items\"")), qPrintable(problem->text()));
        QCOMPARE(dialog->focusWidget(), items);
        QVERIFY(m_window->watchedRun().isEmpty());
        // Given a value, it runs.
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClicks(items, QStringLiteral("[1, 2]"));
        QTest::keyClick(dialog, Qt::Key_Return);
        QTRY_VERIFY(!m_window->watchedRun().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 10000);
        QCOMPARE(execution(m_window->watchedRun()).value(QLatin1String("outputs")).toObject()
                     .value(QLatin1String("doubled")).toArray().size(),
                 2);
        // Asked again, the last input is there, selected in the first field:
        // typing replaces it.
        m_window->action(QStringLiteral("run"))->trigger();
        RunDialog *again = nullptr;
        QTRY_VERIFY((again = m_window->findChild<RunDialog *>(QStringLiteral("runDialog")))
                    && again->isVisible());
        QLineEdit *field = again->inputField(QStringLiteral("items"));
        QCOMPARE(field->text(), QStringLiteral("[1,2]"));
        QCOMPARE(again->focusWidget(), field);
        QCOMPARE(field->selectedText(), field->text());
        again->reject();
    }

    void runBadgesGoWhenTheGraphChanges()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json"));
        QVERIFY(opened.wait(10000));
        GraphScene *scene = m_window->currentEditor()->scene();
        GraphDocument *document = m_window->currentEditor()->document();
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QVERIFY(!startedRun(Testing::value("{'items': [1]}").toMap()).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 10000);
        QTRY_COMPARE(scene->nodeItem(QStringLiteral("calc"))->runStatus(),
                     std::optional(Model::ExecutionStatus::Completed));
        // Moving a node changes no data: the badges stay.
        document->moveNodes({{QStringLiteral("calc"), QPointF(40, 40)}});
        QCOMPARE(scene->nodeItem(QStringLiteral("calc"))->runStatus(),
                 std::optional(Model::ExecutionStatus::Completed));
        // Another input: the last run no longer says what this graph does.
        document->setInputValue(QStringLiteral("calc"), QStringLiteral("b"), 3);
        QVERIFY(!scene->nodeItem(QStringLiteral("calc"))->runStatus().has_value());
        QVERIFY(!scene->nodeItem(QStringLiteral("out"))->runStatus().has_value());
    }

    void aRejectedRunIsNotListedAsPlainlyCompleted()
    {
        const auto [approved, approvedReview] = pausedRun();
        const auto [rejected, rejectedReview] = pausedRun();
        int exitCode = -1;
        runCli({QStringLiteral("reviews"), QStringLiteral("decide"), approvedReview,
                QStringLiteral("--approve"), QStringLiteral("--db"), m_db},
               &exitCode);
        QCOMPARE(exitCode, 0);
        runCli({QStringLiteral("reviews"), QStringLiteral("decide"), rejectedReview,
                QStringLiteral("--reject"), QStringLiteral("--message"), QStringLiteral("No"),
                QStringLiteral("--db"), m_db},
               &exitCode);
        QCOMPARE(exitCode, 0);
        // Both completed (the rejection takes the rejected branch), listed apart.
        QCOMPARE(execution(rejected).value(QLatin1String("status")).toString(),
                 QStringLiteral("COMPLETED"));
        refreshExecutions();
        ExecutionsModel *runs = m_window->executionsPanel()->model();
        QHash<QString, QString> shown;
        for (int row = 0; row < runs->rowCount(); ++row)
            shown.insert(runs->index(row, 0).data(ExecutionsModel::ExecutionIdRole).toString(),
                         runs->index(row, ExecutionsModel::Status).data().toString());
        QCOMPARE(shown.value(approved), statusLabel(Model::ExecutionStatus::Completed));
        QCOMPARE(shown.value(rejected), QStringLiteral("Completed, review rejected"));
    }

    void enterNeverDeletesARunAndDeletingAsks()
    {
        // A completed run's details.
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/double.sbx.json"));
        QVERIFY(opened.wait(10000));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        const QString run = startedRun(Testing::value("{'items': [1, 2]}").toMap());
        QVERIFY(!run.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() && finished.last().first().toString() == run,
                                 10000);
        QCOMPARE(execution(run).value(QLatin1String("status")).toString(),
                 QStringLiteral("COMPLETED"));
        m_window->openRunDetails(run);
        RunDetails *details = nullptr;
        QTRY_VERIFY((details = m_window->findChild<RunDetails *>(QStringLiteral("runDetails"))));
        QTRY_VERIFY(details->isVisible());
        // Nothing to stop or resume in a completed run.
        auto *stop = details->findChild<QPushButton *>(QStringLiteral("stopRun"));
        auto *resume = details->findChild<QPushButton *>(QStringLiteral("resumeRun"));
        auto *remove = details->findChild<QPushButton *>(QStringLiteral("deleteRun"));
        QVERIFY(stop && resume && remove);
        QVERIFY(!stop->isEnabled());
        QVERIFY(!resume->isEnabled());
        // No destructive button is the default, and Enter deletes nothing.
        for (QPushButton *button : details->findChildren<QPushButton *>())
            QVERIFY2(!button->isDefault() || button != remove, qPrintable(button->text()));
        QVERIFY(!remove->autoDefault());
        remove->setFocus();
        QPointer<RunDetails> guard(details);
        QTest::keyClick(details, Qt::Key_Return);
        QTest::qWait(300);
        QVERIFY(!m_window->findChild<QMessageBox *>(QStringLiteral("deleteConfirm")));
        QCOMPARE(execution(run).value(QLatin1String("status")).toString(),
                 QStringLiteral("COMPLETED"));
        // Delete asks first; Cancel keeps the run. (Enter closed the dialog.)
        if (!guard || !guard->isVisible()) {
            m_window->openRunDetails(run);
            QTRY_VERIFY((details = m_window->findChild<RunDetails *>(QStringLiteral("runDetails")))
                        && details->isVisible());
            remove = details->findChild<QPushButton *>(QStringLiteral("deleteRun"));
        }
        QTest::mouseClick(remove, Qt::LeftButton);
        QMessageBox *confirm = nullptr;
        QTRY_VERIFY((confirm = details->findChild<QMessageBox *>(QStringLiteral("deleteConfirm"))));
        QCOMPARE(confirm->defaultButton(), confirm->button(QMessageBox::Cancel));
        confirm->button(QMessageBox::Cancel)->click();
        QTest::qWait(300);
        QCOMPARE(execution(run).value(QLatin1String("status")).toString(),
                 QStringLiteral("COMPLETED"));
        // Yes deletes it.
        QTest::mouseClick(remove, Qt::LeftButton);
        QTRY_VERIFY((confirm = details->findChild<QMessageBox *>(QStringLiteral("deleteConfirm"))));
        confirm->button(QMessageBox::Yes)->click();
        QTRY_VERIFY_WITH_TIMEOUT(execution(run).isEmpty(), 5000);
    }

    void childRunsAreReachableFromTheirParent()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(
            QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/autogpt_export_with_subgraph.json"));
        QVERIFY(opened.wait(10000));
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        const QString parent = startedRun(Testing::value("{'name': 'Ada'}").toMap());
        QVERIFY(!parent.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(
            finished.count() >= 1 && finished.last().first().toString() == parent, 15000);
        m_window->openRunDetails(parent);
        RunDetails *details = nullptr;
        QTRY_VERIFY((details = m_window->findChild<RunDetails *>(QStringLiteral("runDetails"))));
        QVERIFY(details);
        auto *header = details->findChild<QLabel *>(QStringLiteral("runHeader"));
        QVERIFY(header->text().contains(QStringLiteral("Started run")));
        const QString child = header->text()
                                  .section(QStringLiteral("Started run <a href=\""), 1)
                                  .section(QLatin1Char('"'), 0, 0);
        QVERIFY(!child.isEmpty());
        Q_EMIT header->linkActivated(child);
        RunDetails *childDetails = nullptr;
        QTRY_VERIFY([&] {
            for (RunDetails *candidate : m_window->findChildren<RunDetails *>()) {
                if (candidate != details)
                    childDetails = candidate;
            }
            return childDetails != nullptr;
        }());
        QVERIFY(childDetails->findChild<QLabel *>(QStringLiteral("runHeader"))
                    ->text()
                    .contains(QStringLiteral("Started by run <a href=\"%1\"").arg(parent)));
    }

    void payloadsRender_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("kind");
        QTest::newRow("markdown") << Testing::json("'**Bold** <b>tag</b>'") << "text";
        QTest::newRow("table") << Testing::json("[{'name': 'a', 'n': 1}, {'name': 'b', 'x': true}]")
                               << "table";
        QTest::newRow("tree") << Testing::json("{'to': 'ada', 'cc': ['lin']}") << "tree";
    }

    void payloadsRender()
    {
        QFETCH(QByteArray, payload);
        QFETCH(QString, kind);
        Model::PendingReview review;
        review.nodeExecId = QStringLiteral("ne");
        review.payload = Model::parseTrustedJson(payload);
        review.instructions = QStringLiteral("Check it");
        ReviewDialog dialog(review, QStringLiteral("Block"), QStringLiteral("Graph"), nullptr,
                            nullptr);
        if (kind == QLatin1String("text")) {
            auto *text = qobject_cast<QTextBrowser *>(dialog.payloadView());
            QVERIFY(text);
            // Markdown is rendered; HTML is shown as text, never as markup.
            QCOMPARE(text->toPlainText(), QStringLiteral("Bold <b>tag</b>"));
        } else if (kind == QLatin1String("table")) {
            auto *table = qobject_cast<QTableWidget *>(dialog.payloadView());
            QVERIFY(table);
            QCOMPARE(table->rowCount(), 2);
            QCOMPARE(table->columnCount(), 3);
            QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("x"));
            QCOMPARE(table->item(1, 2)->text(), QStringLiteral("true"));
            QVERIFY(!table->item(1, 1));
        } else {
            auto *tree = qobject_cast<QTreeWidget *>(dialog.payloadView());
            QVERIFY(tree);
            QCOMPARE(tree->topLevelItemCount(), 2);
            QCOMPARE(tree->topLevelItem(0)->text(1), QStringLiteral("ada"));
            QCOMPARE(tree->topLevelItem(1)->child(0)->text(1), QStringLiteral("lin"));
        }
    }

    void toolCallsShowToolArgumentsAndConversation()
    {
        Model::PendingReview review;
        review.nodeExecId = QStringLiteral("ne-tool");
        review.editable = true;
        review.payload = Model::parseTrustedJson(Testing::json(
            "{'tool_calls': [{'id': 'call_1', 'tool': 'calculatorblock', 'arguments': {'a': 6, "
            "'b': 7, 'operation': 'Multiply'}}], 'conversation': [{'role': 'user', 'content': "
            "'<b>What</b> is 6 times 7?'}, {'type': 'function_call', 'call_id': 'call_1', "
            "'name': 'calculatorblock', 'arguments': '{}'}]}"));
        review.instructions = QStringLiteral("The model wants to call calculatorblock.");
        ReviewDialog dialog(review, QStringLiteral("SmartDecisionMakerBlock"), QStringLiteral("Agent"),
                            nullptr, nullptr);
        QCOMPARE(dialog.payloadView()->objectName(), QStringLiteral("toolCallView"));
        auto *arguments = dialog.payloadView()->findChild<QTableWidget *>(QStringLiteral("toolArguments"));
        QVERIFY(arguments);
        QCOMPARE(arguments->rowCount(), 3);
        QCOMPARE(arguments->item(1, 0)->text(), QStringLiteral("b"));
        QCOMPARE(arguments->item(1, 1)->text(), QStringLiteral("7"));
        // The conversation is shown as text, never as markup.
        auto *conversation = dialog.payloadView()->findChild<QPlainTextEdit *>(QStringLiteral("toolConversation"));
        QVERIFY(conversation);
        QVERIFY(conversation->toPlainText().startsWith(QLatin1String("user: <b>What</b> is 6 times 7?")));
        QVERIFY(conversation->toPlainText().contains(QStringLiteral("assistant → calculatorblock({})")));
        // Only the calls are edited; approving sends the edited arguments.
        const Model::Value edited = Model::parseTrustedJson(dialog.editor()->toPlainText().toUtf8());
        QCOMPARE(edited.toMap().keys().size(), 1);
        QVERIFY(edited.toMap().contains(QLatin1String("tool_calls")));
        QSignalSpy decided(&dialog, &ReviewDialog::decisionMade);
        clickMode(&dialog, QStringLiteral("Edit"));
        dialog.editor()->setPlainText(dialog.editor()->toPlainText().replace(QLatin1String("7"), QLatin1String("8")));
        QTest::keyClick(dialog.editor(), Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(decided.size(), 1);
        const auto decision = decided.first().at(1).value<Engine::ReviewDecision>();
        QCOMPARE(decision.data->toMap().value(QLatin1String("tool_calls")).toArray().first().toMap()
                     .value(QLatin1String("arguments")).toMap().value(QLatin1String("b")).toInteger(),
                 qint64(8));
    }

    void aRunInATerminalIsReviewedInTheDesktop()
    {
        // Both faces on the default database: no --db, the default in Settings.
        const QString path = AppSettings::defaultDatabasePath();
        QVERIFY2(path.startsWith(m_dir->path()), qPrintable(path));
        QDir().mkpath(QFileInfo(path).absolutePath());
        m_window.reset();
        MainWindowContext context;
        context.registry = m_registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = path;
        m_window = std::make_unique<MainWindow>(context);
        QSignalSpy ready(m_window.get(), &MainWindow::serviceReady);
        m_window->show();
        QVERIFY(ready.wait(5000));
        QCOMPARE(ready.first().first().toString(), QString());

        QProcess terminal;
        terminal.start(QStringLiteral(SIGNALBOX_BINARY),
                       {QStringLiteral("run"), kExample, QStringLiteral("--input"),
                        QStringLiteral("name=Ada"), QStringLiteral("--json")});
        QVERIFY(terminal.waitForFinished(30000));
        QCOMPARE(terminal.exitCode(), 3);
        QElapsedTimer clock;
        clock.start();
        const QString run = QJsonDocument::fromJson(terminal.readAllStandardOutput())
                                .object()
                                .value(QLatin1String("execution_id"))
                                .toString();
        QVERIFY(!run.isEmpty());
        // The inbox lists it without being asked, within a second.
        QTreeWidget *waiting = m_window->inbox()->waitingList();
        QTRY_COMPARE_WITH_TIMEOUT(waiting->topLevelItemCount(), 1, 1000);
        qInfo("listed %lld ms after the command line paused", qint64(clock.elapsed()));
        QCOMPARE(waiting->topLevelItem(0)->toolTip(3), run);

        // Approved in the desktop; the desktop resumes the run and completes it.
        ReviewDialog *dialog = openDialog(waiting->topLevelItem(0)->data(0, Qt::UserRole).toString());
        QVERIFY(dialog);
        QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty() && finished.last().first().toString() == run,
                                 10000);
        int exitCode = -1;
        const QJsonObject shown = runCli({QStringLiteral("executions"), QStringLiteral("show"), run,
                                          QStringLiteral("--json")},
                                         &exitCode);
        QCOMPARE(exitCode, 0);
        QCOMPARE(shown.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        // The command line lists no review left, and names the reviewer as
        // the desktop recorded it.
        const QJsonObject reviews = runCli({QStringLiteral("reviews"), QStringLiteral("list"),
                                            QStringLiteral("--json")});
        QVERIFY(reviews.value(QLatin1String("reviews")).toArray().isEmpty());
        QTRY_COMPARE(m_window->inbox()->historyList()->topLevelItemCount(), 1);
        QCOMPARE(m_window->inbox()->historyList()->topLevelItem(0)->text(1),
                 m_window->settings().reviewer());
    }

    // Team mode: the desktop on a PostgreSQL database queues a run for
    // workers; a worker in another process runs it and pauses at its
    // review; the inbox lists the review within a second, the desktop
    // decides it, and the worker (not the desktop) finishes the run.
    void aWorkersReviewIsDecidedInTheDesktopOnPostgres()
    {
        Testing::PostgresServer server;
        SIGNALBOX_START_OR_SKIP(server);
        QString why;
        QVERIFY2(server.createDatabase(QStringLiteral("desk"), &why), qPrintable(why));
        const QString db = server.location(QStringLiteral("desk"));
        m_window.reset();
        MainWindowContext context;
        context.registry = m_registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = db;
        context.settings.reviewerName = QStringLiteral("Rita Reviewer");
        m_window = std::make_unique<MainWindow>(context);
        QSignalSpy ready(m_window.get(), &MainWindow::serviceReady);
        m_window->show();
        QVERIFY(ready.wait(10000));
        QCOMPARE(ready.first().first().toString(), QString());

        QProcess worker;
        worker.start(QStringLiteral(SIGNALBOX_BINARY),
                     {QStringLiteral("worker"), QStringLiteral("--db"), db,
                      QStringLiteral("--lease-seconds"), QStringLiteral("5")});
        QVERIFY(worker.waitForStarted());
        QString workerOut;
        const auto workerSaid = [&worker, &workerOut](const QString &line) {
            workerOut += QString::fromUtf8(worker.readAllStandardOutput());
            return workerOut.contains(line);
        };

        // Run → Run on Workers, with the dialog's choice preset.
        QSignalSpy opened(m_window.get(), &MainWindow::documentOpened);
        m_window->openFile(kExample);
        QVERIFY(opened.wait(10000));
        m_window->action(QStringLiteral("runOnWorkers"))->trigger();
        auto *dialog = m_window->findChild<RunDialog *>(QStringLiteral("runDialog"));
        QVERIFY(dialog);
        QVERIFY(dialog->findChild<QCheckBox *>(QStringLiteral("runOnWorkers"))->isChecked());
        dialog->inputField(QStringLiteral("name"))->setText(QStringLiteral("Ada"));
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->watchedRun().isEmpty(), 5000);
        const QString run = m_window->watchedRun();

        // The worker takes it and pauses at the review; the inbox lists it
        // within a second of the review's creation in the worker.
        QTreeWidget *waiting = m_window->inbox()->waitingList();
        QTRY_COMPARE_WITH_TIMEOUT(waiting->topLevelItemCount(), 1, 15000);
        const QDateTime listedAt = QDateTime::currentDateTimeUtc();
        QCOMPARE(waiting->topLevelItem(0)->toolTip(3), run);
        QVERIFY(workerSaid(QStringLiteral("claimed %1").arg(run)));
        const QJsonObject listed = runCli({QStringLiteral("reviews"), QStringLiteral("list"),
                                           QStringLiteral("--db"), db, QStringLiteral("--json")});
        const QDateTime createdAt = QDateTime::fromString(listed.value(QLatin1String("reviews"))
                                                              .toArray()
                                                              .first()
                                                              .toObject()
                                                              .value(QLatin1String("created_at"))
                                                              .toString(),
                                                          Qt::ISODateWithMs);
        QVERIFY(createdAt.isValid());
        const qint64 latency = createdAt.msecsTo(listedAt);
        qInfo("the inbox listed the worker's review %lld ms after the worker made it", latency);
        QVERIFY2(latency < 1000, qPrintable(QString::number(latency)));

        ReviewDialog *review
            = openDialog(waiting->topLevelItem(0)->data(0, Qt::UserRole).toString());
        QVERIFY(review);
        QTest::keyClick(review, Qt::Key_Return, Qt::ControlModifier);
        // The worker finishes it; this window runs nothing of it, and its
        // status bar follows the run there to its end.
        QTRY_VERIFY_WITH_TIMEOUT(workerSaid(QStringLiteral("finished %1 COMPLETED").arg(run)),
                                 15000);
        QLabel *progress = nullptr;
        for (QLabel *label : m_window->statusBar()->findChildren<QLabel *>()) {
            if (label->accessibleName() == QLatin1String("Run progress"))
                progress = label;
        }
        QVERIFY(progress);
        QTRY_COMPARE_WITH_TIMEOUT(progress->text(), QStringLiteral("Run: completed"), 3000);
        int exitCode = -1;
        const QJsonObject shown = runCli({QStringLiteral("executions"), QStringLiteral("show"), run,
                                          QStringLiteral("--db"), db, QStringLiteral("--json")},
                                         &exitCode);
        QCOMPARE(exitCode, 0);
        QCOMPARE(shown.value(QLatin1String("status")).toString(), QStringLiteral("COMPLETED"));
        QTRY_COMPARE(m_window->inbox()->historyList()->topLevelItemCount(), 1);
        QCOMPARE(m_window->inbox()->historyList()->topLevelItem(0)->text(1),
                 QStringLiteral("Rita Reviewer"));
        worker.terminate();
        QVERIFY(worker.waitForFinished(10000));
        m_window.reset();
    }

    void theWindowStopsARunAnotherProcessRuns()
    {
        // A real `signalbox run` on the window's database, counting down.
        const QString graph = Testing::writeLongCountdown(m_dir->path(), 120);
        QVERIFY(!graph.isEmpty());
        QProcess running;
        running.start(QStringLiteral(SIGNALBOX_BINARY),
                      {QStringLiteral("run"), graph, QStringLiteral("--input"),
                       QStringLiteral("msg=x"), QStringLiteral("--db"), m_db});
        QVERIFY(running.waitForStarted());
        QString id;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(id = Testing::newestExecution(m_db, QStringLiteral("RUNNING"))).isEmpty(), 10000);
        QSignalSpy stopped(m_window.get(), &MainWindow::stopFinished);
        QElapsedTimer clock;
        clock.start();
        m_window->stopExecution(id);
        // The window does not wait: the stop goes on off the GUI thread.
        QVERIFY(clock.elapsed() < 500);
        QVERIFY(running.waitForFinished(5000));
        QCOMPARE(running.exitCode(), 4);
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(stopped.wait(5000) || !stopped.isEmpty());
        QCOMPARE(stopped.first().at(0).toString(), id);
        QCOMPARE(stopped.first().at(1).toString(), QString());
        QCOMPARE(execution(id).value(QLatin1String("status")).toString(),
                 QStringLiteral("TERMINATED"));
    }
};

QTEST_MAIN(tst_ReviewDialog)
#include "tst_reviewdialog.moc"
