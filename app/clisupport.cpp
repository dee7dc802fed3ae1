// SPDX-License-Identifier: GPL-3.0-or-later
#include "clisupport.h"

#include "cli.h"

namespace Signalbox::App {

int exitCodeFor(const Error &error)
{
    switch (error.code) {
    case ErrorCode::BadInput:
    case ErrorCode::NotFound:
        return ExitBadInput;
    case ErrorCode::Conflict:
        return ExitConflict;
    case ErrorCode::Storage:
        return ExitStorage;
    case ErrorCode::Internal:
        break;
    }
    return ExitFailed;
}

// Pads columns to their widest cell.
QString table(const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = qMax(widths[i], int(row.at(i).size()));
        }
    }
    QString text;
    for (const QStringList &row : rows) {
        QStringList cells;
        for (qsizetype i = 0; i < row.size(); ++i)
            cells.append(i + 1 == row.size() ? row.at(i) : row.at(i).leftJustified(widths.at(i)));
        text += cells.join(QLatin1String("  ")).trimmed() + QLatin1Char('\n');
    }
    return text;
}

QString shortTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                          : QStringLiteral("-");
}

} // namespace Signalbox::App
