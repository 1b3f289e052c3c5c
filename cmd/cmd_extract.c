/* cmd_extract.c: `feedspool extract FILE|- [--url URL] [--json]`: a page's article text,
 * or the record fields extraction gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/fileio.h"
#include "common/utf8.h"
#include "cmd/commands.h"
#include "extract/extract.h"

#define EXTRACT_MAX_INPUT (50L * 1024 * 1024)

int cmd_extract(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool extract FILE|- [--url URL] [--json]\n"
               "Extracts the article from an HTML page: prints its text, paragraphs separated by\n"
               "blank lines, or with --json the record's fields extraction gives: title, authors,\n"
               "author, published, modified, site, lang (with lang_source and lang_confidence),\n"
               "description, categories, canonical_url, image, dateline, byline, text,\n"
               "content_html and content_markdown. URL is the page's address (for relative\n"
               "links). Pages over 50 MB are refused. Exits 1 when no article is found.\n");
        return 0;
    }
    const char *path = NULL, *url = NULL;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "feedspool extract: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: feedspool extract FILE|- [--url URL] [--json]\n");
        return 2;
    }
    size_t page_len;
    char err[512];
    char *page = file_read_all(path, EXTRACT_MAX_INPUT, &page_len, err, sizeof err);
    if (!page) {
        fprintf(stderr, "feedspool extract: %s\n", err);
        return 1;
    }
    struct language_guesser *language = language_guesser_open(err, sizeof err);
    if (!language)
        fprintf(stderr, "feedspool extract: lang only from the markup: %s\n", err);
    struct extract_input in = {.data = page,
                               .len = page_len,
                               .url = url,
                               .content =
                                   as_json ? EXTRACT_CONTENT_HTML | EXTRACT_CONTENT_MARKDOWN : 0,
                               .language = language};
    struct article a;
    int status = 0;
    if (extract_article(&in, &a, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool extract: %s: %s\n", path, err);
        status = 1;
    } else if (as_json) {
        json_t *o = json_object();
        json_object_set_new(o, "title", utf8_json_string(a.title));
        json_t *authors = json_array(), *categories = json_array();
        for (size_t i = 0; i < a.n_authors; i++)
            json_array_append_new(authors, utf8_json_string(a.authors[i]));
        for (size_t i = 0; i < a.n_categories; i++)
            json_array_append_new(categories, utf8_json_string(a.categories[i]));
        json_object_set_new(o, "authors", authors);
        json_object_set_new(o, "author", utf8_json_string(a.author));
        json_object_set_new(o, "published", utf8_json_string(a.published));
        json_object_set_new(o, "modified", utf8_json_string(a.modified));
        json_object_set_new(o, "site", utf8_json_string(a.site));
        json_object_set_new(o, "lang", utf8_json_string(a.lang));
        static const char *const lang_sources[] = {NULL, "markup", "text"};
        json_object_set_new(o, "lang_source", utf8_json_string(lang_sources[a.lang_source]));
        json_object_set_new(o, "lang_confidence",
                            a.lang_source ? json_real(a.lang_confidence) : json_null());
        json_object_set_new(o, "description", utf8_json_string(a.description));
        json_object_set_new(o, "categories", categories);
        json_object_set_new(o, "canonical_url", utf8_json_string(a.canonical_url));
        json_object_set_new(o, "image", utf8_json_string(a.image));
        json_object_set_new(o, "dateline", utf8_json_string(a.dateline));
        json_object_set_new(o, "byline", utf8_json_string(a.byline));
        json_object_set_new(o, "text", utf8_json_string(a.text));
        json_object_set_new(o, "content_html", utf8_json_string(a.content_html));
        json_object_set_new(o, "content_markdown", utf8_json_string(a.content_markdown));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(o);
        article_free(&a);
    } else {
        printf("%s\n", a.text);
        article_free(&a);
    }
    language_guesser_close(language);
    free(page);
    return status;
}
