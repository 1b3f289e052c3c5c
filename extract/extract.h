/* extract.h: one HTML page in, one article out.
 *
 * extract_article() parses the page with libxml2's HTML parser (no network),
 * removes boilerplate (scripts, navigation, headers, footers, asides, forms,
 * share/related/newsletter/donation blocks, captions, tickers) and returns the
 * article text with its metadata. Pure: no I/O, no globals. The struct article
 * owns its strings; article_free() releases them (and accepts a zeroed struct). */
#ifndef FEEDSPOOL_EXTRACT_EXTRACT_H
#define FEEDSPOOL_EXTRACT_EXTRACT_H

#include <stddef.h>

struct extract_input {
    const char *data; /* page bytes, not necessarily NUL-terminated */
    size_t len;
    const char *url;          /* the page's URL, or NULL */
    const char *content_type; /* the HTTP Content-Type header, or NULL */
};

struct article {
    char *title;
    char *author;        /* several authors joined with ", " */
    char *published;     /* "YYYY-MM-DDTHH:MM:SSZ" or NULL */
    char *modified;      /* likewise */
    char *site;          /* site name */
    char *lang;          /* BCP 47 tag, e.g. "en" */
    char *canonical_url; /* absolute */
    char *image;         /* lead image URL, absolute */
    char *text;          /* paragraphs separated by one blank line; never NULL on success */
};

/* Returns 0 with *out filled, or -1 with a one-line reason in err (the page is
 * not HTML, is empty, or holds no article text); *out is then zeroed. */
int extract_article(const struct extract_input *in, struct article *out, char *err, size_t errlen);
void article_free(struct article *a);

#endif
