/* sieve.c: the word sieve (sieve.h) with AVX-512: eight word starts a step, each in a
 * 64-bit lane. A lane's bits of the block's masks from its start on give the word's length
 * and whether its head is plain; its bytes are picked out of the two blocks with one
 * permute; its keys are two multiplications; the table words are gathered. */
#include <string.h>

#include "topics/sieve.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SIEVE_TARGET \
    __attribute__((target("avx512f,avx512bw,avx512dq,avx512cd,avx512vbmi,avx512vbmi2")))

/* Per lane, the 64 bits of the pair of masks (lo, hi) from bit `at` on. */
SIEVE_TARGET static inline __m512i bits_from_lanes(__m512i lo, __m512i hi, __m512i at)
{
    /* A shift by 64 or more gives 0: at = 0 takes lo alone. */
    return _mm512_or_si512(_mm512_srlv_epi64(lo, at),
                           _mm512_sllv_epi64(hi, _mm512_sub_epi64(_mm512_set1_epi64(64), at)));
}

/* Per lane, the eight bytes of the blocks (lo, hi) from byte `at` (< 121) on. */
SIEVE_TARGET static inline __m512i bytes_from_lanes(__m512i lo, __m512i hi, __m512i at)
{
    const __m512i low_byte_of_each_lane = _mm512_set4_epi32(0x08080808, 0x08080808, 0, 0);
    const __m512i place = _mm512_set1_epi64(0x0706050403020100);
    __m512i index = _mm512_add_epi8(_mm512_shuffle_epi8(at, low_byte_of_each_lane), place);
    return _mm512_permutex2var_epi8(lo, index, hi);
}

