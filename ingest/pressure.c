/* pressure.c: backpressure from the spool: page fetching pauses while new/ holds more
 * than the configured records or bytes (consumers are behind), or for retry_delay after a
 * failed write (disk full). */
#include "common/log.h"
#include "ingest/ingest_internal.h"

static bool spool_over_limit(const struct pipeline *p)
{
    return p->spool_records >= p->deps.config->spool_max_records ||
           p->spool_bytes >= p->deps.config->spool_max_bytes;
}

/* Counts what consumers left in new/ (they only ever take records away). */
void ingest_recount_spool(struct pipeline *p)
{
    struct spool_stats st;
    char err[256];
    if (spool_read_depth(spool_dir(p->deps.spool), &st, err, sizeof err) == 0) {
        long records;
        long long bytes;
        ingest_batch_spool_size(p, &records, &bytes); /* (on their way into new/) */
        p->spool_records = st.new_records + records;
        p->spool_bytes = st.new_bytes + bytes;
    }
}

void ingest_on_pressure_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    ingest_recount_spool(p);
    if (spool_over_limit(p)) {
        static const struct timeval second = {1, 0};
        evtimer_add(p->pressure_check, &second);
        return;
    }
    p->spool_full = false;
    log_notice("spool drained, article fetching resumes depth=%ld bytes=%lld", p->spool_records,
               p->spool_bytes);
    ingest_start_page_fetches(p);
}

/* After each record (as it joins the write batch): past the limit (by our count, then by a
 * fresh one), fetching pauses. */
void ingest_note_spool_growth(struct pipeline *p, size_t bytes)
{
    p->spool_records++;
    p->spool_bytes += (long long)bytes;
    ingest_prune_note_written(p, bytes);
    if (p->spool_full || !spool_over_limit(p))
        return;
    ingest_recount_spool(p);
    if (!spool_over_limit(p))
        return;
    p->spool_full = true;
    log_warn("spool full, article fetching pauses until consumers catch up depth=%ld bytes=%lld "
             "max_records=%ld max_bytes=%ld",
             p->spool_records, p->spool_bytes, p->deps.config->spool_max_records,
             p->deps.config->spool_max_bytes);
    ingest_on_pressure_check(-1, 0, p);
}

/* After retry_delay: while writes still fail and jobs hold records to retry (they probe
 * the disk themselves), fetching stays paused, so what waits in memory stays bounded by
 * max_transfers; otherwise it resumes, and the next write is the probe. */
void ingest_on_write_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pipeline *p = arg;
    if (p->write_error)
        for (const struct article_job *j = p->jobs; j; j = j->next)
            if (j->built) {
                struct timeval tv = {.tv_sec = p->deps.config->retry_delay};
                evtimer_add(p->write_resume, &tv);
                return;
            }
    p->write_pause = false;
    ingest_start_page_fetches(p);
}

void ingest_write_recovered(struct pipeline *p)
{
    if (!p->write_pause)
        return;
    evtimer_del(p->write_resume);
    p->write_pause = false;
    ingest_start_page_fetches(p);
}

/* A failed write (disk full, I/O error): fetching more pages now would only fail too. */
void ingest_pause_after_write_failure(struct pipeline *p)
{
    if (p->write_pause || p->once)
        return;
    p->write_pause = true;
    struct timeval tv = {.tv_sec = p->deps.config->retry_delay};
    evtimer_add(p->write_resume, &tv);
}
