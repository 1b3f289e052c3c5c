/* sitemap.h: sitemaps (sitemaps.org 0.9, with Google News' extension) read as a source of
 * items, and sitemap indexes read as the list of sitemaps they name.
 *
 * sitemap_parse() streams the document (SAX, no tree; a gzip body is inflated as it goes),
 * so a 50,000-URL sitemap costs one URL's worth of memory besides the items it takes. Each
 * <url> becomes a struct feed_item (link: loc; title: news:title; published:
 * news:publication_date; updated: lastmod), so the poller treats it as a feed's item.
 * Only recent URLs are taken (see struct sitemap_options): a sitemap lists a site's whole
 * archive, a feed its newest items. Pure: no I/O, no globals, safe on hostile input. The
 * struct sitemap owns its strings; sitemap_free() releases them (and accepts a zeroed one). */
#ifndef FEEDSPOOL_FEEDS_SITEMAP_H
#define FEEDSPOOL_FEEDS_SITEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feeds/feed.h"

#define SITEMAP_MAX_BYTES (50L << 20) /* the protocol's limit, uncompressed */
#define SITEMAP_MAX_ITEMS 10000       /* items taken from one document, as for feeds */
#define SITEMAP_MAX_CHILDREN 1000     /* sitemaps kept from one index (newest first) */

enum sitemap_kind {
    SITEMAP_NONE = 0, /* not a sitemap */
    SITEMAP_URLSET,   /* <urlset>: URLs */
    SITEMAP_INDEX,    /* <sitemapindex>: other sitemaps */
};

/* A sitemap an index names. */
struct sitemap_child {
    char *url; /* absolute */
    int64_t lastmod;
    bool has_lastmod;
};

struct sitemap_options {
    /* A URL is taken when its date (news:publication_date, else lastmod) is at or after
     * this (epoch seconds), or when it is a news entry without a date; an undated plain URL
     * is never taken. Index entries older than this are dropped. */
    int64_t taken_since;
    bool force; /* the feed list said sitemap=yes: <urlset> or <sitemapindex> in any namespace */
};

struct sitemap {
    enum sitemap_kind kind;
    struct feed feed; /* the URLs taken, as items (feed.title: the news publication's name) */
    struct sitemap_child *children; /* an index's sitemaps, newest lastmod first, then undated */
    size_t n_children;
    size_t n_urls;    /* <url> (or index <sitemap>) entries read */
    size_t n_old;     /* not taken: dated before taken_since */
    size_t n_undated; /* not taken: a plain URL without lastmod */
    size_t n_invalid; /* not taken: no loc, or a field longer than 8 KiB */
    bool truncated;   /* larger than SITEMAP_MAX_BYTES uncompressed: the rest was not read */
    bool bozo;        /* not well-formed, recovered */
};

/* True when data begins like a gzip stream (sitemaps are often served as .xml.gz). */
bool sitemap_is_gzip(const char *data, size_t len);

/* Parses len bytes (XML, or gzip of it). doc_url, when not NULL, resolves relative locs.
 * Returns 1 with *out filled when the document is a sitemap, 0 when it is not one (*out
 * zeroed, nothing to free), -1 with a one-line reason in err when it cannot be read
 * (corrupt gzip, not XML; *out zeroed). */
int sitemap_parse(const char *data, size_t len, const char *doc_url,
                  const struct sitemap_options *opts, struct sitemap *out, char *err,
                  size_t errlen);
void sitemap_free(struct sitemap *s);

#endif
