/* test_lead.c: datelines and bylines at the start of an article's text moved into their fields
 * (and a byline's names into authors when the page names none), prose left alone. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "extract/extract.h"

#define REST                                                                                       \
    "the government said on Tuesday that talks would resume next week, after a month in "          \
    "which both sides traded blame for the collapse of the earlier round."

static int extract_body(const char *body, struct article *a)
{
    char *html = malloc(strlen(body) + 200);
    strcpy(html, "<html><head><title>Talks resume</title></head><body><article>");
    strcat(html, body);
    strcat(html, "</article></body></html>");
    struct extract_input in = {.data = html, .len = strlen(html)};
    char err[256];
    int rc = extract_article(&in, a, err, sizeof err);
    free(html);
    return rc;
}

static void expect(const char *body, const char *dateline, const char *byline, const char *text)
{
    struct article a;
    CHECK(extract_body(body, &a) == 0);
    if (dateline)
        CHECK_STR(a.dateline, dateline);
    else
        CHECK(a.dateline == NULL);
    if (byline)
        CHECK_STR(a.byline, byline);
    else
        CHECK(a.byline == NULL);
    CHECK(a.text && strncmp(a.text, text, strlen(text)) == 0);
    if (a.text && strncmp(a.text, text, strlen(text)) != 0)
        fprintf(stderr, "  text: %.60s\n", a.text);
    article_free(&a);
}

static void test_datelines(void)
{
    expect("<p>ISLAMABAD, Dec 3 (Reuters) - Pakistan's " REST "</p>", "ISLAMABAD, Dec 3 (Reuters)",
           NULL, "Pakistan's the government");
    expect("<p>PESHAWAR: The provincial " REST "</p>", "PESHAWAR", NULL, "The provincial");
    expect("<p>WASHINGTON (AP) — The " REST "</p>", "WASHINGTON (AP)", NULL, "The the government");
    expect("<p>NEW YORK, Nov. 19, 2019 – The " REST "</p>", "NEW YORK, Nov. 19, 2019", NULL,
           "The the");
    expect("<p>SÃO PAULO: The " REST "</p>", "SÃO PAULO", NULL, "The the");
}

static void test_prose_is_not_a_dateline(void)
{
    expect("<p>LONDON is where " REST " - and more.</p>", NULL, NULL, "LONDON is where");
    expect("<p>The NATO summit - " REST "</p>", NULL, NULL, "The NATO summit");
    expect("<p>Islamabad: the capital " REST "</p>", NULL, NULL, "Islamabad: the capital");
    expect("<p>UN officials said " REST "</p>", NULL, NULL, "UN officials");
}

static void test_bylines(void)
{
    struct article a;
    CHECK(extract_body("<p>By Sana Jamal and Ahmed Khan</p><p>ISLAMABAD: The " REST "</p>", &a) ==
          0);
    CHECK_STR(a.byline, "By Sana Jamal and Ahmed Khan");
    CHECK_STR(a.dateline, "ISLAMABAD");
    CHECK(a.text && strncmp(a.text, "The the government", 18) == 0);
    CHECK(a.n_authors == 2); /* the page names none: the byline's names */
    if (a.n_authors == 2) {
        CHECK_STR(a.authors[0], "Sana Jamal");
        CHECK_STR(a.authors[1], "Ahmed Khan");
    }
    CHECK_STR(a.author, "Sana Jamal, Ahmed Khan");
    article_free(&a);
    /* The page's own author wins over the byline's names; the byline still leaves the text. */
    CHECK(extract_article(
              &(struct extract_input){
                  .data = "<html><head><meta name=\"author\" content=\"Sara Ali\"></head><body>"
                          "<article><p>By S. Ali</p><p>The " REST "</p></article></body></html>",
                  .len = strlen("<html><head><meta name=\"author\" content=\"Sara Ali\"></head>"
                                "<body><article><p>By S. Ali</p><p>The " REST
                                "</p></article></body></html>")},
              &a, (char[64]){0}, 64) == 0);
    CHECK(a.n_authors == 1 && strcmp(a.authors[0], "Sara Ali") == 0);
    CHECK_STR(a.byline, "By S. Ali");
    article_free(&a);
    /* A sentence that starts with "By" is text. */
    expect("<p>By the time the " REST "</p>", NULL, NULL, "By the time");
}

int main(void)
{
    RUN(test_datelines);
    RUN(test_prose_is_not_a_dateline);
    RUN(test_bylines);
    return check_summary();
}
