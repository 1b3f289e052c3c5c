/* test_feed_memory.c: parsing one big feed costs at most three times its size in memory.
 *
 * Builds a 10 MB RSS feed in memory (escaped HTML in descriptions, CDATA content, entity and
 * numeric references) and parses it. The peak resident size of this process (ru_maxrss)
 * grows, from before the feed was built to after it was parsed, by no more than 3x the
 * feed's size: the input, the parsed items and whatever the parser held meanwhile. The
 * sanitizers' shadow memory would dwarf the figure, so under them only the items are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "common/buf.h"
#include "feeds/feed.h"

#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_BOUND_CHECKED 0
#else
#define MEMORY_BOUND_CHECKED 1
#endif

#define FEED_BYTES (10u << 20)

static long peak_rss_bytes(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss * 1024L;
}

static char *big_feed(size_t *len, size_t *n_items)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" "
                       "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
                       "<title>Big &amp; busy</title><link>https://big.example/</link>\n");
    const char *words = "lorem ipsum &amp; dolor &lt;b&gt;sit&lt;/b&gt; amet &#8211; "
                        "consectetur &quot;adipiscing&quot; elit ";
    char body[4096] = "";
    while (strlen(body) + strlen(words) < sizeof body)
        strcat(body, words);
    for (*n_items = 0; b.len < FEED_BYTES; (*n_items)++) {
        char head[256];
        snprintf(
            head, sizeof head,
            "<item><title>Item %zu &amp; co</title><link>https://big.example/%zu?a=1&amp;b=2</link>"
            "<guid>g%zu</guid><pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate><description>",
            *n_items, *n_items, *n_items);
        buf_append_str(&b, head);
        buf_append_str(&b, body);
        buf_append_str(&b, "</description><content:encoded><![CDATA[<p>");
        buf_append_str(&b, body);
        buf_append_str(&b, "</p>]]></content:encoded></item>\n");
    }
    buf_append_str(&b, "</channel></rss>\n");
    *len = b.len;
    return buf_steal(&b);
}

static void test_big_feed_within_three_times_its_size(void)
{
    long before = peak_rss_bytes();
    size_t len, n_items;
    char *data = big_feed(&len, &n_items);
    struct feed f;
    char err[256];
    CHECK(feed_parse(data, len, NULL, &f, err, sizeof err) == 0);
    long grown = peak_rss_bytes() - before;
    CHECK(f.n_items == n_items);
    CHECK(f.n_items > 0 && strstr(f.items[0].summary, "& dolor <b>sit</b>") != NULL);
    printf("%zu-byte feed, %zu items: peak memory grew by %ld bytes, %.2fx the feed\n", len,
           n_items, grown, (double)grown / (double)len);
    if (MEMORY_BOUND_CHECKED)
        CHECK(grown <= 3 * (long)len);
    feed_free(&f);
    free(data);
}

int main(void)
{
    RUN(test_big_feed_within_three_times_its_size);
    return check_summary();
}
