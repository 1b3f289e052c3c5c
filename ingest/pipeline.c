/* pipeline.c: feed polling, article jobs and record writing, on the event loop.
 *
 * Two kinds of work are in flight: feed polls (one per feed at most) and
 * article jobs (one per pending item). Every completion lands in a fetch
 * callback here; nothing blocks but the short SQLite and fsync calls that make
 * a record durable.
 *
 * Poll outcomes are committed in batches: the first poll to finish opens a
 * transaction that every poll finishing in the next POLL_BATCH_MS joins, then one
 * commit makes them all durable. A feed's new items still commit together with its
 * validators (a savepoint inside the batch), and their pages are fetched only once
 * the batch has committed. Article work commits any open batch before it writes,
 * so a record's mark never waits in one. */
#include "ingest/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/url.h"
#include "common/utf8.h"
#include "common/util.h"
#include "common/log.h"
#include "extract/extract.h"
#include "feeds/date.h"
#include "feeds/feed.h"
#include "feeds/itemkey.h"
#include "output/record.h"
#include "output/validate.h"
#include "stories/index.h"

#define FEED_ACCEPT "application/rss+xml, application/atom+xml, application/feed+json, " \
                    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
#define PAGE_ACCEPT "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

/* How long poll outcomes wait for others to share their commit. A crash loses at most
 * this much polling, which the next start repeats (conditional GETs). */
#define POLL_BATCH_MS 100

struct feed_runtime {
    struct pipeline *p;
    char *url;           /* as listed: the feed's identity in the state */
    char *poll_url;      /* where a permanent redirect moved it, or NULL */
    bool gone;           /* answered 410: not polled any more */
    char *name;
    char *topics;        /* the feed list's topics= (comma-separated ids), or NULL for all */
    long interval;       /* seconds */
    long ttl;            /* seconds the feed itself asks between polls (<ttl>, sy:update*), 0 */
    long max_age;        /* seconds its last response's Cache-Control max-age allows, or -1 */
    struct event *timer; /* next poll */
    bool polling;        /* a poll is in flight */
    bool removed;        /* dropped by a reload while its poll was in flight */
    bool listed;         /* seen in the feed list being applied */
    long errors;         /* consecutive failures */
    int64_t last_success; /* epoch seconds of the last 200/304 in this run, 0 if none */
    char *last_error;    /* so a repeated error is logged once */
};

struct article_job {
    struct pipeline *p;
    char *key;
    char *record_id;
    json_t *item;         /* feed_url, feed_title, item_id, link, title, author, published, summary, content */
    long attempts;
    struct event *retry;  /* waiting for another attempt */
    bool fetching;        /* its page transfer is with the fetcher */
    bool queued;          /* waiting in the pipeline's fetch queue */
    bool write_failed;    /* its record could not be written: retried after retry_delay */
    struct article_job *next_queued;
    struct article_job *prev, *next;
};

struct pipeline {
    struct pipeline_deps deps;
    struct pipeline_hooks hooks;
    struct topic_rules *rules;
    struct schema *record_schema; /* every record is checked against it before the spool */
    struct story_index *stories;  /* earlier articles' fingerprints (tables in the state db) */
    struct event *story_expiry;   /* hourly: forget articles older than story_window */
    bool once;
    bool fetch_pages;             /* false: new items stay pending, no page is fetched */
    bool started;
    bool stopping;
    struct feed_runtime **feeds; /* sorted by URL */
    size_t n_feeds;
    size_t polls_in_flight;      /* including polls of removed feeds */
    size_t feeds_unpolled;       /* once mode: feeds not yet polled */
    struct article_job *jobs;
    size_t n_jobs;
    /* Page fetches wait here; at most config->max_transfers are with the fetcher at once,
     * so a stop abandons only those, and memory stays bounded however many items arrive. */
    struct article_job *queue_head, *queue_tail;
    size_t page_fetches;
    /* Backpressure: page fetching pauses while new/ holds more than the configured records
     * or bytes (consumers are behind), or for retry_delay after a failed write (disk full). */
    bool spool_full;
    bool write_pause;
    long spool_records;       /* estimate: counted at start and when full, plus our writes */
    long long spool_bytes;
    struct event *pressure_check; /* re-reads new/ while full */
    struct event *write_resume;
    struct event *idle_check;
    /* The open batch of poll outcomes (see the top): its new items' jobs wait for it. */
    struct event *batch_commit;
    struct article_job **batch_jobs;
    size_t n_batch_jobs, cap_batch_jobs;
    struct pipeline_stats stats;
};

const double pipeline_latency_bounds[PIPELINE_LATENCY_BUCKETS] = {0.05, 0.1, 0.25, 0.5, 1,
                                                                  2.5,  5,   10,   30,  60};

/* Counts one finished fetch (not one abandoned at shutdown) by kind, outcome and time. */
static void count_fetch(struct pipeline_stats *st, enum fetch_kind kind, const struct fetch_result *r)
{
    enum fetch_outcome outcome = !r->ok                ? OUTCOME_TRANSFER_ERROR
                                 : r->status == 200    ? OUTCOME_OK
                                 : r->status == 304    ? OUTCOME_NOT_MODIFIED
                                                       : OUTCOME_HTTP_ERROR;
    st->fetches[kind][outcome]++;
    st->latency_sum += r->seconds;
    st->latency_count++;
    for (int i = 0; i < PIPELINE_LATENCY_BUCKETS; i++)
        if (r->seconds <= pipeline_latency_bounds[i]) {
            st->latency_buckets[i]++;
            break;
        }
}

static int64_t now_seconds(void)
{
    return (int64_t)time(NULL);
}

