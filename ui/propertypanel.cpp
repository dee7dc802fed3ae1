// SPDX-License-Identifier: GPL-3.0-or-later
#include "propertypanel.h"

#include "engine/llm/llmcatalog.h"
#include "model/review.h"

#include "graphdocument.h"
#include "jsonhighlighter.h"
#include "pinstyle.h"
#include "statuspalette.h"
#include "valuetext.h"

#include "model/linkrules.h"
#include "model/pinnames.h"

#include <QCheckBox>
#include <QComboBox>
#include <QStandardItemModel>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QGridLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Signalbox::Ui {

namespace {

const QLatin1StringView kTitleField("title");
const QLatin1StringView kTimeoutField("timeout");
const QLatin1StringView kAllowSkipField("allow_skip");
const QLatin1StringView kMutedField("muted");
const QLatin1StringView kRequiredApprovalsField("required_approvals");
const QLatin1StringView kForbidStarterField("forbid_run_starter");

// A JSON text editor that applies on focus loss or Ctrl+Enter.
class JsonEdit : public QPlainTextEdit
{
public:
    std::function<void()> onCommit;

    JsonEdit(QWidget *parent, bool json)
        : QPlainTextEdit(parent)
    {
        if (json)
            new JsonHighlighter(document());
        setTabChangesFocus(true);
        QFont mono(QStringLiteral("monospace"));
        mono.setStyleHint(QFont::Monospace);
        setFont(mono);
        setFixedHeight(110);
    }

protected:
    void focusOutEvent(QFocusEvent *event) override
    {
        QPlainTextEdit::focusOutEvent(event);
        if (onCommit)
            onCommit();
    }
    void keyPressEvent(QKeyEvent *event) override
    {
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
            && (event->modifiers() & Qt::ControlModifier)) {
            if (onCommit)
                onCommit();
            return;
        }
        QPlainTextEdit::keyPressEvent(event);
    }
};

QString jsonText(const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    // A scalar: wrap it to print it, then unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

// A node input as JSON text for its editor, keys in their order.
QString valueText(const Model::Value &value)
{
    if (value.isUndefined())
        return {};
    return QString::fromUtf8(Model::toJson(value, Model::JsonStyle::Indented));
}

QString scalarText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble() || value.isBool())
        return jsonText(value);
    return {};
}

} // namespace

PropertyPanel::PropertyPanel(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Properties"));
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setAccessibleName(tr("Node settings"));
    m_placeholder = new QLabel(tr("Select a node to see its settings."), this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_placeholder);
    layout->addWidget(m_scroll);
    m_scroll->hide();
}

void PropertyPanel::showNode(GraphDocument *document, const QString &nodeId)
{
    if (m_document != document) {
        if (m_document)
            disconnect(m_document, nullptr, this, nullptr);
        m_document = document;
        if (document) {
            connect(document, &GraphDocument::nodeChanged, this, [this](const QString &id) {
                if (id != m_nodeId)
                    return;
                // The panel's own edits keep their editors; others rebuild.
                if (m_applying)
                    updateMessages();
                else
                    scheduleRebuild();
            });
            connect(document, &GraphDocument::nodeAboutToBeRemoved, this,
                    [this](const QString &id) {
                        if (id == m_nodeId)
                            showNode(m_document, QString());
                    });
            connect(document, &GraphDocument::linkAdded, this, &PropertyPanel::scheduleRebuild);
            connect(document, &GraphDocument::linkChanged, this, &PropertyPanel::scheduleRebuild);
            connect(document, &GraphDocument::linkAboutToBeRemoved, this,
                    &PropertyPanel::scheduleRebuild);
        }
    }
    if (m_nodeId != nodeId)
        m_localMessages.clear();
    m_nodeId = nodeId;
    rebuild();
}

void PropertyPanel::scheduleRebuild()
{
    // Later, never inside the signal of an editor that rebuilding deletes.
    if (m_rebuildPending)
        return;
    m_rebuildPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_rebuildPending = false;
            rebuild();
        },
        Qt::QueuedConnection);
}

void PropertyPanel::edit(const std::function<void()> &change)
{
    if (!m_document || m_rebuilding)
        return;
    const QScopedValueRollback applying(m_applying, true);
    change();
}

void PropertyPanel::setProblems(const Engine::NodeErrors &errors,
                                const Engine::NodeErrors &warnings)
{
    m_problems = errors;
    m_warnings = warnings;
    updateMessages();
}

