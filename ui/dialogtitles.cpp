// SPDX-License-Identifier: GPL-3.0-or-later
#include "dialogtitles.h"

#include <QApplication>
#include <QDialog>
#include <QEvent>
#include <QFontMetrics>

namespace Signalbox::Ui {

void DialogTitles::install()
{
    static DialogTitles *watcher = nullptr;
    if (watcher || !qApp)
        return;
    watcher = new DialogTitles(qApp);
    qApp->installEventFilter(watcher);
}

int DialogTitles::widthFor(const QDialog &dialog)
{
    QFont title = QApplication::font();
    title.setBold(true);
    return QFontMetrics(title).horizontalAdvance(dialog.windowTitle()) + kTitleBarExtra;
}

bool DialogTitles::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Show && watched->isWidgetType()) {
        auto *dialog = qobject_cast<QDialog *>(watched);
        if (dialog && dialog->isWindow()) {
            const int wanted = qMin(widthFor(*dialog), 900);
            if (dialog->width() < wanted)
                dialog->resize(wanted, dialog->height());
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace Signalbox::Ui
