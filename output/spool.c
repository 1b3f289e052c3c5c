/* spool.c: atomic, durable record files: tmp/ -> fsync -> rename into new/ -> fsync dir,
 * one at a time or a batch at once (group commit); the sources.jsonl lines; claims
 * consumers never finished, returned from cur/ to new/. */
#include "output/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "output/record.h"

struct spool {
    char *dir;
    int tmp_fd; /* directory descriptors, kept open for openat/renameat/fsync */
    int new_fd;
    int cur_fd;
    int quarantine_fd;
};

/* Group rights as the umask allows: under the unit (UMask=0007) group feedspool may claim
 * records, i.e. rename them from new/ into cur/. */
static int make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0770) < 0 && errno != EEXIST)
        return set_err(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return 0;
}

static int open_subdir(const char *dir, const char *name, int *fd, char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, name);
    int rc = make_dir(path, err, errlen);
    if (rc == 0) {
        *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*fd < 0)
            rc = set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    }
    free(path);
    return rc;
}

void spool_clean_tmp(struct spool *sp)
{
    int fd = dup(sp->tmp_fd);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    rewinddir(d); /* the duplicate shares its offset with the kept descriptor */
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            unlinkat(sp->tmp_fd, de->d_name, 0);
    closedir(d);
}

int spool_open(const char *dir, struct spool **out, char *err, size_t errlen)
{
    *out = NULL;
    struct spool *sp = xcalloc(1, sizeof *sp);
    sp->dir = xstrdup(dir);
    sp->tmp_fd = sp->new_fd = sp->cur_fd = sp->quarantine_fd = -1;
    if (make_dir(dir, err, errlen) < 0 || open_subdir(dir, "tmp", &sp->tmp_fd, err, errlen) < 0 ||
        open_subdir(dir, "new", &sp->new_fd, err, errlen) < 0 ||
        open_subdir(dir, "cur", &sp->cur_fd, err, errlen) < 0 ||
        open_subdir(dir, "quarantine", &sp->quarantine_fd, err, errlen) < 0) {
        spool_close(sp);
        return -1;
    }
    *out = sp;
    return 0;
}

void spool_close(struct spool *sp)
{
    if (!sp)
        return;
    if (sp->tmp_fd >= 0)
        close(sp->tmp_fd);
    if (sp->new_fd >= 0)
        close(sp->new_fd);
    if (sp->cur_fd >= 0)
        close(sp->cur_fd);
    if (sp->quarantine_fd >= 0)
        close(sp->quarantine_fd);
    free(sp->dir);
    free(sp);
}

const char *spool_dir(const struct spool *sp)
{
    return sp->dir;
}

