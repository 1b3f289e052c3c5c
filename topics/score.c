/* score.c: a topic's score from the matches the scan found in one article, and the result
 * (hits and their evidence) built from it.
 *
 * The operators of the README, in the order they apply: proximity rules pair their words;
 * only the longest name at a spot counts; then, one sense per discourse, a term is
 * cancelled in the whole article when a veto stands near one of its matches, when the
 * article spells its acronym out as something else ("TTP (Trade and Transit Portal)"), or
 * when it is the title of a film, song or drama (quoted or capitalised, a cue word near);
 * a match counts only with a context term near it; a later reference ("the group") only
 * after a counted named mention; a negated or hypothetical headline mention ("no
 * ceasefire", "calls for a truce") only as much as a body mention. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/fold.h"
#include "topics/rules_internal.h"

/* The article's two regions, for what scoring reads around a match. */
static const char *region_text(const struct article *a, const struct match *m, size_t *len)
{
    bool headline = m->where == TOPIC_IN_HEADLINE;
    *len = headline ? a->headline_len : a->text_len;
    return headline ? a->headline : a->text;
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

/* Whether two matches of one region stand within `window` characters (UTF-8 code points,
 * so that a window means as much in Urdu script as in English) of each other. */
static bool within_chars(const struct article *a, const struct match *x, const struct match *y,
                         size_t window)
{
    size_t bytes = distance(x, y);
    if (bytes <= window)
        return true;
    if (bytes > 4 * window)
        return false;
    size_t len;
    const char *s = region_text(a, x, &len);
    size_t from = x->end <= y->start ? x->end : y->end, chars = 0;
    for (size_t i = from; i < from + bytes; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars <= window;
}

static bool word_byte(unsigned char c)
{
    return fold_is_word_byte(c);
}

/* The words in s[from, to), counted up to limit + 1. */
static unsigned words_in(const char *s, size_t from, size_t to, unsigned limit)
{
    unsigned n = 0;
    for (size_t i = from; i < to && n <= limit; i++)
        n += word_byte((unsigned char)s[i]) && (i == from || !word_byte((unsigned char)s[i - 1]));
    return n;
}

/* The words between two matches of one region (0: adjacent or overlapping). */
static unsigned words_between(const struct article *a, const struct match *x, const struct match *y,
                              unsigned limit)
{
    size_t len;
    const char *s = region_text(a, x, &len);
    const struct match *first = x->start <= y->start ? x : y, *second = first == x ? y : x;
    if (first->end >= second->start)
        return 0;
    if (second->start - first->end > 40 * (size_t)(limit + 1))
        return limit + 1;
    return words_in(s, first->end, second->start, limit);
}

static bool is_scorable(const struct match *m)
{
    return m->kind == PATTERN_TERM || m->kind == PATTERN_REFERENCE ||
           (m->kind == PATTERN_NEAR_WORD && m->paired);
}

/* --- Proximity rules ------------------------------------------------------------------- */

/* Each word of a near rule with one of its objects within the rule's words becomes one
 * match over both, named by the rule; unless a term already covers it. */
static void pair_near(const struct topic_rules *rules, const struct article *a, int topic,
                      struct match *const *tm, size_t n)
{
    const struct topic_rule *tr = &rules->topics[topic];
    for (size_t i = 0; i < n; i++) {
        struct match *w = tm[i];
        if (w->kind != PATTERN_NEAR_WORD)
            continue;
        const struct near_rule *nr = &tr->near[rules->patterns[w->pattern].near];
        for (size_t k = 0; k < n && !w->paired; k++) {
            const struct match *o = tm[k];
            if (o->kind == PATTERN_NEAR_WITH && same_region(w, o) && distance(w, o) > 0 &&
                rules->patterns[o->pattern].near == rules->patterns[w->pattern].near &&
                words_between(a, w, o, nr->within) <= nr->within) {
                w->paired = true;
                w->start = w->start < o->start ? w->start : o->start;
                w->end = w->end > o->end ? w->end : o->end;
                w->name = nr->name;
                w->weight = nr->weight;
            }
        }
        for (size_t k = 0; k < n && w->paired; k++)
            if (tm[k]->kind == PATTERN_TERM && same_region(w, tm[k]) && distance(w, tm[k]) == 0)
                w->paired = false; /* "cessation of hostilities" is a term of its own */
    }
}

/* True when another scorable match covers m and wins the spot: a longer term, or any term
 * over a reference or proximity match. */
static bool covered(struct match *const *tm, size_t n, const struct match *m)
{
    for (size_t k = 0; k < n; k++) {
        const struct match *o = tm[k];
        if (o == m || !is_scorable(o) || !same_region(m, o))
            continue;
        if (m->kind != PATTERN_TERM && o->kind == PATTERN_TERM && distance(m, o) == 0 &&
            o->start < m->end && m->start < o->end)
            return true;
        if (o->kind == m->kind && o->start <= m->start && o->end >= m->end &&
            o->end - o->start > m->end - m->start)
            return true;
    }
    return false;
}

/* --- Definitions ----------------------------------------------------------------------- */

static bool function_word(const char *s, size_t len)
{
    static const char *const words[] = {"of", "and", "the", "for", "in", "on", "at", "to",  "a",
                                        "an", "e",   "i",   "ul",  "al", "de", "by", "with"};
    for (size_t i = 0; i < ARRAY_LEN(words); i++)
        if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
            return true;
    return false;
}

/* The initials of the words of s[from, to) (split at spaces, hyphens and other marks),
 * upper-cased, all of them and without function words; false when too many. */
static bool initials(const char *s, size_t from, size_t to, char *all, char *content, size_t cap)
{
    size_t n_all = 0, n_content = 0;
    for (size_t i = from; i < to;) {
        unsigned char c = (unsigned char)s[i];
        bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!letter && c < 0x80) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < to && word_byte((unsigned char)s[i]) && s[i] != '-')
            i++;
        if (n_all + 1 >= cap)
            return false;
        char initial = c >= 0x80 ? '?' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : (char)c;
        all[n_all++] = initial;
        if (!function_word(s + start, i - start))
            content[n_content++] = initial;
    }
    all[n_all] = content[n_content] = '\0';
    return true;
}

