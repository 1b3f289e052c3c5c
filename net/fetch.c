/* fetch.c: libcurl multi socket API glued to libevent (after curl's hiperfifo example). */
#include "net/fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/redact.h"
#include "common/url.h"
#include "common/util.h"
#include "config/config.h"

struct host_pace;

struct transfer {
    struct fetcher *fetcher;
    CURL *easy; /* made when handed to libcurl, else NULL */
    char *url;
    struct host_pace *host;                 /* its host's pacing */
    enum { AT_HOST, READY, IN_CURL } stage; /* waiting for its host's turn, for a slot, running */
    struct transfer *next_waiting; /* in its host's queue, or in the fetcher's ready queue */
    bool untrusted;                /* the URL came from a feed: the address policy applies to
                                     every connection (else to those of redirects only) */
    bool temporary_redirect;       /* a hop other than 301/308 redirected it */
    char refused[256];             /* why the address policy refused a connection */
    long redirect_hops;
    /* The hop (redirect_hops then) of the last refused and of the last allowed connection
     * attempt, -1 when none: a name with several addresses may have some refused and
     * others allowed, and only a hop none of whose attempts were allowed is refused. */
    long refused_hop, allowed_hop;
    char *user, *password; /* HTTP credentials, or NULL */
    struct curl_slist *headers;
    char *post_body; /* a POST's body, or NULL for a GET */
    size_t post_len;
    struct buf body;
    bool too_big;
    size_t keep_first; /* > 0: the body ends, complete, after this many bytes */
    bool truncated;
    size_t header_bytes; /* of every response of the transfer, redirects included */
    bool headers_too_big;
    bool capture;        /* keep the heads below (fetch_request.capture) */
    struct buf request;  /* the last request's head as sent */
    struct buf response; /* the last response's head as received */
    fetch_done_fn done;
    void *ud;
    char error[CURL_ERROR_SIZE];
    struct transfer *prev, *next; /* the fetcher's list of transfers in flight */
};

struct socket_watch {
    struct event *ev;
};

/* One host's pacing: when a request to it last started, and who waits for the gap. A
 * request starts when libcurl sends it, which may be well after its host's turn came (it
 * may wait for one of the max_transfers slots, or in libcurl for a connection to the
 * host): the host's next turn comes only once that request is out and the gap has passed. */
struct host_pace {
    char *name;
    struct fetcher *fetcher;
    long long last_start_ms;
    long min_gap_ms;            /* host_min_gap_ms, or the host's longer Crawl-delay */
    struct transfer *unstarted; /* had its turn, its request not sent yet */
    struct transfer *first_waiting, *last_waiting;
    struct event *timer;
    struct host_pace *next_in_bucket;
};

#define HOST_BUCKETS 4096
/* libcurl (7.88) walks its whole DNS cache, to drop stale entries, on every name lookup
 * unless told to keep entries for ever; with thousands of hosts the walk costs more than
 * the transfer (a quarter of an all-304 cycle's CPU over 2,500 hosts). So transfers keep
 * entries for ever, except one every DNS_PRUNE_MS, whose lookup drops those older than
 * DNS_CACHE_SECONDS (libcurl's default): an address is used at most that long plus this. */
#define DNS_PRUNE_MS 10000
#define DNS_CACHE_SECONDS 60L
#define FETCH_MAX_HEADER_BYTES (256 * 1024)

struct fetcher {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    struct fetch_options opts;
    char *user_agent;
    struct transfer *transfers;
    size_t in_flight;
    /* At most max_transfers are with libcurl, so that none waits there long enough for its
     * timeouts to run out; the others wait here, in the order their host's turn came. */
    size_t in_curl;
    struct transfer *first_ready, *last_ready;
    long long last_dns_prune_ms;
    /* libcurl handles of finished transfers, reset, for the next ones: making one costs
     * more than using it for a 304 */
    CURL **spare;
    size_t n_spare;
    struct host_pace *hosts[HOST_BUCKETS];
};

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Frees t; its libcurl handle is kept for another transfer, up to max_transfers of them. */
static void transfer_free(struct fetcher *f, struct transfer *t)
{
    if (t->easy && f->n_spare < (size_t)f->opts.max_transfers) {
        curl_easy_reset(t->easy);
        f->spare[f->n_spare++] = t->easy;
    } else {
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);
    free(t->post_body);
    buf_free(&t->body);
    buf_free(&t->request);
    buf_free(&t->response);
    free(t->url);
    free(t->user);
    if (t->password)
        explicit_bzero(t->password, strlen(t->password));
    free(t->password);
    free(t);
}

