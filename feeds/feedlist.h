/* feedlist.h: the feed list file users edit.
 *
 * One feed per line: a URL, then optional options, `#` starts a comment:
 *     https://www.dawn.com/feeds/home   name="Dawn"  interval=10m
 * Options: name=TEXT (quotes allow spaces), interval=DURATION (s/m/h/d suffix).
 * The list owns its strings; feedlist_free() releases them. */
#ifndef FEEDSPOOL_FEEDS_FEEDLIST_H
#define FEEDSPOOL_FEEDS_FEEDLIST_H

#include <stddef.h>

struct feed_entry {
    char *url;
    char *name;       /* NULL when not given */
    long interval;    /* seconds; 0 means the configured default */
    unsigned line;    /* where it stands in the file */
};

struct feed_list {
    struct feed_entry *entries;
    size_t n;
};

/* Parses text; name labels error messages ("NAME:LINE: reason"). Returns 0 or -1. */
int feedlist_parse(const char *text, const char *name, struct feed_list *out, char *err,
                   size_t errlen);
int feedlist_load(const char *path, struct feed_list *out, char *err, size_t errlen);
void feedlist_free(struct feed_list *list);
/* The entry with this URL, or NULL. */
const struct feed_entry *feedlist_find(const struct feed_list *list, const char *url);

#endif
