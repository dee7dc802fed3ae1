// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>

class QAction;
class QDialog;
class QWidget;

namespace Signalbox::Ui {

class GraphDocument;

// The dialogs of Help and File › Graph Details. Each deletes itself when
// closed; the caller shows it.

// The graph's name and description, applied to `document` as one edit.
QDialog *graphDetailsDialog(GraphDocument *document, QWidget *parent);
// The user guide: the README, as bundled.
QDialog *guideDialog(QWidget *parent);
// Every shortcut of `actions`, and the gestures no menu names.
QDialog *shortcutsDialog(const QList<QAction *> &actions, QWidget *parent);

} // namespace Signalbox::Ui
