/* robots.h: robots.txt (RFC 9309) parsed for one crawler, and the question it answers:
 * may this path be fetched. Pure: no I/O, no clock; the per-host cache that fetches and
 * keeps the files is robots_cache.h.
 *
 * Ownership: robots_parse() returns a new object (never NULL) that owns its rules; the
 * caller frees it with robots_free(), which accepts NULL. */
#ifndef FEEDSPOOL_NET_ROBOTS_H
#define FEEDSPOOL_NET_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a robots.txt that are parsed; the rest is ignored (RFC 9309 2.5: at least 500 KiB). */
#define ROBOTS_PARSE_LIMIT (500 * 1024)
#define ROBOTS_PRODUCT_MAX 64

struct robots;

/* The rules of the groups that apply to product (a product token: letters, '_' and '-'):
 * those naming it, combined, else those of "*", else none. Every line is tried; what cannot
 * be parsed is skipped, so this never fails. Only the first ROBOTS_PARSE_LIMIT bytes count. */
struct robots *robots_parse(const char *text, size_t len, const char *product);
void robots_free(struct robots *r);
/* Whether the path (a URL's path and query, as sent: percent-encoded or not) may be
 * fetched: the longest matching rule decides, an Allow winning a tie; no match allows. */
bool robots_allows(const struct robots *r, const char *path);
/* The applying group's Crawl-delay in milliseconds, or -1 when it has none. */
long robots_crawl_delay_ms(const struct robots *r);
size_t robots_rule_count(const struct robots *r);
/* The product token of a User-Agent string: its leading letters, '_' and '-', cut to fit
 * out (ROBOTS_PRODUCT_MAX is enough for any sane one); "" when it starts otherwise. */
void robots_product_token(const char *user_agent, char *out, size_t size);

#endif
