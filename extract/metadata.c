/* metadata.c: an article's metadata from the page head: <meta> names, OpenGraph and
 * article:* properties, <link rel=canonical>, <html lang>, <time datetime>, rel=author and
 * itemprop=author, and JSON-LD (Jansson, including @graph arrays). Each value is kept per
 * source; the merge takes <meta> first, then OpenGraph, then JSON-LD, then the markup, except
 * that a date given without its time of day yields to a precise one of the same day, and
 * the site falls back on the page's host. Categories are the union of every source's. */
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/url.h"
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

void extract_list_add(char ***list, size_t *n, const char *s)
{
    char *clean = extract_collapse_whitespace(s);
    bool seen = !*clean;
    for (size_t i = 0; i < *n && !seen; i++)
        seen = strcasecmp((*list)[i], clean) == 0;
    if (seen || *n >= 64) {
        free(clean);
        return;
    }
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = clean;
}

static void list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Words of a role, not a name: "Correspondent", "Staff Reporter", "Our Bureau". */
static bool is_role(const char *part)
{
    static const char *const roles[] = {
        "correspondent", "reporter", "staff",  "editor",  "writer",    "contributor", "bureau",
        "desk",          "team",     "our",    "special", "senior",    "chief",       "news",
        "agency",        "agencies", "report", "online",  "columnist", "associate",   "web",
        "digital",       "the",      "of",     "for",     "and",       "guest",       NULL};
    char *copy = xstrdup(part);
    bool all_roles = true;
    for (char *save = NULL, *w = strtok_r(copy, " .", &save); w && all_roles;
         w = strtok_r(NULL, " .", &save)) {
        bool role = false;
        for (const char *const *r = roles; *r && !role; r++)
            role = strcasecmp(w, *r) == 0;
        all_roles = role;
    }
    free(copy);
    return all_roles;
}

static size_t word_count(const char *s)
{
    size_t n = 0;
    for (bool in_word = false; *s; s++) {
        bool space = *s == ' ';
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

void article_split_authors(const char *joined, char ***names, size_t *n)
{
    char *text = extract_collapse_whitespace(joined);
    if (strncasecmp(text, "by ", 3) == 0)
        memmove(text, text + 3, strlen(text + 3) + 1);
    /* The parts between ", ", ";", " and ", " & " and "|". */
    char *parts[32];
    size_t n_parts = 0;
    for (char *p = text; p && n_parts < ARRAY_LEN(parts);) {
        parts[n_parts++] = p;
        char *next = NULL;
        static const char *const seps[] = {",", ";", " and ", " & ", "|"};
        size_t sep_len = 0;
        for (size_t i = 0; i < ARRAY_LEN(seps); i++) {
            char *hit = strstr(p, seps[i]);
            if (hit && (!next || hit < next)) {
                next = hit;
                sep_len = strlen(seps[i]);
            }
        }
        if (next) {
            *next = '\0';
            next += sep_len;
        }
        p = next;
    }
    /* Split only when the first part is a full name: "Khan, Ahmed" stays one name. */
    char *first = extract_collapse_whitespace(parts[0]);
    bool split = n_parts > 1 && word_count(first) >= 2 && !is_role(first);
    free(first);
    if (!split) {
        char *whole = extract_collapse_whitespace(joined);
        if (strncasecmp(whole, "by ", 3) == 0)
            memmove(whole, whole + 3, strlen(whole + 3) + 1);
        if (*whole && !is_role(whole))
            extract_list_add(names, n, whole);
        free(whole);
        free(text);
        return;
    }
    for (size_t i = 0; i < n_parts; i++) {
        char *part = extract_collapse_whitespace(parts[i]);
        if (word_count(part) >= 2 && word_count(part) <= 5 && !is_role(part))
            extract_list_add(names, n, part);
        free(part);
    }
    free(text);
}

static void authors_of(json_t *v, struct page_meta *m, enum meta_source source)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *a;
        json_array_foreach(v, i, a) authors_of(a, m, source);
        return;
    }
    const char *name =
        json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "name"));
    if (name && !strstr(name, "://"))
        article_split_authors(name, &m->authors[source], &m->n_authors[source]);
}

