// SPDX-License-Identifier: GPL-3.0-or-later
#include "reviewdialog.h"

#include "jsonhighlighter.h"
#include "valuetext.h"

#include "engine/reviewpreview.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

constexpr qint64 kPulseBelowSeconds = 5 * 60;

QString scalarText(const Model::Value &value)
{
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(Model::toJson(value));
}

void addTreeItems(QTreeWidgetItem *parent, const Model::Value &value)
{
    const auto add = [parent](const QString &key, const Model::Value &child) {
        auto *item = new QTreeWidgetItem(parent, {key});
        if (child.isMap() || child.isArray()) {
            item->setText(1,
                          child.isMap()
                              ? QObject::tr("{%n}", nullptr, int(child.toMap().size()))
                              : QObject::tr("[%n]", nullptr, int(child.toArray().size())));
            addTreeItems(item, child);
        } else {
            item->setText(1, scalarText(child));
        }
    };
    if (value.isMap()) {
        const Model::ValueMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            add(it.key().toString(), it.value());
    } else if (value.isArray()) {
        const Model::ValueList list = value.toArray();
        for (qsizetype i = 0; i < list.size(); ++i)
            add(QString::number(i), list.at(i));
    }
}

// A list whose items are all objects: one row each, a column per key.
bool isTable(const Model::Value &value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return false;
    for (const Model::Value &item : value.toArray()) {
        if (!item.isMap())
            return false;
    }
    return true;
}

QString formatRemaining(qint64 seconds)
{
    if (seconds >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(seconds / 3600)
            .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

// `widget` under a one-line caption.
QWidget *captioned(QWidget *widget, const QString &caption)
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(caption, page);
    label->setStyleSheet(QStringLiteral("color: #546e7a;"));
    layout->addWidget(label);
    layout->addWidget(widget, 1);
    return page;
}

} // namespace

