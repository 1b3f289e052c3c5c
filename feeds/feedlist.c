/* feedlist.c: parser for the plain-text feed list. */
#include "feeds/feedlist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/duration.h"
#include "common/redact.h"
#include "common/util.h"

#define FEEDLIST_MAX_BYTES (64L * 1024 * 1024)

/* Reads one whitespace-separated token at *p; double quotes group spaces. Control
 * characters never become part of a token. Caller frees. */
static char *next_token(const char **p)
{
    const char *s = *p;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *p = s;
        return NULL;
    }
    struct buf tok;
    buf_init(&tok, 0);
    bool quoted = false;
    for (; *s && (quoted || !isspace((unsigned char)*s)); s++) {
        if (*s == '"')
            quoted = !quoted;
        else if ((unsigned char)*s >= ' ' && *s != 0x7F)
            buf_append_char(&tok, *s);
    }
    *p = s;
    return buf_steal(&tok);
}

int feedlist_parse_interval(const char *text, long *out)
{
    long seconds;
    if (duration_parse(text, DURATION_SECONDS, &seconds) < 0 || seconds < 1 ||
        seconds > FEEDLIST_MAX_INTERVAL)
        return -1;
    *out = seconds;
    return 0;
}

/* An http(s) URL with something after the scheme and no spaces, quotes or control bytes. */
static bool is_http_url(const char *s)
{
    bool scheme_ok =
        (strncasecmp(s, "http://", 7) == 0 && s[7]) || (strncasecmp(s, "https://", 8) == 0 && s[8]);
    for (const unsigned char *p = (const unsigned char *)s; scheme_ok && *p; p++)
        if (*p <= ' ' || *p == '"' || *p == 0x7F)
            return false;
    return scheme_ok;
}

bool feedlist_valid_topics(const char *s)
{
    bool at_start = true;
    for (; *s; s++) {
        if (*s == ',') {
            if (at_start)
                return false;
            at_start = true;
        } else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
            at_start = false;
        } else {
            return false;
        }
    }
    return !at_start;
}

