/* state.c: the SQLite state database (schema, and one function per question). */
#include "store/state.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

#define STATEMENTS 40 /* more than the distinct queries below */

struct state {
    sqlite3 *db;
    /* Each query is compiled once and kept: compiling costs more than running these. */
    struct {
        const char *sql; /* the query's string literal: its address is its name */
        sqlite3_stmt *stmt;
    } statements[STATEMENTS];
    bool in_batch;       /* a transaction opened by state_batch_begin() is open */
    double busy_seconds; /* time spent running statements, commits and their fsyncs included */
    char error[512];
};

/* SQLite's profile trace: adds each statement's run time (commits included) to busy_seconds. */
static int add_statement_time(unsigned type, void *ud, void *stmt, void *nanoseconds)
{
    (void)stmt;
    struct state *st = ud;
    if (type == SQLITE_TRACE_PROFILE)
        st->busy_seconds += (double)*(sqlite3_int64 *)nanoseconds / 1e9;
    return 0;
}

double state_busy_seconds(const struct state *st)
{
    return st->busy_seconds;
}

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA cache_size=-8192;" /* 8 MiB: the story index is read at random */
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS feeds ("
    "  url TEXT PRIMARY KEY,"
    "  etag TEXT,"
    "  last_modified TEXT,"
    "  next_due INTEGER NOT NULL DEFAULT 0,"
    "  errors INTEGER NOT NULL DEFAULT 0,"
    "  last_status INTEGER,"
    "  last_error TEXT,"
    "  last_poll INTEGER,"
    "  last_success INTEGER,"
    "  moved_to TEXT,"
    "  gone INTEGER NOT NULL DEFAULT 0,"
    "  source TEXT,"
    "  source_found INTEGER);"
    "CREATE TABLE IF NOT EXISTS items ("
    "  key TEXT PRIMARY KEY,"
    "  record_id TEXT NOT NULL,"
    "  feed_url TEXT NOT NULL,"
    "  link_key TEXT,"
    "  state TEXT NOT NULL CHECK (state IN ('pending','emitted','failed')),"
    "  job TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  first_seen INTEGER NOT NULL,"
    "  finished INTEGER,"
    "  requeued INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS items_link ON items(link_key) WHERE link_key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS items_pending ON items(state, first_seen) WHERE state = 'pending';"
    /* A record in tmp/, fsynced, about to be renamed into new/ (see state.h). */
    "CREATE TABLE IF NOT EXISTS staged ("
    "  key TEXT PRIMARY KEY,"
    "  record_id TEXT NOT NULL,"
    "  staged_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);"
    /* Items whose page is in the archive, and their current record (see state.h). */
    "CREATE TABLE IF NOT EXISTS archived ("
    "  key TEXT PRIMARY KEY,"
    "  warc_file TEXT NOT NULL,"
    "  warc_offset INTEGER NOT NULL,"
    "  revision INTEGER NOT NULL,"
    "  record TEXT NOT NULL);"
    /* The validators of the sitemaps a feed's sitemap index (index_url) names. */
    "CREATE TABLE IF NOT EXISTS sitemap_children ("
    "  feed_url TEXT NOT NULL,"
    "  url TEXT NOT NULL,"
    "  index_url TEXT NOT NULL,"
    "  etag TEXT,"
    "  last_modified TEXT,"
    "  PRIMARY KEY (feed_url, url));"
    "";

/* Databases made by an older feedspool get what later versions added. */
static const char *const migrations[] = {
    [1] = "ALTER TABLE feeds ADD COLUMN moved_to TEXT;"
          "ALTER TABLE feeds ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;",
    [2] = "ALTER TABLE items ADD COLUMN requeued INTEGER NOT NULL DEFAULT 0;",
    [3] = "ALTER TABLE feeds ADD COLUMN source TEXT;"
          "ALTER TABLE feeds ADD COLUMN source_found INTEGER;",
};
#define SCHEMA_VERSION 4

static int fail(struct state *st, const char *what)
{
    snprintf(st->error, sizeof st->error, "%s: %s", what, sqlite3_errmsg(st->db));
    return -1;
}

static int user_version(struct state *st)
{
    sqlite3_stmt *stmt = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return version;
}

/* A new database was made at the current version; an older one is brought up to it. */
static int migrate(struct state *st, char *err, size_t errlen)
{
    int version = user_version(st);
    bool fresh = version == 0;
    for (int v = version; !fresh && v > 0 && v < SCHEMA_VERSION; v++) {
        char *msg = NULL;
        if (sqlite3_exec(st->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK) {
            set_err(err, errlen, "cannot upgrade state database from version %d: %s", v,
                    msg ? msg : "?");
            sqlite3_free(msg);
            return -1;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", SCHEMA_VERSION);
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : set_err(err, errlen, "cannot set schema version");
}

int state_open(const char *path, struct state **out, char *err, size_t errlen)
{
    *out = NULL;
    struct state *st = xcalloc(1, sizeof *st);
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        set_err(err, errlen, "%s: cannot open state database: %s", path,
                st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        sqlite3_close(st->db);
        free(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 5000);
    sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, add_statement_time, st);
    char *msg = NULL;
    if (sqlite3_exec(st->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        set_err(err, errlen, "%s: cannot set up state database: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(st->db);
        free(st);
        return -1;
    }
    int ready = migrate(st, err, errlen);
    /* (this index needs the column a migration adds) */
    if (ready == 0 &&
        sqlite3_exec(st->db,
                     "CREATE INDEX IF NOT EXISTS items_requeued ON items(key) WHERE requeued = 1",
                     NULL, NULL, NULL) != SQLITE_OK)
        ready = set_err(err, errlen, "%s: cannot set up state database: %s", path,
                        sqlite3_errmsg(st->db));
    if (ready < 0) {
        sqlite3_close(st->db);
        free(st);
        return -1;
    }
    *out = st;
    return 0;
}

void state_close(struct state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < STATEMENTS; i++)
        sqlite3_finalize(st->statements[i].stmt);
    sqlite3_close(st->db);
    free(st);
}

const char *state_error(const struct state *st)
{
    return st->error;
}

/* The statement of a query (sql: a string literal), compiled on first use; on failure
 * records the message and returns NULL. Hand it back with done(). */
static sqlite3_stmt *prepare(struct state *st, const char *sql)
{
    size_t i = 0;
    while (i < STATEMENTS && st->statements[i].sql && st->statements[i].sql != sql)
        i++;
    if (i < STATEMENTS && st->statements[i].sql)
        return st->statements[i].stmt;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, i < STATEMENTS ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
                           NULL) != SQLITE_OK) {
        fail(st, "prepare");
        sqlite3_finalize(stmt);
        return NULL;
    }
    if (i == STATEMENTS) { /* cannot happen while STATEMENTS counts the queries */
        fail(st, "too many distinct queries to keep");
        sqlite3_finalize(stmt);
        return NULL;
    }
    st->statements[i].sql = sql;
    st->statements[i].stmt = stmt;
    return stmt;
}

/* A statement from prepare() is ready for its next use. */
static void done(sqlite3_stmt *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

static void bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text)
        sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(stmt, index);
}

/* Steps a statement that returns no rows, then finalizes it. */
static int run(struct state *st, sqlite3_stmt *stmt, const char *what)
{
    if (!stmt)
        return -1;
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        fail(st, what);
    done(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static char *column_text(sqlite3_stmt *stmt, int col)
{
    return xstrdup((const char *)sqlite3_column_text(stmt, col));
}

static int exec_sql(struct state *st, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(st->error, sizeof st->error, "%s: %s", what, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int state_begin(struct state *st)
{
    return exec_sql(st, "SAVEPOINT unit", "begin");
}

int state_commit(struct state *st)
{
    return exec_sql(st, "RELEASE unit", "commit");
}

void state_rollback(struct state *st)
{
    exec_sql(st, "ROLLBACK TO unit; RELEASE unit", "rollback");
}

int state_batch_begin(struct state *st)
{
    if (st->in_batch)
        return 0;
    if (exec_sql(st, "BEGIN IMMEDIATE", "begin batch") < 0)
        return -1;
    st->in_batch = true;
    return 0;
}

int state_batch_commit(struct state *st)
{
    if (!st->in_batch)
        return 0;
    st->in_batch = false;
    if (exec_sql(st, "COMMIT", "commit batch") == 0)
        return 0;
    char why[sizeof st->error];
    memcpy(why, st->error, sizeof why);
    if (!sqlite3_get_autocommit(st->db))
        exec_sql(st, "ROLLBACK", "roll back batch");
    memcpy(st->error, why, sizeof why); /* the commit's failure is the one to report */
    return -1;
}

bool state_in_batch(const struct state *st)
{
    return st->in_batch;
}

int state_feed_get(struct state *st, const char *url, struct feed_state *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = prepare(
        st,
        "SELECT etag, last_modified, next_due, errors, moved_to, gone FROM feeds WHERE url = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    int rc = sqlite3_step(stmt);
    int found = 0;
    if (rc == SQLITE_ROW) {
        out->etag = column_text(stmt, 0);
        out->last_modified = column_text(stmt, 1);
        out->next_due = sqlite3_column_int64(stmt, 2);
        out->errors = (long)sqlite3_column_int64(stmt, 3);
        out->moved_to = column_text(stmt, 4);
        out->gone = sqlite3_column_int(stmt, 5) != 0;
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = fail(st, "read feed");
    }
    done(stmt);
    return found;
}

void feed_state_free(struct feed_state *fs)
{
    free(fs->etag);
    free(fs->last_modified);
    free(fs->moved_to);
    memset(fs, 0, sizeof *fs);
}

int state_feed_set_validators(struct state *st, const char *url, const char *etag,
                              const char *last_modified)
{
    sqlite3_stmt *stmt =
        prepare(st, "INSERT INTO feeds (url, etag, last_modified) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT(url) DO UPDATE SET etag = ?2, last_modified = ?3");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    bind_text(stmt, 2, etag);
    bind_text(stmt, 3, last_modified);
    return run(st, stmt, "store validators");
}

int state_feed_set_moved(struct state *st, const char *url, const char *new_url)
{
    sqlite3_stmt *stmt = prepare(
        st,
        "INSERT INTO feeds (url, moved_to) VALUES (?1, ?2) ON CONFLICT(url) DO UPDATE SET moved_to = ?2");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    bind_text(stmt, 2, new_url);
    return run(st, stmt, "store feed move");
}

int state_feed_set_source(struct state *st, const char *url, const char *source)
{
    sqlite3_stmt *stmt =
        prepare(st, "INSERT INTO feeds (url, source, source_found) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT(url) DO UPDATE SET source = ?2, source_found = ?3 "
                    "WHERE source IS NOT ?2");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    bind_text(stmt, 2, source);
    if (source)
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL));
    else
        sqlite3_bind_null(stmt, 3);
    return run(st, stmt, "store feed source");
}

int state_sitemap_get(struct state *st, const char *feed_url, const char *url,
                      struct feed_state *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = prepare(
        st, "SELECT etag, last_modified FROM sitemap_children WHERE feed_url = ? AND url = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, feed_url);
    bind_text(stmt, 2, url);
    int rc = sqlite3_step(stmt);
    int found = 0;
    if (rc == SQLITE_ROW) {
        out->etag = column_text(stmt, 0);
        out->last_modified = column_text(stmt, 1);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = fail(st, "read sitemap validators");
    }
    done(stmt);
    return found;
}

int state_sitemap_set_validators(struct state *st, const char *feed_url, const char *index_url,
                                 const char *url, const char *etag, const char *last_modified)
{
    sqlite3_stmt *stmt =
        prepare(st, "INSERT INTO sitemap_children (feed_url, url, index_url, etag, last_modified) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(feed_url, url) "
                    "DO UPDATE SET index_url = ?3, etag = ?4, last_modified = ?5");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, feed_url);
    bind_text(stmt, 2, url);
    bind_text(stmt, 3, index_url);
    bind_text(stmt, 4, etag);
    bind_text(stmt, 5, last_modified);
    return run(st, stmt, "store sitemap validators");
}

int state_sitemaps_prune(struct state *st, const char *feed_url, const char *index_url,
                         const char *const *urls, size_t n)
{
    sqlite3_stmt *stmt =
        prepare(st, "SELECT url FROM sitemap_children WHERE feed_url = ? AND index_url = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, feed_url);
    bind_text(stmt, 2, index_url);
    char **gone = NULL;
    size_t n_gone = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *url = (const char *)sqlite3_column_text(stmt, 0);
        size_t i = 0;
        while (i < n && strcmp(urls[i], url) != 0)
            i++;
        if (i < n)
            continue;
        gone = xrealloc(gone, (n_gone + 1) * sizeof *gone);
        gone[n_gone++] = xstrdup(url);
    }
    int result = rc == SQLITE_DONE ? 0 : fail(st, "read sitemap validators");
    done(stmt);
    sqlite3_stmt *del = result == 0 ? prepare(st, "DELETE FROM sitemap_children "
                                                  "WHERE feed_url = ? AND url = ?")
                                    : NULL;
    for (size_t i = 0; i < n_gone; i++) {
        if (del) {
            bind_text(del, 1, feed_url);
            bind_text(del, 2, gone[i]);
            if (run(st, del, "forget sitemap validators") < 0) {
                result = -1;
                del = NULL;
            }
        }
        free(gone[i]);
    }
    free(gone);
    return result;
}

int state_feed_set_gone(struct state *st, const char *url, bool gone)
{
    sqlite3_stmt *stmt = prepare(
        st,
        "INSERT INTO feeds (url, gone) VALUES (?1, ?2) ON CONFLICT(url) DO UPDATE SET gone = ?2");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    sqlite3_bind_int(stmt, 2, gone);
    return run(st, stmt, "store feed gone");
}

int state_feed_set_poll(struct state *st, const char *url, int64_t next_due, long errors,
                        long http_status, const char *error)
{
    sqlite3_stmt *stmt = prepare(
        st,
        "INSERT INTO feeds (url, next_due, errors, last_status, last_error, last_poll, last_success) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?5 IS NULL THEN ?6 END) "
        "ON CONFLICT(url) DO UPDATE SET next_due = ?2, errors = ?3, last_status = ?4, "
        "last_error = ?5, last_poll = ?6, "
        "last_success = CASE WHEN ?5 IS NULL THEN ?6 ELSE last_success END");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, url);
    sqlite3_bind_int64(stmt, 2, next_due);
    sqlite3_bind_int64(stmt, 3, errors);
    sqlite3_bind_int64(stmt, 4, http_status);
    bind_text(stmt, 5, error);
    sqlite3_bind_int64(stmt, 6, (sqlite3_int64)time(NULL));
    return run(st, stmt, "store poll outcome");
}

int state_item_known(struct state *st, const char *key, const char *link_key, bool *known,
                     char **feed_url)
{
    *known = false;
    if (feed_url)
        *feed_url = NULL;
    sqlite3_stmt *stmt = prepare(
        st, "SELECT feed_url FROM items WHERE key = ?1 "
            "UNION ALL SELECT feed_url FROM items WHERE ?2 IS NOT NULL AND link_key = ?2 LIMIT 1");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, link_key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *known = true;
        if (feed_url)
            *feed_url = column_text(stmt, 0);
    }
    done(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(st, "look up item");
    return 0;
}

int state_item_add(struct state *st, const char *key, const char *record_id, const char *feed_url,
                   const char *link_key, const char *item_json)
{
    sqlite3_stmt *stmt = prepare(
        st,
        "INSERT OR IGNORE INTO items (key, record_id, feed_url, link_key, state, job, first_seen) "
        "VALUES (?, ?, ?, ?, 'pending', ?, ?)");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, record_id);
    bind_text(stmt, 3, feed_url);
    bind_text(stmt, 4, link_key);
    bind_text(stmt, 5, item_json);
    sqlite3_bind_int64(stmt, 6, (sqlite3_int64)time(NULL));
    return run(st, stmt, "add item");
}

static int set_finished(struct state *st, const char *key, const char *new_state,
                        const char *reason)
{
    sqlite3_stmt *stmt =
        prepare(st, "UPDATE items SET state = ?2, last_error = ?3, finished = ?4 WHERE key = ?1");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, new_state);
    bind_text(stmt, 3, reason);
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)time(NULL));
    return run(st, stmt, "finish item");
}

