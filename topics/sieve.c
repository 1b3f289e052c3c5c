/* sieve.c: the word sieve (sieve.h) with AVX-512: sixteen word starts a step, each in a
 * 32-bit lane, so that one step takes a block's starts (eight or so) and the step count is
 * all but always one (a count of one or two by the block would be a branch mispredicted
 * half the time). A lane's bits of the block's word mask from its start on give the word's
 * length; its bytes are picked out of the two blocks with permutes; its keys are
 * multiplications; the table words are gathered; the passing lanes go back to their
 * places with a bit deposit (pdep). */
#include "topics/sieve.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SIEVE_TARGET                                                                               \
    __attribute__((target("avx512f,avx512bw,avx512cd,avx512vbmi,avx512vbmi2,bmi2")))

/* Per lane, its low byte in all four bytes. */
SIEVE_TARGET static inline __m512i low_byte_in_each(__m512i v)
{
    return _mm512_shuffle_epi8(v, _mm512_set4_epi32(0x0C0C0C0C, 0x08080808, 0x04040404, 0));
}

/* Each lane's byte places: 0, 1, 2, 3. */
#define BYTE_PLACES _mm512_set1_epi32(0x03020100)

/* Per lane, the four bytes of the blocks (lo, hi) at `at` (each below 128). */
SIEVE_TARGET static inline __m512i bytes_at(__m512i lo, __m512i hi, __m512i at)
{
    return _mm512_permutex2var_epi8(lo, at, hi);
}

/* Per lane, the bytes of v whose places (0-3, or 4-7) are below the word's length (in
 * each byte: len_bytes) with bit 5 set, the rest zero. */
SIEVE_TARGET static inline __m512i word_bytes(__m512i v, __m512i places, __m512i len_bytes)
{
    __mmask64 in_word = _mm512_cmplt_epi8_mask(places, len_bytes);
    return _mm512_maskz_mov_epi8(in_word, _mm512_or_si512(v, _mm512_set1_epi8(0x20)));
}

