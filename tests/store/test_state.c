/* test_state.c: the SQLite state: validators, poll outcomes, items through pending -> emitted. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/state.h"

static char db_path[] = "/tmp/feedspool-test-state-XXXXXX";

static struct state *open_fresh(void)
{
    struct state *st = NULL;
    char err[256];
    CHECK(state_open(db_path, &st, err, sizeof err) == 0);
    return st;
}

static void test_feed_validators_round_trip(void)
{
    struct state *st = open_fresh();
    struct feed_state fs;
    CHECK(state_feed_get(st, "http://a.example/feed", &fs) == 0);
    CHECK(state_feed_set_validators(st, "http://a.example/feed", "\"abc\"", "Tue, 01 Jun 2021 10:00:00 GMT") == 0);
    CHECK(state_feed_set_poll(st, "http://a.example/feed", 1234, 0, 200, NULL) == 0);
    CHECK(state_feed_get(st, "http://a.example/feed", &fs) == 1);
    CHECK_STR(fs.etag, "\"abc\"");
    CHECK_STR(fs.last_modified, "Tue, 01 Jun 2021 10:00:00 GMT");
    CHECK(fs.next_due == 1234);
    CHECK(fs.errors == 0);
    feed_state_free(&fs);
    CHECK(state_feed_set_poll(st, "http://a.example/feed", 999, 3, 503, "HTTP 503") == 0);
    CHECK(state_feed_get(st, "http://a.example/feed", &fs) == 1);
    CHECK(fs.errors == 3);
    CHECK_STR(fs.etag, "\"abc\""); /* a failed poll leaves the validators alone */
    feed_state_free(&fs);
    state_close(st);
}

struct collected {
    int n;
    char key[64];
    long attempts;
};

static void collect(const struct pending_item *item, void *ud)
{
    struct collected *c = ud;
    c->n++;
    snprintf(c->key, sizeof c->key, "%s", item->key);
    c->attempts = item->attempts;
}

static void test_items_survive_reopen_and_are_known_by_link(void)
{
    struct state *st = open_fresh();
    bool known = true;
    CHECK(state_item_known(st, "guid:x", "https://n.example/a", &known) == 0);
    CHECK(!known);
    CHECK(state_item_add(st, "guid:x", "00ff", "http://f.example/", "https://n.example/a", "{}") == 0);
    CHECK(state_item_add(st, "guid:y", "11ee", "http://f.example/", NULL, "{}") == 0);
    CHECK(state_item_set_retry(st, "guid:y", 2, 0, "HTTP 503") == 0);
    CHECK(state_item_set_emitted(st, "guid:x") == 0);
    state_close(st);

    st = open_fresh();
    CHECK(state_item_known(st, "guid:x", NULL, &known) == 0 && known);
    /* Another feed's item pointing at the same article is the same article. */
    CHECK(state_item_known(st, "guid:other", "https://n.example/a", &known) == 0 && known);
    struct collected c = {0};
    CHECK(state_items_pending(st, collect, &c) == 0);
    CHECK(c.n == 1);
    CHECK_STR(c.key, "guid:y");
    CHECK(c.attempts == 2);
    struct state_counts counts;
    CHECK(state_counts(st, &counts) == 0);
    CHECK(counts.pending == 1 && counts.emitted == 1 && counts.failed == 0);
    state_close(st);
}

static void test_unopenable_path_is_an_error(void)
{
    struct state *st = NULL;
    char err[256];
    CHECK(state_open("/nonexistent-dir/state.db", &st, err, sizeof err) == -1);
    CHECK(st == NULL);
    CHECK_CONTAINS(err, "/nonexistent-dir/state.db");
}

int main(void)
{
    int fd = mkstemp(db_path);
    close(fd);
    RUN(test_feed_validators_round_trip);
    RUN(test_items_survive_reopen_and_are_known_by_link);
    RUN(test_unopenable_path_is_an_error);
    unlink(db_path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    return check_summary();
}
