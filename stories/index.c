/* index.c: the story index: its SQLite table and the postings in memory (see index.h). */
#include "stories/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "stories/postings.h"

#define MAX_POSTINGS 2048      /* articles listed under the anchors, used per lookup */
#define POSTINGS_PER_ANCHOR 32 /* the newest articles used per anchor */
#define MAX_KEY_POSTINGS 16    /* articles listed under an exact key's hash, checked per key */
/* 128K anchor buckets, 64K key buckets (3 MiB of tables, all touched after a few thousand
 * articles): about 220 postings a bucket at 1M articles. 512K and 256K cost 31 MB instead of
 * 19 at 100,000 articles (the tables alone 12 MiB), for lookups that found the same articles
 * (bench/stories: 14 against 9 us at 100,000, 32 against 17 at 1M, under load). */
#define ANCHOR_BUCKET_BITS 17
#define KEY_BUCKET_BITS 16
#define ANCHOR_BYTES 4

struct story_index {
    sqlite3 *db;
    long window;
    struct postings *anchors; /* anchor -> articles */
    struct postings *keys;    /* folded text and URL keys -> articles */
    sqlite3_stmt *load_doc, *add_doc;
};

/* One row an article. */
#define STORY_DOCS_COLUMNS                                                                         \
    "(id INTEGER PRIMARY KEY,"                                                                     \
    " record BLOB NOT NULL," /* 16 bytes: the record id */                                         \
    " story BLOB,"           /* 16 bytes: the story id; NULL when the record began the story */    \
    " seen INTEGER NOT NULL,"                                                                      \
    " text_key INTEGER,"      /* hash of the word sequence; NULL when none */                      \
    " url_key INTEGER,"       /* hash of the canonical URL; NULL when none */                      \
    " anchors BLOB NOT NULL)" /* 4 bytes each, most significant first, ascending */
static const char schema_sql[] = "CREATE TABLE IF NOT EXISTS story_docs " STORY_DOCS_COLUMNS ";";

/* The layout before the postings moved to memory: story_docs(id, record, story, seen,
 * anchors INTEGER) with one row per posting in story_postings(anchor, doc) and per exact key
 * in story_keys(key, doc). It is converted row by row into story_docs_converted, which then
 * takes the name. */
