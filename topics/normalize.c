/* normalize.c: text folding before matching. Removes soft hyphens and zero-width
 * characters and Arabic diacritics and tatweel; maps NBSP and other spaces to a
 * space, dashes and non-breaking hyphens to '-', curly quotes to straight ones,
 * Arabic yeh/kaf to their Urdu/Persian forms and fullwidth ASCII to ASCII;
 * collapses whitespace; joins words hyphenated across a line break; folds ASCII
 * case (in `folded` only, so both outputs keep the same length). */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/rules_internal.h"

/* Decodes one UTF-8 sequence at s (n bytes left); invalid bytes decode as themselves. */
static unsigned decode(const unsigned char *s, size_t n, size_t *used)
{
    unsigned c = s[0];
    if (c < 0x80 || n < 2) {
        *used = 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
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

/* The replacement for code point c: 0 to drop it, else the code point to emit. */
static unsigned fold_codepoint(unsigned c)
{
    if (c == 0x00AD || (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF ||
        c == 0x0640 || (c >= 0x064B && c <= 0x065F) || c == 0x0670)
        return 0;
    if (c == 0x00A0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000 ||
        c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
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

static size_t encode(unsigned c, char out[4])
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

void normalize_text(const char *text, size_t len, struct normalized *out)
{
    out->folded = xmalloc(len + 1);
    out->cased = xmalloc(len + 1);
    out->offsets = xmalloc((len + 1) * sizeof *out->offsets);
    size_t n = 0;
    const unsigned char *s = (const unsigned char *)text;
    bool last_space = true; /* drops leading space */
    for (size_t i = 0; i < len;) {
        size_t used;
        unsigned c = fold_codepoint(decode(s + i, len - i, &used));
        size_t at = i;
        i += used;
        if (c == 0)
            continue;
        if (c == '-' && i < len) {
            /* "-" then a line break: a word hyphenated across lines is joined. */
            size_t k = i;
            bool newline = false;
            while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n')) {
                newline |= s[k] == '\n';
                k++;
            }
            if (newline && k < len && s[k] >= 'a' && s[k] <= 'z') {
                i = k;
                continue;
            }
        }
        if (c == ' ') {
            if (last_space)
                continue;
            last_space = true;
        } else {
            last_space = false;
        }
        char bytes[4];
        size_t nb = encode(c, bytes);
        for (size_t b = 0; b < nb; b++) {
            char ch = bytes[b];
            out->cased[n] = ch;
            out->folded[n] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
            out->offsets[n] = at;
            n++;
        }
    }
    while (n && out->cased[n - 1] == ' ')
        n--;
    out->folded[n] = out->cased[n] = '\0';
    out->offsets[n] = len;
    out->len = n;
}

void normalized_free(struct normalized *n)
{
    free(n->folded);
    free(n->cased);
    free(n->offsets);
    memset(n, 0, sizeof *n);
}
