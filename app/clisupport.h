// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/result.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

// What the command line's commands share.
namespace Signalbox::App {

// The exit code an error ends a command with (DESIGN §6).
int exitCodeFor(const Error &error);

// Rows as a text table, columns padded to their widest cell.
QString table(const QList<QStringList> &rows);

// A time as the text tables show it, local and to the second; "-" for none.
QString shortTime(const QDateTime &time);

} // namespace Signalbox::App
