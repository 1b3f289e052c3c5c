/* extract_bench.c: extraction speed on real pages, against libxml2's parse alone.
 * Reads every page given (plain or .gz) into memory, then, best of 3 passes each: parses
 * them with libxml2's HTML parser only (the options and encoding extract uses), and extracts
 * them with extract_article() twice: text only, and as the daemon runs it (clean HTML, the
 * language guessed). Prints pages/s, MB/s, the ratio of each to the parse-only time and the
 * process's peak RSS. Usage: bench_extract [--only parse|text|daemon] PAGE...
 * --only: one pass of that one way, nothing printed (to count its instructions with
 * valgrind --tool=callgrind: the inclusive cost of htmlReadMemory or extract_article). */
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "common/buf.h"
#include "extract/extract.h"
#include "extract/language.h"

struct page {
    char *data;
    size_t len;
};

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(const char *path, struct page *p)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return -1;
    struct buf b;
    buf_init(&b, 0);
    char chunk[65536];
    int n;
    while ((n = gzread(f, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)n);
    gzclose(f);
    p->len = b.len;
    p->data = buf_steal(&b);
    return 0;
}

/* libxml2's parse alone, with the options extract uses. */
static void parse_pages(const struct page *pages, int n)
{
    for (int i = 0; i < n; i++) {
        htmlDocPtr doc =
            htmlReadMemory(pages[i].data, (int)pages[i].len, NULL, NULL,
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                               HTML_PARSE_NONET | HTML_PARSE_COMPACT);
        xmlFreeDoc(doc);
    }
}

/* Extracts every page: text only (language NULL), or as the daemon runs it (clean HTML, the
 * language guessed). Returns how many pages gave an article. */
static int extract_pages(const struct page *pages, int n, struct language_guesser *language)
{
    int extracted = 0;
    char err[256];
    for (int i = 0; i < n; i++) {
        struct extract_input in = {.data = pages[i].data,
                                   .len = pages[i].len,
                                   .content = language ? EXTRACT_CONTENT_HTML : 0,
                                   .language = language};
        struct article a;
        if (extract_article(&in, &a, err, sizeof err) == 0) {
            extracted++;
            article_free(&a);
        }
    }
    return extracted;
}

static void print_report(int n, double mb, int extracted, double parse_best, double extract_best,
                         double daemon_best, const struct rusage *ru)
{
    printf("pages %d (%.1f MB), extracted %d\n", n, mb, extracted);
    printf("libxml2 parse only   %8.1f pages/s %7.1f MB/s\n", n / parse_best, mb / parse_best);
    printf("feedspool extract    %8.1f pages/s %7.1f MB/s  (%.2fx the parse-only time)\n",
           n / extract_best, mb / extract_best, extract_best / parse_best);
    printf(
        "  as the daemon runs it %8.1f pages/s %7.1f MB/s  (%.2fx; clean HTML, language guessed)\n",
        n / daemon_best, mb / daemon_best, daemon_best / parse_best);
    printf("feedspool pages/s %.1f\n", n / extract_best);
    printf("peak RSS %.1f MB (pages held in memory: %.1f MB)\n", (double)ru->ru_maxrss / 1024, mb);
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    if (argc > 2 && strcmp(argv[1], "--only") == 0) {
        only = argv[2];
        argv += 2;
        argc -= 2;
    }
    int n = argc - 1;
    if (n < 1 || (only && strcmp(only, "parse") != 0 && strcmp(only, "text") != 0 &&
                  strcmp(only, "daemon") != 0)) {
        fprintf(stderr, "usage: bench_extract [--only parse|text|daemon] PAGE...\n");
        return 2;
    }
    struct page *pages = calloc((size_t)n, sizeof *pages);
    double mb = 0;
    for (int i = 0; i < n; i++) {
        if (load(argv[i + 1], &pages[i]) < 0) {
            fprintf(stderr, "cannot read %s\n", argv[i + 1]);
            return 1;
        }
        mb += (double)pages[i].len / 1e6;
    }
    char err[256];
    struct language_guesser *language = language_guesser_open(err, sizeof err);
    if (!language) {
        fprintf(stderr, "bench_extract: %s\n", err);
        return 1;
    }
    double parse_best = 1e9, extract_best = 1e9, daemon_best = 1e9;
    int extracted = 0;
    for (int pass = 0; pass < (only ? 1 : 3); pass++) {
        double start = now_seconds();
        if (!only || strcmp(only, "parse") == 0)
            parse_pages(pages, n);
        double parsed = now_seconds() - start;
        parse_best = parsed < parse_best ? parsed : parse_best;
        start = now_seconds();
        if (!only || strcmp(only, "text") == 0)
            extracted = extract_pages(pages, n, NULL);
        double took = now_seconds() - start;
        extract_best = took < extract_best ? took : extract_best;
        start = now_seconds();
        if (!only || strcmp(only, "daemon") == 0)
            extract_pages(pages, n, language);
        took = now_seconds() - start;
        daemon_best = took < daemon_best ? took : daemon_best;
    }
    language_guesser_close(language);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (!only)
        print_report(n, mb, extracted, parse_best, extract_best, daemon_best, &ru);
    for (int i = 0; i < n; i++)
        free(pages[i].data);
    free(pages);
    return 0;
}
