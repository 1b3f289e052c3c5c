/* postings.h: an in-memory multimap from 32-bit values (anchors, hashes of exact keys) to the
 * ids of the indexed articles that have them, which makes a story lookup a few memory probes.
 *
 * The value's top bucket_bits bits choose a bucket; a bucket holds its article ids in the
 * order added (ascending) with the value's next 8 bits beside each (5 bytes a posting), so a
 * lookup compares the 8 bits and takes values that agree on bucket_bits + 8 bits as equal.
 * The story index rebuilds it from its SQLite table at start and checks every article it
 * gives against that table: a posting may be for another value with the same leading bits,
 * or for an article whose insert was rolled back. Buckets are allocated when first used. */
#ifndef FEEDSPOOL_STORIES_POSTINGS_H
#define FEEDSPOOL_STORIES_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

struct postings;

/* bucket_bits: 1 to 24. */
struct postings *postings_new(unsigned bucket_bits);
void postings_free(struct postings *p);
/* Announces a posting under value to come, before any is added to its bucket: a bucket told
 * of all its postings is allocated once, to size (as when the index is loaded). */
void postings_expect(struct postings *p, uint32_t value);
/* Lists doc under value; docs are added in ascending order. */
void postings_add(struct postings *p, uint32_t value, uint32_t doc);
/* Starts loading the buckets of n values into the cache at once, for postings_find() on each
 * of them to follow (a lookup's cost is mostly waiting for memory, one bucket at a time). */
void postings_prefetch(const struct postings *p, const uint32_t *values, size_t n);
/* Writes up to max docs listed under value into docs, the largest (newest) first; returns how
 * many. */
size_t postings_find(const struct postings *p, uint32_t value, uint32_t *docs, size_t max);
/* Forgets every doc below first_kept. */
void postings_drop_below(struct postings *p, uint32_t first_kept);
/* Bytes of memory held. */
size_t postings_memory(const struct postings *p);

#endif
