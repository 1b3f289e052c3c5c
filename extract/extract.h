/* extract.h: one HTML page in, one article out.
 *
 * extract_article() parses the page with libxml2's HTML parser (no network),
 * removes boilerplate (scripts, navigation, headers, footers, asides, forms,
 * share/related/newsletter/donation blocks, captions, tickers) and returns the
 * article text with its metadata. Pure: no I/O, no globals (the language guesser is the
 * caller's). The struct article owns its strings; article_free() releases them (and accepts
 * a zeroed struct). */
#ifndef FEEDSPOOL_EXTRACT_EXTRACT_H
#define FEEDSPOOL_EXTRACT_EXTRACT_H

#include <stddef.h>

#include "extract/language.h"

/* The article's body in forms besides its text (bits of extract_input.content). */
enum extract_content { EXTRACT_CONTENT_HTML = 1, EXTRACT_CONTENT_MARKDOWN = 2 };

struct extract_input {
    const char *data; /* page bytes, not necessarily NUL-terminated */
    size_t len;
    const char *url;          /* the page's URL, or NULL */
    const char *content_type; /* the HTTP Content-Type header, or NULL */
    unsigned content;         /* enum extract_content bits: which bodies besides the text */
    struct language_guesser *language; /* borrowed; NULL: lang only from the markup */
};

enum article_lang_source { ARTICLE_LANG_NONE, ARTICLE_LANG_MARKUP, ARTICLE_LANG_TEXT };

struct article {
    char *title;
    char *author;   /* the authors joined with ", " (record v1's form) */
    char **authors; /* n_authors names, each once */
    size_t n_authors;
    char **categories; /* the page's article tags, section and keywords, each once */
    size_t n_categories;
    char *description; /* the page's summary */
    char *published;   /* "YYYY-MM-DDTHH:MM:SSZ" or NULL */
    char *modified;    /* likewise */
    char *site;        /* site name, else the page's host */
    char *lang;        /* BCP 47 primary subtag, e.g. "en" */
    enum article_lang_source lang_source;
    double lang_confidence; /* 1 from the markup; 0-1 from the text (language.h) */
    char *canonical_url;    /* absolute */
    char *image;            /* lead image URL, absolute */
    char *text;             /* paragraphs separated by one blank line; never NULL on success */
    char *dateline;         /* "ISLAMABAD, Dec 3 (Reuters)" taken from the start of text, or NULL */
    char *byline;           /* "By Sana Jamal" taken from the start of text, or NULL */
    char *content_html;     /* with EXTRACT_CONTENT_HTML: clean HTML (content_html.c), else
                             * NULL (also for an article over 8 MiB as HTML) */
    char *content_markdown; /* with EXTRACT_CONTENT_MARKDOWN, else NULL (likewise) */
};

/* Returns 0 with *out filled, or -1 with a one-line reason in err (the page is
 * not HTML, is empty, or holds no article text); *out is then zeroed. */
int extract_article(const struct extract_input *in, struct article *out, char *err, size_t errlen);
/* Once, from the main thread, before extract_article() runs on other threads: libxml2's
 * global tables (its encoding handlers among them) are otherwise made by whichever thread
 * parses first, unlocked. Then any number of threads may extract, each its own page (and
 * each with its own language guesser). */
void extract_init_threads(void);
void article_free(struct article *a);

/* The names in one author string ("Ahmed Khan, Sara Ali" two; "Sana Jamal, Correspondent" one,
 * without its role), appended to *names (each once; the caller frees each and the array). */
void article_split_authors(const char *joined, char ***names, size_t *n);
/* Appends a copy of name (whitespace collapsed) to *list unless it is empty or there already,
 * whatever its case (the caller frees each and the array). */
void article_add_category(char ***list, size_t *n, const char *name);
/* The text of an HTML fragment (a feed's summary), whitespace collapsed. Caller frees. */
char *article_plain_text(const char *html);

#endif
