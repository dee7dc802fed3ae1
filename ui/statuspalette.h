// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/executionstatus.h"

#include <QColor>
#include <QObject>
#include <QString>

namespace Signalbox::Ui {

// How an execution status looks wherever the UI shows one (canvas badges,
// run lists, the monitor): a colour and a short human label.
QColor statusColor(Model::ExecutionStatus status);
QString statusLabel(Model::ExecutionStatus status);

} // namespace Signalbox::Ui
