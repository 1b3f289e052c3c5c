/* parse.c: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 (libxml2) and JSON Feed (Jansson) into struct feed.
 *
 * XML is made UTF-8 first (common/charset.h), then fed to libxml2's push parser through a
 * repair pass that keeps broken references from damaging text, and each item is parsed
 * as it ends and its subtree freed (see "Reading the bytes" below; docs/feeds.md says what
 * fills each field). libxml2 reads with network access off, no DTD loading and no entity
 * substitution from outside the document; ill-formed input is recovered and flagged bozo. */
#include "feeds/feed.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/charset.h"
#include "common/utf8.h"
#include "common/util.h"
#include "feeds/date.h"
#include "feeds/xmlguard.h"

/* What a document's own entity declarations may add to it, in bytes (see xmlguard.h). */
#define FEED_MAX_ENTITY_EXPANSION ((size_t)1 << 20)
#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_MEDIA "http://search.yahoo.com/mrss/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_SY "http://purl.org/rss/1.0/modules/syndication/"

#define FEED_MAX_ITEMS 10000

/* Namespace URIs as feeds write them: the same without regard to case, to http or https,
 * or to a trailing '/' or '#', and known variants (the iTunes DTD address Apple's own
 * examples used, Media RSS's old host, Dublin Core 1.0) mean the current URI. */
static const char *ns_canonical(const char *href)
{
    static const struct {
        const char *variant, *ns;
    } variants[] = {{"http://example.com/DTDs/PodCast-1.0.dtd", NS_ITUNES},
                    {"http://tools.search.yahoo.com/mrss/", NS_MEDIA},
                    {"http://purl.org/dc/elements/1.0/", NS_DC},
                    {"http://purl.org/rss/1.0/modules/content/content/", NS_CONTENT}};
    for (size_t i = 0; i < ARRAY_LEN(variants); i++)
        if (strcasecmp(href, variants[i].variant) == 0)
            return variants[i].ns;
    return href;
}

static bool ns_same(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    a = ns_canonical(a);
    b = ns_canonical(b);
    for (int k = 0; k < 2; k++) { /* past the scheme */
        const char **p = k ? &b : &a;
        if (strncasecmp(*p, "https://", 8) == 0)
            *p += 8;
        else if (strncasecmp(*p, "http://", 7) == 0)
            *p += 7;
    }
    size_t la = strlen(a), lb = strlen(b);
    while (la && (a[la - 1] == '/' || a[la - 1] == '#'))
        la--;
    while (lb && (b[lb - 1] == '/' || b[lb - 1] == '#'))
        lb--;
    return la == lb && strncasecmp(a, b, la) == 0;
}

/* True when n is the element ns:name. Names compare without regard to case (<PubDate>,
 * <TiTlE>); ns NULL means no namespace. An element whose prefix was never declared
 * (<content:encoded> without xmlns:content) is in the namespace that prefix
 * conventionally names. */
static bool is_named(const xmlNode *n, const char *ns, const char *name)
{
    static const struct {
        const char *prefix, *ns;
    } conventional[] = {{"content", NS_CONTENT}, {"dc", NS_DC},         {"dcterms", NS_DCTERMS},
                        {"atom", NS_ATOM10},     {"itunes", NS_ITUNES}, {"media", NS_MEDIA},
                        {"xhtml", NS_XHTML},     {"rdf", NS_RDF},       {"sy", NS_SY}};
    if (!n || n->type != XML_ELEMENT_NODE)
        return false;
    const char *local = (const char *)n->name;
    const char *href = n->ns && n->ns->href && n->ns->href[0] ? (const char *)n->ns->href : NULL;
    const char *colon = href ? NULL : strchr(local, ':');
    for (size_t i = 0; colon && i < ARRAY_LEN(conventional); i++)
        if ((size_t)(colon - local) == strlen(conventional[i].prefix) &&
            strncasecmp(local, conventional[i].prefix, (size_t)(colon - local)) == 0) {
            href = conventional[i].ns;
            local = colon + 1;
        }
    if (strcasecmp(local, name) != 0)
        return false;
    return ns ? href && ns_same(href, ns) : href == NULL;
}

/* The first child element with this namespace (NULL: none or the feed's own) and name. */
static xmlNode *child(const xmlNode *parent, const char *ns, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_named(c, ns, name))
            return c;
    return NULL;
}

/* The last such child: of repeated dates, the last one written is the newest word. */
static xmlNode *last_child(const xmlNode *parent, const char *ns, const char *name)
{
    xmlNode *last = NULL;
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_named(c, ns, name))
            last = c;
    return last;
}

static char *trimmed_copy(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return xstrndup(s, n);
}

static char *node_text(const xmlNode *n)
{
    if (!n)
        return NULL;
    xmlChar *content = xmlNodeGetContent(n);
    char *text = trimmed_copy((const char *)content);
    xmlFree(content);
    return text;
}

/* The markup inside n (its children serialised), for Atom XHTML content. */
static char *inner_xml(xmlNode *n)
{
    xmlBuffer *buffer = xmlBufferCreate();
    for (xmlNode *c = n->children; c; c = c->next)
        xmlNodeDump(buffer, n->doc, c, 0, 0);
    char *s = trimmed_copy((const char *)xmlBufferContent(buffer));
    xmlBufferFree(buffer);
    return s;
}

/* An RSS text element: its text, or when it holds markup written unescaped
 * (<description><p>...</p></description>), that markup as it stands. */
static char *rss_text(xmlNode *n)
{
    if (!n)
        return NULL;
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return inner_xml(n);
    return node_text(n);
}

/* Decodes base64 text (whitespace ignored); NULL when it is not base64 or does not decode
 * to UTF-8 text (such a value is kept as written, as feedparser keeps it). Caller frees. */
static char *base64_decode(const char *text)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct buf out;
    buf_init(&out, 0);
    unsigned acc = 0;
    int bits = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            continue;
        if (*p == '=')
            break;
        const char *at = strchr(alphabet, *p);
        if (!at) {
            buf_free(&out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)(at - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_append_char(&out, (char)((acc >> bits) & 0xFF));
        }
    }
    if (out.len && (memchr(out.data, '\0', out.len) || !utf8_valid(out.data, out.len))) {
        buf_free(&out);
        return NULL;
    }
    return buf_steal(&out);
}