ReviewDialog::ReviewDialog(const Model::PendingReview &review, const QString &blockName,
                           const QString &graphName, QHash<QString, QString> *drafts,
                           QWidget *parent)
    : QDialog(parent)
    , m_review(review)
    , m_drafts(drafts)
{
    setObjectName(QStringLiteral("reviewDialog"));
    setModal(true);
    setWindowTitle(tr("Review: %1").arg(blockName));
    setAccessibleName(tr("Review of %1 in %2").arg(blockName, graphName));
    resize(680, 640);

    auto *title = new QLabel(
        QStringLiteral("<b>%1</b> · %2").arg(blockName.toHtmlEscaped(), graphName.toHtmlEscaped()),
        this);
    auto *instructions = new QLabel(review.instructions, this);
    instructions->setWordWrap(true);
    instructions->setAccessibleName(tr("Instructions"));
    m_countdown = new QLabel(this);
    m_countdown->setAccessibleName(tr("Time left"));
    m_countdown->setMargin(4);
    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("background: #fff3e0; color: #e65100; padding: 6px;"));
    m_banner->setAccessibleName(tr("Decided elsewhere"));
    m_banner->hide();
    // Quorum and separation of duties: how many approvals it needs, who
    // gave theirs, and whether this reviewer may approve.
    m_quorum = new QLabel(this);
    m_quorum->setWordWrap(true);
    m_quorum->setObjectName(QStringLiteral("quorumState"));
    m_quorum->setAccessibleName(tr("Approvals"));
    m_quorum->setStyleSheet(QStringLiteral("padding: 4px; border-left: 3px solid palette(highlight);"));
    m_quorum->setVisible(review.requiredApprovals > 1 || review.forbidStarter);

    // The three modes as a segmented switch.
    m_modes = new QButtonGroup(this);
    auto *modeRow = new QHBoxLayout;
    const QList<std::pair<Mode, QString>> modes
        = {{Mode::View, tr("&View")}, {Mode::Edit, tr("&Edit")}, {Mode::Reject, tr("Re&ject")}};
    for (const auto &[mode, text] : modes) {
        auto *button = new QToolButton(this);
        button->setText(text);
        button->setCheckable(true);
        button->setAccessibleName(QString(text).remove(QLatin1Char('&')));
        m_modes->addButton(button, int(mode));
        modeRow->addWidget(button);
    }
    modeRow->addStretch();
    m_modes->button(int(Mode::Edit))->setEnabled(review.editable);
    if (!review.editable)
        m_modes->button(int(Mode::Edit))->setToolTip(tr("This review's data cannot be edited"));

    m_pages = new QStackedWidget(this);
    m_payloadView = payloadWidget(review.payload);
    // The decision is bound to this digest of what is shown.
    const QString digest = Model::payloadDigest(review.payload);
    m_pages->addWidget(captioned(m_payloadView, tr("The data under review (SHA-256 %1):")
                                                    .arg(digest.left(12))));
    m_pages->widget(0)->findChild<QLabel *>()->setToolTip(
        tr("SHA-256 of the data's canonical JSON: %1\nThe decision holds only for this data.")
            .arg(digest));
    m_edit = new QPlainTextEdit(this);
    m_edit->setAccessibleName(tr("Edited data"));
    m_edit->setTabChangesFocus(true);
    if (!review.payload.isString()) {
        new JsonHighlighter(m_edit->document());
        QFont mono(QStringLiteral("monospace"));
        mono.setStyleHint(QFont::Monospace);
        m_edit->setFont(mono);
    }
    const QString draft = m_drafts ? m_drafts->value(review.nodeExecId) : QString();
    // A model's tool calls: only their arguments are edited.
    Model::Value editable = review.payload;
    if (isToolCallReview(review.payload)) {
        Model::ValueMap calls;
        calls.insert(QStringLiteral("tool_calls"),
                     review.payload.toMap().value(QLatin1String("tool_calls")));
        editable = calls;
    }
    m_edit->setPlainText(
        !draft.isEmpty() ? draft
            : editable.isString()
            ? editable.toString()
            : QString::fromUtf8(Model::toJson(editable, Model::JsonStyle::Indented)));
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        if (m_drafts)
            m_drafts->insert(m_review.nodeExecId, m_edit->toPlainText());
    });
    m_edit->setStyleSheet(QStringLiteral("QPlainTextEdit { background: #fffde7; }"));
    m_pages->addWidget(captioned(m_edit, tr("Edit the data: approving sends your version.")));
    m_editBase = editable;

    // Below the payload: what an edit changes, as a JSON diff, and for a
    // sensitive action what the block will receive.
    m_details = new QTabWidget(this);
    m_details->setObjectName(QStringLiteral("reviewDetails"));
    m_details->setDocumentMode(true);
    m_changes = new QTreeWidget(m_details);
    m_changes->setObjectName(QStringLiteral("changes"));
    m_changes->setAccessibleName(tr("Changes"));
    m_changes->setHeaderLabels({tr("Where"), tr("Change"), tr("Before"), tr("After")});
    m_changes->setRootIsDecorated(false);
    m_changes->setAlternatingRowColors(false);
    m_details->addTab(m_changes, tr("Changes"));
    auto *previewPage = new QWidget(m_details);
    m_previewProblems = new QLabel(previewPage);
    m_previewProblems->setWordWrap(true);
    m_previewProblems->setAccessibleName(tr("Input problems"));
    m_preview = new QTreeWidget(previewPage);
    m_preview->setObjectName(QStringLiteral("blockInput"));
    m_preview->setAccessibleName(tr("What the block will receive"));
    m_preview->setHeaderLabels({tr("Input"), tr("Value")});
    m_preview->setRootIsDecorated(false);
    auto *previewLayout = new QVBoxLayout(previewPage);
    previewLayout->setContentsMargins(0, 2, 0, 0);
    previewLayout->addWidget(m_previewProblems);
    previewLayout->addWidget(m_preview, 1);
    m_details->addTab(previewPage, tr("Block input"));
    m_details->hide();
    m_detailsTimer = new QTimer(this);
    m_detailsTimer->setSingleShot(true);
    m_detailsTimer->setInterval(200);
    connect(m_detailsTimer, &QTimer::timeout, this, &ReviewDialog::updateDetails);
    connect(m_edit, &QPlainTextEdit::textChanged, m_detailsTimer, qOverload<>(&QTimer::start));

    m_reason = new QPlainTextEdit(this);
    m_reason->setPlaceholderText(tr("Why is this rejected? (required)"));
    m_reason->setAccessibleName(tr("Reason for rejecting"));
    m_reason->setTabChangesFocus(true);
    m_pages->addWidget(captioned(
        m_reason, isToolCallReview(review.payload)
            ? tr("Rejecting: say why. The model is told, and may try something else.")
            : tr("Rejecting: say why. The run takes the rejected branch.")));
    m_split = new QSplitter(Qt::Vertical, this);
    m_split->setChildrenCollapsible(false);
    m_split->addWidget(m_pages);
    m_split->addWidget(m_details);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);

    m_message = new QLineEdit(this);
    m_message->setPlaceholderText(tr("Message to the run (optional)"));
    m_message->setAccessibleName(tr("Message"));
    m_message->setMaxLength(int(Model::kMaxReviewMessageLength));
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem"));
    m_problem->hide();

    m_approve = new QPushButton(tr("&Approve"), this);
    m_approve->setDefault(true);
    m_approve->setToolTip(tr("Approve (Ctrl+Enter)"));
    // What "Approve and allow" grants: how long, and whether only for this
    // payload.
    m_grantScope = new QComboBox(this);
    m_grantScope->setAccessibleName(tr("Allow this node"));
    m_grantScope->addItem(tr("for the rest of this run"), qint64(-1));
    m_grantScope->addItem(tr("in every run of this graph for 1 hour"), qint64(3600));
    m_grantScope->addItem(tr("in every run of this graph for 8 hours"), qint64(8 * 3600));
    m_grantScope->addItem(tr("in every run of this graph for 7 days"), qint64(7 * 86400));
    m_grantScope->addItem(tr("in every run of this graph until revoked"), qint64(0));
    m_grantPayload = new QCheckBox(tr("only for this exact payload"), this);
    m_grantPayload->setToolTip(
        tr("Later executions run without asking only when their payload is equal to this one "
           "(SHA-256 %1)")
            .arg(Model::payloadDigest(review.payload).left(12)));
    auto *grantLabel = new QLabel(tr("Allow this node without asking"), this);
    grantLabel->setBuddy(m_grantScope);
    auto *grantRow = new QHBoxLayout;
    grantRow->addStretch();
    grantRow->addWidget(grantLabel);
    grantRow->addWidget(m_grantScope);
    grantRow->addWidget(m_grantPayload);
    m_approveAll = new QPushButton(tr("Approve and a&llow"), this);
    m_approveAll->setToolTip(tr("Approve, and let this node run without asking as chosen above "
                                "(edits are not kept); grants are listed and revoked in the "
                                "inbox"));
    if (review.requiredApprovals > 1) {
        const QString why = tr("This review needs %1 approvals from different reviewers; a grant "
                               "cannot stand in for them")
                                .arg(review.requiredApprovals);
        for (QWidget *widget : {static_cast<QWidget *>(m_grantScope),
                                static_cast<QWidget *>(m_grantPayload),
                                static_cast<QWidget *>(m_approveAll)})
            widget->setToolTip(why);
    }
    m_reject = new QPushButton(tr("&Reject"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reject);
    buttons->addStretch();
    buttons->addWidget(m_approveAll);
    buttons->addWidget(m_approve);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(instructions);
    layout->addWidget(m_countdown);
    layout->addWidget(m_banner);
    layout->addWidget(m_quorum);
    layout->addLayout(modeRow);
    layout->addWidget(m_split, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_problem);
    layout->addLayout(grantRow);
    layout->addLayout(buttons);

    connect(m_modes, &QButtonGroup::idClicked, this, [this](int id) { setMode(Mode(id)); });
    connect(m_approve, &QPushButton::clicked, this, [this] { approve(false); });
    connect(m_approveAll, &QPushButton::clicked, this, [this] { approve(true); });
    connect(m_reject, &QPushButton::clicked, this, [this] {
        if (mode() != Mode::Reject) {
            setMode(Mode::Reject);
            return;
        }
        rejectReview();
    });
    m_timer = new QTimer(this);
    m_timer->setInterval(500);
    connect(m_timer, &QTimer::timeout, this, &ReviewDialog::updateCountdown);
    if (review.deadline.isValid())
        m_timer->start();
    updateCountdown();
    setMode(draft.isEmpty() ? Mode::View : Mode::Edit);
}

