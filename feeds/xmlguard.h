/* xmlguard.h: bounds on what an XML document's own DTD can make of it.
 *
 * feedspool parses XML without substituting entities (no XML_PARSE_NOENT), without loading
 * DTDs or external entities and without network access, so an external entity stays an
 * unexpanded reference. Internal entities are still expanded when text is read from the
 * tree: "billion laughs" (entities nested ten deep) and the quadratic blow-up (one large
 * entity referenced many times) would turn kilobytes into gigabytes. xml_entity_expansion()
 * computes, without expanding anything, how many bytes the document's entity references
 * would expand to, so the caller can refuse it first; xml_entities_refused() adds libxml2's
 * own verdict (it stops at some bombs itself and reports an "entity reference loop"). */
#ifndef FEEDSPOOL_FEEDS_XMLGUARD_H
#define FEEDSPOOL_FEEDS_XMLGUARD_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

/* Bytes that reading every entity reference in doc would produce, saturating at limit + 1
 * (also returned for entities nested deeper than 16 or referring to themselves). */
size_t xml_entity_expansion(xmlDoc *doc, size_t limit);
/* True when ctxt (the parser that made doc, not yet freed) met an entity loop or amplification,
 * or doc's entity references would expand to more than limit bytes. */
bool xml_entities_refused(xmlParserCtxt *ctxt, xmlDoc *doc, size_t limit);

#endif
