/* test_topics.c: rules loading (with line-precise errors) and tagging: case rule, word
 * boundaries, inflections, vetoes, co-occurrence, weights by position, normalisation, evidence. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "topics/topics.h"

static const char *rules_json =
    "{\n"
    "  \"lead_chars\": 60,\n"
    "  \"topics\": [\n"
    "    {\"id\": \"ttp\", \"threshold\": 3,\n"
    "     \"terms\": [{\"term\": \"TTP\", \"case\": \"exact\"},\n"
    "               {\"term\": \"Tehreek-e-Taliban Pakistan\", \"weight\": 2,\n"
    "                \"aliases\": [\"Tehrik-i-Taliban Pakistan\", \"تحریک طالبان پاکستان\"]}],\n"
    "     \"veto\": [\"purpura\"]},\n"
    "    {\"id\": \"ceasefire\", \"threshold\": 3,\n"
    "     \"terms\": [{\"term\": \"ceasefire\", \"plural\": true}, \"truce\", \"جنگ بندی\"],\n"
    "     \"context\": [\"militants\", \"troops\"]}\n"
    "  ]\n"
    "}\n";

static struct topic_rules *rules(void)
{
    struct topic_rules *r = NULL;
    char err[256];
    if (topic_rules_parse(rules_json, "test.json", &r, err, sizeof err) < 0)
        fprintf(stderr, "rules: %s\n", err);
    return r;
}

static const struct topic_hit *hit(const struct topic_result *res, const char *id)
{
    for (size_t i = 0; i < res->n_hits; i++)
        if (strcmp(res->hits[i].id, id) == 0)
            return &res->hits[i];
    return NULL;
}

static bool tagged(const char *headline, const char *text, const char *id)
{
    struct topic_rules *r = rules();
    struct topic_result res;
    topics_tag(r, headline, text, &res);
    bool found = hit(&res, id) != NULL;
    topic_result_free(&res);
    topic_rules_free(r);
    return found;
}

static void test_loads(void)
{
    struct topic_rules *r = rules();
    CHECK(r != NULL);
    CHECK(r && topic_rules_count(r) == 2);
    topic_rules_free(r);
}

static void test_case_rule_and_word_boundaries(void)
{
    CHECK(tagged("TTP claims attack", "", "ttp"));
    CHECK(!tagged("ttp claims attack", "", "ttp"));          /* the acronym only as written */
    CHECK(!tagged("See https://ttp.example/x", "", "ttp"));  /* not inside another word */
    CHECK(!tagged("HTTP servers", "", "ttp"));
    CHECK(tagged("TTP's spokesman speaks", "", "ttp"));      /* possessive */
    CHECK(tagged("tehrik-i-taliban pakistan", "", "ttp"));   /* names: any case */
}

static void test_position_weights_and_threshold(void)
{
    char body[2000];
    memset(body, 'x', sizeof body);
    for (size_t i = 0; i < sizeof body; i += 10)
        body[i] = ' ';
    body[sizeof body - 1] = '\0';
    char text[2200];
    snprintf(text, sizeof text, "Budget passes.\n\n%s TTP mentioned once.", body);
    CHECK(!tagged("Budget news", text, "ttp"));               /* one passing mention deep down */
    CHECK(!tagged("Budget news", "TTP militants attacked a post.", "ttp")); /* once in the lead: 2 < 3 */
    CHECK(tagged("Budget news", "TTP militants attacked. The TTP said so.", "ttp")); /* 2 + 2 */
}

static void test_veto_and_context(void)
{
    CHECK(!tagged("TTP cases rise", "Doctors treat thrombotic thrombocytopenic purpura (TTP).", "ttp"));
    CHECK(tagged("Ceasefire holds", "Troops stayed in their barracks.", "ceasefire"));
    CHECK(!tagged("Ceasefire holds", "The two managers shook hands.", "ceasefire"));
    CHECK(tagged("Ceasefires hold", "Militants kept the truce.", "ceasefire")); /* plural */
}

static void test_normalisation(void)
{
    /* soft hyphen, non-breaking hyphens, NBSP, a word hyphenated across a line break */
    CHECK(tagged("Teh\xC2\xADreek\xE2\x80\x91" "e\xE2\x80\x91Taliban\xC2\xA0Pakistan", "", "ttp"));
    CHECK(tagged("Talks", "Tehreek-e-Taliban Pakis-\ntan militants", "ttp")); /* weight 2, lead 2 */
    CHECK(tagged("تحریک طالبان پاکستان نے ذمہ داری قبول کر لی", "", "ttp"));
    CHECK(tagged("جنگ بندی کا اعلان", "فوج troops", "ceasefire"));
}

static void test_evidence(void)
{
    struct topic_rules *r = rules();
    struct topic_result res;
    const char *text = "The army said TTP fighters and troops met. TTP later denied it.";
    topics_tag(r, "Ceasefire agreed with TTP", text, &res);
    const struct topic_hit *t = hit(&res, "ttp");
    CHECK(t != NULL);
    if (t) {
        CHECK(t->n_evidence == 1);
        CHECK_STR(t->evidence[0].term, "TTP");
        CHECK(t->evidence[0].count == 3);
        CHECK(t->evidence[0].first_where == TOPIC_IN_HEADLINE);
        CHECK(t->evidence[0].first_offset == 22);
        CHECK(t->score == 3 + 2 + 2); /* headline, then twice within the 60-character lead */
    }
    json_t *j = topic_result_to_json(&res);
    CHECK(json_array_size(j) == res.n_hits);
    json_decref(j);
    topic_result_free(&res);
    topic_rules_free(r);
}

static void test_rule_errors_name_the_line(void)
{
    struct topic_rules *r;
    char err[256];
    CHECK(topic_rules_parse("{\n  \"topics\": [\n    {\"id\": \"x\",\n", "bad.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "bad.json:4:");
    CHECK(topic_rules_parse("{\"topics\": [\n {\"id\": \"x\",\n  \"terms\": [\n   {\"term\": \"a\", \"case\": \"upper\"}]}]}",
                            "case.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "case.json:4:");
    CHECK_CONTAINS(err, "case must be");
    CHECK(topic_rules_parse("{\"topics\": [\n {\"id\": \"x\", \"terms\": []}]}", "empty.json", &r,
                            err, sizeof err) == -1);
    CHECK_CONTAINS(err, "empty.json:2:");
    CHECK(topic_rules_load("/nonexistent/rules.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "/nonexistent/rules.json");
}

int main(void)
{
    RUN(test_loads);
    RUN(test_case_rule_and_word_boundaries);
    RUN(test_position_weights_and_threshold);
    RUN(test_veto_and_context);
    RUN(test_normalisation);
    RUN(test_evidence);
    RUN(test_rule_errors_name_the_line);
    return check_summary();
}
