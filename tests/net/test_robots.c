/* test_robots.c: the robots.txt parser and matcher (net/robots.c) against RFC 9309's rules
 * and examples: groups, the product token, "*", longest match, '*' and '$', percent-encoding,
 * Crawl-delay, the parse limit and input no robots.txt should hold. */
#include <stdlib.h>
#include <string.h>

#include "net/robots.h"
#include "tests/check.h"

/* Whether product may fetch path under the robots.txt text. */
static bool allows(const char *text, const char *product, const char *path)
{
    struct robots *r = robots_parse(text, strlen(text), product);
    bool ok = robots_allows(r, path);
    robots_free(r);
    return ok;
}

/* RFC 9309 section 5.1 */
static const char rfc_example[] = "User-Agent: *\n"
                                  "Disallow: *.gif$\n"
                                  "Disallow: /example/\n"
                                  "Allow: /publications/\n"
                                  "\n"
                                  "User-Agent: foobot\n"
                                  "Disallow:/\n"
                                  "Allow:/example/page.html\n"
                                  "Allow:/example/allowed.gif\n"
                                  "\n"
                                  "User-Agent: barbot\n"
                                  "User-Agent: bazbot\n"
                                  "Disallow: /example/page.html\n"
                                  "\n"
                                  "User-Agent: quxbot\n"
                                  "\n"
                                  "EOF\n";

static void test_rfc_example_groups(void)
{
    CHECK(!allows(rfc_example, "feedspool", "/a.gif"));
    CHECK(!allows(rfc_example, "feedspool", "/example/x"));
    CHECK(allows(rfc_example, "feedspool", "/publications/x"));
    CHECK(allows(rfc_example, "feedspool", "/other"));
    CHECK(!allows(rfc_example, "foobot", "/other"));
    CHECK(allows(rfc_example, "foobot", "/example/page.html"));
    CHECK(allows(rfc_example, "foobot", "/example/allowed.gif"));
    CHECK(!allows(rfc_example, "foobot", "/example/other.gif"));
    /* a group of two user-agent lines serves both */
    CHECK(!allows(rfc_example, "barbot", "/example/page.html"));
    CHECK(!allows(rfc_example, "bazbot", "/example/page.html"));
    CHECK(allows(rfc_example, "bazbot", "/example/"));
    CHECK(allows(rfc_example, "bazbot", "/a.gif")); /* its own group, not "*" */
    /* a last group with no rules allows everything, and "*" does not apply to it */
    CHECK(allows(rfc_example, "quxbot", "/example/x"));
    CHECK(allows(rfc_example, "quxbot", "/a.gif"));
}

static void test_rfc_longest_match(void)
{
    const char *t = "User-Agent: foobot\n"
                    "Allow: /example/page/\n"
                    "Disallow: /example/page/disallowed.gif\n";
    CHECK(!allows(t, "foobot", "/example/page/disallowed.gif"));
    CHECK(allows(t, "foobot", "/example/page/other.gif"));
    /* the order of the rules does not matter */
    const char *u = "User-Agent: foobot\n"
                    "Disallow: /example/page/disallowed.gif\n"
                    "Allow: /example/page/\n";
    CHECK(!allows(u, "foobot", "/example/page/disallowed.gif"));
    CHECK(allows(u, "foobot", "/example/page/x"));
}

static void test_allow_wins_a_tie(void)
{
    CHECK(allows("User-agent: *\nDisallow: /page\nAllow: /page\n", "x", "/page"));
    CHECK(allows("User-agent: *\nAllow: /page\nDisallow: /page\n", "x", "/page"));
    CHECK(allows("User-agent: *\nDisallow: /p*e\nAllow: /pa*\n", "x", "/page"));
}

