/* sink.c: the sinks there are, the one the configuration wants, and the calls through
 * struct sink_ops (see sink.h). */
#include "sink/sink.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "sink/jetstream.h"

static const struct sink_ops *const all_sinks[] = {&jetstream_sink_ops};

struct sink {
    const struct sink_ops *ops;
    void *state;
    struct outbox *outbox;
};

const struct sink_ops *sink_configured(const struct config *cfg)
{
    for (size_t i = 0; i < ARRAY_LEN(all_sinks); i++)
        if (all_sinks[i]->configured(cfg))
            return all_sinks[i];
    return NULL;
}

void sink_process_init(const struct config *cfg)
{
    const struct sink_ops *ops = sink_configured(cfg);
    if (ops && ops->process_init)
        ops->process_init();
}

void sink_process_end(const struct config *cfg)
{
    const struct sink_ops *ops = sink_configured(cfg);
    if (ops && ops->process_end)
        ops->process_end();
}

int sink_open(struct event_base *base, const struct config *cfg, void (*on_drained)(void *ud),
              void *ud, struct sink **out, char *err, size_t errlen)
{
    *out = NULL;
    const struct sink_ops *ops = sink_configured(cfg);
    if (!ops)
        return 0;
    struct sink *s = xcalloc(1, sizeof *s);
    s->ops = ops;
    s->outbox = outbox_open(cfg->spool, cfg->published == CONFIG_PUBLISHED_DELETE, err, errlen);
    if (!s->outbox || !(s->state = ops->open(base, cfg, s->outbox, on_drained, ud, err, errlen))) {
        sink_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void sink_record_written(struct sink *s, const char *record_id)
{
    outbox_add(s->outbox, record_id);
    s->ops->publish(s->state);
}

bool sink_drained(const struct sink *s)
{
    return !s || s->ops->drained(s->state);
}

struct sink_stats sink_stats(const struct sink *s)
{
    return s->ops->stats(s->state);
}

void sink_latency(struct sink *s, double *p50_ms, double *p99_ms)
{
    s->ops->latency(s->state, p50_ms, p99_ms);
}

const struct sink_ops *sink_ops_of(const struct sink *s)
{
    return s->ops;
}

void sink_close(struct sink *s)
{
    if (!s)
        return;
    if (s->state)
        s->ops->close(s->state);
    outbox_close(s->outbox);
    free(s);
}
