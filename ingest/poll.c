/* poll.c: feed polls, and the batching of their outcomes and new items.
 *
 * Poll outcomes are committed in batches: the first poll to finish opens a
 * transaction that every poll finishing in the next POLL_BATCH_MS joins, then one
 * commit makes them all durable. A feed's new items still commit together with its
 * validators (a savepoint inside the batch), and they are read as jobs (ingest_read_pending)
 * only once the batch has committed. Article work commits any open batch before it writes,
 * so a record's mark never waits in one.
 *
 * A poll is one or more transfers (struct poll_run): the listed URL; when it is a sitemap
 * index, the newest sitemaps it names (feeds/sitemap.h); when it is an HTML page, the feed
 * the page advertises (feeds/discover.h), which is then remembered and polled directly. The
 * feed stays POLLING until the last of them ends; the outcome of the listed URL (or of the
 * feed its page advertised) decides success or failure. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/redact.h"
#include "common/url.h"
#include "common/util.h"
#include "feeds/discover.h"
#include "feeds/feed.h"
#include "feeds/itemkey.h"
#include "feeds/sitemap.h"
#include "ingest/ingest_internal.h"
#include "ingest/schedule.h"
#include "output/record.h"

#define FEED_ACCEPT                                                                                \
    "application/rss+xml, application/atom+xml, application/feed+json, "                           \
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

/* A sitemap's URLs are taken when dated within sitemap_max_age of the poll (Google News
 * sitemaps list two days of articles); older ones are a site's archive. An index (and an index
 * it names) may have sitemap_max_children sitemaps fetched in one poll, newest first. */
#define SITEMAP_MAX_DEPTH 2 /* an index of indexes of sitemaps, no deeper */

/* How long poll outcomes wait for others to share their commit. A crash loses at most
 * this much polling, which the next start repeats (conditional GETs). */
#define POLL_BATCH_MS 100

/* ---- batched poll outcomes ---------------------------------------------- */

/* Poll outcomes written from now on join the open batch, or a new one committed in
 * POLL_BATCH_MS. (If none can be opened, each write is its own transaction, as before.) */
static void join_poll_batch(struct pipeline *p)
{
    if (state_in_batch(p->deps.state))
        return;
    if (state_batch_begin(p->deps.state) < 0) {
        log_err("state write failed reason=\"%s\"", state_error(p->deps.state));
        return;
    }
    static const struct timeval wait = {0, POLL_BATCH_MS * 1000};
    evtimer_add(p->batch_commit, &wait);
}

/* Makes the open batch durable, then reads the items it brought as jobs; if the commit
 * fails, those polls are lost as a whole: the next ones fetch the feeds again (without
 * validators) and find their items new again. */
void ingest_commit_poll_batch(struct pipeline *p)
{
    if (!state_in_batch(p->deps.state))
        return;
    evtimer_del(p->batch_commit);
    bool ok = state_batch_commit(p->deps.state) == 0;
    if (!ok)
        log_err("state write failed, the last polls will be repeated reason=\"%s\"",
                state_error(p->deps.state));
    ingest_read_pending(p);
    ingest_schedule_idle_check(p);
}

void ingest_on_batch_commit(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ingest_commit_poll_batch(arg);
}

/* ---- feeds -------------------------------------------------------------- */

/* The site of a URL's host: the host without a leading "www.". */
static char *site_of(const char *url)
{
    char *host = url ? url_host(url) : NULL;
    if (host && strncmp(host, "www.", 4) == 0)
        memmove(host, host + 4, strlen(host + 4) + 1);
    return host;
}

/* True when a and b are one site: the same host, or one a subdomain of the other. */
static bool same_site(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    const char *longer = la >= lb ? a : b, *shorter = la >= lb ? b : a;
    size_t ll = la >= lb ? la : lb, ls = la >= lb ? lb : la;
    return ll == ls ? strcmp(a, b) == 0
                    : longer[ll - ls - 1] == '.' && strcmp(longer + ll - ls, shorter) == 0;
}

/* An item already known from another feed (owner) belongs to this feed anyway when its link
 * is on this feed's site and not on the owner's: a feed cannot take another site's articles
 * by listing them first. */
static bool is_own_article(const char *feed_url, const char *owner, const char *link)
{
    char *link_site = site_of(link), *feed_site = site_of(feed_url), *owner_site = site_of(owner);
    bool own = same_site(link_site, feed_site) && !same_site(link_site, owner_site);
    free(link_site);
    free(feed_site);
    free(owner_site);
    return own;
}

