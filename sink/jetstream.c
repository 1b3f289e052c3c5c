/* jetstream.c: the JetStream sink (see jetstream.h). */
#include "sink/jetstream.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>
/* The adapter header defines its functions: this is the one file that includes it. */
#include <nats/adapters/libevent.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"

#define ID_MAX (OUTBOX_ID_MAX + 1)
#define ACK_WAIT_MS 5000 /* no acknowledgement by then: send again (the server dedupes) */
#define LATENCY_SAMPLES_MAX (1u << 22)

struct in_flight {
    char id[ID_MAX];
    double sent_at; /* seconds, monotonic, when the record was read and handed to libnats */
    bool answered;  /* acknowledged or refused: leaves the list when all before it have */
};

enum ack_outcome { ACK_STORED, ACK_REFUSED, ACK_FAILED };

struct ack {
    char id[ID_MAX];
    enum ack_outcome outcome;
    bool duplicate;
    char why[200];
};

struct jetstream {
    char *servers, *subject_template, *stream;
    struct outbox *outbox; /* borrowed: hands out records, moves them on */
    long max_in_flight;
    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    struct in_flight *flight; /* published, in the order sent, from flight_head on; */
    size_t flight_head, flight_end, flight_cap; /* answered ones linger until the head passes */
    size_t flight_len;                          /* how many are not answered yet */
    pthread_mutex_t lock; /* guards acks and connection_news: libnats threads write them */
    struct ack *acks;
    size_t n_acks, cap_acks;
    bool connection_news;
    struct event *wake, *tick;
    bool connected, was_connected;
    unsigned failures; /* publishes refused in a row (no stream, stream full...) */
    double resume_at;  /* after refusals, nothing is sent before this (monotonic s) */
    void (*on_drained)(void *ud);
    void *ud;
    struct sink_stats stats;
    double *latency_ms;
    size_t n_latency, cap_latency;
};

static void process_init(void)
{
    natsLibevent_Init();
}

static void process_end(void)
{
    libevent_global_shutdown(); /* the locks natsLibevent_Init() made libevent take */
}

static bool configured(const struct config *cfg)
{
    return cfg->nats_servers && *cfg->nats_servers;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- from libnats' threads ---- */

static void post_ack(struct jetstream *js, const struct ack *a)
{
    pthread_mutex_lock(&js->lock);
    if (js->n_acks == js->cap_acks) {
        js->cap_acks = js->cap_acks ? js->cap_acks * 2 : 256;
        js->acks = xrealloc(js->acks, js->cap_acks * sizeof *js->acks);
    }
    js->acks[js->n_acks++] = *a;
    bool first = js->n_acks == 1; /* the loop takes the whole batch when it wakes */
    pthread_mutex_unlock(&js->lock);
    if (first)
        event_active(js->wake, EV_READ, 0);
}

static void on_ack(jsCtx *ctx, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    (void)ctx;
    struct jetstream *js = closure;
    struct ack a = {.outcome = ACK_STORED};
    const char *id = NULL;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id)
        snprintf(a.id, sizeof a.id, "%s", id);
    if (pa) {
        a.duplicate = pa->Duplicate;
    } else if (pae) {
        /* Refusals by the stream itself are final; anything else is worth another try. */
        a.outcome = pae->ErrCode == JSStreamMessageExceedsMaximumErr ? ACK_REFUSED : ACK_FAILED;
        snprintf(a.why, sizeof a.why, "%s (error %d)",
                 pae->ErrText ? pae->ErrText : natsStatus_GetText(pae->Err), (int)pae->ErrCode);
    }
    natsMsg_Destroy(msg);
    if (a.id[0])
        post_ack(js, &a);
}

static void on_connection_change(natsConnection *nc, void *closure)
{
    (void)nc;
    struct jetstream *js = closure;
    pthread_mutex_lock(&js->lock);
    js->connection_news = true;
    pthread_mutex_unlock(&js->lock);
    event_active(js->wake, EV_READ, 0);
}

/* ---- on the loop ---- */

/* The subject for a record: the template with <topic> replaced by its first topic (or
 * "none"). */
static char *subject_for(const struct jetstream *js, const struct outbox_record *r)
{
    const char *first = r->n_topics ? r->topics[0] : "none";
    const char *mark = strstr(js->subject_template, "<topic>");
    return mark ? xasprintf("%.*s%s%s", (int)(mark - js->subject_template), js->subject_template,
                            first, mark + strlen("<topic>"))
                : xstrdup(js->subject_template);
}

