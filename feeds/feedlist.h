/* feedlist.h: the feed list file users edit.
 *
 * One feed per line: a URL, then optional options, `#` starts a comment:
 *     https://www.dawn.com/feeds/home   name="Dawn"  interval=10m  topics=ttp,ceasefire
 * Options: name=TEXT (quotes allow spaces), interval=DURATION (s/m/h/d suffix),
 * topics=ID[,ID...] (only these topics are tagged on the feed's articles; default all),
 * sitemap=yes|no (the URL is a sitemap or sitemap index, read as one whatever its namespace;
 * no: never read as one; default: a sitemap is recognised by its document element).
 * The list owns its strings; feedlist_free() releases them. */
#ifndef FEEDSPOOL_FEEDS_FEEDLIST_H
#define FEEDSPOOL_FEEDS_FEEDLIST_H

#include <stdbool.h>
#include <stddef.h>

enum feedlist_sitemap {
    FEEDLIST_SITEMAP_DETECT = 0, /* read as a sitemap when it is one */
    FEEDLIST_SITEMAP_YES,
    FEEDLIST_SITEMAP_NO,
};

struct feed_entry {
    char *url;
    char *name;    /* NULL when not given */
    long interval; /* seconds; 0 means the configured default */
    char *topics;  /* comma-separated topic ids to apply; NULL means all */
    enum feedlist_sitemap sitemap;
    unsigned line; /* where it stands in the file */
};

struct feed_list {
    struct feed_entry *entries;
    size_t n;
};

/* Parses text; name labels error messages ("NAME:LINE: reason"). Returns 0 or -1. */
int feedlist_parse(const char *text, const char *name, struct feed_list *out, char *err,
                   size_t errlen);
int feedlist_load(const char *path, struct feed_list *out, char *err, size_t errlen);
#define FEEDLIST_MAX_INTERVAL (30L * 86400) /* seconds: a feed is polled at least monthly */

/* A feed's interval= (a duration, common/duration.h; bare numbers are seconds) into *out
 * seconds, 1 s to FEEDLIST_MAX_INTERVAL. Returns 0, or -1 when it is not one. */
int feedlist_parse_interval(const char *text, long *out);
/* "a,b-c,d_e": non-empty ids of letters, digits, '-' and '_', separated by commas. */
bool feedlist_valid_topics(const char *list);
/* Appends one entry (copies of url, name and topics; url must not be listed yet; sitemap
 * detected). */
void feedlist_append(struct feed_list *list, const char *url, const char *name, long interval,
                     const char *topics);
/* The list in its file format, one line a feed, ready to write back. Caller frees. */
char *feedlist_format(const struct feed_list *list);
void feedlist_free(struct feed_list *list);
/* Keeps, in order, the entries for which keep() is true and frees the others; returns
 * how many stay. */
size_t feedlist_retain(struct feed_list *list, bool (*keep)(const struct feed_entry *, void *),
                       void *ud);
/* The entry with this URL, or NULL. */
const struct feed_entry *feedlist_find(const struct feed_list *list, const char *url);

#endif
