/* window.c: the prefilter's blocks (window.h), computed with SSE2 or with AVX-512, and
 * the start filter the AVX-512 classifier applies.
 *
 * A block's bits: word bytes (ASCII letters and digits, every non-ASCII byte), ASCII
 * white space, '-', and "special" lead bytes: those of the sequences fold_codepoint()
 * maps or drops (C2 A0, C2 AD, CA BC, D9 80/83/89-9F/B0, E2 80 80-95/98/99/9B-9D/9F/AF/
 * B2/B3, E2 81 9F/A0, E2 88 92, E3 80 80; and C0, C1, E0, EF, F0 always: overlong
 * encodings, BOM, fullwidth forms) but for E2 80 98/99/9C/9D (curly quotes) and E2 80
 * 93/94 (en and em dash): those are left clean, taken out of the word bytes, and the
 * dashes count as '-'. Each byte is judged together with the two after it (loaded one and
 * two bytes on; SSE2 compares them with each value, AVX-512 looks their flags up in three
 * tables), so a sequence is judged whole even at a block's end; one begun in a block's
 * last two bytes reaches into the next, and *carry passes that on (bits 0-1: punctuation
 * bytes, bits 2-3: a dash's last byte).
 *
 * The start filter. A word start of clean text can begin a term only if its first four
 * bytes are, with ASCII case folded, the term's (when they are ASCII; a non-ASCII byte of
 * clean text is itself folded). A curly quote or dash folds to one byte, so the bytes
 * from it on are out of place and are not compared. The terms are put in sixteen
 * buckets by their first two bytes, greedily merging the pair of groups whose union adds
 * the fewest byte combinations; a word start passes when its four bytes are in the sets
 * of one bucket. A term's white space stands for any run of white space, so what follows
 * it is not compared. */
#include <math.h>
#include <string.h>

#include "topics/fold.h"
#include "topics/rules_internal.h"
#include "topics/window.h"

#define BUCKETS 16
#define MAX_GROUPS 128 /* more first-two-byte groups than this: no start filter */

/* The first bytes of a group of terms: per place, a set of 7-bit bytes, or any byte. */
struct start_group {
    uint64_t set[START_BYTES][2];
    bool any[START_BYTES];
};

static unsigned start_index(unsigned char c)
{
    return (c | 0x20) & 0x7F;
}

static void group_add_byte(struct start_group *g, int k, unsigned char c)
{
    unsigned i = start_index(c);
    g->set[k][i >> 6] |= (uint64_t)1 << (i & 63);
}

/* The group of one term's first bytes. */
static struct start_group group_of(const unsigned char *t, size_t len)
{
    struct start_group g = {0};
    bool after_space = false;
    for (int k = 0; k < START_BYTES; k++) {
        if ((size_t)k >= len || after_space) {
            g.any[k] = true;
            continue;
        }
        if (t[k] == ' ') { /* any white space byte: the run folds to one ' ' */
            for (unsigned char c = 0; c < 0x80; c++)
                if (fold_is_space(c))
                    group_add_byte(&g, k, c);
            after_space = true;
        } else {
            group_add_byte(&g, k, t[k]);
        }
    }
    return g;
}

static struct start_group group_union(const struct start_group *a, const struct start_group *b)
{
    struct start_group u;
    for (int k = 0; k < START_BYTES; k++) {
        u.any[k] = a->any[k] || b->any[k];
        u.set[k][0] = a->set[k][0] | b->set[k][0];
        u.set[k][1] = a->set[k][1] | b->set[k][1];
    }
    return u;
}

/* How much a group lets through: the byte combinations it allows, each place's set taken
 * against the forty or so bytes words are made of. */
static double group_cost(const struct start_group *g)
{
    double cost = 1;
    for (int k = 0; k < START_BYTES; k++)
        if (!g->any[k])
            cost *=
                (__builtin_popcountll(g->set[k][0]) + __builtin_popcountll(g->set[k][1])) / 40.0;
    return cost;
}

