/* fuzz_content_html.c: libFuzzer harness for content_html and content_markdown. Whatever the
 * page, the HTML must parse and hold only the allowed elements and attributes, its URLs only
 * http(s), and both it and the Markdown must be UTF-8. The allow-list here is written out
 * again on purpose: it is the promise of the record schema, checked against the code. */
#include <libxml/HTMLparser.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/utf8.h"
#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool listed(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

static void check_tree(xmlNode *n, int depth)
{
    static const char *const elements[] = {
        "html",  "body",   "p",     "h1",  "h2",   "h3",     "h4",      "h5",
        "h6",    "ul",     "ol",    "li",  "dl",   "dt",     "dd",      "table",
        "thead", "tbody",  "tfoot", "tr",  "th",   "td",     "caption", "blockquote",
        "pre",   "figure", "a",     "img", "em",   "strong", "b",       "i",
        "code",  "sub",    "sup",   "br",  "abbr", "cite",   "q",       NULL};
    for (; n && depth < 1000; n = n->next) {
        if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (!listed(name, elements))
                __builtin_trap(); /* an element not on the list */
            for (xmlAttr *a = n->properties; a; a = a->next) {
                const char *attr = (const char *)a->name;
                bool url = (strcmp(name, "a") == 0 && strcmp(attr, "href") == 0) ||
                           (strcmp(name, "img") == 0 && strcmp(attr, "src") == 0);
                bool allowed = url || (strcmp(name, "img") == 0 && strcmp(attr, "alt") == 0) ||
                               ((strcmp(name, "td") == 0 || strcmp(name, "th") == 0) &&
                                (strcmp(attr, "colspan") == 0 || strcmp(attr, "rowspan") == 0));
                if (!allowed)
                    __builtin_trap(); /* an attribute not on the list */
                xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
                if (url && (!v || (strncasecmp((const char *)v, "http://", 7) != 0 &&
                                   strncasecmp((const char *)v, "https://", 8) != 0)))
                    __builtin_trap(); /* a URL that is not absolute http(s) */
                xmlFree(v);
            }
        } else if (n->type != XML_TEXT_NODE) {
            __builtin_trap(); /* comments, processing instructions, CDATA: never written */
        }
        check_tree(n->children, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct extract_input in = {
        .data = (const char *)data,
        .len = size,
        .url = "https://fuzz.example/news/2026/story.html",
        .content = EXTRACT_CONTENT_HTML | EXTRACT_CONTENT_MARKDOWN,
    };
    struct article a;
    char err[256];
    if (extract_article(&in, &a, err, sizeof err) != 0)
        return 0;
    if (!a.content_html || !a.content_markdown ||
        !utf8_valid(a.content_html, strlen(a.content_html)) ||
        !utf8_valid(a.content_markdown, strlen(a.content_markdown)))
        __builtin_trap();
    htmlDocPtr doc = htmlReadMemory(a.content_html, (int)strlen(a.content_html), NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_NOIMPLIED);
    if (!doc && *a.content_html)
        __builtin_trap(); /* it does not parse */
    if (doc)
        check_tree(xmlDocGetRootElement(doc), 0);
    xmlFreeDoc(doc);
    article_free(&a);
    return 0;
}