bool ReviewDialog::isToolCallReview(const Model::Value &payload)
{
    return payload.isMap() && payload.toMap().value(QLatin1String("tool_calls")).isArray()
        && payload.toMap().value(QLatin1String("conversation")).isArray();
}

QWidget *ReviewDialog::toolCallWidget(const Model::Value &payload)
{
    auto *widget = new QWidget(this);
    widget->setObjectName(QStringLiteral("toolCallView"));
    auto *layout = new QVBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    const Model::ValueList calls = payload.toMap().value(QLatin1String("tool_calls")).toArray();
    auto *heading = new QLabel(tr("The model wants to call %n tool(s):", nullptr, int(calls.size())), widget);
    layout->addWidget(heading);
    for (const Model::Value &call : calls) {
        const Model::ValueMap map = call.toMap();
        auto *name = new QLabel(QStringLiteral("<b>%1</b>").arg(
                                    map.value(QLatin1String("tool")).toString().toHtmlEscaped()),
                                widget);
        name->setTextFormat(Qt::RichText);
        layout->addWidget(name);
        const Model::ValueMap arguments = map.value(QLatin1String("arguments")).toMap();
        auto *table = new QTableWidget(int(arguments.size()), 2, widget);
        table->setObjectName(QStringLiteral("toolArguments"));
        table->setHorizontalHeaderLabels({tr("Argument"), tr("Value")});
        table->verticalHeader()->hide();
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->horizontalHeader()->setStretchLastSection(true);
        int row = 0;
        for (auto it = arguments.begin(); it != arguments.end(); ++it, ++row) {
            table->setItem(row, 0, new QTableWidgetItem(it.key().toString()));
            table->setItem(row, 1, new QTableWidgetItem(scalarText(it.value())));
        }
        table->setMaximumHeight(table->verticalHeader()->defaultSectionSize() * (row + 1) + 8);
        table->setAccessibleName(tr("Arguments of %1").arg(map.value(QLatin1String("tool")).toString()));
        layout->addWidget(table);
    }
    // The conversation so far, as plain text: it is data, never markup.
    QStringList lines;
    for (const Model::Value &entry : payload.toMap().value(QLatin1String("conversation")).toArray()) {
        const Model::ValueMap map = entry.toMap();
        const QString role = map.value(QLatin1String("role")).toString();
        const QString type = map.value(QLatin1String("type")).toString();
        const Model::Value content = map.value(QLatin1String("content"));
        if (type == QLatin1String("function_call")) {
            lines.append(tr("assistant → %1(%2)").arg(map.value(QLatin1String("name")).toString(),
                                                       map.value(QLatin1String("arguments")).toString()));
        } else if (type == QLatin1String("function_call_output") || role == QLatin1String("tool")) {
            const Model::Value output = map.contains(QLatin1String("output"))
                ? map.value(QLatin1String("output"))
                : content;
            lines.append(tr("tool result: %1").arg(scalarText(output)));
        } else if (content.isString()) {
            lines.append(QStringLiteral("%1: %2").arg(role.isEmpty() ? type : role, content.toString()));
        } else if (!content.isUndefined() && !content.isNull()) {
            lines.append(QStringLiteral("%1: %2").arg(role, QString::fromUtf8(Model::toJson(content))));
        }
        for (const Model::Value &call : map.value(QLatin1String("tool_calls")).toArray()) {
            const Model::ValueMap function = call.toMap().value(QLatin1String("function")).toMap();
            lines.append(tr("assistant → %1(%2)").arg(function.value(QLatin1String("name")).toString(),
                                                       function.value(QLatin1String("arguments")).toString()));
        }
    }
    layout->addWidget(new QLabel(tr("The conversation so far:"), widget));
    auto *conversation = new QPlainTextEdit(widget);
    conversation->setObjectName(QStringLiteral("toolConversation"));
    conversation->setReadOnly(true);
    conversation->setPlainText(lines.join(QStringLiteral("\n\n")));
    conversation->setAccessibleName(tr("Conversation so far"));
    layout->addWidget(conversation, 1);
    return widget;
}

