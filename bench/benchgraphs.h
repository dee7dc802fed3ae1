// SPDX-License-Identifier: GPL-3.0-or-later
// The graphs the engine benchmarks run: trivial blocks in large numbers.
#pragma once

#include "model/graph.h"

#include <QJsonObject>

namespace Signalbox::Bench {

inline const QString kInput = QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b");
inline const QString kStore = QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
inline const QString kStep = QStringLiteral("f66a3543-28d3-4ab5-8945-9b336371e2ce");
inline const QString kOutput = QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4");

inline Model::Node node(const QString &id, const QString &block, QJsonObject defaults = {})
{
    return {id, block, Model::fromQJson(defaults).toMap(), {}, {}};
}

inline Model::Link link(const QString &from, const QString &pin, const QString &to, const QString &sink)
{
    static int counter = 0;
    return {QStringLiteral("l%1").arg(++counter), from, pin, to, sink, false, {}};
}

inline Model::Graph chain(const QString &id, int count)
{
    Model::Graph graph;
    graph.id = id;
    graph.nodes.append(
        node(QStringLiteral("in"), kInput, {{QStringLiteral("name"), QStringLiteral("x")}}));
    QString previous = QStringLiteral("in");
    QString pin = QStringLiteral("result");
    for (int i = 0; i < count - 2; ++i) {
        const QString current = QStringLiteral("s%1").arg(i);
        graph.nodes.append(node(current, kStore));
        graph.links.append(link(previous, pin, current, QStringLiteral("input")));
        previous = current;
        pin = QStringLiteral("output");
    }
    graph.nodes.append(
        node(QStringLiteral("out"), kOutput, {{QStringLiteral("name"), QStringLiteral("y")}}));
    graph.links.append(link(previous, pin, QStringLiteral("out"), QStringLiteral("value")));
    return graph;
}

inline Model::Graph fanout(const QString &id)
{
    Model::Graph graph;
    graph.id = id;
    graph.nodes
        = {node(QStringLiteral("in"), kInput, {{QStringLiteral("name"), QStringLiteral("items")}}),
           node(QStringLiteral("step"), kStep), node(QStringLiteral("work"), kStore),
           node(QStringLiteral("out"), kOutput, {{QStringLiteral("name"), QStringLiteral("y")}})};
    graph.links = {link(QStringLiteral("in"), QStringLiteral("result"), QStringLiteral("step"),
                        QStringLiteral("items")),
                   link(QStringLiteral("step"), QStringLiteral("item"), QStringLiteral("work"),
                        QStringLiteral("input")),
                   link(QStringLiteral("work"), QStringLiteral("output"), QStringLiteral("out"),
                        QStringLiteral("value"))};
    return graph;
}

inline Model::Graph grid(const QString &id, int count)
{
    Model::Graph graph;
    graph.id = id;
    graph.nodes.append(
        node(QStringLiteral("in"), kInput, {{QStringLiteral("name"), QStringLiteral("x")}}));
    const int rows = 10;
    const int length = qMax(1, (count - 1) / rows);
    for (int row = 0; row < rows; ++row) {
        QString previous = QStringLiteral("in");
        QString pin = QStringLiteral("result");
        for (int column = 0; column < length; ++column) {
            const QString current = QStringLiteral("r%1c%2").arg(row).arg(column);
            graph.nodes.append(node(current, kStore));
            graph.links.append(link(previous, pin, current, QStringLiteral("input")));
            previous = current;
            pin = QStringLiteral("output");
        }
    }
    return graph;
}

} // namespace Signalbox::Bench
