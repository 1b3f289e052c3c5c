/* metadata.c: an article's metadata from the page head: <meta> names, OpenGraph and
 * article:* properties, <link rel=canonical>, <html lang>, and JSON-LD (Jansson,
 * including @graph arrays). Each value is kept per source; the merge takes <meta> first,
 * then OpenGraph, then JSON-LD, then the markup. */
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "extract/extract_internal.h"
#include "feeds/date.h"

/* Keeps the first non-empty value a source gives for a field. */
static void take(char **slot, const char *value)
{
    if (*slot || !value)
        return;
    char *clean = extract_collapse_whitespace(value);
    if (*clean)
        *slot = clean;
    else
        free(clean);
}

static char *attr(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool type_is_article(json_t *type)
{
    static const char *const kinds[] = {"NewsArticle",
                                        "Article",
                                        "ReportageNewsArticle",
                                        "BlogPosting",
                                        "AnalysisNewsArticle",
                                        "OpinionNewsArticle",
                                        "Report",
                                        "LiveBlogPosting"};
    if (json_is_array(type)) {
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t) if (type_is_article(t)) return true;
        return false;
    }
    const char *s = json_string_value(type);
    for (size_t i = 0; s && i < ARRAY_LEN(kinds); i++)
        if (strcmp(s, kinds[i]) == 0)
            return true;
    return false;
}

static const char *name_of(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v))
        return name_of(json_array_get(v, 0));
    return json_string_value(json_object_get(v, "name"));
}

static void authors_of(json_t *v, struct buf *out)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *a;
        json_array_foreach(v, i, a) authors_of(a, out);
        return;
    }
    const char *name =
        json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "name"));
    if (name && *name && !strstr(out->data ? out->data : "", name)) {
        if (out->len)
            buf_append_str(out, ", ");
        buf_append_str(out, name);
    }
}

static const char *image_of(json_t *v)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v))
        return image_of(json_array_get(v, 0));
    return json_string_value(json_object_get(v, "url"));
}

/* The first article-like object in a JSON-LD value (object, array or @graph). */
static json_t *find_article(json_t *v, int depth)
{
    if (depth > 8)
        return NULL;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_t *hit = find_article(x, depth + 1);
            if (hit)
                return hit;
        }
        return NULL;
    }
    if (!json_is_object(v))
        return NULL;
    if (type_is_article(json_object_get(v, "@type")))
        return v;
    return find_article(json_object_get(v, "@graph"), depth + 1);
}

static void iso_date(char **slot, const char *text)
{
    int64_t when;
    if (*slot || !text || !date_parse(text, &when))
        return;
    *slot = xmalloc(DATE_ISO_LEN);
    date_format_iso(when, *slot);
}

static void read_json_ld(const char *text, struct page_meta *m)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
    json_t *art = find_article(root, 0);
    if (art) {
        take(&m->value[FIELD_TITLE][META_JSON_LD],
             json_string_value(json_object_get(art, "headline")));
        struct buf authors;
        buf_init(&authors, 4096);
        authors_of(json_object_get(art, "author"), &authors);
        if (authors.len)
            take(&m->value[FIELD_AUTHOR][META_JSON_LD], authors.data);
        buf_free(&authors);
        iso_date(&m->value[FIELD_PUBLISHED][META_JSON_LD],
                 json_string_value(json_object_get(art, "datePublished")));
        iso_date(&m->value[FIELD_MODIFIED][META_JSON_LD],
                 json_string_value(json_object_get(art, "dateModified")));
        take(&m->value[FIELD_SITE][META_JSON_LD], name_of(json_object_get(art, "publisher")));
        take(&m->value[FIELD_IMAGE][META_JSON_LD], image_of(json_object_get(art, "image")));
        take(&m->value[FIELD_LANG][META_JSON_LD],
             json_string_value(json_object_get(art, "inLanguage")));
        const char *article_body = json_string_value(json_object_get(art, "articleBody"));
        if (article_body && !m->ld_body)
            m->ld_body = xstrdup(article_body);
    }
    json_decref(root);
}

static char *absolute(const char *href, const char *base)
{
    if (!href)
        return NULL;
    xmlChar *abs = base ? xmlBuildURI((const xmlChar *)href, (const xmlChar *)base) : NULL;
    char *out = xstrdup(abs ? (const char *)abs : href);
    xmlFree(abs);
    return out;
}

/* "Headline | Site" -> "Headline", when the site name is the suffix. */
static char *strip_site_suffix(const char *title)
{
    char *t = xstrdup(title);
    static const char *const seps[] = {" | ", " - ", " – ", " — ", " :: "};
    for (size_t i = 0; i < ARRAY_LEN(seps); i++) {
        char *last = NULL, *p = t;
        while ((p = strstr(p, seps[i]))) {
            last = p;
            p += strlen(seps[i]);
        }
        if (last && (size_t)(last - t) > strlen(t) / 3) {
            *last = '\0';
            break;
        }
    }
    return t;
}

