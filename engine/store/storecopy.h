// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "database.h"

#include <QList>

namespace Signalbox::Engine {

// One table's rows on both sides of a copy.
struct CopiedTable
{
    QString table;
    qint64 sourceRows = 0;
    qint64 targetRows = 0;
};

// Copies one store into another, on either engine (a SQLite file into a
// team's PostgreSQL database, typically): graphs with their versions,
// nodes and links; runs with their node executions, inputs and outputs;
// key-value data; reviews, approvals and grants; the audit log as it is
// (so that it verifies on the other side); connected accounts' metadata
// and OAuth providers; the run queue. The change log is not copied: the
// target's own triggers note what arrives.
//
// The target must be empty of graphs and runs. Everything is written in one
// transaction; afterwards each table's rows are counted on both sides, and
// a difference is an error naming the table.
Result<QList<CopiedTable>> copyStore(Database &source, Database &target);

} // namespace Signalbox::Engine
