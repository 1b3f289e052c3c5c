/* test_outbox.c: the spool as a sink's outbox (output/outbox.c), on real files: new/ listed
 * oldest first, records handed out with their topics, sent again in order, moved on. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "output/outbox.h"

static char root[] = "/tmp/feedspool-test-outbox-XXXXXX";
static int spool_count;
static const char *const one_lane[] = {"test"};
static const char *const two_lanes[] = {"first", "second"};

static struct outbox_lane *lane0(struct outbox *ob)
{
    return outbox_lane(ob, 0);
}

/* A fresh spool folder with new/ made; its path in a static buffer. */
static const char *fresh_spool(void)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s/spool%d", root, ++spool_count);
    char sub[300];
    mkdir(dir, 0750);
    snprintf(sub, sizeof sub, "%s/new", dir);
    mkdir(sub, 0750);
    return dir;
}

/* SPOOL/folder/name with text, its modification time `age` seconds in the past. */
static void put(const char *spool, const char *folder, const char *name, const char *text, int age)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", spool, folder, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    struct timespec times[2] = {{.tv_sec = time(NULL) - age}, {.tv_sec = time(NULL) - age}};
    utimensat(AT_FDCWD, path, times, 0);
}

static bool exists(const char *spool, const char *folder, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", spool, folder, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* The id of the next record handed out (a static copy), or "" when none, "!" on an error. */
static const char *next_id(struct outbox *ob)
{
    static char id[OUTBOX_ID_MAX + 1];
    struct outbox_record r;
    char err[512];
    int got = outbox_next(lane0(ob), &r, err, sizeof err);
    snprintf(id, sizeof id, "%s", got > 0 ? r.id : got == 0 ? "" : "!");
    if (got > 0)
        outbox_record_free(&r);
    return id;
}

static void test_new_is_listed_oldest_first(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "cc.json", "{}", 300);
    put(spool, "new", "aa.json", "{}", 100);
    put(spool, "new", "bb.json", "{}", 200);
    put(spool, "new", "ab.json", "{}", 200); /* same time as bb: by id */
    put(spool, "new", "notes.txt", "{}", 900);
    put(spool, "new", "NOT-HEX.json", "{}", 900);
    put(spool, "new", ".json", "{}", 900);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    CHECK(ob != NULL);
    if (!ob)
        return;
    CHECK(outbox_queued(lane0(ob)) == 4);
    CHECK_STR(next_id(ob), "cc");
    CHECK_STR(next_id(ob), "ab");
    CHECK_STR(next_id(ob), "bb");
    CHECK_STR(next_id(ob), "aa");
    CHECK_STR(next_id(ob), "");
    CHECK(exists(spool, "sent", "") && exists(spool, "quarantine", ""));
    outbox_close(ob);
}

static void test_a_record_comes_with_its_bytes_and_topics(void)
{
    const char *spool = fresh_spool();
    const char *text =
        "{\"id\":\"a1\",\"text\":\"topics: not these\",\"topic_ids\":[\"x\"],"
        "\"topics\":[{\"id\":\"ttp\",\"score\":2},{\"score\":1},{\"id\":\"ceasefire\"}]}\n";
    put(spool, "new", "a1.json", text, 10);
    put(spool, "new", "b2.json", "{\"id\":\"b2\"}", 5);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    if (!ob)
        return;
    struct outbox_record r;
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == 1);
    CHECK_STR(r.id, "a1");
    CHECK(r.len == strlen(text) && memcmp(r.data, text, r.len) == 0);
    CHECK(r.n_topics == 2);
    if (r.n_topics == 2) {
        CHECK_STR(r.topics[0], "ttp");
        CHECK_STR(r.topics[1], "ceasefire");
    }
    outbox_record_free(&r);
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == 1);
    CHECK_STR(r.id, "b2");
    CHECK(r.n_topics == 0);
    outbox_record_free(&r);
    outbox_close(ob);
}

