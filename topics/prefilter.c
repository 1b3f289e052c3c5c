/* prefilter.c: finds, sixteen bytes at a time, the stretches of an article in which no
 * rule term can start, so that the tagger folds and runs the automaton only around the
 * words that could begin a term.
 *
 * Why it is exact. Every term starts with a word byte (the filter is off otherwise), so a
 * match starts at a word start of the folded text, and its first word (up to the term's
 * first non-word byte) is that whole word of the text, or that word plus a plural ending.
 * In raw text made of ASCII and of characters that fold to themselves or to ASCII
 * punctuation (curly quotes, en and em dashes), the folded words are the raw words with
 * ASCII case folded. Two filters of hashes decide whether a word could start a term:
 * the first words of all terms, and, for terms with at least three bytes after their
 * first word, the first word with those three bytes ("noor wa" for "Noor Wali"); the
 * words "t" or "new" then only wake the exact scan when what follows fits. Everything
 * folding changes otherwise is "dirty" and left to the exact scan: lead bytes of
 * characters that folding drops or maps (soft hyphens, zero-width and special spaces,
 * other quotes and dashes, Arabic forms, fullwidth ASCII, overlong encodings), and a dash
 * followed by white space (a word hyphenated across a line break is joined). Invalid
 * UTF-8 folds to U+FFFD, a word character like the raw bytes, so word bounds do not move;
 * the filter is off for terms that contain U+FFFD.
 *
 * The exact scan restarts at a "safe point": a byte after ASCII white space whose run
 * does not follow a dash. There the folding state is known (a space was just emitted) and
 * a match can only start at or after it, so the automaton can start from its root. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/fold.h"
#include "topics/rules_internal.h"

#define FILTER_BITS 17 /* 16 KiB a filter */
#define FILTER_WORDS ((size_t)1 << (FILTER_BITS - 6))
#define HEAD_BYTES 3   /* bytes after the first word that the second filter keys on */

/* The filters, one bit a slot: first words of all terms (keyed cheaply, by their first 8
 * bytes and length: most words of a text stop here); first words of terms with fewer than
 * HEAD_BYTES bytes after them; first words with the next HEAD_BYTES bytes. */
struct word_filter {
    uint64_t first[FILTER_WORDS], whole[FILTER_WORDS], head[FILTER_WORDS];
};

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* A word's hash: its first 16 bytes with bit 5 set (ASCII letters folded), and its length
 * up to 16. Multiplicative: the filters use the top bits. */
static uint64_t word_hash(uint64_t lo, uint64_t hi, size_t len)
{
    return lo * 0x9E3779B97F4A7C15u + hi * 0xFF51AFD7ED558CCDu + len * 0xC2B2AE3D27D4EB4Fu;
}

static uint64_t word_hash_of(const unsigned char *word, size_t len)
{
    unsigned char bytes[16] = {0};
    size_t n = len < 16 ? len : 16;
    for (size_t i = 0; i < n; i++)
        bytes[i] = word[i] | 0x20;
    uint64_t lo, hi;
    memcpy(&lo, bytes, 8);
    memcpy(&hi, bytes + 8, 8);
    return word_hash(lo, hi, n);
}

static uint32_t slot_of(uint64_t h)
{
    return (uint32_t)(h >> (64 - FILTER_BITS));
}

/* The cheap key of a word: its first 8 bytes (bit 5 set, zero past its end), its length. */
static uint32_t quick_slot(uint64_t first8, size_t len)
{
    return slot_of((first8 + len) * 0x9E3779B97F4A7C15u);
}

static uint32_t quick_slot_of(const unsigned char *word, size_t len)
{
    uint64_t first8 = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        first8 |= (uint64_t)(word[i] | 0x20) << (8 * i);
    return quick_slot(first8, len < 16 ? len : 16);
}

static uint32_t head_slot(uint64_t word, uint32_t head)
{
    return slot_of((word ^ word >> 32 ^ head) * 0x9E3779B97F4A7C15u);
}

