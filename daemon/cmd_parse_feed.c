/* cmd_parse_feed.c: `feedspool parse-feed FILE [--url URL]`: a feed file as normalised JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "daemon/commands.h"
#include "feeds/feed.h"

#define PARSE_FEED_MAX_BYTES (64L * 1024 * 1024)

int cmd_parse_feed(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool parse-feed FILE [--url URL]\n"
               "Parses an RSS, Atom or JSON feed file and prints it as one JSON object\n"
               "(format, title, link, subtitle, bozo, entries). URL, when given, is the\n"
               "document's address for resolving relative links. Exits 1 when the file is\n"
               "not a feed.\n");
        return 0;
    }
    const char *path = NULL, *url = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "feedspool parse-feed: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: feedspool parse-feed FILE [--url URL]\n");
        return 2;
    }
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "feedspool parse-feed: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct buf data;
    buf_init(&data, PARSE_FEED_MAX_BYTES);
    char chunk[65536];
    size_t n;
    int status = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&data, chunk, n) < 0) {
            fprintf(stderr, "feedspool parse-feed: %s: larger than %ld bytes\n", path,
                    PARSE_FEED_MAX_BYTES);
            status = 1;
            break;
        }
    if (f != stdin)
        fclose(f);
    struct feed feed;
    char err[512];
    if (status == 0 && feed_parse(data.data ? data.data : "", data.len, url, &feed, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool parse-feed: %s: %s\n", path, err);
        status = 1;
    } else if (status == 0) {
        json_t *out = feed_to_json(&feed);
        char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
            abort(); /* every string was made valid UTF-8: only allocation can fail */
        printf("%s\n", text);
        free(text);
        json_decref(out);
        feed_free(&feed);
    }
    buf_free(&data);
    return status;
}
