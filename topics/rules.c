/* rules.c: loads topic rules from JSON (Jansson), expands each written term into its
 * spellings ({a|b} choices, separators, dotted acronyms), and builds the one automaton
 * that matches every term of every topic in one pass.
 *
 * Errors name the file and line: Jansson's own for syntax, and for a wrong value
 * the line where that value stands in the file. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/rules_internal.h"

static unsigned line_of(const char *source, const char *needle)
{
    const char *hit = needle ? strstr(source, needle) : NULL;
    if (!hit)
        return 1;
    unsigned line = 1;
    for (const char *p = source; p < hit; p++)
        line += *p == '\n';
    return line;
}

/* Returns the normalised, case-folded form of a term for the automaton. Caller frees. */
static char *fold_term(const char *term, size_t *len)
{
    struct normalized n;
    topics_normalize_text(term, strlen(term), &n);
    char *out = xstrndup(n.folded, n.len);
    *len = n.len;
    topics_normalized_free(&n);
    return out;
}

struct loader {
    struct topic_rules *rules;
    const char *source;
    const char *name;
    char *err;
    size_t errlen;
    /* The patterns so far by spelling (open addressing: index + 1, 0 empty), so that a
     * spelling a topic has already is not added twice. */
    uint32_t *seen;
    size_t seen_cap;
};

static uint64_t spelling_hash(const struct pattern *p)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)p->topic ^ ((uint64_t)p->kind << 32) ^
                 ((uint64_t)(uint32_t)p->near << 40) ^ ((uint64_t)p->exact_case << 63);
    for (size_t i = 0; i < p->folded_len; i++)
        h = (h ^ (unsigned char)p->folded[i]) * 1099511628211ull;
    return h;
}

static bool same_spelling(const struct pattern *a, const struct pattern *b)
{
    return a->topic == b->topic && a->kind == b->kind && a->near == b->near &&
           a->exact_case == b->exact_case && a->folded_len == b->folded_len &&
           memcmp(a->folded, b->folded, a->folded_len) == 0 &&
           (!a->exact_case || strcmp(a->cased, b->cased) == 0);
}

/* The slot of p's spelling in the table: where it is, or the empty one where it would go. */
static size_t seen_slot(const struct loader *ld, const struct pattern *p)
{
    size_t mask = ld->seen_cap - 1, at = (size_t)spelling_hash(p) & mask;
    while (ld->seen[at] && !same_spelling(&ld->rules->patterns[ld->seen[at] - 1], p))
        at = (at + 1) & mask;
    return at;
}

/* Records the last pattern's spelling; false (and the pattern dropped) when it was there. */
static bool note_spelling(struct loader *ld)
{
    struct topic_rules *r = ld->rules;
    if (2 * r->n_patterns > ld->seen_cap) { /* grow, and put every pattern back */
        free(ld->seen);
        ld->seen_cap = ld->seen_cap ? 2 * ld->seen_cap : 256;
        ld->seen = xcalloc(ld->seen_cap, sizeof *ld->seen);
        for (size_t i = 0; i + 1 < r->n_patterns; i++)
            ld->seen[seen_slot(ld, &r->patterns[i])] = (uint32_t)(i + 1);
    }
    struct pattern *p = &r->patterns[r->n_patterns - 1];
    size_t at = seen_slot(ld, p);
    if (ld->seen[at])
        return false;
    ld->seen[at] = (uint32_t)r->n_patterns;
    return true;
}

static int fail_at(struct loader *ld, const char *near, const char *fmt, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what);
    return set_err(ld->err, ld->errlen, "%s:%u: %s", ld->name, line_of(ld->source, near), msg);
}

/* How a term is written and what it may match: the settings of a term object. */
struct term_spec {
    bool exact_case, plural, possessive, separators, acronym;
    double weight;
    enum pattern_kind kind;
    int near;
};

