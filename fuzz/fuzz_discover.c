/* fuzz_discover.c: libFuzzer harness for feed autodiscovery (the <link rel="alternate"> of an
 * HTML page, against its <base>), as the poller and `feedspool discover` use it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "feeds/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct discovery d;
    char err[256];
    int n = discover_feeds((const char *)data, size, "http://fuzz.example/dir/page.html", &d, err,
                           sizeof err);
    if (n >= 0) {
        if ((size_t)n != d.n || d.n > DISCOVER_MAX_FEEDS)
            abort();
        for (size_t i = 0; i < d.n; i++)
            if (!d.feeds[i].url || !d.feeds[i].type)
                abort();
        discovery_free(&d);
    }
    return 0;
}
