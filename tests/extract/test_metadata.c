/* test_metadata.c: each metadata field of record v2 on synthetic pages: authors as a list
 * (several <meta> tags, JSON-LD arrays, one string of names, roles left out), categories,
 * description, the site from the host, the headline the page shows, and a day-only date
 * yielding to a precise one of the same day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "extract/extract.h"

#define BODY                                                                                       \
    "<article><p>The government said on Tuesday that talks with the opposition would resume "      \
    "next week, after a month in which both sides traded blame for the collapse.</p></article>"

static void extract_page(const char *head, const char *body_before, const char *url,
                         struct article *a)
{
    char page[8192];
    snprintf(page, sizeof page, "<html><head>%s</head><body>%s" BODY "</body></html>", head,
             body_before);
    struct extract_input in = {.data = page, .len = strlen(page), .url = url};
    char err[256];
    CHECK(extract_article(&in, a, err, sizeof err) == 0);
}

static void check_authors(struct article *a, size_t n, const char *const *names)
{
    CHECK(a->n_authors == n);
    for (size_t i = 0; i < n && i < a->n_authors; i++)
        CHECK_STR(a->authors[i], names[i]);
}

static void test_authors(void)
{
    struct article a;
    extract_page("<meta name=\"author\" content=\"Ahmed Khan, Sara Ali\">", "", NULL, &a);
    check_authors(&a, 2, (const char *const[]){"Ahmed Khan", "Sara Ali"});
    CHECK_STR(a.author, "Ahmed Khan, Sara Ali");
    article_free(&a);
    extract_page("<meta name=\"author\" content=\"Sana Jamal, Correspondent\">", "", NULL, &a);
    check_authors(&a, 1, (const char *const[]){"Sana Jamal"});
    article_free(&a);
    extract_page("<meta name=\"author\" content=\"Khan, Ahmed\">", "", NULL, &a);
    check_authors(&a, 1, (const char *const[]){"Khan, Ahmed"}); /* surname first: one name */
    article_free(&a);
    extract_page("<meta name=\"author\" content=\"A. Writer\"><meta name=\"author\" "
                 "content=\"B. Writer\"><meta name=\"author\" content=\"A. Writer\">",
                 "", NULL, &a);
    check_authors(&a, 2, (const char *const[]){"A. Writer", "B. Writer"});
    article_free(&a);
    extract_page("<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"author\": "
                 "[{\"@type\": \"Person\", \"name\": \"By MEG KINNARD and ERRIN HAINES, "
                 "Associated Press\"}, {\"name\": \"Analysis by Chris Cillizza, CNN "
                 "Editor-at-large\"}]}</script>",
                 "", NULL, &a);
    check_authors(&a, 3, (const char *const[]){"Meg Kinnard", "Errin Haines", "Chris Cillizza"});
    article_free(&a);
    /* Nothing in the head: the byline found by its class, not a comment's author. */
    extract_page("",
                 "<div class=\"comments\"><span class=\"author\">Commenter One</span></div>"
                 "<p class=\"article-byline\">By Tom Rogan</p>",
                 NULL, &a);
    check_authors(&a, 1, (const char *const[]){"Tom Rogan"});
    article_free(&a);
    extract_page("<meta name=\"author\" content=\"Staff Reporter\">", "", NULL, &a);
    CHECK(a.n_authors == 0 && a.author == NULL); /* a role, no name */
    article_free(&a);
}

