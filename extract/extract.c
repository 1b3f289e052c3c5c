/* extract.c: the article of an HTML page (the mechanism: docs/extraction.md).
 *
 * 1. Sniff: refuse what is clearly not HTML (binary, JSON, no markup).
 * 2. Parse with libxml2's HTML parser (no network; its depth limit bounds nesting), and
 *    repair what the parse misplaced: a second <html> root, React's streamed parts.
 * 3. Read metadata (metadata.c).
 * 4. Remove what is never article text: scripts, styles, hidden elements, furniture by tag
 *    (navigation, footers, asides, pictures and captions) and blocks whose class or id names
 *    boilerplate (share, related, newsletter, cookie, donation, ...); words that also name
 *    the text's own containers (widget, header, sidebar, tag) only around no prose.
 * 5. Score paragraphs by length, commas and link density; their parents and grandparents
 *    collect the score; the best container (with its strong siblings) is the article, widened
 *    to the ancestor that holds much more prose. <article>, <main> and itemprop=articleBody
 *    are hints.
 * 6. Serialise to text: paragraphs separated by a blank line, headings, list items and
 *    table rows on their own lines; link-dense blocks and boilerplate phrases dropped, and a
 *    long block written twice (one copy per screen size) kept once.
 * JSON-LD articleBody stands in when the markup yields much less text; when nothing survives
 * step 4, the page is read again removing only what is never text. */
#include "extract/extract.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/hash.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/charset.h"
#include "common/utf8.h"
#include "common/util.h"
#include "extract/extract_internal.h"

#define EXTRACT_MAX_TEXT (4L * 1024 * 1024)
#define MAX_DEPTH 512
#define MIN_ARTICLE_CHARS 80
#define PROSE_CHARS 200       /* paragraph text that makes a block prose */
#define LAYOUT_PROSE_CHARS 80 /* of it, that makes a block with a layout word text */
#define CAPTION_CHARS 120     /* at most, the line beside a picture that is its caption */

struct candidate {
    xmlNode *node;
    double score;
};

struct scoring {
    struct candidate *v;
    size_t n, cap;
};

/* Whether s starts with a space extract_collapse_whitespace() collapses: ASCII white space but
 * \v, or U+00A0 (a 2-byte sequence). */
static bool collapsed_space(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           (c == 0xC2 && (unsigned char)s[1] == 0xA0);
}

char *extract_collapse_whitespace(const char *s)
{
    struct buf out;
    buf_init(&out, 0);
    bool space = false;
    while (*s) {
        size_t run = 0; /* (the characters up to the next space, appended at once) */
        while (s[run] && !collapsed_space(s + run))
            run++;
        if (run) {
            if (space)
                buf_append_char(&out, ' ');
            space = false;
            buf_append(&out, s, run);
            s += run;
        } else {
            s += (unsigned char)*s == 0xC2 ? 2 : 1;
            space = out.len > 0;
        }
    }
    return buf_steal(&out);
}

static bool is_tag(const xmlNode *n, const char *name)
{
    /* (libxml2's HTML parser gives element names in lower case) */
    return n->type == XML_ELEMENT_NODE && n->name[0] == name[0] &&
           strcmp((const char *)n->name, name) == 0;
}

static bool in_list(const char *name, const char *const *list)
{
    int first = tolower((unsigned char)name[0]);
    for (; *list; list++)
        if (tolower((unsigned char)(*list)[0]) == first && strcasecmp(name, *list) == 0)
            return true;
    return false;
}

/* Elements that are page furniture by their tag (removed unless they hold the article). Images
 * stay: they hold no text, and content_html.c keeps those of the article. */
static const char *const furniture_tags[] = {"label",      "nav",   "aside", "footer",
                                             "figcaption", "video", "audio", "map",
                                             "dialog",     "menu",  NULL};

/* Words in class and id values that mark page furniture whatever the block holds: blocks of
 * text that are not the article (comments, pitches, notices, credits). */
static const char *const boilerplate_words[] = {
    "related", "recommended", "recommend", "newsletter", "subscribe", "subscription", "promo",
    "advert", "advertisement", "ad", "ads", "adv", "sponsor", "sponsored", "cookie", "cookies",
    "consent", "gdpr", "byline", "author", "caption", "credit", "credits", "comment", "comments",
    "disqus", "footer", "ticker", "marquee", "donate", "donation", "support", "contribute",
    "membership", "paywall", "popup", "modal", "overlay", "dateline", "timestamp", "outbrain",
    "taboola", "alert", "login", "signup", "cta", "print",
    /* the same in German and French class names */
    "kommentar", "kommentare", "werbung", "anzeige", "commentaires", "publicite", NULL};

/* Words that mark links and layout (menus, share bars, tag lists), which page builders and
 * themes also put on the containers of the text itself (elementor-widget-container,
 * content-sidebar-wrap, a post's tag-<slug> classes, a header around the article): they mark
 * furniture only when the block holds no prose. */
static const char *const layout_words[] = {
    "header",  "masthead", "sidebar",    "widget",      "tags",       "tag",      "banner",
    "more",    "also",     "breadcrumb", "breadcrumbs", "pagination", "pager",    "share",
    "sharing", "social",   "follow",     "toolbar",     "skip",       "trending", "popular",
    "teilen",  "partage",  "nav",        "navbar",      "navigation", "menu",     NULL};

/* Words that mark the article body itself; they protect a block from removal. */
static const char *const content_words[] = {
    "articlebody",   "article-body",  "story-body",      "storybody",
    "post-content",  "entry-content", "article-content", "articlecontent",
    "story-content", "content-body",  "post-body",       "article-text",
    "story-text",    "body-text",     "main-content",    NULL};

/* An attribute's value as the parser stored it (no copy), or NULL when absent. */
static const char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name[0] == name[0] && strcmp((const char *)a->name, name) == 0)
            return a->children && a->children->type == XML_TEXT_NODE && !a->children->next
                       ? (const char *)a->children->content
                       : "";
    return NULL;
}

/* Whether value contains one of words: anywhere in it (whole_value_match), or as one of its
 * tokens split at spaces, '-', '_', ':', '.' and camelCase capitals. */
static bool value_has_word(const char *value, const char *const *words, bool whole_value_match)
{
    if (!value || !*value)
        return false;
    if (whole_value_match) {
        char lower[256]; /* values are searched in lower case; longer ones are cut */
        size_t len = 0;
        for (; value[len] && len < sizeof lower - 1; len++)
            lower[len] = (char)tolower((unsigned char)value[len]);
        lower[len] = '\0';
        for (const char *const *w = words; *w; w++)
            if (strstr(lower, *w))
                return true;
        return false;
    }
    for (const char *p = value; *p;) {
        size_t len = strcspn(p, " \t\n-_:.");
        /* (camelCase words are tokens too, for the boilerplate words: "advisorCta",
         * "CTAButton"; a layout word so read names the text's own blocks too: "edTag") */
        for (size_t k = 1; words == boilerplate_words && k < len; k++)
            if (isupper((unsigned char)p[k]) && (islower((unsigned char)p[k - 1]) ||
                                                 (isupper((unsigned char)p[k - 1]) && k + 1 < len &&
                                                  islower((unsigned char)p[k + 1])))) {
                len = k;
                break;
            }
        int first = tolower((unsigned char)p[0]);
        for (const char *const *w = words; *w && len; w++)
            if (tolower((unsigned char)(*w)[0]) == first && strlen(*w) == len &&
                strncasecmp(p, *w, len) == 0)
                return true;
        p += len + (p[len] != '\0' && !isupper((unsigned char)p[len]));
    }
    return false;
}

/* Whether the attribute contains one of words (value_has_word). */
static bool attr_has_word(const xmlNode *n, const char *attr_name, const char *const *words,
                          bool whole_value_match)
{
    return value_has_word(attr(n, attr_name), words, whole_value_match);
}

/* Parts of glued class names beside a furniture word ("commentheader", "news-letter-box"). */
static const char *const glue_parts[] = {
    "list",   "box",    "area",   "wrap",    "wrapper",  "container", "section", "block",
    "form",   "item",   "items",  "title",   "link",     "links",     "count",   "text",
    "body",   "header", "footer", "widget",  "content",  "inner",     "meta",    "signup",
    "author", "bar",    "posts",  "stories", "articles", NULL};

enum { GLUED_FURNITURE = 1, GLUED_LAYOUT = 2, GLUED_SEVERAL = 4 };

/* What a lower-case run of letters is when read as known words glued together (each of three
 * letters or more, from the furniture, layout and glue lists): GLUED_FURNITURE when a
 * segmentation into two words or more holds a furniture word, or the run is one furniture word
 * of six letters or more ("news-letter"); GLUED_LAYOUT likewise for a layout word ("sharebar");
 * 0 when no segmentation covers the run ("commentary"). */
