/* content_html.c: the article's kept nodes as clean, safe HTML, and that HTML as Markdown.
 *
 * The HTML is written from an allow-list, never by copying markup: paragraphs, headings,
 * lists, quotes, preformatted text, tables, links and images, a few inline elements, and no
 * attribute but a link's href, an image's src and alt and a cell's colspan/rowspan. URLs are
 * made absolute against the page's URL and kept only when they are http or https. Elements
 * not on the list give their text (span, div, font, ...) or nothing (script, style, svg,
 * form, ...). Text outside any block is wrapped in <p>. The Markdown is made by parsing that
 * HTML again, so it only ever sees the allowed elements. Not for: deciding what is article
 * (extract.c does) or the plain text (extract.c's serialiser). */
#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"
#include "extract/extract_internal.h"

#define CONTENT_MAX_DEPTH 256
/* An article longer than this as HTML gets none (text keeps its own cap): a cut would leave
 * it unbalanced. Markdown, from that HTML, may grow by its escapes. */
#define CONTENT_MAX_BYTES (8L * 1024 * 1024)
#define MARKDOWN_MAX_BYTES (2 * CONTENT_MAX_BYTES)

/* Block elements kept as they are. */
static const char *const kept_blocks[] = {
    "p",  "h1", "h2",      "h3",         "h4",    "h5",     "h6",    "ul",    "ol",
    "li", "dl", "dt",      "dd",         "table", "thead",  "tbody", "tfoot", "tr",
    "th", "td", "caption", "blockquote", "pre",   "figure", NULL};
/* Inline elements kept as they are (a and img have their own rules). */
static const char *const kept_inline[] = {"em",  "strong", "b",    "i",    "code", "sub",
                                          "sup", "br",     "abbr", "cite", "q",    NULL};
/* Elements whose content is never article text. */
static const char *const dropped[] = {
    "script", "style",  "noscript", "template", "iframe", "object", "embed",    "svg",
    "math",   "canvas", "form",     "button",   "input",  "select", "textarea", "head",
    "title",  "meta",   "link",     "video",    "audio",  "source", "picture",  "map",
    "nav",    "label",  "option",   "dialog",   NULL};
static bool named(const xmlNode *n, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp((const char *)n->name, *list) == 0)
            return true;
    return false;
}

struct html_out {
    struct buf html;
    const char *base;  /* the page's URL, for relative links; may be NULL */
    const char *title; /* a heading that repeats it is left out; may be NULL */
    bool open_p;       /* an implicit <p> wraps loose text at block level */
    bool space;        /* whitespace seen since the last character written */
    bool block_start;  /* nothing written yet in the current block */
    bool too_long;     /* CONTENT_MAX_BYTES was reached: no HTML */
};

static void put(struct html_out *o, const char *s)
{
    if (buf_append_str(&o->html, s) < 0)
        o->too_long = true;
}

static void put_n(struct html_out *o, const char *s, size_t n)
{
    if (buf_append(&o->html, s, n) < 0)
        o->too_long = true;
}

/* Writes the first n bytes of s with &, <, > (and in an attribute ") escaped: the runs between
 * them at once. */
static void put_escaped_n(struct html_out *o, const char *s, size_t n, bool attribute)
{
    while (n) {
        size_t run = 0;
        while (run < n && s[run] != '&' && s[run] != '<' && s[run] != '>' &&
               !(attribute && s[run] == '"'))
            run++;
        put_n(o, s, run);
        s += run;
        n -= run;
        if (!n)
            break;
        put(o, *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&quot;");
        s++;
        n--;
    }
}

static void put_escaped(struct html_out *o, const char *s, bool attribute)
{
    put_escaped_n(o, s, strlen(s), attribute);
}

/* An absolute http(s) URL for href, or NULL (javascript:, data:, mailto:, unparsable). */
static char *safe_url(const char *href, const char *base)
{
    if (!href)
        return NULL;
    char *trimmed = extract_collapse_whitespace(href);
    xmlChar *abs = xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)(base ? base : ""));
    free(trimmed);
    char *out = NULL;
    if (abs && (strncasecmp((const char *)abs, "http://", 7) == 0 ||
                strncasecmp((const char *)abs, "https://", 8) == 0))
        out = xstrdup((const char *)abs);
    xmlFree(abs);
    return out;
}

