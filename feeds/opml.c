/* opml.c: OPML import and export for the feed list (see opml.h). */
#include "feeds/opml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/util.h"
#include "feeds/xmlguard.h"

#define OPML_MAX_BYTES (64L * 1024 * 1024)
#define OPML_MAX_ENTITY_EXPANSION ((size_t)1 << 20)
#define OPML_NS "urn:feedspool:opml"

/* The URL in the feed list's format: no fragment; spaces and bytes outside ASCII
 * percent-encoded (as an IRI becomes a URI); control characters dropped. NULL if not http(s). */
static char *listable_url(const char *raw)
{
    while (*raw == ' ' || *raw == '\t' || *raw == '\n' || *raw == '\r')
        raw++;
    if (strncasecmp(raw, "http://", 7) != 0 && strncasecmp(raw, "https://", 8) != 0)
        return NULL;
    struct buf out;
    buf_init(&out, 0);
    for (const char *s = raw; *s && *s != '#'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c >= 0x80) {
            char escaped[4];
            snprintf(escaped, sizeof escaped, "%%%02X", c);
            buf_append_str(&out, escaped);
        } else if (c > ' ' && c != '"' && c != 0x7F) {
            buf_append_char(&out, *s);
        }
    }
    char *url = buf_steal(&out);
    size_t scheme = strncasecmp(url, "https://", 8) == 0 ? 8 : 7;
    if (strlen(url) <= scheme) {
        free(url);
        return NULL;
    }
    return url;
}

static char *prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *copy = v && *v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return copy;
}

static char *ns_prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNsProp(n, (const xmlChar *)name, (const xmlChar *)OPML_NS);
    char *copy = v && *v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return copy;
}

/* A name for the feed list: valid UTF-8, one line, no quotes or control characters. */
static char *clean_name(const char *raw)
{
    if (!raw)
        return NULL;
    char *name = utf8_repair(raw);
    for (char *s = name; *s; s++) {
        if ((unsigned char)*s < ' ' || *s == 0x7F || *s == '"' || *s == '#')
            *s = ' ';
        /* U+FFFE and U+FFFF are not XML characters: the OPML export could not be read back */
        if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBF &&
            ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF))
            s[2] = (char)0xBD;
    }
    return name;
}

static bool has_outlines(xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "outline") == 0)
            return true;
    return false;
}

static void collect(xmlNode *n, struct opml_import *out, int depth)
{
    for (xmlNode *c = n->children; c && depth < 64; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "outline") != 0)
            continue;
        char *raw = prop(c, "xmlUrl");
        if (!raw)
            raw = prop(c, "xmlurl");
        bool page = false;
        if (!raw && !has_outlines(c) && (raw = prop(c, "htmlUrl")))
            page = true;
        if (raw) {
            char *url = listable_url(raw);
            if (!url) {
                out->skipped++;
            } else {
                char *name = prop(c, "title");
                if (!name)
                    name = prop(c, "text");
                if (name && strcmp(name, url) == 0) { /* no name: the URL stood in for one */
                    free(name);
                    name = NULL;
                }
                char *interval_text = ns_prop(c, "interval");
                char *topics = ns_prop(c, "topics");
                long interval = 0; /* the default, also when the attribute is not an interval */
                if (interval_text)
                    (void)feedlist_parse_interval(interval_text, &interval);
                bool topics_ok = topics && feedlist_valid_topics(topics);
                char *clean = clean_name(name);
                feedlist_append(&out->feeds, url, clean, interval, topics_ok ? topics : NULL);
                char *sitemap = ns_prop(c, "sitemap");
                if (sitemap && strcmp(sitemap, "yes") == 0)
                    out->feeds.entries[out->feeds.n - 1].sitemap = FEEDLIST_SITEMAP_YES;
                else if (sitemap && strcmp(sitemap, "no") == 0)
                    out->feeds.entries[out->feeds.n - 1].sitemap = FEEDLIST_SITEMAP_NO;
                free(sitemap);
                out->pages += page;
                free(clean);
                free(name);
                free(interval_text);
                free(topics);
            }
            free(url);
            free(raw);
        }
        collect(c, out, depth + 1);
    }
}

static int compare_entry_url(const void *a, const void *b)
{
    const struct feed_entry *const *x = a, *const *y = b;
    int c = strcmp((*x)->url, (*y)->url);
    return c ? c : (*x < *y ? -1 : *x > *y); /* equal URLs stay in document order */
}

