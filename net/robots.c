/* robots.c: the robots.txt parser and matcher (RFC 9309).
 *
 * Only the rules that apply to our product token are kept, so a file of thousands of other
 * crawlers' groups costs nothing after parsing. Rules and paths are compared after one
 * normalisation of both sides: %XX of an unreserved character decoded, other %XX with
 * upper-case hex, non-ASCII and control octets percent-encoded, and in a path a literal '*'
 * or '$' encoded (a rule writes %2A or %24 to match one). A pattern's '*' matches any run of
 * octets and a final '$' anchors it at the end; matching is greedy per '*'-separated
 * segment, linear in the path for each segment, so no pattern can make it backtrack. */
#include "net/robots.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

struct robots_rule {
    char *pattern; /* normalised; '*' is the wildcard, the '$' anchor taken out */
    size_t len;
    bool anchored; /* the pattern ended in '$': the path must end where it does */
    bool allow;
};

struct rule_list {
    struct robots_rule *rules;
    size_t n, cap;
    double crawl_delay; /* seconds; < 0 when none */
};

struct robots {
    struct rule_list kept;
};

static void rule_list_free(struct rule_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->rules[i].pattern);
    free(l->rules);
    memset(l, 0, sizeof *l);
}

static bool is_unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Writes the normalised form of in[0..len) to out (room for 3 * len + 1) and returns its
 * length. In a pattern, '*' stays the wildcard; in a path it is encoded, as is '$'. */
static size_t normalise(const char *in, size_t len, bool pattern, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%' && i + 2 < len && hex_value((unsigned char)in[i + 1]) >= 0 &&
            hex_value((unsigned char)in[i + 2]) >= 0) {
            unsigned char v = (unsigned char)(hex_value((unsigned char)in[i + 1]) * 16 +
                                              hex_value((unsigned char)in[i + 2]));
            i += 2;
            if (is_unreserved(v)) {
                out[o++] = (char)v;
                continue;
            }
            c = v;
        } else if (c == '*' && pattern) {
            out[o++] = '*';
            continue;
        } else if (c > 0x20 && c < 0x7F && c != '*' && c != '$' && c != '%') {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
    return o;
}

/* Whether pattern (normalised, with '*' wildcards) matches the start of path (or, anchored,
 * all of it). Each segment between wildcards is placed at its leftmost possible position,
 * which leaves the most room for the rest: that is a match if any placement is. */
static bool pattern_matches(const struct robots_rule *rule, const char *path, size_t n)
{
    const char *p = rule->pattern, *end = rule->pattern + rule->len;
    const char *star = memchr(p, '*', rule->len);
    if (!star) {
        if (rule->anchored)
            return n == rule->len && memcmp(path, p, n) == 0;
        return n >= rule->len && memcmp(path, p, rule->len) == 0;
    }
    size_t first = (size_t)(star - p);
    if (n < first || memcmp(path, p, first) != 0)
        return false;
    size_t pos = first;
    p = star + 1;
    for (;;) {
        const char *next = memchr(p, '*', (size_t)(end - p));
        size_t seg = (size_t)((next ? next : end) - p);
        if (!next && rule->anchored) /* the last segment must end the path */
            return n - pos >= seg && memcmp(path + n - seg, p, seg) == 0;
        if (seg > 0) {
            const char *found = memmem(path + pos, n - pos, p, seg);
            if (!found)
                return false;
            pos = (size_t)(found - path) + seg;
        }
        if (!next)
            return true;
        p = next + 1;
    }
}

static void add_rule(struct rule_list *l, const char *value, size_t len, bool allow)
{
    bool anchored = len > 0 && value[len - 1] == '$';
    if (anchored)
        len--;
    if (len == 0 && !anchored)
        return; /* "Disallow:" with no path: no rule */
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->rules = xrealloc(l->rules, l->cap * sizeof *l->rules);
    }
    struct robots_rule *r = &l->rules[l->n++];
    r->pattern = xmalloc(3 * len + 1);
    r->len = normalise(value, len, true, r->pattern);
    r->anchored = anchored;
    r->allow = allow;
}

static bool key_is(const char *key, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(key, name, len) == 0;
}

static size_t product_length(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && (isalpha((unsigned char)s[n]) || s[n] == '_' || s[n] == '-'))
        n++;
    return n;
}

void robots_product_token(const char *user_agent, char *out, size_t size)
{
    size_t n = product_length(user_agent, strlen(user_agent));
    if (n >= size)
        n = size - 1;
    memcpy(out, user_agent, n);
    out[n] = '\0';
}

static const char *trim(const char *s, const char *end, size_t *len)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *len = (size_t)(end - s);
    return s;
}

