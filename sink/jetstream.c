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
#define UNTAGGED "none"  /* the topic in the subject of a record without any */
#define SCHEMA_VERSION_HEADER "Feedspool-Schema-Version"
#define STORY_HEADER "Feedspool-Story-Id"
#define RECORD_HEADER "Feedspool-Record-Id"
#define TOPICS_HEADER "Feedspool-Topics"

/* From best to worst: a record's outcome is the worst of its messages' (refused for good
 * beats failed for now, which is sent again). */
enum ack_outcome { ACK_STORED, ACK_FAILED, ACK_REFUSED };

struct in_flight {
    char id[ID_MAX];
    double sent_at;   /* seconds, monotonic, when the record was read and handed to libnats */
    unsigned pending; /* its messages (one per topic) not answered yet */
    enum ack_outcome outcome;
    bool duplicate; /* every message answered so far was a duplicate */
    bool answered;  /* all its messages: leaves the list when all before it have */
};

struct ack {
    char id[ID_MAX]; /* the record id (the Nats-Msg-Id up to its ':') */
    enum ack_outcome outcome;
    bool duplicate;
    char why[200];
};

struct jetstream {
    char *servers, *subject_template, *stream;
    struct outbox_lane *lane; /* borrowed: hands out records, moves them on */
    long max_in_flight;       /* messages */
    long max_record_bytes;    /* the configuration's cap, compared with the server's */
    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    struct in_flight *flight; /* published, in the order sent, from flight_head on; */
    size_t flight_head, flight_end, flight_cap; /* answered ones linger until the head passes */
    size_t flight_len;                          /* how many are not answered yet */
    size_t messages_in_flight;                  /* their messages not answered yet */
    pthread_mutex_t lock; /* guards acks and connection_news: libnats threads write them */
    struct ack *acks;
    size_t n_acks, cap_acks;
    bool connection_news;
    struct event *wake, *tick;
    bool connected;        /* as libnats' callbacks last told */
    bool outage;           /* not connected, and the warning said so */
    double outage_started; /* monotonic s */
    int64_t max_payload;   /* the server's, from its INFO at connect (0: not known yet) */
    bool quiet_resend;     /* an ack timeout was logged, no acknowledgement since */
    unsigned failures;     /* publishes refused in a row (no stream, stream full...) */
    double resume_at;      /* after refusals, nothing is sent before this (monotonic s) */
    void (*on_drained)(void *ud);
    void *ud;
    struct sink_stats stats;
    struct sink_latency latency;
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
        snprintf(a.id, sizeof a.id, "%.*s", (int)strcspn(id, ":"), id);
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

/* The subject for one of a record's topics: the template with <topic> replaced. */
static char *subject_for(const struct jetstream *js, const char *topic)
{
    const char *mark = strstr(js->subject_template, "<topic>");
    return mark ? xasprintf("%.*s%s%s", (int)(mark - js->subject_template), js->subject_template,
                            topic, mark + strlen("<topic>"))
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
    if (outbox_refused(js->lane, id, err, sizeof err) < 0)
        log_err("%s", err);
    js->stats.refused++;
}

static void track_in_flight(struct jetstream *js, const char *id, double sent_at, unsigned messages)
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
    f->pending = messages;
    f->outcome = ACK_STORED;
    f->duplicate = true;
    f->answered = false;
    js->flight_len++;
    js->messages_in_flight += messages;
}