/* Records a newly seen item (identity key: key) as pending (its job is read from the state
 * once the feed's items are durable). Returns true when it was new. */
static bool ingest_item(struct feed_runtime *fr, const struct feed *feed,
                        const struct feed_item *item, const char *item_key_text)
{
    struct pipeline *p = fr->p;
    char *key = xstrdup(item_key_text);
    char *link_key = url_normalize(item->link);
    bool added = false;
    bool known = false, own_site = false;
    char *owner = NULL;
    int rc = state_item_known(p->deps.state, key, link_key, &known, &owner);
    if (rc == 0 && known && owner && strcmp(owner, fr->url) != 0 &&
        is_own_article(fr->url, owner, item->link)) {
        /* Its own record, under a key of this feed's (the other feed keeps its own). */
        char *own_key = xasprintf("site:%s\n%s", fr->url, key);
        free(key);
        key = own_key;
        own_site = true;
        rc = state_item_known(p->deps.state, key, NULL, &known, NULL);
    }
    free(owner);
    if (rc < 0) {
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    } else if (!known) {
        char record_id[RECORD_ID_LEN + 1];
        item_record_id(key, record_id);
        struct pending_article article;
        char *shown_url = redact_credentials(fr->url); /* records carry no password */
        pending_article_from_item(&article, shown_url, fr->name ? fr->name : feed->title,
                                  fr->topics, item);
        free(shown_url);
        article.own_site = own_site;
        char *job_text = pending_article_to_json(&article);
        if (state_item_add(p->deps.state, key, record_id, fr->url, link_key, job_text) < 0) {
            log_err("state write failed feed=%s reason=\"%s\"", fr->url,
                    state_error(p->deps.state));
        } else {
            if (!item->link || !*item->link)
                log_notice("item has no link feed=%s title=\"%s\"", fr->url,
                           item->title ? item->title : "");
            added = true;
            p->pending_unread = true;
        }
        pending_article_free(&article);
        free(job_text);
    }
    free(link_key);
    free(key);
    return added;
}

/* The identity keys of a feed document's items (NULL for an item with nothing to identify
 * it by, which is logged). Caller frees. */
static char **item_keys(struct feed_runtime *fr, const struct feed *feed)
{
    char **keys = xcalloc(feed->n_items ? feed->n_items : 1, sizeof *keys);
    for (size_t i = 0; i < feed->n_items; i++) {
        keys[i] = item_key(fr->url, &feed->items[i]);
        if (!keys[i])
            log_warn("item skipped feed=%s reason=\"no id, link, title or text\"", fr->url);
    }
    return keys;
}

static int compare_key_at(const void *a, const void *b)
{
    const char *const *ka = *(const char *const *const *)a, *const *kb =
                                                                *(const char *const *const *)b;
    int c = strcmp(*ka, *kb);
    return c ? c : (ka < kb ? -1 : ka > kb); /* equal keys stay in document order */
}

/* Items that repeat the identity of an earlier item of the same document are dropped (their
 * keys freed and set to NULL): the first one stands. Returns how many. */
static size_t mark_shared_keys(char **keys, size_t n)
{
    char ***order = xcalloc(n ? n : 1, sizeof *order);
    size_t m = 0, shared = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i])
            order[m++] = &keys[i];
    qsort(order, m, sizeof *order, compare_key_at);
    for (size_t i = 1; i < m; i++) {
        size_t first = i - 1;
        while (i < m && strcmp(*order[first], *order[i]) == 0) {
            free(*order[i]);
            *order[i] = NULL;
            shared++;
            i++;
        }
    }
    free(order);
    return shared;
}

/* Items a feed document holds but that are not taken are counted, and logged the first
 * time for each feed (later at debug level). */
static void note_skipped(struct feed_runtime *fr, size_t shared, size_t over_cap)
{
    struct pipeline *p = fr->p;
    p->stats.items_sharing_id += (long)shared;
    p->stats.items_over_cap += (long)over_cap;
    if (shared && !fr->warned_shared_id)
        log_warn("feed items share an identity (guid, or link and date): only the first is taken "
                 "feed=%s skipped=%zu",
                 fr->url, shared);
    else if (shared)
        log_debug("feed items share an identity feed=%s skipped=%zu", fr->url, shared);
    if (over_cap && !fr->warned_over_cap)
        log_warn("feed lists more than 10000 items: only the first 10000 are taken feed=%s "
                 "skipped=%zu",
                 fr->url, over_cap);
    else if (over_cap)
        log_debug("feed lists more than 10000 items feed=%s skipped=%zu", fr->url, over_cap);
    fr->warned_shared_id |= shared > 0;
    fr->warned_over_cap |= over_cap > 0;
}

