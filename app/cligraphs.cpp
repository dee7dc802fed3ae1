// SPDX-License-Identifier: GPL-3.0-or-later
// The command line's graph and block commands: graphs import, export, list; blocks list, run.
#include "cli.h"
#include "clicommands.h"
#include "clisupport.h"

#include "engine/blocks/blockregistry.h"
#include "engine/blocks/standalonerun.h"
#include "engine/store/database.h"
#include "engine/store/graphrepository.h"
#include "model/graphjson.h"
#include "model/graphvalidation.h"

#include <QFile>
#include <QJsonArray>
#include <QSaveFile>

#include <memory>

namespace Signalbox::App {

int Cli::importGraph(const QString &fileName)
{
    Model::Graph graph;
    std::unique_ptr<Database> db;
    Engine::SavedGraph saved;
    if (const auto failed = importFile(fileName, graph, db, saved))
        return *failed;

    if (m_json) {
        QJsonArray subGraphs;
        for (const Engine::SavedGraph &sub : saved.subGraphs)
            subGraphs.append(QJsonObject {{QStringLiteral("id"), sub.id},
                                          {QStringLiteral("version"), sub.version},
                                          {QStringLiteral("created"), sub.created}});
        printJson({{QStringLiteral("id"), saved.id},
                   {QStringLiteral("version"), saved.version},
                   {QStringLiteral("name"), graph.name},
                   {QStringLiteral("created"), saved.created},
                   {QStringLiteral("sub_graphs"), subGraphs}});
    } else {
        m_out << (saved.created ? "Imported " : "Already stored: ") << '"' << graph.name << "\" "
              << saved.id << " version " << saved.version << " (" << graph.nodes.size()
              << " nodes, " << graph.links.size() << " links";
        if (!saved.subGraphs.isEmpty())
            m_out << ", " << saved.subGraphs.size() << " sub-graphs";
        m_out << ")\n";
    }
    return ExitCompleted;
}

int Cli::exportGraph(const QString &id, const QString &versionText, const QString &outputFile)
{
    std::optional<int> version;
    if (!versionText.isEmpty()) {
        bool ok = false;
        version = versionText.toInt(&ok);
        if (!ok || *version < 1)
            return fail(makeError(
                ErrorCode::BadInput,
                QStringLiteral("--graph-version takes a whole number of at least 1, not \"%1\"")
                    .arg(versionText)));
    }
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    Engine::GraphRepository graphs(**db);
    auto graph = graphs.graph(id, version, true);
    if (!graph)
        return fail(graph.error());
    auto &blocks = catalog();
    if (!blocks)
        return fail(blocks.error());
    Model::GraphExportOptions options;
    options.blocks = blocks->get();
    const QByteArray json = Model::graphToJson(*graph, options);
    if (outputFile.isEmpty()) {
        m_out << QString::fromUtf8(json);
        return ExitCompleted;
    }
    QSaveFile file(outputFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size() || !file.commit())
        return fail(makeError(ErrorCode::BadInput,
                              QStringLiteral("%1: %2").arg(outputFile, file.errorString())));
    if (!m_json)
        m_out << "Exported \"" << graph->name << "\" version " << graph->version << " to "
              << outputFile << '\n';
    else
        printJson({{QStringLiteral("id"), graph->id},
                   {QStringLiteral("version"), graph->version},
                   {QStringLiteral("file"), outputFile}});
    return ExitCompleted;
}

// Reads and checks a graph file; an exit code on failure.
std::optional<int> Cli::readGraphFile(const QString &fileName, Model::Graph &graph)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return fail(makeError(ErrorCode::BadInput,
                              QStringLiteral("%1: %2").arg(fileName, file.errorString())));
    const Model::GraphLimits limits;
    if (file.size() > limits.json.maxBytes) {
        return fail(makeError(ErrorCode::BadInput,
                              QStringLiteral("%1: %2 bytes is more than the limit of %3 bytes")
                                  .arg(fileName)
                                  .arg(file.size())
                                  .arg(limits.json.maxBytes)));
    }
    auto parsed = Model::graphFromJson(file.readAll(), fileName, limits);
    if (!parsed)
        return fail(parsed.error());
    auto &blocks = catalog();
    if (!blocks)
        return fail(blocks.error());
    // Nodes of blocks Signalbox lacks are kept as placeholders: the graph
    // is stored as it is, and a run refuses it naming them.
    for (const QString &problem : Model::unknownBlockProblems(*parsed, **blocks))
        m_err << "signalbox: warning: " << fileName << ": " << problem
              << "; kept as a placeholder\n";
    graph = std::move(*parsed);
    return std::nullopt;
}

// Reads a graph file, then stores it with its sub-graphs in the database
// (made if missing); an exit code on failure.
std::optional<int> Cli::importFile(const QString &fileName, Model::Graph &graph,
                                   std::unique_ptr<Database> &db, Engine::SavedGraph &saved)
{
    if (const auto failed = readGraphFile(fileName, graph))
        return failed;
    auto opened = openDatabase(DatabaseOptions::OpenMode::CreateIfMissing);
    if (!opened)
        return fail(opened.error());
    db = std::move(*opened);
    Engine::GraphRepository graphs(*db);
    auto stored = graphs.saveGraph(graph, QString(Model::kDefaultUserId));
    if (!stored)
        return fail(stored.error());
    saved = *stored;
    return std::nullopt;
}

