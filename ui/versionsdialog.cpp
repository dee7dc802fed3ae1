// SPDX-License-Identifier: GPL-3.0-or-later
#include "versionsdialog.h"

#include "engine/service/servicethread.h"

#include <QDialogButtonBox>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace Signalbox::Ui {

VersionsDialog::VersionsDialog(Engine::ServiceThread *service, const QString &graphId,
                               const QString &graphName, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
    , m_graphId(graphId)
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("versionsDialog"));
    setWindowTitle(tr("Versions of %1").arg(graphName));
    m_list->setAccessibleName(tr("Versions"));
    new QListWidgetItem(tr("Reading the library…"), m_list);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    connect(buttons->button(QDialogButtonBox::Open), &QPushButton::clicked, this,
            &VersionsDialog::openCurrent);
    connect(m_list, &QListWidget::itemActivated, this, &VersionsDialog::openCurrent);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(460, 320);
    if (!m_service)
        return;
    m_service->call(
        this, [graphId](Engine::RunService &runs) { return runs.versions(graphId); },
        [this](Result<QList<Engine::GraphSummary>> versions) {
            m_list->clear();
            if (!versions) {
                new QListWidgetItem(versions.error().text(), m_list);
                Q_EMIT loaded();
                return;
            }
            for (const Engine::GraphSummary &summary : std::as_const(*versions)) {
                auto *item = new QListWidgetItem(
                    tr("Version %1 — %2 — %n node(s)", nullptr, summary.nodeCount)
                        .arg(summary.version)
                        .arg(QLocale().toString(summary.createdAt.toLocalTime(),
                                                QLocale::ShortFormat)),
                    m_list);
                item->setData(Qt::UserRole, summary.version);
            }
            if (versions->isEmpty())
                new QListWidgetItem(
                    tr("No version saved yet: use File › Save Version to Library."), m_list);
            m_list->setCurrentRow(0);
            Q_EMIT loaded();
        });
}

void VersionsDialog::openCurrent()
{
    QListWidgetItem *item = m_list->currentItem();
    // Return both activates the item and presses Open: one version opens.
    if (!m_service || !item || !item->data(Qt::UserRole).isValid() || m_opening)
        return;
    m_opening = true;
    m_service->call(
        this,
        [graphId = m_graphId, version = item->data(Qt::UserRole).toInt()](Engine::RunService &runs) {
            return runs.graph(graphId, version);
        },
        [this](Result<Model::Graph> graph) {
            m_opening = false;
            if (!graph) {
                Q_EMIT failed(tr("Version history"), graph.error().text());
                return;
            }
            Q_EMIT versionOpened(*graph);
            accept();
        });
}

} // namespace Signalbox::Ui