static bool not_a_repeat(const struct feed_entry *e, void *ud)
{
    (void)ud;
    return e->url != NULL;
}

/* Feeds listed twice keep their first outline; returns how many repeats were dropped. By
 * sorting, so that a list of 100,000 outlines is not 5 * 10^9 comparisons. */
static size_t drop_repeats(struct feed_list *feeds)
{
    struct feed_entry **order = xcalloc(feeds->n ? feeds->n : 1, sizeof *order);
    for (size_t i = 0; i < feeds->n; i++)
        order[i] = &feeds->entries[i];
    qsort(order, feeds->n, sizeof *order, compare_entry_url);
    size_t repeats = 0;
    for (size_t i = 1; i < feeds->n; i++) {
        size_t first = i - 1;
        while (i < feeds->n && strcmp(order[first]->url, order[i]->url) == 0) {
            free(order[i]->url);
            order[i]->url = NULL; /* dropped by feedlist_retain below */
            repeats++;
            i++;
        }
    }
    free(order);
    feedlist_retain(feeds, not_a_repeat, NULL);
    return repeats;
}

int opml_parse(const char *data, size_t len, struct opml_import *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > (size_t)OPML_MAX_BYTES)
        return set_err(err, errlen, "larger than %ld bytes", OPML_MAX_BYTES);
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return set_err(err, errlen, "out of memory");
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL,
                                    XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                        XML_PARSE_NOWARNING);
    bool entities_refused = doc && xml_entities_refused(ctxt, doc, OPML_MAX_ENTITY_EXPANSION);
    xmlFreeParserCtxt(ctxt);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcasecmp((const char *)root->name, "opml") != 0) {
        xmlFreeDoc(doc);
        return set_err(err, errlen, "not an OPML document (no <opml> element)");
    }
    if (entities_refused) {
        xmlFreeDoc(doc);
        return set_err(err, errlen,
                       "refused: its DTD's entities would expand to more than %zu bytes",
                       OPML_MAX_ENTITY_EXPANSION);
    }
    for (xmlNode *c = root->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "body") == 0)
            collect(c, out, 0);
    xmlFreeDoc(doc);
    out->skipped += drop_repeats(&out->feeds);
    return 0;
}

char *opml_format(const struct feed_list *list, const char *title)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"opml");
    xmlDocSetRootElement(doc, root);
    xmlSetProp(root, (const xmlChar *)"version", (const xmlChar *)"2.0");
    xmlNs *ns = xmlNewNs(root, (const xmlChar *)OPML_NS, (const xmlChar *)"feedspool");
    xmlNode *head = xmlNewChild(root, NULL, (const xmlChar *)"head", NULL);
    xmlNewTextChild(head, NULL, (const xmlChar *)"title", (const xmlChar *)title);
    xmlNode *body = xmlNewChild(root, NULL, (const xmlChar *)"body", NULL);
    for (size_t i = 0; i < list->n; i++) {
        const struct feed_entry *e = &list->entries[i];
        xmlNode *o = xmlNewChild(body, NULL, (const xmlChar *)"outline", NULL);
        const char *name = e->name ? e->name : e->url;
        xmlSetProp(o, (const xmlChar *)"type", (const xmlChar *)"rss");
        xmlSetProp(o, (const xmlChar *)"text", (const xmlChar *)name);
        xmlSetProp(o, (const xmlChar *)"title", (const xmlChar *)name);
        xmlSetProp(o, (const xmlChar *)"xmlUrl", (const xmlChar *)e->url);
        if (e->interval) {
            char seconds[32];
            snprintf(seconds, sizeof seconds, "%ld", e->interval);
            xmlSetNsProp(o, ns, (const xmlChar *)"interval", (const xmlChar *)seconds);
        }
        if (e->topics)
            xmlSetNsProp(o, ns, (const xmlChar *)"topics", (const xmlChar *)e->topics);
        if (e->sitemap != FEEDLIST_SITEMAP_DETECT)
            xmlSetNsProp(o, ns, (const xmlChar *)"sitemap",
                         (const xmlChar *)(e->sitemap == FEEDLIST_SITEMAP_YES ? "yes" : "no"));
    }
    xmlChar *text = NULL;
    int size = 0;
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    xmlFreeDoc(doc);
    char *copy = xstrdup(text ? (const char *)text : "");
    xmlFree(text);
    return copy;
}
