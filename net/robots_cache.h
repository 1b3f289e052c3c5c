/* robots_cache.h: each site's robots.txt, fetched once and kept, for article page fetches.
 *
 * A site is a scheme, host and port (RFC 9309 2.3). Its robots.txt is fetched through the
 * fetcher like any untrusted URL (the address policy and the host's pacing apply), at most
 * one fetch per site at a time; askers wait without blocking anything, each told once when
 * the answer is there. What it answers:
 *   2xx          its rules (the first ROBOTS_PARSE_LIMIT bytes; Crawl-delay raises the
 *                host's gap in the fetcher, up to ROBOTS_MAX_CRAWL_DELAY_MS)
 *   4xx but 429  no rules: everything allowed
 *   5xx, 429, no answer   unreachable: nothing may be fetched; asked again after
 *                retry_seconds (a copy fetched before is used meanwhile, if there is one)
 *   refused by the address policy   no rules (the page will be refused the same way)
 * An answer is kept for its Cache-Control max-age, at least min_lifetime seconds and at
 * most a day; then it is asked again with its ETag and Last-Modified (a 304 keeps it). At
 * most max_sites sites are held: beyond that the one asked about least recently (that no
 * fetch or asker waits on) is forgotten, and fetched again when it is next asked about.
 *
 * Ownership: the cache copies its options; the fetcher and the event base are borrowed and
 * must outlive it, and the fetcher must have no transfer of the cache left when it is freed
 * (fetcher_cancel_all() first). A waiter belongs to its asker, who must cancel it before
 * freeing it if it is still waiting. */
#ifndef FEEDSPOOL_NET_ROBOTS_CACHE_H
#define FEEDSPOOL_NET_ROBOTS_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "net/fetch.h"

#define ROBOTS_MAX_CRAWL_DELAY_MS 10000L
#define ROBOTS_MAX_LIFETIME 86400L

struct robots_cache;

struct robots_cache_options {
    const char *user_agent; /* its product token picks the groups that apply */
    long min_lifetime;      /* seconds an answer is kept at least, whatever its max-age */
    long retry_seconds;     /* an unreachable robots.txt is asked again after this */
    size_t max_sites;       /* sites held at most (at least 1) */
};

enum robots_verdict {
    ROBOTS_ALLOWED,
    ROBOTS_DISALLOWED,  /* the site's rules forbid the URL */
    ROBOTS_UNREACHABLE, /* the site's robots.txt could not be had: nothing may be fetched */
    ROBOTS_PENDING,     /* being fetched: the waiter is told when it is there */
};

/* An asker's place in a site's queue. Set ready before asking; the rest is the cache's. */
struct robots_waiter {
    void (*ready)(struct robots_waiter *w); /* called once, from the event loop: ask again */
    struct robots_waiter **list;            /* the queue it is in, or NULL */
    struct robots_waiter *prev, *next;
    void *told_by; /* the site whose answer it was told, kept until it asks again */
};

struct robots_cache *robots_cache_new(struct fetcher *fetcher,
                                      const struct robots_cache_options *opts);
void robots_cache_free(struct robots_cache *c);
/* May url be fetched? When the site's robots.txt is not known yet (or is out of date), a
 * fetch of it is started if none is running, w is queued and ROBOTS_PENDING returned. For
 * ROBOTS_DISALLOWED and ROBOTS_UNREACHABLE, why says why. */
enum robots_verdict robots_cache_check(struct robots_cache *c, const char *url,
                                       struct robots_waiter *w, char *why, size_t whylen);
/* Takes w out of its queue, if it is in one. */
void robots_waiter_cancel(struct robots_waiter *w);
/* robots.txt fetches started so far. */
unsigned long robots_cache_fetches(const struct robots_cache *c);
/* Sites held now. */
size_t robots_cache_sites(const struct robots_cache *c);

#endif
