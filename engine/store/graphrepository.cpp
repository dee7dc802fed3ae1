// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphrepository.h"

#include "model/stringkey.h"

#include "database.h"

#include <QJsonArray>
#include <QSet>
#include <QSqlError>

namespace Signalbox::Engine {

using namespace StoreFormat;

GraphRepository::GraphRepository(Database &db)
    : m_db(db)
{ }

Result<SavedGraph> GraphRepository::saveGraph(const Model::Graph &graph, const QString &userId)
{
    WriteTransaction transaction(m_db);
    if (auto ok = transaction.begin(); !ok)
        return ok.error();
    QList<SavedGraph> savedSubGraphs;
    for (const Model::Graph &subGraph : graph.subGraphs) {
        auto saved = saveOne(subGraph, userId, {});
        if (!saved)
            return saved.error();
        savedSubGraphs.append(*saved);
    }
    auto saved = saveOne(graph, userId, savedSubGraphs);
    if (!saved)
        return saved;
    if (auto ok = transaction.commit(); !ok)
        return ok.error();
    return saved;
}

Result<SavedGraph> GraphRepository::saveOne(const Model::Graph &graph, const QString &userId,
                                            const QList<SavedGraph> &subGraphs)
{
    const QString doing = QStringLiteral("saving graph %1").arg(graph.id);
    QJsonArray subGraphRefs;
    for (const SavedGraph &sub : subGraphs)
        subGraphRefs.append(QJsonArray {sub.id, sub.version});

    int version = graph.version;
    auto latest = loadOne(graph.id, std::nullopt);
    if (latest) {
        if (latest->graph.sameContentAs(graph)) {
            SavedGraph unchanged {graph.id, latest->graph.version, false, subGraphs};
            return unchanged;
        }
        version = latest->graph.version + 1;
        auto deactivate
            = m_db.prepare(QStringLiteral("UPDATE graphs SET is_active = 0 WHERE id = ?"));
        if (!deactivate)
            return deactivate.error();
        (*deactivate)->addBindValue(graph.id);
        if (!(*deactivate)->exec())
            return m_db.storageError((*deactivate)->lastError(), doing);
    } else if (latest.error().code != ErrorCode::NotFound) {
        return latest.error();
    }

    auto insertGraph
        = m_db.prepare(QStringLiteral("INSERT INTO graphs (id, version, user_id, name, "
                                      "description, is_active, extra, sub_graphs, created_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!insertGraph)
        return insertGraph.error();
    QSqlQuery *query = *insertGraph;
    query->addBindValue(graph.id);
    query->addBindValue(version);
    query->addBindValue(userId);
    query->addBindValue(textOrEmpty(graph.name));
    query->addBindValue(textOrEmpty(graph.description));
    query->addBindValue(flag(latest || graph.isActive));
    query->addBindValue(jsonToText(graph.extra));
    query->addBindValue(jsonToText(QJsonValue(subGraphRefs)));
    query->addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!query->exec())
        return m_db.storageError(query->lastError(), doing);

    auto insertNode
        = m_db.prepare(QStringLiteral("INSERT INTO nodes (graph_id, graph_version, id, position, "
                                      "block_id, input_default, metadata, extra)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!insertNode)
        return insertNode.error();
    for (qsizetype i = 0; i < graph.nodes.size(); ++i) {
        const Model::Node &node = graph.nodes.at(i);
        QSqlQuery *q = *insertNode;
        q->addBindValue(graph.id);
        q->addBindValue(version);
        q->addBindValue(node.id);
        q->addBindValue(qint64(i));
        q->addBindValue(textOrEmpty(node.blockId));
        q->addBindValue(valueToText(node.inputDefault));
        q->addBindValue(valueToText(node.metadata));
        q->addBindValue(jsonToText(node.extra));
        if (!q->exec())
            return m_db.storageError(q->lastError(), doing);
    }

    auto insertLink = m_db.prepare(QStringLiteral(
        "INSERT INTO links (graph_id, graph_version, id, position, source_id, source_name, sink_id,"
        " sink_name, is_static, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!insertLink)
        return insertLink.error();
    for (qsizetype i = 0; i < graph.links.size(); ++i) {
        const Model::Link &link = graph.links.at(i);
        QSqlQuery *q = *insertLink;
        q->addBindValue(graph.id);
        q->addBindValue(version);
        q->addBindValue(link.id);
        q->addBindValue(qint64(i));
        q->addBindValue(textOrEmpty(link.sourceId));
        q->addBindValue(textOrEmpty(link.sourceName));
        q->addBindValue(textOrEmpty(link.sinkId));
        q->addBindValue(textOrEmpty(link.sinkName));
        q->addBindValue(flag(link.isStatic));
        q->addBindValue(jsonToText(link.extra));
        if (!q->exec())
            return m_db.storageError(q->lastError(), doing);
    }
    SavedGraph saved {graph.id, version, true, subGraphs};
    return saved;
}

Result<GraphRepository::LoadedGraph> GraphRepository::loadOne(const QString &id,
                                                              std::optional<int> version)
{
    const QString doing = QStringLiteral("reading graph %1").arg(id);
    auto select = version ? m_db.prepare(QStringLiteral(
                      "SELECT version, name, description, is_active, extra, sub_graphs"
                      " FROM graphs WHERE id = ? AND version = ?"))
                          : m_db.prepare(QStringLiteral(
                              "SELECT version, name, description, is_active, extra, sub_graphs"
                              " FROM graphs WHERE id = ? ORDER BY version DESC LIMIT 1"));
    if (!select)
        return select.error();
    QSqlQuery *query = *select;
    query->addBindValue(id);
    if (version)
        query->addBindValue(*version);
    if (!query->exec())
        return m_db.storageError(query->lastError(), doing);
    if (!query->next()) {
        query->finish();
        return makeError(ErrorCode::NotFound,
                         version
                             ? QStringLiteral("graph %1 has no version %2").arg(id).arg(*version)
                             : QStringLiteral("there is no graph %1").arg(id));
    }
    LoadedGraph loaded;
    Model::Graph &graph = loaded.graph;
    graph.id = id;
    graph.version = query->value(0).toInt();
    graph.name = query->value(1).toString();
    graph.description = query->value(2).toString();
    graph.isActive = query->value(3).toBool();
    graph.extra = objectFromText(query->value(4));
    const QJsonArray subGraphRefs = jsonFromText(query->value(5)).toArray();
    query->finish();
    for (const QJsonValue &ref : subGraphRefs)
        loaded.subGraphRefs.append({ref.toArray().at(0).toString(), ref.toArray().at(1).toInt()});

    auto nodes = m_db.prepare(
        // Empty objects come back as NULL, which costs nothing to read.
        QStringLiteral("SELECT id, block_id, NULLIF(input_default, '{}'), NULLIF(metadata, '{}'),"
                       " NULLIF(extra, '{}') FROM nodes"
                       " WHERE graph_id = ? AND graph_version = ? ORDER BY position"));
    if (!nodes)
        return nodes.error();
    (*nodes)->addBindValue(id);
    (*nodes)->addBindValue(graph.version);
    if (!(*nodes)->exec())
        return m_db.storageError((*nodes)->lastError(), doing);
    // Ids, block ids and pin names repeat across nodes and links: each is
    // held once (a large graph's nodes mostly share a handful of blocks).
    Model::StringKeySet strings;
    const auto shared = [&strings](const QVariant &value) {
        return *strings.insert(value.toString()).first;
    };
    while ((*nodes)->next()) {
        Model::Node node;
        node.id = shared((*nodes)->value(0));
        node.blockId = shared((*nodes)->value(1));
        node.inputDefault = mapFromText((*nodes)->value(2));
        node.metadata = mapFromText((*nodes)->value(3));
        node.extra = objectFromText((*nodes)->value(4));
        graph.nodes.append(std::move(node));
    }
    (*nodes)->finish();

    auto links = m_db.prepare(QStringLiteral(
        "SELECT id, source_id, source_name, sink_id, sink_name, is_static, NULLIF(extra, '{}')"
        " FROM links"
        " WHERE graph_id = ? AND graph_version = ? ORDER BY position"));
    if (!links)
        return links.error();
    (*links)->addBindValue(id);
    (*links)->addBindValue(graph.version);
    if (!(*links)->exec())
        return m_db.storageError((*links)->lastError(), doing);
    while ((*links)->next()) {
        Model::Link link;
        link.id = (*links)->value(0).toString();
        link.sourceId = shared((*links)->value(1));
        link.sourceName = shared((*links)->value(2));
        link.sinkId = shared((*links)->value(3));
        link.sinkName = shared((*links)->value(4));
        link.isStatic = (*links)->value(5).toBool();
        link.extra = objectFromText((*links)->value(6));
        graph.links.append(std::move(link));
    }
    (*links)->finish();
    return loaded;
}

Result<Model::Graph> GraphRepository::graph(const QString &id, std::optional<int> version,
                                            bool withSubGraphs)
{
    auto loaded = loadOne(id, version);
    if (!loaded)
        return loaded.error();
    Model::Graph graph = std::move(loaded->graph);
    if (!withSubGraphs)
        return graph;

    // Breadth-first over references; each (id, version) once.
    QList<std::pair<QString, int>> pending = loaded->subGraphRefs;
    QSet<std::pair<QString, int>> seen {{id, graph.version}};
    while (!pending.isEmpty()) {
        const auto ref = pending.takeFirst();
        if (seen.contains(ref))
            continue;
        seen.insert(ref);
        auto sub = loadOne(ref.first, ref.second);
        if (!sub)
            return sub.error();
        pending.append(sub->subGraphRefs);
        graph.subGraphs.push_back(std::move(sub->graph));
    }
    return graph;
}

Result<QList<GraphSummary>> GraphRepository::summaries(const QString &sql, const QString &id)
{
    auto select = m_db.prepare(sql);
    if (!select)
        return select.error();
    QSqlQuery *query = *select;
    if (!id.isNull())
        query->addBindValue(id);
    if (!query->exec())
        return m_db.storageError(query->lastError(), QStringLiteral("listing graphs"));
    QList<GraphSummary> result;
    while (query->next()) {
        GraphSummary summary;
        summary.id = query->value(0).toString();
        summary.version = query->value(1).toInt();
        summary.name = query->value(2).toString();
        summary.description = query->value(3).toString();
        summary.isActive = query->value(4).toBool();
        summary.createdAt = timeFromVariant(query->value(5));
        summary.nodeCount = query->value(6).toInt();
        summary.linkCount = query->value(7).toInt();
        result.append(summary);
    }
    query->finish();
    return result;
}

namespace {

const QString kSummarySelect = QStringLiteral(
    "SELECT g.id, g.version, g.name, g.description, g.is_active, g.created_at,"
    " (SELECT count(*) FROM nodes n WHERE n.graph_id = g.id AND n.graph_version = g.version),"
    " (SELECT count(*) FROM links l WHERE l.graph_id = g.id AND l.graph_version = g.version)"
    " FROM graphs g ");

} // namespace

Result<QList<GraphSummary>> GraphRepository::listGraphs()
{
    return summaries(
        kSummarySelect
            + QStringLiteral("WHERE g.version = (SELECT max(version) FROM graphs WHERE id = g.id)"
                             " ORDER BY g.created_at DESC, g.id"),
        QString());
}

Result<QList<GraphSummary>> GraphRepository::versions(const QString &id)
{
    return summaries(kSummarySelect + QStringLiteral("WHERE g.id = ? ORDER BY g.version"), id);
}

} // namespace Signalbox::Engine
