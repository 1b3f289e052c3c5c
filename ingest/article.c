/* article.c: the article job queue: a job per pending item, its site's robots.txt, its page
 * fetch (at most max_transfers at once, together with the pages being extracted), its
 * extraction on the extraction threads (extract_pool.h), retries, and the feed's own text
 * when the page cannot be used. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "ingest/ingest_internal.h"

#define PAGE_ACCEPT "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

/* ---- article jobs ------------------------------------------------------- */

void ingest_job_free(struct article_job *j)
{
    struct pipeline *p = j->p;
    if (j->prev)
        j->prev->next = j->next;
    else
        p->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    p->n_jobs--;
    if (j->state == JOB_RETRY_WAIT)
        p->n_jobs_retry_wait--;
    else if (j->state == JOB_EXTRACTING)
        p->extracting--; /* (pipeline_free: the extraction threads are gone) */
    if (j->retry)
        event_free(j->retry);
    robots_waiter_cancel(&j->robots_wait);
    ingest_built_free(j->built);
    pending_article_free(&j->item);
    free(j->feed_text_reason);
    free(j->key);
    free(j->record_id);
    free(j);
    ingest_schedule_idle_check(p);
}

static void on_job_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ingest_job_start(arg);
}

static void queue_job(struct article_job *j);

/* Its site's robots.txt has been fetched: the job queues again, and asks again. */
static void on_robots_known(struct robots_waiter *w)
{
    struct article_job *j =
        (struct article_job *)((char *)w - offsetof(struct article_job, robots_wait));
    if (j->p->stopping) {
        ingest_job_free(j); /* stays pending */
        return;
    }
    queue_job(j);
    ingest_start_page_fetches(j->p);
}

/* Takes over the contents of *item, which is left zeroed. */
static struct article_job *job_new(struct pipeline *p, const char *key, const char *record_id,
                                   struct pending_article *item, long attempts)
{
    struct article_job *j = xcalloc(1, sizeof *j);
    j->robots_wait.ready = on_robots_known;
    j->p = p;
    j->key = xstrdup(key);
    j->record_id = xstrdup(record_id);
    j->item = *item;
    memset(item, 0, sizeof *item);
    j->attempts = attempts;
    j->retry = evtimer_new(p->deps.base, on_job_retry, j);
    j->next = p->jobs;
    if (p->jobs)
        p->jobs->prev = j;
    p->jobs = j;
    p->n_jobs++;
    return j;
}

static const char *job_state_name(enum job_state s)
{
    static const char *const names[] = {
        [JOB_NEW] = "new",
        [JOB_QUEUED] = "queued",
        [JOB_ROBOTS_WAIT] = "robots_wait",
        [JOB_FETCHING] = "fetching",
        [JOB_EXTRACTING] = "extracting",
        [JOB_EMITTING] = "emitting",
        [JOB_BATCHED] = "batched",
        [JOB_WRITE_FAILED] = "write_failed",
        [JOB_RETRY_WAIT] = "retry_wait",
    };
    return names[s];
}

void ingest_job_set_state(struct article_job *j, enum job_state to)
{
    if (j->state == to)
        return;
    log_debug("article job state record=%s from=%s to=%s", j->record_id, job_state_name(j->state),
              job_state_name(to));
    if (j->state == JOB_RETRY_WAIT) {
        j->p->n_jobs_retry_wait--;
    } else if (to == JOB_RETRY_WAIT) {
        j->p->n_jobs_retry_wait++;
        ingest_schedule_idle_check(j->p); /* (a waiting job leaves room in the window) */
    }
    if (j->state == JOB_EXTRACTING)
        j->p->extracting--;
    else if (to == JOB_EXTRACTING)
        j->p->extracting++;
    j->state = to;
}

void ingest_job_mark(struct article_job *j, int rc)
{
    if (rc < 0)
        log_err("state write failed record=%s reason=\"%s\"", j->record_id,
                state_error(j->p->deps.state));
}

