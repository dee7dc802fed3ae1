// SPDX-License-Identifier: GPL-3.0-or-later
#include "migrations.h"

#include "database.h"

#include <QSqlError>

namespace Signalbox::Engine {

namespace {

const char *const kStatusCheck
    = "CHECK (status IN "
      "('INCOMPLETE','QUEUED','RUNNING','REVIEW','COMPLETED','FAILED','TERMINATED'))";

// The run queue (migration 11) in either engine's word for a 64-bit integer.
QString runQueueTable(const QString &bigint)
{
    return QStringLiteral("CREATE TABLE run_queue ("
                          " graph_exec_id TEXT PRIMARY KEY NOT NULL"
                          "  REFERENCES graph_executions (id) ON DELETE CASCADE,"
                          " queued_at %1 NOT NULL,"
                          " worker TEXT,"
                          " lease_expires_at %1)")
        .arg(bigint);
}

QList<Migration> buildMigrations()
{
    const QString statusCheck = QString::fromLatin1(kStatusCheck);
    QList<Migration> migrations;

    // 1: graphs with their versions, nodes and links; executions, node
    // executions and their input/output records; key-value data; reviews.
    migrations.append(Migration {
        1,
        {
            QStringLiteral("CREATE TABLE graphs ("
                           " id TEXT NOT NULL,"
                           " version INTEGER NOT NULL CHECK (version >= 1),"
                           " user_id TEXT NOT NULL,"
                           " name TEXT NOT NULL DEFAULT '',"
                           " description TEXT NOT NULL DEFAULT '',"
                           " is_active INTEGER NOT NULL DEFAULT 1,"
                           " extra TEXT NOT NULL DEFAULT '{}',"
                           " sub_graphs TEXT NOT NULL DEFAULT '[]',"
                           " created_at INTEGER NOT NULL,"
                           " PRIMARY KEY (id, version)) WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE nodes ("
                           " graph_id TEXT NOT NULL,"
                           " graph_version INTEGER NOT NULL,"
                           " id TEXT NOT NULL,"
                           " position INTEGER NOT NULL,"
                           " block_id TEXT NOT NULL,"
                           " input_default TEXT NOT NULL DEFAULT '{}',"
                           " metadata TEXT NOT NULL DEFAULT '{}',"
                           " extra TEXT NOT NULL DEFAULT '{}',"
                           " PRIMARY KEY (graph_id, graph_version, id),"
                           " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version) "
                           "ON DELETE CASCADE"
                           ") WITHOUT ROWID"),
            QStringLiteral("CREATE TABLE links ("
                           " graph_id TEXT NOT NULL,"
                           " graph_version INTEGER NOT NULL,"
                           " id TEXT NOT NULL,"
                           " position INTEGER NOT NULL,"
                           " source_id TEXT NOT NULL,"
                           " source_name TEXT NOT NULL,"
                           " sink_id TEXT NOT NULL,"
                           " sink_name TEXT NOT NULL,"
                           " is_static INTEGER NOT NULL DEFAULT 0,"
                           " extra TEXT NOT NULL DEFAULT '{}',"
                           " PRIMARY KEY (graph_id, graph_version, id),"
                           " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version) "
                           "ON DELETE CASCADE"
                           ") WITHOUT ROWID"),
            QStringLiteral(
                "CREATE TABLE graph_executions ("
                " id TEXT PRIMARY KEY NOT NULL,"
                " user_id TEXT NOT NULL,"
                " graph_id TEXT NOT NULL,"
                " graph_version INTEGER NOT NULL,"
                " status TEXT NOT NULL %1,"
                " inputs TEXT NOT NULL DEFAULT '{}',"
                " credential_inputs TEXT NOT NULL DEFAULT '{}',"
                " nodes_input_masks TEXT NOT NULL DEFAULT '{}',"
                " preset_id TEXT,"
                " parent_graph_exec_id TEXT REFERENCES graph_executions (id) ON DELETE CASCADE,"
                " created_at INTEGER NOT NULL,"
                " updated_at INTEGER NOT NULL,"
                " started_at INTEGER,"
                " ended_at INTEGER,"
                " stats TEXT,"
                " is_deleted INTEGER NOT NULL DEFAULT 0,"
                " is_shared INTEGER NOT NULL DEFAULT 0,"
                " share_token TEXT UNIQUE,"
                " shared_at INTEGER,"
                " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version))")
                .arg(statusCheck),
            QStringLiteral(
                "CREATE INDEX graph_executions_by_user ON graph_executions (user_id, created_at)"),
            QStringLiteral("CREATE INDEX graph_executions_by_graph ON graph_executions (graph_id, "
                           "created_at)"),
            QStringLiteral(
                "CREATE INDEX graph_executions_by_created ON graph_executions (created_at)"),
            QStringLiteral(
                "CREATE INDEX graph_executions_by_status ON graph_executions (status, created_at)"),
            QStringLiteral("CREATE INDEX graph_executions_by_parent ON graph_executions "
                           "(parent_graph_exec_id)"),
            QStringLiteral(
                "CREATE TABLE node_executions ("
                " id TEXT PRIMARY KEY NOT NULL,"
                " graph_exec_id TEXT NOT NULL REFERENCES graph_executions (id) ON DELETE CASCADE,"
                " node_id TEXT NOT NULL,"
                " block_id TEXT NOT NULL,"
                " status TEXT NOT NULL %1,"
                " execution_data TEXT,"
                " stats TEXT,"
                " added_at INTEGER NOT NULL,"
                " queued_at INTEGER,"
                " started_at INTEGER,"
                " ended_at INTEGER)")
                .arg(statusCheck),
            QStringLiteral("CREATE INDEX node_executions_by_node ON node_executions "
                           "(graph_exec_id, node_id, status, added_at)"),
            QStringLiteral("CREATE INDEX node_executions_by_added ON node_executions (added_at)"),
            QStringLiteral("CREATE TABLE node_execution_io ("
                           " id TEXT PRIMARY KEY NOT NULL,"
                           " name TEXT NOT NULL,"
                           " data TEXT,"
                           " time INTEGER NOT NULL,"
                           " input_exec_id TEXT REFERENCES node_executions (id) ON DELETE CASCADE,"
                           " output_exec_id TEXT REFERENCES node_executions (id) ON DELETE CASCADE,"
                           " CHECK ((input_exec_id IS NULL) <> (output_exec_id IS NULL)))"),
            QStringLiteral("CREATE INDEX node_execution_io_inputs ON node_execution_io "
                           "(input_exec_id, name, time)"),
            QStringLiteral(
                "CREATE INDEX node_execution_io_outputs ON node_execution_io (output_exec_id)"),
            QStringLiteral("CREATE TABLE execution_kv ("
                           " user_id TEXT NOT NULL,"
                           " key TEXT NOT NULL,"
                           " node_exec_id TEXT,"
                           " data TEXT,"
                           " created_at INTEGER NOT NULL,"
                           " updated_at INTEGER NOT NULL,"
                           " PRIMARY KEY (user_id, key)) WITHOUT ROWID"),
            // Reviews reference executions by id without a foreign key: an
            // auto-approval record's node_exec_id is a synthetic key.
            QStringLiteral("CREATE TABLE pending_reviews ("
                           " node_exec_id TEXT PRIMARY KEY NOT NULL,"
                           " user_id TEXT NOT NULL,"
                           " node_id TEXT,"
                           " graph_exec_id TEXT NOT NULL,"
                           " graph_id TEXT NOT NULL,"
                           " graph_version INTEGER NOT NULL,"
                           " payload TEXT,"
                           " instructions TEXT,"
                           " editable INTEGER NOT NULL DEFAULT 1,"
                           " status TEXT NOT NULL DEFAULT 'WAITING' CHECK (status IN "
                           "('WAITING','APPROVED','REJECTED')),"
                           " review_message TEXT,"
                           " was_edited INTEGER,"
                           " processed INTEGER NOT NULL DEFAULT 0,"
                           " created_at INTEGER NOT NULL,"
                           " updated_at INTEGER,"
                           " reviewed_at INTEGER)"),
            QStringLiteral("CREATE INDEX pending_reviews_by_execution ON pending_reviews "
                           "(graph_exec_id, status, created_at)"),
            QStringLiteral("CREATE INDEX pending_reviews_by_user ON pending_reviews (user_id, "
                           "status, created_at)"),
        }});

    // 2: who decided a review and what it held before an edit; review
    // deadlines, and whether a review that runs out is approved; each
    // execution's safe modes.
    migrations.append(Migration {
        2,
        {
            QStringLiteral("ALTER TABLE graph_executions ADD COLUMN settings TEXT"),
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN reviewed_by TEXT"),
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN original_payload TEXT"),
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN deadline INTEGER"),
            QStringLiteral(
                "ALTER TABLE pending_reviews ADD COLUMN allow_skip INTEGER NOT NULL DEFAULT 0"),
            QStringLiteral("CREATE INDEX pending_reviews_by_deadline ON pending_reviews"
                           " (deadline) WHERE status = 'WAITING' AND deadline IS NOT NULL"),
            QStringLiteral("CREATE INDEX pending_reviews_decided ON pending_reviews"
                           " (user_id, reviewed_at) WHERE status <> 'WAITING'"),
        }});

    // 3: connected accounts (metadata only: secrets live in the keychain)
    // and the OAuth providers users can connect to.
    migrations.append(Migration {
        3,
        {
            QStringLiteral("CREATE TABLE credentials ("
                           " id TEXT PRIMARY KEY,"
                           " user_id TEXT NOT NULL,"
                           " provider TEXT NOT NULL,"
                           " type TEXT NOT NULL CHECK (type IN"
                           " ('api_key', 'oauth2', 'user_password', 'host_scoped')),"
                           " title TEXT NOT NULL DEFAULT '',"
                           " scopes TEXT NOT NULL DEFAULT '[]',"
                           " host TEXT,"
                           " username TEXT,"
                           " expires_at INTEGER,"
                           " created_at INTEGER NOT NULL)"),
            QStringLiteral("CREATE INDEX credentials_by_user ON credentials (user_id, provider)"),
            QStringLiteral("CREATE TABLE oauth_providers ("
                           " name TEXT PRIMARY KEY,"
                           " title TEXT NOT NULL DEFAULT '',"
                           " authorization_url TEXT NOT NULL,"
                           " token_url TEXT NOT NULL,"
                           " client_id TEXT NOT NULL,"
                           " scopes TEXT NOT NULL DEFAULT '[]',"
                           " extra_parameters TEXT NOT NULL DEFAULT '{}',"
                           " created_at INTEGER NOT NULL)"),
        }});

    // 4: an input/output record is of one node execution, as its input or
    // its output; each index now holds only the records of its side, so a
    // record costs one index entry instead of two (the other was NULL).
    migrations.append(Migration {
        4,
        {
            QStringLiteral("DROP INDEX node_execution_io_inputs"),
            QStringLiteral("CREATE INDEX node_execution_io_inputs ON node_execution_io "
                           "(input_exec_id, name, time) WHERE input_exec_id IS NOT NULL"),
            QStringLiteral("DROP INDEX node_execution_io_outputs"),
            QStringLiteral("CREATE INDEX node_execution_io_outputs ON node_execution_io "
                           "(output_exec_id) WHERE output_exec_id IS NOT NULL"),
        }});

    // 5: the change log that the change feed reads, one row per thing: a
    // later change replaces the row and takes a new, higher seq. Triggers
    // note each execution and each review that any connection of any
    // process changes; node executions, written in bulk, are noted once per
    // execution and transaction by their writer (noteNodeExecutionChanges).
    const QString now = QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
    const auto note = [&now](const QString &name, const QString &when, const QString &kind,
                             const QString &id, const QString &run) {
        return QStringLiteral("CREATE TRIGGER %1 AFTER %2 BEGIN INSERT OR REPLACE INTO "
                              "changes (kind, id, graph_exec_id, at) VALUES ('%3', %4, %5, %6); "
                              "END")
            .arg(name, when, kind, id, run, now);
    };
    migrations.append(Migration {
        5,
        {
            QStringLiteral("CREATE TABLE changes ("
                           " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " kind TEXT NOT NULL,"
                           " id TEXT NOT NULL,"
                           " graph_exec_id TEXT,"
                           " at INTEGER NOT NULL,"
                           " UNIQUE (kind, id))"),
            // Pruning reads the old rows only, not the whole log.
            QStringLiteral("CREATE INDEX changes_by_time ON changes (at)"),
            note(QStringLiteral("changes_run_added"), QStringLiteral("INSERT ON graph_executions"),
                 QStringLiteral("run"), QStringLiteral("NEW.id"), QStringLiteral("NEW.id")),
            note(QStringLiteral("changes_run_changed"),
                 QStringLiteral("UPDATE ON graph_executions"), QStringLiteral("run"),
                 QStringLiteral("NEW.id"), QStringLiteral("NEW.id")),
            note(QStringLiteral("changes_run_deleted"), QStringLiteral("DELETE ON graph_executions"),
                 QStringLiteral("run"), QStringLiteral("OLD.id"), QStringLiteral("OLD.id")),
            note(QStringLiteral("changes_review_added"), QStringLiteral("INSERT ON pending_reviews"),
                 QStringLiteral("review"), QStringLiteral("NEW.node_exec_id"),
                 QStringLiteral("NEW.graph_exec_id")),
            note(QStringLiteral("changes_review_changed"),
                 QStringLiteral("UPDATE ON pending_reviews"), QStringLiteral("review"),
                 QStringLiteral("NEW.node_exec_id"), QStringLiteral("NEW.graph_exec_id")),
            note(QStringLiteral("changes_review_deleted"),
                 QStringLiteral("DELETE ON pending_reviews"), QStringLiteral("review"),
                 QStringLiteral("OLD.node_exec_id"), QStringLiteral("OLD.graph_exec_id")),
        }});

    // 6: which process runs an execution, so that another process does
    // not take up a run that is still going.
    migrations.append(Migration {
        6,
        {
            QStringLiteral("ALTER TABLE graph_executions ADD COLUMN runner TEXT"),
        }});

    // 7: the audit log, a hash chain of what happened to reviews and runs,
    // and its head (the last entry's number and hash).
    migrations.append(Migration {
        7,
        {
            QStringLiteral("CREATE TABLE audit_log ("
                           " seq INTEGER PRIMARY KEY,"
                           " at INTEGER NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " actor TEXT NOT NULL,"
                           " graph_exec_id TEXT NOT NULL,"
                           " node_exec_id TEXT NOT NULL,"
                           " detail TEXT NOT NULL,"
                           " prev_hash TEXT NOT NULL,"
                           " hash TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX audit_log_by_time ON audit_log (at)"),
            QStringLiteral("CREATE TABLE audit_head ("
                           " id INTEGER PRIMARY KEY CHECK (id = 1),"
                           " seq INTEGER NOT NULL,"
                           " hash TEXT NOT NULL)"),
        }});

    // 8: the digest of the payload an approval was given for.
    migrations.append(Migration {
        8,
        {
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN approved_sha256 TEXT"),
        }});

    // 9: grants, which let a node run without asking: in one run (what the
    // reference keeps as an auto-approval record among the reviews, moved
    // here under the same key), or in every run of its graph until they
    // expire or are revoked, optionally only for one payload.
    migrations.append(Migration {
        9,
        {
            QStringLiteral("CREATE TABLE review_grants ("
                           " id TEXT PRIMARY KEY,"
                           " user_id TEXT NOT NULL,"
                           " graph_id TEXT NOT NULL,"
                           " graph_version INTEGER NOT NULL,"
                           " node_id TEXT NOT NULL,"
                           " graph_exec_id TEXT,"
                           " payload TEXT,"
                           " payload_sha256 TEXT,"
                           " expires_at INTEGER,"
                           " granted_by TEXT NOT NULL,"
                           " granted_at INTEGER NOT NULL,"
                           " node_exec_id TEXT,"
                           " revoked_at INTEGER,"
                           " revoked_by TEXT)"),
            QStringLiteral("CREATE INDEX review_grants_by_node ON review_grants (node_id, graph_id)"),
            QStringLiteral(
                "INSERT INTO review_grants (id, user_id, graph_id, graph_version, node_id,"
                " graph_exec_id, payload, granted_by, granted_at)"
                " SELECT node_exec_id, user_id, graph_id, graph_version, node_id, graph_exec_id,"
                " payload, COALESCE(reviewed_by, user_id), created_at FROM pending_reviews"
                " WHERE node_exec_id LIKE 'auto\\_approve\\_%' ESCAPE '\\' AND status = 'APPROVED'"),
            QStringLiteral("DELETE FROM pending_reviews"
                           " WHERE node_exec_id LIKE 'auto\\_approve\\_%' ESCAPE '\\'"),
            note(QStringLiteral("changes_grant_added"), QStringLiteral("INSERT ON review_grants"),
                 QStringLiteral("grant"), QStringLiteral("NEW.id"), QStringLiteral("NEW.graph_exec_id")),
            note(QStringLiteral("changes_grant_changed"), QStringLiteral("UPDATE ON review_grants"),
                 QStringLiteral("grant"), QStringLiteral("NEW.id"), QStringLiteral("NEW.graph_exec_id")),
        }});

    // 10: quorum and separation of duties. A review may need approvals from
    // several distinct reviewers, each kept with the digest of the payload
    // it approved, and may forbid the person who started the run from
    // approving it.
    migrations.append(Migration {
        10,
        {
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN required_approvals INTEGER"
                           " NOT NULL DEFAULT 1"),
            QStringLiteral("ALTER TABLE pending_reviews ADD COLUMN forbid_starter INTEGER"
                           " NOT NULL DEFAULT 0"),
            QStringLiteral("ALTER TABLE graph_executions ADD COLUMN started_by TEXT"),
            QStringLiteral("CREATE TABLE review_approvals ("
                           " node_exec_id TEXT NOT NULL,"
                           " reviewer TEXT NOT NULL,"
                           " payload_sha256 TEXT NOT NULL,"
                           " approved_at INTEGER NOT NULL,"
                           " PRIMARY KEY (node_exec_id, reviewer))"),
        }});

