/* jsonl.c: the JSON Lines sink (see jsonl.h). */
#include "sink/jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"

#define ROUND_MAX 512       /* records written between two fsyncs, at most */
#define FINISH_LINE_MS 5000 /* at close, the wait for a pipe to take the rest of a line */

struct jsonl {
    struct event_base *base;
    char *path; /* NULL for standard output */
    int fd;
    bool regular;     /* a regular file: fsynced, rotated */
    int flags_before; /* a pipe's or socket's status flags, restored at close; -1: untouched */
    /* A pipe or socket (O_NONBLOCK): a round's lines, written as the reader takes them. */
    struct buf pending;
    size_t pending_off;             /* bytes of pending written */
    char *pending_ids[ROUND_MAX];   /* the round's records, in order */
    size_t pending_ends[ROUND_MAX]; /* where each one's line ends in pending */
    size_t n_pending, n_written;    /* records in the round; those whose line is all written */
    double round_started;
    struct event *writable; /* on fd, while the reader is behind */
    off_t size;             /* bytes in the file now */
    long rotate_at;         /* 0: never */
    long keep;              /* rotated files kept */
    struct outbox_lane *lane;
    struct event *kick, *retry;
    unsigned failures; /* rounds failed in a row */
    void (*on_drained)(void *ud);
    void *ud;
    struct sink_stats stats;
    struct sink_latency latency;
};

static void on_writable(evutil_socket_t fd, short what, void *arg);

static bool configured(const struct config *cfg)
{
    return cfg->jsonl_file && *cfg->jsonl_file;
}

static void check(const struct config *cfg, sink_problem_fn problem, void *ud)
{
    struct stat st; /* a missing or unwritable file or folder is cmd_check.c's own check */
    if (strcmp(cfg->jsonl_file, "-") != 0 && stat(cfg->jsonl_file, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        char *reason = xasprintf("%s: is a folder, not a file", cfg->jsonl_file);
        problem("jsonl_file", reason, ud);
        free(reason);
    }
}

static const char *where(const struct jsonl *j)
{
    return j->path ? j->path : "standard output";
}

/* A crash (SIGKILL) in the middle of a write(2) can leave the file ending in part of a
 * line, not yet delivered, which is written whole again: the file is cut back to its last
 * whole line first, so that the next line does not join that part. */
static int cut_partial_line(struct jsonl *j)
{
    char chunk[4096];
    off_t end = j->size;
    while (end > 0) {
        size_t want = end < (off_t)sizeof chunk ? (size_t)end : sizeof chunk;
        ssize_t n = pread(j->fd, chunk, want, end - (off_t)want);
        if (n != (ssize_t)want)
            return -1;
        size_t k = want;
        while (k > 0 && chunk[k - 1] != '\n')
            k--;
        if (k > 0) {
            end -= (off_t)(want - k);
            break;
        }
        end -= (off_t)want;
    }
    if (end == j->size)
        return 0;
    log_warn("JSON Lines file ended in part of a line (a crash in the middle of a write), cut "
             "back to its last whole line file=\"%s\" bytes_cut=%lld",
             where(j), (long long)(j->size - end));
    if (ftruncate(j->fd, end) < 0)
        return -1;
    j->size = end;
    return 0;
}

static int open_file(struct jsonl *j, char *err, size_t errlen)
{
    j->fd = j->path ? open(j->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640)
                    : fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
    struct stat st;
    if (j->fd < 0 || fstat(j->fd, &st) < 0)
        return set_err(err, errlen, "JSON Lines sink: cannot open %s: %s", where(j),
                       strerror(errno));
    j->regular = S_ISREG(st.st_mode);
    j->size = st.st_size;
    if (j->regular && j->path && cut_partial_line(j) < 0)
        return set_err(err, errlen, "JSON Lines sink: cannot cut the partial last line of %s: %s",
                       where(j), strerror(errno));
    j->flags_before = -1;
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
        /* so that a reader who stops reading stops this sink, not the event loop */
        int flags = fcntl(j->fd, F_GETFL);
        if (flags < 0 || fcntl(j->fd, F_SETFL, flags | O_NONBLOCK) < 0)
            return set_err(err, errlen, "JSON Lines sink: cannot make %s non-blocking: %s",
                           where(j), strerror(errno));
        j->flags_before = flags;
        j->writable = event_new(j->base, j->fd, EV_WRITE, on_writable, j);
    }
    return 0;
}

