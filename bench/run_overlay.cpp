// SPDX-License-Identifier: GPL-3.0-or-later
// Lays a stored run over its graph on the canvas, as "Open on Canvas" and the
// end of a watched run do, and prints how long each part takes on the GUI
// thread: building the overlay from the node executions (runDataFrom, which
// the desktop runs off the GUI thread) and applying it to the scene's items
// (GraphScene::setRunData), as text and as one JSON line.
//
//   run_overlay [NODES] [EXECUTIONS_PER_NODE]   (QT_QPA_PLATFORM=offscreen or X)
#include "engine/blocks/blockregistry.h"
#include "ui/graphdocument.h"
#include "ui/graphscene.h"
#include "ui/rundata.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

using namespace Signalbox;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const int nodes = argc > 1 ? QByteArray(argv[1]).toInt() : 2000;
    const int perNode = argc > 2 ? QByteArray(argv[2]).toInt() : 3;
    auto registry = Engine::BlockRegistry::builtin();
    if (!registry) {
        std::fprintf(stderr, "%s\n", qPrintable(registry.error().text()));
        return 1;
    }
    // A chain of Store Value nodes in rows of 50.
    Model::Graph graph;
    graph.id = QStringLiteral("bench-overlay");
    for (int i = 0; i < nodes; ++i) {
        Model::Node node;
        node.id = QStringLiteral("n%1").arg(i);
        node.blockId = QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
        node.metadata.insert(QStringLiteral("position"),
                             Model::fromQJson(QJsonObject {{QStringLiteral("x"), (i % 50) * 320},
                                                           {QStringLiteral("y"), (i / 50) * 220}}));
        graph.nodes.append(node);
        if (i > 0) {
            Model::Link link;
            link.id = QStringLiteral("l%1").arg(i);
            link.sourceId = QStringLiteral("n%1").arg(i - 1);
            link.sourceName = QStringLiteral("output");
            link.sinkId = node.id;
            link.sinkName = QStringLiteral("input");
            graph.links.append(link);
        }
    }
    QList<Model::NodeExecutionResult> executions;
    const QDateTime start = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < nodes; ++i) {
        for (int run = 0; run < perNode; ++run) {
            Model::NodeExecutionResult exec;
            exec.nodeId = QStringLiteral("n%1").arg(i);
            exec.nodeExecId = QStringLiteral("e%1-%2").arg(i, 6, 10, QLatin1Char('0')).arg(run);
            exec.status = Model::ExecutionStatus::Completed;
            exec.startTime = start.addMSecs(i * perNode + run);
            exec.inputData.insert(QStringLiteral("input"), QStringLiteral("value %1").arg(i));
            exec.outputData.insert(QStringLiteral("output"),
                                   Model::ValueList {QStringLiteral("value %1 / %2").arg(i).arg(run)});
            executions.append(exec);
        }
    }

    Ui::GraphDocument document(**registry);
    document.reset(graph, QString());
    Ui::GraphScene scene(&document);
    while (scene.isPopulating())
        QCoreApplication::processEvents();

    QElapsedTimer timer;
    timer.start();
    const Ui::RunData data = Ui::runDataFrom(QStringLiteral("run"), graph, executions);
    const double buildMs = double(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    scene.setRunData(data);
    const double applyMs = double(timer.nsecsElapsed()) / 1e6;
    timer.restart();
    scene.setRunData({});
    const double clearMs = double(timer.nsecsElapsed()) / 1e6;

    std::printf("run overlay: %d nodes, %d links, %lld node executions\n", nodes,
                int(graph.links.size()), qlonglong(executions.size()));
    std::printf("  build from executions (off the GUI thread): %.1f ms\n", buildMs);
    std::printf("  lay over the canvas (GUI thread):            %.1f ms\n", applyMs);
    std::printf("  take off again (GUI thread):                 %.1f ms\n", clearMs);
    const QJsonObject json {{QStringLiteral("nodes"), nodes},
                            {QStringLiteral("executions"), int(executions.size())},
                            {QStringLiteral("build_ms"), buildMs},
                            {QStringLiteral("apply_ms"), applyMs},
                            {QStringLiteral("clear_ms"), clearMs}};
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
