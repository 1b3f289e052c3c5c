/* fuzz_feedlist.c: libFuzzer harness for the feed list parser and writer: whatever parses
 * must be written back into text that parses to the same list. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/feedlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct feed_list list, again;
    char err[512];
    if (feedlist_parse(text, "fuzz.txt", &list, err, sizeof err) == 0) {
        char *written = feedlist_format(&list);
        if (feedlist_parse(written, "written", &again, err, sizeof err) != 0 || again.n != list.n)
            __builtin_trap();
        char *rewritten = feedlist_format(&again);
        if (strcmp(written, rewritten) != 0)
            __builtin_trap();
        free(rewritten);
        free(written);
        feedlist_free(&again);
        feedlist_free(&list);
    }
    free(text);
    return 0;
}