/* The end of a job's attempt. It is freed, unless its record could not be written: then
 * the daemon tries it again after retry_delay (in the state it stays pending throughout). */
static void job_done(struct article_job *j)
{
    struct pipeline *p = j->p;
    if (j->state == JOB_BATCHED)
        return; /* the write batch finishes it (emit.c) */
    if (j->state != JOB_WRITE_FAILED || p->once || p->stopping) {
        ingest_job_free(j);
        return;
    }
    ingest_job_set_state(j, JOB_RETRY_WAIT);
    struct timeval tv = {.tv_sec = p->deps.config->retry_delay};
    evtimer_add(j->retry, &tv);
}

/* Neither the page nor the feed's text gives an article: the item is given up. */
static void job_give_up(struct article_job *j, const char *why)
{
    const char *link = j->item.link;
    log_warn("item dropped feed=%s url=%s reason=\"%s\"", j->item.feed_url, link ? link : "-", why);
    ingest_job_mark(j, state_item_set_failed(j->p->deps.state, j->key, why));
    j->p->stats.items_failed++;
}

/* Its extraction is back from the threads, on the loop: the record is written (or the item
 * given up), and the job ends. */
static void on_extracted(struct extraction *x, void *ud)
{
    struct article_job *j = ud;
    struct pipeline *p = j->p;
    ingest_commit_poll_batch(p);
    ingest_job_set_state(j, JOB_EMITTING);
    p->stats.stage_seconds[STAGE_EXTRACT] += x->seconds;
    char why[512];
    if (x->page)
        snprintf(why, sizeof why, "page unusable: %s", x->page_error);
    else
        snprintf(why, sizeof why, "%s", j->feed_text_reason);
    const char *link = j->item.link;
    switch (x->outcome) {
        case EXTRACTED_PAGE: ingest_job_write_record(j, &x->article, "page"); break;
        case EXTRACTED_FEED:
            log_notice("using feed text feed=%s url=%s reason=\"%s\"", j->item.feed_url,
                       link ? link : "-", why);
            ingest_job_write_record(j, &x->article, "feed");
            break;
        case EXTRACTED_NOTHING: job_give_up(j, why); break;
    }
    extraction_free(x);
    job_done(j);
    ingest_read_pending(p);
    ingest_start_page_fetches(p);
}

/* The feed item's own content (else its summary) as a document of its own, for x to fall
 * back on; false when the item has neither. */
static bool add_feed_text(const struct article_job *j, struct extraction *x)
{
    const char *html = j->item.content;
    if (!html || !*html)
        html = j->item.summary;
    if (!html || !*html)
        return false;
    x->feed_page = xasprintf("<html><body><article>%s</article></body></html>", html);
    x->feed_url = xstrdup(j->item.link);
    return true;
}

/* x goes to the extraction threads; on_extracted takes it back. */
static void submit_extraction(struct article_job *j, struct extraction *x)
{
    x->content = (unsigned)j->p->deps.config->content_format;
    x->done = on_extracted;
    x->ud = j;
    ingest_job_set_state(j, JOB_EXTRACTING);
    extract_pool_submit(j->p->extract_pool, x);
}

/* The page cannot be used (why says why): the job ends with the feed's own text, if it has
 * any, or without a record. j may be freed on return. */
static void job_use_feed_text(struct article_job *j, const char *why)
{
    if (j->page_skipped)
        j->p->stats.pages_skipped_robots++;
    struct extraction *x = xcalloc(1, sizeof *x);
    if (!add_feed_text(j, x)) {
        free(x);
        job_give_up(j, why);
        job_done(j);
        return;
    }
    free(j->feed_text_reason);
    j->feed_text_reason = xstrdup(why);
    submit_extraction(j, x);
}

void ingest_job_write_failed_done(struct article_job *j)
{
    job_done(j);
}