static int parse_line(const char *line, const char *name, unsigned lineno, struct feed_entry *e,
                      char *err, size_t errlen)
{
    const char *p = line;
    memset(e, 0, sizeof *e);
    e->line = lineno;
    e->url = next_token(&p);
    if (!is_http_url(e->url)) {
        char *shown = redact_credentials(e->url); /* errors are printed: no passwords */
        set_err(err, errlen, "%s:%u: '%s' is not an http or https URL", name, lineno, shown);
        free(shown);
        return -1;
    }
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
                e->name = *value ? xstrdup(value) : NULL; /* name= names nothing */
            } else if (strcmp(tok, "interval") == 0) {
                if (feedlist_parse_interval(value, &e->interval) < 0)
                    rc = set_err(err, errlen,
                                 "%s:%u: interval '%s' is not a duration (e.g. 600, 10m, 2h)", name,
                                 lineno, value);
            } else if (strcmp(tok, "topics") == 0) {
                if (!feedlist_valid_topics(value))
                    rc = set_err(err, errlen,
                                 "%s:%u: topics '%s' is not a comma-separated list of topic ids",
                                 name, lineno, value);
                free(e->topics);
                e->topics = xstrdup(value);
            } else if (strcmp(tok, "sitemap") == 0) {
                if (strcmp(value, "yes") == 0)
                    e->sitemap = FEEDLIST_SITEMAP_YES;
                else if (strcmp(value, "no") == 0)
                    e->sitemap = FEEDLIST_SITEMAP_NO;
                else
                    rc = set_err(err, errlen, "%s:%u: sitemap '%s' is not yes or no", name, lineno,
                                 value);
            } else {
                rc = set_err(
                    err, errlen,
                    "%s:%u: unknown feed option '%s' (known: name, interval, topics, sitemap)",
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
    free(e->topics);
}

/* Adds e (taking its strings) to the end of list. */
static void push_entry(struct feed_list *list, struct feed_entry *e)
{
    if ((list->n & (list->n - 1)) == 0) /* 0, 1, 2, 4, ...: grow to the next power of two */
        list->entries =
            xrealloc(list->entries, (list->n ? list->n * 2 : 1) * sizeof *list->entries);
    list->entries[list->n++] = *e;
}

static int compare_url_then_line(const void *a, const void *b)
{
    const struct feed_entry *const *x = a, *const *y = b;
    int c = strcmp((*x)->url, (*y)->url);
    return c ? c : ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

/* The first entry, in file order, whose URL an earlier one lists (*twin: the earliest of
 * those), or NULL. Sorted once, so a list of 10,000 feeds is not 50 million comparisons. */
static const struct feed_entry *first_repeat(const struct feed_list *list,
                                             const struct feed_entry **twin)
{
    const struct feed_entry **sorted = xcalloc(list->n ? list->n : 1, sizeof *sorted);
    for (size_t i = 0; i < list->n; i++)
        sorted[i] = &list->entries[i];
    qsort(sorted, list->n, sizeof *sorted, compare_url_then_line);
    const struct feed_entry *repeat = NULL;
    size_t first_of_url = 0;
    for (size_t i = 1; i < list->n; i++) {
        if (strcmp(sorted[i]->url, sorted[first_of_url]->url) != 0) {
            first_of_url = i;
        } else if (i == first_of_url + 1 && (!repeat || sorted[i]->line < repeat->line)) {
            repeat = sorted[i];
            *twin = sorted[first_of_url];
        }
    }
    free(sorted);
    return repeat;
}

/* A repeated URL before `line` (0: anywhere) makes the error; returns -1 when there is one. */
static int refuse_repeat(const struct feed_list *list, const char *name, unsigned line, char *err,
                         size_t errlen)
{
    const struct feed_entry *twin = NULL;
    const struct feed_entry *repeat = first_repeat(list, &twin);
    if (!repeat || (line && repeat->line > line))
        return 0;
    char *shown = redact_credentials(repeat->url);
    set_err(err, errlen, "%s:%u: %s is already listed on line %u", name, repeat->line, shown,
            twin->line);
    free(shown);
    return -1;
}

int feedlist_parse(const char *text, const char *name, struct feed_list *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
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
        if (rc) {
            refuse_repeat(out, name, lineno, err, errlen); /* an earlier line's error comes first */
            entry_free(&e);
            feedlist_free(out);
            return -1;
        }
        push_entry(out, &e);
    }
    if (refuse_repeat(out, name, 0, err, errlen) < 0) {
        feedlist_free(out);
        return -1;
    }
    return 0;
}

void feedlist_append(struct feed_list *list, const char *url, const char *name, long interval,
                     const char *topics)
{
    struct feed_entry e = {.url = xstrdup(url),
                           .name = name ? xstrdup(name) : NULL,
                           .interval = interval,
                           .topics = topics ? xstrdup(topics) : NULL,
                           .line = list->n ? list->entries[list->n - 1].line + 1 : 1};
    push_entry(list, &e);
}

/* Quotes a value that holds spaces; drops characters the format cannot carry. */
static void append_value(struct buf *out, const char *value)
{
    bool quote = strpbrk(value, " \t") != NULL;
    if (quote)
        buf_append_char(out, '"');
    for (const char *s = value; *s; s++)
        if (*s != '"' && *s != '#' && (unsigned char)*s >= ' ' && *s != 0x7F)
            buf_append_char(out, *s);
    if (quote)
        buf_append_char(out, '"');
}

char *feedlist_format(const struct feed_list *list)
{
    struct buf out;
    buf_init(&out, 0);
    for (size_t i = 0; i < list->n; i++) {
        const struct feed_entry *e = &list->entries[i];
        buf_append_str(&out, e->url);
        if (e->name && *e->name) {
            buf_append_str(&out, " name=");
            append_value(&out, e->name);
        }
        if (e->interval) {
            char interval[48];
            snprintf(interval, sizeof interval, " interval=%lds", e->interval);
            buf_append_str(&out, interval);
        }
        if (e->topics) {
            buf_append_str(&out, " topics=");
            buf_append_str(&out, e->topics);
        }
        if (e->sitemap != FEEDLIST_SITEMAP_DETECT)
            buf_append_str(&out,
                           e->sitemap == FEEDLIST_SITEMAP_YES ? " sitemap=yes" : " sitemap=no");
        buf_append_char(&out, '\n');
    }
    return out.data ? buf_steal(&out) : xstrdup("");
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

size_t feedlist_retain(struct feed_list *list, bool (*keep)(const struct feed_entry *, void *),
                       void *ud)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (keep(&list->entries[i], ud))
            list->entries[kept++] = list->entries[i];
        else
            entry_free(&list->entries[i]);
    }
    list->n = kept;
    return kept;
}

const struct feed_entry *feedlist_find(const struct feed_list *list, const char *url)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->entries[i].url, url) == 0)
            return &list->entries[i];
    return NULL;
}
