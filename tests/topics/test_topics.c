/* test_topics.c: rules loading (with line-precise errors) and tagging: case rule, word
 * boundaries, inflections, vetoes, co-occurrence, weights by position, normalisation, evidence;
 * and each operator of the README: generated spellings, a name hyphenated across a line,
 * acronyms defined as something else, later references, proximity, context near the term,
 * vetoes with plurals, titles, hedged headlines, paragraph scoring, near misses. */
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
    CHECK(!tagged("ttp claims attack", "", "ttp"));         /* the acronym only as written */
    CHECK(!tagged("See https://ttp.example/x", "", "ttp")); /* not inside another word */
    CHECK(!tagged("HTTP servers", "", "ttp"));
    CHECK(tagged("TTP's spokesman speaks", "", "ttp"));    /* possessive */
    CHECK(tagged("tehrik-i-taliban pakistan", "", "ttp")); /* names: any case */
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
    CHECK(!tagged("Budget news", text, "ttp")); /* one passing mention deep down */
    CHECK(!tagged("Budget news", "TTP militants attacked a post.",
                  "ttp")); /* once in the lead: 2 < 3 */
    CHECK(tagged("Budget news", "TTP militants attacked. The TTP said so.", "ttp")); /* 2 + 2 */
}

static void test_veto_and_context(void)
{
    CHECK(!tagged("TTP cases rise", "Doctors treat thrombotic thrombocytopenic purpura (TTP).",
                  "ttp"));
    CHECK(tagged("Ceasefire holds", "Troops stayed in their barracks.", "ceasefire"));
    CHECK(!tagged("Ceasefire holds", "The two managers shook hands.", "ceasefire"));
    CHECK(tagged("Ceasefires hold", "Militants kept the truce.", "ceasefire")); /* plural */
}

