/* extract_internal.h: what extract/ shares between its files. Not for use outside extract/. */
#ifndef FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H
#define FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdint.h>

#include "extract/extract.h"

/* Where a metadata value came from, in order of trust. */
enum meta_source { META_TAG, META_OPENGRAPH, META_JSON_LD, META_MARKUP, META_SOURCES };
enum meta_field {
    FIELD_TITLE,
    FIELD_AUTHOR,
    FIELD_PUBLISHED,
    FIELD_MODIFIED,
    FIELD_SITE,
    FIELD_IMAGE,
    FIELD_LANG,
    FIELD_CANONICAL,
    FIELD_DESCRIPTION,
    FIELD_CATEGORY,
    FIELDS
};

/* How much of an instant a date names: its day, a time of day without a zone, or with one. */
enum date_precision { DATE_DAY, DATE_LOCAL_TIME, DATE_ZONED_TIME };

/* What the page says about itself, per field and source, before the merge. */
struct page_meta {
    char *value[FIELDS][META_SOURCES];
    /* published/modified: the instant, and how precisely the page gave it */
    int64_t when[FIELDS][META_SOURCES];
    enum date_precision precision[FIELDS][META_SOURCES];
    char **authors[META_SOURCES]; /* FIELD_AUTHOR's values: names, per source */
    size_t n_authors[META_SOURCES];
    char **categories; /* FIELD_CATEGORY's values, from every source */
    size_t n_categories;
    char *ld_body;           /* JSON-LD articleBody, when the page has one */
    json_t *ld_roots;        /* the page's JSON-LD blocks, parsed (an array) */
    bool markup_time_marked; /* the markup's date is a <time> marked as the publication's */
    xmlNode *byline_parent;  /* where the first rel=author / itemprop=author was found */
    char **class_authors;    /* names in the first byline found by its class ("author", ...) */
    size_t n_class_authors;
    char *byline_class;           /* that byline's class attribute */
    xmlNode *byline_class_parent; /* and its parent: siblings of the same class add names */
    char *headings[3];            /* the page's first <h1>s, to tell which title the page shows */
};

/* Fills the article's metadata fields: <meta> first, then OpenGraph, JSON-LD, markup. */
void extract_metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m);
void extract_page_meta_free(struct page_meta *m);
/* A copy with runs of whitespace made one space and the ends trimmed. Caller frees. */
char *extract_collapse_whitespace(const char *s);

/* extract.c: a short block most of whose text is links (a menu, a list of related links). */
bool extract_link_dense_block(xmlNode *n);

/* content_html.c: the kept nodes as clean HTML, then Markdown. begin, add each kept node (or
 * text, paragraph per line), finish: the HTML (caller frees), or NULL when it would pass 8 MiB.
 * base_url and title are borrowed. */
struct content_html {
    struct html_out *out;
};
void extract_content_begin(struct content_html *h, const char *base_url, const char *title);
void extract_content_add(struct content_html *h, xmlNode *n);
void extract_content_add_text(struct content_html *h, const char *text);
char *extract_content_finish(struct content_html *h);
/* The clean HTML as Markdown (caller frees), or NULL when it would pass 16 MiB. */
char *extract_content_markdown(const char *html);

/* lead.c: a dateline and a byline at the start of text moved out of it (*text rewritten;
 * *dateline and *byline new strings or left NULL). */
void extract_lead_split(char **text, char **dateline, char **byline);

/* metadata.c: adds s to a list of strings unless it is there (case-insensitive). */
void extract_list_add(char ***list, size_t *n, const char *s);

#endif
