// SPDX-License-Identifier: GPL-3.0-or-later
#include "rundialog.h"

#include "model/graphvalidation.h"

#include "model/blockschema.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace Signalbox::Ui {

namespace {

// An input as the command line takes it: JSON, or a bare word as text.
Model::Value parseInput(const QString &text)
{
    auto parsed = Model::parseJsonValue(text.toUtf8(), {}, QString());
    return parsed ? *parsed : Model::Value(text);
}

QString inputText(const Model::Value &value)
{
    return value.isString() ? value.toString() : QString::fromUtf8(Model::toJson(value));
}

} // namespace

RunDialog::RunDialog(const Model::Graph &graph, const Model::BlockSchemaLookup &blocks,
                     const Model::ValueMap &previousInputs, bool hitlSafeMode,
                     bool sensitiveSafeMode, QWidget *parent)
    : QDialog(parent)
    , m_graph(graph)
    , m_blocks(blocks)
{
    setObjectName(QStringLiteral("runDialog"));
    setWindowTitle(tr("Run %1").arg(graph.name));
    auto *form = new QFormLayout(this);
    for (const Model::Node &node : graph.nodes) {
        const Model::BlockSchema *schema = blocks.schema(node.blockId);
        if (!schema || schema->type != Model::BlockType::Input)
            continue;
        const QString name = node.inputDefault.value(QLatin1String("name")).toString();
        if (name.isEmpty() || m_fields.contains(name))
            continue;
        auto *field = new QLineEdit(this);
        const QJsonValue fallback = Model::toQJson(node.inputDefault.value(QLatin1String("value")));
        field->setPlaceholderText(
            fallback.isUndefined() || fallback.isNull()
                ? tr("JSON, or plain text")
                : tr("Default: %1").arg(inputText(Model::fromQJson(fallback))));
        if (previousInputs.contains(name))
            field->setText(inputText(previousInputs.value(name)));
        const QString title = node.inputDefault.value(QLatin1String("title")).toString();
        field->setAccessibleName(title.isEmpty() ? name : title);
        if (node.inputDefault.value(QLatin1String("secret")).toBool())
            field->setEchoMode(QLineEdit::PasswordEchoOnEdit);
        form->addRow(title.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(title, name), field);
        m_fields.insert(name, field);
        m_fieldOrder.append(field);
    }
    if (m_fields.isEmpty())
        form->addRow(new QLabel(tr("This graph takes no inputs."), this));
    // The first field has the focus, its last value selected: typing replaces it.
    if (!m_fieldOrder.isEmpty()) {
        m_fieldOrder.first()->setFocus();
        m_fieldOrder.first()->selectAll();
    }
    m_hitl = new QCheckBox(tr("Pause at Human Review blocks"), this);
    m_hitl->setChecked(hitlSafeMode);
    m_hitl->setAccessibleName(tr("Human-in-the-loop safe mode"));
    m_sensitive = new QCheckBox(tr("Ask before sensitive actions"), this);
    m_sensitive->setChecked(sensitiveSafeMode);
    m_sensitive->setAccessibleName(tr("Sensitive-action safe mode"));
    form->addRow(tr("Safe modes:"), m_hitl);
    form->addRow(QString(), m_sensitive);
    m_onWorkers = new QCheckBox(tr("Queue it for workers instead of running it here"), this);
    m_onWorkers->setObjectName(QStringLiteral("runOnWorkers"));
    m_onWorkers->setAccessibleName(tr("Run on workers"));
    m_onWorkers->setToolTip(tr("The run waits in the database until a worker (signalbox worker) "
                               "takes it; it goes on while this computer sleeps."));
    form->addRow(tr("Where:"), m_onWorkers);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("runProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_problem->hide();
    form->addRow(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Run"));
    // Queued, the run does not start here: the button says so.
    connect(m_onWorkers, &QCheckBox::toggled, this, [buttons](bool queued) {
        buttons->button(QDialogButtonBox::Ok)->setText(queued ? tr("&Queue") : tr("&Run"));
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

void RunDialog::accept()
{
    // Refused here, naming the input, as a run would refuse it.
    const QStringList missing = Model::missingGraphInputs(m_graph, m_blocks, inputs());
    if (!missing.isEmpty()) {
        m_problem->setText(Model::missingGraphInputsMessage(missing));
        m_problem->show();
        // Room for the message, wrapped, above the buttons.
        m_problem->setMinimumWidth(m_problem->sizeHint().width() > 420 ? 420 : 0);
        adjustSize();
        if (QLineEdit *field = m_fields.value(missing.first()))
            field->setFocus();
        return;
    }
    QDialog::accept();
}

Model::ValueMap RunDialog::inputs() const
{
    Model::ValueMap result;
    for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
        if (!it.value()->text().isEmpty())
            result.insert(it.key(), parseInput(it.value()->text()));
    }
    return result;
}

bool RunDialog::hitlSafeMode() const
{
    return m_hitl->isChecked();
}

bool RunDialog::sensitiveSafeMode() const
{
    return m_sensitive->isChecked();
}

bool RunDialog::onWorkers() const
{
    return m_onWorkers->isChecked();
}

void RunDialog::setOnWorkers(bool onWorkers)
{
    m_onWorkers->setChecked(onWorkers);
}

} // namespace Signalbox::Ui