static void unlink_transfer(struct fetcher *f, struct transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        f->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    f->in_flight--;
}

static const char *header_value(CURL *easy, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        return h->value;
    return NULL;
}

/* Seconds of a Cache-Control max-age (0 for no-cache/no-store), or -1 when it says neither. */
static long cache_max_age(const char *value)
{
    if (!value)
        return -1;
    if (strcasestr(value, "no-cache") || strcasestr(value, "no-store"))
        return 0;
    for (const char *p = strcasestr(value, "max-age"); p; p = strcasestr(p + 7, "max-age")) {
        if (p > value && (p[-1] == '-' || isalnum((unsigned char)p[-1])))
            continue; /* s-maxage and the like */
        const char *v = p + 7;
        while (*v == ' ')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ' || *v == '"')
            v++;
        char *end;
        long seconds = strtol(v, &end, 10);
        return end != v && seconds >= 0 ? seconds : -1;
    }
    return -1;
}

/* Takes t out of a queue (first/last: its host's, or the fetcher's ready queue). */
static void unqueue(struct transfer **first, struct transfer **last, struct transfer *t)
{
    struct transfer **link = first, *prev = NULL;
    while (*link && *link != t) {
        prev = *link;
        link = &(*link)->next_waiting;
    }
    if (*link)
        *link = t->next_waiting;
    if (*last == t)
        *last = prev;
}

static void start_ready(struct fetcher *f);

static void note_request_start(struct transfer *t);
static int on_request_sent(void *ud, char *primary_ip, char *local_ip, int primary_port,
                           int local_port);

/* Hands a finished (or cancelled) transfer to its owner and frees it. */
static void finish_transfer(struct fetcher *f, struct transfer *t, CURLcode code, bool aborted)
{
    if (t->stage == AT_HOST) {
        unqueue(&t->host->first_waiting, &t->host->last_waiting, t);
    } else if (t->stage == READY) {
        unqueue(&f->first_ready, &f->last_ready, t);
    } else {
        curl_multi_remove_handle(f->multi, t->easy);
        f->in_curl--;
    }
    if (t->host->unstarted == t)
        note_request_start(t); /* ended before sending (connect failure): counts as a start */
    unlink_transfer(f, t);

    struct fetch_result r = {.url = t->url, .aborted = aborted, .max_age = -1};
    char *effective = NULL;
    char *content_type = NULL;
    if (t->easy) {
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &content_type);
        curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &r.seconds);
    }
    r.effective_url = effective ? effective : t->url;
    r.moved_permanently = t->redirect_hops > 0 && !t->temporary_redirect;
    r.content_type = content_type;
    if (t->truncated && code == CURLE_WRITE_ERROR)
        code = CURLE_OK; /* stopped where the owner asked */
    r.ok = !aborted && code == CURLE_OK;
    r.truncated = t->truncated;
    char reason[CURL_ERROR_SIZE + 64];
    if (aborted) {
        r.error = "transfer abandoned at shutdown";
    } else if (code != CURLE_OK && t->refused[0] && t->refused_hop == t->redirect_hops &&
               t->allowed_hop != t->redirect_hops) {
        r.error = t->refused;
        r.refused = true;
        r.ok = false;
    } else if (t->headers_too_big || (code == CURLE_OUT_OF_MEMORY && t->body.len == 0)) {
        /* libcurl refuses one header line over 100 KB with "out of memory"; we cap the sum */
        snprintf(reason, sizeof reason,
                 "response headers too large (over %d bytes, or one "
                 "header over 100 KB)",
                 FETCH_MAX_HEADER_BYTES);
        r.error = reason;
        r.ok = false;
    } else if (t->too_big || code == CURLE_FILESIZE_EXCEEDED) {
        snprintf(reason, sizeof reason, "body larger than %zu bytes", f->opts.max_body);
        r.error = reason;
        r.ok = false;
    } else if (code != CURLE_OK) {
        snprintf(reason, sizeof reason, "%s", t->error[0] ? t->error : curl_easy_strerror(code));
        r.error = reason;
    }
    if (r.ok) {
        r.etag = header_value(t->easy, "ETag");
        r.last_modified = header_value(t->easy, "Last-Modified");
        r.retry_after = header_value(t->easy, "Retry-After");
        r.max_age = cache_max_age(header_value(t->easy, "Cache-Control"));
    }
    /* The header strings live in curl's storage and change with each lookup: copy. */
    char *etag = xstrdup(r.etag), *last_modified = xstrdup(r.last_modified),
         *retry_after = xstrdup(r.retry_after);
    r.etag = etag;
    r.last_modified = last_modified;
    r.retry_after = retry_after;
    r.body = t->body.data ? t->body.data : "";
    r.body_len = t->body.len;
    r.body_buf = &t->body;
    if (t->capture && r.ok) {
        r.request = t->request.data ? t->request.data : "";
        r.response = t->response.data ? t->response.data : "";
    }
    t->done(&r, t->ud);
    free(etag);
    free(last_modified);
    free(retry_after);
    transfer_free(f, t);
    start_ready(f);
}