    // 11: runs queued for workers, each with the worker that holds it and
    // until when (its lease); a lease that runs out lets another worker
    // take the run over.
    migrations.append(Migration {11, {runQueueTable(QStringLiteral("INTEGER"))}});
    return migrations;
}

// PostgreSQL stores begin at schema 10, the first version Signalbox keeps
// there: one migration makes the schema that SQLite's migrations 1 to 10
// make, in PostgreSQL's words; later ones follow SQLite's one by one. Times are BIGINT
// milliseconds; flags stay INTEGER 0/1, as the repositories read and write them on both engines.
// Later versions are added to both lists.
QList<Migration> buildPostgresMigrations()
{
    const QString statusCheck = QString::fromLatin1(kStatusCheck);
    const QString lockKey = QString::number(SqlDialect::writeLockKey());
    // A changed execution, review or grant is noted in the change log by
    // every connection's trigger. The note takes the store's write lock, so
    // that seqs are committed in their order and a cursor never passes one
    // that commits later; the notification wakes listening change feeds.
    const auto noteFunction = [&lockKey](const QString &table, const QString &kind,
                                         const QString &id, const QString &run) {
        return QStringLiteral(
                   "CREATE FUNCTION signalbox_note_%1() RETURNS trigger LANGUAGE plpgsql AS $$"
                   " DECLARE thing %1;"
                   " BEGIN"
                   "  IF TG_OP = 'DELETE' THEN thing := OLD; ELSE thing := NEW; END IF;"
                   "  PERFORM pg_advisory_xact_lock(%5);"
                   "  INSERT INTO changes (kind, id, graph_exec_id, at)"
                   "  VALUES ('%2', thing.%3, thing.%4,"
                   "   CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT))"
                   "  ON CONFLICT (kind, id) DO UPDATE SET seq = nextval('changes_seq_seq'),"
                   "   graph_exec_id = excluded.graph_exec_id, at = excluded.at;"
                   "  PERFORM pg_notify('%6', '');"
                   "  RETURN NULL;"
                   " END $$")
            .arg(table, kind, id, run, lockKey, SqlDialect::changeChannel());
    };
    const auto noteTrigger = [](const QString &table, const QString &events) {
        return QStringLiteral("CREATE TRIGGER changes_%1 AFTER %2 ON %1 FOR EACH ROW"
                              " EXECUTE FUNCTION signalbox_note_%1()")
            .arg(table, events);
    };
    return {
        Migration {
            10,
            {
                QStringLiteral("CREATE TABLE signalbox_schema (version INTEGER NOT NULL)"),
                QStringLiteral("INSERT INTO signalbox_schema (version) VALUES (0)"),
                QStringLiteral("CREATE TABLE graphs ("
                               " id TEXT NOT NULL,"
                               " version INTEGER NOT NULL CHECK (version >= 1),"
                               " user_id TEXT NOT NULL,"
                               " name TEXT NOT NULL DEFAULT '',"
                               " description TEXT NOT NULL DEFAULT '',"
                               " is_active INTEGER NOT NULL DEFAULT 1,"
                               " extra TEXT NOT NULL DEFAULT '{}',"
                               " sub_graphs TEXT NOT NULL DEFAULT '[]',"
                               " created_at BIGINT NOT NULL,"
                               " PRIMARY KEY (id, version))"),
                QStringLiteral(
                    "CREATE TABLE nodes ("
                    " graph_id TEXT NOT NULL,"
                    " graph_version INTEGER NOT NULL,"
                    " id TEXT NOT NULL,"
                    " position INTEGER NOT NULL,"
                    " block_id TEXT NOT NULL,"
                    " input_default TEXT NOT NULL DEFAULT '{}',"
                    " metadata TEXT NOT NULL DEFAULT '{}',"
                    " extra TEXT NOT NULL DEFAULT '{}',"
                    " PRIMARY KEY (graph_id, graph_version, id),"
                    " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version)"
                    " ON DELETE CASCADE)"),
                QStringLiteral(
                    "CREATE TABLE links ("
                    " graph_id TEXT NOT NULL,"
                    " graph_version INTEGER NOT NULL,"
                    " id TEXT NOT NULL,"
                    " position INTEGER NOT NULL,"
                    " source_id TEXT NOT NULL,"
                    " source_name TEXT NOT NULL,"
                    " sink_id TEXT NOT NULL,"
                    " sink_name TEXT NOT NULL,"
                    " is_static INTEGER NOT NULL DEFAULT 0,"
                    " extra TEXT NOT NULL DEFAULT '{}',"
                    " PRIMARY KEY (graph_id, graph_version, id),"
                    " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version)"
                    " ON DELETE CASCADE)"),
                QStringLiteral(
                    "CREATE TABLE graph_executions ("
                    " id TEXT PRIMARY KEY NOT NULL,"
                    " user_id TEXT NOT NULL,"
                    " graph_id TEXT NOT NULL,"
                    " graph_version INTEGER NOT NULL,"
                    " status TEXT NOT NULL %1,"
                    " inputs TEXT NOT NULL DEFAULT '{}',"
                    " credential_inputs TEXT NOT NULL DEFAULT '{}',"
                    " nodes_input_masks TEXT NOT NULL DEFAULT '{}',"
                    " preset_id TEXT,"
                    " parent_graph_exec_id TEXT REFERENCES graph_executions (id) ON DELETE CASCADE,"
                    " created_at BIGINT NOT NULL,"
                    " updated_at BIGINT NOT NULL,"
                    " started_at BIGINT,"
                    " ended_at BIGINT,"
                    " stats TEXT,"
                    " is_deleted INTEGER NOT NULL DEFAULT 0,"
                    " is_shared INTEGER NOT NULL DEFAULT 0,"
                    " share_token TEXT UNIQUE,"
                    " shared_at BIGINT,"
                    " settings TEXT,"
                    " runner TEXT,"
                    " started_by TEXT,"
                    " FOREIGN KEY (graph_id, graph_version) REFERENCES graphs (id, version))")
                    .arg(statusCheck),
                QStringLiteral("CREATE INDEX graph_executions_by_user ON graph_executions "
                               "(user_id, created_at)"),
                QStringLiteral(
                    "CREATE INDEX graph_executions_by_graph ON graph_executions (graph_id, "
                    "created_at)"),
                QStringLiteral(
                    "CREATE INDEX graph_executions_by_created ON graph_executions (created_at)"),
                QStringLiteral("CREATE INDEX graph_executions_by_status ON graph_executions "
                               "(status, created_at)"),
                QStringLiteral("CREATE INDEX graph_executions_by_parent ON graph_executions "
                               "(parent_graph_exec_id)"),
                QStringLiteral("CREATE TABLE node_executions ("
                               " id TEXT PRIMARY KEY NOT NULL,"
                               " graph_exec_id TEXT NOT NULL REFERENCES graph_executions (id) ON "
                               "DELETE CASCADE,"
                               " node_id TEXT NOT NULL,"
                               " block_id TEXT NOT NULL,"
                               " status TEXT NOT NULL %1,"
                               " execution_data TEXT,"
                               " stats TEXT,"
                               " added_at BIGINT NOT NULL,"
                               " queued_at BIGINT,"
                               " started_at BIGINT,"
                               " ended_at BIGINT)")
                    .arg(statusCheck),
                QStringLiteral("CREATE INDEX node_executions_by_node ON node_executions "
                               "(graph_exec_id, node_id, status, added_at)"),
                QStringLiteral(
                    "CREATE INDEX node_executions_by_added ON node_executions (added_at)"),
                QStringLiteral(
                    "CREATE TABLE node_execution_io ("
                    " id TEXT PRIMARY KEY NOT NULL,"
                    " name TEXT NOT NULL,"
                    " data TEXT,"
                    " time BIGINT NOT NULL,"
                    " input_exec_id TEXT REFERENCES node_executions (id) ON DELETE CASCADE,"
                    " output_exec_id TEXT REFERENCES node_executions (id) ON DELETE CASCADE,"
                    " CHECK ((input_exec_id IS NULL) <> (output_exec_id IS NULL)))"),
                QStringLiteral("CREATE INDEX node_execution_io_inputs ON node_execution_io "
                               "(input_exec_id, name, time) WHERE input_exec_id IS NOT NULL"),
                QStringLiteral("CREATE INDEX node_execution_io_outputs ON node_execution_io "
                               "(output_exec_id) WHERE output_exec_id IS NOT NULL"),
                QStringLiteral("CREATE TABLE execution_kv ("
                               " user_id TEXT NOT NULL,"
                               " key TEXT NOT NULL,"
                               " node_exec_id TEXT,"
                               " data TEXT,"
                               " created_at BIGINT NOT NULL,"
                               " updated_at BIGINT NOT NULL,"
                               " PRIMARY KEY (user_id, key))"),
                QStringLiteral("CREATE TABLE pending_reviews ("
                               " node_exec_id TEXT PRIMARY KEY NOT NULL,"
                               " user_id TEXT NOT NULL,"
                               " node_id TEXT,"
                               " graph_exec_id TEXT NOT NULL,"
                               " graph_id TEXT NOT NULL,"
                               " graph_version INTEGER NOT NULL,"
                               " payload TEXT,"
                               " instructions TEXT,"
                               " editable INTEGER NOT NULL DEFAULT 1,"
                               " status TEXT NOT NULL DEFAULT 'WAITING' CHECK (status IN "
                               "('WAITING','APPROVED','REJECTED')),"
                               " review_message TEXT,"
                               " was_edited INTEGER,"
                               " processed INTEGER NOT NULL DEFAULT 0,"
                               " created_at BIGINT NOT NULL,"
                               " updated_at BIGINT,"
                               " reviewed_at BIGINT,"
                               " reviewed_by TEXT,"
                               " original_payload TEXT,"
                               " deadline BIGINT,"
                               " allow_skip INTEGER NOT NULL DEFAULT 0,"
                               " approved_sha256 TEXT,"
                               " required_approvals INTEGER NOT NULL DEFAULT 1,"
                               " forbid_starter INTEGER NOT NULL DEFAULT 0)"),
                QStringLiteral("CREATE INDEX pending_reviews_by_execution ON pending_reviews "
                               "(graph_exec_id, status, created_at)"),
                QStringLiteral("CREATE INDEX pending_reviews_by_user ON pending_reviews (user_id, "
                               "status, created_at)"),
                QStringLiteral("CREATE INDEX pending_reviews_by_deadline ON pending_reviews"
                               " (deadline) WHERE status = 'WAITING' AND deadline IS NOT NULL"),
                QStringLiteral("CREATE INDEX pending_reviews_decided ON pending_reviews"
                               " (user_id, reviewed_at) WHERE status <> 'WAITING'"),
                QStringLiteral("CREATE TABLE credentials ("
                               " id TEXT PRIMARY KEY,"
                               " user_id TEXT NOT NULL,"
                               " provider TEXT NOT NULL,"
                               " type TEXT NOT NULL CHECK (type IN"
                               " ('api_key', 'oauth2', 'user_password', 'host_scoped')),"
                               " title TEXT NOT NULL DEFAULT '',"
                               " scopes TEXT NOT NULL DEFAULT '[]',"
                               " host TEXT,"
                               " username TEXT,"
                               " expires_at BIGINT,"
                               " created_at BIGINT NOT NULL)"),
                QStringLiteral(
                    "CREATE INDEX credentials_by_user ON credentials (user_id, provider)"),
                QStringLiteral("CREATE TABLE oauth_providers ("
                               " name TEXT PRIMARY KEY,"
                               " title TEXT NOT NULL DEFAULT '',"
                               " authorization_url TEXT NOT NULL,"
                               " token_url TEXT NOT NULL,"
                               " client_id TEXT NOT NULL,"
                               " scopes TEXT NOT NULL DEFAULT '[]',"
                               " extra_parameters TEXT NOT NULL DEFAULT '{}',"
                               " created_at BIGINT NOT NULL)"),
                QStringLiteral("CREATE TABLE changes ("
                               " seq BIGSERIAL PRIMARY KEY,"
                               " kind TEXT NOT NULL,"
                               " id TEXT NOT NULL,"
                               " graph_exec_id TEXT,"
                               " at BIGINT NOT NULL,"
                               " UNIQUE (kind, id))"),
                QStringLiteral("CREATE INDEX changes_by_time ON changes (at)"),
                noteFunction(QStringLiteral("graph_executions"), QStringLiteral("run"),
                             QStringLiteral("id"), QStringLiteral("id")),
                noteTrigger(QStringLiteral("graph_executions"),
                            QStringLiteral("INSERT OR UPDATE OR DELETE")),
                noteFunction(QStringLiteral("pending_reviews"), QStringLiteral("review"),
                             QStringLiteral("node_exec_id"), QStringLiteral("graph_exec_id")),
                noteTrigger(QStringLiteral("pending_reviews"),
                            QStringLiteral("INSERT OR UPDATE OR DELETE")),
                QStringLiteral("CREATE TABLE audit_log ("
                               " seq BIGINT PRIMARY KEY,"
                               " at BIGINT NOT NULL,"
                               " kind TEXT NOT NULL,"
                               " actor TEXT NOT NULL,"
                               " graph_exec_id TEXT NOT NULL,"
                               " node_exec_id TEXT NOT NULL,"
                               " detail TEXT NOT NULL,"
                               " prev_hash TEXT NOT NULL,"
                               " hash TEXT NOT NULL)"),
                QStringLiteral("CREATE INDEX audit_log_by_time ON audit_log (at)"),
                QStringLiteral("CREATE TABLE audit_head ("
                               " id INTEGER PRIMARY KEY CHECK (id = 1),"
                               " seq BIGINT NOT NULL,"
                               " hash TEXT NOT NULL)"),
                QStringLiteral("CREATE TABLE review_grants ("
                               " id TEXT PRIMARY KEY,"
                               " user_id TEXT NOT NULL,"
                               " graph_id TEXT NOT NULL,"
                               " graph_version INTEGER NOT NULL,"
                               " node_id TEXT NOT NULL,"
                               " graph_exec_id TEXT,"
                               " payload TEXT,"
                               " payload_sha256 TEXT,"
                               " expires_at BIGINT,"
                               " granted_by TEXT NOT NULL,"
                               " granted_at BIGINT NOT NULL,"
                               " node_exec_id TEXT,"
                               " revoked_at BIGINT,"
                               " revoked_by TEXT)"),
                QStringLiteral(
                    "CREATE INDEX review_grants_by_node ON review_grants (node_id, graph_id)"),
                noteFunction(QStringLiteral("review_grants"), QStringLiteral("grant"),
                             QStringLiteral("id"), QStringLiteral("graph_exec_id")),
                noteTrigger(QStringLiteral("review_grants"), QStringLiteral("INSERT OR UPDATE")),
                QStringLiteral("CREATE TABLE review_approvals ("
                               " node_exec_id TEXT NOT NULL,"
                               " reviewer TEXT NOT NULL,"
                               " payload_sha256 TEXT NOT NULL,"
                               " approved_at BIGINT NOT NULL,"
                               " PRIMARY KEY (node_exec_id, reviewer))"),
            }},
        Migration {11, {runQueueTable(QStringLiteral("BIGINT"))}}};
}

} // namespace