static int glued_word_kinds(const char *run, size_t len)
{
    int reach[64] = {0}; /* reach[i]: kinds of word seen on segmentations of run[0..i), + 8 */
    reach[0] = 8;
    for (size_t i = 0; i < len; i++) {
        if (!reach[i])
            continue;
        static const char *const *const lists[] = {boilerplate_words, layout_words, glue_parts};
        static const int kinds[] = {GLUED_FURNITURE, GLUED_LAYOUT, 0};
        for (size_t l = 0; l < 3; l++)
            for (const char *const *w = lists[l]; *w; w++) {
                if ((*w)[0] != run[i])
                    continue;
                size_t j = i + strlen(*w);
                if (j - i < 3 || j > len || memcmp(run + i, *w, j - i) != 0)
                    continue;
                if (i == 0 && j == len)
                    reach[j] |= j >= 6 ? kinds[l] | GLUED_SEVERAL : 0;
                else
                    reach[j] |= reach[i] | kinds[l] | (i > 0 ? GLUED_SEVERAL : 0);
            }
    }
    return reach[len] & GLUED_SEVERAL ? reach[len] & (GLUED_FURNITURE | GLUED_LAYOUT) : 0;
}

/* What the tokens of a class or id value are when read as words glued together
 * (glued_word_kinds' GLUED_FURNITURE and GLUED_LAYOUT, of any token): each token with its '-'
 * and '_' removed ("news-letter", "newsLetterBox"), and each of its parts between '-', '_' and
 * digits ("td-relatedPosts-2"). */
static int glued_value_kinds(const char *value)
{
    int kinds = 0;
    for (const char *p = value ? value : ""; *p;) {
        size_t len = strcspn(p, " \t\n");
        char token[64];
        size_t t = 0, part = 0;
        for (size_t i = 0; i < len && t < sizeof token - 1; i++) {
            if (p[i] == '-' || p[i] == '_' || isdigit((unsigned char)p[i])) {
                if (t > part)
                    kinds |= glued_word_kinds(token + part, t - part);
                part = t;
                continue;
            }
            token[t++] = (char)tolower((unsigned char)p[i]);
        }
        if (len < sizeof token && t > part)
            kinds |= glued_word_kinds(token + part, t - part);
        if (part > 0 && len < sizeof token)
            kinds |= glued_word_kinds(token, t);
        p += len + (p[len] != '\0');
    }
    return kinds;
}

/* The questions the cleaning and scoring ask of class and id values. */
enum value_question {
    HAS_BOILERPLATE_WORD, /* value_has_word(value, boilerplate_words, false) */
    HAS_LAYOUT_WORD,      /* value_has_word(value, layout_words, false) */
    HAS_CONTENT_WORD,     /* value_has_word(value, content_words, true) */
    GLUED_BOILERPLATE,    /* glued_value_kinds(value) & GLUED_FURNITURE */
    GLUED_LAYOUT_WORDS,   /* glued_value_kinds(value) & GLUED_LAYOUT */
};

static uintptr_t answered_bit(enum value_question q)
{
    return (uintptr_t)1 << (2 * q);
}

static uintptr_t yes_bit(enum value_question q)
{
    return (uintptr_t)1 << (2 * q + 1);
}

/* The answer to q about value, as bits of a table entry (attr_says): q's, and the other glued
 * question's too when q is one (the same pass over the value answers both). */
static uintptr_t answer(const char *value, enum value_question q)
{
    bool yes = false;
    switch (q) {
        case HAS_BOILERPLATE_WORD: yes = value_has_word(value, boilerplate_words, false); break;
        case HAS_LAYOUT_WORD: yes = value_has_word(value, layout_words, false); break;
        case HAS_CONTENT_WORD: yes = value_has_word(value, content_words, true); break;
        case GLUED_BOILERPLATE:
        case GLUED_LAYOUT_WORDS: {
            int kinds = glued_value_kinds(value);
            return answered_bit(GLUED_BOILERPLATE) | answered_bit(GLUED_LAYOUT_WORDS) |
                   (kinds & GLUED_FURNITURE ? yes_bit(GLUED_BOILERPLATE) : 0) |
                   (kinds & GLUED_LAYOUT ? yes_bit(GLUED_LAYOUT_WORDS) : 0);
        }
    }
    return answered_bit(q) | (yes ? yes_bit(q) : 0);
}

/* The answers to value questions, per distinct class or id value of a document: a page repeats
 * the same few values on thousands of elements ("menu-item"), and the cleaning asks about the
 * same element several times (is it furniture, is it layout, does its subtree hold a body). The
 * table (libxml2's xmlHashTable, keyed by a copy of the value) is held by the document's
 * _private while article_text() runs (article_text() creates and frees it: a per-document
 * cache). Each entry packs, per question q, bit 2q (answered) and bit 2q+1 (the answer); the
 * answers depend on the value's text alone, so they hold for every element that has it. */
enum { VALUE_ENTRY_PRESENT = 1 << 16 }; /* (so that no entry is NULL) */

/* answer(), about the attribute's value, from the document's table when it has one. */
static bool attr_says(const xmlNode *n, const char *attr_name, enum value_question q)
{
    const char *value = attr(n, attr_name);
    if (!value || !*value)
        return false;
    xmlHashTablePtr answers = n->doc ? n->doc->_private : NULL;
    if (!answers)
        return answer(value, q) & yes_bit(q);
    uintptr_t entry = (uintptr_t)xmlHashLookup(answers, (const xmlChar *)value);
    if (!(entry & answered_bit(q))) {
        entry |= VALUE_ENTRY_PRESENT | answer(value, q);
        xmlHashUpdateEntry(answers, (const xmlChar *)value, (void *)entry, NULL);
    }
    return entry & yes_bit(q);
}

static bool is_hidden(xmlNode *n)
{
    if (xmlHasProp(n, (const xmlChar *)"hidden"))
        return true;
    const char *aria = attr(n, "aria-hidden");
    bool hidden = aria && strcasecmp(aria, "true") == 0;
    const char *style = attr(n, "style");
    if (style && *style) {
        char *compact = extract_collapse_whitespace(style);
        for (char *p = compact, *q = compact;; p++) {
            if (*p != ' ')
                *q++ = *p;
            if (!*p)
                break;
        }
        hidden = hidden || strcasestr(compact, "display:none") ||
                 strcasestr(compact, "visibility:hidden");
        free(compact);
    }
    return hidden;
}

/* itemprop="articleBody": the publisher says this is the article. */
static bool marked_article_body(const xmlNode *n)
{
    const char *itemprop = attr(n, "itemprop");
    return itemprop && strcasestr(itemprop, "articleBody");
}

static bool is_content_hint(xmlNode *n)
{
    if (is_tag(n, "article") || is_tag(n, "main"))
        return true;
    return marked_article_body(n) || attr_says(n, "class", HAS_CONTENT_WORD) ||
           attr_says(n, "id", HAS_CONTENT_WORD);
}

static bool holds_prose(xmlNode *n, size_t min_chars);

/* Whether a word of n's class or id, or its role, marks furniture; with layout, whether a
 * layout word marks it. A content word protects a marked block when it holds prose (only then:
 * CSS modules prefix every class of a component with its name, "ArticleContent_caption"). */
static bool is_furniture(xmlNode *n, bool layout)
{
    if (is_tag(n, "body") || is_tag(n, "html") || is_tag(n, "article") || is_tag(n, "main"))
        return false;
    bool marked =
        layout ? attr_says(n, "class", HAS_LAYOUT_WORD) || attr_says(n, "id", HAS_LAYOUT_WORD) ||
                     /* (a link in a sentence is no container: "textTag" is the word linked) */
                     (!is_tag(n, "a") && !is_tag(n, "span") &&
                      (attr_says(n, "class", GLUED_LAYOUT_WORDS) ||
                       attr_says(n, "id", GLUED_LAYOUT_WORDS)))
               : attr_says(n, "class", HAS_BOILERPLATE_WORD) ||
                     attr_says(n, "id", HAS_BOILERPLATE_WORD) ||
                     attr_says(n, "class", GLUED_BOILERPLATE) ||
                     attr_says(n, "id", GLUED_BOILERPLATE) ||
                     attr_has_word(n, "role",
                                   (const char *const[]){"navigation", "banner", "complementary",
                                                         "contentinfo", "dialog", "alert", NULL},
                                   false);
    return marked && !(is_content_hint(n) && holds_prose(n, PROSE_CHARS));
}

static void text_length(xmlNode *n, size_t *all, size_t *linked, bool in_link, int depth);

/* text_length's counts of every element of a tree, made in one bottom-up pass instead of one
 * walk of a subtree per question (the cleaning and scoring ask about most subtrees). Each
 * element's psvi (unused by the HTML parser) points to its text_count, in blocks the memo
 * owns; the pass is made again after the tree is cleaned, and the pointers cleared before the
 * memo is freed. */
struct text_count {
    size_t all, linked; /* text_length(n, ..., in_link false, depth 0) */
    int height;         /* levels of nodes below n: its counts hold from depth MAX_DEPTH - height */
};

enum { TEXT_COUNTS_PER_BLOCK = 512 };

struct text_count_block {
    struct text_count_block *next;
    size_t used;
    struct text_count v[TEXT_COUNTS_PER_BLOCK];
};

struct text_memo {
    struct text_count_block *blocks;
};

static struct text_count *text_memo_alloc(struct text_memo *memo)
{
    if (!memo->blocks || memo->blocks->used == TEXT_COUNTS_PER_BLOCK) {
        struct text_count_block *b = xmalloc(sizeof *b);
        b->next = memo->blocks;
        b->used = 0;
        memo->blocks = b;
    }
    return &memo->blocks->v[memo->blocks->used++];
}

