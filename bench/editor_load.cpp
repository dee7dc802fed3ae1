// SPDX-License-Identifier: GPL-3.0-or-later
// Opens a 2,000-node graph in the desktop editor and prints how long loading
// takes, how long the window went without handling events meanwhile, and the
// time to draw a frame while panning (at zoom 1 and with the whole graph in
// view), as text and as one JSON line.
//
//   editor_load [NODES]    (run with QT_QPA_PLATFORM=offscreen or under X)
#include "engine/blocks/blockregistry.h"
#include "model/graphjson.h"
#include "ui/grapheditor.h"
#include "ui/graphlayouter.h"
#include "ui/graphscene.h"
#include "ui/graphview.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Signalbox;

namespace {

const QString kStoreValue = QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
const QString kFillTemplate = QStringLiteral("db7d8f02-2f44-4c55-ab7a-eae0941f0c30");

// Rows of 50 nodes; each node feeds the next one and, every third node, one
// in the next row too.
Model::Graph makeGraph(int nodeCount)
{
    Model::Graph graph;
    graph.id = QStringLiteral("bench-editor");
    graph.name = QStringLiteral("Editor benchmark");
    for (int i = 0; i < nodeCount; ++i) {
        Model::Node node;
        node.id = QStringLiteral("n%1").arg(i);
        node.blockId = i % 5 == 4 ? kFillTemplate : kStoreValue;
        if (node.blockId == kFillTemplate)
            node.inputDefault.insert(QStringLiteral("format"), QStringLiteral("{{ value }}"));
        node.metadata.insert(QStringLiteral("position"), Model::fromQJson(
                             QJsonObject {{QStringLiteral("x"), (i % 50) * 320},
                                          {QStringLiteral("y"), (i / 50) * 220}}));
        graph.nodes.append(node);
    }
    const auto link = [&](int from, int to) {
        Model::Link l;
        l.id = QStringLiteral("l%1-%2").arg(from).arg(to);
        l.sourceId = QStringLiteral("n%1").arg(from);
        l.sourceName = QStringLiteral("output");
        l.sinkId = QStringLiteral("n%1").arg(to);
        l.sinkName = graph.nodes.at(to).blockId == kFillTemplate
            ? QStringLiteral("values_#_v%1").arg(from)
            : QStringLiteral("data");
        graph.links.append(l);
    };
    for (int i = 0; i + 1 < nodeCount; ++i) {
        if ((i + 1) % 50 != 0)
            link(i, i + 1);
        if (i % 3 == 0 && i + 50 < nodeCount && graph.nodes.at(i + 50).blockId == kFillTemplate)
            link(i, i + 50);
    }
    return graph;
}

struct FrameStats
{
    double meanMs = 0;
    double p50Ms = 0;
    double p95Ms = 0;
    double maxMs = 0;
};

FrameStats panFrames(Ui::GraphView *view, int frames, int step)
{
    QList<double> times;
    QElapsedTimer timer;
    for (int i = 0; i < frames; ++i) {
        // Back and forth, so that the pan stays over the graph.
        const int direction = (i / (frames / 4)) % 2 == 0 ? 1 : -1;
        // As a drag with the hand tool does: through the scroll bars.
        view->horizontalScrollBar()->setValue(view->horizontalScrollBar()->value()
                                              + direction * step);
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->value()
                                            + direction * step / 3);
        timer.start();
        view->viewport()->repaint();
        QCoreApplication::processEvents();
        times.append(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    FrameStats stats;
    for (double t : times)
        stats.meanMs += t;
    stats.meanMs /= times.size();
    stats.p50Ms = times.at(times.size() / 2);
    stats.p95Ms = times.at(times.size() * 95 / 100);
    stats.maxMs = times.last();
    return stats;
}

QJsonObject toJson(const FrameStats &stats)
{
    const auto round = [](double v) {
        return qRound(v * 100) / 100.0;
    };
    return {{QStringLiteral("mean_ms"), round(stats.meanMs)},
            {QStringLiteral("p50_ms"), round(stats.p50Ms)},
            {QStringLiteral("p95_ms"), round(stats.p95Ms)},
            {QStringLiteral("max_ms"), round(stats.maxMs)}};
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const int nodeCount = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 2000;
    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    auto registry = Engine::BlockRegistry::builtin();
    if (!registry) {
        std::fprintf(stderr, "%s\n", qPrintable(registry.error().text()));
        return 1;
    }
    const QString path = dir.filePath(QStringLiteral("bench.sbx.json"));
    const Model::Graph graph = makeGraph(nodeCount);
    {
        QFile file(path);
        file.open(QIODevice::WriteOnly);
        file.write(Model::graphToJson(graph));
    }
    const auto layouter = Ui::createDefaultLayouter();
    Ui::MainWindowContext context;
    context.registry = *registry;
    context.layouter = layouter.get();
    context.settings.databasePath = dir.filePath(QStringLiteral("bench.db"));
    Ui::MainWindow window(context);
    window.resize(1600, 1000);
    window.show();
    QCoreApplication::processEvents();

    // The longest time the event loop went without a turn while loading.
    QElapsedTimer sinceTick;
    qint64 longestStallNs = 0;
    QTimer ticker;
    ticker.setInterval(0);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        longestStallNs = std::max(longestStallNs, sinceTick.nsecsElapsed());
        sinceTick.start();
    });
    Ui::GraphEditor *opened = nullptr;
    QObject::connect(&window, &Ui::MainWindow::documentOpened,
                     [&](Ui::GraphEditor *editor) { opened = editor; });
    QElapsedTimer load;
    load.start();
    sinceTick.start();
    ticker.start();
    window.openFile(path);
    while (!opened)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const double loadMs = double(load.nsecsElapsed()) / 1e6;
    ticker.stop();
    const double stallMs = double(longestStallNs) / 1e6;
    QCoreApplication::processEvents();

    Ui::GraphView *view = opened->view();
    if (qEnvironmentVariableIsSet("NO_MINIMAP"))
        view->setMinimapVisible(false);
    view->setZoom(1.0);
    view->centerOn(QPointF(2000, 1500));
    const FrameStats close = panFrames(view, 120, 40);
    view->zoomToFit();
    const FrameStats whole = panFrames(view, 60, 8);
    const double fitZoom = view->zoom();

    std::printf("editor_load: %d nodes, %lld links\n", nodeCount,
                static_cast<long long>(graph.links.size()));
    std::printf(
        "  open (read, parse, build the canvas): %.0f ms; longest event-loop stall %.0f ms\n",
        loadMs, stallMs);
    std::printf("  pan at zoom 1.0: mean %.2f ms, p50 %.2f, p95 %.2f, max %.2f per frame\n",
                close.meanMs, close.p50Ms, close.p95Ms, close.maxMs);
    std::printf("  pan with the whole graph in view (zoom %.2f): mean %.2f ms, p50 %.2f, p95 %.2f, "
                "max %.2f per frame\n",
                fitZoom, whole.meanMs, whole.p50Ms, whole.p95Ms, whole.maxMs);
    const QJsonObject result {
        {QStringLiteral("bench"), QStringLiteral("editor_load")},
        {QStringLiteral("nodes"), nodeCount},
        {QStringLiteral("links"), graph.links.size()},
        {QStringLiteral("open_ms"), qRound(loadMs)},
        {QStringLiteral("longest_stall_ms"), qRound(stallMs)},
        {QStringLiteral("pan_zoom_1"), toJson(close)},
        {QStringLiteral("pan_whole_graph"), toJson(whole)},
    };
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