/* Tags from a comma-separated string or an array of strings. */
static void categories_of(json_t *v, struct page_meta *m)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) categories_of(x, m);
        return;
    }
    const char *s = json_string_value(v);
    for (; s && *s;) {
        size_t len = strcspn(s, ",;");
        char *one = xstrndup(s, len);
        if (!strstr(one, "://"))
            extract_list_add(&m->categories, &m->n_categories, one);
        free(one);
        s += len + (s[len] ? 1 : 0);
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

/* A date without a time of day ("2025-03-04", "March 4, 2025"): no ':' in it. */
static bool without_time(const char *text)
{
    return !strchr(text, ':');
}

static void iso_date(struct page_meta *m, enum meta_field field, enum meta_source source,
                     const char *text)
{
    int64_t when;
    char **slot = &m->value[field][source];
    if (*slot || !text || !date_parse(text, &when))
        return;
    *slot = xmalloc(DATE_ISO_LEN);
    date_format_iso(when, *slot);
    m->date_only[field][source] = without_time(text);
}

static void read_json_ld(const char *text, struct page_meta *m)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
    json_t *art = find_article(root, 0);
    if (art) {
        take(&m->value[FIELD_TITLE][META_JSON_LD],
             json_string_value(json_object_get(art, "headline")));
        if (!m->n_authors[META_JSON_LD])
            authors_of(json_object_get(art, "author"), m, META_JSON_LD);
        iso_date(m, FIELD_PUBLISHED, META_JSON_LD,
                 json_string_value(json_object_get(art, "datePublished")));
        iso_date(m, FIELD_MODIFIED, META_JSON_LD,
                 json_string_value(json_object_get(art, "dateModified")));
        take(&m->value[FIELD_DESCRIPTION][META_JSON_LD],
             json_string_value(json_object_get(art, "description")));
        categories_of(json_object_get(art, "articleSection"), m);
        categories_of(json_object_get(art, "keywords"), m);
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
    {"og:description", FIELD_DESCRIPTION},
    {"twitter:description", FIELD_DESCRIPTION},
    {"description", FIELD_DESCRIPTION},
    {"dc.description", FIELD_DESCRIPTION},
    {"article:tag", FIELD_CATEGORY},
    {"article:section", FIELD_CATEGORY},
    {"keywords", FIELD_CATEGORY},
    {"news_keywords", FIELD_CATEGORY},
    {"parsely-section", FIELD_CATEGORY},
    {"parsely-tags", FIELD_CATEGORY},
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
            enum meta_field field = meta_keys[i].field;
            if (field == FIELD_PUBLISHED || field == FIELD_MODIFIED) {
                iso_date(m, field, source, content);
            } else if (field == FIELD_AUTHOR) {
                if (!strstr(content, "://"))
                    article_split_authors(content, &m->authors[source], &m->n_authors[source]);
            } else if (field == FIELD_CATEGORY) {
                json_t *tags = json_string(content);
                categories_of(tags, m);
                json_decref(tags);
            } else {
                take(&m->value[field][source], content);
            }
        }
    }
    xmlFree(key);
    xmlFree(content);
}

/* <time datetime>: the one marked as the publication date, else the page's first. */
static void read_time(xmlNode *n, struct page_meta *m)
{
    char *when = attr(n, "datetime");
    char *itemprop = attr(n, "itemprop");
    char *pubdate = attr(n, "pubdate");
    bool marked = (itemprop && strcasecmp(itemprop, "datePublished") == 0) || pubdate;
    if (when && marked && m->value[FIELD_PUBLISHED][META_MARKUP] &&
        !m->markup_time_marked) { /* a marked one replaces an earlier unmarked one */
        free(m->value[FIELD_PUBLISHED][META_MARKUP]);
        m->value[FIELD_PUBLISHED][META_MARKUP] = NULL;
    }
    if (when && (marked || !m->value[FIELD_PUBLISHED][META_MARKUP])) {
        iso_date(m, FIELD_PUBLISHED, META_MARKUP, when);
        m->markup_time_marked = m->markup_time_marked || marked;
    }
    xmlFree(when);
    xmlFree(itemprop);
    xmlFree(pubdate);
}

/* A visible byline: rel=author links and itemprop=author elements (their itemprop=name, or
 * their whole short text), those beside the first one found. */