static void test_normalisation(void)
{
    /* soft hyphen, non-breaking hyphens, NBSP, a word hyphenated across a line break */
    CHECK(tagged("Teh\xC2\xADreek\xE2\x80\x91"
                 "e\xE2\x80\x91Taliban\xC2\xA0Pakistan",
                 "", "ttp"));
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
    CHECK(topic_rules_parse("{\n  \"topics\": [\n    {\"id\": \"x\",\n", "bad.json", &r, err,
                            sizeof err) == -1);
    CHECK_CONTAINS(err, "bad.json:4:");
    CHECK(
        topic_rules_parse(
            "{\"topics\": [\n {\"id\": \"x\",\n  \"terms\": [\n   {\"term\": \"a\", \"case\": \"upper\"}]}]}",
            "case.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "case.json:4:");
    CHECK_CONTAINS(err, "case must be");
    CHECK(topic_rules_parse("{\"topics\": [\n {\"id\": \"x\", \"terms\": []}]}", "empty.json", &r,
                            err, sizeof err) == -1);
    CHECK_CONTAINS(err, "empty.json:2:");
    CHECK(topic_rules_load("/nonexistent/rules.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "/nonexistent/rules.json");
}

/* Rules with every operator of the README, for the tests of each one below. */
static const char *operators_json =
    "{\"lead_chars\": 200, \"topics\": [\n"
    " {\"id\": \"group\", \"threshold\": 3, \"paragraph_threshold\": 2,\n"
    "  \"terms\": [{\"term\": \"KLM\", \"case\": \"exact\", \"acronym\": true},\n"
    "            {\"term\": \"Kh{a|u}lq-{e|i}-Mazdoor\", \"weight\": 2, \"separators\": true}],\n"
    "  \"references\": [{\"term\": \"the movement\", \"weight\": 0.5}]},\n"
    " {\"id\": \"pause\", \"threshold\": 3, \"context_window\": 60, \"context_topics\": [\"group\"],\n"
    "  \"terms\": [{\"term\": \"armistice\", \"plural\": true}],\n"
    "  \"near\": [{\"name\": \"halt ~ shooting\", \"within\": 2, \"words\": [\"halt\", \"hold\"],\n"
    "             \"with\": [\"shooting\", \"fire\"]}],\n"
    "  \"veto\": [\"rate war\"], \"context\": [\"soldiers\"],\n"
    "  \"titles\": {\"within\": 4, \"cues\": [\"opera\"]},\n"
    "  \"hedges\": {\"within\": 2, \"cues\": [\"no\", \"calls for\"]}}\n"
    "]}\n";

static struct topic_rules *operator_rules(void)
{
    struct topic_rules *r = NULL;
    char err[256];
    if (topic_rules_parse(operators_json, "operators.json", &r, err, sizeof err) < 0)
        fprintf(stderr, "operators: %s\n", err);
    return r;
}

/* Whether the operator rules give topic id; *out (when given) receives its hit as explain
 * reports it, which the caller frees with topic_result_free(res). */
static bool given(const char *headline, const char *text, const char *id)
{
    struct topic_rules *r = operator_rules();
    if (!r)
        return false;
    struct topic_result res;
    topics_tag(r, headline, text, &res);
    bool found = hit(&res, id) != NULL;
    topic_result_free(&res);
    topic_rules_free(r);
    return found;
}

/* The reason the first evidence of topic id gives, as explain sees it. */
static enum topic_reason first_reason(const char *headline, const char *text, const char *id,
                                      char *defined_as, size_t cap)
{
    struct topic_rules *r = operator_rules();
    enum topic_reason reason = TOPIC_BELOW_THRESHOLD;
    if (!r)
        return reason;
    struct topic_result res;
    topics_explain(r, headline, text, &res);
    const struct topic_hit *h = hit(&res, id);
    if (h && h->n_evidence) {
        reason = h->evidence[0].reason;
        if (defined_as)
            snprintf(defined_as, cap, "%s",
                     h->evidence[0].defined_as ? h->evidence[0].defined_as : "");
    }
    topic_result_free(&res);
    topic_rules_free(r);
    return reason;
}

static void test_spellings_are_generated(void)
{
    CHECK(given("Khalq-e-Mazdoor rally", "", "group")); /* as written */
    CHECK(given("Khulq-i-Mazdoor rally", "", "group")); /* a choice of each {a|b} */
    CHECK(given("Khalq e Mazdoor rally", "", "group")); /* separators: space, */
    CHECK(given("KhalqeMazdoor rally", "", "group"));   /* nothing */
    CHECK(given("K.L.M. statement", "", "group"));      /* a dotted acronym */
    CHECK(given("K.L.M statement", "", "group"));       /* without the last dot */
    CHECK(!given("Khalq Mazdoor rally", "", "group"));  /* not a spelling it lists */
    struct topic_rules *r;
    char err[256];
    CHECK(topic_rules_parse("{\"topics\": [\n {\"id\": \"x\",\n  \"terms\": [\"a{b|c\"]}]}",
                            "brace.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "brace.json:3:");
    CHECK_CONTAINS(err, "needs a '}'");
    /* a long run of empty choices is refused before it is expanded (one level each) */
    char *choices = malloc(200001);
    if (choices) {
        strcpy(choices, "{\"topics\": [{\"id\": \"x\", \"terms\": [\"a");
        size_t at = strlen(choices);
        while (at < 199990) {
            memcpy(choices + at, "{}", 2);
            at += 2;
        }
        strcpy(choices + at, "\"]}]}");
        CHECK(topic_rules_parse(choices, "choices.json", &r, err, sizeof err) == -1);
        CHECK_CONTAINS(err, "is too long");
        free(choices);
    }
    /* spellings multiply: a rules file of a few hundred bytes must not make a huge automaton */
    char big[8192] = "{\"topics\": [{\"id\": \"x\", \"terms\": [";
    for (int t = 0; t < 60; t++)
        snprintf(big + strlen(big), sizeof big - strlen(big),
                 "%s\"%c%c{a|b}{a|b}{a|b}{a|b}"
                 "{a|b}{a|b}{a|b}{a|b}{a|b}{a|b} long enough to count\"",
                 t ? ", " : "", 'a' + t % 26, 'a' + t / 26);
    strcat(big, "]}]}");
    CHECK(topic_rules_parse(big, "big.json", &r, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "more than 1 MiB");
}

static void test_line_break_inside_a_hyphenated_name(void)
{
    CHECK(given("Rally", "The Khalq-e-\nMazdoor held a rally in the square today.", "group"));
    CHECK(given("Rally", "The Khalq-\n  E-Mazdoor held a rally today.", "group")); /* capital E */
    CHECK(tagged("Cease-\nfire holds", "Troops stayed.", "ceasefire")); /* still joined */
}

static void test_acronym_defined_as_something_else(void)
{
    char as[128];
    const char *portal = "The KLM (Kiosk Licensing Module) opens to traders. KLM fees fall.";
    CHECK(!given("KLM opens to traders", portal, "group"));
    CHECK(first_reason("KLM opens to traders", portal, "group", as, sizeof as) ==
          TOPIC_DEFINED_OTHERWISE);
    CHECK_STR(as, "Kiosk Licensing Module");
    const char *before = "Staff of the kiosk licensing module (KLM) met. KLM fees fall.";
    CHECK(!given("KLM fees", before, "group"));
    /* the topic's own name spelled out is no other sense */
    CHECK(
        given("KLM rally", "The Khalq-e-Mazdoor (KLM) held a rally. KLM leaders spoke.", "group"));
}

static void test_later_references_after_a_named_mention(void)
{
    const char *text = "Officials said KLM members marched. Police watched the movement, and "
                       "the movement later dispersed.";
    CHECK(given("March in the capital", text, "group")); /* 2 + 0.5 + 0.5 */
    CHECK(!given("March in the capital",
                 "Police watched the movement, and the movement later "
                 "dispersed. Officials said KLM members marched.",
                 "group")); /* before it: 0 */
    /* references add at most half the threshold: one body mention (1) and six (1.5, not 3) */
    char text2[800];
    snprintf(text2, sizeof text2,
             "%s KLM members marched, and the movement, the movement, the "
             "movement, the movement, the movement and the movement went on.",
             "A long first sentence about the weather, the markets, the roads and the schools "
             "fills the lead of this article so that what follows is in the body of the text, "
             "well past the lead's two hundred characters, as far as the tagger is concerned.");
    CHECK(!given("March in the capital", text2, "group"));
}

static void test_proximity(void)
{
    CHECK(given("Soldiers halt shooting", "", "pause"));
    CHECK(given("Soldiers told to hold their fire", "", "pause")); /* within 2 words */
    CHECK(!given("Soldiers halt for lunch then resume shooting", "", "pause"));
}

static void test_context_must_be_near(void)
{
    char text[400];
    snprintf(text, sizeof text, "Retailers agreed an armistice over prices.\n\n%s soldiers.",
             "The weather was fine and nothing else happened for a long while at all today");
    CHECK(!given("Shops sign armistice", text, "pause"));                 /* context too far */
    CHECK(given("Shops sign armistice", "Soldiers signed it.", "pause")); /* in the lead */
    CHECK(first_reason("Shops sign armistice", text, "pause", NULL, 0) == TOPIC_NO_CONTEXT);
    CHECK(given("Armistice signed", "KLM members said so.", "pause")); /* a context topic's term */
    /* a headline mention: context in the text's first 60 characters, or near a lead mention */
    CHECK(given("Armistice signed",
                "Shop owners and their families waited all day outside the "
                "hall. The armistice held, soldiers said.",
                "pause"));
    CHECK(!given("Armistice signed",
                 "Shop owners and their families waited all day outside the "
                 "hall for the armistice. Later that evening, after a long and tiring wait in "
                 "the cold, the soldiers came.",
                 "pause"));
    /* the window counts characters: 50 Urdu letters are 100 bytes but within 60 */
    char urdu[400] = "Markets.\n\nAn armistice ";
    for (int i = 0; i < 50; i++)
        strcat(urdu, "\xd8\xa8");
    strcat(urdu, " soldiers.");
    CHECK(first_reason("News", urdu, "pause", NULL, 0) == TOPIC_COUNTED);
}

static void test_vetoes_match_plurals(void)
{
    CHECK(!given("Armistice in rate wars", "Soldiers of commerce.", "pause"));
    CHECK(first_reason("Armistice in rate wars", "Soldiers of commerce.", "pause", NULL, 0) ==
          TOPIC_VETOED);
}

static void test_titles(void)
{
    CHECK(!given("Soldiers watch", "The opera \"Armistice\" opened to soldiers.", "pause"));
    CHECK(!given("Soldiers watch", "Soldiers saw the new opera Armistice last night.", "pause"));
    CHECK(first_reason("Soldiers watch", "Soldiers saw the new opera Armistice last night.",
                       "pause", NULL, 0) == TOPIC_TITLE);
    CHECK(given("Armistice holds", "Soldiers kept the armistice. Armistice talks go on.", "pause"));
}

static void test_hedged_headlines(void)
{
    CHECK(given("Armistice agreed", "Soldiers cheered.", "pause"));
    CHECK(!given("No armistice, say soldiers", "", "pause")); /* a body mention: 1 */
    CHECK(!given("UN calls for armistice", "Soldiers wait.", "pause"));
    CHECK(first_reason("No armistice, say soldiers", "", "pause", NULL, 0) == TOPIC_HEDGED);
}

static void test_paragraph_scoring(void)
{
    const char *digest = "Markets rose today in a quiet session.\n\nA bridge opened.\n\n"
                         "In other news, KLM members marched and KLM leaders spoke.";
    CHECK(given("Daily digest", digest, "group")); /* one item: 2 */
    const char *one =
        "Markets rose today in a quiet session and a bridge opened, and there "
        "was more of the same all day long in every market of the country, "
        "and then some more besides that, and more again, and more. In other news, KLM members marched "
        "and KLM leaders spoke.";
    CHECK(!given("Daily digest", one, "group")); /* one paragraph: the body */
}

static void test_near_misses(void)
{
    struct topic_rules *r = operator_rules();
    CHECK(r != NULL);
    if (!r)
        return;
    struct topic_result tagged_res, near;
    topics_tag_with_near_misses(r, "No armistice, say soldiers", "KLM members marched.",
                                &tagged_res, &near);
    CHECK(tagged_res.n_hits == 0); /* group: 2; pause: 1 */
    const struct topic_hit *g = hit(&near, "group"), *p = hit(&near, "pause");
    CHECK(g && !g->tagged && g->reason == TOPIC_BELOW_THRESHOLD);
    CHECK(p && p->reason == TOPIC_HEDGED); /* 1, or 3 unhedged */
    json_t *j = topic_result_to_json_full(&near);
    CHECK(json_array_size(j) == near.n_hits);
    CHECK_STR(json_string_value(json_object_get(json_array_get(j, 0), "reason")),
              "below threshold");
    json_decref(j);
    topic_result_free(&tagged_res);
    topic_result_free(&near);
    topic_rules_free(r);
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
    RUN(test_spellings_are_generated);
    RUN(test_line_break_inside_a_hyphenated_name);
    RUN(test_acronym_defined_as_something_else);
    RUN(test_later_references_after_a_named_mention);
    RUN(test_proximity);
    RUN(test_context_must_be_near);
    RUN(test_vetoes_match_plurals);
    RUN(test_titles);
    RUN(test_hedged_headlines);
    RUN(test_paragraph_scoring);
    RUN(test_near_misses);
    return check_summary();
}
