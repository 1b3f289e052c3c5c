/* test_feedlist.c: the feed list parser (options, comments, line-precise errors), its
 * writer, and OPML import and export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "feeds/feedlist.h"
#include "feeds/opml.h"

static void test_parses_urls_options_and_comments(void)
{
    const char *text = "# news\n"
                       "https://example.com/feed.xml\n"
                       "\n"
                       "  http://b.example/rss   name=\"B News\" interval=10m  # fast\n"
                       "https://c.example/atom interval=3600\n";
    struct feed_list list;
    char err[256];
    CHECK(feedlist_parse(text, "feeds.txt", &list, err, sizeof err) == 0);
    CHECK(list.n == 3);
    if (list.n == 3) {
        CHECK_STR(list.entries[0].url, "https://example.com/feed.xml");
        CHECK(list.entries[0].name == NULL);
        CHECK(list.entries[0].interval == 0);
        CHECK(list.entries[0].line == 2);
        CHECK_STR(list.entries[1].url, "http://b.example/rss");
        CHECK_STR(list.entries[1].name, "B News");
        CHECK(list.entries[1].interval == 600);
        CHECK(list.entries[2].interval == 3600);
        CHECK(feedlist_find(&list, "http://b.example/rss") == &list.entries[1]);
        CHECK(feedlist_find(&list, "http://nope.example/") == NULL);
    }
    feedlist_free(&list);
}

static void test_errors_name_the_line(void)
{
    struct feed_list list;
    char err[256];
    CHECK(feedlist_parse("https://a.example/\nftp://b.example/x\n", "f.txt", &list, err,
                         sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:2:");
    CHECK_CONTAINS(err, "ftp://b.example/x");
    CHECK(list.n == 0);

    /* found by fuzz_feedlist: a quote inside the URL token must not make spaces part of it */
    CHECK(feedlist_parse("https://a.example/x\"y z\"\n", "f.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "is not an http or https URL");

    /* found by fuzz_feedlist: a control character in a name; an empty name */
    CHECK(feedlist_parse("http://efef name=\r\"\"\n", "f.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:1: expected option=value");
    CHECK(feedlist_parse("http://g.example/ name=\"a\001b\"\nhttp://h.example/ name=\n", "f.txt",
                         &list, err, sizeof err) == 0);
    CHECK(list.n == 2);
    if (list.n == 2) {
        CHECK_STR(list.entries[0].name, "ab");
        CHECK(list.entries[1].name == NULL);
    }
    feedlist_free(&list);

    CHECK(feedlist_parse("https://a.example/ colour=red\n", "f.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:1: unknown feed option 'colour'");

    CHECK(feedlist_parse("https://a.example/ interval=soon\n", "f.txt", &list, err, sizeof err) ==
          -1);
    CHECK_CONTAINS(err, "interval 'soon'");

    CHECK(feedlist_parse("https://a.example/\n#\nhttps://a.example/\n", "f.txt", &list, err,
                         sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:3: https://a.example/ is already listed on line 1");
}

static void test_topics_option_and_round_trip(void)
{
    const char *text = "https://a.example/f name=\"A News\" interval=2h topics=ttp,ceasefire\n"
                       "https://b.example/f\n";
    struct feed_list list, again;
    char err[256];
    CHECK(feedlist_parse(text, "f.txt", &list, err, sizeof err) == 0);
    CHECK(list.n == 2);
    if (list.n == 2) {
        CHECK_STR(list.entries[0].topics, "ttp,ceasefire");
        CHECK(list.entries[1].topics == NULL);
    }
    char *written = feedlist_format(&list);
    CHECK_STR(written, "https://a.example/f name=\"A News\" interval=7200s topics=ttp,ceasefire\n"
                       "https://b.example/f\n");
    CHECK(feedlist_parse(written, "again", &again, err, sizeof err) == 0);
    CHECK(again.n == 2);
    free(written);
    feedlist_free(&again);
    feedlist_free(&list);
}

static void test_sitemap_option(void)
{
    const char *text = "https://a.example/news-sitemap.xml sitemap=yes\n"
                       "https://b.example/f sitemap=no\n"
                       "https://c.example/f\n";
    struct feed_list list;
    char err[256];
    CHECK(feedlist_parse(text, "f.txt", &list, err, sizeof err) == 0);
    CHECK(list.n == 3);
    if (list.n == 3) {
        CHECK(list.entries[0].sitemap == FEEDLIST_SITEMAP_YES);
        CHECK(list.entries[1].sitemap == FEEDLIST_SITEMAP_NO);
        CHECK(list.entries[2].sitemap == FEEDLIST_SITEMAP_DETECT);
    }
    char *written = feedlist_format(&list);
    CHECK_STR(written, text);
    free(written);
    feedlist_free(&list);
    CHECK(feedlist_parse("https://a.example/s sitemap=maybe\n", "f.txt", &list, err, sizeof err) ==
          -1);
    CHECK_CONTAINS(err, "f.txt:1: sitemap 'maybe' is not yes or no");
}

static void test_bad_topics_option(void)
{
    const char *bad[] = {"topics=", "topics=a,,b", "topics=,a", "topics=a,", "topics=a;b"};
    struct feed_list list;
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *line = NULL;
        size_t n = strlen(bad[i]) + 32;
        line = malloc(n);
        snprintf(line, n, "https://a.example/ %s\n", bad[i]);
        CHECK(feedlist_parse(line, "f.txt", &list, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "is not a comma-separated list of topic ids");
        free(line);
    }
}

static void test_opml_import(void)
{
    const char *opml =
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n"
        "<outline text=\"Folder\">\n"
        "  <outline text=\"Dawn &amp; Co\" type=\"rss\" xmlUrl=\"https://dawn.example/feed#top\"/>\n"
        "  <outline title=\"With space\" text=\"ignored\" xmlUrl=\" http://s.example/a b\"/>\n"
        "</outline>\n"
        "<outline text=\"ftp\" xmlUrl=\"ftp://x.example/\"/>\n"
        "<outline text=\"again\" xmlUrl=\"https://dawn.example/feed\"/>\n"
        "<outline text=\"no feed, a folder only\"/>\n"
        "<outline text=\"a site\" htmlUrl=\"https://site.example/\"/>\n"
        "<outline text=\"a folder with a site\" htmlUrl=\"https://folder.example/\">"
        "<outline text=\"inner\" xmlUrl=\"https://inner.example/rss\" "
        "xmlns:feedspool=\"urn:feedspool:opml\" feedspool:sitemap=\"yes\"/></outline>\n"
        "</body></opml>\n";
    struct opml_import in;
    char err[256];
    CHECK(opml_parse(opml, strlen(opml), &in, err, sizeof err) == 0);
    CHECK(in.feeds.n == 4);
    CHECK(in.skipped == 2);
    CHECK(in.pages == 1);
    if (in.feeds.n == 4) {
        CHECK_STR(in.feeds.entries[2].url, "https://site.example/");
        CHECK_STR(in.feeds.entries[3].url, "https://inner.example/rss");
        CHECK(in.feeds.entries[3].sitemap == FEEDLIST_SITEMAP_YES);
        CHECK(in.feeds.entries[2].sitemap == FEEDLIST_SITEMAP_DETECT);
    }
    if (in.feeds.n >= 2) {
        CHECK_STR(in.feeds.entries[0].url, "https://dawn.example/feed");
        CHECK_STR(in.feeds.entries[0].name, "Dawn & Co");
        CHECK_STR(in.feeds.entries[1].url, "http://s.example/a%20b");
        CHECK_STR(in.feeds.entries[1].name, "With space");
    }
    feedlist_free(&in.feeds);

    CHECK(opml_parse("<rss/>", 6, &in, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not an OPML document");
    CHECK(opml_parse("", 0, &in, err, sizeof err) == -1);

    const char *bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE opml [<!ENTITY a \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
        "<opml><body><outline text=\"&d;&d;&d;\" xmlUrl=\"http://x.example/\"/></body></opml>";
    CHECK(opml_parse(bomb, strlen(bomb), &in, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "entities would expand");
}

static void test_opml_round_trip_keeps_options(void)
{
    /* found by fuzz_opml: bytes outside ASCII (invalid UTF-8 too) in a URL and a name */
    const char *odd =
        "<opml><body><outline title=\"Caf\xe9\" xmlUrl=\"http://b.example/\xd8\xb9 x\xf4\xb4\"/>"
        "</body></opml>";
    struct opml_import first, second;
    char oerr[256];
    CHECK(opml_parse(odd, strlen(odd), &first, oerr, sizeof oerr) == 0);
    CHECK(first.feeds.n == 1);
    if (first.feeds.n == 1)
        CHECK_STR(first.feeds.entries[0].url, "http://b.example/%D8%B9%20x%F4%B4");
    char *again = opml_format(&first.feeds, "t");
    CHECK(opml_parse(again, strlen(again), &second, oerr, sizeof oerr) == 0);
    CHECK(second.feeds.n == first.feeds.n);
    free(again);
    feedlist_free(&first.feeds);
    feedlist_free(&second.feeds);

    struct feed_list list;
    char err[256];
    CHECK(feedlist_parse("https://a.example/f name=\"A <&> B\" interval=10m topics=ttp\n"
                         "http://b.example/rss\n",
                         "f.txt", &list, err, sizeof err) == 0);
    char *opml = opml_format(&list, "mine");
    CHECK_CONTAINS(opml, "<opml");
    CHECK_CONTAINS(opml, "A &lt;&amp;&gt; B");
    struct opml_import in;
    CHECK(opml_parse(opml, strlen(opml), &in, err, sizeof err) == 0);
    char *a = feedlist_format(&list), *b = feedlist_format(&in.feeds);
    CHECK_STR(b, a);
    free(a);
    free(b);
    free(opml);
    feedlist_free(&in.feeds);
    feedlist_free(&list);
}

/* feedspool:interval is a duration as in the feed list; it was read with strtol, so "10m"
 * became ten seconds. */
static void test_opml_interval_is_a_duration(void)
{
    const char *opml = "<opml xmlns:feedspool=\"urn:feedspool:opml\"><body>"
                       "<outline xmlUrl=\"http://a.example/\" feedspool:interval=\"10m\"/>"
                       "<outline xmlUrl=\"http://b.example/\" feedspool:interval=\"900\"/>"
                       "<outline xmlUrl=\"http://c.example/\" feedspool:interval=\"soon\"/>"
                       "<outline xmlUrl=\"http://d.example/\" feedspool:interval=\"90d\"/>"
                       "</body></opml>";
    struct opml_import in;
    char err[256];
    CHECK(opml_parse(opml, strlen(opml), &in, err, sizeof err) == 0);
    CHECK(in.feeds.n == 4);
    if (in.feeds.n == 4) {
        CHECK(in.feeds.entries[0].interval == 600);
        CHECK(in.feeds.entries[1].interval == 900);
        CHECK(in.feeds.entries[2].interval == 0); /* not a duration: the default */
        CHECK(in.feeds.entries[3].interval == 0); /* beyond FEEDLIST_MAX_INTERVAL */
    }
    feedlist_free(&in.feeds);
}

static void test_missing_file(void)
{
    struct feed_list list;
    char err[256];
    CHECK(feedlist_load("/nonexistent/feeds.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "/nonexistent/feeds.txt: cannot open");
}

int main(void)
{
    RUN(test_parses_urls_options_and_comments);
    RUN(test_errors_name_the_line);
    RUN(test_topics_option_and_round_trip);
    RUN(test_sitemap_option);
    RUN(test_bad_topics_option);
    RUN(test_opml_import);
    RUN(test_opml_round_trip_keeps_options);
    RUN(test_opml_interval_is_a_duration);
    RUN(test_missing_file);
    return check_summary();
}
