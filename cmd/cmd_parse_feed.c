/* cmd_parse_feed.c: `feedspool parse-feed FILE [--url URL]`: a feed file as normalised JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "cmd/commands.h"
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
    size_t len;
    char err[512];
    char *data = file_read_all(path, PARSE_FEED_MAX_BYTES, &len, err, sizeof err);
    if (!data) {
        fprintf(stderr, "feedspool parse-feed: %s\n", err);
        return 1;
    }
    int status = 0;
    struct feed feed;
    if (feed_parse(data, len, url, &feed, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool parse-feed: %s: %s\n", path, err);
        status = 1;
    } else {
        if (feed_write_json(&feed, stdout) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "feedspool parse-feed: writing the JSON failed\n");
            status = 1;
        }
        feed_free(&feed);
    }
    free(data);
    return status;
}
