/* test_discover.c: the feeds an HTML page advertises (feeds/discover.c). */
#include <string.h>

#include "check.h"
#include "feeds/discover.h"

static void test_types_rel_and_base(void)
{
    const char *page =
        "<!DOCTYPE html><html><head><title>Home</title>"
        "<base href=\"https://cdn.example/site/\">"
        "<link rel=\"stylesheet\" type=\"text/css\" href=\"/style.css\">"
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Top stories\" "
        "href=\"feeds/top.rss\">"
        "<LINK REL=\"Alternate Home\" TYPE=\"Application/Atom+XML; charset=utf-8\" "
        "HREF=\" https://news.example/atom \">"
        "<link rel=\"alternate\" type=\"application/feed+json\" href=\"//news.example/f.json\">"
        "<link rel=\"alternate\" type=\"application/json\" href=\"/api/feed.json\">"
        "<link rel=\"alternate\" type=\"text/html\" hreflang=\"fr\" href=\"/fr/\">"
        "<link rel=\"alternatex\" type=\"application/rss+xml\" href=\"/not-this\">"
        "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"\">"
        "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"feeds/top.rss\">"
        /* found by fuzz_discover: a repeat with a title (it was read after being freed) */
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Again\" "
        "href=\"feeds/top.rss\">"
        "</head><body><p>text<link rel=\"alternate\" type=\"application/rss+xml\" "
        "href=\"https://news.example/body.rss\"></body></html>";
    struct discovery d;
    char err[256];
    CHECK(discover_feeds(page, strlen(page), "https://news.example/", &d, err, sizeof err) == 5);
    if (d.n == 5) {
        CHECK_STR(d.feeds[0].url, "https://cdn.example/site/feeds/top.rss");
        CHECK_STR(d.feeds[0].type, "application/rss+xml");
        CHECK_STR(d.feeds[0].title, "Top stories");
        CHECK_STR(d.feeds[1].url, "https://news.example/atom");
        CHECK_STR(d.feeds[1].type, "application/atom+xml");
        CHECK(d.feeds[1].title == NULL);
        CHECK_STR(d.feeds[2].url, "https://news.example/f.json");
        CHECK_STR(d.feeds[3].url, "https://cdn.example/api/feed.json");
        CHECK_STR(d.feeds[4].url, "https://news.example/body.rss");
    }
    discovery_free(&d);
    discovery_free(&d);
}

static void test_without_base_the_page_url(void)
{
    const char *page = "<html><head><link rel=alternate type=application/rss+xml href=rss>"
                       "</head></html>";
    struct discovery d;
    char err[256];
    CHECK(discover_feeds(page, strlen(page), "https://a.example/news/index.html", &d, err,
                         sizeof err) == 1);
    if (d.n)
        CHECK_STR(d.feeds[0].url, "https://a.example/news/rss");
    discovery_free(&d);
    /* a relative <base> is itself resolved against the page */
    const char *based = "<html><head><base href=\"/b/\"><link rel=alternate "
                        "type=application/atom+xml href=feed.atom></head></html>";
    CHECK(discover_feeds(based, strlen(based), "https://a.example/x/y", &d, err, sizeof err) == 1);
    if (d.n)
        CHECK_STR(d.feeds[0].url, "https://a.example/b/feed.atom");
    discovery_free(&d);
}

static void test_nothing_advertised(void)
{
    const char *page = "<html><body><a href=\"/rss\">RSS</a></body></html>";
    struct discovery d;
    char err[256];
    CHECK(discover_feeds(page, strlen(page), NULL, &d, err, sizeof err) == 0);
    CHECK(d.n == 0 && d.feeds == NULL);
    discovery_free(&d);
    CHECK(discover_feeds("", 0, NULL, &d, err, sizeof err) == -1);
    CHECK(d.n == 0);
}

int main(void)
{
    RUN(test_types_rel_and_base);
    RUN(test_without_base_the_page_url);
    RUN(test_nothing_advertised);
    return check_summary();
}
