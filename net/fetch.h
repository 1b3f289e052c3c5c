/* fetch.h: HTTP transfers on the event loop, the only code that talks to libcurl: GETs of
 * feeds and pages, and the webhook sink's POSTs (sink/webhook.c).
 *
 * libcurl's multi socket API is driven by libevent: CURLMOPT_SOCKETFUNCTION maps
 * curl's sockets to events, CURLMOPT_TIMERFUNCTION to one timer. Nothing here
 * blocks: DNS is curl's asynchronous resolver, and every transfer has connect,
 * total and low-speed timeouts, a body cap that counts decompressed bytes,
 * http/https only, and bounded redirects. Credentials in a URL (user:password@) are
 * taken out of it and sent as HTTP credentials, as are those of the credentials file. A transfer waits here for its host's
 * turn (a minimum gap after the host's last request was sent, whatever the kind
 * of request), then for one of max_transfers slots; only then is its libcurl
 * handle made, and libcurl holds the per-host connection limit.
 *
 * Ownership: fetcher_start() copies what it needs from the request. The result
 * passed to the done callback, and every pointer in it, lives only during the
 * call. Never free the fetcher from inside a done callback. */
#ifndef FEEDSPOOL_NET_FETCH_H
#define FEEDSPOOL_NET_FETCH_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "net/credentials.h"
#include "net/netpolicy.h"

struct fetcher;

struct fetch_options {
    const char *user_agent;
    long connect_timeout;  /* seconds */
    long transfer_timeout; /* seconds */
    long low_speed_limit;  /* bytes/s: slower counts as stalled */
    long low_speed_time;   /* seconds stalled before the transfer is cut */
    long max_redirects;
    long max_transfers;
    long max_per_host;
    size_t max_body;                /* bytes after decompression */
    long host_min_gap_ms;           /* at least this long between request starts to one host */
    const struct netpolicy *policy; /* borrowed: where untrusted requests may connect */
    const struct credentials *credentials; /* borrowed: per-URL-prefix user and password, or NULL */
};

struct config;
/* The options a fetcher takes from the configuration (timeouts, redirects, transfers, body
 * size, host gap), with user_agent (config_user_agent()), policy and credentials borrowed; a
 * caller with other needs overrides fields after. */
struct fetch_options fetch_options_from_config(const struct config *cfg, const char *user_agent,
                                               const struct netpolicy *policy,
                                               const struct credentials *credentials);

struct fetch_request {
    const char *url;
    const char *accept;        /* Accept header, or NULL */
    const char *etag;          /* sent as If-None-Match, or NULL */
    const char *last_modified; /* sent as If-Modified-Since, or NULL */
    bool untrusted;            /* the URL came from a feed: the address policy applies to
                                  every connection; otherwise (a feed's URL, chosen by the
                                  administrator) to those of its redirects */
    size_t keep_first;         /* > 0: only the body's first this many bytes are wanted; the
                                  transfer ends there as complete (result.truncated) */
    const char *post_body;     /* POSTs these post_len bytes (copied) instead of a GET; NULL */
    size_t post_len;
    const char *const *headers; /* more "Name: value" request headers, NULL-ended; or NULL */
    bool capture;               /* keep the request and response heads as they went over the
                                  wire, for the page archive (result's request, response) */
};

struct fetch_result {
    const char *url;           /* as requested, without user:password@ */
    const char *effective_url; /* after redirects, without user:password@ */
    long status;               /* HTTP status, 0 when no response */
    bool ok;                   /* transfer completed (any HTTP status) */
    bool aborted;              /* cancelled by fetcher_cancel_all() */
    const char *error;         /* why it did not complete, when !ok */
    const char *content_type;  /* or NULL */
    const char *etag;          /* or NULL */
    const char *last_modified; /* or NULL */
    const char *retry_after;   /* or NULL */
    long max_age;              /* Cache-Control max-age in seconds; -1 when none */
    const char *body;          /* NUL-terminated, never NULL */
    size_t body_len;
    struct buf *body_buf;   /* body's storage: buf_steal(body_buf) takes the same bytes
                               over, uncopied, for the caller to free */
    double seconds;         /* total transfer time */
    bool moved_permanently; /* redirected, and every redirect was a 301 or 308 */
    bool refused;           /* the address policy refused a connection (permanent) */
    bool truncated;         /* ended at the request's keep_first bytes */
    /* With capture: the last request's head as sent (Authorization and Cookie lines left
     * out) and its response's head as received, each ending with its blank line; else NULL. */
    const char *request;
    const char *response;
};

typedef void (*fetch_done_fn)(const struct fetch_result *result, void *ud);

struct fetcher *fetcher_new(struct event_base *base, const struct fetch_options *opts);
/* Cancels what is still running (callbacks get aborted=true) and frees everything. */
void fetcher_free(struct fetcher *f);
/* Queues a transfer; done is called exactly once, later, from the event loop. */
void fetcher_start(struct fetcher *f, const struct fetch_request *req, fetch_done_fn done,
                   void *ud);
size_t fetcher_in_flight(const struct fetcher *f);
/* Sets the least gap between request starts to the URL's host to gap_ms, or to
 * host_min_gap_ms if that is longer (a site's Crawl-delay raises it, never lowers it). */
void fetcher_set_host_gap(struct fetcher *f, const char *url, long gap_ms);
/* Milliseconds until a transfer to url's host would take its turn: 0 when it would now (or
 * the host has no gap); its gap (host_min_gap, or a
 * Crawl-delay) while another waits for its turn or has not been sent. */
long long fetcher_host_wait_ms(struct fetcher *f, const char *url);
/* Ends every transfer now; each done callback is called with aborted=true. */
void fetcher_cancel_all(struct fetcher *f);

#endif