static bool same_first_two(const struct start_group *a, const struct start_group *b)
{
    for (int k = 0; k < 2; k++)
        if (a->any[k] != b->any[k] || a->set[k][0] != b->set[k][0] || a->set[k][1] != b->set[k][1])
            return false;
    return true;
}

bool topics_start_filter_build(struct start_filter *sf, const struct pattern *patterns, size_t n)
{
    struct start_group groups[MAX_GROUPS];
    size_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        struct start_group g =
            group_of((const unsigned char *)patterns[i].folded, patterns[i].folded_len);
        size_t j = 0;
        while (j < n_groups && !same_first_two(&groups[j], &g))
            j++;
        if (j == MAX_GROUPS)
            return false;
        groups[j] = j < n_groups ? group_union(&groups[j], &g) : g;
        n_groups += j == n_groups;
    }
    while (n_groups > BUCKETS) {
        size_t best_a = 0, best_b = 1;
        double best = HUGE_VAL;
        for (size_t a = 0; a < n_groups; a++) {
            double cost_a = group_cost(&groups[a]);
            for (size_t b = a + 1; b < n_groups; b++) {
                struct start_group u = group_union(&groups[a], &groups[b]);
                double added = group_cost(&u) - cost_a - group_cost(&groups[b]);
                if (added < best) {
                    best = added;
                    best_a = a;
                    best_b = b;
                }
            }
        }
        groups[best_a] = group_union(&groups[best_a], &groups[best_b]);
        groups[best_b] = groups[--n_groups];
    }
    memset(sf, 0, sizeof *sf);
    for (size_t b = 0; b < n_groups; b++)
        for (int k = 0; k < START_BYTES; k++)
            for (unsigned c = 0; c < 128; c++)
                if (groups[b].any[k] || (groups[b].set[k][c >> 6] >> (c & 63) & 1))
                    sf->table[b / 8][k][c] |= (unsigned char)(1u << b % 8);
    return true;
}

/* What the SIMD part finds in a block, one bit a byte; quotes and dashes: the lead bytes
 * of E2 80 98/99/9C/9D and E2 80 93/94. */
struct raw_masks {
    uint64_t word, space, hyphen, special, high, digit, quotes, dashes;
};

/* The block from its raw masks: a quote's or dash's bytes are not word bytes, a dash's
 * last byte counts as '-'; those reaching past the block go on in *carry. */
static inline __attribute__((always_inline)) struct block finish(const struct raw_masks *m,
                                                                 unsigned *carry)
{
    struct block b = {.word = m->word,
                      .space = m->space,
                      .hyphen = m->hyphen,
                      .special = m->special,
                      .high = m->high,
                      .digit = m->digit,
                      .may_start = ~(uint64_t)0};
    if (!(m->quotes | m->dashes | *carry))
        return b;
    uint64_t seq = m->quotes | m->dashes;
    b.word &= ~(seq | seq << 1 | seq << 2 | (*carry & 3));
    b.hyphen |= m->dashes << 2 | (*carry >> 2 & 3);
    *carry = (unsigned)((seq >> 62 | seq >> 63) & 3) | (unsigned)(m->dashes >> 62) << 2;
    return b;
}

#if defined(__SSE2__)
#include <emmintrin.h>

static __m128i byte_is(__m128i v, unsigned char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c));
}

/* Bytes in [first, first + n): one add (first goes to -128) and one signed compare. */
static __m128i in_range(__m128i v, unsigned char first, unsigned char n)
{
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(-128 - first))),
                          _mm_set1_epi8((char)(-128 + n)));
}

static __m128i or3(__m128i a, __m128i b, __m128i c)
{
    return _mm_or_si128(_mm_or_si128(a, b), c);
}

static uint64_t bits(__m128i m)
{
    return (uint64_t)_mm_movemask_epi8(m);
}

