/* archive.c: WARC files in one folder: appending, rotation, retention, reading back. */
#include "output/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define RETENTION_EVERY 60 /* seconds between retention passes while writing */
#define ARCHIVE_SUFFIX ".warc.gz"

struct archive {
    struct archive_options o;
    char *dir;
    int dir_fd;
    int fd; /* the current file, -1 before the first write */
    char name[ARCHIVE_NAME_MAX];
    int64_t size;
    int64_t warcinfo_size; /* of the current file's first record */
    int64_t total;         /* of all files, as of the last retention pass and the writes since */
    bool unsynced;
    long sequence; /* the next file's number: file names sort in the order they were begun */
    int64_t last_retention;
};

char *archive_folder(const char *state_path)
{
    const char *slash = strrchr(state_path, '/');
    if (!slash)
        return xstrdup("archive");
    return xasprintf("%.*s/archive", (int)(slash - state_path), state_path);
}

int archive_open(const struct archive_options *o, struct archive **out, char *err, size_t errlen)
{
    *out = NULL;
    if (mkdir(o->dir, 0750) < 0 && errno != EEXIST)
        return set_err(err, errlen, "%s: cannot make the archive folder: %s", o->dir,
                       strerror(errno));
    int dir_fd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return set_err(err, errlen, "%s: cannot open the archive folder: %s", o->dir,
                       strerror(errno));
    struct archive *a = xcalloc(1, sizeof *a);
    a->o = *o;
    a->dir = xstrdup(o->dir);
    a->o.dir = a->dir;
    a->dir_fd = dir_fd;
    a->fd = -1;
    *out = a;
    archive_apply_retention(a, (int64_t)time(NULL), 1);
    return 0;
}