QWidget *ReviewDialog::payloadWidget(const Model::Value &payload)
{
    if (isToolCallReview(payload))
        return toolCallWidget(payload);
    if (payload.isString()) {
        auto *text = new QTextBrowser(this);
        text->setOpenLinks(false);
        // Markdown, and never HTML: a payload is data, not markup to trust.
        text->document()->setMarkdown(
            payload.toString(),
            QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub
                                            | QTextDocument::MarkdownNoHTML));
        text->setAccessibleName(tr("Data under review"));
        return text;
    }
    if (isTable(payload)) {
        const Model::ValueList rows = payload.toArray();
        QStringList columns;
        for (const Model::Value &row : rows) {
            const Model::ValueMap map = row.toMap();
            for (auto it = map.begin(); it != map.end(); ++it) {
                if (!columns.contains(it.key().toString()))
                    columns.append(it.key().toString());
            }
        }
        auto *table = new QTableWidget(int(rows.size()), int(columns.size()), this);
        table->setHorizontalHeaderLabels(columns);
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->horizontalHeader()->setStretchLastSection(true);
        for (qsizetype r = 0; r < rows.size(); ++r) {
            const Model::ValueMap map = rows.at(r).toMap();
            for (qsizetype c = 0; c < columns.size(); ++c) {
                const Model::Value cell = map.value(columns.at(c));
                if (!cell.isUndefined())
                    table->setItem(int(r), int(c), new QTableWidgetItem(scalarText(cell)));
            }
        }
        table->setAccessibleName(tr("Data under review"));
        return table;
    }
    auto *tree = new QTreeWidget(this);
    tree->setColumnCount(2);
    tree->setHeaderLabels({tr("Key"), tr("Value")});
    if (payload.isMap() || payload.isArray())
        addTreeItems(tree->invisibleRootItem(), payload);
    else
        new QTreeWidgetItem(tree, {tr("value"), scalarText(payload)});
    tree->expandToDepth(1);
    tree->resizeColumnToContents(0);
    tree->setAccessibleName(tr("Data under review"));
    return tree;
}

