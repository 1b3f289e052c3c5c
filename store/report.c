/* report.c: the read-only queries behind `feedspool feeds` and `feedspool items`. */
#include "store/report.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

struct report {
    sqlite3 *db;
};

int report_open(const char *path, struct report **out, char *err, size_t errlen)
{
    *out = NULL;
    if (access(path, R_OK) < 0)
        return set_err(err, errlen, "no state database at %s (has `run` or `once` run yet?)", path);
    struct report *r = xcalloc(1, sizeof *r);
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        set_err(err, errlen, "%s: %s", path, sqlite3_errmsg(r->db));
        report_close(r);
        return -1;
    }
    sqlite3_busy_timeout(r->db, 5000); /* the daemon's commits are short */
    *out = r;
    return 0;
}

void report_close(struct report *r)
{
    if (!r)
        return;
    sqlite3_close(r->db);
    free(r);
}

static char *column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    return text ? xstrdup((const char *)text) : NULL;
}

/* Runs stmt to its end, calling row() on each row. Returns 0, or -1 with err. */
static int each_row(struct report *r, sqlite3_stmt *stmt, void (*row)(sqlite3_stmt *, void *),
                    void *ud, char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        row(stmt, ud);
    if (rc != SQLITE_DONE)
        set_err(err, errlen, "reading the state: %s", sqlite3_errmsg(r->db));
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static sqlite3_stmt *prepare(struct report *r, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        set_err(err, errlen, "reading the state: %s", sqlite3_errmsg(r->db));
        return NULL;
    }
    return stmt;
}

struct feed_rows {
    struct report_feed *feeds;
    size_t n, cap;
};

static void feed_row(sqlite3_stmt *stmt, void *ud)
{
    struct feed_rows *rows = ud;
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 16;
        rows->feeds = xrealloc(rows->feeds, rows->cap * sizeof *rows->feeds);
    }
    struct report_feed *f = &rows->feeds[rows->n++];
    f->url = column_text(stmt, 0);
    f->errors = sqlite3_column_int64(stmt, 1);
    f->last_status = sqlite3_column_int64(stmt, 2);
    f->last_error = column_text(stmt, 3);
    f->last_poll = sqlite3_column_int64(stmt, 4);
    f->last_success = sqlite3_column_int64(stmt, 5);
    f->next_poll = sqlite3_column_int64(stmt, 6);
    f->moved_to = column_text(stmt, 7);
    bool gone = sqlite3_column_int(stmt, 8) != 0;
    f->items_seen = sqlite3_column_int64(stmt, 9);
    f->items_written = sqlite3_column_int64(stmt, 10);
    f->items_pending = sqlite3_column_int64(stmt, 11);
    f->items_failed = sqlite3_column_int64(stmt, 12);
    f->state = gone ? "gone" : f->errors > 0 ? "failing" : f->last_poll == 0 ? "new" : "ok";
}

int report_feeds(struct report *r, bool failing_only, struct report_feed **out, size_t *n,
                 char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt =
        prepare(r,
                "SELECT f.url, f.errors, f.last_status, f.last_error, f.last_poll, f.last_success,"
                "       f.next_due, f.moved_to, f.gone,"
                "       COUNT(i.key), COALESCE(SUM(i.state = 'emitted'), 0),"
                "       COALESCE(SUM(i.state = 'pending'), 0), COALESCE(SUM(i.state = 'failed'), 0)"
                "  FROM feeds f LEFT JOIN items i ON i.feed_url = f.url"
                " WHERE ?1 = 0 OR f.errors > 0 OR f.gone"
                " GROUP BY f.url ORDER BY f.url",
                err, errlen);
    if (!stmt)
        return -1;
    sqlite3_bind_int(stmt, 1, failing_only);
    struct feed_rows rows = {0};
    if (each_row(r, stmt, feed_row, &rows, err, errlen) < 0) {
        report_feeds_free(rows.feeds, rows.n);
        return -1;
    }
    *out = rows.feeds;
    *n = rows.n;
    return 0;
}

