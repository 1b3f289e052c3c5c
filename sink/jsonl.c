/* jsonl.c: the JSON Lines sink (see jsonl.h). */
#include "sink/jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define ROUND_MAX 512 /* records written between two fsyncs, at most */

struct jsonl {
    char *path; /* NULL for standard output */
    int fd;
    bool regular;   /* a regular file: fsynced, rotated */
    off_t size;     /* bytes in the file now */
    long rotate_at; /* 0: never */
    long keep;      /* rotated files kept */
    struct outbox_lane *lane;
    struct event *kick, *retry;
    unsigned failures; /* rounds failed in a row */
    void (*on_drained)(void *ud);
    void *ud;
    struct sink_stats stats;
    struct sink_latency latency;
};

static bool configured(const struct config *cfg)
{
    return cfg->jsonl_file && *cfg->jsonl_file;
}

static const char *where(const struct jsonl *j)
{
    return j->path ? j->path : "standard output";
}

static int open_file(struct jsonl *j, char *err, size_t errlen)
{
    j->fd = j->path ? open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)
                    : fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
    struct stat st;
    if (j->fd < 0 || fstat(j->fd, &st) < 0)
        return set_err(err, errlen, "JSON Lines sink: cannot open %s: %s", where(j),
                       strerror(errno));
    j->regular = S_ISREG(st.st_mode);
    j->size = st.st_size;
    return 0;
}