static int add_pattern(struct loader *ld, int topic, const char *text, const char *name,
                       const struct term_spec *spec)
{
    struct topic_rules *r = ld->rules;
    if (!text || !*text)
        return fail_at(ld, name, "%s", "a term is empty");
    size_t folded_len;
    char *folded = fold_term(text, &folded_len);
    if (folded_len == 0) {
        free(folded);
        return fail_at(ld, name, "term '%s' is empty after normalisation", name);
    }
    if (folded_len > TERM_MAX_BYTES) {
        free(folded);
        return fail_at(ld, name, "term '%.60s...' is too long", name);
    }
    if (r->pattern_bytes + folded_len > RULES_MAX_TERM_BYTES) {
        free(folded);
        return fail_at(ld, name, "the terms' spellings come to more than 1 MiB at '%.60s'", name);
    }
    r->pattern_bytes += folded_len;
    if (r->n_patterns == r->cap_patterns) {
        r->cap_patterns = r->cap_patterns ? r->cap_patterns * 2 : 64;
        r->patterns = xrealloc(r->patterns, r->cap_patterns * sizeof *r->patterns);
    }
    struct pattern *p = &r->patterns[r->n_patterns++];
    memset(p, 0, sizeof *p);
    p->topic = topic;
    p->text = xstrdup(text);
    p->name = xstrdup(name);
    p->folded = folded;
    p->folded_len = folded_len;
    struct normalized cased;
    topics_normalize_text(text, strlen(text), &cased);
    p->cased = xstrndup(cased.cased, cased.len);
    topics_normalized_free(&cased);
    p->exact_case = spec->exact_case;
    p->plural = spec->plural;
    p->possessive = spec->possessive;
    p->weight = spec->weight;
    p->kind = spec->kind;
    p->near = spec->near;
    p->acronym = spec->acronym;
    if (!note_spelling(ld)) { /* a spelling the topic has already would match twice */
        r->pattern_bytes -= folded_len;
        free(p->text);
        free(p->name);
        free(p->folded);
        free(p->cased);
        r->n_patterns--;
    }
    return 0;
}

/* A term as written stands for this many spellings at most. */
#define MAX_SPELLINGS 1024

/* The spellings a written term stands for: each {a|b|c} one of its choices; with
 * separators, each space or hyphen between words a hyphen, a space or nothing; with
 * acronym, an all-letter spelling also with dots ("T.T.P." and "T.T.P"). */
struct spellings {
    char **item;
    size_t n, cap;
};

static void spellings_add(struct spellings *sp, const char *s, size_t len)
{
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 8;
        sp->item = xrealloc(sp->item, sp->cap * sizeof *sp->item);
    }
    sp->item[sp->n++] = xstrndup(s, len);
}

static void spellings_free(struct spellings *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        free(sp->item[i]);
    free(sp->item);
}

/* The choices of the alternation at written[i] ('{' there), or of a separator; *after is
 * where the text goes on. Returns the number of choices, or 0 for a plain byte. */
static size_t choices_at(const char *w, size_t i, bool separators, const char **first,
                         size_t *after)
{
    if (w[i] == '{') {
        const char *close = strchr(w + i, '}');
        if (!close)
            return SIZE_MAX;
        *first = w + i + 1;
        *after = (size_t)(close - w) + 1;
        size_t n = 1;
        for (const char *c = w + i + 1; c < close; c++)
            n += *c == '|';
        return n;
    }
    if (separators && (w[i] == ' ' || w[i] == '-') && i > 0 && w[i + 1] && w[i + 1] != ' ' &&
        w[i + 1] != '-' && w[i - 1] != ' ' && w[i - 1] != '-') {
        *first = "-| |";
        *after = i + 1;
        return 3;
    }
    return 0;
}

