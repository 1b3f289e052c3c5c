/* normalize.c: a rule term in its normalised forms (fold.h does the work), so that terms
 * and article text are folded by the very same code. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "topics/fold.h"
#include "topics/rules_internal.h"

struct normalize_out {
    struct buf folded, cased;
};

static void append(void *ud, unsigned char folded, unsigned char cased, size_t raw)
{
    (void)raw;
    struct normalize_out *o = ud;
    buf_append_char(&o->folded, (char)folded);
    buf_append_char(&o->cased, (char)cased);
}

void topics_normalize_text(const char *text, size_t len, struct normalized *out)
{
    struct normalize_out o;
    buf_init(&o.folded, 0);
    buf_init(&o.cased, 0);
    fold_stream(text, len, append, &o);
    /* A trailing space (from trailing whitespace) is not part of a term. */
    while (o.folded.len && o.folded.data[o.folded.len - 1] == ' ') {
        o.folded.data[--o.folded.len] = '\0';
        o.cased.data[--o.cased.len] = '\0';
    }
    out->len = o.folded.len;
    out->folded = buf_steal(&o.folded);
    out->cased = buf_steal(&o.cased);
}

void topics_normalized_free(struct normalized *n)
{
    free(n->folded);
    free(n->cased);
    memset(n, 0, sizeof *n);
}
