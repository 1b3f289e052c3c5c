/* robots_cache.c: one entry per site (scheme://host:port), made on first use, holding its
 * parsed robots.txt, until when it holds, its validators and who waits for it. The entries
 * are kept in the order they were last asked about, so that past max_sites the least recently
 * asked one that nobody waits for is dropped. */
#include "net/robots_cache.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/util.h"
#include "net/robots.h"

#define SITE_BUCKETS 4096

/* Where a site's robots.txt is: NONE -> FETCHING -> KNOWN -> (expired) FETCHING ... */
enum site_state { SITE_NONE, SITE_FETCHING, SITE_KNOWN };

struct site {
    struct robots_cache *cache;
    char *key;        /* scheme://host:port, lower case */
    char *robots_url; /* scheme://host:port/robots.txt */
    enum site_state state;
    struct robots *rules; /* NULL: everything allowed */
    bool unreachable;     /* with no rules to fall back on: nothing allowed */
    char *unreachable_why;
    long long expires; /* monotonic seconds */
    char *etag, *last_modified;
    struct robots_waiter *waiting;  /* for the fetch in flight */
    struct robots_waiter *notified; /* being told the fetch is over */
    size_t told;                    /* waiters told of its answer that have not asked again since */
    struct site *next_in_bucket;
    struct site *newer, *older; /* by when it was last asked about */
};

struct robots_cache {
    struct fetcher *fetcher;
    char product[ROBOTS_PRODUCT_MAX];
    long min_lifetime, retry_seconds;
    unsigned long fetches;
    size_t max_sites, n_sites;
    struct site *newest, *oldest;
    struct site *sites[SITE_BUCKETS];
};

static long long monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec;
}

struct robots_cache *robots_cache_new(struct fetcher *fetcher,
                                      const struct robots_cache_options *opts)
{
    struct robots_cache *c = xcalloc(1, sizeof *c);
    c->fetcher = fetcher;
    robots_product_token(opts->user_agent, c->product, sizeof c->product);
    c->min_lifetime = opts->min_lifetime;
    c->retry_seconds = opts->retry_seconds;
    c->max_sites = opts->max_sites > 0 ? opts->max_sites : 1;
    return c;
}

static void waiter_push(struct robots_waiter **list, struct robots_waiter *w)
{
    w->list = list;
    w->prev = NULL;
    w->next = *list;
    if (*list)
        (*list)->prev = w;
    *list = w;
}

/* The waiter, told of its site's answer, asks again or goes: the site no longer owes it. */
static void waiter_release(struct robots_waiter *w)
{
    if (!w->told_by)
        return;
    ((struct site *)w->told_by)->told--;
    w->told_by = NULL;
}

void robots_waiter_cancel(struct robots_waiter *w)
{
    waiter_release(w);
    if (!w->list)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        *w->list = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->list = NULL;
    w->prev = w->next = NULL;
}

static void site_free(struct site *s)
{
    while (s->waiting)
        robots_waiter_cancel(s->waiting);
    robots_free(s->rules);
    free(s->key);
    free(s->robots_url);
    free(s->unreachable_why);
    free(s->etag);
    free(s->last_modified);
    free(s);
}

void robots_cache_free(struct robots_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SITE_BUCKETS; i++)
        while (c->sites[i]) {
            struct site *s = c->sites[i];
            c->sites[i] = s->next_in_bucket;
            site_free(s);
        }
    free(c);
}

unsigned long robots_cache_fetches(const struct robots_cache *c)
{
    return c->fetches;
}

size_t robots_cache_sites(const struct robots_cache *c)
{
    return c->n_sites;
}

static void recency_unlink(struct site *s)
{
    struct robots_cache *c = s->cache;
    if (s->newer)
        s->newer->older = s->older;
    else
        c->newest = s->older;
    if (s->older)
        s->older->newer = s->newer;
    else
        c->oldest = s->newer;
    s->newer = s->older = NULL;
}

static void recency_push_newest(struct site *s)
{
    struct robots_cache *c = s->cache;
    s->older = c->newest;
    if (c->newest)
        c->newest->newer = s;
    else
        c->oldest = s;
    c->newest = s;
}

/* Nothing depends on the entry: no fetch of it runs and nobody waits for it. */
static bool site_idle(const struct site *s)
{
    return s->state != SITE_FETCHING && !s->waiting && !s->notified && s->told == 0;
}

