/* fuzz_tagger.c: libFuzzer harness for the topic tagger with the shipped default rules:
 * the input's first line is the headline, the rest the article text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topics/topics.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct topic_rules *rules;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("FEEDSPOOL_TOPICS");
    char err[512];
    if (topic_rules_load(path ? path : "topics/default-topics.json", &rules, err, sizeof err) < 0) {
        fprintf(stderr, "fuzz_tagger: %s (run from the source root or set FEEDSPOOL_TOPICS)\n", err);
        exit(1);
    }
    return 0;
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
    struct topic_result result;
    topics_explain(rules, headline, text, &result);
    json_t *j = topic_result_to_json(&result);
    json_decref(j);
    topic_result_free(&result);
    topics_tag(rules, headline, text, &result);
    topic_result_free(&result);
    free(copy);
    return 0;
}
