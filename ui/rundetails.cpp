// SPDX-License-Identifier: GPL-3.0-or-later
#include "rundetails.h"

#include "statuspalette.h"
#include "valuetext.h"

#include "engine/service/servicethread.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QToolTip>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

constexpr int kCellTextLimit = 200;

QString compact(const Model::ValueMap &map)
{
    if (map.isEmpty())
        return {};
    QString text = QString::fromUtf8(Model::toJson(map));
    if (text.size() > kCellTextLimit)
        text = text.left(kCellTextLimit) + QStringLiteral("…");
    return text;
}

} // namespace

void NodeExecutionsModel::setExecutions(QList<Model::NodeExecutionResult> executions,
                                        const QHash<QString, QString> &nodeTitles)
{
    beginResetModel();
    m_executions = std::move(executions);
    m_nodeTitles = nodeTitles;
    endResetModel();
}

int NodeExecutionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_executions.size());
}

int NodeExecutionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeExecutionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_executions.size())
        return {};
    const Model::NodeExecutionResult &exec = m_executions.at(index.row());
    if (role == NodeIdRole)
        return exec.nodeId;
    if (role == Qt::ForegroundRole && index.column() == Status)
        return statusColor(exec.status);
    if (role == Qt::ToolTipRole && (index.column() == Inputs || index.column() == Outputs)) {
        return QString::fromUtf8(
            Model::toJson(index.column() == Inputs ? exec.inputData : exec.outputData,
                          Model::JsonStyle::Indented));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Node:
        return m_nodeTitles.value(exec.nodeId, exec.nodeId);
    case Status:
        return statusLabel(exec.status);
    case Started:
        return exec.startTime.isValid() ? QLocale().toString(exec.startTime.toLocalTime().time(),
                                                             QStringLiteral("HH:mm:ss.zzz"))
                                        : QString();
    case Duration:
        return exec.startTime.isValid() && exec.endTime.isValid()
            ? tr("%1 ms").arg(exec.startTime.msecsTo(exec.endTime))
            : QString();
    case Cost:
        return exec.stats.cost;
    case Inputs:
        return compact(exec.inputData);
    case Outputs:
        return compact(exec.outputData);
    case Error:
        return exec.stats.error;
    default:
        return {};
    }
}

QVariant NodeExecutionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const QStringList headers = {tr("Node"), tr("Status"), tr("Started"), tr("Duration"),
                                        tr("Cost"), tr("Inputs"), tr("Outputs"), tr("Error")};
    return headers.value(section);
}

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent)
{
    setMinimumHeight(90);
    setAccessibleName(tr("Timeline of node executions"));
}

void TimelineView::setExecutions(const QList<Model::NodeExecutionResult> &executions,
                                 const QHash<QString, QString> &nodeTitles)
{
    m_bars.clear();
    m_firstMs = std::numeric_limits<qint64>::max();
    m_lastMs = 0;
    for (const Model::NodeExecutionResult &exec : executions) {
        if (!exec.startTime.isValid() || m_bars.size() >= kMaxBars)
            continue;
        const qint64 start = exec.startTime.toMSecsSinceEpoch();
        const qint64 end = exec.endTime.isValid() ? exec.endTime.toMSecsSinceEpoch() : start;
        m_bars.append({start, qMax(start, end), exec.status,
                       nodeTitles.value(exec.nodeId, exec.nodeId)});
        m_firstMs = qMin(m_firstMs, start);
        m_lastMs = qMax(m_lastMs, end);
    }
    // From the first to start at the top to the last at the bottom.
    std::stable_sort(m_bars.begin(), m_bars.end(),
                     [](const Bar &a, const Bar &b) { return a.startMs < b.startMs; });
    updateGeometry();
    update();
}

QSize TimelineView::sizeHint() const
{
    // A named row per bar, up to a height that leaves room for the table.
    const int rows = int(qMax<qsizetype>(1, m_bars.size()));
    return {400, qBound(90, rows * (fontMetrics().height() + 4) + kAxisHeight + 8, 260)};
}

QString TimelineView::barLabel(int index) const
{
    return index >= 0 && index < m_bars.size() ? m_bars.at(index).label : QString();
}

QString TimelineView::barToolTip(int index) const
{
    if (index < 0 || index >= m_bars.size())
        return {};
    const Bar &bar = m_bars.at(index);
    return tr("%1 · %2\nstarted at +%3, took %4")
        .arg(bar.label, statusLabel(bar.status), spanText(bar.startMs - m_firstMs),
             spanText(bar.endMs - bar.startMs));
}

QStringList TimelineView::axisLabels() const
{
    if (m_bars.isEmpty())
        return {};
    QStringList labels;
    const qint64 span = m_lastMs - m_firstMs;
    for (int tick = 0; tick <= kTicks; ++tick) {
        // A short run in fractions of a millisecond, so no two ticks read the same.
        if (span < 100 && tick > 0)
            labels.append(QStringLiteral("%1 ms").arg(double(span) * tick / kTicks, 0, 'f', 1));
        else
            labels.append(spanText(span * tick / kTicks));
    }
    return labels;
}

