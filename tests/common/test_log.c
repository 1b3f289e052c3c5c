/* test_log.c: what a log call writes: one line, its priority first, every %s value escaped
 * (control bytes, invalid UTF-8, quotes, logfmt quoting after key=) and redacted, numbers as
 * printf writes them. stderr is a temporary file here, read back after each call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "common/log.h"

static char written[8192];
static int saved_stderr = -1, capture_fd = -1;

/* Sends what is written to stderr into a temporary file, until logged() reads it back (so
 * that the checks' own messages still reach the real stderr). */
static void capture(void)
{
    char path[] = "/tmp/feedspool-test-log-XXXXXX";
    capture_fd = mkstemp(path);
    if (capture_fd < 0)
        abort();
    unlink(path);
    fflush(stderr);
    saved_stderr = dup(2);
    dup2(capture_fd, 2);
}

static const char *logged(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    ssize_t n = pread(capture_fd, written, sizeof written - 1, 0);
    written[n > 0 ? n : 0] = '\0';
    close(capture_fd);
    return written;
}

static void test_values_are_escaped_and_one_call_is_one_line(void)
{
    capture();
    log_notice("item title=\"%s\"", "a\n<2>forged\r\tb\x01\x7f");
    CHECK_STR(logged(), "<5>item title=\"a\\n<2>forged\\r\\tb\\x01\\x7f\"\n");
    capture();
    log_warn("x reason=\"%s\"", "quote \" and \\ backslash");
    CHECK_STR(logged(), "<4>x reason=\"quote \\\" and \\\\ backslash\"\n");
    capture();
    log_info("bad utf-8 v=\"%s\"", "\xff\xc3(\xe2\x82\xac\xed\xa0\x80\xc0\xaf");
    CHECK_STR(logged(), "<6>bad utf-8 v=\"\\xff\\xc3(\xe2\x82\xac\\xed\\xa0\\x80\\xc0\\xaf\"\n");
    capture();
    log_info("c1 v=\"%s\"", "\xc2\x85 and \xe2\x80\xa8");
    CHECK_STR(logged(), "<6>c1 v=\"\\u0085 and \\u2028\"\n");
}

static void test_bare_values_are_quoted_when_they_need_it(void)
{
    capture();
    log_info("a feed=%s url=%s empty=%s", "http://h/x", "http://h/?a=b c", "");
    CHECK_STR(logged(), "<6>a feed=http://h/x url=\"http://h/?a=b c\" empty=\"\"\n");
    capture();
    log_info("forged feed=%s", "x status=200");
    CHECK_STR(logged(), "<6>forged feed=\"x status=200\"\n");
    capture();
    log_err("free text: %s", "line\nnext \"quoted\"");
    CHECK_STR(logged(), "<3>free text: line\\nnext \"quoted\"\n");
}

static void test_urls_lose_their_credentials(void)
{
    capture();
    log_info("feed polled feed=%s reason=\"%s\"", "https://alice:s3cret@h.example/f",
             "could not reach http://bob:pw@other/ today");
    CHECK_STR(logged(), "<6>feed polled feed=https://h.example/f reason=\"could not reach "
                        "http://other/ today\"\n");
}

static void test_numbers_and_precision_are_printf_s(void)
{
    capture();
    log_info("n=%d l=%ld ll=%lld z=%zu u=%u f=%.2f t=%.*s retry_in=%lds pct=100%%",
             -3, 40L, 1LL << 40, (size_t)7, 9u, 2.5, 3, "topic,rest", 5L);
    CHECK_STR(logged(), "<6>n=-3 l=40 ll=1099511627776 z=7 u=9 f=2.50 t=top retry_in=5s "
                        "pct=100%\n");
    capture();
    log_debug("dropped %s", "below the level");
    CHECK_STR(logged(), "");
}

static void test_a_long_line_is_cut_not_split(void)
{
    char *big = malloc(10000);
    memset(big, '\n', 9999);
    big[9999] = '\0';
    capture();
    log_info("v=\"%s\"", big);
    const char *out = logged();
    CHECK(strlen(out) < 4200);
    CHECK(strchr(out, '\n') == out + strlen(out) - 1);
    free(big);
}

int main(void)
{
    RUN(test_values_are_escaped_and_one_call_is_one_line);
    RUN(test_bare_values_are_quoted_when_they_need_it);
    RUN(test_urls_lose_their_credentials);
    RUN(test_numbers_and_precision_are_printf_s);
    RUN(test_a_long_line_is_cut_not_split);
    return check_summary();
}