/* The raw masks of the 16 bytes at s (with the two after them), or'ed in at bit `shift`. */
static inline __attribute__((always_inline)) void classify16(const unsigned char *s,
                                                             struct raw_masks *m, unsigned shift)
{
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = in_range(lower, 'a', 26), digit = in_range(v, '0', 10);
    uint64_t high = bits(v); /* non-ASCII bytes are word bytes */
    m->high |= high << shift;
    m->digit |= bits(digit) << shift;
    m->word |= (bits(alpha) | bits(digit) | high) << shift;
    m->space |= bits(_mm_or_si128(byte_is(v, ' '), in_range(v, '\t', 5))) << shift;
    m->hyphen |= bits(byte_is(v, '-')) << shift;
    if (!high)
        return;
    __m128i v1 = _mm_loadu_si128((const __m128i *)(s + 1)); /* the next byte of each */
    __m128i v2 = _mm_loadu_si128((const __m128i *)(s + 2)); /* the one after */
    __m128i always = _mm_or_si128(or3(byte_is(v, 0xC0), byte_is(v, 0xC1), byte_is(v, 0xE0)),
                                  _mm_or_si128(byte_is(v, 0xEF), byte_is(v, 0xF0)));
    __m128i c2 =
        _mm_and_si128(byte_is(v, 0xC2), _mm_or_si128(byte_is(v1, 0xA0), byte_is(v1, 0xAD)));
    __m128i ca = _mm_and_si128(byte_is(v, 0xCA), byte_is(v1, 0xBC));
    __m128i d9 = _mm_and_si128(
        byte_is(v, 0xD9),
        _mm_or_si128(or3(byte_is(v1, 0x80), byte_is(v1, 0x83), in_range(v1, 0x89, 23)),
                     byte_is(v1, 0xB0)));
    __m128i e3 =
        _mm_and_si128(byte_is(v, 0xE3), _mm_and_si128(byte_is(v1, 0x80), byte_is(v2, 0x80)));
    __m128i e2 = byte_is(v, 0xE2), e2_80 = _mm_and_si128(e2, byte_is(v1, 0x80));
    __m128i e2_80_changed = or3(in_range(v2, 0x80, 19), byte_is(v2, 0x95),
                                or3(byte_is(v2, 0x9B), byte_is(v2, 0x9F),
                                    or3(byte_is(v2, 0xAF), byte_is(v2, 0xB2), byte_is(v2, 0xB3))));
    __m128i e2_81 = _mm_and_si128(_mm_and_si128(e2, byte_is(v1, 0x81)),
                                  _mm_or_si128(byte_is(v2, 0x9F), byte_is(v2, 0xA0)));
    __m128i e2_88 = _mm_and_si128(_mm_and_si128(e2, byte_is(v1, 0x88)), byte_is(v2, 0x92));
    __m128i special = or3(or3(always, c2, ca), or3(d9, e3, e2_81),
                          _mm_or_si128(e2_88, _mm_and_si128(e2_80, e2_80_changed)));
    m->special |= bits(special) << shift;
    m->quotes |=
        bits(_mm_and_si128(e2_80, _mm_or_si128(in_range(v2, 0x98, 2), in_range(v2, 0x9C, 2))))
        << shift;
    m->dashes |= bits(_mm_and_si128(e2_80, in_range(v2, 0x93, 2))) << shift;
}

void topics_classify_blocks_sse2(const struct start_filter *sf, const unsigned char *s,
                                 size_t n_blocks, struct block *out, unsigned *carry)
{
    (void)sf; /* every word start passes: the prefilter looks at each */
    for (size_t i = 0; i < n_blocks; i++, s += 64) {
        struct raw_masks m = {0};
        for (unsigned k = 0; k < 64; k += 16)
            classify16(s + k, &m, k);
        out[i] = finish(&m, carry);
    }
}
#endif

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi")))

AVX512 static inline uint64_t eq(__m512i v, unsigned char c)
{
    return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)c));
}

/* Bytes in [first, first + n), compared unsigned. */
AVX512 static inline uint64_t in(__m512i v, unsigned char first, unsigned char n)
{
    return _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8((char)first)),
                                  _mm512_set1_epi8((char)n));
}

