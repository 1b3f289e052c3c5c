/* ingest_internal.h: what the files of the ingest engine share, and nothing outside ingest/.
 *
 * The engine is one struct pipeline split by job:
 *   pipeline.c  the public API (pipeline.h): life cycle, the feed list, stats, idle detection
 *   schedule.c  when a feed is polled next: intervals, backoff, Retry-After, due times
 *   poll.c      feed polls and the batching of their outcomes and new items
 *   article.c   the article job queue: page fetches, retries, the feed-text fallback
 *   emit.c      building, checking and writing records; copies listed as sources
 *   pressure.c  spool backpressure and the pause after a failed write
 *   recover.c   what a crash or a dead consumer left: staged records finished at start,
 *               stale claims returned to new/, failed items retried
 *   prune.c     the spool's retention passes and the pause over its disk budget
 *   extract_pool.c  the threads that extract articles from pages, off the loop
 * and three with a public header, for their tests: schedule.h (the polling arithmetic),
 * pending.h (the in-flight article and its stored form) and extract_pool.h.
 * Everything but the extraction threads' own work runs on the loop thread.
 * Functions here carry the ingest_ prefix; everything else in those files is static. */
#ifndef FEEDSPOOL_INGEST_INTERNAL_H
#define FEEDSPOOL_INGEST_INTERNAL_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/hash.h"
#include "extract/extract.h"
#include "feeds/feedlist.h"
#include "ingest/extract_pool.h"
#include "ingest/pending.h"
#include "ingest/pipeline.h"
#include "net/robots_cache.h"
#include "output/record.h"
#include "output/validate.h"
#include "stories/index.h"

/* Where a feed is in its cycle; changed only by ingest_feed_set_state(), which logs it.
 *   NEW -> WAITING <-> POLLING -> WAITING ... ; POLLING -> REMOVED (freed when the poll ends);
 *   WAITING or POLLING -> GONE (HTTP 410, or remembered so). */
enum feed_run_state {
    FEED_NEW,     /* just listed, not yet scheduled */
    FEED_WAITING, /* between polls: its timer is set, or the pipeline has not started */
    FEED_POLLING, /* a poll is in flight */
    FEED_REMOVED, /* dropped by a reload while its poll was in flight */
    FEED_GONE,    /* answered 410: not polled any more */
};

/* Where an article job is; changed only by ingest_job_set_state(), which logs it.
 *   NEW -> QUEUED -> FETCHING -> EMITTING -> EXTRACTING -> EMITTING -> BATCHED -> (freed) or
 *   WRITE_FAILED -> RETRY_WAIT -> QUEUED (EMITTING: dealt with on the loop; BATCHED: the
 *   record waits in this pass's write batch);
 *   QUEUED -> ROBOTS_WAIT -> QUEUED when its site's robots.txt is fetched; QUEUED ->
 *   EMITTING -> EXTRACTING (the feed's text) when robots.txt disallows the page, or the item
 *   has no link; the page's extraction tries the feed's text when the page holds no article;
 *   FETCHING -> RETRY_WAIT after a transient failure; resumed items may start in RETRY_WAIT. */
enum job_state {
    JOB_NEW,          /* made; waits for its poll batch to commit, or is about to start */
    JOB_QUEUED,       /* waiting in the pipeline's fetch queue */
    JOB_ROBOTS_WAIT,  /* waiting for its site's robots.txt (holds no fetch slot) */
    JOB_FETCHING,     /* its page transfer is with the fetcher */
    JOB_EXTRACTING,   /* its page (or the feed's text) is with the extraction threads */
    JOB_EMITTING,     /* its page (or the feed's text) is being made into a record */
    JOB_BATCHED,      /* its record waits in the write batch of this pass (emit.c) */
    JOB_WRITE_FAILED, /* its record could not be written: retried after retry_delay */
    JOB_RETRY_WAIT,   /* its retry timer is set */
};

struct feed_runtime {
    struct pipeline *p;
    enum feed_run_state state;
    char *url;      /* as listed: the feed's identity in the state */
    char *poll_url; /* where a permanent redirect moved it, or NULL */
    char *name;
    char *topics;          /* the feed list's topics= (comma-separated ids), or NULL for all */
    long interval;         /* seconds */
    long ttl;              /* seconds the feed itself asks between polls (<ttl>, sy:update*), 0 */
    long max_age;          /* seconds its last response's Cache-Control max-age allows, or -1 */
    struct event *timer;   /* next poll */
    long errors;           /* consecutive failures */
    int64_t last_success;  /* epoch seconds of the last 200/304 in this run, 0 if none */
    char *last_error;      /* so a repeated error is logged once */
    bool warned_shared_id; /* items sharing an identity were logged (once per feed and run) */
    bool warned_over_cap;  /* more than 10,000 items were logged */

    enum feedlist_sitemap sitemap; /* the feed list's sitemap= */
};

/* What a job built for the spool, kept until it is written (a failed write is retried
 * from here, without fetching the page again). Owned by its job (j->built), with its record
 * and text; ingest_built_free() releases it and accepts NULL. */
