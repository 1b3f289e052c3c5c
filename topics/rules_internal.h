/* rules_internal.h: what topics/ shares between its files — the loaded rules, the
 * text normaliser and the automaton. Not for use outside topics/. */
#ifndef FEEDSPOOL_TOPICS_RULES_INTERNAL_H
#define FEEDSPOOL_TOPICS_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topics/fold.h"
#include "topics/topics.h"

/* What a pattern is to its topic (the README's operators): a term or later reference that
 * scores; the two sides of a proximity rule (`near`: a word, `with`: what it must stand
 * near); a veto; a context term; a cue that a term is a title (`titles`) or that a headline
 * mention is negated or hypothetical (`hedges`). */
enum pattern_kind {
    PATTERN_TERM,
    PATTERN_VETO,
    PATTERN_CONTEXT,
    PATTERN_REFERENCE,
    PATTERN_NEAR_WORD,
    PATTERN_NEAR_WITH,
    PATTERN_TITLE_CUE,
    PATTERN_HEDGE_CUE
};

struct pattern {
    int topic; /* index into topic_rules.topics */
    enum pattern_kind kind;
    char *text;   /* this spelling, normalised as written */
    char *name;   /* what evidence calls it: the term or alias as written (its
                             * first spelling where the rules give several) */
    int near;     /* PATTERN_NEAR_*: index into its topic's near rules */
    bool acronym; /* an article that defines it as something else cancels it */
    char *folded; /* normalised and case-folded: what the automaton matches */
    char *cased;  /* normalised, case kept: checked when exact_case */
    size_t folded_len;
    bool exact_case;
    bool plural;     /* also matches with a trailing s / es */
    bool possessive; /* also matches with a trailing 's */
    double weight;
};

/* A proximity rule: one of its words within `within` words of one of its objects. */
struct near_rule {
    char *name; /* evidence: "halt ~ fighting" */
    unsigned within;
    double weight;
};

struct topic_rule {
    char *id;
    double threshold;
    double weight[3];           /* by enum topic_where */
    size_t veto_window;         /* characters around a match in which a veto term cancels it */
    bool needs_context;         /* a context term must occur (near the match: context_window) */
    size_t context_window;      /* characters; 0: anywhere in the article */
    bool *context_topic;        /* [n_topics]: the terms of these topics are context too, or NULL */
    unsigned title_window;      /* words around a quoted or capitalised term for a title cue */
    unsigned hedge_window;      /* words before a headline mention for a hedge cue */
    double paragraph_threshold; /* one paragraph of a text of several scoring this at body
                                 * weights gives the topic; 0: off */
    struct near_rule *near;
    size_t n_near;
};

struct word_filter;

struct topic_rules {
    struct topic_rule *topics;
    size_t n_topics;
    struct pattern *patterns;
    size_t n_patterns, cap_patterns;
    size_t pattern_bytes; /* their folded bytes together (at most RULES_MAX_TERM_BYTES) */
    size_t lead_chars;    /* the lead: this many characters of text, at most its first paragraph */
    /* The automaton: a dense DFA over bytes of normalised, folded text. */
    uint32_t
        *next; /* [state << class_shift | byte_class[byte]]: next state << 1 | (terms end there) */
    uint8_t byte_class[256];
    unsigned class_shift;
    int32_t *first_out; /* per state: first index into out_pattern, or -1 */
    int32_t *out_next;  /* chained outputs, following failure links */
    int32_t *out_pattern;
    size_t n_states;
    struct word_filter
        *word_filter; /* prefilter.c: the terms' first words, or NULL: scan texts whole */
};

/* A term normalised as text is (fold.h): folded and cased forms of the same length. */
struct normalized {
    char *folded;
    char *cased;
    size_t len;
};

void topics_normalize_text(const char *text, size_t len, struct normalized *out);
void topics_normalized_free(struct normalized *n);

/* Terms longer than this (normalised bytes) are refused: the scanner keeps this much history. */
#define TERM_MAX_BYTES 200
/* All spellings of all terms together, in normalised bytes: the automaton has a state for
 * each (spellings multiply: a few {a|b} choices in many terms would make it huge). */
#define RULES_MAX_TERM_BYTES (1u << 20)

void topics_matcher_build(struct topic_rules *r);
void topics_matcher_free(struct topic_rules *r);

/* After a term ends, the next three folded bytes (0 past the end) say whether it stands
 * as a whole word: a word boundary, or a possessive or plural ending and then one. */
static inline bool term_ends_word(const struct pattern *p, unsigned char n0, unsigned char n1,
                                  unsigned char n2)
{
    if (!fold_is_word_byte(n0))
        return true;
    if (p->possessive && n0 == '\'' && n1 == 's' && !fold_is_word_byte(n2))
        return true;
    if (p->plural && n0 == 's' && !fold_is_word_byte(n1))
        return true;
    return p->plural && n0 == 'e' && n1 == 's' && !fold_is_word_byte(n2);
}

