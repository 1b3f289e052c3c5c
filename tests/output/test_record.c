/* test_record.c: the record built from an article: every field under its key, NULL as JSON
 * null, text repaired to UTF-8, story and copy fields, enclosures and topics, one line of
 * compact JSON, and conformance to the schema consumers are given. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/record.h"
#include "output/validate.h"
#include "topics/topics.h"

#define ID "0123456789abcdef0123456789abcdef"
#define EARLIER "fedcba9876543210fedcba9876543210"

static const char *rules_json =
    "{\"topics\": [{\"id\": \"ceasefire\", \"threshold\": 1, \"terms\": [\"ceasefire\"]},\n"
    "              {\"id\": \"floods\", \"threshold\": 1, \"terms\": [\"flood\"]}]}";

static const char *const writers[] = {"A. Writer", "B. Writer"};
static const char *const tags[] = {"Politics", "Ceasefire"};

static struct record_input article_input(void)
{
    return (struct record_input){
        .id = ID,
        .url = "https://news.example/a?utm_source=x",
        .feed_url = "https://news.example/feed.xml",
        .feed_title = "Example News",
        .item_id = "tag:news.example,2026:1",
        .title = "Ceasefire holds",
        .authors = writers,
        .n_authors = 2,
        .categories = tags,
        .n_categories = 2,
        .description = "The ceasefire held.",
        .published = "2026-11-30T08:00:00Z",
        .modified = NULL,
        .site = "Example News",
        .lang = "en",
        .canonical_url = "https://news.example/a",
        .image = "https://news.example/a.jpg",
        .text = "The ceasefire held overnight.\n\nTroops stayed in place.",
        .text_source = "page",
        .fetched = 1700000000,
    };
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int conforms(const json_t *record, char *why, size_t whylen)
{
    char err[256];
    struct schema *s = schema_load_record(err, sizeof err);
    if (!s) {
        snprintf(why, whylen, "schema: %s", err);
        return -1;
    }
    int rc = schema_validate(s, record, why, whylen);
    schema_free(s);
    return rc;
}

static void test_fields_land_under_their_keys(void)
{
    struct record_input in = article_input();
    json_t *r = record_build(&in);
    CHECK_STR(str(r, "schema"), RECORD_SCHEMA);
    CHECK(json_integer_value(json_object_get(r, "schema_version")) == RECORD_SCHEMA_VERSION);
    CHECK_STR(str(r, "id"), ID);
    CHECK_STR(str(r, "url"), "https://news.example/a?utm_source=x");
    CHECK_STR(str(r, "canonical_url"), "https://news.example/a");
    const json_t *feed = json_object_get(r, "feed");
    CHECK_STR(str(feed, "url"), "https://news.example/feed.xml");
    CHECK_STR(str(feed, "title"), "Example News");
    CHECK_STR(str(feed, "item_id"), "tag:news.example,2026:1");
    CHECK_STR(str(r, "title"), "Ceasefire holds");
    CHECK_STR(str(r, "author"), "A. Writer, B. Writer");
    const json_t *authors = json_object_get(r, "authors");
    CHECK(json_array_size(authors) == 2);
    CHECK_STR(json_string_value(json_array_get(authors, 1)), "B. Writer");
    CHECK_STR(json_string_value(json_array_get(json_object_get(r, "categories"), 0)), "Politics");
    CHECK_STR(str(r, "description"), "The ceasefire held.");
    CHECK(json_is_null(json_object_get(r, "dateline")));
    CHECK(json_is_null(json_object_get(r, "lang_source")));
    CHECK(!json_object_get(r, "content_html")); /* not asked for: left out */
    CHECK_STR(str(r, "published"), "2026-11-30T08:00:00Z");
    CHECK(json_is_null(json_object_get(r, "modified")));
    CHECK_STR(str(r, "fetched"), "2023-11-14T22:13:20Z");
    CHECK_STR(str(r, "site"), "Example News");
    CHECK_STR(str(r, "lang"), "en");
    CHECK_STR(str(r, "image"), "https://news.example/a.jpg");
    CHECK_STR(str(r, "text_source"), "page");
    CHECK_STR(str(r, "text"), "The ceasefire held overnight.\n\nTroops stayed in place.");
    CHECK_STR(str(r, "story"), ID); /* a new story's id is its first record's */
    CHECK(json_is_null(json_object_get(r, "duplicate_of")));
    CHECK(json_is_null(json_object_get(r, "similarity")));
    CHECK(json_is_array(json_object_get(r, "enclosures")));
    CHECK(json_array_size(json_object_get(r, "enclosures")) == 0);
    CHECK(json_array_size(json_object_get(r, "topic_ids")) == 0);
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) == 0);
    if (why[0])
        fprintf(stderr, "  %s\n", why);
    json_decref(r);
}