static void test_gone_unreadable_and_broken_records(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "01.json", "{}", 40);
    put(spool, "new", "02.json", "{\"id\": \"02\", \"text\": \"cut off", 30);
    put(spool, "new", "03.json", "[1, 2]", 20);
    put(spool, "new", "04.json", "{}", 10);
    char err[512];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    if (!ob)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/new/01.json", spool);
    unlink(path); /* claimed by a consumer meanwhile: skipped without a word */
    snprintf(path, sizeof path, "%s/new/0d.json", spool);
    mkdir(path, 0750); /* not a file: cannot be read */
    outbox_add(ob, "0d");
    outbox_add(ob, "../escape"); /* not a record id: ignored */
    CHECK(outbox_queued(lane0(ob)) == 5);
    struct outbox_record r;
    err[0] = '\0';
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "new/02.json is not a JSON record");
    CHECK_CONTAINS(err, "moved to quarantine/");
    CHECK(exists(spool, "quarantine", "02.json") && !exists(spool, "new", "02.json"));
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "new/03.json is not a JSON record (not an object)");
    CHECK(exists(spool, "quarantine", "03.json"));
    CHECK_STR(next_id(ob), "04");
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "cannot read new/0d.json");
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == 0);
    CHECK(outbox_queued(lane0(ob)) == 0);
    outbox_close(ob);
}

static void test_records_sent_again_go_first_in_order(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "a1.json", "{}", 30);
    put(spool, "new", "b2.json", "{}", 20);
    put(spool, "new", "c3.json", "{}", 10);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    if (!ob)
        return;
    CHECK_STR(next_id(ob), "a1");
    CHECK_STR(next_id(ob), "b2");
    put(spool, "new", "d4.json", "{}", 0);
    outbox_add(ob, "d4");
    char *again[] = {"a1", "b2"};
    outbox_retry(lane0(ob), again, 2);
    CHECK(outbox_queued(lane0(ob)) == 4);
    CHECK_STR(next_id(ob), "a1");
    CHECK_STR(next_id(ob), "b2");
    CHECK_STR(next_id(ob), "c3");
    CHECK_STR(next_id(ob), "d4");
    /* many at the front of a short queue: it grows */
    char *many[600];
    char names[600][8];
    for (int i = 0; i < 600; i++) {
        snprintf(names[i], sizeof names[i], "%04x", i);
        many[i] = names[i];
        char file[16];
        snprintf(file, sizeof file, "%s.json", names[i]);
        put(spool, "new", file, "{}", 0);
    }
    outbox_add(ob, "c3");
    outbox_retry(lane0(ob), many, 600);
    CHECK(outbox_queued(lane0(ob)) == 601);
    bool in_order = true;
    for (int i = 0; i < 600; i++)
        in_order = in_order && strcmp(next_id(ob), names[i]) == 0;
    CHECK(in_order);
    CHECK_STR(next_id(ob), "c3");
    outbox_close(ob);
}

static void test_records_move_on(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "a1.json", "{}", 20);
    put(spool, "new", "b2.json", "{}", 10);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    if (!ob)
        return;
    CHECK(outbox_sent(lane0(ob), "a1", err, sizeof err) == 0);
    CHECK(exists(spool, "sent", "a1.json") && !exists(spool, "new", "a1.json"));
    CHECK(outbox_refused(lane0(ob), "b2", err, sizeof err) == 0);
    CHECK(exists(spool, "quarantine", "b2.json") && !exists(spool, "new", "b2.json"));
    put(spool, "new", "e5.json", "{}", 10);
    char blocker[512];
    snprintf(blocker, sizeof blocker, "%s/quarantine/e5.json", spool);
    mkdir(blocker, 0750); /* a folder where the record should go: rename(2) fails */
    CHECK(outbox_refused(lane0(ob), "e5", err, sizeof err) == -1);
    CHECK_CONTAINS(err, "new/e5.json: cannot move it to quarantine/");
    CHECK(exists(spool, "new", "e5.json"));
    CHECK(outbox_sent(lane0(ob), "a1", err, sizeof err) == 0); /* gone already: not an error */
    CHECK(outbox_sent(lane0(ob), "../../etc/passwd", err, sizeof err) == -1);
    CHECK_CONTAINS(err, "is not a record id");
    /* the records were handed out before they moved: gone now, so skipped */
    CHECK_STR(next_id(ob), "");
    outbox_close(ob);

    put(spool, "new", "c3.json", "{}", 5);
    ob = outbox_open(spool, true, one_lane, 1, err, sizeof err); /* published = delete */
    if (!ob)
        return;
    CHECK(outbox_sent(lane0(ob), "c3", err, sizeof err) == 0);
    CHECK(!exists(spool, "new", "c3.json") && !exists(spool, "sent", "c3.json"));
    outbox_close(ob);
}

/* Two lanes: a record moves on once both are done with it, to quarantine/ if one refused
 * it; after a restart each lane gets again only what it had not finished. */