/* Whether the words of s[from, to) spell the acronym's letters. */
static bool spells(const char *s, size_t from, size_t to, const char *letters)
{
    char all[24], content[24];
    return initials(s, from, to, all, content, sizeof all) &&
           (strcmp(all, letters) == 0 || strcmp(content, letters) == 0);
}

/* Where the article spells out the acronym matched by m, as "ACR (Words Spelling It)" or
 * "Words Spelling It (ACR)": the words' span; false when it does not. */
static bool acronym_definition(const struct article *a, const struct match *m, const char *name,
                               size_t *from, size_t *to)
{
    char letters[16];
    size_t n_letters = 0;
    for (const char *c = name; *c && n_letters + 1 < sizeof letters; c++)
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z'))
            letters[n_letters++] = (char)(*c >= 'a' ? *c - 32 : *c);
    letters[n_letters] = '\0';
    if (n_letters < 2)
        return false;
    size_t len;
    const char *s = region_text(a, m, &len);
    size_t after = m->end;
    while (after < len && s[after] == ' ')
        after++;
    if (after < len && s[after] == '(') { /* ACR (Words) */
        const char *close = memchr(s + after, ')', len - after < 160 ? len - after : 160);
        if (close && spells(s, after + 1, (size_t)(close - s), letters)) {
            *from = after + 1;
            *to = (size_t)(close - s);
            return true;
        }
    }
    size_t before = m->start;
    while (before > 0 && s[before - 1] == ' ')
        before--;
    if (before == 0 || s[before - 1] != '(' || after >= len || s[after] != ')')
        return false;
    /* Words (ACR): the last k words before the parenthesis, the fewest that spell it. */
    size_t end = before - 1, start = end;
    for (unsigned words = 0; words < 3 * n_letters && start > 0;) {
        size_t k = start;
        while (k > 0 && !word_byte((unsigned char)s[k - 1]) && s[k - 1] != '.' && s[k - 1] != ',' &&
               s[k - 1] != '(' && s[k - 1] != ')')
            k--;
        if (k == 0 || !word_byte((unsigned char)s[k - 1]))
            break;
        while (k > 0 && word_byte((unsigned char)s[k - 1]))
            k--;
        start = k;
        words++;
        if (words >= 2 && spells(s, start, end, letters)) {
            *from = start;
            *to = end;
            while (*to > *from && s[*to - 1] == ' ')
                (*to)--;
            return true;
        }
    }
    return false;
}

