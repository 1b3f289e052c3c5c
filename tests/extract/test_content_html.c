/* test_content_html.c: content_html and content_markdown of synthetic pages: the allowed
 * structure kept, everything else (scripts, styles, event attributes, foreign elements,
 * javascript: and data: URLs) gone, links and images absolute, loose text in paragraphs. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "extract/extract.h"

#define PROSE                                                                                      \
    "The river rose through the night and the bridge was closed before dawn, officials said, "     \
    "and the crossing stayed shut while engineers checked its piers for damage."

static int extract_html(const char *html, unsigned content, struct article *a)
{
    struct extract_input in = {.data = html,
                               .len = strlen(html),
                               .url = "https://news.example/world/flood.html",
                               .content = content};
    char err[256];
    return extract_article(&in, a, err, sizeof err);
}

static const char page[] =
    "<html><head><title>Flood closes the bridge</title><style>p{color:red}</style></head><body>"
    "<article><h1>Flood closes the bridge</h1>"
    "<p onclick=\"steal()\" style=\"x\" class=\"lead\">" PROSE " <a href=\"/world/map.html\" "
    "onmouseover=\"x()\">The map</a> and <a href=\"javascript:alert(1)\">this</a> and "
    "<a href=\"mailto:desk@news.example\">mail</a>.</p>"
    "<script>document.write('<p>injected</p>')</script>"
    "<h2>What comes next</h2>"
    "<div><span>" PROSE "</span></div>"
    "<ul><li>First <em>point</em></li><li>Second <strong>point</strong><ul><li>Nested</li></ul>"
    "</li></ul>"
    "<blockquote><p>" PROSE "</p></blockquote>"
    "<pre>  code  &lt;kept&gt;\n  as is</pre>"
    "<table><tr><th>City</th><th colspan=\"2\" onclick=\"x\">Rain</th></tr>"
    "<tr><td>Lahore</td><td>40mm</td></tr></table>"
    "<p><img src=\"../img/bridge.jpg\" alt=\"The bridge\" onerror=\"x()\">"
    "<img src=\"data:image/png;base64,AAAA\"><img src=\"javascript:x\">" PROSE "</p>"
    "<iframe src=\"https://ads.example/\">frame text</iframe><svg><text>svg text</text></svg>"
    "<form><input value=\"form text\"></form><p></p><p>   </p>"
    "<custom-widget>" PROSE "</custom-widget>"
    "</article></body></html>";

static void test_allowed_structure_kept(void)
{
    struct article a;
    CHECK(extract_html(page, EXTRACT_CONTENT_HTML, &a) == 0);
    const char *h = a.content_html;
    CHECK(h != NULL);
    CHECK(a.content_markdown == NULL); /* not asked for */
    if (!h)
        return;
    CHECK(strncmp(h, "<p>The river rose", 17) == 0); /* the repeated headline left out */
    CHECK_CONTAINS(h, "<a href=\"https://news.example/world/map.html\">The map</a>");
    CHECK_CONTAINS(h, " and this and mail.</p>"); /* unsafe links give only their text */
    CHECK_CONTAINS(h, "<h2>What comes next</h2><p>The river rose"); /* div/span unwrapped */
    CHECK_CONTAINS(h, "<ul><li>First <em>point</em></li><li>Second <strong>point</strong>"
                      "<ul><li>Nested</li></ul></li></ul>");
    CHECK_CONTAINS(h, "<blockquote><p>The river");
    CHECK_CONTAINS(h, "<pre>  code  &lt;kept&gt;\n  as is</pre>");
    CHECK_CONTAINS(h, "<th colspan=\"2\">Rain</th>");
    CHECK_CONTAINS(h, "<td>Lahore</td><td>40mm</td>");
    CHECK_CONTAINS(h, "<img src=\"https://news.example/img/bridge.jpg\" alt=\"The bridge\">");
    CHECK_CONTAINS(h, "</table><p><img src=\"https://news.example/img/bridge.jpg\" alt=\"The "
                      "bridge\">The river"); /* (one image: data: and javascript: dropped) */
    CHECK_CONTAINS(h, "<p>The river rose through the night"); /* custom element: its text */
    static const char *const never[] = {"script",     "style",  "onclick",   "onerror",
                                        "onmouse",    "class=", "injected",  "iframe",
                                        "frame text", "svg",    "form text", "data:",
                                        "javascript", "mailto", "<p></p>",   "<div",
                                        "<span"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK_LACKS(h, never[i]);
    article_free(&a);
}

static void test_markdown(void)
{
    struct article a;
    CHECK(extract_html(page, EXTRACT_CONTENT_MARKDOWN, &a) == 0);
    CHECK(a.content_html == NULL);
    const char *md = a.content_markdown;
    CHECK(md != NULL);
    if (!md)
        return;
    CHECK(strncmp(md, "The river rose", 14) == 0);
    CHECK_CONTAINS(md, "[The map](https://news.example/world/map.html)");
    CHECK_CONTAINS(md, "\n\n## What comes next\n\n");
    CHECK_CONTAINS(md, "\n- First *point*\n- Second **point**\n  - Nested\n");
    CHECK_CONTAINS(md, "\n> The river rose");
    CHECK_CONTAINS(md, "```\n  code  <kept>\n  as is\n```");
    CHECK_CONTAINS(md, "| City | Rain |\n| --- | --- |\n| Lahore | 40mm |");
    CHECK_CONTAINS(md, "![The bridge](https://news.example/img/bridge.jpg)");
    CHECK_LACKS(md, "injected");
    CHECK(md[strlen(md) - 1] == '\n');
    article_free(&a);
    /* Text with Markdown's own characters stays text. */
    CHECK(extract_html("<html><body><article><p>" PROSE " Use *stars* and [brackets] and "
                       "# hashes.</p></article></body></html>",
                       EXTRACT_CONTENT_MARKDOWN, &a) == 0);
    CHECK_CONTAINS(a.content_markdown, "Use \\*stars\\* and \\[brackets\\] and \\# hashes.");
    article_free(&a);
}

static void test_text_only_by_default(void)
{
    struct article a;
    CHECK(extract_html(page, 0, &a) == 0);
    CHECK(a.content_html == NULL && a.content_markdown == NULL);
    CHECK(a.text != NULL);
    article_free(&a);
}

int main(void)
{
    RUN(test_allowed_structure_kept);
    RUN(test_markdown);
    RUN(test_text_only_by_default);
    return check_summary();
}
