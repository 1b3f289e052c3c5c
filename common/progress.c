/* progress.c: the progress line of long commands (progress.h): only on a terminal. */
#include "common/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_REDRAW_SECONDS 0.1

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(struct progress *p, double now, bool final)
{
    double elapsed = now - p->started;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char count[64] = "", timing[64];
    if (p->total > 0)
        snprintf(count, sizeof count, "/%lld (%d%%)", p->total,
                 (int)(100.0 * (double)p->done / (double)p->total));
    if (final)
        snprintf(timing, sizeof timing, " in %.1f s, %.0f/s", elapsed, rate);
    else
        snprintf(timing, sizeof timing, ", %.0f/s", rate);
    int width = fprintf(stderr, "\r%s: %lld%s%s", p->label, p->done, count, timing) - 1;
    if (width >= 0 && width < p->drawn_width) /* blank what a longer earlier line left */
        fprintf(stderr, "%*s", p->drawn_width - width, "");
    p->drawn_width = width;
    fputs(final ? "\n" : "", stderr);
    fflush(stderr);
    p->last_draw = now;
}

void progress_start(struct progress *p, const char *label, long long total)
{
    *p = (struct progress){.label = label,
                           .total = total > 0 ? total : 0,
                           .started = monotonic_seconds(),
                           .on_terminal = isatty(STDERR_FILENO) == 1};
    if (p->on_terminal)
        draw(p, p->started, false);
}

void progress_set(struct progress *p, long long done)
{
    p->done = done;
    if (!p->on_terminal)
        return;
    double now = monotonic_seconds();
    if (now - p->last_draw >= PROGRESS_REDRAW_SECONDS)
        draw(p, now, false);
}

void progress_step(struct progress *p, long long n)
{
    progress_set(p, p->done + n);
}

void progress_end(struct progress *p)
{
    if (p->on_terminal)
        draw(p, monotonic_seconds(), true);
    p->on_terminal = false; /* a second end draws nothing */
}