/* --- Titles and hedges ----------------------------------------------------------------- */

/* The character before s[at] (UTF-8 aware for the quotes that matter): is it an opening
 * quote? And after s[at]: a closing one? */
static bool quote_before(const char *s, size_t at)
{
    const unsigned char *u = (const unsigned char *)s;
    if (at >= 1 && (u[at - 1] == '"' || u[at - 1] == '\''))
        return true;
    if (at >= 3 && u[at - 3] == 0xE2 && u[at - 2] == 0x80 &&
        (u[at - 1] == 0x9C || u[at - 1] == 0x98))
        return true;
    return at >= 2 && u[at - 2] == 0xC2 && u[at - 1] == 0xAB;
}

static bool quote_after(const char *s, size_t len, size_t at)
{
    const unsigned char *u = (const unsigned char *)s;
    if (at < len && (u[at] == '"' || u[at] == '\''))
        return true;
    if (at + 2 < len && u[at] == 0xE2 && u[at + 1] == 0x80 &&
        (u[at + 2] == 0x9D || u[at + 2] == 0x99))
        return true;
    return at + 1 < len && u[at] == 0xC2 && u[at + 1] == 0xBB;
}

/* A match set off as a name: in quotes, or (in the text, not a headline, where words are
 * capitalised anyway) capitalised where a sentence does not start. */
static bool looks_like_title(const struct article *a, const struct match *m)
{
    size_t len;
    const char *s = region_text(a, m, &len);
    size_t end = m->end;
    while (end < len && word_byte((unsigned char)s[end]))
        end++; /* a plural or possessive ending */
    if (quote_before(s, m->start) && quote_after(s, len, end))
        return true;
    unsigned char first = (unsigned char)s[m->start];
    if (m->where == TOPIC_IN_HEADLINE || first < 'A' || first > 'Z')
        return false;
    size_t k = m->start;
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
        k--;
    return k > 0 && !strchr(".!?:;\n\r", s[k - 1]) && !quote_before(s, k);
}

/* A cue of kind within `within` words of m (before it only, or on either side). */
static bool cue_near(const struct article *a, struct match *const *tm, size_t n,
                     const struct match *m, enum pattern_kind kind, unsigned within,
                     bool before_only)
{
    for (size_t k = 0; k < n; k++) {
        const struct match *c = tm[k];
        if (c->kind == kind && same_region(m, c) && distance(m, c) > 0 &&
            (!before_only || c->end <= m->start) && words_between(a, m, c, within) <= within)
            return true;
    }
    return false;
}

/* --- Context --------------------------------------------------------------------------- */

/* Context c supports m: outside it ("hostilities" in "cessation of hostilities" does not),
 * and near it (anywhere without a window). */
static bool supports(const struct topic_rule *tr, const struct article *a, const struct match *m,
                     const struct match *c)
{
    if (same_region(m, c) && c->start < m->end && m->start < c->end)
        return false;
    if (tr->context_window == 0)
        return true;
    if (same_region(m, c))
        return within_chars(a, m, c, tr->context_window);
    /* the headline and the text's first context_window bytes read as one passage */
    const struct match *body = m->where == TOPIC_IN_HEADLINE ? c : m;
    return body->where == TOPIC_IN_LEAD && body->start <= tr->context_window;
}

/* A context term near m: one of the topic's own, or a term of a context topic. */
static bool context_near(const struct topic_rule *tr, const struct article *a,
                         struct match *const *tm, size_t n, const struct match *m)
{
    for (size_t k = 0; k < n; k++)
        if (tm[k]->kind == PATTERN_CONTEXT && supports(tr, a, m, tm[k]))
            return true;
    for (size_t k = 0; tr->context_topic && k < a->n_matches; k++) {
        const struct match *c = &a->matches[k];
        if (tr->context_topic[c->topic] && c->kind == PATTERN_TERM && supports(tr, a, m, c))
            return true;
    }
    /* A headline mention is about what the lead reports: a lead mention with context near
     * it supports the headline's too. */
    for (size_t k = 0; m->where == TOPIC_IN_HEADLINE && k < n; k++)
        if (tm[k]->kind == PATTERN_TERM && tm[k]->counted && tm[k]->where == TOPIC_IN_LEAD &&
            context_near(tr, a, tm, n, tm[k]))
            return true;
    return false;
}

