/* test_sitemap.c: sitemaps and sitemap indexes read as item sources (feeds/sitemap.c). */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "check.h"
#include "common/buf.h"
#include "feeds/date.h"
#include "feeds/sitemap.h"

#define NOW 1780000000 /* 2026-05-28T20:26:40Z */
#define DAY 86400

static const struct sitemap_options recent = {.taken_since = NOW - 2 * DAY};

static const char news_sitemap[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
    "        xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"\n"
    "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
    " <url>\n"
    "  <loc>https://news.example/2026/05/28/talks-resume</loc>\n"
    "  <news:news>\n"
    "   <news:publication><news:name>The Example Times</news:name>"
    "<news:language>en</news:language></news:publication>\n"
    "   <news:publication_date>2026-05-28T18:05:00+02:00</news:publication_date>\n"
    "   <news:title>Talks resume &amp; a &#8220;ceasefire&#8221; holds</news:title>\n"
    "  </news:news>\n"
    "  <image:image><image:loc>https://img.example/1.jpg</image:loc></image:image>\n"
    " </url>\n"
    " <url>\n"
    "  <loc>/2026/05/28/relative</loc>\n"
    "  <news:news><news:title><![CDATA[Undated news item]]></news:title></news:news>\n"
    " </url>\n"
    " <url>\n"
    "  <loc>https://news.example/2019/old</loc>\n"
    "  <news:news><news:publication_date>2019-01-01</news:publication_date>"
    "<news:title>Old</news:title></news:news>\n"
    " </url>\n"
    "</urlset>\n";

static void test_news_sitemap(void)
{
    struct sitemap s;
    char err[256] = "";
    CHECK(sitemap_parse(news_sitemap, strlen(news_sitemap), "https://news.example/sitemap.xml",
                        &recent, &s, err, sizeof err) == 1);
    CHECK(s.kind == SITEMAP_URLSET);
    CHECK(s.n_urls == 3);
    CHECK(s.n_old == 1);
    CHECK(!s.bozo);
    CHECK_STR(s.feed.title, "The Example Times");
    CHECK(s.feed.n_items == 2);
    if (s.feed.n_items == 2) {
        struct feed_item *a = &s.feed.items[0], *b = &s.feed.items[1];
        CHECK_STR(a->link, "https://news.example/2026/05/28/talks-resume");
        CHECK_STR(a->title, "Talks resume & a \xe2\x80\x9c"
                            "ceasefire\xe2\x80\x9d holds");
        CHECK(a->has_published && a->published == 1779984300); /* 16:05Z */
        CHECK(a->id == NULL);
        CHECK_STR(b->link, "https://news.example/2026/05/28/relative");
        CHECK_STR(b->title, "Undated news item");
        CHECK(!b->has_published && !b->has_updated);
    }
    sitemap_free(&s);
    sitemap_free(&s); /* a freed one is zeroed */
}

static void test_plain_sitemap_takes_recent_lastmod_only(void)
{
    const char *doc = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                      "<url><loc>https://a.example/new</loc><lastmod>2026-05-28</lastmod></url>"
                      "<url><loc>https://a.example/old</loc><lastmod>2025-01-01</lastmod></url>"
                      "<url><loc>https://a.example/undated</loc></url>"
                      "<url><lastmod>2026-05-28</lastmod></url>" /* no loc */
                      "</urlset>";
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(doc, strlen(doc), NULL, &recent, &s, err, sizeof err) == 1);
    CHECK(s.n_urls == 4 && s.n_old == 1 && s.n_undated == 1);
    CHECK(s.feed.n_items == 1);
    if (s.feed.n_items == 1) {
        CHECK_STR(s.feed.items[0].link, "https://a.example/new");
        CHECK(s.feed.items[0].has_updated && !s.feed.items[0].has_published);
    }
    sitemap_free(&s);
}

static void test_index_newest_first(void)
{
    const char *doc =
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        "<sitemap><loc>https://a.example/s-undated.xml</loc></sitemap>"
        "<sitemap><loc>https://a.example/s-may27.xml</loc><lastmod>2026-05-27T10:00:00Z</lastmod>"
        "</sitemap>"
        "<sitemap><loc>s-may28.xml.gz</loc><lastmod>2026-05-28T10:00:00Z</lastmod></sitemap>"
        "<sitemap><loc>https://a.example/s-2020.xml</loc><lastmod>2020-01-01</lastmod></sitemap>"
        "</sitemapindex>";
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(doc, strlen(doc), "https://a.example/maps/index.xml", &recent, &s, err,
                        sizeof err) == 1);
    CHECK(s.kind == SITEMAP_INDEX);
    CHECK(s.feed.n_items == 0);
    CHECK(s.n_children == 3 && s.n_old == 1);
    if (s.n_children == 3) {
        CHECK_STR(s.children[0].url, "https://a.example/maps/s-may28.xml.gz");
        CHECK_STR(s.children[1].url, "https://a.example/s-may27.xml");
        CHECK_STR(s.children[2].url, "https://a.example/s-undated.xml");
        CHECK(!s.children[2].has_lastmod);
    }
    sitemap_free(&s);
}

