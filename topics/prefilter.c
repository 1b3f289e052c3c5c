/* prefilter.c: the tagger's fast path. It walks an article a 64-byte block at a time
 * (window.c classifies the bytes), skips the words with which no rule term can start
 * (with AVX-512, most of them by the start filter or the sieve, sieve.c, before any
 * word-by-word work; with SSE2, by the sieve's first test done word after word),
 * confirms the terms that start with the other words itself where the text is "clean",
 * and hands only the rest to the tagger's exact scan (folding, then the automaton).
 *
 * Why it is exact. Every term starts with a word byte (the filter is off otherwise), so a
 * match starts at a word start of the folded text, and its first word (up to the term's
 * first non-word byte) is that whole word of the text, or that word plus a plural ending.
 * In clean text, made of ASCII and of characters that fold to themselves or to ASCII
 * punctuation (curly quotes, en and em dashes), the folded words are the raw words with
 * ASCII case folded. Two bit tables of keys (sieve.h: a word's first eight bytes and
 * length) decide whether a word could start a term: the first words of all terms, and,
 * for terms with at least HEAD_BYTES (four) bytes after their first word, the first word
 * with those bytes, its head ("noor wal" for "Noor Wali"); the words "t" or "new" then
 * pass only when what follows fits. A word that passes is looked up with the same keys in
 * a table of the terms it may start, and each is compared with the text as folding would
 * give it (clean_text.c), with the tagger's checks: whole word, possessive or plural
 * ending, exact case. Everything folding changes otherwise is "dirty" and left to the exact scan: the lead bytes of the sequences that fold_codepoint()
 * maps or drops (soft hyphens, zero-width and special spaces, other quotes and dashes,
 * Arabic diacritics and forms, fullwidth ASCII, overlong encodings), and a dash before a
 * line break and a lower-case letter (folding joins the hyphenated word). Invalid UTF-8
 * folds to U+FFFD, a word character like the raw bytes, so word bounds do not move; the
 * filter is off for terms that contain U+FFFD, so such a word starts none.
 *
 * The exact scan restarts at a "safe point": a byte after ASCII white space whose run
 * does not follow a joining dash. There the folding state is known (a space was just
 * emitted) and a match can only start at or after it, so the automaton can start from its
 * root. Its matches that start before the words the prefilter has already confirmed
 * (prefilter_scan.handled) are dropped: they are reported once. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/fold.h"
#include "topics/rules_internal.h"
#include "topics/sieve.h"
#include "topics/window.h"

#define HEAD_BYTES SIEVE_HEAD_BYTES /* bytes after the first word that head keys take */

/* The terms a key may start: terms[first, first + count) of the word filter. */
struct candidate_slot {
    uint64_t key;
    uint32_t first, count; /* count 0: an empty slot */
};

/* The filter: the sieve's bit tables (sieve.h), by a word's quick key and by its key with
 * the HEAD_BYTES bytes after it; behind them, the same keys in a hash table of the terms
 * each may start (a word key, or HEAD_KEY | a head key). */
struct word_filter {
    struct sieve sieve;
    struct candidate_slot *slots;
    size_t slot_mask;
    struct term_bytes *terms;
    struct start_filter starts; /* the terms' first bytes, for the AVX-512 classifier */
    bool has_start_filter;
    block_classifier *classify;
    word_sieve *sift; /* the sieve, AVX-512 or scalar (SSE2); NULL with the start filter */
    unsigned first_word_lengths; /* bit n: some term's first word has n bytes (16: or more) */
    bool term_starts_high, term_starts_digit; /* some term starts with non-ASCII, a digit */
    /* The first words of terms with a head, by a key of their own (sieve_head_key() with
     * HEADED): a second look at a word whose head cannot be read. */
    uint64_t headed_words[(1u << SIEVE_BITS) / 64];
};

#if defined(__SSE2__)
static word_sieve sieve_starts_scalar;
#endif

#define HEAD_KEY ((uint64_t)1 << 32)
#define HEADED 0 /* the "head" of headed_words' keys */

/* The quick key of a word (sieve.h). */
static uint32_t quick_key_of(const unsigned char *word, size_t len)
{
    uint64_t first8 = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        first8 |= (uint64_t)(word[i] | 0x20) << (8 * i);
    return sieve_word_key(first8, len < 16 ? (unsigned)len : 16);
}

static void set_bit(uint64_t *bits, uint32_t slot)
{
    bits[slot >> 6] |= (uint64_t)1 << (slot & 63);
}