void report_feeds_free(struct report_feed *feeds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(feeds[i].url);
        free(feeds[i].last_error);
        free(feeds[i].moved_to);
    }
    free(feeds);
}

struct item_rows {
    struct report_item *items;
    size_t n, cap;
};

/* The state names as stored, so that rows can point at constants. */
static const char *state_name(const unsigned char *stored)
{
    static const char *const names[] = {"pending", "emitted", "failed"};
    for (size_t i = 0; stored && i < ARRAY_LEN(names); i++)
        if (strcmp((const char *)stored, names[i]) == 0)
            return names[i];
    return "unknown";
}

static void item_row(sqlite3_stmt *stmt, void *ud)
{
    struct item_rows *rows = ud;
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 16;
        rows->items = xrealloc(rows->items, rows->cap * sizeof *rows->items);
    }
    struct report_item *it = &rows->items[rows->n++];
    it->key = column_text(stmt, 0);
    it->record_id = column_text(stmt, 1);
    it->feed_url = column_text(stmt, 2);
    it->state = state_name(sqlite3_column_text(stmt, 3));
    it->attempts = sqlite3_column_int64(stmt, 4);
    it->last_error = column_text(stmt, 5);
    it->first_seen = sqlite3_column_int64(stmt, 6);
    it->next_attempt = sqlite3_column_int64(stmt, 7);
    it->finished = sqlite3_column_int64(stmt, 8);
    it->link = column_text(stmt, 9);
    it->title = column_text(stmt, 10);
}

int report_items(struct report *r, const struct report_item_filter *filter,
                 struct report_item **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt =
        prepare(r,
                "SELECT key, record_id, feed_url, state, attempts, last_error, first_seen,"
                "       next_attempt, finished,"
                "       CASE WHEN json_valid(job) THEN json_extract(job, '$.link') END,"
                "       CASE WHEN json_valid(job) THEN json_extract(job, '$.title') END"
                "  FROM items"
                " WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR feed_url = ?2)"
                " ORDER BY first_seen DESC, key LIMIT ?3",
                err, errlen);
    if (!stmt)
        return -1;
    if (filter->state)
        sqlite3_bind_text(stmt, 1, filter->state, -1, SQLITE_STATIC);
    if (filter->feed_url)
        sqlite3_bind_text(stmt, 2, filter->feed_url, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, filter->limit > 0 ? filter->limit : -1);
    struct item_rows rows = {0};
    if (each_row(r, stmt, item_row, &rows, err, errlen) < 0) {
        report_items_free(rows.items, rows.n);
        return -1;
    }
    *out = rows.items;
    *n = rows.n;
    return 0;
}

void report_items_free(struct report_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].record_id);
        free(items[i].feed_url);
        free(items[i].link);
        free(items[i].title);
        free(items[i].last_error);
    }
    free(items);
}

int report_feed_source(struct report *r, const char *url, struct report_source *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *stmt = NULL;
    /* a database an older feedspool made has no source column: nothing is known */
    if (sqlite3_prepare_v2(r->db,
                           "SELECT source, moved_to, source_found FROM feeds "
                           "WHERE url = ? AND source IS NOT NULL",
                           -1, &stmt, NULL) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return 0;
    }
    sqlite3_bind_text(stmt, 1, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    int found = 0;
    if (rc == SQLITE_ROW) {
        out->kind = column_text(stmt, 0);
        out->moved_to = column_text(stmt, 1);
        out->found = sqlite3_column_int64(stmt, 2);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = set_err(err, errlen, "reading the state: %s", sqlite3_errmsg(r->db));
    }
    sqlite3_finalize(stmt);
    return found;
}

void report_source_free(struct report_source *s)
{
    free(s->kind);
    free(s->moved_to);
    memset(s, 0, sizeof *s);
}
