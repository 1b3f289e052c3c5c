/* duration.h: the one parser of durations, for the configuration, the feed list and OPML.
 *
 * A duration is a whole number with an optional unit: "500ms", "30s", "15m", "2h", "1d".
 * A bare number counts in the unit the caller asks for (seconds for poll intervals,
 * milliseconds for host_min_gap). No sign, spaces or fractions: "1.5h" is "90m". */
#ifndef FEEDSPOOL_COMMON_DURATION_H
#define FEEDSPOOL_COMMON_DURATION_H

/* The unit of the result (and of a bare number), in milliseconds. */
enum duration_unit { DURATION_MILLISECONDS = 1, DURATION_SECONDS = 1000 };

/* Parses text into *out, a count of unit. Returns 0, or -1 (leaving *out alone) when text
 * is not a duration, does not come to a whole number of unit ("1500ms" in seconds) or does
 * not fit in a long. Range checks are the caller's. */
int duration_parse(const char *text, enum duration_unit unit, long *out);

#endif
