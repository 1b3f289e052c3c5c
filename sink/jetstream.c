/* jetstream.c: the JetStream sink (see jetstream.h). */
#include "sink/jetstream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>
/* The adapter header defines its functions: this is the one file that includes it. */
#include <nats/adapters/libevent.h>

#include "common/buf.h"
#include "common/util.h"
#include "common/log.h"

#define ID_MAX 80             /* record ids are hex hashes, far shorter */
#define ACK_WAIT_MS 5000      /* no acknowledgement by then: send again (the server dedupes) */
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

/* The spool's folders the sink uses, opened once (records are then reached with no path walk). */
enum folder { FOLDER_NEW, FOLDER_SENT, FOLDER_QUARANTINE, FOLDERS };
static const char *const folder_names[FOLDERS] = {"new", "sent", "quarantine"};

struct jetstream {
    char *servers, *subject_template, *stream;
    int folder_fd[FOLDERS];
    bool delete_when_sent;
    long max_in_flight;
    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    char **queue;            /* record ids to publish, oldest first, from queue_head on */
    size_t queue_head, queue_len, queue_cap;
    struct in_flight *flight; /* published, in the order sent, from flight_head on; */
    size_t flight_head, flight_end, flight_cap; /* answered ones linger until the head passes */
    size_t flight_len;        /* how many are not answered yet */
    pthread_mutex_t lock;    /* guards acks and connection_news: libnats threads write them */
    struct ack *acks;
    size_t n_acks, cap_acks;
    bool connection_news;
    struct event *wake, *tick;
    bool connected, was_connected;
    unsigned failures;       /* publishes refused in a row (no stream, stream full...) */
    double resume_at;        /* after refusals, nothing is sent before this (monotonic s) */
    void (*on_drained)(void *ud);
    void *ud;
    struct jetstream_stats stats;
    double *latency_ms;
    size_t n_latency, cap_latency;
};

void jetstream_threads_init(void)
{
    natsLibevent_Init();
}

