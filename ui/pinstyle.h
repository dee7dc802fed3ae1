// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"

#include <QColor>
#include <QIcon>
#include <QPainterPath>
#include <QString>

namespace Signalbox::Ui {

// How a pin type looks on the canvas: a colour and a shape of its own, so
// that types differ also for people who do not tell the colours apart.
QColor pinColor(Model::PinType type);
// The pin's outline centred on (0, 0), `size` across.
QPainterPath pinShape(Model::PinType type, qreal size);

using Model::blockDisplayName;
// "BASIC" -> "Basic", "AI" -> "AI".
QString categoryDisplayName(const QString &category);
// A block category's mark in the palette: a rounded square of the
// category's colour with its initial.
QIcon categoryIcon(const QString &category);

} // namespace Signalbox::Ui
