/* opml.h: OPML 1.0/2.0 subscription lists, read into and written from a feed list.
 *
 * opml_parse() takes every <outline> with an xmlUrl (at any depth: folders nest) whose
 * URL is http or https; its title (or text) becomes the feed's name. An outline with no
 * xmlUrl and no outlines inside but an htmlUrl names a site without its feed: its page is
 * taken (the daemon polls the feed the page advertises, see feeds/discover.h). The parser has no
 * network access, loads no DTD and expands no entities, like the feed parser.
 * opml_format() writes the list back as OPML 2.0 (interval, topics and sitemap ride along as
 * feedspool:interval, feedspool:topics and feedspool:sitemap attributes, so a round trip
 * keeps them). */
#ifndef FEEDSPOOL_FEEDS_OPML_H
#define FEEDSPOOL_FEEDS_OPML_H

#include <stddef.h>

#include "feeds/feedlist.h"

struct opml_import {
    struct feed_list feeds; /* in document order, each URL once */
    size_t skipped;         /* outlines with an xmlUrl that is not http(s), or listed twice */
    size_t pages;           /* of the feeds, those taken from an htmlUrl (a page) */
};

/* Returns 0 with *out filled (free out->feeds with feedlist_free), or -1 with a reason. */
int opml_parse(const char *data, size_t len, struct opml_import *out, char *err, size_t errlen);
/* The list as an OPML 2.0 document titled title. Caller frees. */
char *opml_format(const struct feed_list *list, const char *title);

#endif
