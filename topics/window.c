/* window.c: the prefilter's windows (window.h), computed with SSE2 or with AVX-512, and
 * the start filter the AVX-512 classifier applies.
 *
 * A window's bits: word bytes (ASCII letters and digits, every non-ASCII byte), ASCII
 * white space, '-', and "special" lead bytes: those of the sequences fold_codepoint()
 * maps or drops (C2 A0, C2 AD, CA BC, D9 80/83/89-9F/B0, E2 80 80-95/98-9D/9F/AF/B2/B3,
 * E2 81 9F/A0, E2 88 92, E3 80 80; and C0, C1, E0, EF, F0 always: overlong encodings,
 * BOM, fullwidth forms) but for E2 80 98/99/9C/9D (curly quotes) and E2 80 93/94 (en and
 * em dash): those are left clean, taken out of the word bytes, and the dashes count as
 * '-'. A sequence begun in a step's first 32 bytes may reach into the next step's first
 * two: *carry passes that on (bits 0-1: punctuation bytes, bits 2-3: a dash's last byte).
 *
 * The start filter. A word start of clean text can begin a term only if its first three
 * bytes are, with ASCII case folded, the term's (when they are ASCII; a non-ASCII byte of
 * clean text is itself folded, or part of a curly quote or dash, after which nothing is
 * compared). The terms are put in eight buckets by their first two bytes, greedily
 * merging the pair of groups whose union adds the fewest byte combinations; a word start
 * passes when its three bytes are in the sets of one bucket. A term's white space stands
 * for any run of white space, so what follows it is not compared. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/fold.h"
#include "topics/window.h"

#define START_BYTES 3
#define BUCKETS 8
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
            static const char spaces[] = " \t\n\v\f\r";
            for (const char *sp = spaces; *sp; sp++)
                group_add_byte(&g, k, (unsigned char)*sp);
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
            cost *= (__builtin_popcountll(g->set[k][0]) + __builtin_popcountll(g->set[k][1])) /
                    40.0;
    return cost;
}

static bool same_first_two(const struct start_group *a, const struct start_group *b)
{
    for (int k = 0; k < 2; k++)
        if (a->any[k] != b->any[k] || a->set[k][0] != b->set[k][0] ||
            a->set[k][1] != b->set[k][1])
            return false;
    return true;
}

bool start_filter_build(struct start_filter *sf, const char *const *terms, const size_t *lens,
                        size_t n)
{
    struct start_group groups[MAX_GROUPS];
    size_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        struct start_group g = group_of((const unsigned char *)terms[i], lens[i]);
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
        double best = 0;
        for (size_t a = 0; a < n_groups; a++)
            for (size_t b = a + 1; b < n_groups; b++) {
                struct start_group u = group_union(&groups[a], &groups[b]);
                double added = group_cost(&u) - group_cost(&groups[a]) - group_cost(&groups[b]);
                if ((a == 0 && b == 1) || added < best) {
                    best = added;
                    best_a = a;
                    best_b = b;
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
                    sf->table[k][c] |= (unsigned char)(1u << b);
    return true;
}

/* The masks a window is made from, one bit a byte: the ASCII classes; the lead bytes that
 * are always special; the leads whose sequence folding changes only for some next bytes
 * (c2 ... e3; leads: any of them), and those next bytes; the parts of E2 80 xx sequences
 * (quotes and dashes). */
struct byte_masks {
    uint64_t word, space, hyphen, special, high;
    uint64_t leads, c2, ca, d9, e2, e3;
    uint64_t after_c2, after_ca, after_d9; /* A0 AD; BC; 80 83 89-9F B0 */
    uint64_t x80, x81, x88;
    uint64_t e2_80_end, e2_81_end, e2_88_end; /* 80-92 95 9B 9F AF B2 B3; 9F A0; 92 */
    uint64_t quote_end, dash_end;
};

