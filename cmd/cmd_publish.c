/* cmd_publish.c: `feedspool publish`: sends every record waiting in SPOOL/new/ through the
 * configured sinks (sink/sink.h) without the rest of the daemon, waits for the
 * acknowledgements and prints what each did: records, rate and latency. --timeout bounds
 * the wait for an absent far end. */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "common/duration.h"
#include "config/config.h"
#include "common/log.h"
#include "common/progress.h"
#include "daemon/service.h"
#include "output/spool.h"
#include "sink/sink.h"

static void on_drained(void *ud)
{
    event_base_loopexit(ud, NULL);
}

static void on_signal(evutil_socket_t signo, short what, void *arg)
{
    (void)signo;
    (void)what;
    event_base_loopexit(arg, NULL);
}

struct publish_progress {
    struct progress line;
    struct sinks *sinks;
    struct event *redraw;
};

/* On a terminal: the records every sink has acknowledged or refused so far (the slowest
 * sink's count), out of those waiting at start. */
static void on_redraw(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct publish_progress *pp = arg;
    long done = -1;
    for (size_t i = 0; i < sinks_count(pp->sinks); i++) {
        struct sink_stats st = sinks_stats(pp->sinks, i);
        if (done < 0 || st.published + st.refused < done)
            done = st.published + st.refused;
    }
    progress_set(&pp->line, done < 0 ? 0 : done);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Takes --timeout DURATION (or --timeout=DURATION) out of argv, into *timeout_ms (0: none).
 * 0, or -1 with the reason in err. */
static int take_timeout(int *argc, char **argv, long *timeout_ms, char *err, size_t errlen)
{
    *timeout_ms = 0;
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < *argc)
            value = argv[++i];
        else if (strncmp(argv[i], "--timeout=", 10) == 0)
            value = argv[i] + 10;
        if (!value) {
            argv[kept++] = argv[i];
            continue;
        }
        if (duration_parse(value, DURATION_MILLISECONDS, timeout_ms) < 0 || *timeout_ms <= 0) {
            snprintf(err, errlen, "--timeout: '%s' is not a duration (30s, 5m, 500ms)", value);
            return -1;
        }
    }
    *argc = kept;
    return 0;
}

int cmd_publish(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: feedspool publish [--timeout DURATION] [OPTIONS]\n"
               "Sends every record waiting in the spool's new/ through the configured sinks\n"
               "(jsonl_file, webhook_url, nats_servers: docs/sinks.md), oldest first; moves\n"
               "each to sent/ (or deletes it, published = delete) once every sink has it, and\n"
               "exits when"
               " none is left. While a far end is away it waits for it, up to --timeout when\n"
               "given (then exits 1; records stay in new/); SIGINT or SIGTERM stop it too.\n"
               "Prints for each sink the count, the rate and the latency from reading a\n"
               "record to its acknowledgement (on stderr when jsonl_file = -).\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct config cfg;
    char err[1024];
    long timeout_ms;
    if (take_timeout(&argc, argv, &timeout_ms, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool publish: %s\n", err);
        return 2;
    }
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool publish: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    if (!sinks_configured(&cfg)) {
        fprintf(
            stderr,
            "feedspool publish: no sink configured (set jsonl_file, webhook_url or nats_servers)\n");
        config_free(&cfg);
        return 2;
    }
    log_set_level(cfg.log_level);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) { /* the webhook's */
        fprintf(stderr, "feedspool publish: cannot initialise libcurl\n");
        config_free(&cfg);
        return 1;
    }
    sink_process_init(&cfg);
    struct event_base *base = event_base_new();
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    evsignal_add(term, NULL);
    evsignal_add(intr, NULL);
    signal(SIGPIPE, SIG_IGN);
    double started = now_seconds();
    int status = 1;
    struct sinks *sinks;
    if (sinks_open(base, &cfg, on_drained, base, &sinks, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool publish: %s\n", err);
    } else {
        struct spool_stats waiting = {0};
        spool_read_stats(cfg.spool, &waiting, err, sizeof err); /* (only for the progress line) */
        struct publish_progress pp = {.sinks = sinks};
        progress_start(&pp.line, "records published", waiting.new_records);
        if (pp.line.on_terminal) {
            pp.redraw = event_new(base, -1, EV_PERSIST, on_redraw, &pp);
            event_add(pp.redraw, &(struct timeval){.tv_usec = 100 * 1000});
        }
        if (!sinks_drained(sinks)) {
            struct timeval limit = {.tv_sec = timeout_ms / 1000,
                                    .tv_usec = (timeout_ms % 1000) * 1000};
            if (timeout_ms)
                event_base_loopexit(base, &limit);
            event_base_dispatch(base);
        }
        if (pp.redraw) {
            on_redraw(-1, 0, &pp);
            event_free(pp.redraw);
        }
        progress_end(&pp.line);
        double took = now_seconds() - started;
        /* With the records on standard output, the report goes beside them. */
        FILE *report = strcmp(cfg.jsonl_file, "-") == 0 ? stderr : stdout;
        for (size_t i = 0; i < sinks_count(sinks); i++) {
            struct sink_stats st = sinks_stats(sinks, i);
            double p50, p99;
            sinks_latency(sinks, i, &p50, &p99);
            fprintf(report,
                    "%s: published %ld records (%ld already stored, %ld refused, %ld sent again) "
                    "in %.3f s: %.0f records/s; latency p50 %.2f ms, p99 %.2f ms\n",
                    sinks_ops(sinks, i)->title, st.published, st.duplicates, st.refused, st.resent,
                    took, took > 0 ? (double)st.published / took : 0.0, p50, p99);
            if (st.queued + st.in_flight)
                fprintf(stderr,
                        "feedspool publish: %s: %zu records not delivered, they stay in "
                        "new/ (%s)\n",
                        sinks_ops(sinks, i)->title, st.queued + st.in_flight,
                        st.connected ? "stopped" : "not connected");
        }
        status = sinks_drained(sinks) ? 0 : 1;
        sinks_close(sinks);
    }
    event_free(term);
    event_free(intr);
    event_base_free(base);
    sink_process_end(&cfg);
    curl_global_cleanup();
    config_free(&cfg);
    return status;
}
