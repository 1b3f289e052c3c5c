/* clean_text.c: a rule term compared with the raw text of an article where the text is
 * "clean" (ASCII, curly quotes, en and em dashes: what prefilter.c lets through), giving
 * what folding the text and running the automaton and the tagger's checks would give,
 * without folding. Anything else is left undecided, for the exact scan. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "topics/fold.h"
#include "topics/rules_internal.h"

/* What fold_stream() emits for the character at s[k], where the text is ASCII or one of
 * the curly quotes and dashes the SIMD view lets through: the folded byte (a white space
 * run gives one ' '; 0 at the end of the text), its cased form in *cased, and in *next
 * where the next character starts. -1 for anything else, and for a dash that folding
 * joins with the next line: the exact scan decides. */
int topics_fold_clean_at(const unsigned char *s, size_t len, size_t k, unsigned char *cased,
                         size_t *next)
{
    if (k >= len) {
        *cased = 0;
        *next = k;
        return 0;
    }
    unsigned char c = s[k], folded;
    size_t after = k + 1;
    if (fold_is_space(c)) {
        while (after < len && fold_is_space(s[after]))
            after++;
        *cased = ' ';
        *next = after;
        return ' ';
    }
    if (c < 0x80) {
        folded = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
        *cased = c;
    } else if (c == 0xE2 && k + 2 < len && s[k + 1] == 0x80) {
        unsigned char last = s[k + 2];
        folded = last == 0x98 || last == 0x99   ? '\''
                 : last == 0x9C || last == 0x9D ? '"'
                 : last == 0x93 || last == 0x94 ? '-'
                                                : 0;
        if (!folded)
            return -1;
        *cased = folded;
        after = k + 3;
    } else {
        return -1;
    }
    size_t resume;
    if (folded == '-' && fold_line_break_hyphen(s, len, after - 1, &resume))
        return -1;
    *next = after;
    return folded;
}

/* The folded form of an ASCII byte that folds on its own (not white space, '-', control
 * characters or NUL), else 0. */
static inline unsigned char plain_fold(unsigned char c)
{
    if (c <= ' ' || c >= 0x7F || c == '-')
        return 0;
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Does term p match at s[start] (a word start in clean text), as the automaton and the
 * tagger's checks would find it? On a match, *end is where it ends in s. */
enum clean_verdict topics_match_clean_text(const struct pattern *p, const unsigned char *s,
                                           size_t len, size_t start, size_t *end)
{
    size_t k = start, last = start, next;
    unsigned char cased;
    for (size_t i = 0; i < p->folded_len; i++) {
        unsigned char plain = k < len ? plain_fold(s[k]) : 0;
        if (plain) { /* most bytes: ASCII that folding only lower-cases */
            if (plain != (unsigned char)p->folded[i] ||
                (p->exact_case && s[k] != (unsigned char)p->cased[i]))
                return CLEAN_NO_MATCH;
            last = k++;
            continue;
        }
        int c = topics_fold_clean_at(s, len, k, &cased, &next);
        if (c < 0)
            return CLEAN_UNSURE;
        if (c != (unsigned char)p->folded[i] ||
            (p->exact_case && cased != (unsigned char)p->cased[i]))
            return CLEAN_NO_MATCH;
        last = k;
        k = next;
    }
    *end = last + 1;
    if (!fold_is_word_byte((unsigned char)p->folded[p->folded_len - 1]))
        return CLEAN_MATCH;
    int ahead[3];
    for (int n = 0; n < 3; n++) {
        ahead[n] = topics_fold_clean_at(s, len, k, &cased, &k);
        if (ahead[n] < 0)
            return CLEAN_UNSURE;
        if (n == 0 && !fold_is_word_byte((unsigned char)ahead[0]))
            return CLEAN_MATCH;
    }
    return term_ends_word(p, (unsigned char)ahead[0], (unsigned char)ahead[1],
                          (unsigned char)ahead[2])
               ? CLEAN_MATCH
               : CLEAN_NO_MATCH;
}

void topics_term_bytes_init(struct term_bytes *t, const struct pattern *p, size_t pattern)
{
    memset(t, 0, sizeof *t);
    size_t n = p->folded_len < sizeof t->folded ? p->folded_len : sizeof t->folded;
    memcpy(t->folded, p->folded, n);
    t->pattern = (uint32_t)pattern;
    t->topic = p->topic;
    t->kind = (uint8_t)p->kind;
    t->weight = p->weight;
    unsigned char last = (unsigned char)p->folded[p->folded_len - 1];
    t->ends_in_word = fold_is_word_byte(last);
    t->plural = p->plural;
    bool quick = p->folded_len <= sizeof t->folded && !p->exact_case && last != ' ' && last != '-';
    for (size_t i = 0; i < p->folded_len && quick; i++)
        quick = p->folded[i] >= ' ' && p->folded[i] < 0x7F;
    t->quick_len = quick ? (uint8_t)p->folded_len : 0;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* One bit a byte of the 32 at s: equal to t's folded bytes once ASCII upper case is
 * folded. */
static uint32_t same_folded_bytes(const unsigned char *s, const unsigned char *folded)
{
    uint32_t same = 0;
    for (int half = 0; half < 2; half++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + 16 * half));
        /* 'A'..'Z' moved to -128..-103: the only bytes below -102 */
        __m128i upper =
            _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - 'A')), _mm_set1_epi8(-128 + 26));
        v = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
        __m128i want = _mm_loadu_si128((const __m128i *)(folded + 16 * half));
        same |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)) << (16 * half);
    }
    return same;
}

/* Why it is exact. Where the raw bytes equal the term's, each folds to one byte, the
 * term's: printable ASCII folds to itself lower-cased; a term's ' ' is followed by a
 * non-space byte, so the raw ' ' is a run of one; a '-' is followed by the same
 * non-space byte, so no line break joins there. So folding emits the term up to the first
 * differing byte, and there, a byte that folds to itself decides: no match. */
enum clean_verdict topics_match_term_bytes(const struct term_bytes *t, const unsigned char *s,
                                           size_t len, size_t start, size_t *end)
{
    unsigned n = t->quick_len;
    if (n == 0 || len - start < sizeof t->folded + 1)
        return CLEAN_UNSURE;
    const unsigned char *at = s + start;
    uint64_t differ = ~(uint64_t)same_folded_bytes(at, t->folded) & (((uint64_t)1 << n) - 1);
    if (differ)
        return plain_fold(at[__builtin_ctzll(differ)]) ? CLEAN_NO_MATCH : CLEAN_UNSURE;
    *end = start + n;
    unsigned char after = at[n];
    if (!t->ends_in_word || fold_is_space(after) ||
        (plain_fold(after) && !fold_is_word_byte(after)))
        return CLEAN_MATCH; /* the word ends */
    if (after < 0x80 && fold_is_word_byte(after) && !t->plural)
        return CLEAN_NO_MATCH; /* it goes on (a possessive goes on with '\'', not a word byte) */
    return CLEAN_UNSURE;
}
#endif
