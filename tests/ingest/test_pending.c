/* test_pending.c: the in-flight article: from a feed item, to its stored JSON and back. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest/pending.h"

static struct feed_item sample_item(void)
{
    struct feed_item item = {
        .id = "tag:example.org,2026:1",
        .title = "Caf\xc3\xa9 opens",
        .link = "https://news.example/cafe",
        .author = "A. Writer",
        .summary = "<p>short</p>",
        .content = "<p>long text</p>",
        .updated = 1700000000, /* 2023-11-14T22:13:20Z */
        .has_updated = true,
        .n_enclosures = 1,
        .categories = {"Politics", "Sindh"},
        .n_categories = 2,
    };
    item.enclosures[0] = (struct feed_enclosure){
        .url = "https://news.example/a.mp3", .type = "audio/mpeg", .length = 1234};
    return item;
}

static void test_round_trip(void)
{
    struct feed_item item = sample_item();
    struct pending_article a;
    pending_article_from_item(&a, "https://news.example/feed", "Example News", "energy,climate",
                              &item);
    CHECK_STR(a.published, "2023-11-14T22:13:20Z"); /* updated stands in for published */
    char *text = pending_article_to_json(&a);
    struct pending_article b;
    char err[256];
    CHECK(pending_article_from_json(&b, text, err, sizeof err) == 0);
    CHECK_STR(b.feed_url, "https://news.example/feed");
    CHECK_STR(b.feed_title, "Example News");
    CHECK_STR(b.item_id, "tag:example.org,2026:1");
    CHECK_STR(b.link, "https://news.example/cafe");
    CHECK_STR(b.title, "Caf\xc3\xa9 opens");
    CHECK_STR(b.author, "A. Writer");
    CHECK_STR(b.published, "2023-11-14T22:13:20Z");
    CHECK_STR(b.summary, "<p>short</p>");
    CHECK_STR(b.content, "<p>long text</p>");
    CHECK_STR(b.topics, "energy,climate");
    CHECK(json_array_size(b.enclosures) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(b.enclosures, 0), "type")),
              "audio/mpeg");
    CHECK(json_integer_value(json_object_get(json_array_get(b.enclosures, 0), "length")) == 1234);
    CHECK(json_array_size(b.categories) == 2);
    CHECK_STR(json_string_value(json_array_get(b.categories, 1)), "Sindh");
    free(text);
    pending_article_free(&a);
    pending_article_free(&b);
}

/* The stored form keeps the keys earlier versions wrote, so their pending items resume. */
static void test_stored_form_keys(void)
{
    struct feed_item item = sample_item();
    item.published = 1600000000;
    item.has_published = true;
    struct pending_article a;
    pending_article_from_item(&a, "https://news.example/feed", NULL, NULL, &item);
    char *text = pending_article_to_json(&a);
    json_t *o = json_loads(text, 0, NULL);
    CHECK(json_is_object(o));
    const char *keys[] = {"feed_url", "feed_title", "item_id", "link",    "title",
                          "author",   "published",  "summary", "content", "enclosures"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        CHECK(json_object_get(o, keys[i]) != NULL);
    CHECK(json_is_null(json_object_get(o, "feed_title")));
    CHECK(json_object_get(o, "topics") == NULL); /* written only for a feed with topics= */
    CHECK_STR(json_string_value(json_object_get(o, "published")), "2020-09-13T12:26:40Z");
    json_decref(o);
    free(text);
    pending_article_free(&a);
}

/* An item stored by an earlier version, with only some keys, reads back with NULLs. */
static void test_reads_older_items(void)
{
    struct pending_article a;
    char err[256];
    CHECK(pending_article_from_json(&a, "{\"feed_url\":\"https://f.example/\",\"link\":null}", err,
                                    sizeof err) == 0);
    CHECK_STR(a.feed_url, "https://f.example/");
    CHECK(a.link == NULL && a.title == NULL && a.topics == NULL);
    CHECK(json_is_array(a.enclosures) && json_array_size(a.enclosures) == 0);
    pending_article_free(&a);
}

static void test_refuses_wrong_types(void)
{
    struct pending_article a;
    char err[256];
    CHECK(pending_article_from_json(&a, "{\"link\": 42}", err, sizeof err) < 0);
    CHECK_CONTAINS(err, "link is not a string");
    CHECK(a.link == NULL && a.enclosures == NULL);
    CHECK(pending_article_from_json(&a, "{\"enclosures\": {}}", err, sizeof err) < 0);
    CHECK_CONTAINS(err, "enclosures is not an array");
    CHECK(pending_article_from_json(&a, "[1, 2]", err, sizeof err) < 0);
    CHECK_CONTAINS(err, "not a JSON object");
    CHECK(pending_article_from_json(&a, "{\"link\": ", err, sizeof err) < 0);
    pending_article_free(&a); /* zeroed after a refusal: freeing it is harmless */
}

/* Bytes that are not UTF-8 are repaired on the way in, so the record can carry them. */
static void test_repairs_invalid_utf8(void)
{
    struct feed_item item = sample_item();
    item.title = "bad \xff byte";
    struct pending_article a;
    pending_article_from_item(&a, "https://news.example/feed", "F", NULL, &item);
    CHECK_STR(a.title, "bad \xef\xbf\xbd byte");
    char *text = pending_article_to_json(&a);
    CHECK(text != NULL);
    free(text);
    pending_article_free(&a);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_stored_form_keys);
    RUN(test_reads_older_items);
    RUN(test_refuses_wrong_types);
    RUN(test_repairs_invalid_utf8);
    return check_summary();
}