static void set_bit(uint64_t *bits, uint32_t slot)
{
    bits[slot >> 6] |= (uint64_t)1 << (slot & 63);
}

static bool bit_is_set(const uint64_t *bits, uint32_t slot)
{
    return bits[slot >> 6] >> (slot & 63) & 1;
}

static void add_whole_word(struct word_filter *f, const unsigned char *word, size_t len)
{
    set_bit(f->first, quick_slot_of(word, len));
    set_bit(f->whole, slot_of(word_hash_of(word, len)));
}

void prefilter_build(struct topic_rules *r)
{
    r->word_filter = NULL;
#if defined(__SSE2__)
    for (size_t i = 0; i < r->n_patterns; i++) {
        const struct pattern *p = &r->patterns[i];
        if (p->folded_len == 0 || !is_word_byte((unsigned char)p->folded[0]) ||
            memmem(p->folded, p->folded_len, "\xEF\xBF\xBD", 3))
            return; /* a term the filter cannot speak for: every text is scanned whole */
    }
    struct word_filter *f = xcalloc(1, sizeof *f);
    for (size_t i = 0; i < r->n_patterns; i++) {
        const struct pattern *p = &r->patterns[i];
        const unsigned char *w = (const unsigned char *)p->folded;
        size_t len = 0;
        while (len < p->folded_len && is_word_byte(w[len]))
            len++;
        if (len >= 16 || p->folded_len - len < HEAD_BYTES) {
            add_whole_word(f, w, len);
        } else {
            uint64_t h = word_hash_of(w, len);
            set_bit(f->first, quick_slot_of(w, len));
            set_bit(f->head, head_slot(h, (uint32_t)w[len] | (uint32_t)w[len + 1] << 8 |
                                              (uint32_t)w[len + 2] << 16));
        }
        if (len == p->folded_len && p->plural) { /* a one-word term: its plural forms */
            unsigned char plural[TERM_MAX_BYTES + 2];
            memcpy(plural, w, len);
            memcpy(plural + len, "s", 1);
            add_whole_word(f, plural, len + 1);
            memcpy(plural + len, "es", 2);
            add_whole_word(f, plural, len + 2);
        }
    }
    r->word_filter = f;
#endif
}

void prefilter_free(struct topic_rules *r)
{
    free(r->word_filter);
    r->word_filter = NULL;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* Per 32 bytes, one bit a byte: word bytes, ASCII white space, '-', lead bytes of
 * characters that folding changes, and the parts of E2 80 xx sequences (the quotes and
 * dashes that fold to ASCII punctuation). */
struct block_masks {
    uint32_t word, space, hyphen, special;
    uint32_t e2, x80, quote_end, dash_end;
};

static __m128i byte_is(__m128i v, unsigned char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c));
}

static uint32_t bits(__m128i m)
{
    return (uint32_t)_mm_movemask_epi8(m);
}

static inline __attribute__((always_inline)) void classify16(__m128i v, struct block_masks *m,
                                                             unsigned shift)
{
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    uint32_t high = bits(v); /* non-ASCII bytes are word bytes */
    m->word |= (bits(_mm_or_si128(alpha, digit)) | high) << shift;
    m->space |= bits(_mm_or_si128(byte_is(v, ' '),
                                  _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('\t' - 1)),
                                                _mm_cmplt_epi8(v, _mm_set1_epi8('\r' + 1)))))
                << shift;
    m->hyphen |= bits(byte_is(v, '-')) << shift;
    if (high) {
        static const unsigned char leads[] = {0xC0, 0xC1, 0xC2, 0xCA, 0xD9,
                                              0xE0, 0xE2, 0xE3, 0xEF, 0xF0};
        __m128i any = _mm_setzero_si128();
        for (size_t i = 0; i < sizeof leads; i++)
            any = _mm_or_si128(any, byte_is(v, leads[i]));
        m->special |= bits(any) << shift;
        m->e2 |= bits(byte_is(v, 0xE2)) << shift;
        m->x80 |= bits(byte_is(v, 0x80)) << shift;
        m->quote_end |= bits(_mm_or_si128(_mm_or_si128(byte_is(v, 0x98), byte_is(v, 0x99)),
                                          _mm_or_si128(byte_is(v, 0x9C), byte_is(v, 0x9D))))
                        << shift;
        m->dash_end |= bits(_mm_or_si128(byte_is(v, 0x93), byte_is(v, 0x94))) << shift;
    }
}