/* Appends every spelling of written[i..] to prefix (a buffer of prefix_len bytes). */
static int expand_from(const char *w, size_t i, bool separators, char *prefix, size_t prefix_len,
                       struct spellings *out)
{
    for (; w[i]; i++) {
        const char *first;
        size_t after;
        size_t n = choices_at(w, i, separators, &first, &after);
        if (n == SIZE_MAX || w[i] == '}' || w[i] == '|')
            return -1; /* unbalanced */
        if (n == 0) {
            if (prefix_len >= 4 * TERM_MAX_BYTES)
                return -2;
            prefix[prefix_len++] = w[i];
            continue;
        }
        const char *choice = first;
        for (size_t c = 0; c < n; c++) {
            size_t clen = strcspn(choice, "|}");
            if (w[i] == '{' && memchr(choice, '{', clen))
                return -1; /* no nesting */
            if (prefix_len + clen >= 4 * TERM_MAX_BYTES)
                return -2;
            memcpy(prefix + prefix_len, choice, clen);
            int rc = expand_from(w, after, separators, prefix, prefix_len + clen, out);
            if (rc < 0)
                return rc;
            choice += clen + 1;
        }
        return 0;
    }
    if (out->n >= MAX_SPELLINGS)
        return -3;
    spellings_add(out, prefix, prefix_len);
    return 0;
}

static void add_dotted(struct spellings *sp)
{
    size_t n = sp->n;
    for (size_t i = 0; i < n; i++) {
        const char *s = sp->item[i];
        size_t len = strlen(s);
        bool letters = len >= 2 && len <= 8;
        for (size_t k = 0; k < len && letters; k++)
            letters = (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z');
        if (!letters)
            continue;
        char dotted[17];
        for (size_t k = 0; k < len; k++) {
            dotted[2 * k] = s[k];
            dotted[2 * k + 1] = '.';
        }
        spellings_add(sp, dotted, 2 * len);     /* T.T.P. */
        spellings_add(sp, dotted, 2 * len - 1); /* T.T.P */
    }
}

/* One written term (or alias) with all its spellings. */
static int add_written(struct loader *ld, int topic, const char *written,
                       const struct term_spec *spec)
{
    if (!written || !*written)
        return fail_at(ld, written, "%s", "a term is empty");
    if (strlen(written) > 4 * TERM_MAX_BYTES) /* (and so few enough choices to recurse on) */
        return fail_at(ld, written, "term '%.60s...' is too long", written);
    struct spellings sp = {0};
    char *buf = xmalloc(4 * TERM_MAX_BYTES + 1);
    int rc = expand_from(written, 0, spec->separators, buf, 0, &sp);
    free(buf);
    if (rc == -1)
        rc = fail_at(ld, written,
                     "term '%s': a '{' needs a '}', with choices split by '|' "
                     "and no '{' inside",
                     written);
    else if (rc == -2)
        rc = fail_at(ld, written, "term '%.60s...' is too long", written);
    else if (rc == -3)
        rc = fail_at(ld, written, "term '%s' has too many spellings (at most 1024)", written);
    if (rc == 0 && spec->acronym)
        add_dotted(&sp);
    for (size_t i = 0; i < sp.n && rc == 0; i++)
        rc = add_pattern(ld, topic, sp.item[i], sp.item[0], spec);
    spellings_free(&sp);
    return rc;
}

static bool get_bool(json_t *obj, const char *key, bool fallback)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

/* Strings, or term objects {term, aliases, case, weight, plural, possessive, separators,
 * acronym}, of one kind. A veto or cue string also matches its plural. */
static int load_terms(struct loader *ld, int topic, json_t *terms, enum pattern_kind kind, int near,
                      const char *key)
{
    if (terms && !json_is_array(terms))
        return fail_at(ld, key, "\"%s\" must be a list", key);
    size_t i;
    json_t *t;
    json_array_foreach(terms, i, t)
    {
        struct term_spec spec = {.possessive = true,
                                 .weight = 1.0,
                                 .kind = kind,
                                 .near = near,
                                 .plural = kind != PATTERN_TERM && kind != PATTERN_CONTEXT &&
                                           kind != PATTERN_REFERENCE};
        const char *text = json_string_value(t);
        if (text) {
            if (add_written(ld, topic, text, &spec) < 0)
                return -1;
            continue;
        }
        if (!json_is_object(t))
            return fail_at(ld, key, "%s", "each term must be a string or an object");
        text = json_string_value(json_object_get(t, "term"));
        if (!text)
            return fail_at(ld, "\"term\"", "%s", "a term object needs \"term\": \"...\"");
        const char *case_rule = json_string_value(json_object_get(t, "case"));
        if (case_rule && strcmp(case_rule, "exact") != 0 && strcmp(case_rule, "ignore") != 0)
            return fail_at(ld, case_rule, "case must be \"exact\" or \"ignore\", not '%s'",
                           case_rule);
        spec.exact_case = case_rule && strcmp(case_rule, "exact") == 0;
        json_t *w = json_object_get(t, "weight");
        spec.weight = w ? json_number_value(w) : 1.0;
        if (w && (!json_is_number(w) || spec.weight <= 0))
            return fail_at(ld, text, "term '%s' needs a positive weight", text);
        spec.plural = get_bool(t, "plural", spec.plural);
        spec.possessive = get_bool(t, "possessive", true);
        spec.separators = get_bool(t, "separators", false);
        spec.acronym = get_bool(t, "acronym", false);
        if (add_written(ld, topic, text, &spec) < 0)
            return -1;
        size_t k;
        json_t *alias;
        json_array_foreach(json_object_get(t, "aliases"), k, alias)
        {
            if (!json_is_string(alias))
                return fail_at(ld, text, "the aliases of '%s' must be strings", text);
            if (add_written(ld, topic, json_string_value(alias), &spec) < 0)
                return -1;
        }
    }
    return 0;
}

/* A whole number of characters or words at key (fallback when absent); -1 on error. */
static int get_count(struct loader *ld, json_t *obj, const char *key, const char *id,
                     size_t fallback, size_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = fallback;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000) {
        char what[160];
        snprintf(what, sizeof what, "topic '%s': %s", id, key);
        return fail_at(ld, key, "%s must be a whole number", what);
    }
    *out = (size_t)json_integer_value(v);
    return 0;
}

