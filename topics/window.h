/* window.h: how the prefilter (prefilter.c) sees text: in blocks of 64 bytes, one bit a
 * byte for each class of bytes it cares about. Two classifiers compute the same blocks:
 * SSE2, which every x86-64 has, and AVX-512 (BW and VBMI), chosen at run time when the
 * CPU has it. The AVX-512 one also looks at the first four bytes of each word start of
 * the block, in sixteen sets of the terms' first four bytes (the start filter, a "Teddy"
 * filter), so the prefilter can pass over most words without looking at them one by one.
 * Internal to topics/. */
#ifndef FEEDSPOOL_TOPICS_WINDOW_H
#define FEEDSPOOL_TOPICS_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A block of 64 bytes, one bit a byte. special: the lead bytes of the sequences folding
 * changes (other than the curly quotes and the en and em dashes, which are not word bytes,
 * the dashes counting as '-'). high: non-ASCII bytes; digit: ASCII digits. may_start: the
 * word starts whose first four bytes the start filter lets pass (every bit set without
 * it). */
struct block {
    uint64_t word, space, hyphen, special, high, digit, may_start;
};

/* The terms' first four folded bytes in sixteen buckets: bit b % 8 of table[b / 8][k][c &
 * 0x7F] is set when a term of bucket b may have a byte c at place k (bytes taken with bit
 * 5 set, so ASCII letters of either case are one). */
#define START_BYTES 4
struct start_filter {
    unsigned char table[2][START_BYTES][128];
};

struct pattern;

/* Builds the start filter from the patterns' folded forms; false when they start too many
 * different ways for sixteen buckets to be worth it (then no start filter is used). */
bool topics_start_filter_build(struct start_filter *sf, const struct pattern *patterns, size_t n);

/* Classifies n_blocks blocks, the first at s (64 + START_BYTES - 1 bytes readable from
 * each block's start: a sequence or a word start at its end is read whole). *carry passes
 * on a quote or dash that reaches from one block into the next (0 at a text's start or a
 * safe point). sf: the start filter, or NULL. */
typedef void block_classifier(const struct start_filter *sf, const unsigned char *s,
                              size_t n_blocks, struct block *out, unsigned *carry);

block_classifier topics_classify_blocks_sse2;
#if defined(__x86_64__)
block_classifier topics_classify_blocks_avx512;
#endif
/* The AVX-512 classifier when this CPU runs it and the sieve that goes with it, else NULL. */
block_classifier *topics_avx512_classifier(void);

#endif
