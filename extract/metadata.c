/* metadata.c: an article's metadata from the page head: <meta> names, OpenGraph and
 * article:* properties, <link rel=canonical>, <html lang>, <time datetime>, rel=author and
 * itemprop=author, and JSON-LD (Jansson, including @graph arrays). Each value is kept per
 * source; the merge takes <meta> first, then OpenGraph, then JSON-LD, then the markup, except
 * that a date given without its time of day yields to a precise one of the same day, and
 * the site falls back on the page's host. Categories are the union of every source's. */
#include <ctype.h>
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

void article_add_category(char ***list, size_t *n, const char *name)
{
    extract_list_add(list, n, name);
}

static void list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Words of a role or an agency, not of a name: "Correspondent", "Staff Reporter", "Our
 * Bureau", "Editor-at-large", "Associated Press". */
static const char *const role_words[] = {
    "correspondent", "reporter", "staff",      "editor",  "writer",    "contributor",   "bureau",
    "desk",          "team",     "our",        "special", "senior",    "chief",         "news",
    "agency",        "agencies", "report",     "online",  "columnist", "associate",     "web",
    "digital",       "the",      "of",         "for",     "and",       "guest",         "at",
    "large",         "press",    "associated", "wire",    "service",   "services",      "media",
    "contributing",  "managing", "political",  "foreign", "national",  "international", NULL};

/* How many of part's words are role words, and how many words it has. */
static size_t role_word_count(const char *part, size_t *words)
{
    char *copy = xstrdup(part);
    size_t roles = 0;
    *words = 0;
    for (char *save = NULL, *w = strtok_r(copy, " .-", &save); w;
         w = strtok_r(NULL, " .-", &save)) {
        (*words)++;
        for (const char *const *r = role_words; *r; r++)
            if (strcasecmp(w, *r) == 0) {
                roles++;
                break;
            }
    }
    free(copy);
    return roles;
}

static bool is_role(const char *part)
{
    size_t words, roles = role_word_count(part, &words);
    return words && roles == words;
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

/* A name as written, without what leads into it ("By", "Analysis by", "Posted by") and with
 * a name in capitals written as a name ("MEG KINNARD" -> "Meg Kinnard"). Caller frees. */
static char *clean_name(const char *raw)
{
    char *name = extract_collapse_whitespace(raw);
    while (*name && strchr(",;:|", *name))
        memmove(name, name + 1, strlen(name));
    char *by = strcasestr(name, "by ");
    if (by && (by == name || (by[-1] == ' ' && word_count(name) - word_count(by) <= 2)))
        memmove(name, by + 3, strlen(by + 3) + 1);
    bool lower = false, letters = false;
    for (const char *p = name; *p; p++) {
        lower = lower || islower((unsigned char)*p);
        letters = letters || isalpha((unsigned char)*p);
    }
    if (letters && !lower && word_count(name) >= 2)
        for (char *p = name; *p; p++)
            if (isupper((unsigned char)*p) && p > name && isalpha((unsigned char)p[-1]))
                *p = (char)tolower((unsigned char)*p);
    char *trimmed = extract_collapse_whitespace(name);
    free(name);
    return trimmed;
}

void article_split_authors(const char *joined, char ***names, size_t *n)
{
    char *text = clean_name(joined);
    /* The parts between ", ", ";", " and ", " & " and "|". */
    char *parts[32] = {text};
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
    /* Split only when the first part is a full name: "Khan, Ahmed" stays one name. After the
     * first, a part with a role in it is the role ("Sana Jamal, Correspondent", "Chris
     * Cillizza, CNN Editor-at-large"). */
    char *first = clean_name(parts[0]);
    bool split = n_parts > 1 && word_count(first) >= 2 && !is_role(first);
    free(first);
    if (!split) {
        char *whole = clean_name(joined);
        if (*whole && !is_role(whole))
            extract_list_add(names, n, whole);
        free(whole);
        free(text);
        return;
    }
    for (size_t i = 0; i < n_parts; i++) {
        char *part = clean_name(parts[i]);
        size_t words, roles = role_word_count(part, &words);
        if (words >= 2 && words <= 5 && (i == 0 ? roles < words : roles == 0))
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

static bool type_is_web_page(json_t *type)
{
    if (json_is_array(type)) {
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t) if (type_is_web_page(t)) return true;
        return false;
    }
    const char *s = json_string_value(type);
    return s && strcmp(s, "WebPage") == 0;
}

/* The first object of a kind in a JSON-LD value (object, array or @graph). */
static json_t *find_typed(json_t *v, bool (*is_kind)(json_t *type), int depth)
{
    if (depth > 8)
        return NULL;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_t *hit = find_typed(x, is_kind, depth + 1);
            if (hit)
                return hit;
        }
        return NULL;
    }
    if (!json_is_object(v))
        return NULL;
    if (is_kind(json_object_get(v, "@type")))
        return v;
    return find_typed(json_object_get(v, "@graph"), is_kind, depth + 1);
}