static const char *json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* ---- idle detection ---------------------------------------------------- */

static bool is_idle(const struct pipeline *p)
{
    if (p->polls_in_flight || state_in_batch(p->deps.state))
        return false;
    for (const struct article_job *j = p->jobs; j; j = j->next)
        if (j->fetching || !p->stopping)
            return false;
    return p->stopping || (p->once && p->feeds_unpolled == 0);
}

static void on_idle_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    if (p->started && is_idle(p) && p->hooks.on_idle)
        p->hooks.on_idle(p->hooks.ud);
}

/* Idle is checked from a fresh loop iteration, never inside a callback chain. */
static void schedule_idle_check(struct pipeline *p)
{
    static const struct timeval now = {0, 0};
    evtimer_add(p->idle_check, &now);
}

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

static void job_start(struct article_job *j);
static void job_free(struct article_job *j);

/* Makes the open batch durable, then fetches the pages of the items it brought; if the
 * commit fails, those polls are lost as a whole: the next ones fetch the feeds again
 * (without validators) and find their items new again. */
static void commit_poll_batch(struct pipeline *p)
{
    if (!state_in_batch(p->deps.state))
        return;
    evtimer_del(p->batch_commit);
    bool ok = state_batch_commit(p->deps.state) == 0;
    if (!ok)
        log_err("state write failed, the last polls will be repeated reason=\"%s\"",
                state_error(p->deps.state));
    struct article_job **jobs = p->batch_jobs;
    size_t n = p->n_batch_jobs;
    p->batch_jobs = NULL;
    p->n_batch_jobs = p->cap_batch_jobs = 0;
    for (size_t i = 0; i < n; i++) {
        if (ok)
            job_start(jobs[i]);
        else
            job_free(jobs[i]);
    }
    free(jobs);
    schedule_idle_check(p);
}

static void on_batch_commit(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    commit_poll_batch(arg);
}

/* ---- article jobs ------------------------------------------------------- */

static void job_free(struct article_job *j)
{
    struct pipeline *p = j->p;
    if (j->prev)
        j->prev->next = j->next;
    else
        p->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    p->n_jobs--;
    if (j->retry)
        event_free(j->retry);
    json_decref(j->item);
    free(j->key);
    free(j->record_id);
    free(j);
    schedule_idle_check(p);
}

static void on_page_fetched(const struct fetch_result *r, void *ud);

static void on_job_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    job_start(arg);
}

static struct article_job *job_new(struct pipeline *p, const char *key, const char *record_id,
                                   json_t *item, long attempts)
{
    struct article_job *j = xcalloc(1, sizeof *j);
    j->p = p;
    j->key = xstrdup(key);
    j->record_id = xstrdup(record_id);
    j->item = item;
    j->attempts = attempts;
    j->retry = evtimer_new(p->deps.base, on_job_retry, j);
    j->next = p->jobs;
    if (p->jobs)
        p->jobs->prev = j;
    p->jobs = j;
    p->n_jobs++;
    return j;
}

static void job_mark(struct article_job *j, int rc)
{
    if (rc < 0)
        log_err("state write failed record=%s reason=\"%s\"", j->record_id,
                state_error(j->p->deps.state));
}

static void start_page_fetches(struct pipeline *p);

static bool spool_over_limit(const struct pipeline *p)
{
    return p->spool_records >= p->deps.config->spool_max_records ||
           p->spool_bytes >= p->deps.config->spool_max_bytes;
}

/* Counts what consumers left in new/ (they only ever take records away). */
static void recount_spool(struct pipeline *p)
{
    struct spool_stats st;
    char err[256];
    if (spool_read_stats(spool_dir(p->deps.spool), &st, err, sizeof err) == 0) {
        p->spool_records = st.new_records;
        p->spool_bytes = st.new_bytes;
    }
}

static void on_pressure_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    recount_spool(p);
    if (spool_over_limit(p)) {
        static const struct timeval second = {1, 0};
        evtimer_add(p->pressure_check, &second);
        return;
    }
    p->spool_full = false;
    log_notice("spool drained, article fetching resumes depth=%ld bytes=%lld", p->spool_records,
               p->spool_bytes);
    start_page_fetches(p);
}

/* After each record: past the limit (by our count, then by a fresh one), fetching pauses. */
static void note_spool_growth(struct pipeline *p, size_t bytes)
{
    p->spool_records++;
    p->spool_bytes += (long long)bytes;
    if (p->spool_full || !spool_over_limit(p))
        return;
    recount_spool(p);
    if (!spool_over_limit(p))
        return;
    p->spool_full = true;
    log_warn("spool full, article fetching pauses until consumers catch up depth=%ld bytes=%lld "
             "max_records=%ld max_bytes=%ld", p->spool_records, p->spool_bytes,
             p->deps.config->spool_max_records, p->deps.config->spool_max_bytes);
    on_pressure_check(-1, 0, p);
}

static void on_write_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    p->write_pause = false;
    start_page_fetches(p);
}

/* A failed write (disk full, I/O error): fetching more pages now would only fail too. */
static void pause_after_write_failure(struct pipeline *p)
{
    if (p->write_pause || p->once)
        return;
    p->write_pause = true;
    struct timeval tv = {.tv_sec = p->deps.config->retry_delay};
    evtimer_add(p->write_resume, &tv);
}

/* True (with the reason) when a record may not enter new/: over max_record_bytes, or not
 * valid under the schema consumers are promised. */
