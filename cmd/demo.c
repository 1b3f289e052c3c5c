/* demo.c: `feedspool demo`: serves the bundled sample feeds and pages on 127.0.0.1
 * with the static server, runs one ingest over them on the same event loop, and
 * prints what was written. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "cmd/commands.h"
#include "cmd/state_lock.h"
#include "config/config.h"
#include "daemon/service.h"
#include "net/static_server.h"
#include "feeds/feedlist.h"

#ifndef FEEDSPOOL_DATADIR
#define FEEDSPOOL_DATADIR "/usr/share/feedspool"
#endif

struct demo_summary {
    struct buf lines;
};

static void on_demo_record(void *ud, const json_t *record)
{
    struct demo_summary *sum = ud;
    const char *title = json_string_value(json_object_get(record, "title"));
    const char *id = json_string_value(json_object_get(record, "id"));
    struct buf topics;
    buf_init(&topics, 0);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(record, "topic_ids"), i, t)
    {
        buf_append_str(&topics, i ? ", " : "");
        buf_append_str(&topics, json_string_value(t));
    }
    char *line = xasprintf("  %.12s  %-70.70s  topics: %s\n", id, title ? title : "(untitled)",
                           topics.len ? topics.data : "none");
    buf_append_str(&sum->lines, line);
    free(line);
    buf_free(&topics);
}

static const char *first_existing(const char *a, const char *b)
{
    return access(a, R_OK) == 0 ? a : b;
}

static char *read_feed_list(const struct static_server *srv, const char *path, char *err,
                            size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        set_err(err, errlen,
                "%s: cannot open (run the demo from the source folder, or pass --sample)", path);
        return NULL;
    }
    struct buf text;
    buf_init(&text, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&text, chunk, n);
    fclose(f);
    size_t len;
    char *expanded = static_server_expand(srv, text.data ? text.data : "", text.len, &len);
    buf_free(&text);
    return expanded;
}

static void on_serve_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(arg, NULL);
}

int cmd_demo(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool demo [--sample DIR] [--serve-only] [OPTIONS]\n"
               "Serves the bundled sample feeds and article pages on 127.0.0.1 and runs one\n"
               "ingest over them, then prints a summary. Records are left in ./spool/new and\n"
               "the state in ./demo-state.db unless --spool/--state say otherwise.\n"
               "  --sample DIR   folder holding feeds.txt, feeds/ and pages/ (default ./sample,\n"
               "                 else " FEEDSPOOL_DATADIR "/sample)\n"
               "  --serve-only   only serve the sample, printing its base URL, until SIGINT\n\n");
        service_print_options(stdout);
        return 0;
    }
    const char *sample =
        first_existing("sample/feeds.txt", NULL) ? "sample" : FEEDSPOOL_DATADIR "/sample";
    bool serve_only = false;
    /* Our own flags are taken out; the rest are the service's options. */
    char **rest = xcalloc((size_t)argc + 12, sizeof *rest);
    int n_rest = 0;
    rest[n_rest++] = argv[0];
    rest[n_rest++] = "--spool";
    rest[n_rest++] = "spool";
    rest[n_rest++] = "--state";
    rest[n_rest++] = "demo-state.db";
    rest[n_rest++] = "--set"; /* the demo server is local: a short gap between requests */
    rest[n_rest++] = "host_min_gap=50ms";
    rest[n_rest++] = "--set"; /* the sample's article links point at the local demo server */
    rest[n_rest++] = "allow_networks=127.0.0.1/32";
    rest[n_rest++] = "--topics";
    rest[n_rest++] =
        (char *)first_existing("topics/default-topics.json", "/etc/feedspool/topics.json");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc)
            sample = argv[++i];
        else if (strcmp(argv[i], "--serve-only") == 0)
            serve_only = true;
        else
            rest[n_rest++] = argv[i];
    }
    struct config cfg;
    char err[1024];
    int status = 2;
    struct event_base *base = event_base_new();
    struct static_server *srv = NULL;
    char *list_text = NULL;
    struct feed_list list = {0};
    int lock = -1;
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool demo: %s\n", err);
        goto done;
    }
    status = 1;
    int busy;
    lock = state_lock_take(cfg.state, cfg.spool, "demo", &busy, err, sizeof err);
    if (lock < 0) {
        fprintf(stderr, "feedspool demo: %s\n", err);
        status = busy ? CMD_EXIT_STATE_BUSY : CMD_EXIT_CANNOT_START;
        goto done;
    }
    srv = static_server_start(base, sample, 0, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "feedspool demo: %s\n", err);
        goto done;
    }
    if (serve_only) {
        printf("serving %s at %s (Ctrl-C stops)\n", sample, static_server_base_url(srv));
        fflush(stdout);
        struct event *stop = evsignal_new(base, SIGINT, on_serve_stop, base);
        struct event *term = evsignal_new(base, SIGTERM, on_serve_stop, base);
        evsignal_add(stop, NULL);
        evsignal_add(term, NULL);
        event_base_dispatch(base);
        event_free(stop);
        event_free(term);
        status = 0;
        goto done;
    }
    char *list_path = xasprintf("%s/feeds.txt", sample);
    list_text = read_feed_list(srv, list_path, err, sizeof err);
    int rc = list_text ? feedlist_parse(list_text, list_path, &list, err, sizeof err) : -1;
    free(list_path);
    if (rc < 0) {
        fprintf(stderr, "feedspool demo: %s\n", err);
        goto done;
    }
    printf("feedspool demo: serving %s at %s; ingesting %zu feeds into %s/new\n", sample,
           static_server_base_url(srv), list.n, cfg.spool);
    fflush(stdout);
    struct demo_summary sum;
    buf_init(&sum.lines, 0);
    struct pipeline_hooks hooks = {.on_record = on_demo_record, .ud = &sum};
    struct pipeline_stats stats = {0};
    struct service_params params = {.config = &cfg,
                                    .once = true,
                                    .base = base,
                                    .feeds = &list,
                                    .hooks = &hooks,
                                    .stats = &stats};
    status = service_run(&params);
    printf("\nfeeds polled: %ld ok, %ld failed\n", stats.feeds_polled, stats.feeds_failed);
    printf("new items: %ld; articles written: %ld; items given up: %ld\n", stats.items_new,
           stats.records_written, stats.items_failed);
    if (sum.lines.len)
        printf("\n%s", sum.lines.data);
    else if (stats.items_new == 0)
        printf(
            "(nothing new: every sample item is already in %s; remove it and %s to start over)\n",
            cfg.state, cfg.spool);
    printf("\nrecords: %s/new/\n", cfg.spool);
    buf_free(&sum.lines);
done:
    feedlist_free(&list);
    free(list_text);
    static_server_free(srv);
    event_base_free(base);
    config_free(&cfg);
    state_lock_release(lock);
    free(rest);
    return status;
}
