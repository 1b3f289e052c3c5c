/* test_feedlist.c: the feed list parser: options, comments, and line-precise errors. */
#include <stdlib.h>

#include "check.h"
#include "feeds/feedlist.h"

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

    CHECK(feedlist_parse("https://a.example/ colour=red\n", "f.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:1: unknown feed option 'colour'");

    CHECK(feedlist_parse("https://a.example/ interval=soon\n", "f.txt", &list, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "interval 'soon'");

    CHECK(feedlist_parse("https://a.example/\n#\nhttps://a.example/\n", "f.txt", &list, err,
                         sizeof err) == -1);
    CHECK_CONTAINS(err, "f.txt:3: https://a.example/ is already listed on line 1");
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
    RUN(test_missing_file);
    return check_summary();
}