static int unstage(struct state *st, const char *key)
{
    sqlite3_stmt *stmt = prepare(st, "DELETE FROM staged WHERE key = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    return run(st, stmt, "unstage item");
}

int state_item_stage(struct state *st, const char *key, const char *record_id)
{
    sqlite3_stmt *stmt =
        prepare(st, "INSERT OR REPLACE INTO staged (key, record_id, staged_at) VALUES (?, ?, ?)");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, record_id);
    sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL));
    return run(st, stmt, "stage item");
}

int state_item_unstage(struct state *st, const char *key)
{
    return unstage(st, key);
}

int state_item_set_emitted(struct state *st, const char *key)
{
    if (state_begin(st) < 0)
        return -1;
    if (set_finished(st, key, "emitted", NULL) < 0 || unstage(st, key) < 0) {
        state_rollback(st);
        return -1;
    }
    return state_commit(st);
}

int state_item_staged(struct state *st, const char *key, bool *staged)
{
    *staged = false;
    sqlite3_stmt *stmt = prepare(st, "SELECT 1 FROM staged WHERE key = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    done(stmt);
    if (rc == SQLITE_ROW)
        *staged = true;
    else if (rc != SQLITE_DONE)
        return fail(st, "look up staged item");
    return 0;
}

int state_items_staged(struct state *st, void (*fn)(const char *key, const char *record_id, void *),
                       void *ud)
{
    /* Read whole before fn runs: fn finishes the item, which deletes its row. */
    sqlite3_stmt *stmt = prepare(st, "SELECT key, record_id FROM staged ORDER BY staged_at, rowid");
    if (!stmt)
        return -1;
    size_t n = 0, cap = 0;
    char **rows = NULL;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n + 2 > cap) {
            cap = cap ? 2 * cap : 16;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        rows[n++] = column_text(stmt, 0);
        rows[n++] = column_text(stmt, 1);
    }
    done(stmt);
    for (size_t i = 0; i < n; i += 2) {
        if (rc == SQLITE_DONE)
            fn(rows[i], rows[i + 1], ud);
        free(rows[i]);
        free(rows[i + 1]);
    }
    free(rows);
    return rc == SQLITE_DONE ? 0 : fail(st, "list staged items");
}

