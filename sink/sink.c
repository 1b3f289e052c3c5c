/* sink.c: the sinks there are, the ones the configuration wants, and the calls through
 * struct sink_ops (see sink.h). */
#include "sink/sink.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include "common/util.h"
#include "sink/jetstream.h"
#include "sink/jsonl.h"
#include "sink/webhook.h"

#define LATENCY_SAMPLES_MAX (1u << 22)

static const struct sink_ops *const all_sinks[] = {&jsonl_sink_ops, &webhook_sink_ops,
                                                   &jetstream_sink_ops};

struct open_sink {
    const struct sink_ops *ops;
    void *state;
};

struct sinks {
    struct open_sink open[ARRAY_LEN(all_sinks)];
    size_t n;
    struct outbox *outbox;
    void (*on_drained)(void *ud);
    void *ud;
};

bool sinks_configured(const struct config *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++)
        if (all_sinks[i]->configured(cfg))
            return true;
    return false;
}

/* With several sinks the outbox marks records in SPOOL/new with user extended attributes
 * (outbox_open() refuses a file system without them): tried on the nearest folder of
 * SPOOL/new there is, which run would make SPOOL/new in. Other errors (a folder not
 * writable) are the spool's check. */
static void check_marks_possible(const struct config *cfg, sink_problem_fn problem, void *ud)
{
    char *path = xasprintf("%s/new", cfg->spool);
    struct stat st;
    char *slash;
    while (stat(path, &st) < 0 && errno == ENOENT && (slash = strrchr(path, '/')) && slash != path)
        *slash = '\0';
    const char *probe = "user.feedspool.check";
    if (lsetxattr(path, probe, "", 0, 0) == 0) {
        lremovexattr(path, probe);
    } else if (errno == ENOTSUP) {
        char *reason = xasprintf("%s: cannot set a user extended attribute (%s): more than one "
                                 "sink needs them to mark which sink has which record",
                                 path, strerror(errno));
        problem("spool", reason, ud);
        free(reason);
    }
    free(path);
}

void sinks_check(const struct config *cfg, sink_problem_fn problem, void *ud)
{
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++) {
        if (!all_sinks[i]->configured(cfg))
            continue;
        n++;
        if (all_sinks[i]->check)
            all_sinks[i]->check(cfg, problem, ud);
    }
    if (n > 1)
        check_marks_possible(cfg, problem, ud);
}

void sink_process_init(const struct config *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++)
        if (all_sinks[i]->configured(cfg) && all_sinks[i]->process_init)
            all_sinks[i]->process_init();
}

void sink_process_end(const struct config *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++)
        if (all_sinks[i]->configured(cfg) && all_sinks[i]->process_end)
            all_sinks[i]->process_end();
}

/* One sink drained: tell the caller when all are. */
static void on_one_drained(void *ud)
{
    struct sinks *s = ud;
    if (s->on_drained && sinks_drained(s))
        s->on_drained(s->ud);
}

int sinks_open(struct event_base *base, const struct config *cfg, void (*on_drained)(void *ud),
               void *ud, struct sinks **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!sinks_configured(cfg))
        return 0;
    struct sinks *s = xcalloc(1, sizeof *s);
    const char *names[ARRAY_LEN(all_sinks)];
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++)
        if (all_sinks[i]->configured(cfg)) {
            names[s->n] = all_sinks[i]->name;
            s->open[s->n++].ops = all_sinks[i];
        }
    s->outbox = outbox_open(cfg->spool, cfg->published == CONFIG_PUBLISHED_DELETE, names, s->n, err,
                            errlen);
    if (!s->outbox) {
        s->n = 0;
        sinks_close(s);
        return -1;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct open_sink *o = &s->open[i];
        o->state =
            o->ops->open(base, cfg, outbox_lane(s->outbox, i), on_one_drained, s, err, errlen);
        if (!o->state) {
            sinks_close(s);
            return -1;
        }
    }
    /* Only now: a sink that drains while the others open tells no one. */
    s->on_drained = on_drained;
    s->ud = ud;
    *out = s;
    return 0;
}

void sinks_record_written(struct sinks *s, const char *record_id)
{
    outbox_add(s->outbox, record_id);
    for (size_t i = 0; i < s->n; i++)
        s->open[i].ops->publish(s->open[i].state);
}

bool sinks_drained(const struct sinks *s)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!s->open[i].state || !s->open[i].ops->drained(s->open[i].state))
            return false;
    return true;
}

size_t sinks_count(const struct sinks *s)
{
    return s ? s->n : 0;
}

const struct sink_ops *sinks_ops(const struct sinks *s, size_t i)
{
    return s->open[i].ops;
}

struct sink_stats sinks_stats(const struct sinks *s, size_t i)
{
    return s->open[i].ops->stats(s->open[i].state);
}

void sinks_latency(struct sinks *s, size_t i, double *p50_ms, double *p99_ms)
{
    s->open[i].ops->latency(s->open[i].state, p50_ms, p99_ms);
}

void sinks_reopen(struct sinks *s)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->open[i].ops->reopen)
            s->open[i].ops->reopen(s->open[i].state);
}

void sinks_close(struct sinks *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->open[i].state)
            s->open[i].ops->close(s->open[i].state);
    outbox_close(s->outbox);
    free(s);
}

double sink_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sink_latency_note(struct sink_latency *l, double ms)
{
    if (l->n == l->cap) {
        if (l->cap >= LATENCY_SAMPLES_MAX) {
            l->ms[random() % l->n] = ms; /* past the cap: a random sample */
            return;
        }
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->ms = xrealloc(l->ms, l->cap * sizeof *l->ms);
    }
    l->ms[l->n++] = ms;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void sink_latency_percentiles(struct sink_latency *l, double *p50_ms, double *p99_ms)
{
    *p50_ms = *p99_ms = 0;
    if (!l->n)
        return;
    qsort(l->ms, l->n, sizeof *l->ms, by_value);
    *p50_ms = l->ms[l->n / 2];
    *p99_ms = l->ms[l->n * 99 / 100];
}

void sink_latency_free(struct sink_latency *l)
{
    free(l->ms);
    memset(l, 0, sizeof *l);
}

/* The record as one line: its bytes when they are one already (as feedspool writes them),
 * else compacted. NULL when it is not JSON. Caller frees. */
char *sink_record_line(const struct outbox_record *r, size_t *len)
{
    const char *body_end =
        r->len && r->data[r->len - 1] == '\n' ? r->data + r->len - 1 : r->data + r->len;
    if (!memchr(r->data, '\n', (size_t)(body_end - r->data))) {
        *len = (size_t)(body_end - r->data) + 1;
        char *line = xmalloc(*len + 1);
        memcpy(line, r->data, *len - 1);
        line[*len - 1] = '\n';
        line[*len] = '\0';
        return line;
    }
    json_t *json = json_loadb(r->data, r->len, 0, NULL);
    char *text = json ? json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(json);
    if (!text)
        return NULL;
    char *line = xasprintf("%s\n", text);
    free(text);
    *len = strlen(line);
    return line;
}
