// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/graph.h"
#include "model/result.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace Signalbox::Engine {

class Database;

struct GraphSummary
{
    QString id;
    int version = 0;
    QString name;
    QString description;
    bool isActive = true;
    int nodeCount = 0;
    int linkCount = 0;
    QDateTime createdAt;
};

struct SavedGraph
{
    QString id;
    int version = 0;
    // False when an identical version was already stored.
    bool created = false;
    // The sub-graphs saved with it, in the order of Graph::subGraphs.
    QList<SavedGraph> subGraphs;
};

// Graphs and their versions. A graph is never changed in place: saving a
// graph whose content differs from its latest stored version stores a new
// version (latest + 1), which becomes the active one; saving an identical one
// stores nothing. Used from one thread, through its Database.
class GraphRepository
{
public:
    explicit GraphRepository(Database &db);

    // Saves the sub-graphs, then the graph, in one transaction.
    Result<SavedGraph> saveGraph(const Model::Graph &graph, const QString &userId);
    // A version of a graph (the latest when none is given). With
    // withSubGraphs, every graph it runs through its sub_graphs references,
    // transitively, is loaded into Graph::subGraphs.
    Result<Model::Graph> graph(const QString &id, std::optional<int> version = std::nullopt,
                               bool withSubGraphs = false);
    // The latest version of every graph, newest first.
    Result<QList<GraphSummary>> listGraphs();
    // Every stored version of a graph, oldest first.
    Result<QList<GraphSummary>> versions(const QString &id);

private:
    Result<SavedGraph> saveOne(const Model::Graph &graph, const QString &userId,
                               const QList<SavedGraph> &subGraphs);
    struct LoadedGraph
    {
        Model::Graph graph;
        QList<std::pair<QString, int>> subGraphRefs;
    };
    Result<LoadedGraph> loadOne(const QString &id, std::optional<int> version);
    Result<QList<GraphSummary>> summaries(const QString &sql, const QString &id);

    Database &m_db;
};

} // namespace Signalbox::Engine
