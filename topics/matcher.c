/* matcher.c: an Aho-Corasick automaton over all rule terms, compiled to a dense
 * DFA (256 transitions per state), so scanning is one table lookup per byte
 * whatever the number of terms. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "topics/rules_internal.h"

void topics_matcher_build(struct topic_rules *r)
{
    size_t max_states = 1;
    for (size_t i = 0; i < r->n_patterns; i++)
        max_states += r->patterns[i].folded_len;
    int32_t *next = xmalloc(max_states * 256 * sizeof *next);
    memset(next, 0xff, max_states * 256 * sizeof *next); /* -1: no trie edge yet */
    int32_t *first_out = xmalloc(max_states * sizeof *first_out);
    memset(first_out, 0xff, max_states * sizeof *first_out);
    int32_t *out_next = xmalloc((r->n_patterns ? r->n_patterns : 1) * sizeof *out_next);
    int32_t *out_pattern = xmalloc((r->n_patterns ? r->n_patterns : 1) * sizeof *out_pattern);
    size_t n_states = 1;

    /* The trie. Each pattern is one output entry; entries chain per state. */
    for (size_t i = 0; i < r->n_patterns; i++) {
        const unsigned char *p = (const unsigned char *)r->patterns[i].folded;
        int32_t s = 0;
        for (size_t k = 0; k < r->patterns[i].folded_len; k++) {
            if (next[s * 256 + p[k]] < 0)
                next[s * 256 + p[k]] = (int32_t)n_states++;
            s = next[s * 256 + p[k]];
        }
        out_pattern[i] = (int32_t)i;
        out_next[i] = first_out[s];
        first_out[s] = (int32_t)i;
    }

    /* Breadth-first: failure links, turned into DFA transitions as we go. */
    int32_t *fail = xcalloc(n_states, sizeof *fail);
    int32_t *queue = xmalloc(n_states * sizeof *queue);
    size_t head = 0, tail = 0;
    for (int c = 0; c < 256; c++) {
        if (next[c] < 0) {
            next[c] = 0;
        } else {
            fail[next[c]] = 0;
            queue[tail++] = next[c];
        }
    }
    while (head < tail) {
        int32_t s = queue[head++];
        /* A state's outputs include those of its failure state: append that chain. */
        if (first_out[s] < 0) {
            first_out[s] = first_out[fail[s]];
        } else {
            int32_t o = first_out[s];
            while (out_next[o] >= 0 && out_next[o] != first_out[fail[s]])
                o = out_next[o];
            if (out_next[o] < 0)
                out_next[o] = first_out[fail[s]];
        }
        for (int c = 0; c < 256; c++) {
            int32_t t = next[s * 256 + c];
            if (t < 0) {
                next[s * 256 + c] = next[fail[s] * 256 + c];
            } else {
                fail[t] = next[fail[s] * 256 + c];
                queue[tail++] = t;
            }
        }
    }
    free(fail);
    free(queue);
    /* Byte classes: bytes that occur in no term all behave alike, so the table needs a
     * column only per distinct term byte (plus one for the rest); rows are padded to a
     * power of two. Small rows keep the hot part of the automaton in cache. */
    bool used[256] = {false};
    for (size_t i = 0; i < r->n_patterns; i++)
        for (size_t k = 0; k < r->patterns[i].folded_len; k++)
            used[(unsigned char)r->patterns[i].folded[k]] = true;
    unsigned n_classes = 1;
    for (int c = 0; c < 256; c++)
        r->byte_class[c] = used[c] ? (uint8_t)n_classes++ : 0;
    unsigned shift = 0;
    while ((1u << shift) < n_classes)
        shift++;
    r->class_shift = shift;
    int other = -1; /* a byte of class 0, whose transitions stand for the whole class */
    for (int c = 0; c < 256 && other < 0; c++)
        if (!used[c])
            other = c;
    /* Each transition also says whether terms end in its target: one load per byte. */
    uint32_t *packed = xcalloc(n_states << shift, sizeof *packed);
    for (size_t st = 0; st < n_states; st++)
        for (int c = 0; c < 256; c++) {
            if (c != other && !used[c])
                continue;
            int32_t t = next[st * 256 + c];
            packed[(st << shift) + r->byte_class[c]] = (uint32_t)t << 1 | (first_out[t] >= 0);
        }
    free(next);
    r->next = packed;
    r->first_out = first_out;
    r->out_next = out_next;
    r->out_pattern = out_pattern;
    r->n_states = n_states;
}

void topics_matcher_free(struct topic_rules *r)
{
    free(r->next);
    free(r->first_out);
    free(r->out_next);
    free(r->out_pattern);
}