static void test_product_token_matching(void)
{
    const char *t = "User-agent: FeedSpool\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n";
    CHECK(!allows(t, "feedspool", "/private/x"));
    CHECK(allows(t, "feedspool", "/public")); /* its group, case-insensitively */
    CHECK(allows(t, "FEEDSPOOL", "/public"));
    CHECK(!allows(t, "feedspoolx", "/public")); /* no prefix matching */
    CHECK(!allows(t, "feed", "/public"));
    /* a version after the name still names the crawler */
    CHECK(!allows("User-agent: feedspool/1.0\nDisallow: /\n", "feedspool", "/a"));
    CHECK(allows("User-agent: otherbot\nDisallow: /\n", "feedspool", "/a"));
    /* the token of a User-Agent string */
    char token[ROBOTS_PRODUCT_MAX];
    robots_product_token("feedspool/0.9 (+https://example.org)", token, sizeof token);
    CHECK_STR(token, "feedspool");
    robots_product_token("Feed_Spool-x 2", token, sizeof token);
    CHECK_STR(token, "Feed_Spool-x");
    robots_product_token("1bot", token, sizeof token);
    CHECK_STR(token, "");
    robots_product_token("abcdef", token, 4);
    CHECK_STR(token, "abc");
}

static void test_groups_combine(void)
{
    const char *t = "User-agent: feedspool\nDisallow: /a\n\n"
                    "User-agent: other\nDisallow: /b\n\n"
                    "User-agent: feedspool\nDisallow: /c\n";
    CHECK(!allows(t, "feedspool", "/a"));
    CHECK(allows(t, "feedspool", "/b"));
    CHECK(!allows(t, "feedspool", "/c"));
    /* the "*" groups combine too, when none names us */
    const char *u = "User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /b\n"
                    "User-agent: *\nDisallow: /c\n";
    CHECK(!allows(u, "feedspool", "/a"));
    CHECK(allows(u, "feedspool", "/b"));
    CHECK(!allows(u, "feedspool", "/c"));
    /* one group naming both */
    const char *v = "User-agent: other\nUser-agent: feedspool\nDisallow: /both\n";
    CHECK(!allows(v, "feedspool", "/both"));
    CHECK(!allows(v, "other", "/both"));
}

static void test_no_groups(void)
{
    CHECK(allows("", "feedspool", "/x"));
    CHECK(allows("Disallow: /\n", "feedspool", "/x")); /* a rule in no group is ignored */
    CHECK(allows("User-agent: other\nDisallow: /\n", "feedspool", "/x"));
    CHECK(allows("User-agent: *\nDisallow:\n", "feedspool", "/x")); /* empty: no rule */
}

static void test_other_records_do_not_end_a_group(void)
{
    const char *t = "User-agent: *\nSitemap: https://example.org/s.xml\nDisallow: /a\n"
                    "Host: example.org\nDisallow: /b\n";
    CHECK(!allows(t, "feedspool", "/a"));
    CHECK(!allows(t, "feedspool", "/b"));
    /* a user-agent line after another record still joins the group being named */
    const char *u = "User-agent: x\nSitemap: /s.xml\nUser-agent: feedspool\nDisallow: /a\n";
    CHECK(!allows(u, "feedspool", "/a"));
}

static void test_wildcards(void)
{
    const char *t = "User-agent: *\nDisallow: /*.php$\nDisallow: /private*/secret\n"
                    "Disallow: /end$\nDisallow: /**double\n";
    CHECK(!allows(t, "x", "/index.php"));
    CHECK(!allows(t, "x", "/a/b/c.php"));
    CHECK(allows(t, "x", "/index.php?x=1")); /* '$': the path must end there */
    CHECK(allows(t, "x", "/index.phps"));
    CHECK(!allows(t, "x", "/private/secret"));
    CHECK(!allows(t, "x", "/private-files/x/secret/more"));
    CHECK(allows(t, "x", "/private/public"));
    CHECK(!allows(t, "x", "/end"));
    CHECK(allows(t, "x", "/end/more"));
    CHECK(allows(t, "x", "/endless"));
    CHECK(!allows(t, "x", "/x/double"));
    /* '*' matches an empty run, even at the end */
    CHECK(!allows("User-agent: *\nDisallow: /a*\n", "x", "/a"));
    CHECK(!allows("User-agent: *\nDisallow: /a*$\n", "x", "/a/b"));
    CHECK(!allows("User-agent: *\nDisallow: *\n", "x", "/anything"));
    CHECK(!allows("User-agent: *\nDisallow: /$\n", "x", "/"));
    CHECK(allows("User-agent: *\nDisallow: /$\n", "x", "/a"));
    /* a '$' not at the end is an ordinary character */
    CHECK(!allows("User-agent: *\nDisallow: /a$b\n", "x", "/a$b"));
    CHECK(allows("User-agent: *\nDisallow: /a$b\n", "x", "/a"));
    /* the leftmost placement of a segment does not hide a later one that ends the path */
    CHECK(!allows("User-agent: *\nDisallow: /*ab$\n", "x", "/ab/ab"));
    CHECK(!allows("User-agent: *\nDisallow: /*a*b*c\n", "x", "/xaxbxbxc"));
    CHECK(allows("User-agent: *\nDisallow: /*a*b*c\n", "x", "/xcxbxa"));
}

