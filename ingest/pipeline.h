/* pipeline.h: the ingest pipeline on the event loop.
 *
 *   feed due -> fetch feed -> parse -> new items (state: pending)
 *            -> fetch page -> extract -> tag -> record -> spool -> state: emitted
 *
 * The pipeline owns the per-feed schedule, the article jobs and the topic
 * rules; it borrows the event base, configuration, state, spool and fetcher,
 * which must outlive it. In "once" mode every feed is polled one time, pending
 * items are tried once, and on_idle fires when nothing is left to do. */
#ifndef FEEDSPOOL_INGEST_PIPELINE_H
#define FEEDSPOOL_INGEST_PIPELINE_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>

#include "config/config.h"
#include "net/fetch.h"
#include "feeds/feedlist.h"
#include "store/state.h"
#include "output/retention.h"
#include "output/archive.h"
#include "output/spool.h"
#include "topics/topics.h"

struct pipeline;

struct pipeline_deps {
    struct event_base *base;
    const struct config *config;
    struct state *state;
    struct spool *spool;
    struct fetcher *fetcher;
    struct archive *archive; /* the raw page archive (docs/archive.md), or NULL when off */
};

/* How one poll of a feed ended. */
struct pipeline_poll_outcome {
    const char *url;   /* as listed */
    long status;       /* HTTP status, 0 when no response came */
    const char *error; /* why it failed, or NULL when it answered 200 or 304 */
    size_t new_items;  /* items seen for the first time */
};

struct pipeline_hooks {
    void (*on_record)(void *ud, const json_t *record); /* after each durable record */
    void (*on_idle)(void *ud);                         /* once mode: all done; stopping: drained */
    void (*on_feed_polled)(void *ud, const struct pipeline_poll_outcome *outcome); /* or NULL */
    void *ud;
};

enum fetch_kind { FETCH_FEED, FETCH_PAGE, FETCH_KINDS };
enum fetch_outcome {
    OUTCOME_OK,             /* 200 */
    OUTCOME_NOT_MODIFIED,   /* 304 */
    OUTCOME_HTTP_ERROR,     /* any other status */
    OUTCOME_TRANSFER_ERROR, /* no complete response: DNS, connect, timeout, size cap */
    OUTCOMES
};

/* The synchronous steps of an article, timed (wall seconds; the loop waits for nothing else). */
enum pipeline_stage { STAGE_EXTRACT, STAGE_STORIES, STAGE_TAG, STAGE_RECORD, STAGE_SPOOL, STAGES };

#define PIPELINE_LATENCY_BUCKETS 10
extern const double pipeline_latency_bounds[PIPELINE_LATENCY_BUCKETS]; /* seconds */

struct pipeline_stats {
    long feeds_polled; /* polls that got an answer (200 or 304) */
    long feeds_failed; /* polls that failed */
    long items_new;    /* items seen for the first time */
    long records_written;
    long records_quarantined; /* refused by the schema check or the size cap */
    long copies_listed;       /* copies of earlier articles listed in sources.jsonl, not written */
    long items_failed;        /* items given up on */
    long items_sharing_id;    /* items skipped: an earlier item of the same document has their id */
    long items_over_cap;      /* items skipped: past the first 10,000 of a feed document */
    /* Article pages not fetched because robots.txt disallows them. */
    long pages_skipped_robots;
    unsigned long long fetches[FETCH_KINDS][OUTCOMES];
    /* Fetch times by kind: bucket counts (not cumulative), their sum in seconds, their count. */
    unsigned long long latency_buckets[FETCH_KINDS][PIPELINE_LATENCY_BUCKETS];
    double latency_sum[FETCH_KINDS];
    unsigned long long latency_count[FETCH_KINDS];
    double stage_seconds[STAGES];
    long pruned_files[RETENTION_FOLDERS]; /* removed by retention (prune.c), by folder */
    long long pruned_bytes[RETENTION_FOLDERS];
    long long spool_disk_bytes; /* the whole spool at the last retention pass */
    bool retention_running;     /* a retention pass is running (on its thread) */
};

/* Why page fetching is paused (it may be for both at once). */
enum pipeline_pause { PAUSE_SPOOL_FULL, PAUSE_WRITE_FAILURE, PAUSE_DISK_BUDGET, PAUSE_REASONS };

/* One feed as monitoring sees it. */
struct pipeline_feed_view {
    const char *url;
    const char *name;       /* from the feed list, or NULL */
    long errors;            /* consecutive failures; 0 means healthy */
    const char *last_error; /* the last failure's reason while failing, else NULL */
    long long last_success; /* epoch seconds, 0 if never in this run */
    long long next_poll;    /* epoch seconds of the next poll; 0 while polling, gone or unset */
    bool gone;              /* answered 410: not polled any more */
};

/* rules: taken over by the pipeline. */
struct pipeline *pipeline_new(const struct pipeline_deps *deps, const struct pipeline_hooks *hooks,
                              struct topic_rules *rules, bool once);
void pipeline_free(struct pipeline *p);
/* Applies a feed list: new feeds are scheduled, removed ones dropped (a poll in
 * flight finishes), unchanged ones keep their schedule. The list is copied. */
void pipeline_set_feeds(struct pipeline *p, const struct feed_list *list);
/* Replaces the topic rules (taken over); the old ones are freed. */
void pipeline_set_rules(struct pipeline *p, struct topic_rules *rules);
/* Starts polling and resumes the items left pending by an earlier run. */
void pipeline_start(struct pipeline *p);
/* The configuration was read again (SIGHUP): if it changed, failed items are tried again. */
void pipeline_configuration_reloaded(struct pipeline *p);
/* Polls the feed listed as url now, whatever its schedule or backoff (a poll already in
 * flight counts as this one); hooks.on_feed_polled says how it went. Returns 0, or -1 with
 * the reason (not in this pipeline's feed list, gone, stopping) in err. */
int pipeline_poll_now(struct pipeline *p, const char *url, char *err, size_t errlen);
/* Takes up the items `feedspool retry` made pending (the upkeep timer also does, every
 * 10 s at most). */
void pipeline_take_up_retried(struct pipeline *p);
/* Before pipeline_start: of the items an earlier run left pending, only those of the listed
 * feeds are resumed (`feedspool poll URL` on its own polls one feed, not the backlog). */
void pipeline_resume_listed_feeds_only(struct pipeline *p);
/* Stops starting work; on_idle fires when what is in flight has finished. */
void pipeline_stop(struct pipeline *p);
size_t pipeline_feed_count(const struct pipeline *p);
void pipeline_foreach_feed(const struct pipeline *p,
                           void (*fn)(const struct pipeline_feed_view *, void *), void *ud);
const struct pipeline_stats *pipeline_stats(const struct pipeline *p);
bool pipeline_paused(const struct pipeline *p, enum pipeline_pause why);
/* What the pipeline holds in memory that grows with its work: the story index's postings
 * (bytes), and the sites whose robots.txt is kept (0 with robots = ignore). */
size_t pipeline_story_index_bytes(const struct pipeline *p);
size_t pipeline_robots_sites(const struct pipeline *p);

#endif
