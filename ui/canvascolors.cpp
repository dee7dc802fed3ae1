// SPDX-License-Identifier: GPL-3.0-or-later
#include "canvascolors.h"

#include <QGuiApplication>
#include <QPalette>

namespace Signalbox::Ui {

CanvasColors CanvasColors::current()
{
    const QPalette palette = QGuiApplication::palette();
    CanvasColors colors;
    colors.dark = palette.color(QPalette::Window).lightness() < 128;
    if (colors.dark) {
        colors.background = QColor(0x1e, 0x21, 0x24);
        colors.grid = QColor(0x3a, 0x40, 0x46);
        colors.nodeBody = QColor(0x2a, 0x2e, 0x33);
        colors.nodeBorder = QColor(0x4a, 0x54, 0x5c);
        colors.text = QColor(0xe6, 0xe9, 0xec);
        colors.mutedText = QColor(0x9a, 0xa7, 0xb0);
        colors.bubble = QColor(0x26, 0x2a, 0x2e);
        colors.bubbleBorder = QColor(0x55, 0x61, 0x6a);
        colors.pinFill = QColor(0x2a, 0x2e, 0x33);
    } else {
        colors.background = QColor(0xf4, 0xf6, 0xf8);
        colors.grid = QColor(0xc5, 0xcd, 0xd3);
        colors.nodeBody = QColor(0xfa, 0xfa, 0xfa);
        colors.nodeBorder = QColor(0xb0, 0xbe, 0xc5);
        colors.text = QColor(0x26, 0x32, 0x38);
        colors.mutedText = QColor(0x54, 0x6e, 0x7a);
        colors.bubble = QColor(0xf5, 0xf7, 0xf8);
        colors.bubbleBorder = QColor(0x90, 0xa4, 0xae);
        colors.pinFill = QColor(Qt::white);
    }
    return colors;
}

} // namespace Signalbox::Ui