static char *prop(const xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static void close_implicit_p(struct html_out *o)
{
    if (o->open_p && o->html.len >= 3 && strcmp(o->html.data + o->html.len - 3, "<p>") == 0) {
        o->html.len -= 3; /* nothing was written in it */
        o->html.data[o->html.len] = '\0';
    } else if (o->open_p) {
        put(o, "</p>");
    }
    o->open_p = false;
    o->space = false;
}

/* Loose text or inline markup at block level goes into a <p> of its own. */
static void need_inline_context(struct html_out *o, bool in_text_block)
{
    if (!in_text_block && !o->open_p) {
        put(o, "<p>");
        o->open_p = true;
        o->space = false;
        o->block_start = true;
    }
}

/* Inline content follows: the whitespace before it becomes one space, except at a block's
 * start. */
static void begin_inline(struct html_out *o, bool in_text_block)
{
    need_inline_context(o, in_text_block);
    if (o->space && !o->block_start)
        put(o, " ");
    o->space = false;
    o->block_start = false;
}

static void write_text(struct html_out *o, const char *s, bool in_text_block, bool pre)
{
    if (pre) {
        begin_inline(o, in_text_block);
        put_escaped(o, s, false);
        return;
    }
    for (const char *p = s; *p;) {
        if (isspace((unsigned char)*p)) {
            o->space = true;
            p++;
            continue;
        }
        size_t word = 0; /* (a run of characters that are not spaces, written at once) */
        while (p[word] && !isspace((unsigned char)p[word]))
            word++;
        begin_inline(o, in_text_block);
        put_escaped_n(o, p, word, false);
        p += word;
    }
}

/* What the element being walked may hold: blocks (loose text gets an implicit <p>), flow
 * (text and blocks: li, dd, td, blockquote's paragraphs), or phrasing (text only: p, h1, a,
 * em; a block met there gives only its content). */
enum content_mode { MODE_BLOCKS, MODE_FLOW, MODE_PHRASING, MODE_PHRASING_IN_LINK };

static void walk(struct html_out *o, xmlNode *n, enum content_mode mode, bool pre, int depth);

/* Writes <name ...>children</name>, or nothing when the children wrote nothing. */
static void element(struct html_out *o, xmlNode *n, const char *name, const char *attrs,
                    bool inline_element, enum content_mode inner_mode, bool pre, int depth)
{
    size_t start = o->html.len;
    put(o, "<");
    put(o, name);
    if (attrs)
        put(o, attrs);
    put(o, ">");
    if (!inline_element) {
        o->space = false;
        o->block_start = true;
    }
    size_t inner = o->html.len;
    walk(o, n, inner_mode, pre, depth + 1);
    if (inner_mode == MODE_BLOCKS)
        close_implicit_p(o);
    if (o->html.len == inner) {
        o->html.len = start; /* an empty element is left out */
        o->html.data[start] = '\0';
        return;
    }
    put(o, "</");
    put(o, name);
    put(o, ">");
    if (!inline_element) {
        o->space = false;
        o->block_start = true;
    }
}

static bool repeats_title(const struct html_out *o, xmlNode *n)
{
    if (!o->title)
        return false;
    xmlChar *t = xmlNodeGetContent(n);
    char *clean = extract_collapse_whitespace(t ? (const char *)t : "");
    bool same = strcasecmp(clean, o->title) == 0;
    free(clean);
    xmlFree(t);
    return same;
}

static void image(struct html_out *o, xmlNode *n, bool in_text_block)
{
    char *src = prop(n, "src");
    if (!src || !*src || strncasecmp(src, "data:", 5) == 0) {
        xmlFree(src);
        src = prop(n, "data-src");
    }
    char *url = safe_url(src, o->base);
    xmlFree(src);
    if (!url)
        return;
    char *alt = prop(n, "alt");
    begin_inline(o, in_text_block);
    put(o, "<img src=\"");
    put_escaped(o, url, true);
    put(o, "\" alt=\"");
    char *clean_alt = extract_collapse_whitespace(alt ? alt : "");
    put_escaped(o, clean_alt, true);
    put(o, "\">");
    free(clean_alt);
    xmlFree(alt);
    free(url);
}

static void cell_attrs(const xmlNode *n, char *out, size_t len)
{
    out[0] = '\0';
    static const char *const spans[] = {"colspan", "rowspan"};
    for (size_t i = 0; i < ARRAY_LEN(spans); i++) {
        char *v = prop(n, spans[i]);
        long count = v ? strtol(v, NULL, 10) : 0;
        if (count > 1 && count < 1000) {
            size_t used = strlen(out);
            snprintf(out + used, len - used, " %s=\"%ld\"", spans[i], count);
        }
        xmlFree(v);
    }
}

static enum content_mode mode_inside(const char *name)
{
    static const char *const flow[] = {"li", "dd", "td", "th", "figure", NULL};
    static const char *const blocks[] = {"ul",    "ol",    "dl", "table",      "thead",
                                         "tbody", "tfoot", "tr", "blockquote", NULL};
    xmlNode probe = {.name = (const xmlChar *)name};
    if (named(&probe, flow))
        return MODE_FLOW;
    return named(&probe, blocks) ? MODE_BLOCKS : MODE_PHRASING;
}

static void link(struct html_out *o, xmlNode *c, enum content_mode mode, bool pre, int depth)
{
    char *href = prop(c, "href");
    char *url = safe_url(href, o->base);
    xmlFree(href);
    if (!url || mode == MODE_PHRASING_IN_LINK) {
        walk(o, c, mode, pre, depth + 1);
        free(url);
        return;
    }
    begin_inline(o, mode != MODE_BLOCKS);
    struct html_out attrs = {.html = {0}};
    buf_init(&attrs.html, 0);
    put(&attrs, " href=\"");
    put_escaped(&attrs, url, true);
    put(&attrs, "\"");
    element(o, c, "a", attrs.html.data, true, MODE_PHRASING_IN_LINK, pre, depth);
    buf_free(&attrs.html);
    free(url);
}

static void walk(struct html_out *o, xmlNode *n, enum content_mode mode, bool pre, int depth)
{
    bool in_text = mode != MODE_BLOCKS;
    for (xmlNode *c = n->children; c && depth < CONTENT_MAX_DEPTH; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                write_text(o, (const char *)c->content, in_text, pre);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || named(c, dropped) || extract_link_dense_block(c))
            continue;
        char name[16];
        snprintf(name, sizeof name, "%s", (const char *)c->name);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strcmp(name, "img") == 0) {
            image(o, c, in_text);
        } else if (strcmp(name, "br") == 0) {
            if (in_text || o->open_p)
                put(o, "<br>");
            o->space = false;
            o->block_start = true;
        } else if (strcmp(name, "a") == 0) {
            link(o, c, mode, pre, depth);
        } else if (named(c, kept_inline)) {
            begin_inline(o, in_text);
            element(o, c, name, NULL, true, mode == MODE_PHRASING_IN_LINK ? mode : MODE_PHRASING,
                    pre, depth);
        } else if (named(c, kept_blocks) && mode != MODE_PHRASING &&
                   mode != MODE_PHRASING_IN_LINK) {
            if (name[0] == 'h' && name[1] && !name[2] && repeats_title(o, c))
                continue;
            close_implicit_p(o);
            char attrs[64] = "";
            if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
                cell_attrs(c, attrs, sizeof attrs);
            element(o, c, name, attrs, false, mode_inside(name), pre || strcmp(name, "pre") == 0,
                    depth);
        } else if (mode != MODE_BLOCKS) {
            walk(o, c, mode, pre, depth + 1); /* span, font, a block in a paragraph: its text */
        } else {
            walk(o, c, MODE_BLOCKS, pre, depth + 1); /* div, section, ...: its blocks */
            close_implicit_p(o);
        }
    }
}

