// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/graph.h"

#include <QDialog>
#include <QPointer>

class QListWidget;

namespace Signalbox::Engine {
class ServiceThread;
}

namespace Signalbox::Ui {

// The versions of a graph stored in the library, newest first; Open reads
// the chosen one (through the service) and hands it over as versionOpened.
class VersionsDialog : public QDialog
{
    Q_OBJECT

public:
    VersionsDialog(Engine::ServiceThread *service, const QString &graphId,
                   const QString &graphName, QWidget *parent);

    QListWidget *list() const { return m_list; }

Q_SIGNALS:
    void versionOpened(const Signalbox::Model::Graph &graph);
    void failed(const QString &title, const QString &text);
    // The versions are listed.
    void loaded();

private:
    void openCurrent();

    QPointer<Engine::ServiceThread> m_service;
    QString m_graphId;
    QListWidget *m_list;
    bool m_opening = false;
};

} // namespace Signalbox::Ui