static char *gzip_of(const char *text, size_t *len)
{
    uLong bound = compressBound(strlen(text)) + 32;
    char *out = malloc(bound);
    z_stream z = {0};
    CHECK(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)bound;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    *len = z.total_out;
    deflateEnd(&z);
    return out;
}

static void test_gzip(void)
{
    size_t len;
    char *gz = gzip_of(news_sitemap, &len);
    CHECK(sitemap_is_gzip(gz, len));
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(gz, len, "https://news.example/sitemap.xml.gz", &recent, &s, err,
                        sizeof err) == 1);
    CHECK(s.feed.n_items == 2 && !s.bozo);
    sitemap_free(&s);
    /* cut short: what was inflated is kept, marked recovered */
    CHECK(sitemap_parse(gz, len - 8, NULL, &recent, &s, err, sizeof err) == 1);
    CHECK(s.bozo);
    sitemap_free(&s);
    /* corrupt from the start: an error, not a sitemap */
    char bad[] = "\x1f\x8b\x08\x00garbage-garbage-garbage";
    CHECK(sitemap_parse(bad, sizeof bad - 1, NULL, &recent, &s, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "gzip");
    CHECK(s.feed.n_items == 0 && s.kind == SITEMAP_NONE);
    free(gz);
}

static void test_not_a_sitemap(void)
{
    const char *rss = "<rss version=\"2.0\"><channel><item><link>https://x/</link></item>"
                      "</channel></rss>";
    const char *foreign = "<urlset xmlns=\"urn:other\"><url><loc>https://x/a</loc>"
                          "<lastmod>2026-05-28</lastmod></url></urlset>";
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(rss, strlen(rss), NULL, &recent, &s, err, sizeof err) == 0);
    CHECK(s.kind == SITEMAP_NONE && s.feed.items == NULL);
    CHECK(sitemap_parse("{\"a\":1}", 7, NULL, &recent, &s, err, sizeof err) == 0);
    CHECK(sitemap_parse("", 0, NULL, &recent, &s, err, sizeof err) == 0);
    CHECK(sitemap_parse(foreign, strlen(foreign), NULL, &recent, &s, err, sizeof err) == 0);
    /* sitemap=yes reads a <urlset> in any namespace */
    struct sitemap_options forced = recent;
    forced.force = true;
    CHECK(sitemap_parse(foreign, strlen(foreign), NULL, &forced, &s, err, sizeof err) == 1);
    CHECK(s.feed.n_items == 1);
    sitemap_free(&s);
}

static void test_hostile(void)
{
    /* a document that declares entities is not read as a sitemap (nothing is expanded) */
    const char *doc = "<!DOCTYPE urlset [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
                      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                      "<url><loc>https://x.example/&b;</loc><lastmod>2026-05-28</lastmod></url>"
                      "</urlset>";
    struct sitemap s;
    char err[256];
    CHECK(sitemap_parse(doc, strlen(doc), NULL, &recent, &s, err, sizeof err) == 0);
    CHECK(s.feed.n_items == 0);
    /* an unclosed document is recovered, what was complete kept */
    const char *cut = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                      "<url><loc>https://x.example/a</loc><lastmod>2026-05-28</lastmod></url>"
                      "<url><loc>https://x.example/open";
    CHECK(sitemap_parse(cut, strlen(cut), NULL, &recent, &s, err, sizeof err) == 1);
    CHECK(s.feed.n_items == 1 && s.bozo);
    sitemap_free(&s);
    /* a loc longer than any real one drops its entry, and is not grown without bound */
    struct buf b;
    buf_init(&b, 0);
    buf_append_str(&b, "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>"
                       "https://x.example/");
    for (int i = 0; i < 100000; i++)
        buf_append_str(&b, "abcdefghij");
    buf_append_str(&b, "</loc><lastmod>2026-05-28</lastmod></url>"
                       "<url><loc>https://x.example/b</loc><lastmod>2026-05-28</lastmod></url>"
                       "</urlset>");
    CHECK(sitemap_parse(b.data, b.len, NULL, &recent, &s, err, sizeof err) == 1);
    CHECK(s.feed.n_items == 1 && s.n_invalid == 1);
    if (s.feed.n_items)
        CHECK_STR(s.feed.items[0].link, "https://x.example/b");
    sitemap_free(&s);
    buf_free(&b);
}

int main(void)
{
    RUN(test_news_sitemap);
    RUN(test_plain_sitemap_takes_recent_lastmod_only);
    RUN(test_index_newest_first);
    RUN(test_gzip);
    RUN(test_not_a_sitemap);
    RUN(test_hostile);
    return check_summary();
}
