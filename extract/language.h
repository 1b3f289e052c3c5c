/* language.h: the language of a text, guessed with libexttextcat (n-gram profiles of the
 * libexttextcat-data package), for pages whose markup does not say.
 *
 * A guesser loads its profiles once (language_guesser_open) and is then used for any number
 * of texts from one thread at a time; language_guesser_close frees it (NULL accepted). */
#ifndef FEEDSPOOL_EXTRACT_LANGUAGE_H
#define FEEDSPOOL_EXTRACT_LANGUAGE_H

#include <stdbool.h>
#include <stddef.h>

struct language_guesser;

/* Returns a guesser, or NULL with the reason in err (the profiles cannot be read). */
struct language_guesser *language_guesser_open(char *err, size_t errlen);
void language_guesser_close(struct language_guesser *g);
/* The text's language as a BCP 47 primary subtag written into tag (at least 8 bytes) with
 * *confidence in 0-1: 1 when no other language's profile comes within libexttextcat's 3% of
 * the best's distance, falling to 0 as the runner-up reaches the best. Returns false (no
 * guess) for a text under 40 letters or one libexttextcat cannot place. */
bool language_guess(struct language_guesser *g, const char *text, char *tag, size_t taglen,
                    double *confidence);
/* A declared language ("en-US", "en_GB", "EN") as its primary subtag ("en") in tag; false
 * when it is no language tag ("English", "x", ""). */
bool language_primary_subtag(const char *declared, char *tag, size_t taglen);

#endif
