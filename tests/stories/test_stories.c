/* test_stories.c: fingerprints (exact keys, anchors shared by copies and cuts, not by other
 * texts), the in-memory postings, and the story index (exact and near matches, the window,
 * expiry, a restart, a rolled back add, converting a database with the earlier layout). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "common/buf.h"
#include "stories/fingerprint.h"
#include "stories/index.h"
#include "stories/postings.h"

/* A deterministic text of n words from a small vocabulary, different for each seed. */
static char *text_of(unsigned seed, int n)
{
    static const char *const words[] = {
        "talks",   "truce",    "province",  "militants", "government", "ceasefire", "border",
        "council", "minister", "police",    "district",  "valley",     "market",    "school",
        "harvest", "river",    "bridge",    "court",     "budget",     "election",  "hospital",
        "road",    "village",  "teachers",  "farmers",   "prices",     "water",     "power",
        "trade",   "envoy",    "statement", "agreement"};
    struct buf b;
    buf_init(&b, 0);
    unsigned x = seed * 2654435761u + 1;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf_append_str(&b, words[(x >> 16) % (sizeof words / sizeof *words)]);
        buf_append_str(&b, i % 12 == 11 ? ".\n\n" : " ");
    }
    return buf_steal(&b);
}

static void test_fingerprints(void)
{
    char *a = text_of(1, 600), *b = text_of(2, 600);
    struct fingerprint fa, fa_again, fb, cut, messy;
    fingerprint_compute(a, "https://Example.com/story?utm_source=x", &fa);
    fingerprint_compute(a, "https://example.com/story", &fa_again);
    fingerprint_compute(b, NULL, &fb);
    CHECK(fa.n > 10);
    CHECK(fa.text_key != 0 && fa.text_key == fa_again.text_key);
    CHECK(fa.url_key != 0 && fa.url_key == fa_again.url_key); /* normalised URL */
    CHECK(fb.url_key == 0);
    CHECK(fa.text_key != fb.text_key);
    CHECK(!fingerprint_same_story(fingerprint_shared(&fa, &fb), fa.n, fb.n));

    /* the first 60 % of the text */
    char *head = strndup(a, strlen(a) * 6 / 10);
    fingerprint_compute(head, NULL, &cut);
    size_t shared = fingerprint_shared(&fa, &cut);
    CHECK(fingerprint_same_story(shared, fa.n, cut.n));
    CHECK(fingerprint_containment(shared, fa.n, cut.n) > 0.9);

    /* spacing does not matter to anchors or to the text key */
    char *spaced = strdup(a);
    for (char *p = spaced; *p; p++)
        if (*p == ' ')
            *p = '\t';
    fingerprint_compute(spaced, NULL, &messy);
    CHECK(fingerprint_shared(&fa, &messy) == fa.n);
    CHECK(messy.text_key == fa.text_key);

    struct fingerprint empty;
    fingerprint_compute("", NULL, &empty);
    CHECK(empty.n == 0 && empty.text_key == 0);
    free(a);
    free(b);
    free(head);
    free(spaced);
}

static const char *id_of(int i)
{
    static char ids[8][33];
    snprintf(ids[i % 8], sizeof ids[0], "%032x", i + 1);
    return ids[i % 8];
}