static void site_drop(struct site *s)
{
    struct robots_cache *c = s->cache;
    struct site **link = &c->sites[hash_string(s->key) % SITE_BUCKETS];
    while (*link != s)
        link = &(*link)->next_in_bucket;
    *link = s->next_in_bucket;
    recency_unlink(s);
    c->n_sites--;
    log_debug("robots.txt forgotten site=%s sites=%zu", s->key, c->n_sites);
    site_free(s);
}

/* Past max_sites, the least recently asked idle entries go (their site, asked again, is
 * fetched again). */
static void evict_past_cap(struct robots_cache *c)
{
    struct site *s = c->oldest;
    while (c->n_sites > c->max_sites && s && s != c->newest) {
        struct site *newer = s->newer;
        if (site_idle(s))
            site_drop(s);
        s = newer;
    }
}

/* The site key, robots.txt URL and path-and-query of an http(s) URL; false if it is not
 * one (such a URL is left to the fetcher to refuse). Caller frees the three strings. */
static bool split_url(const char *url, char **key, char **robots_url, char **path)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL, *query = NULL;
    bool ok = false;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
        goto done;
    for (char *q = host; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
        query = NULL;
    *key = xasprintf("%s://%s:%s", scheme, host, port);
    *robots_url = xasprintf("%s/robots.txt", *key);
    *path = query ? xasprintf("%s?%s", p, query) : xstrdup(p);
    ok = true;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(p);
    curl_free(query);
    curl_url_cleanup(u);
    return ok;
}

static struct site *site_of(struct robots_cache *c, const char *key, const char *robots_url)
{
    unsigned long bucket = hash_string(key) % SITE_BUCKETS;
    struct site *s = c->sites[bucket];
    while (s && strcmp(s->key, key) != 0)
        s = s->next_in_bucket;
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->cache = c;
        s->key = xstrdup(key);
        s->robots_url = xstrdup(robots_url);
        s->next_in_bucket = c->sites[bucket];
        c->sites[bucket] = s;
        c->n_sites++;
    } else {
        recency_unlink(s);
    }
    recency_push_newest(s);
    return s;
}

static void site_set_state(struct site *s, enum site_state to)
{
    static const char *const names[] = {
        [SITE_NONE] = "none", [SITE_FETCHING] = "fetching", [SITE_KNOWN] = "known"};
    if (s->state == to)
        return;
    log_debug("robots.txt state site=%s from=%s to=%s", s->key, names[s->state], names[to]);
    s->state = to;
}

static long lifetime(const struct robots_cache *c, long max_age)
{
    long seconds = max_age >= 0 && max_age < ROBOTS_MAX_LIFETIME ? max_age : ROBOTS_MAX_LIFETIME;
    return seconds < c->min_lifetime ? c->min_lifetime : seconds;
}

static void replace(char **field, const char *value)
{
    free(*field);
    *field = value ? xstrdup(value) : NULL;
}

/* The site's rules from now on (taken over; NULL: none), with their Crawl-delay applied. */
static void site_set_rules(struct site *s, struct robots *rules)
{
    robots_free(s->rules);
    s->rules = rules;
    s->unreachable = false;
    long delay = rules ? robots_crawl_delay_ms(rules) : -1;
    if (delay > ROBOTS_MAX_CRAWL_DELAY_MS)
        delay = ROBOTS_MAX_CRAWL_DELAY_MS;
    fetcher_set_host_gap(s->cache->fetcher, s->robots_url, delay);
}

/* The fetch failed (why): the copy from before holds a while longer, or, without one,
 * nothing may be fetched until it is asked again. */
static void site_unreachable(struct site *s, const char *why, long long now)
{
    if (s->rules) {
        log_warn("robots.txt unreachable, keeping the copy fetched before site=%s reason=\"%s\" "
                 "retry_in=%lds",
                 s->key, why, s->cache->retry_seconds);
    } else {
        log_warn("robots.txt unreachable, nothing fetched from the site site=%s reason=\"%s\" "
                 "retry_in=%lds",
                 s->key, why, s->cache->retry_seconds);
        s->unreachable = true;
        char *reason = xasprintf("robots.txt unreachable: %s", why);
        free(s->unreachable_why);
        s->unreachable_why = reason;
    }
    s->expires = now + s->cache->retry_seconds;
}

