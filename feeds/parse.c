/* parse.c: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 (libxml2) and JSON Feed (Jansson) into struct feed.
 *
 * libxml2 reads with network access off, no DTD loading and no entity substitution
 * from outside the document; ill-formed input is recovered and flagged bozo. */
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

static bool is_named(const xmlNode *n, const char *ns, const char *name)
{
    if (!n || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    if (!ns)
        return n->ns == NULL || n->ns->href == NULL || n->ns->href[0] == '\0';
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0;
}

/* The first child element with this namespace (NULL: none or the feed's own) and name. */
static xmlNode *child(const xmlNode *parent, const char *ns, const char *name)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_named(c, ns, name))
            return c;
    return NULL;
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

/* Decodes base64 text (whitespace ignored); NULL when it is not base64. Caller frees. */
static char *base64_decode(const char *text)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

/* An Atom text construct. Atom 1.0: type text/html (and text/ *) is text; xhtml or an XML
 * media type is markup without its wrapping div; any other media type is base64. Atom 0.3:
 * mode escaped is text, base64 is decoded, xml (the default) is the markup as it stands. */
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
               strncmp(type, "text/", 5) == 0) {
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
    it->enclosures[it->n_enclosures++] = (struct feed_enclosure){
        .url = url, .type = type && *type ? xstrdup(type) : NULL,
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
    bool atom03 = ns && strcmp(ns, NS_ATOM03) == 0;
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
    xmlNode *author = child(e, ns, "author");
    take(&it->author, node_text(child(author, ns, "name")));
    take(&it->author, node_text(child(author, ns, "email")));
    take(&it->author, author_name(node_text(child(e, NS_DC, "creator"))));
    take(&it->summary, atom_text(child(e, ns, "summary"), atom03));
    xmlNode *content = child(e, ns, "content");
    take(&it->content, atom_text(content, atom03));
    if (!it->summary && it->content)
        it->summary = xstrdup(it->content);
    set_date(child(e, ns, "published"), &it->published, &it->has_published);
    set_date(child(e, ns, "issued"), &it->published, &it->has_published);
    set_date(child(e, NS_DCTERMS, "issued"), &it->published, &it->has_published);
    set_date(child(e, ns, "updated"), &it->updated, &it->has_updated);
    set_date(child(e, ns, "modified"), &it->updated, &it->has_updated);
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
    take(&it->title, node_text(child(e, ns, "title")));
    take(&it->title, node_text(child(e, NS_DC, "title")));
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
    take(&it->author, author_name(node_text(child(e, NS_ITUNES, "author"))));
    take(&it->summary, node_text(child(e, ns, "description")));
    take(&it->summary, node_text(child(e, NS_DC, "description")));
    take(&it->summary, node_text(child(e, NS_ITUNES, "summary")));
    take(&it->content, node_text(child(e, NS_CONTENT, "encoded")));
    collect_enclosures(e, ns, it, 0);
    xmlNode *body = child(e, NS_XHTML, "body");
    if (body)
        take(&it->content, inner_xml(body));
    if (!it->summary && it->content)
        it->summary = xstrdup(it->content);
    set_date(child(e, ns, "pubDate"), &it->published, &it->has_published);
    set_date(child(e, NS_DCTERMS, "issued"), &it->published, &it->has_published);
    set_date(child(e, NS_DC, "date"), &it->updated, &it->has_updated);
    set_date(child(e, NS_DCTERMS, "modified"), &it->updated, &it->has_updated);
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

static void finish_item(struct feed_item *it)
{
    if (!it->has_updated && it->has_published) {
        it->updated = it->published;
        it->has_updated = true;
    }
}

static void parse_atom(xmlNode *root, const char *ns, struct feed *f)
{
    bool atom03 = ns && strcmp(ns, NS_ATOM03) == 0;
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
    size_t cap = 0;
    for (xmlNode *c = root->children; c; c = c->next)
        if (is_named(c, ns, "entry") && f->n_items == FEED_MAX_ITEMS) {
            f->n_items_over_cap++;
        } else if (is_named(c, ns, "entry")) {
            struct feed_item *it = add_item(f, &cap);
            parse_atom_entry(c, ns, it);
            finish_item(it);
        }
}

/* sy:updatePeriod (hourly, daily, weekly, monthly, yearly) divided by sy:updateFrequency,
 * in minutes; 0 when absent. */
static int update_period_minutes(xmlNode *channel)
{
    static const struct {
        const char *name;
        int minutes;
    } periods[] = {{"hourly", 60}, {"daily", 1440}, {"weekly", 10080}, {"monthly", 43200},
                   {"yearly", 525600}};
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
    take(&f->title, node_text(child(channel, ns, "title")));
    take(&f->title, node_text(child(channel, NS_DC, "title")));
    xmlNode *link = child(channel, ns, "link");
    if (link) {
        char *text = node_text(link);
        take(&f->link, resolve(link, text));
        free(text);
    }
    take(&f->subtitle, node_text(child(channel, ns, "description")));
    take(&f->subtitle, node_text(child(channel, NS_ITUNES, "subtitle")));
    take(&f->subtitle, node_text(child(channel, NS_ITUNES, "summary")));
    char *ttl = node_text(child(channel, ns, "ttl"));
    if (ttl)
        f->ttl_minutes = atoi(ttl) > 0 && atoi(ttl) < 525600 ? atoi(ttl) : 0;
    free(ttl);
    if (!f->ttl_minutes)
        f->ttl_minutes = update_period_minutes(channel);
    /* RSS 2.0 puts items in the channel; RSS 0.9/1.0 beside it. */
    size_t cap = 0;
    xmlNode *parents[2] = {channel, channel == root ? NULL : root};
    for (int k = 0; k < 2; k++)
        for (xmlNode *c = parents[k] ? parents[k]->children : NULL; c; c = c->next)
            if (is_named(c, ns, "item") && f->n_items == FEED_MAX_ITEMS) {
                f->n_items_over_cap++;
            } else if (is_named(c, ns, "item")) {
                struct feed_item *it = add_item(f, &cap);
                parse_rss_item(c, ns, it);
                finish_item(it);
            }
}

/* Feeds use HTML's named entities (&nbsp; &eacute; ...) that XML does not declare.
 * Returns a copy in which each such reference outside CDATA sections and comments is
 * replaced by its numeric reference, or NULL when there is none to replace. */
static char *declare_html_entities(const char *data, size_t len, size_t *out_len)
{
    struct buf out;
    buf_init(&out, 0);
    bool changed = false;
    size_t copied = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '<' && len - i >= 9 && memcmp(data + i, "<![CDATA[", 9) == 0) {
            const char *end = memmem(data + i, len - i, "]]>", 3);
            i = end ? (size_t)(end - data) + 2 : len;
            continue;
        }
        if (data[i] == '<' && len - i >= 4 && memcmp(data + i, "<!--", 4) == 0) {
            const char *end = memmem(data + i, len - i, "-->", 3);
            i = end ? (size_t)(end - data) + 2 : len;
            continue;
        }
        if (data[i] != '&')
            continue;
        if (i + 2 < len && data[i + 1] == '#') {
            /* Numeric references: "&#X41;" (XML wants a lower-case x), and C1 code points
             * 128-159, which feeds mean as windows-1252 (as HTML reads them). */
            bool hex = data[i + 2] == 'x' || data[i + 2] == 'X';
            size_t j = i + 2 + hex;
            unsigned long value = 0;
            while (j < len && j - i < 12 && (hex ? isxdigit((unsigned char)data[j]) : isdigit((unsigned char)data[j]))) {
                char digit = data[j];
                value = value * (hex ? 16 : 10) +
                        (unsigned long)(isdigit((unsigned char)digit) ? digit - '0' : (tolower((unsigned char)digit) - 'a' + 10));
                j++;
            }
            if (j < len && data[j] == ';' && j > i + 2 + hex &&
                (data[i + 2] == 'X' || (value >= 0x80 && value <= 0x9F))) {
                static const unsigned short cp1252[32] = {
                    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
                    0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
                if (value >= 0x80 && value <= 0x9F)
                    value = cp1252[value - 0x80];
                char ref[24];
                snprintf(ref, sizeof ref, "&#x%lX;", value);
                buf_append(&out, data + copied, i - copied);
                buf_append_str(&out, ref);
                copied = j + 1;
                i = j;
                changed = true;
            }
            continue;
        }
        size_t j = i + 1;
        while (j < len && j - i <= 32 && ((data[j] >= 'a' && data[j] <= 'z') ||
                                          (data[j] >= 'A' && data[j] <= 'Z') ||
                                          (j > i + 1 && data[j] >= '0' && data[j] <= '9')))
            j++;
        if (j == i + 1 || j >= len || data[j] != ';')
            continue;
        char name[40];
        snprintf(name, sizeof name, "%.*s", (int)(j - i - 1), data + i + 1);
        if (!strcmp(name, "amp") || !strcmp(name, "lt") || !strcmp(name, "gt") ||
            !strcmp(name, "quot") || !strcmp(name, "apos"))
            continue;
        const htmlEntityDesc *entity = htmlEntityLookup((const xmlChar *)name);
        if (!entity)
            continue;
        char ref[16];
        snprintf(ref, sizeof ref, "&#%u;", entity->value);
        buf_append(&out, data + copied, i - copied);
        buf_append_str(&out, ref);
        copied = j + 1;
        i = j;
        changed = true;
    }
    if (!changed) {
        buf_free(&out);
        return NULL;
    }
    buf_append(&out, data + copied, len - copied);
    *out_len = out.len;
    return buf_steal(&out);
}

/* UTF-32 (with a BOM, or recognised by "<" or the BOM-less "<?xml" pattern), which
 * libxml2 does not read, transcoded to UTF-8; NULL when the data is not UTF-32. */
static char *utf32_to_utf8(const char *data, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)data;
    bool big;
    size_t start = 0;
    if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) {
        big = true;
        start = 4;
    } else if (len >= 4 && u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0) {
        big = false;
        start = 4;
    } else if (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == '<') {
        big = true;
    } else if (len >= 4 && u[0] == '<' && u[1] == 0 && u[2] == 0 && u[3] == 0) {
        big = false;
    } else {
        return NULL;
    }
    struct buf out;
    buf_init(&out, 0);
    for (size_t i = start; i + 4 <= len; i += 4) {
        unsigned c = big ? (unsigned)u[i] << 24 | (unsigned)u[i + 1] << 16 | (unsigned)u[i + 2] << 8 | u[i + 3]
                         : (unsigned)u[i + 3] << 24 | (unsigned)u[i + 2] << 16 | (unsigned)u[i + 1] << 8 | u[i];
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            c = 0xFFFD;
        char e[4];
        size_t n = c < 0x80 ? (e[0] = (char)c, 1)
                   : c < 0x800 ? (e[0] = (char)(0xC0 | c >> 6), e[1] = (char)(0x80 | (c & 0x3F)), 2)
                   : c < 0x10000 ? (e[0] = (char)(0xE0 | c >> 12), e[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
                                    e[2] = (char)(0x80 | (c & 0x3F)), 3)
                                 : (e[0] = (char)(0xF0 | c >> 18), e[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
                                    e[2] = (char)(0x80 | ((c >> 6) & 0x3F)), e[3] = (char)(0x80 | (c & 0x3F)), 4);
        buf_append(&out, e, n);
    }
    *out_len = out.len;
    return buf_steal(&out);
}

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

/* The encoding to impose, or NULL to let libxml2 follow the BOM and the XML declaration.
 * As browsers do, ISO-8859-1 and ASCII are read as their superset windows-1252; bytes
 * that are not UTF-8 under a missing or UTF-8 declaration are windows-1252 too; aliases
 * iconv does not know are mapped; UTF-16 whose declaration names something else is UTF-16. */
static const char *forced_encoding(const char *data, size_t len)
{
    static const struct {
        const char *alias, *encoding;
    } aliases[] = {{"u8", "UTF-8"},      {"utf8", "UTF-8"},  {"u16", "UTF-16"},
                   {"utf16", "UTF-16"},  {"iso-8859-1", "windows-1252"},
                   {"iso8859-1", "windows-1252"}, {"latin-1", "windows-1252"},
                   {"latin1", "windows-1252"}, {"us-ascii", "windows-1252"},
                   {"ascii", "windows-1252"}};
    const unsigned char *u = (const unsigned char *)data;
    char declared[40];
    declared_encoding(data, len, declared);
    for (size_t i = 0; i < ARRAY_LEN(aliases); i++)
        if (strcasecmp(declared, aliases[i].alias) == 0)
            return aliases[i].encoding;
    bool wide = len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE) ||
                             u[0] == 0 || u[1] == 0);
    if (wide)
        return declared[0] && strncasecmp(declared, "utf-16", 6) != 0 ? "UTF-16" : NULL;
    if (utf8_valid(data, len))
        return NULL;
    if (declared[0] && strcasecmp(declared, "utf-8") != 0)
        return NULL; /* a legacy charset is declared: trust it */
    return "windows-1252";
}

