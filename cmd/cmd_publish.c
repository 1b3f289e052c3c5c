/* cmd_publish.c: `feedspool publish`: sends every record waiting in SPOOL/new/ to JetStream
 * (the sink of sink/jetstream.c without the rest of the daemon), waits for the server's
 * acknowledgements and prints what it did: records, rate and latency. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/commands.h"
#include "config/config.h"
#include "sink/jetstream.h"
#include "common/log.h"
#include "daemon/service.h"

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
    if (!jetstream_configured(&cfg)) {
        fprintf(stderr, "feedspool publish: no NATS servers configured (set nats_servers)\n");
        config_free(&cfg);
        return 2;
    }
    log_set_level(cfg.log_level);
    jetstream_threads_init();
    struct event_base *base = event_base_new();
    struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
    struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
    evsignal_add(term, NULL);
    evsignal_add(intr, NULL);
    signal(SIGPIPE, SIG_IGN);
    double started = now_seconds();
    int status = 1;
    struct jetstream *js = jetstream_start(base, &cfg, on_drained, base, err, sizeof err);
    if (!js) {
        fprintf(stderr, "feedspool publish: %s\n", err);
    } else {
        if (!jetstream_drained(js))
            event_base_dispatch(base);
        double took = now_seconds() - started;
        struct jetstream_stats st = jetstream_stats(js);
        double p50, p99;
        jetstream_latency(js, &p50, &p99);
        printf("published %ld records (%ld already stored, %ld refused, %ld sent again) in %.3f s: "
               "%.0f records/s; latency p50 %.2f ms, p99 %.2f ms\n",
               st.published, st.duplicates, st.rejected, st.resent, took,
               took > 0 ? (double)st.published / took : 0.0, p50, p99);
        status = jetstream_drained(js) ? 0 : 1;
        jetstream_free(js);
    }
    event_free(term);
    event_free(intr);
    event_base_free(base);
    libevent_global_shutdown(); /* the locks jetstream_threads_init() made */
    config_free(&cfg);
    return status;
}
