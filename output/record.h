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
#define RECORD_SCHEMA_VERSION 1

struct record_input {
    const char *id;  /* hex hash of the item's identity */
    const char *url; /* the article's URL (the item link) */
    const char *feed_url;
    const char *feed_title;
    const char *item_id; /* the feed's guid/id for the item, as written */
    const char *title;
    const char *author;
    const char *published; /* ISO 8601 UTC */
    const char *modified;
    const char *site;
    const char *lang;
    const char *canonical_url;
    const char *image;
    const char *text;
    const char *text_source; /* "page" or "feed": where the text came from */
    int64_t fetched;         /* epoch seconds */
    const struct topic_result *topics;
    const struct topic_result *topics_rejected; /* near misses, with reasons; NULL: none */
    const char *story;        /* the story's id: the id of its first record (this one's if new) */
    const char *duplicate_of; /* the earlier record this one copies, or NULL */
    double similarity;        /* with duplicate_of; ignored without it */
    const json_t *enclosures; /* [{url, type, length}] from the feed, or NULL */
    long revision;            /* 1 for the first record of an item (0 means 1) */
    const char *archive_file; /* the archived page (docs/archive.md): its file, or NULL */
    int64_t archive_offset;   /* ... and where its response record starts */
};

json_t *record_build(const struct record_input *in);
/* A similarity figure as records and sources.jsonl carry it: rounded to 3 decimals. */
json_t *record_similarity_json(double similarity);
/* Compact JSON text with a trailing newline; caller frees. */
char *record_serialize(const json_t *record, size_t *len);
/* The topic ids of a record read back: the "id" of each of its "topics", in order. Returns
 * how many, with *ids a new array (the caller frees it; the strings belong to record). */
size_t record_topic_ids(const json_t *record, const char ***ids);
/* A record's id and its article link (borrowed from the record; NULL when absent). */
const char *record_id(const json_t *record);
const char *record_url(const json_t *record);
/* Whether a spool file's name without ".json" is a record's: its id (revision 1), or its id
 * and ".rN" for revision N > 1 (`feedspool reextract`, docs/archive.md). */
bool record_file_stem_valid(const char *s, size_t n);

#endif
