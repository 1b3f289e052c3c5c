/* webhook.c: the HTTP webhook sink (see webhook.h). */
#include "sink/webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/util.h"
#include "feeds/date.h"
#include "net/fetch.h"
#include "net/netpolicy.h"

#define RESPONSE_MAX (64 * 1024) /* of a receiver's answer, read and dropped */
#define EXCERPT_MAX 200          /* bytes of a refusal's answer in the log line */
#define RETRY_AFTER_MAX 600      /* seconds: a longer Retry-After is cut to this */

struct webhook {
    char *url;
    char *shown_url; /* without credentials, for the log */
    long batch;
    struct netpolicy *policy;
    struct fetcher *fetcher;
    struct outbox_lane *lane;
    char **sending; /* the ids of the request in flight, or NULL */
    size_t n_sending;
    double sent_at;
    struct event *kick, *retry;
    unsigned failures; /* requests failed in a row */
    size_t singles;    /* records to send one a request: a refused batch, looked through */
    void (*on_drained)(void *ud);
    void *ud;
    struct sink_stats stats;
    struct sink_latency latency;
};

static bool configured(const struct config *cfg)
{
    return cfg->webhook_url && *cfg->webhook_url;
}

static bool drained(const void *state)
{
    const struct webhook *w = state;
    return outbox_queued(w->lane) == 0 && !w->sending;
}

static void free_sending(struct webhook *w)
{
    for (size_t i = 0; i < w->n_sending; i++)
        free(w->sending[i]);
    free(w->sending);
    w->sending = NULL;
    w->n_sending = 0;
}

static void on_done(const struct fetch_result *res, void *ud);

/* Sends the next request when none is in flight and no back-off runs. */
static void pump(struct webhook *w)
{
    if (w->sending || evtimer_pending(w->retry, NULL))
        return;
    struct buf body, ids;
    buf_init(&body, 0);
    buf_init(&ids, 0);
    w->sending = xcalloc((size_t)w->batch, sizeof *w->sending);
    double read_at = sink_clock();
    size_t limit = w->singles ? 1 : (size_t)w->batch;
    while (w->n_sending < limit) {
        struct outbox_record r;
        char err[512];
        int got = outbox_next(w->lane, &r, err, sizeof err);
        if (got == 0)
            break;
        if (got < 0) {
            log_err("cannot read record for the webhook reason=\"%s\"", err);
            continue;
        }
        size_t len;
        char *line = w->batch == 1 ? NULL : sink_record_line(&r, &len);
        if (w->batch != 1 && !line) {
            log_err("record is not JSON, moved to quarantine record=%s", r.id);
            if (outbox_refused(w->lane, r.id, err, sizeof err) < 0)
                log_err("%s", err);
            w->stats.refused++;
            outbox_record_free(&r);
            continue;
        }
        if (line)
            buf_append(&body, line, len);
        else
            buf_append(&body, r.data, r.len);
        free(line);
        buf_append_str(&ids, w->n_sending ? "," : "");
        buf_append_str(&ids, r.id);
        w->sending[w->n_sending++] = r.id;
        r.id = NULL;
        outbox_record_free(&r);
    }
    if (!w->n_sending) {
        free_sending(w);
        buf_free(&body);
        buf_free(&ids);
        if (w->on_drained)
            w->on_drained(w->ud);
        return;
    }
    char key[HASH_HEX_LEN + 1];
    if (w->n_sending == 1)
        snprintf(key, sizeof key, "%s", w->sending[0]);
    else
        hash_sha256_hex(ids.data, ids.len, key);
    char *key_header = xasprintf("Idempotency-Key: %s", key);
    char *ids_header = xasprintf("Feedspool-Record-Ids: %s", ids.data);
    const char *headers[] = {w->batch == 1 ? "Content-Type: application/json"
                                           : "Content-Type: application/x-ndjson",
                             key_header, ids_header, NULL};
    struct fetch_request req = {.url = w->url,
                                .accept = "*/*",
                                .untrusted = true, /* the address policy, every connection */
                                .post_body = body.data ? body.data : "",
                                .post_len = body.len,
                                .headers = headers};
    w->sent_at = read_at;
    fetcher_start(w->fetcher, &req, on_done, w);
    free(key_header);
    free(ids_header);
    buf_free(&body);
    buf_free(&ids);
}