static void drain_completed(struct fetcher *f)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(f->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct transfer *t = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        finish_transfer(f, t, msg->data.result, false);
    }
}

static void on_socket_event(evutil_socket_t fd, short kind, void *arg)
{
    struct fetcher *f = arg;
    int action =
        ((kind & EV_READ) ? CURL_CSELECT_IN : 0) | ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(f->multi, fd, action, &running);
    /* No timer cleanup here: completions may have queued new transfers, whose
     * kick-off timer libcurl has just set. */
    drain_completed(f);
}

static void on_timeout(evutil_socket_t fd, short kind, void *arg)
{
    (void)fd;
    (void)kind;
    struct fetcher *f = arg;
    int running = 0;
    curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_completed(f);
}

/* CURLMOPT_SOCKETFUNCTION: keep one persistent libevent event per curl socket. */
static int curl_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    struct fetcher *f = userp;
    struct socket_watch *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            event_free(w->ev);
            free(w);
            curl_multi_assign(f->multi, s, NULL);
        }
        return 0;
    }
    short kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                 ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!w) {
        w = xcalloc(1, sizeof *w);
        curl_multi_assign(f->multi, s, w);
    } else {
        event_free(w->ev);
    }
    w->ev = event_new(f->base, s, kind, on_socket_event, f);
    event_add(w->ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. */
static int curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct fetcher *f = userp;
    if (timeout_ms < 0) {
        evtimer_del(f->timer);
    } else {
        struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
        evtimer_add(f->timer, &tv);
    }
    return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: every connection of an untrusted transfer, and every one of a
 * feed's after its first URL (where a redirect goes is the remote server's choice), is
 * checked on the address actually connected to, after DNS, so rebinding cannot dodge it. */
static curl_socket_t open_checked_socket(void *ud, curlsocktype purpose,
                                         struct curl_sockaddr *address)
{
    (void)purpose;
    struct transfer *t = ud;
    struct address_class why;
    if ((t->untrusted || t->redirect_hops > 0) &&
        !netpolicy_allows(t->fetcher->opts.policy, &address->addr, &why)) {
        char ip[INET6_ADDRSTRLEN] = "?", what[160];
        const void *bytes =
            address->family == AF_INET6
                ? (const void *)&((const struct sockaddr_in6 *)(const void *)&address->addr)
                      ->sin6_addr
                : (const void *)&((const struct sockaddr_in *)(const void *)&address->addr)
                      ->sin_addr;
        inet_ntop(address->family, bytes, ip, sizeof ip);
        netpolicy_describe(&why, what, sizeof what);
        snprintf(t->refused, sizeof t->refused, "refused to connect to %s: %s (see allow_networks)",
                 ip, what);
        t->refused_hop = t->redirect_hops;
        return CURL_SOCKET_BAD;
    }
    t->allowed_hop = t->redirect_hops;
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* Sees each response's header lines; on a status line, notes whether a redirect hop is
 * permanent (301, 308) or not, to tell a feed's new home from a detour. */
static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    struct transfer *t = ud;
    size_t n = size * nmemb;
    t->header_bytes += n;
    if (t->header_bytes > FETCH_MAX_HEADER_BYTES) {
        t->headers_too_big = true;
        return 0; /* stops the transfer */
    }
    if (t->capture) {
        if (n > 5 && strncmp(line, "HTTP/", 5) == 0)
            buf_reset(&t->response);       /* a new response: a redirect's, or an interim 1xx */
        buf_append(&t->response, line, n); /* within FETCH_MAX_HEADER_BYTES (above) */
    }
    if (n > 9 && strncmp(line, "HTTP/", 5) == 0) {
        const char *sp = memchr(line, ' ', n);
        long status = sp ? strtol(sp + 1, NULL, 10) : 0;
        if (status >= 300 && status < 400 && status != 304) {
            t->redirect_hops++;
            if (status != 301 && status != 308)
                t->temporary_redirect = true;
        }
    }
    return n;
}

