/* netpolicy.c: address classification (the IANA special-purpose registries, as tables) and
 * the allow list. */
#include "net/netpolicy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct range {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix; /* bits */
};

struct netpolicy {
    struct range *allowed;
    size_t n;
};

/* Where an IPv6 form keeps the IPv4 address it carries. */
enum carried {
    CARRIES_NOTHING,
    CARRIES_LAST_32,   /* bytes 12-15: mapped, compatible, translated, NAT64 /96 */
    CARRIES_6TO4,      /* bytes 2-5 (RFC 3056) */
    CARRIES_TEREDO,    /* bytes 12-15 with every bit inverted: the client (RFC 4380) */
    CARRIES_NAT64_ANY, /* any RFC 6052 layout for a prefix of 48, 56, 64 or 96 bits */
};

/* One row of a special-purpose table. The first row that matches decides; kind NULL means
 * globally reachable (the exceptions listed ahead of the block that holds them). */
struct special {
    const char *range;
    const char *kind;
    enum carried carried;
};

/* The IANA IPv4 special-purpose address registry, plus multicast and the reserved 240/4. */
static const struct special special_v4[] = {
    {"0.0.0.0/8", "unspecified", CARRIES_NOTHING},
    {"10.0.0.0/8", "private", CARRIES_NOTHING},
    {"100.64.0.0/10", "shared (CGNAT)", CARRIES_NOTHING},
    {"127.0.0.0/8", "loopback", CARRIES_NOTHING},
    {"169.254.0.0/16", "link-local", CARRIES_NOTHING},
    {"172.16.0.0/12", "private", CARRIES_NOTHING},
    {"192.0.0.9/32", NULL, CARRIES_NOTHING},  /* Port Control Protocol anycast */
    {"192.0.0.10/32", NULL, CARRIES_NOTHING}, /* TURN anycast */
    {"192.0.0.0/24", "IETF protocol assignment", CARRIES_NOTHING},
    {"192.0.2.0/24", "documentation", CARRIES_NOTHING},
    {"192.88.99.0/24", "reserved (former 6to4 relay anycast)", CARRIES_NOTHING},
    {"192.168.0.0/16", "private", CARRIES_NOTHING},
    {"198.18.0.0/15", "benchmarking", CARRIES_NOTHING},
    {"198.51.100.0/24", "documentation", CARRIES_NOTHING},
    {"203.0.113.0/24", "documentation", CARRIES_NOTHING},
    {"224.0.0.0/4", "multicast", CARRIES_NOTHING},
    {"255.255.255.255/32", "broadcast", CARRIES_NOTHING},
    {"240.0.0.0/4", "reserved", CARRIES_NOTHING},
};

/* The IANA IPv6 special-purpose address registry, the forms that carry IPv4 addresses, the
 * deprecated site-local block, and everything outside 2000::/3 that IANA holds in reserve. */
static const struct special special_v6[] = {
    {"::/128", "unspecified", CARRIES_NOTHING},
    {"::1/128", "loopback", CARRIES_NOTHING},
    {"::ffff:0:0/96", "IPv4-mapped ::ffff:0:0/96", CARRIES_LAST_32},
    {"::ffff:0:0:0/96", "IPv4-translated ::ffff:0:0:0/96", CARRIES_LAST_32},
    {"::/96", "IPv4-compatible ::/96", CARRIES_LAST_32},
    {"64:ff9b::/96", "NAT64 64:ff9b::/96", CARRIES_LAST_32},
    {"64:ff9b:1::/48", "local-use NAT64 64:ff9b:1::/48", CARRIES_NAT64_ANY},
    {"100::/64", "discard-only", CARRIES_NOTHING},
    {"2001::/32", "Teredo 2001::/32", CARRIES_TEREDO},
    {"2001:1::1/128", NULL, CARRIES_NOTHING}, /* Port Control Protocol anycast */
    {"2001:1::2/128", NULL, CARRIES_NOTHING}, /* TURN anycast */
    {"2001:1::3/128", NULL, CARRIES_NOTHING}, /* DNS-SD service registration */
    {"2001:2::/48", "benchmarking", CARRIES_NOTHING},
    {"2001:3::/32", NULL, CARRIES_NOTHING},     /* AMT */
    {"2001:4:112::/48", NULL, CARRIES_NOTHING}, /* AS112-v6 */
    {"2001:10::/28", "ORCHID", CARRIES_NOTHING},
    {"2001:20::/28", "ORCHID", CARRIES_NOTHING}, /* ORCHIDv2: not routable (RFC 7343) */
    {"2001:30::/28", NULL, CARRIES_NOTHING},     /* Drone Remote ID (RFC 9374) */
    {"2001::/23", "IETF protocol assignment", CARRIES_NOTHING},
    {"2001:db8::/32", "documentation", CARRIES_NOTHING},
    {"2002::/16", "6to4 2002::/16", CARRIES_6TO4},
    {"3fff::/20", "documentation", CARRIES_NOTHING},
    {"5f00::/16", "segment routing (SRv6 SID)", CARRIES_NOTHING},
    {"2000::/3", NULL, CARRIES_NOTHING},
    {"fc00::/7", "unique-local", CARRIES_NOTHING},
    {"fe80::/10", "link-local", CARRIES_NOTHING},
    {"fec0::/10", "site-local", CARRIES_NOTHING},
    {"ff00::/8", "multicast", CARRIES_NOTHING},
    {"::/0", "reserved", CARRIES_NOTHING},
};

