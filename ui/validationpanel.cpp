// SPDX-License-Identifier: GPL-3.0-or-later
#include "validationpanel.h"

#include "graphdocument.h"

#include "engine/executor/graphsnapshot.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

Engine::NodeErrors validateDocument(const GraphDocument &document,
                                    std::shared_ptr<const Engine::BlockRegistry> registry,
                                    const Engine::CredentialsStore *credentials)
{
    const Engine::GraphSnapshot snapshot(document.graph(), std::move(registry));
    return Engine::validateGraphForRun(snapshot, {}, credentials).errors;
}

ValidationPanel::ValidationPanel(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(tr("Validate the graph (F7) to check it before a run."), this);
    m_summary->setWordWrap(true);
    m_list = new QTreeWidget(this);
    m_list->setColumnCount(3);
    m_list->setHeaderLabels({tr("Node"), tr("Field"), tr("Problem")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->setAccessibleName(tr("Problems"));
    m_list->header()->setStretchLastSection(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_list);
    const auto activate = [this](QTreeWidgetItem *item) {
        Q_EMIT nodeActivated(item->data(0, Qt::UserRole).toString());
    };
    // Enter, and a double-click whatever the style says about activation.
    connect(m_list, &QTreeWidget::itemActivated, this, activate);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, activate);
}

void ValidationPanel::clear()
{
    m_list->clear();
    m_summary->setText(tr("Validate the graph (F7) to check it before a run."));
}

void ValidationPanel::showProblems(const GraphDocument &document, const Engine::NodeErrors &errors)
{
    m_list->clear();
    int count = 0;
    for (auto node = errors.cbegin(); node != errors.cend(); ++node) {
        for (auto field = node.value().cbegin(); field != node.value().cend(); ++field) {
            auto *item = new QTreeWidgetItem(
                m_list, {document.nodeTitle(node.key()), field.key(), field.value()});
            item->setData(0, Qt::UserRole, node.key());
            item->setToolTip(2, field.value());
            ++count;
        }
    }
    m_list->resizeColumnToContents(0);
    m_list->resizeColumnToContents(1);
    m_summary->setText(count == 0 ? tr("No problems: the graph is ready to run.")
                                  : tr("%n problem(s) on %1 node(s); double-click one to go "
                                       "to its node.",
                                       nullptr, count)
                                        .arg(errors.size()));
}

} // namespace Signalbox::Ui
