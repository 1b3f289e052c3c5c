/* rules.c: loads topic rules from JSON (Jansson) and builds the one automaton
 * that matches every term of every topic in one pass.
 *
 * Errors name the file and line: Jansson's own for syntax, and for a wrong value
 * the line where that value stands in the file. */
#include <jansson.h>
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
};

static int fail_at(struct loader *ld, const char *near, const char *fmt, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what);
    return set_err(ld->err, ld->errlen, "%s:%u: %s", ld->name, line_of(ld->source, near), msg);
}

static int add_pattern(struct loader *ld, int topic, const char *text, bool exact_case,
                       bool plural, bool possessive, double weight, enum pattern_kind kind,
                       const char *veto_of)
{
    struct topic_rules *r = ld->rules;
    if (!text || !*text)
        return fail_at(ld, veto_of, "%s", "a term is empty");
    if (r->n_patterns == r->cap_patterns) {
        r->cap_patterns = r->cap_patterns ? r->cap_patterns * 2 : 64;
        r->patterns = xrealloc(r->patterns, r->cap_patterns * sizeof *r->patterns);
    }
    struct pattern *p = &r->patterns[r->n_patterns++];
    memset(p, 0, sizeof *p);
    p->topic = topic;
    p->text = xstrdup(text);
    p->folded = fold_term(text, &p->folded_len);
    if (p->folded_len == 0)
        return fail_at(ld, text, "term '%s' is empty after normalisation", text);
    if (p->folded_len > TERM_MAX_BYTES)
        return fail_at(ld, text, "term '%.60s...' is too long", text);
    struct normalized cased;
    topics_normalize_text(text, strlen(text), &cased);
    p->cased = xstrndup(cased.cased, cased.len);
    topics_normalized_free(&cased);
    p->exact_case = exact_case;
    p->plural = plural;
    p->possessive = possessive;
    p->weight = weight;
    p->kind = kind;
    return 0;
}

static bool get_bool(json_t *obj, const char *key, bool fallback)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static int load_terms(struct loader *ld, int topic, json_t *terms, enum pattern_kind kind)
{
    size_t i;
    json_t *t;
    json_array_foreach(terms, i, t) {
        const char *text = json_string_value(t);
        if (text) {
            if (add_pattern(ld, topic, text, false, false, true, 1.0, kind, NULL) < 0)
                return -1;
            continue;
        }
        if (!json_is_object(t))
            return fail_at(ld, kind == PATTERN_TERM ? "\"terms\"" : "\"veto\"", "%s",
                           "each term must be a string or an object");
        text = json_string_value(json_object_get(t, "term"));
        if (!text)
            return fail_at(ld, "\"term\"", "%s", "a term object needs \"term\": \"...\"");
        const char *case_rule = json_string_value(json_object_get(t, "case"));
        if (case_rule && strcmp(case_rule, "exact") != 0 && strcmp(case_rule, "ignore") != 0)
            return fail_at(ld, case_rule, "case must be \"exact\" or \"ignore\", not '%s'", case_rule);
        bool exact = case_rule && strcmp(case_rule, "exact") == 0;
        json_t *w = json_object_get(t, "weight");
        double weight = w ? json_number_value(w) : 1.0;
        if (w && (!json_is_number(w) || weight <= 0))
            return fail_at(ld, text, "term '%s' needs a positive weight", text);
        bool plural = get_bool(t, "plural", false), possessive = get_bool(t, "possessive", true);
        if (add_pattern(ld, topic, text, exact, plural, possessive, weight, kind, NULL) < 0)
            return -1;
        size_t k;
        json_t *alias;
        json_array_foreach(json_object_get(t, "aliases"), k, alias) {
            if (!json_is_string(alias))
                return fail_at(ld, text, "the aliases of '%s' must be strings", text);
            if (add_pattern(ld, topic, json_string_value(alias), exact, plural, possessive, weight,
                            kind, text) < 0)
                return -1;
        }
    }
    return 0;
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
    tr->veto_window = 60;
    json_t *window = json_object_get(t, "veto_window");
    if (window) {
        if (!json_is_integer(window) || json_integer_value(window) < 0)
            return fail_at(ld, id, "topic '%s': veto_window must be a whole number of characters", id);
        tr->veto_window = (size_t)json_integer_value(window);
    }
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
    if (load_terms(ld, index, terms, PATTERN_TERM) < 0 ||
        load_terms(ld, index, json_object_get(t, "veto"), PATTERN_VETO) < 0 ||
        load_terms(ld, index, json_object_get(t, "context"), PATTERN_CONTEXT) < 0)
        return -1;
    tr->needs_context = json_array_size(json_object_get(t, "context")) > 0;
    return 0;
}

int topic_rules_parse(const char *json_text, const char *name, struct topic_rules **out,
                      char *err, size_t errlen)
{
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loads(json_text, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return set_err(err, errlen, "%s:%d: %s", name, jerr.line, jerr.text);
    struct topic_rules *r = xcalloc(1, sizeof *r);
    struct loader ld = {.rules = r, .source = json_text, .name = name, .err = err, .errlen = errlen};
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
        json_array_foreach(topics, i, t) {
            if (!json_is_object(t)) {
                rc = fail_at(&ld, "\"topics\"", "%s", "each topic must be an object");
                break;
            }
            if ((rc = load_topic(&ld, t, (int)i)) < 0)
                break;
        }
    }
    json_decref(root);
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
    for (size_t i = 0; i < r->n_topics; i++)
        free(r->topics[i].id);
    free(r->topics);
    for (size_t i = 0; i < r->n_patterns; i++) {
        free(r->patterns[i].text);
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
