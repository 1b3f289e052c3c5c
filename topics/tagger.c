/* tagger.c: scores an article against every topic in one automaton pass over its
 * headline and text, and reports the evidence: each term that fired, how often,
 * where first (headline, lead or body, with the offset in the original text),
 * and the veto that cancelled matches, if any. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/rules_internal.h"

struct match {
    size_t pattern;
    size_t start, end;       /* in normalised text */
    enum topic_where where;
    bool vetoed;
    size_t veto_pattern;
};

struct scan {
    const struct topic_rules *rules;
    const struct normalized *text;
    enum topic_where region;  /* TOPIC_IN_HEADLINE, or TOPIC_IN_BODY for the text */
    size_t lead_end;          /* normalised offset where the lead ends */
    struct match *matches;
    size_t n, cap;
};

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* After a match: an optional possessive or plural ending, then a word boundary. */
static bool ends_word(const struct pattern *p, const char *s, size_t len, size_t end)
{
    if (end >= len || !is_word_byte((unsigned char)s[end]))
        return true;
    if (p->possessive && s[end] == '\'' && end + 1 < len && s[end + 1] == 's' &&
        (end + 2 >= len || !is_word_byte((unsigned char)s[end + 2])))
        return true;
    if (p->plural && s[end] == 's' && (end + 1 >= len || !is_word_byte((unsigned char)s[end + 1])))
        return true;
    if (p->plural && s[end] == 'e' && end + 1 < len && s[end + 1] == 's' &&
        (end + 2 >= len || !is_word_byte((unsigned char)s[end + 2])))
        return true;
    return false;
}

static void on_match(size_t pattern, size_t end, void *ud)
{
    struct scan *sc = ud;
    const struct pattern *p = &sc->rules->patterns[pattern];
    size_t start = end - p->folded_len;
    const char *folded = sc->text->folded;
    /* Whole words only: a term starting or ending mid-word is not this term. */
    if (is_word_byte((unsigned char)p->folded[0]) && start > 0 &&
        is_word_byte((unsigned char)folded[start - 1]))
        return;
    if (is_word_byte((unsigned char)p->folded[p->folded_len - 1]) &&
        !ends_word(p, folded, sc->text->len, end))
        return;
    if (p->exact_case && memcmp(sc->text->cased + start, p->cased, p->folded_len) != 0)
        return;
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 32;
        sc->matches = xrealloc(sc->matches, sc->cap * sizeof *sc->matches);
    }
    enum topic_where where = sc->region == TOPIC_IN_HEADLINE ? TOPIC_IN_HEADLINE
                             : start < sc->lead_end          ? TOPIC_IN_LEAD
                                                             : TOPIC_IN_BODY;
    sc->matches[sc->n++] = (struct match){.pattern = pattern, .start = start, .end = end, .where = where};
}

/* The lead: the first paragraph of the text, at most lead_chars characters. */
static size_t lead_end(const char *original, const struct normalized *n, size_t lead_chars)
{
    const char *para = strstr(original, "\n\n");
    size_t limit = para ? (size_t)(para - original) : strlen(original);
    size_t end = 0;
    while (end < n->len && n->offsets[end] < limit && end < lead_chars)
        end++;
    return end;
}

static void scan_region(struct scan *sc, const char *text, enum topic_where region)
{
    struct normalized n;
    normalize_text(text, strlen(text), &n);
    sc->text = &n;
    sc->region = region;
    sc->lead_end = region == TOPIC_IN_HEADLINE ? 0 : lead_end(text, &n, sc->rules->lead_chars);
    size_t first = sc->n;
    matcher_scan(sc->rules, n.folded, n.len, on_match, sc);
    /* Map offsets back to the original text before the normalised copy goes. */
    for (size_t i = first; i < sc->n; i++) {
        sc->matches[i].start = n.offsets[sc->matches[i].start];
        sc->matches[i].end = n.offsets[sc->matches[i].end];
    }
    normalized_free(&n);
}

static bool same_region(const struct match *a, const struct match *b)
{
    return (a->where == TOPIC_IN_HEADLINE) == (b->where == TOPIC_IN_HEADLINE);
}

static size_t distance(const struct match *a, const struct match *b)
{
    if (a->end <= b->start)
        return b->start - a->end;
    if (b->end <= a->start)
        return a->start - b->end;
    return 0;
}

static void add_evidence(struct topic_hit *hit, const struct pattern *p, const struct match *m,
                         const struct pattern *veto)
{
    struct topic_evidence *e = NULL;
    for (size_t i = 0; i < hit->n_evidence && !e; i++)
        if (strcmp(hit->evidence[i].term, p->text) == 0)
            e = &hit->evidence[i];
    if (!e) {
        hit->evidence = xrealloc(hit->evidence, (hit->n_evidence + 1) * sizeof *hit->evidence);
        e = &hit->evidence[hit->n_evidence++];
        memset(e, 0, sizeof *e);
        e->term = xstrdup(p->text);
        e->first_where = m->where;
        e->first_offset = m->start;
    }
    if (veto) {
        if (!e->veto)
            e->veto = xstrdup(veto->text);
    } else {
        e->count++;
    }
}