static void test_categories_and_description(void)
{
    struct article a;
    extract_page("<meta property=\"article:section\" content=\"World\">"
                 "<meta property=\"article:tag\" content=\"Pakistan\">"
                 "<meta property=\"article:tag\" content=\"Talks\">"
                 "<meta name=\"keywords\" content=\"talks, opposition,pakistan\">"
                 "<meta property=\"og:description\" content=\"Talks  resume.\">"
                 "<meta name=\"description\" content=\"Talks resume next week.\">",
                 "", NULL, &a);
    CHECK(a.n_categories == 4);
    const char *const want[] = {"World", "Pakistan", "Talks", "opposition"};
    for (size_t i = 0; i < 4 && i < a.n_categories; i++)
        CHECK_STR(a.categories[i], want[i]);
    CHECK_STR(a.description, "Talks resume next week."); /* <meta name> first, as for every field */
    article_free(&a);
    extract_page("<script type=\"application/ld+json\">{\"@type\": \"Article\", \"keywords\": "
                 "[\"Floods\", \"Sindh\"], \"articleSection\": \"Pakistan\", \"description\": "
                 "\"Rain again.\"}</script>",
                 "", NULL, &a);
    CHECK(a.n_categories == 3);
    CHECK_STR(a.description, "Rain again.");
    article_free(&a);
}

static void test_site_and_title(void)
{
    struct article a;
    extract_page("<title>Talks resume | Example News</title>", "", "https://www.example.org/a", &a);
    CHECK_STR(a.site, "example.org"); /* nothing names the site: its host */
    CHECK_STR(a.title, "Talks resume");
    article_free(&a);
    extract_page("<meta property=\"og:site_name\" content=\"Dawn | Today's paper\">"
                 "<meta property=\"og:title\" content=\"Talks resume next week - Dawn\">",
                 "", "https://www.example.org/a", &a);
    CHECK_STR(a.site, "Dawn");                    /* the tagline cut */
    CHECK_STR(a.title, "Talks resume next week"); /* the site's name after it cut */
    article_free(&a);
    extract_page("<meta property=\"og:title\" content=\"SEO title for the talks\">"
                 "<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"headline\": "
                 "\"Talks to resume next week\"}</script>",
                 "<h1>Talks to resume next week</h1>", NULL, &a);
    CHECK_STR(a.title, "Talks to resume next week"); /* the title the page shows */
    article_free(&a);
}

static void test_dates(void)
{
    struct article a;
    /* A day in <meta>, the instant in <time datetime> on that day: the instant. */
    extract_page("<meta name=\"date\" content=\"2019-11-19\">",
                 "<time datetime=\"2019-11-19T06:12:56-05:00\">Nov 19</time>", NULL, &a);
    CHECK_STR(a.published, "2019-11-19T11:12:56Z");
    article_free(&a);
    /* ... but not an instant of another day (a related article's). */
    extract_page("<meta name=\"date\" content=\"2019-11-19\">",
                 "<time datetime=\"2019-11-23T06:12:56Z\">Nov 23</time>", NULL, &a);
    CHECK_STR(a.published, "2019-11-19T00:00:00Z");
    article_free(&a);
    /* A local time without a zone yields to the zoned one of JSON-LD. */
    extract_page("<meta name=\"sailthru.date\" content=\"2019-11-19 05:45:00\">"
                 "<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", "
                 "\"datePublished\": \"2019-11-19T05:45:00-08:00\"}</script>",
                 "", NULL, &a);
    CHECK_STR(a.published, "2019-11-19T13:45:00Z");
    article_free(&a);
    /* The <time> marked as the publication's beats an earlier unmarked one. */
    extract_page("",
                 "<time datetime=\"2019-11-20T07:00:00Z\">x</time><time itemprop="
                 "\"datePublished\" datetime=\"2019-11-18T17:26:45Z\">y</time>",
                 NULL, &a);
    CHECK_STR(a.published, "2019-11-18T17:26:45Z");
    article_free(&a);
    /* A WebPage's date when there is no article object. */
    extract_page("<script type=\"application/ld+json\">{\"@graph\": [{\"@type\": \"WebPage\", "
                 "\"datePublished\": \"2024-12-09T22:52:11-05:00\", \"author\": {\"name\": "
                 "\"Firm\"}}]}</script>",
                 "", NULL, &a);
    CHECK_STR(a.published, "2024-12-10T03:52:11Z");
    CHECK(a.n_authors == 0); /* (a page's author is not the article's) */
    article_free(&a);
}

int main(void)
{
    RUN(test_authors);
    RUN(test_categories_and_description);
    RUN(test_site_and_title);
    RUN(test_dates);
    return check_summary();
}
