/* test_netpolicy.c: the address policy against the IANA special-purpose registries.
 *
 * The registries are written out again here, as the test's own table, and read by a
 * reference of its own (the longest matching prefix decides, where netpolicy.c takes its
 * first matching row): the two must agree on the first and last address of every range,
 * on the addresses just outside each, and on a million pseudo-random addresses. Then every
 * IPv6 form that carries an IPv4 address is checked with an address of every IPv4 range
 * embedded in it, and the allow list with ranges of both families. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "check.h"
#include "net/netpolicy.h"

/* What an address in the range should be; carried: an IPv6 form carrying IPv4 (kind is
 * then decided by the carried address). */
struct expected {
    const char *range;
    const char *kind;
    bool carries;
};

static const struct expected v4_registry[] = {
    {"0.0.0.0/8", "unspecified", false},
    {"10.0.0.0/8", "private", false},
    {"100.64.0.0/10", "shared (CGNAT)", false},
    {"127.0.0.0/8", "loopback", false},
    {"169.254.0.0/16", "link-local", false},
    {"172.16.0.0/12", "private", false},
    {"192.0.0.0/24", "IETF protocol assignment", false},
    {"192.0.0.9/32", NULL, false},
    {"192.0.0.10/32", NULL, false},
    {"192.0.2.0/24", "documentation", false},
    {"192.88.99.0/24", "reserved (former 6to4 relay anycast)", false},
    {"192.168.0.0/16", "private", false},
    {"198.18.0.0/15", "benchmarking", false},
    {"198.51.100.0/24", "documentation", false},
    {"203.0.113.0/24", "documentation", false},
    {"224.0.0.0/4", "multicast", false},
    {"240.0.0.0/4", "reserved", false},
    {"255.255.255.255/32", "broadcast", false},
};

static const struct expected v6_registry[] = {
    {"::/0", "reserved", false},
    {"::/128", "unspecified", false},
    {"::1/128", "loopback", false},
    {"::/96", NULL, true},
    {"::ffff:0:0/96", NULL, true},
    {"::ffff:0:0:0/96", NULL, true},
    {"64:ff9b::/96", NULL, true},
    {"64:ff9b:1::/48", NULL, true},
    {"100::/64", "discard-only", false},
    {"2000::/3", NULL, false},
    {"2001::/23", "IETF protocol assignment", false},
    {"2001::/32", NULL, true},
    {"2001:1::1/128", NULL, false},
    {"2001:1::2/128", NULL, false},
    {"2001:1::3/128", NULL, false},
    {"2001:2::/48", "benchmarking", false},
    {"2001:3::/32", NULL, false},
    {"2001:4:112::/48", NULL, false},
    {"2001:10::/28", "ORCHID", false},
    {"2001:20::/28", "ORCHID", false},
    {"2001:30::/28", NULL, false},
    {"2001:db8::/32", "documentation", false},
    {"2002::/16", NULL, true},
    {"3fff::/20", "documentation", false},
    {"5f00::/16", "segment routing (SRv6 SID)", false},
    {"fc00::/7", "unique-local", false},
    {"fe80::/10", "link-local", false},
    {"fec0::/10", "site-local", false},
    {"ff00::/8", "multicast", false},
};

struct parsed {
    unsigned char addr[16];
    int bits;
};

static struct parsed parse(int family, const char *text)
{
    struct parsed p = {.bits = family == AF_INET ? 32 : 128};
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        p.bits = atoi(slash + 1);
    }
    if (inet_pton(family, buf, p.addr) != 1) {
        fprintf(stderr, "bad address in the test: %s\n", text);
        abort();
    }
    return p;
}

static bool contains(const struct parsed *r, const unsigned char *a)
{
    for (int bit = 0; bit < r->bits; bit++) {
        int byte = bit / 8, shift = 7 - bit % 8;
        if (((a[byte] >> shift) & 1) != ((r->addr[byte] >> shift) & 1))
            return false;
    }
    return true;
}

#define N_V4 (sizeof v4_registry / sizeof *v4_registry)
#define N_V6 (sizeof v6_registry / sizeof *v6_registry)

