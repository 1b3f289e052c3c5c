/* cmd_publish.c: `feedspool publish`: sends every record waiting in SPOOL/new/ through the
 * configured sink (sink/sink.h) without the rest of the daemon, waits for the
 * acknowledgements and prints what it did: records, rate and latency. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
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
    struct sink *sink;
    struct event *redraw;
};

/* On a terminal: the records acknowledged or refused so far, out of those waiting at start. */
static void on_redraw(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct publish_progress *pp = arg;
    struct sink_stats st = sink_stats(pp->sink);
    progress_set(&pp->line, st.published + st.refused);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_publish(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: feedspool publish [OPTIONS]\n"
               "Publishes every record waiting in the spool's new/ to NATS JetStream (the\n"
               "nats_* options), oldest first, each with its record id as Nats-Msg-Id; moves\n"
               "each to sent/ (or deletes it, published = delete) once the server has\n"
               "acknowledged it, and exits when none is left. While the server is away it\n"
               "waits for it (SIGINT or SIGTERM stop it; records stay in new/). Prints the\n"
               "count, the rate and the latency from reading a record to its acknowledgement.\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct config cfg;
    char err[1024];
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool publish: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    if (!sink_configured(&cfg)) {
        fprintf(stderr, "feedspool publish: no sink configured (set nats_servers)\n");
        config_free(&cfg);
        return 2;
    }
    log_set_level(cfg.log_level);
    sink_process_init(&cfg);
    struct event_base *base = event_base_new();
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    evsignal_add(term, NULL);
    evsignal_add(intr, NULL);
    signal(SIGPIPE, SIG_IGN);
    double started = now_seconds();
    int status = 1;
    struct sink *sink;
    if (sink_open(base, &cfg, on_drained, base, &sink, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool publish: %s\n", err);
    } else {
        struct spool_stats waiting = {0};
        spool_read_stats(cfg.spool, &waiting, err, sizeof err); /* (only for the progress line) */
        struct publish_progress pp = {.sink = sink};
        progress_start(&pp.line, "records published", waiting.new_records);
        if (pp.line.on_terminal) {
            pp.redraw = event_new(base, -1, EV_PERSIST, on_redraw, &pp);
            event_add(pp.redraw, &(struct timeval){.tv_usec = 100 * 1000});
        }
        if (!sink_drained(sink))
            event_base_dispatch(base);
        if (pp.redraw) {
            on_redraw(-1, 0, &pp);
            event_free(pp.redraw);
        }
        progress_end(&pp.line);
        double took = now_seconds() - started;
        struct sink_stats st = sink_stats(sink);
        double p50, p99;
        sink_latency(sink, &p50, &p99);
        printf("published %ld records (%ld already stored, %ld refused, %ld sent again) in %.3f s: "
               "%.0f records/s; latency p50 %.2f ms, p99 %.2f ms\n",
               st.published, st.duplicates, st.refused, st.resent, took,
               took > 0 ? (double)st.published / took : 0.0, p50, p99);
        status = sink_drained(sink) ? 0 : 1;
        sink_close(sink);
    }
    event_free(term);
    event_free(intr);
    event_base_free(base);
    sink_process_end(&cfg);
    config_free(&cfg);
    return status;
}
