/* suggest.h: "did you mean X?" for a mistyped name: the closest of a list of known names
 * by edit distance (insertions, deletions, substitutions and swaps of neighbours). */
#ifndef FEEDSPOOL_COMMON_SUGGEST_H
#define FEEDSPOOL_COMMON_SUGGEST_H

#include <stddef.h>

/* The edit distance between a and b (optimal string alignment; ASCII case counts). */
size_t suggest_distance(const char *a, const char *b);
/* The name among names[0..n) nearest to word, when it is near enough to be a likely typo
 * (at most 1 edit for short words, 2 from 5 characters, 3 from 9), else NULL. On a tie the
 * first wins. The result points into names. */
const char *suggest_closest(const char *word, const char *const *names, size_t n);

#endif
