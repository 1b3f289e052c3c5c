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
    else {
        size_t used = 0;
        for (const char *p = err; *p && used < sizeof shown - 1;) {
            if (strncmp(p, path, strlen(path)) == 0) {
                used += (size_t)snprintf(shown + used, sizeof shown - used, "FILE");
                p += strlen(path);
            } else {
                shown[used++] = *p++;
            }
        }
        shown[used] = '\0';
    }
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
    CHECK_STR(error_of("host_min_gap = 1.5s\n"),
              "FILE:1: host_min_gap: '1.5s' is not a duration (e.g. 500ms, 2s)");
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
    CHECK_STR(error_of("spool = /s\npoll_intervall = 5m\n"),
              "FILE:2: unknown option 'poll_intervall' (did you mean poll_interval?)");
    CHECK_STR(error_of("max_per_hots = 3\n"),
              "FILE:1: unknown option 'max_per_hots' (did you mean max_per_host?)");
    struct config c;
    config_init(&c);
    char buf[2048];
    CHECK(config_set(&c, "nope", "1", "--set", buf, sizeof buf) < 0);
    CHECK_STR(buf, "--set: unknown option 'nope' (`feedspool help config` lists them)");
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

/* Every line is read: each problem is listed, the good lines take effect. */
static void test_every_problem_is_listed(void)
{
    CHECK_STR(error_of("spool = /s\nmax_per_host = 0\nno equals\npoll_intervl = 5m\n"
                       "poll_interval = 2h\ncopies = all\n"),
              "FILE:2: max_per_host = 0 is outside 1..100\n"
              "FILE:3: expected 'key = value'\n"
              "FILE:4: unknown option 'poll_intervl' (did you mean poll_interval?)\n"
              "FILE:6: copies must be one of mark|first, not 'all'");
    struct config c;
    char err[1024];
    CHECK(load(&c, "max_per_host = 0\npoll_interval = 2h\n", err, sizeof err) < 0);
    CHECK(c.poll_interval == 7200);
    config_free(&c);
}

static void test_log_level_aliases_and_format(void)
{
    struct config c;
    char err[1024];
    CHECK(load(&c, "log_level = warn\nlog_format = json\n", err, sizeof err) == 0);
    CHECK(c.log_level == LOG_LEVEL_WARNING);
    CHECK(c.log_format == LOG_FORMAT_JSON);
    config_free(&c);
    CHECK(load(&c, "log_level = error\n", err, sizeof err) == 0);
    CHECK(c.log_level == LOG_LEVEL_ERR);
    CHECK(c.log_format == LOG_FORMAT_TEXT);
    config_free(&c);
    CHECK_STR(error_of("log_format = xml\n"),
              "FILE:1: log_format must be one of text|json, not 'xml'");
}

/* Paths in a file are taken from the file's folder; absolute ones, empty ones, options that
 * are not paths, and values from the command line stay as written. */
static void test_relative_paths_from_the_files_folder(void)
{
    struct config c;
    char err[1024];
    CHECK(load(&c,
               "feeds = feeds.txt\ntopics = rules/topics.json\nspool = /srv/spool\n"
               "state = ../state.db\ncredentials = \"\"\nnats_credentials = nats.creds\n"
               "user_agent = agent/1\n",
               err, sizeof err) == 0);
    const char *slash = strrchr(path, '/');
    char expected[256];
    snprintf(expected, sizeof expected, "%.*s/feeds.txt", (int)(slash - path), path);
    CHECK_STR(c.feeds, expected);
    snprintf(expected, sizeof expected, "%.*s/rules/topics.json", (int)(slash - path), path);
    CHECK_STR(c.topics, expected);
    snprintf(expected, sizeof expected, "%.*s/../state.db", (int)(slash - path), path);
    CHECK_STR(c.state, expected);
    snprintf(expected, sizeof expected, "%.*s/nats.creds", (int)(slash - path), path);
    CHECK_STR(c.nats_credentials, expected);
    CHECK_STR(c.spool, "/srv/spool");
    CHECK_STR(c.credentials, "");
    CHECK_STR(c.user_agent, "agent/1");
    CHECK(config_set(&c, "feeds", "here.txt", "--set", err, sizeof err) == 0);
    CHECK_STR(c.feeds, "here.txt");
    config_free(&c);
}

/* Where each option was set, for errors found after parsing. */
static void test_origin_of_an_option(void)
{
    struct config c;
    char err[1024];
    CHECK(load(&c, "# x\nallow_networks = 10.0.0.0/8\n", err, sizeof err) == 0);
    char expected[256];
    snprintf(expected, sizeof expected, "%s:2", path);
    CHECK_STR(config_origin(&c, "allow_networks"), expected);
    CHECK_STR(config_origin(&c, "spool"), "default");
    CHECK(config_set(&c, "spool", "/s", "--spool", err, sizeof err) == 0);
    CHECK_STR(config_origin(&c, "spool"), "--spool");
    config_free(&c);
}

/* What `run` refuses for metrics_address, refused when the file is read (so `check` too). */
static void test_metrics_address(void)
{
    CHECK_STR(error_of("metrics_address = 127.0.0.1:9184\n"), "(accepted)");
    CHECK_STR(error_of("metrics_address = ::1:9184\n"), "(accepted)");
    CHECK_STR(error_of("metrics_address = \"\"\n"), "(accepted)");
    CHECK_STR(error_of("metrics_address = 0.0.0.0:9184\n"), "(accepted)"); /* with a notice */
    CHECK_STR(error_of("metrics_address = localhost:9184\n"), "(accepted)");
    CHECK_STR(error_of("metrics_address = [::1]:9184\n"), "(accepted)");
    CHECK_STR(error_of("metrics_address = 9184\n"),
              "FILE:1: metrics_address: '9184' is not HOST:PORT");
    CHECK_STR(error_of("metrics_address = [::1:9184\n"),
              "FILE:1: metrics_address: '[::1:9184': an IPv6 address goes in brackets, [::1]:9184");
    CHECK_STR(error_of("metrics_address = 127.0.0.1:99999\n"),
              "FILE:1: metrics_address: '127.0.0.1:99999': the port must be a number from 1 to "
              "65535");
    CHECK_STR(error_of("metrics_address = 127.0.0.1:91x\n"),
              "FILE:1: metrics_address: '127.0.0.1:91x': the port must be a number from 1 to "
              "65535");
    CHECK_STR(error_of("metrics_address = 9184\n"),
              "FILE:1: metrics_address: '9184' is not HOST:PORT");
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
    CHECK_CONTAINS(text, "how much the log says: err|warning|notice|info|debug (also error|warn) "
                         "(default: info)");
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
    RUN(test_every_problem_is_listed);
    RUN(test_log_level_aliases_and_format);
    RUN(test_relative_paths_from_the_files_folder);
    RUN(test_origin_of_an_option);
    RUN(test_metrics_address);
    RUN(test_restart_only_changes);
    RUN(test_help_lists_choices);
    unlink(path);
    return check_summary();
}