int Cli::listBlocks()
{
    auto &blocks = catalog();
    if (!blocks)
        return fail(blocks.error());
    const Engine::BlockRegistry &registry = **blocks;
    if (m_json) {
        Model::ValueList list;
        for (const Model::BlockSchema &block : registry.blocks()) {
            Model::ValueMap entry;
            entry.insert(QStringLiteral("id"), block.id);
            entry.insert(QStringLiteral("name"), block.name);
            entry.insert(QStringLiteral("description"), block.description);
            entry.insert(QStringLiteral("categories"),
                         Model::fromQJson(QJsonArray::fromStringList(block.categories)));
            entry.insert(QStringLiteral("block_type"), Model::blockTypeName(block.type));
            entry.insert(QStringLiteral("static_output"), block.staticOutput);
            entry.insert(QStringLiteral("is_sensitive_action"), block.isSensitiveAction);
            entry.insert(QStringLiteral("available"), registry.implementation(block.id) != nullptr);
            entry.insert(QStringLiteral("input_schema"),
                         Model::fromQJson(registry.inputJsonSchema(block.id)));
            Model::ValueList outputs;
            for (const Model::PinSpec &pin : block.outputs)
                outputs.append(pin.name);
            entry.insert(QStringLiteral("outputs"), outputs);
            list.append(entry);
        }
        Model::ValueMap result;
        result.insert(QStringLiteral("blocks"), list);
        printValue(result);
        return ExitCompleted;
    }
    QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("TYPE"),
                              QStringLiteral("AVAILABLE"), QStringLiteral("NAME")}};
    for (const Model::BlockSchema &block : registry.blocks()) {
        rows.append(
            {block.id, Model::blockTypeName(block.type),
             registry.implementation(block.id) ? QStringLiteral("yes") : QStringLiteral("no"),
             block.name});
    }
    m_out << table(rows);
    return ExitCompleted;
}

int Cli::runBlock(const QString &blockId, const QString &inputText)
{
    auto &blocks = catalog();
    if (!blocks)
        return fail(blocks.error());
    if (!(*blocks)->schema(blockId))
        return fail(
            makeError(ErrorCode::BadInput, QStringLiteral("unknown block \"%1\"").arg(blockId)));
    Model::ValueMap input;
    if (!inputText.isEmpty()) {
        auto text = argumentText(inputText, QStringLiteral("--input"));
        if (!text)
            return fail(text.error());
        auto parsed = Model::parseJsonValue(*text, Model::JsonLimits {}, QStringLiteral("--input"));
        if (!parsed)
            return fail(parsed.error());
        if (!parsed->isMap())
            return fail(makeError(ErrorCode::BadInput,
                                  QStringLiteral("--input: the block input is a JSON object")));
        input = parsed->toMap();
    }
    const Engine::Llm::Catalog models
        = Engine::Llm::Catalog::withSettings(Engine::Llm::LlmSettings::load());
    const Engine::StandaloneRun run = Engine::runBlockStandalone(**blocks, blockId, input, &models);
    if (m_json) {
        printValue(run.toValue());
    } else {
        for (const auto &[pin, value] : run.outputs)
            m_out << pin << ": "
                  << QString::fromUtf8(Model::toJson(value, Model::JsonStyle::PythonDumps)) << '\n';
        if (!run.completed)
            m_err << "signalbox: the block failed: " << run.error << '\n';
    }
    return run.completed ? ExitCompleted : ExitFailed;
}

int Cli::listGraphs()
{
    auto db = openDatabase(DatabaseOptions::OpenMode::MustExist);
    if (!db)
        return fail(db.error());
    Engine::GraphRepository graphs(**db);
    auto list = graphs.listGraphs();
    if (!list)
        return fail(list.error());
    if (m_json) {
        QJsonArray array;
        for (const Engine::GraphSummary &g : std::as_const(*list)) {
            array.append(
                QJsonObject {{QStringLiteral("id"), g.id},
                             {QStringLiteral("version"), g.version},
                             {QStringLiteral("name"), g.name},
                             {QStringLiteral("description"), g.description},
                             {QStringLiteral("is_active"), g.isActive},
                             {QStringLiteral("created_at"), Model::timeToJson(g.createdAt)},
                             {QStringLiteral("node_count"), g.nodeCount},
                             {QStringLiteral("link_count"), g.linkCount}});
        }
        printJson({{QStringLiteral("graphs"), array}});
        return ExitCompleted;
    }
    if (list->isEmpty()) {
        m_out << "No graphs yet. Import one with: signalbox graphs import FILE\n";
        return ExitCompleted;
    }
    QList<QStringList> rows {{QStringLiteral("ID"), QStringLiteral("VERSION"),
                              QStringLiteral("NODES"), QStringLiteral("NAME")}};
    for (const Engine::GraphSummary &g : std::as_const(*list))
        rows.append({g.id, QString::number(g.version), QString::number(g.nodeCount), g.name});
    m_out << table(rows);
    return ExitCompleted;
}

} // namespace Signalbox::App
