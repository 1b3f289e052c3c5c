/* netpolicy.c: address classification and the allow list. */
#include "net/netpolicy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct range {
    int family;             /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix;             /* bits */
};

struct netpolicy {
    struct range *allowed;
    size_t n;
};

static bool in_range(const unsigned char *addr, const struct range *r)
{
    int bytes = r->prefix / 8, bits = r->prefix % 8;
    if (memcmp(addr, r->addr, (size_t)bytes) != 0)
        return false;
    if (bits == 0)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - bits));
    return (addr[bytes] & mask) == (r->addr[bytes] & mask);
}

static int parse_range(const char *text, struct range *r)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(r, 0, sizeof *r);
    if (inet_pton(AF_INET, buf, r->addr) == 1) {
        r->family = AF_INET;
        r->prefix = 32;
    } else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
        r->family = AF_INET6;
        r->prefix = 128;
    } else {
        return -1;
    }
    if (slash) {
        char *end;
        long prefix = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1 || prefix < 0 || prefix > r->prefix)
            return -1;
        r->prefix = (int)prefix;
    }
    return 0;
}

int netpolicy_parse(const char *allow, struct netpolicy **out, char *err, size_t errlen)
{
    struct netpolicy *np = xcalloc(1, sizeof *np);
    char *copy = xstrdup(allow ? allow : "");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        struct range r;
        if (parse_range(tok, &r) < 0) {
            set_err(err, errlen, "'%s' is not an address range (e.g. 127.0.0.0/8, fd00::/8)", tok);
            free(copy);
            netpolicy_free(np);
            return -1;
        }
        np->allowed = xrealloc(np->allowed, (np->n + 1) * sizeof *np->allowed);
        np->allowed[np->n++] = r;
    }
    free(copy);
    *out = np;
    return 0;
}

void netpolicy_free(struct netpolicy *np)
{
    if (!np)
        return;
    free(np->allowed);
    free(np);
}

/* The reason an IPv4 address (network order bytes) is internal, or NULL when public. */
static const char *classify_v4(const unsigned char *a)
{
    if (a[0] == 127)
        return "loopback";
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168))
        return "private";
    if (a[0] == 100 && (a[1] & 0xC0) == 64)
        return "shared (CGNAT)";
    if (a[0] == 169 && a[1] == 254)
        return "link-local";
    if (a[0] >= 224 && a[0] <= 239)
        return "multicast";
    if (a[0] == 0)
        return "unspecified";
    if (a[0] >= 240)
        return "reserved";
    return NULL;
}

static const char *classify_v6(const unsigned char *a)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (memcmp(a, mapped_prefix, 12) == 0)
        return classify_v4(a + 12); /* ::ffff:a.b.c.d is that IPv4 address */
    if (memcmp(a, zero, 15) == 0 && a[15] == 1)
        return "loopback";
    if (memcmp(a, zero, 16) == 0)
        return "unspecified";
    if ((a[0] & 0xFE) == 0xFC)
        return "unique-local";
    if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80)
        return "link-local";
    if (a[0] == 0xFF)
        return "multicast";
    return NULL;
}

bool netpolicy_allows(const struct netpolicy *np, const struct sockaddr *addr, const char **why)
{
    const unsigned char *bytes;
    int family = addr->sa_family;
    if (family == AF_INET) {
        bytes = (const unsigned char *)&((const struct sockaddr_in *)(const void *)addr)->sin_addr;
        *why = classify_v4(bytes);
    } else if (family == AF_INET6) {
        bytes = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr;
        *why = classify_v6(bytes);
    } else {
        *why = "not an internet address";
        return false;
    }
    if (!*why)
        return true;
    for (size_t i = 0; i < np->n; i++)
        if (np->allowed[i].family == family && in_range(bytes, &np->allowed[i]))
            return true;
    return false;
}
