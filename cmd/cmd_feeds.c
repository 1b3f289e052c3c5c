/* cmd_feeds.c: `feedspool feeds` and `feedspool items`: what the state database says about
 * each feed and each item, as text for a person or JSON for a script. Read-only: they run
 * beside a daemon and do not take the state's lock. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "common/util.h"
#include "config/config.h"
#include "daemon/service.h"
#include "store/report.h"

/* The flags of feeds and items; the others go to service_parse_args (-c, --state, ...). */
struct report_args {
    bool json, failing;
    const char *state, *feed;
    long limit;
};

static bool is_item_state(const char *word)
{
    return strcmp(word, "failed") == 0 || strcmp(word, "pending") == 0 ||
           strcmp(word, "emitted") == 0;
}

/* Takes this command's flags out of argv; the rest (argv[0] first) into rest[*n_rest].
 * Returns 0, or -1 with the reason in err. */
static int split_args(int argc, char **argv, bool items, struct report_args *a, char **rest,
                      int *n_rest, char *err, size_t errlen)
{
    *n_rest = 0;
    rest[(*n_rest)++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (!items && strcmp(arg, "--failing") == 0) {
            a->failing = true;
        } else if (items && strcmp(arg, "--state") == 0 && i + 1 < argc &&
                   is_item_state(argv[i + 1])) {
            a->state = argv[++i]; /* any other --state value names the state database */
        } else if (items && strcmp(arg, "--feed") == 0 && i + 1 < argc) {
            a->feed = argv[++i];
        } else if (items && strcmp(arg, "--limit") == 0 && i + 1 < argc) {
            char *end;
            a->limit = strtol(argv[++i], &end, 10);
            if (*end || a->limit < 1)
                return set_err(err, errlen, "--limit takes a positive number, not '%s'", argv[i]);
        } else {
            rest[(*n_rest)++] = argv[i];
        }
    }
    rest[*n_rest] = NULL;
    return 0;
}

