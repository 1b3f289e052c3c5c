/* sitemap.c: sitemaps and sitemap indexes as item sources, read by a streaming SAX handler.
 *
 * No tree is built: the handler keeps the path of the element it is in (as small codes) and
 * the text of the one field it is collecting, and turns each <url> into an item (or each
 * index <sitemap> into a child) at its end tag. A gzip body is inflated 64 KiB at a time
 * into libxml2's push parser. Entities other than XML's five are never expanded: a document
 * that declares one is not read as a sitemap. */
#include "feeds/sitemap.h"

#include <libxml/parser.h>
#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/util.h"
#include "feeds/date.h"

#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"
#define SITEMAP_CHUNK (64u << 10)
#define SITEMAP_MAX_FIELD 8192 /* bytes kept of one field (a loc is at most 2,048) */
#define SITEMAP_MAX_DEPTH 16   /* deeper elements are only counted */

/* What an element is, by its place: only these matter, everything else is OTHER. */
enum node {
    NODE_OTHER,
    NODE_URLSET,
    NODE_INDEX,
    NODE_URL,         /* urlset/url */
    NODE_SITEMAP,     /* sitemapindex/sitemap */
    NODE_LOC,         /* url/loc, sitemap/loc */
    NODE_LASTMOD,     /* url/lastmod, sitemap/lastmod */
    NODE_NEWS,        /* url/news:news */
    NODE_PUBLICATION, /* news:news/news:publication */
    NODE_PUB_NAME,    /* news:publication/news:name */
    NODE_NEWS_TITLE,  /* news:news/news:title */
    NODE_NEWS_DATE,   /* news:news/news:publication_date */
};

/* The entry being read: the fields of one <url> or index <sitemap>. */
struct entry {
    char *loc, *lastmod, *title, *date;
    bool news;
    bool overlong; /* a field longer than SITEMAP_MAX_FIELD: the entry is dropped */
};

struct sitemap_stream {
    xmlParserCtxt *ctxt;
    const struct sitemap_options *opts;
    const char *doc_url;
    struct sitemap *out;
    char *root_ns; /* the document element's namespace (children are read in it) */
    enum node path[SITEMAP_MAX_DEPTH];
    int depth;           /* elements open */
    struct buf text;     /* the field being collected */
    bool collecting;     /* the innermost open element is a field */
    struct entry entry;  /* inside a url or sitemap */
    size_t cap_items;    /* allocated out->feed.items */
    size_t cap_children; /* allocated out->children */
};

