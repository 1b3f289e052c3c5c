/* index.h: earlier articles' fingerprints, in SQLite, for finding the story an article
 * belongs to in (near) constant time.
 *
 * Three tables in the given database (the state database in the daemon):
 *   story_docs(id, record, story, seen, anchors)  one row per indexed article
 *   story_postings(anchor, doc)                   one row per anchor of an article
 *   story_keys(key, doc)                          its text hash and canonical-URL hash
 * A lookup is one query for the postings of the new article's anchors (newest first, at
 * most MAX_POSTINGS rows, so an anchor common to many texts costs no more), a count of
 * anchors shared per earlier article, and a row read for the few that share enough. Articles
 * older than the window are ignored, and deleted by story_index_expire(). The caller owns
 * transactions. */
#ifndef FEEDSPOOL_STORIES_INDEX_H
#define FEEDSPOOL_STORIES_INDEX_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stories/fingerprint.h"

#define STORY_ID_LEN 32 /* record and story ids: 32 hex digits */

struct story_index;

struct story_match {
    char record_id[STORY_ID_LEN + 1]; /* the earlier article matched */
    char story_id[STORY_ID_LEN + 1];  /* the story it belongs to */
    double similarity;                /* fingerprint_containment(); 1 for an exact copy */
    bool exact;                       /* same text, or same canonical URL */
};

/* Creates the tables if needed. window: seconds an article stays findable. */
int story_index_open(sqlite3 *db, long window, struct story_index **out, char *err, size_t errlen);
void story_index_close(struct story_index *ix);
void story_index_set_window(struct story_index *ix, long window);
/* Returns 1 with *out filled when an earlier article of the same story is found, 0 when
 * none is, -1 on a database error (reason in err). */
int story_index_find(struct story_index *ix, const struct fingerprint *fp, int64_t now,
                     struct story_match *out, char *err, size_t errlen);
/* Indexes an article (record_id) as part of story_id, seen at now. */
int story_index_add(struct story_index *ix, const struct fingerprint *fp, const char *record_id,
                    const char *story_id, int64_t now, char *err, size_t errlen);
/* Deletes what fell out of the window; returns the number of articles removed, or -1. */
long story_index_expire(struct story_index *ix, int64_t now, char *err, size_t errlen);

#endif