SIEVE_TARGET uint64_t topics_sieve_starts_avx512(const struct sieve *sv, const unsigned char *s,
                                                 uint64_t starts, const struct block *b,
                                                 const struct block *next)
{
    const __m512i lanes_of_bytes = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
        40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
        17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    /* the starts' places, in order, sixteen by sixteen from the low bytes on */
    __m512i places = _mm512_maskz_compress_epi8(starts, lanes_of_bytes);
    unsigned n = (unsigned)__builtin_popcountll(starts);

    __m512i lo = _mm512_loadu_si512(s), hi = _mm512_loadu_si512(s + 64);
    /* the word masks of the two blocks as 32-bit parts, for per-lane picking */
    __m512i words = _mm512_setr_epi32((int)b->word, (int)(b->word >> 32), (int)next->word,
                                      (int)(next->word >> 32), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i one = _mm512_set1_epi32(1);
    uint64_t pass = 0;
    for (unsigned i = 0; i < n; i += 16) {
        __mmask16 live = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512i pos = _mm512_cvtepu8_epi32(_mm512_castsi512_si128(places));
        places = _mm512_alignr_epi32(_mm512_setzero_si512(), places, 4);

        /* The word's length, up to 16: the first byte from pos on that is not a word byte,
         * from the 32 bits of the word masks there. */
        __m512i part = _mm512_srli_epi32(pos, 5);
        __m512i shift = _mm512_and_si512(pos, _mm512_set1_epi32(31));
        __m512i word = _mm512_or_si512(
            _mm512_srlv_epi32(_mm512_permutexvar_epi32(part, words), shift),
            _mm512_sllv_epi32(_mm512_permutexvar_epi32(_mm512_add_epi32(part, one), words),
                              _mm512_sub_epi32(_mm512_set1_epi32(32), shift)));
        __m512i not_word = _mm512_or_si512(_mm512_andnot_si512(word, _mm512_set1_epi32(-1)),
                                           _mm512_set1_epi32(1 << 16));
        __m512i lowest =
            _mm512_and_si512(not_word, _mm512_sub_epi32(_mm512_setzero_si512(), not_word));
        __m512i len = _mm512_sub_epi32(_mm512_set1_epi32(31), _mm512_lzcnt_epi32(lowest));

        /* The quick key from the first eight bytes, four and four, past the word zeroed. */
        __m512i word_at = _mm512_add_epi8(low_byte_in_each(pos), BYTE_PLACES);
        __m512i len_bytes = low_byte_in_each(len);
        const __m512i four = _mm512_set1_epi8(4);
        __m512i first4 = word_bytes(bytes_at(lo, hi, word_at), BYTE_PLACES, len_bytes);
        __m512i next4 = word_bytes(bytes_at(lo, hi, _mm512_add_epi8(word_at, four)),
                                   _mm512_add_epi8(BYTE_PLACES, four), len_bytes);
        __m512i key = _mm512_add_epi32(
            _mm512_mullo_epi32(_mm512_add_epi32(first4, len), _mm512_set1_epi32((int)0x9E3779B1u)),
            _mm512_mullo_epi32(next4, _mm512_set1_epi32((int)0x85EBCA77u)));
        __m512i slot = _mm512_srli_epi32(key, 32 - SIEVE_BITS);

        /* The head, where its bytes fold one by one: printable ASCII (lower-cased), and
         * white space (to ' ') that no more white space follows, and '-' that none follows
         * (a line break after it could join the next word on); the last byte anything
         * but '-'. Else, the head is unreadable here. */
        __m512i after = bytes_at(lo, hi, _mm512_add_epi8(word_at, len_bytes));
        uint64_t space = _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8(' ')) |
                         _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('\t')),
                                                _mm512_set1_epi8(5));
        uint64_t dash = _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8('-'));
        uint64_t printable = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('!')),
                                                    _mm512_set1_epi8(0x7F - '!')) &
                             ~dash;
        __mmask64 upper = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(after, _mm512_set1_epi8('A')),
                                                 _mm512_set1_epi8(26));
        /* the head's first three bytes in each lane: alone; the last: not '-' */
        uint64_t alone = (printable | space | dash) & ~((space | dash) & space >> 1);
        uint64_t folds =
            (alone & 0x7777777777777777u) | ((printable | space) & 0x8888888888888888u);
        __mmask16 shorter = _mm512_cmplt_epi32_mask(len, _mm512_set1_epi32(16));
        __mmask16 plain =
            shorter & _mm512_cmpeq_epi32_mask(_mm512_maskz_mov_epi8(folds, _mm512_set1_epi8(-1)),
                                              _mm512_set1_epi32(-1));
        __m512i head =
            _mm512_mask_mov_epi8(after, upper, _mm512_or_si512(after, _mm512_set1_epi8(0x20)));
        head = _mm512_mask_mov_epi8(head, space, _mm512_set1_epi8(' '));
        __m512i head_slot = _mm512_srli_epi32(
            _mm512_mullo_epi32(_mm512_xor_si512(key, head), _mm512_set1_epi32((int)0xC2B2AE3Du)),
            32 - SIEVE_HEAD_BITS);

        /* The table bits: two a slot in first, one in head. */
        __m512i first_bits =
            _mm512_srlv_epi32(_mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live,
                                                          _mm512_srli_epi32(slot, 4), sv->first, 4),
                              _mm512_slli_epi32(_mm512_and_si512(slot, _mm512_set1_epi32(15)), 1));
        __mmask16 any = _mm512_mask_test_epi32_mask(live, first_bits, one);
        __mmask16 whole = _mm512_mask_test_epi32_mask(any, first_bits, _mm512_set1_epi32(2));
        __m512i head_bits = _mm512_srlv_epi32(
            _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live,
                                        _mm512_srli_epi32(head_slot, 5), sv->head, 4),
            _mm512_and_si512(head_slot, _mm512_set1_epi32(31)));
        __mmask16 head_hit = _mm512_mask_test_epi32_mask(any & ~whole & plain, head_bits, one);

        /* Passing: a whole-word key, a head the sieve cannot read, or a head key. */
        uint64_t lanes = whole | (any & shorter & ~plain) | head_hit;
        pass |= _pdep_u64(lanes << i, starts); /* lane k: the (i + k)th start */
    }
    return pass;
}
#endif
