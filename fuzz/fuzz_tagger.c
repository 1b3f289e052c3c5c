/* fuzz_tagger.c: libFuzzer harness for the topic tagger with the shipped default rules:
 * the input's first line is the headline, the rest the article text. Each input is tagged
 * with the prefilter (as this CPU runs it, and with its SSE2 classifier) and with the whole
 * text scanned, and the evidence must be the same; and the same for the default rules with
 * 300 more terms, which the prefilter passes over with its sieve instead of the start
 * filter. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topics/rules_internal.h"
#include "topics/topics.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct topic_rules *rules, *rules_sse2, *rules_whole_text;
static struct topic_rules *many, *many_whole_text; /* 300 more terms */

/* The rules at path with 300 more terms in the first topic ("baq1x of", "caq2x Group"...,
 * starting 300 ways), or NULL. */
static struct topic_rules *load_with_more_terms(const char *path, char *err, size_t err_size)
{
    json_t *root = json_load_file(path, 0, NULL);
    json_t *terms = json_object_get(json_array_get(json_object_get(root, "topics"), 0), "terms");
    char term[32];
    for (int i = 0; terms && i < 300; i++) {
        snprintf(term, sizeof term, "%c%cq%dx %s", 'a' + i % 26, 'a' + i / 26 % 26, i,
                 i % 3 ? "Group" : "of");
        json_array_append_new(terms, json_string(term));
    }
    char *text = json_dumps(root, 0);
    struct topic_rules *r = NULL;
    if (!text || topic_rules_parse(text, path, &r, err, err_size) < 0)
        r = NULL;
    free(text);
    json_decref(root);
    return r;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("FEEDSPOOL_TOPICS");
    char err[512];
    if (!path)
        path = "topics/default-topics.json";
    if (topic_rules_load(path, &rules, err, sizeof err) < 0 ||
        topic_rules_load(path, &rules_sse2, err, sizeof err) < 0 ||
        topic_rules_load(path, &rules_whole_text, err, sizeof err) < 0 ||
        !(many = load_with_more_terms(path, err, sizeof err)) ||
        !(many_whole_text = load_with_more_terms(path, err, sizeof err))) {
        fprintf(stderr, "fuzz_tagger: %s (run from the source root or set FEEDSPOOL_TOPICS)\n",
                err);
        exit(1);
    }
    prefilter_use_sse2(rules_sse2);
    prefilter_free(rules_whole_text);
    prefilter_free(many_whole_text);
    return 0;
}

static char *explain_json(const struct topic_rules *r, const char *headline, const char *text)
{
    struct topic_result result;
    topics_explain(r, headline, text, &result);
    json_t *j = topic_result_to_json_full(&result);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    topic_result_free(&result);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *newline = strchr(copy, '\n');
    const char *headline = NULL, *text = copy;
    if (newline) {
        *newline = '\0';
        headline = copy;
        text = newline + 1;
    }
    char *with_prefilter = explain_json(rules, headline, text);
    char *with_sse2 = explain_json(rules_sse2, headline, text);
    char *whole_text = explain_json(rules_whole_text, headline, text);
    if (strcmp(with_prefilter, whole_text) != 0 || strcmp(with_sse2, whole_text) != 0) {
        fprintf(stderr,
                "fuzz_tagger: the prefilter changed the evidence\n  with: %s\n  with SSE2: %s\n"
                "  without: %s\n",
                with_prefilter, with_sse2, whole_text);
        abort();
    }
    free(with_prefilter);
    free(with_sse2);
    free(whole_text);
    char *many_with_prefilter = explain_json(many, headline, text);
    char *many_scanned_whole = explain_json(many_whole_text, headline, text);
    if (strcmp(many_with_prefilter, many_scanned_whole) != 0) {
        fprintf(stderr,
                "fuzz_tagger: the prefilter changed the evidence (300 more terms)\n"
                "  with: %s\n  without: %s\n",
                many_with_prefilter, many_scanned_whole);
        abort();
    }
    free(many_with_prefilter);
    free(many_scanned_whole);
    struct topic_result result;
    topics_tag(rules, headline, text, &result);
    topic_result_free(&result);
    free(copy);
    return 0;
}
