/* stories_bench.c: the story index at scale. Inserts N generated fingerprints (default
 * 1,000,000) into a fresh SQLite file, closes the index and opens it again (as a restart
 * does: the postings are rebuilt from the file), looks up 20,000 more (half of them copies of
 * indexed articles), expires the oldest fourteenth, and prints time per insert and per lookup,
 * the time to open, the file's bytes per article and the memory the postings hold.
 * Fingerprints are shaped like real ones: anchor counts drawn from those of 186 real articles
 * (the 181 of shared/eval/scrapinghub and the 5 seeds: mean 28.5, one in nine at the cap of
 * 64), a canonical URL each, one in ten a partial copy of an earlier one.
 * Usage: bench_stories DBFILE [N] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "stories/index.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void)
{
    uint64_t x = rng_state += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static int by_value(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Anchor counts of the real articles at the quantiles 1/64, 3/64, ... 63/64. */
static const unsigned char real_anchor_counts[32] = {2,  4,  6,  8,  10, 11, 13, 14, 16, 17, 18,
                                                     19, 20, 22, 23, 25, 27, 28, 30, 31, 33, 34,
                                                     35, 36, 39, 43, 45, 50, 64, 64, 64, 64};

/* A random fingerprint; when like is given, about 60 % of its anchors are like's. */
static void generate(struct fingerprint *fp, const struct fingerprint *like)
{
    memset(fp, 0, sizeof *fp);
    size_t n = real_anchor_counts[next_random() % 32];
    for (size_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)next_random();
        if (like && i < like->n && next_random() % 10 < 6)
            v = like->anchors[i];
        fp->anchors[fp->n++] = v ? v : 1;
    }
    qsort(fp->anchors, fp->n, sizeof *fp->anchors, by_value);
    size_t unique = 0;
    for (size_t i = 0; i < fp->n; i++)
        if (!unique || fp->anchors[unique - 1] != fp->anchors[i])
            fp->anchors[unique++] = fp->anchors[i];
    fp->n = unique;
    fp->text_key = (int64_t)(next_random() >> 1) | 1;
    fp->url_key = (int64_t)(next_random() >> 1) | 1;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void id_of(uint64_t n, char out[STORY_ID_LEN + 1])
{
    snprintf(out, STORY_ID_LEN + 1, "%016llx%016llx", (unsigned long long)n,
             (unsigned long long)(n * 0x9E3779B97F4A7C15ULL));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_stories DBFILE [N]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    remove(argv[1]);
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 1;
    /* the state database's settings (store/state.c), but for synchronous=FULL: the bench's
     * batches of 1,000 are its own */
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;",
                 NULL, NULL, NULL);
    struct story_index *ix;
    char err[256];
    if (story_index_open(db, 14L * 86400, &ix, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    enum { KEEP = 4096 };
    static struct fingerprint recent[KEEP]; /* for generating copies */
    int64_t t0 = 1800000000;
    char id[STORY_ID_LEN + 1];
    double start = now_seconds();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (long i = 0; i < n; i++) {
        struct fingerprint fp;
        bool copy = i > 0 && next_random() % 10 == 0;
        generate(&fp, copy ? &recent[next_random() % (size_t)(i < KEEP ? i : KEEP)] : NULL);
        recent[i % KEEP] = fp;
        id_of((uint64_t)i + 1, id);
        if (story_index_add(ix, &fp, id, id, t0 + i / 10, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if (i % 1000 == 999) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double inserted = now_seconds();
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    story_index_close(ix);
    double reopen_start = now_seconds();
    if (story_index_open(db, 14L * 86400, &ix, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double reopened = now_seconds();

    long lookups = 20000, found = 0;
    double lookup_start = now_seconds();
    for (long i = 0; i < lookups; i++) {
        struct fingerprint fp;
        generate(&fp, i % 2 ? &recent[next_random() % KEEP] : NULL);
        struct story_match m;
        int rc = story_index_find(ix, &fp, t0 + n / 10, &m, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        found += rc;
    }
    double looked = now_seconds();
    struct stat st;
    stat(argv[1], &st);
    size_t memory = story_index_memory(ix);
    double expire_start = now_seconds();
    long expired = story_index_expire(ix, t0 + n / 140 + 14L * 86400, err, sizeof err);
    double expired_at = now_seconds();
    story_index_close(ix);
    sqlite3_close(db);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("articles %ld: insert %.1f us/article (batches of 1000), lookup %.1f us "
           "(%ld of %ld found: the copies), index %.0f bytes/article in the file, "
           "postings %.0f bytes/article in memory (%.0f MB; peak RSS %.0f MB), "
           "open %.2f s, expiry of %ld articles %.2f s\n",
           n, (inserted - start) * 1e6 / (double)n, (looked - lookup_start) * 1e6 / (double)lookups,
           found, lookups, (double)st.st_size / (double)n, (double)memory / (double)n,
           (double)memory / 1e6, (double)usage.ru_maxrss / 1e3, reopened - reopen_start, expired,
           expired_at - expire_start);
    return expired < 0;
}
