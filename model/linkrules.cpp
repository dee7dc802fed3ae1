// SPDX-License-Identifier: GPL-3.0-or-later
#include "linkrules.h"

#include "pinnames.h"

namespace Signalbox::Model {

namespace {

bool isContainer(PinType type)
{
    return type == PinType::List || type == PinType::Object;
}

bool isScalar(PinType type)
{
    return type == PinType::Number || type == PinType::Integer || type == PinType::Boolean;
}

QString article(PinType type)
{
    const QString name = pinTypeName(type);
    return (type == PinType::Integer || type == PinType::Object || type == PinType::Any
                ? QStringLiteral("an ")
                : QStringLiteral("a "))
        + name;
}

QString nodeLabel(const Node &node, const BlockSchema *schema)
{
    const QString custom = node.metadata.value(QLatin1String("customized_name")).toString();
    if (!custom.isEmpty())
        return custom;
    return schema ? blockDisplayName(*schema) : node.id;
}

} // namespace

QString pinTypeProblem(PinType from, PinType to)
{
    if (from == PinType::Credentials || to == PinType::Credentials) {
        if (from == to)
            return {};
        return QStringLiteral("credentials are chosen on the node, not passed along links");
    }
    if (from == PinType::Any || to == PinType::Any || from == to)
        return {};
    if (isContainer(from) && isScalar(to)) {
        return QStringLiteral("%1 output cannot feed %2 input: it would arrive as %3")
            .arg(article(from), article(to),
                 to == PinType::Boolean ? QStringLiteral("true or false")
                                        : QStringLiteral("its length"));
    }
    if (isScalar(from) && to == PinType::Object) {
        return QStringLiteral("%1 output cannot feed an object input: it would arrive wrapped as "
                              "{\"value\": ...}")
            .arg(article(from));
    }
    return {};
}

bool isDynamicInput(const PinSpec &pin)
{
    return isContainer(pin.type);
}

QList<PinEntry> pinEntries(const Graph &graph, const Node &node, const PinSpec &pin)
{
    if (!isDynamicInput(pin))
        return {};
    const QLatin1StringView split = pin.type == PinType::List ? kListSplit : kDictSplit;
    QList<PinEntry> entries;
    const Value value = node.inputDefault.value(pin.name);
    if (pin.type == PinType::Object && value.isMap()) {
        const ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            entries.append({it.key().toString(), pin.name + split + it.key().toString(), {}, true});
    } else if (pin.type == PinType::List && value.isArray()) {
        for (qsizetype index = 0; index < value.toArray().size(); ++index) {
            const QString key = QString::number(index);
            entries.append({key, pin.name + split + key, {}, true});
        }
    }
    const QString prefix = pin.name + split;
    for (const Link &link : graph.links) {
        if (link.sinkId != node.id || !link.sinkName.startsWith(prefix))
            continue;
        const auto found = std::find_if(entries.begin(), entries.end(), [&](const PinEntry &entry) {
            return entry.pinName == link.sinkName;
        });
        if (found != entries.end())
            found->linkIds.append(link.id);
        else
            entries.append({link.sinkName.mid(prefix.size()), link.sinkName, {link.id}, false});
    }
    return entries;
}

QString sinkPinForNewLink(const Graph &graph, const BlockSchemaLookup &blocks,
                          const QString &sinkId, const QString &sinkName, const QString &sourceName)
{
    const Node *sink = graph.node(sinkId);
    const BlockSchema *schema = sink ? blocks.schema(sink->blockId) : nullptr;
    const PinSpec *pin = schema ? schema->input(sinkName) : nullptr;
    if (!pin || !isDynamicInput(*pin))
        return sinkName;
    QSet<QString> taken;
    for (const Link &link : graph.links) {
        if (link.sinkId == sinkId)
            taken.insert(link.sinkName);
    }
    if (!taken.contains(sinkName))
        return sinkName;
    if (pin->type == PinType::List) {
        for (int index = 0;; ++index) {
            const QString name = sinkName + kListSplit + QString::number(index);
            if (!taken.contains(name))
                return name;
        }
    }
    const QString key
        = basePinName(sourceName).isEmpty() ? QStringLiteral("value") : basePinName(sourceName);
    QString name = sinkName + kDictSplit + key;
    for (int suffix = 2; taken.contains(name); ++suffix)
        name = sinkName + kDictSplit + key + QLatin1Char('_') + QString::number(suffix);
    return name;
}

QString linkProblem(const Graph &graph, const BlockSchemaLookup &blocks, const Link &link)
{
    const Node *source = graph.node(link.sourceId);
    const Node *sink = graph.node(link.sinkId);
    if (!source || !sink)
        return QStringLiteral("both ends of a link must be nodes of this graph");
    if (link.sourceId == link.sinkId)
        return QStringLiteral("a node cannot feed its own input");
    const BlockSchema *sourceSchema = blocks.schema(source->blockId);
    const BlockSchema *sinkSchema = blocks.schema(sink->blockId);
    if (!sourceSchema)
        return QStringLiteral("%1 uses an unknown block").arg(nodeLabel(*source, nullptr));
    if (!sinkSchema)
        return QStringLiteral("%1 uses an unknown block").arg(nodeLabel(*sink, nullptr));
    const PinSpec *output = sourceSchema->output(basePinName(link.sourceName));
    if (!output) {
        return QStringLiteral("%1 has no output \"%2\"")
            .arg(nodeLabel(*source, sourceSchema), link.sourceName);
    }
    const QString sinkBase = basePinName(link.sinkName);
    const PinSpec *input = sinkSchema->input(sinkBase);
    if (!input) {
        return QStringLiteral("%1 has no input \"%2\"")
            .arg(nodeLabel(*sink, sinkSchema), link.sinkName);
    }
    // A dynamic entry holds one item of any type.
    const bool entry = sinkBase != link.sinkName;
    const PinType outputType = link.sourceName == output->name ? output->type : PinType::Any;
    if (const QString problem = pinTypeProblem(outputType, entry ? PinType::Any : input->type);
        !problem.isEmpty()) {
        return QStringLiteral("%1 \"%2\" to %3 \"%4\": %5")
            .arg(nodeLabel(*source, sourceSchema), link.sourceName, nodeLabel(*sink, sinkSchema),
                 link.sinkName, problem);
    }
    if (input->type == PinType::Credentials)
        return pinTypeProblem(outputType, PinType::Credentials);
    for (const Link &existing : graph.links) {
        if (existing.sinkId != link.sinkId || existing.sinkName != link.sinkName)
            continue;
        if (existing.sourceId == link.sourceId && existing.sourceName == link.sourceName)
            return QStringLiteral("these pins are linked already");
        return QStringLiteral("input \"%1\" of %2 is linked already; an input takes one link "
                              "unless it is a list or an object")
            .arg(link.sinkName, nodeLabel(*sink, sinkSchema));
    }
    return {};
}

} // namespace Signalbox::Model