#define N_V4 (sizeof special_v4 / sizeof *special_v4)
#define N_V6 (sizeof special_v6 / sizeof *special_v6)

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
    if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
        return -1;
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

/* The tables, parsed once (the texts above are checked by the unit test). */
static struct range ranges_v4[N_V4], ranges_v6[N_V6];

static void load_tables(void)
{
    static bool loaded;
    if (loaded)
        return;
    for (size_t i = 0; i < N_V4; i++)
        if (parse_range(special_v4[i].range, &ranges_v4[i]) < 0)
            abort();
    for (size_t i = 0; i < N_V6; i++)
        if (parse_range(special_v6[i].range, &ranges_v6[i]) < 0)
            abort();
    loaded = true;
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

static bool allow_listed(const struct netpolicy *np, int family, const unsigned char *bytes)
{
    for (size_t i = 0; np && i < np->n; i++)
        if (np->allowed[i].family == family && in_range(bytes, &np->allowed[i]))
            return true;
    return false;
}

static const char *classify_v4(const unsigned char *a)
{
    load_tables();
    for (size_t i = 0; i < N_V4; i++)
        if (in_range(a, &ranges_v4[i]))
            return special_v4[i].kind;
    return NULL;
}

/* The IPv4 addresses an address of the row's form may carry; returns how many (at most 4). */
static size_t carried_v4(enum carried how, const unsigned char *a, unsigned char out[4][4])
{
    switch (how) {
        case CARRIES_NOTHING: return 0;
        case CARRIES_LAST_32: memcpy(out[0], a + 12, 4); return 1;
        case CARRIES_6TO4: memcpy(out[0], a + 2, 4); return 1;
        case CARRIES_TEREDO:
            for (int i = 0; i < 4; i++)
                out[0][i] = (unsigned char)~a[12 + i];
            return 1;
        case CARRIES_NAT64_ANY: {
            /* RFC 6052 2.2: the IPv4 address around the reserved byte 8 (which must be zero),
         * zeros after it. The operator's prefix length is not known here, so every layout
         * that fits the address counts, and any internal one refuses it. */
            static const struct {
                unsigned char at[4];
                int suffix_from;
            } layouts[] = {{{6, 7, 9, 10}, 11},
                           {{7, 9, 10, 11}, 12},
                           {{9, 10, 11, 12}, 13},
                           {{12, 13, 14, 15}, 16}};
            size_t n = 0;
            for (size_t l = 0; l < sizeof layouts / sizeof *layouts; l++) {
                bool zeros = a[8] == 0;
                for (int i = layouts[l].suffix_from; i < 16; i++)
                    zeros = zeros && a[i] == 0;
                /* (an address of 0.0.0.0 is the zero suffix of a shorter layout) */
                if (!zeros || (a[layouts[l].at[0]] | a[layouts[l].at[1]] | a[layouts[l].at[2]] |
                               a[layouts[l].at[3]]) == 0)
                    continue;
                for (int i = 0; i < 4; i++)
                    out[n][i] = a[layouts[l].at[i]];
                n++;
            }
            return n;
        }
    }
    return 0;
}

/* Classifies a; a carried IPv4 address that np allows does not count against it. */
static void classify_v6(const struct netpolicy *np, const unsigned char *a,
                        struct address_class *out)
{
    load_tables();
    memset(out, 0, sizeof *out);
    size_t row = 0;
    while (!in_range(a, &ranges_v6[row]))
        row++; /* (::/0 ends the table) */
    const struct special *s = &special_v6[row];
    if (s->carried == CARRIES_NOTHING) {
        out->kind = s->kind;
        return;
    }
    unsigned char v4[4][4];
    size_t n = carried_v4(s->carried, a, v4);
    if (n == 0) {
        out->kind = "reserved"; /* in a NAT64 block, but in no RFC 6052 layout */
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *kind = classify_v4(v4[i]);
        if (kind && !allow_listed(np, AF_INET, v4[i])) {
            out->kind = kind;
            out->carrier = s->kind;
            memcpy(out->v4, v4[i], 4);
            return;
        }
    }
}

void netpolicy_classify(int family, const unsigned char *bytes, struct address_class *out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET)
        out->kind = classify_v4(bytes);
    else if (family == AF_INET6)
        classify_v6(NULL, bytes, out);
    else
        out->kind = "not an internet";
}

bool netpolicy_allows(const struct netpolicy *np, const struct sockaddr *addr,
                      struct address_class *why)
{
    memset(why, 0, sizeof *why);
    const unsigned char *bytes;
    int family = addr->sa_family;
    if (family == AF_INET) {
        bytes = (const unsigned char *)&((const struct sockaddr_in *)(const void *)addr)->sin_addr;
        why->kind = classify_v4(bytes);
    } else if (family == AF_INET6) {
        bytes =
            (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr;
        classify_v6(np, bytes, why);
    } else {
        why->kind = "not an internet";
        return false;
    }
    return !why->kind || allow_listed(np, family, bytes);
}

void netpolicy_describe(const struct address_class *why, char *out, size_t outlen)
{
    if (!why->kind) {
        snprintf(out, outlen, "global address");
    } else if (why->carrier) {
        char v4[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, why->v4, v4, sizeof v4);
        snprintf(out, outlen, "%s address %s carried in %s", why->kind, v4, why->carrier);
    } else {
        snprintf(out, outlen, "%s address", why->kind);
    }
}