/* The back-off after the failures-th failure in a row: 0.5 s doubling up to 30 s, times a
 * random factor from 0.5 to 1.5 so that many senders do not come back at once. */
static struct timeval back_off(unsigned failures)
{
    double wait = 0.5 * (double)(1u << (failures < 7 ? failures - 1 : 6));
    if (wait > 30)
        wait = 30;
    wait *= 0.5 + (double)random() / RAND_MAX;
    return (struct timeval){.tv_sec = (long)wait, .tv_usec = (long)((wait - (long)wait) * 1e6)};
}

/* Whether the answer refuses the records themselves, for good (docs/sinks.md): a 4xx that
 * is not about time (408, 409, 423, 425, 429: later may work) nor about the URL or the
 * sender's credentials, which are the same for every record (401, 403, 404, 405, 407, 410,
 * 411, 414, 421, 426: a misconfiguration, retried while it is fixed, not a reason to
 * quarantine the whole spool). An unknown 4xx is a 400 (RFC 9110, section 15.5). */
static bool refuses_for_good(const struct fetch_result *res)
{
    static const long retried[] = {401, 403, 404, 405, 407, 408, 409, 410,
                                   411, 414, 421, 423, 425, 426, 429};
    if (!res->ok || res->status < 400 || res->status > 499)
        return false;
    for (size_t i = 0; i < ARRAY_LEN(retried); i++)
        if (res->status == retried[i])
            return false;
    return true;
}

/* A Retry-After value (delay-seconds or an HTTP-date) in seconds from now, at most
 * RETRY_AFTER_MAX; 0 when absent or not understood. */
static long retry_after(const char *value)
{
    if (!value)
        return 0;
    char *end;
    long seconds = strtol(value, &end, 10);
    int64_t when;
    if (end == value || *end != '\0')
        seconds = date_parse(value, &when) ? (long)(when - (int64_t)time(NULL)) : 0;
    return seconds < 0 ? 0 : seconds > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : seconds;
}

static void on_done(const struct fetch_result *res, void *ud)
{
    struct webhook *w = ud;
    if (res->aborted) { /* closing: the records stay in new/ */
        free_sending(w);
        return;
    }
    bool delivered = res->ok && res->status >= 200 && res->status < 300;
    if (delivered) {
        if (w->failures)
            log_notice("webhook delivers again url=%s after_failures=%u", w->shown_url,
                       w->failures);
        w->failures = 0;
        w->stats.connected = true;
        double ms = (sink_clock() - w->sent_at) * 1000;
        if (w->singles)
            w->singles--;
        for (size_t i = 0; i < w->n_sending; i++) {
            char err[512];
            if (outbox_sent(w->lane, w->sending[i], err, sizeof err) < 0)
                log_err("%s", err);
            w->stats.published++;
            sink_latency_note(&w->latency, ms);
        }
        free_sending(w);
        event_active(w->kick, EV_TIMEOUT, 0);
        return;
    }
    if (w->n_sending > 1 && refuses_for_good(res)) {
        /* one of them, or more, is refused: send them one a request to find out which */
        log_info("webhook refused a batch, its records are sent one by one url=%s status=%ld "
                 "records=%zu",
                 w->shown_url, res->status, w->n_sending);
        w->singles = w->n_sending;
        outbox_retry(w->lane, w->sending, w->n_sending);
        free_sending(w);
        event_active(w->kick, EV_TIMEOUT, 0);
        return;
    }
    if (refuses_for_good(res)) {
        char err[512];
        log_err("webhook refused a record for good, moved to quarantine record=%s url=%s "
                "status=%ld body=\"%.*s\"",
                w->sending[0], w->shown_url, res->status, EXCERPT_MAX, res->body);
        if (outbox_refused(w->lane, w->sending[0], err, sizeof err) < 0)
            log_err("%s", err);
        w->stats.refused++;
        w->stats.connected = true; /* it answered */
        if (w->singles)
            w->singles--;
        free_sending(w);
        event_active(w->kick, EV_TIMEOUT, 0);
        return;
    }
    char why[300];
    if (res->refused)
        snprintf(why, sizeof why,
                 "the address policy refused it (%s): allow its range in "
                 "allow_networks",
                 res->error ? res->error : "refused");
    else if (!res->ok)
        snprintf(why, sizeof why, "%s", res->error ? res->error : "no response");
    else
        snprintf(why, sizeof why, "HTTP status %ld", res->status);
    if (w->failures++ == 0)
        log_warn("webhook did not take records, they wait in the spool and are sent again "
                 "url=%s reason=\"%s\"",
                 w->shown_url, why);
    else
        log_info("webhook failed again url=%s failures=%u reason=\"%s\"", w->shown_url, w->failures,
                 why);
    w->stats.connected = false;
    w->stats.resent += (long)w->n_sending;
    outbox_retry(w->lane, w->sending, w->n_sending);
    free_sending(w);
    struct timeval tv = back_off(w->failures);
    long asked = res->ok ? retry_after(res->retry_after) : 0;
    if (asked > tv.tv_sec)
        tv = (struct timeval){.tv_sec = asked};
    evtimer_add(w->retry, &tv);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pump(arg);
}

