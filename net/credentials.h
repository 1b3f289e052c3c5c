/* credentials.h: HTTP credentials for feeds, from a file that is not the feed list.
 *
 * So that secrets need not sit in the feed list (which is exported, shared and logged
 * about), the `credentials` option names a file (by default
 * $CREDENTIALS_DIRECTORY/feedspool-credentials, where systemd's LoadCredential= puts it)
 * of lines
 *     URL-PREFIX  USER:PASSWORD
 * (`#` starts a comment line). A request whose URL starts with a prefix, at a boundary (the
 * prefix ends in '/', or the URL goes on with '/', '?', '#' or ends there), is sent with that
 * user and password (HTTP authentication, CURLOPT_USERNAME/PASSWORD); the longest prefix
 * wins. libcurl sends them to that URL's host only, never to where a redirect leads. */
#ifndef FEEDSPOOL_NET_CREDENTIALS_H
#define FEEDSPOOL_NET_CREDENTIALS_H

#include <stddef.h>

struct credential {
    char *prefix;
    char *user;
    char *password;
};

struct credentials;

/* Parses the file's text; name labels errors ("NAME:LINE: reason", never the secret). */
int credentials_parse(const char *text, const char *name, struct credentials **out, char *err,
                      size_t errlen);
int credentials_load(const char *path, struct credentials **out, char *err, size_t errlen);
/* The file to read: path when set (non-empty), else $CREDENTIALS_DIRECTORY/
 * feedspool-credentials when that exists, else NULL (no credentials). Caller frees. */
char *credentials_path(const char *path);
/* The credential whose prefix is the longest one url starts with, or NULL (also when c is NULL). */
const struct credential *credentials_find(const struct credentials *c, const char *url);
size_t credentials_count(const struct credentials *c);
/* Frees c, its secrets overwritten first. */
void credentials_free(struct credentials *c);

#endif
