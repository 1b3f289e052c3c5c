/* test_shard.c: rendezvous sharding of a feed list (feeds/shard.c): parsing I/N, an even
 * split, hosts not URLs deciding, case not mattering, and growth from N to N+1 daemons
 * moving only about 1/(N+1) of the hosts, all of them to the new daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/util.h"
#include "feeds/shard.h"

static void test_parse(void)
{
    struct shard s;
    char err[256];
    CHECK(shard_parse("", &s, err, sizeof err) == 0 && s.count == 0);
    CHECK(shard_parse("2/3", &s, err, sizeof err) == 0 && s.index == 2 && s.count == 3);
    CHECK(shard_parse("1/1", &s, err, sizeof err) == 0 && s.index == 1 && s.count == 1);
    const char *bad[] = {"0/3", "4/3", "3", "1/0", "a/b", "1/3x", "-1/3", "1/5000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(shard_parse(bad[i], &s, err, sizeof err) < 0);
        CHECK_CONTAINS(err, "I/N");
    }
}

static void host_name(unsigned i, char *out, size_t len)
{
    snprintf(out, len, "news%u.example%u.org", i, i % 97);
}

static void test_even_split_and_growth(void)
{
    enum { HOSTS = 20000, N = 3 };
    unsigned per[N + 2] = {0}, moved = 0, moved_elsewhere = 0;
    for (unsigned i = 0; i < HOSTS; i++) {
        char host[64];
        host_name(i, host, sizeof host);
        unsigned before = shard_owner(host, N), after = shard_owner(host, N + 1);
        CHECK(before >= 1 && before <= N);
        per[before]++;
        if (before != after) {
            moved++;
            moved_elsewhere += after != N + 1;
        }
    }
    for (unsigned k = 1; k <= N; k++)
        CHECK(per[k] > HOSTS / N * 9 / 10 && per[k] < HOSTS / N * 11 / 10);
    printf("3 -> 4 daemons: %.1f%% of hosts moved (ideal 25%%)\n", 100.0 * moved / HOSTS);
    CHECK(moved > HOSTS / 4 * 9 / 10 && moved < HOSTS / 4 * 11 / 10);
    CHECK(moved_elsewhere == 0);
}

static void test_host_decides(void)
{
    CHECK(shard_owner("Example.ORG", 7) == shard_owner("example.org", 7));
    struct feed_list list = {.n = 6, .entries = xcalloc(6, sizeof(struct feed_entry))};
    const char *urls[] = {"http://a.example/1",    "https://a.example/2?x=1",
                          "http://b.example/1",    "http://b.example:8080/2",
                          "http://c.example/feed", "not a url"};
    for (size_t i = 0; i < 6; i++)
        list.entries[i].url = xstrdup(urls[i]);
    struct shard s = {.index = shard_owner("a.example", 5), .count = 5};
    size_t kept = shard_filter(&list, &s);
    CHECK(kept >= 2);
    unsigned a = 0;
    for (size_t i = 0; i < kept; i++)
        a += strstr(list.entries[i].url, "a.example") != NULL;
    CHECK(a == 2); /* both feeds of a.example stay together */
    feedlist_free(&list);
}

int main(void)
{
    RUN(test_parse);
    RUN(test_even_split_and_growth);
    RUN(test_host_decides);
    return check_summary();
}