static void close_file(struct jsonl *j)
{
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* FILE -> FILE.1, FILE.1 -> FILE.2 ... (the oldest dropped), then a new FILE. */
static int rotate(struct jsonl *j, char *err, size_t errlen)
{
    if (fsync(j->fd) < 0)
        return set_err(err, errlen, "fsync of %s: %s", j->path, strerror(errno));
    for (long k = j->keep - 1; k >= 1; k--) {
        char *from = xasprintf("%s.%ld", j->path, k), *to = xasprintf("%s.%ld", j->path, k + 1);
        rename(from, to); /* a missing one is no error */
        free(from);
        free(to);
    }
    char *first = xasprintf("%s.1", j->path);
    int rc = rename(j->path, first);
    free(first);
    if (rc < 0)
        return set_err(err, errlen, "cannot rotate %s: %s", j->path, strerror(errno));
    close_file(j);
    return open_file(j, err, errlen);
}

static bool drained(const void *state)
{
    return outbox_queued(((const struct jsonl *)state)->lane) == 0;
}

static void failed(struct jsonl *j, const char *why, char **ids, size_t n)
{
    if (j->failures++ == 0)
        log_warn("JSON Lines sink cannot write, records wait in the spool file=\"%s\" "
                 "reason=\"%s\"",
                 where(j), why);
    j->stats.connected = false;
    outbox_retry(j->lane, ids, n);
    double wait = 0.5 * (double)(1u << (j->failures < 7 ? j->failures : 7));
    if (wait > 30)
        wait = 30;
    struct timeval tv = {.tv_sec = (long)wait, .tv_usec = (long)((wait - (long)wait) * 1e6)};
    evtimer_add(j->retry, &tv);
}

/* One round: up to ROUND_MAX lines written, the file fsynced, the records delivered. */
static void write_round(struct jsonl *j)
{
    if (evtimer_pending(j->retry, NULL))
        return; /* waiting after a failure */
    char *ids[ROUND_MAX];
    size_t n = 0;
    double started = sink_clock();
    char err[512] = "";
    while (n < ROUND_MAX) {
        struct outbox_record r;
        int got = outbox_next(j->lane, &r, err, sizeof err);
        if (got == 0)
            break;
        if (got < 0) {
            log_err("cannot read record for the JSON Lines sink reason=\"%s\"", err);
            err[0] = '\0';
            continue;
        }
        size_t len;
        char *line = sink_record_line(&r, &len);
        if (!line) { /* the outbox parsed it from its note: the bytes are not JSON after all */
            log_err("record is not JSON, moved to quarantine record=%s", r.id);
            if (outbox_refused(j->lane, r.id, err, sizeof err) < 0)
                log_err("%s", err);
            j->stats.refused++;
            outbox_record_free(&r);
            continue;
        }
        int rc = 0;
        if (j->regular && j->rotate_at && j->size > 0 && j->size + (off_t)len > j->rotate_at)
            rc = rotate(j, err, sizeof err);
        if (rc == 0 && write_all(j->fd, line, len) < 0)
            rc = set_err(err, sizeof err, "write to %s: %s", where(j), strerror(errno));
        free(line);
        if (rc < 0) {
            ids[n++] = r.id; /* sent again, with those written since the last fsync */
            r.id = NULL;
            outbox_record_free(&r);
            failed(j, err, ids, n);
            for (size_t i = 0; i < n; i++)
                free(ids[i]);
            return;
        }
        j->size += (off_t)len;
        ids[n++] = r.id;
        r.id = NULL;
        outbox_record_free(&r);
    }
    if (n && j->regular && fsync(j->fd) < 0) {
        set_err(err, sizeof err, "fsync of %s: %s", where(j), strerror(errno));
        failed(j, err, ids, n);
        for (size_t i = 0; i < n; i++)
            free(ids[i]);
        return;
    }
    if (n && j->failures) {
        log_notice("JSON Lines sink writes again file=\"%s\" after_failures=%u", where(j),
                   j->failures);
        j->failures = 0;
    }
    j->stats.connected = true;
    double took_ms = (sink_clock() - started) * 1000;
    for (size_t i = 0; i < n; i++) {
        if (outbox_sent(j->lane, ids[i], err, sizeof err) < 0)
            log_err("%s", err);
        j->stats.published++;
        sink_latency_note(&j->latency, took_ms);
        free(ids[i]);
    }
    if (outbox_queued(j->lane))
        event_active(j->kick, EV_TIMEOUT, 0); /* the next round after the loop's other work */
    else if (j->on_drained)
        j->on_drained(j->ud);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    write_round(arg);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct jsonl *j = arg;
    if (j->fd < 0) {
        char err[512];
        if (open_file(j, err, sizeof err) < 0) {
            failed(j, err, NULL, 0);
            return;
        }
    }
    write_round(j);
}

static void close_sink(void *state);

static void *open_sink(struct event_base *base, const struct config *cfg, struct outbox_lane *lane,
                       void (*on_drained)(void *ud), void *ud, char *err, size_t errlen)
{
    struct jsonl *j = xcalloc(1, sizeof *j);
    j->fd = -1;
    j->path = strcmp(cfg->jsonl_file, "-") == 0 ? NULL : xstrdup(cfg->jsonl_file);
    j->rotate_at = cfg->jsonl_rotate_bytes;
    j->keep = cfg->jsonl_keep;
    j->lane = lane;
    j->on_drained = on_drained;
    j->ud = ud;
    j->kick = event_new(base, -1, 0, on_kick, j);
    j->retry = evtimer_new(base, on_retry, j);
    if (open_file(j, err, errlen) < 0) {
        close_sink(j);
        return NULL;
    }
    j->stats.connected = true;
    if (outbox_queued(lane))
        log_notice("records waiting in the spool for the JSON Lines sink count=%zu",
                   outbox_queued(lane));
    event_active(j->kick, EV_TIMEOUT, 0);
    return j;
}

static void publish(void *state)
{
    struct jsonl *j = state;
    event_active(j->kick, EV_TIMEOUT, 0); /* written in a round with the others of this turn */
}

static struct sink_stats stats(const void *state)
{
    const struct jsonl *j = state;
    struct sink_stats st = j->stats;
    st.queued = outbox_queued(j->lane);
    return st;
}

static void latency(void *state, double *p50_ms, double *p99_ms)
{
    sink_latency_percentiles(&((struct jsonl *)state)->latency, p50_ms, p99_ms);
}

static void reopen(void *state)
{
    struct jsonl *j = state;
    if (!j->path)
        return;
    char err[512];
    if (j->fd >= 0 && j->regular)
        fsync(j->fd);
    close_file(j);
    if (open_file(j, err, sizeof err) < 0) {
        close_file(j);
        failed(j, err, NULL, 0);
        return;
    }
    log_notice("JSON Lines sink reopened file=\"%s\"", j->path);
}

static void close_sink(void *state)
{
    struct jsonl *j = state;
    if (j->fd >= 0 && j->regular)
        fsync(j->fd);
    close_file(j);
    if (j->kick)
        event_free(j->kick);
    if (j->retry)
        event_free(j->retry);
    sink_latency_free(&j->latency);
    free(j->path);
    free(j);
}

const struct sink_ops jsonl_sink_ops = {
    .name = "jsonl",
    .title = "JSON Lines",
    .configured = configured,
    .open = open_sink,
    .publish = publish,
    .drained = drained,
    .stats = stats,
    .latency = latency,
    .reopen = reopen,
    .close = close_sink,
};