void extract_content_begin(struct content_html *h, const char *base_url, const char *title)
{
    struct html_out *o = xcalloc(1, sizeof *o);
    buf_init(&o->html, CONTENT_MAX_BYTES);
    o->base = base_url;
    o->title = title;
    h->out = o;
}

void extract_content_add(struct content_html *h, xmlNode *n)
{
    struct html_out *o = h->out;
    xmlNode holder = {.type = XML_ELEMENT_NODE, .name = (const xmlChar *)"div", .children = n};
    xmlNode *next = n->next;
    n->next = NULL; /* the walk sees n alone */
    walk(o, &holder, MODE_BLOCKS, false, 0);
    n->next = next;
    close_implicit_p(o);
}

void extract_content_add_text(struct content_html *h, const char *text)
{
    struct html_out *o = h->out;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = xstrndup(p, len);
        if (*line) {
            put(o, "<p>");
            put_escaped(o, line, false);
            put(o, "</p>");
        }
        free(line);
        p += len;
        while (*p == '\n')
            p++;
    }
}

char *extract_content_finish(struct content_html *h)
{
    struct html_out *o = h->out;
    if (!o)
        return NULL;
    close_implicit_p(o);
    char *html = o->too_long ? NULL : buf_steal(&o->html);
    buf_free(&o->html);
    free(o);
    h->out = NULL;
    return html;
}

