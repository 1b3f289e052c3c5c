/* test_itemkey.c: item identity keys and record ids (feeds/itemkey.c). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "feeds/itemkey.h"

static void test_record_ids_come_from_hashes(void)
{
    char a[RECORD_ID_LEN + 1], b[RECORD_ID_LEN + 1];
    item_record_id("guid:http://x.example/feed\n42", a);
    item_record_id("guid:http://x.example/feed\n43", b);
    CHECK(strlen(a) == RECORD_ID_LEN);
    CHECK(strcmp(a, b) != 0);
    item_record_id("guid:http://x.example/feed\n42", b);
    CHECK_STR(a, b);
}

static void test_item_identity(void)
{
    struct feed_item guid = {.id = "42", .link = "http://a.example/1"};
    struct feed_item url_guid = {.id = "HTTP://A.example/1?utm_source=x"};
    struct feed_item dated = {
        .link = "http://a.example/live", .published = 1700000000, .has_published = true};
    struct feed_item dated_later = {
        .link = "http://a.example/live", .published = 1700003600, .has_published = true};
    struct feed_item undated = {.link = "http://a.example/live?utm_medium=rss"};
    struct feed_item text_only = {.title = "t", .content = "c"};
    struct feed_item nothing = {0};
    char *k;
    CHECK_STR((k = item_key("http://f/", &guid)), "guid:http://f/\n42");
    free(k);
    CHECK_STR((k = item_key("http://f/", &url_guid)), "url:http://a.example/1");
    free(k);
    char *a = item_key("http://f/", &dated), *b = item_key("http://f/", &dated_later);
    CHECK_STR(a, "url:http://a.example/live\n2023-11-14T22:13:20Z");
    CHECK(strcmp(a, b) != 0); /* one address, two dates: two items */
    free(a);
    free(b);
    CHECK_STR((k = item_key("http://f/", &undated)), "url:http://a.example/live");
    free(k);
    k = item_key("http://f/", &text_only);
    CHECK(k && strncmp(k, "text:http://f/\n", 15) == 0);
    free(k);
    CHECK(item_key("http://f/", &nothing) == NULL);
}

int main(void)
{
    RUN(test_record_ids_come_from_hashes);
    RUN(test_item_identity);
    return check_summary();
}
