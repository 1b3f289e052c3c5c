/* itemkey.c: item identity: which key an item is known by, and its record id. */
#include "feeds/itemkey.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/url.h"
#include "common/util.h"
#include "feeds/date.h"

static bool nonempty(const char *s)
{
    return s && *s;
}

char *item_key(const char *feed_url, const struct feed_item *item)
{
    if (nonempty(item->id)) {
        char *as_url = url_normalize(item->id);
        if (as_url) {
            char *key = xasprintf("url:%s", as_url);
            free(as_url);
            return key;
        }
        return xasprintf("guid:%s\n%s", feed_url, item->id);
    }
    if (nonempty(item->link)) {
        /* A link with its date: a page that carries new items under one address (a live
         * page) gives a new item per date. (The same link is still one article across
         * feeds: the state also checks the normalised link.) */
        char *link = url_normalize(item->link);
        char date[DATE_ISO_LEN] = "";
        if (item->has_published)
            date_format_iso(item->published, date);
        else if (item->has_updated)
            date_format_iso(item->updated, date);
        char *key = *date ? xasprintf("url:%s\n%s", link ? link : item->link, date)
                          : xasprintf("url:%s", link ? link : item->link);
        free(link);
        return key;
    }
    if (nonempty(item->title) || nonempty(item->content) || nonempty(item->summary)) {
        struct buf text;
        buf_init(&text, 0);
        buf_append_str(&text, item->title ? item->title : "");
        buf_append_char(&text, '\n');
        buf_append_str(&text, item->content ? item->content : item->summary ? item->summary : "");
        char digest[HASH_HEX_LEN + 1];
        hash_sha256_hex(text.data, text.len, digest);
        buf_free(&text);
        return xasprintf("text:%s\n%s", feed_url, digest);
    }
    return NULL;
}

void item_record_id(const char *key, char out[RECORD_ID_LEN + 1])
{
    char digest[HASH_HEX_LEN + 1];
    hash_sha256_hex(key, strlen(key), digest);
    memcpy(out, digest, RECORD_ID_LEN);
    out[RECORD_ID_LEN] = '\0';
}
