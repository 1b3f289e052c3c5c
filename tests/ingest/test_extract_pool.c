/* test_extract_pool.c: the extraction threads on a real event loop: many pages through
 * several workers come back each once, on the loop thread, with the page's article, the
 * feed's text when the page holds none, or nothing; freeing the pool with extractions
 * still queued or not handed back frees them (the sanitizers and valgrind see leaks). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/util.h"
#include "ingest/extract_pool.h"

enum { PAGES = 300, THREADS = 4 };

struct outcome_log {
    struct event_base *base;
    pthread_t loop_thread;
    int returned[PAGES];
    int off_loop; /* callbacks not on the loop thread */
    int wrong;    /* outcomes other than expected */
    int left;
};

/* Page n: an article (n % 3 == 0 and 1), or a page with no article text (n % 3 == 2); the
 * feed's text for every even n. */
static struct extraction *make_extraction(int n, struct outcome_log *log, extraction_done_fn done)
{
    struct extraction *x = xcalloc(1, sizeof *x);
    if (n % 3 == 2)
        x->page = xasprintf("<html><body><nav><a href=\"/\">Home</a></nav></body></html>");
    else
        x->page = xasprintf("<html><head><title>Page %d</title></head><body><article><p>The "
                            "council of town %d met on Tuesday to agree the budget for the "
                            "harbour, the school and the bridge over the river.</p><p>Residents "
                            "of town %d asked for a new library and a later bus.</p></article>"
                            "</body></html>",
                            n, n, n);
    x->page_len = strlen(x->page);
    x->page_url = xasprintf("http://a.example/%d.html", n);
    x->content_type = xstrdup("text/html; charset=utf-8");
    if (n % 2 == 0) {
        x->feed_page = xasprintf("<html><body><article><p>Feed text of item %d, long enough "
                                 "to stand for an article when the page has none.</p>"
                                 "</article></body></html>",
                                 n);
        x->feed_url = xstrdup(x->page_url);
    }
    x->content = EXTRACT_CONTENT_HTML | EXTRACT_CONTENT_MARKDOWN;
    x->done = done;
    x->ud = log;
    return x;
}

static enum extraction_outcome expected_outcome(int n)
{
    if (n % 3 != 2)
        return EXTRACTED_PAGE;
    return n % 2 == 0 ? EXTRACTED_FEED : EXTRACTED_NOTHING;
}

static int page_number(const struct extraction *x)
{
    return atoi(strrchr(x->page_url, '/') + 1);
}

static void on_done(struct extraction *x, void *ud)
{
    struct outcome_log *log = ud;
    int n = page_number(x);
    log->returned[n]++;
    if (!pthread_equal(pthread_self(), log->loop_thread))
        log->off_loop++;
    char title[32];
    snprintf(title, sizeof title, "Page %d", n);
    if (x->outcome != expected_outcome(n) ||
        (x->outcome == EXTRACTED_PAGE &&
         (!x->article.title || strcmp(x->article.title, title) || !x->article.content_html ||
          !x->article.content_markdown)) ||
        (x->outcome == EXTRACTED_FEED && !strstr(x->article.text, "Feed text of item")) ||
        (x->outcome != EXTRACTED_PAGE && !*x->page_error)) {
        fprintf(stderr, "page %d: outcome %d, error \"%s\"\n", n, (int)x->outcome, x->page_error);
        log->wrong++;
    }
    extraction_free(x);
    if (--log->left == 0)
        event_base_loopexit(log->base, NULL);
}

static void test_every_page_back_once_on_the_loop(void)
{
    struct outcome_log log = {.base = event_base_new(), .loop_thread = pthread_self()};
    struct extract_pool *pool = extract_pool_new(log.base, THREADS);
    CHECK(extract_pool_thread_count(pool) == THREADS);
    log.left = PAGES;
    for (int n = 0; n < PAGES; n++)
        extract_pool_submit(pool, make_extraction(n, &log, on_done));
    event_base_dispatch(log.base);
    CHECK(log.left == 0);
    for (int n = 0; n < PAGES; n++)
        CHECK(log.returned[n] == 1);
    CHECK(log.off_loop == 0);
    CHECK(log.wrong == 0);
    extract_pool_free(pool);
    event_base_free(log.base);
}

static void never_called(struct extraction *x, void *ud)
{
    (void)x;
    struct outcome_log *log = ud;
    log->wrong++;
}

/* Freed at once, with pages queued, on the workers and finished: nothing is called back,
 * everything is freed. */
static void test_free_with_extractions_in_flight(void)
{
    struct outcome_log log = {.base = event_base_new(), .loop_thread = pthread_self()};
    struct extract_pool *pool = extract_pool_new(log.base, THREADS);
    for (int n = 0; n < PAGES; n++)
        extract_pool_submit(pool, make_extraction(n, &log, never_called));
    extract_pool_free(pool);
    CHECK(log.wrong == 0);
    event_base_free(log.base);
}

static void test_threads_for(void)
{
    CHECK(extract_pool_threads_for(3) == 3);
    CHECK(extract_pool_threads_for(0) >= 1);
}

int main(void)
{
    RUN(test_every_page_back_once_on_the_loop);
    RUN(test_free_with_extractions_in_flight);
    RUN(test_threads_for);
    return check_summary();
}
