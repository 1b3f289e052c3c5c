/* pipeline.c: the ingest engine's public API: life cycle, the feed list, stats and idle.
 *
 * Two kinds of work are in flight: feed polls (one per feed at most, poll.c) and
 * article jobs (one per pending item, article.c). Every completion lands in a fetch
 * callback, or an extraction's (extract_pool.h: pages are extracted on threads of their
 * own); nothing blocks but the short SQLite and fsync calls that make a record durable. The
 * jobs of the engine live in the files ingest_internal.h lists. */
#include "ingest/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "ingest/ingest_internal.h"

const double pipeline_latency_bounds[PIPELINE_LATENCY_BUCKETS] = {0.05, 0.1, 0.25, 0.5, 1,
                                                                  2.5,  5,   10,   30,  60};

/* Counts one finished fetch (not one abandoned at shutdown) by kind, outcome and time. */
void ingest_count_fetch(struct pipeline_stats *st, enum fetch_kind kind,
                        const struct fetch_result *r)
{
    enum fetch_outcome outcome = !r->ok             ? OUTCOME_TRANSFER_ERROR
                                 : r->status == 200 ? OUTCOME_OK
                                 : r->status == 304 ? OUTCOME_NOT_MODIFIED
                                                    : OUTCOME_HTTP_ERROR;
    st->fetches[kind][outcome]++;
    st->latency_sum[kind] += r->seconds;
    st->latency_count[kind]++;
    for (int i = 0; i < PIPELINE_LATENCY_BUCKETS; i++)
        if (r->seconds <= pipeline_latency_bounds[i]) {
            st->latency_buckets[kind][i]++;
            break;
        }
}

/* ---- idle detection ---------------------------------------------------- */

static bool is_idle(const struct pipeline *p)
{
    if (p->polls_in_flight || state_in_batch(p->deps.state) ||
        (p->pending_unread && p->fetch_pages && !p->stopping))
        return false;
    for (const struct article_job *j = p->jobs; j; j = j->next)
        if (j->state == JOB_FETCHING || j->state == JOB_EXTRACTING || !p->stopping)
            return false;
    return p->stopping || (p->once && p->feeds_unpolled == 0);
}

static void on_idle_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    if (p->started)
        ingest_read_pending(p); /* (what a finished job left room for) */
    if (p->started && is_idle(p) && p->hooks.on_idle)
        p->hooks.on_idle(p->hooks.ud);
}

/* Idle is checked from a fresh loop iteration, never inside a callback chain. */
void ingest_schedule_idle_check(struct pipeline *p)
{
    static const struct timeval now = {0, 0};
    evtimer_add(p->idle_check, &now);
}

static int compare_feed_url(const void *a, const void *b)
{
    const struct feed_runtime *const *fa = a, *const *fb = b;
    return strcmp((*fa)->url, (*fb)->url);
}

/* The feed of url in feeds (n of them, sorted by URL), or NULL. */
static struct feed_runtime *find_in(struct feed_runtime **feeds, size_t n, const char *url)
{
    if (n == 0)
        return NULL;
    struct feed_runtime key = {.url = (char *)url}, *keyp = &key;
    struct feed_runtime **found = bsearch(&keyp, feeds, n, sizeof *feeds, compare_feed_url);
    return found ? *found : NULL;
}

struct feed_runtime *ingest_find_feed(const struct pipeline *p, const char *url)
{
    return find_in(p->feeds, p->n_feeds, url);
}

int pipeline_poll_now(struct pipeline *p, const char *url, char *err, size_t errlen)
{
    struct feed_runtime *fr = find_in(p->feeds, p->n_feeds, url);
    if (p->stopping)
        return set_err(err, errlen, "the daemon is stopping");
    if (!fr)
        return set_err(err, errlen,
                       "not in this daemon's feed list (not yet reloaded, or "
                       "another shard's)");
    if (fr->state == FEED_GONE)
        return set_err(err, errlen, "the feed answered 410 Gone: it is not polled any more");
    if (fr->state == FEED_POLLING)
        return 0;
    log_notice("feed poll requested feed=%s", fr->url);
    evtimer_del(fr->timer);
    static const struct timeval now = {0, 0};
    evtimer_add(fr->timer, &now);
    return 0;
}

void pipeline_resume_listed_feeds_only(struct pipeline *p)
{
    p->resume_listed_only = true;
}

