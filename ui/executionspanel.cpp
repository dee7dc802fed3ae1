// SPDX-License-Identifier: GPL-3.0-or-later
#include "executionspanel.h"

#include "valuetext.h"

#include "statuspalette.h"

#include <QColor>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace Signalbox::Ui {

void ExecutionsModel::setExecutions(QList<Model::GraphExecutionMeta> executions,
                                    const QHash<QString, QString> &graphNames,
                                    const QSet<QString> &rejected)
{
    beginResetModel();
    m_executions = std::move(executions);
    m_graphNames = graphNames;
    m_rejected = rejected;
    endResetModel();
}

int ExecutionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_executions.size());
}

int ExecutionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExecutionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_executions.size())
        return {};
    const Model::GraphExecutionMeta &run = m_executions.at(index.row());
    if (role == ExecutionIdRole)
        return run.id;
    const bool rejected
        = run.status == Model::ExecutionStatus::Completed && m_rejected.contains(run.id);
    if (role == Qt::ForegroundRole && index.column() == Status)
        return rejected ? QColor(0xb2, 0x6a, 0x00) : statusColor(run.status);
    if (role == Qt::ToolTipRole)
        return run.id;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Status:
        return rejected ? tr("Completed, review rejected") : statusLabel(run.status);
    case Graph:
        return QStringLiteral("%1 v%2")
            .arg(m_graphNames.value(run.graphId, run.graphId))
            .arg(run.graphVersion);
    case Started:
        return dateTimeText(run.startedAt.isValid() ? run.startedAt : run.createdAt);
    case Duration:
        return runDuration(run);
    case Cost:
        return run.stats ? QVariant(run.stats->cost) : QVariant();
    case Nodes:
        return run.stats ? QVariant(run.stats->nodeCount) : QVariant();
    default:
        return {};
    }
}

QVariant ExecutionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Status:
        return tr("Status");
    case Graph:
        return tr("Graph");
    case Started:
        return tr("Started");
    case Duration:
        return tr("Duration");
    case Cost:
        return tr("Cost");
    case Nodes:
        return tr("Nodes");
    default:
        return {};
    }
}

ExecutionsPanel::ExecutionsPanel(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Execution monitor"));
    m_model = new ExecutionsModel(this);
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ExecutionsModel::Graph, QHeaderView::Stretch);
    m_table->setAccessibleName(tr("Runs"));
    m_status = new QComboBox(this);
    m_status->setAccessibleName(tr("Show runs by status"));
    m_status->addItem(tr("All runs"));
    for (const Model::ExecutionStatus status :
         {Model::ExecutionStatus::Running, Model::ExecutionStatus::Review,
          Model::ExecutionStatus::Queued, Model::ExecutionStatus::Completed,
          Model::ExecutionStatus::Failed, Model::ExecutionStatus::Terminated}) {
        m_status->addItem(statusLabel(status), int(status));
    }
    m_graph = new QComboBox(this);
    m_graph->setAccessibleName(tr("Show runs of one graph"));
    m_graph->addItem(tr("All graphs"));
    m_graph->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_newer = new QPushButton(tr("Newer"), this);
    m_older = new QPushButton(tr("Older"), this);
    m_pageLabel = new QLabel(this);
    m_pageLabel->setAccessibleName(tr("Page"));
    m_openOnCanvas = new QPushButton(tr("Open on Canvas"), this);
    m_openOnCanvas->setObjectName(QStringLiteral("openOnCanvas"));
    m_openOnCanvas->setToolTip(tr("Show the selected run's data on its graph: each node's "
                                  "outputs and errors, and the values on each link"));
    m_openOnCanvas->setEnabled(false);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_status);
    bar->addWidget(m_graph);
    bar->addWidget(m_openOnCanvas);
    bar->addStretch();
    bar->addWidget(m_newer);
    bar->addWidget(m_pageLabel);
    bar->addWidget(m_older);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_table);
    m_liveTitle = new QLabel(this);
    m_liveTitle->setObjectName(QStringLiteral("liveTitle"));
    m_live = new QPlainTextEdit(this);
    m_live->setObjectName(QStringLiteral("liveText"));
    m_live->setReadOnly(true);
    m_live->setAccessibleName(tr("Live output"));
    m_live->setMaximumHeight(140);
    m_liveTitle->hide();
    m_live->hide();
    layout->addWidget(m_liveTitle);
    layout->addWidget(m_live);

    connect(m_status, &QComboBox::currentIndexChanged, this, [this] {
        m_page = 1;
        Q_EMIT refreshRequested();
    });
    connect(m_graph, &QComboBox::currentIndexChanged, this, [this] {
        m_page = 1;
        Q_EMIT refreshRequested();
    });
    connect(m_newer, &QPushButton::clicked, this, [this] {
        m_page = qMax(1, m_page - 1);
        Q_EMIT refreshRequested();
    });
    connect(m_older, &QPushButton::clicked, this, [this] {
        ++m_page;
        Q_EMIT refreshRequested();
    });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT executionActivated(index.data(ExecutionsModel::ExecutionIdRole).toString());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_openOnCanvas->setEnabled(!selectedRun().isEmpty()); });
    connect(m_openOnCanvas, &QPushButton::clicked, this, [this] {
        if (const QString run = selectedRun(); !run.isEmpty())
            Q_EMIT openOnCanvasRequested(run);
    });
    // A run's menu: its details, or its data on the canvas.
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](QPoint at) {
        const QModelIndex index = m_table->indexAt(at);
        if (!index.isValid())
            return;
        const QString run = index.data(ExecutionsModel::ExecutionIdRole).toString();
        QMenu menu(this);
        menu.addAction(tr("Details…"), this, [this, run] { Q_EMIT executionActivated(run); });
        menu.addAction(tr("Open on Canvas"), this,
                       [this, run] { Q_EMIT openOnCanvasRequested(run); });
        menu.exec(m_table->viewport()->mapToGlobal(at));
    });
    setPage({}, {}, 1, 0);
}