static void on_robots_fetched(const struct fetch_result *r, void *ud)
{
    struct site *s = ud;
    struct robots_cache *c = s->cache;
    long long now = monotonic_seconds();
    char why[512];
    if (r->aborted) {
        site_set_state(s, s->rules || s->unreachable ? SITE_KNOWN : SITE_NONE);
        s->expires = now; /* asked again next time */
    } else {
        site_set_state(s, SITE_KNOWN);
        if (r->refused) {
            site_set_rules(s, NULL); /* the page is refused the same way */
            s->expires = now + c->retry_seconds;
        } else if (!r->ok) {
            site_unreachable(s, r->error, now);
        } else if (r->status >= 500 || r->status == 429 || r->status < 200) {
            snprintf(why, sizeof why, "HTTP %ld", r->status);
            site_unreachable(s, why, now);
        } else if (r->status == 304 && (s->etag || s->last_modified)) {
            s->expires = now + lifetime(c, r->max_age);
        } else if (r->status >= 200 && r->status < 300) {
            struct robots *rules = robots_parse(r->body, r->body_len, c->product);
            log_info("robots.txt fetched site=%s bytes=%zu%s rules=%zu crawl_delay_ms=%ld", s->key,
                     r->body_len, r->truncated ? " (cut)" : "", robots_rule_count(rules),
                     robots_crawl_delay_ms(rules));
            site_set_rules(s, rules);
            replace(&s->etag, r->etag);
            replace(&s->last_modified, r->last_modified);
            s->expires = now + lifetime(c, r->max_age);
        } else { /* 3xx left over, 4xx: no robots.txt, everything allowed */
            log_info("robots.txt absent site=%s status=%ld", s->key, r->status);
            site_set_rules(s, NULL);
            replace(&s->etag, NULL);
            replace(&s->last_modified, NULL);
            s->expires = now + lifetime(c, r->max_age);
        }
    }
    /* Those waiting are told one by one, oldest first; one may ask again (and wait for a
     * new fetch) or cancel another while this runs. */
    struct robots_waiter *reversed = NULL;
    while (s->waiting) {
        struct robots_waiter *w = s->waiting;
        robots_waiter_cancel(w);
        waiter_push(&reversed, w);
    }
    s->notified = reversed;
    for (struct robots_waiter *w = reversed; w; w = w->next)
        w->list = &s->notified;
    while (s->notified) {
        struct robots_waiter *w = s->notified;
        robots_waiter_cancel(w);
        w->told_by = s; /* s stays until w asks again (it may only queue for that now) */
        s->told++;
        w->ready(w);
    }
    evict_past_cap(c); /* (s too, if nobody was waiting for it) */
}

static void site_fetch(struct site *s)
{
    site_set_state(s, SITE_FETCHING);
    s->cache->fetches++;
    struct fetch_request req = {.url = s->robots_url,
                                .accept = "text/plain, */*;q=0.5",
                                .etag = s->rules ? s->etag : NULL,
                                .last_modified = s->rules ? s->last_modified : NULL,
                                .untrusted = true,
                                .keep_first = ROBOTS_PARSE_LIMIT};
    fetcher_start(s->cache->fetcher, &req, on_robots_fetched, s);
}

enum robots_verdict robots_cache_check(struct robots_cache *c, const char *url,
                                       struct robots_waiter *w, char *why, size_t whylen)
{
    char *key, *robots_url, *path;
    waiter_release(w);
    if (!split_url(url, &key, &robots_url, &path))
        return ROBOTS_ALLOWED;
    struct site *s = site_of(c, key, robots_url);
    evict_past_cap(c); /* (never s, the newest) */
    enum robots_verdict verdict;
    if (s->state == SITE_KNOWN && monotonic_seconds() >= s->expires)
        site_fetch(s); /* out of date: asked again, with its validators */
    else if (s->state == SITE_NONE)
        site_fetch(s);
    if (s->state == SITE_FETCHING) {
        robots_waiter_cancel(w);
        waiter_push(&s->waiting, w);
        verdict = ROBOTS_PENDING;
    } else if (s->unreachable) {
        snprintf(why, whylen, "%s", s->unreachable_why);
        verdict = ROBOTS_UNREACHABLE;
    } else if (s->rules && !robots_allows(s->rules, path)) {
        snprintf(why, whylen, "disallowed by %s", s->robots_url);
        verdict = ROBOTS_DISALLOWED;
    } else {
        verdict = ROBOTS_ALLOWED;
    }
    free(key);
    free(robots_url);
    free(path);
    return verdict;
}
