// SPDX-License-Identifier: GPL-3.0-or-later
#include "graphjson.h"

#include "uuid.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

namespace Signalbox::Model {

namespace {

const QLatin1StringView kId("id");
// The namespace of the version-5 ids given to links that have none.
const QUuid kLinkIdNamespace(QStringLiteral("4f7d2b2e-3c1a-5e8b-9a6d-0b1c2d3e4f50"));
const QLatin1StringView kVersion("version");
const QLatin1StringView kIsActive("is_active");
const QLatin1StringView kName("name");
const QLatin1StringView kDescription("description");
const QLatin1StringView kNodes("nodes");
const QLatin1StringView kLinks("links");
const QLatin1StringView kSubGraphs("sub_graphs");
const QLatin1StringView kBlockId("block_id");
const QLatin1StringView kInputDefault("input_default");
const QLatin1StringView kMetadata("metadata");
const QLatin1StringView kInputLinks("input_links");
const QLatin1StringView kOutputLinks("output_links");
const QLatin1StringView kSourceId("source_id");
const QLatin1StringView kSourceName("source_name");
const QLatin1StringView kSinkId("sink_id");
const QLatin1StringView kSinkName("sink_name");
const QLatin1StringView kIsStatic("is_static");

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

// Collects every problem of one import with the path where it was found.
class Reader
{
public:
    explicit Reader(const GraphLimits &limits)
        : m_limits(limits)
    { }

    QStringList problems;

    void problem(const QString &path, const QString &message)
    {
        problems.append(path.isEmpty() ? message : path + QLatin1String(": ") + message);
    }

    // A string field; absent or null gives `fallback`.
    QString string(const QJsonObject &object, QLatin1StringView key, const QString &path,
                   bool required, const QString &fallback = {})
    {
        const QJsonValue value = object.value(key);
        if (value.isString())
            return value.toString();
        if (value.isUndefined() || value.isNull()) {
            if (required)
                problem(path, QStringLiteral("\"%1\" is missing").arg(key));
            return fallback;
        }
        problem(path,
                QStringLiteral("\"%1\" must be a string, not %2").arg(key, jsonTypeName(value)));
        return fallback;
    }

    QJsonObject object(const QJsonObject &parent, QLatin1StringView key, const QString &path)
    {
        const QJsonValue value = parent.value(key);
        if (value.isObject())
            return value.toObject();
        if (!value.isUndefined() && !value.isNull())
            problem(
                path,
                QStringLiteral("\"%1\" must be an object, not %2").arg(key, jsonTypeName(value)));
        return {};
    }

    QJsonArray array(const QJsonObject &parent, QLatin1StringView key, const QString &path)
    {
        const QJsonValue value = parent.value(key);
        if (value.isArray())
            return value.toArray();
        if (!value.isUndefined() && !value.isNull())
            problem(
                path,
                QStringLiteral("\"%1\" must be an array, not %2").arg(key, jsonTypeName(value)));
        return {};
    }

    bool boolean(const QJsonObject &object, QLatin1StringView key, const QString &path,
                 bool fallback)
    {
        const QJsonValue value = object.value(key);
        if (value.isBool())
            return value.toBool();
        if (!value.isUndefined() && !value.isNull())
            problem(
                path,
                QStringLiteral("\"%1\" must be a boolean, not %2").arg(key, jsonTypeName(value)));
        return fallback;
    }