/* Gives n and the elements below it their counts; returns n's height, or -1 when its subtree
 * is deeper than the walks go (then n and its ancestors keep no counts, and are walked). */
static int text_memo_count(struct text_memo *memo, xmlNode *n, int level)
{
    struct text_count *entry = n->psvi; /* (an element keeps its entry when counted again) */
    n->psvi = NULL; /* (n is counted from its children's entries, not from its own) */
    if (level > MAX_DEPTH)
        return -1;
    int height = n->children ? 1 : 0;
    bool complete = true;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int below = text_memo_count(memo, c, level + 1);
        if (below < 0)
            complete = false;
        else if (below + 1 > height)
            height = below + 1;
    }
    if (!complete)
        return -1;
    struct text_count count = {.height = height};
    text_length(n, &count.all, &count.linked, false, 0);
    if (!entry)
        entry = text_memo_alloc(memo);
    *entry = count;
    n->psvi = entry;
    return height;
}

static void text_memo_build(struct text_memo *memo, xmlNode *root)
{
    text_memo_count(memo, root, 0);
}

static bool text_skipped(const xmlNode *n);

/* Takes what c counts out of its ancestors' counts, before c is removed from the tree (their
 * heights stay: an upper bound is enough). */
static void text_memo_forget(xmlNode *c)
{
    const struct text_count *gone = c->psvi;
    if (!gone)
        return; /* (c's ancestors have no counts either) */
    bool skipped = text_skipped(c), in_link = is_tag(c, "a");
    for (xmlNode *up = c->parent; up && up->type == XML_ELEMENT_NODE; up = up->parent) {
        struct text_count *count = up->psvi;
        if (count && !skipped) {
            count->all -= gone->all;
            count->linked -= in_link ? gone->all : gone->linked;
        }
        skipped = skipped || text_skipped(up);
        in_link = in_link || is_tag(up, "a");
    }
}

static void text_memo_clear(xmlNode *n, int level)
{
    n->psvi = NULL;
    for (xmlNode *c = n->children; c && level <= MAX_DEPTH; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            text_memo_clear(c, level + 1);
}

static void text_memo_free(struct text_memo *memo, xmlNode *root)
{
    text_memo_clear(root, 0);
    for (struct text_count_block *b = memo->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    memo->blocks = NULL;
}

static bool has_block_child(xmlNode *n);
static bool is_ancestor(const xmlNode *a, const xmlNode *n);

/* What the page holds: all visible characters, those inside links and those inside paragraphs
 * (<p>); and how hard the page is cleaned. */
struct page_size {
    size_t chars;
    size_t linked; /* of chars, inside links */
    size_t paragraph_chars;
    bool keep_furniture; /* the fallback: remove only what is never text */
};

/* Characters of text inside <p> elements below n (not inside links). */
static size_t paragraph_chars(xmlNode *n, int depth)
{
    size_t total = 0;
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_tag(c, "p")) {
            size_t all = 0, linked = 0;
            text_length(c, &all, &linked, false, depth + 1);
            total += all - linked;
        } else {
            total += paragraph_chars(c, depth + 1);
        }
    }
    return total;
}

/* Furniture (or a form) holding most of the page's text, or most of its paragraphs, is the
 * page, whatever its class says: some sites wrap everything in one <form>, or name the column
 * beside the sidebar "...-with-sidebar". */
static bool small_part(xmlNode *n, const struct page_size *page)
{
    size_t all = 0, linked = 0;
    text_length(n, &all, &linked, false, 0);
    if (all * 5 >= page->chars * 2)
        return false;
    return page->paragraph_chars < 200 || paragraph_chars(n, 0) * 2 < page->paragraph_chars;
}

/* True when an element below n is marked as the article body by its class, id or itemprop
 * (broken markup sometimes leaves the body inside a header or a sidebar). */
static bool holds_article_body(xmlNode *n, int depth)
{
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            ((!is_tag(c, "article") && !is_tag(c, "main") && is_content_hint(c)) ||
             holds_article_body(c, depth + 1)))
            return true;
    return false;
}

/* Elements that are never article text, whatever they hold. */
static bool never_text(xmlNode *n)
{
    static const char *const tags[] = {"script", "style", "noscript", "template", "iframe",
                                       "object", "embed", "svg",      "canvas",   "input",
                                       "link",   "meta",  "head",     NULL};
    return in_list((const char *)n->name, tags);
}

/* Form controls: never text, but an unclosed <button> can swallow the rest of the page. */
static bool is_control(xmlNode *n)
{
    return is_tag(n, "button") || is_tag(n, "select") || is_tag(n, "textarea");
}

/* Characters of text outside links in the paragraphs below n: <p>, <li>, quotes, and blocks
 * with no block inside. */
static size_t prose_chars(xmlNode *n, int depth)
{
    size_t total = 0;
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_tag(c, "p") || is_tag(c, "li") || is_tag(c, "dd") || is_tag(c, "blockquote") ||
            is_tag(c, "pre") || !has_block_child(c)) {
            size_t all = 0, linked = 0;
            text_length(c, &all, &linked, is_tag(c, "a"), depth + 1);
            total += all - linked;
        } else {
            total += prose_chars(c, depth + 1);
        }
    }
    return total;
}

/* Whether a block holds prose: min_chars of paragraph text outside links, at least half its
 * text, and links under a third of it. A layout word of its class or a <header> around it does
 * not make such a block furniture. */
static bool holds_prose(xmlNode *n, size_t min_chars)
{
    size_t all = 0, linked = 0;
    text_length(n, &all, &linked, false, 0);
    size_t prose = prose_chars(n, 0);
    return linked * 3 < all && prose >= min_chars && prose * 2 >= all;
}

static bool only_element_child(const xmlNode *n)
{
    for (const xmlNode *s = n->parent->children; s; s = s->next)
        if (s != n && s->type == XML_ELEMENT_NODE)
            return false;
    return true;
}

/* Whether a sibling near n (three each way) of n's kind (the same first class word) holds a
 * paragraph of prose too (n alone in its parent: the parent's siblings): page builders put
 * each paragraph of a text in its own "widget". */
static bool prose_sibling_of_kind(xmlNode *n)
{
    /* (a block alone in its parent stands for it: the widget's own wrapper) */
    for (int up = 0;
         up < 3 && n->parent && n->parent->type == XML_ELEMENT_NODE && only_element_child(n); up++)
        n = n->parent;
    const char *cls = attr(n, "class");
    size_t len = cls ? strcspn(cls, " \t\n") : 0;
    if (!len)
        return false;
    for (int way = 0; way < 2; way++) {
        int seen = 0;
        for (xmlNode *s = way ? n->next : n->prev; s && seen < 3; s = way ? s->next : s->prev) {
            if (s->type != XML_ELEMENT_NODE)
                continue;
            seen++;
            const char *other = attr(s, "class");
            if (other && strncmp(other, cls, len) == 0 && strchr(" \t\n", other[len]) &&
                holds_prose(s, LAYOUT_PROSE_CHARS))
                return true;
        }
    }
    return false;
}

/* A <figure> around a table, a quote or a code listing is text, not a picture. */
static bool figure_of_text(xmlNode *n, int depth)
{
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next)
        if (c->type == XML_ELEMENT_NODE &&
            (is_tag(c, "table") || is_tag(c, "blockquote") || is_tag(c, "pre") ||
             (!is_tag(c, "figcaption") && figure_of_text(c, depth + 1))))
            return true;
    return false;
}

/* Whether an image below n is a picture, not an icon: one whose width or height attribute says
 * it is under 48 pixels is an emoji or a logo in a line. */
static bool holds_picture(xmlNode *n, int depth)
{
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_tag(c, "img")) {
            const char *w = attr(c, "width"), *h = attr(c, "height");
            if (!((w && atoi(w) > 0 && atoi(w) < 48) || (h && atoi(h) > 0 && atoi(h) < 48)))
                return true;
        } else if (is_tag(c, "picture") || holds_picture(c, depth + 1)) {
            return true;
        }
    }
    return false;
}

/* Whether a block (a paragraph, a heading, a list...) is anywhere below n. */
static bool holds_block(xmlNode *n, int depth)
{
    if (has_block_child(n))
        return true;
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next)
        if (c->type == XML_ELEMENT_NODE && holds_block(c, depth + 1))
            return true;
    return false;
}

/* Whether n's text ends as a sentence does: with . ! ? : or an ellipsis, before any closing
 * quotes and brackets. */
static bool ends_as_sentence(xmlNode *n)
{
    xmlChar *text = xmlNodeGetContent(n);
    const char *s = (const char *)text;
    size_t len = s ? strlen(s) : 0;
    while (len && (isspace((unsigned char)s[len - 1]) || strchr("\"')]}", s[len - 1])))
        len--;
    /* (closing curly quotes, guillemets and no-break spaces: U+2019, U+201D, U+00BB, U+00A0) */
    while ((len >= 3 && (memcmp(s + len - 3, "\xe2\x80\x99", 3) == 0 ||
                         memcmp(s + len - 3, "\xe2\x80\x9d", 3) == 0)) ||
           (len >= 2 &&
            (memcmp(s + len - 2, "\xc2\xbb", 2) == 0 || memcmp(s + len - 2, "\xc2\xa0", 2) == 0))) {
        len -= s[len - 2] == '\xc2' ? 2 : 3;
        while (len && (isspace((unsigned char)s[len - 1]) || strchr("\"')]}", s[len - 1])))
            len--;
    }
    bool sentence = len && (strchr(".!?:", s[len - 1]) ||
                            (len >= 3 && memcmp(s + len - 3, "\xe2\x80\xa6", 3) == 0));
    xmlFree(text);
    return sentence;
}

