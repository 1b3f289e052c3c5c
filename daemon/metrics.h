/* metrics.h: the daemon's counters, and the optional HTTP endpoint that serves them.
 *
 * A view of the pipeline's counters (struct pipeline_stats). When the
 * configuration names a metrics_address (HOST:PORT, e.g. 127.0.0.1:9184; an address other
 * than loopback is allowed with a notice about what it exposes), libevent's evhttp serves
 * on the daemon's own loop:
 *   /metrics  Prometheus text format: feeds by state, pending items, fetches by kind and
 *             outcome, fetch time histograms by kind, articles written, items given up, spool
 *             depth, bytes and oldest record's age, whether fetching is paused and why,
 *             reloads, the last success of each feed, the sink's figures and process_* ones
 *   /healthz  "ok" while the event loop turns (liveness)
 *   /readyz   "ready", or 503 with one reason a line: fetching paused, the sink
 *             unreachable, every feed failing
 *   /, /status  the HTML status page (status_page.h) */
#ifndef FEEDSPOOL_DAEMON_METRICS_H
#define FEEDSPOOL_DAEMON_METRICS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "sink/sink.h"
#include "daemon/status_page.h"
#include "ingest/pipeline.h"
#include "store/state.h"

struct metrics_server;

/* Configuration reloads (SIGHUP), kept by the service. */
struct reload_stats {
    unsigned long succeeded, failed;
    bool last_ok;           /* the last reload (or the start) took every file */
    long long last_success; /* epoch seconds of the last one that did (the start, at first) */
};

/* Listens on "HOST:PORT" and reports on the pipeline (borrowed)
 * and the spool folder. NULL with a reason in err on failure. */
struct metrics_server *metrics_server_start(struct event_base *base, const char *address,
                                            const struct pipeline *pipeline, const char *spool_dir,
                                            char *err, size_t errlen);
/* Reports on the sinks (borrowed) too. */
void metrics_server_set_sinks(struct metrics_server *srv, const struct sinks *sinks);
/* Pending items from the state database (borrowed). */
void metrics_server_set_state(struct metrics_server *srv, struct state *state);
/* Reload figures (borrowed, updated by the service). */
void metrics_server_set_reloads(struct metrics_server *srv, const struct reload_stats *reloads);
/* The recent records the status page lists (borrowed). */
void metrics_server_set_recent(struct metrics_server *srv, const struct recent_records *recent);
void metrics_server_free(struct metrics_server *srv);

#endif