/* "2025-03-04" and "March 4, 2025" name a day; "2025-03-04 10:00" a local time;
 * "2025-03-04T10:00Z", "...+05:00" and "Mon, 3 Mar 2025 10:00:00 EST" an instant. */
static enum date_precision precision_of(const char *text)
{
    const char *time_of_day = strchr(text, ':'); /* (a zone's "+05:00" comes after it) */
    if (!time_of_day)
        return DATE_DAY;
    for (const char *p = time_of_day + 1; *p; p++)
        if (*p == '+' || *p == '-' || isalpha((unsigned char)*p))
            return DATE_ZONED_TIME;
    return DATE_LOCAL_TIME;
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
    m->when[field][source] = when;
    m->precision[field][source] = precision_of(text);
}

/* The page's JSON-LD blocks, kept for read_json_ld once the walk has seen them all. */
static void keep_json_ld(const char *text, struct page_meta *m)
{
    json_error_t jerr;
    json_t *root = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!root)
        return;
    if (!m->ld_roots)
        m->ld_roots = json_array();
    json_array_append_new(m->ld_roots, root);
}

/* The article object of the page's JSON-LD; without one, its WebPage's dates, publisher and
 * language (never its author: a page's, often the site's organisation). */
static void read_json_ld(struct page_meta *m)
{
    json_t *art = find_typed(m->ld_roots, type_is_article, 0);
    json_t *page = art ? NULL : find_typed(m->ld_roots, type_is_web_page, 0);
    if (art) {
        take(&m->value[FIELD_TITLE][META_JSON_LD],
             json_string_value(json_object_get(art, "headline")));
        authors_of(json_object_get(art, "author"), m, META_JSON_LD);
        take(&m->value[FIELD_DESCRIPTION][META_JSON_LD],
             json_string_value(json_object_get(art, "description")));
        categories_of(json_object_get(art, "articleSection"), m);
        categories_of(json_object_get(art, "keywords"), m);
        take(&m->value[FIELD_IMAGE][META_JSON_LD], image_of(json_object_get(art, "image")));
        const char *article_body = json_string_value(json_object_get(art, "articleBody"));
        if (article_body && !m->ld_body)
            m->ld_body = xstrdup(article_body);
    }
    json_t *node = art ? art : page;
    if (node) {
        iso_date(m, FIELD_PUBLISHED, META_JSON_LD,
                 json_string_value(json_object_get(node, "datePublished")));
        iso_date(m, FIELD_MODIFIED, META_JSON_LD,
                 json_string_value(json_object_get(node, "dateModified")));
        take(&m->value[FIELD_SITE][META_JSON_LD], name_of(json_object_get(node, "publisher")));
        take(&m->value[FIELD_LANG][META_JSON_LD],
             json_string_value(json_object_get(node, "inLanguage")));
    }
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

/* Whether s holds "author" or "byline", whatever their case (strcasestr() twice, in one pass:
 * it is asked of every class value). */
static bool holds_author_or_byline(const char *s)
{
    for (; *s; s++) {
        int c = tolower((unsigned char)*s);
        if ((c == 'a' && strncasecmp(s, "author", 6) == 0) ||
            (c == 'b' && strncasecmp(s, "byline", 6) == 0))
            return true;
    }
    return false;
}

/* Whether an element's class names it a byline: a word with "author" or "byline" in it that
 * is not a biography, an avatar, a comment's author or a link to the author's page. */
static bool byline_class(xmlNode *n, char **class_out)
{
    char *cls = attr(n, "class");
    if (!cls)
        return false;
    static const char *const not_byline[] = {
        "bio",   "desc", "comment", "avatar", "img", "image", "photo", "social", "role",
        "title", "job",  "about",   "link",   "box", "card",  "wrap",  "label"};
    /* (a word holding "author" or "byline" means the value holds it: most values are passed
     * over without splitting them into words) */
    bool found = false;
    if (!holds_author_or_byline(cls)) {
        xmlFree(cls);
        return false;
    }
    char *copy = xstrdup(cls);
    for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w && !found;
         w = strtok_r(NULL, " \t\n", &save)) {
        if (!strcasestr(w, "author") && !strcasestr(w, "byline"))
            continue;
        bool excluded = false;
        for (size_t i = 0; i < ARRAY_LEN(not_byline) && !excluded; i++)
            excluded = strcasestr(w, not_byline[i]) != NULL;
        found = !excluded;
    }
    free(copy);
    if (found)
        *class_out = cls;
    else
        xmlFree(cls);
    return found;
}

