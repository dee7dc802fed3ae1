// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace Signalbox::Testing {

// The bundled example: a greeting paused at a Human Review step.
inline const QString kExampleGraph
    = QStringLiteral(SIGNALBOX_SOURCE_DIR "/resources/examples/review-a-greeting.sbx.json");

// Writes the example into `folder` with `settings` added to its review
// step's metadata, as graph "NAME", and optionally a countdown branch that
// keeps the run going meanwhile. Returns the file's path, or an empty string
// when it could not be written.
inline QString writeExampleWithReviewSettings(const QString &folder, const QString &name,
                                              const QJsonObject &settings,
                                              int countdownSeconds = 0)
{
    QFile file(kExampleGraph);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject graph = QJsonDocument::fromJson(file.readAll()).object();
    graph.insert(QStringLiteral("id"), name);
    QJsonArray nodes = graph.value(QLatin1String("nodes")).toArray();
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        QJsonObject node = nodes.at(i).toObject();
        if (node.value(QLatin1String("block_id")).toString()
            == QLatin1String("8b2a7b3c-6e9d-4a5f-8c1b-2e3f4a5b6c7d")) {
            QJsonObject metadata = node.value(QLatin1String("metadata")).toObject();
            for (auto it = settings.begin(); it != settings.end(); ++it)
                metadata.insert(it.key(), it.value());
            node.insert(QStringLiteral("metadata"), metadata);
            nodes[i] = node;
        }
    }
    if (countdownSeconds > 0) {
        nodes.append(QJsonObject {
            {QStringLiteral("id"), QStringLiteral("countdown")},
            {QStringLiteral("block_id"), QStringLiteral("d67a9c52-5e4e-11e2-bcfd-0800200c9a71")},
            {QStringLiteral("input_default"),
             QJsonObject {{QStringLiteral("seconds"), countdownSeconds}}}});
    }
    graph.insert(QStringLiteral("nodes"), nodes);
    const QString path = QDir(folder).filePath(QStringLiteral("%1.sbx.json").arg(name));
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    out.write(QJsonDocument(graph).toJson());
    return path;
}

// The example with a timeout (seconds) and allow_skip on its review step, as
// graph "timeout-NAME".
inline QString writeExampleWithTimeout(const QString &folder, const QString &name, double timeout,
                                       bool allowSkip, int countdownSeconds = 0)
{
    return writeExampleWithReviewSettings(
        folder, QStringLiteral("timeout-%1").arg(name),
        {{QStringLiteral("timeout"), timeout}, {QStringLiteral("allow_skip"), allowSkip}},
        countdownSeconds);
}

// The example whose review step needs two approvals and forbids the run's
// starter from approving, as graph "quorum".
inline QString writeQuorumExample(const QString &folder)
{
    return writeExampleWithReviewSettings(folder, QStringLiteral("quorum"),
                                          {{QStringLiteral("required_approvals"), 2},
                                           {QStringLiteral("forbid_run_starter"), true}});
}

} // namespace Signalbox::Testing