static void test_index(void)
{
    sqlite3 *db;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    struct story_index *ix;
    char err[256];
    CHECK(story_index_open(db, 14 * 86400, &ix, err, sizeof err) == 0);
    char *a = text_of(1, 600), *b = text_of(2, 600), *c = text_of(3, 600);
    char *head = strndup(a, strlen(a) * 6 / 10);
    struct fingerprint fa, fb, fc, fhead;
    fingerprint_compute(a, "https://a.example/1", &fa);
    fingerprint_compute(b, NULL, &fb);
    fingerprint_compute(c, NULL, &fc);
    fingerprint_compute(head, NULL, &fhead);
    struct story_match m;
    int64_t t0 = 1700000000;
    CHECK(story_index_find(ix, &fa, t0, &m, err, sizeof err) == 0);
    CHECK(story_index_add(ix, &fa, id_of(0), id_of(0), t0, err, sizeof err) == 0);
    CHECK(story_index_add(ix, &fb, id_of(1), id_of(1), t0 + 10, err, sizeof err) == 0);

    /* the same text again: exact */
    CHECK(story_index_find(ix, &fa, t0 + 20, &m, err, sizeof err) == 1);
    CHECK(m.exact);
    CHECK_STR(m.record_id, id_of(0));
    /* the same canonical URL with other text: exact too */
    struct fingerprint same_url;
    fingerprint_compute(c, "https://a.example/1?utm_medium=rss", &same_url);
    CHECK(story_index_find(ix, &same_url, t0 + 20, &m, err, sizeof err) == 1);
    CHECK(m.exact);
    /* a cut: near, story of the first */
    CHECK(story_index_find(ix, &fhead, t0 + 20, &m, err, sizeof err) == 1);
    CHECK(!m.exact);
    CHECK_STR(m.story_id, id_of(0));
    CHECK(m.similarity > 0.9);
    CHECK(story_index_add(ix, &fhead, id_of(2), m.story_id, t0 + 30, err, sizeof err) == 0);
    /* an unrelated text: nothing */
    CHECK(story_index_find(ix, &fc, t0 + 20, &m, err, sizeof err) == 0);

    /* out of the window: not found; expiry deletes it */
    story_index_set_window(ix, 100);
    CHECK(story_index_find(ix, &fa, t0 + 1000, &m, err, sizeof err) == 0);
    CHECK(story_index_find(ix, &fa, t0 + 50, &m, err, sizeof err) == 1);
    CHECK(story_index_expire(ix, t0 + 125, err, sizeof err) == 2); /* a and b; the cut stays */
    CHECK(story_index_find(ix, &fhead, t0 + 125, &m, err, sizeof err) == 1);
    CHECK_STR(m.record_id, id_of(2)); /* exact: its own text */
    CHECK(story_index_add(ix, &fa, "not-an-id", id_of(0), t0, err, sizeof err) == -1);
    story_index_close(ix);
    sqlite3_close(db);
    free(a);
    free(b);
    free(c);
    free(head);
}

static void test_postings(void)
{
    struct postings *p = postings_new(4);
    uint32_t docs[8];
    postings_add(p, 0x12345678, 1);
    postings_add(p, 0x12345679, 2); /* same bucket and check bits: taken as the same value */
    postings_add(p, 0x12ff5678, 3); /* same bucket, other check bits */
    postings_add(p, 0x92345678, 4); /* another bucket */
    postings_add(p, 0x12345678, 5);
    CHECK(postings_find(p, 0x12345678, docs, 8) == 3);
    CHECK(docs[0] == 5 && docs[1] == 2 && docs[2] == 1); /* newest first */
    CHECK(postings_find(p, 0x12345678, docs, 2) == 2 && docs[1] == 2);
    CHECK(postings_find(p, 0x12ff5678, docs, 8) == 1 && docs[0] == 3);
    CHECK(postings_find(p, 0x00000000, docs, 8) == 0);
    size_t before = postings_memory(p);
    postings_drop_below(p, 5);
    CHECK(postings_find(p, 0x12345678, docs, 8) == 1 && docs[0] == 5);
    CHECK(postings_find(p, 0x92345678, docs, 8) == 0);
    CHECK(postings_memory(p) < before);
    for (uint32_t doc = 6; doc < 1000; doc++) /* buckets grow */
        postings_add(p, 0x12345678, doc);
    CHECK(postings_find(p, 0x12345678, docs, 8) == 8 && docs[0] == 999 && docs[7] == 992);
    postings_free(p);

    /* a bucket told what is to come is allocated once, to size */
    p = postings_new(4);
    size_t empty = postings_memory(p);
    for (uint32_t doc = 1; doc <= 10; doc++)
        postings_expect(p, 0x12345678);
    for (uint32_t doc = 1; doc <= 10; doc++)
        postings_add(p, 0x12345678, doc);
    CHECK(postings_memory(p) == empty + 10 * (sizeof(uint32_t) + 1));
    CHECK(postings_find(p, 0x12345678, docs, 8) == 8 && docs[0] == 10);
    postings_free(p);
}

/* The tables of the earlier layout, with the postings in SQLite. */
static const char earlier_layout_sql[] =
    "CREATE TABLE story_docs (id INTEGER PRIMARY KEY, record BLOB NOT NULL, story BLOB NOT NULL,"
    " seen INTEGER NOT NULL, anchors INTEGER NOT NULL);"
    "CREATE TABLE story_postings (anchor INTEGER NOT NULL, doc INTEGER NOT NULL,"
    " PRIMARY KEY (anchor, doc DESC)) WITHOUT ROWID;"
    "CREATE TABLE story_keys (key INTEGER PRIMARY KEY, doc INTEGER NOT NULL);";