static void test_two_lanes_each_finish_before_a_record_moves(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "a1.json", "{}", 30);
    put(spool, "new", "b2.json", "{}", 20);
    put(spool, "new", "c3.json", "{}", 10);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, two_lanes, 2, err, sizeof err);
    CHECK(ob != NULL);
    if (!ob)
        return;
    struct outbox_lane *first = outbox_lane(ob, 0), *second = outbox_lane(ob, 1);
    CHECK(outbox_queued(first) == 3 && outbox_queued(second) == 3);
    CHECK(outbox_sent(first, "a1", err, sizeof err) == 0);
    CHECK(exists(spool, "new", "a1.json")); /* the second lane still owes it */
    CHECK(outbox_sent(second, "a1", err, sizeof err) == 0);
    CHECK(exists(spool, "sent", "a1.json") && !exists(spool, "new", "a1.json"));
    CHECK(outbox_refused(first, "b2", err, sizeof err) == 0);
    CHECK(outbox_sent(second, "b2", err, sizeof err) == 0);
    CHECK(exists(spool, "quarantine", "b2.json"));
    CHECK(outbox_sent(second, "c3", err, sizeof err) == 0);
    outbox_close(ob); /* a crash here: c3 is the first lane's still */

    ob = outbox_open(spool, false, two_lanes, 2, err, sizeof err);
    if (!ob)
        return;
    first = outbox_lane(ob, 0);
    second = outbox_lane(ob, 1);
    CHECK(outbox_queued(first) == 1 && outbox_queued(second) == 0);
    struct outbox_record r;
    CHECK(outbox_next(first, &r, err, sizeof err) == 1);
    CHECK_STR(r.id, "c3");
    outbox_record_free(&r);
    outbox_close(ob);

    /* Now with the second lane alone (the first sink taken out of the configuration): it
     * finished c3 already, so c3 moves on at the start. */
    ob = outbox_open(spool, false, two_lanes + 1, 1, err, sizeof err);
    if (!ob)
        return;
    CHECK(outbox_queued(outbox_lane(ob, 0)) == 0);
    CHECK(exists(spool, "sent", "c3.json") && !exists(spool, "new", "c3.json"));
    outbox_close(ob);
}

/* A record with its note beside it is handed out from the note, not parsed. */
static void test_a_note_saves_the_parse(void)
{
    const char *spool = fresh_spool();
    put(spool, "new", "a1.json", "{\"topics\":[{\"id\":\"not-this\"}]}", 10);
    char path[512];
    snprintf(path, sizeof path, "%s/new/a1.json", spool);
    const char *note =
        "{\"schema_version\":1,\"story\":\"a0\",\"topic_ids\":[\"ttp\",\"ceasefire\"]}";
    CHECK(setxattr(path, "user.feedspool.note", note, strlen(note), 0) == 0);
    char err[256];
    struct outbox *ob = outbox_open(spool, false, one_lane, 1, err, sizeof err);
    if (!ob)
        return;
    struct outbox_record r;
    CHECK(outbox_next(lane0(ob), &r, err, sizeof err) == 1);
    CHECK(r.n_topics == 2);
    if (r.n_topics == 2) {
        CHECK_STR(r.topics[0], "ttp");
        CHECK_STR(r.topics[1], "ceasefire");
    }
    CHECK_STR(r.story, "a0");
    CHECK(r.schema_version == 1);
    outbox_record_free(&r);
    outbox_close(ob);
}

static void test_a_spool_that_cannot_be_opened(void)
{
    char err[256] = "";
    char path[300];
    snprintf(path, sizeof path, "%s/a-file", root);
    put(root, ".", "a-file", "not a folder", 0);
    CHECK(outbox_open(path, false, one_lane, 1, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "cannot open");
}

int main(void)
{
    if (!mkdtemp(root))
        return 1;
    RUN(test_new_is_listed_oldest_first);
    RUN(test_a_record_comes_with_its_bytes_and_topics);
    RUN(test_gone_unreadable_and_broken_records);
    RUN(test_records_sent_again_go_first_in_order);
    RUN(test_records_move_on);
    RUN(test_two_lanes_each_finish_before_a_record_moves);
    RUN(test_a_note_saves_the_parse);
    RUN(test_a_spool_that_cannot_be_opened);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    if (system(cmd) != 0)
        return 1;
    return check_summary();
}