/* One message of record r, on the subject of topic: 0, or libnats' status. */
static natsStatus publish_one(struct jetstream *js, const struct outbox_record *r,
                              const char *topic, const char *topics, const char *version)
{
    char *subject = subject_for(js, topic);
    char *msg_id = xasprintf("%s:%s", r->id, topic);
    natsMsg *msg = NULL;
    natsStatus s = natsMsg_Create(&msg, subject, NULL, r->data, (int)r->len);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(msg, "Nats-Msg-Id", msg_id);
    if (s == NATS_OK)
        s = natsMsgHeader_Set(msg, "Content-Type", "application/json");
    if (s == NATS_OK)
        s = natsMsgHeader_Set(msg, RECORD_HEADER, r->id);
    if (s == NATS_OK && *version)
        s = natsMsgHeader_Set(msg, SCHEMA_VERSION_HEADER, version);
    if (s == NATS_OK && r->story)
        s = natsMsgHeader_Set(msg, STORY_HEADER, r->story);
    if (s == NATS_OK && *topics)
        s = natsMsgHeader_Set(msg, TOPICS_HEADER, topics);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectStream = js->stream;
    if (s == NATS_OK)
        s = js_PublishMsgAsync(js->js, &msg, &po);
    natsMsg_Destroy(msg); /* NULL when libnats took it */
    free(subject);
    free(msg_id);
    return s;
}

/* The bytes a message of r takes against the server's max_payload: the record and its
 * headers (NATS/1.0, each "Name: value", the blank line), the longest topic's. */
static size_t message_size(const struct outbox_record *r, const char *topics, const char *version)
{
    size_t longest = strlen(UNTAGGED);
    for (size_t i = 0; i < r->n_topics; i++)
        if (strlen(r->topics[i]) > longest)
            longest = strlen(r->topics[i]);
    size_t headers = strlen("NATS/1.0\r\n\r\n") + strlen("Nats-Msg-Id: :\r\n") + strlen(r->id) +
                     longest + strlen("Content-Type: application/json\r\n") +
                     strlen(RECORD_HEADER ": \r\n") + strlen(r->id) +
                     strlen(SCHEMA_VERSION_HEADER ": \r\n") + strlen(version) +
                     (r->story ? strlen(STORY_HEADER ": \r\n") + strlen(r->story) : 0) +
                     strlen(TOPICS_HEADER ": \r\n") + strlen(topics);
    return r->len + headers;
}

/* Sends queued records, one message per topic, while the connection is up and the window
 * has room. */
static void pump(struct jetstream *js)
{
    if (js->resume_at && sink_clock() < js->resume_at)
        return;
    while (js->connected && js->messages_in_flight < (size_t)js->max_in_flight) {
        struct outbox_record r;
        char err[512];
        int got = outbox_next(js->lane, &r, err, sizeof err);
        if (got == 0)
            return;
        if (got < 0) {
            log_err("cannot read record for publishing reason=\"%s\"", err);
            continue;
        }
        double read_at = sink_clock();
        char *topics = topics_header(&r);
        char version[24] = "";
        if (r.schema_version)
            snprintf(version, sizeof version, "%ld", r.schema_version);
        size_t size = message_size(&r, topics, version);
        natsStatus s = NATS_OK;
        unsigned sent = 0;
        if (js->max_payload > 0 && size > (size_t)js->max_payload) {
            s = NATS_MAX_PAYLOAD;
        } else {
            for (size_t t = 0; s == NATS_OK && t < (r.n_topics ? r.n_topics : 1); t++) {
                s = publish_one(js, &r, r.n_topics ? r.topics[t] : UNTAGGED, topics, version);
                sent += s == NATS_OK;
            }
        }
        free(topics);
        if (sent)
            track_in_flight(js, r.id, read_at, sent);
        if (s == NATS_MAX_PAYLOAD) { /* larger than the server takes at all: never */
            log_err("record larger than the server's max_payload, moved to quarantine record=%s "
                    "bytes=%zu max_payload=%lld",
                    r.id, size, (long long)js->max_payload);
            if (sent) /* answered as refused once the messages sent are */
                js->flight[js->flight_end - 1].outcome = ACK_REFUSED;
            else
                refused(js, r.id);
        } else if (s != NATS_OK) {
            /* Not handed to libnats (the connection went meanwhile): the whole record again
             * later; the messages that went are dropped by the server as duplicates. */
            log_info("publish failed, will retry record=%s reason=\"%s\"", r.id,
                     natsStatus_GetText(s));
            if (sent)
                js->flight[js->flight_end - 1].outcome = ACK_FAILED;
            else
                outbox_retry(js->lane, &r.id, 1);
            js->resume_at = sink_clock() + 1;
            outbox_record_free(&r);
            return;
        }
        outbox_record_free(&r);
    }
}

