// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/execution.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Signalbox::Ui {

// One page of graph executions as a table: status, graph, started, duration,
// cost, node count.
class ExecutionsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Status, Graph, Started, Duration, Cost, Nodes, ColumnCount };
    static constexpr int ExecutionIdRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    // `rejected`: the runs that had a review rejected (a completed one is
    // listed as such, not as plainly completed).
    void setExecutions(QList<Model::GraphExecutionMeta> executions,
                       const QHash<QString, QString> &graphNames,
                       const QSet<QString> &rejected = {});
    const QList<Model::GraphExecutionMeta> &executions() const { return m_executions; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Model::GraphExecutionMeta> m_executions;
    QHash<QString, QString> m_graphNames;
    QSet<QString> m_rejected;
};

// The runs in the store, newest first, a page at a time, filtered by status.
// It shows what it is given; its owner reads the store.
class ExecutionsPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kPageSize = 50;

    explicit ExecutionsPanel(QWidget *parent = nullptr);

    ExecutionsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QComboBox *statusFilter() const { return m_status; }
    QPushButton *openOnCanvasButton() const { return m_openOnCanvas; }
    // The run selected in the table, or an empty id.
    QString selectedRun() const;
    int page() const { return m_page; }
    // Empty: every status.
    QList<Model::ExecutionStatus> statuses() const;
    QComboBox *graphFilter() const { return m_graph; }
    // Empty: every graph.
    QString graphId() const;
    // The graphs to choose from, by id.
    void setGraphs(const QHash<QString, QString> &graphNames);
    void setPage(const QList<Model::GraphExecutionMeta> &executions,
                 const QHash<QString, QString> &graphNames, int page, qint64 total,
                 const QSet<QString> &rejected = {});
    // What a node of the watched run is producing (a model's answer as it
    // streams in), under the runs, and what it produced once `done`; an
    // empty text hides it.
    void setLiveText(const QString &title, const QString &text, bool done = false);
    QLabel *liveTitle() const { return m_liveTitle; }
    QPlainTextEdit *liveText() const { return m_live; }

Q_SIGNALS:
    void refreshRequested();
    void executionActivated(const QString &graphExecId);
    // Show the run's data over its graph on the canvas.
    void openOnCanvasRequested(const QString &graphExecId);

private:
    ExecutionsModel *m_model;
    QTableView *m_table;
    QComboBox *m_status;
    QComboBox *m_graph;
    QPushButton *m_openOnCanvas;
    QPushButton *m_newer;
    QPushButton *m_older;
    QLabel *m_pageLabel;
    QLabel *m_liveTitle;
    QPlainTextEdit *m_live;
    int m_page = 1;
};

} // namespace Signalbox::Ui
