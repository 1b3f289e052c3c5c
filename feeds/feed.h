/* feed.h: a parsed feed as plain data, and the parser that makes it.
 *
 * feed_parse() reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed bytes (any
 * encoding the document declares) into one item type. It is pure: no I/O, no
 * network, no globals, safe on hostile input. The struct feed it fills owns all
 * of its strings; feed_free() releases them (and accepts a zeroed struct). */
#ifndef FEEDSPOOL_FEEDS_FEED_H
#define FEEDSPOOL_FEEDS_FEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum feed_format {
    FEED_FORMAT_UNKNOWN = 0, /* not recognised as a feed */
    FEED_FORMAT_RSS20,
    FEED_FORMAT_RSS10,
    FEED_FORMAT_RSS09X,
    FEED_FORMAT_RSS, /* <rss> with a missing or unknown version */
    FEED_FORMAT_ATOM10,
    FEED_FORMAT_ATOM03,
    FEED_FORMAT_ATOM, /* Atom of unknown version */
    FEED_FORMAT_JSON,
};

/* A file attached to an item: RSS <enclosure>, media:content, Atom rel="enclosure",
 * JSON Feed attachments. */
struct feed_enclosure {
    char *url;      /* absolute when a base URL was known */
    char *type;     /* MIME type, or NULL */
    int64_t length; /* bytes, or -1 when not given */
};

#define FEED_MAX_ENCLOSURES 16
#define FEED_MAX_CATEGORIES 32

struct feed_item {
    char *id; /* guid / atom:id / rdf:about, exactly as written; NULL if absent */
    char *title;
    char *link;        /* absolute when a base URL was known */
    char *author;      /* display name */
    char *summary;     /* HTML or text, XML-unescaped once */
    char *content;     /* full content (content:encoded, atom:content), or NULL */
    int64_t published; /* seconds since the epoch, UTC; valid if has_published */
    int64_t updated;   /* valid if has_updated */
    bool has_published;
    bool has_updated;
    struct feed_enclosure enclosures[FEED_MAX_ENCLOSURES];
    size_t n_enclosures;
    char *categories[FEED_MAX_CATEGORIES]; /* <category>, dc:subject, Atom's, JSON Feed's tags */
    size_t n_categories;
};

struct feed {
    enum feed_format format;
    char *title;
    char *link;
    char *subtitle;
    struct feed_item *items;
    size_t n_items;
    size_t n_items_over_cap; /* items past the first 10,000, not kept */
    bool bozo;               /* input was ill-formed and recovered */
    char *bozo_reason;       /* why, when bozo */
    int ttl_minutes;         /* RSS <ttl> (or sy:updatePeriod equivalent); 0 when absent */
};

/* Parses len bytes of data. doc_url, when not NULL, is the document's URL and
 * the last base for resolving relative links. Returns 0 with *out filled (maybe
 * bozo), or -1 with a one-line reason in err when nothing could be recovered;
 * *out is then zeroed and needs no feed_free(). */
int feed_parse(const char *data, size_t len, const char *doc_url, struct feed *out, char *err,
               size_t errlen);
void feed_free(struct feed *f);

const char *feed_format_name(enum feed_format format); /* "rss20", ..., or NULL for UNKNOWN */

/* The object described in shared/eval/feeds/SCHEMA.md (plus "bozo"). New reference. */
json_t *feed_to_json(const struct feed *f);
/* The same object written to out an entry at a time, so that a feed's JSON is never
 * whole in memory. Returns 0, or -1 on a write error. */
int feed_write_json(const struct feed *f, FILE *out);
/* {"url", "type", "length"} (null when unknown). New reference. */
json_t *feed_enclosure_to_json(const struct feed_enclosure *e);

#endif
