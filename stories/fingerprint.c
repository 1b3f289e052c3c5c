/* fingerprint.c: word shingles, their hashes and the sampled anchors (see fingerprint.h). */
#include "stories/fingerprint.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/url.h"
#include "common/util.h"

#define SHINGLE_WORDS 3

/* 64-bit FNV-1a, finished with a splitmix64 mixer so that low and high bits are both good. */
static uint64_t hash_bytes(uint64_t h, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Adds an anchor, keeping the STORY_MAX_ANCHORS smallest distinct values, ascending. */
static void anchor_offer(struct fingerprint *fp, uint32_t v)
{
    if (fp->n == STORY_MAX_ANCHORS && v >= fp->anchors[STORY_MAX_ANCHORS - 1])
        return;
    size_t i = fp->n;
    while (i > 0 && fp->anchors[i - 1] > v)
        i--;
    if (i > 0 && fp->anchors[i - 1] == v)
        return;
    size_t last = fp->n < STORY_MAX_ANCHORS ? fp->n : STORY_MAX_ANCHORS - 1;
    memmove(&fp->anchors[i + 1], &fp->anchors[i], (last - i) * sizeof *fp->anchors);
    fp->anchors[i] = v;
    if (fp->n < STORY_MAX_ANCHORS)
        fp->n++;
}

/* A shingle's hash is an anchor one time in STORY_SAMPLE; stored as its top 32 bits (never 0). */
static void offer_shingle(struct fingerprint *fp, uint64_t shingle)
{
    if (shingle % STORY_SAMPLE != 0)
        return;
    uint32_t v = (uint32_t)(shingle >> 32);
    anchor_offer(fp, v ? v : 1);
}

static int64_t as_key(uint64_t h)
{
    int64_t key = (int64_t)(h >> 1); /* positive, so it sorts and prints plainly */
    return key ? key : 1;
}

void fingerprint_compute(const char *text, const char *canonical_url, struct fingerprint *out)
{
    memset(out, 0, sizeof *out);
    uint64_t words[SHINGLE_WORDS] = {0}; /* hashes of the last words, a ring */
    size_t n_words = 0;
    uint64_t sequence = 0xcbf29ce484222325ULL;
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    while (*s) {
        while (*s && !is_word_byte(*s))
            s++;
        if (!*s)
            break;
        uint64_t w = 0xcbf29ce484222325ULL;
        for (; *s && is_word_byte(*s); s++) {
            unsigned char c = *s >= 'A' && *s <= 'Z' ? (unsigned char)(*s + 32) : *s;
            w = hash_bytes(w, &c, 1);
        }
        w = mix(w);
        words[n_words % SHINGLE_WORDS] = w;
        n_words++;
        sequence = hash_bytes(sequence, (const unsigned char *)&w, sizeof w);
        if (n_words >= SHINGLE_WORDS) {
            uint64_t shingle = 0;
            for (size_t k = 0; k < SHINGLE_WORDS; k++) /* in order: oldest word first */
                shingle = mix(shingle ^ words[(n_words + k) % SHINGLE_WORDS]);
            offer_shingle(out, shingle);
        }
    }
    out->text_key = n_words ? as_key(mix(sequence)) : 0;
    char *url = canonical_url && *canonical_url ? url_normalize(canonical_url) : NULL;
    if (url)
        out->url_key =
            as_key(mix(hash_bytes(0xcbf29ce484222325ULL, (const unsigned char *)url, strlen(url))));
    free(url);
}

size_t fingerprint_shared(const struct fingerprint *a, const struct fingerprint *b)
{
    size_t shared = 0;
    for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
        if (a->anchors[i] == b->anchors[j]) {
            shared++;
            i++;
            j++;
        } else if (a->anchors[i] < b->anchors[j]) {
            i++;
        } else {
            j++;
        }
    }
    return shared;
}

double fingerprint_containment(size_t shared, size_t n_a, size_t n_b)
{
    size_t fewer = n_a < n_b ? n_a : n_b;
    return fewer ? (double)shared / (double)fewer : 0.0;
}

bool fingerprint_same_story(size_t shared, size_t n_a, size_t n_b)
{
    return shared >= STORY_MIN_SHARED &&
           fingerprint_containment(shared, n_a, n_b) >= STORY_MIN_CONTAINMENT;
}
