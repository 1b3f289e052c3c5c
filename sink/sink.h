/* sink.h: where records go besides the spool, behind one interface.
 *
 * A sink delivers the records that wait in SPOOL/new/ to somewhere else: a JSON Lines file
 * or stdout (sink/jsonl.c), an HTTP webhook (sink/webhook.c), NATS JetStream
 * (sink/jetstream.c). Any number of them may be configured at once; each has its own lane
 * of the spool's outbox (output/outbox.h) and goes at its own pace, and a record leaves
 * new/ only once every configured sink has it, so a crash or an outage loses nothing. A
 * sink is a struct of callbacks (struct sink_ops); the service loop and `feedspool publish`
 * call the sinks only through the functions below and never name one. sink.c knows the
 * sinks there are and which ones the configuration wants. */
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

/* A setting the sinks would refuse at start: the option and why (for `feedspool check`). */
typedef void (*sink_problem_fn)(const char *option, const char *reason, void *ud);

struct sink_ops {
    const char *name;  /* "jetstream": in metric names and as its outbox lane's name */
    const char *title; /* "JetStream": in log lines */
    /* True when the configuration asks for this sink. */
    bool (*configured)(const struct config *cfg);
    /* What open() would refuse of cfg, found without opening or making anything: problem()
     * for each; NULL when the option checks of config/config.c say it all. */
    void (*check)(const struct config *cfg, sink_problem_fn problem, void *ud);
    /* Before any event base is made, for a sink whose library calls back from threads of
     * its own, and after the last is freed; NULL when it needs nothing. */
    void (*process_init)(void);
    void (*process_end)(void);
    /* Starts on base, sending what lane (borrowed, it outlives the sink) hands out;
     * on_drained(ud) each time nothing is left to send or to be acknowledged. NULL with the
     * reason in err on a bad setting. */
    void *(*open)(struct event_base *base, const struct config *cfg, struct outbox_lane *lane,
                  void (*on_drained)(void *ud), void *ud, char *err, size_t errlen);
    /* A record was just written to new/ and added to the outbox: send it when there is room. */
    void (*publish)(void *state);
    bool (*drained)(const void *state);
    struct sink_stats (*stats)(const void *state);
    /* From reading a record out of the spool to its acknowledgement, in ms: the median and
     * the 99th percentile of those seen (0 when none). */
    void (*latency)(void *state, double *p50_ms, double *p99_ms);
    /* SIGHUP: reopen what an outside tool may have moved (a rotated file); NULL: nothing. */
    void (*reopen)(void *state);
    /* Stops; what was not acknowledged stays in new/ for the next start. */
    void (*close)(void *state);
};

/* Latency samples a sink keeps: every one up to a cap, then a random sample. */
struct sink_latency {
    double *ms;
    size_t n, cap;
};
void sink_latency_note(struct sink_latency *l, double ms);
/* The median and the 99th percentile (0 when none). */
void sink_latency_percentiles(struct sink_latency *l, double *p50_ms, double *p99_ms);
void sink_latency_free(struct sink_latency *l);
/* Record r as one line of JSON Lines: its bytes when they are one line already (as the
 * spool writes them), else compacted; with its '\n'. NULL when it is not JSON. Caller frees. */
char *sink_record_line(const struct outbox_record *r, size_t *len);
/* Seconds on the monotonic clock. */
double sink_clock(void);

struct sinks; /* the open sinks: their ops, their states and their outbox */

/* Whether the configuration asks for any sink (without one records stay for consumers). */
bool sinks_configured(const struct config *cfg);
/* What sinks_open() would refuse of cfg, found without opening anything (`feedspool
 * check`): each configured sink's check, and with several sinks whether the spool's file
 * system has user extended attributes. problem(option, reason, ud) for each. */
void sinks_check(const struct config *cfg, sink_problem_fn problem, void *ud);
/* Before any event base is made; sink_process_end() after the last is freed. */
void sink_process_init(const struct config *cfg);
void sink_process_end(const struct config *cfg);

/* Opens the configured sinks and their outbox over cfg->spool: 0 with *out set (NULL when
 * none is configured), or -1 with the reason in err. on_drained(ud) each time every sink
 * is drained. */
int sinks_open(struct event_base *base, const struct config *cfg, void (*on_drained)(void *ud),
               void *ud, struct sinks **out, char *err, size_t errlen);
/* record_id was just written to new/. */
void sinks_record_written(struct sinks *s, const char *record_id);
/* Nothing queued or waiting for an acknowledgement in any sink; true for none (NULL). */
bool sinks_drained(const struct sinks *s);
/* How many are open (0 for NULL), and the ops, figures and latency of the i-th. */
size_t sinks_count(const struct sinks *s);
const struct sink_ops *sinks_ops(const struct sinks *s, size_t i);
struct sink_stats sinks_stats(const struct sinks *s, size_t i);
void sinks_latency(struct sinks *s, size_t i, double *p50_ms, double *p99_ms);
/* SIGHUP: each sink reopens what it writes to. */
void sinks_reopen(struct sinks *s);
/* Accepts NULL. */
void sinks_close(struct sinks *s);

#endif
