// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "blockschema.h"
#include "graph.h"
#include "result.h"
#include "strictjson.h"
#include "value.h"

#include <QByteArray>
#include <QJsonObject>

namespace Signalbox::Model {

// Structural limits of a graph file (DESIGN §8).
struct GraphLimits
{
    JsonLimits json;
    int maxNodes = 100000;
    int maxLinks = 400000;
    int maxSubGraphs = 1000;
};

// Reads a graph in AutoGPT's export format. Every structural problem is
// listed in Error::details (ErrorCode::BadInput): unreadable JSON with line
// and column, wrong field types, missing or duplicate node ids, links to
// missing nodes, limits. Missing ids are generated. Block-level checks (known
// blocks, pins, types) are the engine's. With `layout`, the file as read (key
// order kept) is left there, for GraphExportOptions::layout.
Result<Graph> graphFromJson(const QByteArray &json, const QString &source,
                            const GraphLimits &limits = {}, Value *layout = nullptr);
Result<Graph> graphFromJsonObject(const QJsonObject &object, const QString &source,
                                  const GraphLimits &limits = {});

struct GraphExportOptions
{
    // Remove credentials and other secrets (see graphToJsonObject).
    bool stripSecrets = true;
    // Where secret pins are looked up; may be null.
    const BlockSchemaLookup *blocks = nullptr;
    // graphToJson: the file the graph was read from, as read (key order
    // kept). Keys are written in its order, nodes and links matched by id; a
    // new object follows its first sibling's order. Null: AutoGPT's order.
    const Value *layout = nullptr;
    // graphToJson: end the text with a newline.
    bool trailingNewline = false;
};

// Writes a graph in AutoGPT's export format: unknown fields come back as they
// were read, and each node lists its input_links and output_links. With
// stripSecrets, as AutoGPT's export does: input values of pins whose schema is
// secret, keys naming credentials, api keys, passwords, tokens or secrets
// (unless the value is a boolean flag), and the value of input blocks marked
// secret are removed; webhook fields are cleared.
QJsonObject graphToJsonObject(const Graph &graph, const GraphExportOptions &options = {});
// The export as text, laid out as AutoGPT writes it (JsonStyle::Indented),
// in the key order of options.layout: a graph opened and saved unchanged
// comes back byte for byte.
QByteArray graphToJson(const Graph &graph, const GraphExportOptions &options = {});

} // namespace Signalbox::Model
