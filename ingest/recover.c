/* recover.c: what a crash, a dead consumer or a change of mind left behind.
 *
 * At start: every staged record is finished (renamed into new/ if its file is still in
 * tmp/, only marked emitted if it is not: a consumer may have taken it already), and only
 * then is tmp/ emptied; if the configuration differs from the last run's, the failed items
 * are tried again. While running (the upkeep timer, and at once after a SIGHUP): claims
 * older than claim_timeout go back from cur/ to new/, items `feedspool retry` made pending
 * are taken up, and a changed configuration requeues the failed items. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ingest/ingest_internal.h"

#define UPKEEP_MAX_SECONDS 10

struct staged_counts {
    struct pipeline *p;
    long renamed, found, failed;
};

static void finish_staged(const char *key, const char *record_id, void *ud)
{
    struct staged_counts *c = ud;
    struct pipeline *p = c->p;
    char err[512];
    int rc = spool_publish_staged(p->deps.spool, record_id, err, sizeof err);
    if (rc < 0) { /* stays staged (and its file in tmp/ is kept): the next start tries again */
        log_err("staged record could not be finished record=%s reason=\"%s\"", record_id, err);
        c->failed++;
        return;
    }
    if (state_item_set_emitted(p->deps.state, key) < 0)
        log_err("state write failed record=%s reason=\"%s\"", record_id,
                state_error(p->deps.state));
    if (rc == 1)
        c->renamed++;
    else
        c->found++;
}

/* Failed items are tried again when the configuration (the address policy, timeouts, size
 * caps...) is not the one they failed under. */
static void requeue_on_config_change(struct pipeline *p, const char *when)
{
    char hash[HASH_HEX_LEN + 1];
    config_fingerprint(p->deps.config, hash);
    if (strcmp(hash, p->config_hash) == 0)
        return;
    char *stored = NULL;
    if (state_meta_get(p->deps.state, "config", &stored) < 0)
        log_err("state read failed reason=\"%s\"", state_error(p->deps.state));
    if (stored && strcmp(stored, hash) != 0) {
        long n = state_items_retry_failed(p->deps.state, NULL, NULL);
        if (n < 0)
            log_err("state write failed reason=\"%s\"", state_error(p->deps.state));
        else if (n > 0)
            log_notice("configuration changed %s: failed items are tried again count=%ld", when, n);
    }
    free(stored);
    if (state_meta_set(p->deps.state, "config", hash) < 0)
        log_err("state write failed reason=\"%s\"", state_error(p->deps.state));
    memcpy(p->config_hash, hash, sizeof hash);
}

static void return_stale_claims(struct pipeline *p)
{
    long timeout = p->deps.config->claim_timeout;
    if (timeout <= 0)
        return;
    char err[512];
    long n = spool_reclaim_claims(p->deps.spool, timeout, err, sizeof err);
    if (n < 0)
        log_err("cannot return stale claims reason=\"%s\"", err);
    else if (n > 0)
        log_warn("claims older than claim_timeout returned to new/ count=%ld claim_timeout=%lds", n,
                 timeout);
}

static long upkeep_interval(const struct pipeline *p)
{
    long timeout = p->deps.config->claim_timeout;
    long every = timeout > 0 ? timeout / 4 : UPKEEP_MAX_SECONDS;
    return every < 1 ? 1 : every > UPKEEP_MAX_SECONDS ? UPKEEP_MAX_SECONDS : every;
}

void pipeline_take_up_retried(struct pipeline *p)
{
    if (p->stopping)
        return;
    struct resume_ctx ctx = {.p = p};
    if (p->fetch_pages && state_items_requeued(p->deps.state, ingest_resume_pending, &ctx) < 0)
        log_err("cannot take up retried items reason=\"%s\"", state_error(p->deps.state));
    else if (ctx.resumed)
        log_notice("failed items taken up again count=%zu", ctx.resumed);
}

static void on_upkeep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    if (p->stopping)
        return;
    return_stale_claims(p);
    requeue_on_config_change(p, "on reload");
    pipeline_take_up_retried(p);
    struct timeval tv = {.tv_sec = upkeep_interval(p)};
    evtimer_add(p->upkeep, &tv);
}

void ingest_recover_at_start(struct pipeline *p)
{
    struct staged_counts c = {.p = p};
    if (state_items_staged(p->deps.state, finish_staged, &c) < 0)
        log_err("cannot read staged records reason=\"%s\"", state_error(p->deps.state));
    if (c.renamed || c.found)
        log_notice("staged records finished renamed=%ld already_in_spool=%ld", c.renamed, c.found);
    if (c.failed == 0)
        spool_clean_tmp(p->deps.spool);
    requeue_on_config_change(p, "since the last run");
    return_stale_claims(p);
    if (p->once)
        return;
    p->upkeep = evtimer_new(p->deps.base, on_upkeep, p);
    struct timeval tv = {.tv_sec = upkeep_interval(p)};
    evtimer_add(p->upkeep, &tv);
}

void pipeline_configuration_reloaded(struct pipeline *p)
{
    if (p->upkeep)
        on_upkeep(-1, 0, p);
    ingest_prune_now(p);
}

void ingest_upkeep_free(struct pipeline *p)
{
    if (p->upkeep)
        event_free(p->upkeep);
    p->upkeep = NULL;
}