/* ---- Markdown from the clean HTML ------------------------------------------------ */

struct md_out {
    struct buf md;
    int list_depth;
    bool too_long; /* MARKDOWN_MAX_BYTES was reached: no Markdown */
};

static void md_put_n(struct md_out *m, const char *s, size_t n)
{
    if (buf_append(&m->md, s, n) < 0)
        m->too_long = true;
}

static void md_put(struct md_out *m, const char *s)
{
    md_put_n(m, s, strlen(s));
}

/* Ends the current block with one blank line (none at the start). */
static void md_block_break(struct md_out *m)
{
    if (!m->md.len)
        return;
    while (m->md.len && (m->md.data[m->md.len - 1] == ' ' || m->md.data[m->md.len - 1] == '\n'))
        m->md.data[--m->md.len] = '\0';
    md_put(m, "\n\n");
}

static void md_line_break(struct md_out *m)
{
    while (m->md.len && m->md.data[m->md.len - 1] == ' ')
        m->md.data[--m->md.len] = '\0';
    if (m->md.len && m->md.data[m->md.len - 1] != '\n')
        md_put(m, "\n");
}

static void md_text(struct md_out *m, const char *s, bool pre)
{
    for (; *s; s++) {
        if (!pre && strchr("\\`*_[]<>#|", *s))
            md_put(m, "\\");
        md_put_n(m, !pre && *s == '\n' ? " " : s, 1);
    }
}

static void md_walk(struct md_out *m, xmlNode *n, bool pre, int depth);

/* The children of n written alone, for what is prefixed line by line (quotes). */
static char *md_inner(xmlNode *n, int list_depth, int depth, bool *too_long)
{
    struct md_out inner = {.list_depth = list_depth};
    buf_init(&inner.md, MARKDOWN_MAX_BYTES);
    md_walk(&inner, n, false, depth + 1);
    md_block_break(&inner);
    *too_long = *too_long || inner.too_long;
    return buf_steal(&inner.md);
}

