/* test_prefilter.c: the prefilter (topics/prefilter.c) skips only text in which no term can
 * start. Every text is tagged with the prefilter, with its SSE2 classifier where the CPU
 * would have it use AVX-512 (window.c), and with it turned off (the whole text through the
 * automaton), and the full evidence must be identical: the labelled dev
 * articles with the shipped rules, and random texts built from term fragments and from
 * everything that normalisation changes (soft hyphens, special spaces, curly quotes,
 * dashes, line-break hyphens, Arabic forms, fullwidth letters, invalid UTF-8), at every
 * alignment. The test rules are also run with hundreds more terms, which start too many
 * ways for the AVX-512 start filter, so that the sieve (topics/sieve.c) is used instead. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/buf.h"
#include "topics/rules_internal.h"
#include "topics/topics.h"

static const char *test_rules_json =
    "{\"topics\": [\n"
    "  {\"id\": \"a\", \"threshold\": 1, \"terms\": [\n"
    "    {\"term\": \"TTP\", \"case\": \"exact\", \"possessive\": true},\n"
    "    {\"term\": \"T.T.P.\", \"case\": \"exact\"},\n"
    "    {\"term\": \"Noor Wali Mehsud\", \"aliases\": [\"Noor Wali\", \"Jamaat ul Ahrar\"]},\n"
    "    {\"term\": \"air strike\", \"plural\": true},\n"
    "    {\"term\": \"ceasefire\", \"plural\": true, \"aliases\": [\"cease-fire\", \"cease fire\"]},\n"
    "    {\"term\": \"Internationalisation Council\"},\n"
    "    {\"term\": \"tactics, techniques\"},\n"
    "    {\"term\": \"تحریک طالبان پاکستان\", \"aliases\": [\"جنگ بندی\", \"войны\", \"کابل\"]},\n"
    "    {\"term\": \"A7\"}, {\"term\": \"al Qaeda\"}, {\"term\": \"w  x\"}, {\"term\": \"d'Arc\"}, {\"term\": \"Taliban\"},\n"
    "    {\"term\": \"Ya'qub\"}, {\"term\": \"al-Shabaab\"}],\n"
    "   \"veto\": [\"platelet\", \"Tal iban\"], \"context\": [\"war\", \"truce\"]}\n"
    "]}\n";

static const char *fragments[] = {
    "TTP",
    "ttp",
    "TTP's",
    "TTPs",
    "T.T.P.",
    "T",
    "Taliban",
    "Tal",
    "iban",
    "Tehreek-e-Taliban",
    "Pakistan",
    "ceasefire",
    "ceasefires",
    "Ceasefire",
    "cease",
    "fire",
    "truce",
    "truces",
    "Noor",
    "Wali",
    "Mehsud",
    "Jamaat",
    "ul",
    "Ahrar",
    "air",
    "strike",
    "strikes",
    "war",
    "platelet",
    "tactics",
    "techniques",
    "Internationalisation",
    "Council",
    "A7",
    "a7x",
    "the",
    "of",
    "and",
    "militants",
    "killed",
    "Pakistani",
    "al",
    "Qaeda",
    "w",
    "x",
    "AL",
    "d'Arc",
    "d\xe2\x80\x99"
    "Arc",
    "D\xe2\x80\x98"
    "arc",
    "d",
    "Arc",
    "تحریک",
    "طالبان",
    "پاکستان",
    "جنگ",
    "بندی",
    "تحريك",
    "كراچی",
    "войны",
    "война",
    "\xef\xbc\xb4\xef\xbc\xb4\xef\xbc\xb0",                     /* fullwidth TTP */
    "\xd8\xb7\xd9\x8e\xd8\xa7\xd9\x84\xd8\xa8\xd8\xa7\xd9\x86", /* with a diacritic */
    "\xd9\x80",                                                 /* tatweel */
    /* words of the many-terms rules */
    "land",
    "broken",
    "camp",
    "Group",
    "Jahan",
    "talks",
    "chief",
    "fighters",
    "army",
    "y",
    "Internationalisations",
    "Front",
    "aaq0x",
    "BBQ27X",
    "jpq399x",
    "baq1x",
    "1971",
    "1971 war",
};