/* With capture: the request head libcurl sends (CURLINFO_HEADER_OUT, one call per request),
 * without the lines that carry credentials. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)easy;
    struct transfer *t = ud;
    if (type != CURLINFO_HEADER_OUT)
        return 0;
    buf_reset(&t->request);
    for (const char *line = data, *end = data + size; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = eol ? (size_t)(eol - line) + 1 : (size_t)(end - line);
        if (strncasecmp(line, "Authorization:", 14) != 0 && strncasecmp(line, "Cookie:", 7) != 0)
            buf_append(&t->request, line, len);
        line += len;
    }
    return 0;
}

/* Caps the body where the bytes arrive (after decompression). */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct transfer *t = ud;
    size_t n = size * nmemb;
    if (t->keep_first && t->body.len + n >= t->keep_first) {
        if (buf_append(&t->body, data, t->keep_first - t->body.len) == 0)
            t->truncated = true;
        else
            t->too_big = true;
        return 0; /* ends the transfer with CURLE_WRITE_ERROR, taken as complete */
    }
    if (buf_append(&t->body, data, n) < 0) {
        t->too_big = true;
        return 0; /* makes libcurl stop the transfer with CURLE_WRITE_ERROR */
    }
    return n;
}

struct fetch_options fetch_options_from_config(const struct config *cfg, const char *user_agent,
                                               const struct netpolicy *policy,
                                               const struct credentials *credentials)
{
    return (struct fetch_options){
        .user_agent = user_agent,
        .connect_timeout = cfg->connect_timeout,
        .transfer_timeout = cfg->transfer_timeout,
        .low_speed_limit = cfg->low_speed_limit,
        .low_speed_time = cfg->low_speed_time,
        .max_redirects = cfg->max_redirects,
        .max_transfers = cfg->max_transfers,
        .max_per_host = cfg->max_per_host,
        .max_body = (size_t)cfg->max_body,
        .host_min_gap_ms = cfg->host_min_gap,
        .policy = policy,
        .credentials = credentials,
    };
}

struct fetcher *fetcher_new(struct event_base *base, const struct fetch_options *opts)
{
    struct fetcher *f = xcalloc(1, sizeof *f);
    f->base = base;
    f->opts = *opts;
    f->user_agent = xstrdup(opts->user_agent);
    f->opts.user_agent = f->user_agent;
    f->multi = curl_multi_init();
    if (!f->multi)
        abort();
    f->timer = evtimer_new(base, on_timeout, f);
    f->spare = xcalloc((size_t)opts->max_transfers, sizeof *f->spare);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts->max_transfers);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, opts->max_per_host);
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, opts->max_transfers);
    return f;
}

/* The transfer's libcurl handle, made (or taken from the spares) only when it is handed
 * over: at most max_transfers exist at once, however many transfers wait. */