void pipeline_set_feeds(struct pipeline *p, const struct feed_list *list)
{
    struct feed_runtime **next = xcalloc(list->n ? list->n : 1, sizeof *next);
    size_t added = 0, kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct feed_entry *e = &list->entries[i];
        struct feed_runtime *fr = find_in(p->feeds, p->n_feeds, e->url);
        if (fr) {
            free(fr->name);
            fr->name = xstrdup(e->name);
            free(fr->topics);
            fr->topics = xstrdup(e->topics);
            fr->interval = e->interval;
            fr->sitemap = e->sitemap;
            kept++;
        } else {
            fr = xcalloc(1, sizeof *fr);
            fr->p = p;
            fr->url = xstrdup(e->url);
            fr->name = xstrdup(e->name);
            fr->topics = xstrdup(e->topics);
            fr->interval = e->interval;
            fr->sitemap = e->sitemap;
            fr->timer = evtimer_new(p->deps.base, ingest_on_poll_due, fr);
            fr->max_age = -1;
            added++;
        }
        next[i] = fr;
        const char *unknown = e->topics ? topic_rules_unknown_id(p->rules, e->topics) : NULL;
        if (unknown)
            log_warn("feed names a topic the rules do not define feed=%s topic=%.*s", e->url,
                     (int)strcspn(unknown, ","), unknown);
    }
    qsort(next, list->n, sizeof *next, compare_feed_url);
    /* Old entries the new list does not name are gone. */
    size_t removed = 0;
    for (size_t i = 0; i < p->n_feeds; i++) {
        struct feed_runtime *fr = p->feeds[i];
        if (find_in(next, list->n, fr->url))
            continue;
        removed++;
        evtimer_del(fr->timer);
        if (fr->state == FEED_POLLING)
            ingest_feed_set_state(fr, FEED_REMOVED); /* freed when its poll completes */
        else
            ingest_feed_runtime_free(fr);
    }
    free(p->feeds);
    p->feeds = next;
    p->n_feeds = list->n;
    for (size_t i = 0; i < p->n_feeds; i++) {
        struct feed_runtime *fr = p->feeds[i];
        if (fr->state == FEED_NEW) {
            ingest_feed_set_state(fr, FEED_WAITING);
            if (p->once)
                p->feeds_unpolled++;
            if (p->started)
                ingest_schedule_first_poll(p, fr);
        }
    }
    if (p->started)
        log_notice("feed list applied feeds=%zu added=%zu removed=%zu kept=%zu", p->n_feeds, added,
                   removed, kept);
}

/* ---- lifecycle ---------------------------------------------------------- */

/* Forgets the articles that fell out of story_window; runs at start and every hour. */
static void on_story_expiry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    char err[512];
    story_index_set_window(p->stories, p->deps.config->story_window);
    long removed = story_index_expire(p->stories, now_seconds(), err, sizeof err);
    if (removed < 0)
        log_err("story index expiry failed reason=\"%s\"", err);
    else if (removed > 0)
        log_info("story index: articles past story_window forgotten count=%ld", removed);
    if (!p->once && !p->stopping) {
        struct timeval hour = {.tv_sec = 3600};
        evtimer_add(p->story_expiry, &hour);
    }
}

struct pipeline *pipeline_new(const struct pipeline_deps *deps, const struct pipeline_hooks *hooks,
                              struct topic_rules *rules, bool once)
{
    struct pipeline *p = xcalloc(1, sizeof *p);
    p->deps = *deps;
    if (hooks)
        p->hooks = *hooks;
    p->rules = rules;
    char err[256];
    p->record_schema = schema_load_record(err, sizeof err);
    if (!p->record_schema) { /* compiled in: only a build error can get here */
        log_err("the built-in record schema does not load reason=\"%s\"", err);
        abort();
    }
    p->extract_pool =
        extract_pool_new(deps->base, extract_pool_threads_for(deps->config->extract_threads));
    int opened = story_index_open(state_db(deps->state), deps->config->story_window, &p->stories,
                                  err, sizeof err);
    if (opened < 0) {
        log_err("%s", err);
        abort(); /* the state database opened a moment ago: only a broken build, or an earlier
                    layout that cannot be read for converting it, gets here */
    }
    log_info("story index loaded postings_memory_mb=%.1f",
             (double)story_index_memory(p->stories) / 1e6);
    if (opened == 1)
        log_notice("story index converted from the earlier layout (postings now in memory)");
    p->story_expiry = evtimer_new(deps->base, on_story_expiry, p);
    p->once = once;
    p->fetch_pages = deps->config->fetch_pages; /* read at start only */
    if (deps->fetcher && deps->config->robots == CONFIG_ROBOTS_OBEY) {
        struct robots_cache_options ro = {.user_agent = deps->config->user_agent,
                                          .min_lifetime = deps->config->retry_delay,
                                          .retry_seconds = deps->config->retry_delay,
                                          .max_sites = (size_t)deps->config->robots_cache_sites};
        p->robots = robots_cache_new(deps->fetcher, &ro);
    }
    p->idle_check = evtimer_new(deps->base, on_idle_check, p);
    p->batch_commit = evtimer_new(deps->base, ingest_on_batch_commit, p);
    p->pressure_check = evtimer_new(deps->base, ingest_on_pressure_check, p);
    p->write_resume = evtimer_new(deps->base, ingest_on_write_resume, p);
    p->write_flush = evtimer_new(deps->base, ingest_on_write_flush, p);
    p->fetch_wake = evtimer_new(deps->base, ingest_on_fetch_wake, p);
    return p;
}

