/* shard.h: splitting one feed list across N daemons with no coordinator.
 *
 * Daemon I of N (1 <= I <= N) polls the feeds whose host ranks highest for I by rendezvous
 * (highest random weight) hashing: every daemon computes the same answer from the host
 * name alone, all feeds of one host land on one daemon (so per-host politeness holds
 * across the fleet), and going from N to N+1 daemons moves only the hosts that the new
 * daemon wins, about 1/(N+1) of them. */
#ifndef FEEDSPOOL_FEEDS_SHARD_H
#define FEEDSPOOL_FEEDS_SHARD_H

#include <stddef.h>

#include "feeds/feedlist.h"

struct shard {
    unsigned index, count; /* daemon index of count; count 0: no sharding, every feed */
};

/* "" (every feed) or "I/N". Returns 0, or -1 with a message in err. */
int shard_parse(const char *text, struct shard *out, char *err, size_t errlen);

/* Which of count daemons (1..count) polls feeds of this host. */
unsigned shard_owner(const char *host, unsigned count);

/* Drops the feeds that another daemon of the shard polls; returns how many stay. */
size_t shard_filter(struct feed_list *list, const struct shard *s);

#endif
