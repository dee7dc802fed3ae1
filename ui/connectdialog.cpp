// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectdialog.h"

#include "graphdocument.h"

#include <QDialogButtonBox>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

// Item data: the new link's ends, or an existing link's id.
constexpr int kSourceRole = Qt::UserRole + 1;
constexpr int kSourcePinRole = Qt::UserRole + 2;
constexpr int kSinkRole = Qt::UserRole + 3;
constexpr int kSinkPinRole = Qt::UserRole + 4;
constexpr int kLinkRole = Qt::UserRole + 5;

} // namespace

ConnectDialog::ConnectDialog(GraphDocument *document, const QStringList &nodeIds, QWidget *parent)
    : QDialog(parent)
    , m_document(document)
    , m_nodeIds(nodeIds)
{
    setWindowTitle(tr("Links"));
    setAccessibleName(tr("Links of the selected nodes"));
    auto *help = new QLabel(tr("Enter links the chosen pins; Delete removes a link."), this);
    m_list = new QListWidget(this);
    m_list->setAccessibleName(tr("Links"));
    m_list->installEventFilter(this);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(help);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemActivated, this, &ConnectDialog::activate);
    resize(520, 420);
    fill();
}

void ConnectDialog::fill()
{
    const int row = m_list->currentRow();
    m_list->clear();
    for (const QString &source : std::as_const(m_nodeIds)) {
        const Model::BlockSchema *sourceSchema = m_document->schemaOf(source);
        if (!sourceSchema)
            continue;
        for (const QString &sink : std::as_const(m_nodeIds)) {
            const Model::BlockSchema *sinkSchema = m_document->schemaOf(sink);
            if (source == sink || !sinkSchema)
                continue;
            for (const Model::PinSpec &output : sourceSchema->outputs) {
                for (const Model::PinSpec &input : sinkSchema->inputs) {
                    if (output.hidden || input.hidden
                        || !m_document->linkProblem(source, output.name, sink, input.name)
                                .isEmpty())
                        continue;
                    auto *item
                        = new QListWidgetItem(tr("Link %1 · %2  →  %3 · %4")
                                                  .arg(m_document->nodeTitle(source), output.name,
                                                       m_document->nodeTitle(sink), input.name),
                                              m_list);
                    item->setData(kSourceRole, source);
                    item->setData(kSourcePinRole, output.name);
                    item->setData(kSinkRole, sink);
                    item->setData(kSinkPinRole, input.name);
                }
            }
        }
    }
    for (const QString &node : std::as_const(m_nodeIds)) {
        for (const Model::Link *link : m_document->linksOf(node)) {
            if (link->sourceId != node && m_nodeIds.contains(link->sourceId))
                continue; // listed once, from its source
            auto *item = new QListWidgetItem(
                tr("Linked: %1 · %2  →  %3 · %4")
                    .arg(m_document->nodeTitle(link->sourceId), link->sourceName,
                         m_document->nodeTitle(link->sinkId), link->sinkName),
                m_list);
            item->setData(kLinkRole, link->id);
            QFont italic = item->font();
            italic.setItalic(true);
            item->setFont(italic);
        }
    }
    m_list->setCurrentRow(qBound(0, row, m_list->count() - 1));
}

void ConnectDialog::activate()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item || item->data(kLinkRole).isValid())
        return;
    const auto added = m_document->addLink(
        item->data(kSourceRole).toString(), item->data(kSourcePinRole).toString(),
        item->data(kSinkRole).toString(), item->data(kSinkPinRole).toString());
    Q_UNUSED(added);
    fill();
}

void ConnectDialog::removeCurrent()
{
    QListWidgetItem *item = m_list->currentItem();
    if (!item || !item->data(kLinkRole).isValid())
        return;
    m_document->remove({}, {item->data(kLinkRole).toString()});
    fill();
}

bool ConnectDialog::eventFilter(QObject *watched, QEvent *event)
{
    const bool key = event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride;
    if (watched == m_list && key && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Delete) {
        // Delete belongs to the list here, not to the window's Delete command.
        if (event->type() == QEvent::ShortcutOverride) {
            event->accept();
            return true;
        }
        if (event->type() == QEvent::KeyPress) {
            removeCurrent();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

} // namespace Signalbox::Ui
