/* test_feed_parse.c: the feed parser on RSS 2.0, Atom 1.0, RSS 1.0, JSON Feed, broken input, and dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/buf.h"
#include "feeds/date.h"
#include "feeds/feed.h"

static int parse(const char *text, const char *url, struct feed *f)
{
    char err[256];
    return feed_parse(text, strlen(text), url, f, err, sizeof err);
}

static void iso(int64_t t, char out[DATE_ISO_LEN])
{
    date_format_iso(t, out);
}

static void test_rss20_items(void)
{
    const char *rss =
        "<?xml version=\"1.0\"?>\n"
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
        "<title>Desk</title><link>https://news.example/</link><description>All of it</description>"
        "<ttl>30</ttl>"
        "<item><title>First &amp; best</title><link>/story/1</link><guid isPermaLink=\"false\">id-1</guid>"
        "<pubDate>Fri, 05 Nov 2021 14:10:00 +0530</pubDate><dc:creator>Desk staff</dc:creator>"
        "<description>&lt;p&gt;Short&lt;/p&gt;</description>"
        "<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded></item>"
        "<item><title>No link</title><guid>https://news.example/story/2</guid>"
        "<author>editor@news.example (Jane Roe)</author></item>"
        "<item><title>Nothing to link to</title><guid isPermaLink=\"false\">id-3</guid></item>"
        "</channel></rss>";
    struct feed f;
    CHECK(parse(rss, "https://news.example/rss.xml", &f) == 0);
    CHECK(f.format == FEED_FORMAT_RSS20);
    CHECK_STR(feed_format_name(f.format), "rss20");
    CHECK_STR(f.title, "Desk");
    CHECK_STR(f.subtitle, "All of it");
    CHECK(f.ttl_minutes == 30);
    CHECK(!f.bozo);
    CHECK(f.n_items == 3);
    if (f.n_items == 3) {
        CHECK_STR(f.items[0].title, "First & best");
        CHECK_STR(f.items[0].id, "id-1");
        CHECK_STR(f.items[0].link, "https://news.example/story/1");
        CHECK_STR(f.items[0].author, "Desk staff");
        CHECK_STR(f.items[0].summary, "<p>Short</p>");
        CHECK_STR(f.items[0].content, "<p>Full <b>text</b></p>");
        char when[DATE_ISO_LEN];
        CHECK(f.items[0].has_published);
        iso(f.items[0].published, when);
        CHECK_STR(when, "2021-11-05T08:40:00Z");
        CHECK(f.items[0].has_updated && f.items[0].updated == f.items[0].published);
        /* A permalink guid stands in for the link. */
        CHECK_STR(f.items[1].link, "https://news.example/story/2");
        CHECK_STR(f.items[1].author, "Jane Roe");
        CHECK(f.items[2].link == NULL);
        CHECK(!f.items[2].has_published);
    }
    json_t *j = feed_to_json(&f);
    CHECK_STR(json_string_value(json_object_get(j, "format")), "rss20");
    CHECK(json_array_size(json_object_get(j, "entries")) == 3);
    CHECK(json_is_null(json_object_get(json_array_get(json_object_get(j, "entries"), 2), "link")));
    json_decref(j);
    feed_free(&f);
}

