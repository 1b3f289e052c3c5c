/* discover.c: feed autodiscovery, from the <link rel="alternate"> elements of an HTML page.
 *
 * The page is parsed whole (it is one page, capped by the fetch's max_body); what counts
 * is the WHATWG rule: rel is a set of space-separated tokens, compared without case, one
 * of which is "alternate"; the type, without parameters, is one of the feed types. */
#include "feeds/discover.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

#define DISCOVER_PARSE_OPTIONS                                                                     \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT)

static const char *const feed_types[] = {"application/rss+xml", "application/atom+xml",
                                         "application/feed+json", "application/json"};

/* True when the space-separated list holds token (without regard to case). */
static bool has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = list; *p;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        size_t len = 0;
        while (p[len] && !isspace((unsigned char)p[len]))
            len++;
        if (len == n && strncasecmp(p, token, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* The type without parameters or surrounding space, in lower case, when it is a feed's;
 * else NULL. Caller frees. */
static char *feed_type(const char *type)
{
    while (isspace((unsigned char)*type))
        type++;
    size_t len = strcspn(type, ";");
    while (len && isspace((unsigned char)type[len - 1]))
        len--;
    for (size_t i = 0; i < sizeof feed_types / sizeof *feed_types; i++)
        if (strlen(feed_types[i]) == len && strncasecmp(type, feed_types[i], len) == 0)
            return xstrdup(feed_types[i]);
    return NULL;
}

static char *attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *out = v ? xstrdup((const char *)v) : NULL;
    xmlFree(v);
    return out;
}

/* href trimmed, against base when there is one. Caller frees. */
static char *resolve(const char *base, const char *href)
{
    while (isspace((unsigned char)*href))
        href++;
    size_t len = strlen(href);
    while (len && isspace((unsigned char)href[len - 1]))
        len--;
    char *trimmed = xstrndup(href, len);
    xmlChar *abs = base ? xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)base) : NULL;
    if (abs) {
        free(trimmed);
        trimmed = xstrdup((const char *)abs);
        xmlFree(abs);
    }
    return trimmed;
}

/* The first <base href>, resolved against the page's URL; else the page's URL. Caller frees. */
static char *base_of(xmlNode *n, const char *page_url)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcasecmp((const char *)n->name, "base") == 0) {
            char *href = attr(n, "href");
            if (href && *href) {
                char *base = resolve(page_url, href);
                free(href);
                return base;
            }
            free(href);
        }
        char *inner = base_of(n->children, NULL);
        if (inner) {
            char *base = page_url ? resolve(page_url, inner) : xstrdup(inner);
            free(inner);
            return base;
        }
    }
    return page_url ? xstrdup(page_url) : NULL;
}

/* Takes over url, type and title (freed when the URL is listed already, or the list full). */
static void add_feed(struct discovery *d, char *url, char *type, char *title)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->feeds[i].url, url) == 0) {
            free(url);
            free(type);
            free(title);
            return;
        }
    if (d->n == DISCOVER_MAX_FEEDS) {
        free(url);
        free(type);
        free(title);
        return;
    }
    d->feeds = xrealloc(d->feeds, (d->n + 1) * sizeof *d->feeds);
    d->feeds[d->n++] = (struct discovered_feed){.url = url, .type = type, .title = title};
}

static void collect(xmlNode *n, const char *base, struct discovery *d)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcasecmp((const char *)n->name, "link") == 0) {
            char *rel = attr(n, "rel"), *type_attr = attr(n, "type"), *href = attr(n, "href");
            char *type = type_attr ? feed_type(type_attr) : NULL;
            if (rel && type && href && *href && has_token(rel, "alternate")) {
                char *title = attr(n, "title");
                if (title && !*title) {
                    free(title);
                    title = NULL;
                }
                add_feed(d, resolve(base, href), type, title);
                type = NULL;
            }
            free(type);
            free(rel);
            free(type_attr);
            free(href);
        }
        collect(n->children, base, d);
    }
}

int discover_feeds(const char *html, size_t len, const char *page_url, struct discovery *out,
                   char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > (size_t)1 << 30)
        return set_err(err, errlen, "page larger than 1 GiB");
    htmlDocPtr doc = htmlReadMemory(html, (int)len, page_url, NULL, DISCOVER_PARSE_OPTIONS);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return set_err(err, errlen, "the page could not be parsed as HTML");
    }
    char *base = base_of(root, page_url);
    collect(root, base, out);
    free(base);
    xmlFreeDoc(doc);
    return (int)out->n;
}

void discovery_free(struct discovery *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->feeds[i].url);
        free(d->feeds[i].type);
        free(d->feeds[i].title);
    }
    free(d->feeds);
    memset(d, 0, sizeof *d);
}
