/* suggest.c: the nearest known name to a mistyped one, for "did you mean" hints. */
#include "common/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

size_t suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rows of the (la+1) x (lb+1) table: two back for the swap of neighbours. */
    size_t *rows = xcalloc(3 * (lb + 1), sizeof *rows);
    size_t *before = rows, *prev = rows + lb + 1, *cur = rows + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            cur[j] = best;
        }
        size_t *spare = before;
        before = prev;
        prev = cur;
        cur = spare;
    }
    size_t distance = prev[lb];
    free(rows);
    return distance;
}

const char *suggest_closest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len >= 9 ? 3 : len >= 5 ? 2 : 1;
    const char *best = NULL;
    size_t best_distance = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = suggest_distance(word, names[i]);
        if (d < best_distance) {
            best = names[i];
            best_distance = d;
        }
    }
    return best;
}