/* clean_text.c: what fold_stream() emits for the character at s[k] in clean text (the
 * folded byte, 0 at the end, or -1: not clean), its cased form and where the next one
 * starts; and whether term p matches at the word start s[start] there. */
int topics_fold_clean_at(const unsigned char *s, size_t len, size_t k, unsigned char *cased,
                         size_t *next);
enum clean_verdict { CLEAN_NO_MATCH, CLEAN_MATCH, CLEAN_UNSURE };
enum clean_verdict topics_match_clean_text(const struct pattern *p, const unsigned char *s,
                                           size_t len, size_t start, size_t *end);

/* A term as the prefilter's candidate table keeps it, to compare with raw text in one go:
 * its first 32 folded bytes (zero after them), which pattern it is, and its length when
 * the raw bytes can decide alone (0 when not: non-ASCII bytes, more than 32 of them,
 * exact case, a space or '-' at the end); and, for the match it reports, the pattern's
 * topic, kind and weight (beside the bytes just compared, not in another cache line). */
struct term_bytes {
    unsigned char folded[32];
    double weight;
    uint32_t pattern;
    int topic;
    uint8_t quick_len, kind;
    bool ends_in_word, plural;
};

void topics_term_bytes_init(struct term_bytes *t, const struct pattern *p, size_t pattern);
#if defined(__SSE2__)
/* What topics_match_clean_text() would say, where the raw bytes decide it: a match when they are
 * the term's (ASCII case folded) and the byte after it ends the word; no match where they
 * first differ at a byte folding keeps (printable ASCII but '-'); else CLEAN_UNSURE. */
enum clean_verdict topics_match_term_bytes(const struct term_bytes *t, const unsigned char *s,
                                           size_t len, size_t start, size_t *end);
#endif

/* A match the prefilter confirmed itself, in clean text: the term and its bounds in the
 * original text (end exclusive). */
typedef void (*prefilter_found_fn)(void *ud, const struct term_bytes *term, size_t start,
                                   size_t end);

/* Where the prefilter stands in a text: the next step, the last safe point before it
 * (where an exact scan may start), whether the byte before the step is a word byte or
 * white space, and a quote or dash reaching into it; `handled`: every term starting before
 * it has been reported through found(). Start with pos, last_safe and handled at 0 or a
 * safe point, .prev_space = 1, .found and .ud. */
struct prefilter_scan {
    size_t pos, last_safe, handled;
    unsigned prev_word, prev_space, carry;
    prefilter_found_fn found;
    void *ud;
};

void prefilter_build(struct topic_rules *r);
void prefilter_free(struct topic_rules *r); /* also turns it off: texts are scanned whole */
/* How the prefilter passes over words that start no term: with the SSE2 classifier, by the
 * sieve's first test word after word; with the AVX-512 one, through the start filter (few
 * terms) or the sieve (many). OFF: there is no prefilter, texts are scanned whole. */
enum prefilter_way { PREFILTER_OFF, PREFILTER_SSE2, PREFILTER_START_FILTER, PREFILTER_SIEVE };
enum prefilter_way prefilter_ways(const struct topic_rules *r);
/* Makes the prefilter classify text with SSE2 even where the CPU has AVX-512 (the two
 * must give the same results: tests and the benchmark compare them). */
void prefilter_use_sse2(struct topic_rules *r);
/* Skips text in which no term can start, and reports the terms it can confirm in clean
 * text itself. Returns a position the exact scan must cover, starting from ps->last_safe
 * (its matches starting before ps->handled are already reported), or SIZE_MAX when the
 * rest of the text is done. */
size_t prefilter_skip(const struct topic_rules *r, const char *text, size_t len,
                      struct prefilter_scan *ps);

/* A match the scan found in an article: its pattern (with the pattern's topic, kind and
 * weight, read once), where it is, and what scoring (score.c) made of it. */
struct match {
    size_t pattern;
    int topic;
    enum pattern_kind kind;
    double weight;     /* the pattern's; a paired proximity match: its rule's */
    size_t start, end; /* byte offsets in the original headline or text */
    enum topic_where where;
    /* set by scoring */
    const char *name; /* evidence: the pattern's name, or the proximity rule's */
    bool paired;      /* PATTERN_NEAR_WORD: its object is near (start, end cover both) */
    bool counted;     /* scorable and not covered by a longer name at the spot */
    enum topic_reason reason;
    double score;           /* what it adds */
    const char *veto;       /* TOPIC_VETOED: the veto's name */
    const char *defined_as; /* TOPIC_DEFINED_OTHERWISE: the expansion (scoring's) */
};

/* The article being scored: its headline and text, and all the matches in it. */
struct article {
    const char *headline, *text;
    size_t headline_len, text_len;
    const struct match *matches;
    size_t n_matches;
};

/* Scores topic `topic` from its matches tm[0..n) (in reading order) into *hit: score, verdict
 * and evidence (hit owns it: topic_hit_free()). */
void score_topic(const struct topic_rules *rules, const struct article *a, int topic,
                 struct match *const *tm, size_t n, struct topic_hit *hit);
void topic_hit_free(struct topic_hit *h);

#endif