static void read_byline_markup(xmlNode *n, struct page_meta *m)
{
    char *rel = attr(n, "rel"), *itemprop = attr(n, "itemprop");
    bool is_author = (rel && strcasecmp(rel, "author") == 0 && strcmp((char *)n->name, "a") == 0) ||
                     (itemprop && strcasecmp(itemprop, "author") == 0);
    xmlFree(rel);
    xmlFree(itemprop);
    if (!is_author || (m->byline_parent && m->byline_parent != n->parent))
        return;
    if (m->byline_parent == NULL)
        m->byline_parent = n->parent;
    xmlNode *name_node = n;
    for (xmlNode *c = n->children; c; c = c->next) {
        char *prop = c->type == XML_ELEMENT_NODE ? attr(c, "itemprop") : NULL;
        if (prop && strcasecmp(prop, "name") == 0)
            name_node = c;
        xmlFree(prop);
    }
    char *content = attr(name_node, "content");
    xmlChar *text = content ? NULL : xmlNodeGetContent(name_node);
    const char *name = content ? content : (const char *)text;
    if (name && strlen(name) < 100) {
        char *clean = extract_collapse_whitespace(name);
        if (strncasecmp(clean, "by ", 3) == 0)
            memmove(clean, clean + 3, strlen(clean + 3) + 1);
        article_split_authors(clean, &m->authors[META_MARKUP], &m->n_authors[META_MARKUP]);
        free(clean);
    }
    xmlFree(content);
    xmlFree(text);
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
        } else if (strcmp(name, "time") == 0) {
            read_time(n, m);
        }
        read_byline_markup(n, m);
        if (strcmp(name, "script") != 0 && strcmp(name, "style") != 0 && strcmp(name, "time") != 0)
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

/* The first source's date, or a precise one of the same day when it has only the day. */
static char *best_date(struct page_meta *m, enum meta_field field)
{
    int first = 0;
    while (first < META_SOURCES && !m->value[field][first])
        first++;
    if (first == META_SOURCES)
        return NULL;
    const char *day = m->value[field][first];
    if (m->date_only[field][first])
        for (int s = 0; s < META_SOURCES; s++)
            if (m->value[field][s] && !m->date_only[field][s] &&
                strncmp(m->value[field][s], day, 10) == 0)
                return xstrdup(m->value[field][s]);
    return xstrdup(day);
}

static char *joined(char **names, size_t n)
{
    struct buf out;
    buf_init(&out, 0);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append_str(&out, ", ");
        buf_append_str(&out, names[i]);
    }
    return n ? buf_steal(&out) : (buf_free(&out), NULL);
}

/* The site's name when the page gives none: its host without "www.". */
static char *site_from_host(const char *url)
{
    char *host = url ? url_host(url) : NULL;
    if (host && strncmp(host, "www.", 4) == 0)
        memmove(host, host + 4, strlen(host + 4) + 1);
    return host;
}

void extract_metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m)
{
    collect(xmlDocGetRootElement(doc), m, 0);
    a->title = best(m, FIELD_TITLE);
    for (int source = 0; source < META_SOURCES && !a->n_authors; source++)
        for (size_t i = 0; i < m->n_authors[source]; i++)
            extract_list_add(&a->authors, &a->n_authors, m->authors[source][i]);
    a->author = joined(a->authors, a->n_authors);
    for (size_t i = 0; i < m->n_categories; i++)
        extract_list_add(&a->categories, &a->n_categories, m->categories[i]);
    a->description = best(m, FIELD_DESCRIPTION);
    a->published = best_date(m, FIELD_PUBLISHED);
    a->modified = best_date(m, FIELD_MODIFIED);
    a->site = best(m, FIELD_SITE);
    char *image = best(m, FIELD_IMAGE);
    a->image = absolute(image, url);
    free(image);
    char tag[8];
    for (int source = 0; source < META_SOURCES && !a->lang; source++)
        if (language_primary_subtag(m->value[FIELD_LANG][source], tag, sizeof tag)) {
            a->lang = xstrdup(tag);
            a->lang_source = ARTICLE_LANG_MARKUP;
            a->lang_confidence = 1;
        }
    char *canonical = best(m, FIELD_CANONICAL);
    a->canonical_url = canonical ? absolute(canonical, url) : (url ? xstrdup(url) : NULL);
    free(canonical);
    if (!a->site)
        a->site = site_from_host(a->canonical_url ? a->canonical_url : url);
}

void extract_page_meta_free(struct page_meta *m)
{
    for (int f = 0; f < FIELDS; f++)
        for (int source = 0; source < META_SOURCES; source++)
            free(m->value[f][source]);
    for (int source = 0; source < META_SOURCES; source++)
        list_free(m->authors[source], m->n_authors[source]);
    list_free(m->categories, m->n_categories);
    free(m->ld_body);
    memset(m, 0, sizeof *m);
}
