/* jetstream.h: the JetStream sink. The spool is its outbox: every record in new/ is
 * published to a NATS JetStream stream with the record id as Nats-Msg-Id (so the server
 * drops a replayed copy), in the order the records were written, and moved to sent/ (or
 * deleted) only once the server has acknowledged it. While the server is away records
 * wait in new/; they go out when it returns. A record the stream refuses (too large for
 * it) goes to quarantine/ with a log line.
 *
 * It runs on the daemon's libevent loop through libnats' libevent adapter; libnats
 * delivers acknowledgements on its own thread, and they are handed to the loop through a
 * locked queue and an event. jetstream_threads_init() must run before the event base is
 * made. */
#ifndef FEEDSPOOL_SINK_JETSTREAM_H
#define FEEDSPOOL_SINK_JETSTREAM_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct jetstream;

struct jetstream_stats {
    long published;       /* acknowledged by the server (duplicates included) */
    long duplicates;      /* acknowledged as already stored (a replay) */
    long rejected;        /* refused by the stream: moved to quarantine/ */
    long resent;          /* sent again after no acknowledgement came in time */
    size_t queued, in_flight; /* waiting to be sent; sent and not yet acknowledged */
    bool connected;
};

/* Makes libevent usable from libnats' threads; before any event_base_new(). */
void jetstream_threads_init(void);

/* True when the configuration names NATS servers (the sink is wanted). */
bool jetstream_configured(const struct config *cfg);

/* Connects (in the background, retrying while the server is away) and queues the records
 * already in SPOOL/new/, oldest first. on_drained(ud) fires each time nothing is left to
 * publish or waiting for an acknowledgement. NULL with a message in err on a bad setting. */
struct jetstream *jetstream_start(struct event_base *base, const struct config *cfg,
                                  void (*on_drained)(void *ud), void *ud, char *err, size_t errlen);

/* A record was just written to new/: queue it. */
void jetstream_record_written(struct jetstream *js, const char *record_id);

bool jetstream_drained(const struct jetstream *js);
struct jetstream_stats jetstream_stats(const struct jetstream *js);
/* The latency from reading a record out of the spool to its acknowledgement, in ms: the
 * median and the 99th percentile of those seen (0 when none). */
void jetstream_latency(struct jetstream *js, double *p50_ms, double *p99_ms);

/* Closes the connection; unacknowledged records stay in new/ for the next start. */
void jetstream_free(struct jetstream *js);

#endif