static void test_percent_encoding(void)
{
    /* an encoded unreserved character equals the character, either side */
    CHECK(!allows("User-agent: *\nDisallow: /%7Euser\n", "x", "/~user/page"));
    CHECK(!allows("User-agent: *\nDisallow: /~user\n", "x", "/%7euser/page"));
    CHECK(!allows("User-agent: *\nDisallow: /foo/bar/%62%61%7A\n", "x", "/foo/bar/baz"));
    /* non-ASCII octets compare encoded: raw or encoded on either side */
    CHECK(!allows("User-agent: *\nDisallow: /caf\xC3\xA9\n", "x", "/caf%C3%A9"));
    CHECK(!allows("User-agent: *\nDisallow: /caf%c3%a9\n", "x", "/caf\xC3\xA9"));
    /* an encoded reserved character is not the character */
    CHECK(allows("User-agent: *\nDisallow: /a%2Fb\n", "x", "/a/b"));
    CHECK(!allows("User-agent: *\nDisallow: /a%2fb\n", "x", "/a%2Fb"));
    /* a rule matches a literal '*' or '$' of a path only encoded */
    CHECK(!allows("User-agent: *\nDisallow: /a%2Ab\n", "x", "/a*b"));
    CHECK(allows("User-agent: *\nDisallow: /a%2Ab\n", "x", "/axb"));
    CHECK(!allows("User-agent: *\nDisallow: /price%24\n", "x", "/price$"));
    /* a '%' not followed by two hex digits is itself */
    CHECK(!allows("User-agent: *\nDisallow: /100%\n", "x", "/100%"));
    CHECK(!allows("User-agent: *\nDisallow: /100%zz\n", "x", "/100%25zz"));
    /* matching is case-sensitive */
    CHECK(allows("User-agent: *\nDisallow: /Private\n", "x", "/private"));
}

static void test_queries_and_specials(void)
{
    const char *t = "User-agent: *\nDisallow: /*?session=\nDisallow: /search\n";
    CHECK(!allows(t, "x", "/page?session=1"));
    CHECK(allows(t, "x", "/page?lang=en"));
    CHECK(!allows(t, "x", "/search?q=x"));
    /* /robots.txt is always allowed */
    CHECK(allows("User-agent: *\nDisallow: /\n", "x", "/robots.txt"));
    CHECK(!allows("User-agent: *\nDisallow: /\n", "x", "/robots.txt.bak"));
    /* an empty path is "/" */
    CHECK(!allows("User-agent: *\nDisallow: /\n", "x", ""));
}

static void test_line_syntax(void)
{
    /* CR, CRLF and LF endings, comments, blanks around keys and values, any key case, BOM */
    const char *t = "\xEF\xBB\xBF# comment\r\nUSER-AGENT :  *  # us\r\n"
                    "  disallow\t: /a # not /b\r"
                    "DisAllow:/c\n"
                    "allow: /a/ok\n"
                    "nonsense line without colon\n"
                    "Disalow: /typo\n";
    CHECK(!allows(t, "x", "/a"));
    CHECK(allows(t, "x", "/b"));
    CHECK(!allows(t, "x", "/c"));
    CHECK(allows(t, "x", "/a/ok"));
    CHECK(allows(t, "x", "/typo"));
    struct robots *r = robots_parse(t, strlen(t), "x");
    CHECK(robots_rule_count(r) == 3);
    robots_free(r);
}

