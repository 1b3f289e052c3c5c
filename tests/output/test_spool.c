/* test_spool.c: records staged in tmp/ and published into new/, a staged record finished after
 * its rename, stale tmp/ cleaning, refusal of bad ids, old claims returned from cur/; batches
 * staged, published and appended to sources.jsonl, an entry failing alone. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "check.h"
#include "output/spool.h"

static char dir[] = "/tmp/feedspool-test-spool-XXXXXX";

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static int count_files(const char *sub)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A %s/%s | wc -l", dir, sub);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void path_of(char *out, size_t n, const char *sub, const char *name)
{
    snprintf(out, n, "%s/%s/%s", dir, sub, name);
}

static void test_staged_record_is_published_once(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(spool_stage(sp, "abc123", "{\"v\":1}\n", 8, err, sizeof err) == 0);
    CHECK(count_files("tmp") == 1);
    CHECK(count_files("new") == 0); /* staged: not visible yet */
    CHECK(spool_publish_staged(sp, "abc123", err, sizeof err) == 1);
    char path[256];
    path_of(path, sizeof path, "new", "abc123.json");
    CHECK_STR(slurp(path), "{\"v\":1}\n");
    CHECK(count_files("tmp") == 0);
    /* Finishing it again (a crash came before the emitted mark) finds it renamed already,
     * even when a consumer has taken it away since: nothing is written anew. */
    CHECK(unlink(path) == 0);
    CHECK(spool_publish_staged(sp, "abc123", err, sizeof err) == 0);
    CHECK(count_files("new") == 0);
    spool_close(sp);
}

static void test_ids_that_are_not_hashes_are_refused(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(spool_stage(sp, "../../etc/passwd", "x", 1, err, sizeof err) == -1);
    CHECK(spool_stage(sp, "", "x", 1, err, sizeof err) == -1);
    CHECK(spool_stage(sp, "ABC", "x", 1, err, sizeof err) == -1);
    CHECK(spool_quarantine(sp, "../x", "x", 1, err, sizeof err) == -1);
    spool_close(sp);
}

/* tmp/ is left alone at open (a staged record may be in it) and emptied on request. */
static void test_stale_tmp_files_are_removed_when_asked(void)
{
    char path[256];
    path_of(path, sizeof path, "tmp", "deadbeef.json");
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, "{\"partial", 9) == 9);
        close(fd);
    }
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(count_files("tmp") == 1);
    spool_clean_tmp(sp);
    CHECK(count_files("tmp") == 0);
    CHECK(count_files("new") == 0);
    spool_close(sp);
}

/* A claim is as old as its rename into cur/ (the file's ctime); old claims go back to new/,
 * young ones stay. */
static void test_old_claims_return_to_new(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    const char *ids[] = {"0a", "0b"};
    for (int i = 0; i < 2; i++) {
        char from[256], to[256], name[64];
        snprintf(name, sizeof name, "%s.json", ids[i]);
        CHECK(spool_stage(sp, ids[i], "{}\n", 3, err, sizeof err) == 0);
        CHECK(spool_publish_staged(sp, ids[i], err, sizeof err) == 1);
        path_of(from, sizeof from, "new", name);
        path_of(to, sizeof to, "cur", name);
        CHECK(rename(from, to) == 0);
    }
    CHECK(spool_reclaim_claims(sp, 2, err, sizeof err) == 0); /* both claims are young */
    sleep(2);
    char path[256];
    path_of(path, sizeof path, "cur", "0b.json");
    CHECK(utimensat(AT_FDCWD, path, NULL, 0) == 0); /* a consumer still at work on 0b */
    CHECK(spool_reclaim_claims(sp, 2, err, sizeof err) == 1);
    path_of(path, sizeof path, "new", "0a.json");
    CHECK(access(path, F_OK) == 0);
    CHECK(count_files("cur") == 1);
    CHECK(unlink(path) == 0);
    path_of(path, sizeof path, "cur", "0b.json");
    CHECK(unlink(path) == 0);
    spool_close(sp);
}

static void test_a_batch_is_staged_and_published_and_a_bad_entry_fails_alone(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    struct spool_batch_entry e[3] = {
        {.record_id = "b1", .data = "{\"b\":1}\n", .len = 8, .note = "{\"n\":1}"},
        {.record_id = "../b2", .data = "{\"b\":2}\n", .len = 8},
        {.record_id = "b3", .data = "{\"b\":3}\n", .len = 8},
    };
    CHECK(spool_stage_batch(sp, e, 3) == 2);
    CHECK(!e[0].failed && e[1].failed && !e[2].failed);
    CHECK(strstr(e[1].err, "invalid record id") != NULL);
    CHECK(count_files("tmp") == 2);
    CHECK(count_files("new") == 0);
    char path[256], note[64];
    path_of(path, sizeof path, "tmp", "b1.json");
    ssize_t n = getxattr(path, SPOOL_NOTE_ATTR, note, sizeof note - 1);
    if (n >= 0) { /* (a file system without user attributes: the outbox parses the record) */
        note[n] = '\0';
        CHECK_STR(note, "{\"n\":1}");
    }
    /* b3 renamed before a crash: published again, it is only found in new/. */
    char from[256];
    path_of(from, sizeof from, "tmp", "b3.json");
    path_of(path, sizeof path, "new", "b3.json");
    CHECK(rename(from, path) == 0);
    CHECK(spool_publish_batch(sp, e, 3) == 2);
    CHECK(e[0].renamed && !e[2].renamed && !e[0].failed && !e[2].failed);
    path_of(path, sizeof path, "new", "b1.json");
    CHECK_STR(slurp(path), "{\"b\":1}\n");
    CHECK(count_files("tmp") == 0);
    CHECK(count_files("new") == 2);
    spool_close(sp);
}

static void test_source_lines_are_appended_in_order(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    struct spool_batch_entry e[3] = {
        {.record_id = "s1", .data = "{\"s\":1}\n", .len = 8},
        {.record_id = "s2", .data = "{\"s\":2}\n", .len = 8, .failed = true},
        {.record_id = "s3", .data = "{\"s\":3}\n", .len = 8},
    };
    char path[256];
    snprintf(path, sizeof path, "%s/sources.jsonl", dir);
    CHECK(spool_append_sources(sp, e + 1, 1) == 0); /* nothing to append: no file made */
    CHECK(access(path, F_OK) != 0);
    CHECK(spool_append_sources(sp, e, 3) == 2);
    CHECK(spool_append_sources(sp, e + 2, 1) == 1);
    CHECK_STR(slurp(path), "{\"s\":1}\n{\"s\":3}\n{\"s\":3}\n");
    spool_close(sp);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(test_staged_record_is_published_once);
    RUN(test_ids_that_are_not_hashes_are_refused);
    RUN(test_stale_tmp_files_are_removed_when_asked);
    RUN(test_old_claims_return_to_new);
    RUN(test_a_batch_is_staged_and_published_and_a_bad_entry_fails_alone);
    RUN(test_source_lines_are_appended_in_order);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