SIEVE_TARGET uint64_t sieve_starts_avx512(const struct sieve *sv, const unsigned char *s,
                                          uint64_t starts, const struct block *b,
                                          const struct block *next)
{
    const __m512i lanes_of_bytes = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
        41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    unsigned char at[64]; /* the starts' places, in order */
    _mm512_storeu_si512(at, _mm512_maskz_compress_epi8(starts, lanes_of_bytes));
    unsigned n = (unsigned)__builtin_popcountll(starts);

    __m512i lo = _mm512_loadu_si512(s), hi = _mm512_loadu_si512(s + 64);
    __m512i word_lo = _mm512_set1_epi64((long long)b->word),
            word_hi = _mm512_set1_epi64((long long)next->word);
    const __m512i one = _mm512_set1_epi64(1), sixteen = _mm512_set1_epi64(16);
    const __m512i place = _mm512_set1_epi64(0x0706050403020100);
    const __m512i low_byte_of_each_lane = _mm512_set4_epi32(0x08080808, 0x08080808, 0, 0);
    uint64_t pass = 0;
    for (unsigned i = 0; i < n; i += 8) {
        __m512i pos = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(at + i)));

        /* The word's length, up to 16: the first byte from pos on that is not a word byte. */
        __m512i not_word = _mm512_or_si512(
            _mm512_andnot_si512(bits_from_lanes(word_lo, word_hi, pos), _mm512_set1_epi64(-1)),
            _mm512_slli_epi64(one, 16));
        __m512i lowest = _mm512_and_si512(not_word, _mm512_sub_epi64(_mm512_setzero_si512(),
                                                                     not_word));
        __m512i len = _mm512_sub_epi64(_mm512_set1_epi64(63), _mm512_lzcnt_epi64(lowest));

        /* The quick key: the first eight bytes, bit 5 set, those past the word zeroed. */
        __m512i len_bytes = _mm512_shuffle_epi8(len, low_byte_of_each_lane);
        __mmask64 in_word = _mm512_cmplt_epu8_mask(place, len_bytes);
        __m512i first8 = _mm512_maskz_mov_epi8(
            in_word, _mm512_or_si512(bytes_from_lanes(lo, hi, pos), _mm512_set1_epi8(0x20)));
        __m512i x = _mm512_add_epi64(first8, len);
        __m512i key =
            _mm512_add_epi64(_mm512_mul_epu32(x, _mm512_set1_epi64(0x9E3779B1u)),
                             _mm512_mul_epu32(_mm512_srli_epi64(x, 32),
                                              _mm512_set1_epi64(0x85EBCA77u)));
        /* (the key is the low half of each lane; the high half is left over) */
        __m512i slot = _mm512_and_si512(_mm512_srli_epi64(key, 32 - SIEVE_BITS),
                                        _mm512_set1_epi64((1 << SIEVE_BITS) - 1));
        /* The head, where its bytes fold one by one: printable ASCII (lower-cased), and
         * white space (to ' ') that no more white space follows, and '-' that none follows
         * (a line break after it could join the next word on); the last byte anything
         * but '-'. Else, the head is unreadable here. */
        __m512i after = bytes_from_lanes(lo, hi, _mm512_add_epi64(pos, len));
        uint64_t space = _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8(' ')) |
                         _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('\t')),
                                                _mm512_set1_epi8(5));
        uint64_t dash = _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8('-'));
        uint64_t printable =
            _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('!')),
                                   _mm512_set1_epi8(0x7F - '!')) & ~dash;
        __mmask64 upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('A')),
                                                 _mm512_set1_epi8(26));
        /* the head's bytes in each lane but the last: alone; the last: not '-' */
        const uint64_t each_lane = 0x0101010101010101u;
        uint64_t alone = (printable | space | dash) & ~((space | dash) & space >> 1);
        uint64_t fold = (alone & each_lane * ((1u << (SIEVE_HEAD_BYTES - 1)) - 1)) |
                        ((printable | space) & each_lane << (SIEVE_HEAD_BYTES - 1));
        uint64_t lanes_folding = each_lane;
        for (int k = 0; k < SIEVE_HEAD_BYTES; k++)
            lanes_folding &= fold >> k;
        __mmask8 shorter = _mm512_cmplt_epu64_mask(len, sixteen);
        __mmask8 plain = shorter & (__mmask8)((lanes_folding * 0x0102040810204080u) >> 56);
        __m512i head = _mm512_mask_mov_epi8(after, upper,
                                            _mm512_or_si512(after, _mm512_set1_epi8(0x20)));
        head = _mm512_mask_mov_epi8(head, space, _mm512_set1_epi8(' '));
        head = _mm512_and_si512(head,
                                _mm512_set1_epi64((long long)((1ull << (8 * SIEVE_HEAD_BYTES)) - 1)));
        __m512i head_key =
            _mm512_add_epi64(_mm512_mul_epu32(_mm512_xor_si512(key, head),
                                              _mm512_set1_epi64(0xC2B2AE3Du)),
                             _mm512_mul_epu32(_mm512_srli_epi64(head, 32),
                                              _mm512_set1_epi64(0x27D4EB2Fu)));
        __m512i head_slot = _mm512_and_si512(_mm512_srli_epi64(head_key, 32 - SIEVE_BITS),
                                             _mm512_set1_epi64((1 << SIEVE_BITS) - 1));
        __mmask8 live = n - i >= 8 ? 0xFF : (__mmask8)((1u << (n - i)) - 1);
        __m512i first_bits = _mm512_srlv_epi64(
            _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), live,
                                        _mm512_srli_epi64(slot, 5), sv->first, 8),
            _mm512_slli_epi64(_mm512_and_si512(slot, _mm512_set1_epi64(31)), 1));
        __mmask8 any = _mm512_mask_test_epi64_mask(live, first_bits, one);
        __mmask8 whole = _mm512_mask_test_epi64_mask(any, first_bits, _mm512_set1_epi64(2));
        __mmask8 ask_head = any & ~whole & plain;
        __m512i head_bits = _mm512_srlv_epi64(
            _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), live,
                                        _mm512_srli_epi64(head_slot, 6), sv->head, 8),
            _mm512_and_si512(head_slot, _mm512_set1_epi64(63)));
        __mmask8 head_hit = _mm512_mask_test_epi64_mask(ask_head, head_bits, one);
        __mmask8 lanes = whole | (any & shorter & ~plain) | head_hit;
        for (unsigned m = lanes; m; m &= m - 1)
            pass |= (uint64_t)1 << at[i + (unsigned)__builtin_ctz(m)];
    }
    return pass;
}
#endif

