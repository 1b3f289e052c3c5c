/* log.c: one line per call on stderr, prefixed with its syslog priority.
 *
 * The format is the program's own text; what fills its %s conversions comes from outside
 * (feed titles, URLs, server error messages) and is escaped on the way in, so that every
 * call writes exactly one line and no value can forge a key, a line or a priority:
 *   - control bytes become \n, \r, \t or \xNN; invalid UTF-8 bytes \xNN; the C1 controls
 *     and the Unicode line and paragraph separators \uNNNN;
 *   - inside quotes (key="%s") a quote or backslash gets a backslash;
 *   - right after `key=` a value that is empty or holds a space, quote, '=' or backslash is
 *     quoted (logfmt);
 *   - URLs lose their `user:password@` (common/redact.h).
 * Numbers are formatted by vsnprintf as usual. Width and flags are not applied to %s. */
#include "common/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/redact.h"

static enum log_level max_level = LOG_LEVEL_INFO;

static const char *const level_names[] = {
    [LOG_LEVEL_ERR] = "err",   [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
    [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
    max_level = level;
}

int log_level_parse(const char *name)
{
    for (int level = LOG_LEVEL_ERR; level <= LOG_LEVEL_DEBUG; level++)
        if (strcmp(name, level_names[level]) == 0)
            return level;
    return -1;
}

#define LINE_MAX_BYTES 4096

struct line {
    char text[LINE_MAX_BYTES];
    size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (n > sizeof l->text - 1 - l->len)
        n = sizeof l->text - 1 - l->len;
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0; *cp gets its code
 * point. Overlong forms, surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c, min;
    if (s[0] < 0x80)
        return *cp = s[0], 1;
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, c = s[0] & 0x1F, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, c = s[0] & 0x0F, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, c = s[0] & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Does a bare key=value need quotes for this value? */
static bool needs_quotes(const char *s)
{
    if (!*s)
        return true;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p >= 0x7F)
            return true;
    return false;
}

/* Appends s escaped; quoted: a quote or backslash is escaped too. */
static void put_escaped(struct line *l, const char *s, bool quoted)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    char esc[16];
    while (n > 0) {
        uint32_t cp;
        size_t len = utf8_sequence(p, n, &cp);
        if (len == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", *p);
            put(l, esc, 4);
            len = 1;
        } else if (cp == '\n') {
            put(l, "\\n", 2);
        } else if (cp == '\r') {
            put(l, "\\r", 2);
        } else if (cp == '\t') {
            put(l, "\\t", 2);
        } else if (cp < 0x20 || cp == 0x7F) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
            put(l, esc, 4);
        } else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
            put(l, esc, 6);
        } else if (quoted && (cp == '"' || cp == '\\')) {
            put(l, "\\", 1);
            put(l, (const char *)p, 1);
        } else {
            put(l, (const char *)p, len);
        }
        p += len;
        n -= len;
    }
}

/* A %s value: redacted, then escaped as its place in the format asks (before: the format
 * character ahead of the '%', after: the one after the conversion). */
static void put_value(struct line *l, const char *value, int precision, char before, char after)
{
    size_t n = value ? strlen(value) : 6;
    if (precision >= 0 && (size_t)precision < n)
        n = (size_t)precision;
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, value ? value : "(null)", n);
    copy[n] = '\0';
    char *text = has_credentials(copy) ? redact_credentials(copy) : copy;
    if (before == '"' && after == '"') {
        put_escaped(l, text, true);
    } else if (before == '=' && needs_quotes(text)) {
        put(l, "\"", 1);
        put_escaped(l, text, true);
        put(l, "\"", 1);
    } else {
        put_escaped(l, text, false);
    }
    if (text != copy)
        free(text);
    free(copy);
}