bool sitemap_is_gzip(const char *data, size_t len)
{
    return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

static bool ns_is(const xmlChar *uri, const char *ns)
{
    if (!uri)
        return false;
    size_t n = strlen(ns);
    /* https, and a trailing slash, are common misspellings of the namespace */
    const char *u = (const char *)uri;
    if (strncasecmp(u, "https://", 8) == 0 && strncasecmp(ns, "http://", 7) == 0) {
        u += 8;
        ns += 7;
        n -= 7;
    }
    return strncasecmp(u, ns, n) == 0 && (u[n] == '\0' || (u[n] == '/' && u[n + 1] == '\0'));
}

static bool in_root_ns(const struct sitemap_stream *s, const xmlChar *uri)
{
    if (!s->root_ns)
        return uri == NULL;
    return uri && strcmp((const char *)uri, s->root_ns) == 0;
}

/* A news element: in the news namespace, or written news:NAME with the prefix undeclared. */
static bool is_news(const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                    const char *name)
{
    if (ns_is(uri, NEWS_NS) || (!uri && prefix && strcmp((const char *)prefix, "news") == 0))
        return strcasecmp((const char *)localname, name) == 0;
    return !uri && strncasecmp((const char *)localname, "news:", 5) == 0 &&
           strcasecmp((const char *)localname + 5, name) == 0;
}

static bool named(const xmlChar *localname, const char *name)
{
    return strcasecmp((const char *)localname, name) == 0;
}

/* url/loc and url/lastmod, or the same in an index's sitemap. */
static enum node loc_or_lastmod(bool own, const xmlChar *localname)
{
    if (own && named(localname, "loc"))
        return NODE_LOC;
    return own && named(localname, "lastmod") ? NODE_LASTMOD : NODE_OTHER;
}

static enum node classify(struct sitemap_stream *s, enum node parent, const xmlChar *localname,
                          const xmlChar *prefix, const xmlChar *uri)
{
    bool own = in_root_ns(s, uri);
    switch (parent) {
        case NODE_URLSET: return own && named(localname, "url") ? NODE_URL : NODE_OTHER;
        case NODE_INDEX: return own && named(localname, "sitemap") ? NODE_SITEMAP : NODE_OTHER;
        case NODE_URL:
            if (is_news(localname, prefix, uri, "news"))
                return NODE_NEWS;
            return loc_or_lastmod(own, localname);
        case NODE_SITEMAP: return loc_or_lastmod(own, localname);
        case NODE_NEWS:
            if (is_news(localname, prefix, uri, "publication"))
                return NODE_PUBLICATION;
            if (is_news(localname, prefix, uri, "title"))
                return NODE_NEWS_TITLE;
            return is_news(localname, prefix, uri, "publication_date") ? NODE_NEWS_DATE
                                                                       : NODE_OTHER;
        case NODE_PUBLICATION:
            return is_news(localname, prefix, uri, "name") ? NODE_PUB_NAME : NODE_OTHER;
        default: return NODE_OTHER;
    }
}

static bool is_field(enum node n)
{
    return n == NODE_LOC || n == NODE_LASTMOD || n == NODE_PUB_NAME || n == NODE_NEWS_TITLE ||
           n == NODE_NEWS_DATE;
}

/* The document element decides: a sitemap goes on, anything else stops the parse. */
static void read_root(struct sitemap_stream *s, const xmlChar *localname, const xmlChar *uri)
{
    bool ours = ns_is(uri, SITEMAP_NS) || ns_is(uri, "http://www.google.com/schemas/sitemap/0.9") ||
                ns_is(uri, "http://www.google.com/schemas/sitemap/0.84") || s->opts->force;
    if (ours && named(localname, "urlset"))
        s->out->kind = SITEMAP_URLSET;
    else if (ours && named(localname, "sitemapindex"))
        s->out->kind = SITEMAP_INDEX;
    if (s->out->kind == SITEMAP_NONE) {
        xmlStopParser(s->ctxt);
        return;
    }
    s->root_ns = uri ? xstrdup((const char *)uri) : NULL;
    s->path[0] = s->out->kind == SITEMAP_URLSET ? NODE_URLSET : NODE_INDEX;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_attributes;
    (void)nb_defaulted;
    (void)attributes;
    struct sitemap_stream *s = ((xmlParserCtxt *)ctx)->_private;
    if (s->depth == 0 && s->out->kind == SITEMAP_NONE) {
        read_root(s, localname, uri);
        s->depth = 1;
        return;
    }
    enum node parent = s->depth <= SITEMAP_MAX_DEPTH ? s->path[s->depth - 1] : NODE_OTHER;
    enum node n = classify(s, parent, localname, prefix, uri);
    if (s->depth < SITEMAP_MAX_DEPTH)
        s->path[s->depth] = n;
    s->depth++;
    if (n == NODE_NEWS)
        s->entry.news = true;
    s->collecting = is_field(n);
    buf_reset(&s->text);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    struct sitemap_stream *s = ((xmlParserCtxt *)ctx)->_private;
    if (s->collecting && buf_append(&s->text, ch, (size_t)len) < 0) {
        s->collecting = false; /* longer than any real field */
        s->entry.overlong = true;
    }
}

/* The collected text, trimmed. Caller frees. */
static char *take_text(struct sitemap_stream *s)
{
    const char *t = s->text.data ? s->text.data : "";
    size_t len = s->text.len;
    while (len && (unsigned char)*t <= ' ')
        t++, len--;
    while (len && (unsigned char)t[len - 1] <= ' ')
        len--;
    char *out = xstrndup(t, len);
    buf_reset(&s->text);
    return out;
}

/* Keeps the first value of a field. */
static void set_field(char **field, char *value)
{
    if (*field || !*value)
        free(value);
    else
        *field = value;
}

static char *absolute(const char *doc_url, const char *loc)
{
    xmlChar *abs = doc_url ? xmlBuildURI((const xmlChar *)loc, (const xmlChar *)doc_url) : NULL;
    char *out = xstrdup(abs ? (const char *)abs : loc);
    xmlFree(abs);
    return out;
}

static void entry_clear(struct entry *e)
{
    free(e->loc);
    free(e->lastmod);
    free(e->title);
    free(e->date);
    memset(e, 0, sizeof *e);
}

static void take_url(struct sitemap_stream *s)
{
    struct sitemap *out = s->out;
    struct entry *e = &s->entry;
    out->n_urls++;
    if (!e->loc || e->overlong) {
        out->n_invalid++;
        return;
    }
    int64_t published = 0, updated = 0;
    bool has_published = e->date && date_parse(e->date, &published);
    bool has_updated = e->lastmod && date_parse(e->lastmod, &updated);
    if (has_published || has_updated) {
        if ((has_published ? published : updated) < s->opts->taken_since) {
            out->n_old++;
            return;
        }
    } else if (!e->news) {
        out->n_undated++;
        return;
    }
    if (out->feed.n_items == SITEMAP_MAX_ITEMS) {
        out->feed.n_items_over_cap++;
        return;
    }
    if (out->feed.n_items == s->cap_items) {
        s->cap_items = s->cap_items ? 2 * s->cap_items : 16;
        out->feed.items = xrealloc(out->feed.items, s->cap_items * sizeof *out->feed.items);
    }
    struct feed_item *it = &out->feed.items[out->feed.n_items++];
    memset(it, 0, sizeof *it);
    it->link = absolute(s->doc_url, e->loc);
    it->title = e->title;
    e->title = NULL;
    it->published = published;
    it->has_published = has_published;
    it->updated = has_updated ? updated : published;
    it->has_updated = has_updated || has_published;
}

static void take_child(struct sitemap_stream *s)
{
    struct sitemap *out = s->out;
    struct entry *e = &s->entry;
    out->n_urls++;
    if (!e->loc || e->overlong) {
        out->n_invalid++;
        return;
    }
    int64_t lastmod = 0;
    bool has_lastmod = e->lastmod && date_parse(e->lastmod, &lastmod);
    if (has_lastmod && lastmod < s->opts->taken_since) {
        out->n_old++;
        return;
    }
    if (out->n_children == SITEMAP_MAX_CHILDREN)
        return;
    if (out->n_children == s->cap_children) {
        s->cap_children = s->cap_children ? 2 * s->cap_children : 8;
        out->children = xrealloc(out->children, s->cap_children * sizeof *out->children);
    }
    out->children[out->n_children++] = (struct sitemap_child){
        .url = absolute(s->doc_url, e->loc), .lastmod = lastmod, .has_lastmod = has_lastmod};
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    (void)localname;
    (void)prefix;
    (void)uri;
    struct sitemap_stream *s = ((xmlParserCtxt *)ctx)->_private;
    if (s->depth == 0)
        return;
    s->depth--;
    enum node n = s->depth < SITEMAP_MAX_DEPTH ? s->path[s->depth] : NODE_OTHER;
    struct entry *e = &s->entry;
    switch (n) {
        case NODE_LOC: set_field(&e->loc, take_text(s)); break;
        case NODE_LASTMOD: set_field(&e->lastmod, take_text(s)); break;
        case NODE_NEWS_TITLE: set_field(&e->title, take_text(s)); break;
        case NODE_NEWS_DATE: set_field(&e->date, take_text(s)); break;
        case NODE_PUB_NAME: set_field(&s->out->feed.title, take_text(s)); break;
        case NODE_URL:
            take_url(s);
            entry_clear(e);
            break;
        case NODE_SITEMAP:
            take_child(s);
            entry_clear(e);
            break;
        default: break;
    }
    s->collecting = false;
}

static xmlEntity *predefined_only(void *ctx, const xmlChar *name)
{
    (void)ctx;
    return xmlGetPredefinedEntity(name);
}

/* A sitemap declares no entities: a document that does is not read as one (the feed
 * parser, with its expansion guard, may still take it). */
static void refuse_entity(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                          const xmlChar *system_id, xmlChar *content)
{
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    xmlStopParser(ctx);
}

static void quiet(void *ud, xmlErrorPtr error)
{
    (void)ud;
    (void)error;
}

/* Feeds len bytes to the parser, counting them against SITEMAP_MAX_BYTES. */
static void push(struct sitemap_stream *s, size_t *fed, const char *data, size_t len, bool last)
{
    if (s->out->truncated)
        return;
    if (*fed + len > (size_t)SITEMAP_MAX_BYTES) {
        len = (size_t)SITEMAP_MAX_BYTES - *fed;
        s->out->truncated = true;
        last = true;
    }
    *fed += len;
    xmlParseChunk(s->ctxt, data, (int)len, last);
}

/* Inflates a gzip body into the parser. Returns 0, or -1 when the stream is corrupt. */
static int push_gzip(struct sitemap_stream *s, const char *data, size_t len, char *err,
                     size_t errlen)
{
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return set_err(err, errlen, "gzip: cannot start inflating");
    char *chunk = xmalloc(SITEMAP_CHUNK);
    size_t fed = 0;
    int rc = Z_OK;
    z.next_in = (Bytef *)data;
    while (rc == Z_OK && !s->out->truncated && s->ctxt->disableSAX == 0) {
        size_t in_now = len - (size_t)((const char *)z.next_in - data);
        z.avail_in = in_now > SITEMAP_CHUNK ? SITEMAP_CHUNK : (uInt)in_now;
        z.next_out = (Bytef *)chunk;
        z.avail_out = SITEMAP_CHUNK;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && z.avail_in == 0 && in_now == 0)
            break; /* the body ended before the gzip stream did */
        if (rc == Z_BUF_ERROR)
            rc = Z_OK; /* no progress possible this round only */
        size_t out_len = SITEMAP_CHUNK - z.avail_out;
        if (rc == Z_OK || rc == Z_STREAM_END)
            push(s, &fed, chunk, out_len, false);
    }
    inflateEnd(&z);
    free(chunk);
    push(s, &fed, "", 0, true);
    if (rc != Z_STREAM_END && !s->out->truncated && s->ctxt->disableSAX == 0) {
        if (fed == 0)
            return set_err(err, errlen, "gzip: %s", z.msg ? z.msg : "corrupt or cut short");
        s->out->bozo = true; /* what was inflated before the damage is kept */
    }
    return 0;
}

