/* validate.c: a small JSON Schema validator for the record schema (see validate.h). */
#include "output/validate.h"

#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "output/record_schema.h" /* generated: RECORD_SCHEMA_JSON */

#define MAX_PATTERNS 32
#define MAX_DEPTH 32

struct schema {
    json_t *root;
    struct compiled_pattern {
        const char *source; /* borrowed from root */
        regex_t re;
    } patterns[MAX_PATTERNS];
    size_t n_patterns;
};

static const char *const known_keywords[] = {
    "$schema", "$id",       "title",   "description", "$defs",      "type",
    "const",   "enum",      "pattern", "required",    "properties", "additionalProperties",
    "items",   "minLength", "minimum", "uniqueItems", "oneOf",      "$ref",
    NULL};

static bool is_known(const char *key)
{
    for (const char *const *k = known_keywords; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

/* Checks the keywords of every subschema and compiles the patterns. */
static int prepare(struct schema *s, json_t *node, int depth, char *err, size_t errlen)
{
    if (depth > MAX_DEPTH)
        return set_err(err, errlen, "schema nested too deeply");
    if (!json_is_object(node))
        return set_err(err, errlen, "a subschema is not an object");
    const char *key;
    json_t *value;
    json_object_foreach(node, key, value)
    {
        if (!is_known(key))
            return set_err(err, errlen, "schema keyword '%s' is not supported", key);
        if (strcmp(key, "pattern") == 0) {
            if (!json_is_string(value) || s->n_patterns == MAX_PATTERNS)
                return set_err(err, errlen, "bad or too many patterns");
            struct compiled_pattern *p = &s->patterns[s->n_patterns];
            p->source = json_string_value(value);
            if (regcomp(&p->re, p->source, REG_EXTENDED | REG_NOSUB) != 0)
                return set_err(err, errlen, "pattern '%s' does not compile", p->source);
            s->n_patterns++;
        } else if (strcmp(key, "properties") == 0 || strcmp(key, "$defs") == 0) {
            const char *name;
            json_t *sub;
            json_object_foreach(value, name,
                                sub) if (prepare(s, sub, depth + 1, err, errlen) < 0) return -1;
        } else if (strcmp(key, "items") == 0) {
            if (prepare(s, value, depth + 1, err, errlen) < 0)
                return -1;
        } else if (strcmp(key, "oneOf") == 0) {
            size_t i;
            json_t *sub;
            json_array_foreach(value, i,
                               sub) if (prepare(s, sub, depth + 1, err, errlen) < 0) return -1;
        }
    }
    return 0;
}

struct schema *schema_load(const char *json_text, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loads(json_text, 0, &jerr);
    if (!root) {
        set_err(err, errlen, "schema line %d: %s", jerr.line, jerr.text);
        return NULL;
    }
    struct schema *s = xcalloc(1, sizeof *s);
    s->root = root;
    if (prepare(s, root, 0, err, errlen) < 0) {
        schema_free(s);
        return NULL;
    }
    return s;
}

struct schema *schema_load_record(char *err, size_t errlen)
{
    return schema_load(RECORD_SCHEMA_JSON, err, errlen);
}

void schema_free(struct schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_patterns; i++)
        regfree(&s->patterns[i].re);
    json_decref(s->root);
    free(s);
}

/* The error path: "/feed/url", "/topics/0/score". */
struct path {
    char text[512];
    size_t len;
};

static size_t path_push(struct path *p, const char *part)
{
    size_t old = p->len;
    int n = snprintf(p->text + p->len, sizeof p->text - p->len, "/%s", part);
    if (n > 0)
        p->len = p->len + (size_t)n < sizeof p->text ? p->len + (size_t)n : sizeof p->text - 1;
    return old;
}

static void path_pop(struct path *p, size_t old)
{
    p->len = old;
    p->text[old] = '\0';
}

static int fail(char *err, size_t errlen, const struct path *p, const char *reason)
{
    return set_err(err, errlen, "at %s: %s", p->len ? p->text : "/", reason);
}

static bool type_matches(const json_t *v, const char *type)
{
    if (strcmp(type, "object") == 0)
        return json_is_object(v);
    if (strcmp(type, "array") == 0)
        return json_is_array(v);
    if (strcmp(type, "string") == 0)
        return json_is_string(v);
    if (strcmp(type, "integer") == 0)
        return json_is_integer(v);
    if (strcmp(type, "number") == 0)
        return json_is_number(v);
    if (strcmp(type, "boolean") == 0)
        return json_is_boolean(v);
    if (strcmp(type, "null") == 0)
        return json_is_null(v);
    return false;
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check(const struct schema *s, const json_t *node, const json_t *v, struct path *p,
                 int depth, char *err, size_t errlen);

static const json_t *resolve_ref(const struct schema *s, const char *ref)
{
    if (strncmp(ref, "#/$defs/", 8) != 0)
        return NULL;
    return json_object_get(json_object_get(s->root, "$defs"), ref + 8);
}

static int check_object(const struct schema *s, const json_t *node, const json_t *v, struct path *p,
                        int depth, char *err, size_t errlen)
{
    const json_t *required = json_object_get(node, "required");
    size_t i;
    const json_t *name;
    json_array_foreach(required, i, name)
    {
        if (!json_object_get(v, json_string_value(name))) {
            char reason[160];
            snprintf(reason, sizeof reason, "required member '%s' is missing",
                     json_string_value(name));
            return fail(err, errlen, p, reason);
        }
    }
    const json_t *properties = json_object_get(node, "properties");
    bool closed = json_is_false(json_object_get(node, "additionalProperties"));
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member)
    {
        const json_t *sub = json_object_get(properties, key);
        size_t old = path_push(p, key);
        int rc = 0;
        if (sub)
            rc = check(s, sub, member, p, depth + 1, err, errlen);
        else if (closed)
            rc = fail(err, errlen, p, "member not allowed by the schema");
        path_pop(p, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int check_array(const struct schema *s, const json_t *node, const json_t *v, struct path *p,
                       int depth, char *err, size_t errlen)
{
    const json_t *items = json_object_get(node, "items");
    bool unique = json_is_true(json_object_get(node, "uniqueItems"));
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char index[32];
        snprintf(index, sizeof index, "%zu", i);
        size_t old = path_push(p, index);
        int rc = items ? check(s, items, item, p, depth + 1, err, errlen) : 0;
        for (size_t k = 0; rc == 0 && unique && k < i; k++)
            if (json_equal(item, json_array_get(v, k)))
                rc = fail(err, errlen, p, "repeats an earlier item (uniqueItems)");
        path_pop(p, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int check(const struct schema *s, const json_t *node, const json_t *v, struct path *p,
                 int depth, char *err, size_t errlen)
{
    if (depth > MAX_DEPTH)
        return fail(err, errlen, p, "value nested too deeply");
    const json_t *ref = json_object_get(node, "$ref");
    if (ref) {
        const json_t *target = resolve_ref(s, json_string_value(ref));
        if (!target)
            return fail(err, errlen, p, "schema $ref does not resolve");
        if (check(s, target, v, p, depth + 1, err, errlen) < 0)
            return -1;
    }
    const json_t *type = json_object_get(node, "type");
    if (type) {
        bool ok = false;
        if (json_is_string(type)) {
            ok = type_matches(v, json_string_value(type));
        } else {
            size_t i;
            json_t *t;
            json_array_foreach(type, i, t) ok = ok || type_matches(v, json_string_value(t));
        }
        if (!ok)
            return fail(err, errlen, p, "wrong type");
    }
    const json_t *constant = json_object_get(node, "const");
    if (constant && !json_equal(constant, v))
        return fail(err, errlen, p, "differs from the constant the schema requires");
    const json_t *choices = json_object_get(node, "enum");
    if (choices) {
        bool found = false;
        size_t i;
        json_t *c;
        json_array_foreach(choices, i, c) found = found || json_equal(c, v);
        if (!found)
            return fail(err, errlen, p, "not one of the allowed values");
    }
    const json_t *pattern = json_object_get(node, "pattern");
    if (pattern && json_is_string(v)) {
        for (size_t i = 0; i < s->n_patterns; i++)
            if (s->patterns[i].source == json_string_value(pattern) &&
                regexec(&s->patterns[i].re, json_string_value(v), 0, NULL, 0) != 0)
                return fail(err, errlen, p, "does not match the schema's pattern");
    }
    const json_t *min_length = json_object_get(node, "minLength");
    if (min_length && json_is_string(v) &&
        utf8_length(json_string_value(v)) < (size_t)json_integer_value(min_length))
        return fail(err, errlen, p, "shorter than minLength");
    const json_t *minimum = json_object_get(node, "minimum");
    if (minimum && json_is_number(v) && json_number_value(v) < json_number_value(minimum))
        return fail(err, errlen, p, "below the minimum");
    const json_t *one_of = json_object_get(node, "oneOf");
    if (one_of) {
        size_t matches = 0, i;
        json_t *sub;
        char ignored[8];
        json_array_foreach(one_of, i, sub) matches +=
            check(s, sub, v, p, depth + 1, ignored, sizeof ignored) == 0;
        if (matches != 1)
            return fail(err, errlen, p,
                        matches ? "matches more than one oneOf choice"
                                : "matches none of the oneOf choices");
    }
    if (json_is_object(v) && check_object(s, node, v, p, depth, err, errlen) < 0)
        return -1;
    if (json_is_array(v) && check_array(s, node, v, p, depth, err, errlen) < 0)
        return -1;
    return 0;
}

int schema_validate(const struct schema *s, const json_t *value, char *err, size_t errlen)
{
    struct path p = {.len = 0};
    p.text[0] = '\0';
    return check(s, s->root, value, &p, 0, err, errlen);
}
