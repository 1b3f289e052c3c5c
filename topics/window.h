/* window.h: how the prefilter (prefilter.c) sees text: 32 bytes a step, and for each
 * step one bit a byte for the 64 bytes from its start (the step and what its words may
 * reach into). Two classifiers compute the same windows: SSE2, which every x86-64 has,
 * and AVX-512 (BW and VBMI), chosen at run time when the CPU has it. The AVX-512 one
 * also looks at the first three bytes of each word start of the step, in eight sets of
 * the terms' first three bytes (the start filter, a "Teddy" filter), so the prefilter
 * can pass over most words without looking at them one by one. Internal to topics/. */
#ifndef FEEDSPOOL_TOPICS_WINDOW_H
#define FEEDSPOOL_TOPICS_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bit k is about byte k from a step's start. special: the lead bytes of the sequences
 * folding changes (other than the curly quotes and the en and em dashes, which are not
 * word bytes, the dashes counting as '-'). may_start: the word starts whose first three
 * bytes the start filter lets pass (all bits set without it; only the step's 32 bits are
 * meaningful). */
struct window {
    uint64_t word, space, hyphen, special, high;
    uint32_t may_start;
};

/* The terms' first three folded bytes in eight buckets: bit b of table[k][c & 0x7F] is set
 * when a term of bucket b may have a byte c at place k (bytes taken with bit 5 set, so
 * ASCII letters of either case are one). */
struct start_filter {
    unsigned char table[3][128];
};

/* Builds the start filter from the terms' folded forms; false when they start too many
 * different ways for eight buckets to be worth it (then no start filter is used). */
bool start_filter_build(struct start_filter *sf, const char *const *terms, const size_t *lens,
                        size_t n);

/* Computes the windows of n_steps steps, the first at s (64 + 2 bytes readable from each
 * step's start). *carry passes on a quote or dash that reaches from one step into the next
 * (0 at a text's start or a safe point). sf: the start filter, or NULL. */
typedef void window_classifier(const struct start_filter *sf, const unsigned char *s,
                               size_t n_steps, struct window *out, unsigned *carry);

window_classifier classify_windows_sse2;
#if defined(__x86_64__)
window_classifier classify_windows_avx512;
#endif
/* The AVX-512 classifier when this CPU runs it, else NULL. */
window_classifier *avx512_classifier(void);

#endif
