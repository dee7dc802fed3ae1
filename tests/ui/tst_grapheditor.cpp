// SPDX-License-Identifier: GPL-3.0-or-later
// The graph editor driven as a user drives it: real widgets, QTest mouse and
// key events, assertions on the document. Every edit is undone and redone
// back to the saved JSON, byte for byte.
#include "../llmtestserver.h"
#include "../testsupport.h"
#include "engine/blocks/blockregistry.h"
#include "engine/store/database.h"
#include "engine/store/executionrepository.h"
#include "model/graphjson.h"
#include "ui/blockpalette.h"
#include "ui/commandpalette.h"
#include "ui/connectdialog.h"
#include "ui/executionspanel.h"
#include "ui/appearance.h"
#include "ui/canvascolors.h"
#include "ui/credentialspage.h"
#include "ui/dialogtitles.h"
#include "ui/graphdocument.h"
#include "ui/grapheditor.h"
#include "ui/graphlayouter.h"
#include "ui/graphscene.h"
#include "ui/graphview.h"
#include "ui/groupitem.h"
#include "ui/linkitem.h"
#include "ui/mainwindow.h"
#include "ui/modelspage.h"
#include "ui/nodeitem.h"
#include "ui/propertypanel.h"
#include "ui/reviewdialog.h"
#include "ui/rundata.h"
#include "ui/rundialog.h"
#include "ui/settingsdialog.h"
#include "ui/validationpanel.h"
#include <QComboBox>
#include <QLabel>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTreeWidget>

#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QCursor>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QToolTip>
#include <QTreeView>
#include <QTreeWidget>

using namespace Signalbox;
using namespace Signalbox::Ui;

namespace {

const QString kStoreValue = QStringLiteral("1ff065e9-88e8-4358-9d82-8dc91f622ba9");
const QString kCalculator = QStringLiteral("b1ab9b19-67a6-406d-abf5-2dba76d00c79");
const QString kCreateList = QStringLiteral("a912d5c7-6e00-4542-b2a9-8034136930e4");
const QString kAgentInput = QStringLiteral("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b");

} // namespace