struct poll_fetch;
static bool store_sitemap_validators(struct feed_runtime *fr, const struct poll_fetch *child,
                                     const struct fetch_result *r);

/* A feed's new items and its validators are stored in one unit, so a crash leaves either
 * all of them (and the next poll may be a 304) or none (and the next poll sees the items
 * again). Their article jobs are read only once the unit is durable: after the batch commits.
 * The validators of a sitemap an index named (child: its fetch) are the sitemap's own.
 * Returns how many items were new. */
static size_t ingest_feed(struct feed_runtime *fr, const struct feed *feed,
                          const struct fetch_result *r, const struct poll_fetch *child)
{
    struct pipeline *p = fr->p;
    size_t n_new = 0;
    char **keys = item_keys(fr, feed);
    size_t shared = mark_shared_keys(keys, feed->n_items);
    note_skipped(fr, shared, feed->n_items_over_cap);
    bool ok = state_begin(p->deps.state) == 0;
    for (size_t i = 0; ok && i < feed->n_items; i++)
        if (keys[i] && ingest_item(fr, feed, &feed->items[i], keys[i]))
            n_new++;
    for (size_t i = 0; i < feed->n_items; i++)
        free(keys[i]);
    free(keys);
    if (ok && !child &&
        state_feed_set_validators(p->deps.state, fr->url, r->etag, r->last_modified) < 0)
        ok = false;
    if (ok && child && !store_sitemap_validators(fr, child, r))
        ok = false;
    if (ok && state_commit(p->deps.state) < 0)
        ok = false;
    if (!ok) {
        log_err("state write failed feed=%s reason=\"%s\"; its items will be read again next poll",
                fr->url, state_error(p->deps.state));
        state_rollback(p->deps.state);
        n_new = 0;
    }
    p->stats.items_new += (long)n_new;
    if (strcmp(r->url, fr->poll_url ? fr->poll_url : fr->url) == 0)
        log_info("feed polled feed=%s status=200 items=%zu new=%zu", fr->url, feed->n_items, n_new);
    else
        log_info("feed polled feed=%s source=%s status=200 items=%zu new=%zu", fr->url, r->url,
                 feed->n_items, n_new);
    ingest_read_pending(p); /* (not while a batch is open: its commit reads them) */
    return n_new;
}

void ingest_feed_runtime_free(struct feed_runtime *fr)
{
    event_free(fr->timer);
    free(fr->url);
    free(fr->poll_url);
    free(fr->name);
    free(fr->topics);
    free(fr->last_error);
    free(fr);
}

/* A feed reached through permanent redirects only (301, 308) lives at the new URL now:
 * polled there from now on, remembered across restarts. Temporary ones change nothing. */
