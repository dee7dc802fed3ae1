// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractItemModel>
#include <QFrame>
#include <QPointF>
#include <QWidget>

class QLineEdit;
class QListView;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTreeView;

namespace Signalbox::Engine {
class BlockRegistry;
}

namespace Signalbox::Ui {

// Item data role holding a block id in the block models.
inline constexpr int BlockIdRole = Qt::UserRole + 1;

// The blocks by category, searchable by name, description and category.
// Blocks are dragged onto the canvas (as GraphView::kBlockMimeType) or
// activated with Enter or a double-click.
class BlockPalette : public QWidget
{
    Q_OBJECT

public:
    explicit BlockPalette(const Engine::BlockRegistry &registry, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QTreeView *tree() const { return m_tree; }
    QAbstractItemModel *model() const;
    // The ids of the blocks the search leaves visible, in view order.
    QStringList visibleBlockIds() const;

Q_SIGNALS:
    void blockActivated(const QString &blockId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLineEdit *m_search;
    QTreeView *m_tree;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_filter;
};

// The search that a double-click on the canvas opens at the cursor: type,
// pick with the arrows, Enter adds the block there, Escape closes.
class QuickAddPopup : public QFrame
{
    Q_OBJECT

public:
    QuickAddPopup(const Engine::BlockRegistry &registry, QPointF scenePos, QWidget *parent);

    QLineEdit *searchField() const { return m_search; }
    QListView *list() const { return m_list; }
    QString currentBlockId() const;

Q_SIGNALS:
    void blockChosen(const QString &blockId, QPointF scenePos);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void choose();

    QPointF m_scenePos;
    QLineEdit *m_search;
    QListView *m_list;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_filter;
};

} // namespace Signalbox::Ui
