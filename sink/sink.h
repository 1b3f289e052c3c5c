/* sink.h: where records go besides the spool, behind one interface.
 *
 * A sink delivers the records that wait in SPOOL/new/ to somewhere else (today NATS
 * JetStream, sink/jetstream.c). The spool is its outbox (output/outbox.h): a record leaves
 * new/ only once the far end has it, so a crash or an outage loses nothing. A sink is a
 * struct of callbacks (struct sink_ops); the service loop and `feedspool publish` call it
 * only through the functions below and never name a sink. sink.c knows the sinks there are
 * and which one the configuration wants. */
#ifndef FEEDSPOOL_SINK_SINK_H
#define FEEDSPOOL_SINK_SINK_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "output/outbox.h"

/* What a sink did so far, for logs and metrics. */
struct sink_stats {
    long published;           /* acknowledged by the far end (duplicates included) */
    long duplicates;          /* acknowledged as already there (a replay) */
    long refused;             /* refused for good: moved to quarantine/ */
    long resent;              /* sent again after no acknowledgement came in time */
    size_t queued, in_flight; /* waiting to be sent; sent and not yet acknowledged */
    bool connected;           /* whether the far end is reachable now */
};

struct sink_ops {
    const char *name;  /* "jetstream": in metric names */
    const char *title; /* "JetStream": in log lines */
    /* True when the configuration asks for this sink. */
    bool (*configured)(const struct config *cfg);
    /* Before any event base is made, for a sink whose library calls back from threads of
     * its own, and after the last is freed; NULL when it needs nothing. */
    void (*process_init)(void);
    void (*process_end)(void);
    /* Starts on base, sending what outbox (borrowed, it outlives the sink) hands out;
     * on_drained(ud) each time nothing is left to send or to be acknowledged. NULL with the
     * reason in err on a bad setting. */
    void *(*open)(struct event_base *base, const struct config *cfg, struct outbox *outbox,
                  void (*on_drained)(void *ud), void *ud, char *err, size_t errlen);
    /* A record was just written to new/ and added to the outbox: send it when there is room. */
    void (*publish)(void *state);
    bool (*drained)(const void *state);
    struct sink_stats (*stats)(const void *state);
    /* From reading a record out of the spool to its acknowledgement, in ms: the median and
     * the 99th percentile of those seen (0 when none). */
    void (*latency)(void *state, double *p50_ms, double *p99_ms);
    /* Stops; what was not acknowledged stays in new/ for the next start. */
    void (*close)(void *state);
};

struct sink; /* an open sink: its ops, its state and its outbox */

/* The sink the configuration asks for, or NULL when none (records stay for consumers). */
const struct sink_ops *sink_configured(const struct config *cfg);
/* Before any event base is made; sink_process_end() after the last is freed. */
void sink_process_init(const struct config *cfg);
void sink_process_end(const struct config *cfg);

/* Opens the configured sink and its outbox over cfg->spool: 0 with *out set (NULL when
 * no sink is configured), or -1 with the reason in err. */
int sink_open(struct event_base *base, const struct config *cfg, void (*on_drained)(void *ud),
              void *ud, struct sink **out, char *err, size_t errlen);
/* record_id was just written to new/. */
void sink_record_written(struct sink *s, const char *record_id);
/* Nothing queued or waiting for an acknowledgement; true for no sink (NULL). */
bool sink_drained(const struct sink *s);
struct sink_stats sink_stats(const struct sink *s);
void sink_latency(struct sink *s, double *p50_ms, double *p99_ms);
const struct sink_ops *sink_ops_of(const struct sink *s);
/* Accepts NULL. */
void sink_close(struct sink *s);

#endif
