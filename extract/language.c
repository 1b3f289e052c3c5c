/* language.c: libexttextcat behind language.h. The text is cut to its first few thousand
 * bytes (at a character boundary): libexttextcat needs a few hundred to be reliable and its
 * time grows with the length. */
#include "extract/language.h"

#include <ctype.h>
#include <libexttextcat/textcat.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define GUESS_MAX_BYTES 4096
#define GUESS_MIN_LETTERS 40
#define TEXTCAT_THRESHOLD 1.03 /* libexttextcat's THRESHOLDVALUE: rivals within 3% are listed */

struct language_guesser {
    void *textcat;
    candidate_t *candidates;
};

struct language_guesser *language_guesser_open(char *err, size_t errlen)
{
    void *h = special_textcat_Init(FEEDSPOOL_TEXTCAT_DIR "/fpdb.conf", FEEDSPOOL_TEXTCAT_DIR "/");
    if (!h) {
        set_err(err, errlen, "cannot load the language profiles from %s (libexttextcat-data)",
                FEEDSPOOL_TEXTCAT_DIR);
        return NULL;
    }
    struct language_guesser *g = xcalloc(1, sizeof *g);
    g->textcat = h;
    g->candidates = textcat_GetClassifyFullOutput(h);
    return g;
}

void language_guesser_close(struct language_guesser *g)
{
    if (!g)
        return;
    textcat_ReleaseClassifyFullOutput(g->textcat, g->candidates);
    textcat_Done(g->textcat);
    free(g);
}

bool language_primary_subtag(const char *declared, char *tag, size_t taglen)
{
    if (!declared)
        return false;
    while (isspace((unsigned char)*declared))
        declared++;
    size_t n = 0;
    while (isalpha((unsigned char)declared[n]))
        n++;
    char after = declared[n];
    if (n < 2 || n > 3 || n + 1 > taglen ||
        (after && after != '-' && after != '_' && !isspace((unsigned char)after) && after != ','))
        return false;
    for (size_t i = 0; i < n; i++)
        tag[i] = (char)tolower((unsigned char)declared[i]);
    tag[n] = '\0';
    return true;
}

bool language_guess(struct language_guesser *g, const char *text, char *tag, size_t taglen,
                    double *confidence)
{
    size_t len = strlen(text), letters = 0;
    if (len > GUESS_MAX_BYTES) {
        len = GUESS_MAX_BYTES;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* not inside a UTF-8 sequence */
    }
    for (size_t i = 0; i < len; i++)
        letters += isalpha((unsigned char)text[i]) || ((unsigned char)text[i] & 0xC0) == 0xC0;
    if (!g || letters < GUESS_MIN_LETTERS)
        return false;
    int n = textcat_ClassifyFull(g->textcat, text, len, g->candidates);
    if (n <= 0)
        return false; /* UNKNOWN (too many close rivals) or SHORT */
    /* Names are "en--utf8", "zh-CN-utf8", "haw-utf8": the primary subtag comes first. */
    if (!language_primary_subtag(g->candidates[0].name, tag, taglen))
        return false;
    double best = g->candidates[0].score, margin = 1;
    if (n > 1 && best > 0)
        margin = ((double)g->candidates[1].score / best - 1) / (TEXTCAT_THRESHOLD - 1);
    *confidence = margin < 0 ? 0 : margin > 1 ? 1 : margin;
    return true;
}