/* The window from the byte masks of the 64 bytes from a step's start. */
static inline __attribute__((always_inline)) struct window view(const struct byte_masks *m,
                                                                 unsigned *carry)
{
    struct window w = {.word = m->word, .space = m->space, .hyphen = m->hyphen,
                       .special = m->special, .high = m->high, .may_start = ~0u};
    if (!(m->leads | *carry))
        return w;
    w.special |= (m->c2 & m->after_c2 >> 1) | (m->ca & m->after_ca >> 1) |
                 (m->d9 & m->after_d9 >> 1) | (m->e3 & m->x80 >> 1 & m->x80 >> 2) |
                 (m->e2 & ((m->x80 >> 1 & m->e2_80_end >> 2) | (m->x81 >> 1 & m->e2_81_end >> 2) |
                           (m->x88 >> 1 & m->e2_88_end >> 2)));
    uint64_t quotes = m->e2 & m->x80 >> 1 & m->quote_end >> 2;
    uint64_t dashes = m->e2 & m->x80 >> 1 & m->dash_end >> 2;
    uint64_t seq = quotes | dashes;
    w.word &= ~(seq | seq << 1 | seq << 2 | (*carry & 3));
    w.hyphen |= dashes << 2 | (*carry >> 2 & 3);
    uint64_t own = seq & 0xFFFFFFFF, own_dashes = dashes & 0xFFFFFFFF;
    *carry = (unsigned)((own | own << 1 | own << 2) >> 32 & 3) |
             (unsigned)(own_dashes << 2 >> 32 & 3) << 2;
    return w;
}

#if defined(__SSE2__)
#include <emmintrin.h>

static __m128i byte_is(__m128i v, unsigned char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c));
}

/* Bytes in [first, first + n), for a range of ASCII: one add and one signed compare. */
static __m128i in_range(__m128i v, unsigned char first, unsigned char n)
{
    return _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(-128 - first))),
                          _mm_set1_epi8((char)(-128 + n)));
}

static uint64_t bits(__m128i m)
{
    return (uint64_t)_mm_movemask_epi8(m);
}

/* The byte masks of 16 bytes, or'ed into m at bit `shift`. */
static inline __attribute__((always_inline)) void classify16(__m128i v, struct byte_masks *m,
                                                             unsigned shift)
{
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = in_range(lower, 'a', 26), digit = in_range(v, '0', 10);
    uint64_t high = bits(v); /* non-ASCII bytes are word bytes */
    m->high |= high << shift;
    m->word |= (bits(_mm_or_si128(alpha, digit)) | high) << shift;
    m->space |= bits(_mm_or_si128(byte_is(v, ' '), in_range(v, '\t', 5))) << shift;
    m->hyphen |= bits(byte_is(v, '-')) << shift;
    if (!high)
        return;
    static const unsigned char always[] = {0xC0, 0xC1, 0xE0, 0xEF, 0xF0};
    __m128i any = _mm_setzero_si128();
    for (size_t i = 0; i < sizeof always; i++)
        any = _mm_or_si128(any, byte_is(v, always[i]));
    m->special |= bits(any) << shift;
    uint64_t c2 = bits(byte_is(v, 0xC2)), ca = bits(byte_is(v, 0xCA)),
             d9 = bits(byte_is(v, 0xD9)), e2 = bits(byte_is(v, 0xE2)),
             e3 = bits(byte_is(v, 0xE3));
    m->leads |= (c2 | ca | d9 | e2 | e3) << shift;
    m->c2 |= c2 << shift;
    m->ca |= ca << shift;
    m->d9 |= d9 << shift;
    m->e2 |= e2 << shift;
    m->e3 |= e3 << shift;
    /* Ranges of bytes >= 0x80, compared as signed: -128 (0x80) is the least. */
    __m128i below_93 = _mm_cmplt_epi8(v, _mm_set1_epi8((char)0x93));
    __m128i in_89_9f = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0x88)),
                                     _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xA0)));
    __m128i x9f = byte_is(v, 0x9F), xa0 = byte_is(v, 0xA0), x92 = byte_is(v, 0x92);
    m->after_c2 |= bits(_mm_or_si128(xa0, byte_is(v, 0xAD))) << shift;
    m->after_ca |= bits(byte_is(v, 0xBC)) << shift;
    m->after_d9 |= bits(_mm_or_si128(_mm_or_si128(byte_is(v, 0x80), byte_is(v, 0x83)),
                                     _mm_or_si128(in_89_9f, byte_is(v, 0xB0))))
                   << shift;
    m->x80 |= bits(byte_is(v, 0x80)) << shift;
    m->x81 |= bits(byte_is(v, 0x81)) << shift;
    m->x88 |= bits(byte_is(v, 0x88)) << shift;
    __m128i e2_80_end = _mm_or_si128(
        _mm_or_si128(below_93, byte_is(v, 0x95)),
        _mm_or_si128(_mm_or_si128(byte_is(v, 0x9B), x9f),
                     _mm_or_si128(byte_is(v, 0xAF),
                                  _mm_or_si128(byte_is(v, 0xB2), byte_is(v, 0xB3)))));
    m->e2_80_end |= bits(e2_80_end) << shift;
    m->e2_81_end |= bits(_mm_or_si128(x9f, xa0)) << shift;
    m->e2_88_end |= bits(x92) << shift;
    m->quote_end |= bits(_mm_or_si128(_mm_or_si128(byte_is(v, 0x98), byte_is(v, 0x99)),
                                      _mm_or_si128(byte_is(v, 0x9C), byte_is(v, 0x9D))))
                    << shift;
    m->dash_end |= bits(_mm_or_si128(byte_is(v, 0x93), byte_is(v, 0x94))) << shift;
}

