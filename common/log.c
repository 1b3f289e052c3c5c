/* log.c: one line per call on stderr: prefixed with its syslog priority under journald,
 * with a timestamp and the level's word elsewhere, or as one JSON object (log.h).
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
 * Numbers are formatted by vsnprintf as usual. Width and flags are not applied to %s.
 * The JSON form is made from that escaped line: each key=value becomes a field (a quoted
 * value unquoted, its escapes turned into JSON's; a bare number a number), the other words
 * the message. */
#include "common/log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/redact.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static enum log_format line_format = LOG_FORMAT_TEXT;
static int stderr_journal = -1; /* 1: stderr is journald's stream; -1: not looked at yet */

/* The level as the text and JSON forms name it. */
static const char *const level_words[] = {
    [LOG_LEVEL_ERR] = "error", [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
    [LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
    max_level = level;
}

/* sd-daemon(3): journald sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it reads; the
 * variable is inherited, so it counts only while stderr is still that stream. */
static bool stderr_is_journal(void)
{
    const char *stream = getenv("JOURNAL_STREAM");
    unsigned long long device, inode;
    char extra;
    struct stat st;
    if (!stream || sscanf(stream, "%llu:%llu%c", &device, &inode, &extra) != 2 ||
        fstat(STDERR_FILENO, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == device && (unsigned long long)st.st_ino == inode;
}

void log_set_format(enum log_format format)
{
    line_format = format;
    stderr_journal = stderr_is_journal();
}

#define LINE_MAX_BYTES 4096

struct line {
    char text[LINE_MAX_BYTES];
    size_t len;
};

/* Appends s[0..n); a line that is full is cut, never inside a UTF-8 sequence. */
static void put(struct line *l, const char *s, size_t n)
{
    if (n > sizeof l->text - 1 - l->len) {
        n = sizeof l->text - 1 - l->len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
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

/* "2026-12-03T19:06:12.123Z" into out. */
static void format_time(char *out, size_t outlen)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, outlen - n, ".%03ldZ", now.tv_nsec / 1000000);
}

/* A JSON line being built; what would not fit is dropped whole (see json_fits). */
struct json_line {
    char text[LINE_MAX_BYTES * 6 + 512]; /* every byte of a line may become \u00NN */
    size_t len;
};

static void json_put(struct json_line *j, const char *s, size_t n)
{
    if (n > sizeof j->text - 1 - j->len)
        n = sizeof j->text - 1 - j->len;
    memcpy(j->text + j->len, s, n);
    j->len += n;
    j->text[j->len] = '\0';
}

/* The count hex digits at s (have bytes there) into *out; false when they are not there. */
static bool escape_number(const char *s, size_t have, size_t count, unsigned *out)
{
    unsigned value = 0;
    for (size_t k = 0; k < count; k++) {
        if (k >= have || !isxdigit((unsigned char)s[k]))
            return false;
        value = value * 16 +
                (unsigned)(isdigit((unsigned char)s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10);
    }
    *out = value;
    return true;
}

/* Appends s[0..n) inside a JSON string. unescape: s is a quoted logfmt value whose escapes
 * (\" \\ \n \r \t \xNN \uNNNN) are turned into JSON's; an \xNN past ASCII (a byte that was
 * not UTF-8) stays as the four characters it is written with, and a backslash that starts
 * no escape log.c writes (text that only looks like a quoted value) is a backslash. */
static void json_put_chars(struct json_line *j, const char *s, size_t n, bool unescape)
{
    char esc[16];
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unescape && c == '\\' && i + 1 < n) {
            char next = s[++i];
            unsigned byte = 0, cp = 0;
            if (next == 'x' && escape_number(s + i + 1, n - i - 1, 2, &byte) && byte != 0) {
                if (byte < 0x80)
                    snprintf(esc, sizeof esc, "\\u%04x", byte);
                else
                    snprintf(esc, sizeof esc, "\\\\x%.2s", s + i + 1);
                json_put(j, esc, strlen(esc));
                i += 2;
            } else if ((next == 'u' && escape_number(s + i + 1, n - i - 1, 4, &cp) &&
                        ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)) ||
                       next == 'n' || next == 'r' || next == 't' || next == '"' || next == '\\') {
                json_put(j, "\\", 1);
                json_put(j, &next, 1);
            } else {
                json_put(j, "\\\\", 2);
                i--;
            }
        } else if (c == '"' || c == '\\') {
            json_put(j, "\\", 1);
            json_put(j, (const char *)&c, 1);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            json_put(j, esc, 6);
        } else if (c < 0x80) {
            json_put(j, (const char *)&c, 1);
        } else {
            uint32_t cp;
            size_t len = utf8_sequence((const unsigned char *)s + i, n - i, &cp);
            if (len == 0) { /* not UTF-8 (the program's own text): shown as log.c shows it */
                snprintf(esc, sizeof esc, "\\\\x%02x", c);
                json_put(j, esc, 5);
            } else {
                json_put(j, s + i, len);
                i += len - 1;
            }
        }
    }
}

/* Whether s[0..n) is a JSON number (as counts, statuses and durations in seconds are) that
 * any JSON parser reads exactly; longer digit strings (ids) stay strings. */
static bool is_json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    size_t digits = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == digits || (s[digits] == '0' && i - digits > 1))
        return false;
    if (i < n && s[i] == '.') {
        size_t frac = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == frac)
            return false;
    }
    return i == n && n <= 16; /* up to 15 digits: exact in a double, and in every parser */
}