/* A <div> or <span> holding a picture and a short line that is not a sentence, and no block,
 * is a captioned picture without a <figure>: the line is its caption or its credit ("Getty
 * Images / ...", "Image 2 of 5"). A sentence beside a picture (a verdict beside its rating's
 * badge, a greeting beside the author's portrait) is text, and so is a paragraph holding a
 * logo and a name (a ranked list's heading). */
static bool captioned_picture(xmlNode *n, int depth)
{
    if (!(is_tag(n, "div") || is_tag(n, "span")) || holds_block(n, depth))
        return false;
    size_t all = 0, linked = 0;
    text_length(n, &all, &linked, false, 0);
    return all > 0 && all < CAPTION_CHARS && holds_picture(n, depth) && !ends_as_sentence(n);
}

/* Whether n is or holds (a few levels down) a toggle: an element with aria-expanded. */
static bool holds_toggle(const xmlNode *n, int depth)
{
    if (n->type != XML_ELEMENT_NODE || depth > 4)
        return false;
    if (attr(n, "aria-expanded"))
        return true;
    for (const xmlNode *c = n->children; c; c = c->next)
        if (holds_toggle(c, depth + 1))
            return true;
    return false;
}

/* A collapsed panel: a hidden block of prose right after the toggle that opens it (an
 * accordion's question and its answer, a "types of ..." section folded under its heading). It
 * is text hidden until asked for, not furniture. */
static bool collapsed_panel(xmlNode *n)
{
    xmlNode *toggle = n->prev;
    while (toggle && toggle->type != XML_ELEMENT_NODE)
        toggle = toggle->prev;
    return toggle && holds_toggle(toggle, 0) && holds_prose(n, LAYOUT_PROSE_CHARS);
}

/* A heading is a heading: a layout word of its class ("module_header", "widget-title") says
 * how it is styled, and a heading holds no prose to judge it by. */
static bool is_heading(const xmlNode *n)
{
    return n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && !n->name[2];
}

/* Whether c is never article text: scripts and the like, hidden blocks (unless they hold most
 * of the page, as React's streamed <div hidden id="S:0"> does, or are a collapsed panel: a
 * toggle's label, the question or heading it opens, stays too), and furniture by tag, class or
 * role that is a small part of the page and holds no marked article body. */
static bool removable(xmlNode *c, const struct page_size *page, int depth)
{
    if (depth > MAX_DEPTH || never_text(c))
        return true;
    /* (a hidden block or a control holding most of the page is a parse or script artefact) */
    if ((is_hidden(c) && !collapsed_panel(c)) || (is_control(c) && !attr(c, "aria-expanded")))
        return small_part(c, page);
    if (page->keep_furniture)
        return false;
    bool furniture = in_list((const char *)c->name, furniture_tags) || is_furniture(c, false) ||
                     is_tag(c, "form");
    /* (a header holds a title, a standfirst and a byline: it is the article only when it holds
     * several paragraphs) */
    if (!furniture && is_tag(c, "header"))
        furniture = !holds_prose(c, 3 * PROSE_CHARS);
    else if (!furniture && !is_heading(c) && is_furniture(c, true))
        furniture = !holds_prose(c, PROSE_CHARS) &&
                    !(holds_prose(c, LAYOUT_PROSE_CHARS) && prose_sibling_of_kind(c));
    if (!furniture && is_tag(c, "figure"))
        furniture = !figure_of_text(c, depth);
    if (!furniture)
        furniture = captioned_picture(c, depth);
    return furniture && small_part(c, page) && !holds_article_body(c, depth);
}

/* React's streaming renderer sends late parts of a page at the end of the body, each as
 * <div hidden id="S:x">, and a script moves each into the place of its <template id="B:x">
 * (a suspense boundary: the fallback shown until then, up to the comment <!--/$-->, goes) or
 * <template id="P:x"> (a placeholder for a segment, often inside another streamed part). Done
 * here, so that the article is whole and in order instead of hidden. */
struct streamed {
    xmlNode **v;
    size_t n, cap;
};

static void push_node(struct streamed *list, xmlNode *n)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->v = xrealloc(list->v, list->cap * sizeof *list->v);
    }
    list->v[list->n++] = n;
}

/* The x of an id "S:x" (kind 'S') or "B:x" (kind 'B'), or NULL. */
static const char *react_key(const xmlNode *n, char kind)
{
    const char *id = attr(n, "id");
    return id && id[0] == kind && id[1] == ':' && id[2] ? id + 2 : NULL;
}

/* The x of a slot a streamed part S:x goes into: <template id="B:x"> or <template id="P:x">. */
static const char *slot_key(const xmlNode *n)
{
    const char *key = react_key(n, 'B');
    return key ? key : react_key(n, 'P');
}

static void find_streamed(xmlNode *n, struct streamed *parts, struct streamed *slots, int depth)
{
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_tag(c, "template") && slot_key(c))
            push_node(slots, c);
        else if (is_tag(c, "div") && react_key(c, 'S') && xmlHasProp(c, (const xmlChar *)"hidden"))
            push_node(parts, c);
        find_streamed(c, parts, slots, depth + 1);
    }
}

/* Where the fallback after a slot ends (the node after its last one; slot->next when there is
 * none): a placeholder P:x has none; a boundary's ends at the comment <!--/$-->, or, in a page
 * saved without its comments, is the short block right after the template ("Loading..."). */
static xmlNode *fallback_end(xmlNode *slot)
{
    if (!react_key(slot, 'B'))
        return slot->next;
    for (xmlNode *end = slot->next; end; end = end->next)
        if (end->type == XML_COMMENT_NODE && end->content &&
            strcmp((const char *)end->content, "/$") == 0)
            return end;
    xmlNode *next = slot->next;
    while (next && next->type == XML_TEXT_NODE && xmlIsBlankNode(next))
        next = next->next;
    if (!next || next->type != XML_ELEMENT_NODE || is_tag(next, "template") ||
        has_block_child(next))
        return slot->next;
    size_t all = 0, linked = 0;
    text_length(next, &all, &linked, false, 0);
    return all < 80 ? next->next : slot->next;
}

static void place_streamed(xmlNode *root)
{
    struct streamed parts = {0}, slots = {0}, unlinked = {0};
    find_streamed(root, &parts, &slots, 0);
    for (size_t i = 0; i < parts.n; i++) {
        xmlNode *part = parts.v[i];
        xmlUnsetProp(part, (const xmlChar *)"hidden");
        for (size_t k = 0; k < slots.n; k++) {
            xmlNode *slot = slots.v[k];
            if (!slot || strcmp(slot_key(slot), react_key(part, 'S')) != 0)
                continue;
            if (!slot->parent || slot == part || is_ancestor(part, slot))
                break; /* (a slot already unlinked as a fallback, or inside its own part) */
            xmlNode *end = fallback_end(slot);
            for (xmlNode *f = slot->next, *next; end != slot->next && f != end; f = next) {
                next = f->next;
                xmlUnlinkNode(f);
                push_node(&unlinked, f);
            }
            xmlUnlinkNode(part);
            xmlReplaceNode(slot, part);
            push_node(&unlinked, slot);
            slots.v[k] = NULL;
            break;
        }
    }
    /* Unlinked nodes may hold others (a fallback holding a later slot): only those with no
     * parent are roots to free, all found before any is freed. */
    size_t roots = 0;
    for (size_t i = 0; i < unlinked.n; i++)
        if (!unlinked.v[i]->parent)
            unlinked.v[roots++] = unlinked.v[i];
    for (size_t i = 0; i < roots; i++)
        xmlFreeNode(unlinked.v[i]);
    free(parts.v);
    free(slots.v);
    free(unlinked.v);
}

/* Removes what is never article text from below n. */
static void clean(xmlNode *n, const struct page_size *page, int depth)
{
    xmlNode *c = n->children;
    while (c) {
        xmlNode *next = c->next;
        if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE ||
            (c->type == XML_ELEMENT_NODE && removable(c, page, depth))) {
            text_memo_forget(c);
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            clean(c, page, depth + 1);
        }
        c = next;
    }
}

/* Elements whose text is not visible text: text_length leaves them out. */
static bool text_skipped(const xmlNode *c)
{
    return c->type == XML_ELEMENT_NODE && (is_tag(c, "script") || is_tag(c, "style") ||
                                           is_tag(c, "noscript") || is_tag(c, "template"));
}

/* Characters of text (UTF-8 sequences that are not white space) in s: what isspace() says in
 * the C locale, by table. */