/* The record's topics, comma-separated (empty without any). Caller frees. */
static char *topics_header(const struct outbox_record *r)
{
    struct buf csv;
    buf_init(&csv, 0);
    for (size_t i = 0; i < r->n_topics; i++) {
        buf_append_str(&csv, i ? "," : "");
        buf_append_str(&csv, r->topics[i]);
    }
    return buf_steal(&csv);
}

static void refused(struct jetstream *js, const char *id)
{
    char err[512];
    if (outbox_refused(js->outbox, id, err, sizeof err) < 0)
        log_err("%s", err);
    js->stats.refused++;
}

static void track_in_flight(struct jetstream *js, const char *id, double sent_at)
{
    if (js->flight_end == js->flight_cap) {
        if (js->flight_head > js->flight_cap / 2) {
            memmove(js->flight, js->flight + js->flight_head,
                    (js->flight_end - js->flight_head) * sizeof *js->flight);
            js->flight_end -= js->flight_head;
            js->flight_head = 0;
        } else {
            js->flight_cap = js->flight_cap ? js->flight_cap * 2 : 256;
            js->flight = xrealloc(js->flight, js->flight_cap * sizeof *js->flight);
        }
    }
    struct in_flight *f = &js->flight[js->flight_end++];
    snprintf(f->id, sizeof f->id, "%s", id);
    f->sent_at = sent_at;
    f->answered = false;
    js->flight_len++;
}

/* Sends queued records while the connection is up and the window has room. */
static void pump(struct jetstream *js)
{
    if (js->failures && now_seconds() < js->resume_at)
        return;
    while (js->connected && js->flight_len < (size_t)js->max_in_flight) {
        struct outbox_record r;
        char err[512];
        int got = outbox_next(js->outbox, &r, err, sizeof err);
        if (got == 0)
            return;
        if (got < 0) {
            log_err("cannot read record for publishing reason=\"%s\"", err);
            continue;
        }
        double read_at = now_seconds();
        char *subject = subject_for(js, &r);
        char *topics = topics_header(&r);
        natsMsg *msg = NULL;
        natsStatus s = natsMsg_Create(&msg, subject, NULL, r.data, (int)r.len);
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", r.id);
        if (s == NATS_OK && *topics)
            s = natsMsgHeader_Set(msg, "Feedspool-Topics", topics);
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.ExpectStream = js->stream;
        if (s == NATS_OK)
            s = js_PublishMsgAsync(js->js, &msg, &po);
        natsMsg_Destroy(msg); /* NULL when libnats took it */
        free(subject);
        free(topics);
        if (s == NATS_OK) {
            track_in_flight(js, r.id, read_at);
        } else if (s == NATS_MAX_PAYLOAD) { /* larger than the server takes at all: never */
            log_err("record refused by the server record=%s reason=\"%s\"", r.id,
                    natsStatus_GetText(s));
            refused(js, r.id);
        } else {
            log_warn("publish failed, will retry record=%s reason=\"%s\"", r.id,
                     natsStatus_GetText(s));
            outbox_retry(js->outbox, &r.id, 1);
            js->connected = false; /* wait for the next tick or connection news */
            outbox_record_free(&r);
            return;
        }
        outbox_record_free(&r);
    }
}

static void note_latency(struct jetstream *js, double ms)
{
    if (js->n_latency == js->cap_latency) {
        if (js->cap_latency >= LATENCY_SAMPLES_MAX) {
            js->latency_ms[random() % js->n_latency] = ms; /* past the cap: a random sample */
            return;
        }
        js->cap_latency = js->cap_latency ? js->cap_latency * 2 : 1024;
        js->latency_ms = xrealloc(js->latency_ms, js->cap_latency * sizeof *js->latency_ms);
    }
    js->latency_ms[js->n_latency++] = ms;
}

/* Marks id answered in the in-flight list; its send time in *sent_at. False if it is not
 * waiting there (a late answer to a record already sent again). Answers come mostly in
 * the order sent, so the search ends near the head. */