static bool has_element_child(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

/* The only element child when it is a div (text around it being blank), else NULL. */
static xmlNode *sole_div(xmlNode *n)
{
    xmlNode *div = NULL;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (div || strcmp((const char *)c->name, "div") != 0)
                return NULL;
            div = c;
        } else if (c->type == XML_TEXT_NODE) {
            for (const xmlChar *t = c->content; t && *t; t++)
                if (*t != ' ' && *t != '\n' && *t != '\r' && *t != '\t')
                    return NULL;
        }
    }
    return div;
}

static char *decoded_text(xmlNode *n)
{
    char *raw = node_text(n);
    char *decoded = raw ? base64_decode(raw) : NULL;
    if (!decoded)
        return raw;
    free(raw);
    return decoded;
}

/* An Atom text construct or content. Atom 1.0: type text/html (and text/ *) is text; xhtml
 * or an XML media type is markup without its wrapping div; any other media type is base64,
 * decoded when it decodes to text (base64_decode); a type that is no media type at all
 * ("", "plain") is text, never base64. Atom 0.3: mode escaped is text, base64 is decoded,
 * xml (the default) is the markup as it stands. */
static char *atom_text(xmlNode *n, bool atom03)
{
    if (!n)
        return NULL;
    char *type = (char *)xmlGetProp(n, (const xmlChar *)"type");
    char *mode = (char *)xmlGetProp(n, (const xmlChar *)"mode");
    char *text;
    size_t tlen = type ? strlen(type) : 0;
    bool xml_type = type && (strcmp(type, "xhtml") == 0 ||
                             (tlen > 4 && (strcmp(type + tlen - 4, "+xml") == 0 ||
                                           strcmp(type + tlen - 4, "/xml") == 0)));
    if (atom03) {
        if (mode && strcmp(mode, "base64") == 0)
            text = decoded_text(n);
        else if ((!mode || strcmp(mode, "xml") == 0) && has_element_child(n))
            text = inner_xml(n);
        else
            text = node_text(n);
    } else if (!type || strcmp(type, "text") == 0 || strcmp(type, "html") == 0 ||
               strncmp(type, "text/", 5) == 0 || (!xml_type && !strchr(type, '/'))) {
        text = node_text(n);
    } else if (xml_type) {
        xmlNode *div = sole_div(n);
        text = inner_xml(div ? div : n);
    } else {
        text = decoded_text(n);
    }
    xmlFree(type);
    xmlFree(mode);
    return text;
}

static char *resolve(xmlNode *n, const char *href)
{
    if (!href)
        return NULL;
    xmlChar *base = xmlNodeGetBase(n->doc, n);
    xmlChar *abs = base ? xmlBuildURI((const xmlChar *)href, base) : NULL;
    char *out = trimmed_copy(abs ? (const char *)abs : href);
    xmlFree(abs);
    xmlFree(base);
    return out;
}

/* href made absolute against base (the document's URL), when there is one. */
static char *resolve_url(const char *base, const char *href)
{
    if (!href)
        return NULL;
    xmlChar *abs = base ? xmlBuildURI((const xmlChar *)href, (const xmlChar *)base) : NULL;
    char *out = trimmed_copy(abs ? (const char *)abs : href);
    xmlFree(abs);
    return out;
}

/* "email (Name)", "Name <email>", "Name (email)": the name. */
static char *author_name(char *raw)
{
    if (!raw)
        return NULL;
    char *open = strchr(raw, '('), *close = open ? strchr(open, ')') : NULL;
    char *lt = strchr(raw, '<');
    char *name = NULL;
    if (open && close) {
        char *inside = xstrndup(open + 1, (size_t)(close - open - 1));
        char *outside = xstrndup(raw, (size_t)(open - raw));
        bool inside_is_email = strchr(inside, '@') != NULL;
        name = trimmed_copy(inside_is_email ? outside : inside);
        free(inside);
        free(outside);
    } else if (lt && lt > raw) {
        char *before = xstrndup(raw, (size_t)(lt - raw));
        name = trimmed_copy(before);
        free(before);
    }
    if (name && *name) {
        free(raw);
        return name;
    }
    free(name);
    return raw;
}

static void set_date(xmlNode *n, int64_t *when, bool *has)
{
    if (*has || !n)
        return;
    char *text = node_text(n);
    *has = date_parse(text, when);
    free(text);
}

static void take(char **field, char *value)
{
    if (*field || !value || !*value) {
        free(value);
        return;
    }
    *field = value;
}

/* Adds a category (taken), skipping repeats, empty ones and those past the cap. */
static void add_category(struct feed_item *it, char *name)
{
    bool seen = !name || !*name || it->n_categories == FEED_MAX_CATEGORIES;
    for (size_t i = 0; i < it->n_categories && !seen; i++)
        seen = strcasecmp(it->categories[i], name) == 0;
    if (seen)
        free(name);
    else
        it->categories[it->n_categories++] = name;
}

/* <category>: RSS's text, Atom's label or term; and dc:subject. */
static void collect_categories(xmlNode *e, const char *ns, struct feed_item *it)
{
    for (xmlNode *c = e->children; c; c = c->next) {
        if (is_named(c, ns, "category") && xmlHasProp(c, (const xmlChar *)"term")) {
            xmlChar *label = xmlGetProp(c, (const xmlChar *)"label");
            xmlChar *term = xmlGetProp(c, (const xmlChar *)"term");
            add_category(it, trimmed_copy((const char *)(label && *label ? label : term)));
            xmlFree(label);
            xmlFree(term);
        } else if (is_named(c, ns, "category") || is_named(c, NS_DC, "subject")) {
            add_category(it, node_text(c));
        }
    }
}