static bool record_refused(struct pipeline *p, const json_t *record, size_t len, char *why,
                           size_t whylen)
{
    if ((long)len > p->deps.config->max_record_bytes) {
        snprintf(why, whylen, "record of %zu bytes is over max_record_bytes (%ld)", len,
                 p->deps.config->max_record_bytes);
        return true;
    }
    char reason[400];
    if (schema_validate(p->record_schema, record, reason, sizeof reason) < 0) {
        snprintf(why, whylen, "fails the record schema: %s", reason);
        return true;
    }
    return false;
}

/* Writes {"reason", "bytes", "record"} into quarantine/ (the record itself only when within
 * the size cap) and gives the item up: an operator looks, consumers never see it. */
static void quarantine_record(struct article_job *j, json_t *record, size_t len, const char *why)
{
    struct pipeline *p = j->p;
    json_t *entry = json_object();
    json_object_set_new(entry, "reason", json_string(why));
    json_object_set_new(entry, "bytes", json_integer((json_int_t)len));
    json_object_set_new(entry, "url", json_incref(json_object_get(record, "url")));
    bool small = (long)len <= p->deps.config->max_record_bytes;
    json_object_set_new(entry, "record", small ? json_incref(record) : json_null());
    char *text = json_dumps(entry, JSON_COMPACT);
    json_decref(entry);
    char err[512];
    const char *url = json_str(j->item, "link");
    if (spool_quarantine(p->deps.spool, j->record_id, text, strlen(text), err, sizeof err) < 0)
        log_err("record refused, and quarantine failed record=%s url=%s reason=\"%s\" error=\"%s\"",
                j->record_id, url ? url : "-", why, err);
    else
        log_err("record quarantined record=%s url=%s reason=\"%s\"", j->record_id,
                url ? url : "-", why);
    free(text);
    job_mark(j, state_item_set_failed(p->deps.state, j->key, why));
    p->stats.records_quarantined++;
}

/* A copy of an earlier article not written as a record: listed in SPOOL/sources.jsonl as a
 * source of its story, then the item is done. */
static void job_record_copy(struct article_job *j, const struct article *a, const char *title,
                            const struct story_match *match)
{
    struct pipeline *p = j->p;
    char seen[DATE_ISO_LEN];
    date_format_iso(now_seconds(), seen);
    json_t *line = json_object();
    json_object_set_new(line, "record", json_string(j->record_id));
    json_object_set_new(line, "story", json_string(match->story_id));
    json_object_set_new(line, "duplicate_of", json_string(match->record_id));
    json_object_set_new(line, "similarity", record_similarity_json(match->similarity));
    json_object_set_new(line, "exact", json_boolean(match->exact));
    json_object_set_new(line, "url", utf8_json_string(json_str(j->item, "link")));
    json_object_set_new(line, "canonical_url", utf8_json_string(a->canonical_url));
    json_object_set_new(line, "feed", utf8_json_string(json_str(j->item, "feed_url")));
    json_object_set_new(line, "title", utf8_json_string(title));
    json_object_set_new(line, "seen", json_string(seen));
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    char err[512];
    const char *url = json_str(j->item, "link");
    if (spool_append_source(p->deps.spool, text, len, err, sizeof err) < 0) {
        log_err("source list write failed record=%s url=%s reason=\"%s\" retry_in=%lds",
                j->record_id, url ? url : "-", err, p->deps.config->retry_delay);
        job_mark(j, state_item_set_retry(p->deps.state, j->key, j->attempts,
                                         now_seconds() + p->deps.config->retry_delay, err));
        j->write_failed = true;
        pause_after_write_failure(p);
    } else {
        job_mark(j, state_item_set_emitted(p->deps.state, j->key));
        p->stats.copies_listed++;
        log_info("copy of an earlier article listed as a source record=%s story=%s duplicate_of=%s "
                 "similarity=%.2f exact=%s url=%s",
                 j->record_id, match->story_id, match->record_id, match->similarity,
                 match->exact ? "yes" : "no", url ? url : "-");
    }
    free(text);
}

/* The story the article belongs to: 1 with *match filled when an earlier article of it is
 * in the index, else 0 (also when the index cannot be read: the article is then written as
 * a new story rather than lost). */
static int find_story(struct pipeline *p, const struct fingerprint *fp, struct story_match *match)
{
    char err[512];
    story_index_set_window(p->stories, p->deps.config->story_window);
    int found = story_index_find(p->stories, fp, now_seconds(), match, err, sizeof err);
    if (found < 0) {
        log_err("story lookup failed reason=\"%s\"", err);
        found = 0;
    }
    return found;
}

/* Marks the item emitted and indexes its fingerprint, in one transaction. */
static void job_mark_written(struct article_job *j, const struct fingerprint *fp, const char *story)
{
    struct pipeline *p = j->p;
    if (state_begin(p->deps.state) < 0) {
        job_mark(j, -1);
        return;
    }
    char err[512];
    if (story_index_add(p->stories, fp, j->record_id, story, now_seconds(), err, sizeof err) < 0)
        log_err("story index write failed record=%s reason=\"%s\"", j->record_id, err);
    /* (not indexed: later copies will not find it, but the record stands) */
    int rc = state_item_set_emitted(p->deps.state, j->key);
    if (rc == 0)
        rc = state_commit(p->deps.state);
    else
        state_rollback(p->deps.state);
    job_mark(j, rc);
}

/* Finds the article's story, tags it, writes its record durably (or, for a copy that is not
 * to be written, lists it as a source), then marks the item done. */
