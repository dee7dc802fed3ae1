// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/execution.h"

#include <QAbstractTableModel>
#include <QDialog>
#include <QHash>

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace Signalbox::Engine {
class ServiceThread;
}

namespace Signalbox::Ui {

// Every node execution of a run: node, status, times, cost, inputs,
// outputs, error.
class NodeExecutionsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Node, Status, Started, Duration, Cost, Inputs, Outputs, Error, ColumnCount };
    static constexpr int NodeIdRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    void setExecutions(QList<Model::NodeExecutionResult> executions,
                       const QHash<QString, QString> &nodeTitles);
    const QList<Model::NodeExecutionResult> &executions() const { return m_executions; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Model::NodeExecutionResult> m_executions;
    QHash<QString, QString> m_nodeTitles;
};

// A bar per node execution from its start to its end, on one time axis.
class TimelineView : public QWidget
{
    Q_OBJECT

public:
    // Bars drawn at most; a larger run shows its first ones.
    static constexpr int kMaxBars = 2000;
    // The axis is cut into this many equal spans, each end labelled.
    static constexpr int kTicks = 4;

    explicit TimelineView(QWidget *parent = nullptr);
    // One bar per node execution, named by its node's title.
    void setExecutions(const QList<Model::NodeExecutionResult> &executions,
                       const QHash<QString, QString> &nodeTitles = {});
    int barCount() const { return int(m_bars.size()); }
    // Bars run from the first execution to start to the last.
    QString barLabel(int index) const;
    QSize sizeHint() const override;
    // "Node · Completed, started at +12 ms, took 3 ms": shown on hover.
    QString barToolTip(int index) const;
    // The time at each tick of the axis, from "0 ms" to the run's span.
    QStringList axisLabels() const;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    static constexpr int kAxisHeight = 18;
    QRectF plotArea() const;
    int barAt(QPointF point) const;

    struct Bar
    {
        qint64 startMs;
        qint64 endMs;
        Model::ExecutionStatus status;
        QString label;
    };
    QList<Bar> m_bars;
    qint64 m_firstMs = 0;
    qint64 m_lastMs = 0;
};

// One run: its stats, a timeline and every node execution, which a node
// filter narrows to one node's executions. The node executions are read off
// the GUI thread; a large run shows progress meanwhile.
class RunDetails : public QDialog
{
    Q_OBJECT

public:
    // `children` are the runs this run started (its sub-graphs).
    // Node executions are read through `service`.
    RunDetails(Engine::ServiceThread *service, const Model::GraphExecutionMeta &run,
               const QString &graphName, const QHash<QString, QString> &nodeTitles,
               const QList<Model::GraphExecutionMeta> &children, QWidget *parent);

    NodeExecutionsModel *model() const { return m_model; }
    QComboBox *nodeFilter() const { return m_nodeFilter; }
    QTableView *table() const { return m_table; }
    TimelineView *timeline() const { return m_timeline; }
    // Rows the table shows after the node filter.
    int visibleRows() const;

Q_SIGNALS:
    void loaded();
    void stopRequested(const QString &graphExecId);
    void resumeRequested(const QString &graphExecId);
    void deleteRequested(const QString &graphExecId);
    void rerunRequested(const QString &graphExecId);
    void openOnCanvasRequested(const QString &graphExecId);
    void runActivated(const QString &graphExecId);

private:
    NodeExecutionsModel *m_model;
    QSortFilterProxyModel *m_filter;
    QTableView *m_table;
    TimelineView *m_timeline;
    QComboBox *m_nodeFilter;
    QLabel *m_loading;
};

} // namespace Signalbox::Ui