/* "near": [{"name", "words": [...], "with": [...], "within": N, "weight": W}]. */
static int load_near(struct loader *ld, int topic, json_t *list, const char *id)
{
    struct topic_rule *tr = &ld->rules->topics[topic];
    if (!list)
        return 0;
    if (!json_is_array(list))
        return fail_at(ld, "\"near\"", "topic '%s': \"near\" must be a list", id);
    tr->near = xcalloc(json_array_size(list) + 1, sizeof *tr->near);
    size_t i;
    json_t *n;
    json_array_foreach(list, i, n)
    {
        json_t *words = json_object_get(n, "words"), *with = json_object_get(n, "with");
        if (!json_is_object(n) || json_array_size(words) == 0 || json_array_size(with) == 0)
            return fail_at(ld, "\"near\"",
                           "topic '%s': a near rule needs \"words\" and "
                           "\"with\" lists",
                           id);
        struct near_rule *nr = &tr->near[tr->n_near++];
        size_t within;
        if (get_count(ld, n, "within", id, 3, &within) < 0)
            return -1;
        nr->within = (unsigned)within;
        json_t *w = json_object_get(n, "weight");
        nr->weight = w ? json_number_value(w) : 1.0;
        if (w && (!json_is_number(w) || nr->weight <= 0))
            return fail_at(ld, "\"near\"", "topic '%s': a near rule needs a positive weight", id);
        const char *name = json_string_value(json_object_get(n, "name"));
        char made[160];
        if (!name) {
            snprintf(made, sizeof made, "%s ~%u %s",
                     json_string_value(json_array_get(words, 0))
                         ? json_string_value(json_array_get(words, 0))
                         : "?",
                     nr->within,
                     json_string_value(json_array_get(with, 0))
                         ? json_string_value(json_array_get(with, 0))
                         : "?");
            name = made;
        }
        nr->name = xstrdup(name);
        if (load_terms(ld, topic, words, PATTERN_NEAR_WORD, (int)i, "words") < 0 ||
            load_terms(ld, topic, with, PATTERN_NEAR_WITH, (int)i, "with") < 0)
            return -1;
    }
    return 0;
}

