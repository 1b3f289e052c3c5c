/* rebuild.c: a record built again from its archived page or its own text (rebuild.h). */
#include "ingest/rebuild.h"

#include "common/util.h"
#include "extract/extract.h"
#include "ingest/ingest_internal.h"
#include "ingest/pending.h"
#include "output/record.h"

static const char *field(const json_t *record, const char *name)
{
    return json_string_value(json_object_get(record, name));
}

/* The current record with its topics made again from its own title and text. */
static json_t *retagged(const json_t *current, const struct pending_article *item,
                        const struct topic_rules *rules)
{
    json_t *record = json_deep_copy(current);
    const char *text = field(current, "text");
    struct topic_result topics = {0}, near_misses = {0};
    topics_tag_with_near_misses(rules, field(current, "title"), text ? text : "", &topics,
                                &near_misses);
    if (item->topics) {
        topic_result_keep_only(&topics, item->topics);
        topic_result_keep_only(&near_misses, item->topics);
    }
    record_set_topics(record, &topics, &near_misses);
    topic_result_free(&topics);
    topic_result_free(&near_misses);
    return record;
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
    if (!page) {
        json_t *record = retagged(current, &item, rules);
        pending_article_free(&item);
        return record;
    }
    struct article a = {0};
    struct extract_input in_page = {.data = page->data,
                                    .len = page->len,
                                    .url = page->url,
                                    .content_type = page->content_type,
                                    .content = page->content,
                                    .language = page->language};
    if (extract_article(&in_page, &a, why, sizeof why) < 0) {
        set_err(err, errlen, "page unusable: %s", why);
        pending_article_free(&item);
        return NULL;
    }
    const char *title = item.title && *item.title ? item.title : a.title;
    struct topic_result topics = {0}, near_misses = {0};
    topics_tag_with_near_misses(rules, title, a.text ? a.text : "", &topics, &near_misses);
    if (item.topics) {
        topic_result_keep_only(&topics, item.topics);
        topic_result_keep_only(&near_misses, item.topics);
    }
    const json_t *archive = json_object_get(current, "archive");
    const char *duplicate_of = field(current, "duplicate_of");
    struct record_input in = {
        .id = field(current, "id"),
        .text_source = "page",
        .topics = &topics,
        .topics_rejected = &near_misses,
        .story = field(current, "story"),
        .duplicate_of = duplicate_of,
        .similarity = json_number_value(json_object_get(current, "similarity")),
        .revision = (long)json_integer_value(json_object_get(current, "revision")),
        .archive_file = field(archive, "file"),
        .archive_offset = (int64_t)json_integer_value(json_object_get(archive, "offset")),
    };
    struct record_article_parts parts;
    ingest_record_input_fill(&in, &parts, &item, &a, title);
    if (!in.feed_url)
        in.feed_url = json_string_value(json_object_get(json_object_get(current, "feed"), "url"));
    json_t *record = record_build(&in);
    ingest_record_parts_free(&parts);
    /* the page was not fetched again: the record keeps the time it was */
    json_t *fetched = json_object_get(current, "fetched");
    if (json_is_string(fetched))
        json_object_set(record, "fetched", fetched);
    topic_result_free(&topics);
    topic_result_free(&near_misses);
    article_free(&a);
    pending_article_free(&item);
    return record;
}
