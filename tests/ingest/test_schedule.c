/* test_schedule.c: when a feed is polled next: backoff, the wait after a success (ttl,
 * max-age, their cap), Retry-After in both forms, and the first poll's delay. */
#include <limits.h>
#include <stdlib.h>

#include "check.h"
#include "ingest/schedule.h"

#define MINUTE 60L
#define HOUR 3600L
#define DAY 86400L

/* The middle of the jitter range: random_value % (delay / 5 + 1) == delay / 10. */
static long middle(long delay)
{
    return delay / 10;
}

static void test_backoff_doubles_per_failure(void)
{
    long interval = 15 * MINUTE, cap = 6 * HOUR;
    CHECK(schedule_backoff(interval, cap, 1, middle(interval)) == interval);
    CHECK(schedule_backoff(interval, cap, 2, middle(2 * interval)) == 2 * interval);
    CHECK(schedule_backoff(interval, cap, 3, middle(4 * interval)) == 4 * interval);
    CHECK(schedule_backoff(interval, cap, 4, middle(8 * interval)) == 8 * interval);
}

static void test_backoff_is_capped(void)
{
    long interval = 15 * MINUTE, cap = 6 * HOUR;
    CHECK(schedule_backoff(interval, cap, 6, middle(cap)) == cap);    /* 16 x 15 min would be 8 h */
    CHECK(schedule_backoff(interval, cap, 1000, middle(cap)) == cap); /* no overflow */
    /* An interval longer than the cap is cut down to it. */
    CHECK(schedule_backoff(12 * HOUR, cap, 1, middle(cap)) == cap);
}

/* The jitter keeps every wait within -10 %..+10 % and reaches both ends. */
static void test_backoff_jitter_bounds(void)
{
    long interval = 1000, cap = DAY;
    CHECK(schedule_backoff(interval, cap, 1, 0) == 900);
    CHECK(schedule_backoff(interval, cap, 1, 200) == 1100);
    CHECK(schedule_backoff(interval, cap, 1, 201) == 900); /* wraps: random() is any value */
    for (long r = 0; r < 5000; r += 7) {
        long d = schedule_backoff(interval, cap, 1, r);
        CHECK(d >= 900 && d <= 1100);
    }
    long big = schedule_backoff(interval, cap, 1, LONG_MAX);
    CHECK(big >= 900 && big <= 1100);
    /* A one-second interval still waits at least a second. */
    CHECK(schedule_backoff(1, cap, 1, 0) == 1);
}

static void test_success_uses_the_interval(void)
{
    CHECK(schedule_after_success(15 * MINUTE, 0, -1, DAY) == 15 * MINUTE);
    /* A ttl or max-age shorter than the interval changes nothing. */
    CHECK(schedule_after_success(15 * MINUTE, 5 * MINUTE, 60, DAY) == 15 * MINUTE);
}

static void test_success_stretches_to_ttl_or_max_age(void)
{
    CHECK(schedule_after_success(15 * MINUTE, HOUR, -1, DAY) == HOUR);           /* <ttl> */
    CHECK(schedule_after_success(15 * MINUTE, 0, 2 * HOUR, DAY) == 2 * HOUR);    /* max-age */
    CHECK(schedule_after_success(15 * MINUTE, HOUR, 2 * HOUR, DAY) == 2 * HOUR); /* the longer */
}

static void test_success_stretch_is_capped(void)
{
    CHECK(schedule_after_success(15 * MINUTE, 7 * DAY, -1, DAY) == DAY);
    /* The cap limits the stretch only: an interval above it is kept. */
    CHECK(schedule_after_success(2 * DAY, 7 * DAY, -1, DAY) == 2 * DAY);
}

static void test_retry_after_seconds(void)
{
    CHECK(schedule_retry_after("120", 1700000000) == 120);
    CHECK(schedule_retry_after("0", 1700000000) == 0);
    CHECK(schedule_retry_after("-5", 1700000000) == 0);
    CHECK(schedule_retry_after(NULL, 1700000000) == 0);
    CHECK(schedule_retry_after("", 1700000000) == 0);
    CHECK(schedule_retry_after("soon", 1700000000) == 0);
    CHECK(schedule_retry_after("12abc", 1700000000) == 0);
}

static void test_retry_after_http_date(void)
{
    /* Tue, 14 Nov 2023 22:13:20 GMT is 1700000000. */
    CHECK(schedule_retry_after("Tue, 14 Nov 2023 22:23:20 GMT", 1700000000) == 600);
    CHECK(schedule_retry_after("Tue, 14 Nov 2023 22:13:20 GMT", 1700000000) == 0); /* now */
    CHECK(schedule_retry_after("Tue, 14 Nov 2023 21:00:00 GMT", 1700000000) == 0); /* past */
}

static void test_first_delay(void)
{
    int64_t now = 1700000000;
    CHECK(schedule_first_delay(now + 300, now, 30, 12345) == 300); /* stored due time ahead */
    CHECK(schedule_first_delay(now - 300, now, 30, 47) == 17);     /* overdue: jittered */
    CHECK(schedule_first_delay(0, now, 30, 29) == 29);             /* never polled */
    CHECK(schedule_first_delay(0, now, 0, 29) == 0);               /* no jitter */
    for (long r = 0; r < 1000; r++) {
        long d = schedule_first_delay(now, now, 30, r);
        CHECK(d >= 0 && d < 30);
    }
}

int main(void)
{
    RUN(test_backoff_doubles_per_failure);
    RUN(test_backoff_is_capped);
    RUN(test_backoff_jitter_bounds);
    RUN(test_success_uses_the_interval);
    RUN(test_success_stretches_to_ttl_or_max_age);
    RUN(test_success_stretch_is_capped);
    RUN(test_retry_after_seconds);
    RUN(test_retry_after_http_date);
    RUN(test_first_delay);
    return check_summary();
}
