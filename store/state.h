/* state.h: what feedspool remembers between runs, in one SQLite database.
 *
 * Per feed: HTTP validators (ETag, Last-Modified), next-due time, error count.
 * Per item: its identity key, record id, and whether it is pending (seen in a
 * feed, record not yet durable), emitted (record durable in the spool) or
 * failed (given up on, with the reason). An item becomes emitted only after
 * its record is durable, so a crash leaves it pending and it is retried.
 *
 * Between the two, a record is *staged*: its file is complete and fsynced in the spool's
 * tmp/ and its name committed here before it is renamed into new/. A start finishes every
 * staged record (the rename, if the file is still in tmp/, then the emitted mark) and never
 * writes it anew, so a record a consumer took before a crash is not written twice
 * (docs/spool.md gives the whole protocol).
 *
 * SQLite is in WAL mode with synchronous=FULL: a committed mark survives power loss. Other
 * processes (`feedspool retry`) may write while the daemon runs: each connection waits up
 * to 5 s for the other's lock. All calls are synchronous; each is one short transaction
 * unless grouped (below). */
#ifndef FEEDSPOOL_STORE_STATE_H
#define FEEDSPOOL_STORE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct state;

struct feed_state {
    char *etag; /* NULL when none stored */
    char *last_modified;
    int64_t next_due; /* epoch seconds; 0 when never polled */
    long errors;      /* consecutive failed polls */
    char *moved_to;   /* where a permanent redirect (301/308) said the feed lives now */
    bool gone;        /* the server said 410 Gone: not polled any more */
};

enum item_state { ITEM_PENDING, ITEM_EMITTED, ITEM_FAILED };

struct pending_item {
    const char *key;
    const char *record_id;
    const char *feed_url;
    const char *item_json; /* the job as stored by state_item_add */
    long attempts;
    int64_t next_attempt;
    int64_t seq; /* its place in the order items were first seen (state_items_pending) */
};

struct state_counts {
    long feeds, pending, emitted, failed;
};

int state_open(const char *path, struct state **out, char *err, size_t errlen);
void state_close(struct state *st);
/* The message of the last failed call. */
const char *state_error(const struct state *st);
/* Seconds spent running SQL statements so far, commits and their fsyncs included. */
double state_busy_seconds(const struct state *st);

/* Groups the calls up to state_commit() into one unit: all of them take effect, or none
 * (state_rollback() abandons them). Outside a batch the unit is a transaction of its own,
 * durable when state_commit() returns; inside a batch it is a savepoint, durable with it. */
int state_begin(struct state *st);
int state_commit(struct state *st);
void state_rollback(struct state *st);

/* A batch: every write up to state_batch_commit() shares one transaction, so one commit
 * (one fsync) makes all of them durable, or a crash loses all of them. For writes whose
 * loss costs only a repeated request (poll outcomes, a feed's items with its validators).
 * state_batch_begin() with a batch open does nothing. */
int state_batch_begin(struct state *st);
int state_batch_commit(struct state *st);
bool state_in_batch(const struct state *st);

/* Returns 1 and fills *out (caller frees with feed_state_free) if the feed is known, 0 if
 * not, -1 on error. */
int state_feed_get(struct state *st, const char *url, struct feed_state *out);
void feed_state_free(struct feed_state *fs);
/* After a 200: stores the validators the server sent (NULL clears). */
int state_feed_set_validators(struct state *st, const char *url, const char *etag,
                              const char *last_modified);
/* A permanent redirect: the feed is polled at new_url from now on (NULL forgets it). */
int state_feed_set_moved(struct state *st, const char *url, const char *new_url);
/* What the feed list's URL turned out to be: "page" (an HTML page; moved_to is the feed it
 * advertised), "sitemap" or "sitemap index"; NULL: a feed. When it changes, the time is
 * stored with it (when it was found). */
int state_feed_set_source(struct state *st, const char *url, const char *source);
/* The validators of a sitemap (url) that feed_url's sitemap index named: 1 and out's etag and
 * last_modified filled (free with feed_state_free), 0 when none are stored, -1 on error. */
int state_sitemap_get(struct state *st, const char *feed_url, const char *url,
                      struct feed_state *out);
/* After a 200 of a sitemap that the index index_url (of feed_url) named. */
int state_sitemap_set_validators(struct state *st, const char *feed_url, const char *index_url,
                                 const char *url, const char *etag, const char *last_modified);