ReviewDialog::Mode ReviewDialog::mode() const
{
    return Mode(m_modes->checkedId());
}

void ReviewDialog::setMode(Mode mode)
{
    if (mode == Mode::Edit && !m_review.editable)
        mode = Mode::View;
    m_modes->button(int(mode))->setChecked(true);
    m_pages->setCurrentIndex(int(mode));
    m_problem->hide();
    updateButtons();
    updateDetails();
    if (mode == Mode::Edit)
        m_edit->setFocus();
    else if (mode == Mode::Reject)
        m_reason->setFocus();
}

void ReviewDialog::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && (event->modifiers() & Qt::ControlModifier)) {
        if (mode() == Mode::Reject)
            rejectReview();
        else
            approve(false);
        return;
    }
    QDialog::keyPressEvent(event);
}

void ReviewDialog::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->show();
}

Result<Model::Value> ReviewDialog::editedData() const
{
    if (m_editBase.isString())
        return Model::Value(m_edit->toPlainText());
    return Model::parseJsonValue(m_edit->toPlainText().toUtf8(), {}, tr("the edited data"));
}

void ReviewDialog::setBlockInputPreview(BlockInputPreview preview)
{
    m_blockPreview = std::move(preview);
    updateDetails();
}

void ReviewDialog::updateDetails()
{
    // The payload the decision would carry, and what it was before.
    // What the edit changes from what was proposed, or for a decided, edited
    // review, what the reviewer changed.
    std::optional<Model::Value> edit;
    QString invalid;
    Model::PendingReview compared = m_review;
    if (mode() == Mode::Edit) {
        compared.payload = m_editBase;
        if (auto edited = editedData())
            edit = *edited;
        else
            invalid = edited.error().message;
    }
    m_changes->clear();
    if (!invalid.isEmpty()) {
        auto *row = new QTreeWidgetItem(m_changes, {QStringLiteral("$"), tr("Not valid JSON"),
                                                    QString(), invalid});
        row->setToolTip(3, invalid);
    } else {
        static const QHash<Model::ValueChange::Kind, std::pair<QString, QColor>> kinds {
            {Model::ValueChange::Kind::Added, {tr("added"), QColor(46, 160, 67, 70)}},
            {Model::ValueChange::Kind::Removed, {tr("removed"), QColor(218, 54, 51, 70)}},
            {Model::ValueChange::Kind::Changed, {tr("changed"), QColor(210, 153, 34, 80)}},
        };
        for (const Model::ValueChange &change : Engine::previewChanges(compared, edit).changes) {
            const auto &[word, tint] = kinds.value(change.kind);
            const auto shown = [](const Model::Value &value) {
                return value.isUndefined() ? QString() : valuePreview(value, 120);
            };
            auto *row = new QTreeWidgetItem(
                m_changes, {change.path, word, shown(change.before), shown(change.after)});
            for (int column = 0; column < m_changes->columnCount(); ++column)
                row->setBackground(column, tint);
            row->setToolTip(2, shown(change.before));
            row->setToolTip(3, shown(change.after));
        }
    }
    const int changes = m_changes->topLevelItemCount();
    m_details->setTabText(0, changes ? tr("Changes (%1)").arg(changes) : tr("Changes"));
    m_details->setTabVisible(0, changes > 0);
    m_changes->resizeColumnToContents(0);
    m_changes->resizeColumnToContents(1);

    // A sensitive action: what the block will receive, secrets masked.
    m_preview->clear();
    const bool previewing = bool(m_blockPreview);
    m_details->setTabVisible(1, previewing);
    if (previewing) {
        const Model::Value proposed = edit ? *edit : m_review.payload;
        const Engine::PreparedInput prepared = m_blockPreview(proposed);
        for (auto it = prepared.input.begin(); it != prepared.input.end(); ++it) {
            auto *row = new QTreeWidgetItem(m_preview, {it.key().toString(),
                                                        valuePreview(it.value(), 160)});
            row->setToolTip(1, valuePreview(it.value()));
        }
        m_preview->resizeColumnToContents(0);
        m_previewProblems->setVisible(!prepared.problems.isEmpty());
        m_previewProblems->setText(
            tr("<b>The block would refuse this input:</b> %1")
                .arg(prepared.problems.join(QStringLiteral("; ")).toHtmlEscaped()));
        m_previewProblems->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_details->setTabText(1, prepared.problems.isEmpty() ? tr("Block input")
                                                             : tr("Block input: refused"));
    }
    m_details->setVisible(changes > 0 || previewing);
    if (changes > 0 && (mode() == Mode::Edit || !previewing))
        m_details->setCurrentIndex(0);
}