void archive_close(struct archive *a)
{
    if (!a)
        return;
    char err[256];
    if (archive_sync(a, err, sizeof err) < 0)
        log_err("archive sync failed reason=\"%s\"", err);
    if (a->fd >= 0)
        close(a->fd);
    close(a->dir_fd);
    free(a->dir);
    free(a);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Closes the current file (synced) and begins a new one, numbered one past the last so
 * that names sort oldest first (its time of creation follows), with its warcinfo record. */
static int begin_file(struct archive *a, char *err, size_t errlen)
{
    if (a->fd >= 0) {
        if (archive_sync(a, err, errlen) < 0)
            return -1;
        close(a->fd);
        a->fd = -1;
    }
    int64_t now = (int64_t)time(NULL);
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 1000; tries++) {
        snprintf(a->name, sizeof a->name, "feedspool-%010ld-%s%s", a->sequence++, stamp,
                 ARCHIVE_SUFFIX);
        fd = openat(a->dir_fd, a->name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        return set_err(err, errlen, "%s/%s: cannot create: %s", a->dir, a->name, strerror(errno));
    struct buf b;
    buf_init(&b, 0);
    warc_append_warcinfo(&b, a->name, now);
    int rc = write_all(fd, b.data, b.len);
    if (rc < 0 || fsync(a->dir_fd) < 0) {
        set_err(err, errlen, "%s/%s: cannot write: %s", a->dir, a->name, strerror(errno));
        close(fd);
        unlinkat(a->dir_fd, a->name, 0);
        buf_free(&b);
        return -1;
    }
    a->fd = fd;
    a->size = a->warcinfo_size = (int64_t)b.len;
    a->unsynced = true;
    buf_free(&b);
    archive_apply_retention(a, now, 1);
    return 0;
}

int archive_write(struct archive *a, const struct warc_exchange *x, char file[ARCHIVE_NAME_MAX],
                  int64_t *offset, char *err, size_t errlen)
{
    struct buf b;
    buf_init(&b, 0);
    size_t response_at = 0;
    warc_append_exchange(&b, x, &response_at);
    int rc = 0;
    if (a->fd < 0 || (a->size + (int64_t)b.len > a->o.max_file_bytes && a->size > a->warcinfo_size))
        rc = begin_file(a, err, errlen);
    if (rc == 0 && write_all(a->fd, b.data, b.len) < 0) {
        rc = set_err(err, errlen, "%s/%s: cannot write: %s", a->dir, a->name, strerror(errno));
        /* what part of it was written stays behind its last whole record: a new file
         * begins, so that nothing is appended after the torn one */
        close(a->fd);
        a->fd = -1;
    }
    if (rc == 0) {
        snprintf(file, ARCHIVE_NAME_MAX, "%s", a->name);
        *offset = a->size + (int64_t)response_at;
        a->size += (int64_t)b.len;
        a->total += (int64_t)b.len;
        a->unsynced = true;
        archive_apply_retention(a, x->date, a->total > a->o.max_bytes);
    }
    buf_free(&b);
    return rc;
}

int archive_sync(struct archive *a, char *err, size_t errlen)
{
    if (!a->unsynced || a->fd < 0)
        return 0;
    if (fdatasync(a->fd) < 0)
        return set_err(err, errlen, "%s/%s: cannot sync: %s", a->dir, a->name, strerror(errno));
    a->unsynced = false;
    return 0;
}

struct archive_file {
    char *name;
    int64_t size, mtime;
};

static int by_name(const void *x, const void *y)
{
    return strcmp(((const struct archive_file *)x)->name, ((const struct archive_file *)y)->name);
}

long archive_apply_retention(struct archive *a, int64_t now, int force)
{
    if (!force && now - a->last_retention < RETENTION_EVERY)
        return 0;
    a->last_retention = now;
    int fd = dup(a->dir_fd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        log_err("cannot list the archive folder dir=%s reason=\"%s\"", a->dir, strerror(errno));
        return 0;
    }
    rewinddir(d);
    struct archive_file *files = NULL;
    size_t n = 0, cap = 0;
    int64_t total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        struct stat st;
        if (len <= strlen(ARCHIVE_SUFFIX) ||
            strcmp(e->d_name + len - strlen(ARCHIVE_SUFFIX), ARCHIVE_SUFFIX) != 0 ||
            fstatat(a->dir_fd, e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap)
            files = xrealloc(files, (cap = cap ? 2 * cap : 32) * sizeof *files);
        files[n++] = (struct archive_file){xstrdup(e->d_name), st.st_size, st.st_mtim.tv_sec};
        total += st.st_size;
        long number = strncmp(e->d_name, "feedspool-", 10) == 0 ? atol(e->d_name + 10) : -1;
        if (number >= a->sequence)
            a->sequence = number + 1;
    }
    closedir(d);
    if (n)
        qsort(files, n, sizeof *files, by_name);
    long removed = 0;
    for (size_t i = 0; i < n; i++) {
        bool current = a->fd >= 0 && strcmp(files[i].name, a->name) == 0;
        bool too_old = now - files[i].mtime > a->o.max_age;
        if (!current && (total > a->o.max_bytes || too_old)) {
            if (unlinkat(a->dir_fd, files[i].name, 0) == 0) {
                log_notice("archive file removed file=%s bytes=%lld reason=%s", files[i].name,
                           (long long)files[i].size,
                           too_old ? "archive_max_age" : "archive_max_bytes");
                total -= files[i].size;
                removed++;
            } else {
                log_err("cannot remove archive file file=%s reason=\"%s\"", files[i].name,
                        strerror(errno));
            }
        }
        free(files[i].name);
    }
    free(files);
    a->total = total;
    return removed;
}

int archive_read(const char *dir, const char *file, int64_t offset, size_t max_record,
                 struct warc_record *out, char *err, size_t errlen)
{
    if (strchr(file, '/') || offset < 0)
        return set_err(err, errlen, "not an archive position: %s@%lld", file, (long long)offset);
    char *path = xasprintf("%s/%s", dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int missing = errno == ENOENT;
        set_err(err, errlen, "%s: %s", path,
                missing ? "no longer in the archive (removed by archive_max_bytes or "
                          "archive_max_age)"
                        : strerror(errno));
        free(path);
        return missing ? -2 : -1;
    }
    /* A member compresses its record: it is never much larger than the record. */
    size_t want = max_record + max_record / 8 + 65536;
    char *data = xmalloc(want);
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(fd, data + got, want - got, (off_t)offset + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    int rc = warc_read_member(data, got, max_record, out, err, errlen);
    if (rc < 0) {
        char why[400];
        snprintf(why, sizeof why, "%s", err);
        set_err(err, errlen, "%s at %lld: %s", path, (long long)offset, why);
    }
    free(data);
    free(path);
    return rc;
}