static inline __attribute__((always_inline)) struct block_masks classify(const unsigned char *s)
{
    struct block_masks m = {0};
    classify16(_mm_loadu_si128((const __m128i *)s), &m, 0);
    classify16(_mm_loadu_si128((const __m128i *)(s + 16)), &m, 16);
    return m;
}

/* Two blocks as one 64-byte view, in which E2 80 98/99/9C/9D (curly quotes) and E2 80
 * 93/94 (en and em dash) are non-word punctuation, the dashes count as '-', and their lead
 * bytes are not special. A sequence begun at the end of the first block reaches into the
 * second: ps->carry passes its bytes there on to the next step (bits 0-1: punctuation,
 * bits 2-3: the dash's last byte). */
struct window {
    uint64_t word, space, hyphen, special;
};

static uint64_t wide(uint32_t a, uint32_t b)
{
    return a | (uint64_t)b << 32;
}

static inline __attribute__((always_inline)) struct window view(const struct block_masks *a,
                                                                 const struct block_masks *b,
                                                                 unsigned *carry)
{
    struct window w = {
        .word = wide(a->word, b->word),
        .space = wide(a->space, b->space),
        .hyphen = wide(a->hyphen, b->hyphen),
        .special = wide(a->special, b->special),
    };
    if (!(a->e2 | b->e2 | *carry))
        return w;
    uint64_t e2 = wide(a->e2, b->e2), x80 = wide(a->x80, b->x80);
    uint64_t quotes = e2 & x80 >> 1 & wide(a->quote_end, b->quote_end) >> 2;
    uint64_t dashes = e2 & x80 >> 1 & wide(a->dash_end, b->dash_end) >> 2;
    uint64_t seq = quotes | dashes;
    w.word &= ~(seq | seq << 1 | seq << 2 | (*carry & 3));
    w.hyphen |= dashes << 2 | (*carry >> 2 & 3);
    w.special &= ~seq;
    uint64_t own = seq & 0xFFFFFFFF, own_dashes = dashes & 0xFFFFFFFF;
    *carry = (unsigned)((own | own << 1 | own << 2) >> 32 & 3) |
             (unsigned)(own_dashes << 2 >> 32 & 3) << 2;
    return w;
}

/* Could the word at s (len word bytes; 16 bytes readable) start a term? The bytes after
 * it, up to window_end, give the head; a '-' or a non-ASCII byte there leaves it open. */