/* Formats one numeric conversion spec (no '*' left in it) with its argument. */
static void put_number(struct line *l, const char *spec, char conv, const char *length, va_list *ap)
{
    char out[512];
    int n;
    if (conv == 'f' || conv == 'F' || conv == 'e' || conv == 'E' || conv == 'g' || conv == 'G' ||
        conv == 'a' || conv == 'A') {
        if (strcmp(length, "L") == 0)
            n = snprintf(out, sizeof out, spec, va_arg(*ap, long double));
        else
            n = snprintf(out, sizeof out, spec, va_arg(*ap, double));
    } else if (conv == 'p') {
        n = snprintf(out, sizeof out, spec, va_arg(*ap, void *));
    } else if (conv == 'd' || conv == 'i') {
        if (strcmp(length, "ll") == 0 || strcmp(length, "j") == 0)
            n = snprintf(out, sizeof out, spec, va_arg(*ap, long long));
        else if (strcmp(length, "l") == 0 || strcmp(length, "z") == 0 || strcmp(length, "t") == 0)
            n = snprintf(out, sizeof out, spec, va_arg(*ap, long));
        else
            n = snprintf(out, sizeof out, spec, va_arg(*ap, int));
    } else { /* u, x, X, o */
        if (strcmp(length, "ll") == 0 || strcmp(length, "j") == 0)
            n = snprintf(out, sizeof out, spec, va_arg(*ap, unsigned long long));
        else if (strcmp(length, "l") == 0 || strcmp(length, "z") == 0 || strcmp(length, "t") == 0)
            n = snprintf(out, sizeof out, spec, va_arg(*ap, unsigned long));
        else
            n = snprintf(out, sizeof out, spec, va_arg(*ap, unsigned int));
    }
    if (n > 0)
        put(l, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
}

/* Formats fmt into l: literal text as it stands, each conversion as described above. */
static void format_line(struct line *l, const char *fmt, va_list *ap)
{
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            put(l, p, strlen(p));
            return;
        }
        put(l, p, (size_t)(pct - p));
        char before = pct > fmt ? pct[-1] : '\0';
        const char *q = pct + 1;
        if (*q == '%') {
            put(l, "%", 1);
            p = q + 1;
            continue;
        }
        char spec[64] = "%";
        size_t sl = 1;
        while (*q && strchr("-+ #0'", *q) && sl < 20)
            spec[sl++] = *q++;
        if (*q == '*') {
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", va_arg(*ap, int));
            q++;
        } else {
            while (*q >= '0' && *q <= '9' && sl < 30)
                spec[sl++] = *q++;
        }
        int precision = -1;
        if (*q == '.') {
            q++;
            if (*q == '*') {
                precision = va_arg(*ap, int);
                q++;
            } else {
                precision = 0;
                while (*q >= '0' && *q <= '9')
                    precision = precision * 10 + (*q++ - '0');
            }
            if (precision >= 0)
                sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%d", precision);
        }
        char length[3] = "";
        size_t ll = 0;
        while (*q && strchr("hlLzjt", *q) && ll < 2)
            length[ll++] = *q++;
        length[ll] = '\0';
        char conv = *q;
        if (!conv) {
            put(l, pct, strlen(pct));
            return;
        }
        if (conv == 's') {
            put_value(l, va_arg(*ap, const char *), precision, before, q[1]);
        } else if (conv == 'c') {
            char c[2] = {(char)va_arg(*ap, int), '\0'};
            put_value(l, c, -1, before, q[1]);
        } else if (strchr("diuxXofFeEgGaAp", conv)) {
            memcpy(spec + sl, length, ll);
            spec[sl + ll] = conv;
            spec[sl + ll + 1] = '\0';
            put_number(l, spec, conv, length, ap);
        } else {
            put(l, pct, (size_t)(q + 1 - pct)); /* not a conversion this logger knows */
        }
        p = q + 1;
    }
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > max_level)
        return;
    struct line line = {.len = 0};
    line.text[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    format_line(&line, fmt, &ap);
    va_end(ap);
    /* One write per line so concurrent writers never interleave inside a line. */
    fprintf(stderr, "<%d>%s\n", (int)level, line.text);
}