/* A transient failure: try again later, or give up and use the feed's text. */
static void job_retry_or_give_up(struct article_job *j, const char *why)
{
    struct pipeline *p = j->p;
    j->attempts++;
    if (j->attempts >= p->deps.config->article_attempts) {
        job_use_feed_text(j, why);
        return;
    }
    long delay = p->deps.config->retry_delay;
    log_warn("page fetch failed url=%s attempt=%ld reason=\"%s\" retry_in=%lds", j->item.link,
             j->attempts, why, delay);
    ingest_job_mark(
        j, state_item_set_retry(p->deps.state, j->key, j->attempts, now_seconds() + delay, why));
    if (p->once || p->stopping) {
        ingest_job_free(j); /* stays pending; the next run tries again */
        return;
    }
    ingest_job_set_state(j, JOB_RETRY_WAIT);
    struct timeval tv = {.tv_sec = delay};
    evtimer_add(j->retry, &tv);
}

static bool is_permanent_status(long status)
{
    return status >= 400 && status < 500 && status != 408 && status != 429;
}

/* Pages without a Content-Type are sniffed by the extractor; a declared non-HTML type is refused. */
static bool is_html_type(const char *content_type)
{
    if (!content_type)
        return true;
    return strncasecmp(content_type, "text/html", 9) == 0 ||
           strncasecmp(content_type, "application/xhtml+xml", 21) == 0;
}

/* With the archive on, every page response is kept as it came (docs/archive.md). A failed
 * write costs the page's place in the archive, not its record. */
static void archive_page(const struct fetch_result *r, struct article_job *j)
{
    struct archive *archive = j->p->deps.archive;
    j->archive_file[0] = '\0';
    if (!archive || !r->ok || !r->request || !r->response)
        return;
    struct warc_exchange x = {.target_uri = r->effective_url,
                              .date = now_seconds(),
                              .request = r->request,
                              .response = r->response,
                              .body = r->body,
                              .body_len = r->body_len};
    char err[512];
    if (archive_write(archive, &x, j->archive_file, &j->archive_offset, err, sizeof err) < 0) {
        log_err("page not archived url=%s reason=\"%s\"", r->effective_url, err);
        j->archive_file[0] = '\0';
    }
}

static void handle_page(const struct fetch_result *r, struct article_job *j)
{
    if (r->aborted) {
        ingest_job_free(j); /* stays pending */
        return;
    }
    archive_page(r, j);
    char why[512];
    if (r->refused) {
        job_use_feed_text(j, r->error); /* the address will not become public */
        return;
    }
    if (!r->ok) {
        job_retry_or_give_up(j, r->error);
        return;
    }
    if (r->status != 200) {
        snprintf(why, sizeof why, "HTTP %ld", r->status);
        if (!is_permanent_status(r->status)) {
            job_retry_or_give_up(j, why);
            return;
        }
        job_use_feed_text(j, why);
        return;
    }
    if (!is_html_type(r->content_type)) {
        snprintf(why, sizeof why, "page is not HTML (Content-Type: %s)", r->content_type);
        job_use_feed_text(j, why);
        return;
    }
    /* The result lives only during this call: the extraction takes the page's buffer over
     * and gets copies of the rest. */
    struct extraction *x = xcalloc(1, sizeof *x);
    x->page_len = r->body_len;
    x->page = buf_steal(r->body_buf);
    x->page_url = xstrdup(r->effective_url);
    x->content_type = xstrdup(r->content_type);
    add_feed_text(j, x);
    submit_extraction(j, x);
}

static void on_page_fetched(const struct fetch_result *r, void *ud)
{
    struct article_job *j = ud;
    struct pipeline *p = j->p;
    ingest_commit_poll_batch(p);
    ingest_job_set_state(j, JOB_EMITTING);
    p->page_fetches--;
    if (!r->aborted)
        ingest_count_fetch(&p->stats, FETCH_PAGE, r);
    handle_page(r, j); /* frees j, keeps it for a retry, or hands it to the extraction */
    ingest_read_pending(p);
    ingest_start_page_fetches(p);
}