void topics_tag(const struct topic_rules *rules, const char *headline, const char *text,
                struct topic_result *out)
{
    memset(out, 0, sizeof *out);
    struct scan sc = {.rules = rules};
    if (headline)
        scan_region(&sc, headline, TOPIC_IN_HEADLINE);
    if (text)
        scan_region(&sc, text, TOPIC_IN_BODY);

    for (size_t t = 0; t < rules->n_topics; t++) {
        const struct topic_rule *tr = &rules->topics[t];
        bool has_context = !tr->needs_context;
        for (size_t i = 0; i < sc.n && !has_context; i++) {
            const struct pattern *p = &rules->patterns[sc.matches[i].pattern];
            has_context = p->topic == (int)t && p->kind == PATTERN_CONTEXT;
        }
        /* A veto near one occurrence of a term gives that term its other meaning in the
         * whole article (one sense per discourse): every occurrence is cancelled. */
        for (size_t i = 0; i < sc.n; i++) {
            struct match *m = &sc.matches[i];
            const struct pattern *p = &rules->patterns[m->pattern];
            if (p->topic != (int)t || p->kind != PATTERN_TERM)
                continue;
            for (size_t k = 0; k < sc.n && !m->vetoed; k++) {
                const struct pattern *v = &rules->patterns[sc.matches[k].pattern];
                if (v->topic == (int)t && v->kind == PATTERN_VETO && same_region(m, &sc.matches[k]) &&
                    distance(m, &sc.matches[k]) <= tr->veto_window) {
                    m->vetoed = true;
                    m->veto_pattern = sc.matches[k].pattern;
                }
            }
        }
        struct topic_hit hit = {.id = xstrdup(tr->id)};
        for (size_t i = 0; i < sc.n; i++) {
            struct match *m = &sc.matches[i];
            const struct pattern *p = &rules->patterns[m->pattern];
            if (p->topic != (int)t || p->kind != PATTERN_TERM)
                continue;
            const struct pattern *veto = NULL;
            for (size_t k = 0; k < sc.n && !veto; k++)
                if (sc.matches[k].vetoed && strcmp(rules->patterns[sc.matches[k].pattern].text, p->text) == 0)
                    veto = &rules->patterns[sc.matches[k].veto_pattern];
            if (!veto && has_context)
                hit.score += p->weight * tr->weight[m->where];
            add_evidence(&hit, p, m, veto);
        }
        /* Evidence whose every match was vetoed still shows why nothing counted. */
        if (hit.score >= tr->threshold && hit.score > 0) {
            out->hits = xrealloc(out->hits, (out->n_hits + 1) * sizeof *out->hits);
            out->hits[out->n_hits++] = hit;
        } else {
            for (size_t e = 0; e < hit.n_evidence; e++) {
                free(hit.evidence[e].term);
                free(hit.evidence[e].veto);
            }
            free(hit.evidence);
            free(hit.id);
        }
    }
    free(sc.matches);
}

void topic_result_free(struct topic_result *r)
{
    for (size_t i = 0; i < r->n_hits; i++) {
        struct topic_hit *h = &r->hits[i];
        for (size_t e = 0; e < h->n_evidence; e++) {
            free(h->evidence[e].term);
            free(h->evidence[e].veto);
        }
        free(h->evidence);
        free(h->id);
    }
    free(r->hits);
    memset(r, 0, sizeof *r);
}

const char *topic_where_name(enum topic_where w)
{
    return w == TOPIC_IN_HEADLINE ? "headline" : w == TOPIC_IN_LEAD ? "lead" : "body";
}

json_t *topic_result_to_json(const struct topic_result *r)
{
    json_t *topics = json_array();
    for (size_t i = 0; i < r->n_hits; i++) {
        const struct topic_hit *h = &r->hits[i];
        json_t *evidence = json_array();
        for (size_t e = 0; e < h->n_evidence; e++) {
            const struct topic_evidence *ev = &h->evidence[e];
            if (ev->count == 0)
                continue; /* only vetoed: it did not fire */
            json_t *item = json_pack("{s:s, s:i, s:s, s:I}", "term", ev->term, "count",
                                     (int)ev->count, "where", topic_where_name(ev->first_where),
                                     "offset", (json_int_t)ev->first_offset);
            if (ev->veto)
                json_object_set_new(item, "veto", json_string(ev->veto));
            json_array_append_new(evidence, item);
        }
        json_array_append_new(topics, json_pack("{s:s, s:f, s:o}", "id", h->id, "score",
                                                h->score, "evidence", evidence));
    }
    return topics;
}
