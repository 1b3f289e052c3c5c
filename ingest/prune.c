/* prune.c: the spool's retention in the daemon (the mechanism is output/retention.c).
 *
 * A pass runs at start, after a SIGHUP (new limits apply at once), then every
 * retention_interval (not in once mode), and as soon as
 * the records written since the last pass may have taken the spool over spool_disk_budget.
 * What a pass removed is logged once and counted. When a
 * pass leaves the spool over its budget with only undeliverable data in it (records waiting
 * in new/ or claimed in cur/), page fetching pauses, as when new/ is full, and the pass is
 * repeated every second until consumers have made room.
 *
 * A pass reads and removes files for about 11 µs each, so one over a large sent/ would
 * stop the event loop for seconds: it runs on a thread of its own, one at a time. The
 * thread owns its struct prune_pass (a copy of the folder's name and of the limits, the
 * report it fills) from pthread_create until it writes one byte to the pipe; from then on
 * the loop does (it joins the thread, applies the report and frees the pass). The thread
 * touches nothing else of the pipeline, only files, which consumers change concurrently
 * anyway. While a pass the written bytes asked for runs (and while the first one runs,
 * with a budget), new page fetches wait for its verdict, as they did when a pass ran on
 * the loop. A pass asked for while one runs (a SIGHUP's) follows it; stopping waits for
 * the running pass. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ingest/ingest_internal.h"

#define PRUNE_BLOCK_BYTES 4096LL /* a record's file is counted in whole blocks, as du does */

struct prune_pass {
    char *dir;
    struct retention_limits limits;
    time_t now;
    int done_fd; /* the pipe's end the thread writes its one byte to */
    /* Filled by the thread: */
    struct retention_report report;
    int rc;
    double seconds;
    char err[512];
};

struct prune_worker {
    struct event *timer; /* the next pass by the interval (or in a second, over budget) */
    struct event *done;  /* the pipe's read end is readable: the pass finished */
    int pipe[2];
    pthread_t thread;
    struct prune_pass *running;  /* NULL between passes */
    bool again;                  /* a pass was asked for while one ran */
    long long written_meanwhile; /* bytes of the records written while it runs */
};

static struct retention_limits limits_of(const struct config *cfg)
{
    return (struct retention_limits){.sent_max_age = cfg->sent_max_age,
                                     .sent_max_files = cfg->sent_max_files,
                                     .quarantine_max_age = cfg->quarantine_max_age,
                                     .quarantine_max_files = cfg->quarantine_max_files,
                                     .sources_max_bytes = cfg->sources_max_bytes,
                                     .sources_max_files = cfg->sources_max_files,
                                     .sources_max_age = cfg->sources_max_age,
                                     .disk_budget = cfg->spool_disk_budget};
}

static void log_removed(const struct retention_report *r, double seconds)
{
    long files = 0;
    long long bytes = 0;
    for (int f = 0; f < RETENTION_FOLDERS; f++) {
        files += r->removed[f];
        bytes += r->removed_bytes[f];
    }
    if (r->rotated)
        log_info("sources.jsonl rotated to sources.jsonl.1");
    if (files)
        log_notice("spool pruned sent=%ld quarantine=%ld sources=%ld freed_bytes=%lld "
                   "disk_bytes=%lld took_s=%.3f",
                   r->removed[RETENTION_SENT], r->removed[RETENTION_QUARANTINE],
                   r->removed[RETENTION_SOURCES], bytes, r->disk_bytes, seconds);
    else
        log_debug("spool retention pass removed nothing disk_bytes=%lld took_s=%.3f", r->disk_bytes,
                  seconds);
}

/* Pauses or resumes page fetching by what the pass left. */
static void apply_budget(struct pipeline *p, const struct retention_report *r)
{
    long budget = p->deps.config->spool_disk_budget;
    if (r->over_budget && !p->budget_full) {
        p->budget_full = true;
        log_warn("spool over its disk budget with only undelivered records left, article "
                 "fetching pauses until consumers catch up disk_bytes=%lld budget=%ld "
                 "undelivered_bytes=%lld",
                 r->disk_bytes, budget, r->undeletable);
    } else if (!r->over_budget && p->budget_full) {
        p->budget_full = false;
        log_notice("spool back within its disk budget, article fetching resumes disk_bytes=%lld "
                   "budget=%ld",
                   r->disk_bytes, budget);
    }
}

static void *run_pass(void *arg)
{
    struct prune_pass *pass = arg;
    double started = ingest_clock();
    pass->rc = retention_prune(pass->dir, &pass->limits, pass->now, &pass->report, pass->err,
                               sizeof pass->err);
    pass->seconds = ingest_clock() - started;
    char done = 1;
    while (write(pass->done_fd, &done, 1) < 0 && errno == EINTR)
        ;
    return NULL; /* (the pass is the loop's from the write on) */
}