/* Whether the job's page may be fetched now; if not, the job is dealt with: it waits for its
 * site's robots.txt, is retried later (robots.txt unreachable) or uses the feed's text. */
static bool robots_let_through(struct article_job *j)
{
    struct pipeline *p = j->p;
    j->page_skipped = NULL;
    if (!p->robots)
        return true;
    char why[512];
    switch (robots_cache_check(p->robots, j->item.link, &j->robots_wait, why, sizeof why)) {
        case ROBOTS_ALLOWED: return true;
        case ROBOTS_PENDING: ingest_job_set_state(j, JOB_ROBOTS_WAIT); return false;
        case ROBOTS_DISALLOWED:
            ingest_job_set_state(j, JOB_EMITTING);
            j->page_skipped = "robots";
            job_use_feed_text(j, why);
            return false;
        case ROBOTS_UNREACHABLE:
            ingest_job_set_state(j, JOB_EMITTING);
            j->page_skipped = "robots"; /* if it gives up now: the page was never allowed */
            job_retry_or_give_up(j, why);
            return false;
    }
    return false;
}

/* Article jobs at work at most (besides those waiting to retry), as a multiple of
 * max_transfers and at least JOB_WINDOW_MIN: enough to keep every transfer busy whatever the
 * hosts' pacing holds back; more items wait in the state, not in memory. */
enum { JOB_WINDOW_PER_TRANSFER = 8, JOB_WINDOW_MIN = 64 };

static size_t job_window(const struct pipeline *p)
{
    size_t window = (size_t)p->deps.config->max_transfers * JOB_WINDOW_PER_TRANSFER;
    return window < JOB_WINDOW_MIN ? JOB_WINDOW_MIN : window;
}

/* Hands queued page fetches to the fetcher while fewer than max_transfers are with it or
 * with the extraction threads (so that pages held in memory stay max_transfers at most when
 * extraction is behind), those to hosts whose turn has come first: one handed over for a
 * host still in its gap would hold a slot that a free host's fetch could use, and the loop
 * would idle. When only hosts in their gap are left, fetch_wake looks again as the first gap
 * ends. */
void ingest_start_page_fetches(struct pipeline *p)
{
    double now = ingest_clock(), soonest = 0;
    struct article_job *prev = NULL, *j = p->queue_head;
    while (j && !p->stopping && !p->spool_full && !p->write_pause && !p->budget_full &&
           !p->budget_pending &&
           p->page_fetches + p->extracting < (size_t)p->deps.config->max_transfers) {
        struct article_job *next = j->next_queued;
        if (j->fetch_after <= now)
            j->fetch_after =
                now + (double)fetcher_host_wait_ms(p->deps.fetcher, j->item.link) / 1e3;
        if (j->fetch_after > now) {
            if (!soonest || j->fetch_after < soonest)
                soonest = j->fetch_after;
            prev = j;
            j = next;
            continue;
        }
        if (prev)
            prev->next_queued = next;
        else
            p->queue_head = next;
        if (p->queue_tail == j)
            p->queue_tail = prev;
        if (!robots_let_through(j)) {
            /* It left the queue (waiting for robots.txt, retried or done), and what it did may
             * have changed the queue: look again from its head. */
            prev = NULL;
            j = p->queue_head;
            continue;
        }
        ingest_job_set_state(j, JOB_FETCHING);
        p->page_fetches++;
        struct fetch_request req = {.url = j->item.link,
                                    .accept = PAGE_ACCEPT,
                                    .untrusted = true,
                                    .capture = p->deps.archive != NULL};
        fetcher_start(p->deps.fetcher, &req, on_page_fetched, j);
        j = next;
    }
    if (!j && soonest) { /* (all looked at, none could go now) */
        double wait = soonest - now;
        struct timeval tv = {.tv_sec = (time_t)wait,
                             .tv_usec = (suseconds_t)((wait - (double)(time_t)wait) * 1e6)};
        evtimer_add(p->fetch_wake, &tv);
    }
}

void ingest_on_fetch_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ingest_start_page_fetches(arg);
}