bool jetstream_configured(const struct config *cfg)
{
    return cfg->nats_servers && *cfg->nats_servers;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the queue of record ids (a deque: retries go back to the front) ---- */

static void queue_push_back(struct jetstream *js, const char *id)
{
    if (js->queue_head + js->queue_len == js->queue_cap) {
        if (js->queue_head > js->queue_cap / 2) {
            memmove(js->queue, js->queue + js->queue_head, js->queue_len * sizeof *js->queue);
            js->queue_head = 0;
        } else {
            js->queue_cap = js->queue_cap ? js->queue_cap * 2 : 256;
            js->queue = xrealloc(js->queue, js->queue_cap * sizeof *js->queue);
        }
    }
    js->queue[js->queue_head + js->queue_len++] = xstrdup(id);
}

/* Puts ids[0..n) back at the front, in that order. */
static void queue_push_front(struct jetstream *js, char **ids, size_t n)
{
    if (js->queue_head < n) {
        size_t need = js->queue_len + n;
        if (need > js->queue_cap) {
            js->queue_cap = need * 2;
            js->queue = xrealloc(js->queue, js->queue_cap * sizeof *js->queue);
        }
        memmove(js->queue + n, js->queue + js->queue_head, js->queue_len * sizeof *js->queue);
        js->queue_head = n;
    }
    js->queue_head -= n;
    memcpy(js->queue + js->queue_head, ids, n * sizeof *ids);
    js->queue_len += n;
}

static char *queue_pop(struct jetstream *js)
{
    if (js->queue_len == 0)
        return NULL;
    js->queue_len--;
    return js->queue[js->queue_head++];
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

/* "<id>.json" into name (ID_MAX + 6 bytes). */
static void record_name(char *name, const char *id)
{
    snprintf(name, ID_MAX + 6, "%s.json", id);
}

/* The record <id> from new/: its bytes (NUL-terminated, the caller frees) and length, or
 * NULL with errno set (ENOENT: gone, taken by someone else or already sent). */
static char *read_record(const struct jetstream *js, const char *id, size_t *len)
{
    char name[ID_MAX + 6];
    record_name(name, id);
    int fd = openat(js->folder_fd[FOLDER_NEW], name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *data = NULL;
    size_t have = 0;
    if (fstat(fd, &st) == 0 && st.st_size < (1L << 30)) {
        size_t cap = (size_t)st.st_size + 1; /* one more: a short read is the end */
        data = xmalloc(cap + 1);
        ssize_t n;
        while ((n = read(fd, data + have, cap - have)) > 0) {
            have += (size_t)n;
            if (have == cap)
                data = xrealloc(data, (cap *= 2) + 1);
        }
        if (n < 0) {
            free(data);
            data = NULL;
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    if (data) {
        data[have] = '\0';
        *len = have;
    }
    return data;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past the string starting at p (on its opening quote), or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past the JSON value starting at p, or NULL. */
static const char *skip_value(const char *p, const char *end)
{
    if (p < end && *p == '"')
        return skip_string(p, end);
    int depth = 0;
    for (; p < end; p++) {
        if (*p == '"') {
            if (!(p = skip_string(p, end)))
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth-- == 0)
                return p;
            if (depth == 0)
                return p + 1;
        } else if (*p == ',' && depth == 0) {
            return p;
        }
    }
    return NULL;
}

/* The record's top-level "topics" array, found without parsing the rest (the text is the
 * bulk of a record); NULL when there is none. New reference. */
static json_t *record_topics(const char *data, size_t len)
{
    const char *p = skip_space(data, data + len), *end = data + len;
    if (p == end || *p++ != '{')
        return NULL;
    for (;;) {
        p = skip_space(p, end);
        if (p == end || *p != '"')
            return NULL;
        const char *key = p + 1, *after = skip_string(p, end);
        if (!after)
            return NULL;
        bool topics = after - key - 1 == 6 && memcmp(key, "topics", 6) == 0;
        p = skip_space(after, end);
        if (p == end || *p++ != ':')
            return NULL;
        p = skip_space(p, end);
        if (topics)
            return json_loadb(p, (size_t)(end - p), JSON_DISABLE_EOF_CHECK, NULL);
        if (!(p = skip_value(p, end)))
            return NULL;
        p = skip_space(p, end);
        if (p == end || *p++ != ',')
            return NULL;
    }
}

/* The subject for a record: the template with <topic> replaced by its first topic; its
 * topics, comma-separated, in *topics_csv. */
static char *subject_for(const struct jetstream *js, const char *data, size_t len, char **topics_csv)
{
    struct buf csv;
    buf_init(&csv, 0);
    json_t *topics = record_topics(data, len);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t) {
        const char *topic = json_string_value(json_object_get(t, "id"));
        if (topic) {
            buf_append_str(&csv, csv.len ? "," : "");
            buf_append_str(&csv, topic);
        }
    }
    json_decref(topics);
    char first[128] = "none";
    if (csv.len)
        snprintf(first, sizeof first, "%.*s", (int)strcspn(csv.data, ","), csv.data);
    const char *mark = strstr(js->subject_template, "<topic>");
    char *subject = mark ? xasprintf("%.*s%s%s", (int)(mark - js->subject_template), js->subject_template,
                                     first, mark + strlen("<topic>"))
                         : xstrdup(js->subject_template);
    *topics_csv = buf_steal(&csv);
    return subject;
}

/* Moves the record from new/ to folder `to`, or deletes it. */
static void move_record(struct jetstream *js, const char *id, enum folder to, bool remove)
{
    char name[ID_MAX + 6];
    record_name(name, id);
    int new_fd = js->folder_fd[FOLDER_NEW];
    if (remove) {
        if (unlinkat(new_fd, name, 0) < 0 && errno != ENOENT)
            log_err("cannot delete published record record=%s reason=\"%s\"", id, strerror(errno));
    } else if (renameat(new_fd, name, js->folder_fd[to], name) < 0 && errno != ENOENT) {
        log_err("cannot move published record record=%s to=%s/ reason=\"%s\"", id,
                folder_names[to], strerror(errno));
    }
}

/* Sends queued records while the connection is up and the window has room. */
static void pump(struct jetstream *js)
{
    if (js->failures && now_seconds() < js->resume_at)
        return;
    while (js->connected && js->flight_len < (size_t)js->max_in_flight && js->queue_len) {
        char *id = queue_pop(js);
        size_t len = 0;
        char *data = read_record(js, id, &len);
        if (!data) {
            if (errno != ENOENT) /* gone: taken by someone else, or already sent */
                log_err("cannot read record for publishing record=%s reason=\"%s\"", id,
                        strerror(errno));
            free(id);
            continue;
        }
        double read_at = now_seconds();
        char *topics = NULL;
        char *subject = subject_for(js, data, len, &topics);
        natsMsg *msg = NULL;
        natsStatus s = natsMsg_Create(&msg, subject, NULL, data, (int)len);
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id);
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
        free(data);
        if (s != NATS_OK) {
            if (s == NATS_MAX_PAYLOAD) { /* larger than the server takes at all: never */
                log_err("record refused by the server record=%s reason=\"%s\"", id, natsStatus_GetText(s));
                move_record(js, id, FOLDER_QUARANTINE, false);
                js->stats.rejected++;
                free(id);
                continue;
            }
            log_warn("publish failed, will retry record=%s reason=\"%s\"", id, natsStatus_GetText(s));
            queue_push_front(js, &id, 1);
            js->connected = false; /* wait for the next tick or connection news */
            return;
        }
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
        f->sent_at = read_at;
        f->answered = false;
        js->flight_len++;
        free(id);
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

static void check_drained(struct jetstream *js)
{
    if (jetstream_drained(js) && js->on_drained)
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
            log_warn("JetStream connection lost, records wait in the spool servers=%s", js->servers);
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
            move_record(js, a->id, FOLDER_SENT, js->delete_when_sent);
            js->stats.published++;
            js->stats.duplicates += a->duplicate;
            note_latency(js, (now - sent_at) * 1000);
        } else if (a->outcome == ACK_REFUSED) {
            log_err("record refused by the stream, moved to quarantine record=%s reason=\"%s\"", a->id,
                    a->why);
            move_record(js, a->id, FOLDER_QUARANTINE, false);
            js->stats.rejected++;
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
                     "reason=\"%s\"", failure);
        double wait = 0.5 * (double)(1u << (js->failures < 7 ? js->failures : 7));
        js->resume_at = now + (wait < 30 ? wait : 30);
    }
    free(acks);
    if (n_retry)
        queue_push_front(js, retry, n_retry);
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
    if (js->flight_len && now_seconds() - js->flight[js->flight_head].sent_at > ACK_WAIT_MS / 1000.0) {
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
        queue_push_front(js, ids, n);
        js->flight_head = js->flight_end = js->flight_len = 0;
        free(ids);
    }
    pump(js);
    check_drained(js);
}

struct spooled {
    char *id;
    struct timespec written;
};

static int by_time_written(const void *a, const void *b)
{
    const struct spooled *x = a, *y = b;
    if (x->written.tv_sec != y->written.tv_sec)
        return x->written.tv_sec < y->written.tv_sec ? -1 : 1;
    if (x->written.tv_nsec != y->written.tv_nsec)
        return x->written.tv_nsec < y->written.tv_nsec ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Queues the records already in new/, in the order they were written. */
static void queue_spooled(struct jetstream *js)
{
    int fd = dup(js->folder_fd[FOLDER_NEW]);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct spooled *all = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || len - 5 >= ID_MAX || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        struct stat st;
        if (fstatat(js->folder_fd[FOLDER_NEW], e->d_name, &st, 0) == 0) {
            if (n == cap)
                all = xrealloc(all, (cap = cap ? cap * 2 : 256) * sizeof *all);
            all[n++] = (struct spooled){.id = xstrndup(e->d_name, len - 5), .written = st.st_mtim};
        }
    }
    closedir(d);
    if (n)
        qsort(all, n, sizeof *all, by_time_written);
    for (size_t i = 0; i < n; i++) {
        queue_push_back(js, all[i].id);
        free(all[i].id);
    }
    free(all);
    if (n)
        log_notice("records waiting in the spool for JetStream count=%zu", n);
}

struct jetstream *jetstream_start(struct event_base *base, const struct config *cfg,
                                  void (*on_drained)(void *ud), void *ud, char *err, size_t errlen)
{
    struct jetstream *js = xcalloc(1, sizeof *js);
    js->servers = xstrdup(cfg->nats_servers);
    for (int f = 0; f < FOLDERS; f++)
        js->folder_fd[f] = -1;
    js->subject_template = xstrdup(cfg->nats_subject);
    js->stream = *cfg->nats_stream ? xstrdup(cfg->nats_stream) : NULL;
    js->delete_when_sent = cfg->published == CONFIG_PUBLISHED_DELETE;
    js->max_in_flight = cfg->nats_max_in_flight;
    js->on_drained = on_drained;
    js->ud = ud;
    pthread_mutex_init(&js->lock, NULL);
    js->wake = event_new(base, -1, 0, on_wake, js);
    js->tick = event_new(base, -1, EV_PERSIST, on_tick, js);
    for (int f = 0; f < FOLDERS; f++) {
        char *dir = xasprintf("%s/%s", cfg->spool, folder_names[f]);
        if ((mkdir(dir, 0750) < 0 && errno != EEXIST) ||
            (js->folder_fd[f] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
            set_err(err, errlen, "cannot open %s: %s", dir, strerror(errno));
            free(dir);
            jetstream_free(js);
            return NULL;
        }
        free(dir);
    }
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
        jetstream_free(js);
        return NULL;
    }
    js->connected = js->was_connected = natsConnection_Status(js->nc) == NATS_CONN_STATUS_CONNECTED;
    if (js->connected)
        log_notice("JetStream connected servers=%s subject=%s", cfg->nats_servers, cfg->nats_subject);
    struct timeval second = {.tv_sec = 1};
    event_add(js->tick, &second);
    queue_spooled(js);
    pump(js);
    return js;
}

void jetstream_record_written(struct jetstream *js, const char *record_id)
{
    queue_push_back(js, record_id);
    pump(js);
}

bool jetstream_drained(const struct jetstream *js)
{
    return js->queue_len == 0 && js->flight_len == 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct jetstream_stats jetstream_stats(const struct jetstream *js)
{
    struct jetstream_stats st = js->stats;
    st.queued = js->queue_len;
    st.in_flight = js->flight_len;
    st.connected = js->connected;
    return st;
}

void jetstream_latency(struct jetstream *js, double *p50_ms, double *p99_ms)
{
    *p50_ms = *p99_ms = 0;
    if (!js->n_latency)
        return;
    qsort(js->latency_ms, js->n_latency, sizeof *js->latency_ms, by_value);
    *p50_ms = js->latency_ms[js->n_latency / 2];
    *p99_ms = js->latency_ms[js->n_latency * 99 / 100];
}

void jetstream_free(struct jetstream *js)
{
    if (!js)
        return;
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
    for (size_t i = 0; i < js->queue_len; i++)
        free(js->queue[js->queue_head + i]);
    free(js->queue);
    free(js->flight);
    free(js->acks);
    free(js->latency_ms);
    pthread_mutex_destroy(&js->lock);
    free(js->servers);
    for (int f = 0; f < FOLDERS; f++)
        if (js->folder_fd[f] >= 0)
            close(js->folder_fd[f]);
    free(js->subject_template);
    free(js->stream);
    free(js);
}
