// SPDX-License-Identifier: GPL-3.0-or-later
#include "blockpalette.h"

#include "graphview.h"
#include "pinstyle.h"

#include "engine/blocks/blockregistry.h"

#include <functional>

#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

// Drags carry the block id.
class BlockItemModel : public QStandardItemModel
{
public:
    using QStandardItemModel::QStandardItemModel;

    QStringList mimeTypes() const override { return {QLatin1String(GraphView::kBlockMimeType)}; }

    QMimeData *mimeData(const QModelIndexList &indexes) const override
    {
        for (const QModelIndex &index : indexes) {
            const QString id = index.data(BlockIdRole).toString();
            if (id.isEmpty())
                continue;
            auto *data = new QMimeData;
            data->setData(QLatin1String(GraphView::kBlockMimeType), id.toUtf8());
            return data;
        }
        return nullptr;
    }
};

QStandardItem *blockItem(const Engine::BlockRegistry &registry, const Model::BlockSchema &schema)
{
    auto *item = new QStandardItem(categoryIcon(schema.categories.value(0, QStringLiteral("BASIC"))),
                                   blockDisplayName(schema));
    item->setData(schema.id, BlockIdRole);
    QString tip = schema.description;
    if (!registry.implementation(schema.id) && schema.type != Model::BlockType::Note)
        tip += QObject::tr("\n\nNot available in this version of Signalbox: it can be placed, "
                           "but a graph using it does not run.");
    item->setToolTip(tip);
    // Searched by name and category; the description is in the tooltip.
    item->setData(QString(schema.name + QLatin1Char(' ') + blockDisplayName(schema)
                          + QLatin1Char(' ') + schema.categories.join(QLatin1Char(' '))),
                  Qt::UserRole + 2);
    item->setEditable(false);
    item->setDragEnabled(true);
    item->setAccessibleText(blockDisplayName(schema));
    if (!registry.implementation(schema.id) && schema.type != Model::BlockType::Note)
        item->setForeground(QColor(0x90, 0x90, 0x90));
    return item;
}

// How well a block's name answers a search, lower is better: the name
// itself, a name that starts with it, a name that holds it, then names that
// only hold each word.
int searchRank(const QModelIndex &index, const QString &text)
{
    const QString name = index.data(Qt::AccessibleTextRole).toString();
    const QString wanted = text.simplified();
    if (name.compare(wanted, Qt::CaseInsensitive) == 0)
        return 0;
    if (name.startsWith(wanted, Qt::CaseInsensitive))
        return 1;
    if (name.contains(wanted, Qt::CaseInsensitive))
        return 2;
    return 3;
}

// Blocks whose name or category holds every word of the search, in any
// order; with `ranked`, the best answers first (a flat list).
class BlockSearch : public QSortFilterProxyModel
{
public:
    BlockSearch(QAbstractItemModel *model, bool ranked, QObject *parent)
        : QSortFilterProxyModel(parent)
        , m_ranked(ranked)
    {
        setSourceModel(model);
        setFilterRole(Qt::UserRole + 2);
        setFilterCaseSensitivity(Qt::CaseInsensitive);
        setRecursiveFilteringEnabled(true);
        if (ranked)
            sort(0);
    }

    void setSearchText(const QString &text)
    {
        m_text = text;
        QString pattern;
        for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts))
            pattern += QStringLiteral("(?=.*%1)").arg(QRegularExpression::escape(word));
        setFilterRegularExpression(
            QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption));
        if (m_ranked)
            invalidate();
    }

    // The block that answers the search best, in view order among equals.
    QModelIndex bestMatch() const
    {
        QModelIndex best;
        int bestRank = 4;
        std::function<void(const QModelIndex &)> visit = [&](const QModelIndex &parent) {
            for (int row = 0; row < rowCount(parent); ++row) {
                const QModelIndex child = index(row, 0, parent);
                if (child.data(BlockIdRole).toString().isEmpty()) {
                    visit(child);
                    continue;
                }
                const int rank = m_text.isEmpty() ? 3 : searchRank(child, m_text);
                if (rank < bestRank) {
                    best = child;
                    bestRank = rank;
                }
            }
        };
        visit({});
        return best;
    }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override
    {
        if (!m_text.isEmpty()) {
            const int a = searchRank(left, m_text);
            const int b = searchRank(right, m_text);
            if (a != b)
                return a < b;
        }
        return QString::localeAwareCompare(left.data().toString(), right.data().toString()) < 0;
    }

private:
    QString m_text;
    bool m_ranked;
};

} // namespace

