/* tagger.c: finds the matches of every topic's patterns in one automaton pass over an
 * article's headline and text (after the prefilter), groups them by topic, and has
 * score.c score each topic with matches: the tagged topics, every topic (explain), or the
 * tagged ones and the near misses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/fold.h"
#include "topics/rules_internal.h"

/* How much folded history the scanner keeps: the longest term, its boundary and lookahead. */
#define HISTORY 256
#define LOOKAHEAD 3

struct candidate_match {
    size_t pattern;
    size_t end; /* folded bytes emitted when the term ended */
};

struct scan {
    const struct topic_rules *rules;
    enum topic_where region; /* TOPIC_IN_HEADLINE, or TOPIC_IN_BODY for the text */
    const char *text;        /* the region's text and its length */
    size_t len;
    size_t lead_end;       /* input offset where the lead ends; SIZE_MAX: not found yet */
    size_t reported_until; /* the prefilter reported the matches that start before this */
    size_t count;          /* folded bytes emitted so far (kept current for confirm()) */
    unsigned char folded[HISTORY], cased[HISTORY];
    uint32_t raw[HISTORY];           /* input offset of each folded byte */
    struct candidate_match *waiting; /* matches waiting for their lookahead */
    size_t n_waiting, cap_waiting, first_waiting;
    struct match *matches;
    size_t n, cap;
};

/* The per-byte state of one scan, a local the compiler keeps in registers. */
struct scan_hot {
    struct scan *sc;
    const uint32_t *next;
    const uint8_t *classes;
    unsigned shift;
    uint32_t state;
    size_t count;
    size_t base; /* input offset of the span being folded */
    bool waiting;
};

_Static_assert(HISTORY > TERM_MAX_BYTES + LOOKAHEAD + 1,
               "history must hold a term and its context");
_Static_assert((HISTORY & (HISTORY - 1)) == 0, "history is a ring indexed by masking");

/* The folded byte at emitted position k, or 0 when k is not (yet) emitted. */
static unsigned char folded_at(const struct scan *sc, size_t k)
{
    return k < sc->count ? sc->folded[k & (HISTORY - 1)] : 0;
}

/* The lead: the first paragraph of the text, at most lead_chars bytes of it. */
static size_t lead_end(const char *text, size_t len, size_t lead_chars)
{
    size_t limit = len < lead_chars ? len : lead_chars;
    for (const char *nl = memchr(text, '\n', limit); nl && nl + 1 < text + limit;
         nl = memchr(nl + 1, '\n', (size_t)(text + limit - nl - 1)))
        if (nl[1] == '\n')
            return (size_t)(nl - text);
    return limit;
}

/* A match (its pattern with the pattern's topic, kind and weight, over text[start, end)):
 * kept, with where it was found. */
static void add_match(struct scan *sc, struct match m)
{
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 32;
        sc->matches = xrealloc(sc->matches, sc->cap * sizeof *sc->matches);
    }
    if (sc->region != TOPIC_IN_HEADLINE && sc->lead_end == SIZE_MAX)
        sc->lead_end = lead_end(sc->text, sc->len, sc->rules->lead_chars);
    m.where = sc->region == TOPIC_IN_HEADLINE ? TOPIC_IN_HEADLINE
              : m.start < sc->lead_end        ? TOPIC_IN_LEAD
                                              : TOPIC_IN_BODY;
    sc->matches[sc->n++] = m;
}

/* The prefilter's callback for the matches it confirms itself. */
static void add_found(void *ud, const struct term_bytes *t, size_t start, size_t end)
{
    add_match(ud, (struct match){.pattern = t->pattern,
                                 .topic = t->topic,
                                 .kind = (enum pattern_kind)t->kind,
                                 .weight = t->weight,
                                 .start = start,
                                 .end = end});
}

/* A term the automaton found: kept if it stands as a whole word in the right case. */
static void confirm(struct scan *sc, const struct candidate_match *cm)
{
    const struct pattern *p = &sc->rules->patterns[cm->pattern];
    size_t start = cm->end - p->folded_len, end = cm->end;
    if (fold_is_word_byte((unsigned char)p->folded[0]) && start > 0 &&
        fold_is_word_byte(folded_at(sc, start - 1)))
        return;
    if (fold_is_word_byte((unsigned char)p->folded[p->folded_len - 1]) &&
        !term_ends_word(p, folded_at(sc, end), folded_at(sc, end + 1), folded_at(sc, end + 2)))
        return;
    if (p->exact_case)
        for (size_t k = 0; k < p->folded_len; k++)
            if (sc->cased[(start + k) & (HISTORY - 1)] != (unsigned char)p->cased[k])
                return;
    size_t raw_start = sc->raw[start & (HISTORY - 1)];
    if (raw_start < sc->reported_until)
        return; /* the prefilter reported it */
    add_match(sc, (struct match){.pattern = cm->pattern,
                                 .topic = p->topic,
                                 .kind = p->kind,
                                 .weight = p->weight,
                                 .start = raw_start,
                                 .end = sc->raw[(end - 1) & (HISTORY - 1)] + 1});
}