static int compare_children(const void *a, const void *b)
{
    const struct sitemap_child *x = a, *y = b;
    if (x->has_lastmod != y->has_lastmod)
        return x->has_lastmod ? -1 : 1;
    if (x->lastmod != y->lastmod)
        return x->lastmod > y->lastmod ? -1 : 1;
    return 0;
}

int sitemap_parse(const char *data, size_t len, const char *doc_url,
                  const struct sitemap_options *opts, struct sitemap *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    xmlSAXHandler sax = {0};
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.cdataBlock = on_text;
    sax.getEntity = predefined_only;
    sax.entityDecl = refuse_entity;
    sax.serror = quiet;
    struct sitemap_stream s = {.opts = opts, .doc_url = doc_url, .out = out};
    buf_init(&s.text, SITEMAP_MAX_FIELD);
    s.ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, doc_url);
    if (!s.ctxt) {
        buf_free(&s.text);
        return set_err(err, errlen, "out of memory");
    }
    s.ctxt->_private = &s;
    xmlCtxtUseOptions(s.ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    int rc = 0;
    if (sitemap_is_gzip(data, len)) {
        rc = push_gzip(&s, data, len, err, errlen);
    } else {
        size_t fed = 0;
        for (size_t at = 0; at < len && !out->truncated && s.ctxt->disableSAX == 0;
             at += SITEMAP_CHUNK)
            push(&s, &fed, data + at, len - at > SITEMAP_CHUNK ? SITEMAP_CHUNK : len - at, false);
        push(&s, &fed, "", 0, true);
    }
    if (rc == 0 && out->kind != SITEMAP_NONE && !s.ctxt->wellFormed)
        out->bozo = true;
    /* libxml2 keeps a DTD's declarations in a document of its own even without a tree */
    xmlFreeDoc(s.ctxt->myDoc);
    s.ctxt->myDoc = NULL;
    xmlFreeParserCtxt(s.ctxt);
    entry_clear(&s.entry);
    buf_free(&s.text);
    free(s.root_ns);
    if (rc < 0 || out->kind == SITEMAP_NONE) {
        sitemap_free(out);
        return rc;
    }
    if (out->n_children > 1) /* (qsort must not be given NULL) */
        qsort(out->children, out->n_children, sizeof *out->children, compare_children);
    out->feed.bozo = out->bozo;
    return 1;
}

void sitemap_free(struct sitemap *s)
{
    feed_free(&s->feed);
    for (size_t i = 0; i < s->n_children; i++)
        free(s->children[i].url);
    free(s->children);
    memset(s, 0, sizeof *s);
}
