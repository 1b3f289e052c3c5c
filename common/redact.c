/* redact.c: finding and removing the userinfo part of URLs. */
#include "common/redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Where a URL's authority ends: at the path, query or fragment, or where the text stops
 * looking like a URL. */
static size_t authority_length(const char *s)
{
    return strcspn(s, "/?#\\ \t\r\n\"'<>");
}

/* The userinfo of the URL whose "://" is at sep: its length up to and including the last
 * '@' of the authority, or 0 when there is none. */
static size_t userinfo_length(const char *sep)
{
    const char *authority = sep + 3;
    size_t len = authority_length(authority), userinfo = 0;
    for (size_t i = 0; i < len; i++)
        if (authority[i] == '@')
            userinfo = i + 1;
    return userinfo;
}

/* "://" preceded by a scheme (a letter, then letters, digits, '+', '-', '.'). */
static bool is_scheme_end(const char *text, const char *sep)
{
    const char *p = sep;
    while (p > text &&
           (isalnum((unsigned char)p[-1]) || p[-1] == '+' || p[-1] == '-' || p[-1] == '.'))
        p--;
    return p < sep && isalpha((unsigned char)*p);
}

bool has_credentials(const char *text)
{
    if (!text)
        return false;
    for (const char *sep = strstr(text, "://"); sep; sep = strstr(sep + 3, "://"))
        if (is_scheme_end(text, sep) && userinfo_length(sep) > 0)
            return true;
    return false;
}

char *redact_credentials(const char *text)
{
    if (!text)
        return NULL;
    char *out = xstrdup(text);
    char *sep = strstr(out, "://");
    while (sep) {
        size_t cut = is_scheme_end(out, sep) ? userinfo_length(sep) : 0;
        if (cut > 0)
            memmove(sep + 3, sep + 3 + cut, strlen(sep + 3 + cut) + 1);
        sep = strstr(sep + 3, "://");
    }
    return out;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* len bytes of s with %XX sequences decoded. Caller frees. */
static char *percent_decode(const char *s, size_t len)
{
    char *out = xcalloc(1, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
            (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}

bool url_take_credentials(const char *url, char **clean, char **user, char **password)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || !is_scheme_end(url, sep))
        return false;
    size_t userinfo = userinfo_length(sep);
    if (userinfo == 0)
        return false;
    const char *start = sep + 3;
    size_t len = userinfo - 1; /* without the '@' */
    const char *colon = memchr(start, ':', len);
    size_t user_len = colon ? (size_t)(colon - start) : len;
    *user = percent_decode(start, user_len);
    *password = colon ? percent_decode(colon + 1, len - user_len - 1) : xstrdup("");
    *clean = xcalloc(1, strlen(url) - userinfo + 1);
    memcpy(*clean, url, (size_t)(start - url));
    strcpy(*clean + (start - url), start + userinfo);
    return true;
}