static void make_easy(struct fetcher *f, struct transfer *t)
{
    t->easy = f->n_spare ? f->spare[--f->n_spare] : curl_easy_init();
    if (!t->easy)
        abort();
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_USERAGENT, f->user_agent);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, f->opts.max_redirects);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl was built with */
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, f->opts.connect_timeout);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, f->opts.transfer_timeout);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, f->opts.low_speed_limit);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, f->opts.low_speed_time);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->opts.max_body);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    long long now = monotonic_ms();
    bool prune = now - f->last_dns_prune_ms >= DNS_PRUNE_MS;
    if (prune)
        f->last_dns_prune_ms = now;
    curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, prune ? DNS_CACHE_SECONDS : -1L);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_request_sent);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
    if (f->opts.policy) {
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
        /* Only checked connections may be pooled, or an untrusted transfer (or one of its
         * redirects) could reuse an unchecked one: a feed's transfer, whose first connection
         * is not checked, closes its connections (each hop then opens, and checks, its own). */
        if (!t->untrusted)
            curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    if (t->user) {
        /* libcurl sends these to the URL's host only, not to where a redirect leads */
        curl_easy_setopt(e, CURLOPT_USERNAME, t->user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, t->password);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (t->post_body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->post_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->post_body);
    }
    if (t->capture) {
        curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(e, CURLOPT_DEBUGDATA, t);
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L); /* (the debug function only is called) */
    }
}

/* Hands ready transfers to libcurl while fewer than max_transfers are there. */
static void start_ready(struct fetcher *f)
{
    while (f->first_ready && f->in_curl < (size_t)f->opts.max_transfers) {
        struct transfer *t = f->first_ready;
        f->first_ready = t->next_waiting;
        if (!f->first_ready)
            f->last_ready = NULL;
        t->stage = IN_CURL;
        f->in_curl++;
        make_easy(f, t);
        CURLMcode mc = curl_multi_add_handle(f->multi, t->easy);
        if (mc != CURLM_OK) {
            snprintf(t->error, sizeof t->error, "cannot start transfer: %s",
                     curl_multi_strerror(mc));
            finish_transfer(f, t, CURLE_FAILED_INIT, false);
            return; /* (finish_transfer went on with the queue) */
        }
    }
}

/* The host's turn: t waits for a slot (and is the host's unstarted transfer until sent). */
static void take_turn(struct fetcher *f, struct transfer *t)
{
    t->host->unstarted = t;
    t->stage = READY;
    t->next_waiting = NULL;
    if (f->last_ready)
        f->last_ready->next_waiting = t;
    else
        f->first_ready = t;
    f->last_ready = t;
    start_ready(f);
}

static void schedule_host(struct host_pace *h, long long now)
{
    long long wait = h->last_start_ms + h->min_gap_ms - now;
    if (wait < 0)
        wait = 0;
    struct timeval tv = {.tv_sec = (time_t)(wait / 1000),
                         .tv_usec = (suseconds_t)(wait % 1000) * 1000};
    evtimer_add(h->timer, &tv);
}

/* The gap has passed: the host's next waiting transfer takes its turn (its request
 * going out is what schedules the one after). */
static void on_host_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct host_pace *h = arg;
    struct transfer *t = h->first_waiting;
    if (!t || h->unstarted)
        return;
    h->first_waiting = t->next_waiting;
    if (!h->first_waiting)
        h->last_waiting = NULL;
    take_turn(h->fetcher, t);
}

/* The transfer's request is going out now (or it ended without one): the host's gap runs
 * from here. */
static void note_request_start(struct transfer *t)
{
    struct host_pace *h = t->host;
    long long now = monotonic_ms();
    h->last_start_ms = now;
    if (h->unstarted == t)
        h->unstarted = NULL;
    if (h->first_waiting)
        schedule_host(h, now);
}

/* CURLOPT_PREREQFUNCTION: called as each request (each redirect hop too) is sent. */
static int on_request_sent(void *ud, char *primary_ip, char *local_ip, int primary_port,
                           int local_port)
{
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    note_request_start(ud);
    return CURL_PREREQFUNC_OK;
}

/* The pacing record of the URL's host, made on first use. */
static struct host_pace *host_pace_of(struct fetcher *f, const char *url)
{
    char *host = url_host(url);
    const char *name = host ? host : "";
    unsigned long bucket = hash_string(name) % HOST_BUCKETS;
    struct host_pace *h = f->hosts[bucket];
    while (h && strcasecmp(h->name, name) != 0)
        h = h->next_in_bucket;
    if (!h) {
        h = xcalloc(1, sizeof *h);
        h->name = xstrdup(name);
        h->fetcher = f;
        h->last_start_ms = -(1LL << 40);
        h->min_gap_ms = f->opts.host_min_gap_ms;
        h->timer = evtimer_new(f->base, on_host_ready, h);
        h->next_in_bucket = f->hosts[bucket];
        f->hosts[bucket] = h;
    }
    free(host);
    return h;
}