static bool bit_is_set(const uint64_t *bits, uint32_t slot)
{
    return bits[slot >> 6] >> (slot & 63) & 1;
}

/* One key of the candidate table under construction: a first word's key, a term it starts. */
struct keyed_pattern {
    uint64_t key;
    uint32_t pattern;
};

struct key_list {
    struct keyed_pattern *items;
    size_t n, cap;
};

static void add_key(struct key_list *keys, uint64_t key, size_t pattern)
{
    if (keys->n == keys->cap) {
        keys->cap = keys->cap ? keys->cap * 2 : 64;
        keys->items = xrealloc(keys->items, keys->cap * sizeof *keys->items);
    }
    keys->items[keys->n++] = (struct keyed_pattern){.key = key, .pattern = (uint32_t)pattern};
}

static void add_whole_word(struct word_filter *f, struct key_list *keys, const unsigned char *word,
                           size_t len, size_t pattern)
{
    uint32_t key = quick_key_of(word, len);
    f->first_word_lengths |= 1u << (len < 16 ? len : 16);
    set_bit(f->sieve.first, 2 * sieve_slot(key));     /* a term starts with the word */
    set_bit(f->sieve.first, 2 * sieve_slot(key) + 1); /* ... and needs no head */
    add_key(keys, key, pattern);
}

static int compare_keyed(const void *a, const void *b)
{
    const struct keyed_pattern *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

static size_t slot_index(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15u) >> 32) & mask;
}

/* The candidate table: each distinct key once, with its terms (a key listed twice for one
 * term, as a plural might be, gives the term once). */
static void build_candidates(struct word_filter *f, struct key_list *keys,
                             const struct pattern *patterns)
{
    qsort(keys->items, keys->n, sizeof *keys->items, compare_keyed);
    size_t n_slots = 16;
    while (n_slots < 2 * keys->n)
        n_slots *= 2;
    f->slots = xcalloc(n_slots, sizeof *f->slots);
    f->slot_mask = n_slots - 1;
    f->terms = xmalloc((keys->n ? keys->n : 1) * sizeof *f->terms);
    size_t n_terms = 0;
    for (size_t i = 0; i < keys->n;) {
        size_t slot = slot_index(keys->items[i].key, f->slot_mask);
        while (f->slots[slot].count)
            slot = (slot + 1) & f->slot_mask;
        struct candidate_slot *c = &f->slots[slot];
        c->key = keys->items[i].key;
        c->first = (uint32_t)n_terms;
        for (size_t group = i; i < keys->n && keys->items[i].key == c->key; i++)
            if (i == group || keys->items[i].pattern != keys->items[i - 1].pattern) {
                size_t pattern = keys->items[i].pattern;
                topics_term_bytes_init(&f->terms[n_terms++], &patterns[pattern], pattern);
            }
        c->count = (uint32_t)(n_terms - c->first);
    }
}

static const struct candidate_slot *candidates_of(const struct word_filter *f, uint64_t key)
{
    for (size_t slot = slot_index(key, f->slot_mask);; slot = (slot + 1) & f->slot_mask) {
        const struct candidate_slot *c = &f->slots[slot];
        if (c->count == 0 || c->key == key)
            return c;
    }
}