/* The reference: the kind of the longest matching row (for IPv4, NULL when none). */
static const struct expected *reference_row(int family, const unsigned char *a)
{
    static struct parsed parsed_v4[N_V4], parsed_v6[N_V6];
    static bool parsed_once;
    if (!parsed_once) {
        for (size_t i = 0; i < N_V4; i++)
            parsed_v4[i] = parse(AF_INET, v4_registry[i].range);
        for (size_t i = 0; i < N_V6; i++)
            parsed_v6[i] = parse(AF_INET6, v6_registry[i].range);
        parsed_once = true;
    }
    const struct expected *table = family == AF_INET ? v4_registry : v6_registry;
    const struct parsed *ranges = family == AF_INET ? parsed_v4 : parsed_v6;
    size_t n = family == AF_INET ? N_V4 : N_V6;
    const struct expected *best = NULL;
    int best_bits = -1;
    for (size_t i = 0; i < n; i++) {
        const struct parsed *r = &ranges[i];
        if (r->bits > best_bits && contains(r, a)) {
            best = &table[i];
            best_bits = r->bits;
        }
    }
    return best;
}

static const char *reference_v4_kind(const unsigned char *a)
{
    const struct expected *row = reference_row(AF_INET, a);
    return row ? row->kind : NULL;
}

static bool same_kind(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void text_of(int family, const unsigned char *a, char *out)
{
    inet_ntop(family, a, out, INET6_ADDRSTRLEN);
}

static int mismatches;

/* Checks a non-carrying address against the reference (carrying ones are tested below). */
static void agree(int family, const unsigned char *a)
{
    const struct expected *row = reference_row(family, a);
    if (row && row->carries)
        return;
    struct address_class got;
    netpolicy_classify(family, a, &got);
    const char *want = row ? row->kind : NULL;
    if (!same_kind(got.kind, want) || got.carrier) {
        char text[INET6_ADDRSTRLEN];
        text_of(family, a, text);
        if (mismatches++ < 20)
            fprintf(stderr, "%s: classified \"%s\", the registry says \"%s\"\n", text,
                    got.kind ? got.kind : "(global)", want ? want : "(global)");
        CHECK(same_kind(got.kind, want));
    }
}

/* a + delta (delta is -1 or +1), across the whole address; false when it wraps. */
static bool step(unsigned char *a, size_t len, int delta)
{
    for (size_t i = len; i-- > 0;) {
        int v = a[i] + delta;
        a[i] = (unsigned char)v;
        if (v >= 0 && v <= 255)
            return true;
    }
    return false;
}

static void check_edges(int family, const struct expected *table, size_t n)
{
    size_t len = family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++) {
        struct parsed r = parse(family, table[i].range);
        unsigned char first[16] = {0}, last[16] = {0};
        for (size_t b = 0; b < len; b++) {
            int keep = r.bits - (int)b * 8;
            unsigned char mask = keep >= 8   ? 0xFF
                                 : keep <= 0 ? 0
                                             : (unsigned char)(0xFF << (8 - keep));
            first[b] = r.addr[b] & mask;
            last[b] = (unsigned char)(first[b] | (unsigned char)~mask);
        }
        agree(family, first);
        agree(family, last);
        unsigned char below[16], above[16];
        memcpy(below, first, sizeof below);
        memcpy(above, last, sizeof above);
        if (step(below, len, -1))
            agree(family, below);
        if (step(above, len, +1))
            agree(family, above);
    }
}