void fetcher_start(struct fetcher *f, const struct fetch_request *req, fetch_done_fn done, void *ud)
{
    struct transfer *t = xcalloc(1, sizeof *t);
    t->fetcher = f;
    t->refused_hop = t->allowed_hop = -1;
    /* Credentials in the URL go to libcurl as such, so that no URL it reports (the effective
     * URL, the base of a feed's relative links) carries them; else the credentials file's. */
    if (!url_take_credentials(req->url, &t->url, &t->user, &t->password)) {
        t->url = xstrdup(req->url);
        const struct credential *c = credentials_find(f->opts.credentials, t->url);
        if (c) {
            t->user = xstrdup(c->user);
            t->password = xstrdup(c->password);
        }
    }
    t->done = done;
    t->ud = ud;
    buf_init(&t->body, f->opts.max_body);
    t->untrusted = req->untrusted;
    t->keep_first = req->keep_first;
    t->capture = req->capture;
    buf_init(&t->request, FETCH_MAX_HEADER_BYTES);
    buf_init(&t->response, FETCH_MAX_HEADER_BYTES);
    if (req->accept) {
        char *h = xasprintf("Accept: %s", req->accept);
        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    if (req->etag) {
        char *h = xasprintf("If-None-Match: %s", req->etag);
        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    if (req->last_modified) {
        char *h = xasprintf("If-Modified-Since: %s", req->last_modified);
        t->headers = curl_slist_append(t->headers, h);
        free(h);
    }
    for (size_t i = 0; req->headers && req->headers[i]; i++)
        t->headers = curl_slist_append(t->headers, req->headers[i]);
    if (req->post_body) {
        t->post_body = xmalloc(req->post_len + 1);
        memcpy(t->post_body, req->post_body, req->post_len);
        t->post_len = req->post_len;
        t->headers = curl_slist_append(t->headers, "Expect:"); /* no 100-continue round trip */
    }

    t->next = f->transfers;
    if (f->transfers)
        f->transfers->prev = t;
    f->transfers = t;
    f->in_flight++;
    t->host = host_pace_of(f, t->url);
    long long now = monotonic_ms();
    struct host_pace *h = t->host;
    if (!h->first_waiting && !h->unstarted && now - h->last_start_ms >= h->min_gap_ms) {
        take_turn(f, t);
        return;
    }
    t->stage = AT_HOST;
    if (h->last_waiting)
        h->last_waiting->next_waiting = t;
    else
        h->first_waiting = t;
    h->last_waiting = t;
    schedule_host(h, now);
}

size_t fetcher_in_flight(const struct fetcher *f)
{
    return f->in_flight;
}

void fetcher_set_host_gap(struct fetcher *f, const char *url, long gap_ms)
{
    struct host_pace *h = host_pace_of(f, url);
    h->min_gap_ms = gap_ms > f->opts.host_min_gap_ms ? gap_ms : f->opts.host_min_gap_ms;
}

long long fetcher_host_wait_ms(struct fetcher *f, const char *url)
{
    struct host_pace *h = host_pace_of(f, url);
    if (h->min_gap_ms <= 0)
        return 0; /* (no pacing: libcurl holds max_per_host) */
    if (h->first_waiting || h->unstarted)
        return h->min_gap_ms;
    long long wait = h->last_start_ms + h->min_gap_ms - monotonic_ms();
    return wait > 0 ? wait : 0;
}

void fetcher_cancel_all(struct fetcher *f)
{
    while (f->transfers)
        finish_transfer(f, f->transfers, CURLE_ABORTED_BY_CALLBACK, true);
}

void fetcher_free(struct fetcher *f)
{
    if (!f)
        return;
    fetcher_cancel_all(f);
    while (f->n_spare)
        curl_easy_cleanup(f->spare[--f->n_spare]);
    free(f->spare);
    curl_multi_cleanup(f->multi);
    for (size_t i = 0; i < HOST_BUCKETS; i++)
        while (f->hosts[i]) {
            struct host_pace *h = f->hosts[i];
            f->hosts[i] = h->next_in_bucket;
            event_free(h->timer);
            free(h->name);
            free(h);
        }
    event_free(f->timer);
    free(f->user_agent);
    free(f);
}