    Graph graph(const QJsonObject &root, const QString &path, bool allowSubGraphs)
    {
        Graph graph;
        const QString prefix = path.isEmpty() ? QString() : path + QLatin1Char('.');
        graph.id = string(root, kId, path, false);
        if (graph.id.isEmpty())
            graph.id = createRandomUuid();
        const QJsonValue version = root.value(kVersion);
        if (version.isDouble() && version.toDouble() >= 1
            && version.toDouble() == version.toInt()) {
            graph.version = version.toInt();
        } else if (!version.isUndefined() && !version.isNull()) {
            problem(path, QStringLiteral("\"version\" must be a whole number of at least 1"));
        }
        graph.isActive = boolean(root, kIsActive, path, true);
        graph.name = string(root, kName, path, false);
        graph.description = string(root, kDescription, path, false);

        const QJsonArray nodes = array(root, kNodes, path);
        if (nodes.size() > m_limits.maxNodes) {
            problem(path,
                    QStringLiteral("%1 nodes is more than the limit of %2")
                        .arg(nodes.size())
                        .arg(m_limits.maxNodes));
        } else {
            readNodes(graph, nodes, prefix);
        }
        const QJsonArray links = array(root, kLinks, path);
        if (links.size() > m_limits.maxLinks) {
            problem(path,
                    QStringLiteral("%1 links is more than the limit of %2")
                        .arg(links.size())
                        .arg(m_limits.maxLinks));
        } else {
            readLinks(graph, links, prefix);
        }

        const QJsonArray subGraphs = array(root, kSubGraphs, path);
        if (!subGraphs.isEmpty() && !allowSubGraphs) {
            problem(path,
                    QStringLiteral("a sub-graph cannot have sub-graphs of its own; list them all "
                                   "in the top-level \"sub_graphs\""));
        } else if (subGraphs.size() > m_limits.maxSubGraphs) {
            problem(path,
                    QStringLiteral("%1 sub-graphs is more than the limit of %2")
                        .arg(subGraphs.size())
                        .arg(m_limits.maxSubGraphs));
        } else {
            for (qsizetype i = 0; i < subGraphs.size(); ++i) {
                const QString subPath = prefix + QStringLiteral("sub_graphs[%1]").arg(i);
                if (!subGraphs.at(i).isObject()) {
                    problem(subPath,
                            QStringLiteral("must be an object, not %1")
                                .arg(jsonTypeName(subGraphs.at(i))));
                    continue;
                }
                graph.subGraphs.push_back(this->graph(subGraphs.at(i).toObject(), subPath, false));
            }
        }

        for (auto it = root.begin(); it != root.end(); ++it) {
            if (it.key() != kId && it.key() != kVersion && it.key() != kIsActive
                && it.key() != kName && it.key() != kDescription && it.key() != kNodes
                && it.key() != kLinks && it.key() != kSubGraphs) {
                graph.extra.insert(it.key(), it.value());
            }
        }
        return graph;
    }

private:
    void readNodes(Graph &graph, const QJsonArray &nodes, const QString &prefix)
    {
        QSet<QString> seen;
        graph.nodes.reserve(nodes.size());
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            const QString path = prefix + QStringLiteral("nodes[%1]").arg(i);
            if (!nodes.at(i).isObject()) {
                problem(path,
                        QStringLiteral("must be an object, not %1").arg(jsonTypeName(nodes.at(i))));
                continue;
            }
            const QJsonObject object = nodes.at(i).toObject();
            Node node;
            node.id = string(object, kId, path, false);
            if (node.id.isEmpty())
                node.id = createRandomUuid();
            if (seen.contains(node.id))
                problem(path, QStringLiteral("duplicate node id \"%1\"").arg(node.id));
            seen.insert(node.id);
            node.blockId = string(object, kBlockId, path, true);
            // In key order when graphFromJson reads a file (takeKeyOrder).
            node.inputDefault = fromQJson(this->object(object, kInputDefault, path)).toMap();
            node.metadata = fromQJson(this->object(object, kMetadata, path)).toMap();
            for (auto it = object.begin(); it != object.end(); ++it) {
                // input_links and output_links repeat the graph's links; they
                // are written afresh on export.
                if (it.key() != kId && it.key() != kBlockId && it.key() != kInputDefault
                    && it.key() != kMetadata && it.key() != kInputLinks
                    && it.key() != kOutputLinks) {
                    node.extra.insert(it.key(), it.value());
                }
            }
            graph.nodes.append(std::move(node));
        }
    }

