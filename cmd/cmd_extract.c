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
               "blank lines, or with --json the fields title, author, published, modified, site,\n"
               "lang, canonical_url, image and text. URL is the page's address (for relative\n"
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
    struct extract_input in = {.data = page, .len = page_len, .url = url};
    struct article a;
    int status = 0;
    if (extract_article(&in, &a, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool extract: %s: %s\n", path, err);
        status = 1;
    } else if (as_json) {
        json_t *o = json_object();
        json_object_set_new(o, "title", utf8_json_string(a.title));
        json_object_set_new(o, "author", utf8_json_string(a.author));
        json_object_set_new(o, "published", utf8_json_string(a.published));
        json_object_set_new(o, "modified", utf8_json_string(a.modified));
        json_object_set_new(o, "site", utf8_json_string(a.site));
        json_object_set_new(o, "lang", utf8_json_string(a.lang));
        json_object_set_new(o, "canonical_url", utf8_json_string(a.canonical_url));
        json_object_set_new(o, "image", utf8_json_string(a.image));
        json_object_set_new(o, "text", utf8_json_string(a.text));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(o);
        article_free(&a);
    } else {
        printf("%s\n", a.text);
        article_free(&a);
    }
    free(page);
    return status;
}