/* What the page and the feed did not say is null, and the record still conforms. */
static void test_missing_fields_are_null(void)
{
    struct record_input in = {.id = ID,
                              .feed_url = "https://f.example/",
                              .text = "Body.",
                              .text_source = "feed",
                              .fetched = 1700000000};
    json_t *r = record_build(&in);
    const char *nullable[] = {"url",      "canonical_url", "title", "author", "published",
                              "modified", "site",          "lang",  "image"};
    for (size_t i = 0; i < sizeof nullable / sizeof *nullable; i++)
        CHECK(json_is_null(json_object_get(r, nullable[i])));
    CHECK(json_is_null(json_object_get(json_object_get(r, "feed"), "title")));
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) == 0);
    json_decref(r);
}

static void test_invalid_utf8_is_repaired(void)
{
    struct record_input in = article_input();
    in.title = "Caf\xe9 reopens"; /* Latin-1 byte, not UTF-8 */
    in.text = "Text with \xff inside.";
    json_t *r = record_build(&in);
    CHECK_STR(str(r, "title"), "Caf\xef\xbf\xbd reopens");
    CHECK_STR(str(r, "text"), "Text with \xef\xbf\xbd inside.");
    json_decref(r);
}

static void test_copy_of_an_earlier_story(void)
{
    struct record_input in = article_input();
    in.story = EARLIER;
    in.duplicate_of = EARLIER;
    in.similarity = 0.87654;
    json_t *r = record_build(&in);
    CHECK_STR(str(r, "story"), EARLIER);
    CHECK_STR(str(r, "duplicate_of"), EARLIER);
    CHECK(json_real_value(json_object_get(r, "similarity")) == 0.877); /* 3 decimals */
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) == 0);
    json_decref(r);
    /* Similarity without duplicate_of means nothing and is not written. */
    in = article_input();
    in.similarity = 0.5;
    r = record_build(&in);
    CHECK(json_is_null(json_object_get(r, "similarity")));
    json_decref(r);
}

static void test_enclosures_are_copied(void)
{
    json_t *enclosures = json_pack("[{s:s, s:s, s:i}]", "url", "https://news.example/a.mp3", "type",
                                   "audio/mpeg", "length", 1234);
    struct record_input in = article_input();
    in.enclosures = enclosures;
    json_t *r = record_build(&in);
    json_decref(enclosures); /* the record holds its own copy */
    const json_t *e = json_array_get(json_object_get(r, "enclosures"), 0);
    CHECK_STR(str(e, "url"), "https://news.example/a.mp3");
    CHECK(json_integer_value(json_object_get(e, "length")) == 1234);
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) == 0);
    json_decref(r);
}

static void test_topics_and_their_evidence(void)
{
    struct topic_rules *rules = NULL;
    char err[256];
    CHECK(topic_rules_parse(rules_json, "rules.json", &rules, err, sizeof err) == 0);
    if (!rules)
        return;
    struct record_input in = article_input();
    struct topic_result topics;
    topics_tag(rules, in.title, in.text, &topics);
    in.topics = &topics;
    json_t *r = record_build(&in);
    const json_t *ids = json_object_get(r, "topic_ids");
    CHECK(json_array_size(ids) == 1);
    CHECK_STR(json_string_value(json_array_get(ids, 0)), "ceasefire");
    const json_t *t = json_array_get(json_object_get(r, "topics"), 0);
    CHECK_STR(str(t, "id"), "ceasefire");
    CHECK(json_array_size(json_object_get(t, "evidence")) >= 1);
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) == 0);
    if (why[0])
        fprintf(stderr, "  %s\n", why);
    json_decref(r);
    topic_result_free(&topics);
    topic_rules_free(rules);
}

/* The schema is a real check: a record without text, or with a malformed id, fails it. */
static void test_schema_refuses_bad_records(void)
{
    struct record_input in = article_input();
    in.text = "";
    json_t *r = record_build(&in);
    char why[512] = "";
    CHECK(conforms(r, why, sizeof why) < 0);
    CHECK_CONTAINS(why, "/text");
    json_decref(r);
    in = article_input();
    in.id = "not-a-hash";
    r = record_build(&in);
    CHECK(conforms(r, why, sizeof why) < 0);
    CHECK_CONTAINS(why, "/id");
    json_decref(r);
}

static void test_serialized_as_one_line(void)
{
    struct record_input in = article_input();
    json_t *r = record_build(&in);
    size_t len;
    char *text = record_serialize(r, &len);
    CHECK(len == strlen(text));
    CHECK(len > 2 && text[len - 1] == '\n');
    CHECK(memchr(text, '\n', len - 1) == NULL); /* the text's own newlines are escaped */
    CHECK(strncmp(text, "{\"schema\":\"feedspool.article\",\"schema_version\":2,\"id\":\"" ID "\"",
                  57) == 0); /* compact, in the documented key order */
    json_t *back = json_loads(text, 0, NULL);
    CHECK(json_equal(back, r));
    json_decref(back);
    free(text);
    json_decref(r);
}

int main(void)
{
    RUN(test_fields_land_under_their_keys);
    RUN(test_missing_fields_are_null);
    RUN(test_invalid_utf8_is_repaired);
    RUN(test_copy_of_an_earlier_story);
    RUN(test_enclosures_are_copied);
    RUN(test_topics_and_their_evidence);
    RUN(test_schema_refuses_bad_records);
    RUN(test_serialized_as_one_line);
    return check_summary();
}
