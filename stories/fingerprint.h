/* fingerprint.h: what identifies an article's text for finding other copies of its story.
 *
 * The cleaned text is cut into words (runs of letters and digits, lower-cased; bytes of
 * multi-byte UTF-8 characters count as letters) and the words into overlapping 3-word
 * shingles, each hashed to 64 bits. One shingle in STORY_SAMPLE, chosen by its hash, is an
 * anchor: the same shingle is an anchor in every text that has it, so two texts share
 * anchors in proportion to the shingles they share, whatever their lengths. A syndicated
 * copy, a cut or a light rewrite of a report keeps many of its word sequences and so shares
 * many anchors; a different report of the same event words things differently and shares
 * few (names like "Tehreek-i-Taliban Pakistan" alone give one or two).
 * Exact copies are caught before that by a hash of the whole word sequence and by the
 * canonical URL. Pure functions over memory. */
#ifndef FEEDSPOOL_STORIES_FINGERPRINT_H
#define FEEDSPOOL_STORIES_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORY_SAMPLE 20            /* one shingle in this many is an anchor */
#define STORY_MAX_ANCHORS 64       /* a long article keeps its 64 smallest */
#define STORY_MIN_SHARED 2         /* anchors two texts must share to be one story, */
#define STORY_MIN_CONTAINMENT 0.15 /* and the share of the smaller set of anchors they are */

struct fingerprint {
    uint32_t anchors[STORY_MAX_ANCHORS]; /* top 32 bits of the anchor hashes, ascending, distinct */
    size_t n;
    int64_t text_key; /* hash of the word sequence; 0 when the text has no words */
    int64_t url_key;  /* hash of the normalised canonical URL; 0 when none */
};

/* canonical_url may be NULL. */
void fingerprint_compute(const char *text, const char *canonical_url, struct fingerprint *out);
/* How many anchors a and b have in common. */
size_t fingerprint_shared(const struct fingerprint *a, const struct fingerprint *b);
/* The similarity figure: shared anchors over the anchors of the text with fewer, an estimate
 * of the share of the shorter text's word sequences found in the other (1 for a cut). */
double fingerprint_containment(size_t shared, size_t n_a, size_t n_b);
/* The decision: at least STORY_MIN_SHARED anchors and STORY_MIN_CONTAINMENT of them. */
bool fingerprint_same_story(size_t shared, size_t n_a, size_t n_b);

#endif
