/* sieve.h: the prefilter's first look at a block's word starts, all of them at once
 * (AVX-512): each word's "quick keys", its first eight bytes and length, and those with the
 * four bytes after the word, looked up in two bit tables built from the rule terms. A
 * start passes when some term could begin there; the rest are dropped before any per-word
 * work. Internal to topics/. */
#ifndef FEEDSPOOL_TOPICS_SIEVE_H
#define FEEDSPOOL_TOPICS_SIEVE_H

#include <stdint.h>

#include "topics/window.h"

#define SIEVE_BITS 18      /* slots of first */
#define SIEVE_HEAD_BITS 19 /* slots of head */
#define SIEVE_HEAD_BYTES 4 /* bytes after a word that its head key takes (a 32-bit lane) */

/* first: two bits a slot of a first word's quick key: bit 0, some term starts with the
 * word; bit 1, a term that is the word alone, or that has fewer than SIEVE_HEAD_BYTES
 * bytes after it, or whose first word is 16 bytes or longer (its head is not keyed).
 * head: one bit a slot of the quick key of a term's first word with the SIEVE_HEAD_BYTES
 * bytes after it (its head). */
struct sieve {
    uint64_t first[(2u << SIEVE_BITS) / 64];
    uint64_t head[(1u << SIEVE_HEAD_BITS) / 64];
};

/* A word's quick key: its first eight bytes with bit 5 set (ASCII letters folded), zero
 * past its end, and its length up to 16, hashed in 32 bits (a SIMD lane): the first four
 * bytes plus the length and the next four, each multiplied; the table slots are its top
 * bits. */
static inline uint32_t sieve_word_key(uint64_t first8, unsigned len)
{
    return ((uint32_t)first8 + len) * 0x9E3779B1u + (uint32_t)(first8 >> 32) * 0x85EBCA77u;
}

/* The same with the word's head: the SIEVE_HEAD_BYTES (folded) bytes after it, the first
 * in the low byte. */
static inline uint32_t sieve_head_key(uint32_t word_key, uint32_t head)
{
    return (word_key ^ head) * 0xC2B2AE3Du;
}

static inline uint32_t sieve_slot(uint32_t key)
{
    return key >> (32 - SIEVE_BITS);
}

static inline uint32_t sieve_head_slot(uint32_t head_key)
{
    return head_key >> (32 - SIEVE_HEAD_BITS);
}

/* Of the word starts `starts` of the block at s (block b; the next block, next, at s + 64;
 * 128 bytes readable), those at which a term may begin: every start whose word's quick key
 * is in first (bit 0) and, unless it is also there with bit 1, whose key with its head is
 * in head, where the head's bytes fold one by one (so it can be read from them) and the
 * word is shorter than 16 bytes. A start the filters of prefilter.c would pass always
 * passes. (Without AVX-512, prefilter.c makes only the first test, word after word.) */
typedef uint64_t word_sieve(const struct sieve *sv, const unsigned char *s, uint64_t starts,
                            const struct block *b, const struct block *next);

#if defined(__x86_64__)
word_sieve topics_sieve_starts_avx512;
#endif

#endif
