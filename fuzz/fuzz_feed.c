/* fuzz_feed.c: libFuzzer harness for the feed parser (RSS, RDF, Atom, JSON Feed) and its
 * JSON output (whole, and written an entry at a time), as the daemon and `parse-feed` use them. */
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include "feeds/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed feed;
    char err[256];
    if (feed_parse((const char *)data, size, "http://fuzz.example/dir/feed", &feed, err,
                   sizeof err) == 0) {
        json_t *out = feed_to_json(&feed);
        char *text = json_dumps(out, JSON_COMPACT);
        if (!text)
            abort(); /* every string must have been made valid UTF-8 */
        free(text);
        json_decref(out);
        static FILE *sink;
        if (!sink)
            sink = fopen("/dev/null", "w");
        if (sink && feed_write_json(&feed, sink) < 0) /* parse-feed's streamed writer */
            abort();
        feed_free(&feed);
    }
    return 0;
}