void prefilter_build(struct topic_rules *r)
{
    r->word_filter = NULL;
#if defined(__SSE2__)
    for (size_t i = 0; i < r->n_patterns; i++) {
        const struct pattern *p = &r->patterns[i];
        if (p->folded_len == 0 || !fold_is_word_byte((unsigned char)p->folded[0]) ||
            memmem(p->folded, p->folded_len, "\xEF\xBF\xBD", 3))
            return; /* a term the filter cannot speak for: every text is scanned whole */
    }
    struct word_filter *f = xcalloc(1, sizeof *f);
    struct key_list keys = {0};
    for (size_t i = 0; i < r->n_patterns; i++) {
        const struct pattern *p = &r->patterns[i];
        const unsigned char *w = (const unsigned char *)p->folded;
        size_t len = 0;
        while (len < p->folded_len && fold_is_word_byte(w[len]))
            len++;
        f->term_starts_high |= w[0] >= 0x80;
        f->term_starts_digit |= w[0] >= '0' && w[0] <= '9';
        if (len >= 16 || p->folded_len - len < HEAD_BYTES) {
            add_whole_word(f, &keys, w, len, i);
        } else {
            uint32_t head = 0;
            for (int k = 0; k < HEAD_BYTES; k++)
                head |= (uint32_t)w[len + k] << (8 * k);
            uint32_t key = quick_key_of(w, len), with_head = sieve_head_key(key, head);
            f->first_word_lengths |= 1u << len;
            set_bit(f->sieve.first, 2 * sieve_slot(key));
            set_bit(f->sieve.head, sieve_head_slot(with_head));
            set_bit(f->headed_words, sieve_slot(sieve_head_key(key, HEADED)));
            add_key(&keys, HEAD_KEY | with_head, i);
        }
        if (len == p->folded_len && p->plural) { /* a one-word term: its plural forms */
            unsigned char plural[TERM_MAX_BYTES + 2];
            memcpy(plural, w, len);
            memcpy(plural + len, "s", 1);
            add_whole_word(f, &keys, plural, len + 1, i);
            memcpy(plural + len, "es", 2);
            add_whole_word(f, &keys, plural, len + 2, i);
        }
    }
    build_candidates(f, &keys, r->patterns);
    free(keys.items);
    f->classify = topics_avx512_classifier();
    /* Only the AVX-512 classifier applies a start filter, and the sieve where the terms
     * start too many ways for one (where there is one, it passes few words). */
    f->has_start_filter =
        f->classify && topics_start_filter_build(&f->starts, r->patterns, r->n_patterns);
#if defined(__x86_64__)
    f->sift = f->classify && !f->has_start_filter ? topics_sieve_starts_avx512 : NULL;
#endif
    if (!f->classify) {
        f->classify = topics_classify_blocks_sse2;
        f->sift = sieve_starts_scalar;
    }
    r->word_filter = f;
#endif
}

void prefilter_use_sse2(struct topic_rules *r)
{
#if defined(__SSE2__)
    if (r->word_filter) {
        r->word_filter->classify = topics_classify_blocks_sse2;
        r->word_filter->sift = sieve_starts_scalar;
    }
#else
    (void)r; /* without SSE2 no filter is built */
#endif
}

enum prefilter_way prefilter_ways(const struct topic_rules *r)
{
    const struct word_filter *f = r->word_filter;
    if (!f)
        return PREFILTER_OFF;
#if defined(__SSE2__)
    if (f->classify == topics_classify_blocks_sse2)
        return PREFILTER_SSE2;
#endif
    return f->sift ? PREFILTER_SIEVE : PREFILTER_START_FILTER;
}