QString PropertyPanel::fieldMessage(const QString &field) const
{
    const QLabel *label = m_messages.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

void PropertyPanel::focusTitle()
{
    if (QWidget *title = m_editors.value(kTitleField))
        title->setFocus(Qt::ShortcutFocusReason);
}

QList<const Model::Link *> PropertyPanel::inputLinks() const
{
    QList<const Model::Link *> links = m_document->linksOf(m_nodeId);
    links.removeIf([this](const Model::Link *link) { return link->sinkId != m_nodeId; });
    return links;
}

QWidget *PropertyPanel::entriesEditor(const Model::PinSpec &pin)
{
    const Model::Node *node = m_document->node(m_nodeId);
    const bool isList = pin.type == Model::PinType::List;
    auto *box = new QWidget;
    box->setObjectName(QStringLiteral("entries/") + pin.name);
    box->setAccessibleName(isList ? tr("Items of %1").arg(pin.name)
                                  : tr("Keys of %1").arg(pin.name));
    auto *rows = new QGridLayout(box);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setColumnStretch(0, 2);
    rows->setColumnStretch(1, 3);
    const auto note = [box](const QString &text) {
        auto *label = new QLabel(text, box);
        label->setWordWrap(true);
        label->setStyleSheet(QStringLiteral("color: #546e7a;"));
        return label;
    };
    const auto sourceText = [this](const QString &linkId) {
        const Model::Link *link = m_document->link(linkId);
        return link ? tr("← %1 · %2").arg(m_document->nodeTitle(link->sourceId), link->sourceName)
                    : QString();
    };
    const QString field = pin.name;
    const auto report = [this, field](const Result<void> &done) {
        setLocalMessage(field, done ? QString() : done.error().message);
    };
    int row = 0;
    // A link into the whole object: naming it makes it an entry.
    for (const Model::Link *link : inputLinks()) {
        if (isList || link->sinkName != pin.name)
            continue;
        auto *name = new QLineEdit;
        name->setPlaceholderText(tr("Name this entry"));
        name->setAccessibleName(tr("Name the value linked to the whole of %1").arg(pin.name));
        name->setToolTip(tr("The link sends its value as the whole object. Give it a key to "
                            "send it as one entry instead, as a template's {{key}}."));
        connect(name, &QLineEdit::editingFinished, this, [this, name, field, report] {
            if (!name->text().trimmed().isEmpty() && !m_rebuilding)
                report(m_document->renameEntry(m_nodeId, field, QString(), name->text()));
        });
        rows->addWidget(name, row, 0);
        rows->addWidget(note(tr("the whole value %1").arg(sourceText(link->id))), row++, 1);
    }
    for (const Model::PinEntry &entry : Model::pinEntries(m_document->graph(), *node, pin)) {
        const QString linked = entry.linkIds.isEmpty() ? QString() : sourceText(entry.linkIds.first());
        if (isList) {
            rows->addWidget(new QLabel(QStringLiteral("[%1]").arg(entry.key)), row, 0);
            rows->addWidget(note(linked.isEmpty() ? tr("set above") : linked), row++, 1);
            continue;
        }
        auto *key = new QLineEdit(entry.key);
        key->setObjectName(QStringLiteral("key/") + entry.key);
        key->setAccessibleName(tr("Key %1 of %2").arg(entry.key, pin.name));
        const QString from = entry.key;
        connect(key, &QLineEdit::editingFinished, this, [this, key, field, from, report] {
            if (key->text() != from && !m_rebuilding)
                report(m_document->renameEntry(m_nodeId, field, from, key->text()));
        });
        auto *remove = new QToolButton;
        remove->setText(QStringLiteral("×"));
        remove->setAccessibleName(tr("Remove key %1 of %2").arg(entry.key, pin.name));
        remove->setToolTip(remove->accessibleName());
        connect(remove, &QToolButton::clicked, this,
                [this, field, from] { m_document->removeEntry(m_nodeId, field, from); });
        QString what = linked;
        if (what.isEmpty()) {
            const Model::Value value = node->inputDefault.value(pin.name).toMap().value(entry.key);
            what = value.isString() && value.toString().isEmpty()
                ? tr("empty: link a value to its pin")
                : QStringLiteral("= ") + Model::pythonStr(value);
        }
        key->setMinimumWidth(80);
        rows->addWidget(key, row, 0);
        rows->addWidget(note(what), row, 1);
        rows->addWidget(remove, row++, 2);
    }
    if (isList) {
        auto *add = new QPushButton(tr("Add item"));
        add->setAccessibleName(tr("Add an item to %1").arg(pin.name));
        connect(add, &QPushButton::clicked, this,
                [this, field, report] { report(m_document->addEntry(m_nodeId, field)); });
        rows->addWidget(add, row, 0, 1, 3, Qt::AlignLeft);
        return box;
    }
    auto *newKey = new QLineEdit;
    newKey->setObjectName(QStringLiteral("addKey"));
    newKey->setPlaceholderText(tr("Add key…"));
    newKey->setAccessibleName(tr("New key of %1").arg(pin.name));
    auto *add = new QPushButton(tr("Add key"));
    add->setAccessibleName(tr("Add key to %1").arg(pin.name));
    const auto addKey = [this, newKey, field, report] {
        if (newKey->text().trimmed().isEmpty() || m_rebuilding)
            return;
        report(m_document->addEntry(m_nodeId, field, newKey->text()));
    };
    connect(newKey, &QLineEdit::returnPressed, this, addKey);
    connect(add, &QPushButton::clicked, this, addKey);
    rows->addWidget(newKey, row, 0);
    rows->addWidget(add, row, 1, Qt::AlignLeft);
    return box;
}

void PropertyPanel::addField(const QString &field, const QString &label, QWidget *editor,
                             const QString &tooltip, QFormLayout *form, const QString &note)
{
    auto *column = new QWidget(m_form);
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    editor->setParent(column);
    editor->setAccessibleName(label);
    editor->setToolTip(tooltip);
    if (!tooltip.isEmpty())
        editor->setAccessibleDescription(tooltip);
    layout->addWidget(editor);
    if (!note.isEmpty()) {
        auto *noteLabel = new QLabel(note, column);
        noteLabel->setWordWrap(true);
        noteLabel->setStyleSheet(QStringLiteral("color: #546e7a;"));
        layout->addWidget(noteLabel);
    }
    auto *message = new QLabel(column);
    message->setWordWrap(true);
    message->setStyleSheet(QStringLiteral("color: #c62828;"));
    message->setAccessibleName(tr("Problem with %1").arg(label));
    message->hide();
    layout->addWidget(message);
    auto *caption = new QLabel(label, m_form);
    caption->setBuddy(editor);
    caption->setToolTip(tooltip);
    form->addRow(caption, column);
    m_editors.insert(field, editor);
    m_messages.insert(field, message);
}

void PropertyPanel::rebuild()
{
    // Deleting a focused editor makes it lose focus, which would apply its
    // stale text as a new edit.
    const QScopedValueRollback rebuilding(m_rebuilding, true);
    const QWidget *focused = focusWidget();
    const QString focusedField = m_editors.key(const_cast<QWidget *>(focused));
    m_editors.clear();
    m_messages.clear();
    delete m_scroll->takeWidget();
    m_form = nullptr;
    const Model::Node *node = m_document ? m_document->node(m_nodeId) : nullptr;
    if (!node) {
        m_scroll->hide();
        m_placeholder->show();
        return;
    }
    const Model::BlockSchema *schema = m_document->schemaOf(m_nodeId);
    m_form = new QWidget;
    m_form->setAccessibleName(tr("Settings of %1").arg(m_document->nodeTitle(m_nodeId)));
    auto *outer = new QVBoxLayout(m_form);
    auto *heading = new QLabel(m_form);
    heading->setWordWrap(true);
    heading->setText(
        QStringLiteral("<b>%1</b><br><small>%2</small>")
            .arg((schema ? blockDisplayName(*schema) : node->blockId).toHtmlEscaped(),
                 (schema ? schema->description
                         : tr("Signalbox has no block %1. This placeholder keeps its inputs and "
                              "links, and is saved back unchanged; replace it with a block "
                              "Signalbox has to run the graph.")
                               .arg(node->blockId))
                     .toHtmlEscaped()));
    outer->addWidget(heading);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addLayout(form);

    auto *title = new QLineEdit(m_document->nodeTitle(m_nodeId));
    title->setPlaceholderText(schema ? schema->name : QString());
    connect(title, &QLineEdit::editingFinished, this, [this, title] {
        edit([&] {
            if (m_document->nodeTitle(m_nodeId) != title->text())
                m_document->setNodeTitle(m_nodeId, title->text());
        });
    });
    addField(kTitleField, tr("Title"), title, tr("The name shown on the node"), form);

    auto *muted = new QCheckBox(tr("Completes without running"));
    muted->setChecked(node->metadata.value(kMutedField).toBool());
    connect(muted, &QCheckBox::toggled, this,
            [this](bool on) { edit([&] { m_document->setMuted({m_nodeId}, on); }); });
    addField(kMutedField, tr("Muted"), muted,
             tr("A muted node completes without running, and nothing after it runs"), form);

    if (schema) {
        QFormLayout *advancedForm = nullptr;
        for (const Model::PinSpec &pin : schema->inputs) {
            if (pin.hidden)
                continue;
            QFormLayout *target = form;
            if (pin.advanced) {
                if (!advancedForm) {
                    auto *toggle = new QPushButton(m_showAdvanced ? tr("Hide advanced inputs")
                                                                  : tr("Show advanced inputs"),
                                                   m_form);
                    toggle->setCheckable(true);
                    toggle->setChecked(m_showAdvanced);
                    toggle->setAccessibleName(tr("Advanced inputs"));
                    outer->addWidget(toggle);
                    auto *box = new QWidget(m_form);
                    advancedForm = new QFormLayout(box);
                    advancedForm->setContentsMargins(0, 0, 0, 0);
                    outer->addWidget(box);
                    box->setVisible(m_showAdvanced);
                    connect(toggle, &QPushButton::toggled, this, [this, box, toggle](bool on) {
                        m_showAdvanced = on;
                        box->setVisible(on);
                        toggle->setText(on ? tr("Hide advanced inputs")
                                           : tr("Show advanced inputs"));
                    });
                }
                target = advancedForm;
            }
            QString label = pin.title.isEmpty() ? pin.name : pin.title;
            if (pin.required)
                label += QLatin1Char('*');
            QString tooltip = pin.description;
            tooltip += (tooltip.isEmpty() ? QString() : QStringLiteral("\n"))
                + tr("Type: %1").arg(Model::pinTypeName(pin.type));
            addField(pin.name, label, inputEditor(pin.name), tooltip, target);
            if (Model::isDynamicInput(pin))
                target->addRow(QString(), entriesEditor(pin));
        }
        if (schema->type == Model::BlockType::HumanInTheLoop) {
            auto *section = new QLabel(tr("<b>Review</b>"), m_form);
            outer->addWidget(section);
            auto *reviewForm = new QFormLayout;
            outer->addLayout(reviewForm);
            auto *timeout = new QSpinBox;
            timeout->setRange(0, 7 * 24 * 3600);
            timeout->setSuffix(tr(" s"));
            timeout->setSpecialValueText(tr("No deadline"));
            timeout->setValue(int(node->metadata.value(kTimeoutField).toInteger()));
            connect(timeout, &QSpinBox::editingFinished, this, [this, timeout] {
                if (m_document && !m_rebuilding) {
                    m_document->setMetadataValue(m_nodeId, kTimeoutField,
                                                 timeout->value() > 0
                                                     ? Model::Value(qint64(timeout->value()))
                                                     : Model::Value(),
                                                 tr("Set review timeout"));
                }
            });
            addField(kTimeoutField, tr("Timeout"), timeout,
                     tr("Seconds a review may wait before it is decided automatically"),
                     reviewForm);
            auto *allowSkip = new QCheckBox(tr("Approve when the time is up"));
            allowSkip->setChecked(node->metadata.value(kAllowSkipField).toBool());
            connect(allowSkip, &QCheckBox::toggled, this, [this](bool on) {
                edit([&] {
                    m_document->setMetadataValue(m_nodeId, kAllowSkipField,
                                                 on ? Model::Value(true) : Model::Value(),
                                                 tr("Set review skip"));
                });
            });
            addField(kAllowSkipField, tr("Allow skip"), allowSkip,
                     tr("When the timeout passes, approve instead of rejecting"), reviewForm);
            auto *approvals = new QSpinBox;
            approvals->setRange(1, Model::kMaxRequiredApprovals);
            approvals->setSuffix(tr(" reviewer(s)"));
            approvals->setValue(
                int(qMax(qint64(1), node->metadata.value(kRequiredApprovalsField).toInteger())));
            connect(approvals, &QSpinBox::editingFinished, this, [this, approvals] {
                if (m_document && !m_rebuilding) {
                    m_document->setMetadataValue(m_nodeId, kRequiredApprovalsField,
                                                 approvals->value() > 1
                                                     ? Model::Value(qint64(approvals->value()))
                                                     : Model::Value(),
                                                 tr("Set required approvals"));
                }
            });
            addField(kRequiredApprovalsField, tr("Approvals"), approvals,
                     tr("How many different reviewers must approve; one rejection rejects"),
                     reviewForm);
            auto *forbidStarter = new QCheckBox(tr("The run's starter may not approve"));
            forbidStarter->setChecked(node->metadata.value(kForbidStarterField).toBool());
            connect(forbidStarter, &QCheckBox::toggled, this, [this](bool on) {
                edit([&] {
                    m_document->setMetadataValue(m_nodeId, kForbidStarterField,
                                                 on ? Model::Value(true) : Model::Value(),
                                                 tr("Set separation of duties"));
                });
            });
            addField(kForbidStarterField, tr("Separation"), forbidStarter,
                     tr("The person who started the run may reject it but not approve it"),
                     reviewForm);
        }
    }
    if (m_runData)
        outer->addWidget(runDataView());
    outer->addStretch();
    m_scroll->setWidget(m_form);
    m_placeholder->hide();
    m_scroll->show();
    updateMessages();
    if (QWidget *editor = m_editors.value(focusedField))
        editor->setFocus();
}

QWidget *PropertyPanel::modelPicker(const QString &field, const QString &stored,
                                    const QString &fallback)
{
    // The catalogue's models and the user's, grouped by provider.
    const Engine::Llm::Catalog catalog
        = Engine::Llm::Catalog::withSettings(Engine::Llm::LlmSettings::load());
    auto *combo = new QComboBox;
    combo->setObjectName(QStringLiteral("modelPicker"));
    combo->setAccessibleName(tr("Language model"));
    auto *items = new QStandardItemModel(combo);
    const QString defaultValue = fallback.isEmpty() ? catalog.defaultModel() : fallback;
    auto *unset = new QStandardItem(tr("(default: %1)").arg(defaultValue));
    items->appendRow(unset);
    int current = 0;
    for (const Engine::Llm::Provider &provider : catalog.providers()) {
        QList<const Engine::Llm::LlmModel *> models;
        for (const Engine::Llm::LlmModel &model : catalog.models()) {
            if (model.provider == provider.id && (!model.retired || model.value == stored))
                models.append(&model);
        }
        if (models.isEmpty())
            continue;
        auto *header = new QStandardItem(provider.displayName);
        header->setFlags(Qt::NoItemFlags);
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        header->setData(QColor(0x54, 0x6e, 0x7a), Qt::ForegroundRole);
        items->appendRow(header);
        for (const Engine::Llm::LlmModel *model : std::as_const(models)) {
            auto *item = new QStandardItem(QStringLiteral("    %1").arg(model->displayName));
            item->setData(model->value, Qt::UserRole);
            item->setToolTip(tr("%1 · %2 tokens of context%3")
                                 .arg(model->value)
                                 .arg(QLocale().toString(model->contextWindow))
                                 .arg(model->retired ? tr(" · retired upstream") : QString()));
            items->appendRow(item);
            if (model->value == stored)
                current = items->rowCount() - 1;
        }
    }
    if (!stored.isEmpty() && current == 0) {
        // A model the catalogue does not know stays as it is, marked.
        auto *unknown = new QStandardItem(tr("%1 (not in the catalogue)").arg(stored));
        unknown->setData(stored, Qt::UserRole);
        items->appendRow(unknown);
        current = items->rowCount() - 1;
    }
    combo->setModel(items);
    combo->setCurrentIndex(current);
    combo->setMaxVisibleItems(20);
    connect(combo, &QComboBox::activated, this, [this, field, combo](int index) {
        const QString value = combo->itemData(index, Qt::UserRole).toString();
        applyInput(field, index == 0 || value.isEmpty() ? Model::Value() : Model::Value(value));
    });
    return combo;
}

QWidget *PropertyPanel::inputEditor(const QString &pinName)
{
    const Model::Node *node = m_document->node(m_nodeId);
    const Model::PinSpec *pin = m_document->schemaOf(m_nodeId)->input(pinName);
    // A linked input takes its value from the link.
    for (const Model::Link *link : inputLinks()) {
        if (link->sinkName == pinName) {
            auto *label
                = new QLabel(tr("linked from %1 · %2")
                                 .arg(m_document->nodeTitle(link->sourceId), link->sourceName));
            label->setStyleSheet(QStringLiteral("color: #546e7a;"));
            label->setFocusPolicy(Qt::TabFocus);
            return label;
        }
    }
    const Model::Value stored = node->inputDefault.value(pinName);
    const QJsonValue value = Model::toQJson(stored);
    // Not set on the node: the pin's default shows.
    const bool unset = stored.isUndefined() || stored.isNull();
    const QJsonValue shown = unset && pin->hasDefault ? pin->defaultValue : value;
    const QString field = pinName;

    if (pin->llmModel)
        return modelPicker(field, value.isString() ? value.toString() : QString(),
                           pin->hasDefault ? pin->defaultValue.toString() : QString());
    if (!pin->enumValues.isEmpty()) {
        auto *combo = new QComboBox;
        combo->addItem(pin->hasDefault ? tr("(default: %1)").arg(scalarText(pin->defaultValue))
                                       : tr("(not set)"));
        combo->addItems(pin->enumValues);
        combo->setCurrentIndex(unset ? 0 : combo->findText(value.toString()));
        connect(combo, &QComboBox::activated, this, [this, field, combo](int index) {
            applyInput(field, index == 0 ? Model::Value() : Model::Value(combo->itemText(index)));
        });
        return combo;
    }
    switch (pin->type) {
    case Model::PinType::Boolean: {
        auto *check = new QCheckBox;
        check->setChecked(shown.toBool());
        connect(check, &QCheckBox::toggled, this,
                [this, field](bool on) { applyInput(field, Model::Value(on)); });
        return check;
    }
    case Model::PinType::Integer:
    case Model::PinType::Number: {
        auto *edit = new QLineEdit(scalarText(value));
        edit->setPlaceholderText(scalarText(pin->defaultValue));
        const bool integer = pin->type == Model::PinType::Integer;
        connect(edit, &QLineEdit::editingFinished, this, [this, field, edit, integer] {
            const QString text = edit->text().trimmed();
            if (text.isEmpty()) {
                setLocalMessage(field, QString());
                applyInput(field, Model::Value());
                return;
            }
            bool ok = false;
            Model::Value parsed;
            if (integer) {
                const qint64 number = text.toLongLong(&ok);
                parsed = Model::Value(number);
            } else {
                const double number = text.toDouble(&ok);
                ok = ok && std::isfinite(number);
                parsed = Model::Value(number);
            }
            if (!ok) {
                setLocalMessage(field, integer ? tr("Enter a whole number") : tr("Enter a number"));
                return;
            }
            setLocalMessage(field, QString());
            applyInput(field, parsed);
        });
        return edit;
    }
    case Model::PinType::Object:
    case Model::PinType::List:
    case Model::PinType::Any: {
        auto *edit = new JsonEdit(nullptr, true);
        edit->setPlainText(valueText(stored));
        edit->setPlaceholderText(jsonText(pin->defaultValue));
        const Model::PinType type = pin->type;
        edit->onCommit = [this, field, edit, type] {
            const QString text = edit->toPlainText().trimmed();
            if (text.isEmpty()) {
                setLocalMessage(field, QString());
                applyInput(field, Model::Value());
                return;
            }
            // Parsed as the runtime parses values: keys keep their order.
            const auto parsed
                = Model::parseJsonValue(text.toUtf8(), Model::JsonLimits {}, QStringLiteral("JSON"));
            if (!parsed) {
                setLocalMessage(field, tr("Not valid %1").arg(parsed.error().message));
                return;
            }
            const Model::Value item = *parsed;
            if ((type == Model::PinType::Object && !item.isMap())
                || (type == Model::PinType::List && !item.isArray())) {
                setLocalMessage(field,
                                type == Model::PinType::Object ? tr("Enter a JSON object")
                                                               : tr("Enter a JSON list"));
                return;
            }
            setLocalMessage(field, QString());
            applyInput(field, item);
        };
        return edit;
    }
    case Model::PinType::Credentials: {
        // The user's credentials of the providers and types the pin takes.
        auto *picker = new QComboBox;
        picker->addItem(tr("(none)"));
        const QString chosenId = value.toObject().value(QLatin1String("id")).toString();
        QList<Engine::Credential> fitting;
        if (m_credentials) {
            auto listed = m_credentials->list(QString(Model::kDefaultUserId));
            for (const Engine::Credential &credential :
                 listed ? *listed : QList<Engine::Credential>()) {
                if (credential.fits(*pin))
                    fitting.append(credential);
            }
        }
        for (const Engine::Credential &credential : std::as_const(fitting)) {
            picker->addItem(credential.host.isEmpty()
                                ? credential.title
                                : tr("%1 (%2)").arg(credential.title, credential.host),
                            credential.id);
        }
        if (!chosenId.isEmpty()) {
            int index = picker->findData(chosenId);
            if (index < 0) {
                // Set, but not among this user's credentials (removed, or
                // from another computer): shown so that it can be replaced.
                picker->addItem(tr("Unknown credentials %1").arg(chosenId), chosenId);
                index = picker->count() - 1;
            }
            picker->setCurrentIndex(index);
        }
        picker->setToolTip(fitting.isEmpty()
                               ? tr("No credentials of this kind yet: add them in Settings → "
                                    "Credentials")
                               : tr("Credentials from Settings → Credentials"));
        connect(picker, &QComboBox::activated, this, [this, field, picker, fitting](int index) {
            const QString id = picker->itemData(index).toString();
            for (const Engine::Credential &credential : fitting) {
                if (credential.id == id) {
                    applyInput(field, credential.meta());
                    return;
                }
            }
            if (index == 0)
                applyInput(field, Model::Value());
        });
        return picker;
    }
    case Model::PinType::String:
        break;
    }
    const bool multiline = pinName == QLatin1String("text") || pinName == QLatin1String("format")
        || shown.toString().contains(QLatin1Char('\n'));
    if (multiline && !pin->secret) {
        auto *edit = new JsonEdit(nullptr, false);
        edit->setPlainText(value.toString());
        edit->setPlaceholderText(shown.toString());
        edit->setFont(QFont {});
        edit->setFixedHeight(80);
        edit->onCommit = [this, field, edit] {
            const QString text = edit->toPlainText();
            applyInput(field, text.isEmpty() ? Model::Value() : Model::Value(text));
        };
        return edit;
    }
    auto *edit = new QLineEdit(scalarText(value));
    edit->setPlaceholderText(scalarText(pin->defaultValue));
    if (pin->secret)
        edit->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    connect(edit, &QLineEdit::editingFinished, this, [this, field, edit] {
        const QString text = edit->text();
        applyInput(field, text.isEmpty() ? Model::Value() : Model::Value(text));
    });
    return edit;
}

namespace {

// A value as tree rows: an object's keys and a list's items as children,
// folded past the first level; a bound on the rows keeps a huge value quick.
void addValueRows(QTreeWidgetItem *parent, const QString &key, const Model::Value &value,
                  int depth, int &budget)
{
    auto *item = new QTreeWidgetItem(parent, {key});
    --budget;
    if (value.isMap() || value.isArray()) {
        const qsizetype size = value.isMap() ? value.toMap().size() : value.toArray().size();
        item->setText(1, value.isMap() ? PropertyPanel::tr("{%n key(s)}", nullptr, int(size))
                                       : PropertyPanel::tr("[%n item(s)]", nullptr, int(size)));
        item->setForeground(1, QColor(0x54, 0x6e, 0x7a));
        if (depth > 16)
            return;
        if (value.isMap()) {
            const Model::ValueMap map = value.toMap();
            for (auto it = map.begin(); it != map.end() && budget > 0; ++it)
                addValueRows(item, it.key().toString(), it.value(), depth + 1, budget);
        } else {
            const Model::ValueList list = value.toArray();
            for (qsizetype i = 0; i < list.size() && budget > 0; ++i)
                addValueRows(item, QStringLiteral("[%1]").arg(i), list.at(i), depth + 1, budget);
        }
        return;
    }
    item->setText(1, valuePreview(value, 200));
    QString whole = value.isString() ? value.toString() : valuePreview(value);
    item->setToolTip(1, whole.size() > 4000 ? whole.left(4000) + QChar(0x2026) : whole);
}

} // namespace

QWidget *PropertyPanel::runDataView() const
{
    auto *box = new QWidget(m_form);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 8, 0, 0);
    const NodeRunData &data = *m_runData;
    QString heading = tr("<b>In the run shown</b> · %1").arg(statusLabel(data.status));
    if (data.executions > 1)
        heading += tr(" · ran %1 times; the last shown").arg(data.executions);
    layout->addWidget(new QLabel(heading, box));
    auto *tree = new QTreeWidget(box);
    tree->setObjectName(QStringLiteral("runData"));
    tree->setAccessibleName(tr("Inputs and outputs in the run shown"));
    tree->setHeaderLabels({tr("Pin"), tr("Value")});
    tree->setColumnCount(2);
    tree->setMinimumHeight(180);
    int budget = 2000;
    const auto section = [&](const QString &title, const Model::ValueMap &values) {
        auto *top = new QTreeWidgetItem(tree, {title});
        QFont bold = top->font(0);
        bold.setBold(true);
        top->setFont(0, bold);
        for (auto it = values.begin(); it != values.end() && budget > 0; ++it) {
            // An output pin holds the list of values yielded on it: one is shown as itself.
            const Model::ValueList list = it.value().toArray();
            const bool single = title == tr("Outputs") && list.size() == 1;
            addValueRows(top, it.key().toString(), single ? list.first() : it.value(), 1, budget);
        }
        top->setExpanded(true);
    };
    section(tr("Inputs"), data.inputs);
    section(tr("Outputs"), data.outputs);
    if (!data.error.isEmpty()) {
        auto *error = new QTreeWidgetItem(tree, {tr("Error"), data.error});
        error->setForeground(1, QColor(0xc6, 0x28, 0x28));
        error->setToolTip(1, data.error);
    }
    tree->resizeColumnToContents(0);
    layout->addWidget(tree);
    return box;
}