static void remember_move(struct feed_runtime *fr, const struct fetch_result *r)
{
    const char *polled = fr->poll_url ? fr->poll_url : fr->url;
    if (!r->moved_permanently || strcmp(r->effective_url, polled) == 0)
        return;
    struct pipeline *p = fr->p;
    log_notice("feed moved permanently feed=%s new_url=%s", fr->url, r->effective_url);
    free(fr->poll_url);
    fr->poll_url = xstrdup(r->effective_url);
    if (state_feed_set_moved(p->deps.state, fr->url, fr->poll_url) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
}

static const char *feed_state_name(enum feed_run_state s)
{
    static const char *const names[] = {
        [FEED_NEW] = "new",         [FEED_WAITING] = "waiting", [FEED_POLLING] = "polling",
        [FEED_REMOVED] = "removed", [FEED_GONE] = "gone",
    };
    return names[s];
}

void ingest_feed_set_state(struct feed_runtime *fr, enum feed_run_state to)
{
    if (fr->state == to)
        return;
    log_debug("feed state feed=%s from=%s to=%s", fr->url, feed_state_name(fr->state),
              feed_state_name(to));
    fr->state = to;
}

/* One poll of a feed: its transfers and, once decided, its outcome. */
struct poll_run {
    struct feed_runtime *fr;
    size_t in_flight;        /* transfers not yet done */
    size_t sitemaps_started; /* sitemaps of an index fetched so far */
    enum { POLL_UNDECIDED, POLL_SUCCEEDED, POLL_FAILED } outcome;
    long status;
    char *reason; /* when failed */
    long retry_after;
    size_t new_items; /* over every transfer of the poll */
};

/* One transfer of a poll. */
struct poll_fetch {
    struct poll_run *run;
    int depth;       /* 0: the listed URL; 1, 2: a sitemap an index named */
    bool from_page;  /* the feed the listed page advertised: not resolved again */
    char *url;       /* a sitemap an index named: its URL, as the index gave it */
    char *index_url; /* and the index's (the URL that was fetched) */
};

static bool store_sitemap_validators(struct feed_runtime *fr, const struct poll_fetch *child,
                                     const struct fetch_result *r)
{
    return state_sitemap_set_validators(fr->p->deps.state, fr->url, child->index_url, child->url,
                                        r->etag, r->last_modified) == 0;
}

static void poll_fetch_free(struct poll_fetch *pf)
{
    free(pf->url);
    free(pf->index_url);
    free(pf);
}

static void on_poll_fetched(const struct fetch_result *r, void *ud);

/* index_url: the index that named url, when it is a sitemap an index named. */
static void start_fetch(struct poll_run *run, const char *url, int depth, bool from_page,
                        const char *index_url, const struct feed_state *fs)
{
    struct pipeline *p = run->fr->p;
    struct poll_fetch *pf = xcalloc(1, sizeof *pf);
    *pf = (struct poll_fetch){.run = run,
                              .depth = depth,
                              .from_page = from_page,
                              .url = index_url ? xstrdup(url) : NULL,
                              .index_url = index_url ? xstrdup(index_url) : NULL};
    /* the listed URL (or where it moved) is the administrator's; others came from documents */
    struct fetch_request req = {.url = url,
                                .accept = FEED_ACCEPT,
                                .etag = fs ? fs->etag : NULL,
                                .last_modified = fs ? fs->last_modified : NULL,
                                .untrusted = depth > 0 || from_page};
    run->in_flight++;
    p->polls_in_flight++;
    fetcher_start(p->deps.fetcher, &req, on_poll_fetched, pf);
}

static void decide(struct poll_run *run, bool ok, long status, const char *reason, long retry_after)
{
    run->outcome = ok ? POLL_SUCCEEDED : POLL_FAILED;
    run->status = status;
    free(run->reason);
    run->reason = reason ? xstrdup(reason) : NULL;
    run->retry_after = retry_after;
}

/* The sitemaps an index named that it no longer names are forgotten. */
static void prune_sitemaps(struct feed_runtime *fr, const struct sitemap *sm, const char *index_url)
{
    const char **urls = xcalloc(sm->n_children ? sm->n_children : 1, sizeof *urls);
    for (size_t i = 0; i < sm->n_children; i++)
        urls[i] = sm->children[i].url;
    struct state *state = fr->p->deps.state;
    if (state_sitemaps_prune(state, fr->url, index_url, urls, sm->n_children) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(state));
    free(urls);
}

/* A sitemap read: its recent URLs ingested as the feed's items, or an index's newest sitemaps
 * fetched (the index's validators are not kept, so that a sitemap that changed under an
 * unchanged index is still read; each sitemap's own are, so that an unchanged one costs a 304).
 * A sitemap that is itself an index keeps none either. */
static void ingest_sitemap(struct poll_fetch *pf, struct sitemap *sm, const struct fetch_result *r)
{
    struct poll_run *run = pf->run;
    struct feed_runtime *fr = run->fr;
    struct pipeline *p = fr->p;
    if (sm->bozo || sm->truncated)
        log_notice("sitemap is ill-formed or too large, what was read is used feed=%s source=%s "
                   "truncated=%s",
                   fr->url, r->url, sm->truncated ? "yes" : "no");
    log_debug("sitemap read feed=%s source=%s entries=%zu taken=%zu old=%zu undated=%zu "
              "invalid=%zu",
              fr->url, r->url, sm->n_urls, sm->feed.n_items + sm->n_children, sm->n_old,
              sm->n_undated, sm->n_invalid);
    if (pf->depth == 0 &&
        state_feed_set_source(p->deps.state, fr->url,
                              sm->kind == SITEMAP_URLSET ? "sitemap" : "sitemap index") < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (sm->kind == SITEMAP_URLSET) {
        run->new_items += ingest_feed(fr, &sm->feed, r, pf->depth == 0 ? NULL : pf);
        return;
    }
    if (pf->depth == 0 && state_feed_set_validators(p->deps.state, fr->url, NULL, NULL) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (pf->depth > 0 && state_sitemap_set_validators(p->deps.state, fr->url, pf->index_url,
                                                      pf->url, NULL, NULL) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    prune_sitemaps(fr, sm, r->url);
    size_t started = 0;
    for (size_t i = 0; i < sm->n_children && pf->depth < SITEMAP_MAX_DEPTH && !p->stopping &&
                       run->sitemaps_started < (size_t)p->deps.config->sitemap_max_children;
         i++, started++, run->sitemaps_started++) {
        struct feed_state fs;
        if (state_sitemap_get(p->deps.state, fr->url, sm->children[i].url, &fs) < 0)
            log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
        start_fetch(run, sm->children[i].url, pf->depth + 1, false, r->url, &fs);
        feed_state_free(&fs);
    }
    log_info("sitemap index read feed=%s source=%s sitemaps=%zu fetched=%zu", fr->url, r->url,
             sm->n_children, started);
}

/* A page where a feed was wanted: the first feed it advertises is polled instead. Returns
 * true when one was found (and its fetch started). */
static bool resolve_page(struct poll_fetch *pf, const struct fetch_result *r)
{
    struct feed_runtime *fr = pf->run->fr;
    struct discovery d;
    char err[256];
    if (pf->from_page || pf->depth > 0 ||
        discover_feeds(r->body, r->body_len, r->effective_url, &d, err, sizeof err) <= 0)
        return false;
    log_notice("feed list URL is a page, polling the feed it advertises feed=%s page=%s "
               "advertised=%s feeds=%zu",
               fr->url, r->effective_url, d.feeds[0].url, d.n);
    start_fetch(pf->run, d.feeds[0].url, 0, true, NULL, NULL);
    discovery_free(&d);
    return true;
}

/* The feed a page advertised answered as a feed: it is polled directly from now on, as a
 * feed that moved (state_feed_set_moved), so the page is not read again. */
static void remember_resolution(struct feed_runtime *fr, const struct fetch_result *r)
{
    struct pipeline *p = fr->p;
    log_notice("feed resolved from its page, polled there from now on feed=%s resolved=%s", fr->url,
               r->effective_url);
    free(fr->poll_url);
    fr->poll_url = xstrdup(r->effective_url);
    if (state_feed_set_moved(p->deps.state, fr->url, fr->poll_url) < 0 ||
        state_feed_set_source(p->deps.state, fr->url, "page") < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
}

/* A 200's body: a sitemap, a feed, or a page that advertises one. */
static void read_body(struct poll_fetch *pf, const struct fetch_result *r)
{
    struct poll_run *run = pf->run;
    struct feed_runtime *fr = run->fr;
    bool decides = pf->depth == 0;
    char err[256];
    if (fr->sitemap != FEEDLIST_SITEMAP_NO) {
        struct sitemap_options opts = {.taken_since =
                                           now_seconds() - fr->p->deps.config->sitemap_max_age,
                                       .force = fr->sitemap == FEEDLIST_SITEMAP_YES || !decides};
        struct sitemap sm;
        int rc = sitemap_parse(r->body, r->body_len, r->effective_url, &opts, &sm, err, sizeof err);
        if (rc == 1) {
            ingest_sitemap(pf, &sm, r);
            sitemap_free(&sm);
            if (decides)
                decide(run, true, r->status, NULL, 0);
            return;
        }
        if (rc < 0 || opts.force) {
            char reason[300];
            snprintf(reason, sizeof reason, "not a sitemap: %s",
                     rc < 0 ? err : "the document element is not <urlset> or <sitemapindex>");
            if (decides)
                decide(run, false, r->status, reason, 0);
            else
                log_warn("sitemap skipped feed=%s source=%s reason=\"%s\"", fr->url, r->url,
                         reason);
            return;
        }
    }
    struct feed feed;
    if (feed_parse(r->body, r->body_len, r->effective_url, &feed, err, sizeof err) < 0) {
        if (resolve_page(pf, r))
            return;
        char reason[300];
        snprintf(reason, sizeof reason, "not a feed: %s", err);
        decide(run, false, r->status, reason, 0);
        return;
    }
    if (feed.bozo)
        log_notice("feed is ill-formed, recovered feed=%s reason=\"%s\"", fr->url,
                   feed.bozo_reason ? feed.bozo_reason : "?");
    if (pf->from_page)
        remember_resolution(fr, r);
    if (!pf->from_page && !fr->poll_url &&
        state_feed_set_source(fr->p->deps.state, fr->url, NULL) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url,
                state_error(fr->p->deps.state));
    run->new_items += ingest_feed(fr, &feed, r, NULL);
    fr->ttl = (long)feed.ttl_minutes * 60;
    feed_free(&feed);
    decide(run, true, r->status, NULL, 0);
}

/* The poll's last transfer ended: its outcome is applied, the next poll scheduled. */
static void end_poll(struct poll_run *run)
{
    struct feed_runtime *fr = run->fr;
    if (fr->state == FEED_POLLING)
        ingest_feed_set_state(fr, FEED_WAITING);
    if (run->outcome == POLL_SUCCEEDED)
        ingest_feed_succeeded(fr, run->status);
    else if (run->outcome == POLL_FAILED)
        ingest_feed_failed(fr, run->status, run->reason, run->retry_after);
    /* undecided: aborted, nothing learned; the feed keeps its due time */
    struct pipeline *p = fr->p;
    if (p->hooks.on_feed_polled) {
        struct pipeline_poll_outcome outcome = {.url = fr->url,
                                                .status = run->status,
                                                .error = run->outcome == POLL_UNDECIDED
                                                             ? "abandoned: the daemon is stopping"
                                                             : fr->last_error,
                                                .new_items = run->new_items};
        p->hooks.on_feed_polled(p->hooks.ud, &outcome);
    }
    if (fr->state == FEED_REMOVED)
        ingest_feed_runtime_free(fr);
    free(run->reason);
    free(run);
}

static void on_poll_fetched(const struct fetch_result *r, void *ud)
{
    struct poll_fetch *pf = ud;
    struct poll_run *run = pf->run;
    struct feed_runtime *fr = run->fr;
    struct pipeline *p = fr->p;
    p->polls_in_flight--;
    run->in_flight--;
    bool decides = pf->depth == 0;
    if (!r->aborted) {
        ingest_count_fetch(&p->stats, FETCH_FEED, r);
        join_poll_batch(p);
    }
    if (decides && !pf->from_page && r->ok && (r->status == 200 || r->status == 304))
        remember_move(fr, r);
    if (decides && r->ok && (r->status == 200 || r->status == 304))
        fr->max_age = r->max_age;
    if (r->aborted) {
        /* nothing learned */
    } else if (!decides && r->ok && r->status == 304) {
        log_debug("sitemap not modified feed=%s source=%s", fr->url, r->url);
    } else if (!decides && (!r->ok || r->status != 200)) {
        log_warn("sitemap skipped feed=%s source=%s status=%ld reason=\"%s\"", fr->url, r->url,
                 r->status, r->ok ? "not 200" : r->error);
    } else if (!r->ok) {
        decide(run, false, 0, r->error, 0);
    } else if (r->status == 304) {
        log_debug("feed not modified feed=%s", fr->url);
        decide(run, true, r->status, NULL, 0);
    } else if (r->status != 200) {
        char reason[64];
        snprintf(reason, sizeof reason, "HTTP %ld", r->status);
        bool asks_wait = r->status == 429 || r->status == 503;
        decide(run, false, r->status, reason,
               asks_wait ? schedule_retry_after(r->retry_after, now_seconds()) : 0);
    } else {
        read_body(pf, r);
    }
    poll_fetch_free(pf);
    if (run->in_flight == 0)
        end_poll(run);
    ingest_schedule_idle_check(p);
}

/* Polls the feed, sending the validators of its stored state fs. */
void ingest_poll_feed_with(struct feed_runtime *fr, const struct feed_state *fs)
{
    struct pipeline *p = fr->p;
    if (fr->state != FEED_WAITING || p->stopping)
        return;
    if (p->once && p->feeds_unpolled)
        p->feeds_unpolled--;
    ingest_feed_set_state(fr, FEED_POLLING);
    struct poll_run *run = xcalloc(1, sizeof *run);
    run->fr = fr;
    start_fetch(run, fr->poll_url ? fr->poll_url : fr->url, 0, false, NULL, fs);
}

static void poll_feed(struct feed_runtime *fr)
{
    struct pipeline *p = fr->p;
    struct feed_state fs;
    if (state_feed_get(p->deps.state, fr->url, &fs) < 0)
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    ingest_poll_feed_with(fr, &fs);
    feed_state_free(&fs);
}

void ingest_on_poll_due(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    poll_feed(arg);
}