const QList<Migration> &schemaMigrations(SqlEngine engine)
{
    static const QList<Migration> sqlite = buildMigrations();
    static const QList<Migration> postgres = buildPostgresMigrations();
    Q_ASSERT(sqlite.constLast().version == postgres.constLast().version);
    return engine == SqlEngine::PostgreSQL ? postgres : sqlite;
}

int latestSchemaVersion()
{
    return schemaMigrations(SqlEngine::SQLite).constLast().version;
}

Result<void> migrateSchema(Database &db, int targetVersion)
{
    if (targetVersion < 0)
        targetVersion = latestSchemaVersion();
    // Cheap check without the write lock: nothing to do most of the time.
    const int seen = db.schemaVersion();
    if (seen < 0)
        return db.storageError(QStringLiteral("cannot read the schema version"),
                               QStringLiteral("opening"));
    if (seen > latestSchemaVersion()) {
        return db.storageError(QStringLiteral("the database has schema version %1, made by a newer "
                                              "Signalbox (this one knows up to %2)")
                                   .arg(seen)
                                   .arg(latestSchemaVersion()),
                               QStringLiteral("opening"));
    }
    if (seen >= targetVersion)
        return {};

    for (const Migration &migration : schemaMigrations(db.engine())) {
        if (migration.version > targetVersion)
            break;
        WriteTransaction transaction(db);
        if (auto ok = transaction.begin(); !ok)
            return ok;
        // Another process may have migrated while this one waited for the lock.
        if (db.schemaVersion() >= migration.version)
            continue;
        for (const QString &statement : migration.statements) {
            if (auto ok = db.execute(statement); !ok)
                return ok;
        }
        const QString recordVersion = db.engine() == SqlEngine::PostgreSQL
            ? QStringLiteral("UPDATE signalbox_schema SET version = %1")
            : QStringLiteral("PRAGMA user_version = %1");
        if (auto ok = db.execute(recordVersion.arg(migration.version)); !ok)
            return ok;
        if (auto ok = transaction.commit(); !ok)
            return ok;
    }
    return {};
}

} // namespace Signalbox::Engine
