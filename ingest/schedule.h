/* schedule.h: the arithmetic of when a feed is polled next, as pure functions: no clock and
 * no randomness inside (the caller passes the time and a value of random()), so each rule
 * can be tested alone. schedule.c applies them to the feeds. All durations are seconds. */
#ifndef FEEDSPOOL_INGEST_SCHEDULE_H
#define FEEDSPOOL_INGEST_SCHEDULE_H

#include <stdint.h>

/* The wait after `errors` (>= 1) consecutive failures: interval doubled for each failure
 * after the first, capped at max_backoff, then spread over -10 %..+10 % by random_value
 * (any value >= 0). */
long schedule_backoff(long interval, long max_backoff, long errors, long random_value);
/* The wait after a success: the longest of interval, the feed's ttl and its response's
 * max-age (-1: none), but a ttl or max-age stretches the interval at most to
 * max_poll_interval. */
long schedule_after_success(long interval, long ttl, long max_age, long max_poll_interval);
/* The wait a Retry-After header value asks for at time now (epoch seconds): delta-seconds or
 * an HTTP date; 0 for NULL, a date in the past, or anything else. */
long schedule_retry_after(const char *value, int64_t now);
/* The wait before a feed's first poll in this run: until next_due (epoch seconds, 0 when the
 * state has none) if that is still ahead, else random_value (>= 0) spread over [0, jitter). */
long schedule_first_delay(int64_t next_due, int64_t now, long jitter, long random_value);

#endif