static void test_crawl_delay(void)
{
    const char *t = "User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n\n"
                    "User-agent: feedspool\nCrawl-delay: 3\n";
    struct robots *r = robots_parse(t, strlen(t), "feedspool");
    CHECK(robots_crawl_delay_ms(r) == 3000);
    robots_free(r);
    r = robots_parse(t, strlen(t), "other");
    CHECK(robots_crawl_delay_ms(r) == 2500);
    robots_free(r);
    const char *u = "User-agent: *\nDisallow: /\n";
    r = robots_parse(u, strlen(u), "other");
    CHECK(robots_crawl_delay_ms(r) == -1);
    robots_free(r);
    const char *bad = "User-agent: *\nCrawl-delay: soon\nCrawl-delay: -4\nCrawl-delay: 1e300\n";
    r = robots_parse(bad, strlen(bad), "other");
    CHECK(robots_crawl_delay_ms(r) == -1);
    robots_free(r);
}

static void test_parse_limit(void)
{
    /* rules past ROBOTS_PARSE_LIMIT are not read, and a line the limit cuts is dropped */
    size_t filler = ROBOTS_PARSE_LIMIT - 40;
    size_t cap = filler + 200;
    char *text = malloc(cap);
    strcpy(text, "User-agent: *\nDisallow: /early\n");
    size_t n = strlen(text);
    while (n < filler) {
        memcpy(text + n, "# padding padding padding padding padd\n", 39);
        n += 39;
    }
    size_t cut = ROBOTS_PARSE_LIMIT - n; /* the next line straddles the limit */
    const char *line = "Disallow: /cut-line-that-goes-on\nDisallow: /late\n";
    memcpy(text + n, line, strlen(line));
    n += strlen(line);
    CHECK(cut < strlen("Disallow: /cut-line-that-goes-on"));
    struct robots *r = robots_parse(text, n, "x");
    CHECK(!robots_allows(r, "/early"));
    CHECK(robots_allows(r, "/late"));
    CHECK(robots_allows(r, "/cut"));
    CHECK(robots_rule_count(r) == 1);
    robots_free(r);
    free(text);
}

static void test_hostile_input(void)
{
    /* binary, NUL bytes, no newline at the end */
    const char bin[] = "\x00\xff\xfe\nUser-agent: *\x00\nDisallow: /a\x00b\nDisallow: /\x80\x81";
    struct robots *r = robots_parse(bin, sizeof bin - 1, "x");
    CHECK(!robots_allows(r, "/%80%81"));
    CHECK(robots_allows(r, "/b"));
    robots_free(r);
    /* thousands of groups for others cost no rules */
    size_t cap = 4000 * 40 + 64;
    char *many = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < 4000; i++)
        n += (size_t)snprintf(many + n, cap - n, "User-agent: bot%d\nDisallow: /%d\n", i, i);
    r = robots_parse(many, n, "feedspool");
    CHECK(robots_rule_count(r) == 0);
    CHECK(robots_allows(r, "/1"));
    robots_free(r);
    free(many);
    /* a pattern of thousands of wildcards against a long path ends quickly */
    size_t len = 100000;
    char *stars = malloc(len + 64);
    strcpy(stars, "User-agent: *\nDisallow: /");
    n = strlen(stars);
    for (size_t i = 0; i < len / 2; i++) {
        stars[n++] = 'a';
        stars[n++] = '*';
    }
    stars[n++] = 'b';
    stars[n] = '\0';
    char *path = malloc(len + 2);
    path[0] = '/';
    memset(path + 1, 'a', len);
    path[len + 1] = '\0';
    r = robots_parse(stars, n, "x");
    CHECK(robots_allows(r, path)); /* no 'b': no match */
    path[len] = 'b';
    CHECK(!robots_allows(r, path));
    robots_free(r);
    free(stars);
    free(path);
}

int main(void)
{
    RUN(test_rfc_example_groups);
    RUN(test_rfc_longest_match);
    RUN(test_allow_wins_a_tie);
    RUN(test_product_token_matching);
    RUN(test_groups_combine);
    RUN(test_no_groups);
    RUN(test_other_records_do_not_end_a_group);
    RUN(test_wildcards);
    RUN(test_percent_encoding);
    RUN(test_queries_and_specials);
    RUN(test_line_syntax);
    RUN(test_crawl_delay);
    RUN(test_parse_limit);
    RUN(test_hostile_input);
    return check_summary();
}
