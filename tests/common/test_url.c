/* test_url.c: URL host and normalisation (common/url.c). */
#include <stdlib.h>

#include "check.h"
#include "common/url.h"

static void check_normalized(const char *in, const char *expected)
{
    char *out = url_normalize(in);
    CHECK_STR(out, expected);
    free(out);
}

static void check_host(const char *in, const char *expected)
{
    char *out = url_host(in);
    CHECK_STR(out, expected);
    free(out);
}

static void test_host(void)
{
    check_host("https://News.Example.ORG/a/b?c=d", "news.example.org");
    check_host("http://user:secret@a.example:8080/", "a.example");
    check_host("http://[::1]:9000/x", "[::1]");
    check_host("/relative/path", NULL);
    check_host("not a url", NULL);
}

static void test_case_port_fragment_and_slash(void)
{
    check_normalized("HTTPS://News.Example.org:443/Story/?#comments",
                     "https://news.example.org/Story");
    check_normalized("http://a.example:80", "http://a.example/");
    check_normalized("http://a.example:8080/x//", "http://a.example:8080/x");
    check_normalized("https://a.example:80/x", "https://a.example:80/x");
}

static void test_tracking_parameters_go(void)
{
    check_normalized("https://a.example/x?utm_source=rss&id=7&fbclid=abc&utm_medium=feed",
                     "https://a.example/x?id=7");
    check_normalized("https://a.example/x?utm_source=rss&gclid=1", "https://a.example/x");
    /* names that only start like one stay, and so does a parameter called just utm_ */
    check_normalized("https://a.example/x?utm_=1&fbclid2=2&ref=3",
                     "https://a.example/x?utm_=1&fbclid2=2&ref=3");
    check_normalized("https://a.example/x?a=1&&b=2", "https://a.example/x?a=1&b=2");
}

static void test_only_absolute_http(void)
{
    check_normalized("ftp://a.example/x", NULL);
    check_normalized("mailto:someone@a.example", NULL);
    check_normalized("/x/y", NULL);
    check_normalized("not a url", NULL);
    check_normalized("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", NULL);
    check_normalized(NULL, NULL);
}

int main(void)
{
    RUN(test_host);
    RUN(test_case_port_fragment_and_slash);
    RUN(test_tracking_parameters_go);
    RUN(test_only_absolute_http);
    return check_summary();
}
