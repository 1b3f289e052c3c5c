/* date.h: dates as feeds and pages write them, to and from UTC epoch seconds.
 *
 * Understands RFC 822/1123 and the variants the web sends (missing seconds,
 * two-digit years, named and numeric zones, any letter case), ISO 8601 /
 * RFC 3339 / W3C-DTF, asctime, and the odd forms in feedparser's date tests. */
#ifndef FEEDSPOOL_FEEDS_DATE_H
#define FEEDSPOOL_FEEDS_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define DATE_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" plus NUL */

/* Returns true and sets *epoch when text is a date it understands; false otherwise
 * (an unparseable date is never "now"). */
bool date_parse(const char *text, int64_t *epoch);
/* Writes "YYYY-MM-DDTHH:MM:SSZ". */
void date_format_iso(int64_t epoch, char out[DATE_ISO_LEN]);

#endif