/* The index index_url was read: the validators of the sitemaps it named before but no longer
 * names (not among its n urls) are forgotten. */
int state_sitemaps_prune(struct state *st, const char *feed_url, const char *index_url,
                         const char *const *urls, size_t n);
/* 410 Gone: polling stops (gone=false resumes it). */
int state_feed_set_gone(struct state *st, const char *url, bool gone);
/* After every poll: its outcome and when the feed is next due. */
int state_feed_set_poll(struct state *st, const char *url, int64_t next_due, long errors,
                        long http_status, const char *error);

/* True when an item with this key, or with this normalised link, was seen before; then
 * *feed_url (when feed_url is not NULL; caller frees) names the feed it came from. */
int state_item_known(struct state *st, const char *key, const char *link_key, bool *known,
                     char **feed_url);
/* Records a newly seen item as pending, with the job text needed to finish it. */
int state_item_add(struct state *st, const char *key, const char *record_id, const char *feed_url,
                   const char *link_key, const char *item_json);
/* The item's record is complete in tmp/ (file and folder fsynced) and about to be renamed
 * into new/. */
int state_item_stage(struct state *st, const char *key, const char *record_id);
/* The staged record was given up before its rename (its tmp/ file is removed). */
int state_item_unstage(struct state *st, const char *key);
int state_item_staged(struct state *st, const char *key, bool *staged);
/* Calls fn for every staged record, oldest first (the strings live only during the call). */
int state_items_staged(struct state *st, void (*fn)(const char *key, const char *record_id, void *),
                       void *ud);
/* The record is in new/ (and its folder fsynced): emitted, and no longer staged. */
int state_item_set_emitted(struct state *st, const char *key);
/* True when the item is pending (false when emitted, failed or unknown). */
int state_item_is_pending(struct state *st, const char *key, bool *pending);
int state_item_set_failed(struct state *st, const char *key, const char *reason);
/* Counts one more attempt and when to try again. */
int state_item_set_retry(struct state *st, const char *key, long attempts, int64_t next_attempt,
                         const char *reason);
/* Calls fn for the first limit pending items that are not staged and were first seen after
 * the one of seq after (0: from the first), oldest first. The strings live only during the
 * call. Clears their requeued marks (below). */
int state_items_pending(struct state *st, int64_t after, long limit,
                        void (*fn)(const struct pending_item *, void *), void *ud);
/* Failed items made pending again, with a requeued mark for a running daemon to find them:
 * all of them, or those of one feed (feed_url), or one item (its key or record id). Returns
 * how many, or -1. */
long state_items_retry_failed(struct state *st, const char *feed_url, const char *item);
/* Calls fn for each pending item with a requeued mark and clears the mark. */
int state_items_requeued(struct state *st, void (*fn)(const struct pending_item *, void *),
                         void *ud);
/* The page archive (docs/archive.md): an item whose record was made from an archived page
 * keeps where the page is and its current record (the revision consumers last got), so
 * that `feedspool reextract` can rebuild it, tell whether it changed, and re-tag its text.
 * Call within the transaction that stages the record. */
int state_item_archived(struct state *st, const char *key, const char *warc_file,
                        int64_t warc_offset, long revision, const char *record);
struct archived_item {
    const char *key, *record_id, *feed_url;
    const char *item_json; /* the job as stored by state_item_add */
    const char *warc_file;
    int64_t warc_offset;
    long revision;
    const char *record; /* the current revision's record */
};
/* Calls fn for up to limit archived items whose key sorts after after_key ("" for the
 * first), first seen at or after since, of feed_url when not NULL, in key order; the
 * strings live only during the call, and fn may write to the state. Returns how many. */
long state_items_archived(struct state *st, const char *after_key, int64_t since,
                          const char *feed_url, long limit,
                          void (*fn)(const struct archived_item *, void *), void *ud);
/* Small named values the daemon keeps (the fingerprint of the configuration it last ran
 * with). *value is NULL when none is stored; caller frees. */
int state_meta_get(struct state *st, const char *name, char **value);
int state_meta_set(struct state *st, const char *name, const char *value);
int state_counts(struct state *st, struct state_counts *out);
/* The pending items alone: cheap (an index holds them), for a metric read on every scrape
 * where state_counts() scans the whole table. */
int state_count_pending(struct state *st, long *out);
/* The database handle, for modules keeping their own tables in the same file (the story
 * index), so that their writes can share a transaction with the item marks. */
struct sqlite3 *state_db(struct state *st);

#endif