QRectF TimelineView::plotArea() const
{
    // Names on the left when each row has room for a line of text.
    const qreal rowHeight = m_bars.isEmpty() ? 0 : qreal(height() - kAxisHeight - 4) / m_bars.size();
    const qreal names = rowHeight >= fontMetrics().height() ? qMin<qreal>(180, width() * 0.3) : 0;
    return QRectF(names + 6, 4, qMax<qreal>(1, width() - names - 12),
                  qMax<qreal>(1, height() - kAxisHeight - 4));
}

int TimelineView::barAt(QPointF point) const
{
    const QRectF plot = plotArea();
    if (m_bars.isEmpty() || point.y() < plot.top() || point.y() >= plot.bottom())
        return -1;
    return qBound(0, int((point.y() - plot.top()) / (plot.height() / m_bars.size())),
                  int(m_bars.size()) - 1);
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString tip = barToolTip(barAt(help->pos()));
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    if (m_bars.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No node has run yet"));
        return;
    }
    const QRectF plot = plotArea();
    const qreal span = qMax<qint64>(1, m_lastMs - m_firstMs);
    const qreal rowHeight = plot.height() / m_bars.size();
    const QColor text = palette().color(QPalette::Text);
    const QColor grid = palette().color(QPalette::Mid);
    // The time axis: a tick and a label at each fifth of the run.
    const QStringList labels = axisLabels();
    for (int tick = 0; tick <= kTicks; ++tick) {
        const qreal x = plot.left() + plot.width() * tick / kTicks;
        painter.setPen(QPen(grid, 0, Qt::DotLine));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom() + 3));
        painter.setPen(text);
        const Qt::Alignment align = tick == 0 ? Qt::AlignLeft
            : tick == kTicks                  ? Qt::AlignRight
                                              : Qt::AlignHCenter;
        const QRectF box(tick == 0 ? x : tick == kTicks ? x - 100 : x - 50, plot.bottom() + 4, 100,
                         kAxisHeight - 4);
        painter.drawText(box, align | Qt::AlignTop, labels.at(tick));
    }
    for (qsizetype i = 0; i < m_bars.size(); ++i) {
        const Bar &bar = m_bars.at(i);
        const qreal y = plot.top() + i * rowHeight;
        const qreal x = plot.left() + (bar.startMs - m_firstMs) / span * plot.width();
        const qreal w = qMax<qreal>(2, (bar.endMs - bar.startMs) / span * plot.width());
        painter.fillRect(QRectF(x, y + (rowHeight > 6 ? 1 : 0), w,
                                qMax<qreal>(1, rowHeight - (rowHeight > 6 ? 2 : 1))),
                         statusColor(bar.status));
        if (plot.left() > 6) {
            painter.setPen(text);
            painter.drawText(QRectF(4, y, plot.left() - 10, rowHeight),
                             Qt::AlignRight | Qt::AlignVCenter,
                             fontMetrics().elidedText(bar.label, Qt::ElideRight,
                                                      int(plot.left() - 10)));
        }
    }
}