    void readLinks(Graph &graph, const QJsonArray &links, const QString &prefix)
    {
        QSet<QString> nodeIds;
        for (const Node &node : graph.nodes)
            nodeIds.insert(node.id);
        QSet<QString> seen;
        graph.links.reserve(links.size());
        for (qsizetype i = 0; i < links.size(); ++i) {
            const QString path = prefix + QStringLiteral("links[%1]").arg(i);
            if (!links.at(i).isObject()) {
                problem(path,
                        QStringLiteral("must be an object, not %1").arg(jsonTypeName(links.at(i))));
                continue;
            }
            const QJsonObject object = links.at(i).toObject();
            Link link;
            link.id = string(object, kId, path, false);
            link.sourceId = string(object, kSourceId, path, true);
            link.sourceName = string(object, kSourceName, path, true);
            link.sinkId = string(object, kSinkId, path, true);
            link.sinkName = string(object, kSinkName, path, true);
            // A link without an id gets one made from what it joins, so that
            // importing the same file again is the same graph, not a new version.
            if (link.id.isEmpty())
                link.id = QUuid::createUuidV5(kLinkIdNamespace,
                                              QStringLiteral("%1\n%2\n%3\n%4\n%5")
                                                  .arg(link.sourceId, link.sourceName, link.sinkId,
                                                       link.sinkName)
                                                  .arg(i))
                              .toString(QUuid::WithoutBraces);
            if (seen.contains(link.id))
                problem(path, QStringLiteral("duplicate link id \"%1\"").arg(link.id));
            seen.insert(link.id);
            link.isStatic = boolean(object, kIsStatic, path, false);
            if (!link.sourceId.isEmpty() && !nodeIds.contains(link.sourceId))
                problem(path,
                        QStringLiteral("links from node \"%1\", which is not in the graph")
                            .arg(link.sourceId));
            if (!link.sinkId.isEmpty() && !nodeIds.contains(link.sinkId))
                problem(path,
                        QStringLiteral("links to node \"%1\", which is not in the graph")
                            .arg(link.sinkId));
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (it.key() != kId && it.key() != kSourceId && it.key() != kSourceName
                    && it.key() != kSinkId && it.key() != kSinkName && it.key() != kIsStatic) {
                    link.extra.insert(it.key(), it.value());
                }
            }
            graph.links.append(std::move(link));
        }
    }

    const GraphLimits &m_limits;
};

QJsonObject linkToJson(const Link &link)
{
    QJsonObject object = link.extra;
    object.insert(kId, link.id);
    object.insert(kSourceId, link.sourceId);
    object.insert(kSourceName, link.sourceName);
    object.insert(kSinkId, link.sinkId);
    object.insert(kSinkName, link.sinkName);
    object.insert(kIsStatic, link.isStatic);
    return object;
}

bool isSensitiveKey(const QString &key)
{
    // AutoGPT's words, and the request headers that carry credentials
    // (Authorization, Proxy-Authorization, Cookie, X-Api-Key, ApiKey, ...).
    static const QLatin1StringView sensitive[] = {
        QLatin1StringView("credentials"),   QLatin1StringView("api_key"),
        QLatin1StringView("password"),      QLatin1StringView("token"),
        QLatin1StringView("secret"),        QLatin1StringView("authorization"),
        QLatin1StringView("cookie"),        QLatin1StringView("api-key"),
        QLatin1StringView("apikey"),        QLatin1StringView("passwd"),
    };
    const QString lower = key.toLower();
    for (const auto &word : sensitive) {
        if (lower.contains(word))
            return true;
    }
    return false;
}

// AutoGPT's _filter_secrets_from_node_input, over nested objects.
ValueMap withoutSecrets(const ValueMap &input, const BlockSchema *schema)
{
    auto isSecretPin = [schema](const QString &key) {
        if (!schema)
            return false;
        const PinSpec *pin = schema->input(key);
        return pin && pin->secret;
    };
    ValueMap result;
    for (auto it = input.begin(); it != input.end(); ++it) {
        const QString key = it.key().toString();
        const bool secret = isSecretPin(key) || (isSensitiveKey(key) && !it.value().isBool());
        if (secret)
            continue;
        if (it.value().isMap()) {
            // Nested objects have no schema of their own: only names decide.
            result.insert(key, withoutSecrets(it.value().toMap(), nullptr));
        } else {
            result.insert(key, it.value());
        }
    }
    return result;
}

