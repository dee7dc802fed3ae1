// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QListWidget;

namespace Signalbox::Ui {

class GraphDocument;

// Linking from the keyboard: for the selected nodes, every link that could
// be made between two of them (Enter makes it) and every link they already
// have (Delete removes it).
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(GraphDocument *document, const QStringList &nodeIds, QWidget *parent);

    QListWidget *list() const { return m_list; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fill();
    void activate();
    void removeCurrent();

    GraphDocument *m_document;
    QStringList m_nodeIds;
    QListWidget *m_list;
};

} // namespace Signalbox::Ui