static void test_every_range_edge_agrees_with_the_registry(void)
{
    mismatches = 0;
    check_edges(AF_INET, v4_registry, sizeof v4_registry / sizeof *v4_registry);
    check_edges(AF_INET6, v6_registry, sizeof v6_registry / sizeof *v6_registry);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random_addresses_agree_with_the_registry(void)
{
    mismatches = 0;
    for (int i = 0; i < 300000; i++) {
        uint64_t r = next_random();
        unsigned char a[16];
        memcpy(a, &r, 4);
        agree(AF_INET, a);
        uint64_t hi = next_random(), lo = next_random();
        memcpy(a, &hi, 8);
        memcpy(a + 8, &lo, 8);
        /* half of them start like a special block, or the table's rare rows go untested */
        if (i % 2) {
            const struct expected *row =
                &v6_registry[(size_t)(hi >> 40) % (sizeof v6_registry / sizeof *v6_registry)];
            struct parsed p = parse(AF_INET6, row->range);
            for (int bit = 0; bit < p.bits; bit++) {
                int byte = bit / 8, shift = 7 - bit % 8;
                a[byte] =
                    (unsigned char)((a[byte] & ~(1 << shift)) | (p.addr[byte] & (1 << shift)));
            }
        }
        agree(AF_INET6, a);
    }
}

/* Every IPv6 form that carries an IPv4 address, with where it keeps it. */
struct carrier {
    const char *name;   /* as netpolicy reports it */
    const char *prefix; /* the rest of the address */
    int at;             /* first byte of the IPv4 address */
    bool inverted;      /* Teredo keeps the client's address with every bit inverted */
};

static const struct carrier carriers[] = {
    {"IPv4-mapped ::ffff:0:0/96", "::ffff:0:0", 12, false},
    {"IPv4-translated ::ffff:0:0:0/96", "::ffff:0:0:0", 12, false},
    {"IPv4-compatible ::/96", "::", 12, false},
    {"NAT64 64:ff9b::/96", "64:ff9b::", 12, false},
    {"6to4 2002::/16", "2002::", 2, false},
    {"Teredo 2001::/32", "2001:0:4136:e378:8000:63bf::", 12, true},
};

static void embed(const struct carrier *c, const unsigned char *v4, unsigned char *out)
{
    struct parsed p = parse(AF_INET6, c->prefix);
    memcpy(out, p.addr, 16);
    for (int i = 0; i < 4; i++)
        out[c->at + i] = c->inverted ? (unsigned char)~v4[i] : v4[i];
}

static void check_carried(const struct carrier *c, const unsigned char *v4)
{
    unsigned char a[16];
    embed(c, v4, a);
    struct address_class got;
    netpolicy_classify(AF_INET6, a, &got);
    const char *want = reference_v4_kind(v4);
    char text[INET6_ADDRSTRLEN], v4text[INET_ADDRSTRLEN];
    text_of(AF_INET6, a, text);
    inet_ntop(AF_INET, v4, v4text, sizeof v4text);
    if ((v4[0] | v4[1] | v4[2] | v4[3]) == 0 && strcmp(c->prefix, "::") == 0)
        want = "unspecified"; /* :: itself */
    if (!same_kind(got.kind, want)) {
        fprintf(stderr, "%s (%s in %s): \"%s\", expected \"%s\"\n", text, v4text, c->name,
                got.kind ? got.kind : "(global)", want ? want : "(global)");
        CHECK(same_kind(got.kind, want));
    } else if (got.carrier) {
        CHECK_STR(got.carrier, c->name);
        CHECK(memcmp(got.v4, v4, 4) == 0);
    }
}

static void test_every_carrier_is_judged_by_the_ipv4_address_it_carries(void)
{
    for (size_t c = 0; c < sizeof carriers / sizeof *carriers; c++) {
        for (size_t i = 0; i < sizeof v4_registry / sizeof *v4_registry; i++) {
            struct parsed r = parse(AF_INET, v4_registry[i].range);
            unsigned char last[4];
            for (int b = 0; b < 4; b++) {
                int keep = r.bits - b * 8;
                unsigned char mask = keep >= 8   ? 0xFF
                                     : keep <= 0 ? 0
                                                 : (unsigned char)(0xFF << (8 - keep));
                last[b] = (unsigned char)((r.addr[b] & mask) | (unsigned char)~mask);
            }
            check_carried(&carriers[c], r.addr);
            check_carried(&carriers[c], last);
        }
        static const unsigned char public_v4[][4] = {
            {8, 8, 8, 8}, {93, 184, 216, 34}, {1, 1, 1, 1}};
        for (size_t i = 0; i < sizeof public_v4 / sizeof *public_v4; i++)
            check_carried(&carriers[c], public_v4[i]);
    }
}

static const char *kind_of(const char *text)
{
    unsigned char a[16];
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, text, a) != 1)
        abort();
    static struct address_class got;
    netpolicy_classify(family, a, &got);
    return got.kind;
}

