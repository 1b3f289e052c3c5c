/* metadata.c: an article's metadata from the page head: <meta> names, OpenGraph and
 * article:* properties, <link rel=canonical>, <html lang>, and JSON-LD (Jansson,
 * including @graph arrays). JSON-LD is trusted first, then OpenGraph/meta, then markup. */
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

static void take(char **field, const char *value)
{
    if (*field || !value)
        return;
    while (*value == ' ' || *value == '\n' || *value == '\t' || *value == '\r')
        value++;
    if (*value)
        *field = collapse_whitespace(value);
}

static char *attr(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static bool type_is_article(json_t *type)
{
    static const char *const kinds[] = {"NewsArticle", "Article", "ReportageNewsArticle",
                                        "BlogPosting", "AnalysisNewsArticle", "OpinionNewsArticle",
                                        "Report", "LiveBlogPosting"};
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
    const char *name = json_is_string(v) ? json_string_value(v)
                                         : json_string_value(json_object_get(v, "name"));
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
        json_array_foreach(v, i, x) {
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

static void iso_date(char **field, const char *text)
{
    int64_t when;
    if (*field || !text || !date_parse(text, &when))
        return;
    *field = xmalloc(DATE_ISO_LEN);
    date_format_iso(when, *field);
}

static void read_json_ld(const char *text, struct article *a, char **body)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
    json_t *art = find_article(root, 0);
    if (art) {
        take(&a->title, json_string_value(json_object_get(art, "headline")));
        struct buf authors;
        buf_init(&authors, 4096);
        authors_of(json_object_get(art, "author"), &authors);
        if (authors.len)
            take(&a->author, authors.data);
        buf_free(&authors);
        iso_date(&a->published, json_string_value(json_object_get(art, "datePublished")));
        iso_date(&a->modified, json_string_value(json_object_get(art, "dateModified")));
        take(&a->site, name_of(json_object_get(art, "publisher")));
        take(&a->image, image_of(json_object_get(art, "image")));
        take(&a->lang, json_string_value(json_object_get(art, "inLanguage")));
        const char *article_body = json_string_value(json_object_get(art, "articleBody"));
        if (article_body && !*body)
            *body = xstrdup(article_body);
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

/* Walks the document once for <meta>, <link>, <title>, JSON-LD. */
static void collect(xmlNode *n, struct article *a, struct page_meta *m, int depth)
{
    for (; n && depth < 64; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)n->name;
        if (strcmp(name, "meta") == 0) {
            char *key = attr(n, "property");
            if (!key)
                key = attr(n, "name");
            if (!key)
                key = attr(n, "itemprop");
            char *content = attr(n, "content");
            if (key && content) {
                static const struct {
                    const char *key;
                    int field;
                } map[] = {{"og:title", 0},           {"twitter:title", 0},
                           {"og:site_name", 1},       {"application-name", 1},
                           {"author", 2},             {"article:author", 2},
                           {"byl", 2},                {"parsely-author", 2},
                           {"og:url", 3},             {"og:image", 4},
                           {"twitter:image", 4},      {"article:published_time", 5},
                           {"datePublished", 5},      {"date", 5},
                           {"pubdate", 5},            {"publishdate", 5},
                           {"dc.date", 5},            {"sailthru.date", 5},
                           {"parsely-pub-date", 5},   {"article:modified_time", 6},
                           {"dateModified", 6},       {"og:updated_time", 6},
                           {"og:locale", 7},          {"content-language", 7}};
                for (size_t i = 0; i < ARRAY_LEN(map); i++) {
                    if (strcasecmp(key, map[i].key) != 0)
                        continue;
                    switch (map[i].field) {
                    case 0: take(&m->og_title, content); break;
                    case 1: take(&m->site, content); break;
                    case 2: if (!strstr(content, "://")) take(&m->author, content); break;
                    case 3: take(&m->og_url, content); break;
                    case 4: take(&m->image, content); break;
                    case 5: iso_date(&m->published, content); break;
                    case 6: iso_date(&m->modified, content); break;
                    case 7: take(&m->lang, content); break;
                    }
                }
            }
            xmlFree(key);
            xmlFree(content);
        } else if (strcmp(name, "link") == 0) {
            char *rel = attr(n, "rel");
            char *href = attr(n, "href");
            if (rel && href && strcasecmp(rel, "canonical") == 0)
                take(&m->canonical, href);
            xmlFree(rel);
            xmlFree(href);
        } else if (strcmp(name, "title") == 0 && !m->title_tag) {
            xmlChar *t = xmlNodeGetContent(n);
            take(&m->title_tag, (const char *)t);
            xmlFree(t);
        } else if (strcmp(name, "script") == 0) {
            char *type = attr(n, "type");
            if (type && strcasecmp(type, "application/ld+json") == 0) {
                xmlChar *t = xmlNodeGetContent(n);
                if (t)
                    read_json_ld((const char *)t, a, &m->ld_body);
                xmlFree(t);
            }
            xmlFree(type);
        } else if (strcmp(name, "html") == 0) {
            char *lang = attr(n, "lang");
            take(&m->html_lang, lang);
            xmlFree(lang);
        }
        if (strcmp(name, "script") != 0 && strcmp(name, "style") != 0)
            collect(n->children, a, m, depth + 1);
    }
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

void metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m)
{
    collect(xmlDocGetRootElement(doc), a, m, 0);
    const char *base = url;
    if (!a->title && m->og_title)
        a->title = xstrdup(m->og_title);
    if (!a->title && m->title_tag)
        a->title = strip_site_suffix(m->title_tag);
    take(&a->author, m->author);
    if (!a->published && m->published)
        a->published = xstrdup(m->published);
    if (!a->modified && m->modified)
        a->modified = xstrdup(m->modified);
    take(&a->site, m->site);
    if (!a->image && m->image)
        a->image = absolute(m->image, base);
    else if (a->image) {
        char *abs = absolute(a->image, base);
        free(a->image);
        a->image = abs;
    }
    const char *lang = a->lang ? NULL : m->html_lang ? m->html_lang : m->lang;
    if (lang) {
        a->lang = xstrdup(lang);
        for (char *p = a->lang; *p; p++)
            if (*p == '_')
                *p = '-';
    }
    const char *canonical = m->canonical ? m->canonical : m->og_url;
    a->canonical_url = canonical ? absolute(canonical, base) : url ? xstrdup(url) : NULL;
}

void page_meta_free(struct page_meta *m)
{
    free(m->og_title);
    free(m->title_tag);
    free(m->site);
    free(m->author);
    free(m->og_url);
    free(m->canonical);
    free(m->image);
    free(m->published);
    free(m->modified);
    free(m->lang);
    free(m->html_lang);
    free(m->ld_body);
    memset(m, 0, sizeof *m);
}