int state_item_is_pending(struct state *st, const char *key, bool *pending)
{
    *pending = false;
    sqlite3_stmt *stmt = prepare(st, "SELECT state = 'pending' FROM items WHERE key = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *pending = sqlite3_column_int(stmt, 0) != 0;
    done(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, "read item state");
}

int state_item_set_failed(struct state *st, const char *key, const char *reason)
{
    return set_finished(st, key, "failed", reason);
}

int state_item_set_retry(struct state *st, const char *key, long attempts, int64_t next_attempt,
                         const char *reason)
{
    sqlite3_stmt *stmt = prepare(
        st, "UPDATE items SET attempts = ?2, next_attempt = ?3, last_error = ?4 WHERE key = ?1");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    sqlite3_bind_int64(stmt, 2, attempts);
    sqlite3_bind_int64(stmt, 3, next_attempt);
    bind_text(stmt, 4, reason);
    return run(st, stmt, "schedule item retry");
}

/* Rows of items (key, record_id, feed_url, job, attempts, next_attempt) matching stmt, each
 * handed to fn, then their requeued marks cleared: the caller now holds them. */
static int list_items(struct state *st, sqlite3_stmt *stmt,
                      void (*fn)(const struct pending_item *, void *), void *ud, const char *what)
{
    if (!stmt)
        return -1;
    int rc;
    size_t n_keys = 0, cap = 0;
    char **keys = NULL;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct pending_item item = {
            .key = (const char *)sqlite3_column_text(stmt, 0),
            .record_id = (const char *)sqlite3_column_text(stmt, 1),
            .feed_url = (const char *)sqlite3_column_text(stmt, 2),
            .item_json = (const char *)sqlite3_column_text(stmt, 3),
            .attempts = (long)sqlite3_column_int64(stmt, 4),
            .next_attempt = sqlite3_column_int64(stmt, 5),
            .seq = sqlite3_column_int64(stmt, 7),
        };
        if (sqlite3_column_int(stmt, 6)) {
            if (n_keys == cap) {
                cap = cap ? 2 * cap : 16;
                keys = xrealloc(keys, cap * sizeof *keys);
            }
            keys[n_keys++] = xstrdup(item.key);
        }
        fn(&item, ud);
    }
    done(stmt);
    int result = rc == SQLITE_DONE ? 0 : fail(st, what);
    for (size_t i = 0; i < n_keys; i++) {
        sqlite3_stmt *clear = prepare(st, "UPDATE items SET requeued = 0 WHERE key = ?");
        if (clear) {
            bind_text(clear, 1, keys[i]);
            if (run(st, clear, "clear requeued mark") < 0)
                result = -1;
        } else {
            result = -1;
        }
        free(keys[i]);
    }
    free(keys);
    return result;
}

