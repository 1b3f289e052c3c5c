/* index.c: the story index in SQLite (see index.h). */
#include "stories/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MAX_POSTINGS 2048 /* posting rows used per lookup */
#define POSTINGS_PER_ANCHOR 32 /* the newest articles used per anchor */

struct story_index {
    sqlite3 *db;
    long window;
    sqlite3_stmt *find_key, *find_posting, *load_doc, *add_doc, *add_posting, *add_key;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS story_docs ("
    "  id INTEGER PRIMARY KEY,"
    "  record BLOB NOT NULL,"   /* 16 bytes: the record id */
    "  story BLOB NOT NULL,"    /* 16 bytes: the story id (the first record's id) */
    "  seen INTEGER NOT NULL,"
    "  anchors INTEGER NOT NULL);" /* how many it has */
    "CREATE TABLE IF NOT EXISTS story_postings ("
    "  anchor INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (anchor, doc DESC)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS story_keys ("
    "  key INTEGER PRIMARY KEY, doc INTEGER NOT NULL);";

/* The postings of up to STORY_MAX_ANCHORS anchors. */
#define P8 "?,?,?,?,?,?,?,?"
#define FIND_POSTINGS_SQL                                                                   \
    "SELECT anchor, doc FROM story_postings WHERE anchor IN (" P8 "," P8 "," P8 "," P8 "," P8 \
    "," P8 "," P8 "," P8 ")" /* (in key order: by anchor, the newest first) */

static int db_err(struct story_index *ix, char *err, size_t errlen, const char *what)
{
    return set_err(err, errlen, "story index: %s: %s", what, sqlite3_errmsg(ix->db));
}

int story_index_open(sqlite3 *db, long window, struct story_index **out, char *err, size_t errlen)
{
    *out = NULL;
    struct story_index *ix = xcalloc(1, sizeof *ix);
    ix->db = db;
    ix->window = window;
    struct {
        sqlite3_stmt **stmt;
        const char *sql;
    } statements[] = {
        {&ix->find_key, "SELECT d.record, d.story, d.seen FROM story_keys k "
                        "JOIN story_docs d ON d.id = k.doc WHERE k.key = ?"},
        {&ix->find_posting, FIND_POSTINGS_SQL},
        {&ix->load_doc, "SELECT record, story, seen, anchors FROM story_docs WHERE id = ?"},
        {&ix->add_doc, "INSERT INTO story_docs (record, story, seen, anchors) VALUES (?, ?, ?, ?)"},
        {&ix->add_posting, "INSERT OR IGNORE INTO story_postings (anchor, doc) VALUES (?, ?)"},
        {&ix->add_key, "INSERT OR IGNORE INTO story_keys (key, doc) VALUES (?, ?)"},
    };
    if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        db_err(ix, err, errlen, "create tables");
        free(ix);
        return -1;
    }
    for (size_t i = 0; i < ARRAY_LEN(statements); i++)
        if (sqlite3_prepare_v2(db, statements[i].sql, -1, statements[i].stmt, NULL) != SQLITE_OK) {
            db_err(ix, err, errlen, "prepare");
            story_index_close(ix);
            return -1;
        }
    *out = ix;
    return 0;
}

void story_index_close(struct story_index *ix)
{
    if (!ix)
        return;
    sqlite3_finalize(ix->find_key);
    sqlite3_finalize(ix->find_posting);
    sqlite3_finalize(ix->load_doc);
    sqlite3_finalize(ix->add_doc);
    sqlite3_finalize(ix->add_posting);
    sqlite3_finalize(ix->add_key);
    free(ix);
}

void story_index_set_window(struct story_index *ix, long window)
{
    ix->window = window;
}

static void hex_of(const void *blob, int len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = blob;
    int n = len == STORY_ID_LEN / 2 ? len : 0;
    for (int i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* 32 hex digits into 16 bytes; -1 when id is not such a string. */
static int blob_of(const char *id, unsigned char out[STORY_ID_LEN / 2])
{
    if (!id || strlen(id) != STORY_ID_LEN)
        return -1;
    for (int i = 0; i < STORY_ID_LEN / 2; i++) {
        int hi = hex_value(id[2 * i]), lo = hex_value(id[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* An exact copy by text or canonical URL, within the window. */
static int find_exact(struct story_index *ix, int64_t key, int64_t since, struct story_match *out,
                      char *err, size_t errlen)
{
    if (!key)
        return 0;
    sqlite3_stmt *st = ix->find_key;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 2) >= since) {
        hex_of(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), out->record_id);
        hex_of(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), out->story_id);
        out->similarity = 1.0;
        out->exact = true;
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(ix, err, errlen, "find key");
}

static int compare_doc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0; /* newest (largest id) first */
}

int story_index_find(struct story_index *ix, const struct fingerprint *fp, int64_t now,
                     struct story_match *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int64_t since = now - ix->window;
    int rc = find_exact(ix, fp->text_key, since, out, err, errlen);
    if (rc == 0)
        rc = find_exact(ix, fp->url_key, since, out, err, errlen);
    if (rc != 0 || fp->n < STORY_MIN_SHARED)
        return rc;
    /* Every earlier article sharing an anchor, once per anchor shared. */
    static int64_t docs[MAX_POSTINGS]; /* (one thread; keeps 16 KiB off the stack) */
    size_t n = 0;
    sqlite3_stmt *st = ix->find_posting;
    sqlite3_reset(st);
    for (int i = 0; i < STORY_MAX_ANCHORS; i++) /* (unused places repeat the first anchor) */
        sqlite3_bind_int64(st, i + 1, fp->anchors[(size_t)i < fp->n ? (size_t)i : 0]);
    int64_t anchor = -1;
    size_t of_anchor = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MAX_POSTINGS) {
        if (sqlite3_column_int64(st, 0) != anchor) {
            anchor = sqlite3_column_int64(st, 0);
            of_anchor = 0;
        }
        if (of_anchor++ < POSTINGS_PER_ANCHOR) /* an anchor in very many texts says little */
            docs[n++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_err(ix, err, errlen, "find postings");
    qsort(docs, n, sizeof *docs, compare_doc);
    double best = 0;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && docs[i + run] == docs[i])
            run++;
        int64_t doc = docs[i];
        i += run;
        if (run < STORY_MIN_SHARED)
            continue;
        st = ix->load_doc;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, doc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 2) >= since) {
            size_t other = (size_t)sqlite3_column_int64(st, 3);
            double containment = fingerprint_containment(run, fp->n, other);
            if (fingerprint_same_story(run, fp->n, other) && containment > best) {
                best = containment;
                hex_of(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), out->record_id);
                hex_of(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), out->story_id);
                out->similarity = containment > 1 ? 1 : containment;
            }
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_err(ix, err, errlen, "load candidate");
    }
    return best > 0 ? 1 : 0;
}

