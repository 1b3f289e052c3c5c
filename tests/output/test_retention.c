/* test_retention.c: a pass of retention_prune on a real spool folder: sent/ and quarantine/
 * by age and by count (oldest first), records in new/ and cur/ never touched however old,
 * sources.jsonl rotated at its size with the oldest rotated files dropped, and the disk
 * budget taking sent/ first, then rotated sources, then quarantine/, down to 90%, saying
 * when only undeliverable data is left over it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "common/util.h"
#include "output/retention.h"
#include "output/spool.h"

static char dir[] = "/tmp/feedspool-test-retention-XXXXXX";
static const time_t now = 2000000000;
static long long unit; /* what a file of 8192 bytes occupies here */

/* Writes SUB/NAME of size bytes, last modified `age` seconds before now. */
static void put(const char *sub, const char *name, size_t size, long age)
{
    char *path = *sub ? xasprintf("%s/%s/%s", dir, sub, name) : xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    char *data = xcalloc(1, size + 1);
    memset(data, 'x', size);
    fwrite(data, 1, size, f);
    fclose(f);
    free(data);
    struct timespec times[2] = {{.tv_sec = now - age}, {.tv_sec = now - age}};
    CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
    free(path);
}

static bool exists(const char *sub, const char *name)
{
    char *path = *sub ? xasprintf("%s/%s/%s", dir, sub, name) : xasprintf("%s/%s", dir, name);
    struct stat st;
    bool there = stat(path, &st) == 0;
    free(path);
    return there;
}

static long count(const char *sub)
{
    char *cmd = xasprintf("ls -A %s/%s | wc -l", dir, sub);
    FILE *p = popen(cmd, "r");
    long n = -1;
    if (p && fscanf(p, "%ld", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    free(cmd);
    return n;
}

static void empty_spool(void)
{
    char *cmd = xasprintf("rm -rf %s/* && mkdir %s/sent", dir, dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    spool_close(sp);
}

static void test_age_and_count(void)
{
    empty_spool();
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "s%d.json", i);
        put("sent", name, 100, i * 1000L);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "q%d.json", i);
        put("quarantine", name, 100, i * 10L);
    }
    put("new", "waiting.json", 100, 365L * 86400);
    put("cur", "claimed.json", 100, 365L * 86400);
    struct retention_limits lim = {
        .sent_max_age = 3500, .quarantine_max_files = 3, .sources_max_files = 5};
    struct retention_report r;
    char err[256];
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_SENT] == 6); /* s4..s9: 4000 s old and more */
    CHECK(exists("sent", "s3.json") && !exists("sent", "s4.json"));
    CHECK(r.removed[RETENTION_QUARANTINE] == 2); /* the two oldest */
    CHECK(exists("quarantine", "q2.json") && !exists("quarantine", "q3.json"));
    CHECK(r.removed[RETENTION_SOURCES] == 0);
    CHECK(!r.over_budget);
    /* A count on top: the oldest go. */
    lim.sent_max_files = 2;
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_SENT] == 2);
    CHECK(exists("sent", "s0.json") && exists("sent", "s1.json") && count("sent") == 2);
    CHECK(r.removed_bytes[RETENTION_SENT] > 0);
    /* No limits: nothing goes; new/ and cur/ never do. */
    struct retention_limits none = {.sources_max_files = 5};
    CHECK(retention_prune(dir, &none, now + 10L * 365 * 86400, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_SENT] + r.removed[RETENTION_QUARANTINE] == 0);
    CHECK(exists("new", "waiting.json") && exists("cur", "claimed.json"));
}

