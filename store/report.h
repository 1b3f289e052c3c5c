/* report.h: what the operator commands (`feedspool feeds`, `feedspool items`) read from the
 * state database: read-only queries on a connection of their own, safe beside a running
 * daemon (SQLite's WAL lets a reader in while the writer works). The tables are state.c's. */
#ifndef FEEDSPOOL_STORE_REPORT_H
#define FEEDSPOOL_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct report;

/* A feed's row, with its items counted. Times are epoch seconds, 0 when never. */
struct report_feed {
    char *url;
    const char *state; /* "ok", "failing" (errors > 0), "gone" (410), "new" (never polled) */
    long errors;       /* consecutive failed polls */
    long last_status;  /* HTTP status of the last poll; 0: none (no answer, or never polled) */
    char *last_error;  /* NULL when the last poll succeeded */
    int64_t last_poll, last_success, next_poll;
    char *moved_to; /* NULL unless a permanent redirect moved it */
    long items_seen, items_written, items_pending, items_failed;
};

struct report_item {
    char *key, *record_id, *feed_url;
    char *link, *title; /* from the stored job; NULL when it has none */
    const char *state;  /* "pending", "emitted" or "failed" */
    long attempts;
    char *last_error; /* why it failed or was retried; NULL when none */
    int64_t first_seen, next_attempt, finished;
};

/* Filters of report_items; NULL fields match everything. */
struct report_item_filter {
    const char *state;    /* "pending", "emitted" or "failed" */
    const char *feed_url; /* exactly as in the feed list */
    long limit;           /* at most this many, newest first; 0: all */
};

/* What a feed list URL turned out to be when polled (state.h's state_feed_set_source). */
struct report_source {
    char *kind;     /* "page", "sitemap" or "sitemap index" */
    char *moved_to; /* a page's: the feed it advertised, polled instead; else NULL */
    int64_t found;  /* when it was found to be one (epoch seconds) */
};

/* Opens path read-only (it must exist). Returns 0, or -1 with the reason in err. */
int report_open(const char *path, struct report **out, char *err, size_t errlen);
void report_close(struct report *r);
/* Every feed in the database, in URL order (failing_only: errors > 0 or gone). Fills *out
 * (free with report_feeds_free) and *n. Returns 0, or -1 with the reason in err. */
int report_feeds(struct report *r, bool failing_only, struct report_feed **out, size_t *n,
                 char *err, size_t errlen);
void report_feeds_free(struct report_feed *feeds, size_t n);
/* The items the filter selects, newest first. Same conventions. */
int report_items(struct report *r, const struct report_item_filter *filter,
                 struct report_item **out, size_t *n, char *err, size_t errlen);
void report_items_free(struct report_item *items, size_t n);

/* Returns 1 and fills *out (free with report_source_free) when the feed at url was found to
 * be a page or a sitemap, 0 when not (or when the database predates the record of it), -1
 * with the reason in err. */
int report_feed_source(struct report *r, const char *url, struct report_source *out, char *err,
                       size_t errlen);
void report_source_free(struct report_source *s);

#endif
