// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "database.h"
#include "model/result.h"

#include <QStringList>

namespace Signalbox::Engine {

class Database;

// One numbered schema change. Migrations run in order inside one write
// transaction each; SQLite's PRAGMA user_version, or PostgreSQL's
// signalbox_schema table, records the last.
struct Migration
{
    int version;
    QStringList statements;
};

// The migrations of one engine, oldest first. Both lists end at the same
// version.
const QList<Migration> &schemaMigrations(SqlEngine engine = SqlEngine::SQLite);
int latestSchemaVersion();

// Brings the database to `targetVersion` (default: the latest). Two processes
// opening a new file at once are serialised by the write lock; the second
// finds the work done. A file from a newer Signalbox is refused.
Result<void> migrateSchema(Database &db, int targetVersion = -1);

} // namespace Signalbox::Engine