/* Adds an enclosure (url is taken; the rest copied), skipping repeats and empty URLs. */
static void add_enclosure(struct feed_item *it, char *url, const char *type, const char *length)
{
    bool seen = !url || !*url || it->n_enclosures == FEED_MAX_ENCLOSURES;
    for (size_t i = 0; i < it->n_enclosures && !seen; i++)
        seen = strcmp(it->enclosures[i].url, url) == 0;
    if (seen) {
        free(url);
        return;
    }
    char *end = NULL;
    long long n = length ? strtoll(length, &end, 10) : -1;
    it->enclosures[it->n_enclosures++] =
        (struct feed_enclosure){.url = url,
                                .type = type && *type ? xstrdup(type) : NULL,
                                .length = length && end != length && n >= 0 ? n : -1};
}

/* <enclosure url type length> (RSS) and media:content url type fileSize (Media RSS, also
 * inside media:group), below e. */
static void collect_enclosures(xmlNode *e, const char *ns, struct feed_item *it, int depth)
{
    for (xmlNode *c = e->children; c && depth < 2; c = c->next) {
        bool rss = is_named(c, ns, "enclosure");
        bool media = is_named(c, NS_MEDIA, "content");
        if (rss || media) {
            xmlChar *url = xmlGetProp(c, (const xmlChar *)"url");
            xmlChar *type = xmlGetProp(c, (const xmlChar *)"type");
            xmlChar *length = xmlGetProp(c, (const xmlChar *)(rss ? "length" : "fileSize"));
            if (url)
                add_enclosure(it, resolve(c, (const char *)url), (const char *)type,
                              (const char *)length);
            xmlFree(url);
            xmlFree(type);
            xmlFree(length);
        } else if (is_named(c, NS_MEDIA, "group")) {
            collect_enclosures(c, ns, it, depth + 1);
        }
    }
}

static void parse_atom_entry(xmlNode *e, const char *ns, struct feed_item *it)
{
    bool atom03 = ns_same(ns, NS_ATOM03);
    take(&it->id, node_text(child(e, ns, "id")));
    take(&it->title, atom_text(child(e, ns, "title"), atom03));
    for (xmlNode *c = e->children; c; c = c->next) {
        if (!is_named(c, ns, "link"))
            continue;
        xmlChar *rel = xmlGetProp(c, (const xmlChar *)"rel");
        xmlChar *href = xmlGetProp(c, (const xmlChar *)"href");
        if (!it->link && (!rel || strcmp((const char *)rel, "alternate") == 0) && href)
            it->link = resolve(c, (const char *)href);
        if (rel && strcmp((const char *)rel, "enclosure") == 0 && href) {
            xmlChar *type = xmlGetProp(c, (const xmlChar *)"type");
            xmlChar *length = xmlGetProp(c, (const xmlChar *)"length");
            add_enclosure(it, resolve(c, (const char *)href), (const char *)type,
                          (const char *)length);
            xmlFree(type);
            xmlFree(length);
        }
        xmlFree(rel);
        xmlFree(href);
    }
    collect_enclosures(e, ns, it, 0);
    collect_categories(e, ns, it);
    xmlNode *author = child(e, ns, "author");
    take(&it->author, node_text(child(author, ns, "name")));
    take(&it->author, node_text(child(author, ns, "email")));
    take(&it->author, author_name(node_text(child(e, NS_DC, "creator"))));
    take(&it->summary, atom_text(child(e, ns, "summary"), atom03));
    xmlNode *content = child(e, ns, "content");
    take(&it->content, atom_text(content, atom03));
    set_date(child(e, ns, "published"), &it->published, &it->has_published);
    set_date(child(e, ns, "issued"), &it->published, &it->has_published);
    set_date(child(e, NS_DCTERMS, "issued"), &it->published, &it->has_published);
    set_date(last_child(e, ns, "updated"), &it->updated, &it->has_updated);
    set_date(last_child(e, ns, "modified"), &it->updated, &it->has_updated);
    set_date(child(e, NS_DC, "date"), &it->updated, &it->has_updated);
}

