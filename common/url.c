/* url.c: URL host and normalisation on libcurl's URL API (see url.h). */
#include "common/url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

/* Query parameters that only say where a click came from. */
static bool is_tracking_param(const char *param, size_t len)
{
    static const char *const exact[] = {"fbclid", "gclid",  "dclid",   "msclkid",
                                        "mc_cid", "mc_eid", "igshid",  "yclid",
                                        "_hsenc", "_hsmi",  "mkt_tok", "ref_src"};
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
