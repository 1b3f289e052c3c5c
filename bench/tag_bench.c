/* tag_bench.c: topic tagging throughput. Tags a corpus file as articles of about 4 KB
 * (cut at line ends) with a rules file, best of N rounds, and prints MB/s on one core.
 * With --whole-text the prefilter is off and every byte goes through the automaton; with
 * --sse2 it classifies text with SSE2 even where the CPU has AVX-512.
 * Usage: bench_tag RULES CORPUS [ROUNDS] [--whole-text | --sse2] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "topics/rules_internal.h"
#include "topics/topics.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tag RULES CORPUS [ROUNDS] [--whole-text | --sse2]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    char err[512];
    struct topic_rules *rules;
    if (topic_rules_load(argv[1], &rules, err, sizeof err) < 0) {
        fprintf(stderr, "bench_tag: %s\n", err);
        return 1;
    }
    if (argc > 4 && strcmp(argv[4], "--whole-text") == 0)
        prefilter_free(rules);
    if (argc > 4 && strcmp(argv[4], "--sse2") == 0)
        prefilter_use_sse2(rules);
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    struct buf corpus;
    buf_init(&corpus, 0);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&corpus, chunk, n);
    fclose(f);

    /* Cut into articles at line ends, about 4 KB each. */
    size_t n_articles = 0, cap = 1024;
    char **articles = malloc(cap * sizeof *articles);
    for (size_t at = 0; at < corpus.len;) {
        size_t end = at + 4096 < corpus.len ? at + 4096 : corpus.len;
        while (end < corpus.len && corpus.data[end] != '\n')
            end++;
        if (n_articles == cap)
            articles = realloc(articles, (cap *= 2) * sizeof *articles);
        corpus.data[end < corpus.len ? end : corpus.len] = '\0';
        articles[n_articles++] = corpus.data + at;
        at = end + 1;
    }
    double best = 1e30;
    size_t tagged = 0;
    for (int r = 0; r < rounds; r++) {
        double start = seconds_now();
        tagged = 0;
        for (size_t i = 0; i < n_articles; i++) {
            struct topic_result res;
            topics_tag(rules, NULL, articles[i], &res);
            tagged += res.n_hits;
            topic_result_free(&res);
        }
        double took = seconds_now() - start;
        if (took < best)
            best = took;
    }
    double mb = (double)corpus.len / 1e6;
    printf("%.1f MB in %zu articles, %zu topic hits, best of %d: %.3f s CPU, %.0f MB/s\n", mb,
           n_articles, tagged, rounds, best, mb / best);
    free(articles);
    buf_free(&corpus);
    topic_rules_free(rules);
    return 0;
}