static void parse_rss_item(xmlNode *e, const char *ns, struct feed_item *it)
{
    xmlNode *guid = child(e, ns, "guid");
    take(&it->id, node_text(guid));
    if (!it->id) {
        xmlChar *about = xmlGetNsProp(e, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
        take(&it->id, trimmed_copy((const char *)about));
        xmlFree(about);
    }
    take(&it->title, rss_text(child(e, ns, "title")));
    take(&it->title, rss_text(child(e, NS_DC, "title")));
    take(&it->title, node_text(child(e, NS_MEDIA, "title")));
    xmlNode *link = child(e, ns, "link");
    if (link) {
        char *text = node_text(link);
        take(&it->link, resolve(link, text));
        free(text);
    }
    if (!it->link && guid) {
        xmlChar *permalink = xmlGetProp(guid, (const xmlChar *)"isPermaLink");
        if (!permalink || strcasecmp((const char *)permalink, "true") == 0)
            take(&it->link, resolve(guid, it->id));
        xmlFree(permalink);
    }
    take(&it->author, author_name(node_text(child(e, ns, "author"))));
    take(&it->author, author_name(node_text(child(e, NS_DC, "creator"))));
    take(&it->author, author_name(node_text(child(e, NS_DC, "author"))));
    take(&it->author, author_name(node_text(child(e, NS_ITUNES, "author"))));
    take(&it->summary, rss_text(child(e, ns, "description")));
    take(&it->summary, rss_text(child(e, NS_DC, "description")));
    take(&it->summary, node_text(child(e, NS_ITUNES, "summary")));
    take(&it->content, rss_text(child(e, NS_CONTENT, "encoded")));
    collect_enclosures(e, ns, it, 0);
    collect_categories(e, ns, it);
    xmlNode *body = child(e, NS_XHTML, "body");
    if (body)
        take(&it->content, inner_xml(body));
    take(&it->content, rss_text(child(e, ns, "fullitem")));
    set_date(child(e, ns, "pubDate"), &it->published, &it->has_published);
    set_date(child(e, NS_DCTERMS, "issued"), &it->published, &it->has_published);
    set_date(child(e, NS_DC, "date"), &it->updated, &it->has_updated);
    set_date(child(e, NS_DCTERMS, "modified"), &it->updated, &it->has_updated);
    /* Atom's elements in an RSS item (atom:author, atom:content, atom:updated, ...) fill what
     * the RSS ones left empty */
    parse_atom_entry(e, NS_ATOM10, it);
}

static struct feed_item *add_item(struct feed *f, size_t *cap)
{
    if (f->n_items == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        f->items = xrealloc(f->items, *cap * sizeof *f->items);
    }
    struct feed_item *it = &f->items[f->n_items++];
    memset(it, 0, sizeof *it);
    return it;
}

/* What every item gets: content stands for a missing summary (as feedparser does), and
 * published for a missing updated (feedparser 6). */
static void finish_item(struct feed_item *it)
{
    if (!it->summary && it->content)
        it->summary = xstrdup(it->content);
    if (!it->has_updated && it->has_published) {
        it->updated = it->published;
        it->has_updated = true;
    }
}

static void parse_atom(xmlNode *root, const char *ns, struct feed *f)
{
    bool atom03 = ns_same(ns, NS_ATOM03);
    take(&f->title, atom_text(child(root, ns, "title"), atom03));
    take(&f->subtitle, atom_text(child(root, ns, "subtitle"), atom03));
    take(&f->subtitle, atom_text(child(root, ns, "tagline"), atom03));
    for (xmlNode *c = root->children; c && !f->link; c = c->next) {
        if (!is_named(c, ns, "link"))
            continue;
        xmlChar *rel = xmlGetProp(c, (const xmlChar *)"rel");
        xmlChar *href = xmlGetProp(c, (const xmlChar *)"href");
        if ((!rel || strcmp((const char *)rel, "alternate") == 0) && href)
            f->link = resolve(c, (const char *)href);
        xmlFree(rel);
        xmlFree(href);
    }
}

/* sy:updatePeriod (hourly, daily, weekly, monthly, yearly) divided by sy:updateFrequency,
 * in minutes; 0 when absent. */
static int update_period_minutes(xmlNode *channel)
{
    static const struct {
        const char *name;
        int minutes;
    } periods[] = {
        {"hourly", 60}, {"daily", 1440}, {"weekly", 10080}, {"monthly", 43200}, {"yearly", 525600}};
    char *period = node_text(child(channel, NS_SY, "updatePeriod"));
    char *frequency = node_text(child(channel, NS_SY, "updateFrequency"));
    int minutes = 0;
    for (size_t i = 0; period && i < sizeof periods / sizeof *periods; i++)
        if (strcasecmp(period, periods[i].name) == 0)
            minutes = periods[i].minutes;
    int times = frequency ? atoi(frequency) : 1;
    if (times > 0 && times <= 100000)
        minutes /= times;
    free(period);
    free(frequency);
    return minutes;
}

static void parse_rss(xmlNode *root, const char *ns, struct feed *f)
{
    xmlNode *channel = child(root, ns, "channel");
    if (!channel)
        channel = root;
    take(&f->title, rss_text(child(channel, ns, "title")));
    take(&f->title, rss_text(child(channel, NS_DC, "title")));
    xmlNode *link = child(channel, ns, "link");
    if (link) {
        char *text = node_text(link);
        take(&f->link, resolve(link, text));
        free(text);
    }
    take(&f->subtitle, rss_text(child(channel, ns, "description")));
    take(&f->subtitle, node_text(child(channel, NS_ITUNES, "subtitle")));
    take(&f->subtitle, node_text(child(channel, NS_ITUNES, "summary")));
    char *ttl = node_text(child(channel, ns, "ttl"));
    if (ttl)
        f->ttl_minutes = atoi(ttl) > 0 && atoi(ttl) < 525600 ? atoi(ttl) : 0;
    free(ttl);
    if (!f->ttl_minutes)
        f->ttl_minutes = update_period_minutes(channel);
}

/* ------------------------------------------------------------------------------------------
 * Reading the bytes. The document is first made UTF-8 (charset.h), then handed to libxml2's
 * push parser in slices through a repair pass that leaves well-formed input unchanged in
 * meaning but makes every reference survive recovery: libxml2 drops each named entity
 * reference (&amp; included) once a document has had any error, so named references become
 * numeric ones, which it always keeps; an unknown entity or a bare "&" is escaped so that it
 * reads literally, as an HTML5 tokeniser reads it. Items are parsed as their end tags arrive
 * and their subtrees freed, so the tree never holds more than one item. */

#define PARSE_SLICE 65536
#define MAX_DECLARED_ENTITIES 256

/* The encoding the XML declaration names (NUL bytes of UTF-16 skipped), or "" if none. */
static void declared_encoding(const char *data, size_t len, char out[40])
{
    char prolog[257];
    size_t n = 0;
    for (size_t i = 0; i < len && i < 512 && n < sizeof prolog - 1; i++)
        if (data[i])
            prolog[n++] = data[i];
    prolog[n] = '\0';
    out[0] = '\0';
    const char *decl_end = strstr(prolog, "?>");
    const char *enc = strstr(prolog, "encoding");
    if (!enc || !decl_end || enc > decl_end)
        return;
    enc += 8;
    while (*enc == ' ' || *enc == '=' || *enc == '"' || *enc == '\'')
        enc++;
    size_t k = 0;
    while (k < 39 && enc[k] && enc[k] != '"' && enc[k] != '\'' && enc[k] != ' ' && enc[k] != '?')
        k++;
    memcpy(out, enc, k);
    out[k] = '\0';
}

/* The document as UTF-8 without a BOM. The encoding is the BOM's, else UTF-16/32 recognised
 * by its NUL bytes, else the declared one (charset_alias() applied: ISO-8859-1 is read as
 * windows-1252); a declaration of UTF-16 on bytes that are not is ignored, and bytes that
 * are not UTF-8 under a missing or UTF-8 declaration (or one iconv does not know) are
 * windows-1252. Returns data itself (past the BOM) or a copy put in *copy. */
static const char *as_utf8(const char *data, size_t len, size_t *out_len, char **copy)
{
    *copy = NULL;
    size_t bom_len;
    const char *charset = charset_bom(data, len, &bom_len);
    if (!charset)
        charset = charset_sniff_wide(data, len);
    char declared[40];
    declared_encoding(data, len, declared);
    const char *alias = charset_alias(declared);
    const char *named = alias ? alias : declared[0] ? declared : NULL;
    if (!charset && named && !charset_is_wide(named))
        charset = named;
    if (charset && strcasecmp(charset, "UTF-8") != 0)
        *copy = charset_to_utf8(data, len, charset, out_len);
    if (*copy)
        return *copy;
    if (utf8_valid(data + bom_len, len - bom_len)) {
        *out_len = len - bom_len;
        return data + bom_len;
    }
    *copy = charset_to_utf8(data, len, "windows-1252", out_len);
    return *copy;
}

static bool starts_with_ci(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0;
}

/* Where a feed served inside an HTML page starts and ends (its <rss>, <feed> or <rdf:RDF>
 * element, in the body or a <pre>, raw or HTML-escaped), when the document is an HTML page.
 * Returns false when it is not one or holds no feed; *escaped when the feed's markup is
 * written as text (&lt;rss ...). */
static bool embedded_feed(const char *data, size_t len, size_t *start, size_t *stop, bool *escaped)
{
    const char *p = data, *end = data + len;
    while (p < end) { /* the first element, past the prolog, comments and doctypes */
        p = memchr(p, '<', (size_t)(end - p));
        if (!p)
            return false;
        if (starts_with_ci(p, end, "<!doctype html"))
            break;
        if (p + 1 < end && (p[1] == '?' || p[1] == '!')) {
            p++;
            continue;
        }
        if (!starts_with_ci(p, end, "<html"))
            return false;
        break;
    }
    static const char *const roots[] = {"rss", "feed", "rdf:RDF"};
    for (int pass = 0; pass < 2; pass++) {
        const char *lt = pass ? "&lt;" : "<", *gt = pass ? "&gt;" : ">";
        for (size_t r = 0; r < ARRAY_LEN(roots); r++) {
            char open[32], close[32];
            snprintf(open, sizeof open, "%s%s", lt, roots[r]);
            snprintf(close, sizeof close, "%s/%s%s", lt, roots[r], gt);
            size_t olen = strlen(open);
            const char *at = data;
            while ((at = memmem(at, (size_t)(end - at), open, olen)) != NULL) {
                char next = at + olen < end ? at[olen] : '\0';
                if (next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '>' ||
                    (pass && next == '&'))
                    break;
                at += olen;
            }
            if (!at)
                continue;
            const char *last = NULL;
            for (const char *c = at;
                 (c = memmem(c, (size_t)(end - c), close, strlen(close))) != NULL;
                 c += strlen(close))
                last = c;
            *start = (size_t)(at - data);
            *stop = last ? (size_t)(last - data) + strlen(close) : len;
            *escaped = pass == 1;
            return true;
        }
    }
    return false;
}

/* The text of an HTML-escaped feed (in a <pre>) as markup: &lt; &gt; &quot; &#39; and &amp;
 * decoded once, tags of the page around it (<br>, <span ...>) dropped. Caller frees. */
static char *unescape_embedded(const char *s, size_t len, size_t *out_len)
{
    static const struct {
        const char *ref;
        char c;
    } refs[] = {{"&lt;", '<'},  {"&gt;", '>'},    {"&quot;", '"'}, {"&#39;", '\''},
                {"&#34;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
    struct buf out;
    buf_init(&out, 0);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '<') { /* markup of the page itself */
            const char *gt = memchr(s + i, '>', len - i);
            i = gt ? (size_t)(gt - s) : len;
            continue;
        }
        size_t k = 0;
        while (s[i] == '&' && k < ARRAY_LEN(refs) && !starts_with_ci(s + i, s + len, refs[k].ref))
            k++;
        if (s[i] == '&' && k < ARRAY_LEN(refs)) {
            buf_append_char(&out, refs[k].c);
            i += strlen(refs[k].ref) - 1;
        } else {
            buf_append_char(&out, s[i]);
        }
    }
    *out_len = out.len;
    return buf_steal(&out);
}

/* A code point XML allows in a character reference. */
static bool xml_char(unsigned long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

struct repair {
    xmlParserCtxt *ctxt;                   /* the push parser the repaired bytes go to */
    struct buf out;                        /* repaired bytes not yet handed over */
    char *declared[MAX_DECLARED_ENTITIES]; /* general entities the internal subset declares */
    size_t n_declared;
    bool escaped; /* an unknown reference or a bare '&' or '<' was escaped */
};

static void repair_flush(struct repair *r, bool last)
{
    if (r->out.len || last)
        xmlParseChunk(r->ctxt, r->out.data ? r->out.data : "", (int)r->out.len, last);
    buf_reset(&r->out);
}

static void repair_emit(struct repair *r, const char *p, size_t n)
{
    buf_append(&r->out, p, n);
    if (r->out.len >= PARSE_SLICE)
        repair_flush(r, false);
}

static void repair_emit_ref(struct repair *r, unsigned long code)
{
    char ref[16];
    snprintf(ref, sizeof ref, "&#x%lX;", code);
    repair_emit(r, ref, strlen(ref));
}

/* Handles the reference at data[i] == '&'; returns the index of its last byte. */
static size_t repair_reference(struct repair *r, const char *data, size_t len, size_t i)
{
    static const unsigned short cp1252[32] = {
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    if (i + 1 < len && data[i + 1] == '#') {
        /* Numeric: "&#X41;" (XML wants a lower-case x) is read too, and C1 code points
         * 128-159 as windows-1252, as HTML reads them; one XML forbids is U+FFFD. */
        bool hex = i + 2 < len && (data[i + 2] == 'x' || data[i + 2] == 'X');
        size_t j = i + 2 + hex;
        unsigned long value = 0;
        while (j < len && j - i < 12 &&
               (hex ? isxdigit((unsigned char)data[j]) : isdigit((unsigned char)data[j]))) {
            int digit = tolower((unsigned char)data[j]);
            value = value * (hex ? 16 : 10) +
                    (unsigned long)(isdigit(digit) ? digit - '0' : digit - 'a' + 10);
            j++;
        }
        if (j > i + 2 + hex && j < len && data[j] == ';') {
            if (value >= 0x80 && value <= 0x9F)
                value = cp1252[value - 0x80];
            repair_emit_ref(r, xml_char(value) ? value : 0xFFFD);
            return j;
        }
    } else {
        size_t j = i + 1;
        while (j < len && j - i <= 64 &&
               (isalpha((unsigned char)data[j]) || data[j] == '_' ||
                (j > i + 1 && (isdigit((unsigned char)data[j]) || data[j] == '.' ||
                               data[j] == '-' || data[j] == ':'))))
            j++;
        if (j > i + 1 && j < len && data[j] == ';') {
            char name[72];
            snprintf(name, sizeof name, "%.*s", (int)(j - i - 1), data + i + 1);
            static const struct {
                const char *name;
                unsigned code;
            } predefined[] = {
                {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
            for (size_t k = 0; k < ARRAY_LEN(predefined); k++)
                if (strcmp(name, predefined[k].name) == 0) {
                    repair_emit_ref(r, predefined[k].code);
                    return j;
                }
            for (size_t k = 0; k < r->n_declared; k++)
                if (strcmp(name, r->declared[k]) == 0) {
                    repair_emit(r, data + i, j - i + 1);
                    return j;
                }
            const htmlEntityDesc *entity = htmlEntityLookup((const xmlChar *)name);
            if (entity) {
                repair_emit_ref(r, entity->value);
                return j;
            }
        }
    }
    repair_emit(r, "&amp;", 5); /* what follows is read as text */
    r->escaped = true;
    return i;
}

/* The internal subset of a doctype starting at data[i] ("<!DOCTYPE"), copied as it is; the
 * general entities it declares are remembered. Returns the index of its closing '>'. */
static size_t repair_doctype(struct repair *r, const char *data, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && data[j] != '[' && data[j] != '>')
        j++;
    if (j < len && data[j] == '[') {
        for (j++; j < len && data[j] != ']'; j++) {
            if (data[j] == '"' || data[j] == '\'') { /* a literal may hold ']' or '>' */
                const char *q = memchr(data + j + 1, data[j], len - j - 1);
                j = q ? (size_t)(q - data) : len;
            } else if (len - j > 8 && memcmp(data + j, "<!ENTITY", 8) == 0) {
                size_t k = j + 8;
                while (k < len && isspace((unsigned char)data[k]))
                    k++;
                size_t n = 0;
                while (k + n < len && !isspace((unsigned char)data[k + n]) && data[k + n] != '%' &&
                       n < 64)
                    n++;
                if (n && r->n_declared < MAX_DECLARED_ENTITIES)
                    r->declared[r->n_declared++] = xstrndup(data + k, n);
            }
        }
        while (j < len && data[j] != '>')
            j++;
    }
    if (j >= len)
        j = len - 1;
    repair_emit(r, data + i, j - i + 1);
    return j;
}

/* Copies data to the parser with its references repaired (see the section comment). */
static void repair_feed(struct repair *r, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len && (isspace((unsigned char)data[i]) || data[i] == '\0'))
        i++; /* nothing may come before the XML declaration */
    size_t copied = i;
    for (; i < len; i++) {
        char c = data[i];
        if (c != '<' && c != '&')
            continue;
        repair_emit(r, data + copied, i - copied);
        static const struct {
            const char *open, *close;
        } verbatim[] = {{"<![CDATA[", "]]>"}, {"<!--", "-->"}, {"<?", "?>"}};
        size_t v = 0;
        while (c == '<' && v < ARRAY_LEN(verbatim) &&
               !(len - i >= strlen(verbatim[v].open) &&
                 memcmp(data + i, verbatim[v].open, strlen(verbatim[v].open)) == 0))
            v++;
        if (c == '&') {
            i = repair_reference(r, data, len, i);
        } else if (v < ARRAY_LEN(verbatim)) {
            size_t olen = strlen(verbatim[v].open), clen = strlen(verbatim[v].close);
            const char *end = memmem(data + i + olen, len - i - olen, verbatim[v].close, clen);
            size_t stop = end ? (size_t)(end - data) + clen : len;
            repair_emit(r, data + i, stop - i);
            i = stop - 1;
        } else if (len - i >= 9 && strncasecmp(data + i, "<!DOCTYPE", 9) == 0) {
            i = repair_doctype(r, data, len, i);
        } else if (i + 1 < len && !isalpha((unsigned char)data[i + 1]) && data[i + 1] != '/' &&
                   data[i + 1] != '!' && data[i + 1] != '_' && data[i + 1] != ':' &&
                   !((unsigned char)data[i + 1] & 0x80)) {
            repair_emit(r, "&#60;", 5); /* "a < b": a '<' that starts no markup is text */
            r->escaped = true;
        } else {
            repair_emit(r, "<", 1);
        }
        copied = i + 1;
    }
    if (copied < len)
        repair_emit(r, data + copied, len - copied);
    repair_flush(r, true);
    for (size_t k = 0; k < r->n_declared; k++)
        free(r->declared[k]);
    buf_free(&r->out);
}

/* What kind of feed a document element makes: its format, and the namespace its own
 * elements are in (NULL: none). */
struct feed_kind {
    enum feed_format format;
    const char *ns;
    bool atom;
};

static bool feed_kind_of(xmlNode *root, struct feed_kind *k)
{
    const char *root_ns = root->ns && root->ns->href ? (const char *)root->ns->href : NULL;
    const char *name = (const char *)root->name;
    k->atom = false;
    if (strcasecmp(name, "rss") == 0) {
        xmlChar *version = xmlGetProp(root, (const xmlChar *)"version");
        const char *v = (const char *)version;
        k->format = !v                          ? FEED_FORMAT_RSS
                    : strncmp(v, "2.", 2) == 0  ? FEED_FORMAT_RSS20
                    : strncmp(v, "0.9", 3) == 0 ? FEED_FORMAT_RSS09X
                                                : FEED_FORMAT_RSS;
        xmlFree(version);
        k->ns = root_ns; /* RSS elements are in the root's namespace, if any */
    } else if (strcasecmp(name, "RDF") == 0) {
        xmlNode *channel = NULL;
        for (xmlNode *c = root->children; c && !channel; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcasecmp((const char *)c->name, "channel") == 0)
                channel = c;
        const char *ns = channel && channel->ns ? (const char *)channel->ns->href : NULL;
        for (xmlNs *d = root->nsDef; d && !ns; d = d->next)
            if (d->href && (ns_same((const char *)d->href, NS_RSS090) ||
                            ns_same((const char *)d->href, NS_RSS10)))
                ns = (const char *)d->href;
        k->ns = ns ? ns : NS_RSS10;
        k->format = ns_same(k->ns, NS_RSS090) ? FEED_FORMAT_RSS09X : FEED_FORMAT_RSS10;
    } else if (strcasecmp(name, "feed") == 0) {
        k->format = root_ns && ns_same(root_ns, NS_ATOM10)   ? FEED_FORMAT_ATOM10
                    : root_ns && ns_same(root_ns, NS_ATOM03) ? FEED_FORMAT_ATOM03
                                                             : FEED_FORMAT_ATOM;
        k->ns = root_ns;
        k->atom = true;
    } else {
        return false;
    }
    return true;
}

/* An item of the feed: an Atom entry of the feed element, an RSS item of the channel
 * (RSS 0.9x/2.0) or beside it (RSS 1.0). */
static bool is_item(const xmlNode *n, const struct feed_kind *k, const xmlNode *root)
{
    if (k->atom)
        return n->parent == root && is_named(n, k->ns, "entry");
    return (n->parent == root ||
            (n->parent && n->parent->parent == root && is_named(n->parent, k->ns, "channel"))) &&
           is_named(n, k->ns, "item");
}

/* Parsing state the push parser's callbacks share (ctxt->_private). */
struct feed_stream {
    struct feed *feed;
    size_t cap; /* of feed->items */
    struct feed_kind kind;
    bool kind_known;                /* kind was read off the document element */
    xmlNode *hollow;                /* the last item parsed, emptied, still linked */
    xmlSAXHandler sax;              /* libxml2's tree builder with end_element below */
    endElementNsSAX2Func build_end; /* libxml2's own end-of-element handler */
};

static void parse_item_node(xmlNode *n, struct feed_stream *s)
{
    n->_private = s; /* marks it parsed */
    if (s->feed->n_items >= FEED_MAX_ITEMS) {
        s->feed->n_items_over_cap++;
        return;
    }
    struct feed_item *it = add_item(s->feed, &s->cap);
    if (s->kind.atom)
        parse_atom_entry(n, s->kind.ns, it);
    else
        parse_rss_item(n, s->kind.ns, it);
    finish_item(it);
}

/* An element has ended. When it is an item (and the document declares no entities, which
 * the guard must see in the whole tree), the item is parsed and its subtree freed; the
 * emptied element stays until the next item ends, as libxml2 may still append text to the
 * last child of its parent. */
static void end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                        const xmlChar *uri)
{
    xmlParserCtxt *ctxt = ctx;
    struct feed_stream *s = ctxt->_private;
    xmlNode *n = ctxt->node;
    s->build_end(ctx, localname, prefix, uri);
    xmlDoc *doc = ctxt->myDoc;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!n || !root || n == root || n->type != XML_ELEMENT_NODE ||
        (doc->intSubset && doc->intSubset->entities))
        return;
    if (!s->kind_known && !(s->kind_known = feed_kind_of(root, &s->kind)))
        return;
    if (!is_item(n, &s->kind, root))
        return;
    parse_item_node(n, s);
    xmlFreeNodeList(n->children);
    n->children = n->last = NULL;
    xmlFreePropList(n->properties);
    n->properties = NULL;
    if (s->hollow) {
        xmlUnlinkNode(s->hollow);
        xmlFreeNode(s->hollow);
    }
    s->hollow = n;
}

static int parse_xml(const char *data, size_t len, const char *doc_url, struct feed *f, char *err,
                     size_t errlen)
{
    size_t utf8_len, start = 0, stop = 0, unescaped_len = 0;
    char *utf8_copy, *unescaped = NULL;
    const char *utf8 = as_utf8(data, len, &utf8_len, &utf8_copy);
    bool escaped_feed = false;
    if (embedded_feed(utf8, utf8_len, &start, &stop, &escaped_feed)) {
        if (escaped_feed) {
            unescaped = unescape_embedded(utf8 + start, stop - start, &unescaped_len);
            utf8 = unescaped;
            utf8_len = unescaped_len;
        } else {
            utf8 += start;
            utf8_len = stop - start;
        }
        f->bozo = true;
        f->bozo_reason = xstrdup("a feed inside an HTML page");
    }
    struct feed_stream stream = {.feed = f};
    xmlSAXVersion(&stream.sax, 2);
    stream.build_end = stream.sax.endElementNs;
    stream.sax.endElementNs = end_element;
    xmlParserCtxt *ctxt = xmlCreatePushParserCtxt(&stream.sax, NULL, NULL, 0, doc_url);
    if (!ctxt) {
        free(unescaped);
        free(utf8_copy);
        return set_err(err, errlen, "out of memory");
    }
    ctxt->_private = &stream;
    xmlCtxtUseOptions(ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);
    struct repair repair = {.ctxt = ctxt};
    buf_init(&repair.out, 0);
    repair_feed(&repair, utf8, utf8_len);
    free(unescaped);
    free(utf8_copy);
    xmlDoc *doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    bool well_formed = ctxt->wellFormed && !repair.escaped;
    const xmlError *xerr = xmlCtxtGetLastError(ctxt);
    bool entities_refused = doc && xml_entities_refused(ctxt, doc, FEED_MAX_ENTITY_EXPANSION);
    char reason[256];
    snprintf(reason, sizeof reason, "%s",
             xerr && xerr->message ? xerr->message : "an unknown entity, a bare '&' or '<'");
    size_t rlen = strlen(reason);
    while (rlen && reason[rlen - 1] == '\n')
        reason[--rlen] = '\0';
    xmlFreeParserCtxt(ctxt);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return set_err(err, errlen, "not XML: %s", reason);
    }
    if (entities_refused) {
        xmlFreeDoc(doc);
        return set_err(err, errlen,
                       "refused: its DTD's entities would expand to more than %zu bytes",
                       FEED_MAX_ENTITY_EXPANSION);
    }
    if (!stream.kind_known && !feed_kind_of(root, &stream.kind)) {
        set_err(err, errlen, "not a feed: the document element is <%s>", (const char *)root->name);
        xmlFreeDoc(doc);
        return -1;
    }
    /* items the stream did not take (a document with entities, or no end tag) */
    xmlNode *parents[2] = {NULL, root};
    for (xmlNode *c = root->children; c && !parents[0]; c = c->next)
        if (is_named(c, stream.kind.ns, "channel"))
            parents[0] = c;
    for (int k = 0; k < 2; k++)
        for (xmlNode *c = parents[k] ? parents[k]->children : NULL; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && c->_private != &stream &&
                is_item(c, &stream.kind, root))
                parse_item_node(c, &stream);
    f->format = stream.kind.format;
    if (stream.kind.atom)
        parse_atom(root, stream.kind.ns, f);
    else
        parse_rss(root, stream.kind.ns, f);
    if (!well_formed && !f->bozo) {
        f->bozo = true;
        f->bozo_reason = xstrdup(reason);
    }
    xmlFreeDoc(doc);
    return 0;
}

