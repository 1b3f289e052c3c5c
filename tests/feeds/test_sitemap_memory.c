/* test_sitemap_memory.c: a 50,000-URL sitemap is read without holding the document.
 *
 * Builds a news sitemap of 50,000 URLs (the protocol's maximum; 1 in 50 recent), gzips it,
 * and parses both forms. The peak resident size (ru_maxrss) grows, from before the document
 * was built to after it was parsed, by at most the document plus a quarter of it: the input
 * and the few items taken, never a tree of the whole. The gzip form, parsed first in its
 * own measurement, grows by at most its compressed size plus 4 MiB. Under the sanitizers
 * only the items are checked (their shadow memory would dwarf the figures). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "check.h"
#include "common/buf.h"
#include "feeds/sitemap.h"

#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_BOUND_CHECKED 0
#else
#define MEMORY_BOUND_CHECKED 1
#endif

#define URLS 50000
#define RECENT_EVERY 50
#define NOW 1780000000

static long peak_rss_bytes(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss * 1024L;
}

/* The sitemap's text an entry at a time: the header (i = -1), URL i, or the footer (URLS). */
static void sitemap_part(int i, char *out, size_t size)
{
    if (i < 0)
        snprintf(out, size,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
                 "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");
    else if (i == URLS)
        snprintf(out, size, "</urlset>\n");
    else
        snprintf(out, size,
                 "<url><loc>https://big.example/section-%d/2026/article-%d-a-long-slug-for-"
                 "the-headline</loc><lastmod>%s</lastmod><news:news><news:publication>"
                 "<news:name>Big Example</news:name><news:language>en</news:language>"
                 "</news:publication><news:publication_date>%s</news:publication_date>"
                 "<news:title>Headline number %d &amp; more words of a headline</news:title>"
                 "</news:news></url>\n",
                 i % 20, i, i % RECENT_EVERY ? "2024-02-01" : "2026-05-28T12:00:00Z",
                 i % RECENT_EVERY ? "2024-02-01T08:00:00Z" : "2026-05-28T11:00:00Z", i);
}

static char *big_sitemap(size_t *len)
{
    struct buf b;
    buf_init(&b, 0);
    char part[1024];
    for (int i = -1; i <= URLS; i++) {
        sitemap_part(i, part, sizeof part);
        buf_append_str(&b, part);
    }
    *len = b.len;
    return buf_steal(&b);
}

/* The same sitemap gzipped as it is made, so that its text is never whole in memory. */
static char *big_sitemap_gzip(size_t *len, size_t *inflated)
{
    struct buf b;
    buf_init(&b, 0);
    z_stream z = {0};
    CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    char part[1024], out[16384];
    *inflated = 0;
    for (int i = -1; i <= URLS; i++) {
        sitemap_part(i, part, sizeof part);
        *inflated += strlen(part);
        z.next_in = (Bytef *)part;
        z.avail_in = (uInt)strlen(part);
        int flush = i == URLS ? Z_FINISH : Z_NO_FLUSH, rc;
        do {
            z.next_out = (Bytef *)out;
            z.avail_out = sizeof out;
            rc = deflate(&z, flush);
            buf_append(&b, out, sizeof out - z.avail_out);
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    deflateEnd(&z);
    *len = b.len;
    return buf_steal(&b);
}

static const struct sitemap_options recent = {.taken_since = NOW - 2 * 86400};

static void test_gzip_sitemap_costs_little_more_than_its_compressed_size(void)
{
    long before = peak_rss_bytes();
    size_t gz_len, len;
    char *gz = big_sitemap_gzip(&gz_len, &len);
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(gz, gz_len, NULL, &recent, &s, err, sizeof err) == 1);
    long grown = peak_rss_bytes() - before;
    CHECK(s.n_urls == URLS && s.feed.n_items == URLS / RECENT_EVERY);
    printf("%zu-byte gzip (%zu inflated), %zu URLs, %zu taken: peak grew by %ld bytes\n", gz_len,
           len, s.n_urls, s.feed.n_items, grown);
    if (MEMORY_BOUND_CHECKED)
        CHECK(grown <= (long)gz_len + (4L << 20));
    sitemap_free(&s);
    free(gz);
}

static void test_big_sitemap_is_streamed(void)
{
    long before = peak_rss_bytes();
    size_t len;
    char *doc = big_sitemap(&len);
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(doc, len, "https://big.example/sitemap.xml", &recent, &s, err,
                        sizeof err) == 1);
    long grown = peak_rss_bytes() - before;
    CHECK(s.n_urls == URLS && s.n_old == URLS - URLS / RECENT_EVERY);
    CHECK(s.feed.n_items == URLS / RECENT_EVERY);
    printf("%zu-byte sitemap, %zu URLs, %zu taken: peak grew by %ld bytes, %.2fx the document\n",
           len, s.n_urls, s.feed.n_items, grown, (double)grown / (double)len);
    if (MEMORY_BOUND_CHECKED)
        CHECK(grown <= (long)len + (long)len / 4);
    sitemap_free(&s);
    free(doc);
}

int main(void)
{
    RUN(test_gzip_sitemap_costs_little_more_than_its_compressed_size);
    RUN(test_big_sitemap_is_streamed);
    return check_summary();
}
