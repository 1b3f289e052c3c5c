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
    FIELDS
};

/* What the page says about itself, per field and source, before the merge. */
struct page_meta {
    char *value[FIELDS][META_SOURCES];
    char *ld_body; /* JSON-LD articleBody, when the page has one */
};

/* Fills the article's metadata fields: <meta> first, then OpenGraph, JSON-LD, markup. */
void extract_metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m);
void extract_page_meta_free(struct page_meta *m);
/* A copy with runs of whitespace made one space and the ends trimmed. Caller frees. */
char *extract_collapse_whitespace(const char *s);

#endif