static char *json_text(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? xstrdup(s) : NULL;
}

static int parse_json_feed(const char *data, size_t len, const char *doc_url, struct feed *f,
                           char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    const char *version = json_string_value(json_object_get(root, "version"));
    if (!json_is_object(root) || !version || !strstr(version, "jsonfeed.org")) {
        json_decref(root);
        return set_err(err, errlen, "not a feed: JSON without a JSON Feed version");
    }
    f->format = FEED_FORMAT_JSON;
    f->title = json_text(root, "title");
    f->link = json_text(root, "home_page_url");
    f->subtitle = json_text(root, "description");
    size_t cap = 0, i;
    json_t *item;
    json_array_foreach(json_object_get(root, "items"), i, item)
    {
        if (!json_is_object(item))
            continue;
        if (f->n_items == FEED_MAX_ITEMS) {
            f->n_items_over_cap++;
            continue;
        }
        struct feed_item *it = add_item(f, &cap);
        json_t *id = json_object_get(item, "id");
        it->id = json_is_string(id)    ? xstrdup(json_string_value(id))
                 : json_is_integer(id) ? xasprintf("%lld", (long long)json_integer_value(id))
                                       : NULL;
        it->title = json_text(item, "title");
        it->link = resolve_url(doc_url, json_string_value(json_object_get(item, "url")));
        if (it->link && !*it->link) {
            free(it->link);
            it->link = NULL;
        }
        it->content = json_text(item, "content_html");
        if (!it->content)
            it->content = json_text(item, "content_text");
        it->summary = json_text(item, "summary");
        if (!it->summary && it->content)
            it->summary = xstrdup(it->content);
        size_t k;
        json_t *attachment;
        json_array_foreach(json_object_get(item, "attachments"), k, attachment)
        {
            const char *url = json_string_value(json_object_get(attachment, "url"));
            json_t *size = json_object_get(attachment, "size_in_bytes");
            char length[32];
            snprintf(length, sizeof length, "%lld", (long long)json_integer_value(size));
            if (url)
                add_enclosure(it, resolve_url(doc_url, url),
                              json_string_value(json_object_get(attachment, "mime_type")),
                              json_is_integer(size) ? length : NULL);
        }
        json_t *tag;
        json_array_foreach(json_object_get(item, "tags"), k, tag) if (json_is_string(tag))
            add_category(it, trimmed_copy(json_string_value(tag)));
        json_t *author = json_object_get(item, "author");
        json_t *authors = json_object_get(item, "authors");
        if (!author && json_array_size(authors))
            author = json_array_get(authors, 0);
        it->author = json_text(author, "name");
        it->has_published =
            date_parse(json_string_value(json_object_get(item, "date_published")), &it->published);
        it->has_updated =
            date_parse(json_string_value(json_object_get(item, "date_modified")), &it->updated);
        finish_item(it);
    }
    json_decref(root);
    return 0;
}