static bool inside_comments(xmlNode *n)
{
    for (int up = 0; n && n->type == XML_ELEMENT_NODE && up < 12; n = n->parent, up++) {
        char *cls = attr(n, "class"), *id = attr(n, "id");
        bool comments = (cls && strcasestr(cls, "comment")) || (id && strcasestr(id, "comment"));
        xmlFree(cls);
        xmlFree(id);
        if (comments)
            return true;
    }
    return false;
}

/* The names of the page's first byline found by its class ("author", "byline__author",
 * "ArticlePage-authorName"), and of its siblings of the same class. */
static void read_class_byline(xmlNode *n, struct page_meta *m)
{
    char *cls = NULL;
    if (!byline_class(n, &cls))
        return;
    bool sibling = m->n_class_authors && m->byline_class && n->parent == m->byline_class_parent &&
                   strcmp(cls, m->byline_class) == 0;
    if ((m->n_class_authors && !sibling) || inside_comments(n)) {
        xmlFree(cls);
        return;
    }
    xmlChar *text = xmlNodeGetContent(n);
    char *clean = extract_collapse_whitespace(text ? (const char *)text : "");
    xmlFree(text);
    static const char *const lead_ins[] = {"written by ", "posted by ", "author: ", "by "};
    char *name = clean;
    for (size_t i = 0; i < ARRAY_LEN(lead_ins); i++)
        if (strncasecmp(name, lead_ins[i], strlen(lead_ins[i])) == 0)
            name += strlen(lead_ins[i]);
    if (strlen(name) >= 2 && strlen(name) <= 80 && !strpbrk(name, "0123456789@")) {
        article_split_authors(name, &m->class_authors, &m->n_class_authors);
        if (m->n_class_authors && !m->byline_class) {
            m->byline_class = xstrdup(cls);
            m->byline_class_parent = n->parent;
        }
    }
    free(clean);
    xmlFree(cls);
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
                    keep_json_ld((const char *)t, m);
                xmlFree(t);
            }
            xmlFree(type);
        } else if (strcmp(name, "html") == 0) {
            char *lang = attr(n, "lang");
            take(&m->value[FIELD_LANG][META_MARKUP], lang);
            xmlFree(lang);
        } else if (strcmp(name, "time") == 0) {
            read_time(n, m);
        } else if (strcmp(name, "h1") == 0) {
            for (size_t i = 0; i < ARRAY_LEN(m->headings); i++)
                if (!m->headings[i]) {
                    xmlChar *t = xmlNodeGetContent(n);
                    m->headings[i] = extract_collapse_whitespace(t ? (const char *)t : "");
                    xmlFree(t);
                    break;
                }
        }
        read_byline_markup(n, m);
        read_class_byline(n, m);
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

/* Whether a date of precision p at t can name the same day or moment as `first` (of lower
 * precision): a local time within the world's spread of zones of it, a day's times within
 * that day in some zone. */
static bool same_day(int64_t first, enum date_precision first_precision, int64_t t)
{
    const int64_t zones = 14 * 3600;
    if (first_precision == DATE_DAY)
        return t >= first - zones && t < first + 86400 + zones;
    return t >= first - zones && t <= first + zones;
}

/* The first source's date, unless it is less precise than another source's of the same day
 * ("2019-11-19" in a <meta>, "2019-11-19T06:12:56-05:00" in JSON-LD or <time>): then that. */