int state_items_pending(struct state *st, int64_t after, long limit,
                        void (*fn)(const struct pending_item *, void *), void *ud)
{
    /* (rowids only grow: items are never deleted, so they are the order items were seen) */
    sqlite3_stmt *stmt =
        prepare(st, "SELECT key, record_id, feed_url, job, attempts, next_attempt, requeued, rowid "
                    "FROM items WHERE state = 'pending' AND rowid > ?1 "
                    "AND key NOT IN (SELECT key FROM staged) ORDER BY rowid LIMIT ?2");
    if (!stmt)
        return -1;
    sqlite3_bind_int64(stmt, 1, after);
    sqlite3_bind_int64(stmt, 2, limit);
    return list_items(st, stmt, fn, ud, "list pending items");
}

int state_items_requeued(struct state *st, void (*fn)(const struct pending_item *, void *),
                         void *ud)
{
    sqlite3_stmt *stmt = prepare(
        st, "SELECT key, record_id, feed_url, job, attempts, next_attempt, requeued, rowid "
            "FROM items WHERE state = 'pending' AND requeued = 1 ORDER BY first_seen, rowid");
    return list_items(st, stmt, fn, ud, "list requeued items");
}

long state_items_retry_failed(struct state *st, const char *feed_url, const char *item)
{
    sqlite3_stmt *stmt = prepare(
        st, "UPDATE items SET state = 'pending', attempts = 0, next_attempt = 0, finished = NULL, "
            "requeued = 1 WHERE state = 'failed' AND (?1 IS NULL OR feed_url = ?1) "
            "AND (?2 IS NULL OR key = ?2 OR record_id = ?2)");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, feed_url);
    bind_text(stmt, 2, item);
    if (run(st, stmt, "retry failed items") < 0)
        return -1;
    return (long)sqlite3_changes(st->db);
}