static void test_atom10_links_and_bases(void)
{
    const char *atom =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://wire.example/a/\">"
        "<title type=\"html\">Wire &lt;b&gt;copy&lt;/b&gt;</title>"
        "<link rel=\"self\" href=\"/feed\"/><link href=\"home\"/>"
        "<entry xml:base=\"stories/\"><id>tag:wire,2022:1</id><title>One</title>"
        "<link rel=\"enclosure\" href=\"one.mp3\"/><link rel=\"alternate\" href=\"one.html\"/>"
        "<author><name>A. Writer</name></author>"
        "<published>2022-05-18T08:15:00Z</published><updated>2022-05-18T10:15:00+02:00</updated>"
        "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Body</p></div></content>"
        "</entry></feed>";
    struct feed f;
    CHECK(parse(atom, "https://wire.example/feed", &f) == 0);
    CHECK(f.format == FEED_FORMAT_ATOM10);
    CHECK_STR(f.title, "Wire <b>copy</b>");
    CHECK_STR(f.link, "https://wire.example/a/home");
    CHECK(f.n_items == 1);
    if (f.n_items == 1) {
        CHECK_STR(f.items[0].link, "https://wire.example/a/stories/one.html");
        CHECK_STR(f.items[0].author, "A. Writer");
        CHECK_STR(f.items[0].id, "tag:wire,2022:1");
        CHECK_CONTAINS(f.items[0].content, "<p");
        CHECK_CONTAINS(f.items[0].content, "Body</p>");
        CHECK(f.items[0].published == f.items[0].updated); /* 10:15+02:00 is 08:15Z */
    }
    feed_free(&f);
}