/* An article as the earlier layout stored it: ids as 16 bytes, postings and keys in rows. */
static void add_earlier(sqlite3 *db, int doc, const char *record, const char *story, int64_t seen,
                        const struct fingerprint *fp)
{
    char *sql = sqlite3_mprintf("INSERT INTO story_docs VALUES (%d, x'%q', x'%q', %lld, %d)", doc,
                                record, story, (long long)seen, (int)fp->n);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_free(sql);
    for (size_t i = 0; i < fp->n; i++) {
        sql = sqlite3_mprintf("INSERT INTO story_postings VALUES (%lld, %d)",
                              (long long)fp->anchors[i], doc);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_free(sql);
    }
    int64_t keys[] = {fp->text_key, fp->url_key};
    for (size_t i = 0; i < 2; i++)
        if (keys[i]) {
            sql = sqlite3_mprintf("INSERT INTO story_keys VALUES (%lld, %d)", (long long)keys[i],
                                  doc);
            CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
            sqlite3_free(sql);
        }
}

/* A database with the earlier layout is converted: its articles are still found. */
static void test_index_converts(void)
{
    sqlite3 *db;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, earlier_layout_sql, NULL, NULL, NULL) == SQLITE_OK);
    char *a = text_of(1, 600), *b = text_of(2, 600), *c = text_of(3, 600);
    char *head = strndup(a, strlen(a) * 6 / 10), *tail = strdup(a + strlen(a) / 2);
    struct fingerprint fa, fb, fc, fhead, ftail;
    fingerprint_compute(a, "https://a.example/1", &fa);
    fingerprint_compute(b, NULL, &fb);
    fingerprint_compute(c, NULL, &fc);
    fingerprint_compute(head, NULL, &fhead);
    fingerprint_compute(tail, NULL, &ftail);
    int64_t t0 = 1700000000;
    add_earlier(db, 1, id_of(0), id_of(0), t0, &fa);
    add_earlier(db, 2, id_of(1), id_of(1), t0 + 10, &fb);
    add_earlier(db, 3, id_of(2), id_of(0), t0 + 20, &fhead);
    /* rows of articles no longer there (an interrupted expiry) are left behind */
    CHECK(sqlite3_exec(db,
                       "INSERT INTO story_postings VALUES (5, 0), (5, 99);"
                       "INSERT INTO story_keys VALUES (12345, 99);",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct story_index *ix;
    char err[256];
    CHECK(story_index_open(db, 14 * 86400, &ix, err, sizeof err) == 1);
    struct story_match m;
    struct fingerprint same_url;
    fingerprint_compute(c, "https://a.example/1", &same_url);
    CHECK(story_index_find(ix, &same_url, t0 + 30, &m, err, sizeof err) == 1); /* URL key */
    CHECK(m.exact);
    CHECK_STR(m.record_id, id_of(0));
    CHECK(story_index_find(ix, &fb, t0 + 30, &m, err, sizeof err) == 1); /* text key */
    CHECK(m.exact);
    CHECK_STR(m.record_id, id_of(1));
    CHECK(story_index_find(ix, &ftail, t0 + 30, &m, err, sizeof err) == 1); /* anchors */
    CHECK(!m.exact);
    CHECK_STR(m.record_id, id_of(0));
    CHECK(m.similarity > 0.9);
    fingerprint_compute(head, "https://c.example/3", &fhead); /* (other keys: near only) */
    fhead.text_key = 1;
    CHECK(story_index_find(ix, &fhead, t0 + 30, &m, err, sizeof err) == 1);
    CHECK(!m.exact);
    CHECK_STR(m.story_id, id_of(0)); /* the head's row or the whole's: the story either way */
    CHECK(story_index_find(ix, &fc, t0 + 30, &m, err, sizeof err) == 0);
    story_index_close(ix);
    /* the old tables are gone; opening again finds the new one */
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db,
                             "SELECT count(*) FROM sqlite_master WHERE name IN "
                             "('story_postings', 'story_keys', 'story_docs_converted')",
                             -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);
    CHECK(story_index_open(db, 14 * 86400, &ix, err, sizeof err) == 0);
    CHECK(story_index_find(ix, &ftail, t0 + 30, &m, err, sizeof err) == 1);
    story_index_close(ix);
    sqlite3_close(db);
    free(a);
    free(b);
    free(c);
    free(head);
    free(tail);
}