/* --- Paragraphs ------------------------------------------------------------------------ */

/* Where the blank line after s[from] is (the end of from's paragraph), or len. */
static size_t paragraph_end(const char *s, size_t len, size_t from)
{
    for (const char *nl = memchr(s + from, '\n', len - from); nl;
         nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - s))) {
        const char *k = nl + 1;
        while (k < s + len && (*k == ' ' || *k == '\t' || *k == '\r'))
            k++;
        if (k < s + len && *k == '\n')
            return (size_t)(nl - s);
    }
    return len;
}

/* The best score of one paragraph of the text at body weights, when the text has several
 * (live blogs, bulletins, digests: an item deep in the text); 0 when it has one. */
static double best_paragraph(const struct topic_rule *tr, const struct article *a,
                             struct match *const *tm, size_t n)
{
    size_t end = paragraph_end(a->text, a->text_len, 0);
    if (end >= a->text_len)
        return 0;
    double best = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        const struct match *m = tm[i];
        if (m->where == TOPIC_IN_HEADLINE || m->score <= 0)
            continue;
        if (m->start > end) {
            sum = 0;
            end = paragraph_end(a->text, a->text_len, m->start);
        }
        sum += m->weight * tr->weight[TOPIC_IN_BODY];
        best = sum > best ? sum : best;
    }
    return best;
}

/* --- Scoring --------------------------------------------------------------------------- */

/* A term cancelled in the whole article, by name, and why. */
struct cancel {
    const char *name;
    enum topic_reason reason;
    const char *veto;
    char *defined_as;
};

static struct cancel *cancelled(struct cancel *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].name == name || strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

static void cancel(struct cancel *list, size_t *n, const char *name, enum topic_reason reason,
                   const char *veto, char *defined_as)
{
    if (cancelled(list, *n, name)) {
        free(defined_as);
        return;
    }
    list[(*n)++] =
        (struct cancel){.name = name, .reason = reason, .veto = veto, .defined_as = defined_as};
}

