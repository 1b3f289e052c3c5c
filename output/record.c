/* record.c: assembles and serialises the article record with Jansson. */
#include "output/record.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/utf8.h"
#include "feeds/date.h"

/* A figure of 0-1 as records carry it: rounded to 3 decimals. */
static json_t *rounded(double figure)
{
    return json_real((double)(long)(figure * 1000 + 0.5) / 1000);
}

static json_t *string_array(const char *const *strings, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, utf8_json_string(strings[i]));
    return a;
}

/* "author", record v1's form of "authors", kept through version 2 (docs/record.md). */
static json_t *authors_joined(const char *const *authors, size_t n)
{
    if (!n)
        return json_null();
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(authors[i]) + 2;
    char *text = xmalloc(len);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(text, ", ");
        strcat(text, authors[i]);
    }
    json_t *s = utf8_json_string(text);
    free(text);
    return s;
}

void record_set_topics(json_t *record, const struct topic_result *topics,
                       const struct topic_result *rejected)
{
    json_t *topic_ids = json_array();
    if (topics)
        for (size_t i = 0; i < topics->n_hits; i++)
            json_array_append_new(topic_ids, json_string(topics->hits[i].id));
    json_object_set_new(record, "topic_ids", topic_ids);
    json_object_set_new(record, "topics", topics ? topic_result_to_json(topics) : json_array());
    if (rejected && rejected->n_hits)
        json_object_set_new(record, "topics_rejected", topic_result_to_json_full(rejected));
    else
        json_object_del(record, "topics_rejected");
}

json_t *record_build(const struct record_input *in)
{
    char fetched[DATE_ISO_LEN];
    date_format_iso(in->fetched, fetched);
    json_t *r = json_object();
    json_object_set_new(r, "schema", json_string(RECORD_SCHEMA));
    json_object_set_new(r, "schema_version", json_integer(RECORD_SCHEMA_VERSION));
    json_object_set_new(r, "id", json_string(in->id));
    json_object_set_new(r, "url", utf8_json_string(in->url));
    json_object_set_new(r, "canonical_url", utf8_json_string(in->canonical_url));
    json_object_set_new(r, "feed",
                        json_pack("{s:o, s:o, s:o}", "url", utf8_json_string(in->feed_url), "title",
                                  utf8_json_string(in->feed_title), "item_id",
                                  utf8_json_string(in->item_id)));
    json_object_set_new(r, "title", utf8_json_string(in->title));
    json_object_set_new(r, "author", authors_joined(in->authors, in->n_authors));
    json_object_set_new(r, "authors", string_array(in->authors, in->n_authors));
    json_object_set_new(r, "byline", utf8_json_string(in->byline));
    json_object_set_new(r, "published", utf8_json_string(in->published));
    json_object_set_new(r, "modified", utf8_json_string(in->modified));
    json_object_set_new(r, "fetched", json_string(fetched));
    json_object_set_new(r, "site", utf8_json_string(in->site));
    json_object_set_new(r, "lang", utf8_json_string(in->lang));
    json_object_set_new(r, "lang_source", utf8_json_string(in->lang_source));
    json_object_set_new(r, "lang_confidence",
                        in->lang_source ? rounded(in->lang_confidence) : json_null());
    json_object_set_new(r, "image", utf8_json_string(in->image));
    json_object_set_new(r, "description", utf8_json_string(in->description));
    json_object_set_new(r, "categories", string_array(in->categories, in->n_categories));
    json_object_set_new(r, "text_source", utf8_json_string(in->text_source));
    if (in->page_skipped)
        json_object_set_new(r, "page_skipped", json_string(in->page_skipped));
    json_object_set_new(r, "text", utf8_json_string(in->text));
    json_object_set_new(r, "dateline", utf8_json_string(in->dateline));
    if (in->content_html)
        json_object_set_new(r, "content_html", utf8_json_string(in->content_html));
    if (in->content_markdown)
        json_object_set_new(r, "content_markdown", utf8_json_string(in->content_markdown));
    json_object_set_new(r, "story", json_string(in->story ? in->story : in->id));
    json_object_set_new(r, "duplicate_of",
                        in->duplicate_of ? json_string(in->duplicate_of) : json_null());
    json_object_set_new(r, "similarity",
                        in->duplicate_of ? record_similarity_json(in->similarity) : json_null());
    json_object_set_new(r, "enclosures",
                        in->enclosures ? json_deep_copy(in->enclosures) : json_array());
    record_set_topics(r, in->topics, in->topics_rejected);
    json_object_set_new(r, "revision", json_integer(in->revision > 1 ? in->revision : 1));
    if (in->archive_file)
        json_object_set_new(r, "archive",
                            json_pack("{s:s, s:I}", "file", in->archive_file, "offset",
                                      (json_int_t)in->archive_offset));
    return r;
}