static char *best_date(struct page_meta *m, enum meta_field field)
{
    int first = 0;
    while (first < META_SOURCES && !m->value[field][first])
        first++;
    if (first == META_SOURCES)
        return NULL;
    int chosen = first;
    for (int s = 0; s < META_SOURCES; s++)
        if (m->value[field][s] && m->precision[field][s] > m->precision[field][chosen] &&
            same_day(m->when[field][first], m->precision[field][first], m->when[field][s]))
            chosen = s;
    return xstrdup(m->value[field][chosen]);
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

/* "Autoracing | F1 | Indy" -> "Autoracing": a site name's tagline after a separator goes. */
static void cut_tagline(char *site)
{
    static const char *const seps[] = {" | ", " - ", " – ", " — ", " :: ", " • "};
    for (size_t i = 0; i < ARRAY_LEN(seps); i++) {
        char *hit = strstr(site, seps[i]);
        if (hit && hit != site)
            *hit = '\0';
    }
}

/* Letters and digits only, in lower case: "USA TODAY" and "usatoday" are one name. */
static char *name_key(const char *s)
{
    char *key = xstrdup(s);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (isalnum(*p) || *p >= 0x80)
            key[n++] = (char)tolower(*p);
    key[n] = '\0';
    return key;
}

static bool same_name(const char *a, const char *b)
{
    char *ka = name_key(a), *kb = name_key(b);
    bool same = *ka && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

/* The end of a title's headline when the rest is the site's name after a separator
 * ("Headline | Site", "Headline - Site"), else NULL. */
static char *site_suffix(const char *title, const char *site)
{
    static const char *const seps[] = {" | ", " - ", " – ", " — ", " :: ", " • ", " « "};
    char *last = NULL;
    for (size_t i = 0; i < ARRAY_LEN(seps); i++)
        for (char *p = strstr(title, seps[i]); p; p = strstr(p + 1, seps[i]))
            if ((!last || p > last) && p != title)
                last = p;
    if (!last)
        return NULL;
    const char *rest = last + 1;
    while (*rest && *rest != ' ')
        rest++;
    while (*rest == ' ')
        rest++;
    return site && same_name(rest, site) ? last : NULL;
}

/* The headline: of the titles the page gives (in the order of trust), the one its <h1> shows;
 * else the first, or the h1 it begins with ("Headline | Site" with <h1>Headline</h1>); without
 * a site's name after it. */
static char *best_title(struct page_meta *m, const char *site)
{
    char *chosen = NULL;
    for (int source = 0; source < META_SOURCES && !chosen; source++)
        for (size_t h = 0; h < ARRAY_LEN(m->headings) && m->headings[h] && !chosen; h++)
            if (m->value[FIELD_TITLE][source] &&
                strcasecmp(m->value[FIELD_TITLE][source], m->headings[h]) == 0)
                chosen = xstrdup(m->headings[h]);
    for (int source = 0; source < META_SOURCES && !chosen; source++) {
        const char *t = m->value[FIELD_TITLE][source];
        for (size_t h = 0; t && h < ARRAY_LEN(m->headings) && m->headings[h] && !chosen; h++) {
            size_t n = strlen(m->headings[h]);
            if (strncasecmp(t, m->headings[h], n) == 0 && t[n] == ' ' &&
                (ispunct((unsigned char)t[n + 1]) || (unsigned char)t[n + 1] >= 0x80))
                chosen = xstrdup(m->headings[h]);
        }
    }
    if (!chosen)
        chosen = best(m, FIELD_TITLE);
    char *suffix = chosen ? site_suffix(chosen, site) : NULL;
    if (suffix)
        *suffix = '\0';
    return chosen;
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
    read_json_ld(m);
    a->site = best(m, FIELD_SITE);
    if (a->site)
        cut_tagline(a->site);
    a->title = best_title(m, a->site);
    for (int source = 0; source < META_SOURCES && !a->n_authors; source++)
        for (size_t i = 0; i < m->n_authors[source]; i++)
            extract_list_add(&a->authors, &a->n_authors, m->authors[source][i]);
    /* The byline found by its class is the last resort, and the better one when the metadata
     * names only the site itself (", USA TODAY") and the byline someone else. */
    bool only_site = a->n_authors == 1 && a->site && same_name(a->authors[0], a->site) &&
                     m->n_class_authors && !same_name(m->class_authors[0], a->site);
    if (only_site) {
        free(a->authors[0]);
        a->n_authors = 0;
    }
    for (size_t i = 0; i < m->n_class_authors && !a->n_authors; i++) {
        char *name = m->class_authors[i]; /* "Brian Truitt USA TODAY": the site's name goes */
        size_t len = strlen(name), site_len = a->site ? strlen(a->site) : 0;
        if (site_len && len > site_len + 1 && name[len - site_len - 1] == ' ' &&
            strcasecmp(name + len - site_len, a->site) == 0)
            name[len - site_len - 1] = '\0';
    }
    if (!a->n_authors)
        for (size_t i = 0; i < m->n_class_authors; i++)
            extract_list_add(&a->authors, &a->n_authors, m->class_authors[i]);
    a->author = joined(a->authors, a->n_authors);
    for (size_t i = 0; i < m->n_categories; i++)
        extract_list_add(&a->categories, &a->n_categories, m->categories[i]);
    a->description = best(m, FIELD_DESCRIPTION);
    a->published = best_date(m, FIELD_PUBLISHED);
    a->modified = best_date(m, FIELD_MODIFIED);
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
    if (!a->site && a->canonical_url)
        a->site = site_from_host(a->canonical_url);
    if (!a->site)
        a->site = site_from_host(url);
}

void extract_page_meta_free(struct page_meta *m)
{
    for (int f = 0; f < FIELDS; f++)
        for (int source = 0; source < META_SOURCES; source++)
            free(m->value[f][source]);
    for (int source = 0; source < META_SOURCES; source++)
        list_free(m->authors[source], m->n_authors[source]);
    list_free(m->categories, m->n_categories);
    list_free(m->class_authors, m->n_class_authors);
    free(m->byline_class);
    for (size_t i = 0; i < ARRAY_LEN(m->headings); i++)
        free(m->headings[i]);
    json_decref(m->ld_roots);
    free(m->ld_body);
    memset(m, 0, sizeof *m);
}