/* A copy of s[from, to) on one line. */
static char *one_line(const char *s, size_t from, size_t to)
{
    char *out = xstrndup(s + from, to - from);
    for (char *c = out; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    return out;
}

void score_topic(const struct topic_rules *rules, const struct article *a, int topic,
                 struct match *const *tm, size_t n, struct topic_hit *hit)
{
    const struct topic_rule *tr = &rules->topics[topic];
    bool any[PATTERN_HEDGE_CUE + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        tm[i]->name = rules->patterns[tm[i]->pattern].name;
        any[tm[i]->kind] = true;
    }
    if (any[PATTERN_NEAR_WORD] && any[PATTERN_NEAR_WITH])
        pair_near(rules, a, topic, tm, n);
    for (size_t i = 0; i < n; i++)
        tm[i]->counted = is_scorable(tm[i]) && !covered(tm, n, tm[i]);

    /* One sense per discourse: terms cancelled in the whole article. */
    struct cancel *cancels = xcalloc(n + 1, sizeof *cancels);
    size_t n_cancels = 0;
    for (size_t i = 0; i < n; i++) {
        struct match *m = tm[i];
        if (!m->counted)
            continue;
        for (size_t k = 0; k < n && any[PATTERN_VETO]; k++)
            if (tm[k]->kind == PATTERN_VETO && same_region(m, tm[k]) &&
                within_chars(a, m, tm[k], tr->veto_window))
                cancel(cancels, &n_cancels, m->name, TOPIC_VETOED,
                       rules->patterns[tm[k]->pattern].name, NULL);
        size_t from, to;
        if (m->kind == PATTERN_TERM && rules->patterns[m->pattern].acronym &&
            acronym_definition(a, m, m->name, &from, &to)) {
            bool own = false; /* "Tehrik-i-Taliban Pakistan (TTP)": the topic's own name */
            for (size_t k = 0; k < n && !own; k++)
                own = tm[k]->kind == PATTERN_TERM && tm[k] != m && same_region(m, tm[k]) &&
                      tm[k]->start < to && tm[k]->end > from;
            size_t len;
            const char *s = region_text(a, m, &len);
            if (!own)
                cancel(cancels, &n_cancels, m->name, TOPIC_DEFINED_OTHERWISE, NULL,
                       one_line(s, from, to));
        }
        if (any[PATTERN_TITLE_CUE] && m->kind == PATTERN_TERM && looks_like_title(a, m) &&
            cue_near(a, tm, n, m, PATTERN_TITLE_CUE, tr->title_window, false))
            cancel(cancels, &n_cancels, m->name, TOPIC_TITLE, NULL, NULL);
    }

    double score = 0, uncancelled = 0, lost[TOPIC_BELOW_THRESHOLD + 1] = {0};
    bool named = false; /* a counted named mention so far, in reading order */
    double from_references = 0;
    for (size_t i = 0; i < n; i++) {
        struct match *m = tm[i];
        if (!m->counted)
            continue;
        double full = m->weight * tr->weight[m->where];
        m->reason = TOPIC_COUNTED;
        m->score = full;
        const struct cancel *c = cancelled(cancels, n_cancels, m->name);
        if (m->kind == PATTERN_REFERENCE && !named) {
            m->reason = TOPIC_NO_NAME_BEFORE;
            full = 0;
        } else if (m->kind == PATTERN_REFERENCE) {
            /* references add at most half the threshold: they say more of a named subject,
             * they do not make one */
            double room = tr->threshold / 2 - from_references;
            m->score = full = full < room ? full : room > 0 ? room : 0;
            from_references += full;
        } else if (c) {
            m->reason = c->reason;
            m->veto = c->veto;
            m->defined_as = c->defined_as;
        } else if (tr->needs_context && m->kind == PATTERN_TERM && !context_near(tr, a, tm, n, m)) {
            m->reason = TOPIC_NO_CONTEXT;
        }
        if (m->reason == TOPIC_COUNTED && m->where == TOPIC_IN_HEADLINE && any[PATTERN_HEDGE_CUE] &&
            cue_near(a, tm, n, m, PATTERN_HEDGE_CUE, tr->hedge_window, true)) {
            m->reason = TOPIC_HEDGED;
            m->score = m->weight * tr->weight[TOPIC_IN_BODY];
        }
        uncancelled += full;
        if (m->reason == TOPIC_COUNTED || m->reason == TOPIC_HEDGED) {
            score += m->score;
            lost[m->reason] += full - m->score;
            named |= m->kind != PATTERN_REFERENCE;
        } else {
            m->score = 0;
            lost[m->reason] += full;
        }
    }
    hit->id = tr->id;
    hit->threshold = tr->threshold;
    hit->score = score;
    hit->uncancelled = uncancelled;
    hit->paragraph_score = tr->paragraph_threshold > 0 ? best_paragraph(tr, a, tm, n) : 0;
    hit->tagged = (score >= tr->threshold && score > 0) ||
                  (tr->paragraph_threshold > 0 && hit->paragraph_score >= tr->paragraph_threshold);
    hit->reason = hit->tagged ? TOPIC_COUNTED : TOPIC_BELOW_THRESHOLD;
    for (int r = TOPIC_VETOED; !hit->tagged && r < TOPIC_BELOW_THRESHOLD; r++)
        if (lost[r] > 0 && score + lost[r] >= tr->threshold &&
            (hit->reason == TOPIC_BELOW_THRESHOLD || lost[r] > lost[hit->reason]))
            hit->reason = (enum topic_reason)r;

    /* The evidence: by name, in order of first occurrence. */
    hit->evidence = xcalloc(n + 1, sizeof *hit->evidence);
    hit->n_evidence = 0;
    for (size_t i = 0; i < n; i++) {
        const struct match *m = tm[i];
        if (!m->counted)
            continue;
        struct topic_evidence *e = NULL;
        for (size_t k = 0; k < hit->n_evidence && !e; k++)
            if (hit->evidence[k].term == m->name || strcmp(hit->evidence[k].term, m->name) == 0)
                e = &hit->evidence[k];
        if (!e) {
            e = &hit->evidence[hit->n_evidence++];
            *e = (struct topic_evidence){
                .term = m->name, .first_where = m->where, .first_offset = m->start};
        }
        if (m->reason == TOPIC_COUNTED || m->reason == TOPIC_HEDGED)
            e->count++;
        else
            e->rejected++;
        if (m->reason != TOPIC_COUNTED && e->reason == TOPIC_COUNTED) {
            e->reason = m->reason;
            e->veto = m->veto;
            e->defined_as = m->defined_as ? xstrdup(m->defined_as) : NULL;
        }
    }
    for (size_t i = 0; i < n_cancels; i++)
        free(cancels[i].defined_as);
    free(cancels);
}

/* --- Results --------------------------------------------------------------------------- */

void topic_hit_free(struct topic_hit *h)
{
    for (size_t i = 0; i < h->n_evidence; i++)
        free(h->evidence[i].defined_as);
    free(h->evidence);
}

void topic_result_free(struct topic_result *r)
{
    for (size_t i = 0; i < r->n_hits; i++)
        topic_hit_free(&r->hits[i]);
    free(r->hits);
    memset(r, 0, sizeof *r);
}

/* True when id appears as a whole item of the comma-separated list. */
static bool in_id_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, id, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

void topic_result_keep_only(struct topic_result *r, const char *list)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->n_hits; i++) {
        if (in_id_list(list, r->hits[i].id)) {
            r->hits[kept++] = r->hits[i];
        } else {
            topic_hit_free(&r->hits[i]);
        }
    }
    r->n_hits = kept;
}