char *record_serialize(const json_t *record, size_t *len)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        abort(); /* json_dumps fails only when allocation fails */
    size_t n = strlen(text);
    char *line = xmalloc(n + 2);
    memcpy(line, text, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    free(text);
    *len = n + 1;
    return line;
}

json_t *record_similarity_json(double similarity)
{
    return rounded(similarity);
}

size_t record_topic_ids(const json_t *record, const char ***ids)
{
    const json_t *topics = json_object_get(record, "topics");
    *ids = xcalloc(json_array_size(topics) + 1, sizeof **ids);
    size_t n = 0, i;
    const json_t *topic;
    json_array_foreach(topics, i, topic)
    {
        const char *id = json_string_value(json_object_get(topic, "id"));
        if (id)
            (*ids)[n++] = id;
    }
    return n;
}

json_t *record_outbox_note(const json_t *record)
{
    const char **ids;
    size_t n = record_topic_ids(record, &ids);
    json_t *topic_ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(topic_ids, json_string(ids[i]));
    free(ids);
    json_t *note = json_object();
    const json_t *version = json_object_get(record, "schema_version");
    if (json_is_integer(version))
        json_object_set(note, "schema_version", (json_t *)version);
    const char *story = json_string_value(json_object_get(record, "story"));
    if (story)
        json_object_set_new(note, "story", json_string(story));
    json_object_set_new(note, "topic_ids", topic_ids);
    return note;
}

size_t record_note_fields(const json_t *note, const char ***ids, const char **story,
                          long *schema_version)
{
    const json_t *topic_ids = json_object_get(note, "topic_ids");
    *ids = xcalloc(json_array_size(topic_ids) + 1, sizeof **ids);
    size_t n = 0, i;
    const json_t *topic;
    json_array_foreach(topic_ids, i, topic)
    {
        if (json_is_string(topic))
            (*ids)[n++] = json_string_value(topic);
    }
    *story = json_string_value(json_object_get(note, "story"));
    *schema_version = (long)json_integer_value(json_object_get(note, "schema_version"));
    return n;
}

const char *record_id(const json_t *record)
{
    return json_string_value(json_object_get(record, "id"));
}

const char *record_url(const json_t *record)
{
    return json_string_value(json_object_get(record, "url"));
}

bool record_file_stem_valid(const char *s, size_t n)
{
    size_t id_len = 0;
    while (id_len < n &&
           ((s[id_len] >= '0' && s[id_len] <= '9') || (s[id_len] >= 'a' && s[id_len] <= 'f')))
        id_len++;
    if (id_len == 0 || id_len > 128)
        return false;
    if (id_len == n)
        return true;
    /* ".rN": N a number over 1 without leading zeros */
    if (n - id_len < 3 || n - id_len > 12 || s[id_len] != '.' || s[id_len + 1] != 'r' ||
        s[id_len + 2] < '1' || s[id_len + 2] > '9' || (n - id_len == 3 && s[id_len + 2] == '1'))
        return false;
    for (size_t i = id_len + 3; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}
