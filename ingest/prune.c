/* prune.c: the spool's retention in the daemon (the mechanism is output/retention.c).
 *
 * A pass runs at start, after a SIGHUP (new limits apply at once), then every
 * retention_interval (not in once mode), and as soon as
 * the records written since the last pass may have taken the spool over spool_disk_budget.
 * What a pass removed is logged once and counted. When a
 * pass leaves the spool over its budget with only undeliverable data in it (records waiting
 * in new/ or claimed in cur/), page fetching pauses, as when new/ is full, and the pass is
 * repeated every second until consumers have made room. */
#include "common/log.h"
#include "ingest/ingest_internal.h"

#define PRUNE_MIN_SECONDS 1.0    /* between passes that the written bytes ask for */
#define PRUNE_BLOCK_BYTES 4096LL /* a record's file is counted in whole blocks, as du does */

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
        ingest_start_page_fetches(p);
    }
}

static void on_prune(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    const struct config *cfg = p->deps.config;
    struct retention_limits limits = limits_of(cfg);
    struct retention_report r;
    char err[512];
    double started = ingest_clock();
    int rc = retention_prune(spool_dir(p->deps.spool), &limits, now_seconds(), &r, err, sizeof err);
    for (int f = 0; f < RETENTION_FOLDERS; f++) {
        p->stats.pruned_files[f] += r.removed[f];
        p->stats.pruned_bytes[f] += r.removed_bytes[f];
    }
    log_removed(&r, ingest_clock() - started);
    if (rc < 0) {
        log_err("spool retention pass failed reason=\"%s\"", err);
    } else {
        p->stats.spool_disk_bytes = r.disk_bytes;
        p->disk_estimate = r.disk_bytes;
        apply_budget(p, &r);
    }
    if (p->stopping || (p->once && !p->budget_full))
        return;
    struct timeval next = {.tv_sec = p->budget_full ? 1 : cfg->retention_interval};
    evtimer_add(p->prune, &next);
}

void ingest_prune_start(struct pipeline *p)
{
    p->prune = evtimer_new(p->deps.base, on_prune, p);
    on_prune(-1, 0, p);
}

void ingest_prune_now(struct pipeline *p)
{
    if (p->prune && !p->stopping)
        on_prune(-1, 0, p);
}

void ingest_prune_note_written(struct pipeline *p, size_t bytes)
{
    long budget = p->deps.config->spool_disk_budget;
    p->disk_estimate +=
        ((long long)bytes + PRUNE_BLOCK_BYTES - 1) / PRUNE_BLOCK_BYTES * PRUNE_BLOCK_BYTES;
    /* A pass leaves the estimate within the budget (at 90% when it could remove enough), or
     * pauses fetching: so this is one pass per crossing, not one per record. It runs now,
     * before the next page fetch starts, as the spool_max_records check does. */
    if (p->prune && budget > 0 && !p->budget_full && p->disk_estimate > budget)
        on_prune(-1, 0, p);
}

void ingest_prune_stop(struct pipeline *p)
{
    if (p->prune)
        evtimer_del(p->prune);
}

void ingest_prune_free(struct pipeline *p)
{
    if (p->prune)
        event_free(p->prune);
    p->prune = NULL;
}
