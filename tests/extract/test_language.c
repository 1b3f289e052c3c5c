/* test_language.c: the language of texts from libexttextcat's profiles, with a confidence;
 * declared tags cut to their primary subtag; a page's lang from its markup first, from its
 * text when the markup says nothing usable. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "extract/extract.h"
#include "extract/language.h"

static const char english[] =
    "The government said on Tuesday that talks with the opposition would resume next week, "
    "after a month in which both sides traded blame for the collapse of the earlier round.";
static const char german[] =
    "Die Regierung teilte am Dienstag mit, dass die Gespräche mit der Opposition in der "
    "kommenden Woche fortgesetzt werden, nachdem sich beide Seiten einen Monat lang gegenseitig "
    "die Schuld gegeben hatten.";
static const char french[] =
    "Le gouvernement a annoncé mardi que les discussions avec l'opposition reprendraient la "
    "semaine prochaine, après un mois pendant lequel les deux camps se sont rejeté la faute.";
static const char urdu[] =
    "حکومت نے منگل کو کہا کہ حزب اختلاف کے ساتھ بات چیت اگلے ہفتے دوبارہ شروع ہوگی، ایک "
    "ماہ بعد جس میں دونوں فریقوں نے ایک دوسرے پر الزام لگایا";

static void test_guesses(void)
{
    char err[256];
    struct language_guesser *g = language_guesser_open(err, sizeof err);
    CHECK(g != NULL);
    if (!g)
        return;
    const struct {
        const char *text, *tag;
    } cases[] = {{english, "en"}, {german, "de"}, {french, "fr"}, {urdu, "ur"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char tag[8] = "";
        double confidence = -1;
        CHECK(language_guess(g, cases[i].text, tag, sizeof tag, &confidence));
        CHECK_STR(tag, cases[i].tag);
        CHECK(confidence >= 0 && confidence <= 1);
    }
    char tag[8];
    double confidence;
    CHECK(!language_guess(g, "Short text.", tag, sizeof tag, &confidence));
    CHECK(!language_guess(NULL, english, tag, sizeof tag, &confidence)); /* no guesser */
    language_guesser_close(g);
    language_guesser_close(NULL);
}

static void test_primary_subtags(void)
{
    char tag[8];
    CHECK(language_primary_subtag("en-US", tag, sizeof tag) && strcmp(tag, "en") == 0);
    CHECK(language_primary_subtag("en_GB", tag, sizeof tag) && strcmp(tag, "en") == 0);
    CHECK(language_primary_subtag(" PT-br", tag, sizeof tag) && strcmp(tag, "pt") == 0);
    CHECK(language_primary_subtag("haw", tag, sizeof tag) && strcmp(tag, "haw") == 0);
    CHECK(language_primary_subtag("de, en", tag, sizeof tag) && strcmp(tag, "de") == 0);
    CHECK(!language_primary_subtag("English", tag, sizeof tag));
    CHECK(!language_primary_subtag("x", tag, sizeof tag));
    CHECK(!language_primary_subtag("", tag, sizeof tag));
    CHECK(!language_primary_subtag(NULL, tag, sizeof tag));
}

static void extract_with_lang(const char *html_attr, const char *text, struct article *a)
{
    char err[256];
    struct language_guesser *g = language_guesser_open(err, sizeof err);
    char page[2048];
    snprintf(page, sizeof page, "<html%s><body><article><p>%s</p></article></body></html>",
             html_attr, text);
    struct extract_input in = {.data = page, .len = strlen(page), .language = g};
    CHECK(extract_article(&in, a, err, sizeof err) == 0);
    language_guesser_close(g);
}

static void test_page_lang(void)
{
    struct article a;
    extract_with_lang(" lang=\"en-GB\"", german, &a); /* the markup is believed */
    CHECK_STR(a.lang, "en");
    CHECK(a.lang_source == ARTICLE_LANG_MARKUP && a.lang_confidence == 1);
    article_free(&a);
    extract_with_lang("", german, &a);
    CHECK_STR(a.lang, "de");
    CHECK(a.lang_source == ARTICLE_LANG_TEXT);
    CHECK(a.lang_confidence > 0 && a.lang_confidence <= 1);
    article_free(&a);
    extract_with_lang(" lang=\"French\"", french, &a); /* no tag: as if none */
    CHECK_STR(a.lang, "fr");
    CHECK(a.lang_source == ARTICLE_LANG_TEXT);
    article_free(&a);
    /* Without a guesser, nothing is guessed. */
    char page[1024];
    snprintf(page, sizeof page, "<html><body><article><p>%s</p></article></body></html>", english);
    char err[256];
    CHECK(extract_article(&(struct extract_input){.data = page, .len = strlen(page)}, &a, err,
                          sizeof err) == 0);
    CHECK(a.lang == NULL && a.lang_source == ARTICLE_LANG_NONE);
    article_free(&a);
}

int main(void)
{
    RUN(test_guesses);
    RUN(test_primary_subtags);
    RUN(test_page_lang);
    return check_summary();
}