struct built_record {
    bool is_source_line; /* a line for sources.jsonl (a copy not written), else a record */
    json_t *record;      /* the record (NULL for a source line) */
    char *text;          /* what is written */
    size_t len;
    struct fingerprint fp;
    char story[STORY_ID_LEN + 1];
    char duplicate_of[STORY_ID_LEN + 1]; /* "" when it copies nothing */
    double similarity;
    bool exact;
    size_t n_topics;
    const char *source; /* text_source: "page" or "feed" (a literal) */
    bool archived;      /* the record points at its page in the archive (the job's) */
};

struct article_job {
    struct pipeline *p;
    enum job_state state;
    char *key;
    char *record_id;
    struct pending_article item;
    long attempts;
    struct event *retry;        /* waiting for another attempt */
    struct built_record *built; /* built, not yet written; NULL before and after */
    /* In its site's robots.txt queue while JOB_ROBOTS_WAIT; why the page was not fetched
     * ("robots"), or NULL. */
    struct robots_waiter robots_wait;
    const char *page_skipped;
    char *feed_text_reason; /* extracting the feed's text only: why the page is not used */
    char archive_file[ARCHIVE_NAME_MAX]; /* where its page is archived; "" when it is not */
    int64_t archive_offset;
    double fetch_after; /* queued: its host's turn comes not before (ingest_clock) */
    struct article_job *next_queued;
    struct article_job *prev, *next;
};

struct pipeline {
    struct pipeline_deps deps;
    struct pipeline_hooks hooks;
    struct topic_rules *rules;
    struct schema *record_schema;      /* every record is checked against it before the spool */
    struct extract_pool *extract_pool; /* the threads running extract_article() */
    struct story_index *stories;       /* earlier articles' fingerprints (tables in the state db) */
    struct event *story_expiry;        /* hourly: forget articles older than story_window */
    bool once;
    bool fetch_pages; /* false: new items stay pending, no page is fetched */
    bool started;
    bool stopping;
    bool resume_listed_only;     /* pending items of other feeds are left for a later run */
    struct feed_runtime **feeds; /* sorted by URL */
    size_t n_feeds;
    size_t polls_in_flight; /* including polls of removed feeds */
    size_t feeds_unpolled;  /* once mode: feeds not yet polled */
    struct article_job *jobs;
    size_t n_jobs;
    size_t n_jobs_retry_wait; /* of n_jobs, in JOB_RETRY_WAIT */
    /* Pending items become jobs a window at a time (article.c: ingest_read_pending), read from
     * the state in the order they were seen, so that memory does not grow with the items
     * pending: the next one to read comes after pending_read_to (a pending_item's seq). */
    int64_t pending_read_to;
    bool pending_unread; /* items may be pending in the state beyond pending_read_to */
    bool reading_pending;
    /* Page fetches wait here for the fetcher (which paces hosts and runs max_transfers at
     * once); jobs are at most a window (article.c), so memory stays bounded however many
     * items are pending. */
    struct article_job *queue_head, *queue_tail;
    size_t page_fetches;
    size_t extracting; /* jobs in JOB_EXTRACTING: with page_fetches, max_transfers at most */
    struct robots_cache *robots; /* robots.txt of the article sites; NULL: robots = ignore */
    struct event *fetch_wake; /* every queued fetch's host is in its gap: when the first's ends */
    /* Backpressure: page fetching pauses while new/ holds more than the configured records
     * or bytes (consumers are behind), or for retry_delay after a failed write (disk full). */
    bool spool_full;
    bool write_pause;
    long spool_records; /* estimate: counted at start and when full, plus our writes */
    long long spool_bytes;
    struct event *pressure_check; /* re-reads new/ while full */
    /* prune.c: retention passes; fetching also pauses over spool_disk_budget */
    bool budget_full;
    bool budget_pending; /* no page fetch starts until the running pass's verdict */
    struct prune_worker *pruner;
    long long disk_estimate; /* the spool's bytes at the last pass, plus the records since */
    struct event *write_resume;
    /* emit.c: the write batch, jobs in JOB_BATCHED, written by write_flush at the end of the
     * loop's pass */
    struct event *write_flush;
    size_t batch_records;
    size_t batch_bytes;
    bool flushing;
    char *write_error;   /* while writes fail: the last cause (logged when it changes) */
    long write_failures; /* failed writes since they began failing */
    /* recover.c: stale claims returned, requeued items taken, configuration changes seen */
    struct event *upkeep;
    char config_hash[HASH_HEX_LEN + 1];
    struct event *idle_check;
    /* The open batch of poll outcomes (see poll.c): its new items are read once it commits. */
    struct event *batch_commit;
    struct pipeline_stats stats;
};

struct resume_ctx {
    struct pipeline *p;
    size_t resumed;
    bool reading_window; /* ingest_read_pending: items in the order seen, counted (listed) */
    size_t listed;       /* items listed, also those whose stored job could not be read */
};

