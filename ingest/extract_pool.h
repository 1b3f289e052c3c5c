/* extract_pool.h: the worker threads that make fetched pages into articles, off the event loop.
 *
 * The loop thread does the I/O, the state and the spool; extract_article(), the CPU-bound
 * part of an article (milliseconds a page), runs on a few threads of its own, so that
 * extraction uses every core and the loop never waits for a large page. The loop submits an
 * extraction; a worker takes it, runs extract_article() on its page (and, if that gives no
 * article, on the feed's text) with a language guesser of its own (language.h: one thread
 * at a time), and hands it back; the loop gets it back in its done callback, called from the
 * loop (an eventfd the loop watches), never from a worker. A worker touches nothing but the
 * extraction it holds and its own guesser.
 *
 * Ownership: everything an extraction points to is its own, freed by extraction_free() (the
 * article too). From extract_pool_submit() until its done callback the extraction is the
 * pool's, and the submitter must not touch it; the callback takes it back (and frees it,
 * or keeps it). extract_pool_free() joins the workers (each finishes the extraction it is
 * on) and frees, without calling back, the extractions not handed back yet. */
#ifndef FEEDSPOOL_INGEST_EXTRACT_POOL_H
#define FEEDSPOOL_INGEST_EXTRACT_POOL_H

#include <event2/event.h>
#include <stddef.h>

#include "extract/extract.h"

struct extract_pool;
struct extraction;

typedef void (*extraction_done_fn)(struct extraction *x, void *ud);

enum extraction_outcome {
    EXTRACTED_NOTHING, /* neither the page nor the feed's text holds an article */
    EXTRACTED_PAGE,    /* article from the page */
    EXTRACTED_FEED,    /* article from the feed's text (no page, or the page held none) */
};

struct extraction {
    /* Set by the submitter (the strings are the extraction's own, see extraction_free): */
    char *page; /* the page's bytes, or NULL: the feed's text only */
    size_t page_len;
    char *page_url;     /* where the page came from (after redirects), or NULL */
    char *content_type; /* the page's HTTP Content-Type, or NULL */
    char *feed_page;    /* the feed item's own text as an HTML document, or NULL */
    char *feed_url;     /* the URL of feed_page's article (the item's link), or NULL */
    unsigned content;   /* enum extract_content bits */
    extraction_done_fn done;
    void *ud;
    /* Filled by the worker: */
    enum extraction_outcome outcome;
    struct article article;  /* the article, unless EXTRACTED_NOTHING (then zeroed) */
    char page_error[256];    /* why the page gave no article, when it did not ("" otherwise) */
    double seconds;          /* the worker's time on it */
    struct extraction *next; /* (the pool's queues) */
};

/* Frees the extraction, its strings and its article; accepts NULL. */
void extraction_free(struct extraction *x);

/* The workers extract_threads asks for: itself, or when 0, one per CPU the process may run
 * on. */
long extract_pool_threads_for(long extract_threads);
/* Starts `threads` workers (at least 1), each with a language guesser (or none, logged once,
 * when the profiles cannot be read: records then get lang from the markup only). A thread
 * that cannot be started is fatal, as running out of memory is (common/util.h). Call from
 * the loop thread, before any other thread uses libxml2. */
struct extract_pool *extract_pool_new(struct event_base *base, long threads);
/* Queues x for a worker; x->done is called on the loop when it is done. Never blocks. */
void extract_pool_submit(struct extract_pool *pool, struct extraction *x);
long extract_pool_thread_count(const struct extract_pool *pool);
/* Not from a done callback; accepts NULL. */
void extract_pool_free(struct extract_pool *pool);

#endif
