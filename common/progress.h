/* progress.h: a progress line for long commands on a terminal (import-opml, publish,
 * reextract): "label: 5000/10000 (50%), 2300/s", redrawn in place at most 10 times a
 * second, and a final line when done. When standard error is not a terminal (a pipe, a
 * file, the journal) it writes nothing at all.
 *
 *   struct progress p;
 *   progress_start(&p, "importing feeds", n);   // n = 0 when the total is unknown
 *   for (...) progress_step(&p, 1);
 *   progress_end(&p);
 */
#ifndef FEEDSPOOL_COMMON_PROGRESS_H
#define FEEDSPOOL_COMMON_PROGRESS_H

#include <stdbool.h>

struct progress {
    const char *label; /* borrowed: must outlive the progress */
    long long total;   /* 0: unknown */
    long long done;
    double started, last_draw; /* monotonic seconds */
    int drawn_width;           /* of the line on screen, to blank what a shorter one leaves */
    bool on_terminal;
};

void progress_start(struct progress *p, const char *label, long long total);
/* n more done. */
void progress_step(struct progress *p, long long n);
/* done in all (for work counted elsewhere, such as acknowledgements). */
void progress_set(struct progress *p, long long done);
/* The final line ("label: 10000/10000 (100%) in 4.2 s, 2380/s") and a newline. */
void progress_end(struct progress *p);

#endif