/* <meta> keys and the field each gives; OpenGraph's are og:* and article:*. */
static const struct {
    const char *key;
    enum meta_field field;
} meta_keys[] = {
    {"og:title", FIELD_TITLE},
    {"twitter:title", FIELD_TITLE},
    {"title", FIELD_TITLE},
    {"og:site_name", FIELD_SITE},
    {"application-name", FIELD_SITE},
    {"author", FIELD_AUTHOR},
    {"article:author", FIELD_AUTHOR},
    {"byl", FIELD_AUTHOR},
    {"parsely-author", FIELD_AUTHOR},
    {"dc.creator", FIELD_AUTHOR},
    {"og:url", FIELD_CANONICAL},
    {"og:image", FIELD_IMAGE},
    {"twitter:image", FIELD_IMAGE},
    {"article:published_time", FIELD_PUBLISHED},
    {"datePublished", FIELD_PUBLISHED},
    {"date", FIELD_PUBLISHED},
    {"pubdate", FIELD_PUBLISHED},
    {"publishdate", FIELD_PUBLISHED},
    {"dc.date", FIELD_PUBLISHED},
    {"dc.date.issued", FIELD_PUBLISHED},
    {"sailthru.date", FIELD_PUBLISHED},
    {"parsely-pub-date", FIELD_PUBLISHED},
    {"article:modified_time", FIELD_MODIFIED},
    {"dateModified", FIELD_MODIFIED},
    {"og:updated_time", FIELD_MODIFIED},
    {"og:locale", FIELD_LANG},
    {"content-language", FIELD_LANG},
    {"dc.language", FIELD_LANG},
};

static void read_meta_tag(xmlNode *n, struct page_meta *m)
{
    char *key = attr(n, "property");
    if (!key)
        key = attr(n, "name");
    if (!key)
        key = attr(n, "itemprop");
    if (!key)
        key = attr(n, "http-equiv");
    char *content = attr(n, "content");
    if (key && content) {
        enum meta_source source =
            (strncasecmp(key, "og:", 3) == 0 || strncasecmp(key, "article:", 8) == 0)
                ? META_OPENGRAPH
                : META_TAG;
        for (size_t i = 0; i < ARRAY_LEN(meta_keys); i++) {
            if (strcasecmp(key, meta_keys[i].key) != 0)
                continue;
            char **slot = &m->value[meta_keys[i].field][source];
            if (meta_keys[i].field == FIELD_PUBLISHED || meta_keys[i].field == FIELD_MODIFIED)
                iso_date(slot, content);
            else if (meta_keys[i].field != FIELD_AUTHOR || !strstr(content, "://"))
                take(slot, content);
        }
    }
    xmlFree(key);
    xmlFree(content);
}

/* Walks the document once for <meta>, <link>, <title>, <html lang> and JSON-LD. */
static void collect(xmlNode *n, struct page_meta *m, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)n->name;
        if (strcmp(name, "meta") == 0) {
            read_meta_tag(n, m);
        } else if (strcmp(name, "link") == 0) {
            char *rel = attr(n, "rel");
            char *href = attr(n, "href");
            if (rel && href && strcasecmp(rel, "canonical") == 0)
                take(&m->value[FIELD_CANONICAL][META_TAG], href);
            xmlFree(rel);
            xmlFree(href);
        } else if (strcmp(name, "title") == 0) {
            xmlChar *t = xmlNodeGetContent(n);
            if (t && !m->value[FIELD_TITLE][META_MARKUP]) {
                char *stripped = strip_site_suffix((const char *)t);
                take(&m->value[FIELD_TITLE][META_MARKUP], stripped);
                free(stripped);
            }
            xmlFree(t);
        } else if (strcmp(name, "script") == 0) {
            char *type = attr(n, "type");
            if (type && strcasecmp(type, "application/ld+json") == 0) {
                xmlChar *t = xmlNodeGetContent(n);
                if (t)
                    read_json_ld((const char *)t, m);
                xmlFree(t);
            }
            xmlFree(type);
        } else if (strcmp(name, "html") == 0) {
            char *lang = attr(n, "lang");
            take(&m->value[FIELD_LANG][META_MARKUP], lang);
            xmlFree(lang);
        }
        if (strcmp(name, "script") != 0 && strcmp(name, "style") != 0)
            collect(n->children, m, depth + 1);
    }
}

static char *best(struct page_meta *m, enum meta_field field)
{
    for (int source = 0; source < META_SOURCES; source++)
        if (m->value[field][source])
            return xstrdup(m->value[field][source]);
    return NULL;
}

void extract_metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m)
{
    collect(xmlDocGetRootElement(doc), m, 0);
    a->title = best(m, FIELD_TITLE);
    a->author = best(m, FIELD_AUTHOR);
    a->published = best(m, FIELD_PUBLISHED);
    a->modified = best(m, FIELD_MODIFIED);
    a->site = best(m, FIELD_SITE);
    char *image = best(m, FIELD_IMAGE);
    a->image = absolute(image, url);
    free(image);
    a->lang = best(m, FIELD_LANG);
    for (char *p = a->lang; p && *p; p++)
        if (*p == '_')
            *p = '-';
    char *canonical = best(m, FIELD_CANONICAL);
    a->canonical_url = canonical ? absolute(canonical, url) : xstrdup(url);
    free(canonical);
}

void extract_page_meta_free(struct page_meta *m)
{
    for (int f = 0; f < FIELDS; f++)
        for (int source = 0; source < META_SOURCES; source++)
            free(m->value[f][source]);
    free(m->ld_body);
    memset(m, 0, sizeof *m);
}
