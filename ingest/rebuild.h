/* rebuild.h: a record made again from what it was made of, for `feedspool reextract`
 * (docs/archive.md): its archived page through the current extractor, or (topics only) its
 * own text, tagged with the current topic rules.
 *
 * What does not come from the page is kept from the current record: its id, story,
 * duplicate_of and similarity (the story index is not asked again), fetched (the page was
 * not fetched again), its archive position and its revision (the caller numbers the new
 * one). The item's feed fields come from its stored job, as when it was first built. */
#ifndef FEEDSPOOL_INGEST_REBUILD_H
#define FEEDSPOOL_INGEST_REBUILD_H

#include <jansson.h>
#include <stddef.h>

#include "topics/topics.h"

struct rebuild_page {
    const char *data; /* the archived payload */
    size_t len;
    const char *url;                   /* where it came from (WARC-Target-URI) */
    const char *content_type;          /* from the archived response, or NULL */
    unsigned content;                  /* the bodies besides the text (extract_input's content) */
    struct language_guesser *language; /* borrowed; NULL: lang only from the markup */
};

/* The record rebuilt from page (or, when page is NULL, from the current record's own title
 * and text: only its topics are made again). Returns a new reference, or NULL with the
 * reason in err (the job or the record cannot be read, the page is unusable). */
json_t *rebuild_record(const json_t *current, const char *item_json,
                       const struct rebuild_page *page, const struct topic_rules *rules, char *err,
                       size_t errlen);

#endif
