/* netpolicy.h: which addresses untrusted fetches may connect to.
 *
 * Links in feeds (and where a feed's server redirects to) are chosen by whoever writes the
 * feed, so by default feedspool refuses to connect to every special-purpose address that is
 * not globally reachable (the IANA IPv4 and IPv6 special-purpose registries): loopback,
 * private (RFC 1918), unique-local, shared (CGNAT), link-local (including the cloud metadata
 * address 169.254.169.254), site-local, documentation, benchmarking, ORCHID, discard-only,
 * multicast, broadcast, reserved and unspecified. An IPv6 address that carries an IPv4
 * address (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64 64:ff9b::/96 and the
 * local-use 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32) is judged by the IPv4 address
 * it carries as well. Named ranges can be allowed (allow_networks = 127.0.0.0/8, fd00::/8);
 * an IPv4 range also allows the IPv6 forms that carry an address in it. The check is made on
 * the address actually connected to, for every connection, so DNS rebinding does not get
 * around it. */
#ifndef FEEDSPOOL_NET_NETPOLICY_H
#define FEEDSPOOL_NET_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct netpolicy;

/* What an address is. kind is NULL for an ordinary, globally reachable address. */
struct address_class {
    const char *kind;    /* "loopback", "private", "documentation", ... or NULL */
    const char *carrier; /* the IPv6 form whose carried IPv4 address gave kind, or NULL */
    unsigned char v4[4]; /* that IPv4 address, when carrier is set */
};

/* Parses a comma- or space-separated list of CIDR ranges ("" allows nothing extra). */
int netpolicy_parse(const char *allow, struct netpolicy **out, char *err, size_t errlen);
void netpolicy_free(struct netpolicy *np);
/* Classifies an address: family AF_INET (4 bytes) or AF_INET6 (16 bytes), network order. */
void netpolicy_classify(int family, const unsigned char *bytes, struct address_class *out);
/* True when connecting to addr is allowed; otherwise why says what the address is. */
bool netpolicy_allows(const struct netpolicy *np, const struct sockaddr *addr,
                      struct address_class *why);
/* why as text: "loopback address", "loopback address 127.0.0.1 carried in NAT64 64:ff9b::/96". */
void netpolicy_describe(const struct address_class *why, char *out, size_t outlen);

#endif
