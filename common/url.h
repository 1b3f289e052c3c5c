/* url.h: generic URL helpers, on libcurl's URL API (curl_url).
 *
 * url_normalize() makes two links to one article one string: scheme and host in lower
 * case, no default port, no fragment, no trailing slash, and no query parameters that only
 * say where a click came from (utm_*, fbclid, gclid, ...). Item identity (feeds/itemkey)
 * and story fingerprints are built on it; url_host() keys host pacing and shards. */
#ifndef FEEDSPOOL_COMMON_URL_H
#define FEEDSPOOL_COMMON_URL_H

/* The host of an absolute URL in lower case, or NULL when it has none. Caller frees. */
char *url_host(const char *url);
/* The normalised form of an absolute http(s) URL, or NULL if it is not one. Caller frees. */
char *url_normalize(const char *url);

#endif
