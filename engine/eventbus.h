// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/execution.h"
#include "model/review.h"
#include "model/value.h"

#include <QDateTime>
#include <QObject>

namespace Signalbox::Engine {

struct NodeExecutionEvent
{
    QString graphExecId;
    QString nodeExecId;
    QString nodeId;
    QString blockId;
    Model::ExecutionStatus status = Model::ExecutionStatus::Incomplete;
    // An output that was just yielded (pin empty when this is a status change).
    QString outputPin;
    // Values larger than kEventValueLimit bytes are truncated here, never in the store.
    Model::Value outputValue;
    Model::ValueMap inputData;
    QString error;
    QDateTime time;
};

struct GraphExecutionEvent
{
    QString graphExecId;
    QString graphId;
    int graphVersion = 0;
    Model::ExecutionStatus status = Model::ExecutionStatus::Incomplete;
    std::optional<Model::GraphExecutionStats> stats;
    QDateTime time;
};

inline constexpr qsizetype kEventValueLimit = 4096;

// A value as events carry it: itself when small, else the start of its JSON
// text followed by "... (truncated)".
Model::Value truncatedForEvent(const Model::Value &value);

// The in-process event bus (DESIGN §3). The executor emits from the thread
// it runs on, after the status change is committed; connect with
// Qt::QueuedConnection from other threads.
class EventBus : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

Q_SIGNALS:
    void graphExecutionUpdated(const Signalbox::Engine::GraphExecutionEvent &event);
    void nodeExecutionUpdated(const Signalbox::Engine::NodeExecutionEvent &event);
    // A node execution waits for a human review (committed before this).
    void reviewRequested(const QString &graphExecId, const QString &nodeExecId);
    // A run here takes a review's decision (made by anyone, anywhere).
    void reviewDecided(const QString &graphExecId, const QString &nodeExecId,
                       Signalbox::Model::ReviewStatus status);
    // What a running node has produced so far on `pin` (a model's answer
    // streaming in), at most a few times a second. Emitted from the
    // worker's thread; the final value comes as an output all the same.
    void nodeProgress(const QString &graphExecId, const QString &nodeExecId, const QString &nodeId,
                      const QString &pin, const QString &text);
    // A review's deadline passed and it decided itself.
    void reviewTimedOut(const QString &graphExecId, const QString &nodeExecId,
                        Signalbox::Model::ReviewStatus status);
};

} // namespace Signalbox::Engine

Q_DECLARE_METATYPE(Signalbox::Engine::NodeExecutionEvent)
Q_DECLARE_METATYPE(Signalbox::Engine::GraphExecutionEvent)
