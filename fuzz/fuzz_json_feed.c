/* fuzz_json_feed.c: libFuzzer harness aimed at the JSON Feed reader: every input is handed
 * to the feed parser as a JSON document (a '{' is put in front when it does not start so). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *doc = malloc(size + 1);
    if (!doc)
        return 0;
    size_t len = size;
    if (size && data[0] == '{') {
        memcpy(doc, data, size);
    } else {
        doc[0] = '{';
        memcpy(doc + 1, data, size);
        len++;
    }
    struct feed feed;
    char err[256];
    if (feed_parse(doc, len, "https://fuzz.example/feed.json", &feed, err, sizeof err) == 0) {
        json_t *out = feed_to_json(&feed);
        char *text = json_dumps(out, JSON_COMPACT);
        if (!text)
            abort();
        free(text);
        json_decref(out);
        feed_free(&feed);
    }
    free(doc);
    return 0;
}