static size_t visible_chars(const xmlChar *s)
{
    static const unsigned char space_or_continuation[256] = {
        [' '] = 1,
        ['\t'] = 1,
        ['\n'] = 1,
        ['\v'] = 1,
        ['\f'] = 1,
        ['\r'] = 1,
#define CONTINUATION_ROW(r)                                                                        \
    [r] = 1, [r + 1] = 1, [r + 2] = 1, [r + 3] = 1, [r + 4] = 1, [r + 5] = 1, [r + 6] = 1,         \
    [r + 7] = 1, [r + 8] = 1, [r + 9] = 1, [r + 10] = 1, [r + 11] = 1, [r + 12] = 1, [r + 13] = 1, \
    [r + 14] = 1, [r + 15] = 1
        CONTINUATION_ROW(0x80),
        CONTINUATION_ROW(0x90),
        CONTINUATION_ROW(0xA0),
        CONTINUATION_ROW(0xB0),
#undef CONTINUATION_ROW
    };
    size_t len = 0;
    for (const xmlChar *p = s; p && *p; p++)
        len += !space_or_continuation[*p];
    return len;
}

/* Characters of visible text below n (not scripts or styles), and how many are inside links.
 * An element's counts come from its text_count (text_memo_build) when it has one and the
 * walk would have reached the bottom of its subtree from this depth. */
static void text_length(xmlNode *n, size_t *all, size_t *linked, bool in_link, int depth)
{
    const struct text_count *memo = n->psvi;
    if (memo && depth + memo->height <= MAX_DEPTH) {
        *all += memo->all;
        *linked += in_link ? memo->all : memo->linked;
        return;
    }
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (text_skipped(c))
            continue;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            size_t len = visible_chars(c->content);
            *all += len;
            if (in_link)
                *linked += len;
        } else if (c->type == XML_ELEMENT_NODE) {
            text_length(c, all, linked, in_link || is_tag(c, "a"), depth + 1);
        }
    }
}

static size_t count_commas(const xmlNode *n)
{
    size_t commas = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            for (const xmlChar *p = c->content; p && *p; p++)
                commas += *p == ',';
        else if (c->type == XML_ELEMENT_NODE)
            commas += count_commas(c);
    }
    return commas;
}

static struct candidate *candidate_of(struct scoring *sc, xmlNode *n)
{
    if (n->_private)
        return &sc->v[(size_t)n->_private - 1];
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 64;
        sc->v = xrealloc(sc->v, sc->cap * sizeof *sc->v);
    }
    sc->v[sc->n] = (struct candidate){.node = n, .score = is_content_hint(n) ? 10 : 0};
    n->_private = (void *)(sc->n + 1);
    return &sc->v[sc->n++];
}

static bool has_block_child(xmlNode *n)
{
    static const char *const blocks[] = {"p",  "div",        "section", "article", "table", "ul",
                                         "ol", "blockquote", "pre",     "h1",      "h2",    "h3",
                                         "h4", "h5",         "h6",      NULL};
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && in_list((const char *)c->name, blocks))
            return true;
    return false;
}

/* How many times n's own text is broken by two <br> in a row (with only spaces between). */
static size_t br_paragraph_breaks(xmlNode *n)
{
    size_t breaks = 0;
    xmlNode *last_br = NULL;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE) {
            bool blank = true;
            for (const xmlChar *p = c->content; p && *p && blank; p++)
                blank = isspace(*p);
            if (!blank)
                last_br = NULL;
        } else if (is_tag(c, "br")) {
            if (last_br)
                breaks++;
            last_br = last_br ? NULL : c;
        } else if (c->type == XML_ELEMENT_NODE) {
            last_br = NULL;
        }
    }
    return breaks;
}

/* One paragraph's worth of text (all characters, commas, <br><br> breaks) credited to the
 * element holding it, half as much to its parent and a sixth to its grandparent. */
static void credit_paragraph(struct scoring *sc, xmlNode *holder, size_t all, size_t commas,
                             size_t breaks)
{
    double cap = 3.0 * (double)(1 + breaks); /* text split by <br><br> is that many paragraphs */
    double score = 1 + (double)commas + (all / 100.0 < cap ? all / 100.0 : cap);
    candidate_of(sc, holder)->score += score;
    xmlNode *up = holder->parent;
    if (up && up->type == XML_ELEMENT_NODE) {
        candidate_of(sc, up)->score += score / 2;
        up = up->parent;
        if (up && up->type == XML_ELEMENT_NODE)
            candidate_of(sc, up)->score += score / 6;
    }
}

static bool inside_link(xmlNode *n)
{
    for (int up = 0; n && up < 16; n = n->parent, up++)
        if (n->type == XML_ELEMENT_NODE && is_tag(n, "a"))
            return true;
    return false;
}

static size_t commas_in_text(const xmlChar *text)
{
    size_t commas = 0;
    for (const xmlChar *p = text; p && *p; p++)
        commas += *p == ',' || (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8C) /* fullwidth */;
    return commas;
}

/* The text n holds outside its block children ("loose" text beside them, as in
 * <div>Text<br>more text<div>...</div></div>): characters, linked characters, commas. */
static void loose_text(xmlNode *n, size_t *all, size_t *linked, size_t *commas, int depth)
{
    static const char *const blocks[] = {
        "p",          "div",    "section", "article", "table",  "ul",   "ol",   "dl",
        "blockquote", "pre",    "h1",      "h2",      "h3",     "h4",   "h5",   "h6",
        "header",     "footer", "aside",   "nav",     "figure", "form", "main", NULL};
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = c->content; p && *p; p++)
                *all += !isspace(*p) && (*p & 0xC0) != 0x80;
            *commas += commas_in_text(c->content);
        } else if (c->type == XML_ELEMENT_NODE && !in_list((const char *)c->name, blocks)) {
            size_t a = 0, l = 0;
            text_length(c, &a, &l, is_tag(c, "a"), depth + 1);
            *all += a;
            *linked += l;
            *commas += count_commas(c);
        }
    }
}

/* Paragraphs give the element holding them a score, and its parent half of it. */
static void score_paragraphs(struct scoring *sc, xmlNode *n, int depth)
{
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        bool paragraph =
            is_tag(c, "p") || is_tag(c, "pre") || is_tag(c, "blockquote") ||
            ((is_tag(c, "div") || is_tag(c, "td") || is_tag(c, "section")) && !has_block_child(c));
        if (paragraph && c->parent && c->parent->type == XML_ELEMENT_NODE) {
            size_t all = 0, linked = 0;
            text_length(c, &all, &linked, false, depth);
            if (all >= 25 && linked * 2 < all && !inside_link(c->parent))
                credit_paragraph(sc, c->parent, all, count_commas(c), br_paragraph_breaks(c));
        } else if (!paragraph && (is_tag(c, "div") || is_tag(c, "section") ||
                                  is_tag(c, "article") || is_tag(c, "main") || is_tag(c, "td"))) {
            size_t all = 0, linked = 0, commas = 0;
            loose_text(c, &all, &linked, &commas, depth);
            if (all >= 25 && linked * 2 < all && !inside_link(c->parent))
                credit_paragraph(sc, c, all, commas, br_paragraph_breaks(c));
        }
        score_paragraphs(sc, c, depth + 1);
    }
}

static bool is_ancestor(const xmlNode *a, const xmlNode *n)
{
    for (n = n ? n->parent : NULL; n; n = n->parent)
        if (n == a)
            return true;
    return false;
}

/* Whether n is inside (or is) an <aside>, <nav> or <footer> that the cleaning kept (it holds
 * much of the page): complementary content by its tag, which the article outweighs. */
static bool in_furniture_tag(xmlNode *n)
{
    for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
        if (is_tag(n, "aside") || is_tag(n, "nav") || is_tag(n, "footer"))
            return true;
    return false;
}

/* The best-scoring candidate (scores weighed by how little of their text is links), or the
 * element marked itemprop="articleBody" that holds it. When
 * other candidates score nearly as well (75 %) and are not inside it, the article is split
 * across blocks (around an embed, say): the lowest ancestor holding the best and at least
 * ALTERNATIVES_NEEDED of them is the article instead. *top_score is the top candidate's score. */
static xmlNode *best_container(struct scoring *sc, double *top_score)
{
    enum { ALTERNATIVES_NEEDED = 2, MAX_ALTERNATIVES = 8 };
    xmlNode *best = NULL;
    double best_score = 0;
    for (size_t i = 0; i < sc->n; i++) {
        size_t all = 0, linked = 0;
        text_length(sc->v[i].node, &all, &linked, false, 0);
        double score = sc->v[i].score * (all ? 1.0 - (double)linked / (double)all : 0) *
                       (in_furniture_tag(sc->v[i].node) ? 0.25 : 1.0);
        sc->v[i].score = score;
        if (score > best_score) {
            best_score = score;
            best = sc->v[i].node;
        }
    }
    *top_score = best_score;
    if (!best)
        return NULL;
    /* The publisher's own marking wins over our guess when it holds the guess. */
    for (xmlNode *up = best; up && up->type == XML_ELEMENT_NODE; up = up->parent)
        if (marked_article_body(up))
            return up;
    /* An article cut into chunks (between ads): blocks of the best's class elsewhere. */
    const char *best_class = attr(best, "class");
    xmlNode *whole = best;
    for (size_t i = 0; i < sc->n && best_class && *best_class; i++) {
        xmlNode *c = sc->v[i].node;
        if (c == best || sc->v[i].score < best_score * 0.3 || is_ancestor(best, c) ||
            is_ancestor(c, best))
            continue;
        const char *cls = attr(c, "class");
        if (cls && strcmp(cls, best_class) == 0)
            while (whole && !is_ancestor(whole, c))
                whole = whole->parent;
    }
    if (whole && whole != best && whole->type == XML_ELEMENT_NODE && !is_tag(whole, "body"))
        return whole;
    xmlNode *alternatives[MAX_ALTERNATIVES];
    size_t n_alt = 0;
    for (size_t i = 0; i < sc->n && n_alt < MAX_ALTERNATIVES; i++) {
        xmlNode *c = sc->v[i].node;
        if (c != best && sc->v[i].score >= best_score * 0.75 && !is_ancestor(best, c) &&
            !is_ancestor(c, best))
            alternatives[n_alt++] = c;
    }
    if (n_alt < ALTERNATIVES_NEEDED)
        return best;
    for (xmlNode *up = best->parent; up && up->type == XML_ELEMENT_NODE && !is_tag(up, "body");
         up = up->parent) {
        size_t held = 0;
        for (size_t i = 0; i < n_alt; i++)
            held += is_ancestor(up, alternatives[i]);
        if (held >= ALTERNATIVES_NEEDED)
            return up;
    }
    return best;
}