BlockPalette::BlockPalette(const Engine::BlockRegistry &registry, QWidget *parent)
    : QWidget(parent)
{
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search blocks"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search blocks"));
    m_model = new BlockItemModel(this);
    QHash<QString, QStandardItem *> categories;
    for (const Model::BlockSchema &schema : registry.blocks()) {
        const QString category = schema.categories.value(0, QStringLiteral("BASIC"));
        QStandardItem *parentItem = categories.value(category);
        if (!parentItem) {
            parentItem = new QStandardItem(categoryIcon(category), categoryDisplayName(category));
            parentItem->setEditable(false);
            parentItem->setDragEnabled(false);
            parentItem->setData(category, Qt::UserRole + 2);
            QFont bold;
            bold.setBold(true);
            parentItem->setFont(bold);
            categories.insert(category, parentItem);
            m_model->appendRow(parentItem);
        }
        parentItem->appendRow(blockItem(registry, schema));
    }
    m_model->sort(0);
    for (QStandardItem *category : std::as_const(categories))
        category->sortChildren(0);
    m_filter = new BlockSearch(m_model, false, this);

    m_tree = new QTreeView(this);
    m_tree->setModel(m_filter);
    m_tree->setHeaderHidden(true);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setAccessibleName(tr("Blocks"));
    m_tree->expandAll();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_tree);

    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        auto *search = static_cast<BlockSearch *>(m_filter);
        search->setSearchText(text);
        m_tree->expandAll();
        if (const QModelIndex best = search->bestMatch(); best.isValid())
            m_tree->setCurrentIndex(best);
    });
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString id = index.data(BlockIdRole).toString();
        if (!id.isEmpty())
            Q_EMIT blockActivated(id);
    });
    m_search->installEventFilter(this);
}

QAbstractItemModel *BlockPalette::model() const
{
    return m_filter;
}

QStringList BlockPalette::visibleBlockIds() const
{
    QStringList ids;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const QModelIndex category = m_filter->index(row, 0);
        for (int child = 0; child < m_filter->rowCount(category); ++child)
            ids.append(m_filter->index(child, 0, category).data(BlockIdRole).toString());
    }
    return ids;
}

bool BlockPalette::eventFilter(QObject *watched, QEvent *event)
{
    // From the search field: Down goes to the list, Enter adds the first hit.
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Down) {
            m_tree->setFocus();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            const QString id = m_tree->currentIndex().data(BlockIdRole).toString();
            if (!id.isEmpty())
                Q_EMIT blockActivated(id);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QuickAddPopup::QuickAddPopup(const Engine::BlockRegistry &registry, QPointF scenePos,
                             QWidget *parent)
    : QFrame(parent, Qt::Popup)
    , m_scenePos(scenePos)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Quick add"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Add a block…"));
    m_search->setAccessibleName(tr("Block to add"));
    m_model = new QStandardItemModel(this);
    for (const Model::BlockSchema &schema : registry.blocks()) {
        QStandardItem *item = blockItem(registry, schema);
        item->setText(blockDisplayName(schema) + QStringLiteral("  —  ")
                      + categoryDisplayName(schema.categories.value(0)));
        m_model->appendRow(item);
    }
    m_filter = new BlockSearch(m_model, true, this);
    m_list = new QListView(this);
    m_list->setModel(m_filter);
    m_list->setAccessibleName(tr("Matching blocks"));
    m_list->setCurrentIndex(m_filter->index(0, 0));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(new QLabel(tr("Add block"), this));
    layout->addWidget(m_search);
    layout->addWidget(m_list);
    resize(340, 320);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        static_cast<BlockSearch *>(m_filter)->setSearchText(text);
        m_list->setCurrentIndex(m_filter->index(0, 0));
    });
    connect(m_list, &QListView::activated, this, &QuickAddPopup::choose);
    m_search->installEventFilter(this);
    m_search->setFocus();
}

QString QuickAddPopup::currentBlockId() const
{
    return m_list->currentIndex().data(BlockIdRole).toString();
}

void QuickAddPopup::choose()
{
    const QString id = currentBlockId();
    if (id.isEmpty())
        return;
    Q_EMIT blockChosen(id, m_scenePos);
    close();
}

bool QuickAddPopup::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const int row = m_list->currentIndex().row();
        switch (key->key()) {
        case Qt::Key_Down:
            m_list->setCurrentIndex(m_filter->index(qMin(row + 1, m_filter->rowCount() - 1), 0));
            return true;
        case Qt::Key_Up:
            m_list->setCurrentIndex(m_filter->index(qMax(row - 1, 0), 0));
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            choose();
            return true;
        case Qt::Key_Escape:
            close();
            return true;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace Signalbox::Ui
