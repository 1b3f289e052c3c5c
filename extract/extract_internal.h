/* extract_internal.h: what extract/ shares between its files. Not for use outside extract/. */
#ifndef FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H
#define FEEDSPOOL_EXTRACT_EXTRACT_INTERNAL_H

#include <libxml/HTMLparser.h>

#include "extract/extract.h"

/* What the page head says, before it is merged into the article by order of trust. */
struct page_meta {
    char *og_title, *title_tag, *site, *author, *og_url, *canonical, *image;
    char *published, *modified, *lang, *html_lang;
    char *ld_body; /* JSON-LD articleBody, when the page has one */
};

/* Fills the article's metadata fields (JSON-LD first, then meta/OpenGraph, then markup). */
void metadata_read(htmlDocPtr doc, const char *url, struct article *a, struct page_meta *m);
void page_meta_free(struct page_meta *m);
/* A copy with runs of whitespace made one space and the ends trimmed. Caller frees. */
char *collapse_whitespace(const char *s);

#endif