/* What a subtree holds: all characters, those inside links, and prose: the link-free text of
 * its paragraphs (<p>, list items, quotes, blocks with no block inside) of PROSE_UNIT
 * characters or more, and how many such paragraphs (units). */
struct mass {
    size_t all, linked, prose, units;
};

enum {
    PROSE_UNIT = 40,  /* characters of a paragraph that make it prose */
    CARD_LINKED = 15, /* per cent of link text that makes a one-paragraph block a card */
};

static void measure(xmlNode *n, struct mass *m, int depth)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        size_t len = 0;
        for (const xmlChar *p = n->content; p && *p; p++)
            len += !isspace(*p) && (*p & 0xC0) != 0x80;
        m->all += len;
        if (len >= PROSE_UNIT) { /* loose text, as between <br>s */
            m->prose += len;
            m->units++;
        }
        return;
    }
    if (n->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
        return;
    if (is_tag(n, "a") || is_tag(n, "p") || is_tag(n, "li") || is_tag(n, "dd") ||
        is_tag(n, "blockquote") || is_tag(n, "pre") || !has_block_child(n)) {
        size_t all = 0, linked = 0;
        text_length(n, &all, &linked, is_tag(n, "a"), depth + 1);
        m->all += all;
        m->linked += linked;
        if (all - linked >= PROSE_UNIT) {
            m->prose += all - linked;
            m->units++;
        }
        return;
    }
    struct mass own = {0};
    for (xmlNode *c = n->children; c; c = c->next)
        measure(c, &own, depth + 1);
    /* A card: one paragraph beside links (a teaser with its linked title, a reader's comment
     * with its linked name and date). Its paragraph is not the article's prose. */
    if (own.units == 1 && own.linked * 100 >= own.all * CARD_LINKED) {
        own.prose = 0;
        own.units = 0;
    }
    m->all += own.all;
    m->linked += own.linked;
    m->prose += own.prose;
    m->units += own.units;
}

/* What a block is worth as the article: its prose, less twice what is neither prose nor
 * links (headings, dates, labels), less four times its link text. */
static double prose_value(const struct mass *m)
{
    return (double)m->prose - 2.0 * (double)(m->all - m->linked - m->prose) -
           4.0 * (double)m->linked;
}

/* Whether n is a table or a list, or a wrapper of one alone (its only element child). */
static bool tabular_block(xmlNode *n)
{
    for (int down = 0; n && down < 4; down++) {
        if (is_tag(n, "table") || is_tag(n, "tbody") || is_tag(n, "ul") || is_tag(n, "ol") ||
            is_tag(n, "dl"))
            return true;
        xmlNode *only = NULL;
        for (xmlNode *c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE) {
                if (only)
                    return false;
                only = c;
            }
        n = only;
    }
    return false;
}

/* The ancestor of best (below <body>) worth most by prose_value(), when it is worth at least
 * twice what best is; else best. An article split over sibling blocks (the text modules of a
 * page builder) is kept whole, and a block beside the article that won the scoring (a
 * key-takeaways box, an author's bio) gives way to the block that holds the article. A small
 * addition (a date line, a teaser) is not worth the move. */
static xmlNode *widen_to_prose(xmlNode *best)
{
    enum { TABLE_TEXT_AROUND = 400 }; /* characters of prose beside a table that are its article */
    struct mass m = {0};
    measure(best, &m, 0);
    double best_value = prose_value(&m), start_value = best_value > 0 ? best_value : 0;
    size_t seed_prose = m.prose;
    bool tabular = tabular_block(best);
    xmlNode *chosen = best;
    for (xmlNode *below = best, *up = best->parent;
         up && up->type == XML_ELEMENT_NODE && !is_tag(up, "body") && !is_tag(up, "html");
         below = up, up = up->parent) {
        tabular = tabular && !is_tag(up, "main");
        for (xmlNode *c = up->children; c; c = c->next)
            if (c != below)
                measure(c, &m, 0);
        double value = prose_value(&m);
        /* (a table or a list that won is a part of the article: the first ancestor with
         * paragraphs of prose beside it holds the rest) */
        bool text_around_table = tabular && m.prose >= seed_prose + TABLE_TEXT_AROUND;
        if ((value > best_value && value >= 2 * start_value) || text_around_table) {
            best_value = value > best_value ? value : best_value;
            chosen = up;
            tabular = false;
        }
        tabular = tabular && !is_tag(up, "article");
    }
    return chosen;
}

/* Whether a sibling of the best container belongs to the article too (a body split into
 * several blocks): it scored well, or shares the best's class and scored at all, or it is a
 * paragraph of prose on its own. */
static bool belongs_with(const struct scoring *sc, xmlNode *best, double best_score, xmlNode *s)
{
    if (s->type != XML_ELEMENT_NODE)
        return false;
    double score = s->_private ? sc->v[(size_t)s->_private - 1].score : 0;
    const char *best_class = attr(best, "class"), *own_class = attr(s, "class");
    bool same_class = best_class && own_class && *best_class && strcmp(best_class, own_class) == 0;
    double threshold = best_score * 0.2 > 10 ? best_score * 0.2 : 10;
    if (score + (same_class ? best_score * 0.2 : 0) >= threshold)
        return true;
    if (!is_tag(s, "p"))
        return false;
    size_t all = 0, linked = 0;
    text_length(s, &all, &linked, false, 0);
    if (all > 80)
        return linked * 4 < all;
    xmlChar *content = xmlNodeGetContent(s);
    size_t len = content ? strlen((const char *)content) : 0;
    bool sentence = len && linked == 0 && strstr((const char *)content, ". ") != NULL;
    xmlFree(content);
    return all > 0 && sentence;
}

/* A block's text in the serialised output: where it lies, and a hash and count of its
 * non-space bytes (so that two copies compare equal however their markup breaks lines). */
struct span {
    size_t start, end, chars;
    uint64_t hash;
    bool repeat; /* a later copy of an earlier span */
};

struct text_out {
    struct buf text;
    bool need_space;
    struct span *spans;
    size_t n_spans, cap_spans;
};

enum { REPEAT_CHARS = 400 }; /* a block of this much text is not written twice */

static void record_span(struct text_out *o, size_t start)
{
    if (o->text.len - start < REPEAT_CHARS)
        return;
    struct span sp = {.start = start, .end = o->text.len, .hash = 1469598103934665603ULL};
    for (size_t i = start; i < sp.end; i++)
        if (!isspace((unsigned char)o->text.data[i])) {
            sp.hash = (sp.hash ^ (unsigned char)o->text.data[i]) * 1099511628211ULL;
            sp.chars++;
        }
    if (sp.chars < REPEAT_CHARS)
        return;
    if (o->n_spans == o->cap_spans) {
        o->cap_spans = o->cap_spans ? o->cap_spans * 2 : 32;
        o->spans = xrealloc(o->spans, o->cap_spans * sizeof *o->spans);
    }
    o->spans[o->n_spans++] = sp;
}

static bool same_text(const char *a, const char *a_end, const char *b, const char *b_end)
{
    for (;; a++, b++) {
        while (a < a_end && isspace((unsigned char)*a))
            a++;
        while (b < b_end && isspace((unsigned char)*b))
            b++;
        if (a == a_end || b == b_end)
            return a == a_end && b == b_end;
        if (*a != *b)
            return false;
    }
}

