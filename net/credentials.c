/* credentials.c: the credentials file, read and searched by URL prefix. */
#include "net/credentials.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/util.h"

#define CREDENTIALS_MAX_BYTES (1024L * 1024)

struct credentials {
    struct credential *entries;
    size_t n;
};

static void wipe(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void credentials_free(struct credentials *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].prefix);
        wipe(c->entries[i].user);
        wipe(c->entries[i].password);
    }
    free(c->entries);
    free(c);
}

static bool is_http_prefix(const char *s, size_t len)
{
    return (len > 7 && strncasecmp(s, "http://", 7) == 0) ||
           (len > 8 && strncasecmp(s, "https://", 8) == 0);
}

int credentials_parse(const char *text, const char *name, struct credentials **out, char *err,
                      size_t errlen)
{
    struct credentials *c = xcalloc(1, sizeof *c);
    unsigned lineno = 0;
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        const char *next = line[len] ? line + len + 1 : line + len;
        lineno++;
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            len--;
        size_t lead = 0;
        while (lead < len && isspace((unsigned char)line[lead]))
            lead++;
        const char *s = line + lead;
        len -= lead;
        line = next;
        if (len == 0 || s[0] == '#')
            continue;
        size_t prefix_len = 0;
        while (prefix_len < len && !isspace((unsigned char)s[prefix_len]))
            prefix_len++;
        const char *secret = s + prefix_len;
        size_t secret_len = len - prefix_len;
        while (secret_len > 0 && isspace((unsigned char)*secret))
            secret++, secret_len--;
        const char *colon = memchr(secret, ':', secret_len);
        if (!is_http_prefix(s, prefix_len) || !colon || colon == secret) {
            set_err(err, errlen,
                    "%s:%u: expected `URL-PREFIX USER:PASSWORD` (an http or https "
                    "URL, then a user name and a password after a colon)",
                    name, lineno);
            credentials_free(c);
            return -1;
        }
        c->entries = xrealloc(c->entries, (c->n + 1) * sizeof *c->entries);
        struct credential *e = &c->entries[c->n++];
        e->prefix = xstrndup(s, prefix_len);
        e->user = xstrndup(secret, (size_t)(colon - secret));
        e->password = xstrndup(colon + 1, secret_len - (size_t)(colon - secret) - 1);
    }
    *out = c;
    return 0;
}

int credentials_load(const char *path, struct credentials **out, char *err, size_t errlen)
{
    size_t len;
    char *text = file_read_all(path, CREDENTIALS_MAX_BYTES, &len, err, errlen);
    if (!text)
        return -1;
    int rc = credentials_parse(text, path, out, err, errlen);
    explicit_bzero(text, len);
    free(text);
    return rc;
}

char *credentials_path(const char *path)
{
    if (path && *path)
        return xstrdup(path);
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir)
        return NULL;
    char *systemd = xasprintf("%s/feedspool-credentials", dir);
    if (access(systemd, F_OK) == 0)
        return systemd;
    free(systemd);
    return NULL;
}

const struct credential *credentials_find(const struct credentials *c, const char *url)
{
    const struct credential *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; c && i < c->n; i++) {
        const struct credential *e = &c->entries[i];
        size_t len = strlen(e->prefix);
        if (len <= best_len || strncasecmp(url, e->prefix, len) != 0)
            continue;
        char after = url[len];
        if (e->prefix[len - 1] == '/' || after == '\0' || after == '/' || after == '?' ||
            after == '#') {
            best = e;
            best_len = len;
        }
    }
    return best;
}

size_t credentials_count(const struct credentials *c)
{
    return c ? c->n : 0;
}