/* Takes every job out of the fetch queue (they stay pending in the state) and frees them. */
void ingest_drop_queued_jobs(struct pipeline *p)
{
    struct article_job *j = p->queue_head;
    p->queue_head = p->queue_tail = NULL;
    while (j) {
        struct article_job *next = j->next_queued;
        ingest_job_free(j);
        j = next;
    }
}

static void queue_job(struct article_job *j)
{
    struct pipeline *p = j->p;
    ingest_job_set_state(j, JOB_QUEUED);
    j->next_queued = NULL;
    j->fetch_after = 0;
    if (p->queue_tail)
        p->queue_tail->next_queued = j;
    else
        p->queue_head = j;
    p->queue_tail = j;
}

void ingest_job_start(struct article_job *j)
{
    struct pipeline *p = j->p;
    ingest_commit_poll_batch(p);
    if (p->stopping) {
        ingest_job_free(j);
        return;
    }
    if (j->built) { /* its write failed: tried again from memory */
        ingest_job_set_state(j, JOB_EMITTING);
        ingest_emit_built(j);
        job_done(j);
        return;
    }
    const char *link = j->item.link;
    if (!link || !*link) {
        ingest_job_set_state(j, JOB_EMITTING);
        job_use_feed_text(j, "item has no link");
        return;
    }
    queue_job(j);
    ingest_start_page_fetches(p);
}

void ingest_resume_pending(const struct pending_item *item, void *ud)
{
    struct resume_ctx *ctx = ud;
    if (ctx->reading_window) {
        ctx->listed++;
        if (item->seq > ctx->p->pending_read_to)
            ctx->p->pending_read_to = item->seq;
    } else if (item->seq > ctx->p->pending_read_to) {
        return; /* (a retried item not read yet: the window reads it) */
    }
    struct pending_article article;
    char err[256];
    if (ctx->p->resume_listed_only && !ingest_find_feed(ctx->p, item->feed_url))
        return;
    if (pending_article_from_json(&article, item->item_json, err, sizeof err) < 0) {
        log_err("state holds an unreadable item key=%s reason=\"%s\"", item->record_id, err);
        return;
    }
    struct article_job *j = job_new(ctx->p, item->key, item->record_id, &article, item->attempts);
    int64_t wait = item->next_attempt - now_seconds();
    if (ctx->p->once || wait <= 0) {
        ingest_job_start(j);
    } else {
        ingest_job_set_state(j, JOB_RETRY_WAIT);
        struct timeval tv = {.tv_sec = (time_t)wait};
        evtimer_add(j->retry, &tv);
    }
    ctx->resumed++;
}

void ingest_read_pending(struct pipeline *p)
{
    if (p->reading_pending || !p->fetch_pages || p->stopping || !p->pending_unread ||
        state_in_batch(p->deps.state))
        return;
    size_t window = job_window(p);
    p->reading_pending = true; /* (jobs finished while the list is read must not read it) */
    bool read = false;
    /* Read again once half the window is done: jobs that finish at once (no link) may leave
     * it empty again. */
    while (p->pending_unread && !p->stopping && p->n_jobs - p->n_jobs_retry_wait < window / 2) {
        read = true;
        long want = (long)(window - (p->n_jobs - p->n_jobs_retry_wait));
        struct resume_ctx ctx = {.p = p, .reading_window = true};
        if (state_items_pending(p->deps.state, p->pending_read_to, want, ingest_resume_pending,
                                &ctx) < 0) {
            log_err("cannot read pending items reason=\"%s\"", state_error(p->deps.state));
            p->pending_unread = false; /* (the next start reads them) */
        } else if (ctx.listed < (size_t)want) {
            p->pending_unread = false;
        }
    }
    p->reading_pending = false;
    /* Only after a read: the idle check reads again, and with the window more than half full
     * it would find nothing to read and check again at once, spinning the loop until a job
     * ends (each job's end checks anyway). */
    if (read)
        ingest_schedule_idle_check(p);
}