void ReviewDialog::setReviewer(const QString &name)
{
    m_reviewer = name;
    updateQuorum();
}

void ReviewDialog::updateQuorum()
{
    const int needed = m_review.requiredApprovals;
    QStringList lines;
    if (needed > 1) {
        QString line = tr("<b>%1 of %2 approvals</b> from different reviewers")
                           .arg(m_review.approvals.size())
                           .arg(needed);
        if (!m_review.approvals.isEmpty())
            line += tr(" (so far: %1)").arg(m_review.approvals.join(QLatin1String(", ")).toHtmlEscaped());
        if (m_review.approvals.contains(m_reviewer))
            line += tr(". You approved this payload; it waits for %n more.", nullptr,
                       int(needed - m_review.approvals.size()));
        else if (needed - m_review.approvals.size() == 1)
            line += tr(". Your approval completes it.");
        lines.append(line);
    }
    const bool starter = m_review.forbidStarter && !m_review.runStartedBy.isEmpty()
        && m_review.runStartedBy == m_reviewer;
    if (m_review.forbidStarter) {
        lines.append(starter
                         ? tr("You started this run, so you may not approve it; you may reject it.")
                         : tr("%1 started this run and may not approve it.")
                               .arg(m_review.runStartedBy.isEmpty()
                                        ? tr("Whoever")
                                        : m_review.runStartedBy.toHtmlEscaped()));
    }
    m_quorum->setText(lines.join(QLatin1String("<br>")));
    m_mayApprove = !starter;
    if (starter) {
        for (QPushButton *button : {m_approve, m_approveAll})
            button->setToolTip(tr("You started this run, so you may not approve it"));
        m_reject->setDefault(true);
    }
    updateButtons();
}

