/* test_extract.c: the extractor on the five seed pages (body kept, every listed clutter
 * gone, metadata right), on text shape, on hostile pages, on real pages of the scrapinghub
 * set (metadata against what the pages' own tags say), on small hand-written pages of each
 * failure class extraction handles (containers judged by what they hold, split articles,
 * misplaced or streamed articles, boilerplate inside the article, no empty result), and on
 * pages in legacy charsets. */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "check.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "extract/extract.h"

static char *read_file(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb"); /* reads plain files as they are, .gz files inflated */
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    char chunk[65536];
    int n;
    while ((n = gzread(f, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)n);
    gzclose(f);
    *len = b.len;
    return buf_steal(&b);
}

static int extract_file(const char *path, const char *url, struct article *a)
{
    size_t len = 0;
    char *page = read_file(path, &len);
    if (!page) {
        fprintf(stderr, "cannot read %s\n", path);
        memset(a, 0, sizeof *a);
        return -1;
    }
    struct extract_input in = {.data = page, .len = len, .url = url};
    char err[256];
    int rc = extract_article(&in, a, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", path, err);
    free(page);
    return rc;
}

static int extract_string(const char *html, struct article *a, char *err, size_t errlen)
{
    struct extract_input in = {.data = html, .len = strlen(html)};
    return extract_article(&in, a, err, errlen);
}

struct seed_case {
    const char *file;
    const char *title;
    const char *published;
    const char *body[3];     /* from the start, the middle and the end of the body */
    const char *clutter[10]; /* what tests/data/seeds/README.md lists, plus the template's own */
};

static const struct seed_case seeds[] = {
    {"sample/pages/seed-000.html",
     "Pakistan reaches 'tentative understanding' with TTP for truce: report",
     "2021-11-05T08:40:00Z",
     {"Pakistani officials have reached a “tentative understanding”",
      "The number of terrorists who are to be released was not clear",
      "as fears rise about the Al Qaeda-linked group’s true agenda, the think tank said."},
     {"Leave a Reply", "Share this", "Recent Posts", "Proudly powered", "Posted in", "Tagged"}},
    {"sample/pages/seed-001.html",
     "Pakistan government reaches understanding with TTP for temporary truce, says report",
     "2021-11-05T18:42:00Z",
     {"The Pakistan government, with the help of Afghanistan’s acting interior minister",
      "“Now, every one of them is on board,” a source said.",
      "Such attacks have seen an uptick since the Taliban takeover of Kabul in August, the report added."},
     {"Taliban now guard site of Bamiyan Buddhas", "truce, says report-", "Source link",
      "Related articles", "Sign in", "Copyright"}},
    {"sample/pages/seed-002.html",
     "Imran govt reaches understanding with Tehreek-i-Taliban Pakistan in temporary truce",
     "2021-11-05T20:00:00Z",
     {"Islamabad: The Imran Khan government of Pakistan has reached a tentative understanding",
      "It is not known yet who is communicating from Pakistan's side with the TTP.",
      "and the TTP includes all groups without exception,” the source added."},
     {"February 14, 2026", "Follow us", "sharing button", "Tamil Nadu", "Pakistan | TTP",
      "Wallpaper Cave", "@indiablooms", "Support Our Journalism", "IBNS is not driven",
      "Most Read"}},
    {"sample/pages/seed-003.html",
     "Pakistan, TTP agree on month-long ceasefire",
     "2021-11-09T05:52:00Z",
     {"Islamabad: Pakistan government has agreed on a one-month ceasefire",
      "TTP spokesperson has also confirmed the ceasefire beginning November 9",
      "who laid down their weapons and adhere to the country’s constitution."},
     {"1636451760533", "Image Credit: AP", "Pakistan troops observe the area", "uses cookies",
      "Get Gulf News in your inbox", "More from Pakistan", "Share on"}},
    {"sample/pages/seed-004.html",
     "Taliban mediate temporary ceasefire between Pakistan and TTP",
     "2022-05-18T08:15:00Z",
     {"The Taliban have mediated a temporary ceasefire", "He provided no further details.",
      "Balochistan Liberation Army (BLA) militants in Balochistan which also borders Afghanistan."},
     {"With AP", "arab.news", "Topics:", "Related", "AFP/File", "Subscribe"}},
};

static void test_seed_pages(void)
{
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        const struct seed_case *s = &seeds[i];
        struct article a;
        CHECK(extract_file(s->file, "http://127.0.0.1:8080/pages/x.html", &a) == 0);
        CHECK_STR(a.title, s->title);
        CHECK_STR(a.published, s->published);
        for (size_t k = 0; k < 3; k++)
            CHECK_CONTAINS(a.text, s->body[k]);
        for (size_t k = 0; k < 10 && s->clutter[k]; k++)
            CHECK_LACKS(a.text, s->clutter[k]);
        CHECK_LACKS(a.text, s->title); /* the headline is metadata, not text */
        article_free(&a);
    }
}

static void test_seed_metadata(void)
{
    struct article a;
    CHECK(extract_file("sample/pages/seed-004.html", "http://127.0.0.1:8080/pages/seed-004.html",
                       &a) == 0);
    CHECK_STR(a.author, "Saleem Mehsud"); /* JSON-LD */
    CHECK_STR(a.site, "Arab News");
    CHECK_STR(a.modified, "2022-05-18T09:02:00Z");
    CHECK_STR(a.image, "http://127.0.0.1:8080/img/kabul-talks.jpg");
    CHECK_STR(a.lang, "en");
    CHECK_STR(a.dateline, "KABUL"); /* "KABUL: The Taliban have ..." */
    CHECK(strncmp(a.text, "The Taliban have mediated", 25) == 0);
    article_free(&a);
    CHECK(extract_file("sample/pages/seed-001.html", NULL, &a) == 0);
    CHECK_STR(a.dateline, "ISLAMABAD");
    article_free(&a);
    CHECK(extract_file("sample/pages/seed-003.html", NULL, &a) == 0);
    CHECK_STR(a.author, "Sana Jamal"); /* <meta name=author>: "Sana Jamal, Correspondent" */
    CHECK(a.n_authors == 1);
    CHECK_STR(a.site, "Gulf News"); /* og:site_name */
    CHECK_STR(a.canonical_url, "{{BASE}}/pages/seed-003.html");
    article_free(&a);
}

static void test_text_shape(void)
{
    const char *html =
        "<html><head><title>T</title><style>p{color:red}</style></head><body><article>"
        "<h2>A heading</h2>"
        "<p>First paragraph, with an entity: caf&eacute; &amp; more text to make it long enough.</p>"
        "<p hidden>Hidden paragraph text that must not appear anywhere at all.</p>"
        "<p style=\"display: none\">Styled away paragraph that must not appear either.</p>"
        "<p>Second   paragraph\n spread over\tlines, with an image <img alt=\"ALT TEXT\" src=x.png> inside.</p>"
        "<ul><li>Item one of the list</li><li>Item two of the list</li></ul>"
        "<table><tr><td>Cell A1</td><td>Cell B1</td></tr><tr><td>Cell A2</td><td>Cell B2</td></tr></table>"
        "<script>var x = 'SCRIPT TEXT';</script><noscript>NOSCRIPT TEXT</noscript>"
        "</article></body></html>";
    struct article a;
    char err[256];
    CHECK(extract_string(html, &a, err, sizeof err) == 0);
    CHECK_CONTAINS(a.text, "A heading\n");
    CHECK_CONTAINS(a.text, "café & more");
    CHECK_CONTAINS(a.text, "\n\nSecond paragraph spread over lines, with an image inside.");
    CHECK_CONTAINS(a.text, "Item one of the list\nItem two of the list");
    CHECK_CONTAINS(a.text, "Cell A1 | Cell B1\nCell A2 | Cell B2");
    CHECK_LACKS(a.text, "Hidden paragraph");
    CHECK_LACKS(a.text, "Styled away");
    CHECK_LACKS(a.text, "ALT TEXT");
    CHECK_LACKS(a.text, "SCRIPT TEXT");
    CHECK_LACKS(a.text, "NOSCRIPT TEXT");
    CHECK_LACKS(a.text, "color:red");
    article_free(&a);
}

static void test_hostile_pages(void)
{
    struct article a;
    char err[256];
    CHECK(extract_string("", &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "empty");
    CHECK(extract_string("{\"json\": true}", &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "not HTML");
    const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    struct extract_input bin = {.data = png, .len = sizeof png - 1};
    CHECK(extract_article(&bin, &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "binary");
    CHECK(
        extract_string(
            "<html><head><script>var a = 1;</script></head><body><script>b()</script></body></html>",
            &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no article text");

    /* found by fuzz_extract: the article is an unscored ancestor (itemprop="articleBody" four
     * levels above the paragraphs) */
    CHECK(
        extract_string("<html><body><div itemprop=\"articleBody\"><div><div><div>"
                       "<p>First paragraph of the story, long enough to count, with a comma.</p>"
                       "<p>Second paragraph of the story, also long enough, also with a comma.</p>"
                       "</div></div></div></div><div><p>Elsewhere.</p></div></body></html>",
                       &a, err, sizeof err) == 0);
    CHECK(a.text && strstr(a.text, "Second paragraph") != NULL);
    article_free(&a);

    /* 100,000 nested divs: bounded by the parser's depth limit, no crash, quick. */
    struct buf deep;
    buf_init(&deep, 0);
    buf_append_str(&deep, "<html><body>");
    for (int i = 0; i < 100000; i++)
        buf_append_str(&deep, "<div>");
    buf_append_str(&deep,
                   "<p>Deep text that goes on for a while, long enough to be an article.</p>");
    clock_t start = clock();
    int rc = extract_string(deep.data, &a, err, sizeof err);
    CHECK((double)(clock() - start) / CLOCKS_PER_SEC < 10);
    if (rc == 0)
        article_free(&a);
    buf_free(&deep);
}

static void test_real_pages_metadata(void)
{
    struct article a;
    CHECK(extract_file("tests/data/eval/scrapinghub/html/"
                       "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856.html.gz",
                       "https://www.wsj.com/articles/x", &a) == 0);
    CHECK_STR(a.author, "Sarah E. Needleman");
    CHECK_STR(a.site, "WSJ");
    CHECK_STR(a.lang, "en"); /* <html lang="en-US">: its primary subtag */
    CHECK(a.lang_source == ARTICLE_LANG_MARKUP);
    CHECK_STR(a.canonical_url, "https://www.wsj.com/articles/google-stadia-microsoft-xcloud-apple-"
                               "arcade-so-many-ways-to-playand-pay-11574168580");
    CHECK(a.text && strlen(a.text) > 200); /* the page holds only the paywalled lead */
    article_free(&a);
    CHECK(extract_file("tests/data/eval/scrapinghub/html/"
                       "0e014df693f182824fe5e24030ddbe1d0b96ddb9685cf20d5766457ed32ffa2d.html.gz",
                       NULL, &a) == 0);
    CHECK_STR(a.site, "The Anti-June Cleaver"); /* og:site_name; JSON-LD @graph below */
    CHECK_STR(a.modified, "2016-09-01T20:10:36Z");
    CHECK_STR(a.image, "https://theantijunecleaver.com/wp-content/uploads/2014/09/flat-irons.jpg");
    article_free(&a);
}

/* Prose of a made-up story, one sentence a paragraph: P(1) .. P(8). */
#define P(i)                                                                                       \
    "<p>Paragraph " #i " of the story tells how the council met on Tuesday, argued over the "      \
    "budget, and agreed in the end to fund the new bridge across the river.</p>"

/* Extracts html; the text, or NULL (with the reason printed) when there is none. Caller
 * frees with article_free(). */
static const char *text_of(const char *html, struct article *a)
{
    char err[256];
    if (extract_string(html, a, err, sizeof err) != 0) {
        fprintf(stderr, "extract: %s\n", err);
        return NULL;
    }
    return a->text;
}

/* Class words that mark layout in some pages and the text's own containers in others: judged
 * by what the block holds. */
static void test_containers_judged_by_content(void)
{
    struct article a;
    /* a heading styled with a layout word ("module_header", "widget-title") is a heading */
    CHECK(text_of("<html><body><article><h2 class=\"module_header\">How the bridge was built"
                  "</h2>" P(1) P(2) "<h3 class=widget-title>What it cost</h3>" P(
                      3) "</article></body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "How the bridge was built");
    CHECK_CONTAINS(a.text, "What it cost");
    article_free(&a);
    /* a navigation word marks links: a "content-nav-section" holding paragraphs is the text,
     * a "nav" list of links beside it is not */
    CHECK(text_of("<html><body><div class=page><div class=\"content-nav-section\">" P(1) P(2) P(
                      3) "</div><div class=\"content-nav-section\">" P(4)
                      P(5) "</div><div class=\"nav-links\"><a href=/a>Older post on the bridge</a>"
                           " <a href=/b>Newer post on the river</a></div></div></body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 1 of the story");
    CHECK_CONTAINS(a.text, "Paragraph 5 of the story");
    CHECK_LACKS(a.text, "Older post");
    article_free(&a);
    /* page builders wrap every text block in a "widget" container (each a small part of the
     * page) */
    CHECK_CONTAINS(
        text_of("<html><body><nav><a href=/>Home</a> <a href=/a>About</a></nav>"
                "<div class=entry><div class=\"text-widget-container\">" P(1) P(
                    2) "</div><div class=\"text-widget-container\">" P(3)
                    P(4) "</div>"
                         "<div class=\"text-widget-container\">" P(5)
                             P(6) "</div></div>"
                                  "<div class=\"widget\"><a href=/x>Recent post one</a> <a href=/y>"
                                  "Recent post two</a></div></body></html>",
                &a),
        "Paragraph 4 of the story");
    CHECK_LACKS(a.text, "Recent post");
    article_free(&a);
    /* one paragraph per widget (each under the bar for a block of prose on its own, in its own
     * wrapper): its siblings of the same kind make it text; a lone widget of one sentence
     * beside them is furniture */
#define WIDGET(i)                                                                                  \
    "<div class=\"builder-element builder-widget\"><div class=builder-widget-container>" P(        \
        i) "</div></div>"
    CHECK(
        text_of(
            "<html><body><div class=page><h1>The bridge</h1><p>The council has agreed to "
            "build the bridge, and here is how it came to that, step by step.</p>" WIDGET(1)
                WIDGET(2) WIDGET(3) WIDGET(
                    4) "</div><div class=\"cta-widget\"><p>Our advisers are here for you, every day "
                       "of the week, all year.</p></div></body></html>",
            &a) != NULL);
#undef WIDGET
    CHECK_CONTAINS(a.text, "Paragraph 1 of the story");
    CHECK_CONTAINS(a.text, "Paragraph 4 of the story");
    CHECK_LACKS(a.text, "advisers");
    article_free(&a);
    /* an <aside> big enough to survive the cleaning is still complementary: the article
     * beside it wins even when the aside's paragraphs score more */
    const char *busy = "<p>Our guide, with maps, tips, tables, lists, prices, dates, times, "
                       "places, names, and much more, is free.</p>";
    char beside[2048];
    snprintf(beside, sizeof beside,
             "<html><body><div class=main><div class=story>%s%s%s%s</div></div><aside><div>%s%s%s"
             "%s</div></aside></body></html>",
             P(1), P(2), P(3), P(4), busy, busy, busy, busy);
    CHECK_CONTAINS(text_of(beside, &a), "Paragraph 2 of the story");
    CHECK_LACKS(a.text, "Our guide");
    article_free(&a);
    /* a layout wrapper named after the sidebar beside it, tag-<slug> post classes, and an
     * article nested inside <header>, on a page with more paragraphs in its readers' comments
     * and more text in its menu (so that none of them is most of the page); a header of a
     * title and a byline is still furniture */
    const char *menu = "<nav><a href=/1>News from the valley and the towns around it</a> <a "
                       "href=/2>Sport from the valley and the towns around it</a> <a href=/3>"
                       "Weather for the valley and the towns around it</a> <a href=/4>Letters "
                       "from readers in the valley and around it</a> <a href=/5>Pictures of the "
                       "valley and the towns around it</a></nav>";
    const char *comments = "<div class=comment><p>I have lived by the river for forty years, "
                           "and this is the best news the valley has had, by far.</p><p>The "
                           "bridge will cost more than they say, mark my words, as the last one "
                           "did.</p></div><div class=comment><p>Why not a ferry? It would be "
                           "cheaper, quicker to build, and nicer to ride, too.</p><p>My "
                           "grandfather worked on the old bridge, and he said the same things "
                           "about it, back then.</p></div><div class=comment><p>At last, a "
                           "council that gets something done, on time, for once.</p><p>Will "
                           "there be a path for bicycles on it, and one for people on foot?</p>"
                           "</div>";
    char page[4096];
    snprintf(page, sizeof page,
             "<html><body>%s<div class=\"content-sidebar-wrap\"><div "
             "class=\"post tag-council tag-bridge\">%s%s%s</div><div class=sidebar><a href=/t>"
             "Topics</a></div></div>%s</body></html>",
             menu, P(1), P(2), P(3), comments);
    CHECK_CONTAINS(text_of(page, &a), "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "forty years");
    article_free(&a);
    snprintf(page, sizeof page,
             "<html><body>%s<header><h1>The bridge</h1><div class=story>%s%s"
             "%s%s%s</div></header><article><header><h2>Byline header text</h2><span>By A. "
             "Writer</span></header>%s</article>%s%s</body></html>",
             menu, P(1), P(2), P(3), P(4), P(5), P(6), comments, comments);
    CHECK_CONTAINS(text_of(page, &a), "Paragraph 4 of the story");
    CHECK_LACKS(a.text, "Byline header");
    article_free(&a);
    /* <figure> around a table or a pull quote is text; around a picture it is a caption */
    CHECK(
        text_of(
            "<html><body><article>" P(
                1) "<figure class=\"wp-block-table\"><table><tr>"
                   "<td>Cost of the bridge</td><td>12 million</td></tr></table></figure>"
                   "<figure><blockquote><p>We will build it this year, said the mayor.</p>"
                   "</blockquote></figure>" P(
                       2) "<figure><img src=x.jpg><figcaption>The river "
                          "at dawn (photo: archive)</figcaption></figure></article></body></html>",
            &a) != NULL);
    CHECK_CONTAINS(a.text, "Cost of the bridge | 12 million");
    CHECK_CONTAINS(a.text, "We will build it this year");
    CHECK_LACKS(a.text, "The river at dawn");
    article_free(&a);
}

/* An article split over sibling blocks, and a block beside it that outscores it. */
static void test_split_article(void)
{
    struct article a;
    /* the text modules of a page builder, each in its own row, and an author's bio full of
     * commas that outscores any one of them */
    const char *modules =
        "<html><body><div class=builder><div class=row><div class=col><div class=module>" P(1) "</div></div></div><div class=row><div class=col><div class=module>" P(
            2) "</div></div>"
               "</div><div class=row><div class=col><div class=module>" P(
                   3) "</div></div></div>"
                      "<div class=row><div class=col><div class=module>" P(
                          4) "</div></div></div>"
                             "<div class=row><div class=col><div class=module>" P(
                                 5) "</div></div></div>"
                                    "<div class=bio><div><p>Jo Smith, a writer, editor, runner, baker, gardener, sailor, "
                                    "reader, walker, painter, cook, and father, lives by the river.</p></div></div></div>"
                                    "</body></html>";
    CHECK(text_of(modules, &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 1 of the story");
    CHECK_CONTAINS(a.text, "Paragraph 5 of the story");
    article_free(&a);
    /* a comparison table that outscores the paragraphs around it is a part of the article */
#define ROW(i)                                                                                     \
    "<tr><td>Plan " #i " covers the trip, the luggage, the doctor and the flight home, "           \
    "for one price.</td><td>$" #i "00</td></tr>"
    CHECK(text_of("<html><body><div class=page><div class=guide><h2>Our picks</h2><p>We compared "
                  "the plans for a month abroad, for a traveller of sixty-five, with the same "
                  "trip.</p><p>Prices rise with each traveller added, and with the length of the "
                  "trip, so read the terms closely.</p><p>Here is what each plan covers, what it "
                  "costs and what it leaves out, plan by plan.</p><p>None of the plans pays for a "
                  "trip cancelled for a reason the policy does not name, so check the list.</p>"
                  "<p>Medical cover abroad matters most: a night in a hospital can cost more than "
                  "the whole trip.</p><p>The table below lists the plans from the cheapest to the "
                  "dearest, with the price for one traveller.</p><div class=wrap><table>" ROW(1)
                      ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(
                          8) "</table></div></div><div class=more><a href=/a>Other guides</a></div>"
                             "</div></body></html>",
                  &a) != NULL);
#undef ROW
    CHECK_CONTAINS(a.text, "We compared the plans for a month abroad");
    CHECK_CONTAINS(a.text, "Plan 8 covers the trip");
    article_free(&a);
    /* a standfirst before the body */
    CHECK(text_of("<html><body><article><div class=\"field--summary\"><p>The council agreed on "
                  "Tuesday to fund the bridge, after a long argument, a vote and a recount.</p>"
                  "</div><div class=body>" P(1) P(2) P(3) "</div></article></body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "fund the bridge, after a long argument");
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    article_free(&a);
}

/* Markup that hides or misplaces the article. */
static void test_misplaced_article(void)
{
    struct article a;
    /* React streaming: the article arrives hidden at the end and belongs in its slot */
    CHECK(text_of("<html><body><main><h1>Bridge</h1><!--$?--><template id=\"B:0\"></template>"
                  "<div>Loading the story now</div><!--/$--><p>Closing line of the page, after "
                  "the story, with its own comma.</p></main><div hidden id=\"S:0\"><div>" P(1) P(2)
                      P(3) "</div></div><script>$RC(\"B:0\",\"S:0\")</script></body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "Loading the story");
    CHECK(a.text && strstr(a.text, "Paragraph 1") &&
          strstr(a.text, "Paragraph 1") < strstr(a.text, "Closing line")); /* in its place */
    article_free(&a);
    /* segments streamed into placeholders (P:x) inside another streamed part, and a boundary
     * saved without its comments (its fallback is the short block after the template) */
    CHECK(text_of("<html><body><main><h1>Bridge</h1><template id=\"B:0\"></template><div>"
                  "Loading paragraph...</div><p>Closing line of the page, after the story, with "
                  "its own comma.</p></main><div hidden id=\"S:0\"><div>" P(
                      1) "<template "
                         "id=\"P:1\"></template><template id=\"P:2\"></template></div></div><div "
                         "hidden id=\"S:1\">" P(2) "</div><div hidden id=\"S:2\">" P(
                             3) "</div>"
                                "</body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 2 of the story");
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "Loading paragraph");
    CHECK(a.text && strstr(a.text, "Paragraph 3") &&
          strstr(a.text, "Paragraph 3") < strstr(a.text, "Closing line"));
    article_free(&a);
    /* a hidden block that is not streamed stays hidden */
    CHECK(text_of("<html><body><article>" P(1)
                      P(2) "<div hidden><p>A hidden note that is not "
                           "part of the story at all, here.</p></div></article></body></html>",
                  &a) != NULL);
    CHECK_LACKS(a.text, "hidden note");
    article_free(&a);
    /* collapsed panels: an accordion's answers, hidden until their toggle opens them, are text
     * (the toggle's label too); a hidden menu after its toggle is not prose and stays out */
    CHECK(
        text_of(
            "<html><body><article>" P(1) P(
                2) "<h3><button aria-expanded=false>How long "
                   "does the bridge last?</button></h3><div hidden aria-hidden=true><p>About a "
                   "hundred years, if it is painted, inspected and repaired on time, and if "
                   "the river stays in its bed.</p></div>"
                   "<button aria-expanded=false aria-controls=m>Sections</button><div id=m "
                   "hidden><a href=/a>Roads and bridges</a> <a href=/b>Rivers and canals</a></div>"
                   "</article></body></html>",
            &a) != NULL);
    CHECK_CONTAINS(a.text, "About a hundred years, if it is painted");
    CHECK_CONTAINS(a.text, "How long does the bridge last?");
    CHECK_LACKS(a.text, "Rivers and canals");
    article_free(&a);
    /* an unclosed <button> that swallows the rest of the page */
    CHECK_CONTAINS(text_of("<html><body><button class=menu>Menu<div class=page><article>" P(1) P(2)
                               P(3) "</article></div></body></html>",
                           &a),
                   "Paragraph 2 of the story");
    article_free(&a);
    /* stray markup after </html> (libxml2 starts a second <html> for it) */
    CHECK_CONTAINS(text_of("<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>Top."
                           "</p></body></html>\n<div class=page><article>" P(1) P(2) "</article>"
                                                                                     "</div>",
                           &a),
                   "Paragraph 2 of the story");
    article_free(&a);
}

/* Class and id values read as known words glued together, however they are cased or split:
 * furniture whatever it holds ("relatedPosts", "newsLetterBox2"), layout when it holds no prose
 * ("sharebar"), and not a run that no words cover ("commentary"). */
static void test_glued_class_words(void)
{
    const char *related = "<div class=\"td-relatedPosts-2\"><p>The bridge that was never built, "
                          "and why the council still talks about it every year.</p></div>";
    const char *newsletter = "<div id=newsLetterBox2><p>Our morning letter brings you the stories "
                             "of the town before you have had your breakfast.</p></div>";
    const char *share_bar = "<div class=sharebar><p>Tell a friend about this story</p><a "
                            "href=/s>Post it</a> <a href=/m>Mail it</a></div>";
    const char *commentary = "<div class=commentary><p>The mayor's view: the bridge will be worth "
                             "every penny it costs, and the town will be glad of it.</p></div>";
    char page[4096];
    snprintf(page, sizeof page, "<html><body><article>%s%s%s%s%s%s%s</article></body></html>", P(1),
             related, P(2), newsletter, share_bar, P(3), commentary);
    struct article a;
    CHECK(text_of(page, &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "never built");
    CHECK_LACKS(a.text, "breakfast");
    CHECK_LACKS(a.text, "Tell a friend");
    CHECK_CONTAINS(a.text, "worth every penny");
    article_free(&a);
    /* camelCase words of CSS modules: "PromoSmall", "advisorCta" are furniture; a layout word
     * so read ("edTag" on a heading of the text) is not */
    snprintf(page, sizeof page,
             "<html><body><article>%s<div class=PromoSmall><p>Two tickets to the bridge's opening "
             "night for every new reader.</p></div>%s<h3 class=edTag>The second span</h3>%s<div "
             "class=\"AdvisorCTA_advisorCta__x5\"><p>Grow your firm with our platform, free for "
             "a month.</p></div></article></body></html>",
             P(1), P(2), P(3));
    CHECK(text_of(page, &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "tickets");
    CHECK_LACKS(a.text, "Grow your firm");
    CHECK_CONTAINS(a.text, "The second span");
    article_free(&a);
}

/* Boilerplate inside the article's own container. */
static void test_boilerplate_in_article(void)
{
    struct article a;
    CHECK(
        text_of(
            "<html><body><article>" P(1) P(
                2) "<div class=\"news-letter\"><p>Get the best of our stories every morning in "
                   "your inbox, free, by signing up today.</p></div>" P(
                       3) "<div class=\"commentheader\"><p>Reader comments on this story, newest first, "
                          "from people who live by the river.</p></div>"
                          "<p>More topics: <a href=/a>Council budget news</a>, <a href=/b>River bridge "
                          "plans</a>, <a href=/c>Local elections</a></p></article></body></html>",
            &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "inbox");
    CHECK_LACKS(a.text, "Reader comments");
    CHECK_LACKS(a.text, "More topics");
    article_free(&a);
    /* the same furniture in other languages: credit and "read also" lines, an advertisement's
     * label, readers' comments and a share bar named in German */
    CHECK(text_of("<html><body><article>" P(1) "<p>Foto: Archiv der Stadt</p><p>Anzeige</p>" P(
                      2) "<p>Lire aussi : le pont de la ville</p><p>Photo by A. Snapper for the "
                         "paper</p>" P(3) "<div class=kommentare><p>Ein Leser schreibt, dass die "
                                          "Brücke zu teuer wird, und er hat wohl recht damit, "
                                          "sagt er.</p></div><div class=teilen><a href=/f>Teilen"
                                          "</a></div></article></body></html>",
                  &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "Archiv");
    CHECK_LACKS(a.text, "Anzeige");
    CHECK_LACKS(a.text, "le pont");
    CHECK_LACKS(a.text, "Snapper");
    CHECK_LACKS(a.text, "Leser");
    CHECK_LACKS(a.text, "Teilen");
    article_free(&a);
    /* the article rendered once per screen size (CSS shows one of them) is written once */
    const char *variant = "<h2>The bridge</h2>" P(1) P(2) P(3) P(4) "<p>It will open in May.</p>";
    char page[4096];
    snprintf(page, sizeof page,
             "<html><body><article><div class=\"variant desktop\">%s</div><div class=\"variant "
             "mobile\"><div>%s</div></div></article></body></html>",
             variant, variant);
    CHECK(text_of(page, &a) != NULL);
    const char *first = a.text ? strstr(a.text, "Paragraph 2 of") : NULL;
    CHECK(first && !strstr(first + 1, "Paragraph 2 of"));
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    article_free(&a);
    /* a picture with its credit in a <div>, no <figure>: the credit goes; a sentence beside a
     * picture, a line beside an emoji and a ranked heading beside a logo stay */
    CHECK(
        text_of(
            "<html><body><article>" P(
                1) "<div><img src=a.jpg><span>Agency Images / "
                   "J. Snapper</span></div>" P(
                       2) "<div><a href=b.jpg><img src=b.jpg></a>The "
                          "jury found the claim false.\xc2\xa0</div><div><img src=e.png width=20>Tip of "
                          "the day</div><p><b><img src=l.png>3. River Works</b></p>" P(
                              3) "</article></body></html>",
            &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "Snapper");
    CHECK_CONTAINS(a.text, "The jury found the claim false.");
    CHECK_CONTAINS(a.text, "Tip of the day");
    CHECK_CONTAINS(a.text, "3. River Works");
    article_free(&a);
    /* a list of links, however long, goes; a list of linked names each with its words stays */
    char links[2048] = "<ul>";
    for (int i = 0; i < 10; i++) /* (over 400 characters) */
        snprintf(links + strlen(links), sizeof links - strlen(links),
                 "<li><a href=/s%d>Sources and further reading on the old bridge over the river, "
                 "part %d</a></li>",
                 i, i);
    snprintf(page, sizeof page,
             "<html><body><article>%s%s%s</ul>%s<ul><li><a href=/m>The mill</a>: where the "
             "bridge's stones were cut</li><li><a href=/q>The quarry</a>: where they came from"
             "</li><li><a href=/r>The river</a>: what they span</li></ul></article></body></html>",
             P(1), P(2), links, P(3));
    CHECK(text_of(page, &a) != NULL);
    CHECK_CONTAINS(a.text, "Paragraph 3 of the story");
    CHECK_LACKS(a.text, "further reading");
    CHECK_CONTAINS(a.text, "where they came from");
    article_free(&a);
    /* a list of links that a heading follows is the article's own (the tools a section
     * recommends); the one at the end of the article still goes */
    CHECK(
        text_of(
            "<html><body><article><h2>1. Saws</h2>" P(
                1) "<h4>Our picks:</h4><ul><li>"
                   "<a href=/p/1>Hand Saw 22</a></li><li><a href=/p/2>Frame Saw 9</a></li></ul>"
                   "<h2>2. Chisels</h2>" P(2) P(
                       3) "<ul><li><a href=/s/1>Old bridges of the county"
                          "</a></li><li><a href=/s/2>The ford in winter</a></li><li><a href=/s/3>A "
                          "history of the mill</a></li></ul></article></body></html>",
            &a) != NULL);
    CHECK_CONTAINS(a.text, "Hand Saw 22");
    CHECK_CONTAINS(a.text, "Frame Saw 9");
    CHECK_CONTAINS(a.text, "2. Chisels");
    CHECK_LACKS(a.text, "The ford in winter");
    article_free(&a);
    /* a sentence most of whose words link to its source is a paragraph; a linked label is not */
    CHECK(text_of(
              "<html><body><article>" P(1) P(
                  2) "<p><a href=/r>The council's report on the "
                     "bridge, with the cost of each span,</a> came out on Friday.</p><p><a href=/m>"
                     "More stories from the river towns</a></p>" P(3) "</article></body></html>",
              &a) != NULL);
    CHECK_CONTAINS(a.text, "with the cost of each span, came out on Friday.");
    CHECK_LACKS(a.text, "More stories from the river towns");
    article_free(&a);
}

/* No empty result on a page with prose; a reason on a page without. */
static void test_no_empty_result(void)
{
    struct article a;
    char err[256];
    /* every block of prose sits in furniture (a comments plug-in's markup around the post),
     * none of it most of the page */
    CHECK_CONTAINS(text_of("<html><body><div class=\"comments-area\">" P(1)
                               P(2) "</div>"
                                    "<div class=\"comments-area\">" P(3)
                                        P(4) "</div>"
                                             "<div class=\"comments-area\">" P(5)
                                                 P(6) "</div></body></html>",
                           &a),
                   "Paragraph 2 of the story");
    article_free(&a);
    /* an index page: links only */
    CHECK(extract_string("<html><body><ul><li><a href=/1>First story on the council budget "
                         "vote</a></li><li><a href=/2>Second story on the river bridge plan</a>"
                         "</li><li><a href=/3>Third story on the local elections next year</a>"
                         "</li></ul></body></html>",
                         &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no article text found: ");
    CHECK_CONTAINS(err, "links");
    /* next to nothing */
    CHECK(extract_string("<html><body><div id=app></div></body></html>", &a, err, sizeof err) ==
          -1);
    CHECK_CONTAINS(err, "characters of text");
}

/* Converts UTF-8 text to charset with iconv. Caller frees; *len set. */
static char *encode(const char *utf8, const char *charset, size_t *len)
{
    iconv_t cd = iconv_open(charset, "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t in_left = strlen(utf8), cap = in_left * 4 + 16, out_left = cap;
    char *out = malloc(cap), *in = (char *)utf8, *o = out;
    size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        free(out);
        return NULL;
    }
    *len = cap - out_left;
    return out;
}

/* One page per legacy charset, declared each of the ways a page can declare it: the text
 * must come out as the same UTF-8. */
static void test_character_sets(void)
{
    static const struct {
        const char *charset;
        const char *text; /* UTF-8; must be representable in charset */
    } cases[] = {
        {"windows-1252", "Café owners in Zürich said the “ceasefire” – agreed on Tuesday – held; "
                         "prices rose by 5 € and the mood was déjà vu for everyone there."},
        {"ISO-8859-2", "Rozmowy w Łodzi i Gdańsku trwały długo, a przedstawiciele rządu "
                       "zapowiedzieli zawieszenie broni na czas świąt w całym regionie."},
        {"ISO-8859-7", "Οι συνομιλίες για την εκεχειρία συνεχίστηκαν στην Αθήνα την Τρίτη, "
                       "ανέφεραν αξιωματούχοι της κυβέρνησης στους δημοσιογράφους."},
        {"Shift_JIS", "政府と武装勢力は火曜日に停戦で合意したと、関係者が記者団に明らかにした。"
                      "合意は一か月間有効で、延長される可能性もある。"},
        {"GB18030", "政府与武装组织周二同意停火，官员对记者表示，该协议为期一个月，"
                    "并可能根据谈判进展延长。"},
        {"KOI8-R", "Переговоры о перемирии продолжались во вторник, сообщили чиновники "
                   "правительства журналистам в столице региона."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *how[] = {"meta", "http-equiv", "header"};
        for (size_t h = 0; h < 3; h++) {
            char utf8_page[2048];
            snprintf(utf8_page, sizeof utf8_page,
                     "<html><head>%s%s%s<title>t</title></head><body><article><p>%s</p>"
                     "<p>%s</p></article></body></html>",
                     h == 0   ? "<meta charset=\""
                     : h == 1 ? "<meta http-equiv=\"Content-Type\" "
                                "content=\"text/html; charset="
                              : "",
                     h < 2 ? cases[i].charset : "",
                     h == 0   ? "\">"
                     : h == 1 ? "\">"
                              : "",
                     cases[i].text, cases[i].text);
            size_t len;
            char *page = encode(utf8_page, cases[i].charset, &len);
            CHECK(page != NULL);
            if (!page)
                continue;
            char content_type[64];
            snprintf(content_type, sizeof content_type, "text/html; charset=%s", cases[i].charset);
            struct extract_input in = {
                .data = page, .len = len, .content_type = h == 2 ? content_type : "text/html"};
            struct article a;
            char err[256];
            int rc = extract_article(&in, &a, err, sizeof err);
            CHECK(rc == 0);
            if (rc == 0) {
                if (!a.text || strncmp(a.text, cases[i].text, strlen(cases[i].text)) != 0)
                    fprintf(stderr, "%s via %s: got \"%.80s\"\n", cases[i].charset, how[h],
                            a.text ? a.text : "(null)");
                CHECK(a.text && strncmp(a.text, cases[i].text, strlen(cases[i].text)) == 0);
                article_free(&a);
            }
            free(page);
        }
    }
    /* Undeclared: valid UTF-8 is UTF-8; anything else is taken as windows-1252. */
    size_t len;
    char *latin =
        encode("<html><body><p>Caf\xc3\xa9 owners in Z\xc3\xbcrich said the “talks” went on "
               "through the night and into the next morning, officials said.</p></body></html>",
               "windows-1252", &len);
    struct extract_input in = {.data = latin, .len = len};
    struct article a;
    char err[256];
    CHECK(extract_article(&in, &a, err, sizeof err) == 0);
    CHECK(a.text && strstr(a.text, "Café owners in Zürich said the “talks”") != NULL);
    article_free(&a);
    free(latin);
    /* found by fuzz_extract: a page that says UTF-8 with a broken sequence in its text */
    const char broken[] =
        "<html><head><meta charset=\"utf-8\"></head><body><p>\xd0\x9d\xd0\xb0\xd1"
        "s/A.\x80 \xd1\x88\xd0\xb8 heroes know more than taste, and the talks went on "
        "through the night into the next morning.</p></body></html>";
    struct extract_input broken_in = {.data = broken, .len = sizeof broken - 1};
    CHECK(extract_article(&broken_in, &a, err, sizeof err) == 0);
    CHECK(a.text && utf8_valid(a.text, strlen(a.text)));
    article_free(&a);
    /* A charset nobody knows is as if none were declared. */
    const char bogus[] =
        "<html><head><meta charset=\"x-no-such-charset\"></head><body><p>Caf\xe9 "
        "owners in the city said the talks went on through the night and into the morning.</p></body></html>";
    struct extract_input bogus_in = {.data = bogus, .len = sizeof bogus - 1};
    CHECK(extract_article(&bogus_in, &a, err, sizeof err) == 0);
    CHECK(a.text && strstr(a.text, "Café owners") != NULL);
    article_free(&a);
    /* The HTTP header wins over a wrong <meta>. */
    char *koi = encode("<html><head><meta charset=\"windows-1252\"></head><body><p>Переговоры о "
                       "перемирии продолжались во вторник, сообщили чиновники правительства.</p>"
                       "</body></html>",
                       "KOI8-R", &len);
    struct extract_input koi_in = {
        .data = koi, .len = len, .content_type = "text/html; charset=KOI8-R"};
    CHECK(extract_article(&koi_in, &a, err, sizeof err) == 0);
    CHECK(a.text && strstr(a.text, "Переговоры о перемирии") != NULL);
    article_free(&a);
    free(koi);
}

int main(void)
{
    RUN(test_seed_pages);
    RUN(test_seed_metadata);
    RUN(test_text_shape);
    RUN(test_hostile_pages);
    RUN(test_real_pages_metadata);
    RUN(test_containers_judged_by_content);
    RUN(test_split_article);
    RUN(test_misplaced_article);
    RUN(test_boilerplate_in_article);
    RUN(test_glued_class_words);
    RUN(test_no_empty_result);
    RUN(test_character_sets);
    return check_summary();
}