/* Confirms the waiting matches whose lookahead has arrived (all of them at the end). */
static void confirm_waiting(struct scan *sc, bool at_end)
{
    while (sc->first_waiting < sc->n_waiting &&
           (at_end || sc->count >= sc->waiting[sc->first_waiting].end + LOOKAHEAD))
        confirm(sc, &sc->waiting[sc->first_waiting++]);
    if (sc->first_waiting == sc->n_waiting)
        sc->first_waiting = sc->n_waiting = 0;
}

/* The automaton reached a state where terms end: they wait for their lookahead. */
static void add_waiting(struct scan *sc, uint32_t state)
{
    const struct topic_rules *r = sc->rules;
    for (int32_t o = r->first_out[state]; o >= 0; o = r->out_next[o]) {
        if (sc->n_waiting == sc->cap_waiting) {
            sc->cap_waiting = sc->cap_waiting ? sc->cap_waiting * 2 : 16;
            sc->waiting = xrealloc(sc->waiting, sc->cap_waiting * sizeof *sc->waiting);
        }
        sc->waiting[sc->n_waiting++] =
            (struct candidate_match){.pattern = (size_t)r->out_pattern[o], .end = sc->count};
    }
}

/* One folded byte: into the history and through the automaton (the hot path). */
static inline __attribute__((always_inline)) void on_byte(void *ud, unsigned char folded,
                                                          unsigned char cased, size_t raw)
{
    struct scan_hot *h = ud;
    struct scan *sc = h->sc;
    size_t at = h->count & (HISTORY - 1);
    sc->folded[at] = folded;
    sc->cased[at] = cased;
    sc->raw[at] = (uint32_t)(h->base + raw);
    h->count++;
    if (h->waiting) {
        sc->count = h->count;
        confirm_waiting(sc, false);
        h->waiting = sc->n_waiting != 0;
    }
    uint32_t step = h->next[((size_t)h->state << h->shift) | h->classes[folded]];
    h->state = step >> 1;
    if (step & 1) {
        sc->count = h->count;
        add_waiting(sc, h->state);
        h->waiting = true;
    }
}

/* Folds text[from, to) into the scan; folding starts afresh, so `from` is 0 or a safe point. */
static void fold_span(struct scan_hot *hot, const char *text, size_t from, size_t to)
{
    hot->base = from;
    fold_stream(text + from, to - from, on_byte, hot);
}

/* Does text[0, end) end with a character that folds to '-'? */
static bool ends_with_dash(const unsigned char *s, size_t end)
{
    if (end == 0 || s[end - 1] < 0x80)
        return end > 0 && s[end - 1] == '-';
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && (s[start] & 0xC0) == 0x80)
        start--;
    size_t used;
    unsigned c = fold_decode(s + start, end - start, &used);
    return start + used == end && fold_codepoint(c) == '-';
}

/* The first safe point (prefilter.c) at or after k, or len: a byte that is not white
 * space after ASCII white space that does not follow a dash (a line-break hyphen). */
static size_t next_safe_point(const char *text, size_t len, size_t k)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t j = k > 0 ? k : 1; j < len; j++) {
        if (!fold_is_space(s[j - 1]) || fold_is_space(s[j]))
            continue;
        size_t run = j - 1;
        while (run > 0 && fold_is_space(s[run - 1]))
            run--;
        if (!ends_with_dash(s, run))
            return j;
    }
    return len;
}

/* The exact scan from the safe point `from` until past `hot`, and on to the first safe
 * point where no match is in progress. Returns where it stopped (len at the end). */
static size_t scan_exactly(struct scan_hot *hot, const char *text, size_t len, size_t from,
                           size_t past)
{
    struct scan *sc = hot->sc;
    if (from > 0) { /* the space folding emitted before `from` */
        size_t at = hot->count & (HISTORY - 1);
        sc->folded[at] = sc->cased[at] = ' ';
        sc->raw[at] = (uint32_t)(from - 1);
        hot->count++;
    }
    hot->state = 0;
    size_t to = next_safe_point(text, len, past + 1);
    for (;;) {
        fold_span(hot, text, from, to);
        if (to >= len || (hot->state == 0 && !hot->waiting))
            return to;
        from = to;
        to = next_safe_point(text, len, from + 1);
    }
}

static void scan_region(struct scan *sc, const char *text, enum topic_where region)
{
    size_t len = strlen(text);
    if (len > UINT32_MAX)
        len = UINT32_MAX; /* offsets are 32-bit; texts are capped far below this */
    sc->region = region;
    sc->text = text;
    sc->len = len;
    sc->lead_end = SIZE_MAX; /* found when a match needs it */
    sc->reported_until = 0;
    struct scan_hot hot = {.sc = sc,
                           .next = sc->rules->next,
                           .classes = sc->rules->byte_class,
                           .shift = sc->rules->class_shift};
    if (!sc->rules->word_filter) {
        fold_span(&hot, text, 0, len);
    } else {
        for (size_t at = 0; at < len;) { /* from the start, then from each safe point */
            struct prefilter_scan ps = {.pos = at,
                                        .last_safe = at,
                                        .handled = at,
                                        .prev_space = 1,
                                        .found = add_found,
                                        .ud = sc};
            size_t hot_at = prefilter_skip(sc->rules, text, len, &ps);
            if (hot_at == SIZE_MAX)
                break;
            sc->reported_until = ps.handled;
            at = scan_exactly(&hot, text, len, ps.last_safe, hot_at);
        }
    }
    sc->count = hot.count;
    confirm_waiting(sc, true);
}