void prefilter_free(struct topic_rules *r)
{
    if (r->word_filter) {
        free(r->word_filter->slots);
        free(r->word_filter->terms);
    }
    free(r->word_filter);
    r->word_filter = NULL;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* The head of a word of len bytes (its HEAD_BYTES bytes after it) when its bytes fold one
 * by one, as the sieve reads it: printable ASCII (lower-cased), white space (to ' ') that no
 * more white space follows, '-' that none follows, the last byte not '-'; else 0. */
static inline __attribute__((always_inline)) uint32_t plain_head(const unsigned char *s,
                                                                 unsigned len)
{
    uint32_t head = 0;
    for (int k = 0; k < HEAD_BYTES; k++) {
        unsigned char c = s[len + k];
        bool last = k == HEAD_BYTES - 1, space_next = !last && fold_is_space(s[len + k + 1]);
        if (fold_is_space(c) && !space_next)
            c = ' ';
        else if (c <= ' ' || c >= 0x7F || (c == '-' && (last || space_next)))
            return 0;
        head |= (uint32_t)(c >= 'A' && c <= 'Z' ? c + 32 : c) << (8 * k);
    }
    return head;
}

/* The HEAD_BYTES bytes folding gives after text[k] (zero past the end), or -1 when they are
 * not clean text. */
static int64_t read_head(const unsigned char *text, size_t len, size_t k)
{
    int64_t head = 0;
    unsigned char cased;
    for (int n = 0; n < HEAD_BYTES; n++) {
        int c = topics_fold_clean_at(text, len, k, &cased, &k);
        if (c < 0)
            return -1;
        head |= (int64_t)c << (8 * n);
    }
    return head;
}

/* What the filters say of a word: its key, the key of it with its head, which of them may
 * start a term, and whether the head could not be read (the exact scan takes the word). */
struct word_keys {
    uint64_t whole, head;
    bool whole_hit, head_hit, head_unclean;
};

/* The quick key of the word at s (len word bytes, up to 16; 8 bytes readable), as the
 * sieve computes it. */
static inline __attribute__((always_inline)) uint32_t word_key_at(const unsigned char *s,
                                                                  unsigned len)
{
    static const uint64_t low_bytes[9] = {
        0,           0xFF,         0xFFFF,         0xFFFFFF,
        0xFFFFFFFF,  0xFFFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF,
        ~(uint64_t)0};
    uint64_t first8;
    memcpy(&first8, s, 8);
    first8 = (first8 | 0x2020202020202020u) & low_bytes[len < 8 ? len : 8];
    return sieve_word_key(first8, len);
}

/* Bits 0 and 1 of the word's slot in the sieve's first table. */
static inline uint64_t first_bits(const struct sieve *sv, uint32_t key)
{
    uint32_t slot = sieve_slot(key);
    return sv->first[slot >> 5] >> (2 * (slot & 31)) & 3;
}

/* Could the word at s = text + start (len word bytes; 16 bytes and its head readable)
 * start a term? */
static inline __attribute__((always_inline)) bool
filter_word(const struct word_filter *f, const unsigned char *s, unsigned len,
            const unsigned char *text, size_t text_len, size_t start, struct word_keys *k)
{
    uint32_t key = word_key_at(s, len);
    uint64_t first = first_bits(&f->sieve, key);
    if (!(first & 1))
        return false;
    k->whole = key;
    k->whole_hit = first >> 1 & 1;
    k->head = 0;
    k->head_hit = k->head_unclean = false;
    if (len >= 16)
        return k->whole_hit; /* terms with a head have a first word shorter than 16 bytes */
    int64_t head = plain_head(s, len);
    if (!head)
        head = read_head(text, text_len, start + len);
    if (head < 0) {
        /* Not when no term with a head starts with the word (a second look, as the
         * first table passes a word in 60 by chance): else the exact scan decides. */
        k->head_unclean =
            k->whole_hit || bit_is_set(f->headed_words, sieve_slot(sieve_head_key(key, HEADED)));
        return k->head_unclean;
    }
    k->head = HEAD_KEY | sieve_head_key(key, (uint32_t)head);
    k->head_hit = bit_is_set(f->sieve.head, sieve_head_slot((uint32_t)k->head));
    return k->whole_hit || k->head_hit;
}

#define MAX_FOUND 32 /* matches one word may start, at most, before the exact scan takes it */

/* The terms that may start with the word at s[start] in clean text, by the keys the
 * filters passed: each confirmed and reported through ps->found, or ruled out. False,
 * reporting nothing, when one of them cannot be decided here: the exact scan takes the
 * word. */
static bool verify_word(const struct topic_rules *r, const unsigned char *s, size_t len,
                        size_t start, const struct word_keys *keys, struct prefilter_scan *ps)
{
    const struct word_filter *f = r->word_filter;
    if (keys->head_unclean)
        return false;
    const struct candidate_slot *lists[2] = {keys->whole_hit ? candidates_of(f, keys->whole) : NULL,
                                             keys->head_hit ? candidates_of(f, keys->head) : NULL};
    const struct term_bytes *found[MAX_FOUND];
    size_t found_end[MAX_FOUND], n_found = 0;
    for (int l = 0; l < 2; l++)
        for (uint32_t i = 0; lists[l] && i < lists[l]->count; i++) {
            const struct term_bytes *t = &f->terms[lists[l]->first + i];
            size_t end;
            enum clean_verdict v = topics_match_term_bytes(t, s, len, start, &end);
            if (v == CLEAN_UNSURE)
                v = topics_match_clean_text(&r->patterns[t->pattern], s, len, start, &end);
            if (v == CLEAN_UNSURE || (v == CLEAN_MATCH && n_found == MAX_FOUND))
                return false;
            if (v == CLEAN_MATCH) {
                found[n_found] = t;
                found_end[n_found++] = end;
            }
        }
    for (size_t i = 0; i < n_found; i++)
        ps->found(ps->ud, found[i], start, found_end[i]);
    return true;
}

/* Of the dashes before white space (bits from text[pos] on), those where folding may
 * join words across a line break (fold.h: with or without the hyphen). */
static uint64_t joining_dashes(const unsigned char *text, size_t len, size_t pos, uint64_t dashes)
{
    if (!dashes) /* most steps: no call when inlined */
        return 0;
    for (uint64_t left = dashes; left; left &= left - 1) {
        unsigned bit = (unsigned)__builtin_ctzll(left);
        size_t resume;
        if (!fold_line_break_hyphen(text, len, pos + bit, &resume))
            dashes &= ~((uint64_t)1 << bit);
    }
    return dashes;
}

#define STEP 64                                 /* bytes a step: a block */
#define READ_AHEAD (2 * STEP + START_BYTES - 1) /* from a step's start: two blocks and more */
#define BATCH 8                                 /* blocks classified at a time */
#define AHEAD_BITS 0x1FFFF /* of the next block, what a step's words may reach: 16 bytes, 1 more */

/* 64 bits of the pair of blocks (lo, hi) from bit `at` of lo on. */
static uint64_t bits_from(uint64_t lo, uint64_t hi, unsigned at)
{
    return at ? lo >> at | hi << (64 - at) : lo;
}

/* The length of the word that starts at bit `at` of block b (next: the block after it),
 * up to 16. */
static unsigned word_length(const struct block *b, const struct block *next, unsigned at)
{
    uint64_t word = bits_from(b->word, next->word, at);
    return ~word & 0xFFFF ? (unsigned)__builtin_ctzll(~word) : 16;
}

/* Of the word starts, those of words one to three bytes long where no term's first word is
 * as long (most texts' words of one or two letters, with rules whose terms begin with
 * longer words). */
static uint64_t starts_too_short(uint64_t starts, const struct block *b, const struct block *next,
                                 unsigned first_word_lengths)
{
    uint64_t drop = 0, longer = starts;
    for (unsigned n = 1; n <= 3; n++) {
        uint64_t word_on = bits_from(b->word, next->word, n); /* a word byte n bytes on */
        if (!(first_word_lengths >> n & 1))
            drop |= longer & ~word_on;
        longer &= word_on;
    }
    return drop;
}

/* The sieve's first test (sieve.h) without AVX-512: of the starts, those whose word's quick
 * key is in the first table, looked up one after another without a branch on what each
 * finds, so that the loads overlap (the word loop then tests the rest fully). */
static uint64_t sieve_starts_scalar(const struct sieve *sv, const unsigned char *s, uint64_t starts,
                                    const struct block *b, const struct block *next)
{
    uint64_t pass = 0;
    for (; starts; starts &= starts - 1) {
        unsigned at = (unsigned)__builtin_ctzll(starts);
        unsigned len = word_length(b, next, at);
        pass |= (first_bits(sv, word_key_at(s + at, len)) & 1) << at;
    }
    return pass;
}

/* The bytes within 16 bytes after a word start (as far as a word's key and its check for
 * dirt reach). */
static uint64_t within_reach(uint64_t starts)
{
    uint64_t reach = starts;
    for (unsigned n = 1; n < 16; n *= 2)
        reach |= reach << n;
    return reach | starts << 16;
}

/* What a step takes from its block b at text[pos] (s there; next: the block after it;
 * prev_word: the byte before b is a word byte): the block's word starts, the dirt in what
 * its words may reach of the next block, and the starts to look at one by one. */
struct step_words {
    uint64_t starts, ahead, todo;
};

static inline __attribute__((always_inline)) struct step_words
step_words(const struct word_filter *filter, const unsigned char *text, size_t len, size_t pos,
           const unsigned char *s, const struct block *b, const struct block *next,
           unsigned prev_word)
{
    struct step_words w;
    w.starts = b->word & ~(b->word << 1 | prev_word);
    w.ahead = (next->special | joining_dashes(text, len, pos + STEP,
                                              next->hyphen & next->space >> 1 & AHEAD_BITS)) &
              AHEAD_BITS;
    /* With dirt here or ahead, every word is looked at; else those that begin as terms do
     * (a clean word's first byte is its folded one), that are as long as a term's first
     * word and that the start filter and the sieve pass. */
    w.todo = w.starts;
    if (!(b->special | w.ahead)) {
        w.todo &= b->may_start & ~(filter->term_starts_high ? 0 : b->high) &
                  ~(filter->term_starts_digit ? 0 : b->digit);
        if ((filter->first_word_lengths & 0xE) != 0xE)
            w.todo &= ~starts_too_short(w.todo, b, next, filter->first_word_lengths);
        if (filter->sift && w.todo)
            w.todo = filter->sift(&filter->sieve, s, w.todo, b, next);
    }
    return w;
}

/* Scans the steps that start before `end`. s holds the text from position `origin` on,
 * with READ_AHEAD bytes readable from every step's start; text[0, len) is all of it. */
static size_t skip_steps(const struct topic_rules *r, const unsigned char *text, size_t len,
                         const unsigned char *s, size_t origin, size_t end,
                         struct prefilter_scan *ps)
{
    const struct word_filter *filter = r->word_filter;
    const struct start_filter *start_filter = filter->has_start_filter ? &filter->starts : NULL;
    size_t pos = ps->pos;
    struct block blocks[BATCH + 1]; /* [0]: the step's block; each step looks into the next */
    unsigned carry = ps->carry;     /* into the next block to classify */
    filter->classify(start_filter, s + (pos - origin), 1, blocks, &carry);
    while (pos < end) {
        size_t n_steps = (end - pos + STEP - 1) / STEP;
        if (n_steps > BATCH)
            n_steps = BATCH;
        const unsigned char *from = s + (pos - origin) + STEP;
        filter->classify(start_filter, from, n_steps - 1, blocks + 1, &carry);
        ps->carry = carry; /* into the block where the steps after this batch start */
        filter->classify(start_filter, from + STEP * (n_steps - 1), 1, blocks + n_steps, &carry);
        struct step_words next_words = step_words(filter, text, len, pos, s + (pos - origin),
                                                  &blocks[0], &blocks[1], ps->prev_word);
        for (size_t i = 0; i < n_steps; i++, pos += STEP) {
            const unsigned char *at_pos = s + (pos - origin);
            const struct block *b = &blocks[i], *next = &blocks[i + 1];
            struct step_words w = next_words;
            /* The next step's words now: its sieve's table loads go on while this step's
             * words are looked at. */
            if (i + 1 < n_steps)
                next_words = step_words(filter, text, len, pos + STEP, at_pos + STEP, next,
                                        &blocks[i + 2], (unsigned)(b->word >> 63));
            uint64_t dashes_before_space = b->hyphen & (b->space >> 1 | next->space << 63);
            /* Bytes folding changes ("dirt") are word bytes: a word with dirt in reach goes to
             * the exact scan. Dirt further into a long word, or a dash that joins words,
             * and the whole step does. */
            if ((b->special && (b->special & ~within_reach(w.starts))) ||
                joining_dashes(text, len, pos, dashes_before_space)) {
                ps->pos = ps->handled = pos;
                return pos + STEP - 1; /* from the last safe point before this step, past it all */
            }
            uint64_t safe = w.starts & (b->space << 1 | ps->prev_space);
            for (uint64_t todo = w.todo; todo;) {
                struct word_keys keys;
                unsigned at = (unsigned)__builtin_ctzll(todo);
                todo &= todo - 1;
                unsigned word_len = word_length(b, next, at);
                /* Dirt just after the word, or a possible term that cannot be decided in
                 * clean text: the exact scan decides. */
                uint64_t dirt = bits_from(b->special, w.ahead, at);
                if ((dirt & (((uint64_t)2 << word_len) - 1)) ||
                    (filter_word(filter, at_pos + at, word_len, text, len, pos + at, &keys) &&
                     !verify_word(r, text, len, pos + at, &keys, ps))) {
                    uint64_t safe_before = safe & (((uint64_t)2 << at) - 1);
                    if (safe_before)
                        ps->last_safe = pos + 63 - (unsigned)__builtin_clzll(safe_before);
                    ps->pos = pos;
                    ps->handled = pos + at;
                    return pos + at;
                }
            }
            if (safe)
                ps->last_safe = pos + 63 - (unsigned)__builtin_clzll(safe);
            ps->prev_word = (unsigned)(b->word >> 63);
            ps->prev_space = (unsigned)(b->space >> 63);
        }
        blocks[0] = blocks[n_steps];
    }
    ps->pos = pos;
    return SIZE_MAX;
}

size_t prefilter_skip(const struct topic_rules *r, const char *text, size_t len,
                      struct prefilter_scan *ps)
{
    const unsigned char *s = (const unsigned char *)text;
    if (len >= READ_AHEAD && ps->pos < len - READ_AHEAD + 1) {
        size_t hot = skip_steps(r, s, len, s, 0, len - READ_AHEAD + 1, ps);
        if (hot != SIZE_MAX)
            return hot;
    }
    /* The last steps read a copy padded with NULs: the end of the text is a word end. */
    unsigned char tail[2 * STEP + READ_AHEAD] = {0};
    memcpy(tail, s + ps->pos, len - ps->pos);
    return skip_steps(r, s, len, tail, ps->pos, len, ps);
}
#else
size_t prefilter_skip(const struct topic_rules *r, const char *text, size_t len,
                      struct prefilter_scan *ps)
{
    (void)r, (void)text, (void)len, (void)ps;
    abort(); /* without SSE2 no filter is built, and texts are scanned whole */
}
#endif