static bool take_in_flight(struct jetstream *js, const char *id, double *sent_at)
{
    for (size_t i = js->flight_head; i < js->flight_end; i++) {
        struct in_flight *f = &js->flight[i];
        if (!f->answered && strcmp(f->id, id) == 0) {
            f->answered = true;
            *sent_at = f->sent_at;
            js->flight_len--;
            while (js->flight_head < js->flight_end && js->flight[js->flight_head].answered)
                js->flight_head++;
            if (js->flight_head == js->flight_end)
                js->flight_head = js->flight_end = 0;
            return true;
        }
    }
    return false;
}

static bool drained(const void *state)
{
    const struct jetstream *js = state;
    return outbox_queued(js->outbox) == 0 && js->flight_len == 0;
}

static void check_drained(struct jetstream *js)
{
    if (drained(js) && js->on_drained)
        js->on_drained(js->ud);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct jetstream *js = arg;
    pthread_mutex_lock(&js->lock);
    struct ack *acks = js->acks;
    size_t n = js->n_acks;
    bool news = js->connection_news;
    js->acks = NULL;
    js->n_acks = js->cap_acks = 0;
    js->connection_news = false;
    pthread_mutex_unlock(&js->lock);

    if (news) {
        js->connected = natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED;
        if (js->connected && !js->was_connected)
            log_notice("JetStream connected servers=%s", js->servers);
        else if (!js->connected && js->was_connected)
            log_warn("JetStream connection lost, records wait in the spool servers=%s",
                     js->servers);
        js->was_connected = js->connected;
    }
    char **retry = NULL;
    size_t n_retry = 0;
    double now = now_seconds();
    const char *failure = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ack *a = &acks[i];
        double sent_at;
        if (!take_in_flight(js, a->id, &sent_at))
            continue; /* a late answer to a record already sent again */
        if (a->outcome == ACK_STORED) {
            if (js->failures)
                log_notice("JetStream stores records again after %u refusals", js->failures);
            js->failures = 0;
            char err[512];
            if (outbox_sent(js->outbox, a->id, err, sizeof err) < 0)
                log_err("%s", err);
            js->stats.published++;
            js->stats.duplicates += a->duplicate;
            note_latency(js, (now - sent_at) * 1000);
        } else if (a->outcome == ACK_REFUSED) {
            log_err("record refused by the stream, moved to quarantine record=%s reason=\"%s\"",
                    a->id, a->why);
            refused(js, a->id);
        } else {
            failure = a->why;
            retry = xrealloc(retry, (n_retry + 1) * sizeof *retry);
            retry[n_retry++] = xstrdup(a->id);
        }
    }
    if (failure) {
        /* Not stored (no stream for the subject, a full stream...): wait, longer each time,
         * up to 30 s; say so once, not for every record. */
        if (js->failures++ == 0)
            log_warn("JetStream did not store records, they wait in the spool and are sent again "
                     "reason=\"%s\"",
                     failure);
        double wait = 0.5 * (double)(1u << (js->failures < 7 ? js->failures : 7));
        js->resume_at = now + (wait < 30 ? wait : 30);
    }
    free(acks);
    if (n_retry)
        outbox_retry(js->outbox, retry, n_retry);
    for (size_t i = 0; i < n_retry; i++)
        free(retry[i]);
    free(retry);
    pump(js);
    check_drained(js);
}

/* Once a second: notice the connection, and send again what was never acknowledged. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct jetstream *js = arg;
    js->connected = natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED;
    if (js->flight_len &&
        now_seconds() - js->flight[js->flight_head].sent_at > ACK_WAIT_MS / 1000.0) {
        natsMsgList pending = {0};
        if (js_PublishAsyncGetPendingList(&pending, js->js) == NATS_OK)
            natsMsgList_Destroy(&pending); /* libnats forgets them; we resend from the spool */
        char **ids = xcalloc(js->flight_len, sizeof *ids);
        size_t n = 0;
        for (size_t i = js->flight_head; i < js->flight_end; i++)
            if (!js->flight[i].answered)
                ids[n++] = xstrdup(js->flight[i].id);
        log_warn("no acknowledgement within %d ms, sending again records=%zu", ACK_WAIT_MS, n);
        js->stats.resent += (long)n;
        outbox_retry(js->outbox, ids, n);
        js->flight_head = js->flight_end = js->flight_len = 0;
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
    }
    pump(js);
    check_drained(js);
}

static void close_sink(void *state);