int state_item_archived(struct state *st, const char *key, const char *warc_file,
                        int64_t warc_offset, long revision, const char *record)
{
    sqlite3_stmt *stmt = prepare(st, "INSERT OR REPLACE INTO archived (key, warc_file, "
                                     "warc_offset, revision, record) VALUES (?, ?, ?, ?, ?)");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, warc_file);
    sqlite3_bind_int64(stmt, 3, warc_offset);
    sqlite3_bind_int64(stmt, 4, revision);
    bind_text(stmt, 5, record);
    return run(st, stmt, "store archived item");
}

long state_items_archived(struct state *st, const char *after_key, int64_t since,
                          const char *feed_url, long limit,
                          void (*fn)(const struct archived_item *, void *), void *ud)
{
    sqlite3_stmt *stmt =
        prepare(st, "SELECT a.key, i.record_id, i.feed_url, i.job, a.warc_file, a.warc_offset, "
                    "a.revision, a.record FROM archived a JOIN items i ON i.key = a.key "
                    "WHERE a.key > ?1 AND i.first_seen >= ?2 AND (?3 IS NULL OR i.feed_url = ?3) "
                    "ORDER BY a.key LIMIT ?4");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, after_key);
    sqlite3_bind_int64(stmt, 2, since);
    bind_text(stmt, 3, feed_url);
    sqlite3_bind_int64(stmt, 4, limit);
    /* Read whole before fn runs: fn may write the rows it is given. */
    char **rows = NULL;
    int64_t *numbers = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rows = xrealloc(rows, cap * 6 * sizeof *rows);
            numbers = xrealloc(numbers, cap * 2 * sizeof *numbers);
        }
        static const int text_columns[] = {0, 1, 2, 3, 4, 7};
        for (int c = 0; c < 6; c++)
            rows[n * 6 + c] = column_text(stmt, text_columns[c]);
        numbers[n * 2] = sqlite3_column_int64(stmt, 5);
        numbers[n * 2 + 1] = sqlite3_column_int64(stmt, 6);
        n++;
    }
    done(stmt);
    for (size_t i = 0; i < n; i++) {
        char **r = rows + i * 6;
        struct archived_item item = {.key = r[0],
                                     .record_id = r[1],
                                     .feed_url = r[2],
                                     .item_json = r[3],
                                     .warc_file = r[4],
                                     .warc_offset = numbers[i * 2],
                                     .revision = (long)numbers[i * 2 + 1],
                                     .record = r[5]};
        if (rc == SQLITE_DONE)
            fn(&item, ud);
        for (int c = 0; c < 6; c++)
            free(r[c]);
    }
    free(rows);
    free(numbers);
    return rc == SQLITE_DONE ? (long)n : fail(st, "list archived items");
}