static bool valid_record_id(const char *id)
{
    return record_file_stem_valid(id, strlen(id));
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes tmp/<name> and fsyncs it (and, with sync_folder, tmp/ itself, so that the file
 * survives a power loss). On failure the file is removed. */
static int write_tmp(struct spool *sp, const char *name, const char *data, size_t len,
                     bool sync_folder, char *err, size_t errlen)
{
    int fd = openat(sp->tmp_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return set_err(err, errlen, "%s/tmp/%s: cannot create: %s", sp->dir, name, strerror(errno));
    const char *step = "write";
    int rc = write_all(fd, data, len);
    if (rc == 0) {
        step = "fsync";
        rc = fsync(fd);
    }
    int saved_errno = errno;
    if (close(fd) < 0 && rc == 0) {
        step = "close";
        saved_errno = errno;
        rc = -1;
    }
    if (rc == 0 && sync_folder && fsync(sp->tmp_fd) < 0) {
        step = "fsync of tmp/";
        saved_errno = errno;
        rc = -1;
    }
    if (rc < 0) {
        unlinkat(sp->tmp_fd, name, 0);
        return set_err(err, errlen, "%s/tmp/%s: %s failed: %s", sp->dir, name, step,
                       strerror(saved_errno));
    }
    return 0;
}

/* tmp/<name> renamed into the folder dest_fd (named dest), which is then fsynced. */
static int move_from_tmp(struct spool *sp, int dest_fd, const char *dest, const char *name,
                         char *err, size_t errlen)
{
    if (renameat(sp->tmp_fd, name, dest_fd, name) < 0)
        return set_err(err, errlen, "%s/tmp/%s: rename into %s failed: %s", sp->dir, name, dest,
                       strerror(errno));
    if (fsync(dest_fd) < 0)
        return set_err(err, errlen, "%s/%s: fsync of the folder failed: %s", sp->dir, dest,
                       strerror(errno));
    return 0;
}

static int record_name(const char *record_id, char name[160], char *err, size_t errlen)
{
    if (!valid_record_id(record_id))
        return set_err(err, errlen, "invalid record id");
    snprintf(name, 160, "%s.json", record_id);
    return 0;
}

int spool_stage(struct spool *sp, const char *record_id, const char *data, size_t len, char *err,
                size_t errlen)
{
    char name[160];
    if (record_name(record_id, name, err, errlen) < 0)
        return -1;
    return write_tmp(sp, name, data, len, true, err, errlen);
}

int spool_publish_staged(struct spool *sp, const char *record_id, char *err, size_t errlen)
{
    char name[160];
    if (record_name(record_id, name, err, errlen) < 0)
        return -1;
    struct stat st;
    if (fstatat(sp->tmp_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno != ENOENT)
            return set_err(err, errlen, "%s/tmp/%s: %s", sp->dir, name, strerror(errno));
        /* Renamed before a crash: make sure that rename is durable too. */
        if (fsync(sp->new_fd) < 0)
            return set_err(err, errlen, "%s/new: fsync of the folder failed: %s", sp->dir,
                           strerror(errno));
        return 0;
    }
    if (move_from_tmp(sp, sp->new_fd, "new/", name, err, errlen) < 0)
        return -1;
    return 1;
}

/* Opens, writes (with its note) and starts the writeback of tmp/<name> for entry e; the
 * descriptor, or -1 with e failed (and nothing left in tmp/). */
static int write_batch_file(struct spool *sp, struct spool_batch_entry *e)
{
    char name[160];
    if (record_name(e->record_id, name, e->err, sizeof e->err) < 0) {
        e->failed = true;
        return -1;
    }
    int fd = openat(sp->tmp_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        set_err(e->err, sizeof e->err, "%s/tmp/%s: cannot create: %s", sp->dir, name,
                strerror(errno));
        e->failed = true;
        return -1;
    }
    if (write_all(fd, e->data, e->len) < 0) {
        set_err(e->err, sizeof e->err, "%s/tmp/%s: write failed: %s", sp->dir, name,
                strerror(errno));
        close(fd);
        unlinkat(sp->tmp_fd, name, 0);
        e->failed = true;
        return -1;
    }
    /* Before the fsync, so that the note is as durable as the file. No attributes on this
     * file system: the outbox parses the record instead. */
    if (e->note)
        fsetxattr(fd, SPOOL_NOTE_ATTR, e->note, strlen(e->note), 0);
    /* Writeback of every file of the batch begins now, so that the fsyncs below find their
     * data on its way, and ext4 commits their blocks in one journal transaction. Only a
     * start: the fsync is what makes the file durable. */
    sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    return fd;
}

size_t spool_stage_batch(struct spool *sp, struct spool_batch_entry *entries, size_t n)
{
    int *fds = xcalloc(n ? n : 1, sizeof *fds);
    for (size_t i = 0; i < n; i++)
        fds[i] = entries[i].failed ? -1 : write_batch_file(sp, &entries[i]);
    size_t staged = 0;
    for (size_t i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        struct spool_batch_entry *e = &entries[i];
        const char *step = fsync(fds[i]) < 0 ? "fsync" : NULL;
        int saved_errno = errno;
        if (close(fds[i]) < 0 && !step) {
            step = "close";
            saved_errno = errno;
        }
        if (step) {
            char name[160];
            snprintf(name, sizeof name, "%s.json", e->record_id);
            unlinkat(sp->tmp_fd, name, 0);
            set_err(e->err, sizeof e->err, "%s/tmp/%s: %s failed: %s", sp->dir, name, step,
                    strerror(saved_errno));
            e->failed = true;
        } else {
            staged++;
        }
    }
    free(fds);
    if (staged && fsync(sp->tmp_fd) < 0) {
        int saved_errno = errno;
        for (size_t i = 0; i < n; i++) {
            struct spool_batch_entry *e = &entries[i];
            if (e->failed)
                continue;
            spool_discard_staged(sp, e->record_id);
            set_err(e->err, sizeof e->err, "%s/tmp/%s.json: fsync of tmp/ failed: %s", sp->dir,
                    e->record_id, strerror(saved_errno));
            e->failed = true;
        }
        staged = 0;
    }
    return staged;
}

size_t spool_publish_batch(struct spool *sp, struct spool_batch_entry *entries, size_t n)
{
    size_t published = 0;
    for (size_t i = 0; i < n; i++) {
        struct spool_batch_entry *e = &entries[i];
        if (e->failed)
            continue;
        char name[160];
        if (record_name(e->record_id, name, e->err, sizeof e->err) < 0) {
            e->failed = true;
            continue;
        }
        /* Not in tmp/: renamed before a crash or a failed fsync of new/ (the fsync below
         * makes that rename durable too). */
        if (renameat(sp->tmp_fd, name, sp->new_fd, name) == 0) {
            e->renamed = true;
        } else if (errno != ENOENT) {
            set_err(e->err, sizeof e->err, "%s/tmp/%s: rename into new/ failed: %s", sp->dir, name,
                    strerror(errno));
            e->failed = true;
            continue;
        }
        published++;
    }
    if (published && fsync(sp->new_fd) < 0) {
        int saved_errno = errno;
        for (size_t i = 0; i < n; i++)
            if (!entries[i].failed) {
                set_err(entries[i].err, sizeof entries[i].err,
                        "%s/new: fsync of the folder failed: %s", sp->dir, strerror(saved_errno));
                entries[i].failed = true;
            }
        published = 0;
    }
    return published;
}

void spool_discard_staged(struct spool *sp, const char *record_id)
{
    char name[160];
    char err[64];
    if (record_name(record_id, name, err, sizeof err) == 0)
        unlinkat(sp->tmp_fd, name, 0);
}

/* Fails every entry of the batch not failed yet, with reason. */
static void fail_remaining(struct spool_batch_entry *entries, size_t n, const char *reason)
{
    for (size_t i = 0; i < n; i++)
        if (!entries[i].failed) {
            snprintf(entries[i].err, sizeof entries[i].err, "%s", reason);
            entries[i].failed = true;
        }
}

size_t spool_append_sources(struct spool *sp, struct spool_batch_entry *entries, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += !entries[i].failed;
    if (!lines) /* (the file is not created for nothing: consumers look for it) */
        return 0;
    char *path = xasprintf("%s/sources.jsonl", sp->dir);
    char reason[512];
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    off_t start = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    if (start < 0) {
        set_err(reason, sizeof reason, "%s: %s", path, strerror(errno));
        fail_remaining(entries, n, reason);
        if (fd >= 0)
            close(fd);
        free(path);
        return 0;
    }
    size_t appended = 0;
    off_t end = start;
    for (size_t i = 0; i < n; i++) {
        struct spool_batch_entry *e = &entries[i];
        if (e->failed)
            continue;
        if (write_all(fd, e->data, e->len) < 0) {
            set_err(e->err, sizeof e->err, "%s: %s", path, strerror(errno));
            e->failed = true;
            if (ftruncate(fd, end) < 0) /* a part of a line: the batch cannot go on */
                fail_remaining(entries, n, e->err);
            continue;
        }
        end += (off_t)e->len;
        appended++;
    }
    if (appended && fsync(fd) < 0) {
        /* Not known to be on disk: written again later, from where the batch began. */
        set_err(reason, sizeof reason, "%s: fsync failed: %s", path, strerror(errno));
        (void)!ftruncate(fd, start);
        fail_remaining(entries, n, reason);
        appended = 0;
    }
    close(fd);
    free(path);
    return appended;
}

int spool_quarantine(struct spool *sp, const char *record_id, const char *data, size_t len,
                     char *err, size_t errlen)
{
    char name[160];
    if (record_name(record_id, name, err, errlen) < 0 ||
        write_tmp(sp, name, data, len, false, err, errlen) < 0)
        return -1;
    if (move_from_tmp(sp, sp->quarantine_fd, "quarantine/", name, err, errlen) < 0) {
        unlinkat(sp->tmp_fd, name, 0);
        return -1;
    }
    return 0;
}

long spool_reclaim_claims(struct spool *sp, long max_age, char *err, size_t errlen)
{
    int fd = dup(sp->cur_fd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return set_err(err, errlen, "%s/cur: %s", sp->dir, strerror(errno));
    }
    rewinddir(d); /* the duplicate shares its offset with the kept descriptor */
    time_t now = time(NULL);
    long returned = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        const char *dot = strrchr(de->d_name, '.');
        if (de->d_name[0] == '.' || !dot || strcmp(dot, ".json") != 0 ||
            fstatat(sp->cur_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        /* rename(2) into cur/ sets the file's ctime: the claim's age. A consumer still at
         * work renews its claim by touching the file. */
        if (now - st.st_ctime < max_age)
            continue;
        /* A consumer deleting it at this moment wins: the rename then fails with ENOENT. */
        if (renameat(sp->cur_fd, de->d_name, sp->new_fd, de->d_name) == 0)
            returned++;
    }
    closedir(d);
    if (returned && (fsync(sp->new_fd) < 0 || fsync(sp->cur_fd) < 0))
        return set_err(err, errlen, "%s: fsync of new/ or cur/ failed: %s", sp->dir,
                       strerror(errno));
    return returned;
}

/* Counts the regular files of dir/sub, their bytes and the oldest modification time. */
static int scan_folder(const char *dir, const char *sub, long *files, long long *bytes,
                       time_t *oldest, char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (!d) {
        int rc = set_err(err, errlen, "%s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        (*files)++;
        if (bytes)
            *bytes += st.st_size;
        if (oldest && (*oldest == 0 || st.st_mtime < *oldest))
            *oldest = st.st_mtime;
    }
    closedir(d);
    free(path);
    return 0;
}

int spool_read_depth(const char *dir, struct spool_stats *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    time_t oldest = 0;
    if (scan_folder(dir, "new", &out->new_records, &out->new_bytes, &oldest, err, errlen) < 0)
        return -1;
    out->oldest_age = oldest ? (long long)(time(NULL) - oldest) : -1;
    return 0;
}

int spool_read_stats(const char *dir, struct spool_stats *out, char *err, size_t errlen)
{
    if (spool_read_depth(dir, out, err, errlen) < 0 ||
        scan_folder(dir, "cur", &out->cur_records, NULL, NULL, err, errlen) < 0 ||
        scan_folder(dir, "tmp", &out->tmp_files, NULL, NULL, err, errlen) < 0)
        return -1;
    /* Folders a spool may lack: quarantine/ (spools from before it), sent/ (no JetStream). */
    static const char *const optional[] = {"quarantine", "sent"};
    long *counts[] = {&out->quarantined, &out->sent_records};
    for (size_t i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s", dir, optional[i]);
        struct stat st;
        bool present = stat(path, &st) == 0;
        free(path);
        if (present && scan_folder(dir, optional[i], counts[i], NULL, NULL, err, errlen) < 0)
            return -1;
    }
    return 0;
}