int feed_parse(const char *data, size_t len, const char *doc_url, struct feed *out, char *err,
               size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t bom_len, i;
    const char *bom = charset_bom(data, len, &bom_len);
    i = bom && strcmp(bom, "UTF-8") == 0 ? bom_len : 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (len > (size_t)1 << 30)
        return set_err(err, errlen, "feed larger than 1 GiB");
    int rc;
    if (i < len && data[i] == '{') { /* (a UTF-8 BOM before it is no part of the JSON) */
        rc = parse_json_feed(data + i, len - i, doc_url, out, err, errlen);
    } else {
        rc = parse_xml(data, len, doc_url, out, err, errlen);
    }
    if (rc < 0) {
        feed_free(out);
        return -1;
    }
    return 0;
}

void feed_free(struct feed *f)
{
    for (size_t i = 0; i < f->n_items; i++) {
        struct feed_item *it = &f->items[i];
        free(it->id);
        free(it->title);
        free(it->link);
        free(it->author);
        free(it->summary);
        free(it->content);
        for (size_t e = 0; e < it->n_enclosures; e++) {
            free(it->enclosures[e].url);
            free(it->enclosures[e].type);
        }
        for (size_t c = 0; c < it->n_categories; c++)
            free(it->categories[c]);
    }
    free(f->items);
    free(f->title);
    free(f->link);
    free(f->subtitle);
    free(f->bozo_reason);
    memset(f, 0, sizeof *f);
}