static void job_write_record(struct article_job *j, const struct article *a, const char *source)
{
    struct pipeline *p = j->p;
    const char *title = json_str(j->item, "title");
    if (!title || !*title)
        title = a->title;
    struct fingerprint fp;
    fingerprint_compute(a->text, a->canonical_url ? a->canonical_url : json_str(j->item, "link"),
                        &fp);
    struct story_match match;
    bool copy = find_story(p, &fp, &match) == 1;
    if (copy && (match.exact || strcmp(p->deps.config->copies, "first") == 0)) {
        job_record_copy(j, a, title, &match);
        return;
    }
    struct topic_result topics = {0};
    topics_tag(p->rules, title, a->text, &topics);
    if (json_str(j->item, "topics"))
        topic_result_keep_only(&topics, json_str(j->item, "topics"));
    struct record_input in = {
        .id = j->record_id,
        .url = json_str(j->item, "link"),
        .feed_url = json_str(j->item, "feed_url"),
        .feed_title = json_str(j->item, "feed_title"),
        .item_id = json_str(j->item, "item_id"),
        .title = title,
        .author = a->author ? a->author : json_str(j->item, "author"),
        .published = json_str(j->item, "published") ? json_str(j->item, "published") : a->published,
        .modified = a->modified,
        .site = a->site,
        .lang = a->lang,
        .canonical_url = a->canonical_url,
        .image = a->image,
        .text = a->text,
        .text_source = source,
        .fetched = now_seconds(),
        .topics = &topics,
        .story = copy ? match.story_id : j->record_id,
        .duplicate_of = copy ? match.record_id : NULL,
        .similarity = copy ? match.similarity : 0,
        .enclosures = json_object_get(j->item, "enclosures"),
    };
    json_t *record = record_build(&in);
    size_t len;
    char *text = record_serialize(record, &len);
    char err[512];
    if (record_refused(p, record, len, err, sizeof err)) {
        quarantine_record(j, record, len, err);
    } else if (spool_write(p->deps.spool, j->record_id, text, len, err, sizeof err) < 0) {
        log_err("spool write failed record=%s url=%s reason=\"%s\" retry_in=%lds", j->record_id,
                in.url ? in.url : "-", err, p->deps.config->retry_delay);
        job_mark(j, state_item_set_retry(p->deps.state, j->key, j->attempts,
                                         now_seconds() + p->deps.config->retry_delay, err));
        j->write_failed = true;
        pause_after_write_failure(p);
    } else {
        job_mark_written(j, &fp, in.story);
        p->stats.records_written++;
        note_spool_growth(p, len);
        log_info("record written record=%s url=%s topics=%zu source=%s story=%s%s%s", j->record_id,
                 in.url ? in.url : "-", topics.n_hits, source, in.story,
                 copy ? " duplicate_of=" : "", copy ? match.record_id : "");
        if (p->hooks.on_record)
            p->hooks.on_record(p->hooks.ud, record);
    }
    free(text);
    json_decref(record);
    topic_result_free(&topics);
}

/* The page could not be used: clean the feed's own content instead, if it has any. */
static void job_use_feed_text(struct article_job *j, const char *why)
{
    const char *html = json_str(j->item, "content");
    if (!html || !*html)
        html = json_str(j->item, "summary");
    const char *feed_url = json_str(j->item, "feed_url");
    const char *link = json_str(j->item, "link");
    if (html && *html) {
        char *page = xasprintf("<html><body><article>%s</article></body></html>", html);
        struct extract_input in = {.data = page, .len = strlen(page), .url = link};
        struct article a;
        char err[256];
        int rc = extract_article(&in, &a, err, sizeof err);
        free(page);
        if (rc == 0) {
            log_notice("using feed text feed=%s url=%s reason=\"%s\"", feed_url, link ? link : "-",
                       why);
            job_write_record(j, &a, "feed");
            article_free(&a);
            return;
        }
    }
    log_warn("item dropped feed=%s url=%s reason=\"%s\"", feed_url, link ? link : "-", why);
    job_mark(j, state_item_set_failed(j->p->deps.state, j->key, why));
    j->p->stats.items_failed++;
}

/* The end of a job's attempt. It is freed, unless its record could not be written: then
 * the daemon tries it again after retry_delay (in the state it stays pending throughout). */
static void job_done(struct article_job *j)
{
    struct pipeline *p = j->p;
    if (!j->write_failed || p->once || p->stopping) {
        job_free(j);
        return;
    }
    j->write_failed = false;
    struct timeval tv = {.tv_sec = p->deps.config->retry_delay};
    evtimer_add(j->retry, &tv);
}