/* "2026-12-03T19:06:12Z", or "-" for 0. */
static const char *iso_time(int64_t t, char *out, size_t outlen)
{
    if (t <= 0)
        return "-";
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

static json_t *json_time(int64_t t)
{
    char buf[32];
    return t > 0 ? json_string(iso_time(t, buf, sizeof buf)) : json_null();
}

static json_t *json_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Opens the state the configuration names; prints why not. Returns NULL on failure. */
static struct report *open_report(const char *command, int argc, char **argv, bool items,
                                  struct report_args *a, int *status)
{
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    int n_rest;
    char err[4096];
    struct config cfg;
    struct report *r = NULL;
    *status = CMD_EXIT_USAGE;
    if (split_args(argc, argv, items, a, rest, &n_rest, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool %s: %s\n", command, err);
        free(rest);
        return NULL;
    }
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool %s: %s\n", command, err);
    } else if (report_open(cfg.state, &r, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool %s: %s\n", command, err);
        *status = CMD_EXIT_CANNOT_START;
    }
    config_free(&cfg);
    free(rest);
    return r;
}

static void print_json(json_t *value)
{
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(value);
}

static void print_feeds(const struct report_feed *feeds, size_t n, bool json)
{
    char t1[32], t2[32];
    if (json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct report_feed *f = &feeds[i];
            json_t *o = json_object();
            json_object_set_new(o, "url", json_string(f->url));
            json_object_set_new(o, "state", json_string(f->state));
            json_object_set_new(o, "errors", json_integer(f->errors));
            json_object_set_new(o, "last_status",
                                f->last_status ? json_integer(f->last_status) : json_null());
            json_object_set_new(o, "last_error", json_text(f->last_error));
            json_object_set_new(o, "last_poll", json_time(f->last_poll));
            json_object_set_new(o, "last_success", json_time(f->last_success));
            json_object_set_new(o, "next_poll", json_time(f->next_poll));
            json_object_set_new(o, "moved_to", json_text(f->moved_to));
            json_object_set_new(o, "items_seen", json_integer(f->items_seen));
            json_object_set_new(o, "items_written", json_integer(f->items_written));
            json_object_set_new(o, "items_pending", json_integer(f->items_pending));
            json_object_set_new(o, "items_failed", json_integer(f->items_failed));
            json_array_append_new(list, o);
        }
        print_json(list);
        return;
    }
    printf("%-8s %6s %6s  %-20s  %-20s  %6s %7s  %s\n", "STATE", "STATUS", "ERRORS", "LAST SUCCESS",
           "NEXT POLL", "SEEN", "WRITTEN", "URL");
    for (size_t i = 0; i < n; i++) {
        const struct report_feed *f = &feeds[i];
        char status[16] = "-";
        if (f->last_status)
            snprintf(status, sizeof status, "%ld", f->last_status);
        printf("%-8s %6s %6ld  %-20s  %-20s  %6ld %7ld  %s\n", f->state, status, f->errors,
               iso_time(f->last_success, t1, sizeof t1), iso_time(f->next_poll, t2, sizeof t2),
               f->items_seen, f->items_written, f->url);
        if (f->last_error)
            printf("         error: %s\n", f->last_error);
        if (f->moved_to)
            printf("         moved to: %s\n", f->moved_to);
    }
}

int cmd_feeds(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool feeds [--json] [--failing] [OPTIONS]\n"
               "Lists each feed the state database knows: its state (ok, failing, gone, new),\n"
               "the last poll's HTTP status and error, consecutive errors, last success, next\n"
               "poll (UTC), and its items seen and written. Read-only: safe beside `run`.\n"
               "  --json      one JSON array of objects instead of the table\n"
               "  --failing   only the feeds whose last polls failed, or that are gone\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct report_args a = {0};
    int status;
    struct report *r = open_report("feeds", argc, argv, false, &a, &status);
    if (!r)
        return status;
    struct report_feed *feeds;
    size_t n;
    char err[512];
    status = CMD_EXIT_OK;
    if (report_feeds(r, a.failing, &feeds, &n, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool feeds: %s\n", err);
        status = CMD_EXIT_CANNOT_START;
    } else {
        print_feeds(feeds, n, a.json);
        report_feeds_free(feeds, n);
    }
    report_close(r);
    return status;
}

static void print_items(const struct report_item *items, size_t n, bool json)
{
    char t1[32];
    if (json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct report_item *it = &items[i];
            json_t *o = json_object();
            json_object_set_new(o, "key", json_string(it->key));
            json_object_set_new(o, "record_id", json_string(it->record_id));
            json_object_set_new(o, "feed", json_string(it->feed_url));
            json_object_set_new(o, "state", json_string(it->state));
            json_object_set_new(o, "link", json_text(it->link));
            json_object_set_new(o, "title", json_text(it->title));
            json_object_set_new(o, "attempts", json_integer(it->attempts));
            json_object_set_new(o, "last_error", json_text(it->last_error));
            json_object_set_new(o, "first_seen", json_time(it->first_seen));
            json_object_set_new(o, "next_attempt", json_time(it->next_attempt));
            json_object_set_new(o, "finished", json_time(it->finished));
            json_array_append_new(list, o);
        }
        print_json(list);
        return;
    }
    printf("%-8s %8s  %-20s  %s\n", "STATE", "ATTEMPTS", "FIRST SEEN", "LINK (or key) / FEED");
    for (size_t i = 0; i < n; i++) {
        const struct report_item *it = &items[i];
        printf("%-8s %8ld  %-20s  %s\n", it->state, it->attempts,
               iso_time(it->first_seen, t1, sizeof t1), it->link ? it->link : it->key);
        printf("         feed: %s\n", it->feed_url);
        if (it->last_error)
            printf("         error: %s\n", it->last_error);
    }
}

int cmd_items(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool items [--state failed|pending|emitted] [--feed URL] [--json]\n"
               "                       [--limit N] [OPTIONS]\n"
               "Lists the items of the state database, newest first: state, attempts, first\n"
               "seen (UTC), link, feed and last error. Read-only: safe beside `run`.\n"
               "  --state S   only items in state S (any other value of --state is the state\n"
               "              database, as for every command; write ./failed for a file so named)\n"
               "  --feed URL  only the items of this feed, as the feed list writes it\n"
               "  --json      one JSON array of objects instead of the table\n"
               "  --limit N   at most N items\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct report_args a = {0};
    int status;
    struct report *r = open_report("items", argc, argv, true, &a, &status);
    if (!r)
        return status;
    struct report_item_filter filter = {.state = a.state, .feed_url = a.feed, .limit = a.limit};
    struct report_item *items;
    size_t n;
    char err[512];
    status = CMD_EXIT_OK;
    if (report_items(r, &filter, &items, &n, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool items: %s\n", err);
        status = CMD_EXIT_CANNOT_START;
    } else {
        print_items(items, n, a.json);
        report_items_free(items, n);
    }
    report_close(r);
    return status;
}