/* Records one message's answer a in the in-flight list. True when that was the record's
 * last message: *done is then its entry (outcome, duplicate, sent_at), valid until the
 * next change of the list. False when it is not waiting there (a late answer to a record
 * already sent again) or waits for more answers. Answers come mostly in the order sent, so
 * the search ends near the head. */
static bool take_in_flight(struct jetstream *js, const struct ack *a, struct in_flight *done)
{
    for (size_t i = js->flight_head; i < js->flight_end; i++) {
        struct in_flight *f = &js->flight[i];
        if (f->answered || strcmp(f->id, a->id) != 0)
            continue;
        js->messages_in_flight--;
        if (a->outcome > f->outcome)
            f->outcome = a->outcome;
        f->duplicate &= a->duplicate;
        if (--f->pending)
            return false;
        f->answered = true;
        *done = *f;
        js->flight_len--;
        while (js->flight_head < js->flight_end && js->flight[js->flight_head].answered)
            js->flight_head++;
        if (js->flight_head == js->flight_end)
            js->flight_head = js->flight_end = 0;
        return true;
    }
    return false;
}

static bool drained(const void *state)
{
    const struct jetstream *js = state;
    return outbox_queued(js->lane) == 0 && js->flight_len == 0;
}

static void check_drained(struct jetstream *js)
{
    if (drained(js) && js->on_drained)
        js->on_drained(js->ud);
}

/* The connection as libnats has it now: an outage is logged when it starts and when it
 * ends, once each; the server's max_payload is read again at each (re)connection. */
static void connection_changed(struct jetstream *js)
{
    js->connected = natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED;
    if (js->connected) {
        js->max_payload = natsConnection_GetMaxPayload(js->nc);
        if (js->max_payload > 0 && js->max_record_bytes > js->max_payload)
            log_warn("the server takes messages of at most max_payload=%lld bytes, less than "
                     "max_record_bytes=%ld: larger records go to quarantine/",
                     (long long)js->max_payload, js->max_record_bytes);
        if (js->outage)
            log_notice("JetStream connected again, records waiting in the spool go out "
                       "servers=%s outage_s=%.1f queued=%zu",
                       js->servers, sink_clock() - js->outage_started, outbox_queued(js->lane));
        else
            log_notice("JetStream connected servers=%s subject=%s max_payload=%lld", js->servers,
                       js->subject_template, (long long)js->max_payload);
        js->outage = false;
        js->resume_at = 0;
    } else if (!js->outage) {
        log_warn("JetStream connection lost, records wait in the spool servers=%s", js->servers);
        js->outage = true;
        js->outage_started = sink_clock();
    }
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

    if (news)
        connection_changed(js);
    char **retry = NULL;
    size_t n_retry = 0;
    double now = sink_clock();
    const char *failure = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ack *a = &acks[i];
        struct in_flight done;
        if (a->outcome == ACK_FAILED)
            failure = a->why;
        if (!take_in_flight(js, a, &done))
            continue;
        js->quiet_resend = false;
        if (done.outcome == ACK_STORED) {
            if (js->failures)
                log_notice("JetStream stores records again after %u refusals", js->failures);
            js->failures = 0;
            char err[512];
            if (outbox_sent(js->lane, done.id, err, sizeof err) < 0)
                log_err("%s", err);
            js->stats.published++;
            js->stats.duplicates += done.duplicate;
            sink_latency_note(&js->latency, (now - done.sent_at) * 1000);
        } else if (done.outcome == ACK_REFUSED) {
            log_err("record refused by the stream, moved to quarantine record=%s reason=\"%s\"",
                    done.id, a->why[0] ? a->why : "larger than the server's max_payload");
            refused(js, done.id);
        } else {
            retry = xrealloc(retry, (n_retry + 1) * sizeof *retry);
            retry[n_retry++] = xstrdup(done.id);
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
        outbox_retry(js->lane, retry, n_retry);
    for (size_t i = 0; i < n_retry; i++)
        free(retry[i]);
    free(retry);
    pump(js);
    check_drained(js);
}

/* Once a second: send again what was never acknowledged while connected (libnats resends
 * what it holds after a reconnection itself), and pump after a pause. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct jetstream *js = arg;
    if (js->connected && js->flight_len &&
        sink_clock() - js->flight[js->flight_head].sent_at > ACK_WAIT_MS / 1000.0) {
        natsMsgList pending = {0};
        if (js_PublishAsyncGetPendingList(&pending, js->js) == NATS_OK)
            natsMsgList_Destroy(&pending); /* libnats forgets them; we resend from the spool */
        char **ids = xcalloc(js->flight_len, sizeof *ids);
        size_t n = 0;
        for (size_t i = js->flight_head; i < js->flight_end; i++)
            if (!js->flight[i].answered)
                ids[n++] = xstrdup(js->flight[i].id);
        if (!js->quiet_resend) /* once until an acknowledgement comes, not every 5 s */
            log_warn("no acknowledgement within %d ms, sending again records=%zu", ACK_WAIT_MS, n);
        js->quiet_resend = true;
        js->stats.resent += (long)n;
        outbox_retry(js->lane, ids, n);
        js->flight_head = js->flight_end = js->flight_len = js->messages_in_flight = 0;
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        free(ids);
    }
    pump(js);
    check_drained(js);
}

