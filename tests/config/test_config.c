/* test_config.c: the option table and its parser: defaults, every kind of option read from a
 * real file, errors as FILE:LINE: reason, unknown options, restart-only changes, the help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"

static char path[] = "/tmp/feedspool-test-config-XXXXXX";

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* Loads text over the defaults; returns config_load's result, the reason in err. */
static int load(struct config *c, const char *text, char *err, size_t errlen)
{
    config_init(c);
    write_file(text);
    return config_load(c, path, err, errlen);
}

/* The error for a file holding text, with the path replaced by "FILE". */
static const char *error_of(const char *text)
{
    static char shown[1200];
    char err[1024] = "";
    struct config c;
    if (load(&c, text, err, sizeof err) == 0)
        snprintf(shown, sizeof shown, "(accepted)");
    else if (strncmp(err, path, strlen(path)) == 0)
        snprintf(shown, sizeof shown, "FILE%s", err + strlen(path));
    else
        snprintf(shown, sizeof shown, "%s", err);
    config_free(&c);
    return shown;
}

static void test_defaults(void)
{
    struct config c;
    config_init(&c);
    CHECK(c.poll_interval == 15 * 60);
    CHECK(c.host_min_gap == 1000);
    CHECK(c.max_body == 10L * 1024 * 1024);
    CHECK(c.log_level == LOG_LEVEL_INFO);
    CHECK(c.published == CONFIG_PUBLISHED_MOVE);
    CHECK(c.copies == CONFIG_COPIES_MARK);
    CHECK(c.fetch_pages);
    CHECK_STR(c.spool, "/var/lib/feedspool/spool");
    CHECK_STR(c.shard, "");
    config_free(&c);
}

/* One option of each kind, with comments, blank lines, spaces and quotes around values. */
static void test_every_kind_from_a_file(void)
{
    struct config c;
    char err[1024];
    int rc = load(&c,
                  "# a comment line\n"
                  "\n"
                  "spool = /srv/spool   # string, trailing comment\n"
                  "user_agent = \"quoted agent/1.0\"\n"
                  "shard = 2/3\n"
                  "max_transfers=12\n"
                  "poll_interval = 2h\n"
                  "retry_delay = 90\n"
                  "story_window = 3d\n"
                  "host_min_gap = 250ms\n"
                  "max_body = 512K\n"
                  "spool_max_bytes = 2G\n"
                  "fetch_pages = no\n"
                  "log_level = debug\n"
                  "published = delete\n"
                  "copies = first\n",
                  err, sizeof err);
    CHECK(rc == 0);
    if (rc < 0)
        fprintf(stderr, "  %s\n", err);
    CHECK_STR(c.spool, "/srv/spool");
    CHECK_STR(c.user_agent, "quoted agent/1.0");
    CHECK_STR(c.shard, "2/3");
    CHECK(c.max_transfers == 12);
    CHECK(c.poll_interval == 7200);
    CHECK(c.retry_delay == 90);
    CHECK(c.story_window == 3 * 86400);
    CHECK(c.host_min_gap == 250);
    CHECK(c.max_body == 512 * 1024);
    CHECK(c.spool_max_bytes == 2L * 1024 * 1024 * 1024);
    CHECK(!c.fetch_pages);
    CHECK(c.log_level == LOG_LEVEL_DEBUG);
    CHECK(c.published == CONFIG_PUBLISHED_DELETE);
    CHECK(c.copies == CONFIG_COPIES_FIRST);
    config_free(&c);
}

static void test_milliseconds_take_seconds_too(void)
{
    struct config c;
    char err[1024];
    CHECK(load(&c, "host_min_gap = 2s\n", err, sizeof err) == 0);
    CHECK(c.host_min_gap == 2000);
    config_free(&c);
}

/* A later file or --set overrides what an earlier one set; untouched options stay. */
static void test_reads_over_current_values(void)
{
    struct config c;
    char err[1024];
    CHECK(load(&c, "max_transfers = 7\nlog_level = warning\n", err, sizeof err) == 0);
    write_file("log_level = err\n");
    CHECK(config_load(&c, path, err, sizeof err) == 0);
    CHECK(c.max_transfers == 7);
    CHECK(c.log_level == LOG_LEVEL_ERR);
    CHECK(config_set(&c, "max_transfers", "9", "--set", err, sizeof err) == 0);
    CHECK(c.max_transfers == 9);
    config_free(&c);
}