static void close_sink(void *state);

static void *open_sink(struct event_base *base, const struct config *cfg, struct outbox_lane *lane,
                       void (*on_drained)(void *ud), void *ud, char *err, size_t errlen)
{
    struct webhook *w = xcalloc(1, sizeof *w);
    w->url = xstrdup(cfg->webhook_url);
    w->shown_url = redact_credentials(cfg->webhook_url);
    w->batch = cfg->webhook_batch;
    w->lane = lane;
    w->on_drained = on_drained;
    w->ud = ud;
    w->kick = event_new(base, -1, 0, on_kick, w);
    w->retry = evtimer_new(base, on_kick, w);
    if (netpolicy_parse(cfg->allow_networks, &w->policy, err, errlen) < 0) {
        close_sink(w);
        return NULL;
    }
    char *user_agent = config_user_agent(cfg);
    struct fetch_options fo = fetch_options_from_config(cfg, user_agent, w->policy, NULL);
    fo.max_redirects = 0; /* a redirect is not a 2xx: sent again later */
    fo.max_transfers = fo.max_per_host = 1;
    fo.max_body = RESPONSE_MAX;
    fo.host_min_gap_ms = 0;
    w->fetcher = fetcher_new(base, &fo);
    free(user_agent); /* (the fetcher keeps a copy) */
    w->stats.connected = true;
    if (outbox_queued(lane))
        log_notice("records waiting in the spool for the webhook count=%zu", outbox_queued(lane));
    event_active(w->kick, EV_TIMEOUT, 0);
    return w;
}

static void publish(void *state)
{
    struct webhook *w = state;
    if (!w->sending && !evtimer_pending(w->retry, NULL))
        event_active(w->kick, EV_TIMEOUT, 0);
}

static struct sink_stats stats(const void *state)
{
    const struct webhook *w = state;
    struct sink_stats st = w->stats;
    st.queued = outbox_queued(w->lane);
    st.in_flight = w->n_sending;
    return st;
}

static void latency(void *state, double *p50_ms, double *p99_ms)
{
    sink_latency_percentiles(&((struct webhook *)state)->latency, p50_ms, p99_ms);
}

static void close_sink(void *state)
{
    struct webhook *w = state;
    fetcher_free(w->fetcher); /* the request in flight ends, aborted: its records stay */
    free_sending(w);
    if (w->kick)
        event_free(w->kick);
    if (w->retry)
        event_free(w->retry);
    netpolicy_free(w->policy);
    sink_latency_free(&w->latency);
    free(w->url);
    free(w->shown_url);
    free(w);
}

const struct sink_ops webhook_sink_ops = {
    .name = "webhook",
    .title = "webhook",
    .configured = configured,
    .open = open_sink,
    .publish = publish,
    .drained = drained,
    .stats = stats,
    .latency = latency,
    .close = close_sink,
};