/* Starts a pass on its thread, or has one follow the running pass. */
static void request_pass(struct pipeline *p)
{
    struct prune_worker *w = p->pruner;
    if (w->running) {
        w->again = true;
        return;
    }
    struct prune_pass *pass = xcalloc(1, sizeof *pass);
    pass->dir = xstrdup(spool_dir(p->deps.spool));
    pass->limits = limits_of(p->deps.config);
    pass->now = now_seconds();
    pass->done_fd = w->pipe[1];
    int rc = pthread_create(&w->thread, NULL, run_pass, pass);
    if (rc != 0) {
        log_err("spool retention pass not started reason=\"%s\"", strerror(rc));
        free(pass->dir);
        free(pass);
        p->budget_pending = false;
        ingest_start_page_fetches(p);
        return;
    }
    w->running = pass;
    p->stats.retention_running = true;
    w->again = false;
    w->written_meanwhile = 0;
}

/* Joins the finished (or finishing) pass and takes its report. */
static void finish_pass(struct pipeline *p)
{
    struct prune_worker *w = p->pruner;
    struct prune_pass *pass = w->running;
    pthread_join(w->thread, NULL);
    char done;
    while (read(w->pipe[0], &done, 1) < 0 && errno == EINTR)
        ;
    w->running = NULL;
    p->stats.retention_running = false;
    const struct retention_report *r = &pass->report;
    for (int f = 0; f < RETENTION_FOLDERS; f++) {
        p->stats.pruned_files[f] += r->removed[f];
        p->stats.pruned_bytes[f] += r->removed_bytes[f];
    }
    log_removed(r, pass->seconds);
    if (pass->rc < 0) {
        log_err("spool retention pass failed reason=\"%s\"", pass->err);
    } else {
        p->stats.spool_disk_bytes = r->disk_bytes;
        /* (the pass may have counted those records already: an estimate errs upwards) */
        p->disk_estimate = r->disk_bytes + w->written_meanwhile;
        apply_budget(p, r);
    }
    free(pass->dir);
    free(pass);
}

static void on_pass_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    struct prune_worker *w = p->pruner;
    finish_pass(p);
    if (p->stopping)
        return;
    if (w->again)
        request_pass(p); /* (its end schedules the next) */
    else
        p->budget_pending = false;
    ingest_start_page_fetches(p);
    if (w->running || (p->once && !p->budget_full))
        return;
    struct timeval next = {.tv_sec = p->budget_full ? 1 : p->deps.config->retention_interval};
    evtimer_add(w->timer, &next);
}

static void on_prune_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    request_pass(arg);
}

void ingest_prune_start(struct pipeline *p)
{
    struct prune_worker *w = xcalloc(1, sizeof *w);
    if (pipe2(w->pipe, O_CLOEXEC) < 0) {
        log_err("no spool retention: cannot create a pipe reason=\"%s\"", strerror(errno));
        free(w);
        return;
    }
    p->pruner = w;
    w->timer = evtimer_new(p->deps.base, on_prune_timer, p);
    w->done = event_new(p->deps.base, w->pipe[0], EV_READ | EV_PERSIST, on_pass_done, p);
    event_add(w->done, NULL);
    p->budget_pending = p->deps.config->spool_disk_budget > 0;
    request_pass(p);
}

void ingest_prune_now(struct pipeline *p)
{
    if (p->pruner && !p->stopping)
        request_pass(p);
}

void ingest_prune_note_written(struct pipeline *p, size_t bytes)
{
    long budget = p->deps.config->spool_disk_budget;
    long long blocks =
        ((long long)bytes + PRUNE_BLOCK_BYTES - 1) / PRUNE_BLOCK_BYTES * PRUNE_BLOCK_BYTES;
    p->disk_estimate += blocks;
    if (p->pruner && p->pruner->running)
        p->pruner->written_meanwhile += blocks;
    /* A pass leaves the estimate within the budget (at 90% when it could remove enough), or
     * pauses fetching: so this is one pass per crossing, not one per record. No page fetch
     * starts before its verdict, as the spool_max_records check does. */
    if (p->pruner && !p->stopping && budget > 0 && !p->budget_full && !p->budget_pending &&
        p->disk_estimate > budget) {
        p->budget_pending = true;
        request_pass(p);
    }
}

void ingest_prune_stop(struct pipeline *p)
{
    struct prune_worker *w = p->pruner;
    if (!w)
        return;
    evtimer_del(w->timer);
    if (w->running)
        finish_pass(p);
}

void ingest_prune_free(struct pipeline *p)
{
    struct prune_worker *w = p->pruner;
    if (!w)
        return;
    ingest_prune_stop(p);
    event_free(w->timer);
    event_free(w->done);
    close(w->pipe[0]);
    close(w->pipe[1]);
    free(w);
    p->pruner = NULL;
}