/* Seconds on the monotonic clock, for timing the stages. */
static inline double ingest_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int64_t now_seconds(void)
{
    return (int64_t)time(NULL);
}

/* pipeline.c */
void ingest_count_fetch(struct pipeline_stats *st, enum fetch_kind kind,
                        const struct fetch_result *r);
struct feed_runtime *ingest_find_feed(const struct pipeline *p, const char *url);
void ingest_schedule_idle_check(struct pipeline *p);

/* schedule.c */
void ingest_feed_failed(struct feed_runtime *fr, long status, const char *reason, long retry_after);
void ingest_feed_succeeded(struct feed_runtime *fr, long status);
void ingest_schedule_first_poll(struct pipeline *p, struct feed_runtime *fr);

/* poll.c */
void ingest_feed_set_state(struct feed_runtime *fr, enum feed_run_state to);
void ingest_commit_poll_batch(struct pipeline *p);
void ingest_on_batch_commit(evutil_socket_t fd, short what, void *arg);
void ingest_feed_runtime_free(struct feed_runtime *fr);
void ingest_poll_feed_with(struct feed_runtime *fr, const struct feed_state *fs);
void ingest_on_poll_due(evutil_socket_t fd, short what, void *arg);

/* article.c */
void ingest_job_set_state(struct article_job *j, enum job_state to);
void ingest_job_free(struct article_job *j);
void ingest_job_mark(struct article_job *j, int rc);
void ingest_job_start(struct article_job *j);
/* A job whose write failed in a batch: it waits retry_delay for another attempt (or is freed
 * when the pipeline stops or runs once). */
void ingest_job_write_failed_done(struct article_job *j);
void ingest_start_page_fetches(struct pipeline *p);
void ingest_on_fetch_wake(evutil_socket_t fd, short what, void *arg);
void ingest_drop_queued_jobs(struct pipeline *p);
void ingest_resume_pending(const struct pending_item *item, void *ud); /* ud: struct resume_ctx */
/* Makes jobs of the pending items not read yet while fewer than a window of jobs is at work
 * (not while a poll batch is open: its items are not durable yet). */
void ingest_read_pending(struct pipeline *p);

/* emit.c */
/* What a record takes from its article and feed item that is made for it (the feed's
 * authors split, its summary as text, the categories merged): freed after record_build(). */
struct record_article_parts {
    char **feed_authors;
    size_t n_feed_authors;
    char **categories;
    size_t n_categories;
    char *feed_summary;
};
/* Fills in's article and item fields (everything but id, text_source, page_skipped, fetched,
 * topics, story, duplicate_of, similarity, revision and archive): the page's values, else
 * the feed item's; item's published date before the page's. */
void ingest_record_input_fill(struct record_input *in, struct record_article_parts *parts,
                              const struct pending_article *item, const struct article *a,
                              const char *title);
void ingest_record_parts_free(struct record_article_parts *parts);
void ingest_job_write_record(struct article_job *j, const struct article *a, const char *source);
/* Writes what the job built (j->built), by the staged protocol; on failure the job keeps it
 * and is marked write_failed. */
void ingest_emit_built(struct article_job *j);
/* A write batch holds at most this many records and bytes (one record over the bytes goes
 * alone). */
#define WRITE_BATCH_RECORDS 64
#define WRITE_BATCH_BYTES (4 << 20)
/* Writes the batch now (write_flush does at the end of the loop's pass; a stop does). */
void ingest_flush_writes(struct pipeline *p);
void ingest_on_write_flush(evutil_socket_t fd, short what, void *arg);
/* The records (not source lines) in the write batch, and their bytes. */
void ingest_batch_spool_size(const struct pipeline *p, long *records, long long *bytes);
void ingest_built_free(struct built_record *b);

/* pressure.c */
void ingest_recount_spool(struct pipeline *p);
void ingest_on_pressure_check(evutil_socket_t fd, short what, void *arg);
void ingest_note_spool_growth(struct pipeline *p, size_t bytes);
void ingest_on_write_resume(evutil_socket_t fd, short what, void *arg);
void ingest_pause_after_write_failure(struct pipeline *p);
/* A write succeeded after failures: page fetching resumes now. */
void ingest_write_recovered(struct pipeline *p);

/* prune.c */
/* A pass now, and the timer for the next ones. */
void ingest_prune_start(struct pipeline *p);
/* A record of `bytes` was written: a pass now if the spool may be over its budget. */
void ingest_prune_note_written(struct pipeline *p, size_t bytes);
/* A pass now (the configuration was read again). */
void ingest_prune_now(struct pipeline *p);
void ingest_prune_stop(struct pipeline *p);
void ingest_prune_free(struct pipeline *p);

/* recover.c */
/* At start, before the pending items are resumed: staged records finished, tmp/ cleaned,
 * failed items requeued if the configuration changed since the last run, stale claims
 * returned; then the upkeep timer is started (not in once mode). */
void ingest_recover_at_start(struct pipeline *p);
void ingest_upkeep_free(struct pipeline *p);

#endif
