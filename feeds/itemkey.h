/* itemkey.h: which item is which — identity keys and record ids.
 *
 * An item's identity is its guid/id (scoped to its feed, unless the guid is
 * itself an http(s) URL), else its link with its date, else its link, else a hash of its
 * title and content. URLs in keys are normalised (common/url.h: url_normalize), so the
 * same article reached through two feeds or two campaign links is one article. */
#ifndef FEEDSPOOL_FEEDS_ITEMKEY_H
#define FEEDSPOOL_FEEDS_ITEMKEY_H

#include "common/hash.h"
#include "feeds/feed.h"

#define RECORD_ID_LEN 32 /* hex characters of the record id */

/* The identity key of an item of feed_url, or NULL when the item has nothing to
 * identify it by (no id, link, title or content). Caller frees. */
char *item_key(const char *feed_url, const struct feed_item *item);
/* The record id for a key: the first RECORD_ID_LEN hex digits of its SHA-256. */
void item_record_id(const char *key, char out[RECORD_ID_LEN + 1]);

#endif