void PropertyPanel::setRunData(const NodeRunData *data)
{
    const std::optional<NodeRunData> next
        = data ? std::optional<NodeRunData>(*data) : std::nullopt;
    if (next == m_runData)
        return;
    m_runData = next;
    scheduleRebuild();
}

void PropertyPanel::setCredentials(std::shared_ptr<const Engine::CredentialsLookup> credentials)
{
    m_credentials = std::move(credentials);
    scheduleRebuild();
}

void PropertyPanel::applyInput(const QString &pin, const Model::Value &value)
{
    if (!m_document || m_rebuilding)
        return;
    const Model::Node *node = m_document->node(m_nodeId);
    if (!node || node->inputDefault.value(pin) == value)
        return;
    edit([&] { m_document->setInputValue(m_nodeId, pin, value); });
    updateMessages();
}

void PropertyPanel::setLocalMessage(const QString &field, const QString &message)
{
    if (m_rebuilding)
        return;
    if (message.isEmpty())
        m_localMessages.remove(field);
    else
        m_localMessages.insert(field, message);
    updateMessages();
}

void PropertyPanel::updateMessages()
{
    const Model::Node *node = m_document ? m_document->node(m_nodeId) : nullptr;
    const Model::BlockSchema *schema = m_document ? m_document->schemaOf(m_nodeId) : nullptr;
    const QMap<QString, QString> problems = m_problems.value(m_nodeId);
    const QList<const Model::Link *> links = node ? inputLinks() : QList<const Model::Link *>();
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it) {
        QString message = m_localMessages.value(it.key());
        if (message.isEmpty())
            message = problems.value(it.key());
        if (message.isEmpty() && node && schema) {
            // Required and given by nothing: the run would refuse the graph.
            const Model::PinSpec *pin = schema->input(it.key());
            bool linked = false;
            for (const Model::Link *link : links)
                linked = linked || Model::basePinName(link->sinkName) == it.key();
            if (pin && pin->required && !pin->hasDefault && !linked
                && !(schema->type == Model::BlockType::Input && it.key() == QLatin1String("value"))
                && (node->inputDefault.value(it.key()).isUndefined()
                    || node->inputDefault.value(it.key()).isNull())) {
                message = tr("Required: set a value or link an output here");
            }
        }
        bool warning = false;
        if (message.isEmpty()) {
            message = m_warnings.value(m_nodeId).value(it.key());
            warning = !message.isEmpty();
        }
        it.value()->setStyleSheet(warning ? QStringLiteral("color: #b26a00;")
                                          : QStringLiteral("color: #c62828;"));
        it.value()->setText(message);
        it.value()->setVisible(!message.isEmpty());
    }
}

} // namespace Signalbox::Ui