/* The rest of a line the reader took part of, waiting up to FINISH_LINE_MS for it, so that
 * the next writer (a reopened file, the next start) begins at a line's start. */
static void finish_partial_line(struct jsonl *j)
{
    if (j->n_written == j->n_pending || j->pending_off == 0 ||
        (j->n_written && j->pending_off == j->pending_ends[j->n_written - 1]))
        return;
    size_t end = j->pending_ends[j->n_written];
    struct pollfd pfd = {.fd = j->fd, .events = POLLOUT};
    double until = sink_clock() + FINISH_LINE_MS / 1000.0;
    while (j->pending_off < end && sink_clock() < until) {
        ssize_t n = write(j->fd, j->pending.data + j->pending_off, end - j->pending_off);
        if (n > 0)
            j->pending_off += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EINTR))
            poll(&pfd, 1, (int)((until - sink_clock()) * 1000) + 1);
        else
            return;
    }
}

static void close_file(struct jsonl *j)
{
    if (j->fd >= 0) {
        finish_partial_line(j);
        if (j->flags_before >= 0)
            fcntl(j->fd, F_SETFL, j->flags_before); /* standard output is shared */
        close(j->fd);
    }
    if (j->writable)
        event_free(j->writable);
    j->writable = NULL;
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
    const struct jsonl *j = state;
    return outbox_queued(j->lane) == 0 && j->n_pending == 0;
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

/* The next record's line into *line (caller frees) with its record in *r: 1, or 0 when none
 * is queued. One that cannot be read is logged and skipped, one that is not JSON refused. */
static int next_line(struct jsonl *j, struct outbox_record *r, char **line, size_t *len)
{
    char err[512];
    for (;;) {
        int got = outbox_next(j->lane, r, err, sizeof err);
        if (got == 0)
            return 0;
        if (got < 0) {
            log_err("cannot read record for the JSON Lines sink reason=\"%s\"", err);
            continue;
        }
        *line = sink_record_line(r, len);
        if (*line)
            return 1;
        /* the outbox parsed it from its note: the bytes are not JSON after all */
        log_err("record is not JSON, moved to quarantine record=%s", r->id);
        if (outbox_refused(j->lane, r->id, err, sizeof err) < 0)
            log_err("%s", err);
        j->stats.refused++;
        outbox_record_free(r);
    }
}

/* ids[0..n) are delivered; the next round follows after the loop's other work. */
static void round_done(struct jsonl *j, char **ids, size_t n, double started)
{
    char err[512];
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
    }
}

static void next_round(struct jsonl *j)
{
    if (outbox_queued(j->lane))
        event_active(j->kick, EV_TIMEOUT, 0);
    else if (j->on_drained)
        j->on_drained(j->ud);
}

/* A file's (or a terminal's) round: up to ROUND_MAX lines written, a regular file fsynced,
 * the records delivered. */
static void write_file_round(struct jsonl *j)
{
    char *ids[ROUND_MAX];
    size_t n = 0;
    double started = sink_clock();
    char err[512] = "";
    struct outbox_record r;
    char *line;
    size_t len;
    while (n < ROUND_MAX && next_line(j, &r, &line, &len)) {
        int rc = 0;
        if (j->regular && j->rotate_at && j->size > 0 && j->size + (off_t)len > j->rotate_at)
            rc = rotate(j, err, sizeof err);
        if (rc == 0 && write_all(j->fd, line, len) < 0)
            rc = set_err(err, sizeof err, "write to %s: %s", where(j), strerror(errno));
        free(line);
        ids[n++] = r.id; /* on a failure sent again, with those written since the last fsync */
        r.id = NULL;
        outbox_record_free(&r);
        if (rc < 0)
            break;
        j->size += (off_t)len;
    }
    if (!err[0] && n && j->regular && fsync(j->fd) < 0)
        set_err(err, sizeof err, "fsync of %s: %s", where(j), strerror(errno));
    if (err[0])
        failed(j, err, ids, n);
    else
        round_done(j, ids, n, started);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    if (!err[0])
        next_round(j);
}

