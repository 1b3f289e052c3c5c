/* extract_internal.h: what extract/ shares between its files. Not for use outside extract/. */
#ifndef FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H
#define FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H

#include <libxml/HTMLparser.h>

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

/* What the page says about itself, per field and source, before the merge. */
struct page_meta {
    char *value[FIELDS][META_SOURCES];
    bool date_only[FIELDS][META_SOURCES]; /* published/modified given without a time of day */
    char **authors[META_SOURCES];         /* FIELD_AUTHOR's values: names, per source */
    size_t n_authors[META_SOURCES];
    char **categories; /* FIELD_CATEGORY's values, from every source */
    size_t n_categories;
    char *ld_body;           /* JSON-LD articleBody, when the page has one */
    bool markup_time_marked; /* the markup's date is a <time> marked as the publication's */
    xmlNode *byline_parent;  /* where the first rel=author / itemprop=author was found */
};

/* Fills the article's metadata fields: <meta> first, then OpenGraph, JSON-LD, markup. */
void extract_metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m);
void extract_page_meta_free(struct page_meta *m);
/* A copy with runs of whitespace made one space and the ends trimmed. Caller frees. */
char *extract_collapse_whitespace(const char *s);

/* extract.c: a short block most of whose text is links (a menu, a list of related links). */
bool extract_link_dense_block(xmlNode *n);

/* content_html.c: the kept nodes as clean HTML, then Markdown. begin, add each kept node (or
 * text, paragraph per line), finish: the HTML, caller frees. base_url and title borrowed. */
struct content_html {
    struct html_out *out;
};
void extract_content_begin(struct content_html *h, const char *base_url, const char *title);
void extract_content_add(struct content_html *h, xmlNode *n);
void extract_content_add_text(struct content_html *h, const char *text);
char *extract_content_finish(struct content_html *h);
/* The clean HTML as Markdown. Caller frees. */
char *extract_content_markdown(const char *html);
/* Whether content_html may write an element of this name (the fuzzer checks its output). */
bool extract_content_allowed(const char *name);

/* lead.c: a dateline and a byline at the start of text moved out of it (*text rewritten;
 * *dateline and *byline new strings or left NULL). */
void extract_lead_split(char **text, char **dateline, char **byline);

/* metadata.c: adds s to a list of strings unless it is there (case-insensitive). */
void extract_list_add(char ***list, size_t *n, const char *s);

#endif
