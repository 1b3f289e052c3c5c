/* fuzz_opml.c: libFuzzer harness for OPML import; what imports must export and import again
 * to the same feed list. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feeds/opml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct opml_import in, again;
    char err[256];
    if (opml_parse((const char *)data, size, &in, err, sizeof err) == 0) {
        char *opml = opml_format(&in.feeds, "fuzz");
        if (opml_parse(opml, strlen(opml), &again, err, sizeof err) != 0 ||
            again.feeds.n != in.feeds.n)
            __builtin_trap();
        free(opml);
        feedlist_free(&again.feeds);
        feedlist_free(&in.feeds);
    }
    return 0;
}