/* A transient failure: try again later, or give up and use the feed's text. */
static void job_retry_or_give_up(struct article_job *j, const char *why)
{
    struct pipeline *p = j->p;
    j->attempts++;
    if (j->attempts >= p->deps.config->article_attempts) {
        job_use_feed_text(j, why);
        job_done(j);
        return;
    }
    long delay = p->deps.config->retry_delay;
    log_warn("page fetch failed url=%s attempt=%ld reason=\"%s\" retry_in=%lds",
             json_str(j->item, "link"), j->attempts, why, delay);
    job_mark(j, state_item_set_retry(p->deps.state, j->key, j->attempts, now_seconds() + delay, why));
    if (p->once || p->stopping) {
        job_free(j); /* stays pending; the next run tries again */
        return;
    }
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

static void handle_page(const struct fetch_result *r, struct article_job *j)
{
    if (r->aborted) {
        job_free(j); /* stays pending */
        return;
    }
    char why[512];
    if (r->refused) {
        job_use_feed_text(j, r->error); /* the address will not become public */
        job_done(j);
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
        job_done(j);
        return;
    }
    if (!is_html_type(r->content_type)) {
        snprintf(why, sizeof why, "page is not HTML (Content-Type: %s)", r->content_type);
        job_use_feed_text(j, why);
        job_done(j);
        return;
    }
    struct extract_input in = {.data = r->body, .len = r->body_len, .url = r->effective_url,
                               .content_type = r->content_type};
    struct article a;
    char err[256];
    if (extract_article(&in, &a, err, sizeof err) == 0) {
        job_write_record(j, &a, "page");
        article_free(&a);
    } else {
        snprintf(why, sizeof why, "page unusable: %s", err);
        job_use_feed_text(j, why);
    }
    job_done(j);
}

static void on_page_fetched(const struct fetch_result *r, void *ud)
{
    struct article_job *j = ud;
    struct pipeline *p = j->p;
    commit_poll_batch(p);
    j->fetching = false;
    p->page_fetches--;
    if (!r->aborted)
        count_fetch(&p->stats, FETCH_PAGE, r);
    handle_page(r, j); /* frees j, or keeps it for a retry */
    start_page_fetches(p);
}

/* Hands queued page fetches to the fetcher while fewer than max_transfers are running. */
static void start_page_fetches(struct pipeline *p)
{
    while (!p->stopping && !p->spool_full && !p->write_pause && p->queue_head &&
           p->page_fetches < (size_t)p->deps.config->max_transfers) {
        struct article_job *j = p->queue_head;
        p->queue_head = j->next_queued;
        if (!p->queue_head)
            p->queue_tail = NULL;
        j->queued = false;
        j->fetching = true;
        p->page_fetches++;
        struct fetch_request req = {
            .url = json_str(j->item, "link"), .accept = PAGE_ACCEPT, .untrusted = true};
        fetcher_start(p->deps.fetcher, &req, on_page_fetched, j);
    }
}

/* Takes every job out of the fetch queue (they stay pending in the state) and frees them. */
static void drop_queued_jobs(struct pipeline *p)
{
    struct article_job *j = p->queue_head;
    p->queue_head = p->queue_tail = NULL;
    while (j) {
        struct article_job *next = j->next_queued;
        j->queued = false;
        job_free(j);
        j = next;
    }
}

static void job_start(struct article_job *j)
{
    struct pipeline *p = j->p;
    commit_poll_batch(p);
    if (p->stopping) {
        job_free(j);
        return;
    }
    if (spool_has(p->deps.spool, j->record_id)) {
        /* Written before a crash that came before the state was updated. */
        job_mark(j, state_item_set_emitted(p->deps.state, j->key));
        job_free(j);
        return;
    }
    const char *link = json_str(j->item, "link");
    if (!link || !*link) {
        job_use_feed_text(j, "item has no link");
        job_done(j);
        return;
    }
    j->queued = true;
    j->next_queued = NULL;
    if (p->queue_tail)
        p->queue_tail->next_queued = j;
    else
        p->queue_head = j;
    p->queue_tail = j;
    start_page_fetches(p);
}

struct resume_ctx {
    struct pipeline *p;
    size_t resumed;
};

static void resume_pending(const struct pending_item *item, void *ud)
{
    struct resume_ctx *ctx = ud;
    json_error_t jerr;
    json_t *job_item = json_loads(item->item_json, 0, &jerr);
    if (!json_is_object(job_item)) {
        log_err("state holds an unreadable item key=%s reason=\"%s\"", item->record_id, jerr.text);
        json_decref(job_item);
        return;
    }
    struct article_job *j = job_new(ctx->p, item->key, item->record_id, job_item, item->attempts);
    int64_t wait = item->next_attempt - now_seconds();
    if (ctx->p->once || wait <= 0) {
        job_start(j);
    } else {
        struct timeval tv = {.tv_sec = (time_t)wait};
        evtimer_add(j->retry, &tv);
    }
    ctx->resumed++;
}

/* ---- feeds -------------------------------------------------------------- */

/* Records a newly seen item as pending. Returns true when it was new, with its job in *job
 * (to start once the feed's items are durable; NULL when pages are not fetched). */
static bool ingest_item(struct feed_runtime *fr, const struct feed *feed,
                        const struct feed_item *item, struct article_job **job)
{
    struct pipeline *p = fr->p;
    *job = NULL;
    char *key = item_key(fr->url, item);
    if (!key) {
        log_warn("item skipped feed=%s reason=\"no id, link, title or text\"", fr->url);
        return false;
    }
    char *link_key = url_normalize(item->link);
    bool added = false;
    bool known = false;
    if (state_item_known(p->deps.state, key, link_key, &known) < 0) {
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    } else if (!known) {
        char record_id[RECORD_ID_LEN + 1];
        item_record_id(key, record_id);
        char published[DATE_ISO_LEN];
        if (item->has_published)
            date_format_iso(item->published, published);
        else if (item->has_updated)
            date_format_iso(item->updated, published);
        bool has_date = item->has_published || item->has_updated;
        json_t *job_item = json_object();
        json_object_set_new(job_item, "feed_url", json_string(fr->url));
        json_object_set_new(job_item, "feed_title", utf8_json_string(fr->name ? fr->name : feed->title));
        json_object_set_new(job_item, "item_id", utf8_json_string(item->id));
        json_object_set_new(job_item, "link", utf8_json_string(item->link));
        json_object_set_new(job_item, "title", utf8_json_string(item->title));
        json_object_set_new(job_item, "author", utf8_json_string(item->author));
        json_object_set_new(job_item, "published", utf8_json_string(has_date ? published : NULL));
        json_object_set_new(job_item, "summary", utf8_json_string(item->summary));
        json_object_set_new(job_item, "content", utf8_json_string(item->content));
        if (fr->topics)
            json_object_set_new(job_item, "topics", json_string(fr->topics));
        json_t *enclosures = json_array();
        for (size_t e = 0; e < item->n_enclosures; e++)
            json_array_append_new(enclosures, feed_enclosure_to_json(&item->enclosures[e]));
        json_object_set_new(job_item, "enclosures", enclosures);
        char *job_text = json_dumps(job_item, JSON_COMPACT);
        if (state_item_add(p->deps.state, key, record_id, fr->url, link_key, job_text) < 0) {
            log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
            json_decref(job_item);
        } else {
            if (!item->link || !*item->link)
                log_notice("item has no link feed=%s title=\"%s\"", fr->url,
                           item->title ? item->title : "");
            added = true;
            if (p->fetch_pages)
                *job = job_new(p, key, record_id, job_item, 0);
            else
                json_decref(job_item);
        }
        free(job_text);
    }
    free(link_key);
    free(key);
    return added;
}

/* Holds a new item's job until the open batch commits. */
static void add_batch_job(struct pipeline *p, struct article_job *j)
{
    if (p->n_batch_jobs == p->cap_batch_jobs) {
        p->cap_batch_jobs = p->cap_batch_jobs ? 2 * p->cap_batch_jobs : 64;
        p->batch_jobs = xrealloc(p->batch_jobs, p->cap_batch_jobs * sizeof *p->batch_jobs);
    }
    p->batch_jobs[p->n_batch_jobs++] = j;
}

/* A feed's new items and its validators are stored in one unit, so a crash leaves either
 * all of them (and the next poll may be a 304) or none (and the next poll sees the items
 * again). The article jobs start only once the unit is durable: after the batch commits. */
static void ingest_feed(struct feed_runtime *fr, const struct feed *feed, const struct fetch_result *r)
{
    struct pipeline *p = fr->p;
    struct article_job **jobs = xcalloc(feed->n_items ? feed->n_items : 1, sizeof *jobs);
    size_t n_jobs = 0, n_new = 0;
    bool ok = state_begin(p->deps.state) == 0;
    for (size_t i = 0; ok && i < feed->n_items; i++) {
        struct article_job *j;
        if (ingest_item(fr, feed, &feed->items[i], &j))
            n_new++;
        if (j)
            jobs[n_jobs++] = j;
    }
    if (ok && state_feed_set_validators(p->deps.state, fr->url, r->etag, r->last_modified) < 0)
        ok = false;
    if (ok && state_commit(p->deps.state) < 0)
        ok = false;
    if (!ok) {
        log_err("state write failed feed=%s reason=\"%s\"; its items will be read again next poll",
                fr->url, state_error(p->deps.state));
        state_rollback(p->deps.state);
        for (size_t i = 0; i < n_jobs; i++)
            job_free(jobs[i]);
        n_jobs = n_new = 0;
    }
    p->stats.items_new += (long)n_new;
    log_info("feed polled feed=%s status=200 items=%zu new=%zu", fr->url, feed->n_items, n_new);
    for (size_t i = 0; i < n_jobs; i++) {
        if (state_in_batch(p->deps.state))
            add_batch_job(p, jobs[i]);
        else
            job_start(jobs[i]);
    }
    free(jobs);
}

static long feed_interval(const struct feed_runtime *fr)
{
    return fr->interval > 0 ? fr->interval : fr->p->deps.config->poll_interval;
}

/* Seconds until the next poll after `errors` consecutive failures: exponential, capped, jittered. */
static long backoff_delay(const struct feed_runtime *fr, long errors)
{
    long delay = feed_interval(fr);
    long cap = fr->p->deps.config->max_backoff;
    for (long i = 1; i < errors && delay < cap; i++)
        delay *= 2;
    if (delay > cap)
        delay = cap;
    return delay - delay / 10 + (long)(random() % (delay / 5 + 1));
}

/* Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or 0. */
static long retry_after_seconds(const char *value)
{
    if (!value)
        return 0;
    char *end;
    long n = strtol(value, &end, 10);
    if (end != value && *end == '\0')
        return n > 0 ? n : 0;
    int64_t when;
    if (date_parse(value, &when) && when > now_seconds())
        return (long)(when - now_seconds());
    return 0;
}

static void schedule_poll(struct feed_runtime *fr, long delay)
{
    struct timeval tv = {.tv_sec = delay > 0 ? delay : 0};
    evtimer_add(fr->timer, &tv);
}

static void feed_runtime_free(struct feed_runtime *fr)
{
    event_free(fr->timer);
    free(fr->url);
    free(fr->poll_url);
    free(fr->name);
    free(fr->topics);
    free(fr->last_error);
    free(fr);
}

/* Logs a feed's failure when it differs from the last one, so a broken feed is not logged every poll. */
static void feed_failed(struct feed_runtime *fr, long status, const char *reason, long retry_after)
{
    struct pipeline *p = fr->p;
    fr->errors++;
    p->stats.feeds_failed++;
    long delay = backoff_delay(fr, fr->errors);
    if (retry_after > delay)
        delay = retry_after;
    if (!fr->last_error || strcmp(fr->last_error, reason) != 0)
        log_warn("feed poll failed feed=%s status=%ld reason=\"%s\" errors=%ld retry_in=%lds",
                 fr->url, status, reason, fr->errors, delay);
    else
        log_debug("feed still failing feed=%s status=%ld errors=%ld retry_in=%lds", fr->url, status,
                  fr->errors, delay);
    free(fr->last_error);
    fr->last_error = xstrdup(reason);
    if (state_feed_set_poll(p->deps.state, fr->url, now_seconds() + delay, fr->errors, status,
                            reason) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (status == 410) {
        fr->gone = true;
        log_warn("feed is gone (HTTP 410), polling stops feed=%s", fr->url);
        if (state_feed_set_gone(p->deps.state, fr->url, true) < 0)
            log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
        return;
    }
    if (!p->once && !p->stopping && !fr->removed)
        schedule_poll(fr, delay);
}

/* Seconds to the next poll after a success: the latest of the feed's interval, the ttl it
 * declares and its Cache-Control max-age, but a ttl or max-age stretches it at most to
 * max_poll_interval. */
static long success_delay(const struct feed_runtime *fr)
{
    long delay = feed_interval(fr);
    long asked = fr->ttl > fr->max_age ? fr->ttl : fr->max_age;
    long cap = fr->p->deps.config->max_poll_interval;
    if (asked > delay)
        delay = asked < cap ? asked : (cap > delay ? cap : delay);
    return delay;
}

static void feed_succeeded(struct feed_runtime *fr, long status)
{
    struct pipeline *p = fr->p;
    if (fr->last_error)
        log_notice("feed recovered feed=%s status=%ld after_errors=%ld", fr->url, status, fr->errors);
    free(fr->last_error);
    fr->last_error = NULL;
    fr->errors = 0;
    fr->last_success = now_seconds();
    p->stats.feeds_polled++;
    long delay = success_delay(fr);
    if (state_feed_set_poll(p->deps.state, fr->url, now_seconds() + delay, 0, status, NULL) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (!p->once && !p->stopping && !fr->removed)
        schedule_poll(fr, delay);
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

static void on_feed_fetched(const struct fetch_result *r, void *ud)
{
    struct feed_runtime *fr = ud;
    struct pipeline *p = fr->p;
    fr->polling = false;
    p->polls_in_flight--;
    if (!r->aborted) {
        count_fetch(&p->stats, FETCH_FEED, r);
        join_poll_batch(p);
    }
    if (r->ok && (r->status == 200 || r->status == 304)) {
        remember_move(fr, r);
        fr->max_age = r->max_age;
    }
    if (r->aborted) {
        /* nothing learned; the feed keeps its due time */
    } else if (!r->ok) {
        feed_failed(fr, 0, r->error, 0);
    } else if (r->status == 304) {
        log_debug("feed not modified feed=%s", fr->url);
        feed_succeeded(fr, r->status);
    } else if (r->status != 200) {
        char reason[64];
        snprintf(reason, sizeof reason, "HTTP %ld", r->status);
        feed_failed(fr, r->status, reason,
                    (r->status == 429 || r->status == 503) ? retry_after_seconds(r->retry_after) : 0);
    } else {
        struct feed feed;
        char err[256];
        if (feed_parse(r->body, r->body_len, r->effective_url, &feed, err, sizeof err) < 0) {
            char reason[300];
            snprintf(reason, sizeof reason, "not a feed: %s", err);
            feed_failed(fr, r->status, reason, 0);
        } else {
            if (feed.bozo)
                log_notice("feed is ill-formed, recovered feed=%s reason=\"%s\"", fr->url,
                           feed.bozo_reason ? feed.bozo_reason : "?");
            ingest_feed(fr, &feed, r);
            fr->ttl = (long)feed.ttl_minutes * 60;
            feed_free(&feed);
            feed_succeeded(fr, r->status);
        }
    }
    if (fr->removed)
        feed_runtime_free(fr);
    schedule_idle_check(p);
}

/* Polls the feed, sending the validators of its stored state fs. */
static void poll_feed_with(struct feed_runtime *fr, const struct feed_state *fs)
{
    struct pipeline *p = fr->p;
    if (fr->polling || p->stopping)
        return;
    if (p->once && p->feeds_unpolled)
        p->feeds_unpolled--;
    struct fetch_request req = {.url = fr->poll_url ? fr->poll_url : fr->url,
                                .accept = FEED_ACCEPT,
                                .etag = fs->etag,
                                .last_modified = fs->last_modified};
    fr->polling = true;
    p->polls_in_flight++;
    fetcher_start(p->deps.fetcher, &req, on_feed_fetched, fr);
}

static void poll_feed(struct feed_runtime *fr)
{
    struct pipeline *p = fr->p;
    struct feed_state fs;
    if (state_feed_get(p->deps.state, fr->url, &fs) < 0)
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    poll_feed_with(fr, &fs);
    feed_state_free(&fs);
}

static void on_poll_due(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    poll_feed(arg);
}

/* First poll of a feed: when its stored due time comes, or soon (jittered) if already due.
 * A feed that moved is polled at its new URL; one that is gone is not polled. */
static void schedule_first_poll(struct pipeline *p, struct feed_runtime *fr)
{
    struct feed_state fs;
    int known = state_feed_get(p->deps.state, fr->url, &fs);
    if (known < 0)
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (known == 1 && fs.moved_to) {
        free(fr->poll_url);
        fr->poll_url = xstrdup(fs.moved_to);
    }
    if (known == 1 && fs.gone) {
        fr->gone = true;
        if (p->once && p->feeds_unpolled)
            p->feeds_unpolled--;
        log_notice("feed not polled: it answered 410 Gone earlier feed=%s", fr->url);
        feed_state_free(&fs);
        return;
    }
    if (known == 1)
        fr->errors = fs.errors; /* a restart continues the backoff where it was */
    if (p->once) { /* polled now, with the state just read */
        poll_feed_with(fr, &fs);
        feed_state_free(&fs);
        return;
    }
    long delay;
    if (known == 1 && fs.next_due > now_seconds()) {
        delay = (long)(fs.next_due - now_seconds());
    } else {
        long jitter = p->deps.config->poll_jitter;
        delay = jitter > 0 ? random() % jitter : 0;
    }
    feed_state_free(&fs);
    schedule_poll(fr, delay);
}

static int compare_feed_url(const void *a, const void *b)
{
    const struct feed_runtime *const *fa = a, *const *fb = b;
    return strcmp((*fa)->url, (*fb)->url);
}

static struct feed_runtime *find_feed(const struct pipeline *p, const char *url)
{
    if (p->n_feeds == 0)
        return NULL;
    struct feed_runtime key = {.url = (char *)url}, *keyp = &key;
    struct feed_runtime **found =
        bsearch(&keyp, p->feeds, p->n_feeds, sizeof *p->feeds, compare_feed_url);
    return found ? *found : NULL;
}

void pipeline_set_feeds(struct pipeline *p, const struct feed_list *list)
{
    struct feed_runtime **next = xcalloc(list->n ? list->n : 1, sizeof *next);
    size_t added = 0, kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct feed_entry *e = &list->entries[i];
        struct feed_runtime *fr = find_feed(p, e->url);
        if (fr) {
            free(fr->name);
            fr->name = xstrdup(e->name);
            free(fr->topics);
            fr->topics = xstrdup(e->topics);
            fr->interval = e->interval;
            kept++;
        } else {
            fr = xcalloc(1, sizeof *fr);
            fr->p = p;
            fr->url = xstrdup(e->url);
            fr->name = xstrdup(e->name);
            fr->topics = xstrdup(e->topics);
            fr->interval = e->interval;
            fr->timer = evtimer_new(p->deps.base, on_poll_due, fr);
            fr->max_age = -1;
            fr->errors = -1; /* marks "new" until scheduled below */
            added++;
        }
        fr->listed = true;
        next[i] = fr;
        const char *unknown = e->topics ? topic_rules_unknown_id(p->rules, e->topics) : NULL;
        if (unknown)
            log_warn("feed names a topic the rules do not define feed=%s topic=%.*s", e->url,
                     (int)strcspn(unknown, ","), unknown);
    }
    /* Old entries the new list does not name are gone. */
    size_t removed = 0;
    for (size_t i = 0; i < p->n_feeds; i++) {
        struct feed_runtime *fr = p->feeds[i];
        if (fr->listed)
            continue;
        removed++;
        evtimer_del(fr->timer);
        if (fr->polling)
            fr->removed = true; /* freed when its poll completes */
        else
            feed_runtime_free(fr);
    }
    free(p->feeds);
    p->feeds = next;
    p->n_feeds = list->n;
    qsort(p->feeds, p->n_feeds, sizeof *p->feeds, compare_feed_url);
    for (size_t i = 0; i < p->n_feeds; i++) {
        struct feed_runtime *fr = p->feeds[i];
        fr->listed = false;
        if (fr->errors == -1) {
            fr->errors = 0;
            if (p->once)
                p->feeds_unpolled++;
            if (p->started)
                schedule_first_poll(p, fr);
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
    p->fetch_pages = strcmp(deps->config->fetch_pages, "yes") == 0; /* read at start only */
    p->idle_check = evtimer_new(deps->base, on_idle_check, p);
    p->batch_commit = evtimer_new(deps->base, on_batch_commit, p);
    p->pressure_check = evtimer_new(deps->base, on_pressure_check, p);
    p->write_resume = evtimer_new(deps->base, on_write_resume, p);
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
    recount_spool(p);
    on_story_expiry(-1, 0, p);
    struct resume_ctx ctx = {.p = p};
    if (!p->fetch_pages)
        log_notice("fetch_pages = no: new items stay pending, no page is fetched");
    else if (state_items_pending(p->deps.state, resume_pending, &ctx) < 0)
        log_err("cannot resume pending items reason=\"%s\"", state_error(p->deps.state));
    else if (ctx.resumed)
        log_notice("resuming pending items count=%zu", ctx.resumed);
    for (size_t i = 0; i < p->n_feeds; i++)
        schedule_first_poll(p, p->feeds[i]);
    schedule_idle_check(p);
}

void pipeline_stop(struct pipeline *p)
{
    p->stopping = true;
    commit_poll_batch(p); /* (its jobs are dropped: they stay pending) */
    for (size_t i = 0; i < p->n_feeds; i++)
        evtimer_del(p->feeds[i]->timer);
    drop_queued_jobs(p);
    /* Jobs waiting for a retry stay pending in the state; drop them now. */
    struct article_job *j = p->jobs;
    while (j) {
        struct article_job *next = j->next;
        if (!j->fetching)
            job_free(j);
        j = next;
    }
    schedule_idle_check(p);
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
        struct pipeline_feed_view view = {
            .url = fr->url, .errors = fr->errors, .last_success = fr->last_success};
        fn(&view, ud);
    }
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *p)
{
    return &p->stats;
}

void pipeline_free(struct pipeline *p)
{
    if (!p)
        return;
    /* The fetcher must have no transfers of ours left: the owner cancels them first. */
    p->stopping = true;
    commit_poll_batch(p);
    drop_queued_jobs(p);
    while (p->jobs)
        job_free(p->jobs);
    for (size_t i = 0; i < p->n_feeds; i++)
        feed_runtime_free(p->feeds[i]);
    free(p->feeds);
    event_free(p->idle_check);
    event_free(p->batch_commit);
    event_free(p->pressure_check);
    event_free(p->write_resume);
    topic_rules_free(p->rules);
    schema_free(p->record_schema);
    event_free(p->story_expiry);
    story_index_close(p->stories);
    free(p);
}
