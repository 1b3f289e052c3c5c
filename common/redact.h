/* redact.h: credentials out of URLs before they are printed.
 *
 * A feed URL may carry `user:password@` (RFC 3986 userinfo). It is a secret of the
 * configuration: whatever prints a URL (logs, records, metrics, OPML export) prints it
 * without its userinfo, and the fetcher sends the userinfo as HTTP credentials rather than
 * as part of the URL, so no URL libcurl reports back carries it. */
#ifndef FEEDSPOOL_COMMON_REDACT_H
#define FEEDSPOOL_COMMON_REDACT_H

#include <stdbool.h>

/* A copy of text in which every URL ("scheme://...") has lost its userinfo: the URL
 * "https://u:p@host/x" becomes "https://host/x", and so does any URL inside a sentence.
 * NULL gives NULL. Caller frees. */
char *redact_credentials(const char *text);
/* True when text holds a URL with userinfo (what redact_credentials would remove). */
bool has_credentials(const char *text);
/* Splits url into the URL without its userinfo and the user name and password it carried,
 * percent-decoded (password "" when the userinfo has no ':'). Returns true when there
 * was userinfo (the three are then set, caller frees each); false changes nothing. */
bool url_take_credentials(const char *url, char **clean, char **user, char **password);

#endif
