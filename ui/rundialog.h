// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/blockschema.h"
#include "model/graph.h"
#include "model/value.h"

#include <QDialog>
#include <QHash>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace Signalbox::Ui {

// Asks for a run's inputs, one field per input block of the graph (its value
// as JSON; a bare word is text), and its two safe-mode switches.
class RunDialog : public QDialog
{
    Q_OBJECT

public:
    RunDialog(const Model::Graph &graph, const Model::BlockSchemaLookup &blocks,
              const Model::ValueMap &previousInputs, bool hitlSafeMode, bool sensitiveSafeMode,
              QWidget *parent);

    Model::ValueMap inputs() const;
    bool hitlSafeMode() const;
    bool sensitiveSafeMode() const;
    // Queued for workers (signalbox worker) instead of run in this app.
    bool onWorkers() const;
    void setOnWorkers(bool onWorkers);
    QLineEdit *inputField(const QString &name) const { return m_fields.value(name); }

    void accept() override;

private:
    Model::Graph m_graph;
    const Model::BlockSchemaLookup &m_blocks;
    QLabel *m_problem;
    QHash<QString, QLineEdit *> m_fields;
    // The fields in the graph's order.
    QList<QLineEdit *> m_fieldOrder;
    QCheckBox *m_hitl;
    QCheckBox *m_sensitive;
    QCheckBox *m_onWorkers;
};

} // namespace Signalbox::Ui
