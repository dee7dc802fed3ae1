// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QDialog;

namespace Signalbox::Ui {

// Every dialog of the application opens at least wide enough for its title
// to show whole in the window manager's title bar (which adds its buttons).
class DialogTitles : public QObject
{
public:
    // Room the title bar takes besides the title: icon and buttons.
    static constexpr int kTitleBarExtra = 170;

    // Watches the whole application from now on.
    static void install();
    // The width `dialog` needs for its title.
    static int widthFor(const QDialog &dialog);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    using QObject::QObject;
};

} // namespace Signalbox::Ui
