// SPDX-License-Identifier: GPL-3.0-or-later
#include "commandpalette.h"

#include <QAction>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

CommandPalette::CommandPalette(const QList<QAction *> &actions, QWidget *parent)
    : QDialog(parent, Qt::Popup)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setAccessibleName(tr("Command palette"));
    for (QAction *action : actions)
        m_actions.append(action);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Type a command"));
    m_search->setAccessibleName(tr("Command"));
    m_list = new QListWidget(this);
    m_list->setAccessibleName(tr("Matching commands"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    resize(460, 360);
    connect(m_search, &QLineEdit::textChanged, this, &CommandPalette::filter);
    connect(m_list, &QListWidget::itemActivated, this, &CommandPalette::runCurrent);
    m_search->installEventFilter(this);
    filter(QString());
    m_search->setFocus();
}

void CommandPalette::filter(const QString &text)
{
    m_list->clear();
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (int i = 0; i < m_actions.size(); ++i) {
        QAction *action = m_actions.at(i);
        if (!action || !action->isEnabled())
            continue;
        const QString name = action->text().remove(QLatin1Char('&'));
        bool matches = true;
        for (const QString &word : words)
            matches = matches && name.contains(word, Qt::CaseInsensitive);
        if (!matches)
            continue;
        const QString shortcut = action->shortcut().toString(QKeySequence::NativeText);
        auto *item = new QListWidgetItem(
            shortcut.isEmpty() ? name : name + QStringLiteral("    ") + shortcut, m_list);
        item->setData(Qt::UserRole, i);
    }
    m_list->setCurrentRow(0);
}

void CommandPalette::runCurrent()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item)
        return;
    QPointer<QAction> action = m_actions.value(item->data(Qt::UserRole).toInt());
    close();
    if (action)
        action->trigger();
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Down:
            m_list->setCurrentRow(qMin(m_list->currentRow() + 1, m_list->count() - 1));
            return true;
        case Qt::Key_Up:
            m_list->setCurrentRow(qMax(m_list->currentRow() - 1, 0));
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            runCurrent();
            return true;
        default:
            break;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace Signalbox::Ui