static void close_sink(void *state);

static void *open_sink(struct event_base *base, const struct config *cfg, struct outbox_lane *lane,
                       void (*on_drained)(void *ud), void *ud, char *err, size_t errlen)
{
    struct jetstream *js = xcalloc(1, sizeof *js);
    js->servers = xstrdup(cfg->nats_servers);
    js->lane = lane;
    js->subject_template = xstrdup(cfg->nats_subject);
    js->stream = *cfg->nats_stream ? xstrdup(cfg->nats_stream) : NULL;
    js->max_in_flight = cfg->nats_max_in_flight;
    js->max_record_bytes = cfg->max_record_bytes;
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
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(js->opts, on_connection_change, js);
    if (s == NATS_OK) {
        s = natsConnection_Connect(&js->nc, js->opts);
        if (s == NATS_NOT_YET_CONNECTED) {
            log_warn("JetStream server not reachable yet, records wait in the spool servers=%s",
                     cfg->nats_servers);
            js->outage = true;
            js->outage_started = sink_clock();
            s = NATS_OK;
        }
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = js;
    /* Never let libnats stall: the window counts messages, and one record's go out whole. */
    jo.PublishAsync.MaxPending = js->max_in_flight * 2 + 1024;
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js->js, js->nc, &jo);
    if (s != NATS_OK) {
        set_err(err, errlen, "JetStream: %s (%s)", natsStatus_GetText(s), nats_GetLastError(NULL));
        close_sink(js);
        return NULL;
    }
    if (natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED)
        connection_changed(js);
    struct timeval second = {.tv_sec = 1};
    event_add(js->tick, &second);
    if (outbox_queued(lane))
        log_notice("records waiting in the spool for JetStream count=%zu", outbox_queued(lane));
    pump(js);
    return js;
}

static void publish(void *state)
{
    pump(state);
}

static struct sink_stats stats(const void *state)
{
    const struct jetstream *js = state;
    struct sink_stats st = js->stats;
    st.queued = outbox_queued(js->lane);
    st.in_flight = js->flight_len;
    st.connected = js->connected;
    return st;
}

static void latency(void *state, double *p50_ms, double *p99_ms)
{
    sink_latency_percentiles(&((struct jetstream *)state)->latency, p50_ms, p99_ms);
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
    sink_latency_free(&js->latency);
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
