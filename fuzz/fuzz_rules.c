/* fuzz_rules.c: libFuzzer harness for the topic rules loader (JSON, validation, automaton
 * build); rules that load are applied once to a fixed text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topics/topics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct topic_rules *rules;
    char err[512];
    if (topic_rules_parse(text, "fuzz.json", &rules, err, sizeof err) == 0) {
        struct topic_result result;
        topics_tag(rules, "TTP ceasefire talks", "The TTP and the government agreed a truce.",
                   &result);
        topic_result_free(&result);
        topic_rules_free(rules);
    }
    free(text);
    return 0;
}