/* Restart and a rolled back add, on a database file (which had the earlier layout, empty). */
static void test_index_persists(void)
{
    char path[] = "/tmp/test_stories_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, earlier_layout_sql, NULL, NULL, NULL) == SQLITE_OK);
    struct story_index *ix;
    char err[256];
    CHECK(story_index_open(db, 14 * 86400, &ix, err, sizeof err) == 1); /* (empty) converted */
    char *a = text_of(1, 600), *b = text_of(2, 600), *c = text_of(3, 600);
    char *head = strndup(a, strlen(a) * 6 / 10), *tail = strdup(a + strlen(a) / 2);
    struct fingerprint fa, fb, fc, fhead, ftail;
    fingerprint_compute(a, "https://a.example/1", &fa);
    fingerprint_compute(b, "https://b.example/2", &fb);
    fingerprint_compute(c, NULL, &fc);
    fingerprint_compute(head, NULL, &fhead);
    fingerprint_compute(tail, NULL, &ftail);
    int64_t t0 = 1700000000;
    CHECK(story_index_add(ix, &fa, id_of(0), id_of(0), t0, err, sizeof err) == 0);
    /* an add rolled back (its row id is given to the next article) leaves nothing findable */
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(story_index_add(ix, &fb, id_of(1), id_of(1), t0 + 5, err, sizeof err) == 0);
    CHECK(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(story_index_add(ix, &fc, id_of(2), id_of(2), t0 + 10, err, sizeof err) == 0);
    struct story_match m;
    CHECK(story_index_find(ix, &fb, t0 + 20, &m, err, sizeof err) == 0);
    CHECK(story_index_add(ix, &fhead, id_of(3), id_of(0), t0 + 15, err, sizeof err) == 0);
    story_index_close(ix);
    sqlite3_close(db);

    /* after a restart: the same answers, from the table alone */
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(story_index_open(db, 14 * 86400, &ix, err, sizeof err) == 0);
    CHECK(story_index_memory(ix) > 0);
    CHECK(story_index_find(ix, &fb, t0 + 20, &m, err, sizeof err) == 0);
    struct fingerprint same_url;
    fingerprint_compute(b, "https://a.example/1", &same_url);
    CHECK(story_index_find(ix, &same_url, t0 + 20, &m, err, sizeof err) == 1);
    CHECK(m.exact);
    CHECK_STR(m.record_id, id_of(0));
    CHECK(story_index_find(ix, &fc, t0 + 20, &m, err, sizeof err) == 1);
    CHECK(m.exact);
    CHECK_STR(m.record_id, id_of(2));
    CHECK(story_index_find(ix, &ftail, t0 + 20, &m, err, sizeof err) == 1); /* near */
    CHECK(!m.exact);
    CHECK_STR(m.record_id, id_of(0)); /* the whole text holds all of the tail; the head a part */
    CHECK_STR(m.story_id, id_of(0));
    CHECK(m.similarity > 0.9);
    /* the cut's row keeps the story it joined */
    fingerprint_compute(head, NULL, &fhead);
    CHECK(story_index_find(ix, &fhead, t0 + 20, &m, err, sizeof err) == 1);
    CHECK_STR(m.record_id, id_of(3));
    CHECK_STR(m.story_id, id_of(0));
    /* expiry survives a restart too */
    story_index_set_window(ix, 100);
    CHECK(story_index_expire(ix, t0 + 112, err, sizeof err) == 2); /* a and c */
    story_index_close(ix);
    CHECK(story_index_open(db, 100, &ix, err, sizeof err) == 0);
    CHECK(story_index_find(ix, &ftail, t0 + 112, &m, err, sizeof err) == 1);
    CHECK_STR(m.record_id, id_of(3)); /* only the head is left of the story */
    CHECK(story_index_find(ix, &fc, t0 + 112, &m, err, sizeof err) == 0);
    story_index_close(ix);
    sqlite3_close(db);
    remove(path);
    free(a);
    free(b);
    free(c);
    free(head);
    free(tail);
}

int main(void)
{
    RUN(test_fingerprints);
    RUN(test_postings);
    RUN(test_index);
    RUN(test_index_persists);
    RUN(test_index_converts);
    return check_summary();
}
