/* schedule.c: when a feed is polled next: its interval, backoff after failures,
 * Retry-After, the ttl and max-age it asks for, and the due time kept in the state.
 * The arithmetic is in the pure schedule_* functions (schedule.h); the rest applies it. */
#include "ingest/schedule.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "feeds/date.h"
#include "ingest/ingest_internal.h"

static long feed_interval(const struct feed_runtime *fr)
{
    return fr->interval > 0 ? fr->interval : fr->p->deps.config->poll_interval;
}

long schedule_backoff(long interval, long max_backoff, long errors, long random_value)
{
    long delay = interval;
    for (long i = 1; i < errors && delay < max_backoff; i++)
        delay *= 2;
    if (delay > max_backoff)
        delay = max_backoff;
    return delay - delay / 10 + random_value % (delay / 5 + 1);
}

long schedule_after_success(long interval, long ttl, long max_age, long max_poll_interval)
{
    long delay = interval;
    long asked = ttl > max_age ? ttl : max_age;
    long cap = max_poll_interval;
    if (asked > delay)
        delay = asked < cap ? asked : (cap > delay ? cap : delay);
    return delay;
}

long schedule_retry_after(const char *value, int64_t now)
{
    if (!value)
        return 0;
    char *end;
    long n = strtol(value, &end, 10);
    if (end != value && *end == '\0')
        return n > 0 ? n : 0;
    int64_t when;
    if (date_parse(value, &when) && when > now)
        return (long)(when - now);
    return 0;
}

long schedule_first_delay(int64_t next_due, int64_t now, long jitter, long random_value)
{
    if (next_due > now)
        return (long)(next_due - now);
    return jitter > 0 ? random_value % jitter : 0;
}

static void schedule_poll(struct feed_runtime *fr, long delay)
{
    struct timeval tv = {.tv_sec = delay > 0 ? delay : 0};
    evtimer_add(fr->timer, &tv);
}

/* Logs a feed's failure when it differs from the last one, so a broken feed is not logged every poll. */
void ingest_feed_failed(struct feed_runtime *fr, long status, const char *reason, long retry_after)
{
    struct pipeline *p = fr->p;
    fr->errors++;
    p->stats.feeds_failed++;
    const struct config *cfg = p->deps.config;
    long delay = schedule_backoff(feed_interval(fr), cfg->max_backoff, fr->errors, random());
    if (retry_after > delay)
        delay = retry_after;
    if (!fr->last_error || strcmp(fr->last_error, reason) != 0)
        log_warn("feed poll failed feed=%s status=%ld reason=\"%s\" errors=%ld retry_in=%lds",
                 fr->url, status, reason, fr->errors, delay);
    else
        log_debug("feed still failing feed=%s status=%ld errors=%ld retry_in=%lds", fr->url, status,
                  fr->errors, delay);
    free(fr->last_error);
    fr->last_error = xstrdup(reason);
    if (state_feed_set_poll(p->deps.state, fr->url, now_seconds() + delay, fr->errors, status,
                            reason) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (status == 410) {
        if (fr->state == FEED_WAITING)
            ingest_feed_set_state(fr, FEED_GONE); /* (a removed one is freed after this) */
        log_warn("feed is gone (HTTP 410), polling stops feed=%s", fr->url);
        if (state_feed_set_gone(p->deps.state, fr->url, true) < 0)
            log_err("state write failed feed=%s reason=\"%s\"", fr->url,
                    state_error(p->deps.state));
        return;
    }
    if (!p->once && !p->stopping && fr->state == FEED_WAITING)
        schedule_poll(fr, delay);
}

void ingest_feed_succeeded(struct feed_runtime *fr, long status)
{
    struct pipeline *p = fr->p;
    if (fr->last_error)
        log_notice("feed recovered feed=%s status=%ld after_errors=%ld", fr->url, status,
                   fr->errors);
    free(fr->last_error);
    fr->last_error = NULL;
    fr->errors = 0;
    fr->last_success = now_seconds();
    p->stats.feeds_polled++;
    long delay = schedule_after_success(feed_interval(fr), fr->ttl, fr->max_age,
                                        p->deps.config->max_poll_interval);
    if (state_feed_set_poll(p->deps.state, fr->url, now_seconds() + delay, 0, status, NULL) < 0)
        log_err("state write failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (!p->once && !p->stopping && fr->state == FEED_WAITING)
        schedule_poll(fr, delay);
}

/* First poll of a feed: when its stored due time comes, or soon (jittered) if already due.
 * A feed that moved is polled at its new URL; one that is gone is not polled. */
void ingest_schedule_first_poll(struct pipeline *p, struct feed_runtime *fr)
{
    struct feed_state fs;
    int known = state_feed_get(p->deps.state, fr->url, &fs);
    if (known < 0)
        log_err("state read failed feed=%s reason=\"%s\"", fr->url, state_error(p->deps.state));
    if (known == 1 && fs.moved_to) {
        free(fr->poll_url);
        fr->poll_url = xstrdup(fs.moved_to);
    }
    if (known == 1 && fs.gone) {
        ingest_feed_set_state(fr, FEED_GONE);
        if (p->once && p->feeds_unpolled)
            p->feeds_unpolled--;
        log_notice("feed not polled: it answered 410 Gone earlier feed=%s", fr->url);
        feed_state_free(&fs);
        return;
    }
    if (known == 1)
        fr->errors = fs.errors; /* a restart continues the backoff where it was */
    if (p->once) {
        /* polled now, with the state just read */
        ingest_poll_feed_with(fr, &fs);
        feed_state_free(&fs);
        return;
    }
    long delay = schedule_first_delay(known == 1 ? fs.next_due : 0, now_seconds(),
                                      p->deps.config->poll_jitter, random());
    feed_state_free(&fs);
    schedule_poll(fr, delay);
}