static int parse_xml(const char *data, size_t len, bool is_utf8, const char *doc_url,
                     struct feed *f, char *err, size_t errlen)
{
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return set_err(err, errlen, "out of memory");
    int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                  XML_PARSE_NOCDATA;
    const char *encoding = is_utf8 ? "UTF-8" : forced_encoding(data, len);
    const unsigned char *u = (const unsigned char *)data;
    if (encoding && strcmp(encoding, "UTF-16") == 0 && len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        encoding = "UTF-16LE";
        data += 2;
        len -= 2;
    } else if (encoding && strcmp(encoding, "UTF-16") == 0 && len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        encoding = "UTF-16BE";
        data += 2;
        len -= 2;
    }
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, doc_url, encoding, options);
    bool well_formed = ctxt->wellFormed;
    const xmlError *xerr = xmlCtxtGetLastError(ctxt);
    bool entities_refused = doc && xml_entities_refused(ctxt, doc, FEED_MAX_ENTITY_EXPANSION);
    char reason[256];
    snprintf(reason, sizeof reason, "%s", xerr && xerr->message ? xerr->message : "ill-formed XML");
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
        return set_err(err, errlen, "refused: its DTD's entities would expand to more than %zu bytes",
                       FEED_MAX_ENTITY_EXPANSION);
    }
    const char *root_ns = root->ns && root->ns->href ? (const char *)root->ns->href : NULL;
    const char *name = (const char *)root->name;
    if (strcmp(name, "rss") == 0) {
        xmlChar *version = xmlGetProp(root, (const xmlChar *)"version");
        const char *v = (const char *)version;
        f->format = !v ? FEED_FORMAT_RSS
                    : strncmp(v, "2.", 2) == 0 ? FEED_FORMAT_RSS20
                    : strncmp(v, "0.9", 3) == 0 ? FEED_FORMAT_RSS09X
                                               : FEED_FORMAT_RSS;
        xmlFree(version);
        parse_rss(root, root_ns, f); /* RSS elements are in the root's namespace, if any */
    } else if (strcmp(name, "RDF") == 0) {
        xmlNode *channel = NULL;
        for (xmlNode *c = root->children; c && !channel; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "channel") == 0)
                channel = c;
        const char *ns = channel && channel->ns ? (const char *)channel->ns->href : NULL;
        for (xmlNs *d = root->nsDef; d && !ns; d = d->next)
            if (d->href && (strcmp((const char *)d->href, NS_RSS090) == 0 ||
                            strcmp((const char *)d->href, NS_RSS10) == 0))
                ns = (const char *)d->href;
        if (!ns)
            ns = NS_RSS10;
        f->format = strcmp(ns, NS_RSS090) == 0 ? FEED_FORMAT_RSS09X : FEED_FORMAT_RSS10;
        parse_rss(root, ns, f);
    } else if (strcmp(name, "feed") == 0) {
        f->format = root_ns && strcmp(root_ns, NS_ATOM10) == 0   ? FEED_FORMAT_ATOM10
                    : root_ns && strcmp(root_ns, NS_ATOM03) == 0 ? FEED_FORMAT_ATOM03
                                                                 : FEED_FORMAT_ATOM;
        parse_atom(root, root_ns, f);
    } else {
        set_err(err, errlen, "not a feed: the document element is <%s>", name);
        xmlFreeDoc(doc);
        return -1;
    }
    if (!well_formed) {
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
    json_array_foreach(json_object_get(root, "items"), i, item) {
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
        json_array_foreach(json_object_get(item, "attachments"), k, attachment) {
            const char *url = json_string_value(json_object_get(attachment, "url"));
            json_t *size = json_object_get(attachment, "size_in_bytes");
            char length[32];
            snprintf(length, sizeof length, "%lld", (long long)json_integer_value(size));
            if (url)
                add_enclosure(it, resolve_url(doc_url, url),
                              json_string_value(json_object_get(attachment, "mime_type")),
                              json_is_integer(size) ? length : NULL);
        }
        json_t *author = json_object_get(item, "author");
        json_t *authors = json_object_get(item, "authors");
        if (!author && json_array_size(authors))
            author = json_array_get(authors, 0);
        it->author = json_text(author, "name");
        it->has_published = date_parse(json_string_value(json_object_get(item, "date_published")),
                                       &it->published);
        it->has_updated = date_parse(json_string_value(json_object_get(item, "date_modified")),
                                     &it->updated);
        finish_item(it);
    }
    json_decref(root);
    return 0;
}

int feed_parse(const char *data, size_t len, const char *doc_url, struct feed *out, char *err,
               size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (len > (size_t)1 << 30)
        return set_err(err, errlen, "feed larger than 1 GiB");
    int rc;
    if (i < len && data[i] == '{') {
        rc = parse_json_feed(data, len, doc_url, out, err, errlen);
    } else {
        size_t utf8_len = 0, fixed_len = 0;
        char *utf8 = utf32_to_utf8(data, len, &utf8_len);
        if (utf8) {
            data = utf8;
            len = utf8_len;
        }
        char *fixed = declare_html_entities(data, len, &fixed_len);
        rc = fixed ? parse_xml(fixed, fixed_len, utf8 != NULL, doc_url, out, err, errlen)
                   : parse_xml(data, len, utf8 != NULL, doc_url, out, err, errlen);
        free(fixed);
        free(utf8);
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
    }
    free(f->items);
    free(f->title);
    free(f->link);
    free(f->subtitle);
    free(f->bozo_reason);
    memset(f, 0, sizeof *f);
}
