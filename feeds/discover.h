/* discover.h: the feeds an HTML page advertises (feed autodiscovery).
 *
 * A page names its feeds with <link rel="alternate" type="..." href="...">, where the type
 * is application/rss+xml, application/atom+xml, application/feed+json or application/json
 * (JSON Feed). discover_feeds() reads them with libxml2's HTML parser, in document order,
 * each href resolved against the page's <base href> and then its URL. Pure: no I/O. The
 * struct discovery owns its strings; discovery_free() releases them (and accepts a zeroed
 * one). */
#ifndef FEEDSPOOL_FEEDS_DISCOVER_H
#define FEEDSPOOL_FEEDS_DISCOVER_H

#include <stddef.h>

#define DISCOVER_MAX_FEEDS 100 /* feeds kept from one page */

struct discovered_feed {
    char *url;   /* absolute when the page's URL was known */
    char *type;  /* the type attribute, in lower case */
    char *title; /* the title attribute, or NULL */
};

struct discovery {
    struct discovered_feed *feeds;
    size_t n;
};

/* Reads len bytes of HTML; page_url (the final URL, after redirects) may be NULL. Returns
 * how many feeds were found (0 or more) with *out filled, or -1 with a reason in err when
 * the bytes cannot be parsed as HTML (*out zeroed). A URL advertised twice is listed once. */
int discover_feeds(const char *html, size_t len, const char *page_url, struct discovery *out,
                   char *err, size_t errlen);
void discovery_free(struct discovery *d);

#endif
