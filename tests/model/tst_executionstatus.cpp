// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/executionstatus.h"

#include <QTest>

using namespace Signalbox::Model;

class TestExecutionStatus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<bool>("allowed");

        // DESIGN §3, written out independently of the implementation.
        const QSet<QString> allowed = {
            QStringLiteral("INCOMPLETE>QUEUED"),     QStringLiteral("TERMINATED>QUEUED"),
            QStringLiteral("REVIEW>QUEUED"),         QStringLiteral("INCOMPLETE>RUNNING"),
            QStringLiteral("QUEUED>RUNNING"),        QStringLiteral("TERMINATED>RUNNING"),
            QStringLiteral("REVIEW>RUNNING"),        QStringLiteral("RUNNING>COMPLETED"),
            QStringLiteral("INCOMPLETE>FAILED"),     QStringLiteral("QUEUED>FAILED"),
            QStringLiteral("RUNNING>FAILED"),        QStringLiteral("REVIEW>FAILED"),
            QStringLiteral("INCOMPLETE>TERMINATED"), QStringLiteral("QUEUED>TERMINATED"),
            QStringLiteral("RUNNING>TERMINATED"),    QStringLiteral("REVIEW>TERMINATED"),
            QStringLiteral("RUNNING>REVIEW"),
        };
        int allowedRows = 0;
        for (ExecutionStatus from : kAllStatuses) {
            for (ExecutionStatus to : kAllStatuses) {
                const QString key = statusName(from) + QLatin1Char('>') + statusName(to);
                const bool ok = allowed.contains(key);
                allowedRows += ok;
                QTest::newRow(qPrintable(key)) << statusName(from) << statusName(to) << ok;
            }
        }
        QCOMPARE(allowedRows, 17);
    }

    void transitions()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(bool, allowed);
        const auto fromStatus = statusFromName(from);
        const auto toStatus = statusFromName(to);
        QVERIFY(fromStatus && toStatus);
        QCOMPARE(isTransitionAllowed(*fromStatus, *toStatus), allowed);
        QCOMPARE(allowedSources(*toStatus).contains(*fromStatus), allowed);
    }

    void incompleteIsNeverATarget()
    {
        QVERIFY(allowedSources(ExecutionStatus::Incomplete).isEmpty());
    }

    void finalAndTerminal()
    {
        QVERIFY(isFinal(ExecutionStatus::Completed));
        QVERIFY(isFinal(ExecutionStatus::Failed));
        QVERIFY(!isFinal(ExecutionStatus::Terminated));
        QVERIFY(isTerminal(ExecutionStatus::Terminated));
        QVERIFY(!isTerminal(ExecutionStatus::Review));
        // Nothing leaves a final status.
        for (ExecutionStatus to : kAllStatuses) {
            QVERIFY(!isTransitionAllowed(ExecutionStatus::Completed, to));
            QVERIFY(!isTransitionAllowed(ExecutionStatus::Failed, to));
        }
    }

    void namesRoundTrip()
    {
        for (ExecutionStatus status : kAllStatuses)
            QCOMPARE(statusFromName(statusName(status)), status);
        QCOMPARE(statusFromName(u"completed"), ExecutionStatus::Completed);
        QVERIFY(!statusFromName(u"DONE"));
    }
};

QTEST_GUILESS_MAIN(TestExecutionStatus)
#include "tst_executionstatus.moc"