static void test_rss10_and_json_feed(void)
{
    const char *rdf =
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
        "<channel rdf:about=\"https://x.example/\"><title>RDF</title><link>https://x.example/</link></channel>"
        "<item rdf:about=\"https://x.example/1\"><title>R1</title><link>https://x.example/1</link>"
        "<dc:date>2004-01-01T19:48:21Z</dc:date></item></rdf:RDF>";
    struct feed f;
    CHECK(parse(rdf, NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_RSS10);
    CHECK(f.n_items == 1 && f.items[0].has_updated && !f.items[0].has_published);
    if (f.n_items == 1)
        CHECK_STR(f.items[0].id, "https://x.example/1");
    feed_free(&f);

    const char *jf = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\","
                     "\"items\":[{\"id\":7,\"url\":\"https://j.example/7\",\"title\":\"Seven\","
                     "\"content_html\":\"<p>x</p>\",\"date_published\":\"2021-01-02T03:04:05Z\","
                     "\"authors\":[{\"name\":\"Ann\"}]}]}";
    CHECK(parse(jf, NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_JSON);
    CHECK(f.n_items == 1);
    if (f.n_items == 1) {
        CHECK_STR(f.items[0].id, "7");
        CHECK_STR(f.items[0].author, "Ann");
        CHECK_STR(f.items[0].content, "<p>x</p>");
    }
    feed_free(&f);
}

static void test_broken_input(void)
{
    struct feed f;
    char err[256];
    const char *text = "This is not a feed.";
    CHECK(feed_parse(text, strlen(text), NULL, &f, err, sizeof err) == -1);
    CHECK(strlen(err) > 0);
    CHECK(f.n_items == 0 && f.title == NULL);
    const char *html = "<html><body><p>A web page</p></body></html>";
    CHECK(feed_parse(html, strlen(html), NULL, &f, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "<html>");
    CHECK(feed_parse("", 0, NULL, &f, err, sizeof err) == -1);
    /* Ill-formed, but the items are there: recovered and flagged. */
    const char *broken =
        "<rss version=\"2.0\"><channel><title>T</title>"
        "<item><title>Kept &nbsp; & more</title><link>https://b.example/1</link></item>"
        "<item><title>Also kept</title><link>https://b.example/2</link></item>";
    CHECK(parse(broken, NULL, &f) == 0);
    CHECK(f.bozo);
    CHECK(f.n_items == 2);
    if (f.n_items == 2)
        CHECK_STR(f.items[1].link, "https://b.example/2");
    feed_free(&f);
}

/* A feed of ten entries in the forms real feeds use (escaped HTML, &amp; in text and links,
 * numeric and HTML references, CDATA); entry `odd` holds `odd_text` instead of its own. */
static char *realistic_feed(const char *before, int odd, const char *odd_text)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_str(&b, before);
    buf_append_str(
        &b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n"
            "<channel><title>Cloud &amp; Compute Blog</title><link>https://blog.example/</link>\n");
    for (int i = 0; i < 10; i++) {
        char item[1024];
        if (i == odd)
            snprintf(item, sizeof item, "%s", odd_text);
        else
            snprintf(
                item, sizeof item,
                "<item><title>Part %d: R&amp;D &#8211; &lt;code&gt; &quot;tips&quot;&nbsp;&#x2019;</title>"
                "<link>https://blog.example/p?id=%d&amp;src=rss</link><guid isPermaLink=\"false\">p-%d</guid>"
                "<description>&lt;p&gt;AT&amp;amp;T &amp;amp; friends &lt;a href=\"/x?a=1&amp;amp;b=2\"&gt;more&lt;/a&gt;&lt;/p&gt;</description>"
                "<content:encoded><![CDATA[<p>Body & more %d</p>]]></content:encoded>"
                "<pubDate>Tue, 0%d Mar 2026 10:00:00 GMT</pubDate></item>\n",
                i, i, i, i, 1 + i % 9);
        buf_append_str(&b, item);
    }
    buf_append_str(&b, "</channel></rss>\n");
    return buf_steal(&b);
}

static char *entry_json(const struct feed *f, size_t i)
{
    json_t *all = feed_to_json(f);
    char *s = json_dumps(json_array_get(json_object_get(all, "entries"), i), JSON_SORT_KEYS);
    json_decref(all);
    return s;
}

/* Entries of `broken` other than `odd` are byte-identical to those of `strict`. */
static void check_other_entries_intact(const char *strict, const char *broken, size_t odd)
{
    struct feed a, b;
    CHECK(parse(strict, NULL, &a) == 0);
    CHECK(!a.bozo);
    CHECK(parse(broken, NULL, &b) == 0);
    CHECK(a.n_items == 10 && b.n_items == 10);
    CHECK_STR(b.title, "Cloud & Compute Blog");
    for (size_t i = 0; i < a.n_items && i < b.n_items; i++) {
        if (i == odd)
            continue;
        char *x = entry_json(&a, i), *y = entry_json(&b, i);
        CHECK_STR(y, x);
        free(x);
        free(y);
    }
    if (a.n_items > 1)
        CHECK_STR(a.items[1].summary,
                  "<p>AT&amp;T &amp; friends <a href=\"/x?a=1&amp;b=2\">more</a></p>");
    feed_free(&a);
    feed_free(&b);
}

static void test_recovery_never_damages_text(void)
{
    const char *fixed_item =
        "<item><title>AT&amp;T testing &amp;doesnotexist; entity</title>"
        "<link>https://blog.example/q?a=1&amp;b=2&amp;c</link><guid>q-4</guid></item>\n";
    const char *broken_item =
        "<item><title>AT&T testing &doesnotexist; entity</title>"
        "<link>https://blog.example/q?a=1&b=2&c</link><guid>q-4</guid></item>\n";
    char *strict = realistic_feed("", 4, fixed_item);
    char *broken = realistic_feed("", 4, broken_item);
    check_other_entries_intact(strict, broken, 4);
    struct feed f;
    CHECK(parse(broken, NULL, &f) == 0);
    CHECK(f.bozo);
    if (f.n_items > 4) {
        CHECK_STR(f.items[4].title, "AT&T testing &doesnotexist; entity");
        CHECK_STR(f.items[4].link, "https://blog.example/q?a=1&b=2&c");
    }
    feed_free(&f);
    free(broken);
    /* a blank line before the XML declaration is no damage either */
    char *blank = realistic_feed("\n\r\n", 4, fixed_item);
    check_other_entries_intact(strict, blank, 99);
    free(blank);
    /* an error of another kind (a repeated attribute) in one entry: references elsewhere stay */
    char *plain = realistic_feed("", -1, "");
    char *other = realistic_feed("", 2, "<item><title a=\"1\" a=\"2\">x</title></item>\n");
    check_other_entries_intact(plain, other, 2);
    free(other);
    free(plain);
    free(strict);
}

static int parse_bytes(const char *data, size_t len, struct feed *f)
{
    char err[256];
    return feed_parse(data, len, NULL, f, err, sizeof err);
}

/* The forms of point 3 of issue 22, each a capability of its own. */
static void test_forgiving_forms(void)
{
    struct feed f;
    /* element names in any case, the iTunes DTD variant, upper-case Dublin Core URI,
     * dc:author, an undeclared content: prefix, Atom elements in an RSS item */
    const char *rss =
        "<RSS version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/DTDs/PodCast-1.0.dtd\" "
        "xmlns:dc=\"HTTP://PURL.ORG/DC/ELEMENTS/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">"
        "<Channel><TiTlE>Loud</TiTlE><Link>http://loud.example/</Link>"
        "<Item><Title>One</Title><PubDate>Thu, 01 Jan 2004 19:48:21 GMT</PubDate>"
        "<dc:author>Ann Author (ann@loud.example)</dc:author>"
        "<content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded></Item>"
        "<item><itunes:author>Pod Person</itunes:author><atom:content type=\"html\">&lt;i&gt;x&lt;/i&gt;</atom:content>"
        "<atom:published>2004-01-02T00:00:00Z</atom:published><atom:updated>2004-01-03T00:00:00Z</atom:updated></item>"
        "<item><atom:author><atom:name>Atom Name</atom:name></atom:author><fullitem>&lt;b&gt;all&lt;/b&gt;</fullitem>"
        "<description><p>Naked <b>markup</b></p></description><title><em>Hi</em> there</title></item>"
        "</Channel></RSS>";
    CHECK(parse(rss, NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_RSS20);
    CHECK_STR(f.title, "Loud");
    CHECK_STR(f.link, "http://loud.example/");
    CHECK(f.n_items == 3);
    if (f.n_items == 3) {
        char when[DATE_ISO_LEN];
        CHECK_STR(f.items[0].title, "One");
        CHECK(f.items[0].has_published);
        CHECK_STR(f.items[0].author, "Ann Author");
        CHECK_STR(f.items[0].content, "<p>Body</p>");
        CHECK_STR(f.items[1].author, "Pod Person");
        CHECK_STR(f.items[1].content, "<i>x</i>");
        iso(f.items[1].published, when);
        CHECK_STR(when, "2004-01-02T00:00:00Z");
        iso(f.items[1].updated, when);
        CHECK_STR(when, "2004-01-03T00:00:00Z");
        CHECK_STR(f.items[2].author, "Atom Name");
        CHECK_STR(f.items[2].content, "<b>all</b>");
        CHECK_STR(f.items[2].summary, "<p>Naked <b>markup</b></p>");
        CHECK_STR(f.items[2].title, "<em>Hi</em> there");
    }
    feed_free(&f);

    /* Atom: the last <updated> wins; a title whose type is no media type is text */
    const char *atom =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title type=\"\">evil</title>"
        "<updated>2004-01-01T00:00:00Z</updated><updated>2005-06-07T08:09:10Z</updated></entry>"
        "<entry><title type=\"plain\">also text</title></entry>"
        "<entry><title type=\"application/x-custom\">test</title></entry></feed>";
    CHECK(parse(atom, NULL, &f) == 0);
    CHECK(f.n_items == 3);
    if (f.n_items == 3) {
        char when[DATE_ISO_LEN];
        CHECK_STR(f.items[0].title, "evil");
        iso(f.items[0].updated, when);
        CHECK_STR(when, "2005-06-07T08:09:10Z");
        CHECK_STR(f.items[1].title, "also text");
        CHECK_STR(f.items[2].title, "test"); /* base64 of bytes that are no text: kept */
    }
    feed_free(&f);

    /* UTF-16 declared as "utf16" without a BOM, in both byte orders */
    const char *ascii = "<?xml version=\"1.0\" encoding=\"utf16\"?><rss version=\"2.0\"><channel>"
                        "<title>Wide</title></channel></rss>";
    for (int big = 0; big < 2; big++) {
        size_t n = strlen(ascii);
        char *wide = calloc(2 * n, 1);
        for (size_t i = 0; i < n; i++)
            wide[2 * i + big] = ascii[i];
        CHECK(parse_bytes(wide, 2 * n, &f) == 0);
        CHECK_STR(f.title, "Wide");
        feed_free(&f);
        free(wide);
    }

    /* bytes 0x80-0x9F under ISO-8859-1 are windows-1252's: 0x93 0x94 are curly quotes */
    const char *latin =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
        "<title>\x93Quoted\x94 caf\xe9</title></channel></rss>";
    CHECK(parse(latin, NULL, &f) == 0);
    CHECK_STR(f.title, "\u201cQuoted\u201d caf\u00e9");
    feed_free(&f);

    /* a feed inside an HTML page: raw in the body, or escaped in a <pre> */
    const char *in_body =
        "<!DOCTYPE html><html><head><title>Page</title></head><body>"
        "<rss version=\"2.0\"><channel><title>Inside</title><item><title>A &amp; B</title>"
        "</item></channel></rss></body></html>";
    CHECK(parse(in_body, NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_RSS20);
    CHECK_STR(f.title, "Inside");
    CHECK(f.n_items == 1 && strcmp(f.items[0].title, "A & B") == 0);
    feed_free(&f);
    const char *in_pre =
        "<html><body><pre>&lt;?xml version=\"1.0\"?&gt;\n&lt;feed xmlns=\"http://www.w3.org/2005/Atom\"&gt;"
        "&lt;title&gt;Shown&lt;/title&gt;&lt;entry&gt;&lt;title&gt;A &amp;amp; B&lt;/title&gt;"
        "&lt;/entry&gt;&lt;/feed&gt;</pre></body></html>";
    CHECK(parse(in_pre, NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_ATOM10);
    CHECK_STR(f.title, "Shown");
    CHECK(f.n_items == 1 && strcmp(f.items[0].title, "A & B") == 0);
    feed_free(&f);
    char err[256];
    CHECK(feed_parse("<html><body><p>no feed</p></body></html>", 40, NULL, &f, err, sizeof err) <
          0);

    /* JSON Feed after a UTF-8 BOM */
    CHECK(
        parse(
            "\xEF\xBB\xBF\n{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\", \"items\": []}",
            NULL, &f) == 0);
    CHECK(f.format == FEED_FORMAT_JSON);
    CHECK_STR(f.title, "J");
    feed_free(&f);
}

static void test_dates(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"thu, 01 jan 2004 19:48 EST", "2004-01-02T00:48:00Z"},
        {"1 Jan 04 19:48:21 +0100", "2004-01-01T18:48:21Z"},
        {"Sun, 06 Nov 1994 08:49:37 -08:00", "1994-11-06T16:49:37Z"},
        {"2003-12-13T18:30:02Z", "2003-12-13T18:30:02Z"},
        {"2003-12-13T18:30:02.25+01:00", "2003-12-13T17:30:02Z"},
        {"2003-12-13", "2003-12-13T00:00:00Z"},
        {"20031213T183002Z", "2003-12-13T18:30:02Z"},
        {"Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37Z"},
        {"1969-07-20T20:17:40Z", "1969-07-20T20:17:40Z"},
        {"03-12-31", "2003-12-31T00:00:00Z"},
        {"2003-335", "2003-12-01T00:00:00Z"},
        {"03335", "2003-12-01T00:00:00Z"},
        {"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"},
        {"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"},
        {"Feb 08, 2022", "2022-02-08T00:00:00Z"}, /* pages' prose, as JSON-LD repeats it */
        {"Mon Feb 08, 2022 10:30 +0100", "2022-02-08T09:30:00Z"},
        {"Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"},
        {"Sat, 07 Sep 2002 00:00:01 GMT (Greenwich)", "2002-09-07T00:00:01Z"},
        /* zone names of the tz database and of central and western Europe */
        {"Sun, 31 Dec 2006 12:00:00 MET", "2006-12-31T11:00:00Z"},
        {"Sun, 31 Dec 2006 12:00:00 MEST", "2006-12-31T10:00:00Z"},
        {"Thu, 01 Jan 2004 19:48:21 WET", "2004-01-01T19:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 Etc/GMT", "2004-01-01T19:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 Etc/GMT+5", "2004-01-02T00:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 GMT+5", "2004-01-01T14:48:21Z"},
        {"Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T18:48:21Z"}, /* RFC 822: N is +1 */
        /* the short ISO 8601 forms */
        {"031231", "2003-12-31T00:00:00Z"},
        {"-0312", "2003-12-01T00:00:00Z"},
        {"-03-12", "2003-12-01T00:00:00Z"},
        {"2003-012-31", "2003-12-31T00:00:00Z"},
        {"03-335", "2003-12-01T00:00:00Z"},
        {"20031231T1014Z", "2003-12-31T10:14:00Z"},
        /* day and month names in other languages */
        {"\u039a\u03c5\u03c1, 11 \u0399\u03bf\u03cd\u03bb 2004 12:00:00 EST",
         "2004-07-11T17:00:00Z"},
        {"2004-j\u00falius-13T9:15-05:00", "2004-07-13T14:15:00Z"},
        {"2004\uB144 05\uC6D4 28\uC77C  01:31:15", "2004-05-27T16:31:15Z"},
        {"2004-05-25 \uC624\uD6C4 11:23:17", "2004-05-25T14:23:17Z"},
        {"Mi, 12 M\u00e4r 2025 10:00:00 +0100", "2025-03-12T09:00:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        char out[DATE_ISO_LEN] = "";
        bool ok = date_parse(cases[i].in, &t);
        if (ok)
            date_format_iso(t, out);
        CHECK(ok);
        CHECK_STR(out, cases[i].out);
    }
    int64_t t;
    CHECK(!date_parse("yesterday", &t));
    CHECK(!date_parse("", &t));
    CHECK(!date_parse("2004-13-45", &t));
    CHECK(!date_parse("Sun, 16 Dec 2012 11:47:32 +00:zz", &t)); /* trailing garbage */
    CHECK(!date_parse(NULL, &t));
}

/* Hostile XML (issue: hostile input): entity bombs are refused, external entities and DTDs
 * are never loaded, deep nesting is bounded. */
static void test_entity_bombs_are_refused(void)
{
    struct buf doc;
    buf_init(&doc, 0);
    buf_append_str(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY l0 \"lol\">\n");
    for (int i = 1; i < 10; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;\">\n", i, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        buf_append_str(&doc, line);
    }
    buf_append_str(&doc, "]>\n<rss version=\"2.0\"><channel><title>&l9;</title><item><title>&l9;"
                         "</title><link>http://a.example/</link></item></channel></rss>\n");
    struct feed f;
    char err[256];
    CHECK(feed_parse(doc.data, doc.len, NULL, &f, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "entities would expand");
    buf_free(&doc);

    /* quadratic blow-up: one 50 KB entity referenced 50,000 times (2.5 GB if expanded) */
    buf_init(&doc, 0);
    buf_append_str(&doc, "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"");
    for (int i = 0; i < 50000; i++)
        buf_append_char(&doc, 'A');
    buf_append_str(&doc,
                   "\">]>\n<rss version=\"2.0\"><channel><item><title>x</title><description>");
    for (int i = 0; i < 50000; i++)
        buf_append_str(&doc, "&a;");
    buf_append_str(&doc, "</description></item></channel></rss>\n");
    CHECK(feed_parse(doc.data, doc.len, NULL, &f, err, sizeof err) == -1);
    CHECK_CONTAINS(err, "entities would expand");
    buf_free(&doc);

    /* a few small entities are fine */
    const char *ok = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY org \"Dawn &amp; Co\">"
                     "<!ENTITY two \"&org; and &org;\">]>\n"
                     "<rss version=\"2.0\"><channel><title>&two;</title><item><title>&org;</title>"
                     "<link>http://a.example/1</link></item></channel></rss>\n";
    CHECK(feed_parse(ok, strlen(ok), NULL, &f, err, sizeof err) == 0);
    CHECK_STR(f.title, "Dawn & Co and Dawn & Co");
    CHECK(f.n_items == 1);
    feed_free(&f);
}

static void test_external_entities_and_dtds_are_not_loaded(void)
{
    const char *doc =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE rss SYSTEM \"file:///etc/hostname\" ["
        "<!ENTITY pw SYSTEM \"file:///etc/passwd\">"
        "<!ENTITY net SYSTEM \"http://127.0.0.1:9/x\">"
        "<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>\n"
        "<rss version=\"2.0\"><channel><title>T&pw;&net;</title><item>"
        "<title>I&pw;</title><link>http://a.example/1</link></item></channel></rss>\n";
    struct feed f;
    char err[256];
    CHECK(feed_parse(doc, strlen(doc), NULL, &f, err, sizeof err) == 0);
    CHECK_STR(f.title, "T");
    CHECK(f.n_items == 1);
    if (f.n_items == 1)
        CHECK_STR(f.items[0].title, "I");
    feed_free(&f);
}

static void test_enclosures(void)
{
    const char *rss =
        "<rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><item>"
        "<title>a</title><link>http://a.example/1</link>"
        "<enclosure url=\"/audio/1.mp3\" type=\"audio/mpeg\" length=\"4096\"/>"
        "<media:group><media:content url=\"http://a.example/v.mp4\" type=\"video/mp4\" "
        "fileSize=\"99\"/><media:content url=\"http://a.example/v.mp4\"/></media:group>"
        "</item></channel></rss>";
    struct feed f;
    char err[256];
    CHECK(feed_parse(rss, strlen(rss), "http://a.example/feed", &f, err, sizeof err) == 0);
    CHECK(f.n_items == 1 && f.items[0].n_enclosures == 2);
    if (f.n_items == 1 && f.items[0].n_enclosures == 2) {
        CHECK_STR(f.items[0].enclosures[0].url, "http://a.example/audio/1.mp3");
        CHECK_STR(f.items[0].enclosures[0].type, "audio/mpeg");
        CHECK(f.items[0].enclosures[0].length == 4096);
        CHECK_STR(f.items[0].enclosures[1].url, "http://a.example/v.mp4");
        CHECK(f.items[0].enclosures[1].length == 99);
    }
    feed_free(&f);
    const char *atom =
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>x</id>"
        "<link rel=\"enclosure\" href=\"http://a.example/p.pdf\" type=\"application/pdf\"/>"
        "<link href=\"http://a.example/story\"/></entry></feed>";
    CHECK(feed_parse(atom, strlen(atom), NULL, &f, err, sizeof err) == 0);
    CHECK(f.n_items == 1 && f.items[0].n_enclosures == 1);
    if (f.n_items == 1) {
        CHECK_STR(f.items[0].link, "http://a.example/story"); /* the alternate, not the enclosure */
        CHECK(f.items[0].n_enclosures == 1 && f.items[0].enclosures[0].length == -1);
    }
    feed_free(&f);
    const char *json =
        "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":"
        "[{\"id\":\"1\",\"url\":\"/post/1\",\"attachments\":[{\"url\":\"/a.mp3\","
        "\"mime_type\":\"audio/mpeg\",\"size_in_bytes\":12}]}]}";
    CHECK(feed_parse(json, strlen(json), "https://j.example/feed.json", &f, err, sizeof err) == 0);
    CHECK(f.n_items == 1);
    if (f.n_items == 1) {
        CHECK_STR(f.items[0].link, "https://j.example/post/1");
        CHECK(f.items[0].n_enclosures == 1);
        if (f.items[0].n_enclosures == 1) {
            CHECK_STR(f.items[0].enclosures[0].url, "https://j.example/a.mp3");
            CHECK(f.items[0].enclosures[0].length == 12);
        }
    }
    feed_free(&f);
}

static void test_update_hints(void)
{
    const char *sy =
        "<rss version=\"2.0\" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">"
        "<channel><title>s</title><sy:updatePeriod>daily</sy:updatePeriod>"
        "<sy:updateFrequency>4</sy:updateFrequency></channel></rss>";
    const char *ttl = "<rss version=\"2.0\"><channel><title>t</title><ttl>45</ttl>"
                      "<sy:updatePeriod xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">"
                      "hourly</sy:updatePeriod></channel></rss>";
    struct feed f;
    char err[256];
    CHECK(feed_parse(sy, strlen(sy), NULL, &f, err, sizeof err) == 0);
    CHECK(f.ttl_minutes == 360);
    feed_free(&f);
    CHECK(feed_parse(ttl, strlen(ttl), NULL, &f, err, sizeof err) == 0);
    CHECK(f.ttl_minutes == 45); /* <ttl> first */
    feed_free(&f);
}

static void test_deep_nesting_is_bounded(void)
{
    struct buf doc;
    buf_init(&doc, 0);
    buf_append_str(&doc, "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>"
                         "<link>http://a.example/1</link><description>");
    for (int i = 0; i < 100000; i++)
        buf_append_str(&doc, "<div>");
    buf_append_str(&doc, "</description></item></channel></rss>");
    struct feed f;
    char err[256];
    /* libxml2 stops at its depth limit (256): what came before is kept, the feed flagged */
    CHECK(feed_parse(doc.data, doc.len, NULL, &f, err, sizeof err) == 0);
    CHECK(f.bozo);
    CHECK(f.n_items == 1);
    if (f.n_items == 1)
        CHECK_STR(f.items[0].link, "http://a.example/1");
    feed_free(&f);
    buf_free(&doc);
}

static void test_categories(void)
{
    struct feed f;
    CHECK(parse("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
                "<item><title>a</title><category> Politics </category><category>politics"
                "</category><category domain=\"x\">Sindh</category><dc:subject>Floods"
                "</dc:subject><category></category></item></channel></rss>",
                NULL, &f) == 0);
    CHECK(f.n_items == 1 && f.items[0].n_categories == 3);
    if (f.n_items == 1 && f.items[0].n_categories == 3) {
        CHECK_STR(f.items[0].categories[0], "Politics"); /* trimmed; the repeat left out */
        CHECK_STR(f.items[0].categories[1], "Sindh");
        CHECK_STR(f.items[0].categories[2], "Floods");
    }
    feed_free(&f);
    CHECK(parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>a</title>"
                "<category term=\"pk-politics\" label=\"Pakistan politics\"/>"
                "<category term=\"energy\"/></entry></feed>",
                NULL, &f) == 0);
    CHECK(f.n_items == 1 && f.items[0].n_categories == 2);
    if (f.n_items == 1 && f.items[0].n_categories == 2) {
        CHECK_STR(f.items[0].categories[0], "Pakistan politics");
        CHECK_STR(f.items[0].categories[1], "energy");
    }
    feed_free(&f);
    CHECK(parse("{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [{\"id\": \"1\", "
                "\"content_text\": \"x\", \"tags\": [\"Cricket\", 5, \"Lahore\"]}]}",
                NULL, &f) == 0);
    CHECK(f.n_items == 1 && f.items[0].n_categories == 2);
    feed_free(&f);
}

int main(void)
{
    RUN(test_categories);
    RUN(test_rss20_items);
    RUN(test_atom10_links_and_bases);
    RUN(test_rss10_and_json_feed);
    RUN(test_broken_input);
    RUN(test_recovery_never_damages_text);
    RUN(test_forgiving_forms);
    RUN(test_dates);
    RUN(test_entity_bombs_are_refused);
    RUN(test_external_entities_and_dtds_are_not_loaded);
    RUN(test_deep_nesting_is_bounded);
    RUN(test_update_hints);
    RUN(test_enclosures);
    return check_summary();
}