ValueMap nodeToValue(const Node &node, const Graph &graph, const GraphExportOptions &options)
{
    ValueMap object = fromQJson(node.extra).toMap();
    object.insert(kId, node.id);
    object.insert(kBlockId, node.blockId);
    ValueMap inputDefault = node.inputDefault;
    if (options.stripSecrets) {
        const BlockSchema *schema = options.blocks ? options.blocks->schema(node.blockId) : nullptr;
        inputDefault = withoutSecrets(inputDefault, schema);
        if (schema && schema->type == BlockType::Input
            && node.inputDefault.value(QLatin1String("secret")).toBool()) {
            inputDefault.remove(QLatin1String("value"));
        }
        if (object.contains(QLatin1String("webhook_id")))
            object.insert(QLatin1String("webhook_id"), Value(nullptr));
        if (object.contains(QLatin1String("webhook")))
            object.insert(QLatin1String("webhook"), Value(nullptr));
    }
    object.insert(kInputDefault, inputDefault);
    object.insert(kMetadata, node.metadata);
    ValueList inputLinks;
    ValueList outputLinks;
    for (const Link &link : graph.links) {
        if (link.sinkId == node.id)
            inputLinks.append(fromQJson(linkToJson(link)));
        if (link.sourceId == node.id)
            outputLinks.append(fromQJson(linkToJson(link)));
    }
    object.insert(kInputLinks, inputLinks);
    object.insert(kOutputLinks, outputLinks);
    return object;
}

// The graph as a Value: node inputs and metadata in their own key order.
ValueMap graphToValue(const Graph &graph, const GraphExportOptions &options)
{
    ValueMap object = fromQJson(graph.extra).toMap();
    object.insert(kId, graph.id);
    object.insert(kVersion, qint64(graph.version));
    object.insert(kIsActive, graph.isActive);
    object.insert(kName, graph.name);
    object.insert(kDescription, graph.description);
    ValueList nodes;
    for (const Node &node : graph.nodes)
        nodes.append(nodeToValue(node, graph, options));
    object.insert(kNodes, nodes);
    ValueList links;
    for (const Link &link : graph.links)
        links.append(fromQJson(linkToJson(link)));
    object.insert(kLinks, links);
    if (!graph.subGraphs.empty()) {
        ValueList subGraphs;
        for (const Graph &subGraph : graph.subGraphs)
            subGraphs.append(graphToValue(subGraph, options));
        object.insert(kSubGraphs, subGraphs);
    }
    return object;
}

// Node inputs and metadata in the key order of the file (`ordered`, the
// same text parsed keeping order), which Qt's JSON objects do not keep.
void takeKeyOrder(Graph &graph, const ValueMap &ordered)
{
    const ValueList nodes = ordered.value(kNodes).toArray();
    for (qsizetype i = 0; i < graph.nodes.size() && i < nodes.size(); ++i) {
        const ValueMap node = nodes.at(i).toMap();
        if (node.value(kInputDefault).isMap())
            graph.nodes[i].inputDefault = node.value(kInputDefault).toMap();
        if (node.value(kMetadata).isMap())
            graph.nodes[i].metadata = node.value(kMetadata).toMap();
    }
    const ValueList subGraphs = ordered.value(kSubGraphs).toArray();
    for (size_t i = 0; i < graph.subGraphs.size() && qsizetype(i) < subGraphs.size(); ++i)
        takeKeyOrder(graph.subGraphs[i], subGraphs.at(qsizetype(i)).toMap());
}

} // namespace

Result<Graph> graphFromJsonObject(const QJsonObject &object, const QString &source,
                                  const GraphLimits &limits)
{
    Reader reader(limits);
    Graph graph = reader.graph(object, QString(), true);
    if (!reader.problems.isEmpty()) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: the graph is invalid (%2 problem%3)")
                             .arg(source)
                             .arg(reader.problems.size())
                             .arg(reader.problems.size() == 1 ? QString() : QStringLiteral("s")),
                         reader.problems);
    }
    return graph;
}

