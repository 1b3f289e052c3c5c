/* netpolicy.h: which addresses article fetches may connect to.
 *
 * Links in feeds are chosen by whoever writes the feed, so by default feedspool refuses to
 * connect to loopback, private (RFC 1918, unique-local, CGNAT), link-local (including the
 * cloud metadata address 169.254.169.254), multicast, broadcast and unspecified addresses.
 * Named ranges can be allowed (allow_networks = 127.0.0.0/8, fd00::/8). The check is made on
 * the address actually connected to, for every connection of a transfer (redirects included),
 * so DNS rebinding does not get around it. */
#ifndef FEEDSPOOL_NET_NETPOLICY_H
#define FEEDSPOOL_NET_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct netpolicy;

/* Parses a comma- or space-separated list of CIDR ranges ("" allows nothing extra). */
int netpolicy_parse(const char *allow, struct netpolicy **out, char *err, size_t errlen);
void netpolicy_free(struct netpolicy *np);
/* True when connecting to addr is allowed; otherwise why is set ("private", "loopback", ...). */
bool netpolicy_allows(const struct netpolicy *np, const struct sockaddr *addr, const char **why);

#endif