/* Headline before text, then by start, then by term. */
static int compare_matches(const void *a, const void *b)
{
    const struct match *x = a, *y = b;
    int region_x = x->where != TOPIC_IN_HEADLINE, region_y = y->where != TOPIC_IN_HEADLINE;
    if (region_x != region_y)
        return region_x - region_y;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

enum tag_mode { TAG_ONLY, TAG_EXPLAIN, TAG_NEAR_MISSES };

/* A near miss: not given, but a rule cancelled matches or the score reached half the
 * threshold. */
static bool near_miss(const struct topic_hit *h)
{
    return !h->tagged && (h->uncancelled > h->score || 2 * h->score >= h->threshold);
}

static void push_hit(struct topic_result *r, const struct topic_hit *hit, size_t cap)
{
    if (!r->hits)
        r->hits = xmalloc(cap * sizeof *r->hits);
    r->hits[r->n_hits++] = *hit;
}

static void tag(const struct topic_rules *rules, const char *headline, const char *text,
                enum tag_mode mode, struct topic_result *out, struct topic_result *near_misses)
{
    memset(out, 0, sizeof *out);
    if (near_misses)
        memset(near_misses, 0, sizeof *near_misses);
    bool keep_all = mode == TAG_EXPLAIN;
    struct scan sc = {.rules = rules};
    struct article art = {.headline = headline ? headline : "", .text = text ? text : ""};
    art.headline_len = strlen(art.headline);
    art.text_len = strlen(art.text);
    if (headline)
        scan_region(&sc, headline, TOPIC_IN_HEADLINE);
    if (text)
        scan_region(&sc, text, TOPIC_IN_BODY);
    if (sc.n == 0 && !keep_all) { /* most articles: no topic to score */
        free(sc.waiting);
        return;
    }

    /* In one order whichever way they were found (the prefilter reports matches by where
     * they start, the automaton by where they end): scores add up the same, and evidence
     * lists terms by first occurrence. */
    size_t in_order = 1;
    while (in_order < sc.n &&
           compare_matches(&sc.matches[in_order - 1], &sc.matches[in_order]) <= 0)
        in_order++;
    if (in_order < sc.n) /* (most often they are found in order) */
        qsort(sc.matches, sc.n, sizeof *sc.matches, compare_matches);
    /* The matches grouped by topic (a counting sort), so each topic sees only its own. */
    size_t n_topics = rules->n_topics;
    size_t *first = xcalloc(2 * (n_topics + 1), sizeof *first); /* and fill */
    size_t *fill = first + n_topics + 1;
    struct match **index = xmalloc((sc.n ? sc.n : 1) * sizeof *index);
    for (size_t i = 0; i < sc.n; i++)
        first[sc.matches[i].topic + 1]++;
    size_t with_matches = 0;
    for (size_t t = 0; t < n_topics; t++) {
        with_matches += first[t + 1] != 0;
        first[t + 1] += first[t];
    }
    memcpy(fill, first, n_topics * sizeof *fill);
    for (size_t i = 0; i < sc.n; i++)
        index[fill[sc.matches[i].topic]++] = &sc.matches[i];
    art.matches = sc.matches;
    art.n_matches = sc.n;

    /* The topics with matches (every topic with keep_all), in order. */
    size_t hits_cap = keep_all ? n_topics : with_matches;
    size_t t = keep_all ? 0 : (size_t)index[0]->topic;
    for (size_t next; t < n_topics; t = next) {
        /* after t: the topic of the next group of matches */
        next = keep_all              ? t + 1
               : first[t + 1] < sc.n ? (size_t)index[first[t + 1]]->topic
                                     : n_topics;
        struct topic_hit hit;
        score_topic(rules, &art, (int)t, index + first[t], first[t + 1] - first[t], &hit);
        if (hit.tagged || keep_all)
            push_hit(out, &hit, hits_cap);
        else if (mode == TAG_NEAR_MISSES && near_miss(&hit))
            push_hit(near_misses, &hit, hits_cap);
        else
            topic_hit_free(&hit);
    }
    free(index);
    free(first);
    free(sc.matches);
    free(sc.waiting);
}

void topics_tag(const struct topic_rules *rules, const char *headline, const char *text,
                struct topic_result *out)
{
    tag(rules, headline, text, TAG_ONLY, out, NULL);
}

void topics_explain(const struct topic_rules *rules, const char *headline, const char *text,
                    struct topic_result *out)
{
    tag(rules, headline, text, TAG_EXPLAIN, out, NULL);
}

void topics_tag_with_near_misses(const struct topic_rules *rules, const char *headline,
                                 const char *text, struct topic_result *tagged,
                                 struct topic_result *near_misses)
{
    tag(rules, headline, text, TAG_NEAR_MISSES, tagged, near_misses);
}