static void test_the_issue_s_addresses(void)
{
    CHECK_STR(kind_of("64:ff9b::a9fe:a9fe"), "link-local"); /* 169.254.169.254 via NAT64 */
    CHECK_STR(kind_of("64:ff9b::7f00:1"), "loopback");
    CHECK_STR(kind_of("2002:a9fe:a9fe::1"), "link-local"); /* 6to4 */
    CHECK_STR(kind_of("2002:c0a8:101::"), "private");      /* 6to4 of 192.168.1.1 */
    CHECK_STR(kind_of("::127.0.0.1"), "loopback");         /* IPv4-compatible */
    CHECK_STR(kind_of("::10.1.2.3"), "private");
    CHECK_STR(kind_of("::ffff:169.254.169.254"), "link-local");
    CHECK_STR(kind_of("2001:0:4136:e378:8000:63bf:80ff:fffe"),
              "loopback");                      /* Teredo client 127.0.0.1 */
    CHECK(kind_of("64:ff9b::808:808") == NULL); /* NAT64 of 8.8.8.8 */
    CHECK(kind_of("2002:808:808::1") == NULL);
    CHECK(kind_of("2001:4860:4860::8888") == NULL);
    CHECK(kind_of("2606:4700:4700::1111") == NULL);
    CHECK(kind_of("93.184.216.34") == NULL);
    CHECK_STR(kind_of("2001:db8::1"), "documentation");
    CHECK_STR(kind_of("3fff:fff::1"), "documentation");
    CHECK_STR(kind_of("2001:10::1"), "ORCHID");
    CHECK_STR(kind_of("2001:20::1"), "ORCHID");
    CHECK_STR(kind_of("100::1"), "discard-only");
    CHECK_STR(kind_of("fec0::1"), "site-local");
    CHECK_STR(kind_of("fe80::1"), "link-local");
    CHECK_STR(kind_of("fd00::1"), "unique-local");
    CHECK_STR(kind_of("ff02::1"), "multicast");
    CHECK_STR(kind_of("4000::1"), "reserved");
    CHECK_STR(kind_of("::1"), "loopback");
    CHECK_STR(kind_of("::"), "unspecified");
}

static void test_local_use_nat64_in_every_rfc6052_layout(void)
{
    /* 169.254.169.254 (a9 fe a9 fe) in the layouts of a /48, /56, /64 and /96 prefix */
    CHECK_STR(kind_of("64:ff9b:1:a9fe:a9:fe00::"), "link-local");   /* /48: bytes 6-7, 9-10 */
    CHECK_STR(kind_of("64:ff9b:1:a9:fe:a9fe::"), "link-local");     /* /56: byte 7, 9-11 */
    CHECK_STR(kind_of("64:ff9b:1:0:a9:fea9:fe00:0"), "link-local"); /* /64: bytes 9-12 */
    CHECK_STR(kind_of("64:ff9b:1::a9fe:a9fe"), "link-local");       /* /96: bytes 12-15 */
    CHECK_STR(kind_of("64:ff9b:1:2:3:4:7f00:1"), "loopback");
    CHECK(kind_of("64:ff9b:1:2:3:4:808:808") == NULL);           /* 8.8.8.8 through a /96 */
    CHECK(kind_of("64:ff9b:1:808:8:800::") == NULL);             /* 8.8.8.8 through a /48 */
    CHECK_STR(kind_of("64:ff9b:1:0:ff00::808:808"), "reserved"); /* byte 8 must be zero */
}

static struct sockaddr_in6 v6(const char *text)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET6, text, &sa.sin6_addr) != 1)
        abort();
    return sa;
}

static struct sockaddr_in v4(const char *text)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, text, &sa.sin_addr) != 1)
        abort();
    return sa;
}

#define ALLOWS(np, sa) allows_address(np, (const struct sockaddr *)(const void *)&(sa))

