/* rebuild.c: a record built again from its archived page or its own text (rebuild.h). */
#include "ingest/rebuild.h"

#include "common/util.h"
#include "extract/extract.h"
#include "ingest/pending.h"
#include "output/record.h"

static const char *field(const json_t *record, const char *name)
{
    return json_string_value(json_object_get(record, name));
}

json_t *rebuild_record(const json_t *current, const char *item_json,
                       const struct rebuild_page *page, const struct topic_rules *rules, char *err,
                       size_t errlen)
{
    struct pending_article item;
    char why[256];
    if (pending_article_from_json(&item, item_json, why, sizeof why) < 0) {
        set_err(err, errlen, "the item's stored job is unreadable: %s", why);
        return NULL;
    }
    const json_t *archive = json_object_get(current, "archive");
    const char *text_source = field(current, "text_source");
    struct article a = {0};
    bool extracted = false;
    if (page) {
        struct extract_input in = {.data = page->data,
                                   .len = page->len,
                                   .url = page->url,
                                   .content_type = page->content_type};
        if (extract_article(&in, &a, why, sizeof why) < 0) {
            set_err(err, errlen, "page unusable: %s", why);
            pending_article_free(&item);
            return NULL;
        }
        extracted = true;
        text_source = "page";
    }
    const json_t *feed = json_object_get(current, "feed");
    const char *title = item.title && *item.title ? item.title
                        : extracted               ? a.title
                                                  : field(current, "title");
    const char *text = extracted ? a.text : field(current, "text");
    struct topic_result topics = {0}, near_misses = {0};
    topics_tag_with_near_misses(rules, title, text ? text : "", &topics, &near_misses);
    if (item.topics) {
        topic_result_keep_only(&topics, item.topics);
        topic_result_keep_only(&near_misses, item.topics);
    }
    const char *duplicate_of = field(current, "duplicate_of");
    struct record_input in = {
        .id = field(current, "id"),
        .url = item.link,
        .feed_url = item.feed_url ? item.feed_url : json_string_value(json_object_get(feed, "url")),
        .feed_title = item.feed_title,
        .item_id = item.item_id,
        .title = title,
        .author = extracted ? (a.author ? a.author : item.author) : field(current, "author"),
        .published = extracted ? (item.published ? item.published : a.published)
                               : field(current, "published"),
        .modified = extracted ? a.modified : field(current, "modified"),
        .site = extracted ? a.site : field(current, "site"),
        .lang = extracted ? a.lang : field(current, "lang"),
        .canonical_url = extracted ? a.canonical_url : field(current, "canonical_url"),
        .image = extracted ? a.image : field(current, "image"),
        .text = text,
        .text_source = text_source,
        .topics = &topics,
        .topics_rejected = &near_misses,
        .story = field(current, "story"),
        .duplicate_of = duplicate_of,
        .similarity = json_number_value(json_object_get(current, "similarity")),
        .enclosures = item.enclosures,
        .revision = (long)json_integer_value(json_object_get(current, "revision")),
        .archive_file = field(archive, "file"),
        .archive_offset = (int64_t)json_integer_value(json_object_get(archive, "offset")),
    };
    json_t *record = record_build(&in);
    /* the page was not fetched again: the record keeps the time it was */
    json_t *fetched = json_object_get(current, "fetched");
    if (json_is_string(fetched))
        json_object_set(record, "fetched", fetched);
    topic_result_free(&topics);
    topic_result_free(&near_misses);
    if (extracted)
        article_free(&a);
    pending_article_free(&item);
    return record;
}
