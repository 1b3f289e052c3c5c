/* metrics.h: the daemon's counters, and the optional HTTP endpoint that serves them.
 *
 * A view of the pipeline's counters (struct pipeline_stats). When the
 * configuration names a metrics_address (loopback, e.g. 127.0.0.1:9184),
 * libevent's evhttp serves on the daemon's own loop:
 *   /metrics  Prometheus text format: feeds by state, fetches by kind and outcome,
 *             articles written, items given up, spool depth and bytes, a fetch
 *             latency histogram, and the last success of each feed
 *   /healthz  "ok" while the event loop turns */
#ifndef FEEDSPOOL_DAEMON_METRICS_H
#define FEEDSPOOL_DAEMON_METRICS_H

#include <event2/event.h>
#include <stddef.h>

#include "sink/sink.h"
#include "ingest/pipeline.h"

struct metrics_server;

/* Listens on "HOST:PORT" (loopback addresses only) and reports on the pipeline (borrowed)
 * and the spool folder. NULL with a reason in err on failure. */
struct metrics_server *metrics_server_start(struct event_base *base, const char *address,
                                            const struct pipeline *pipeline, const char *spool_dir,
                                            char *err, size_t errlen);
/* Reports on the sink (borrowed) too. */
void metrics_server_set_sink(struct metrics_server *srv, const struct sink *sink);
void metrics_server_free(struct metrics_server *srv);

#endif
