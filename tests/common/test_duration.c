/* test_duration.c: the one duration parser (common/duration.c). */
#include <limits.h>
#include <stdio.h>

#include "check.h"
#include "common/duration.h"

static long parsed(const char *text, enum duration_unit unit)
{
    long out = -42;
    return duration_parse(text, unit, &out) == 0 ? out : -1;
}

static void test_units_in_seconds(void)
{
    CHECK(parsed("90", DURATION_SECONDS) == 90);
    CHECK(parsed("0", DURATION_SECONDS) == 0);
    CHECK(parsed("30s", DURATION_SECONDS) == 30);
    CHECK(parsed("10m", DURATION_SECONDS) == 600);
    CHECK(parsed("2h", DURATION_SECONDS) == 7200);
    CHECK(parsed("14d", DURATION_SECONDS) == 14 * 86400);
    CHECK(parsed("3000ms", DURATION_SECONDS) == 3);
}

static void test_units_in_milliseconds(void)
{
    CHECK(parsed("500", DURATION_MILLISECONDS) == 500);
    CHECK(parsed("500ms", DURATION_MILLISECONDS) == 500);
    CHECK(parsed("2s", DURATION_MILLISECONDS) == 2000);
    CHECK(parsed("1m", DURATION_MILLISECONDS) == 60000);
}

static void test_refuses_what_is_not_a_duration(void)
{
    static const char *const bad[] = {"",     "m",   "s10",   "-5", "+5",   " 5",    "5 ",    "5 m",
                                      "1.5h", "10M", "10min", "5w", "0x10", "10mss", "1500ms"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long out = -42;
        int rc = duration_parse(bad[i], DURATION_SECONDS, &out);
        if (rc != -1 || out != -42)
            fprintf(stderr, "accepted \"%s\"\n", bad[i]);
        CHECK(rc == -1 && out == -42);
    }
    CHECK(duration_parse(NULL, DURATION_SECONDS, &(long){0}) == -1);
    CHECK(parsed("1500ms", DURATION_MILLISECONDS) == 1500); /* whole in milliseconds */
}

static void test_refuses_what_does_not_fit(void)
{
    char text[64];
    snprintf(text, sizeof text, "%ldd", LONG_MAX / 86400);
    CHECK(parsed(text, DURATION_SECONDS) == -1);
    snprintf(text, sizeof text, "%ldd", LONG_MAX / 86400 / 1000);
    CHECK(parsed(text, DURATION_SECONDS) == LONG_MAX / 86400 / 1000 * 86400);
    CHECK(parsed("99999999999999999999999", DURATION_SECONDS) == -1);
}

int main(void)
{
    RUN(test_units_in_seconds);
    RUN(test_units_in_milliseconds);
    RUN(test_refuses_what_is_not_a_duration);
    RUN(test_refuses_what_does_not_fit);
    return check_summary();
}
