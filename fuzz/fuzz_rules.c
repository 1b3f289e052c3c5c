/* fuzz_rules.c: libFuzzer harness for the topic rules loader (JSON, validation, automaton
 * build); rules that load are applied once to a fixed text with something for each operator
 * (an acronym defined twice, a title, a hedge, a reference, a line-broken name, paragraphs). */
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
        struct topic_result result, near_misses;
        topics_tag_with_near_misses(rules, "No TTP ceasefire talks, \"Truce\" film",
                                    "The TTP (Trade and Transit Portal) and the government "
                                    "agreed a truce; the group halted all fighting.\n\n"
                                    "Tehreek-e-\nTaliban Pakistan (TTP) said the pause holds.",
                                    &result, &near_misses);
        json_decref(topic_result_to_json_full(&near_misses));
        topic_result_free(&result);
        topic_result_free(&near_misses);
        topic_rules_free(rules);
    }
    free(text);
    return 0;
}