void ReviewDialog::updateButtons()
{
    const bool approvable = mode() != Mode::Reject && m_banner->isHidden() && m_mayApprove;
    const bool grantable = approvable && m_review.requiredApprovals <= 1;
    m_approve->setEnabled(approvable);
    m_approveAll->setEnabled(grantable);
    m_grantScope->setEnabled(grantable);
    m_grantPayload->setEnabled(grantable);
}

Model::GrantRequest ReviewDialog::grantRequest() const
{
    Model::GrantRequest request;
    const qint64 seconds = m_grantScope->currentData().toLongLong();
    request.wholeGraph = seconds >= 0;
    request.seconds = qMax(seconds, qint64(0));
    request.samePayload = m_grantPayload->isChecked();
    return request;
}

void ReviewDialog::approve(bool allow)
{
    if (!m_banner->isHidden() || !m_approve->isEnabled())
        return;
    Model::ReviewDecision decision;
    decision.status = Model::ReviewStatus::Approved;
    decision.message = m_message->text();
    if (allow)
        decision.grant = grantRequest();
    decision.seenDigest = Model::payloadDigest(m_review.payload);
    if (mode() == Mode::Edit && !allow) {
        auto edited = editedData();
        if (!edited) {
            showProblem(edited.error().message);
            return;
        }
        decision.data = *edited;
    }
    Q_EMIT decisionMade(m_review.nodeExecId, decision);
}

void ReviewDialog::rejectReview()
{
    if (!m_banner->isHidden())
        return;
    const QString reason = m_reason->toPlainText().trimmed();
    if (reason.isEmpty()) {
        showProblem(tr("Write why you reject it: a reason is required."));
        m_reason->setFocus();
        return;
    }
    Model::ReviewDecision decision;
    decision.status = Model::ReviewStatus::Rejected;
    decision.message = reason;
    decision.seenDigest = Model::payloadDigest(m_review.payload);
    Q_EMIT decisionMade(m_review.nodeExecId, decision);
}

void ReviewDialog::showDecided(const Model::PendingReview &decided, bool yoursRefused)
{
    m_review = decided;
    const bool approved = decided.status == Model::ReviewStatus::Approved;
    QString text = yoursRefused ? (approved ? tr("Already approved") : tr("Already rejected"))
                                : (approved ? tr("Approved") : tr("Rejected"));
    if (!decided.reviewedBy.isEmpty())
        text += tr(" by %1").arg(decided.reviewedBy);
    if (decided.reviewedAt.isValid())
        text += tr(" at %1").arg(
            QLocale().toString(decided.reviewedAt.toLocalTime(), QLocale::ShortFormat));
    if (!decided.reviewMessage.isEmpty())
        text += QStringLiteral(": ") + decided.reviewMessage;
    text += yoursRefused ? tr(". Your decision was not recorded.") : QStringLiteral(".");
    m_banner->setText(text);
    m_banner->show();
    m_timer->stop();
    m_countdown->hide();
    m_quorum->hide();
    updateButtons();
    m_reject->setEnabled(false);
    if (mode() != Mode::View)
        setMode(Mode::View);
    else
        updateDetails();
}

void ReviewDialog::updateCountdown()
{
    if (!m_review.deadline.isValid()) {
        m_countdown->hide();
        return;
    }
    const qint64 left = qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(m_review.deadline));
    const QString outcome = m_review.allowSkip ? tr("approved") : tr("rejected");
    if (left > 0) {
        m_countdown->setText(
            tr("Decides itself in %1, then it is %2").arg(formatRemaining(left), outcome));
    } else {
        // Nothing has applied the deadline yet: the run waits unattended.
        m_countdown->setText(
            tr("The deadline passed: it is %1 when the run resumes, unless you decide first")
                .arg(outcome));
    }
    m_pulsing = left < kPulseBelowSeconds;
    m_pulseOn = m_pulsing && !m_pulseOn;
    m_countdown->setStyleSheet(
        m_pulsing
            ? (m_pulseOn ? QStringLiteral("background: #e53935; color: white; font-weight: bold;")
                         : QStringLiteral("background: #ffcdd2; color: #b71c1c; "
                                          "font-weight: bold;"))
            : QStringLiteral("color: #455a64;"));
}

} // namespace Signalbox::Ui