static const char earlier_layout_sql[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'story_postings'";
static const char conversion_start_sql[] =
    "SAVEPOINT story_layout;"
    "CREATE TABLE story_docs_converted " STORY_DOCS_COLUMNS ";";
static const char conversion_end_sql[] = "DROP TABLE story_postings;"
                                         "DROP TABLE story_keys;"
                                         "DROP TABLE story_docs;"
                                         "ALTER TABLE story_docs_converted RENAME TO story_docs;"
                                         "RELEASE story_layout;";
static const char conversion_undo_sql[] = "ROLLBACK TO story_layout; RELEASE story_layout;";

static int db_err(struct story_index *ix, char *err, size_t errlen, const char *what)
{
    return set_err(err, errlen, "story index: %s: %s", what, sqlite3_errmsg(ix->db));
}

/* The 32 bits of an exact key the key postings are listed under. */
static uint32_t folded(int64_t key)
{
    return (uint32_t)((uint64_t)key >> 31);
}

static void pack_anchors(const struct fingerprint *fp, unsigned char *out)
{
    for (size_t i = 0; i < fp->n; i++)
        for (int b = 0; b < ANCHOR_BYTES; b++)
            out[i * ANCHOR_BYTES + (size_t)b] = (unsigned char)(fp->anchors[i] >> (24 - 8 * b));
}

/* The anchors of a stored article (into a fingerprint with no keys). */
static void unpack_anchors(const void *blob, int len, struct fingerprint *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = blob;
    size_t n = len > 0 ? (size_t)len / ANCHOR_BYTES : 0;
    for (size_t i = 0; i < n && i < STORY_MAX_ANCHORS; i++) {
        uint32_t v = 0;
        for (int b = 0; b < ANCHOR_BYTES; b++)
            v = v << 8 | p[i * ANCHOR_BYTES + (size_t)b];
        out->anchors[out->n++] = v;
    }
}

static void expect_posting(struct postings *p, uint32_t value, uint32_t doc)
{
    (void)doc;
    postings_expect(p, value);
}

/* Lists an article in the postings; with expect_only, announces what will be listed. */
static void index_postings(struct story_index *ix, uint32_t doc, const struct fingerprint *fp,
                           int64_t text_key, int64_t url_key, bool expect_only)
{
    void (*list)(struct postings *, uint32_t, uint32_t) = postings_add;
    if (expect_only)
        list = expect_posting;
    for (size_t i = 0; i < fp->n; i++)
        list(ix->anchors, fp->anchors[i], doc);
    if (text_key)
        list(ix->keys, folded(text_key), doc);
    if (url_key)
        list(ix->keys, folded(url_key), doc);
}

/* Fills the postings from the table: a first pass counts them, so that each bucket is
 * allocated once. */
static int load_postings(struct story_index *ix, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "SELECT id, anchors, text_key, url_key FROM story_docs", -1, &st,
                           NULL) != SQLITE_OK)
        return db_err(ix, err, errlen, "load");
    int rc = SQLITE_DONE;
    for (int pass = 0; pass < 2 && rc == SQLITE_DONE; pass++) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct fingerprint fp;
            unpack_anchors(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), &fp);
            index_postings(ix, (uint32_t)sqlite3_column_int64(st, 0), &fp,
                           sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), pass == 0);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_err(ix, err, errlen, "load");
}

static void bind_key(sqlite3_stmt *st, int column, int64_t key)
{
    if (key)
        sqlite3_bind_int64(st, column, key);
    else
        sqlite3_bind_null(st, column);
}

/* A query read in step with another, by the article id in its first column. */
struct cursor {
    sqlite3_stmt *st;
    int rc;
};

static void cursor_next(struct cursor *c)
{
    c->rc = sqlite3_step(c->st);
}

static int64_t cursor_doc(const struct cursor *c)
{
    return c->rc == SQLITE_ROW ? sqlite3_column_int64(c->st, 0) : INT64_MAX;
}

/* Whether reading stopped on an error (rows left over are for articles no longer there). */
static bool cursor_failed(const struct cursor *c)
{
    return c->rc != SQLITE_ROW && c->rc != SQLITE_DONE;
}

/* Moves the cursor past doc, handing each value of doc's rows (second column) to out, up to
 * max of them. */
static size_t cursor_take(struct cursor *c, int64_t doc, int64_t *out, size_t max)
{
    size_t n = 0;
    while (cursor_doc(c) < doc)
        cursor_next(c);
    for (; cursor_doc(c) == doc; cursor_next(c))
        if (n < max)
            out[n++] = sqlite3_column_int64(c->st, 1);
    return n;
}