class tst_GraphEditor : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const Engine::BlockRegistry> m_registry;
    std::unique_ptr<GraphLayouter> m_layouter;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;

    MainWindow *window() { return m_window.get(); }
    GraphEditor *editor() { return m_window->currentEditor(); }
    GraphDocument *document() { return editor()->document(); }
    QWidget *viewport() { return editor()->view()->viewport(); }

    std::unique_ptr<MainWindow> makeWindow()
    {
        MainWindowContext context;
        context.registry = m_registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = m_dir->filePath(QStringLiteral("store.db"));
        context.draftsFolder = m_dir->filePath(QStringLiteral("drafts"));
        auto window = std::make_unique<MainWindow>(context);
        window->resize(1400, 900);
        window->show();
        window->activateWindow();
        return window;
    }

    // A new graph in a fresh window, the view at zoom 1 around the origin.
    void freshGraph()
    {
        m_window = makeWindow();
        QVERIFY(QTest::qWaitForWindowActive(window()));
        window()->newGraph();
        editor()->view()->setZoom(1.0);
        editor()->view()->centerOn(QPointF(300, 200));
        editor()->view()->setMinimapVisible(false);
    }

    QPoint viewPoint(QPointF scenePos) { return editor()->view()->mapFromScene(scenePos); }

    QPoint pinPoint(const QString &nodeId, const QString &pin, bool isInput)
    {
        NodeItem *item = editor()->scene()->nodeItem(nodeId);
        PinItem *found = item ? item->pin(pin, isInput) : nullptr;
        if (!found)
            return {};
        return viewPoint(found->scenePos());
    }

    void dragOnCanvas(QPoint from, QPoint to, Qt::KeyboardModifiers modifiers = {})
    {
        QTest::mousePress(viewport(), Qt::LeftButton, modifiers, from);
        // In steps, as a hand moves; the last one on the target.
        for (int step = 1; step <= 4; ++step)
            QTest::mouseMove(viewport(), from + (to - from) * step / 4);
        QTest::mouseRelease(viewport(), Qt::LeftButton, modifiers, to);
    }

    void key(QKeySequence sequence)
    {
        const QKeyCombination combination = sequence[0];
        QTest::keyClick(editor()->view(), combination.key(), combination.keyboardModifiers());
    }

    // Undo then redo: the document goes back to `before` and forward to
    // `after`, byte for byte.
    void checkUndoRedo(const QByteArray &before, const QByteArray &after)
    {
        QCOMPARE(document()->toJson(), after);
        key(QKeySequence::Undo);
        QCOMPARE(document()->toJson(), before);
        key(QKeySequence::Redo);
        QCOMPARE(document()->toJson(), after);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("XDG_CONFIG_HOME", m_dir->filePath(QStringLiteral("config")).toUtf8());
        auto registry = Engine::BlockRegistry::builtin();
        QVERIFY2(registry.ok(), qPrintable(registry.ok() ? QString() : registry.error().text()));
        m_registry = *registry;
        m_layouter = createDefaultLayouter();
    }

    void cleanup()
    {
        if (m_window) {
            for (GraphEditor *open : m_window->editors())
                open->document()->undoStack()->setClean();
            m_window.reset();
        }
        QGuiApplication::clipboard()->clear();
    }

    void addFromPaletteByDragAndDrop()
    {
        freshGraph();
        const QByteArray empty = document()->toJson();
        BlockPalette *palette = window()->palette();
        QTest::keyClicks(palette->searchField(), QStringLiteral("store value"));
        QCOMPARE(palette->visibleBlockIds(), QStringList {kStoreValue});
        // The drag carries what the palette's model puts in it.
        const QModelIndex index = palette->tree()->currentIndex();
        QCOMPARE(index.data(BlockIdRole).toString(), kStoreValue);
        std::unique_ptr<QMimeData> data(palette->model()->mimeData({index}));
        QVERIFY(data);
        const QPoint drop = viewPoint(QPointF(120, 140));
        QDragEnterEvent enter(drop, Qt::CopyAction, data.get(), Qt::LeftButton, {});
        QApplication::sendEvent(viewport(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent dropEvent(drop, Qt::CopyAction, data.get(), Qt::LeftButton, {});
        QApplication::sendEvent(viewport(), &dropEvent);
        QCOMPARE(document()->graph().nodes.size(), 1);
        const Model::Node &node = document()->graph().nodes.first();
        QCOMPARE(node.blockId, kStoreValue);
        QCOMPARE(GraphDocument::nodePosition(node), QPointF(120, 140));
        QVERIFY(window()->isWindowModified());
        checkUndoRedo(empty, document()->toJson());
        key(QKeySequence::Undo);
        QVERIFY(!window()->isWindowModified());
    }

    void addFromPaletteByKeyboard()
    {
        freshGraph();
        const QByteArray empty = document()->toJson();
        BlockPalette *palette = window()->palette();
        palette->searchField()->setFocus();
        QTest::keyClicks(palette->searchField(), QStringLiteral("calcul"));
        QTest::keyClick(palette->searchField(), Qt::Key_Return);
        QCOMPARE(document()->graph().nodes.size(), 1);
        QCOMPARE(document()->graph().nodes.first().blockId, kCalculator);
        // The new node is selected and the canvas has the focus.
        QCOMPARE(editor()->scene()->selectedNodeIds(),
                 QStringList {document()->graph().nodes.first().id});
        checkUndoRedo(empty, document()->toJson());
        // A block's own name comes before names that only hold its words.
        palette->searchField()->setFocus();
        palette->searchField()->clear();
        QTest::keyClicks(palette->searchField(), QStringLiteral("agent input"));
        QTest::keyClick(palette->searchField(), Qt::Key_Return);
        QCOMPARE(document()->graph().nodes.size(), 2);
        QCOMPARE(document()->graph().nodes.last().blockId, kAgentInput);
    }

    void newBlocksGoToTheCursorOrAFreeSpot()
    {
        freshGraph();
        BlockPalette *palette = window()->palette();
        const auto addFromPalette = [&](const QString &search) {
            palette->searchField()->setFocus();
            palette->searchField()->clear();
            QTest::keyClicks(palette->searchField(), search);
            QTest::keyClick(palette->searchField(), Qt::Key_Return);
        };
        const auto rectOf = [&](const QString &id) {
            return editor()->scene()->nodeItem(id)->sceneBoundingRect();
        };
        // The mouse is away from the canvas: three blocks, none over another.
        QCursor::setPos(window()->mapToGlobal(QPoint(5, 5)));
        for (const QString &search :
             {QStringLiteral("calcul"), QStringLiteral("store value"), QStringLiteral("calcul")})
            addFromPalette(search);
        const QList<Model::Node> nodes = document()->graph().nodes;
        QCOMPARE(nodes.size(), 3);
        for (int i = 0; i < nodes.size(); ++i) {
            for (int j = i + 1; j < nodes.size(); ++j)
                QVERIFY2(!rectOf(nodes.at(i).id).intersects(rectOf(nodes.at(j).id)),
                         qPrintable(QStringLiteral("nodes %1 and %2 overlap").arg(i).arg(j)));
        }
        // The mouse over an empty part of the canvas: the block goes there.
        // (A free place in view: the farthest corner from the nodes.)
        QPoint pointer;
        QPointF at;
        for (const QPoint &corner :
             {QPoint(8, 8), QPoint(viewport()->width() - 8, 8), QPoint(8, viewport()->height() - 8),
              QPoint(viewport()->width() - 8, viewport()->height() - 8)}) {
            const QPointF scenePoint = editor()->view()->mapToScene(corner);
            if (editor()->freeSpotNear(kStoreValue, scenePoint) == scenePoint) {
                pointer = corner;
                at = scenePoint;
                break;
            }
        }
        QVERIFY(!pointer.isNull());
        QCursor::setPos(viewport()->mapToGlobal(pointer));
        QCOMPARE(viewport()->mapFromGlobal(QCursor::pos()), pointer);
        addFromPalette(QStringLiteral("store value"));
        const QPointF placed = GraphDocument::nodePosition(document()->graph().nodes.last());
        QVERIFY2(QLineF(placed, at).length() < 2.0,
                 qPrintable(QStringLiteral("placed at %1,%2, not %3,%4")
                                .arg(placed.x())
                                .arg(placed.y())
                                .arg(at.x())
                                .arg(at.y())));
        // Shift+A opens the quick-add where the mouse is.
        editor()->view()->setFocus();
        QTest::keyClick(editor()->view(), Qt::Key_A, Qt::ShiftModifier);
        QuickAddPopup *popup = nullptr;
        QTRY_VERIFY((popup = window()->findChild<QuickAddPopup *>(QStringLiteral("quickAdd"))));
        QTest::keyClicks(popup->searchField(), QStringLiteral("create list"));
        QTest::keyClick(popup->searchField(), Qt::Key_Return);
        const Model::Node &listNode = document()->graph().nodes.last();
        QCOMPARE(listNode.blockId, kCreateList);
        // Not on top of the block already at the mouse: the nearest free spot.
        QVERIFY(!rectOf(listNode.id).intersects(rectOf(document()->graph().nodes.at(3).id)));
        QVERIFY2(QLineF(GraphDocument::nodePosition(listNode), at).length() < 600,
                 qPrintable(QStringLiteral("placed at %1,%2")
                                .arg(GraphDocument::nodePosition(listNode).x())
                                .arg(GraphDocument::nodePosition(listNode).y())));
    }

    void selectingANodeBringsItsPropertiesForward()
    {
        freshGraph();
        const QString node = document()->addNode(kStoreValue, QPointF(0, 0));
        editor()->scene()->clearSelection();
        // The inbox shares the properties' place and is in front.
        auto *inbox = window()->findChild<QDockWidget *>(QStringLiteral("inboxDock"));
        QVERIFY(inbox);
        inbox->raise();
        // (A tab behind another is covered, not hidden.)
        QTRY_VERIFY(window()->propertyPanel()->visibleRegion().isEmpty());
        editor()->scene()->nodeItem(node)->setSelected(true);
        QTRY_VERIFY(!window()->propertyPanel()->visibleRegion().isEmpty());
        QCOMPARE(window()->propertyPanel()->nodeId(), node);
        // A dock the user closed stays closed.
        auto *properties = window()->findChild<QDockWidget *>(QStringLiteral("propertiesDock"));
        properties->close();
        editor()->scene()->clearSelection();
        editor()->scene()->nodeItem(node)->setSelected(true);
        QTest::qWait(50);
        QVERIFY(!properties->isVisible());
        properties->show();
    }

    void quickAddAtTheCursor()
    {
        freshGraph();
        const QByteArray empty = document()->toJson();
        const QPointF at(300, 260);
        QTest::mouseDClick(viewport(), Qt::LeftButton, {}, viewPoint(at));
        auto *popup = window()->findChild<QuickAddPopup *>(QStringLiteral("quickAdd"));
        QVERIFY(popup);
        QTRY_VERIFY(popup->isVisible());
        QTest::keyClicks(popup->searchField(), QStringLiteral("create list"));
        QCOMPARE(popup->currentBlockId(), kCreateList);
        QTest::keyClick(popup->searchField(), Qt::Key_Return);
        QCOMPARE(document()->graph().nodes.size(), 1);
        const Model::Node &node = document()->graph().nodes.first();
        QCOMPARE(node.blockId, kCreateList);
        const QPointF placed = GraphDocument::nodePosition(node);
        QVERIFY2(QLineF(placed, at).length() < 2.0,
                 qPrintable(QStringLiteral("placed at %1,%2").arg(placed.x()).arg(placed.y())));
        checkUndoRedo(empty, document()->toJson());
    }

    void aLinkLetGoOnTheCanvasAddsALinkedBlock()
    {
        freshGraph();
        const QString source = document()->addNode(kStoreValue, QPointF(0, 100));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        const QPointF empty(500, 300);
        dragOnCanvas(pinPoint(source, QStringLiteral("output"), false), viewPoint(empty));
        QuickAddPopup *popup = nullptr;
        QTRY_VERIFY((popup = window()->findChild<QuickAddPopup *>(QStringLiteral("quickAdd")))
                    && popup->isVisible());
        QTest::keyClicks(popup->searchField(), QStringLiteral("calculator"));
        QTest::keyClick(popup->searchField(), Qt::Key_Return);
        QCOMPARE(document()->graph().nodes.size(), 2);
        const Model::Node &added = document()->graph().nodes.last();
        QCOMPARE(added.blockId, kCalculator);
        // Linked to its first input that takes the value and is not a
        // choice among fixed values (the operation).
        QCOMPARE(document()->graph().links.size(), 1);
        const Model::Link &link = document()->graph().links.first();
        QCOMPARE(link.sourceId, source);
        QCOMPARE(link.sinkId, added.id);
        QCOMPARE(link.sinkName, QStringLiteral("a"));
        // One step to undo.
        checkUndoRedo(before, document()->toJson());
    }

    void linkByDraggingPinToPin()
    {
        freshGraph();
        const QString source = document()->addNode(kStoreValue, QPointF(0, 100));
        const QString sink = document()->addNode(kStoreValue, QPointF(400, 100));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        dragOnCanvas(pinPoint(source, QStringLiteral("output"), false),
                     pinPoint(sink, QStringLiteral("input"), true));
        QCOMPARE(document()->graph().links.size(), 1);
        const Model::Link &link = document()->graph().links.first();
        QCOMPARE(link.sourceId, source);
        QCOMPARE(link.sourceName, QStringLiteral("output"));
        QCOMPARE(link.sinkId, sink);
        QCOMPARE(link.sinkName, QStringLiteral("input"));
        QVERIFY(editor()->scene()->linkItem(link.id));
        QVERIFY(editor()->scene()->nodeItem(sink)->pin(QStringLiteral("input"), true));
        checkUndoRedo(before, document()->toJson());

        // Dragged from the input end, the link is made the same way round.
        const QByteArray linked = document()->toJson();
        dragOnCanvas(pinPoint(sink, QStringLiteral("data"), true),
                     pinPoint(source, QStringLiteral("output"), false));
        QCOMPARE(document()->graph().links.size(), 2);
        QCOMPARE(document()->graph().links.last().sinkName, QStringLiteral("data"));
        checkUndoRedo(linked, document()->toJson());
    }

    void refusedLinksSayWhy_data()
    {
        QTest::addColumn<QString>("sourceBlock");
        QTest::addColumn<QString>("sourcePin");
        QTest::addColumn<QString>("sinkBlock");
        QTest::addColumn<QString>("sinkPin");
        QTest::addColumn<QString>("reason");
        QTest::newRow("list to number") << kCreateList << "list" << kCalculator << "a"
                                        << "a list output cannot feed a number input: it would "
                                           "arrive as its length";
        QTest::newRow("number to object")
            << kCalculator << "result" << QStringLiteral("b924ddf4-de4f-4b56-9a85-358930dcbc91")
            << "values"
            << "a number output cannot feed an object input";
    }

    void refusedLinksSayWhy()
    {
        QFETCH(QString, sourceBlock);
        QFETCH(QString, sourcePin);
        QFETCH(QString, sinkBlock);
        QFETCH(QString, sinkPin);
        QFETCH(QString, reason);
        freshGraph();
        const QString source = document()->addNode(sourceBlock, QPointF(0, 100));
        const QString sink = document()->addNode(sinkBlock, QPointF(400, 100));
        const QByteArray before = document()->toJson();
        const int commands = document()->undoStack()->count();
        QSignalSpy refused(editor()->scene(), &GraphScene::linkRefused);
        dragOnCanvas(pinPoint(source, sourcePin, false), pinPoint(sink, sinkPin, true));
        QCOMPARE(refused.size(), 1);
        const QString message = refused.first().first().toString();
        QVERIFY2(message.contains(reason), qPrintable(message));
        QCOMPARE(document()->toJson(), before);
        QCOMPARE(document()->undoStack()->count(), commands);
        // The reason reaches the user next to the cursor and in the status bar.
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(reason), qPrintable(QToolTip::text()));
        QVERIFY(window()->statusBar()->currentMessage().contains(reason));
    }

    void secondLinkToAnInputIsRefusedUnlessDynamic()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(0, 200));
        const QString sink = document()->addNode(kStoreValue, QPointF(400, 100));
        const QString list = document()->addNode(kCreateList, QPointF(400, 400));
        QVERIFY(document()->addLink(a, QStringLiteral("output"), sink, QStringLiteral("input")));
        QSignalSpy refused(editor()->scene(), &GraphScene::linkRefused);
        dragOnCanvas(pinPoint(b, QStringLiteral("output"), false),
                     pinPoint(sink, QStringLiteral("input"), true));
        QCOMPARE(refused.size(), 1);
        QVERIFY(refused.first().first().toString().contains(QStringLiteral("linked already")));
        // A list input takes one link per item: values, values_$_0, ...
        dragOnCanvas(pinPoint(a, QStringLiteral("output"), false),
                     pinPoint(list, QStringLiteral("values"), true));
        dragOnCanvas(pinPoint(b, QStringLiteral("output"), false),
                     pinPoint(list, QStringLiteral("values"), true));
        QCOMPARE(refused.size(), 1);
        QStringList sinks;
        for (const Model::Link &link : document()->graph().links) {
            if (link.sinkId == list)
                sinks.append(link.sinkName);
        }
        QCOMPARE(sinks, (QStringList {QStringLiteral("values"), QStringLiteral("values_$_0")}));
    }

    // A newcomer's first graph, built only as a user builds it: blocks from
    // the palette, settings typed into the property panel, a key added to
    // the template's values, links dragged from pin to pin; run with F5,
    // approved in the review dialog.
    void aGraphBuiltThroughTheUiRunsAndRendersItsTemplate()
    {
        freshGraph();
        BlockPalette *palette = window()->palette();
        PropertyPanel *panel = window()->propertyPanel();
        const auto addBlock = [&](const QString &search, const QString &blockId) -> QString {
            palette->searchField()->setFocus();
            palette->searchField()->clear();
            QTest::keyClicks(palette->searchField(), search);
            QTest::keyClick(palette->searchField(), Qt::Key_Return);
            const QStringList selected = editor()->scene()->selectedNodeIds();
            if (selected.size() != 1 || document()->node(selected.first())->blockId != blockId)
                return QString();
            (void)QTest::qWaitFor([&] { return panel->nodeId() == selected.first(); }, 2000);
            return panel->nodeId() == selected.first() ? selected.first() : QString();
        };
        const auto typeInto = [&](const QString &field, const QString &text) {
            QWidget *editor = nullptr;
            (void)QTest::qWaitFor([&] { return (editor = panel->fieldEditor(field)) != nullptr; },
                                  2000);
            QVERIFY(editor);
            editor->setFocus();
            QTest::keyClicks(editor, text);
            QTest::keyClick(editor, Qt::Key_Return,
                            qobject_cast<QLineEdit *>(editor) ? Qt::NoModifier
                                                              : Qt::ControlModifier);
        };
        const QString input = addBlock(QStringLiteral("Agent Input"), kAgentInput);
        QVERIFY(!input.isEmpty());
        typeInto(QStringLiteral("name"), QStringLiteral("topic"));
        const QString fill = addBlock(QStringLiteral("Fill Text Template"),
                                      QStringLiteral("db7d8f02-2f44-4c55-ab7a-eae0941f0c30"));
        QVERIFY(!fill.isEmpty());
        typeInto(QStringLiteral("format"), QStringLiteral("Write about {{topic}}"));
        const QString review = addBlock(QStringLiteral("Human In The Loop"),
                                        QStringLiteral("8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"));
        QVERIFY(!review.isEmpty());
        typeInto(QStringLiteral("name"), QStringLiteral("Check the prompt"));
        const QString output = addBlock(QStringLiteral("Agent Output"),
                                        QStringLiteral("363ae599-353e-4804-937e-b2ee3cef3da4"));
        QVERIFY(!output.isEmpty());
        typeInto(QStringLiteral("name"), QStringLiteral("prompt"));

        // Linked to the whole dict, the input would not fill {{topic}}: the
        // Problems panel warns, naming the variable.
        dragOnCanvas(pinPoint(input, QStringLiteral("result"), false),
                     pinPoint(fill, QStringLiteral("values"), true));
        QCOMPARE(document()->graph().links.size(), 1);
        QTreeWidget *problems = window()->validationPanel()->list();
        const auto warned = [&] {
            for (int i = 0; i < problems->topLevelItemCount(); ++i) {
                if (problems->topLevelItem(i)->text(2).contains(QStringLiteral("{{topic}}")))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(warned(), 2000);
        // The user names the linked value "topic" in the template's keys.
        QTest::mouseClick(viewport(), Qt::LeftButton, {},
                          viewPoint(editor()->scene()->nodeItem(fill)->sceneBoundingRect().topLeft()
                                    + QPointF(60, 10)));
        QTRY_COMPARE(panel->nodeId(), fill);
        // The warning shows next to the template too.
        QTRY_VERIFY(panel->fieldMessage(QStringLiteral("format")).contains(QStringLiteral("{{topic}}")));
        QTRY_VERIFY(panel->findChild<QWidget *>(QStringLiteral("entries/values")));
        const auto nameWhole = [&]() -> QLineEdit * {
            for (QLineEdit *edit : panel->findChildren<QLineEdit *>()) {
                if (edit->placeholderText() == QStringLiteral("Name this entry"))
                    return edit;
            }
            return nullptr;
        };
        QTRY_VERIFY(nameWhole());
        QLineEdit *name = nameWhole();
        name->setFocus();
        QTest::keyClicks(name, QStringLiteral("topic"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(document()->graph().links.first().sinkName, QStringLiteral("values_#_topic"));
        QTRY_VERIFY_WITH_TIMEOUT(!warned(), 2000);
        QTRY_VERIFY(panel->fieldMessage(QStringLiteral("format")).isEmpty());

        dragOnCanvas(pinPoint(fill, QStringLiteral("output"), false),
                     pinPoint(review, QStringLiteral("data"), true));
        dragOnCanvas(pinPoint(review, QStringLiteral("approved_data"), false),
                     pinPoint(output, QStringLiteral("value"), true));
        QCOMPARE(document()->graph().links.size(), 3);

        QTest::keyClick(editor()->view(), Qt::Key_F5);
        RunDialog *run = nullptr;
        QTRY_VERIFY((run = window()->findChild<RunDialog *>(QStringLiteral("runDialog"))));
        QLineEdit *topic = run->inputField(QStringLiteral("topic"));
        QVERIFY(topic);
        QTest::keyClicks(topic, QStringLiteral("sea otters"));
        QTest::keyClick(topic, Qt::Key_Return);
        ReviewDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = window()->findChild<ReviewDialog *>(QStringLiteral("reviewDialog"))), 10000);
        const QString runId = window()->watchedRun();
        QSignalSpy finished(window(), &MainWindow::runFinished);
        QTest::keyClick(dialog, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(finished.wait(15000));
        auto store = Engine::Database::open(m_dir->filePath(QStringLiteral("store.db")));
        QVERIFY(store.ok());
        Engine::ExecutionRepository executions(**store, m_registry.get());
        auto done = executions.graphExecution(QString(Model::kDefaultUserId), runId);
        QVERIFY(done.ok() && done->has_value());
        QCOMPARE((*done)->meta.status, Model::ExecutionStatus::Completed);
        QCOMPARE(Model::toQJson((*done)->outputs.value(QStringLiteral("prompt"))),
                 QJsonValue(QJsonArray {QStringLiteral("Write about sea otters")}));
    }

    void dictEntriesAreAddedRenamedAndRemoved()
    {
        freshGraph();
        const QString source = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString fill = document()->addNode(
            QStringLiteral("db7d8f02-2f44-4c55-ab7a-eae0941f0c30"), QPointF(400, 0));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        QTest::mouseClick(viewport(), Qt::LeftButton, {}, viewPoint(QPointF(460, 10)));
        PropertyPanel *panel = window()->propertyPanel();
        QCOMPARE(panel->nodeId(), fill);
        auto *addKey = panel->findChild<QLineEdit *>(QStringLiteral("addKey"));
        QVERIFY(addKey);
        addKey->setFocus();
        QTest::keyClicks(addKey, QStringLiteral("topic"));
        QTest::keyClick(addKey, Qt::Key_Return);
        const auto values = [&] {
            return Model::toQJson(document()->node(fill)->inputDefault.value(QStringLiteral("values")));
        };
        QCOMPARE(values(), QJsonValue(QJsonObject {{QStringLiteral("topic"), QString()}}));
        // The key is a pin of its own on the node, to link to.
        QTRY_VERIFY(editor()->scene()->nodeItem(fill)->pin(QStringLiteral("values_#_topic"), true));
        checkUndoRedo(before, document()->toJson());
        dragOnCanvas(pinPoint(source, QStringLiteral("output"), false),
                     pinPoint(fill, QStringLiteral("values_#_topic"), true));
        QCOMPARE(document()->graph().links.size(), 1);
        QCOMPARE(document()->graph().links.first().sinkName, QStringLiteral("values_#_topic"));
        // A key taken already is refused, and says so.
        QLineEdit *key = nullptr;
        QTRY_VERIFY((key = panel->findChild<QLineEdit *>(QStringLiteral("key/topic"))));
        const QByteArray linked = document()->toJson();
        QCOMPARE(document()->addEntry(fill, QStringLiteral("values"), QStringLiteral("topic"))
                     .error()
                     .message,
                 QStringLiteral("\"values\" has a key \"topic\" already"));
        // Renamed: the key and the link into it change as one edit.
        key->setFocus();
        key->selectAll();
        QTest::keyClicks(key, QStringLiteral("subject"));
        QTest::keyClick(key, Qt::Key_Return);
        QCOMPARE(values(), QJsonValue(QJsonObject {{QStringLiteral("subject"), QString()}}));
        QCOMPARE(document()->graph().links.first().sinkName, QStringLiteral("values_#_subject"));
        QTRY_VERIFY(editor()->scene()->nodeItem(fill)->pin(QStringLiteral("values_#_subject"), true));
        QVERIFY(!editor()->scene()->nodeItem(fill)->pin(QStringLiteral("values_#_topic"), true));
        QCOMPARE(document()->undoStack()->text(document()->undoStack()->index() - 1),
                 QStringLiteral("Rename key topic of values to subject"));
        checkUndoRedo(linked, document()->toJson());
        // Removed: the key goes with its link.
        QToolButton *remove = nullptr;
        const auto findRemove = [&] {
            for (QToolButton *button : panel->findChildren<QToolButton *>()) {
                if (button->accessibleName() == QStringLiteral("Remove key subject of values"))
                    remove = button;
            }
            return remove != nullptr;
        };
        QTRY_VERIFY(findRemove());
        const QByteArray renamed = document()->toJson();
        remove->click();
        QCOMPARE(values(), QJsonValue(QJsonObject {}));
        QVERIFY(document()->graph().links.isEmpty());
        checkUndoRedo(renamed, document()->toJson());
    }

    void runDataCountsWhatEachLinkCarried()
    {
        // A list node yields [1, 2] once and 7 on "value" twice; its links
        // take the whole list, its item 1, a key it lacks, and "value".
        Model::Graph graph;
        const auto link = [&](const char *id, const char *source) {
            Model::Link made;
            made.id = QString::fromLatin1(id);
            made.sourceId = QStringLiteral("list");
            made.sourceName = QString::fromLatin1(source);
            made.sinkId = QStringLiteral("sink");
            made.sinkName = QStringLiteral("input");
            graph.links.append(made);
        };
        link("whole", "list");
        link("item", "list_$_1");
        link("missing", "list_#_key");
        link("value", "value");
        const auto execution = [](const char *id, int msec, const char *outputs,
                                  Model::ExecutionStatus status) {
            Model::NodeExecutionResult exec;
            exec.nodeId = QStringLiteral("list");
            exec.nodeExecId = QString::fromLatin1(id);
            exec.status = status;
            exec.startTime = QDateTime::fromMSecsSinceEpoch(1'000'000 + msec, Qt::UTC);
            exec.outputData = Model::parseTrustedJson(Testing::json(outputs)).toMap();
            return exec;
        };
        const QList<Model::NodeExecutionResult> executions {
            execution("01-b", 5, "{'value': [7]}", Model::ExecutionStatus::Completed),
            execution("01-a", 0, "{'list': [[1, 2]], 'value': [7]}",
                      Model::ExecutionStatus::Completed),
            // Started in the same millisecond as 01-b, with a later id: the last.
            execution("01-c", 5, "{'error': ['boom']}", Model::ExecutionStatus::Failed),
        };
        const RunData data = runDataFrom(QStringLiteral("run"), graph, executions);
        QCOMPARE(data.linkValues.value(QStringLiteral("whole")), 1);
        QCOMPARE(data.linkValues.value(QStringLiteral("item")), 1);
        QCOMPARE(data.linkValues.value(QStringLiteral("missing")), 0);
        QCOMPARE(data.linkValues.value(QStringLiteral("value")), 2);
        const NodeRunData node = data.nodes.value(QStringLiteral("list"));
        QCOMPARE(node.executions, 3);
        QCOMPARE(node.status, Model::ExecutionStatus::Failed);
        QCOMPARE(node.error, QStringLiteral("boom"));
    }

    void whatANewcomerLooksForIsWhereTheyLook()
    {
        freshGraph();
        // An empty canvas says how to begin; the first block hides it.
        QLabel *hint = editor()->view()->emptyHint();
        QVERIFY(hint->isVisible());
        QVERIFY(hint->text().contains(QStringLiteral("Shift+A")));
        const QString node = document()->addNode(kStoreValue, QPointF(0, 0));
        QTRY_VERIFY(!hint->isVisible());
        document()->undoStack()->undo();
        QTRY_VERIFY(hint->isVisible());

        // The toolbar: run, stop, validate and the two safe modes.
        auto *bar = window()->findChild<QToolBar *>(QStringLiteral("mainToolBar"));
        QVERIFY(bar && bar->isVisible());
        QStringList names;
        for (QAction *each : bar->actions())
            names.append(each->objectName());
        for (const char *name : {"run", "stop", "validate", "hitlSafeMode", "sensitiveSafeMode"})
            QVERIFY2(names.contains(QLatin1String(name)), name);
        QAction *sensitive = window()->action(QStringLiteral("sensitiveSafeMode"));
        const bool was = sensitive->isChecked();
        sensitive->trigger();
        QCOMPARE(QSettings().value(QStringLiteral("run/sensitiveSafeMode")).toBool(), !was);
        sensitive->trigger();

        // Settings under Edit › Preferences, as on Linux desktops.
        QMenu *edit = nullptr;
        for (QAction *menu : window()->menuBar()->actions()) {
            if (menu->text() == QStringLiteral("&Edit"))
                edit = menu->menu();
        }
        QVERIFY(edit);
        QVERIFY(edit->actions().contains(window()->action(QStringLiteral("settings"))));
        QCOMPARE(window()->action(QStringLiteral("settings"))->text(),
                 QStringLiteral("Pr&eferences…"));

        // Help: the guide, the shortcuts, the examples.
        window()->action(QStringLiteral("guide"))->trigger();
        auto *guide = window()->findChild<QTextBrowser *>(QStringLiteral("guideText"));
        QVERIFY(guide);
        QVERIFY(guide->toPlainText().contains(QStringLiteral("Desktop application")));
        window()->action(QStringLiteral("shortcuts"))->trigger();
        auto *table = window()->findChild<QTableWidget *>(QStringLiteral("shortcutTable"));
        QVERIFY(table);
        bool listsRun = false;
        for (int row = 0; row < table->rowCount(); ++row)
            listsRun |= table->item(row, 0)->text() == QStringLiteral("Run")
                && table->item(row, 1)->text() == QStringLiteral("F5");
        QVERIFY(listsRun);
        guide->window()->close();
        table->window()->close();
        window()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window()));
        auto *examples = window()->findChild<QMenu *>(QStringLiteral("examplesMenu"));
        QVERIFY(examples);
        QAction *topic = nullptr;
        for (QAction *each : examples->actions()) {
            if (each->objectName() == QStringLiteral("example:write-about-a-topic.sbx.json"))
                topic = each;
        }
        QVERIFY(topic);
        QCOMPARE(topic->text(), QStringLiteral("Write about a topic"));
        const int open = int(window()->editors().size());
        topic->trigger();
        QTRY_COMPARE(int(window()->editors().size()), open + 1);
        QCOMPARE(document()->graph().name, QStringLiteral("Write about a topic"));

        // The graph's name and description, as one edit.
        window()->action(QStringLiteral("graphDetails"))->trigger();
        QDialog *details = nullptr;
        QTRY_VERIFY((details = window()->findChild<QDialog *>(QStringLiteral("graphDetails"))));
        const QByteArray before = document()->toJson();
        details->findChild<QLineEdit *>(QStringLiteral("graphName"))->setText(
            QStringLiteral("Otters"));
        details->findChild<QPlainTextEdit *>(QStringLiteral("graphDescription"))
            ->setPlainText(QStringLiteral("About otters"));
        details->accept();
        QCOMPARE(document()->graph().name, QStringLiteral("Otters"));
        QCOMPARE(document()->graph().description, QStringLiteral("About otters"));
        checkUndoRedo(before, document()->toJson());

        // A dialog opens wide enough for its title.
        QDialog titled(window());
        titled.setWindowTitle(QStringLiteral("Run of a graph whose name is long enough to be cut"));
        titled.resize(200, 100);
        titled.show();
        QVERIFY(titled.width() >= DialogTitles::widthFor(titled));
        titled.close();

        // Light or dark: the canvas follows the application's palette.
        QVERIFY(!CanvasColors::current().dark);
        applyAppearance(QStringLiteral("dark"));
        QVERIFY(CanvasColors::current().dark);
        QVERIFY(CanvasColors::current().nodeBody.lightness() < 100);
        applyAppearance(QStringLiteral("system"));
        QVERIFY(!CanvasColors::current().dark);

        // Palette blocks carry their category's mark.
        QAbstractItemModel *blocks = window()->palette()->model();
        const QModelIndex firstCategory = blocks->index(0, 0);
        QVERIFY(!blocks->index(0, 0, firstCategory).data(Qt::DecorationRole).value<QIcon>().isNull());
    }

    void editAProperty()
    {
        freshGraph();
        const QString node = document()->addNode(kAgentInput, QPointF(0, 0));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        QTest::mouseClick(viewport(), Qt::LeftButton, {}, viewPoint(QPointF(120, 10)));
        QCOMPARE(window()->propertyPanel()->nodeId(), node);
        // Required and empty: the field says so.
        QVERIFY(window()
                    ->propertyPanel()
                    ->fieldMessage(QStringLiteral("name"))
                    .contains(QStringLiteral("Required")));
        auto *name = qobject_cast<QLineEdit *>(
            window()->propertyPanel()->fieldEditor(QStringLiteral("name")));
        QVERIFY(name);
        name->setFocus();
        QTest::keyClicks(name, QStringLiteral("topic"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(document()->node(node)->inputDefault.value(QStringLiteral("name")).toString(),
                 QStringLiteral("topic"));
        QVERIFY(window()->propertyPanel()->fieldMessage(QStringLiteral("name")).isEmpty());
        // The node shows the value.
        QCOMPARE(document()->undoStack()->count(), 2);
        QCOMPARE(document()->undoStack()->text(1), QStringLiteral("Set name of Agent Input"));
        checkUndoRedo(before, document()->toJson());
    }

    void credentialsPageAndPicker()
    {
        freshGraph();
        // No keychain here: the user opts in to the encrypted file.
        window()->credentials();
        window()->secretStoreChoice()->setKind(SecretStoreChoice::Kind::EncryptedFile);
        window()->secretStoreChoice()->unlock(QStringLiteral("passphrase"));
        {
            // The keychain is asked off the window's thread: the page opens
            // at once and says what it heard when the answer comes.
            auto keychain = std::make_shared<SecretStoreChoice>(
                SecretStoreChoice::Kind::Keychain, m_dir->filePath(QStringLiteral("k.secrets")));
            CredentialsPage asking(window()->credentials(), keychain);
            QSignalSpy shown(&asking, &CredentialsPage::storeStateShown);
            QCOMPARE(asking.storeState()->text(), QStringLiteral("Asking the system keychain…"));
            QVERIFY(shown.wait(20000));
            QVERIFY(asking.storeState()->text() != QStringLiteral("Asking the system keychain…"));
        }
        CredentialsPage page(window()->credentials(), window()->secretStoreChoice());
        QSignalSpy changed(&page, &CredentialsPage::changed);
        QSignalSpy failed(&page, &CredentialsPage::failed);
        // The store is written off the window's thread: the calls return at
        // once, and the page follows when the writes are done.
        page.addHostHeaders(QStringLiteral("Example API"), QStringLiteral("api.example.com"),
                            QStringLiteral("Authorization"), QStringLiteral("Bearer x1"));
        page.addApiKey(QStringLiteral("openai"), QStringLiteral("Key"), QStringLiteral("sk-1"));
        QCOMPARE(page.list()->topLevelItemCount(), 0);
        QTRY_COMPARE(changed.size(), 2);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString()
                                                               : failed.first().first().toString()));
        QTRY_COMPARE(page.list()->topLevelItemCount(), 2);
        QString hostId;
        for (int row = 0; row < 2; ++row) {
            if (page.list()->topLevelItem(row)->text(1) == QStringLiteral("http"))
                hostId = page.list()->topLevelItem(row)->data(0, Qt::UserRole).toString();
        }
        QVERIFY(!hostId.isEmpty());
        page.addHostHeaders({}, {}, {}, {});
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().first().toString(),
                 QStringLiteral("Give the host, the header and its value"));
        delete page.findChild<QMessageBox *>(QStringLiteral("credentialsError"));
        window()->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(window()));
        // The window reads them again off its thread, as it does when the
        // settings' page changes them.
        window()->refreshCredentials();
        QTRY_COMPARE(
            window()->credentialsSnapshot()->list(QString(Model::kDefaultUserId))->size(), 2);

        // The picker offers only credentials of the pin's provider and type.
        const QString node = document()->addNode(
            QStringLiteral("fff86bcd-e001-4bad-a7f6-2eae4720c8dc"), QPointF(0, 0));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        editor()->scene()->nodeItem(node)->setSelected(true);
        QTRY_COMPARE(window()->propertyPanel()->nodeId(), node);
        QComboBox *picker = nullptr;
        QTRY_VERIFY((picker = qobject_cast<QComboBox *>(
                         window()->propertyPanel()->fieldEditor(QStringLiteral("credentials")))));
        QCOMPARE(picker->count(), 2);
        QCOMPARE(picker->itemData(1).toString(), hostId);
        picker->setCurrentIndex(1);
        Q_EMIT picker->activated(1);
        const Model::ValueMap chosen
            = document()->node(node)->inputDefault.value(QStringLiteral("credentials")).toMap();
        QCOMPARE(chosen.value(QStringLiteral("id")).toString(), hostId);
        QCOMPARE(chosen.value(QStringLiteral("type")).toString(), QStringLiteral("host_scoped"));
        QCOMPARE(chosen.value(QStringLiteral("provider")).toString(), QStringLiteral("http"));
        QVERIFY(!document()->toJson().contains("Bearer x1"));
        // Validation (F7) knows the chosen credentials; without them it asks for some.
        QVERIFY(!validateDocument(*document(), m_registry, window()->credentialsSnapshot().get())
                     .errors.value(node)
                     .contains(QStringLiteral("credentials")));
        QVERIFY(validateDocument(*document(), m_registry, window()->credentialsSnapshot().get())
                    .errors.value(node)
                    .contains(QStringLiteral("url")));
        checkUndoRedo(before, document()->toJson());
    }

    void modelPickerGroupsModelsByProvider()
    {
        freshGraph();
        const QString node = document()->addNode(
            QStringLiteral("1f292d4a-41a4-4977-9684-7c8d560b9f91"), QPointF(0, 0));
        document()->undoStack()->setClean();
        const QByteArray before = document()->toJson();
        editor()->scene()->nodeItem(node)->setSelected(true);
        QTRY_COMPARE(window()->propertyPanel()->nodeId(), node);
        QComboBox *picker = nullptr;
        QTRY_VERIFY((picker = qobject_cast<QComboBox *>(
                         window()->propertyPanel()->fieldEditor(QStringLiteral("model")))));
        QCOMPARE(picker->objectName(), QStringLiteral("modelPicker"));
        QCOMPARE(picker->currentText(), QStringLiteral("(default: gpt-5.6-terra)"));
        // Provider headings that cannot be chosen, each followed by its models.
        int anthropic = -1;
        int sonnet = -1;
        for (int i = 0; i < picker->count(); ++i) {
            if (picker->itemText(i) == QLatin1String("Anthropic"))
                anthropic = i;
            if (picker->itemData(i).toString() == QLatin1String("claude-sonnet-4-6"))
                sonnet = i;
        }
        QVERIFY(anthropic > 0);
        QVERIFY(sonnet > anthropic);
        auto *items = qobject_cast<QStandardItemModel *>(picker->model());
        QVERIFY(items);
        QVERIFY(!(items->item(anthropic)->flags() & Qt::ItemIsSelectable));
        picker->setCurrentIndex(sonnet);
        Q_EMIT picker->activated(sonnet);
        QCOMPARE(document()->node(node)->inputDefault.value(QStringLiteral("model")).toString(),
                 QStringLiteral("claude-sonnet-4-6"));
        checkUndoRedo(before, document()->toJson());

        // An unset input shows its default: a checkbox whose default is on is ticked.
        const QString decider = document()->addNode(
            QStringLiteral("3b191d9f-356f-482d-8238-ba04b6d18381"), QPointF(400, 0));
        editor()->scene()->clearSelection();
        editor()->scene()->nodeItem(decider)->setSelected(true);
        QTRY_COMPARE(window()->propertyPanel()->nodeId(), decider);
        QCheckBox *compaction = nullptr;
        QTRY_VERIFY((compaction = qobject_cast<QCheckBox *>(window()->propertyPanel()->fieldEditor(
                         QStringLiteral("conversation_compaction")))));
        QVERIFY(compaction->isChecked());
    }

    void streamedAnswersShowOnTheNodeAndInTheMonitor()
    {
        freshGraph();
        const QString node = document()->addNode(
            QStringLiteral("1f292d4a-41a4-4977-9684-7c8d560b9f91"), QPointF(0, 0));
        GraphScene *scene = editor()->scene();
        scene->setLiveText(node, QStringLiteral("The tide"));
        QCOMPARE(scene->liveText(node), QStringLiteral("The tide"));
        const QString longer = QStringLiteral("The tide comes in ") + QString(400, QLatin1Char('~'));
        scene->setLiveText(node, longer);
        QCOMPARE(scene->liveText(node), longer);
        // The bubble sits under the node and stays a few lines high.
        NodeItem *item = scene->nodeItem(node);
        const QList<QGraphicsItem *> children = item->childItems();
        QGraphicsItem *bubble = nullptr;
        for (QGraphicsItem *child : children) {
            if (child->type() == NodeItem::LiveTextType)
                bubble = child;
        }
        QVERIFY(bubble);
        QVERIFY(bubble->pos().y() >= item->boundingRect().height() - 12);
        QVERIFY(bubble->boundingRect().height() < 160);
        scene->clearLiveTexts();
        QVERIFY(scene->liveText(node).isEmpty());

        ExecutionsPanel *monitor = window()->executionsPanel();
        monitor->show();
        monitor->setLiveText(QStringLiteral("AI Text Generator"), QStringLiteral("Salt wind"));
        QVERIFY(monitor->liveText()->isVisibleTo(monitor));
        QCOMPARE(monitor->liveText()->toPlainText(), QStringLiteral("Salt wind"));
        monitor->setLiveText({}, {});
        QVERIFY(!monitor->liveText()->isVisibleTo(monitor));
    }

    void modelsPageDiscoversALocalServersModels()
    {
        Testing::LlmTestServer server;
        server.setModels({QStringLiteral("llama3.2:3b"), QStringLiteral("qwen2.5:7b")});
        Engine::Llm::LlmSettings settings;
        QVERIFY(settings.addServer(QStringLiteral("gpu-box"), QStringLiteral("GPU box"),
                                   QUrl(server.baseUrl(QString())), Engine::Llm::Wire::OllamaChat,
                                   false)
                    .ok());
        ModelsPage fresh(settings, {});
        QTableWidget *table = fresh.providers();
        int row = -1;
        for (int i = 0; i < table->rowCount(); ++i) {
            if (table->item(i, 0)->data(Qt::UserRole).toString() == QLatin1String("gpu-box"))
                row = i;
        }
        QVERIFY(row >= 0);
        table->selectRow(row);
        QSignalSpy finished(&fresh, &ModelsPage::discoveryFinished);
        fresh.discoverSelected();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).toInt(), 2);
        QCOMPARE(fresh.addedModels()->count(), 2);
        QCOMPARE(server.requests().last().path, QByteArray("/api/tags"));
        QCOMPARE(fresh.settings().customModels.first().provider, QStringLiteral("gpu-box"));
        // Base URLs are edited in place; a bad one is refused and put back.
        int openai = -1;
        for (int i = 0; i < table->rowCount(); ++i) {
            if (table->item(i, 0)->data(Qt::UserRole).toString() == QLatin1String("openai"))
                openai = i;
        }
        table->item(openai, 1)->setText(QStringLiteral("not a url"));
        QCOMPARE(fresh.settings().baseUrls.value(QStringLiteral("openai")), QUrl());
        QVERIFY(fresh.findChild<QLabel *>(QStringLiteral("modelsStatus"))->text().contains(QLatin1String("not an http")));
        table->item(openai, 1)->setText(QStringLiteral("http://localhost:8080/v1"));
        QCOMPARE(fresh.settings().baseUrls.value(QStringLiteral("openai")), QUrl(QStringLiteral("http://localhost:8080/v1")));
    }

    void jsonFieldRefusesBadJson()
    {
        freshGraph();
        const QString node = document()->addNode(kCreateList, QPointF(0, 0));
        editor()->scene()->selectNodes({node});
        auto *values = qobject_cast<QPlainTextEdit *>(
            window()->propertyPanel()->fieldEditor(QStringLiteral("values")));
        QVERIFY(values);
        const QByteArray before = document()->toJson();
        values->setFocus();
        QTest::keyClicks(values, QStringLiteral("[1, 2"));
        QTest::keyClick(values, Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(window()
                    ->propertyPanel()
                    ->fieldMessage(QStringLiteral("values"))
                    .startsWith(QStringLiteral("Not valid JSON")));
        QCOMPARE(document()->toJson(), before);
        QTest::keyClicks(values, QStringLiteral(", 3]"));
        QTest::keyClick(values, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(window()->propertyPanel()->fieldMessage(QStringLiteral("values")), QString());
        QCOMPARE(Model::toJson(document()->node(node)->inputDefault),
                 QByteArray("{\"values\":[1,2,3]}"));
        checkUndoRedo(before, document()->toJson());
    }

    void deleteANodeWithItsLinks()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(400, 0));
        const QString c = document()->addNode(kStoreValue, QPointF(800, 0));
        QVERIFY(document()->addLink(a, QStringLiteral("output"), b, QStringLiteral("input")));
        QVERIFY(document()->addLink(b, QStringLiteral("output"), c, QStringLiteral("input")));
        QVERIFY(document()->addLink(a, QStringLiteral("output"), c, QStringLiteral("data")));
        const QByteArray before = document()->toJson();
        QTest::mouseClick(viewport(), Qt::LeftButton, {}, viewPoint(QPointF(520, 10)));
        QCOMPARE(editor()->scene()->selectedNodeIds(), QStringList {b});
        key(QKeySequence::Delete);
        QCOMPARE(document()->graph().nodes.size(), 2);
        QCOMPARE(document()->graph().links.size(), 1);
        QVERIFY(!editor()->scene()->nodeItem(b));
        checkUndoRedo(before, document()->toJson());
    }

    void moveByDraggingIsOneCommand()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QByteArray before = document()->toJson();
        const int commands = document()->undoStack()->count();
        dragOnCanvas(viewPoint(QPointF(100, 10)), viewPoint(QPointF(180, 70)));
        QCOMPARE(GraphDocument::nodePosition(*document()->node(a)), QPointF(80, 60));
        QCOMPARE(document()->undoStack()->count(), commands + 1);
        checkUndoRedo(before, document()->toJson());
    }

    void groupMovesItsNodes()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(300, 0));
        const QString outside = document()->addNode(kStoreValue, QPointF(0, 400));
        const QByteArray before = document()->toJson();
        // Rubber band around the first two.
        dragOnCanvas(viewPoint(QPointF(-40, -40)), viewPoint(QPointF(600, 150)));
        QCOMPARE(editor()->scene()->selectedNodeIds(), (QStringList {a, b}));
        key(QKeySequence(QStringLiteral("Ctrl+G")));
        const QList<NodeGroup> groups = document()->groups();
        QCOMPARE(groups.size(), 1);
        QCOMPARE(groups.first().nodeIds, (QStringList {a, b}));
        checkUndoRedo(before, document()->toJson());

        // Dragging the frame's title bar moves both nodes and not the third.
        const QByteArray grouped = document()->toJson();
        GroupItem *frame = editor()->scene()->groupItem(groups.first().id);
        QVERIFY(frame);
        const QPointF title = frame->sceneBoundingRect().topLeft() + QPointF(40, 12);
        editor()->scene()->clearSelection();
        dragOnCanvas(viewPoint(title), viewPoint(title + QPointF(50, 30)));
        QCOMPARE(GraphDocument::nodePosition(*document()->node(a)), QPointF(50, 30));
        QCOMPARE(GraphDocument::nodePosition(*document()->node(b)), QPointF(350, 30));
        QCOMPARE(GraphDocument::nodePosition(*document()->node(outside)), QPointF(0, 400));
        checkUndoRedo(grouped, document()->toJson());
    }

    void copyAndPaste()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(400, 0));
        document()->setInputValue(a, QStringLiteral("input"), QStringLiteral("hello"));
        QVERIFY(document()->addLink(a, QStringLiteral("output"), b, QStringLiteral("input")));
        const QByteArray before = document()->toJson();
        key(QKeySequence::SelectAll);
        key(QKeySequence::Copy);
        // Other applications get the nodes as JSON text.
        const QJsonDocument text
            = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8());
        QCOMPARE(text.object().value(QStringLiteral("nodes")).toArray().size(), 2);
        key(QKeySequence::Paste);
        QCOMPARE(document()->graph().nodes.size(), 4);
        QCOMPARE(document()->graph().links.size(), 2);
        const Model::Node &copy = document()->graph().nodes.at(2);
        QVERIFY(copy.id != a);
        QCOMPARE(copy.inputDefault.value(QStringLiteral("input")).toString(),
                 QStringLiteral("hello"));
        const Model::Link &link = document()->graph().links.last();
        QCOMPARE(link.sourceId, copy.id);
        QCOMPARE(link.sinkId, document()->graph().nodes.at(3).id);
        checkUndoRedo(before, document()->toJson());

        // Into another graph.
        window()->newGraph();
        editor()->view()->setZoom(1.0);
        const QByteArray empty = document()->toJson();
        key(QKeySequence::Paste);
        QCOMPARE(document()->graph().nodes.size(), 2);
        QCOMPARE(document()->graph().links.size(), 1);
        checkUndoRedo(empty, document()->toJson());

        // Cut removes what it copies.
        const QByteArray pasted = document()->toJson();
        key(QKeySequence::SelectAll);
        key(QKeySequence::Cut);
        QCOMPARE(document()->graph().nodes.size(), 0);
        checkUndoRedo(pasted, document()->toJson());
    }

    void autoLayoutPlacesNodesLeftToRight()
    {
        freshGraph();
        // Built in reverse: each node left of the one it feeds after layout.
        const QString c = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(10, 10));
        const QString a = document()->addNode(kStoreValue, QPointF(20, 20));
        QVERIFY(document()->addLink(a, QStringLiteral("output"), b, QStringLiteral("input")));
        QVERIFY(document()->addLink(b, QStringLiteral("output"), c, QStringLiteral("input")));
        const QByteArray before = document()->toJson();
        QSignalSpy finished(editor(), &GraphEditor::layoutFinished);
        key(QKeySequence(QStringLiteral("Ctrl+Shift+L")));
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toBool(), true);
        const qreal xa = GraphDocument::nodePosition(*document()->node(a)).x();
        const qreal xb = GraphDocument::nodePosition(*document()->node(b)).x();
        const qreal xc = GraphDocument::nodePosition(*document()->node(c)).x();
        QVERIFY2(xa + 250 < xb && xb + 250 < xc,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(xa).arg(xb).arg(xc)));
        checkUndoRedo(before, document()->toJson());
    }

    void muteANode()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        editor()->scene()->selectNodes({a});
        const QByteArray before = document()->toJson();
        key(QKeySequence(QStringLiteral("Ctrl+M")));
        QCOMPARE(document()->node(a)->metadata.value(QStringLiteral("muted")).toBool(), true);
        checkUndoRedo(before, document()->toJson());
    }

    void theMinimapShowsOnlyWhileNodesAreOutOfView()
    {
        freshGraph();
        editor()->view()->setMinimapVisible(true);
        QWidget *minimap = reinterpret_cast<QWidget *>(editor()->view()->minimap());
        const QString near = document()->addNode(kStoreValue, QPointF(100, 100));
        QTRY_VERIFY(!minimap->isVisible());
        // A node far out of view: the minimap shows.
        const QString far = document()->addNode(kStoreValue, QPointF(6000, 6000));
        const auto lookAtTheFirst = [&] {
            editor()->view()->setZoom(1.0);
            editor()->view()->centerOn(QPointF(200, 150));
        };
        QTRY_VERIFY((lookAtTheFirst(), minimap->isVisible()));
        // Gone again: every node is in view, and the minimap goes.
        editor()->scene()->selectNodes({far});
        editor()->deleteSelection();
        QVERIFY(!document()->node(far));
        QTRY_VERIFY((lookAtTheFirst(), !minimap->isVisible()));
        // Moved away and back.
        document()->moveNodes({{near, QPointF(-7000, 300)}});
        QTRY_VERIFY((lookAtTheFirst(), minimap->isVisible()));
        document()->undoStack()->undo();
        QTRY_VERIFY((lookAtTheFirst(), !minimap->isVisible()));
    }

    void quitAsksOnceBeforeClosingAnything()
    {
        freshGraph();
        document()->addNode(kStoreValue, QPointF(0, 0));
        window()->newGraph();
        document()->addNode(kCalculator, QPointF(0, 0));
        QCOMPARE(window()->editors().size(), 2);
        // Quit: one question naming both; nothing is closed yet.
        window()->close();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window()->findChild<QMessageBox *>(QStringLiteral("quitBox"))));
        QVERIFY(box->text().contains(QStringLiteral("2 graph(s) have unsaved changes")));
        QCOMPARE(window()->editors().size(), 2);
        QVERIFY(window()->isVisible());
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::Cancel));
        // Cancel: both documents stay, unchanged.
        box->button(QMessageBox::Cancel)->click();
        QTest::qWait(50);
        QCOMPARE(window()->editors().size(), 2);
        QVERIFY(window()->isVisible());
        for (GraphEditor *open : window()->editors())
            QCOMPARE(open->document()->graph().nodes.size(), 1);
        // Again, and Discard All: the window closes without another question.
        window()->close();
        QTRY_VERIFY((box = window()->findChild<QMessageBox *>(QStringLiteral("quitBox"))));
        box->button(QMessageBox::Discard)->click();
        QTRY_VERIFY(!window()->isVisible());
        QVERIFY(window()->findChildren<QMessageBox *>().isEmpty()
                || !window()->findChild<QMessageBox *>(QStringLiteral("quitBox"))
                || !window()->findChild<QMessageBox *>(QStringLiteral("quitBox"))->isVisible());
        QCOMPARE(window()->editors().size(), 0);
    }

    void problemsFollowEditsWithoutAskingAgain()
    {
        freshGraph();
        const QString fine = document()->addNode(kStoreValue, QPointF(0, 0));
        document()->setInputValue(fine, QStringLiteral("input"), 1);
        QTest::keyClick(editor()->view(), Qt::Key_F7);
        QLabel *summary = window()->validationPanel()->summary();
        QVERIFY2(summary->text().contains(QStringLiteral("ready to run")), qPrintable(summary->text()));
        // An edit that breaks the graph: the panel says so by itself, soon.
        const QString calculator = document()->addNode(kCalculator, QPointF(400, 0));
        QTRY_VERIFY_WITH_TIMEOUT(!summary->text().contains(QStringLiteral("ready to run")), 1500);
        QVERIFY(window()->validationPanel()->list()->topLevelItemCount() >= 2);
        QVERIFY(!editor()->scene()->nodeItem(calculator)->problems().isEmpty());
        // Undone, it is ready again.
        document()->undoStack()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(summary->text().contains(QStringLiteral("ready to run")), 1500);
    }

    void validationMarksNodesAndGoesToThem()
    {
        freshGraph();
        const QString calculator = document()->addNode(kCalculator, QPointF(0, 0));
        const QString fine = document()->addNode(kStoreValue, QPointF(2000, 1500));
        document()->setInputValue(fine, QStringLiteral("input"), 1);
        QTest::keyClick(editor()->view(), Qt::Key_F7);
        QTreeWidget *list = window()->validationPanel()->list();
        QVERIFY(list->topLevelItemCount() >= 3);
        QStringList fields;
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            QCOMPARE(list->topLevelItem(i)->data(0, Qt::UserRole).toString(), calculator);
            fields.append(list->topLevelItem(i)->text(1));
        }
        QVERIFY(fields.contains(QStringLiteral("a")) && fields.contains(QStringLiteral("b")));
        QVERIFY(!editor()->scene()->nodeItem(calculator)->problems().isEmpty());
        QVERIFY(editor()->scene()->nodeItem(fine)->problems().isEmpty());
        // Double-click on a problem: its node is selected and in view.
        editor()->scene()->selectNodes({fine});
        editor()->view()->centerOn(QPointF(2000, 1500));
        QSignalSpy activated(window()->validationPanel(), &ValidationPanel::nodeActivated);
        const QRect row = list->visualItemRect(list->topLevelItem(0));
        // A first click focuses the list and selects the row.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, row.center());
        QVERIFY(activated.isEmpty());
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, row.center());
        QVERIFY(!activated.isEmpty());
        QCOMPARE(editor()->scene()->selectedNodeIds(), QStringList {calculator});
        const QRectF visible = editor()->view()->mapToScene(viewport()->rect()).boundingRect();
        QVERIFY(visible.intersects(editor()->scene()->nodeItem(calculator)->sceneBoundingRect()));
        QVERIFY(window()
                    ->propertyPanel()
                    ->fieldMessage(QStringLiteral("a"))
                    .contains(QStringLiteral("required"), Qt::CaseInsensitive));
    }

    void openAnAutoGptExportAndSaveItUnchanged()
    {
        m_window = makeWindow();
        const QString path
            = QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/autogpt_export_with_subgraph.json");
        QSignalSpy opened(window(), &MainWindow::documentOpened);
        window()->openFile(path);
        QVERIFY(opened.wait(10000));
        QVERIFY(!window()->isWindowModified());
        const QString saved = m_dir->filePath(QStringLiteral("saved.sbx.json"));
        QVERIFY(window()->saveCurrentAs(saved).ok());
        QFile original(path);
        QFile written(saved);
        QVERIFY(original.open(QIODevice::ReadOnly) && written.open(QIODevice::ReadOnly));
        const QByteArray writtenBytes = written.readAll();
        // The same JSON (keys in Qt's order), and saving again is byte-stable.
        QCOMPARE(QJsonDocument::fromJson(writtenBytes),
                 QJsonDocument::fromJson(original.readAll()));
        QCOMPARE(document()->toJson(), writtenBytes);
        QCOMPARE(document()->filePath(), saved);
        QVERIFY(!window()->isWindowModified());
    }

    void unknownBlocksOpenAsPlaceholdersAndSaveBackUnchanged()
    {
        // AITextGeneratorBlock, which this build lacks, between an input and an output.
        m_window = makeWindow();
        const QString path = QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/placeholder.sbx.json");
        QSignalSpy opened(window(), &MainWindow::documentOpened);
        window()->openFile(path);
        QVERIFY(opened.wait(10000));
        NodeItem *placeholder = editor()->scene()->nodeItem(QStringLiteral("gen"));
        QVERIFY(placeholder);
        // Its inputs (set and linked) and its linked output are pins, so its links show.
        for (const char *input : {"model", "sys_prompt", "retry", "prompt"})
            QVERIFY2(placeholder->pin(QLatin1String(input), true), input);
        QVERIFY(placeholder->pin(QStringLiteral("response"), false));
        // Validation names it; the other nodes are fine.
        window()->action(QStringLiteral("validate"))->trigger();
        const DocumentCheck check = validateDocument(*document(), m_registry);
        QCOMPARE(check.errors.keys(), QStringList {QStringLiteral("gen")});
        QVERIFY(check.errors.value(QStringLiteral("gen"))
                    .value(QStringLiteral("block_id"))
                    .startsWith(QStringLiteral("Signalbox has no block "
                                               "f3a8f7e1-4b1d-4e5f-9f2a-7c3d5a2e6b4c")));
        // Saved back byte for byte.
        const QString saved = m_dir->filePath(QStringLiteral("placeholder-saved.sbx.json"));
        QVERIFY(window()->saveCurrentAs(saved).ok());
        QFile original(path);
        QFile written(saved);
        QVERIFY(original.open(QIODevice::ReadOnly) && written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), original.readAll());
    }

    void openingALargeGraphShowsProgress()
    {
        m_window = makeWindow();
        Model::Graph graph;
        graph.id = QStringLiteral("large");
        graph.name = QStringLiteral("Large");
        for (int i = 0; i < 1200; ++i) {
            Model::Node node;
            node.id = QStringLiteral("n%1").arg(i);
            node.blockId = kStoreValue;
            node.metadata.insert(QStringLiteral("position"),
                                 Model::fromQJson(QJsonObject {{QStringLiteral("x"), (i % 40) * 300},
                                                               {QStringLiteral("y"), (i / 40) * 160}}));
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
        const QString path = m_dir->filePath(QStringLiteral("large.sbx.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(Model::graphToJson(graph));
        file.close();
        QSignalSpy opened(window(), &MainWindow::documentOpened);
        window()->openFile(path);
        // The window keeps handling events while the file is read and the
        // canvas built in steps.
        QVERIFY(opened.isEmpty());
        QVERIFY(opened.wait(30000));
        GraphScene *scene = editor()->scene();
        QCOMPARE(document()->graph().nodes.size(), 1200);
        QVERIFY(scene->nodeItem(QStringLiteral("n1199")));
        QVERIFY(scene->linkItem(QStringLiteral("l1199")));
    }

    void commandPaletteRunsActions()
    {
        freshGraph();
        document()->addNode(kStoreValue, QPointF(5000, 5000));
        QSignalSpy triggered(window()->action(QStringLiteral("zoomFit")), &QAction::triggered);
        key(QKeySequence(QStringLiteral("Ctrl+K")));
        auto *palette = window()->findChild<CommandPalette *>(QStringLiteral("commandPalette"));
        QVERIFY(palette);
        QTest::keyClicks(palette->searchField(), QStringLiteral("zoom fit"));
        QCOMPARE(palette->list()->count(), 1);
        QTest::keyClick(palette->searchField(), Qt::Key_Return);
        QCOMPARE(triggered.size(), 1);
    }

    void draftsAreRecoveredAfterACrash()
    {
        freshGraph();
        document()->addNode(kStoreValue, QPointF(0, 0));
        const QByteArray unsaved = document()->toJson();
        window()->autosave();
        // The process dies: the window goes without closing its documents.
        m_window->hide();
        std::unique_ptr<MainWindow> crashed = std::move(m_window);
        crashed->currentEditor()->document()->undoStack()->setClean();
        crashed.release()->deleteLater();

        m_window = makeWindow();
        window()->offerRecovery();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window()->findChild<QMessageBox *>(QStringLiteral("recoverBox"))));
        box->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(window()->editors().size(), 1);
        QCOMPARE(document()->toJson(), unsaved);
        QVERIFY(document()->isModified());
        QVERIFY(window()->isWindowModified());
    }

    void everyControlHasAnAccessibleName()
    {
        freshGraph();
        const QString node = document()->addNode(kCalculator, QPointF(0, 0));
        editor()->scene()->selectNodes({node});
        for (QDockWidget *dock : window()->findChildren<QDockWidget *>())
            dock->show();
        QStringList unnamed;
        for (QWidget *widget : window()->findChildren<QWidget *>()) {
            if (!widget->isVisibleTo(window()) || widget->focusPolicy() == Qt::NoFocus)
                continue;
            QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(widget);
            if (!accessible || accessible->text(QAccessible::Name).trimmed().isEmpty())
                unnamed.append(
                    QString::fromLatin1(widget->metaObject()->className()) + QLatin1Char(' ')
                    + widget->objectName() + QLatin1Char(' ')
                    + QString::fromLatin1(widget->parentWidget()->metaObject()->className()));
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
    }

    void linkMenuMakesALinkStaticAndReroutesIt()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(500, 100));
        const auto link
            = document()->addLink(a, QStringLiteral("output"), b, QStringLiteral("input"));
        QVERIFY(link);
        const QByteArray before = document()->toJson();
        const QPointF middle = editor()->scene()->linkItem(*link)->path().pointAtPercent(0.5);
        QContextMenuEvent menuEvent(QContextMenuEvent::Mouse, viewPoint(middle),
                                    viewport()->mapToGlobal(viewPoint(middle)));
        QApplication::sendEvent(viewport(), &menuEvent);
        auto *menu = editor()->findChild<QMenu *>(QStringLiteral("canvasMenu"));
        QVERIFY(menu);
        QAction *isStatic = nullptr;
        for (QAction *action : menu->actions()) {
            if (action->text() == QStringLiteral("Static Link"))
                isStatic = action;
        }
        QVERIFY(isStatic);
        isStatic->trigger();
        menu->close();
        QVERIFY(document()->link(*link)->isStatic);
        checkUndoRedo(before, document()->toJson());

        // A double-click on the link adds a reroute point there; dragging it
        // moves it; a double-click on it removes it.
        const QByteArray straight = document()->toJson();
        QTest::mouseDClick(viewport(), Qt::LeftButton, {}, viewPoint(middle));
        QCOMPARE(document()->link(*link)->extra.value(QStringLiteral("reroutes")).toArray().size(),
                 1);
        checkUndoRedo(straight, document()->toJson());
        const QByteArray rerouted = document()->toJson();
        const QPointF point = editor()->scene()->linkItem(*link)->reroutePoints().first();
        dragOnCanvas(viewPoint(point), viewPoint(point + QPointF(0, 120)));
        const QJsonObject moved = document()
                                      ->link(*link)
                                      ->extra.value(QStringLiteral("reroutes"))
                                      .toArray()
                                      .first()
                                      .toObject();
        QCOMPARE(moved.value(QStringLiteral("y")).toInt(), qRound(point.y() + 120));
        checkUndoRedo(rerouted, document()->toJson());
    }

    void renameAndReviewSettingsFromThePropertyPanel()
    {
        freshGraph();
        const QString review
            = document()->addNode(QStringLiteral("8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d"), {0, 0});
        editor()->scene()->selectNodes({review});
        const QByteArray before = document()->toJson();
        key(QKeySequence(Qt::Key_F2));
        auto *title = qobject_cast<QLineEdit *>(
            window()->propertyPanel()->fieldEditor(QStringLiteral("title")));
        QVERIFY(title);
        QTRY_VERIFY(title->hasFocus());
        title->selectAll();
        QTest::keyClicks(title, QStringLiteral("Check the greeting"));
        QTest::keyClick(title, Qt::Key_Return);
        QCOMPARE(document()->nodeTitle(review), QStringLiteral("Check the greeting"));
        QCOMPARE(
            document()->node(review)->metadata.value(QStringLiteral("customized_name")).toString(),
            QStringLiteral("Check the greeting"));
        auto *timeout = qobject_cast<QSpinBox *>(
            window()->propertyPanel()->fieldEditor(QStringLiteral("timeout")));
        QVERIFY(timeout);
        timeout->setFocus();
        timeout->selectAll();
        QTest::keyClicks(timeout, QStringLiteral("600"));
        QTest::keyClick(timeout, Qt::Key_Return);
        QCOMPARE(document()->node(review)->metadata.value(QStringLiteral("timeout")).toInteger(), 600);
        auto *allowSkip = qobject_cast<QCheckBox *>(
            window()->propertyPanel()->fieldEditor(QStringLiteral("allow_skip")));
        QVERIFY(allowSkip);
        QTest::mouseClick(allowSkip, Qt::LeftButton, {}, QPoint(8, allowSkip->height() / 2));
        QCOMPARE(document()->node(review)->metadata.value(QStringLiteral("allow_skip")).toBool(),
                 true);
        // Three edits, undone one by one back to the start.
        QCOMPARE(document()->undoStack()->index(), 4);
        for (int i = 0; i < 3; ++i)
            key(QKeySequence::Undo);
        QCOMPARE(document()->toJson(), before);
    }

    void exportStripsSecrets()
    {
        freshGraph();
        const QString input = document()->addNode(kAgentInput, QPointF(0, 0));
        document()->setInputValue(input, QStringLiteral("name"), QStringLiteral("token"));
        document()->setInputValue(input, QStringLiteral("value"), QStringLiteral("canary-4711"));
        document()->setInputValue(input, QStringLiteral("secret"), true);
        const QString exported = m_dir->filePath(QStringLiteral("exported.json"));
        QVERIFY(window()->exportCurrent(exported).ok());
        QFile file(exported);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(!bytes.contains("canary-4711"));
        QVERIFY(bytes.contains("token"));
        // The document itself keeps the value.
        QVERIFY(document()->toJson().contains("canary-4711"));
    }

    void versionsAreSavedAndReopened()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        window()->action(QStringLiteral("saveVersion"))->trigger();
        document()->setInputValue(a, QStringLiteral("input"), QStringLiteral("second"));
        window()->action(QStringLiteral("saveVersion"))->trigger();
        // Saving an unchanged graph makes no new version.
        window()->action(QStringLiteral("saveVersion"))->trigger();
        window()->action(QStringLiteral("versions"))->trigger();
        auto *dialog = window()->findChild<QDialog *>(QStringLiteral("versionsDialog"));
        QVERIFY(dialog);
        auto *list = dialog->findChild<QListWidget *>();
        // Read through the service, off the GUI thread.
        QTRY_COMPARE(list->count(), 2);
        QTRY_VERIFY(list->item(0)->data(Qt::UserRole).isValid());
        // Newest first; open version 1.
        QListWidgetItem *first = nullptr;
        for (int i = 0; i < list->count(); ++i) {
            if (list->item(i)->data(Qt::UserRole).toInt() == 1)
                first = list->item(i);
        }
        QVERIFY(first);
        list->setCurrentItem(first);
        QTest::keyClick(list, Qt::Key_Return);
        QTRY_COMPARE(window()->editors().size(), 2);
        QCOMPARE(document()->graph().version, 1);
        QVERIFY(!document()->graph().nodes.first().inputDefault.contains(QStringLiteral("input")));
    }

    void settingsAndRecentFilesPersist()
    {
        freshGraph();
        window()->action(QStringLiteral("settings"))->trigger();
        auto *dialog = window()->findChild<SettingsDialog *>();
        QVERIFY(dialog);
        QCheckBox *hitl = nullptr;
        for (QCheckBox *box : dialog->findChildren<QCheckBox *>()) {
            if (box->accessibleName() == QLatin1String("Human-in-the-loop safe mode"))
                hitl = box;
        }
        QVERIFY(hitl && hitl->isChecked());
        QTest::mouseClick(hitl, Qt::LeftButton, {}, QPoint(8, hitl->height() / 2));
        // The run budget is typed in like any number.
        QSpinBox *nodes = nullptr;
        for (QSpinBox *box : dialog->findChildren<QSpinBox *>()) {
            if (box->accessibleName() == QLatin1String("Budget: node executions"))
                nodes = box;
        }
        QVERIFY(nodes);
        QCOMPARE(nodes->value(), 1'000'000);
        nodes->selectAll();
        QTest::keyClicks(nodes, QStringLiteral("1234"));
        dialog->accept();
        QCOMPARE(window()->settings().hitlSafeMode, false);
        QCOMPARE(AppSettings::load(QSettings()).hitlSafeMode, false);
        QCOMPARE(window()->settings().budget.maxNodeExecutions, 1234);
        QCOMPARE(AppSettings::load(QSettings()).budget.maxNodeExecutions, 1234);
        QSettings().remove(QStringLiteral("run/budgetNodeExecutions"));

        const QString path = m_dir->filePath(QStringLiteral("recent.sbx.json"));
        QVERIFY(window()->saveCurrentAs(path).ok());
        QCOMPARE(window()->recentFiles().first(), QFileInfo(path).absoluteFilePath());
        // A new window lists it in Open Recent and opens it from there.
        m_window = makeWindow();
        QMenu *recent = nullptr;
        for (QMenu *menu : window()->menuBar()->findChildren<QMenu *>()) {
            if (menu->title() == QStringLiteral("Open &Recent"))
                recent = menu;
        }
        QVERIFY(recent && !recent->actions().isEmpty());
        QSignalSpy opened(window(), &MainWindow::documentOpened);
        recent->actions().first()->trigger();
        QVERIFY(opened.wait(10000));
        QCOMPARE(document()->filePath(), path);
        QSettings().setValue(QStringLiteral("run/hitlSafeMode"), true);
    }

    // A team database is named in Settings without its password: a
    // location holding one is refused on the spot and never saved.
    void settingsRefuseADatabaseLocationWithAPassword()
    {
        freshGraph();
        const QString before = AppSettings::load(QSettings()).databasePath;
        window()->action(QStringLiteral("settings"))->trigger();
        auto *dialog = window()->findChild<SettingsDialog *>();
        QVERIFY(dialog);
        auto *location = dialog->findChild<QLineEdit *>(QStringLiteral("databaseLocation"));
        auto *error = dialog->findChild<QLabel *>(QStringLiteral("databaseError"));
        QVERIFY(location && error);
        location->selectAll();
        QTest::keyClicks(location, QStringLiteral("postgresql://ann:hunter2@db.example/team"));
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY(dialog->isVisible());
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("must not hold a password")),
                 qPrintable(error->text()));
        QVERIFY(!error->text().contains(QStringLiteral("hunter2")));
        QCOMPARE(AppSettings::load(QSettings()).databasePath, before);
        // Without the password it is taken as typed.
        location->selectAll();
        QTest::keyClicks(location, QStringLiteral("postgresql://ann@db.example/team"));
        QVERIFY(!error->isVisible());
        QCOMPARE(dialog->settings().databasePath,
                 QStringLiteral("postgresql://ann@db.example/team"));
        dialog->reject();
        QCOMPARE(AppSettings::load(QSettings()).databasePath, before);
    }

    void interruptedRunsAreResumedAtStart()
    {
        // A real `signalbox run`, killed while its countdown runs.
        const QString db = m_dir->filePath(QStringLiteral("interrupted.db"));
        QProcess running;
        running.start(QStringLiteral(SIGNALBOX_BINARY),
                      {QStringLiteral("run"),
                       QStringLiteral(SIGNALBOX_TESTDATA_DIR "/graphs/countdown.sbx.json"),
                       QStringLiteral("--input"), QStringLiteral("msg=hello"),
                       QStringLiteral("--db"), db});
        QVERIFY(running.waitForStarted());
        const auto waitRunning = [&] {
            auto store = Engine::Database::open(db, {Engine::DatabaseOptions::OpenMode::MustExist});
            if (!store)
                return false;
            Engine::ExecutionRepository executions(**store, m_registry.get());
            Engine::NodeExecutionFilter filter;
            filter.nodeId = QStringLiteral("wait");
            filter.statuses = {Model::ExecutionStatus::Running};
            filter.includeExecData = false;
            auto found = executions.nodeExecutions(filter);
            return found && !found->isEmpty();
        };
        QTRY_VERIFY_WITH_TIMEOUT(waitRunning(), 10000);
        running.kill();
        QVERIFY(running.waitForFinished());

        MainWindowContext context;
        context.registry = m_registry;
        context.layouter = m_layouter.get();
        context.settings.databasePath = db;
        m_window = std::make_unique<MainWindow>(context);
        m_window->show();
        window()->offerRecovery();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = window()->findChild<QMessageBox *>(QStringLiteral("resumeBox"))));
        box->button(QMessageBox::Yes)->click();
        const auto status = [&] {
            auto store = Engine::Database::open(db);
            Engine::ExecutionRepository executions(**store, m_registry.get());
            auto all = executions.graphExecutions({});
            return all && all->size() == 1 ? all->first().status
                                           : Model::ExecutionStatus::Incomplete;
        };
        QTRY_COMPARE_WITH_TIMEOUT(status(), Model::ExecutionStatus::Completed, 15000);
    }

    void linkAndUnlinkFromTheKeyboard()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kCalculator, QPointF(400, 0));
        const QByteArray before = document()->toJson();
        editor()->view()->setFocus();
        QTest::keyClick(editor()->view(), Qt::Key_A, Qt::ControlModifier);
        key(QKeySequence(QStringLiteral("Ctrl+L")));
        auto *dialog = window()->findChild<ConnectDialog *>(QStringLiteral("connectDialog"));
        QVERIFY(dialog);
        QListWidget *list = dialog->list();
        // Only links that fit are offered, both ways round.
        QStringList offered;
        for (int i = 0; i < list->count(); ++i)
            offered.append(list->item(i)->text());
        QVERIFY2(offered.contains(QStringLiteral("Link Store Value · output  →  Calculator · a")),
                 qPrintable(offered.join(QLatin1Char('\n'))));
        int row = offered.indexOf(QStringLiteral("Link Store Value · output  →  Calculator · a"));
        list->setFocus();
        list->setCurrentRow(row);
        QTest::keyClick(list, Qt::Key_Return);
        QCOMPARE(document()->graph().links.size(), 1);
        QCOMPARE(document()->graph().links.first().sinkName, QStringLiteral("a"));
        QCOMPARE(document()->graph().links.first().sourceId, a);
        QCOMPARE(document()->graph().links.first().sinkId, b);
        const QByteArray linked = document()->toJson();
        // The link is listed; Delete removes it.
        QList<QListWidgetItem *> found
            = list->findItems(QStringLiteral("Linked:"), Qt::MatchStartsWith);
        QCOMPARE(found.size(), 1);
        list->setCurrentItem(found.first());
        QTest::keyClick(list, Qt::Key_Delete);
        QCOMPARE(document()->graph().links.size(), 0);
        dialog->close();
        checkUndoRedo(linked, before);
        // Undo the removal, then the link itself.
        key(QKeySequence::Undo);
        QCOMPARE(document()->toJson(), linked);
        key(QKeySequence::Undo);
        QCOMPARE(document()->toJson(), before);
    }

    void keyboardReachesNodes()
    {
        freshGraph();
        const QString a = document()->addNode(kStoreValue, QPointF(0, 0));
        const QString b = document()->addNode(kStoreValue, QPointF(400, 0));
        editor()->view()->setFocus();
        editor()->scene()->clearSelection();
        QTest::keyClick(editor()->view(), Qt::Key_Tab);
        QCOMPARE(editor()->scene()->selectedNodeIds(), QStringList {a});
        QTest::keyClick(editor()->view(), Qt::Key_Tab);
        QCOMPARE(editor()->scene()->selectedNodeIds(), QStringList {b});
        const QByteArray before = document()->toJson();
        QTest::keyClick(editor()->view(), Qt::Key_Right);
        QCOMPARE(GraphDocument::nodePosition(*document()->node(b)), QPointF(420, 0));
        checkUndoRedo(before, document()->toJson());
        // Past the last node, Tab leaves the canvas.
        QTest::keyClick(editor()->view(), Qt::Key_Tab);
        QVERIFY(editor()->scene()->selectedNodeIds().isEmpty());
        QTRY_VERIFY(!editor()->view()->hasFocus());
    }
};

QTEST_MAIN(tst_GraphEditor)
#include "tst_grapheditor.moc"
