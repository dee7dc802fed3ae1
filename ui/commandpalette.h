// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QPointer>

class QAction;
class QLineEdit;
class QListWidget;

namespace Signalbox::Ui {

// Every action of the window, searchable by name; Enter runs the chosen one.
class CommandPalette : public QDialog
{
    Q_OBJECT

public:
    CommandPalette(const QList<QAction *> &actions, QWidget *parent);

    QLineEdit *searchField() const { return m_search; }
    QListWidget *list() const { return m_list; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void filter(const QString &text);
    void runCurrent();

    QList<QPointer<QAction>> m_actions;
    QLineEdit *m_search;
    QListWidget *m_list;
};

} // namespace Signalbox::Ui
