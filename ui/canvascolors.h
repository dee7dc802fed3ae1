// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>

namespace Signalbox::Ui {

// The canvas's colours, light or dark after the application's palette (the
// system's, or the one chosen in Preferences). Block kinds, pin types and
// statuses keep their own colours on both.
struct CanvasColors
{
    bool dark = false;
    QColor background;
    QColor grid;
    QColor nodeBody;
    QColor nodeBorder;
    QColor text;
    QColor mutedText;
    QColor bubble;
    QColor bubbleBorder;
    QColor pinFill;

    // For the palette in use now.
    static CanvasColors current();
};

} // namespace Signalbox::Ui
