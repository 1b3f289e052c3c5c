/* xmlguard.c: entity-expansion accounting for parsed XML documents (see xmlguard.h). */
#include "feeds/xmlguard.h"

#include <libxml/entities.h>
#include <libxml/hash.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MAX_ENTITY_NESTING 16

/* Expanded sizes of the internal subset's entities, sorted by pointer for lookup. */
struct entity_sizes {
    struct entity_size {
        const xmlEntity *entity;
        size_t size; /* valid when state == DONE */
        enum { TODO, BUSY, DONE } state;
    } * v;
    size_t n, cap;
};

static void collect_entity(void *payload, void *data, const xmlChar *name)
{
    (void)name;
    struct entity_sizes *s = data;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (struct entity_size){.entity = payload, .state = TODO};
}

static int by_pointer(const void *a, const void *b)
{
    const xmlEntity *x = ((const struct entity_size *)a)->entity;
    const xmlEntity *y = ((const struct entity_size *)b)->entity;
    return x < y ? -1 : x > y;
}

static size_t add_saturating(size_t a, size_t b, size_t limit)
{
    return a > limit || b > limit || a + b > limit ? limit + 1 : a + b;
}

static size_t entity_size(xmlDoc *doc, struct entity_sizes *s, const xmlEntity *ent, size_t limit,
                          int depth);

/* Size of replacement text with its references expanded. */
static size_t text_size(xmlDoc *doc, struct entity_sizes *s, const xmlChar *text, size_t limit,
                        int depth)
{
    size_t total = 0;
    for (const xmlChar *p = text; p && *p && total <= limit; p++) {
        if (*p != '&' || p[1] == '#') {
            total++;
            continue;
        }
        const xmlChar *semi = (const xmlChar *)strchr((const char *)p, ';');
        if (!semi) {
            total++;
            continue;
        }
        char name[128];
        size_t n = (size_t)(semi - p - 1);
        if (n == 0 || n >= sizeof name) {
            total++;
            continue;
        }
        memcpy(name, p + 1, n);
        name[n] = '\0';
        const xmlEntity *ref = xmlGetDocEntity(doc, (const xmlChar *)name);
        total =
            add_saturating(total, ref ? entity_size(doc, s, ref, limit, depth + 1) : n + 2, limit);
        p = semi;
    }
    return total;
}

static size_t entity_size(xmlDoc *doc, struct entity_sizes *s, const xmlEntity *ent, size_t limit,
                          int depth)
{
    if (ent->etype == XML_INTERNAL_PREDEFINED_ENTITY)
        return 1;
    if (ent->etype != XML_INTERNAL_GENERAL_ENTITY)
        return 0; /* external entities are never loaded */
    struct entity_size key = {.entity = ent};
    struct entity_size *slot = s->n ? bsearch(&key, s->v, s->n, sizeof *s->v, by_pointer) : NULL;
    if (!slot || depth > MAX_ENTITY_NESTING || slot->state == BUSY)
        return limit + 1; /* not in the internal subset, too deep, or a loop */
    if (slot->state == DONE)
        return slot->size;
    slot->state = BUSY;
    size_t size = text_size(doc, s, ent->content, limit, depth);
    slot->size = size; /* (s->v is sorted once and never grows: slot is still valid) */
    slot->state = DONE;
    return size;
}

static size_t tree_size(xmlDoc *doc, struct entity_sizes *s, xmlNode *n, size_t limit, int depth)
{
    size_t total = 0;
    for (xmlNode *c = n; c && total <= limit; c = c->next) {
        if (c->type == XML_ENTITY_REF_NODE) {
            const xmlEntity *ent = xmlGetDocEntity(doc, c->name);
            if (ent)
                total = add_saturating(total, entity_size(doc, s, ent, limit, 0), limit);
        } else if (c->type == XML_ELEMENT_NODE && depth < 1024) {
            for (xmlAttr *a = c->properties; a && total <= limit; a = a->next)
                total = add_saturating(total, tree_size(doc, s, a->children, limit, depth + 1),
                                       limit); /* attribute values hold references too */
            total = add_saturating(total, tree_size(doc, s, c->children, limit, depth + 1), limit);
        }
    }
    return total;
}

size_t xml_entity_expansion(xmlDoc *doc, size_t limit)
{
    if (!doc || !doc->intSubset || !doc->intSubset->entities)
        return 0;
    struct entity_sizes s = {0};
    xmlHashScan(doc->intSubset->entities, collect_entity, &s);
    qsort(s.v, s.n, sizeof *s.v, by_pointer);
    size_t total = tree_size(doc, &s, doc->children, limit, 0);
    free(s.v);
    return total;
}

bool xml_entities_refused(xmlParserCtxt *ctxt, xmlDoc *doc, size_t limit)
{
    const xmlError *e = ctxt ? xmlCtxtGetLastError(ctxt) : NULL;
    if (e && e->code == XML_ERR_ENTITY_LOOP)
        return true;
    return xml_entity_expansion(doc, limit) > limit;
}
