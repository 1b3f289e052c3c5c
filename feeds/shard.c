/* shard.c: rendezvous hashing of feed hosts over N daemons (see shard.h). */
#include "feeds/shard.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/url.h"
#include "common/util.h"

#define SHARD_MAX 4096

int shard_parse(const char *text, struct shard *out, char *err, size_t errlen)
{
    *out = (struct shard){0};
    if (!text || !*text)
        return 0;
    unsigned index, count;
    char extra;
    if (sscanf(text, "%u/%u%c", &index, &count, &extra) != 2 || count == 0 || count > SHARD_MAX ||
        index < 1 || index > count)
        return set_err(err, errlen, "must be I/N with 1 <= I <= N <= %d (e.g. 2/3), not '%s'",
                       SHARD_MAX, text);
    *out = (struct shard){.index = index, .count = count};
    return 0;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    return x ^ x >> 31;
}

unsigned shard_owner(const char *host, unsigned count)
{
    uint64_t h = 0xCBF29CE484222325u; /* FNV-1a of the host, case folded */
    for (const unsigned char *p = (const unsigned char *)host; *p; p++)
        h = (h ^ (unsigned char)tolower(*p)) * 0x100000001B3u;
    unsigned best = 1;
    uint64_t best_weight = 0;
    for (unsigned k = 1; k <= count; k++) {
        uint64_t weight = mix(h ^ mix(k));
        if (k == 1 || weight > best_weight) {
            best = k;
            best_weight = weight;
        }
    }
    return best;
}

static bool in_shard(const struct feed_entry *e, void *ud)
{
    const struct shard *s = ud;
    char *host = url_host(e->url);
    bool mine = shard_owner(host ? host : "", s->count) == s->index;
    free(host);
    return mine;
}

size_t shard_filter(struct feed_list *list, const struct shard *s)
{
    if (s->count == 0)
        return list->n;
    return feedlist_retain(list, in_shard, (void *)s);
}