static void test_errors_name_file_and_line(void)
{
    CHECK_STR(error_of("# fine\nspool = /s\nno equals sign here\n"),
              "FILE:3: expected 'key = value'");
    CHECK_STR(error_of("\n\npoll_interval = soon\n"),
              "FILE:3: poll_interval: 'soon' is not a duration (e.g. 30s, 15m, 2h)");
    CHECK_STR(error_of("host_min_gap = 1m\n"),
              "FILE:1: host_min_gap: '1m' is not a duration (e.g. 500ms, 2s)");
    CHECK_STR(error_of("max_body = 10X\n"),
              "FILE:1: max_body: '10X' is not a size (e.g. 512K, 10M)");
    CHECK_STR(error_of("max_transfers = -1\n"),
              "FILE:1: max_transfers: '-1' is not a whole number");
    CHECK_STR(error_of("max_transfers = 0\n"), "FILE:1: max_transfers = 0 is outside 1..10000");
    CHECK_STR(error_of("copies = all\n"), "FILE:1: copies must be one of mark|first, not 'all'");
    CHECK_STR(error_of("fetch_pages = true\n"),
              "FILE:1: fetch_pages must be one of yes|no, not 'true'");
    CHECK_STR(error_of("log_level = verbose\n"),
              "FILE:1: log_level must be one of err|warning|notice|info|debug, not 'verbose'");
    CHECK_CONTAINS(error_of("shard = 4/3\n"), "FILE:1: shard: ");
}

static void test_unknown_option(void)
{
    const char *err = error_of("spool = /s\npoll_intervall = 5m\n");
    CHECK_CONTAINS(err, "FILE:2: unknown option 'poll_intervall' (known: feeds, topics, ");
    CHECK_CONTAINS(err, "poll_interval");
    struct config c;
    config_init(&c);
    char buf[2048];
    CHECK(config_set(&c, "nope", "1", "--set", buf, sizeof buf) < 0);
    CHECK(strncmp(buf, "--set: unknown option 'nope'", 28) == 0);
    config_free(&c);
}

/* A refused line leaves the option as it was. */
static void test_refused_value_keeps_the_old(void)
{
    struct config c;
    config_init(&c);
    char err[1024];
    CHECK(config_set(&c, "copies", "all", "--set", err, sizeof err) < 0);
    CHECK(c.copies == CONFIG_COPIES_MARK);
    CHECK(config_set(&c, "poll_interval", "0", "--set", err, sizeof err) < 0);
    CHECK(c.poll_interval == 15 * 60);
    config_free(&c);
}

static void test_missing_file(void)
{
    struct config c;
    config_init(&c);
    char err[1024];
    CHECK(config_load(&c, "/nonexistent/feedspool.conf", err, sizeof err) < 0);
    CHECK_CONTAINS(err, "/nonexistent/feedspool.conf: cannot open: ");
    config_free(&c);
}

static void test_restart_only_changes(void)
{
    struct config a, b;
    config_init(&a);
    config_init(&b);
    CHECK(config_restart_only_changes(&a, &b) == NULL);
    char err[1024];
    CHECK(config_set(&b, "poll_interval", "1h", "t", err, sizeof err) == 0); /* applies live */
    CHECK(config_set(&b, "copies", "first", "t", err, sizeof err) == 0);     /* applies live */
    CHECK(config_restart_only_changes(&a, &b) == NULL);
    CHECK(config_set(&b, "spool", "/elsewhere", "t", err, sizeof err) == 0);
    CHECK(config_set(&b, "fetch_pages", "no", "t", err, sizeof err) == 0);
    CHECK(config_set(&b, "published", "delete", "t", err, sizeof err) == 0);
    CHECK(config_set(&b, "max_body", "1M", "t", err, sizeof err) == 0);
    char *names = config_restart_only_changes(&a, &b);
    CHECK_STR(names, "spool, published, max_body, fetch_pages");
    free(names);
    config_free(&a);
    config_free(&b);
}

static void test_help_lists_choices(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    config_print_help(out);
    fclose(out);
    CHECK_CONTAINS(text, "how much the log says: err|warning|notice|info|debug (default: info)");
    CHECK_CONTAINS(text, "no record written: yes|no (default: yes); read at start only");
    CHECK_CONTAINS(text, "sources.jsonl: mark|first (default: mark)");
    CHECK_CONTAINS(text, "  poll_interval     default time between polls of a feed (default: 15m)");
    free(text);
}

int main(void)
{
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    RUN(test_defaults);
    RUN(test_every_kind_from_a_file);
    RUN(test_milliseconds_take_seconds_too);
    RUN(test_reads_over_current_values);
    RUN(test_errors_name_file_and_line);
    RUN(test_unknown_option);
    RUN(test_refused_value_keeps_the_old);
    RUN(test_missing_file);
    RUN(test_restart_only_changes);
    RUN(test_help_lists_choices);
    unlink(path);
    return check_summary();
}