static void test_sources_rotation(void)
{
    empty_spool();
    put("", "sources.jsonl", 100, 0);
    put("", "sources.jsonl.1", 100, 100);
    put("", "sources.jsonl.2", 100, 200);
    put("", "sources.jsonl.x", 100, 0); /* not ours: left alone */
    struct retention_limits lim = {.sources_max_bytes = 50, .sources_max_files = 2};
    struct retention_report r;
    char err[256];
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.rotated);
    CHECK(!exists("", "sources.jsonl")); /* the next copy listed starts it again */
    CHECK(exists("", "sources.jsonl.1") && exists("", "sources.jsonl.2"));
    CHECK(!exists("", "sources.jsonl.3")); /* the old .2, one past sources_max_files */
    CHECK(r.removed[RETENTION_SOURCES] == 1);
    CHECK(exists("", "sources.jsonl.x"));
    /* Under its size: not rotated; a rotated file past sources_max_age goes. */
    put("", "sources.jsonl", 10, 0);
    lim.sources_max_age = 50; /* the old .1, now .2, is 100 s old */
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(!r.rotated && exists("", "sources.jsonl"));
    CHECK(exists("", "sources.jsonl.1") && !exists("", "sources.jsonl.2"));
}

static void test_budget(void)
{
    empty_spool();
    char name[32];
    put("new", "n0.json", 8192, 0);
    put("new", "n1.json", 8192, 0);
    put("cur", "c0.json", 8192, 0);
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "s%d.json", i);
        put("sent", name, 8192, 100 + i); /* s4 is the oldest */
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "q%d.json", i);
        put("quarantine", name, 8192, 1000 - i); /* older than every sent one */
    }
    put("", "sources.jsonl.1", 8192, 5000);
    /* 12 units held; a budget of 10: down to 9, the three oldest of sent/ only. */
    struct retention_limits lim = {.sources_max_files = 5, .disk_budget = 10 * unit};
    struct retention_report r;
    char err[256];
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_SENT] == 3);
    CHECK(exists("sent", "s0.json") && exists("sent", "s1.json") && !exists("sent", "s2.json"));
    CHECK(r.removed[RETENTION_SOURCES] + r.removed[RETENTION_QUARANTINE] == 0);
    CHECK(r.disk_bytes == 9 * unit);
    CHECK(r.undeletable == 3 * unit);
    CHECK(!r.over_budget);
    /* A budget of 6 (down to 5.4): sent/ emptied, then the rotated sources, then one of
     * quarantine/ (the oldest). */
    lim.disk_budget = 6 * unit;
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_SENT] == 2 && r.removed[RETENTION_SOURCES] == 1);
    CHECK(r.removed[RETENTION_QUARANTINE] == 1 && !exists("quarantine", "q0.json"));
    CHECK(count("sent") == 0 && !exists("", "sources.jsonl.1"));
    CHECK(r.disk_bytes == 5 * unit && !r.over_budget);
    /* Under what new/ and cur/ hold: everything removable goes, and that is not enough. */
    lim.disk_budget = 2 * unit;
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(r.removed[RETENTION_QUARANTINE] == 2 && count("quarantine") == 0);
    CHECK(r.over_budget && r.disk_bytes == 3 * unit);
    CHECK(count("new") == 2 && count("cur") == 1);
    /* The consumers take a record: under the budget again. */
    char *claimed = xasprintf("%s/cur/c0.json", dir);
    unlink(claimed);
    free(claimed);
    CHECK(retention_prune(dir, &lim, now, &r, err, sizeof err) == 0);
    CHECK(!r.over_budget && r.disk_bytes == 2 * unit);
}

static void test_missing_folder(void)
{
    struct retention_limits lim = {0};
    struct retention_report r;
    char err[256];
    CHECK(retention_prune("/nonexistent/feedspool-spool", &lim, now, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "/nonexistent/feedspool-spool");
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    empty_spool();
    put("", "probe", 8192, 0);
    char *probe = xasprintf("%s/probe", dir);
    struct stat st;
    CHECK(stat(probe, &st) == 0);
    unit = (long long)st.st_blocks * 512;
    unlink(probe);
    free(probe);
    RUN(test_age_and_count);
    RUN(test_sources_rotation);
    RUN(test_budget);
    RUN(test_missing_folder);
    char *cmd = xasprintf("rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    return check_summary();
}
