// SPDX-License-Identifier: GPL-3.0-or-later
#include "validationpanel.h"

#include "graphdocument.h"

#include "engine/executor/graphsnapshot.h"

#include <QHeaderView>
#include <QLabel>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

DocumentCheck validateDocument(const GraphDocument &document,
                               std::shared_ptr<const Engine::BlockRegistry> registry,
                               const Engine::CredentialsLookup *credentials)
{
    const Engine::GraphSnapshot snapshot(document.graph(), std::move(registry));
    return {Engine::validateGraphForRun(snapshot, {}, credentials).errors,
            Engine::graphWarnings(snapshot)};
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

void ValidationPanel::showProblems(const GraphDocument &document, const Engine::NodeErrors &errors,
                                   const Engine::NodeErrors &warnings)
{
    m_list->clear();
    int count = 0;
    int warningCount = 0;
    const auto list = [&](const Engine::NodeErrors &found, bool warning) {
        for (auto node = found.cbegin(); node != found.cend(); ++node) {
            for (auto field = node.value().cbegin(); field != node.value().cend(); ++field) {
                const QString text
                    = warning ? tr("Warning: %1").arg(field.value()) : field.value();
                auto *item
                    = new QTreeWidgetItem(m_list, {document.nodeTitle(node.key()), field.key(), text});
                item->setData(0, Qt::UserRole, node.key());
                item->setToolTip(2, text);
                item->setIcon(0, style()->standardIcon(warning ? QStyle::SP_MessageBoxWarning
                                                               : QStyle::SP_MessageBoxCritical));
                ++(warning ? warningCount : count);
            }
        }
    };
    list(errors, false);
    list(warnings, true);
    m_list->resizeColumnToContents(0);
    m_list->resizeColumnToContents(1);
    if (count == 0 && warningCount == 0)
        m_summary->setText(tr("No problems: the graph is ready to run."));
    else if (count == 0)
        m_summary->setText(tr("The graph can run, with %n warning(s); double-click one to go to "
                              "its node.",
                              nullptr, warningCount));
    else
        m_summary->setText(tr("%n problem(s) on %1 node(s); double-click one to go to its node.",
                              nullptr, count)
                               .arg(errors.size()));
}

} // namespace Signalbox::Ui