/* The byte masks of a step's 32 bytes, in the low half. */
static inline __attribute__((always_inline)) struct byte_masks classify32(const unsigned char *s)
{
    struct byte_masks m = {0};
    classify16(_mm_loadu_si128((const __m128i *)s), &m, 0);
    classify16(_mm_loadu_si128((const __m128i *)(s + 16)), &m, 16);
    return m;
}

/* Two steps' halves as the 64 bytes of the first's window. */
static inline __attribute__((always_inline)) struct byte_masks join(const struct byte_masks *a, const struct byte_masks *b)
{
    return (struct byte_masks){
        .word = a->word | b->word << 32,
        .space = a->space | b->space << 32,
        .hyphen = a->hyphen | b->hyphen << 32,
        .special = a->special | b->special << 32,
        .high = a->high | b->high << 32,
        .leads = a->leads | b->leads << 32,
        .c2 = a->c2 | b->c2 << 32,
        .ca = a->ca | b->ca << 32,
        .d9 = a->d9 | b->d9 << 32,
        .e2 = a->e2 | b->e2 << 32,
        .e3 = a->e3 | b->e3 << 32,
        .after_c2 = a->after_c2 | b->after_c2 << 32,
        .after_ca = a->after_ca | b->after_ca << 32,
        .after_d9 = a->after_d9 | b->after_d9 << 32,
        .x80 = a->x80 | b->x80 << 32,
        .x81 = a->x81 | b->x81 << 32,
        .x88 = a->x88 | b->x88 << 32,
        .e2_80_end = a->e2_80_end | b->e2_80_end << 32,
        .e2_81_end = a->e2_81_end | b->e2_81_end << 32,
        .e2_88_end = a->e2_88_end | b->e2_88_end << 32,
        .quote_end = a->quote_end | b->quote_end << 32,
        .dash_end = a->dash_end | b->dash_end << 32,
    };
}

void classify_windows_sse2(const struct start_filter *sf, const unsigned char *s,
                           size_t n_steps, struct window *out, unsigned *carry)
{
    (void)sf; /* every word start passes: the prefilter looks at each */
    struct byte_masks next = classify32(s);
    for (size_t i = 0; i < n_steps; i++) {
        struct byte_masks cur = next;
        next = classify32(s + 32 * (i + 1));
        struct byte_masks both = join(&cur, &next);
        out[i] = view(&both, carry);
    }
}
#endif

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi,bmi2,popcnt")))

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