static const char *separators[] = {
    " ",
    " ",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "-",
    "-\n",
    "- \n ",
    "-\n\t",
    "'",
    "'s",
    "s",
    "es",
    ".",
    ",",
    ", ",
    "(",
    ")",
    ": ",
    "\xc2\xad",
    "\xc2\xa0",
    "\xe2\x80\x8b",
    "\xe2\x80\x99",
    "\xe2\x80\x9c",
    "\xe2\x80\x9d",
    "\xe2\x80\x94",
    "\xe2\x80\x93",
    "\xe2\x80\x93\n",
    "\xe2\x80\x91",
    "\xe2\x80\xaf",
    "\xef\xbb\xbf",
    "\xff",
    "\xc0\xa0",
    "\xe0\x80\xad",
    "\xe2\x80",
    "\xd0",
    "\xc2",
    "\xe3\x80\x80",
    "\xca\xbc",
    "x",
    "0",
    /* characters that fold to themselves beside ones with the same lead byte that do not */
    "\xe2\x80\xa6",
    "\xe2\x80\xa2",
    "\xe2\x80\x95",
    "\xe2\x80\x9b",
    "\xe2\x80\xb2",
    "\xe2\x80\x96",
    "\xe2\x80\x9a",
    "\xe2\x81\x9f",
    "\xe2\x81\xa0",
    "\xe2\x81\x9e",
    "\xe2\x88\x92",
    "\xe2\x88\x91",
    "\xc2\xab",
    "\xc2\xa9",
    "\xca\xbb",
    "\xe3\x81\xae",
    "\xe3\x80\x81",
    "\xd9\x88",
    "\xd9\x8b",
    "\xd9\xb0",
    "\xd9\xb1",
    "\xd9\x84",
    " - ",
    " -\n",
    " \xe2\x80\x94 ",
    "\xe2\x80\x94\n",
    "-\nx",
    " -\n\n",
    "- x",
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* The test rules with 422 more terms: their first words begin in 400 different ways, some
 * with the words of the fragments, with heads plain and not, and one word alone. */
static char *many_terms_json(void)
{
    static const char *more[] = {
        "the Pakistani",
        "of war",
        "killed in",
        "Pakistan army",
        "Taliban fighters",
        "ceasefire talks",
        "TTP chief",
        "Noor Jahan",
        "air, land",
        "truce (broken)",
        "militants' camp",
        "d'Arc Group",
        "al-Qaeda Council",
        "Tal iban",
        "Qaeda",
        "Internationalisation",
        "Internationalisations Front",
        "A7 x",
        "w x y",
        "anti-",
        "x[1]",
        "al Qa'ida",
    };
    const char *split = strstr(test_rules_json, "{\"term\": \"A7\"}");
    struct buf json;
    buf_init(&json, 0);
    buf_append(&json, test_rules_json, (size_t)(split - test_rules_json));
    char term[64];
    for (int i = 0; i < 400; i++) {
        snprintf(term, sizeof term, "\"%c%cq%dx %s\", ", 'a' + i % 26, 'a' + i / 26 % 26, i,
                 i % 3 ? "Group" : "of");
        buf_append_str(&json, term);
    }
    for (size_t i = 0; i < COUNT(more); i++) {
        snprintf(term, sizeof term, "\"%s\", ", more[i]);
        buf_append_str(&json, term);
    }
    buf_append_str(&json, split);
    return json.data;
}

static char *explain_json(const struct topic_rules *r, const char *headline, const char *text)
{
    struct topic_result res;
    topics_explain(r, headline, text, &res);
    json_t *j = topic_result_to_json_full(&res);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    topic_result_free(&res);
    return s;
}

static struct topic_rules *load(const char *json, const char *path)
{
    struct topic_rules *r = NULL;
    char err[512];
    if ((json ? topic_rules_parse(json, "test.json", &r, err, sizeof err)
              : topic_rules_load(path, &r, err, sizeof err)) < 0)
        fprintf(stderr, "rules: %s\n", err);
    return r;
}

/* Tags with the prefilter and without; both must say the same. */
static bool same_evidence(struct topic_rules *with, struct topic_rules *without,
                          const char *headline, const char *text)
{
    char *a = explain_json(with, headline, text), *b = explain_json(without, headline, text);
    bool same = strcmp(a, b) == 0;
    if (!same)
        fprintf(stderr,
                "prefilter changed the evidence\n  text: %.300s\n  with:    %s\n  without: %s\n",
                text, a, b);
    free(a);
    free(b);
    return same;
}

/* The rules three ways: with the prefilter as this CPU runs it, with its SSE2 classifier,
 * and without it. */
struct three_ways {
    struct topic_rules *best, *sse2, *whole_text;
};

static bool load_three_ways(const char *json, const char *path, struct three_ways *t)
{
    t->best = load(json, path);
    t->sse2 = load(json, path);
    t->whole_text = load(json, path);
    if (!t->best || !t->sse2 || !t->whole_text || !t->best->word_filter)
        return false;
    prefilter_use_sse2(t->sse2);
    prefilter_free(t->whole_text);
    return true;
}

static bool same_three_ways(struct three_ways *t, const char *headline, const char *text)
{
    return same_evidence(t->best, t->whole_text, headline, text) &&
           same_evidence(t->sse2, t->whole_text, headline, text);
}

static void free_three_ways(struct three_ways *t)
{
    topic_rules_free(t->best);
    topic_rules_free(t->sse2);
    topic_rules_free(t->whole_text);
}

static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void test_random_texts(const char *json, const char *path)
{
    struct three_ways rules;
    bool loaded = load_three_ways(json, path, &rules);
    CHECK(loaded);
    unsigned seed = 7;
    size_t failures = 0;
    for (int n = 0; loaded && n < 6000 && failures < 3; n++) {
        struct buf text;
        buf_init(&text, 0);
        for (unsigned k = next_random(&seed) % 32; k > 0; k--) /* every alignment */
            buf_append_char(&text, k % 7 ? 'y' : ' ');
        for (int w = 0, words = 20 + (int)(next_random(&seed) % 200); w < words; w++) {
            buf_append_str(&text, fragments[next_random(&seed) % COUNT(fragments)]);
            buf_append_str(&text, separators[next_random(&seed) % COUNT(separators)]);
            if (next_random(&seed) % 4 == 0)
                buf_append_char(&text, ' ');
        }
        failures += !same_three_ways(&rules, n % 3 ? NULL : "Noor Wali", text.data);
        buf_free(&text);
    }
    CHECK(failures == 0);
    free_three_ways(&rules);
}

static void test_random_texts_test_rules(void)
{
    test_random_texts(test_rules_json, NULL);
}

static void test_random_texts_many_terms(void)
{
    char *json = many_terms_json();
    test_random_texts(json, NULL);
    free(json);
}

/* Rules whose terms all begin with words of four bytes or more: shorter words are passed
 * over by their length alone. One begins with a digit and none with a non-ASCII byte (the
 * test rules the other way round): words are passed over by their first byte too. */
static const char *long_first_words_json =
    "{\"topics\": [{\"id\": \"a\", \"threshold\": 1, \"terms\": [\"Taliban\", \"ceasefire\",\n"
    "  \"Noor Wali\", \"Internationalisation Council\", \"Jamaat ul Ahrar\", \"Qaeda\", \"1971 war\",\n"
    "  {\"term\": \"strike\", \"plural\": true}]}]}\n";

static void test_random_texts_long_first_words(void)
{
    test_random_texts(long_first_words_json, NULL);
}

static void test_random_texts_default_rules(void)
{
    test_random_texts(NULL, "topics/default-topics.json");
}

/* The labelled articles of one eval file with the shipped rules; returns how many. */
static size_t test_eval_articles(struct three_ways *rules, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TOPICS_EVAL_DIR, name);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    size_t articles = 0, failures = 0;
    static char line[1 << 17];
    while (f && fgets(line, sizeof line, f)) {
        json_t *row = json_loads(line, 0, NULL);
        if (!row)
            continue;
        const char *headline = json_string_value(json_object_get(row, "headline"));
        const char *text = json_string_value(json_object_get(row, "text"));
        if (text) {
            articles++;
            failures += !same_three_ways(rules, headline, text);
        }
        json_decref(row);
    }
    if (f)
        fclose(f);
    printf("%s articles compared: %zu\n", name, articles);
    CHECK(failures == 0);
    return articles;
}