static void end_stream_round(struct jsonl *j)
{
    for (size_t i = 0; i < j->n_pending; i++)
        free(j->pending_ids[i]);
    j->n_pending = j->n_written = j->pending_off = 0;
    buf_reset(&j->pending);
}

/* The records of the round whose lines the reader has taken whole are delivered. */
static void deliver_written(struct jsonl *j)
{
    size_t from = j->n_written;
    while (j->n_written < j->n_pending && j->pending_ends[j->n_written] <= j->pending_off)
        j->n_written++;
    round_done(j, j->pending_ids + from, j->n_written - from, j->round_started);
}

/* Writes what the pipe or socket takes of the round's lines, from the byte it stopped at;
 * when it is full, the writable event calls again. Nothing else is written meanwhile, so
 * lines never interleave. */
static void flush_stream(struct jsonl *j)
{
    while (j->pending_off < j->pending.len) {
        ssize_t n = write(j->fd, j->pending.data + j->pending_off, j->pending.len - j->pending_off);
        if (n > 0) {
            j->pending_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        deliver_written(j);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            event_add(j->writable, NULL); /* the reader is behind: the records stay queued */
            return;
        }
        char err[512];
        set_err(err, sizeof err, "write to %s: %s", where(j), strerror(n < 0 ? errno : EIO));
        failed(j, err, j->pending_ids + j->n_written, j->n_pending - j->n_written);
        end_stream_round(j);
        return;
    }
    deliver_written(j);
    end_stream_round(j);
    next_round(j);
}

/* A pipe's or socket's round: up to ROUND_MAX lines, delivered once written (no fsync). */
static void write_stream_round(struct jsonl *j)
{
    if (j->n_pending)
        return; /* the round before is still being written */
    j->round_started = sink_clock();
    struct outbox_record r;
    char *line;
    size_t len;
    while (j->n_pending < ROUND_MAX && next_line(j, &r, &line, &len)) {
        buf_append(&j->pending, line, len);
        free(line);
        j->pending_ends[j->n_pending] = j->pending.len;
        j->pending_ids[j->n_pending++] = r.id;
        r.id = NULL;
        outbox_record_free(&r);
    }
    flush_stream(j);
}

static void write_round(struct jsonl *j)
{
    if (evtimer_pending(j->retry, NULL))
        return; /* waiting after a failure */
    if (j->writable)
        write_stream_round(j);
    else
        write_file_round(j);
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    flush_stream(arg);
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
    j->base = base;
    j->fd = -1;
    buf_init(&j->pending, 0);
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
    st.in_flight = j->n_pending - j->n_written;
    return st;
}

static void latency(void *state, double *p50_ms, double *p99_ms)
{
    sink_latency_percentiles(&((struct jsonl *)state)->latency, p50_ms, p99_ms);
}

/* After close_file(): the round's records written whole are delivered, the others queued
 * again. */
static void abandon_stream_round(struct jsonl *j)
{
    if (!j->n_pending)
        return;
    deliver_written(j);
    outbox_retry(j->lane, j->pending_ids + j->n_written, j->n_pending - j->n_written);
    end_stream_round(j);
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
    abandon_stream_round(j);
    if (open_file(j, err, sizeof err) < 0) {
        close_file(j);
        failed(j, err, NULL, 0);
        return;
    }
    log_notice("JSON Lines sink reopened file=\"%s\"", j->path);
    event_active(j->kick, EV_TIMEOUT, 0);
}

static void close_sink(void *state)
{
    struct jsonl *j = state;
    if (j->fd >= 0 && j->regular)
        fsync(j->fd);
    close_file(j);
    abandon_stream_round(j);
    buf_free(&j->pending);
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
    .check = check,
    .open = open_sink,
    .publish = publish,
    .drained = drained,
    .stats = stats,
    .latency = latency,
    .reopen = reopen,
    .close = close_sink,
};