static void md_element(struct md_out *m, xmlNode *c, bool pre, int depth)
{
    const char *name = (const char *)c->name;
    if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
        md_block_break(m);
        for (int i = 0; i < name[1] - '0'; i++)
            md_put(m, "#");
        md_put(m, " ");
        md_walk(m, c, pre, depth + 1);
        md_block_break(m);
    } else if (strcmp(name, "p") == 0 || strcmp(name, "figure") == 0 ||
               strcmp(name, "caption") == 0 || strcmp(name, "dl") == 0) {
        md_block_break(m);
        md_walk(m, c, pre, depth + 1);
        md_block_break(m);
    } else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
        if (!m->list_depth)
            md_block_break(m);
        else
            md_line_break(m);
        m->list_depth++;
        int number = 1;
        for (xmlNode *li = c->children; li; li = li->next) {
            if (li->type != XML_ELEMENT_NODE)
                continue;
            md_line_break(m);
            for (int i = 1; i < m->list_depth; i++)
                md_put(m, "  ");
            char marker[16];
            snprintf(marker, sizeof marker, "%d. ", number++);
            md_put(m, strcmp(name, "ol") == 0 ? marker : "- ");
            md_walk(m, li, pre, depth + 2);
        }
        m->list_depth--;
        if (!m->list_depth)
            md_block_break(m);
    } else if (strcmp(name, "blockquote") == 0) {
        md_block_break(m);
        char *inner = md_inner(c, 0, depth, &m->too_long);
        for (char *line = inner, *next; *line; line = next) {
            next = strchr(line, '\n');
            next = next ? next + 1 : line + strlen(line);
            if (next - line > 1 || *line != '\n') {
                md_put(m, "> ");
                md_put_n(m, line, (size_t)(next - line));
            } else {
                md_put(m, ">\n");
            }
        }
        free(inner);
        md_block_break(m);
    } else if (strcmp(name, "pre") == 0) {
        md_block_break(m);
        md_put(m, "```\n");
        md_walk(m, c, true, depth + 1);
        md_line_break(m);
        md_put(m, "```");
        md_block_break(m);
    } else if (strcmp(name, "tr") == 0) {
        md_line_break(m);
        md_put(m, "|");
        size_t cells = 0;
        bool header = false;
        for (xmlNode *cell = c->children; cell; cell = cell->next) {
            if (cell->type != XML_ELEMENT_NODE)
                continue;
            header = header || strcmp((const char *)cell->name, "th") == 0;
            md_put(m, " ");
            md_walk(m, cell, pre, depth + 2);
            md_put(m, " |");
            cells++;
        }
        if (header && cells) {
            md_put(m, "\n|");
            for (size_t i = 0; i < cells; i++)
                md_put(m, " --- |");
        }
        md_put(m, "\n");
    } else if (strcmp(name, "table") == 0) {
        md_block_break(m);
        md_walk(m, c, pre, depth + 1);
        md_block_break(m);
    } else if (strcmp(name, "dt") == 0 || strcmp(name, "dd") == 0) {
        md_line_break(m);
        md_walk(m, c, pre, depth + 1);
        md_line_break(m);
    } else if (strcmp(name, "br") == 0) {
        md_put(m, pre ? "\n" : "  \n");
    } else if (strcmp(name, "em") == 0 || strcmp(name, "i") == 0 || strcmp(name, "cite") == 0) {
        md_put(m, "*");
        md_walk(m, c, pre, depth + 1);
        md_put(m, "*");
    } else if (strcmp(name, "strong") == 0 || strcmp(name, "b") == 0) {
        md_put(m, "**");
        md_walk(m, c, pre, depth + 1);
        md_put(m, "**");
    } else if (strcmp(name, "code") == 0 && !pre) {
        md_put(m, "`");
        md_walk(m, c, true, depth + 1);
        md_put(m, "`");
    } else if (strcmp(name, "a") == 0) {
        char *href = prop(c, "href");
        md_put(m, "[");
        md_walk(m, c, pre, depth + 1);
        md_put(m, "](");
        md_put(m, href ? href : "");
        md_put(m, ")");
        xmlFree(href);
    } else if (strcmp(name, "img") == 0) {
        char *src = prop(c, "src"), *alt = prop(c, "alt");
        md_put(m, "![");
        md_text(m, alt ? alt : "", false);
        md_put(m, "](");
        md_put(m, src ? src : "");
        md_put(m, ")");
        xmlFree(src);
        xmlFree(alt);
    } else {
        md_walk(m, c, pre, depth + 1); /* thead, tbody, li's own text, sub, sup, q, ... */
    }
}

static void md_walk(struct md_out *m, xmlNode *n, bool pre, int depth)
{
    for (xmlNode *c = n->children; c && depth < CONTENT_MAX_DEPTH; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            md_text(m, (const char *)c->content, pre);
        else if (c->type == XML_ELEMENT_NODE)
            md_element(m, c, pre, depth);
    }
}

char *extract_content_markdown(const char *html)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    struct md_out m = {0};
    buf_init(&m.md, MARKDOWN_MAX_BYTES);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "body") == 0)
            md_walk(&m, c, false, 0);
    xmlFreeDoc(doc);
    while (m.md.len && (m.md.data[m.md.len - 1] == '\n' || m.md.data[m.md.len - 1] == ' '))
        m.md.data[--m.md.len] = '\0';
    if (m.md.len)
        md_put(&m, "\n");
    char *markdown = m.too_long ? NULL : buf_steal(&m.md);
    buf_free(&m.md);
    return markdown;
}

char *article_plain_text(const char *html)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    xmlChar *text = root ? xmlNodeGetContent(root) : NULL;
    char *clean = extract_collapse_whitespace(text ? (const char *)text : "");
    xmlFree(text);
    xmlFreeDoc(doc);
    return clean;
}
