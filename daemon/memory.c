/* memory.c: the heap's thresholds and the timer that gives its free pages back (see memory.h). */
#include "daemon/memory.h"

#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"

/* Larger allocations (a page's body, a feed's document) are mapped on their own, so that
 * freeing them returns their memory at once; 128 KiB is glibc's own starting value. */
#define MMAP_THRESHOLD_BYTES (128 * 1024)
/* Free memory above this at the top of the heap goes back as soon as it is freed. */
#define TRIM_THRESHOLD_BYTES (1024 * 1024)

void memory_policy_apply(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES);
    mallopt(M_ARENA_MAX, (int)(cores > 0 ? cores + 1 : 2));
}

static long resident_kb(void)
{
    long pages = -1, resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void on_trim(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    long before = resident_kb();
    malloc_trim(0);
    long after = resident_kb();
    if (before >= 0 && after >= 0)
        log_debug("heap trimmed rss_kb=%ld returned_kb=%ld", after, before - after);
}

struct event *memory_trimmer_start(struct event_base *base)
{
    struct event *ev = event_new(base, -1, EV_PERSIST, on_trim, NULL);
    struct timeval every = {.tv_sec = MEMORY_TRIM_SECONDS};
    event_add(ev, &every);
    return ev;
}
