/* memory.h: how the daemon's heap gives memory back to the system. glibc's malloc keeps what
 * is freed: the top of the heap up to a threshold it raises by itself after each large free
 * (to 64 MiB), the free pages between live chunks for ever, and one heap per arena, of which
 * it makes up to eight per core as threads come. After a burst (a cycle's articles, a feed
 * list read) the resident size would stay at the burst's peak. */
#ifndef FEEDSPOOL_DAEMON_MEMORY_H
#define FEEDSPOOL_DAEMON_MEMORY_H

#include <event2/event.h>

/* Fixed thresholds instead of glibc's moving ones (large buffers are mapped, and unmapped when
 * freed), and as many arenas as cores plus one: threads beyond that share them. Call before
 * any thread starts. */
void memory_policy_apply(void);

/* A timer on base that every MEMORY_TRIM_SECONDS hands the heap's free pages back
 * (malloc_trim). Freed with event_free. */
#define MEMORY_TRIM_SECONDS 30
struct event *memory_trimmer_start(struct event_base *base);

#endif