/* The byte masks of 64 bytes. */
AVX512 static inline struct byte_masks classify64(__m512i v)
{
    struct byte_masks m = {0};
    __m512i lower = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    m.high = _mm512_movepi8_mask(v);
    m.word = in(lower, 'a', 26) | in(v, '0', 10) | m.high;
    m.space = eq(v, ' ') | in(v, '\t', 5);
    m.hyphen = eq(v, '-');
    if (!m.high)
        return m;
    m.special = in(v, 0xC0, 2) | eq(v, 0xE0) | eq(v, 0xEF) | eq(v, 0xF0);
    m.c2 = eq(v, 0xC2);
    m.ca = eq(v, 0xCA);
    m.d9 = eq(v, 0xD9);
    m.e2 = eq(v, 0xE2);
    m.e3 = eq(v, 0xE3);
    m.leads = m.c2 | m.ca | m.d9 | m.e2 | m.e3;
    m.after_c2 = eq(v, 0xA0) | eq(v, 0xAD);
    m.after_ca = eq(v, 0xBC);
    m.x80 = eq(v, 0x80);
    m.x81 = eq(v, 0x81);
    m.x88 = eq(v, 0x88);
    m.after_d9 = m.x80 | eq(v, 0x83) | in(v, 0x89, 0xA0 - 0x89) | eq(v, 0xB0);
    uint64_t x9f = eq(v, 0x9F);
    m.e2_80_end = in(v, 0x80, 0x93 - 0x80) | eq(v, 0x95) | eq(v, 0x9B) | x9f | eq(v, 0xAF) |
                  in(v, 0xB2, 2);
    m.e2_81_end = x9f | eq(v, 0xA0);
    m.e2_88_end = eq(v, 0x92);
    m.quote_end = in(v, 0x98, 2) | in(v, 0x9C, 2);
    m.dash_end = in(v, 0x93, 2);
    return m;
}

/* The word starts of a step (bit k: the word at s[k]) whose first three bytes pass the
 * start filter (tables: its three tables, each as two 64-byte halves). A curly quote or
 * dash (E2 80 xx) folds to one byte, so what follows it is out of place: the bytes of E2
 * sequences pass any bucket. As those are not word bytes, a word does not start with one,
 * so only an E2 and the byte after it can fall in its first three. */
AVX512 static inline uint32_t starts_passing(const __m512i tables[3][2], const unsigned char *s,
                                             uint64_t e2)
{
    uint64_t wild = e2 | e2 << 1;
    __m512i ones = _mm512_set1_epi8(-1), buckets = ones;
    for (int k = 0; k < 3; k++) {
        __m512i v = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(s + k)));
        __m512i index = _mm512_or_si512(v, _mm512_set1_epi8(0x20)); /* its low 7 bits */
        __m512i in_set = _mm512_permutex2var_epi8(tables[k][0], index, tables[k][1]);
        buckets = _mm512_and_si512(buckets, _mm512_mask_mov_epi8(in_set, wild >> k, ones));
    }
    return (uint32_t)_mm512_test_epi8_mask(buckets, buckets);
}

AVX512 void classify_windows_avx512(const struct start_filter *sf, const unsigned char *s,
                                    size_t n_steps, struct window *out, unsigned *carry)
{
    __m512i tables[3][2];
    for (int k = 0; sf && k < 3; k++)
        for (int half = 0; half < 2; half++)
            tables[k][half] = _mm512_loadu_si512(sf->table[k] + 64 * half);
    for (size_t i = 0; i < n_steps; i++) {
        const unsigned char *at = s + 32 * i;
        struct byte_masks m = classify64(_mm512_loadu_si512(at));
        out[i] = view(&m, carry);
        if (sf)
            out[i].may_start = starts_passing(tables, at, m.e2);
    }
}

window_classifier *avx512_classifier(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vbmi"))
        return classify_windows_avx512;
    return NULL;
}
#else
window_classifier *avx512_classifier(void)
{
    return NULL;
}
#endif
