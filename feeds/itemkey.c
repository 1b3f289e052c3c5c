/* itemkey.c: item identity and link normalisation (libcurl's URL API does the parsing). */
#include "feeds/itemkey.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "feeds/date.h"

/* Query parameters that only say where a click came from. */
static bool is_tracking_param(const char *param, size_t len)
{
    static const char *const exact[] = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid",
                                        "igshid", "yclid", "_hsenc", "_hsmi", "mkt_tok", "ref_src"};
    if (len > 4 && strncmp(param, "utm_", 4) == 0)
        return true;
    for (size_t i = 0; i < ARRAY_LEN(exact); i++)
        if (strlen(exact[i]) == len && strncmp(param, exact[i], len) == 0)
            return true;
    return false;
}

/* Rebuilds a query string without tracking parameters; NULL when nothing is left. */
static char *strip_tracking(const char *query)
{
    struct buf out;
    buf_init(&out, 0);
    const char *p = query;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        if (len && !is_tracking_param(p, name_len)) {
            if (out.len)
                buf_append_char(&out, '&');
            buf_append(&out, p, len);
        }
        p += len + (end ? 1 : 0);
    }
    if (!out.len) {
        buf_free(&out);
        return NULL;
    }
    return buf_steal(&out);
}

char *url_host(const char *url)
{
    char *host = NULL, *copy = NULL;
    CURLU *u = curl_url();
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        copy = xstrdup(host);
        for (char *c = copy; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return copy;
}

char *url_normalize(const char *url)
{
    if (!url)
        return NULL;
    CURLU *u = curl_url();
    char *result = NULL;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        goto done;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        goto done;
    for (char *c = host; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT); /* NULL when absent or default */
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    char *kept_query = query ? strip_tracking(query) : NULL;
    size_t path_len = path ? strlen(path) : 0;
    while (path_len > 1 && path[path_len - 1] == '/')
        path_len--;
    result = xasprintf("%s://%s%s%s%.*s%s%s", scheme, host, port ? ":" : "", port ? port : "",
                       (int)path_len, path ? path : "/", kept_query ? "?" : "",
                       kept_query ? kept_query : "");
    free(kept_query);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return result;
}

static bool nonempty(const char *s)
{
    return s && *s;
}

char *item_key(const char *feed_url, const struct feed_item *item)
{
    if (nonempty(item->id)) {
        char *as_url = url_normalize(item->id);
        if (as_url) {
            char *key = xasprintf("url:%s", as_url);
            free(as_url);
            return key;
        }
        return xasprintf("guid:%s\n%s", feed_url, item->id);
    }
    if (nonempty(item->link)) {
        /* A link with its date: a page that carries new items under one address (a live
         * page) gives a new item per date. (The same link is still one article across
         * feeds: the state also checks the normalised link.) */
        char *link = url_normalize(item->link);
        char date[DATE_ISO_LEN] = "";
        if (item->has_published)
            date_format_iso(item->published, date);
        else if (item->has_updated)
            date_format_iso(item->updated, date);
        char *key = *date ? xasprintf("url:%s\n%s", link ? link : item->link, date)
                          : xasprintf("url:%s", link ? link : item->link);
        free(link);
        return key;
    }
    if (nonempty(item->title) || nonempty(item->content) || nonempty(item->summary)) {
        struct buf text;
        buf_init(&text, 0);
        buf_append_str(&text, item->title ? item->title : "");
        buf_append_char(&text, '\n');
        buf_append_str(&text, item->content ? item->content : item->summary ? item->summary : "");
        char digest[HASH_HEX_LEN + 1];
        hash_sha256_hex(text.data, text.len, digest);
        buf_free(&text);
        return xasprintf("text:%s\n%s", feed_url, digest);
    }
    return NULL;
}

void item_record_id(const char *key, char out[RECORD_ID_LEN + 1])
{
    char digest[HASH_HEX_LEN + 1];
    hash_sha256_hex(key, strlen(key), digest);
    memcpy(out, digest, RECORD_ID_LEN);
    out[RECORD_ID_LEN] = '\0';
}