static inline __attribute__((always_inline)) bool may_start_term(const struct word_filter *f,
                                                                 const unsigned char *s,
                                                                 unsigned len,
                                                                 const unsigned char *window_end)
{
    static const uint64_t low_bytes[9] = {0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF,
                                          0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF, ~(uint64_t)0};
    uint64_t first8;
    memcpy(&first8, s, 8);
    first8 = (first8 | 0x2020202020202020u) & low_bytes[len < 8 ? len : 8];
    if (!bit_is_set(f->first, quick_slot(first8, len)))
        return false;
    static const unsigned char ones_then_zeros[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    __m128i v = _mm_loadu_si128((const __m128i *)s);
    __m128i keep = _mm_loadu_si128((const __m128i *)(ones_then_zeros + 16 - len));
    __m128i folded = _mm_and_si128(_mm_or_si128(v, _mm_set1_epi8(0x20)), keep);
    uint64_t h = word_hash((uint64_t)_mm_cvtsi128_si64(folded),
                           (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(folded, folded)), len);
    if (len >= 16 || bit_is_set(f->whole, slot_of(h)))
        return true;
    /* The next HEAD_BYTES bytes as folding gives them: white space runs as one ' '. */
    uint32_t head = 0;
    const unsigned char *p = s + len;
    for (int n = 0; n < HEAD_BYTES; n++) {
        if (p >= window_end || *p >= 0x80 || *p == '-')
            return true; /* cannot tell here: let the exact scan decide */
        unsigned char c = *p++;
        if (fold_is_space(c)) {
            while (p < window_end && fold_is_space(*p))
                p++;
            c = ' ';
        } else if (c >= 'A' && c <= 'Z') {
            c += 32;
        }
        head |= (uint32_t)c << (8 * n);
    }
    return bit_is_set(f->head, head_slot(h, head));
}

#define STEP 32      /* bytes a step */
#define READ_AHEAD 65 /* bytes a step reads from its start: its block, the next, one more */

/* Scans the steps that start before `end`. s holds the text from position `origin` on,
 * with READ_AHEAD bytes readable from every step's start. */
static size_t skip_steps(const struct topic_rules *r, const unsigned char *s, size_t origin,
                         size_t end, struct prefilter_scan *ps)
{
    const struct word_filter *filter = r->word_filter;
    size_t pos = ps->pos;
    struct block_masks next = classify(s + (pos - origin));
    for (; pos < end; pos += STEP) {
        const unsigned char *at_pos = s + (pos - origin);
        struct block_masks cur = next;
        next = classify(at_pos + STEP);
        struct window w = view(&cur, &next, &ps->carry);
        uint64_t after_space = w.space >> 1 | (uint64_t)fold_is_space(at_pos[2 * STEP]) << 63;
        uint64_t dirty = w.special | (w.hyphen & after_space);
        if (dirty & 0xFFFFFFFF) {
            ps->pos = pos;
            return pos + STEP - 1; /* from the last safe point before this step, past it all */
        }
        uint32_t starts = (uint32_t)(w.word & ~(w.word << 1 | ps->prev_word));
        uint32_t safe = starts & (uint32_t)(w.space << 1 | ps->prev_space);
        while (starts) {
            unsigned at = (unsigned)__builtin_ctz(starts);
            starts &= starts - 1;
            uint64_t rest = ~w.word >> at; /* the word ends at the first zero */
            unsigned word_len = rest & 0xFFFF ? (unsigned)__builtin_ctzll(rest) : 16;
            /* Dirt in the word or just after it, or a possible term: the exact scan decides. */
            if ((dirty && (dirty & (((uint64_t)1 << (word_len + 1)) - 1) << at)) ||
                may_start_term(filter, at_pos + at, word_len, at_pos + 2 * STEP)) {
                uint32_t safe_before = safe & (uint32_t)(((uint64_t)2 << at) - 1);
                if (safe_before)
                    ps->last_safe = pos + 31 - (unsigned)__builtin_clz(safe_before);
                ps->pos = pos;
                return pos + at;
            }
        }
        if (safe)
            ps->last_safe = pos + 31 - (unsigned)__builtin_clz(safe);
        ps->prev_word = (unsigned)(w.word >> 31 & 1);
        ps->prev_space = (unsigned)(w.space >> 31 & 1);
    }
    ps->pos = pos;
    return SIZE_MAX;
}

size_t prefilter_skip(const struct topic_rules *r, const char *text, size_t len,
                      struct prefilter_scan *ps)
{
    const unsigned char *s = (const unsigned char *)text;
    if (len >= READ_AHEAD && ps->pos < len - READ_AHEAD + 1) {
        size_t hot = skip_steps(r, s, 0, len - READ_AHEAD + 1, ps);
        if (hot != SIZE_MAX)
            return hot;
    }
    /* The last steps read a copy padded with NULs: the end of the text is a word end. */
    unsigned char tail[2 * STEP + READ_AHEAD] = {0};
    memcpy(tail, s + ps->pos, len - ps->pos);
    return skip_steps(r, tail, ps->pos, len, ps);
}
#else
size_t prefilter_skip(const struct topic_rules *r, const char *text, size_t len,
                      struct prefilter_scan *ps)
{
    (void)r, (void)text, (void)len, (void)ps;
    abort(); /* without SSE2 no filter is built, and texts are scanned whole */
}
#endif