/* "titles" / "hedges": {"cues": [...], "within": N}. */
static int load_cues(struct loader *ld, int topic, json_t *t, const char *key,
                     enum pattern_kind kind, unsigned *window, const char *id)
{
    json_t *obj = json_object_get(t, key);
    if (!obj)
        return 0;
    if (!json_is_object(obj))
        return fail_at(ld, key, "topic '%s': this needs {\"cues\": [...], \"within\": N}", id);
    size_t within;
    if (get_count(ld, obj, "within", id, 4, &within) < 0)
        return -1;
    *window = (unsigned)within;
    return load_terms(ld, topic, json_object_get(obj, "cues"), kind, -1, "cues");
}

static int load_topic(struct loader *ld, json_t *t, int index)
{
    struct topic_rule *tr = &ld->rules->topics[index];
    const char *id = json_string_value(json_object_get(t, "id"));
    if (!id || !*id)
        return fail_at(ld, "\"topics\"", "%s", "every topic needs an \"id\" string");
    for (int k = 0; k < index; k++)
        if (strcmp(ld->rules->topics[k].id, id) == 0)
            return fail_at(ld, id, "topic '%s' is defined twice", id);
    tr->id = xstrdup(id);
    json_t *threshold = json_object_get(t, "threshold");
    tr->threshold = threshold ? json_number_value(threshold) : 3.0;
    if (threshold && !json_is_number(threshold))
        return fail_at(ld, id, "topic '%s': threshold must be a number", id);
    json_t *paragraph = json_object_get(t, "paragraph_threshold");
    tr->paragraph_threshold = paragraph ? json_number_value(paragraph) : 0;
    if (paragraph && (!json_is_number(paragraph) || tr->paragraph_threshold < 0))
        return fail_at(ld, id, "topic '%s': paragraph_threshold must be a number", id);
    if (get_count(ld, t, "veto_window", id, 60, &tr->veto_window) < 0 ||
        get_count(ld, t, "context_window", id, 0, &tr->context_window) < 0)
        return -1;
    json_t *weights = json_object_get(t, "weights");
    tr->weight[TOPIC_IN_HEADLINE] = 3;
    tr->weight[TOPIC_IN_LEAD] = 2;
    tr->weight[TOPIC_IN_BODY] = 1;
    static const char *const where_names[] = {"headline", "lead", "body"};
    for (int w = 0; w < 3; w++) {
        json_t *v = json_object_get(weights, where_names[w]);
        if (v && !json_is_number(v))
            return fail_at(ld, where_names[w], "weight for %s must be a number", where_names[w]);
        if (v)
            tr->weight[w] = json_number_value(v);
    }
    json_t *terms = json_object_get(t, "terms");
    if (!json_is_array(terms) || json_array_size(terms) == 0)
        return fail_at(ld, id, "topic '%s' needs a non-empty \"terms\" list", id);
    if (load_terms(ld, index, terms, PATTERN_TERM, -1, "terms") < 0 ||
        load_terms(ld, index, json_object_get(t, "references"), PATTERN_REFERENCE, -1,
                   "references") < 0 ||
        load_terms(ld, index, json_object_get(t, "veto"), PATTERN_VETO, -1, "veto") < 0 ||
        load_terms(ld, index, json_object_get(t, "context"), PATTERN_CONTEXT, -1, "context") < 0 ||
        load_near(ld, index, json_object_get(t, "near"), id) < 0 ||
        load_cues(ld, index, t, "titles", PATTERN_TITLE_CUE, &tr->title_window, id) < 0 ||
        load_cues(ld, index, t, "hedges", PATTERN_HEDGE_CUE, &tr->hedge_window, id) < 0)
        return -1;
    tr->needs_context = json_array_size(json_object_get(t, "context")) > 0 ||
                        json_array_size(json_object_get(t, "context_topics")) > 0;
    return 0;
}

/* "context_topics": ids of topics whose terms count as this topic's context (after all
 * topics are loaded: they may come later in the file). */