/* The sequences classify64() looks for, as flags of their bytes in three tables indexed by
 * byte - 0x80: of a lead byte (lead), of the byte after it (second) and of the one after
 * that (third). A lead and a second byte make a pair when they share a flag in bits 1-7;
 * where that pair is a lead of three bytes (bits 4-7), the third byte must have it too.
 * Filled by topics_avx512_classifier(), before it hands out the classifier. */
#define ALWAYS 0x01  /* C0, C1, E0, EF, F0: special whatever follows */
#define PAIR_C2 0x02 /* C2 A0, C2 AD */
#define PAIR_CA 0x04 /* CA BC */
#define PAIR_D9 0x08 /* D9 80/83/89-9F/B0 */
#define E2_80 0x10   /* E2 80 80-92/95/9B/9F/AF/B2/B3 */
#define E2_81 0x20   /* E2 81 9F/A0 */
#define E2_88 0x40   /* E2 88 92 */
#define E3_80 0x80   /* E3 80 80 */
#define QUOTE 0x01   /* third bytes, after E2 80: curly quotes 98/99/9C/9D */
#define DASH 0x02    /* and en and em dashes 93/94 */
static struct {
    unsigned char lead[128], second[64], third[128]; /* third: 64-127 zero (C0-FF) */
} sequences;

/* A table's index of byte c. */
#define AT(c) ((c)-0x80)

static void build_sequences(void)
{
    memset(&sequences, 0, sizeof sequences);
    unsigned char *lead = sequences.lead, *second = sequences.second, *third = sequences.third;
    lead[AT(0xC0)] = lead[AT(0xC1)] = lead[AT(0xE0)] = lead[AT(0xEF)] = lead[AT(0xF0)] = ALWAYS;
    lead[AT(0xC2)] = PAIR_C2;
    lead[AT(0xCA)] = PAIR_CA;
    lead[AT(0xD9)] = PAIR_D9;
    lead[AT(0xE2)] = E2_80 | E2_81 | E2_88;
    lead[AT(0xE3)] = E3_80;
    second[AT(0xA0)] = second[AT(0xAD)] = PAIR_C2;
    second[AT(0xBC)] = PAIR_CA;
    for (unsigned c = 0x89; c <= 0x9F; c++)
        second[AT(c)] = PAIR_D9;
    second[AT(0x83)] = second[AT(0xB0)] = PAIR_D9;
    second[AT(0x80)] = PAIR_D9 | E2_80 | E3_80;
    second[AT(0x81)] = E2_81;
    second[AT(0x88)] = E2_88;
    for (unsigned c = 0x80; c <= 0x92; c++)
        third[AT(c)] = E2_80;
    third[AT(0x95)] = third[AT(0x9B)] = third[AT(0xAF)] = third[AT(0xB2)] = third[AT(0xB3)] = E2_80;
    third[AT(0x9F)] = E2_80 | E2_81;
    third[AT(0xA0)] = E2_81;
    third[AT(0x92)] |= E2_88;
    third[AT(0x80)] |= E3_80;
    third[AT(0x98)] = third[AT(0x99)] = third[AT(0x9C)] = third[AT(0x9D)] = QUOTE;
    third[AT(0x93)] = third[AT(0x94)] = DASH;
}

