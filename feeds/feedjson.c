/* feedjson.c: struct feed as the JSON object of shared/eval/feeds/SCHEMA.md (parse-feed's output). */
#include "feeds/feed.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "feeds/date.h"

const char *feed_format_name(enum feed_format format)
{
    switch (format) {
        case FEED_FORMAT_RSS20: return "rss20";
        case FEED_FORMAT_RSS10: return "rss10";
        case FEED_FORMAT_RSS09X: return "rss09x";
        case FEED_FORMAT_RSS: return "rss";
        case FEED_FORMAT_ATOM10: return "atom10";
        case FEED_FORMAT_ATOM03: return "atom03";
        case FEED_FORMAT_ATOM: return "atom";
        case FEED_FORMAT_JSON: return "json";
        case FEED_FORMAT_UNKNOWN: break;
    }
    return NULL;
}

static json_t *date_or_null(bool has, int64_t when)
{
    if (!has)
        return json_null();
    char iso[DATE_ISO_LEN];
    date_format_iso(when, iso);
    return json_string(iso);
}

json_t *feed_enclosure_to_json(const struct feed_enclosure *e)
{
    return json_pack("{s:o, s:o, s:o}", "url", utf8_json_string(e->url), "type",
                     utf8_json_string(e->type), "length",
                     e->length >= 0 ? json_integer((json_int_t)e->length) : json_null());
}

static json_t *entry_to_json(const struct feed_item *it)
{
    json_t *enclosures = json_array();
    for (size_t e = 0; e < it->n_enclosures; e++)
        json_array_append_new(enclosures, feed_enclosure_to_json(&it->enclosures[e]));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     utf8_json_string(it->id), "title", utf8_json_string(it->title), "link",
                     utf8_json_string(it->link), "published",
                     date_or_null(it->has_published, it->published), "updated",
                     date_or_null(it->has_updated, it->updated), "author",
                     utf8_json_string(it->author), "summary", utf8_json_string(it->summary),
                     "content", utf8_json_string(it->content), "enclosures", enclosures);
}

/* The feed-level members, entries left out. */
static json_t *head_to_json(const struct feed *f)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:b}", "format",
                     utf8_json_string(feed_format_name(f->format)), "title",
                     utf8_json_string(f->title), "link", utf8_json_string(f->link), "subtitle",
                     utf8_json_string(f->subtitle), "bozo", f->bozo);
}

json_t *feed_to_json(const struct feed *f)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < f->n_items; i++)
        json_array_append_new(entries, entry_to_json(&f->items[i]));
    json_t *out = head_to_json(f);
    json_object_set_new(out, "entries", entries);
    return out;
}

int feed_write_json(const struct feed *f, FILE *out)
{
    json_t *head = head_to_json(f);
    char *text = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(head);
    if (!text)
        return -1;
    size_t n = strlen(text);
    while (n && text[n - 1] != '}') /* reopen the object for "entries" */
        n--;
    while (n > 1 && (text[n - 2] == '\n' || text[n - 2] == ' '))
        n--;
    int rc = fprintf(out, "%.*s,\n  \"entries\": [", (int)(n ? n - 1 : 0), text) < 0 ? -1 : 0;
    free(text);
    for (size_t i = 0; i < f->n_items && rc == 0; i++) {
        json_t *entry = entry_to_json(&f->items[i]);
        rc = fputs(i ? ",\n    " : "\n    ", out) < 0 ||
                     json_dumpf(entry, out, JSON_PRESERVE_ORDER) < 0
                 ? -1
                 : 0;
        json_decref(entry);
    }
    if (rc == 0 && fputs(f->n_items ? "\n  ]\n}\n" : "]\n}\n", out) < 0)
        rc = -1;
    return rc;
}
