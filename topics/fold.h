/* fold.h: the text normalisation topics/ matches on, as one streaming pass.
 *
 * fold_stream() walks UTF-8 text once and hands each output byte to emit() with its
 * case-folded form, its cased form and the input offset it came from. It removes soft
 * hyphens, zero-width characters, Arabic diacritics and tatweel; maps NBSP and other
 * spaces to ' ', dashes and non-breaking hyphens to '-', curly quotes to straight ones,
 * Arabic yeh/kaf to their Urdu forms and fullwidth ASCII to ASCII; collapses whitespace
 * runs (and drops leading whitespace); joins a word hyphenated across a line break (and
 * keeps the hyphen of a compound broken before a capital); and folds ASCII case. Rule
 * terms and article text go through the same function, so they are normalised identically.
 * It is static inline so that each caller's emit() is inlined into the loop (the tagger's
 * hot path). Internal to topics/. */
#ifndef FEEDSPOOL_TOPICS_FOLD_H
#define FEEDSPOOL_TOPICS_FOLD_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*fold_emit_fn)(void *ud, unsigned char folded, unsigned char cased, size_t raw);

/* Decodes one UTF-8 sequence at s (n > 0 bytes left); invalid bytes decode as U+FFFD. */
static inline unsigned fold_decode(const unsigned char *s, size_t n, size_t *used)
{
    unsigned c = s[0];
    if ((c & 0xE0) == 0xC0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *used = 2;
        return ((c & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if ((c & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *used = 3;
        return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    if ((c & 0xF8) == 0xF0 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *used = 4;
        return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    }
    *used = 1;
    return 0xFFFD;
}

/* What a non-ASCII code point becomes: 0 to drop it, else the code point to emit. */
static inline unsigned fold_codepoint(unsigned c)
{
    if (c == 0x00AD || (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF || c == 0x0640 ||
        (c >= 0x064B && c <= 0x065F) || c == 0x0670)
        return 0;
    if (c == 0x00A0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000)
        return ' ';
    if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE63 || c == 0xFF0D)
        return '-';
    if (c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x2032 || c == 0x02BC)
        return '\'';
    if (c == 0x201C || c == 0x201D || c == 0x201F || c == 0x2033)
        return '"';
    if (c == 0x064A || c == 0x0649)
        return 0x06CC; /* Arabic yeh, alef maksura -> Farsi/Urdu yeh */
    if (c == 0x0643)
        return 0x06A9; /* Arabic kaf -> keheh */
    if (c >= 0xFF01 && c <= 0xFF5E)
        return c - 0xFF01 + 0x21; /* fullwidth ASCII */
    return c;
}

static inline bool fold_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A byte of a word in folded text: ASCII letters and digits, and every non-ASCII byte. */
static inline bool fold_is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* What folding does with a '-' at the end of a line. A word goes on, lower case, on the next
 * line: it was hyphenated there, and the hyphen and the line break are dropped ("cease-\nfire"
 * is "ceasefire"). A capital goes on: the hyphen belongs to a compound broken at it, and only
 * the line break is dropped ("Tehreek-e-\nTaliban" is "Tehreek-e-Taliban"). */
enum fold_break { FOLD_BREAK_NONE, FOLD_BREAK_JOIN, FOLD_BREAK_KEEP_HYPHEN };

/* How the '-' at s[i] folds (above); when it ends a line, *resume is where the word goes on. */
static inline enum fold_break fold_line_break_hyphen(const unsigned char *s, size_t len, size_t i,
                                                     size_t *resume)
{
    size_t k = i + 1;
    bool newline = false;
    while (k < len && fold_is_space(s[k])) {
        newline |= s[k] == '\n';
        k++;
    }
    if (!newline || k >= len)
        return FOLD_BREAK_NONE;
    *resume = k;
    if (s[k] >= 'a' && s[k] <= 'z')
        return FOLD_BREAK_JOIN;
    return s[k] >= 'A' && s[k] <= 'Z' ? FOLD_BREAK_KEEP_HYPHEN : FOLD_BREAK_NONE;
}

static inline __attribute__((always_inline)) void fold_stream(const char *text, size_t len,
                                                              fold_emit_fn emit, void *ud)
{
    const unsigned char *s = (const unsigned char *)text;
    bool last_space = true;
    for (size_t i = 0; i < len;) {
        unsigned char b = s[i];
        if (b < 0x80) {
            if (fold_is_space(b)) {
                if (!last_space)
                    emit(ud, ' ', ' ', i);
                last_space = true;
                i++;
                continue;
            }
            size_t resume;
            enum fold_break brk =
                b == '-' ? fold_line_break_hyphen(s, len, i, &resume) : FOLD_BREAK_NONE;
            if (brk != FOLD_BREAK_NONE) {
                if (brk == FOLD_BREAK_KEEP_HYPHEN) {
                    emit(ud, '-', '-', i);
                    last_space = false;
                }
                i = resume;
                continue;
            }
            last_space = false;
            emit(ud, (unsigned char)(b >= 'A' && b <= 'Z' ? b + 32 : b), b, i);
            i++;
            continue;
        }
        size_t used;
        unsigned c = fold_codepoint(fold_decode(s + i, len - i, &used));
        size_t at = i;
        i += used;
        if (c == 0)
            continue;
        if (c == ' ') {
            if (!last_space)
                emit(ud, ' ', ' ', at);
            last_space = true;
            continue;
        }
        last_space = false;
        if (c < 0x80) {
            size_t resume;
            enum fold_break brk =
                c == '-' ? fold_line_break_hyphen(s, len, i - 1, &resume) : FOLD_BREAK_NONE;
            if (brk != FOLD_BREAK_NONE) {
                if (brk == FOLD_BREAK_KEEP_HYPHEN)
                    emit(ud, '-', '-', at);
                i = resume;
                continue;
            }
            emit(ud, (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c), (unsigned char)c, at);
        } else if (c < 0x800) {
            emit(ud, (unsigned char)(0xC0 | (c >> 6)), (unsigned char)(0xC0 | (c >> 6)), at);
            emit(ud, (unsigned char)(0x80 | (c & 0x3F)), (unsigned char)(0x80 | (c & 0x3F)), at);
        } else if (c < 0x10000) {
            unsigned char e[3] = {(unsigned char)(0xE0 | (c >> 12)),
                                  (unsigned char)(0x80 | ((c >> 6) & 0x3F)),
                                  (unsigned char)(0x80 | (c & 0x3F))};
            for (int k = 0; k < 3; k++)
                emit(ud, e[k], e[k], at);
        } else {
            unsigned char e[4] = {
                (unsigned char)(0xF0 | (c >> 18)), (unsigned char)(0x80 | ((c >> 12) & 0x3F)),
                (unsigned char)(0x80 | ((c >> 6) & 0x3F)), (unsigned char)(0x80 | (c & 0x3F))};
            for (int k = 0; k < 4; k++)
                emit(ud, e[k], e[k], at);
        }
    }
}

#endif