const char *topic_where_name(enum topic_where w)
{
    return w == TOPIC_IN_HEADLINE ? "headline" : w == TOPIC_IN_LEAD ? "lead" : "body";
}

const char *topic_reason_name(enum topic_reason reason)
{
    static const char *const names[] = {"counted",        "veto",           "defined otherwise",
                                        "title",          "no context",     "hedged",
                                        "no name before", "below threshold"};
    return (unsigned)reason < ARRAY_LEN(names) ? names[reason] : "?";
}

static json_t *evidence_json(const struct topic_evidence *ev, bool full)
{
    json_t *item =
        json_pack("{s:s, s:i, s:s, s:I}", "term", ev->term, "count", (int)ev->count, "where",
                  topic_where_name(ev->first_where), "offset", (json_int_t)ev->first_offset);
    if (full && ev->rejected)
        json_object_set_new(item, "rejected", json_integer(ev->rejected));
    if (full && ev->reason != TOPIC_COUNTED)
        json_object_set_new(item, "reason", json_string(topic_reason_name(ev->reason)));
    if (ev->veto)
        json_object_set_new(item, "veto", json_string(ev->veto));
    if (full && ev->defined_as)
        json_object_set_new(item, "defined_as", json_string(ev->defined_as));
    return item;
}

json_t *topic_result_to_json(const struct topic_result *r)
{
    json_t *topics = json_array();
    for (size_t i = 0; i < r->n_hits; i++) {
        const struct topic_hit *h = &r->hits[i];
        json_t *evidence = json_array();
        for (size_t e = 0; e < h->n_evidence; e++)
            if (h->evidence[e].count > 0) /* only rejected: it did not fire */
                json_array_append_new(evidence, evidence_json(&h->evidence[e], false));
        json_array_append_new(topics, json_pack("{s:s, s:f, s:o}", "id", h->id, "score", h->score,
                                                "evidence", evidence));
    }
    return topics;
}

json_t *topic_result_to_json_full(const struct topic_result *r)
{
    json_t *topics = json_array();
    for (size_t i = 0; i < r->n_hits; i++) {
        const struct topic_hit *h = &r->hits[i];
        json_t *evidence = json_array();
        for (size_t e = 0; e < h->n_evidence; e++)
            json_array_append_new(evidence, evidence_json(&h->evidence[e], true));
        json_array_append_new(
            topics, json_pack("{s:s, s:f, s:f, s:b, s:s, s:o}", "id", h->id, "score", h->score,
                              "threshold", h->threshold, "tagged", h->tagged, "reason",
                              topic_reason_name(h->reason), "evidence", evidence));
    }
    return topics;
}
