/* feedlist.c: parser for the plain-text feed list. */
#include "feeds/feedlist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

#define FEEDLIST_MAX_BYTES (64L * 1024 * 1024)

/* Reads one whitespace-separated token at *p; double quotes group spaces. Caller frees. */
static char *next_token(const char **p)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    struct buf tok;
    buf_init(&tok, 0);
    bool quoted = false;
    for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
        if (*s == '"')
            quoted = !quoted;
        else
            buf_append_char(&tok, *s);
    }
    *p = s;
    return buf_steal(&tok);
}

static int parse_interval(const char *text, long *out)
{
    errno = 0;
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || errno || n <= 0)
        return -1;
    long scale = 1;
    switch (*end) {
    case '\0': break;
    case 's': scale = 1; end++; break;
    case 'm': scale = 60; end++; break;
    case 'h': scale = 3600; end++; break;
    case 'd': scale = 86400; end++; break;
    default: return -1;
    }
    if (*end || n > 30L * 86400 / scale)
        return -1;
    *out = n * scale;
    return 0;
}

static bool is_http_url(const char *s)
{
    return (strncasecmp(s, "http://", 7) == 0 && s[7]) || (strncasecmp(s, "https://", 8) == 0 && s[8]);
}

static int parse_line(const char *line, const char *name, unsigned lineno, struct feed_entry *e,
                      char *err, size_t errlen)
{
    const char *p = line;
    memset(e, 0, sizeof *e);
    e->line = lineno;
    e->url = next_token(&p);
    if (!is_http_url(e->url))
        return set_err(err, errlen, "%s:%u: '%s' is not an http or https URL", name, lineno, e->url);
    char *tok;
    while ((tok = next_token(&p))) {
        char *eq = strchr(tok, '=');
        int rc = 0;
        if (!eq) {
            rc = set_err(err, errlen, "%s:%u: expected option=value, got '%s'", name, lineno, tok);
        } else {
            *eq = '\0';
            const char *value = eq + 1;
            if (strcmp(tok, "name") == 0) {
                free(e->name);
                e->name = xstrdup(value);
            } else if (strcmp(tok, "interval") == 0) {
                if (parse_interval(value, &e->interval) < 0)
                    rc = set_err(err, errlen,
                                 "%s:%u: interval '%s' is not a duration (e.g. 600, 10m, 2h)", name,
                                 lineno, value);
            } else {
                rc = set_err(err, errlen, "%s:%u: unknown feed option '%s' (known: name, interval)",
                             name, lineno, tok);
            }
        }
        free(tok);
        if (rc)
            return rc;
    }
    return 0;
}

static void entry_free(struct feed_entry *e)
{
    free(e->url);
    free(e->name);
}

int feedlist_parse(const char *text, const char *name, struct feed_list *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    unsigned lineno = 0;
    const char *p = text;
    while (*p) {
        lineno++;
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        p += len + (eol ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t n = strlen(line);
        while (n && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        const char *content = line;
        while (isspace((unsigned char)*content))
            content++;
        if (!*content) {
            free(line);
            continue;
        }
        struct feed_entry e;
        int rc = parse_line(content, name, lineno, &e, err, errlen);
        free(line);
        if (rc == 0) {
            const struct feed_entry *twin = feedlist_find(out, e.url);
            if (twin)
                rc = set_err(err, errlen, "%s:%u: %s is already listed on line %u", name, lineno,
                             e.url, twin->line);
        }
        if (rc) {
            entry_free(&e);
            feedlist_free(out);
            return -1;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->entries = xrealloc(out->entries, cap * sizeof *out->entries);
        }
        out->entries[out->n++] = e;
    }
    return 0;
}

int feedlist_load(const char *path, struct feed_list *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        return set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    struct buf text;
    buf_init(&text, FEEDLIST_MAX_BYTES);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&text, chunk, n) < 0) {
            rc = set_err(err, errlen, "%s: larger than %ld bytes", path, FEEDLIST_MAX_BYTES);
            break;
        }
    if (rc == 0 && ferror(f))
        rc = set_err(err, errlen, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (rc == 0)
        rc = feedlist_parse(text.data ? text.data : "", path, out, err, errlen);
    buf_free(&text);
    return rc;
}

void feedlist_free(struct feed_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        entry_free(&list->entries[i]);
    free(list->entries);
    list->entries = NULL;
    list->n = 0;
}

const struct feed_entry *feedlist_find(const struct feed_list *list, const char *url)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->entries[i].url, url) == 0)
            return &list->entries[i];
    return NULL;
}