int state_meta_get(struct state *st, const char *name, char **value)
{
    *value = NULL;
    sqlite3_stmt *stmt = prepare(st, "SELECT value FROM meta WHERE name = ?");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, name);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *value = column_text(stmt, 0);
    done(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(st, "read meta");
}

int state_meta_set(struct state *st, const char *name, const char *value)
{
    sqlite3_stmt *stmt = prepare(st, "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)");
    if (!stmt)
        return -1;
    bind_text(stmt, 1, name);
    bind_text(stmt, 2, value);
    return run(st, stmt, "write meta");
}

int state_counts(struct state *st, struct state_counts *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = prepare(st, "SELECT (SELECT count(*) FROM feeds),"
                                     " (SELECT count(*) FROM items WHERE state = 'pending'),"
                                     " (SELECT count(*) FROM items WHERE state = 'emitted'),"
                                     " (SELECT count(*) FROM items WHERE state = 'failed')");
    if (!stmt)
        return -1;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        out->feeds = (long)sqlite3_column_int64(stmt, 0);
        out->pending = (long)sqlite3_column_int64(stmt, 1);
        out->emitted = (long)sqlite3_column_int64(stmt, 2);
        out->failed = (long)sqlite3_column_int64(stmt, 3);
    }
    done(stmt);
    return rc == SQLITE_ROW ? 0 : fail(st, "count");
}

int state_count_pending(struct state *st, long *out)
{
    *out = 0;
    sqlite3_stmt *stmt = prepare(st, "SELECT count(*) FROM items WHERE state = 'pending'");
    if (!stmt)
        return -1;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = (long)sqlite3_column_int64(stmt, 0);
    done(stmt);
    return rc == SQLITE_ROW ? 0 : fail(st, "count pending");
}

struct sqlite3 *state_db(struct state *st)
{
    return st->db;
}
