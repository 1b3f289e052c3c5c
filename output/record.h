/* record.h: the JSON record written for each article (schema "feedspool.article").
 *
 * record_build() only assembles: every pointer in the input is borrowed, NULL
 * strings become JSON null. The returned json_t is a new reference. */
#ifndef FEEDSPOOL_OUTPUT_RECORD_H
#define FEEDSPOOL_OUTPUT_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topics/topics.h"

#define RECORD_SCHEMA "feedspool.article"
#define RECORD_SCHEMA_VERSION 2 /* docs/record.md: what a version change means */

struct record_input {
    const char *id;  /* hex hash of the item's identity */
    const char *url; /* the article's URL (the item link) */
    const char *feed_url;
    const char *feed_title;
    const char *item_id; /* the feed's guid/id for the item, as written */
    const char *title;
    const char *const *authors; /* n_authors names; "author" is them joined (deprecated) */
    size_t n_authors;
    const char *const *categories; /* n_categories tags, each once */
    size_t n_categories;
    const char *description;
    const char *published; /* ISO 8601 UTC */
    const char *modified;
    const char *site;
    const char *lang;        /* BCP 47 primary subtag */
    const char *lang_source; /* "markup", "text" or NULL (with lang NULL) */
    double lang_confidence;  /* with lang_source */
    const char *canonical_url;
    const char *image;
    const char *text;
    const char *text_source;      /* "page" or "feed": where the text came from */
    const char *dateline;         /* taken out of the start of text, or NULL */
    const char *byline;           /* likewise */
    const char *content_html;     /* clean HTML, or NULL: not asked for (member left out) */
    const char *content_markdown; /* likewise */
    int64_t fetched;              /* epoch seconds */
    const struct topic_result *topics;
    const struct topic_result *topics_rejected; /* near misses, with reasons; NULL: none */
    const char *story;        /* the story's id: the id of its first record (this one's if new) */
    const char *duplicate_of; /* the earlier record this one copies, or NULL */
    double similarity;        /* with duplicate_of; ignored without it */
    const json_t *enclosures; /* [{url, type, length}] from the feed, or NULL */
    /* Why the page was not fetched ("robots"), or NULL (then the record does not say). */
    const char *page_skipped;
    long revision;            /* 1 for the first record of an item (0 means 1) */
    const char *archive_file; /* the archived page (docs/archive.md): its file, or NULL */
    int64_t archive_offset;   /* ... and where its response record starts */
};

json_t *record_build(const struct record_input *in);
/* Sets (or replaces) a record's topic_ids, topics and topics_rejected (left out when there
 * are no near misses; topics and rejected may be NULL: none). */
void record_set_topics(json_t *record, const struct topic_result *topics,
                       const struct topic_result *rejected);
/* A similarity figure as records and sources.jsonl carry it: rounded to 3 decimals. */
json_t *record_similarity_json(double similarity);
/* Compact JSON text with a trailing newline; caller frees. */
char *record_serialize(const json_t *record, size_t *len);
/* The topic ids of a record read back: the "id" of each of its "topics", in order. Returns
 * how many, with *ids a new array (the caller frees it; the strings belong to record). */
size_t record_topic_ids(const json_t *record, const char ***ids);
/* What a sink needs of a record besides its bytes, small enough to keep beside its file
 * (spool_note_staged()) so that output/outbox.c need not parse the whole record again:
 * {"schema_version": N, "story": "...", "topic_ids": [...]} (a new reference). */
json_t *record_outbox_note(const json_t *record);
/* Reads a note back: its topic ids (*ids a new array, the caller frees it; the strings,
 * like *story, belong to note), its story id (NULL when absent) and schema version (0 when
 * absent). Returns how many topic ids. */
size_t record_note_fields(const json_t *note, const char ***ids, const char **story,
                          long *schema_version);
/* A record's id and its article link (borrowed from the record; NULL when absent). */
const char *record_id(const json_t *record);
const char *record_url(const json_t *record);
/* Whether a spool file's name without ".json" is a record's: its id (revision 1), or its id
 * and ".rN" for revision N > 1 (`feedspool reextract`, docs/archive.md). */
bool record_file_stem_valid(const char *s, size_t n);

#endif