/* One old article into the converted table. */
static int convert_doc(sqlite3_stmt *docs, struct cursor *postings, struct cursor *keys,
                       sqlite3_stmt *insert)
{
    int64_t doc = sqlite3_column_int64(docs, 0);
    int64_t anchors[STORY_MAX_ANCHORS], key[2] = {0, 0};
    struct fingerprint fp = {.n = cursor_take(postings, doc, anchors, STORY_MAX_ANCHORS)};
    for (size_t i = 0; i < fp.n; i++) /* (in ascending order, as the query sorts them) */
        fp.anchors[i] = (uint32_t)anchors[i];
    cursor_take(keys, doc, key, 2); /* (which was the text's and which the URL's is not kept:
                                       an exact lookup compares both) */
    unsigned char packed[STORY_MAX_ANCHORS * ANCHOR_BYTES];
    pack_anchors(&fp, packed);
    const void *record = sqlite3_column_blob(docs, 1), *story = sqlite3_column_blob(docs, 2);
    int record_len = sqlite3_column_bytes(docs, 1), story_len = sqlite3_column_bytes(docs, 2);
    bool own_story = story_len == record_len && memcmp(record, story, (size_t)record_len) == 0;
    sqlite3_reset(insert);
    sqlite3_bind_int64(insert, 1, doc);
    sqlite3_bind_blob(insert, 2, record, record_len, SQLITE_TRANSIENT);
    if (own_story)
        sqlite3_bind_null(insert, 3);
    else
        sqlite3_bind_blob(insert, 3, story, story_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 4, sqlite3_column_int64(docs, 3));
    bind_key(insert, 5, key[0]);
    bind_key(insert, 6, key[1]);
    sqlite3_bind_blob(insert, 7, packed, (int)(fp.n * ANCHOR_BYTES), SQLITE_STATIC);
    int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Converts the earlier layout if the database has it; 1 when it did. */
static int convert_earlier_layout(struct story_index *ix, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, earlier_layout_sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(ix, err, errlen, "read schema");
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return db_err(ix, err, errlen, "read schema");
    sqlite3_stmt *docs = NULL, *insert = NULL;
    struct cursor postings = {NULL, SQLITE_DONE}, keys = {NULL, SQLITE_DONE};
    bool ok =
        sqlite3_exec(ix->db, conversion_start_sql, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(ix->db, "SELECT id, record, story, seen FROM story_docs ORDER BY id", -1,
                           &docs, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(ix->db, "SELECT doc, anchor FROM story_postings ORDER BY doc, anchor",
                           -1, &postings.st, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(ix->db, "SELECT doc, key FROM story_keys ORDER BY doc, key", -1,
                           &keys.st, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(ix->db,
                           "INSERT INTO story_docs_converted (id, record, story, seen, "
                           "text_key, url_key, anchors) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           -1, &insert, NULL) == SQLITE_OK;
    if (ok) {
        cursor_next(&postings);
        cursor_next(&keys);
        while (ok && (rc = sqlite3_step(docs)) == SQLITE_ROW)
            ok = convert_doc(docs, &postings, &keys, insert) == 0;
        ok = ok && rc == SQLITE_DONE && !cursor_failed(&postings) && !cursor_failed(&keys);
    }
    if (!ok)
        db_err(ix, err, errlen, "convert the earlier tables");
    sqlite3_finalize(docs);
    sqlite3_finalize(postings.st);
    sqlite3_finalize(keys.st);
    sqlite3_finalize(insert);
    if (ok && sqlite3_exec(ix->db, conversion_end_sql, NULL, NULL, NULL) == SQLITE_OK)
        return 1;
    if (ok)
        db_err(ix, err, errlen, "convert the earlier tables");
    sqlite3_exec(ix->db, conversion_undo_sql, NULL, NULL, NULL);
    return -1;
}

int story_index_open(sqlite3 *db, long window, struct story_index **out, char *err, size_t errlen)
{
    *out = NULL;
    struct story_index *ix = xcalloc(1, sizeof *ix);
    ix->db = db;
    ix->window = window;
    ix->anchors = postings_new(ANCHOR_BUCKET_BITS);
    ix->keys = postings_new(KEY_BUCKET_BITS);
    struct {
        sqlite3_stmt **stmt;
        const char *sql;
    } statements[] = {
        {&ix->load_doc, "SELECT record, story, seen, text_key, url_key, anchors FROM story_docs "
                        "WHERE id = ?"},
        {&ix->add_doc, "INSERT INTO story_docs (record, story, seen, text_key, url_key, anchors) "
                       "VALUES (?, ?, ?, ?, ?, ?)"},
    };
    int converted = convert_earlier_layout(ix, err, errlen);
    if (converted < 0) {
        story_index_close(ix);
        return -1;
    }
    if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        db_err(ix, err, errlen, "create table");
        story_index_close(ix);
        return -1;
    }
    for (size_t i = 0; i < ARRAY_LEN(statements); i++)
        if (sqlite3_prepare_v2(db, statements[i].sql, -1, statements[i].stmt, NULL) != SQLITE_OK) {
            db_err(ix, err, errlen, "prepare");
            story_index_close(ix);
            return -1;
        }
    if (load_postings(ix, err, errlen) < 0) {
        story_index_close(ix);
        return -1;
    }
    *out = ix;
    return converted;
}

void story_index_close(struct story_index *ix)
{
    if (!ix)
        return;
    sqlite3_finalize(ix->load_doc);
    sqlite3_finalize(ix->add_doc);
    postings_free(ix->anchors);
    postings_free(ix->keys);
    free(ix);
}

void story_index_set_window(struct story_index *ix, long window)
{
    ix->window = window;
}

size_t story_index_memory(const struct story_index *ix)
{
    return sizeof *ix + postings_memory(ix->anchors) + postings_memory(ix->keys);
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

/* Reads an article's row into ix->load_doc: 1 when it is there and within the window, 0 when
 * not, -1 on an error. The caller resets the statement. */
static int load_live_doc(struct story_index *ix, uint32_t doc, int64_t since, char *err,
                         size_t errlen)
{
    sqlite3_stmt *st = ix->load_doc;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return sqlite3_column_int64(st, 2) >= since;
    return rc == SQLITE_DONE ? 0 : db_err(ix, err, errlen, "load article");
}

/* The ids of the article in ix->load_doc into out; a NULL story is the record's own. */
static void match_of_loaded(struct story_index *ix, double similarity, bool exact,
                            struct story_match *out)
{
    sqlite3_stmt *st = ix->load_doc;
    hex_of(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), out->record_id);
    int story = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : 1;
    hex_of(sqlite3_column_blob(st, story), sqlite3_column_bytes(st, story), out->story_id);
    out->similarity = similarity;
    out->exact = exact;
}

/* The earliest article within the window with the same text or canonical URL. */
static int find_exact(struct story_index *ix, int64_t key, int64_t since, struct story_match *out,
                      char *err, size_t errlen)
{
    if (!key)
        return 0;
    uint32_t docs[MAX_KEY_POSTINGS];
    size_t n = postings_find(ix->keys, folded(key), docs, MAX_KEY_POSTINGS);
    int found = 0;
    for (size_t i = n; i > 0 && !found; i--) { /* oldest first */
        found = load_live_doc(ix, docs[i - 1], since, err, errlen);
        sqlite3_stmt *st = ix->load_doc;
        if (found == 1 && sqlite3_column_int64(st, 3) != key && sqlite3_column_int64(st, 4) != key)
            found = 0; /* another key listed under the same bits */
        if (found == 1)
            match_of_loaded(ix, 1.0, true, out);
        sqlite3_reset(st);
    }
    return found;
}

static int compare_doc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? 1 : x > y ? -1 : 0; /* newest (largest id) first */
}

int story_index_find(struct story_index *ix, const struct fingerprint *fp, int64_t now,
                     struct story_match *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int64_t since = now - ix->window;
    uint32_t keys[] = {folded(fp->text_key), folded(fp->url_key)};
    postings_prefetch(ix->keys, keys, ARRAY_LEN(keys));
    postings_prefetch(ix->anchors, fp->anchors, fp->n);
    int rc = find_exact(ix, fp->text_key, since, out, err, errlen);
    if (rc == 0)
        rc = find_exact(ix, fp->url_key, since, out, err, errlen);
    if (rc != 0 || fp->n < STORY_MIN_SHARED)
        return rc;
    /* Earlier articles sharing an anchor, once per anchor shared. */
    uint32_t docs[MAX_POSTINGS];
    size_t n = 0;
    for (size_t i = 0; i < fp->n && n < MAX_POSTINGS; i++) {
        size_t room = MAX_POSTINGS - n;
        n += postings_find(ix->anchors, fp->anchors[i], docs + n,
                           room < POSTINGS_PER_ANCHOR ? room : POSTINGS_PER_ANCHOR);
    }
    qsort(docs, n, sizeof *docs, compare_doc);
    double best = 0;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && docs[i + run] == docs[i])
            run++;
        uint32_t doc = docs[i];
        i += run;
        if (run < STORY_MIN_SHARED)
            continue;
        rc = load_live_doc(ix, doc, since, err, errlen);
        if (rc == 1) { /* its own anchors decide, as `feedspool similar` would */
            sqlite3_stmt *st = ix->load_doc;
            struct fingerprint other;
            unpack_anchors(sqlite3_column_blob(st, 5), sqlite3_column_bytes(st, 5), &other);
            size_t shared = fingerprint_shared(fp, &other);
            double containment = fingerprint_containment(shared, fp->n, other.n);
            if (fingerprint_same_story(shared, fp->n, other.n) && containment > best) {
                best = containment;
                match_of_loaded(ix, containment > 1 ? 1 : containment, false, out);
            }
        }
        sqlite3_reset(ix->load_doc);
        if (rc < 0)
            return -1;
    }
    return best > 0 ? 1 : 0;
}

int story_index_add(struct story_index *ix, const struct fingerprint *fp, const char *record_id,
                    const char *story_id, int64_t now, char *err, size_t errlen)
{
    unsigned char record[STORY_ID_LEN / 2], story[STORY_ID_LEN / 2];
    unsigned char anchors[STORY_MAX_ANCHORS * ANCHOR_BYTES];
    if (blob_of(record_id, record) < 0 || blob_of(story_id, story) < 0)
        return set_err(err, errlen, "story index: ids must be %d hex digits", STORY_ID_LEN);
    pack_anchors(fp, anchors);
    sqlite3_stmt *st = ix->add_doc;
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, record, sizeof record, SQLITE_STATIC);
    if (memcmp(record, story, sizeof record) == 0)
        sqlite3_bind_null(st, 2);
    else
        sqlite3_bind_blob(st, 2, story, sizeof story, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    bind_key(st, 4, fp->text_key);
    bind_key(st, 5, fp->url_key);
    sqlite3_bind_blob(st, 6, anchors, (int)(fp->n * ANCHOR_BYTES), SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_err(ix, err, errlen, "add article");
    int64_t doc = sqlite3_last_insert_rowid(ix->db);
    if (doc > UINT32_MAX) /* 4 billion articles: ids are 32 bits in memory */
        return set_err(err, errlen, "story index: article ids beyond 32 bits");
    index_postings(ix, (uint32_t)doc, fp, fp->text_key, fp->url_key, false);
    return 0;
}

long story_index_expire(struct story_index *ix, int64_t now, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int64_t first_live = 0;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT COALESCE(MIN(id), (SELECT MAX(id) + 1 FROM story_docs), 0) "
                           "FROM story_docs WHERE seen >= ?",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(ix, err, errlen, "expire");
    sqlite3_bind_int64(st, 1, now - ix->window);
    if (sqlite3_step(st) == SQLITE_ROW)
        first_live = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* Rows are added in time order, so everything below the first live id is old. */
    if (sqlite3_prepare_v2(ix->db, "DELETE FROM story_docs WHERE id < ?", -1, &st, NULL) !=
        SQLITE_OK)
        return db_err(ix, err, errlen, "expire");
    sqlite3_bind_int64(st, 1, first_live);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_err(ix, err, errlen, "expire");
    long removed = sqlite3_changes(ix->db);
    uint32_t first_kept = first_live > UINT32_MAX ? UINT32_MAX : (uint32_t)first_live;
    postings_drop_below(ix->anchors, first_kept);
    postings_drop_below(ix->keys, first_kept);
    return removed;
}
