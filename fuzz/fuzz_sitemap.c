/* fuzz_sitemap.c: libFuzzer harness for the sitemap reader (urlset, sitemapindex, Google News,
 * gzip), as the poller uses it: the first byte chooses sitemap=yes and the recency cut-off. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "feeds/sitemap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
    if (s && !utf8_valid(s, strlen(s)))
        abort(); /* every string goes into a JSON record */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct sitemap_options opts = {.taken_since = (data[0] & 2) ? 1700000000 : 0,
                                   .force = data[0] & 1};
    struct sitemap s;
    char err[256];
    if (sitemap_parse((const char *)data + 1, size - 1, "http://fuzz.example/dir/sitemap.xml",
                      &opts, &s, err, sizeof err) == 1) {
        for (size_t i = 0; i < s.feed.n_items; i++) {
            if (!s.feed.items[i].link)
                abort(); /* an item always has its loc */
            check_text(s.feed.items[i].link);
            check_text(s.feed.items[i].title);
        }
        for (size_t i = 0; i < s.n_children; i++)
            if (!s.children[i].url ||
                (i && s.children[i].has_lastmod && !s.children[i - 1].has_lastmod))
                abort(); /* dated children come first */
        check_text(s.feed.title);
        sitemap_free(&s);
    }
    return 0;
}