int story_index_add(struct story_index *ix, const struct fingerprint *fp, const char *record_id,
                    const char *story_id, int64_t now, char *err, size_t errlen)
{
    unsigned char record[STORY_ID_LEN / 2], story[STORY_ID_LEN / 2];
    if (blob_of(record_id, record) < 0 || blob_of(story_id, story) < 0)
        return set_err(err, errlen, "story index: ids must be %d hex digits", STORY_ID_LEN);
    sqlite3_stmt *st = ix->add_doc;
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, record, sizeof record, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, story, sizeof story, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)fp->n);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_err(ix, err, errlen, "add article");
    int64_t doc = sqlite3_last_insert_rowid(ix->db);
    for (size_t i = 0; i < fp->n; i++) {
        st = ix->add_posting;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, fp->anchors[i]);
        sqlite3_bind_int64(st, 2, doc);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db_err(ix, err, errlen, "add posting");
    }
    int64_t keys[] = {fp->text_key, fp->url_key};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        if (!keys[i])
            continue;
        st = ix->add_key;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, keys[i]);
        sqlite3_bind_int64(st, 2, doc);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db_err(ix, err, errlen, "add key");
    }
    return 0;
}

long story_index_expire(struct story_index *ix, int64_t now, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int64_t first_live = 0;
    if (sqlite3_prepare_v2(ix->db, "SELECT COALESCE(MIN(id), (SELECT MAX(id) + 1 FROM story_docs), 0) "
                                    "FROM story_docs WHERE seen >= ?",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(ix, err, errlen, "expire");
    sqlite3_bind_int64(st, 1, now - ix->window);
    if (sqlite3_step(st) == SQLITE_ROW)
        first_live = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* Rows are added in time order, so everything below the first live id is old. */
    static const char *const deletes[] = {"DELETE FROM story_docs WHERE id < ?",
                                          "DELETE FROM story_postings WHERE doc < ?",
                                          "DELETE FROM story_keys WHERE doc < ?"};
    long removed = 0;
    for (size_t i = 0; i < ARRAY_LEN(deletes); i++) {
        if (sqlite3_prepare_v2(ix->db, deletes[i], -1, &st, NULL) != SQLITE_OK)
            return db_err(ix, err, errlen, "expire");
        sqlite3_bind_int64(st, 1, first_live);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return db_err(ix, err, errlen, "expire");
        if (i == 0)
            removed = sqlite3_changes(ix->db);
    }
    return removed;
}