/* The labelled articles (dev.jsonl, dev-v2.jsonl in TOPICS_EVAL_DIR) with the shipped rules. */
static void test_dev_articles(void)
{
    struct three_ways rules;
    bool loaded = load_three_ways(NULL, "topics/default-topics.json", &rules);
    CHECK(loaded);
    if (!loaded)
        return;
    CHECK(test_eval_articles(&rules, "dev.jsonl") >= 40);     /* it holds 40 */
    CHECK(test_eval_articles(&rules, "dev-v2.jsonl") >= 160); /* and 160 */
    free_three_ways(&rules);
}

/* Where folding changes text next to or inside a term's first bytes (drops, maps or joins
 * there, white space runs, curly quotes and dashes), at every place in a block, and with
 * text after it of every length that moves the end of the text across the blocks. */
static void folding_at_block_edges(const char *json)
{
    static const char *texts[] = {
        "T\xc2\xadTP",
        "TT\xc2\xadP",
        "T\xe2\x80\x8bTP",
        "ce\xc2\xad"
        "asefire",
        "Ta-\nliban",
        "Tal-\niban",
        "T-\nalib-\nan",
        "d\xe2\x80\x99"
        "Arc",
        "d\xe2\x80\x98"
        "arc",
        "w\n\n x",
        "w\t x",
        "w \xc2\xa0x",
        "al\t\tQaeda",
        "al \n Qaeda",
        "A\xef\xbc\x97",
        "\xef\xbc\xb4TP",
        "T\xef\xbc\xb4P",
        "\xe2\x80\x99TTP",
        "\xe2\x80\x9c"
        "ceasefire\xe2\x80\x9d",
        "xx-\nceasefire",
        "xx\xe2\x80\x93\nceasefire",
        "xx\xe2\x80\x94\n\nceasefire",
        "TTP\xe2\x80\x99s",
        "Ya\xe2\x80\x99qub",
        "YA\xe2\x80\x98QUB",
        "al\xe2\x80\x93Shabaab",
        "Al\xe2\x80\x94shabaab",
        "Noor\nWali",
        "noor\tWALI",
        "Noor \n Jahan",
        "air, land",
        "of\twar",
        "BBQ27X of",
        "Noor Walix",
        "NOOR WALI0",
        "of wars",
        "air strikesx",
        "anti-\nwar",
        "anti-war",
        "X[1]",
        "yyyyyyyyyyyyyyyyyyyyy\xc2\xa0TTP",
        "yyyyyyyyyyyyyyy\xc2\xadTTP",
        "y\xc2\xa0TTP Noor Wali",
        "Noor\xc2\xa0Wali TTP",
        "TTP \xe2\x80\x8b TTP",
        "Tali\xe2\x80\x90\nban TTP",
        "x{1}",
        "1971 war",
        "1971\nwar",
        "al Qa\xe2\x80\x99ida",
        "AL QA\xe2\x80\x98IDA",
        "al Qa'ida",
        "air s-\ntrike",
        "Noor W-\n ali",
        "al-\nQaeda",
        "d'Arc, Group",
        "TTP's chief",
        "\xd9\x83\xd8\xa7\xd8\xa8\xd9\x84", /* Kabul with an Arabic kaf */
        "\xd8\xaa\xd9\x8e\xd8\xad\xd8\xb1\xdb\x8c\xda\xa9 "
        "\xd8\xb7\xd8\xa7\xd9\x84\xd8\xa8\xd8\xa7\xd9\x86 \xd9\xbe\xd8\xa7\xda\xa9\xd8\xb3\xd8\xaa\xd8\xa7\xd9\x86",
    };
    static const size_t after[] = {0, 1, 40, 66, 100, 131, 190};
    struct three_ways rules;
    bool loaded = load_three_ways(json, NULL, &rules);
    CHECK(loaded);
    size_t failures = 0;
    for (size_t t = 0; loaded && t < COUNT(texts); t++)
        for (size_t pad = 0; pad < 70; pad++)
            for (size_t a = 0; a < COUNT(after); a++) {
                struct buf text;
                buf_init(&text, 0);
                for (size_t k = 0; k < pad; k++)
                    buf_append_char(&text, k % 5 == 4 ? ' ' : 'y');
                buf_append_str(&text, " ");
                buf_append_str(&text, texts[t]);
                for (size_t k = 0; k < after[a]; k++)
                    buf_append_char(&text, k % 4 == 0 ? ' ' : 'z');
                failures += !same_three_ways(&rules, NULL, text.data);
                buf_free(&text);
            }
    CHECK(failures == 0);
    free_three_ways(&rules);
}

