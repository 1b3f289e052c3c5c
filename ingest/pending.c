/* pending.c: the in-flight article (pending.h): from a feed item, to and from its stored JSON.
 * The JSON keys are named once, in the field table below. */
#include "ingest/pending.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/util.h"
#include "feeds/date.h"
#include "feeds/feed.h"

/* The string fields and their keys in the stored form, in the order they are written. */
static const struct {
    const char *key;
    size_t offset;
} string_fields[] = {
    {"feed_url", offsetof(struct pending_article, feed_url)},
    {"feed_title", offsetof(struct pending_article, feed_title)},
    {"item_id", offsetof(struct pending_article, item_id)},
    {"link", offsetof(struct pending_article, link)},
    {"title", offsetof(struct pending_article, title)},
    {"author", offsetof(struct pending_article, author)},
    {"published", offsetof(struct pending_article, published)},
    {"summary", offsetof(struct pending_article, summary)},
    {"content", offsetof(struct pending_article, content)},
    {"topics", offsetof(struct pending_article, topics)},
};

static char **field(struct pending_article *a, size_t i)
{
    return (char **)((char *)a + string_fields[i].offset);
}

static const char *const *const_field(const struct pending_article *a, size_t i)
{
    return (const char *const *)((const char *)a + string_fields[i].offset);
}

void pending_article_from_item(struct pending_article *out, const char *feed_url,
                               const char *feed_title, const char *topics,
                               const struct feed_item *item)
{
    memset(out, 0, sizeof *out);
    out->feed_url = utf8_repair(feed_url);
    out->feed_title = utf8_repair(feed_title);
    out->item_id = utf8_repair(item->id);
    out->link = utf8_repair(item->link);
    out->title = utf8_repair(item->title);
    out->author = utf8_repair(item->author);
    if (item->has_published || item->has_updated) {
        char published[DATE_ISO_LEN];
        date_format_iso(item->has_published ? item->published : item->updated, published);
        out->published = xstrdup(published);
    }
    out->summary = utf8_repair(item->summary);
    out->content = utf8_repair(item->content);
    out->topics = utf8_repair(topics);
    out->enclosures = json_array();
    for (size_t e = 0; e < item->n_enclosures; e++)
        json_array_append_new(out->enclosures, feed_enclosure_to_json(&item->enclosures[e]));
    out->categories = json_array();
    for (size_t c = 0; c < item->n_categories; c++)
        json_array_append_new(out->categories, utf8_json_string(item->categories[c]));
}

char *pending_article_to_json(const struct pending_article *a)
{
    json_t *o = json_object();
    for (size_t i = 0; i < ARRAY_LEN(string_fields); i++) {
        const char *value = *const_field(a, i);
        if (value || strcmp(string_fields[i].key, "topics") != 0) /* topics: only when set */
            json_object_set_new(o, string_fields[i].key, value ? json_string(value) : json_null());
    }
    json_object_set(o, "enclosures", a->enclosures ? a->enclosures : json_array());
    if (json_array_size(a->categories))
        json_object_set(o, "categories", a->categories);
    if (a->own_site)
        json_object_set_new(o, "own_site", json_true());
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

int pending_article_from_json(struct pending_article *out, const char *text, char *err,
                              size_t errlen)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *o = json_loads(text, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return set_err(err, errlen, "%s", o ? "not a JSON object" : jerr.text);
    }
    int rc = 0;
    for (size_t i = 0; i < ARRAY_LEN(string_fields) && rc == 0; i++) {
        const json_t *v = json_object_get(o, string_fields[i].key);
        if (json_is_string(v))
            *field(out, i) = utf8_repair(json_string_value(v));
        else if (v && !json_is_null(v))
            rc = set_err(err, errlen, "%s is not a string", string_fields[i].key);
    }
    json_t *enclosures = json_object_get(o, "enclosures");
    if (rc == 0 && enclosures && !json_is_array(enclosures))
        rc = set_err(err, errlen, "enclosures is not an array");
    json_t *categories = json_object_get(o, "categories");
    size_t c;
    json_t *category;
    json_array_foreach(categories, c, category) if (!json_is_string(category)) rc =
        set_err(err, errlen, "categories holds a value that is not a string");
    if (rc == 0 && categories && !json_is_array(categories))
        rc = set_err(err, errlen, "categories is not an array");
    if (rc == 0) {
        out->enclosures = enclosures ? json_incref(enclosures) : json_array();
        out->categories = categories ? json_incref(categories) : json_array();
        out->own_site = json_is_true(json_object_get(o, "own_site"));
    }
    json_decref(o);
    if (rc < 0)
        pending_article_free(out);
    return rc;
}

void pending_article_free(struct pending_article *a)
{
    for (size_t i = 0; i < ARRAY_LEN(string_fields); i++) {
        free(*field(a, i));
        *field(a, i) = NULL;
    }
    json_decref(a->enclosures);
    a->enclosures = NULL;
    json_decref(a->categories);
    a->categories = NULL;
}
