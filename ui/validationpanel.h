// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/executor/validation.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace Signalbox::Engine {
class BlockRegistry;
}

namespace Signalbox::Ui {

class GraphDocument;

// What validating a document found: the problems a run would refuse it for
// (Engine::validateGraphForRun), and warnings that do not stop a run
// (Engine::loopWarnings).
struct DocumentCheck
{
    Engine::NodeErrors errors;
    Engine::NodeErrors warnings;
};

// Checks a whole graph as a run would, credentials against `credentials`.
DocumentCheck validateDocument(const GraphDocument &document,
                                  std::shared_ptr<const Engine::BlockRegistry> registry,
                                  const Engine::CredentialsLookup *credentials = nullptr);

// The problems of the last validation, one row per node and field;
// double-click or Enter on a row goes to its node.
class ValidationPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ValidationPanel(QWidget *parent = nullptr);

    // Problems first, then warnings (which do not stop a run).
    void showProblems(const GraphDocument &document, const Engine::NodeErrors &errors,
                      const Engine::NodeErrors &warnings = {});
    void clear();
    QTreeWidget *list() const { return m_list; }
    QLabel *summary() const { return m_summary; }

Q_SIGNALS:
    void nodeActivated(const QString &nodeId);

private:
    QLabel *m_summary;
    QTreeWidget *m_list;
};

} // namespace Signalbox::Ui