/* The length of the key at s when s starts "key=" (letters, digits, '_', '.', '-';
 * a letter or '_' first), else 0. */
static size_t key_length(const char *s)
{
    size_t n = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
           (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '.' || s[n] == '-')
        n++;
    return s[n] == '=' ? n : 0;
}

/* The escaped line as one JSON object: the key=value pairs as fields, the rest as message.
 * Under journald the priority prefix comes first, so that journald still files the level. */
static void write_json(enum log_level level, const char *text)
{
    static struct json_line j, fields; /* large; the log is written from one thread */
    char when[40];
    format_time(when, sizeof when);
    j.len = 0;
    fields.len = 0;
    if (stderr_journal) {
        char prefix[8];
        int n = snprintf(prefix, sizeof prefix, "<%d>", (int)level);
        json_put(&j, prefix, (size_t)n);
    }
    json_put(&j, "{\"time\":\"", 9);
    json_put(&j, when, strlen(when));
    json_put(&j, "\",\"level\":\"", 11);
    json_put(&j, level_words[level], strlen(level_words[level]));
    json_put(&j, "\",\"message\":\"", 13);
    bool first_word = true;
    fields.text[0] = '\0';
    for (const char *p = text; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        size_t klen = key_length(p);
        if (!klen) {
            size_t n = strcspn(p, " ");
            if (!first_word)
                json_put(&j, " ", 1);
            json_put_chars(&j, p, n, false);
            first_word = false;
            p += n;
            continue;
        }
        const char *value = p + klen + 1;
        size_t vlen;
        bool quoted = *value == '"';
        if (quoted) {
            value++;
            for (vlen = 0; value[vlen] && value[vlen] != '"'; vlen++)
                if (value[vlen] == '\\' && value[vlen + 1])
                    vlen++;
        } else {
            vlen = strcspn(value, " ");
        }
        bool reserved = (klen == 4 && strncmp(p, "time", 4) == 0) ||
                        (klen == 5 && strncmp(p, "level", 5) == 0) ||
                        (klen == 7 && strncmp(p, "message", 7) == 0);
        json_put(&fields, reserved ? ",\"_" : ",\"", reserved ? 3 : 2);
        json_put(&fields, p, klen);
        json_put(&fields, "\":", 2);
        if (!quoted && is_json_number(value, vlen)) {
            json_put(&fields, value, vlen);
        } else {
            json_put(&fields, "\"", 1);
            json_put_chars(&fields, value, vlen, quoted);
            json_put(&fields, "\"", 1);
        }
        p = value + vlen + (quoted && value[vlen] == '"');
    }
    json_put(&j, "\"", 1);
    json_put(&j, fields.text, fields.len);
    json_put(&j, "}\n", 2);
    fwrite(j.text, 1, j.len, stderr);
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
    if (stderr_journal < 0)
        stderr_journal = stderr_is_journal();
    /* One write per line so concurrent writers never interleave inside a line. */
    if (line_format == LOG_FORMAT_JSON) {
        write_json(level, line.text);
    } else if (stderr_journal) {
        fprintf(stderr, "<%d>%s\n", (int)level, line.text);
    } else {
        char when[40];
        format_time(when, sizeof when);
        fprintf(stderr, "%s %s %s\n", when, level_words[level], line.text);
    }
}