/* The raw masks of the 64 bytes v; v1 and v2: the same from one and two bytes on. */
AVX512 static inline struct raw_masks classify64(__m512i v, __m512i v1, __m512i v2)
{
    struct raw_masks m = {0};
    __m512i lower = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    m.high = _mm512_movepi8_mask(v);
    m.digit = in(v, '0', 10);
    m.word = in(lower, 'a', 26) | m.digit | m.high;
    m.space = eq(v, ' ') | in(v, '\t', 5);
    m.hyphen = eq(v, '-');
    if (!m.high)
        return m;
    /* Each byte's flags: as a lead (non-ASCII bytes only), of the next byte as a second
     * (by its low six bits: an ASCII byte there may pass for one, but then the sequence is
     * invalid and is only looked at more closely), of the one after as a third (exactly). */
    __m512i lead = _mm512_maskz_permutex2var_epi8(m.high, _mm512_loadu_si512(sequences.lead), v,
                                                  _mm512_loadu_si512(sequences.lead + 64));
    __m512i second = _mm512_permutexvar_epi8(v1, _mm512_loadu_si512(sequences.second));
    __m512i third =
        _mm512_maskz_permutex2var_epi8(_mm512_movepi8_mask(v2), _mm512_loadu_si512(sequences.third),
                                       v2, _mm512_loadu_si512(sequences.third + 64));
    /* lead & (second | ALWAYS) & (third | the flags of two-byte pairs, and ALWAYS) */
    __m512i flags = _mm512_ternarylogic_epi32(
        lead, _mm512_or_si512(second, _mm512_set1_epi8(ALWAYS)),
        _mm512_or_si512(third, _mm512_set1_epi8(ALWAYS | PAIR_C2 | PAIR_CA | PAIR_D9)), 0x80);
    m.special = _mm512_test_epi8_mask(flags, flags);
    uint64_t e2_80 = eq(v, 0xE2) & eq(v1, 0x80);
    m.quotes = e2_80 & _mm512_test_epi8_mask(third, _mm512_set1_epi8(QUOTE));
    m.dashes = e2_80 & _mm512_test_epi8_mask(third, _mm512_set1_epi8(DASH));
    return m;
}

AVX512 void topics_classify_blocks_avx512(const struct start_filter *sf, const unsigned char *s,
                                          size_t n_blocks, struct block *out, unsigned *carry)
{
    __m512i tables[2][START_BYTES][2]; /* by half of the buckets, place, half of the bytes */
    for (int h = 0; sf && h < 2; h++)
        for (int k = 0; k < START_BYTES; k++)
            for (int half = 0; half < 2; half++)
                tables[h][k][half] = _mm512_loadu_si512(sf->table[h][k] + 64 * half);
    __m512i ones = _mm512_set1_epi8(-1);
    for (size_t i = 0; i < n_blocks; i++, s += 64) {
        __m512i at[START_BYTES]; /* the bytes from each place on */
        for (int k = 0; k < START_BYTES; k++)
            at[k] = _mm512_loadu_si512(s + k);
        struct raw_masks m = classify64(at[0], at[1], at[2]);
        out[i] = finish(&m, carry);
        if (!sf)
            continue;
        /* A word start passes when its four bytes are in the sets of one bucket. Bytes
         * from an E2 on pass any bucket: a curly quote or dash (E2 80 xx) folds to one
         * byte, so what follows it is out of place. */
        __m512i low = ones, high = ones;
        uint64_t out_of_place = 0;
        for (int k = 0; k < START_BYTES; k++) {
            out_of_place |= eq(at[k], 0xE2);
            __m512i index = _mm512_or_si512(at[k], _mm512_set1_epi8(0x20)); /* low 7 bits */
            __m512i in_low = _mm512_permutex2var_epi8(tables[0][k][0], index, tables[0][k][1]);
            __m512i in_high = _mm512_permutex2var_epi8(tables[1][k][0], index, tables[1][k][1]);
            low = _mm512_and_si512(low, _mm512_mask_mov_epi8(in_low, out_of_place, ones));
            high = _mm512_and_si512(high, _mm512_mask_mov_epi8(in_high, out_of_place, ones));
        }
        out[i].may_start = _mm512_test_epi8_mask(low, low) | _mm512_test_epi8_mask(high, high);
    }
}

block_classifier *topics_avx512_classifier(void)
{
    __builtin_cpu_init();
    /* The classifier uses F, BW and VBMI; the sieve (sieve.c), which comes with it, also
     * CD, VBMI2 and BMI2. */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2")) {
        build_sequences();
        return topics_classify_blocks_avx512;
    }
    return NULL;
}
#else
block_classifier *topics_avx512_classifier(void)
{
    return NULL;
}
#endif
