// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphvalidation.h"

namespace Signalbox::Model {

namespace {

void collect(const Graph &graph, const BlockSchemaLookup &blocks, const QString &prefix,
             QStringList &problems)
{
    for (qsizetype i = 0; i < graph.nodes.size(); ++i) {
        const Node &node = graph.nodes.at(i);
        if (!blocks.schema(node.blockId)) {
            problems.append(QStringLiteral("%1nodes[%2] (node %3): unknown block \"%4\"")
                                .arg(prefix)
                                .arg(i)
                                .arg(node.id, node.blockId));
        }
    }
}

} // namespace

QStringList unknownBlockProblems(const Graph &graph, const BlockSchemaLookup &blocks)
{
    QStringList problems;
    collect(graph, blocks, QString(), problems);
    for (size_t i = 0; i < graph.subGraphs.size(); ++i)
        collect(graph.subGraphs.at(i), blocks, QStringLiteral("sub_graphs[%1].").arg(i), problems);
    return problems;
}

namespace {

bool isBlank(const Value &value)
{
    return value.isNull() || value.isUndefined() || (value.isString() && value.toString().isEmpty());
}

} // namespace

QStringList missingGraphInputs(const Graph &graph, const BlockSchemaLookup &blocks,
                               const ValueMap &inputs)
{
    QStringList missing;
    for (const Node &node : graph.nodes) {
        const BlockSchema *schema = blocks.schema(node.blockId);
        if (!schema || schema->type != BlockType::Input
            || node.metadata.value(QLatin1String("muted")).toBool())
            continue;
        const QString name = node.inputDefault.value(QLatin1String("name")).toString();
        if (name.isEmpty() || missing.contains(name))
            continue;
        if (!isBlank(node.inputDefault.value(QLatin1String("value"))))
            continue;
        if (isBlank(inputs.value(name)))
            missing.append(name);
    }
    return missing;
}

QString missingGraphInputsMessage(const QStringList &names)
{
    QStringList quoted;
    for (const QString &name : names)
        quoted.append(QStringLiteral("\"%1\"").arg(name));
    return names.size() == 1
        ? QStringLiteral("Missing graph input %1: it has no default, so the run needs a value")
              .arg(quoted.first())
        : QStringLiteral("Missing graph inputs %1: they have no default, so the run needs values")
              .arg(quoted.join(QLatin1String(", ")));
}

} // namespace Signalbox::Model
