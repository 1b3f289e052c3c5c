/* postings.c: the in-memory multimap of the story index (see postings.h). */
#include "stories/postings.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* One allocation: cap doc ids, then cap check bytes. Before it is made (docs NULL), cap
 * counts the postings expected. */
struct bucket {
    uint32_t *docs;
    uint32_t len, cap;
};

struct postings {
    unsigned bucket_bits;
    struct bucket *buckets; /* 1 << bucket_bits of them */
    size_t held;            /* bytes of the buckets' allocations */
};

static uint8_t *checks_of(const struct bucket *b)
{
    return (uint8_t *)(b->docs + b->cap);
}

static size_t bucket_count(const struct postings *p)
{
    return (size_t)1 << p->bucket_bits;
}

static size_t bucket_index(const struct postings *p, uint32_t value)
{
    return value >> (32 - p->bucket_bits);
}

static uint8_t check_of(const struct postings *p, uint32_t value)
{
    return (uint8_t)(value >> (24 - p->bucket_bits));
}

struct postings *postings_new(unsigned bucket_bits)
{
    struct postings *p = xcalloc(1, sizeof *p);
    p->bucket_bits = bucket_bits < 1 ? 1 : bucket_bits > 24 ? 24 : bucket_bits;
    /* Pages of the table cost memory only once a bucket on them is used: a daemon with few
     * articles, or only polling, does not pay for all of it. */
    p->buckets = xmap_zeroed(bucket_count(p) * sizeof *p->buckets);
    return p;
}

void postings_free(struct postings *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->held && i < bucket_count(p); i++) /* (no scan while nothing is held) */
        free(p->buckets[i].docs);
    xunmap(p->buckets, bucket_count(p) * sizeof *p->buckets);
    free(p);
}

static void grow(struct postings *p, struct bucket *b)
{
    uint32_t old_cap = b->docs ? b->cap : 0;
    uint32_t cap = b->docs ? b->cap + b->cap / 2 + 1 : b->cap > 4 ? b->cap : 4;
    size_t entry = sizeof *b->docs + 1;
    uint32_t *docs = xrealloc(b->docs, (size_t)cap * entry);
    /* the check bytes move up behind the longer run of ids */
    memmove((uint8_t *)(docs + cap), (uint8_t *)(docs + old_cap), b->len);
    p->held += (size_t)(cap - old_cap) * entry;
    b->docs = docs;
    b->cap = cap;
}

void postings_expect(struct postings *p, uint32_t value)
{
    struct bucket *b = &p->buckets[bucket_index(p, value)];
    if (!b->docs)
        b->cap++;
}

void postings_add(struct postings *p, uint32_t value, uint32_t doc)
{
    struct bucket *b = &p->buckets[bucket_index(p, value)];
    if (!b->docs || b->len == b->cap)
        grow(p, b);
    b->docs[b->len] = doc;
    checks_of(b)[b->len] = check_of(p, value);
    b->len++;
}

void postings_prefetch(const struct postings *p, const uint32_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&p->buckets[bucket_index(p, values[i])]);
    for (size_t i = 0; i < n; i++) {
        const struct bucket *b = &p->buckets[bucket_index(p, values[i])];
        if (b->len)
            __builtin_prefetch(checks_of(b));
    }
}

size_t postings_find(const struct postings *p, uint32_t value, uint32_t *docs, size_t max)
{
    const struct bucket *b = &p->buckets[bucket_index(p, value)];
    if (b->len == 0)
        return 0;
    const uint8_t *checks = checks_of(b), check = check_of(p, value);
    size_t n = 0;
    for (uint32_t i = b->len; i > 0 && n < max; i--)
        if (checks[i - 1] == check)
            docs[n++] = b->docs[i - 1];
    return n;
}

void postings_drop_below(struct postings *p, uint32_t first_kept)
{
    for (size_t i = 0; p->held && i < bucket_count(p); i++) {
        struct bucket *b = &p->buckets[i];
        if (!b->docs)
            continue;
        uint8_t *checks = checks_of(b);
        uint32_t kept = 0;
        for (uint32_t k = 0; k < b->len; k++)
            if (b->docs[k] >= first_kept) {
                b->docs[kept] = b->docs[k];
                checks[kept] = checks[k];
                kept++;
            }
        b->len = kept;
        if (kept == 0) { /* a bucket emptied by expiry gives its memory back */
            p->held -= (size_t)b->cap * (sizeof *b->docs + 1);
            free(b->docs);
            b->docs = NULL;
            b->cap = 0;
        }
    }
}

size_t postings_memory(const struct postings *p)
{
    return sizeof *p + bucket_count(p) * sizeof *p->buckets + p->held;
}
