/* test_report.c: the read-only queries of `feedspool feeds` and `feedspool items` over a
 * real database written through state.c: feed states and item counts, the failing filter,
 * item filters by state and feed, newest first, the limit; a missing database. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/report.h"
#include "store/state.h"

static char db_path[] = "/tmp/feedspool-test-report-XXXXXX";

static void fill(void)
{
    struct state *st;
    char err[256];
    if (state_open(db_path, &st, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    CHECK(state_feed_set_poll(st, "http://a/feed", 2000000000, 0, 200, NULL) == 0);
    CHECK(state_feed_set_poll(st, "http://b/feed", 2000000000, 3, 404, "HTTP 404") == 0);
    CHECK(state_feed_set_poll(st, "http://c/feed", 2000000000, 0, 200, NULL) == 0);
    CHECK(state_feed_set_gone(st, "http://c/feed", true) == 0);
    CHECK(state_item_add(st, "k1", "r1", "http://a/feed", "a/1",
                         "{\"link\":\"http://a/1\",\"title\":\"One\"}") == 0);
    CHECK(state_item_add(st, "k2", "r2", "http://a/feed", "a/2", "{\"link\":\"http://a/2\"}") == 0);
    CHECK(state_item_add(st, "k3", "r3", "http://a/feed", NULL, "not json") == 0);
    CHECK(state_item_add(st, "k4", "r4", "http://b/feed", NULL, "{}") == 0);
    CHECK(state_item_set_emitted(st, "k1") == 0);
    CHECK(state_item_set_failed(st, "k2", "page fetch failed: HTTP 500") == 0);
    state_close(st);
}

static void test_feeds(void)
{
    struct report *r;
    char err[256];
    CHECK(report_open(db_path, &r, err, sizeof err) == 0);
    struct report_feed *feeds;
    size_t n;
    CHECK(report_feeds(r, false, &feeds, &n, err, sizeof err) == 0);
    CHECK(n == 3);
    if (n == 3) {
        CHECK_STR(feeds[0].url, "http://a/feed");
        CHECK_STR(feeds[0].state, "ok");
        CHECK(feeds[0].last_status == 200);
        CHECK(feeds[0].last_error == NULL);
        CHECK(feeds[0].last_success > 0);
        CHECK(feeds[0].next_poll == 2000000000);
        CHECK(feeds[0].items_seen == 3 && feeds[0].items_written == 1);
        CHECK(feeds[0].items_failed == 1 && feeds[0].items_pending == 1);
        CHECK_STR(feeds[1].state, "failing");
        CHECK(feeds[1].errors == 3 && feeds[1].last_status == 404);
        CHECK_STR(feeds[1].last_error, "HTTP 404");
        CHECK(feeds[1].last_success == 0);
        CHECK(feeds[1].items_seen == 1 && feeds[1].items_written == 0);
        CHECK_STR(feeds[2].state, "gone");
    }
    report_feeds_free(feeds, n);
    CHECK(report_feeds(r, true, &feeds, &n, err, sizeof err) == 0);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(feeds[0].url, "http://b/feed");
        CHECK_STR(feeds[1].url, "http://c/feed");
    }
    report_feeds_free(feeds, n);
    report_close(r);
}

static void test_items(void)
{
    struct report *r;
    char err[256];
    CHECK(report_open(db_path, &r, err, sizeof err) == 0);
    struct report_item *items;
    size_t n;
    struct report_item_filter all = {0};
    CHECK(report_items(r, &all, &items, &n, err, sizeof err) == 0);
    CHECK(n == 4);
    report_items_free(items, n);
    struct report_item_filter failed = {.state = "failed"};
    CHECK(report_items(r, &failed, &items, &n, err, sizeof err) == 0);
    CHECK(n == 1);
    if (n == 1) {
        CHECK_STR(items[0].key, "k2");
        CHECK_STR(items[0].state, "failed");
        CHECK_STR(items[0].link, "http://a/2");
        CHECK(items[0].title == NULL);
        CHECK_STR(items[0].last_error, "page fetch failed: HTTP 500");
        CHECK(items[0].finished > 0);
    }
    report_items_free(items, n);
    struct report_item_filter pending_a = {.state = "pending", .feed_url = "http://a/feed"};
    CHECK(report_items(r, &pending_a, &items, &n, err, sizeof err) == 0);
    CHECK(n == 1);
    if (n == 1) {
        CHECK_STR(items[0].key, "k3");
        CHECK(items[0].link == NULL); /* a job that is not JSON is shown by its key */
    }
    report_items_free(items, n);
    struct report_item_filter one = {.feed_url = "http://a/feed", .limit = 2};
    CHECK(report_items(r, &one, &items, &n, err, sizeof err) == 0);
    CHECK(n == 2);
    report_items_free(items, n);
    report_close(r);
}

static void test_missing_database(void)
{
    struct report *r;
    char err[256];
    CHECK(report_open("/nonexistent-dir/state.db", &r, err, sizeof err) < 0);
    CHECK(r == NULL);
    CHECK_CONTAINS(err, "no state database at /nonexistent-dir/state.db");
}

int main(void)
{
    int fd = mkstemp(db_path);
    close(fd);
    fill();
    RUN(test_feeds);
    RUN(test_items);
    RUN(test_missing_database);
    unlink(db_path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    return check_summary();
}
