/* test_extract.c: the extractor on the five seed pages (body kept, every listed clutter
 * gone, metadata right), on text shape, on hostile pages, and on real pages of the
 * scrapinghub set (metadata against what the pages' own tags say). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "check.h"
#include "common/buf.h"
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
    const char *body[3];    /* from the start, the middle and the end of the body */
    const char *clutter[10]; /* what ../shared/seeds/README.md lists, plus the template's own */
};

static const struct seed_case seeds[] = {
    {"sample/pages/seed-000.html", "Pakistan reaches 'tentative understanding' with TTP for truce: report",
     "2021-11-05T08:40:00Z",
     {"Pakistani officials have reached a “tentative understanding”",
      "The number of terrorists who are to be released was not clear",
      "as fears rise about the Al Qaeda-linked group’s true agenda, the think tank said."},
     {"Leave a Reply", "Share this", "Recent Posts", "Proudly powered", "Posted in", "Tagged"}},
    {"sample/pages/seed-001.html", "Pakistan government reaches understanding with TTP for temporary truce, says report",
     "2021-11-05T18:42:00Z",
     {"ISLAMABAD: The Pakistan government, with the help of Afghanistan’s acting interior minister",
      "“Now, every one of them is on board,” a source said.",
      "Such attacks have seen an uptick since the Taliban takeover of Kabul in August, the report added."},
     {"Taliban now guard site of Bamiyan Buddhas", "truce, says report-", "Source link",
      "Related articles", "Sign in", "Copyright"}},
    {"sample/pages/seed-002.html", "Imran govt reaches understanding with Tehreek-i-Taliban Pakistan in temporary truce",
     "2021-11-05T20:00:00Z",
     {"Islamabad: The Imran Khan government of Pakistan has reached a tentative understanding",
      "It is not known yet who is communicating from Pakistan's side with the TTP.",
      "and the TTP includes all groups without exception,” the source added."},
     {"February 14, 2026", "Follow us", "sharing button", "Tamil Nadu", "Pakistan | TTP",
      "Wallpaper Cave", "@indiablooms", "Support Our Journalism", "IBNS is not driven", "Most Read"}},
    {"sample/pages/seed-003.html", "Pakistan, TTP agree on month-long ceasefire", "2021-11-09T05:52:00Z",
     {"Islamabad: Pakistan government has agreed on a one-month ceasefire",
      "TTP spokesperson has also confirmed the ceasefire beginning November 9",
      "who laid down their weapons and adhere to the country’s constitution."},
     {"1636451760533", "Image Credit: AP", "Pakistan troops observe the area", "uses cookies",
      "Get Gulf News in your inbox", "More from Pakistan", "Share on"}},
    {"sample/pages/seed-004.html", "Taliban mediate temporary ceasefire between Pakistan and TTP",
     "2022-05-18T08:15:00Z",
     {"KABUL: The Taliban have mediated a temporary ceasefire",
      "He provided no further details.",
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
    CHECK(extract_file("sample/pages/seed-004.html", "http://127.0.0.1:8080/pages/seed-004.html", &a) == 0);
    CHECK_STR(a.author, "Saleem Mehsud");          /* JSON-LD */
    CHECK_STR(a.site, "Arab News");
    CHECK_STR(a.modified, "2022-05-18T09:02:00Z");
    CHECK_STR(a.image, "http://127.0.0.1:8080/img/kabul-talks.jpg");
    CHECK_STR(a.lang, "en");
    article_free(&a);
    CHECK(extract_file("sample/pages/seed-003.html", NULL, &a) == 0);
    CHECK_STR(a.author, "Sana Jamal, Correspondent"); /* <meta name=author> */
    CHECK_STR(a.site, "Gulf News");                   /* og:site_name */
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
    CHECK(extract_string("<html><head><script>var a = 1;</script></head><body><script>b()</script></body></html>",
                         &a, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "no article text");

    /* 100,000 nested divs: bounded by the parser's depth limit, no crash, quick. */
    struct buf deep;
    buf_init(&deep, 0);
    buf_append_str(&deep, "<html><body>");
    for (int i = 0; i < 100000; i++)
        buf_append_str(&deep, "<div>");
    buf_append_str(&deep, "<p>Deep text that goes on for a while, long enough to be an article.</p>");
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
    CHECK(extract_file("../shared/eval/scrapinghub/html/"
                       "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856.html.gz",
                       "https://www.wsj.com/articles/x", &a) == 0);
    CHECK_STR(a.author, "Sarah E. Needleman");
    CHECK_STR(a.site, "WSJ");
    CHECK_STR(a.lang, "en-US");
    CHECK_STR(a.canonical_url, "https://www.wsj.com/articles/google-stadia-microsoft-xcloud-apple-"
                               "arcade-so-many-ways-to-playand-pay-11574168580");
    CHECK(a.text && strlen(a.text) > 200); /* the page holds only the paywalled lead */
    article_free(&a);
    CHECK(extract_file("../shared/eval/scrapinghub/html/"
                       "0e014df693f182824fe5e24030ddbe1d0b96ddb9685cf20d5766457ed32ffa2d.html.gz",
                       NULL, &a) == 0);
    CHECK_STR(a.site, "The Anti-June Cleaver"); /* og:site_name; JSON-LD @graph below */
    CHECK_STR(a.modified, "2016-09-01T20:10:36Z");
    CHECK_STR(a.image, "https://theantijunecleaver.com/wp-content/uploads/2014/09/flat-irons.jpg");
    article_free(&a);
}

int main(void)
{
    RUN(test_seed_pages);
    RUN(test_seed_metadata);
    RUN(test_text_shape);
    RUN(test_hostile_pages);
    RUN(test_real_pages_metadata);
    return check_summary();
}