static void *open_sink(struct event_base *base, const struct config *cfg, struct outbox *outbox,
                       void (*on_drained)(void *ud), void *ud, char *err, size_t errlen)
{
    struct jetstream *js = xcalloc(1, sizeof *js);
    js->servers = xstrdup(cfg->nats_servers);
    js->outbox = outbox;
    js->subject_template = xstrdup(cfg->nats_subject);
    js->stream = *cfg->nats_stream ? xstrdup(cfg->nats_stream) : NULL;
    js->max_in_flight = cfg->nats_max_in_flight;
    js->on_drained = on_drained;
    js->ud = ud;
    pthread_mutex_init(&js->lock, NULL);
    js->wake = event_new(base, -1, 0, on_wake, js);
    js->tick = event_new(base, -1, EV_PERSIST, on_tick, js);
    natsStatus s = natsOptions_Create(&js->opts);
    if (s == NATS_OK)
        s = natsOptions_SetURL(js->opts, cfg->nats_servers);
    if (s == NATS_OK && *cfg->nats_credentials)
        s = natsOptions_SetUserCredentialsFromFiles(js->opts, cfg->nats_credentials, NULL);
    if (s == NATS_OK)
        s = natsOptions_SetEventLoop(js->opts, base, natsLibevent_Attach, natsLibevent_Read,
                                     natsLibevent_Write, natsLibevent_Detach);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(js->opts, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(js->opts, 500);
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(js->opts, true, on_connection_change, js);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(js->opts, on_connection_change, js);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(js->opts, on_connection_change, js);
    if (s == NATS_OK) {
        s = natsConnection_Connect(&js->nc, js->opts);
        if (s == NATS_NOT_YET_CONNECTED) {
            log_warn("JetStream server not reachable yet, records wait in the spool servers=%s",
                     cfg->nats_servers);
            s = NATS_OK;
        }
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = js;
    jo.PublishAsync.MaxPending = js->max_in_flight * 2; /* we never let libnats stall */
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js->js, js->nc, &jo);
    if (s != NATS_OK) {
        set_err(err, errlen, "JetStream: %s (%s)", natsStatus_GetText(s), nats_GetLastError(NULL));
        close_sink(js);
        return NULL;
    }
    js->connected = js->was_connected = natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED;
    if (js->connected)
        log_notice("JetStream connected servers=%s subject=%s", cfg->nats_servers,
                   cfg->nats_subject);
    struct timeval second = {.tv_sec = 1};
    event_add(js->tick, &second);
    if (outbox_queued(outbox))
        log_notice("records waiting in the spool for JetStream count=%zu", outbox_queued(outbox));
    pump(js);
    return js;
}

static void publish(void *state)
{
    pump(state);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static struct sink_stats stats(const void *state)
{
    const struct jetstream *js = state;
    struct sink_stats st = js->stats;
    st.queued = outbox_queued(js->outbox);
    st.in_flight = js->flight_len;
    st.connected = js->connected;
    return st;
}

static void latency(void *state, double *p50_ms, double *p99_ms)
{
    struct jetstream *js = state;
    *p50_ms = *p99_ms = 0;
    if (!js->n_latency)
        return;
    qsort(js->latency_ms, js->n_latency, sizeof *js->latency_ms, by_value);
    *p50_ms = js->latency_ms[js->n_latency / 2];
    *p99_ms = js->latency_ms[js->n_latency * 99 / 100];
}

static void close_sink(void *state)
{
    struct jetstream *js = state;
    if (js->tick)
        event_free(js->tick);
    jsCtx_Destroy(js->js);
    natsConnection_Destroy(js->nc);
    natsOptions_Destroy(js->opts);
    /* One sink a process: the library's threads end here, and only then may the event they
     * wake the loop with go. */
    nats_CloseAndWait(5000);
    if (js->wake)
        event_free(js->wake);
    free(js->flight);
    free(js->acks);
    free(js->latency_ms);
    pthread_mutex_destroy(&js->lock);
    free(js->servers);
    free(js->subject_template);
    free(js->stream);
    free(js);
}

const struct sink_ops jetstream_sink_ops = {
    .name = "jetstream",
    .title = "JetStream",
    .configured = configured,
    .process_init = process_init,
    .process_end = process_end,
    .open = open_sink,
    .publish = publish,
    .drained = drained,
    .stats = stats,
    .latency = latency,
    .close = close_sink,
};
