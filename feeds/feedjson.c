/* feedjson.c: struct feed as the JSON object of shared/eval/feeds/SCHEMA.md (parse-feed's output). */
#include "feeds/feed.h"

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

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *date_or_null(bool has, int64_t when)
{
    if (!has)
        return json_null();
    char iso[DATE_ISO_LEN];
    date_format_iso(when, iso);
    return json_string(iso);
}

json_t *feed_to_json(const struct feed *f)
{
    json_t *entries = json_array();
    for (size_t i = 0; i < f->n_items; i++) {
        const struct feed_item *it = &f->items[i];
        json_array_append_new(entries, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
            "id", string_or_null(it->id), "title", string_or_null(it->title),
            "link", string_or_null(it->link),
            "published", date_or_null(it->has_published, it->published),
            "updated", date_or_null(it->has_updated, it->updated),
            "author", string_or_null(it->author), "summary", string_or_null(it->summary),
            "content", string_or_null(it->content)));
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:o}", "format",
                     string_or_null(feed_format_name(f->format)), "title", string_or_null(f->title),
                     "link", string_or_null(f->link), "subtitle", string_or_null(f->subtitle),
                     "bozo", f->bozo, "entries", entries);
}