static int by_hash_then_start(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    if (a->chars != b->chars)
        return a->chars < b->chars ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int by_start(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* The output without the later copies of a block written twice or more (responsive pages
 * render the same article once per screen size and hide all but one with CSS). Caller frees. */
static char *without_repeats(struct text_out *o)
{
    const char *text = o->text.data ? o->text.data : "";
    if (!o->n_spans)
        return xstrdup(text);
    qsort(o->spans, o->n_spans, sizeof *o->spans, by_hash_then_start);
    size_t cuts = 0;
    for (size_t i = 0, first = 0; i < o->n_spans; i++) {
        struct span *sp = &o->spans[i], *orig = &o->spans[first];
        if (i == first || sp->hash != orig->hash || sp->chars != orig->chars) {
            first = i;
            continue;
        }
        sp->repeat = sp->start >= orig->end && same_text(text + orig->start, text + orig->end,
                                                         text + sp->start, text + sp->end);
    }
    for (size_t i = 0; i < o->n_spans; i++)
        if (o->spans[i].repeat)
            o->spans[cuts++] = o->spans[i];
    qsort(o->spans, cuts, sizeof *o->spans, by_start);
    struct buf out;
    buf_init(&out, EXTRACT_MAX_TEXT);
    size_t at = 0;
    for (size_t i = 0; i < cuts; i++) {
        if (o->spans[i].start < at)
            continue; /* (inside a copy already cut) */
        buf_append(&out, text + at, o->spans[i].start - at);
        at = o->spans[i].end;
    }
    buf_append_str(&out, text + at);
    return buf_steal(&out);
}

static void emit_break(struct text_out *o, const char *brk)
{
    /* Never more than one blank line, and none at the start. */
    if (o->text.len == 0)
        return;
    size_t newlines = 0;
    while (newlines < o->text.len && o->text.data[o->text.len - 1 - newlines] == '\n')
        newlines++;
    size_t want = strlen(brk);
    for (size_t i = newlines; i < want; i++)
        buf_append_char(&o->text, '\n');
    o->need_space = false;
}

static void emit_text(struct text_out *o, const char *s)
{
    while (*s) {
        if (isspace((unsigned char)*s)) {
            o->need_space = o->text.len && o->text.data[o->text.len - 1] != '\n';
            s++;
            continue;
        }
        size_t word = 0; /* (a run of characters that are not spaces, appended at once) */
        while (s[word] && !isspace((unsigned char)s[word]))
            word++;
        if (o->need_space)
            buf_append_char(&o->text, ' ');
        o->need_space = false;
        if (buf_append(&o->text, s, word) < 0) /* (at the cap: as much of it as fits) */
            for (size_t i = 0; i < word; i++)
                buf_append_char(&o->text, s[i]);
        s += word;
    }
}

/* Whether every item of a list (three or more) is a link and nothing else: a list of links
 * (related stories, sources, places served), however long. */
static bool list_of_links(xmlNode *n)
{
    if (!(is_tag(n, "ul") || is_tag(n, "ol")))
        return false;
    int items = 0;
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        size_t all = 0, linked = 0;
        text_length(c, &all, &linked, false, 0);
        if (!is_tag(c, "li") || linked * 10 < all * 9)
            return false;
        items += all > 0;
    }
    return items >= 3;
}

/* Whether n is a list that a heading follows (the next element beside it): a list of the
 * article's own (the products a section recommends, a checklist's items), however many of its
 * words are links, since the article goes on after it. A list of related links ends the text
 * it stands below. */
static bool list_before_heading(xmlNode *n)
{
    if (!(is_tag(n, "ul") || is_tag(n, "ol")))
        return false;
    const xmlNode *next = xmlNextElementSibling(n);
    return next && is_heading(next);
}

bool extract_link_dense_block(xmlNode *n)
{
    if (!(is_tag(n, "ul") || is_tag(n, "ol") || is_tag(n, "div") || is_tag(n, "p") ||
          is_tag(n, "section") || is_tag(n, "table")))
        return false;
    if (list_before_heading(n))
        return false;
    size_t all = 0, linked = 0;
    text_length(n, &all, &linked, false, 0);
    if (all > 0 && linked * 2 > all && all < 400)
        /* (a paragraph that ends as a sentence is one, whatever its words link to: a line of
         * furniture is a label or a list of names) */
        return !(is_tag(n, "p") && all >= PROSE_UNIT && ends_as_sentence(n));
    return all > 0 && list_of_links(n);
}

static void serialise(struct text_out *o, xmlNode *n, int depth)
{
    static const char *const paragraphs[] = {"p",          "div",     "section", "article", "main",
                                             "blockquote", "pre",     "table",   "ul",      "ol",
                                             "dl",         "address", "center",  NULL};
    static const char *const lines[] = {"h1", "h2", "h3", "h4", "h5", "h6",
                                        "li", "tr", "dt", "dd", NULL};
    for (xmlNode *c = n->children; c && depth < MAX_DEPTH; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            emit_text(o, (const char *)c->content);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || extract_link_dense_block(c))
            continue;
        const char *name = (const char *)c->name;
        if (strcasecmp(name, "br") == 0) {
            emit_break(o, "\n");
            continue;
        }
        bool is_para = in_list(name, paragraphs), is_line = in_list(name, lines);
        if (is_para)
            emit_break(o, "\n\n");
        else if (is_line)
            emit_break(o, "\n");
        else if ((strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0) && c->prev)
            emit_text(o, " | ");
        size_t start = o->text.len;
        serialise(o, c, depth + 1);
        if (is_para)
            record_span(o, start);
        if (is_para)
            emit_break(o, "\n\n");
        else if (is_line)
            emit_break(o, "\n");
    }
}

/* Short lines that are page furniture in any site's words. */
static bool is_boilerplate_line(const char *line, const char *title)
{
    static const char *const prefixes[] = {
        "source link", "read more", "read also", "also read", "follow us", "share this", "share on",
        "share via", "image credit", "image:", "photo:", "photo credit",
        "photograph:", "file photo", "— with ", "- with ", "– with ", "with inputs from",
        "support our journalism", "advertisement", "click here", "sign up", "subscribe to",
        "related:", "recommended:", "copyright", "©", "all rights reserved",
        /* the same in German, French, Spanish */
        "weiterlesen", "lesen sie auch", "mehr zum thema", "foto:", "fotos:", "bild:", "lire aussi",
        "à lire aussi", "lire la suite", "crédit photo", "photo :", "lee también", "leer más",
        /* credits however phrased */
        "credit:", "credits:", "photo by", "photos:", "image by", "picture:", "pictured:", NULL};
    static const char *const whole_lines[] = {"anzeige", "werbung", "publicité", "publicidad",
                                              NULL}; /* (an advertisement's label) */
    size_t len = strlen(line);
    if ((title && strcasecmp(line, title) == 0) || in_list(line, whole_lines))
        return true;
    if (len > 120)
        return false;
    for (const char *const *p = prefixes; *p; p++)
        if (strncasecmp(line, *p, strlen(*p)) == 0)
            return true;
    return false;
}

/* Splits into lines, collapses spaces, drops furniture lines; a blank line in the
 * input stays the paragraph break. */
static char *tidy(const char *raw, const char *title)
{
    struct buf out;
    buf_init(&out, EXTRACT_MAX_TEXT);
    bool blank_before = false;
    const char *p = raw;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        char *clean_line = extract_collapse_whitespace(line);
        free(line);
        if (!*clean_line) {
            blank_before = true;
        } else if (!is_boilerplate_line(clean_line, title)) {
            if (out.len)
                buf_append_str(&out, blank_before ? "\n\n" : "\n");
            buf_append_str(&out, clean_line);
            blank_before = false;
        }
        free(clean_line);
        p += len + (eol ? 1 : 0);
    }
    return buf_steal(&out);
}

/* libxml2's options for pages: recover from broken markup, quietly, never from the network. */
#define PARSE_OPTIONS                                                                              \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT)

/* Repairs what the parse leaves misplaced: stray markup after </html> can make libxml2 start a
 * second <html> (it goes under the first, so that its text is seen), and React's streamed parts
 * go where they belong. */
static void prepare(xmlNode *root)
{
    for (xmlNode *extra = root->next, *next; extra; extra = next) {
        next = extra->next;
        if (extra->type == XML_ELEMENT_NODE) {
            xmlUnlinkNode(extra);
            xmlAddChild(root, extra);
        }
    }
    place_streamed(root);
}

/* The article text below root (cleaned, scored, serialised, tidied); with keep_furniture only
 * what is never text is removed first. *page is what the page held before. The kept nodes
 * also go to html when it is not NULL. Caller frees. */
static char *article_text(xmlNode *root, const char *title, bool keep_furniture,
                          struct page_size *page, struct content_html *html)
{
    *page = (struct page_size){.keep_furniture = keep_furniture};
    xmlHashTablePtr answers = xmlHashCreate(256); /* (attr_says()'s cache) */
    root->doc->_private = answers;
    struct text_memo memo = {0};
    text_memo_build(&memo, root);
    text_length(root, &page->chars, &page->linked, false, 0);
    page->paragraph_chars = paragraph_chars(root, 0);
    clean(root, page, 0);
    struct scoring sc = {0};
    score_paragraphs(&sc, root, 0);
    double best_score = 0;
    xmlNode *best = best_container(&sc, &best_score); /* (maybe an ancestor of the top scorer) */
    if (best)
        best = widen_to_prose(best);
    struct text_out text = {0};
    buf_init(&text.text, EXTRACT_MAX_TEXT);
    if (best) {
        for (xmlNode *s = best->parent ? best->parent->children : best; s; s = s->next) {
            if (s == best || belongs_with(&sc, best, best_score, s)) {
                size_t start = text.text.len;
                serialise(&text, s, 0);
                record_span(&text, start);
                emit_break(&text, "\n\n");
                if (html)
                    extract_content_add(html, s);
            }
            if (!best->parent)
                break;
        }
    }
    for (size_t i = 0; i < sc.n; i++)
        sc.v[i].node->_private = NULL;
    free(sc.v);
    text_memo_free(&memo, root);
    root->doc->_private = NULL;
    xmlHashFree(answers, NULL);
    char *once = without_repeats(&text);
    char *body = tidy(once, title);
    free(once);
    free(text.spans);
    buf_free(&text.text);
    return body;
}

