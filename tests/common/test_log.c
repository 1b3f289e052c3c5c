/* test_log.c: what a log call writes: one line, its priority first under journald, every %s
 * value escaped (control bytes, invalid UTF-8, quotes, logfmt quoting after key=) and
 * redacted, numbers as printf writes them; elsewhere a timestamp and the level's word; in the
 * JSON form one object whose fields are the line's key=value pairs. stderr is a temporary
 * file here, read back after each call; JOURNAL_STREAM names it, or another file, or nothing. */
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "common/log.h"

static char written[8192];
static int saved_stderr = -1, capture_fd = -1;

/* Sends what is written to stderr into a temporary file, until logged() reads it back (so
 * that the checks' own messages still reach the real stderr). */
enum journal { JOURNAL_IS_STDERR, JOURNAL_IS_ELSEWHERE, JOURNAL_UNSET };

static void capture_as(enum journal journal, enum log_format format)
{
    char path[] = "/tmp/feedspool-test-log-XXXXXX";
    capture_fd = mkstemp(path);
    if (capture_fd < 0)
        abort();
    unlink(path);
    fflush(stderr);
    saved_stderr = dup(2);
    dup2(capture_fd, 2);
    struct stat st;
    fstat(capture_fd, &st);
    char stream[64];
    /* JOURNAL_STREAM inherited from a journald parent while stderr went elsewhere: the inode
     * differs by one. */
    snprintf(stream, sizeof stream, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + (journal == JOURNAL_IS_ELSEWHERE));
    if (journal == JOURNAL_UNSET)
        unsetenv("JOURNAL_STREAM");
    else
        setenv("JOURNAL_STREAM", stream, 1);
    log_set_format(format);
}

/* As under journald, where the lines keep their priority prefix. */
static void capture(void)
{
    capture_as(JOURNAL_IS_STDERR, LOG_FORMAT_TEXT);
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
    log_info("n=%d l=%ld ll=%lld z=%zu u=%u f=%.2f t=%.*s retry_in=%lds pct=100%%", -3, 40L,
             1LL << 40, (size_t)7, 9u, 2.5, 3, "topic,rest", 5L);
    CHECK_STR(logged(), "<6>n=-3 l=40 ll=1099511627776 z=7 u=9 f=2.50 t=top retry_in=5s "
                        "pct=100%\n");
    capture();
    log_debug("dropped %s", "below the level");
    CHECK_STR(logged(), "");
}

/* The one line written in the JSON form, parsed. */
static json_t *logged_json(void)
{
    const char *out = logged();
    if (out[0] == '<') { /* journald's priority prefix */
        CHECK(strncmp(out, "<4>{", 4) == 0);
        out += 3;
    }
    CHECK(strchr(out, '\n') == out + strlen(out) - 1);
    json_error_t error;
    json_t *line = json_loads(out, 0, &error);
    if (!line)
        fprintf(stderr, "not JSON: %s (%s)\n", out, error.text);
    return line;
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
    capture_as(JOURNAL_UNSET, LOG_FORMAT_JSON); /* cut inside the quotes: still one object */
    log_info("v=\"%s\"", big);
    json_t *line = logged_json();
    CHECK(line && strlen(json_string_value(json_object_get(line, "v"))) > 1000);
    json_decref(line);
    /* Cut at a character, not inside one (found by fuzz_log): the JSON form stays UTF-8. */
    for (size_t i = 0; i + 2 < 10000; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    big[9998] = '\0';
    capture_as(JOURNAL_UNSET, LOG_FORMAT_JSON);
    log_info("msg %s", big); /* 4 bytes, then 2-byte characters: the cut falls inside one */
    line = logged_json();
    CHECK(line != NULL);
    json_decref(line);
    free(big);
}

/* Whether text matches the extended regular expression re. */
static int matches(const char *text, const char *re)
{
    regex_t rx;
    if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int ok = regexec(&rx, text, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static void test_outside_journald_a_timestamp_and_the_level_word(void)
{
    capture_as(JOURNAL_UNSET, LOG_FORMAT_TEXT);
    log_warn("feed poll failed feed=%s status=%d", "http://h/f", 404);
    const char *out = logged();
    CHECK(matches(out,
                  "^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\.[0-9]{3}Z "
                  "warning feed poll failed feed=http://h/f status=404\n$"));
    capture_as(JOURNAL_IS_ELSEWHERE, LOG_FORMAT_TEXT);
    log_err("cannot open x=%s", "a b");
    out = logged();
    CHECK(matches(out, "^[0-9T:.Z-]{24} error cannot open x=\"a b\"\n$"));
    CHECK(out[0] != '<');
}

static void test_json_lines_carry_the_context_as_fields(void)
{
    capture_as(JOURNAL_IS_STDERR, LOG_FORMAT_JSON); /* under journald: "<4>" first */
    log_warn("feed poll failed feed=%s status=%d reason=\"%s\" retry_in=%lds", "http://h/f?a=1",
             404, "said \"no\"\n\x01 \xff", 30L);
    json_t *line = logged_json();
    CHECK(line != NULL);
    if (!line)
        return;
    CHECK_STR(json_string_value(json_object_get(line, "level")), "warning");
    CHECK_STR(json_string_value(json_object_get(line, "message")), "feed poll failed");
    const char *when = json_string_value(json_object_get(line, "time"));
    CHECK(when && matches(when, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$"));
    CHECK_STR(json_string_value(json_object_get(line, "feed")), "http://h/f?a=1");
    CHECK(json_integer_value(json_object_get(line, "status")) == 404);
    CHECK_STR(json_string_value(json_object_get(line, "reason")), "said \"no\"\n\x01 \\xff");
    CHECK_STR(json_string_value(json_object_get(line, "retry_in")), "30s");
    json_decref(line);

    capture_as(JOURNAL_UNSET, LOG_FORMAT_JSON);
    log_notice("stopping reason=%s in_flight=%zu and more words message=%s", "SIGTERM", (size_t)2,
               "forged status=1");
    line = logged_json();
    CHECK(line != NULL);
    if (!line)
        return;
    CHECK_STR(json_string_value(json_object_get(line, "message")), "stopping and more words");
    CHECK_STR(json_string_value(json_object_get(line, "reason")), "SIGTERM");
    CHECK(json_integer_value(json_object_get(line, "in_flight")) == 2);
    CHECK_STR(json_string_value(json_object_get(line, "_message")), "forged status=1");
    CHECK(json_object_get(line, "status") == NULL);
    json_decref(line);

    /* Free text that only looks like key="value" with escapes (found by fuzz_log): its
     * backslashes stay backslashes, and the line stays JSON. */
    capture_as(JOURNAL_UNSET, LOG_FORMAT_JSON);
    log_err("cannot load: %s n=%s", "t=\"a\\u12 \\ud800 \\xZ\"", "12345678901234567890123");
    line = logged_json();
    CHECK(line != NULL);
    if (!line)
        return;
    CHECK_STR(json_string_value(json_object_get(line, "t")), "a\\u12 \\ud800 \\xZ");
    CHECK_STR(json_string_value(json_object_get(line, "n")), "12345678901234567890123");
    json_decref(line);
}

int main(void)
{
    RUN(test_values_are_escaped_and_one_call_is_one_line);
    RUN(test_bare_values_are_quoted_when_they_need_it);
    RUN(test_urls_lose_their_credentials);
    RUN(test_numbers_and_precision_are_printf_s);
    RUN(test_a_long_line_is_cut_not_split);
    RUN(test_outside_journald_a_timestamp_and_the_level_word);
    RUN(test_json_lines_carry_the_context_as_fields);
    return check_summary();
}