/* How one parse goes: the group being read applies to us by name, to "*", both or neither. */
struct parse_state {
    const char *product;
    size_t product_len;
    bool in_agent_lines; /* the last record was a user-agent line: another adds to its group */
    bool seen_agent;
    bool group_ours, group_star;
    bool any_ours; /* some group names us: the "*" groups do not apply */
    struct rule_list ours, star;
};

static void parse_line(struct parse_state *s, const char *line, const char *end)
{
    const char *hash = memchr(line, '#', (size_t)(end - line));
    if (hash)
        end = hash;
    const char *colon = memchr(line, ':', (size_t)(end - line));
    if (!colon)
        return;
    size_t key_len, value_len;
    const char *key = trim(line, colon, &key_len);
    const char *value = trim(colon + 1, end, &value_len);
    if (key_is(key, key_len, "user-agent")) {
        if (!s->in_agent_lines)
            s->group_ours = s->group_star = false;
        s->in_agent_lines = true;
        s->seen_agent = true;
        if (value_len >= 1 && value[0] == '*' && product_length(value + 1, value_len - 1) == 0) {
            s->group_star = true;
        } else {
            size_t n = product_length(value, value_len);
            if (n > 0 && n == s->product_len && strncasecmp(value, s->product, n) == 0) {
                s->group_ours = true;
                s->any_ours = true;
            }
        }
        return;
    }
    bool allow = key_is(key, key_len, "allow");
    if (allow || key_is(key, key_len, "disallow")) {
        s->in_agent_lines = false;
        if (s->group_ours)
            add_rule(&s->ours, value, value_len, allow);
        if (s->group_star)
            add_rule(&s->star, value, value_len, allow);
        return;
    }
    if (key_is(key, key_len, "crawl-delay") && s->seen_agent) {
        char number[32];
        if (value_len == 0 || value_len >= sizeof number)
            return;
        memcpy(number, value, value_len);
        number[value_len] = '\0';
        char *stop;
        double seconds = strtod(number, &stop);
        if (*stop || !(seconds >= 0 && seconds < 1e9))
            return;
        if (s->group_ours && seconds > s->ours.crawl_delay)
            s->ours.crawl_delay = seconds;
        if (s->group_star && seconds > s->star.crawl_delay)
            s->star.crawl_delay = seconds;
    }
    /* other records (Sitemap, Host, ...) neither start nor end a group */
}

struct robots *robots_parse(const char *text, size_t len, const char *product)
{
    struct parse_state s = {.product = product, .product_len = strlen(product)};
    s.ours.crawl_delay = s.star.crawl_delay = -1;
    const char *p = text, *end = text + len;
    if (len > ROBOTS_PARSE_LIMIT) {
        end = text + ROBOTS_PARSE_LIMIT;
        while (end > text && end[-1] != '\n' && end[-1] != '\r')
            end--; /* a line cut by the limit is not parsed */
    }
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end) {
        const char *eol = p;
        while (eol < end && *eol != '\n' && *eol != '\r')
            eol++;
        parse_line(&s, p, eol);
        p = eol + 1;
    }
    struct robots *r = xcalloc(1, sizeof *r);
    if (s.any_ours) {
        r->kept = s.ours;
        rule_list_free(&s.star);
    } else {
        r->kept = s.star;
        rule_list_free(&s.ours);
    }
    return r;
}

void robots_free(struct robots *r)
{
    if (!r)
        return;
    rule_list_free(&r->kept);
    free(r);
}

bool robots_allows(const struct robots *r, const char *path)
{
    if (!*path)
        path = "/";
    size_t raw = strlen(path);
    char *normal = xmalloc(3 * raw + 1);
    size_t n = normalise(path, raw, false, normal);
    bool allowed = true;
    if (strcmp(normal, "/robots.txt") != 0) {
        size_t best = 0;
        bool matched = false;
        for (size_t i = 0; i < r->kept.n; i++) {
            const struct robots_rule *rule = &r->kept.rules[i];
            size_t length = rule->len + rule->anchored;
            if (matched && (length < best || (length == best && (allowed || !rule->allow))))
                continue; /* cannot beat the match already found */
            if (!pattern_matches(rule, normal, n))
                continue;
            matched = true;
            best = length;
            allowed = rule->allow;
        }
    }
    free(normal);
    return allowed;
}

long robots_crawl_delay_ms(const struct robots *r)
{
    if (r->kept.crawl_delay < 0)
        return -1;
    return (long)(r->kept.crawl_delay * 1000 + 0.5);
}

size_t robots_rule_count(const struct robots *r)
{
    return r->kept.n;
}
