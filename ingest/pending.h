/* pending.h: the in-flight article: what an article job knows of its item before its page
 * is fetched. It is stored in the state as JSON when the item is first seen (state_item_add)
 * and read back when a later run resumes the item.
 *
 * A struct pending_article owns its strings (valid UTF-8, or NULL when the feed had none)
 * and its enclosures; pending_article_free() releases them and accepts a zeroed struct. */
#ifndef FEEDSPOOL_INGEST_PENDING_H
#define FEEDSPOOL_INGEST_PENDING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "feeds/feed.h"

struct pending_article {
    char *feed_url;   /* the feed as listed: its identity in the state */
    char *feed_title; /* the feed list's name for it, else the feed's own title */
    char *item_id;    /* the feed's guid/id for the item, as written */
    char *link;       /* the page to fetch; NULL or "" when the item has none */
    char *title;
    char *author;
    char *published;    /* ISO 8601 UTC, from the item's published or else updated date */
    char *summary;      /* HTML or text */
    char *content;      /* HTML or text */
    char *topics;       /* the feed list's topics= (comma-separated ids), or NULL for all */
    json_t *enclosures; /* [{url, type, length}] as records carry them; never NULL once filled */
    json_t *categories; /* the feed's categories for the item: [string]; never NULL once filled */
    bool own_site;      /* listed by its own site's feed after another site's feed listed it: an
                         * exact copy of that feed's record is still written, marked */
};

/* Fills out from a feed item; feed_title and topics may be NULL. */
void pending_article_from_item(struct pending_article *out, const char *feed_url,
                               const char *feed_title, const char *topics,
                               const struct feed_item *item);
/* The stored form: compact JSON text. Caller frees. */
char *pending_article_to_json(const struct pending_article *a);
/* Reads the stored form back. Returns 0, or -1 with the reason in err (not an object, or
 * a field of the wrong type) and *out zeroed. Absent fields are NULL. */
int pending_article_from_json(struct pending_article *out, const char *text, char *err,
                              size_t errlen);
void pending_article_free(struct pending_article *a);

#endif
