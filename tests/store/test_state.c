/* test_state.c: the SQLite state: validators, poll outcomes, items through pending -> staged
 * -> emitted, failed items retried, and a second connection writing while one holds a lock. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
    CHECK(state_feed_set_validators(st, "http://a.example/feed", "\"abc\"",
                                    "Tue, 01 Jun 2021 10:00:00 GMT") == 0);
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
    CHECK(state_item_known(st, "guid:x", "https://n.example/a", &known, NULL) == 0);
    CHECK(!known);
    CHECK(state_item_add(st, "guid:x", "00ff", "http://f.example/", "https://n.example/a", "{}") ==
          0);
    CHECK(state_item_add(st, "guid:y", "11ee", "http://f.example/", NULL, "{}") == 0);
    CHECK(state_item_set_retry(st, "guid:y", 2, 0, "HTTP 503") == 0);
    CHECK(state_item_set_emitted(st, "guid:x") == 0);
    state_close(st);

    st = open_fresh();
    CHECK(state_item_known(st, "guid:x", NULL, &known, NULL) == 0 && known);
    /* Another feed's item pointing at the same article is the same article, and the caller
     * learns which feed listed it first. */
    char *owner = NULL;
    CHECK(state_item_known(st, "guid:other", "https://n.example/a", &known, &owner) == 0 && known);
    CHECK_STR(owner, "http://f.example/");
    free(owner);
    struct collected c = {0};
    CHECK(state_items_pending(st, 0, 1000, collect, &c) == 0);
    CHECK(c.n == 1);
    CHECK_STR(c.key, "guid:y");
    CHECK(c.attempts == 2);
    struct state_counts counts;
    CHECK(state_counts(st, &counts) == 0);
    CHECK(counts.pending == 1 && counts.emitted == 1 && counts.failed == 0);
    state_close(st);
}

struct staged_list {
    int n;
    char key[64], record_id[64];
};

static void collect_staged(const char *key, const char *record_id, void *ud)
{
    struct staged_list *l = ud;
    l->n++;
    snprintf(l->key, sizeof l->key, "%s", key);
    snprintf(l->record_id, sizeof l->record_id, "%s", record_id);
}

/* A staged item survives a reopen as staged, is not handed out as pending (it is finished,
 * never written anew), and marking it emitted unstages it. */
static void test_staged_items_are_finished_not_resumed(void)
{
    struct state *st = open_fresh();
    CHECK(state_item_add(st, "guid:s", "5a5a", "http://f.example/", NULL, "{}") == 0);
    CHECK(state_item_stage(st, "guid:s", "5a5a") == 0);
    state_close(st);

    st = open_fresh();
    bool staged = false, pending = false;
    CHECK(state_item_staged(st, "guid:s", &staged) == 0 && staged);
    CHECK(state_item_is_pending(st, "guid:s", &pending) == 0 && pending);
    struct collected c = {0};
    CHECK(state_items_pending(st, 0, 1000, collect, &c) == 0);
    CHECK(c.n == 1 && strcmp(c.key, "guid:y") == 0); /* (from the test before) */
    struct staged_list l = {0};
    CHECK(state_items_staged(st, collect_staged, &l) == 0);
    CHECK(l.n == 1);
    CHECK_STR(l.key, "guid:s");
    CHECK_STR(l.record_id, "5a5a");
    CHECK(state_item_set_emitted(st, "guid:s") == 0);
    CHECK(state_item_staged(st, "guid:s", &staged) == 0 && !staged);
    CHECK(state_item_is_pending(st, "guid:s", &pending) == 0 && !pending);
    l.n = 0;
    CHECK(state_items_staged(st, collect_staged, &l) == 0 && l.n == 0);
    state_close(st);
}

/* `feedspool retry` from another connection while this one holds the write lock: it waits
 * (busy_timeout) instead of failing, and the daemon finds the requeued items once. */
static void test_failed_items_are_retried_by_another_connection(void)
{
    struct state *daemon = open_fresh();
    CHECK(state_item_add(daemon, "guid:f1", "f1", "http://f.example/", NULL, "{}") == 0);
    CHECK(state_item_add(daemon, "guid:f2", "f2", "http://g.example/", NULL, "{}") == 0);
    CHECK(state_item_add(daemon, "guid:f3", "f3", "http://g.example/", NULL, "{}") == 0);
    CHECK(state_item_set_failed(daemon, "guid:f1", "refused") == 0);
    CHECK(state_item_set_failed(daemon, "guid:f2", "refused") == 0);
    CHECK(state_item_set_failed(daemon, "guid:f3", "refused") == 0);
    struct state *command = open_fresh();
    CHECK(state_items_retry_failed(command, NULL, "f1") == 1); /* one item, by record id */
    CHECK(state_items_retry_failed(command, "http://g.example/", NULL) == 2); /* one feed */
    CHECK(state_items_retry_failed(command, NULL, NULL) == 0); /* none failed any more */
    struct collected c = {0};
    CHECK(state_items_requeued(daemon, collect, &c) == 0);
    CHECK(c.n == 3 && c.attempts == 0);
    c.n = 0;
    CHECK(state_items_requeued(daemon, collect, &c) == 0);
    CHECK(c.n == 0); /* handed out once */

    /* Another process (the daemon) holds the write lock for a moment; the command waits. */
    CHECK(state_item_set_failed(daemon, "guid:f1", "refused") == 0);
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) { /* its own connection: none crosses the fork */
        struct state *holder = NULL;
        char e[256];
        int ok = state_open(db_path, &holder, e, sizeof e) == 0 && state_batch_begin(holder) == 0 &&
                 state_feed_set_poll(holder, "http://f.example/", 1, 0, 200, NULL) == 0;
        if (write(ready[1], "x", 1) != 1)
            ok = 0;
        usleep(300 * 1000);
        ok = ok && state_batch_commit(holder) == 0;
        _exit(ok ? 0 : 1);
    }
    char byte;
    CHECK(read(ready[0], &byte, 1) == 1);
    CHECK(state_items_retry_failed(command, NULL, NULL) == 1);
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(ready[1]);
    state_close(command);
    state_close(daemon);
}

static void test_meta_values(void)
{
    struct state *st = open_fresh();
    char *v = (char *)"x";
    CHECK(state_meta_get(st, "config", &v) == 0 && v == NULL);
    CHECK(state_meta_set(st, "config", "abc") == 0);
    CHECK(state_meta_set(st, "config", "def") == 0);
    CHECK(state_meta_get(st, "config", &v) == 0);
    CHECK_STR(v, "def");
    free(v);
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
    RUN(test_staged_items_are_finished_not_resumed);
    RUN(test_failed_items_are_retried_by_another_connection);
    RUN(test_meta_values);
    RUN(test_unopenable_path_is_an_error);
    unlink(db_path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    return check_summary();
}
