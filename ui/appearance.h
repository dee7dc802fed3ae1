// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Signalbox::Ui {

// The application's look: "system" follows the desktop's style and light or
// dark palette; "light" and "dark" choose one whatever the desktop does.
// Widgets, the canvas and the dialogs all follow.
void applyAppearance(const QString &appearance);

} // namespace Signalbox::Ui