RunDetails::RunDetails(Engine::ServiceThread *service, const Model::GraphExecutionMeta &run,
                       const QString &graphName, const QHash<QString, QString> &nodeTitles,
                       const QList<Model::GraphExecutionMeta> &children, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("runDetails"));
    setWindowTitle(tr("Run of %1").arg(graphName));
    setAccessibleName(windowTitle());
    resize(960, 640);
    QString stats = tr("<b>%1</b> · %2 · run %3")
                        .arg(graphName.toHtmlEscaped(), statusLabel(run.status), run.id);
    if (run.startedAt.isValid()) {
        // As the list of runs says it: from the start to the end.
        stats += tr("<br>Started %1 · took %2")
                     .arg(dateTimeText(run.startedAt), runDuration(run));
    }
    if (run.stats) {
        stats += tr("<br>%1 node executions, %2 failed · %3 s running in the engine, %4 s CPU "
                    "in nodes · cost %5")
                     .arg(run.stats->nodeCount)
                     .arg(run.stats->nodeErrorCount)
                     .arg(run.stats->walltime, 0, 'f', 2)
                     .arg(run.stats->nodesCputime, 0, 'f', 3)
                     .arg(run.stats->cost);
        if (!run.stats->error.isEmpty())
            stats += QStringLiteral("<br>") + run.stats->error.toHtmlEscaped();
    }
    if (!run.parentGraphExecId.isEmpty())
        stats += tr("<br>Started by run <a href=\"%1\">%1</a>").arg(run.parentGraphExecId);
    for (const Model::GraphExecutionMeta &child : children) {
        stats += tr("<br>Started run <a href=\"%1\">%1</a> (%2)")
                     .arg(child.id, statusLabel(child.status));
    }
    auto *header = new QLabel(stats, this);
    header->setObjectName(QStringLiteral("runHeader"));
    connect(header, &QLabel::linkActivated, this,
            [this](const QString &id) { Q_EMIT runActivated(id); });
    header->setWordWrap(true);
    header->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_loading = new QLabel(tr("Reading the node executions…"), this);
    m_nodeFilter = new QComboBox(this);
    m_nodeFilter->setAccessibleName(tr("Show the executions of one node"));
    m_nodeFilter->addItem(tr("Every node"));
    for (auto it = nodeTitles.cbegin(); it != nodeTitles.cend(); ++it)
        m_nodeFilter->addItem(it.value(), it.key());
    m_model = new NodeExecutionsModel(this);
    m_filter = new QSortFilterProxyModel(this);
    m_filter->setSourceModel(m_model);
    m_filter->setFilterRole(NodeExecutionsModel::NodeIdRole);
    m_filter->setFilterKeyColumn(0);
    m_table = new QTableView(this);
    m_table->setModel(m_filter);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Node executions"));
    m_timeline = new TimelineView(this);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_timeline);
    split->addWidget(m_table);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *stop = buttons->addButton(tr("Stop"), QDialogButtonBox::ActionRole);
    auto *resume = buttons->addButton(tr("Resume"), QDialogButtonBox::ActionRole);
    auto *remove = buttons->addButton(tr("Delete"), QDialogButtonBox::DestructiveRole);
    auto *again = buttons->addButton(tr("Run Again"), QDialogButtonBox::ActionRole);
    auto *canvas = buttons->addButton(tr("Open on Canvas"), QDialogButtonBox::ActionRole);
    canvas->setObjectName(QStringLiteral("openOnCanvas"));
    again->setObjectName(QStringLiteral("runAgain"));
    stop->setObjectName(QStringLiteral("stopRun"));
    resume->setObjectName(QStringLiteral("resumeRun"));
    remove->setObjectName(QStringLiteral("deleteRun"));
    // Enter presses no action here: Close is the default, and Delete asks.
    for (QPushButton *button : {stop, resume, remove, again, canvas})
        button->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Close)->setDefault(true);
    // What the run's state allows: stop a run that is going or waits for a
    // review; resume one left going by a crash or stopped.
    const bool going = run.status == Model::ExecutionStatus::Queued
        || run.status == Model::ExecutionStatus::Running
        || run.status == Model::ExecutionStatus::Review;
    stop->setEnabled(going);
    resume->setEnabled(run.status == Model::ExecutionStatus::Queued
                       || run.status == Model::ExecutionStatus::Running
                       || run.status == Model::ExecutionStatus::Terminated);
    const QString id = run.id;
    connect(stop, &QPushButton::clicked, this, [this, id] { Q_EMIT stopRequested(id); });
    connect(resume, &QPushButton::clicked, this, [this, id] { Q_EMIT resumeRequested(id); });
    connect(remove, &QPushButton::clicked, this, [this, id] {
        auto *confirm = new QMessageBox(
            QMessageBox::Warning, tr("Delete run"),
            tr("Delete run %1 and its node executions? This cannot be undone.").arg(id),
            QMessageBox::Yes | QMessageBox::Cancel, this);
        confirm->setObjectName(QStringLiteral("deleteConfirm"));
        confirm->setAttribute(Qt::WA_DeleteOnClose);
        confirm->setDefaultButton(QMessageBox::Cancel);
        confirm->button(QMessageBox::Yes)->setText(tr("Delete"));
        connect(confirm, &QMessageBox::finished, this, [this, confirm, id] {
            if (confirm->clickedButton() == confirm->button(QMessageBox::Yes))
                Q_EMIT deleteRequested(id);
        });
        confirm->open();
    });
    connect(again, &QPushButton::clicked, this, [this, id] { Q_EMIT rerunRequested(id); });
    connect(canvas, &QPushButton::clicked, this, [this, id] {
        Q_EMIT openOnCanvasRequested(id);
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Node:"), this));
    filterRow->addWidget(m_nodeFilter, 1);
    filterRow->addWidget(m_loading);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(header);
    layout->addLayout(filterRow);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);

    connect(m_nodeFilter, &QComboBox::currentIndexChanged, this, [this] {
        const QString node = m_nodeFilter->currentData().toString();
        m_filter->setFilterRegularExpression(
            node.isEmpty() ? QString()
                           : QStringLiteral("^%1$").arg(QRegularExpression::escape(node)));
    });
    if (!service)
        return;
    service->call(
        this, [id = run.id](Engine::RunService &runs) { return runs.nodeExecutions(id); },
        [this, nodeTitles, split](Result<QList<Model::NodeExecutionResult>> found) {
            if (!found) {
                m_loading->setText(found.error().message);
                return;
            }
            m_loading->setText(tr("%n node execution(s)", nullptr, int(found->size())));
            m_timeline->setExecutions(*found, nodeTitles);
            // Room for a named row per node execution, within reason.
            const int timeline = m_timeline->sizeHint().height();
            const int total = split->height();
            split->setSizes({timeline, qMax(total - timeline, total / 2)});
            m_model->setExecutions(std::move(*found), nodeTitles);
            m_table->resizeColumnsToContents();
            Q_EMIT loaded();
        });
}

int RunDetails::visibleRows() const
{
    return m_filter->rowCount();
}

} // namespace Signalbox::Ui