Result<Graph> graphFromJson(const QByteArray &json, const QString &source,
                            const GraphLimits &limits, Value *layout)
{
    auto parsed = parseStrictJson(json, limits.json, source);
    if (!parsed)
        return parsed.error();
    if (!parsed->isObject()) {
        return makeError(ErrorCode::BadInput,
                         QStringLiteral("%1: a graph file holds one JSON object, not %2")
                             .arg(source, jsonTypeName(*parsed)));
    }
    auto graph = graphFromJsonObject(parsed->toObject(), source, limits);
    if (!graph)
        return graph;
    // Qt's objects sort their keys; the file's order comes from this parse.
    Value ordered = parseTrustedJson(json);
    takeKeyOrder(*graph, ordered.toMap());
    if (layout)
        *layout = std::move(ordered);
    return graph;
}

QJsonObject graphToJsonObject(const Graph &graph, const GraphExportOptions &options)
{
    return toQJson(graphToValue(graph, options)).toObject();
}

namespace {

// The order of AutoGPT's export, for graphs that were not read from a file.
const Value &exportLayout()
{
    static const Value layout = parseTrustedJson(
        R"({"id": 0, "version": 0, "is_active": 0, "name": 0, "description": 0,
            "nodes": [{"id": 0, "block_id": 0, "input_default": 0, "metadata": 0,
                       "input_links": [{"id": 0, "source_id": 0, "sink_id": 0,
                                        "source_name": 0, "sink_name": 0, "is_static": 0}],
                       "output_links": [{"id": 0, "source_id": 0, "sink_id": 0,
                                         "source_name": 0, "sink_name": 0, "is_static": 0}]}],
            "links": [{"id": 0, "source_id": 0, "sink_id": 0, "source_name": 0,
                       "sink_name": 0, "is_static": 0}],
            "sub_graphs": [{"id": 0, "version": 0, "is_active": 0, "name": 0,
                            "description": 0, "nodes": [], "links": []}]})");
    return layout;
}

Value orderedLike(const Value &value, const Value &layout);

// The item of `layout` that lays out `item`: the one with the same id, else
// the one at the same place, else the first (a new item looks like its
// siblings).
Value layoutOfItem(const Value &item, qsizetype index, const ValueList &layout,
                   const QHash<QString, qsizetype> &byId)
{
    if (layout.isEmpty())
        return {};
    const QString id = item.toMap().value(kId).toString();
    if (!id.isEmpty()) {
        const qsizetype found = byId.value(id, -1);
        if (found >= 0)
            return layout.at(found);
        return layout.at(0);
    }
    return index < layout.size() ? layout.at(index) : layout.at(0);
}

// `value` with its keys in the order of `layout`, and the keys the layout
// lacks after them in their own order.
Value orderedLike(const Value &value, const Value &layout)
{
    if (value.isMap()) {
        const ValueMap object = value.toMap();
        const ValueMap reference = layout.toMap();
        ValueMap ordered;
        for (auto it = reference.begin(); it != reference.end(); ++it) {
            const auto found = object.constFind(it.key());
            if (found != object.constEnd())
                ordered.insert(it.key(), orderedLike(found.value(), it.value()));
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!ordered.contains(it.key()))
                ordered.insert(it.key(), orderedLike(it.value(), Value()));
        }
        return ordered;
    }
    if (value.isArray()) {
        const ValueList array = value.toArray();
        const ValueList reference = layout.toArray();
        QHash<QString, qsizetype> byId;
        for (qsizetype i = 0; i < reference.size(); ++i) {
            const QString id = reference.at(i).toMap().value(kId).toString();
            if (!id.isEmpty())
                byId.insert(id, i);
        }
        ValueList ordered;
        for (qsizetype i = 0; i < array.size(); ++i)
            ordered.append(orderedLike(array.at(i), layoutOfItem(array.at(i), i, reference, byId)));
        return ordered;
    }
    return value;
}

} // namespace

QByteArray graphToJson(const Graph &graph, const GraphExportOptions &options)
{
    const Value &layout = options.layout ? *options.layout : exportLayout();
    QByteArray text
        = toJson(orderedLike(graphToValue(graph, options), layout), JsonStyle::Indented);
    if (options.trailingNewline)
        text.append('\n');
    return text;
}

} // namespace Signalbox::Model
