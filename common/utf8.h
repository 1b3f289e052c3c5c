/* utf8.h: UTF-8 validity. Text from the web is often not what it claims to be;
 * every string that goes into JSON passes through here first. */
#ifndef FEEDSPOOL_COMMON_UTF8_H
#define FEEDSPOOL_COMMON_UTF8_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t len);
/* A copy in which every invalid byte is replaced by U+FFFD. Caller frees; NULL gives NULL. */
char *utf8_repair(const char *s);
/* A JSON string of s (repaired if need be), or JSON null when s is NULL. New reference. */
json_t *utf8_json_string(const char *s);

#endif
