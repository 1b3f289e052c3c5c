/* test_spool.c: atomic spool writes, replacement by id, stale tmp/ cleaning, refusal of bad ids. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void test_write_lands_in_new_and_replaces_itself(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(!spool_has(sp, "abc123"));
    CHECK(spool_write(sp, "abc123", "{\"v\":1}\n", 8, err, sizeof err) == 0);
    CHECK(spool_has(sp, "abc123"));
    CHECK(spool_write(sp, "abc123", "{\"v\":2}\n", 8, err, sizeof err) == 0);
    char path[256];
    snprintf(path, sizeof path, "%s/new/abc123.json", dir);
    CHECK_STR(slurp(path), "{\"v\":2}\n");
    CHECK(count_files("new") == 1);
    CHECK(count_files("tmp") == 0);
    /* A claimed record (moved to cur/) still counts as written. */
    char claimed[256];
    snprintf(claimed, sizeof claimed, "%s/cur/abc123.json", dir);
    CHECK(rename(path, claimed) == 0);
    CHECK(spool_has(sp, "abc123"));
    spool_close(sp);
}

static void test_ids_that_are_not_hashes_are_refused(void)
{
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(spool_write(sp, "../../etc/passwd", "x", 1, err, sizeof err) == -1);
    CHECK(spool_write(sp, "", "x", 1, err, sizeof err) == -1);
    CHECK(spool_write(sp, "ABC", "x", 1, err, sizeof err) == -1);
    spool_close(sp);
}

static void test_stale_tmp_files_are_removed_at_open(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/tmp/deadbeef.json", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, "{\"partial", 9) == 9);
        close(fd);
    }
    struct spool *sp;
    char err[256];
    CHECK(spool_open(dir, &sp, err, sizeof err) == 0);
    CHECK(count_files("tmp") == 0);
    CHECK(count_files("new") == 0);
    spool_close(sp);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    RUN(test_write_lands_in_new_and_replaces_itself);
    RUN(test_ids_that_are_not_hashes_are_refused);
    RUN(test_stale_tmp_files_are_removed_at_open);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