QString ExecutionsPanel::selectedRun() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString()
                          : rows.first().data(ExecutionsModel::ExecutionIdRole).toString();
}

QList<Model::ExecutionStatus> ExecutionsPanel::statuses() const
{
    const QVariant status = m_status->currentData();
    if (!status.isValid())
        return {};
    return {Model::ExecutionStatus(status.toInt())};
}

QString ExecutionsPanel::graphId() const
{
    return m_graph->currentData().toString();
}

void ExecutionsPanel::setGraphs(const QHash<QString, QString> &graphNames)
{
    const QSignalBlocker quiet(m_graph);
    const QString current = graphId();
    for (auto it = graphNames.cbegin(); it != graphNames.cend(); ++it) {
        if (m_graph->findData(it.key()) < 0)
            m_graph->addItem(it.value(), it.key());
    }
    m_graph->setCurrentIndex(qMax(0, m_graph->findData(current)));
}

void ExecutionsPanel::setPage(const QList<Model::GraphExecutionMeta> &executions,
                              const QHash<QString, QString> &graphNames, int page, qint64 total,
                              const QSet<QString> &rejected)
{
    m_page = page;
    const QString selected
        = m_table->currentIndex().data(ExecutionsModel::ExecutionIdRole).toString();
    m_model->setExecutions(executions, graphNames, rejected);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->executions().at(row).id == selected)
            m_table->selectRow(row);
    }
    const qint64 pages = qMax<qint64>(1, (total + kPageSize - 1) / kPageSize);
    m_pageLabel->setText(tr("Page %1 of %2 (%n run(s))", nullptr, int(total)).arg(page).arg(pages));
    m_newer->setEnabled(page > 1);
    m_older->setEnabled(page < pages);
}

void ExecutionsPanel::setLiveText(const QString &title, const QString &text, bool done)
{
    m_liveTitle->setVisible(!text.isEmpty());
    m_live->setVisible(!text.isEmpty());
    m_liveTitle->setText(done ? tr("Answer of %1").arg(title) : tr("Live: %1").arg(title));
    if (m_live->toPlainText() == text)
        return;
    m_live->setPlainText(text);
    m_live->moveCursor(QTextCursor::End);
    m_live->ensureCursorVisible();
}

} // namespace Signalbox::Ui