static void test_folding_at_block_edges(void)
{
    folding_at_block_edges(test_rules_json);
    folding_at_block_edges(long_first_words_json);
    char *json = many_terms_json();
    folding_at_block_edges(json);
    free(json);
}

/* Which ways the prefilter goes: the start filter for a few terms, the sieve for many, on
 * a CPU with AVX-512; neither with SSE2. */
static void test_start_filter_or_sieve(void)
{
    char *json = many_terms_json();
    struct topic_rules *few = load(test_rules_json, NULL), *many = load(json, NULL);
    CHECK(few && many);
    if (few && many) {
        bool avx512 = prefilter_ways(few) != PREFILTER_SSE2;
        printf("AVX-512: %s\n", avx512 ? "yes" : "no, only SSE2 is tested");
        CHECK(prefilter_ways(few) == (avx512 ? PREFILTER_START_FILTER : PREFILTER_SSE2));
        CHECK(prefilter_ways(many) == (avx512 ? PREFILTER_SIEVE : PREFILTER_SSE2));
        prefilter_use_sse2(many);
        CHECK(prefilter_ways(many) == PREFILTER_SSE2);
    }
    topic_rules_free(few);
    topic_rules_free(many);
    free(json);
}

/* A term starting with a non-word byte cannot be found by first words: no filter. */
static void test_filter_off_for_odd_terms(void)
{
    struct topic_rules *r = load("{\"topics\": [{\"id\": \"x\", \"terms\": [\"#ttp\"]}]}", NULL);
    CHECK(r && r->word_filter == NULL);
    topic_rules_free(r);
}

int main(void)
{
    RUN(test_random_texts_test_rules);
    RUN(test_random_texts_many_terms);
    RUN(test_random_texts_long_first_words);
    RUN(test_random_texts_default_rules);
    RUN(test_folding_at_block_edges);
    RUN(test_dev_articles);
    RUN(test_filter_off_for_odd_terms);
    RUN(test_start_filter_or_sieve);
    return check_summary();
}
