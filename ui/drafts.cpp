// SPDX-License-Identifier: GPL-3.0-or-later
#include "drafts.h"

#include "graphdocument.h"
#include "grapheditor.h"

#include "model/uuid.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace Signalbox::Ui {

namespace {

const QLatin1StringView kDraftSuffix(".draft.json");

} // namespace

Drafts::Drafts(QString folder)
    : m_folder(std::move(folder))
{ }

QString Drafts::pathFor(const GraphEditor *editor)
{
    QString &id = m_ids[editor];
    if (id.isEmpty())
        id = Model::createRandomUuid();
    return m_folder + QLatin1Char('/') + id + kDraftSuffix;
}

QStringList Drafts::write(const QList<GraphEditor *> &editors)
{
    QStringList problems;
    if (m_folder.isEmpty())
        return problems;
    QDir().mkpath(m_folder);
    for (GraphEditor *editor : editors) {
        const QString path = pathFor(editor);
        if (!editor->document()->isModified()) {
            QFile::remove(path);
            continue;
        }
        // The draft is the graph plus where it belongs; the graph as text,
        // so that its own layout survives.
        QJsonObject draft;
        draft.insert(QStringLiteral("file_path"), editor->document()->filePath());
        draft.insert(QStringLiteral("graph_text"), QString::fromUtf8(editor->document()->toJson()));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)
            || file.write(QJsonDocument(draft).toJson(QJsonDocument::Compact)) < 0
            || !file.commit())
            problems.append(QStringLiteral("%1: %2").arg(path, file.errorString()));
    }
    return problems;
}

void Drafts::forget(const GraphEditor *editor)
{
    const auto id = m_ids.constFind(editor);
    if (id == m_ids.cend())
        return;
    QFile::remove(m_folder + QLatin1Char('/') + *id + kDraftSuffix);
    m_ids.erase(id);
}

QStringList Drafts::leftBehind() const
{
    if (m_folder.isEmpty())
        return {};
    return QDir(m_folder).entryList({QStringLiteral("*") + kDraftSuffix}, QDir::Files, QDir::Time);
}

std::optional<Drafts::Draft> Drafts::take(const QString &name)
{
    const QString path = QDir(m_folder).filePath(name);
    std::optional<Draft> taken;
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QJsonObject draft = QJsonDocument::fromJson(file.readAll()).object();
        taken = Draft {name, draft.value(QLatin1String("file_path")).toString(),
                       draft.value(QLatin1String("graph_text")).toString().toUtf8()};
    }
    file.close();
    QFile::remove(path);
    return taken;
}

} // namespace Signalbox::Ui
