// SPDX-License-Identifier: GPL-3.0-or-later
#include "helpdialogs.h"

#include "graphdocument.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace Signalbox::Ui {

QDialog *graphDetailsDialog(GraphDocument *document, QWidget *parent)
{
    auto *dialog = new QDialog(parent);
    dialog->setObjectName(QStringLiteral("graphDetails"));
    dialog->setWindowTitle(QObject::tr("Graph Details"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *name = new QLineEdit(document->graph().name, dialog);
    name->setObjectName(QStringLiteral("graphName"));
    auto *description = new QPlainTextEdit(document->graph().description, dialog);
    description->setObjectName(QStringLiteral("graphDescription"));
    description->setTabChangesFocus(true);
    auto *form = new QFormLayout(dialog);
    form->addRow(QObject::tr("&Name:"), name);
    form->addRow(QObject::tr("&Description:"), description);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    QObject::connect(dialog, &QDialog::accepted, document,
                     [document, name, description] {
                         if (!name->text().trimmed().isEmpty())
                             document->setGraphInfo(name->text().trimmed(),
                                                    description->toPlainText());
                     });
    dialog->resize(480, 260);
    return dialog;
}

QDialog *guideDialog(QWidget *parent)
{
    auto *dialog = new QDialog(parent);
    dialog->setObjectName(QStringLiteral("guide"));
    dialog->setWindowTitle(QObject::tr("Signalbox User Guide"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(QStringLiteral("guideText"));
    text->setOpenExternalLinks(true);
    QFile guide(QStringLiteral(":/signalbox/README.md"));
    text->setMarkdown(guide.open(QIODevice::ReadOnly) ? QString::fromUtf8(guide.readAll())
                                                       : QObject::tr("The guide is missing from this build."));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(820, 640);
    return dialog;
}

QDialog *shortcutsDialog(const QList<QAction *> &actions, QWidget *parent)
{
    auto *dialog = new QDialog(parent);
    dialog->setObjectName(QStringLiteral("shortcuts"));
    dialog->setWindowTitle(QObject::tr("Keyboard Shortcuts"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *table = new QTableWidget(0, 2, dialog);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({QObject::tr("Action"), QObject::tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    QList<std::pair<QString, QString>> rows;
    for (QAction *each : actions) {
        if (each->shortcut().isEmpty())
            continue;
        QString text = each->text();
        text.remove(QLatin1Char('&'));
        text.remove(QStringLiteral("…"));
        rows.append({text, each->shortcut().toString(QKeySequence::NativeText)});
    }
    std::sort(rows.begin(), rows.end());
    // What no menu says: the canvas and the review dialog.
    rows.append({QObject::tr("Add a block at a point of the canvas"), QObject::tr("Double-click")});
    rows.append({QObject::tr("Link two pins"), QObject::tr("Drag from one pin to the other")});
    rows.append({QObject::tr("Add a linked block"), QObject::tr("Drag from a pin and let go on the canvas")});
    rows.append({QObject::tr("Approve in the review dialog"), QObject::tr("Ctrl+Enter")});
    for (const auto &[what, keys] : std::as_const(rows)) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(what));
        table->setItem(row, 1, new QTableWidgetItem(keys));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(table);
    layout->addWidget(buttons);
    dialog->resize(520, 560);
    return dialog;
}

} // namespace Signalbox::Ui