static int load_context_topics(struct loader *ld, json_t *t, int index)
{
    struct topic_rules *r = ld->rules;
    json_t *list = json_object_get(t, "context_topics");
    if (!list)
        return 0;
    const char *id = r->topics[index].id;
    if (!json_is_array(list))
        return fail_at(ld, "context_topics", "topic '%s': context_topics must be a list of ids",
                       id);
    r->topics[index].context_topic = xcalloc(r->n_topics, sizeof *r->topics[index].context_topic);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *other = json_string_value(v);
        size_t k = 0;
        while (other && k < r->n_topics && strcmp(r->topics[k].id, other) != 0)
            k++;
        if (!other || k == r->n_topics)
            return fail_at(ld, "context_topics",
                           "topic '%s': context_topics names a topic "
                           "the rules do not define",
                           id);
        r->topics[index].context_topic[k] = true;
    }
    return 0;
}

int topic_rules_parse(const char *json_text, const char *name, struct topic_rules **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loads(json_text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return set_err(err, errlen, "%s:%d: %s", name, jerr.line, jerr.text);
    struct topic_rules *r = xcalloc(1, sizeof *r);
    struct loader ld = {
        .rules = r, .source = json_text, .name = name, .err = err, .errlen = errlen};
    int rc = 0;
    json_t *topics = json_object_get(root, "topics");
    json_t *lead = json_object_get(root, "lead_chars");
    r->lead_chars = lead ? (size_t)json_integer_value(lead) : 400;
    if (!json_is_object(root) || !json_is_array(topics))
        rc = fail_at(&ld, "{", "%s", "expected an object with a \"topics\" list");
    else if (lead && (!json_is_integer(lead) || json_integer_value(lead) < 0))
        rc = fail_at(&ld, "lead_chars", "%s", "lead_chars must be a whole number");
    if (rc == 0) {
        r->n_topics = json_array_size(topics);
        r->topics = xcalloc(r->n_topics ? r->n_topics : 1, sizeof *r->topics);
        size_t i;
        json_t *t;
        json_array_foreach(topics, i, t)
        {
            if (!json_is_object(t)) {
                rc = fail_at(&ld, "\"topics\"", "%s", "each topic must be an object");
                break;
            }
            if ((rc = load_topic(&ld, t, (int)i)) < 0)
                break;
        }
        json_array_foreach(topics, i, t)
        {
            if (rc < 0 || (rc = load_context_topics(&ld, t, (int)i)) < 0)
                break;
        }
    }
    json_decref(root);
    free(ld.seen);
    if (rc < 0) {
        topic_rules_free(r);
        return -1;
    }
    topics_matcher_build(r);
    prefilter_build(r);
    *out = r;
    return 0;
}

int topic_rules_load(const char *path, struct topic_rules **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return set_err(err, errlen, "%s:0: cannot open topic rules", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0 || size > 16L * 1024 * 1024) {
        fclose(f);
        return set_err(err, errlen, "%s:0: not a readable file under 16 MiB", path);
    }
    char *text = xmalloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, f);
    fclose(f);
    text[got] = '\0';
    int rc = topic_rules_parse(text, path, out, err, errlen);
    free(text);
    return rc;
}

void topic_rules_free(struct topic_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_topics; i++) {
        free(r->topics[i].id);
        for (size_t k = 0; k < r->topics[i].n_near; k++)
            free(r->topics[i].near[k].name);
        free(r->topics[i].near);
        free(r->topics[i].context_topic);
    }
    free(r->topics);
    for (size_t i = 0; i < r->n_patterns; i++) {
        free(r->patterns[i].text);
        free(r->patterns[i].name);
        free(r->patterns[i].folded);
        free(r->patterns[i].cased);
    }
    free(r->patterns);
    topics_matcher_free(r);
    prefilter_free(r);
    free(r);
}

size_t topic_rules_count(const struct topic_rules *r)
{
    return r->n_topics;
}

const char *topic_rules_unknown_id(const struct topic_rules *r, const char *list)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        bool defined = false;
        for (size_t t = 0; t < r->n_topics && !defined; t++)
            defined = strlen(r->topics[t].id) == len && strncmp(r->topics[t].id, p, len) == 0;
        if (!defined)
            return p;
        p += len + (p[len] == ',');
    }
    return NULL;
}