static bool allows_address(const struct netpolicy *np, const struct sockaddr *sa)
{
    struct address_class why;
    return netpolicy_allows(np, sa, &why);
}

static void test_the_allow_list(void)
{
    struct netpolicy *none, *loopback4, *ula, *loopback6;
    char err[128];
    CHECK(netpolicy_parse("", &none, err, sizeof err) == 0);
    CHECK(netpolicy_parse("127.0.0.0/8", &loopback4, err, sizeof err) == 0);
    CHECK(netpolicy_parse("fd00::/8, 10.1.0.0/16", &ula, err, sizeof err) == 0);
    CHECK(netpolicy_parse("::1/128", &loopback6, err, sizeof err) == 0);
    struct sockaddr_in lo = v4("127.0.0.1"), ten = v4("10.1.2.3"), ten2 = v4("10.2.0.1"),
                       pub = v4("93.184.216.34"), meta = v4("169.254.169.254");
    struct sockaddr_in6 lo6 = v6("::1"), mapped = v6("::ffff:127.0.0.1"),
                        nat64 = v6("64:ff9b::7f00:1"), sixtofour = v6("2002:7f00:1::"),
                        fd = v6("fd12::1"), fc = v6("fc00::1"), pub6 = v6("2606:4700:4700::1111"),
                        nat64_ten = v6("64:ff9b::a01:203");
    CHECK(ALLOWS(none, pub) && ALLOWS(none, pub6));
    CHECK(!ALLOWS(none, lo) && !ALLOWS(none, lo6) && !ALLOWS(none, meta) && !ALLOWS(none, mapped));
    CHECK(ALLOWS(loopback4, lo) && ALLOWS(loopback4, mapped) && ALLOWS(loopback4, nat64) &&
          ALLOWS(loopback4, sixtofour));
    CHECK(!ALLOWS(loopback4, lo6) && !ALLOWS(loopback4, ten) && !ALLOWS(loopback4, meta));
    CHECK(ALLOWS(ula, fd) && !ALLOWS(ula, fc) && ALLOWS(ula, ten) && !ALLOWS(ula, ten2));
    CHECK(ALLOWS(ula, nat64_ten) && !ALLOWS(ula, nat64));
    CHECK(ALLOWS(loopback6, lo6) && !ALLOWS(loopback6, lo) && !ALLOWS(loopback6, mapped));
    struct sockaddr_un local = {.sun_family = AF_UNIX};
    CHECK(!ALLOWS(loopback4, local));

    struct address_class why;
    char text[160];
    CHECK(!netpolicy_allows(none, (const struct sockaddr *)(const void *)&nat64, &why));
    netpolicy_describe(&why, text, sizeof text);
    CHECK_STR(text, "loopback address 127.0.0.1 carried in NAT64 64:ff9b::/96");
    CHECK(!netpolicy_allows(none, (const struct sockaddr *)(const void *)&meta, &why));
    netpolicy_describe(&why, text, sizeof text);
    CHECK_STR(text, "link-local address");
    netpolicy_free(none);
    netpolicy_free(loopback4);
    netpolicy_free(ula);
    netpolicy_free(loopback6);
}

static void test_bad_ranges_are_refused(void)
{
    static const char *const bad[] = {
        "127.0.0.0/99", "fd00::/129",
        "localhost",    "10.0.0.0/",
        "10.0.0.0/x",   "1.2.3.4.5",
        "::ffff::1::2", "0000000000000000000000000000000000000000000000000000000000000000000/8"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct netpolicy *np = NULL;
        char err[256] = "";
        CHECK(netpolicy_parse(bad[i], &np, err, sizeof err) < 0);
        CHECK_CONTAINS(err, "is not an address range");
    }
}

int main(void)
{
    RUN(test_every_range_edge_agrees_with_the_registry);
    RUN(test_random_addresses_agree_with_the_registry);
    RUN(test_every_carrier_is_judged_by_the_ipv4_address_it_carries);
    RUN(test_the_issue_s_addresses);
    RUN(test_local_use_nat64_in_every_rfc6052_layout);
    RUN(test_the_allow_list);
    RUN(test_bad_ranges_are_refused);
    return check_summary();
}
