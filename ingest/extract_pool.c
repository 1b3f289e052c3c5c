/* extract_pool.c: the extraction workers (extract_pool.h).
 *
 * One mutex guards the two queues: `todo` (submitted, not yet taken; workers wait on a
 * condition variable for it) and `finished` (done, not yet handed back). A worker that
 * finishes an extraction appends it to `finished` and, when that was empty, adds 1 to an
 * eventfd the loop watches; the loop's event takes the whole list at once and calls each done callback, with the lock
 * released. Workers block SIGTERM, SIGINT and SIGHUP: those go to the loop thread. */
#include "ingest/extract_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ingest/ingest_internal.h"

struct worker {
    struct extract_pool *pool;
    pthread_t thread;
    struct language_guesser *language; /* this worker's own, or NULL */
};

struct extract_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* todo has an extraction, or stopping */
    struct extraction *todo_head, *todo_tail;
    struct extraction *finished_head, *finished_tail;
    bool stopping;
    int wake_fd;        /* eventfd: a worker finished an extraction */
    struct event *wake; /* the loop's event on wake_fd */
    struct worker *workers;
    long n_workers;
};

void extraction_free(struct extraction *x)
{
    if (!x)
        return;
    free(x->page);
    free(x->page_url);
    free(x->content_type);
    free(x->feed_page);
    free(x->feed_url);
    article_free(&x->article);
    free(x);
}

long extract_pool_threads_for(long extract_threads)
{
    if (extract_threads > 0)
        return extract_threads;
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0)
        return CPU_COUNT(&cpus);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? online : 1;
}

/* The page first; the feed's text when the page gives no article. */
static void run_extraction(struct extraction *x, struct language_guesser *language)
{
    double started = ingest_clock();
    x->outcome = EXTRACTED_NOTHING;
    x->page_error[0] = '\0';
    if (x->page) {
        struct extract_input in = {.data = x->page,
                                   .len = x->page_len,
                                   .url = x->page_url,
                                   .content_type = x->content_type,
                                   .content = x->content,
                                   .language = language};
        if (extract_article(&in, &x->article, x->page_error, sizeof x->page_error) == 0)
            x->outcome = EXTRACTED_PAGE;
    }
    if (x->outcome == EXTRACTED_NOTHING && x->feed_page) {
        struct extract_input in = {.data = x->feed_page,
                                   .len = strlen(x->feed_page),
                                   .url = x->feed_url,
                                   .content = x->content,
                                   .language = language};
        char err[256];
        if (extract_article(&in, &x->article, err, sizeof err) == 0)
            x->outcome = EXTRACTED_FEED;
    }
    x->seconds = ingest_clock() - started;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct extract_pool *pool = w->pool;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->todo_head && !pool->stopping)
            pthread_cond_wait(&pool->work, &pool->lock);
        if (pool->stopping)
            break;
        struct extraction *x = pool->todo_head;
        pool->todo_head = x->next;
        if (!pool->todo_head)
            pool->todo_tail = NULL;
        pthread_mutex_unlock(&pool->lock);

        run_extraction(x, w->language);

        pthread_mutex_lock(&pool->lock);
        x->next = NULL;
        bool first = !pool->finished_head; /* (else the loop has been woken already) */
        if (pool->finished_tail)
            pool->finished_tail->next = x;
        else
            pool->finished_head = x;
        pool->finished_tail = x;
        uint64_t one = 1;
        while (first && write(pool->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

/* On the loop: every finished extraction goes back to its submitter. */
static void on_finished(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct extract_pool *pool = arg;
    uint64_t count;
    while (read(fd, &count, sizeof count) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&pool->lock);
    struct extraction *x = pool->finished_head;
    pool->finished_head = pool->finished_tail = NULL;
    pthread_mutex_unlock(&pool->lock);
    while (x) {
        struct extraction *next = x->next;
        x->next = NULL;
        x->done(x, x->ud);
        x = next;
    }
}

struct extract_pool *extract_pool_new(struct event_base *base, long threads)
{
    extract_init_threads();
    struct extract_pool *pool = xcalloc(1, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work, NULL);
    pool->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (pool->wake_fd < 0) {
        log_err("cannot make an eventfd for the extraction threads reason=\"%s\"", strerror(errno));
        abort();
    }
    pool->wake = event_new(base, pool->wake_fd, EV_READ | EV_PERSIST, on_finished, pool);
    event_add(pool->wake, NULL);
    if (threads < 1)
        threads = 1;
    pool->workers = xcalloc((size_t)threads, sizeof *pool->workers);
    char err[256];
    for (long i = 0; i < threads; i++) {
        struct worker *w = &pool->workers[i];
        w->pool = pool;
        w->language = language_guesser_open(err, sizeof err);
        if (!w->language) {
            log_warn("records get lang only from the markup reason=\"%s\"", err);
            break; /* (the others would not read the profiles either) */
        }
    }
    sigset_t handled, before; /* (the daemon's; faults are still the faulting thread's) */
    sigemptyset(&handled);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &handled, &before); /* (the threads inherit the mask) */
    for (long i = 0; i < threads; i++) {
        int rc = pthread_create(&pool->workers[i].thread, NULL, work, &pool->workers[i]);
        if (rc != 0) {
            log_err("cannot start an extraction thread reason=\"%s\"", strerror(rc));
            abort();
        }
        pool->n_workers++;
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    log_info("extraction threads started threads=%ld", pool->n_workers);
    return pool;
}

void extract_pool_submit(struct extract_pool *pool, struct extraction *x)
{
    x->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->todo_tail)
        pool->todo_tail->next = x;
    else
        pool->todo_head = x;
    pool->todo_tail = x;
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->lock);
}

long extract_pool_thread_count(const struct extract_pool *pool)
{
    return pool->n_workers;
}

static void free_list(struct extraction *x)
{
    while (x) {
        struct extraction *next = x->next;
        extraction_free(x);
        x = next;
    }
}

void extract_pool_free(struct extract_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (long i = 0; i < pool->n_workers; i++)
        pthread_join(pool->workers[i].thread, NULL);
    for (long i = 0; i < pool->n_workers; i++)
        language_guesser_close(pool->workers[i].language);
    free(pool->workers);
    free_list(pool->todo_head);
    free_list(pool->finished_head);
    event_free(pool->wake);
    close(pool->wake_fd);
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}