/* The error for a page with no article, and why: what the page holds instead. */
static int no_article(const struct page_size *page, char *err, size_t errlen)
{
    if (page->chars < MIN_ARTICLE_CHARS)
        return set_err(err, errlen,
                       "no article text found: the page holds %zu characters of "
                       "text (built by scripts, or behind a login?)",
                       page->chars);
    if (page->linked * 2 > page->chars)
        return set_err(err, errlen,
                       "no article text found: %zu of the page's %zu characters are "
                       "links (an index page?)",
                       page->linked, page->chars);
    return set_err(err, errlen,
                   "no article text found: no block of prose among the page's %zu "
                   "characters",
                   page->chars);
}

static const char *sniff_not_html(const char *data, size_t len)
{
    if (len == 0)
        return "the page is empty";
    size_t head = len < 2048 ? len : 2048;
    if (memchr(data, '\0', head))
        return "binary data, not HTML";
    size_t i = 0;
    while (i < head && isspace((unsigned char)data[i]))
        i++;
    if (i == head)
        return "the page is blank";
    if (data[i] == '{' || data[i] == '[')
        return "JSON, not HTML";
    if (!memchr(data, '<', head))
        return "no HTML markup";
    return NULL;
}

static char *charset_of(const char *content_type)
{
    const char *p = content_type ? strcasestr(content_type, "charset=") : NULL;
    if (!p)
        return NULL;
    p += 8;
    if (*p == '"' || *p == '\'')
        p++;
    size_t n = strcspn(p, "\"'; \t>/");
    return n ? xstrndup(p, n) : NULL;
}

/* The charset a <meta charset> or <meta http-equiv> declares in the page's first 4 KiB. */
static char *declared_charset(const char *data, size_t len)
{
    size_t head = len < 4096 ? len : 4096;
    char *copy = xstrndup(data, head); /* (stops at a NUL: fine for a declaration search) */
    char *found = NULL;
    for (char *meta = strcasestr(copy, "<meta"); meta && !found;
         meta = strcasestr(meta + 5, "<meta")) {
        char *end = strchr(meta, '>');
        if (end)
            *end = '\0';
        found = charset_of(meta);
        if (end)
            *end = '>';
    }
    free(copy);
    return found;
}

/* The encoding to decode the page with: the HTTP header's charset, else what a BOM or the
 * page itself declares (libxml2 reads those: NULL), else UTF-8 when the bytes are valid
 * UTF-8, else windows-1252. ISO-8859-1 and ASCII mean windows-1252, as in browsers (pages
 * that say Latin-1 use its curly quotes and dashes). */
static char *page_encoding(const struct extract_input *in)
{
    char *charset = charset_of(in->content_type);
    size_t bom_len;
    bool bom = charset_bom(in->data, in->len, &bom_len) != NULL;
    if (!charset && !bom)
        charset = declared_charset(in->data, in->len);
    const char *alias = charset_alias(charset);
    if (alias) {
        free(charset);
        charset = xstrdup(alias);
    }
    xmlCharEncodingHandler *handler = charset ? xmlFindCharEncodingHandler(charset) : NULL;
    if (charset && !handler) { /* a charset nobody knows: as if none were declared */
        free(charset);
        charset = NULL;
    }
    xmlCharEncCloseFunc(handler);
    if (!charset && !bom)
        return xstrdup(utf8_valid(in->data, in->len) ? "UTF-8" : "windows-1252");
    return bom ? (free(charset), NULL) : charset;
}

static void repair_utf8(char **field)
{
    if (*field && !utf8_valid(*field, strlen(*field))) {
        char *repaired = utf8_repair(*field);
        free(*field);
        *field = repaired;
    }
}

/* What follows from the text: the byline's names when the page named no author, the
 * language when the markup did not say, the Markdown of the clean HTML. */
static void complete_article(const struct extract_input *in, struct article *out,
                             char *content_html)
{
    if (!out->n_authors && out->byline) {
        article_split_authors(out->byline, &out->authors, &out->n_authors);
        for (size_t i = 0; i < out->n_authors; i++) {
            char *joined = out->author ? xasprintf("%s, %s", out->author, out->authors[i])
                                       : xstrdup(out->authors[i]);
            free(out->author);
            out->author = joined;
        }
    }
    char tag[8];
    double confidence;
    if (!out->lang && language_guess(in->language, out->text, tag, sizeof tag, &confidence)) {
        out->lang = xstrdup(tag);
        out->lang_source = ARTICLE_LANG_TEXT;
        out->lang_confidence = confidence;
    }
    if (content_html && (in->content & EXTRACT_CONTENT_MARKDOWN))
        out->content_markdown = extract_content_markdown(content_html);
    if (in->content & EXTRACT_CONTENT_HTML)
        out->content_html = content_html;
    else
        free(content_html);
}

int extract_article(const struct extract_input *in, struct article *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *why = sniff_not_html(in->data, in->len);
    if (why)
        return set_err(err, errlen, "%s", why);
    if (in->len > (size_t)1 << 30)
        return set_err(err, errlen, "page larger than 1 GiB");
    char *charset = page_encoding(in);
    htmlDocPtr doc = htmlReadMemory(in->data, (int)in->len, in->url, charset, PARSE_OPTIONS);
    free(charset);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return set_err(err, errlen, "the page could not be parsed as HTML");
    }
    prepare(root);
    struct page_meta meta = {0};
    extract_metadata_read(doc, in->url, out, &meta);
    struct page_size page;
    struct content_html html = {0};
    bool want_html = in->content & (EXTRACT_CONTENT_HTML | EXTRACT_CONTENT_MARKDOWN);
    if (want_html)
        extract_content_begin(&html, in->url, out->title);
    char *body = article_text(root, out->title, false, &page, want_html ? &html : NULL);
    if (meta.ld_body && strlen(meta.ld_body) > 300 &&
        strlen(meta.ld_body) > strlen(body) * 13 / 10) {
        free(body);
        body = tidy(meta.ld_body, out->title);
        if (want_html) { /* the JSON-LD text has no markup: a paragraph per line */
            free(extract_content_finish(&html));
            extract_content_begin(&html, in->url, out->title);
            extract_content_add_text(&html, body);
        }
    }
    extract_page_meta_free(&meta);
    if (strlen(body) < MIN_ARTICLE_CHARS) {
        /* Nothing survived the furniture rules: the page again, with only what is never text
         * removed, and its best text-dense block. */
        htmlDocPtr again = htmlReadMemory(in->data, (int)in->len, in->url,
                                          (const char *)doc->encoding, PARSE_OPTIONS);
        xmlNode *again_root = again ? xmlDocGetRootElement(again) : NULL;
        if (again_root) {
            prepare(again_root);
            free(body);
            if (want_html) {
                free(extract_content_finish(&html));
                extract_content_begin(&html, in->url, out->title);
            }
            body = article_text(again_root, out->title, true, &page, want_html ? &html : NULL);
        }
        xmlFreeDoc(again);
    }
    xmlFreeDoc(doc);
    char *content_html = want_html ? extract_content_finish(&html) : NULL;
    if (strlen(body) < MIN_ARTICLE_CHARS) {
        free(body);
        free(content_html);
        article_free(out);
        return no_article(&page, err, errlen);
    }
    extract_lead_split(&body, &out->dateline, &out->byline);
    out->text = body;
    complete_article(in, out, content_html);
    /* libxml2 passes some invalid byte sequences through from a page that claims UTF-8:
     * every field leaves here as valid UTF-8 all the same. */
    char **fields[] = {&out->title,         &out->author,
                       &out->published,     &out->modified,
                       &out->site,          &out->lang,
                       &out->canonical_url, &out->image,
                       &out->text,          &out->description,
                       &out->dateline,      &out->byline,
                       &out->content_html,  &out->content_markdown};
    for (size_t i = 0; i < ARRAY_LEN(fields); i++)
        repair_utf8(fields[i]);
    for (size_t i = 0; i < out->n_authors; i++)
        repair_utf8(&out->authors[i]);
    for (size_t i = 0; i < out->n_categories; i++)
        repair_utf8(&out->categories[i]);
    return 0;
}

void extract_init_threads(void)
{
    xmlInitParser();
}

void article_free(struct article *a)
{
    free(a->title);
    free(a->author);
    free(a->published);
    free(a->modified);
    free(a->site);
    free(a->lang);
    free(a->canonical_url);
    free(a->image);
    free(a->text);
    for (size_t i = 0; i < a->n_authors; i++)
        free(a->authors[i]);
    free(a->authors);
    for (size_t i = 0; i < a->n_categories; i++)
        free(a->categories[i]);
    free(a->categories);
    free(a->description);
    free(a->dateline);
    free(a->byline);
    free(a->content_html);
    free(a->content_markdown);
    memset(a, 0, sizeof *a);
}
