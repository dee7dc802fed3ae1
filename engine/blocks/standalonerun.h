// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/value.h"

#include <QList>
#include <QString>

namespace Signalbox::Engine {

class BlockRegistry;
namespace Llm {
class Catalog;
}

struct StandaloneRun
{
    bool completed = false;
    // Every output in the order yielded.
    QList<std::pair<QString, Model::Value>> outputs;
    QString error;

    // {"status", "outputs": [[pin, value], ...], "error"} (DESIGN §6).
    Model::ValueMap toValue() const;
};

// Runs one block outside a graph through the full pipeline: dynamic inputs
// merged, nulls dropped, defaults applied, input validated, error yields
// failing it. Key-value data lives in memory for the one run. Language
// models are reached as `catalog` says (the built-in catalogue without one);
// models that need a key cannot run here: credentials belong to graph runs.
StandaloneRun runBlockStandalone(const BlockRegistry &registry, const QString &blockId,
                                 const Model::ValueMap &input,
                                 const Llm::Catalog *catalog = nullptr);

} // namespace Signalbox::Engine