void pipeline_set_rules(struct pipeline *p, struct topic_rules *rules)
{
    topic_rules_free(p->rules);
    p->rules = rules;
}

void pipeline_start(struct pipeline *p)
{
    p->started = true;
    ingest_recover_at_start(p);
    ingest_recount_spool(p);
    ingest_prune_start(p);
    on_story_expiry(-1, 0, p);
    if (!p->fetch_pages) {
        log_notice("fetch_pages = no: new items stay pending, no page is fetched");
    } else {
        long pending = 0;
        if (state_count_pending(p->deps.state, &pending) == 0 && pending)
            log_notice("resuming pending items count=%ld", pending);
        p->pending_unread = true;
        ingest_read_pending(p);
    }
    for (size_t i = 0; i < p->n_feeds; i++)
        ingest_schedule_first_poll(p, p->feeds[i]);
    ingest_schedule_idle_check(p);
}

void pipeline_stop(struct pipeline *p)
{
    p->stopping = true;
    if (p->upkeep)
        evtimer_del(p->upkeep);
    ingest_prune_stop(p);
    ingest_flush_writes(p);
    ingest_commit_poll_batch(p); /* (its items are not read: they stay pending) */
    for (size_t i = 0; i < p->n_feeds; i++)
        evtimer_del(p->feeds[i]->timer);
    ingest_drop_queued_jobs(p);
    /* Jobs waiting for a retry stay pending in the state; drop them now. Extractions are
     * finished and their records written, as pages still arriving are. */
    struct article_job *j = p->jobs;
    while (j) {
        struct article_job *next = j->next;
        if (j->state != JOB_FETCHING && j->state != JOB_EXTRACTING)
            ingest_job_free(j);
        j = next;
    }
    ingest_schedule_idle_check(p);
}

size_t pipeline_feed_count(const struct pipeline *p)
{
    return p->n_feeds;
}

void pipeline_foreach_feed(const struct pipeline *p,
                           void (*fn)(const struct pipeline_feed_view *, void *), void *ud)
{
    for (size_t i = 0; i < p->n_feeds; i++) {
        const struct feed_runtime *fr = p->feeds[i];
        struct timeval due = {0, 0};
        if (fr->state == FEED_WAITING)
            event_pending(fr->timer, EV_TIMEOUT, &due); /* wall-clock time of expiry */
        struct pipeline_feed_view view = {.url = fr->url,
                                          .name = fr->name,
                                          .errors = fr->errors,
                                          .last_error = fr->last_error,
                                          .last_success = fr->last_success,
                                          .next_poll = due.tv_sec,
                                          .gone = fr->state == FEED_GONE};
        fn(&view, ud);
    }
}

bool pipeline_paused(const struct pipeline *p, enum pipeline_pause why)
{
    return why == PAUSE_SPOOL_FULL      ? p->spool_full
           : why == PAUSE_WRITE_FAILURE ? p->write_pause
                                        : p->budget_full;
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *p)
{
    return &p->stats;
}

size_t pipeline_story_index_bytes(const struct pipeline *p)
{
    return story_index_memory(p->stories);
}

size_t pipeline_robots_sites(const struct pipeline *p)
{
    return p->robots ? robots_cache_sites(p->robots) : 0;
}

void pipeline_free(struct pipeline *p)
{
    if (!p)
        return;
    /* The fetcher must have no transfers of ours left: the owner cancels them first. Then
     * extractions not handed back are dropped with the threads (their items stay pending). */
    p->stopping = true;
    extract_pool_free(p->extract_pool);
    ingest_flush_writes(p);
    ingest_commit_poll_batch(p);
    ingest_drop_queued_jobs(p);
    while (p->jobs)
        ingest_job_free(p->jobs);
    robots_cache_free(p->robots);
    for (size_t i = 0; i < p->n_feeds; i++)
        ingest_feed_runtime_free(p->feeds[i]);
    free(p->feeds);
    event_free(p->idle_check);
    event_free(p->batch_commit);
    event_free(p->pressure_check);
    event_free(p->write_resume);
    event_free(p->write_flush);
    event_free(p->fetch_wake);
    ingest_upkeep_free(p);
    ingest_prune_free(p);
    free(p->write_error);
    topic_rules_free(p->rules);
    schema_free(p->record_schema);
    event_free(p->story_expiry);
    story_index_close(p->stories);
    free(p);
}
