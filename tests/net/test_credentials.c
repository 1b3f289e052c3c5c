/* test_credentials.c: the credentials file (parsing, prefix boundaries, longest prefix) and
 * the URL redaction every printed URL goes through. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/redact.h"
#include "net/credentials.h"

static void test_the_file_is_parsed_and_searched_by_prefix(void)
{
    const char *text = "# comment\n"
                       "\n"
                       "  https://a.example/feeds/   reader:two words and: a colon  \n"
                       "https://a.example alice:s3cret\n"
                       "http://b.example/private bob:\n";
    struct credentials *c = NULL;
    char err[256];
    CHECK(credentials_parse(text, "creds", &c, err, sizeof err) == 0);
    CHECK(credentials_count(c) == 3);
    const struct credential *e = credentials_find(c, "https://a.example/feeds/x.xml");
    CHECK(e && strcmp(e->user, "reader") == 0 &&
          strcmp(e->password, "two words and: a colon") == 0);
    e = credentials_find(c, "https://a.example/other");
    CHECK(e && strcmp(e->user, "alice") == 0);
    CHECK(credentials_find(c, "https://a.example") != NULL);
    CHECK(credentials_find(c, "https://a.example?x") != NULL);
    CHECK(credentials_find(c, "HTTPS://A.EXAMPLE/x") != NULL);
    /* not at a boundary: another host, another path */
    CHECK(credentials_find(c, "https://a.example.evil.org/") == NULL);
    CHECK(credentials_find(c, "https://a.example:8443/") == NULL);
    CHECK(credentials_find(c, "http://b.example/privateer") == NULL);
    e = credentials_find(c, "http://b.example/private/feed");
    CHECK(e && strcmp(e->user, "bob") == 0 && strcmp(e->password, "") == 0);
    CHECK(credentials_find(c, "http://a.example/") == NULL); /* the scheme counts */
    CHECK(credentials_find(NULL, "https://a.example/") == NULL);
    credentials_free(c);
}

static void test_bad_lines_name_the_line_not_the_secret(void)
{
    static const char *const bad[] = {"ftp://a.example/ u:p\n", "https://a.example/\n",
                                      "https://a.example/ :secretpw\n",
                                      "https://a.example/ nocolon\n", "# ok\nsecretpw\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct credentials *c = NULL;
        char err[256] = "";
        CHECK(credentials_parse(bad[i], "creds", &c, err, sizeof err) < 0);
        CHECK_CONTAINS(err, i == 4 ? "creds:2: expected" : "creds:1: expected");
        CHECK_LACKS(err, "secretpw");
    }
}

static void test_urls_are_redacted_wherever_they_stand(void)
{
    char *s = redact_credentials("https://alice:s3cret@a.example:8080/x?y=1");
    CHECK_STR(s, "https://a.example:8080/x?y=1");
    free(s);
    s = redact_credentials("failed: http://u@h/ and ftp://x:y@z, not mail@example.com");
    CHECK_STR(s, "failed: http://h/ and ftp://z, not mail@example.com");
    free(s);
    s = redact_credentials("https://a.example/path@not-userinfo");
    CHECK_STR(s, "https://a.example/path@not-userinfo");
    free(s);
    s = redact_credentials("http://a:b@c@host/"); /* the last '@' ends the userinfo */
    CHECK_STR(s, "http://host/");
    free(s);
    CHECK(redact_credentials(NULL) == NULL);
    CHECK(has_credentials("x https://u:p@h/"));
    CHECK(!has_credentials("https://h/a@b"));
    CHECK(!has_credentials("://u:p@h/")); /* no scheme */
}

static void test_credentials_are_taken_out_of_urls(void)
{
    char *clean, *user, *password;
    CHECK(url_take_credentials("https://al%40ice:p%3Ass@h.example/f", &clean, &user, &password));
    CHECK_STR(clean, "https://h.example/f");
    CHECK_STR(user, "al@ice");
    CHECK_STR(password, "p:ss");
    free(clean);
    free(user);
    free(password);
    CHECK(url_take_credentials("http://token@h/", &clean, &user, &password));
    CHECK_STR(clean, "http://h/");
    CHECK_STR(user, "token");
    CHECK_STR(password, "");
    free(clean);
    free(user);
    free(password);
    CHECK(!url_take_credentials("http://h/a@b", &clean, &user, &password));
    CHECK(!url_take_credentials("no url", &clean, &user, &password));
}

int main(void)
{
    RUN(test_the_file_is_parsed_and_searched_by_prefix);
    RUN(test_bad_lines_name_the_line_not_the_secret);
    RUN(test_urls_are_redacted_wherever_they_stand);
    RUN(test_credentials_are_taken_out_of_urls);
    return check_summary();
}
