// SPDX-License-Identifier: GPL-3.0-or-later
#include "executionstatus.h"

#include "enumnames.h"

#include <QHash>

namespace Signalbox::Model {

namespace {

constexpr EnumName<ExecutionStatus> kNames[] = {
    {ExecutionStatus::Incomplete, QLatin1StringView("INCOMPLETE")},
    {ExecutionStatus::Queued, QLatin1StringView("QUEUED")},
    {ExecutionStatus::Running, QLatin1StringView("RUNNING")},
    {ExecutionStatus::Review, QLatin1StringView("REVIEW")},
    {ExecutionStatus::Completed, QLatin1StringView("COMPLETED")},
    {ExecutionStatus::Failed, QLatin1StringView("FAILED")},
    {ExecutionStatus::Terminated, QLatin1StringView("TERMINATED")},
};

using S = ExecutionStatus;

// DESIGN §3, keyed by the target status.
const QHash<ExecutionStatus, QList<ExecutionStatus>> &transitionTable()
{
    static const QHash<ExecutionStatus, QList<ExecutionStatus>> table = {
        {S::Queued, {S::Incomplete, S::Terminated, S::Review}},
        {S::Running, {S::Incomplete, S::Queued, S::Terminated, S::Review}},
        {S::Completed, {S::Running}},
        {S::Failed, {S::Incomplete, S::Queued, S::Running, S::Review}},
        {S::Terminated, {S::Incomplete, S::Queued, S::Running, S::Review}},
        {S::Review, {S::Running}},
    };
    return table;
}

} // namespace

QString statusName(ExecutionStatus status)
{
    return enumName(kNames, status);
}

std::optional<ExecutionStatus> statusFromName(QStringView name)
{
    return enumFromName(kNames, name, Qt::CaseInsensitive);
}

const QList<ExecutionStatus> &allowedSources(ExecutionStatus target)
{
    static const QList<ExecutionStatus> none;
    const auto &table = transitionTable();
    const auto it = table.constFind(target);
    return it == table.constEnd() ? none : it.value();
}

bool isTransitionAllowed(ExecutionStatus from, ExecutionStatus to)
{
    return allowedSources(to).contains(from);
}

bool isFinal(ExecutionStatus status)
{
    return status == ExecutionStatus::Completed || status == ExecutionStatus::Failed;
}

bool isTerminal(ExecutionStatus status)
{
    return isFinal(status) || status == ExecutionStatus::Terminated;
}

} // namespace Signalbox::Model
