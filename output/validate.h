/* validate.h: checks a record against the JSON Schema consumers are given
 * (output/schema/feedspool.article.v2.json, compiled into the binary), before it may enter
 * the spool.
 *
 * It implements the part of JSON Schema 2020-12 that schema uses: type, const, enum,
 * pattern (POSIX extended regular expressions), required, properties,
 * additionalProperties: false, items, minLength, minimum, uniqueItems, oneOf and local
 * $ref ("#/$defs/NAME"). A keyword it does not know makes schema_load() fail, so the
 * schema cannot silently say more than is checked. */
#ifndef FEEDSPOOL_OUTPUT_VALIDATE_H
#define FEEDSPOOL_OUTPUT_VALIDATE_H

#include <jansson.h>
#include <stddef.h>

struct schema;

/* The record schema compiled into the binary. Returns NULL with a reason in err. */
struct schema *schema_load_record(char *err, size_t errlen);
/* A schema from JSON text (for tests). */
struct schema *schema_load(const char *json_text, char *err, size_t errlen);
void schema_free(struct schema *s);
/* Returns 0 when value conforms, or -1 with "at /json/pointer: reason" in err. */
int schema_validate(const struct schema *s, const json_t *value, char *err, size_t errlen);

#endif
