/* index.h: earlier articles' fingerprints, persisted in SQLite, for finding the story an
 * article belongs to in (near) constant time.
 *
 * One table in the given database (the state database in the daemon), one row an article:
 *   story_docs(id, record, story, seen, text_key, url_key, anchors)
 * with the anchors packed in a blob, 4 bytes each. The postings (which articles have an
 * anchor or an exact key) are held in memory (stories/postings.h), built from that table
 * when the index is opened and kept in step as articles are added and expire. A lookup
 * takes the newest POSTINGS_PER_ANCHOR articles listed under each of the new article's
 * anchors (at most MAX_POSTINGS in all), counts the anchors each shares, and reads the rows
 * of the few that share STORY_MIN_SHARED: their anchors decide, exactly as
 * fingerprint_shared() would. Articles older than the window are ignored, and deleted by
 * story_index_expire(). The caller owns transactions; a rolled back add leaves postings that
 * the row check ignores. */
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

/* Creates the table if needed and loads the postings. window: seconds an article stays
 * findable. Returns 0; 1 when the database held the earlier layout of the index (postings
 * and keys as rows of story_postings and story_keys), which is then converted; -1 on an
 * error. */
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
/* Bytes of memory the postings hold. */
size_t story_index_memory(const struct story_index *ix);

#endif
