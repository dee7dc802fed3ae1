// SPDX-License-Identifier: GPL-3.0-or-later
#include "statuspalette.h"

namespace Signalbox::Ui {

using Model::ExecutionStatus;

QColor statusColor(ExecutionStatus status)
{
    switch (status) {
    case ExecutionStatus::Incomplete:
        return QColor(0x9e, 0x9e, 0x9e);
    case ExecutionStatus::Queued:
        return QColor(0x60, 0x7d, 0x8b);
    case ExecutionStatus::Running:
        return QColor(0x1e, 0x88, 0xe5);
    case ExecutionStatus::Review:
        return QColor(0xfb, 0x8c, 0x00);
    case ExecutionStatus::Completed:
        return QColor(0x43, 0xa0, 0x47);
    case ExecutionStatus::Failed:
        return QColor(0xe5, 0x39, 0x35);
    case ExecutionStatus::Terminated:
        return QColor(0x6d, 0x4c, 0x41);
    }
    return QColor();
}

QString statusLabel(ExecutionStatus status)
{
    switch (status) {
    case ExecutionStatus::Incomplete:
        return QObject::tr("Waiting for inputs");
    case ExecutionStatus::Queued:
        return QObject::tr("Queued");
    case ExecutionStatus::Running:
        return QObject::tr("Running");
    case ExecutionStatus::Review:
        return QObject::tr("Waiting for review");
    case ExecutionStatus::Completed:
        return QObject::tr("Completed");
    case ExecutionStatus::Failed:
        return QObject::tr("Failed");
    case ExecutionStatus::Terminated:
        return QObject::tr("Stopped");
    }
    return QString();
}

} // namespace Signalbox::Ui
