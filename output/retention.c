/* retention.c: the limits of sent/, quarantine/ and sources.jsonl, and the spool's disk
 * budget (retention.h). */
#include "output/retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define SOURCES_NAME "sources.jsonl"
#define BUDGET_LOW_WATER(budget) ((budget) / 10 * 9) /* a pass over the budget stops here */

/* A file of a folder as the plan sees it: when it was written, what it occupies. */
struct aged {
    time_t when;
    long long bytes;
};

/* A removable folder: its files sorted oldest first, and how many of them go. */
struct removable {
    struct aged *files;
    size_t n, cap;
    size_t remove; /* the first `remove` of files */
};

static long long disk_bytes(const struct stat *st)
{
    return (long long)st->st_blocks * 512;
}

const char *retention_folder_name(enum retention_folder f)
{
    static const char *const names[RETENTION_FOLDERS] = {[RETENTION_SENT] = "sent",
                                                         [RETENTION_SOURCES] = "sources",
                                                         [RETENTION_QUARANTINE] = "quarantine"};
    return names[f];
}

static int compare_aged(const void *a, const void *b)
{
    const struct aged *x = a, *y = b;
    return (x->when > y->when) - (x->when < y->when);
}

/* Opens dir/sub as a directory stream; NULL with *absent set when it does not exist. */
static DIR *open_folder(const char *dir, const char *sub, bool *absent, char *err, size_t errlen)
{
    char *path = xasprintf("%s/%s", dir, sub);
    DIR *d = opendir(path);
    *absent = !d && errno == ENOENT;
    if (!d && !*absent)
        set_err(err, errlen, "%s: %s", path, strerror(errno));
    free(path);
    return d;
}

static bool is_regular(DIR *d, const struct dirent *de, struct stat *st)
{
    return de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, st, AT_SYMLINK_NOFOLLOW) == 0 &&
           S_ISREG(st->st_mode);
}

/* The bytes of the regular files of dir/sub (a missing folder holds none). */
static int folder_bytes(const char *dir, const char *sub, long long *bytes, char *err,
                        size_t errlen)
{
    bool absent;
    DIR *d = open_folder(dir, sub, &absent, err, errlen);
    if (!d)
        return absent ? 0 : -1;
    struct dirent *de;
    struct stat st;
    while ((de = readdir(d)))
        if (is_regular(d, de, &st))
            *bytes += disk_bytes(&st);
    closedir(d);
    return 0;
}

/* The times and sizes of the files of dir/sub, oldest first. */
static int scan_removable(const char *dir, const char *sub, struct removable *r, char *err,
                          size_t errlen)
{
    bool absent;
    DIR *d = open_folder(dir, sub, &absent, err, errlen);
    if (!d)
        return absent ? 0 : -1;
    struct dirent *de;
    struct stat st;
    while ((de = readdir(d))) {
        if (!is_regular(d, de, &st))
            continue;
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 256;
            r->files = xrealloc(r->files, r->cap * sizeof *r->files);
        }
        r->files[r->n++] = (struct aged){.when = st.st_mtime, .bytes = disk_bytes(&st)};
    }
    closedir(d);
    if (r->n) /* (qsort's pointer must not be NULL, even for no element) */
        qsort(r->files, r->n, sizeof *r->files, compare_aged);
    return 0;
}

/* How many of the oldest files the age and count limits remove. */
static size_t due_by_limits(const struct removable *r, long max_age, long max_files, time_t now)
{
    size_t due = 0;
    if (max_age > 0)
        while (due < r->n && r->files[due].when <= now - max_age)
            due++;
    if (max_files > 0 && r->n > (size_t)max_files && r->n - (size_t)max_files > due)
        due = r->n - (size_t)max_files;
    return due;
}

/* Removes the r->remove oldest files of dir/sub: those older than the last one's time, and
 * as many of that very time as the count asks (the order among equal times is arbitrary). */
static int remove_oldest(const char *dir, const char *sub, const struct removable *r, long *removed,
                         long long *removed_bytes, char *err, size_t errlen)
{
    if (r->remove == 0)
        return 0;
    time_t cutoff = r->files[r->remove - 1].when;
    size_t at_cutoff = 0;
    for (size_t i = 0; i < r->remove; i++)
        at_cutoff += r->files[i].when == cutoff;
    bool absent;
    DIR *d = open_folder(dir, sub, &absent, err, errlen);
    if (!d)
        return absent ? 0 : -1;
    struct dirent *de;
    struct stat st;
    while ((de = readdir(d))) {
        if (!is_regular(d, de, &st) || st.st_mtime > cutoff ||
            (st.st_mtime == cutoff && at_cutoff == 0))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) < 0)
            continue; /* removed by someone else meanwhile */
        if (st.st_mtime == cutoff)
            at_cutoff--;
        (*removed)++;
        *removed_bytes += disk_bytes(&st);
    }
    closedir(d);
    return 0;
}

/* ---- sources.jsonl and its rotated files --------------------------------- */

struct rotated {
    long index; /* sources.jsonl.INDEX */
    time_t when;
    long long bytes;
};

static int compare_rotated_oldest_first(const void *a, const void *b)
{
    const struct rotated *x = a, *y = b;
    return (x->index < y->index) - (x->index > y->index);
}

/* The rotated files in the spool's folder, oldest (highest index) first. */
static int scan_rotated(const char *dir, struct rotated **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return set_err(err, errlen, "%s: %s", dir, strerror(errno));
    size_t cap = 0;
    struct dirent *de;
    struct stat st;
    while ((de = readdir(d))) {
        const char *suffix = de->d_name + strlen(SOURCES_NAME) + 1;
        char *end;
        if (strncmp(de->d_name, SOURCES_NAME ".", strlen(SOURCES_NAME) + 1) != 0 || *suffix < '1' ||
            *suffix > '9' || !is_regular(d, de, &st))
            continue;
        long index = strtol(suffix, &end, 10);
        if (*end || index <= 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = (struct rotated){index, st.st_mtime, disk_bytes(&st)};
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof **out, compare_rotated_oldest_first);
    return 0;
}

/* sources.jsonl becomes sources.jsonl.1, after .N became .N+1 (oldest first, so that no
 * rename overwrites a file). The next copy listed starts a new sources.jsonl. */
static int rotate_sources(const char *dir, const struct rotated *rotated, size_t n, char *err,
                          size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        char *from = i < n ? xasprintf("%s/%s.%ld", dir, SOURCES_NAME, rotated[i].index)
                           : xasprintf("%s/%s", dir, SOURCES_NAME);
        char *to = xasprintf("%s/%s.%ld", dir, SOURCES_NAME, i < n ? rotated[i].index + 1 : 1);
        if (rename(from, to) < 0)
            rc = set_err(err, errlen, "cannot rotate %s to %s: %s", from, to, strerror(errno));
        free(from);
        free(to);
    }
    int fd = rc == 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) { /* the renames durable, as the appends are */
        fsync(fd);
        close(fd);
    }
    return rc;
}

int retention_prune(const char *dir, const struct retention_limits *lim, time_t now,
                    struct retention_report *report, char *err, size_t errlen)
{
    memset(report, 0, sizeof *report);
    struct removable sent = {0}, quarantine = {0};
    struct rotated *rotated = NULL;
    size_t n_rotated = 0;
    int rc = -1;
    struct stat live;
    char *live_path = xasprintf("%s/%s", dir, SOURCES_NAME);
    bool has_live = stat(live_path, &live) == 0 && S_ISREG(live.st_mode);
    if (scan_rotated(dir, &rotated, &n_rotated, err, errlen) < 0)
        goto done;
    if (has_live && lim->sources_max_bytes > 0 && live.st_size >= lim->sources_max_bytes) {
        if (rotate_sources(dir, rotated, n_rotated, err, errlen) < 0)
            goto done;
        report->rotated = true;
        has_live = false;
        free(rotated);
        if (scan_rotated(dir, &rotated, &n_rotated, err, errlen) < 0)
            goto done;
    }
    long long undeletable = has_live ? disk_bytes(&live) : 0;
    if (folder_bytes(dir, "new", &undeletable, err, errlen) < 0 ||
        folder_bytes(dir, "cur", &undeletable, err, errlen) < 0 ||
        folder_bytes(dir, "tmp", &undeletable, err, errlen) < 0 ||
        scan_removable(dir, "sent", &sent, err, errlen) < 0 ||
        scan_removable(dir, "quarantine", &quarantine, err, errlen) < 0)
        goto done;

    /* The plan: the limits first, then the budget, folder by folder in its order. */
    sent.remove = due_by_limits(&sent, lim->sent_max_age, lim->sent_max_files, now);
    quarantine.remove =
        due_by_limits(&quarantine, lim->quarantine_max_age, lim->quarantine_max_files, now);
    size_t rotated_remove = 0; /* of the oldest rotated files */
    while (
        rotated_remove < n_rotated &&
        ((size_t)rotated[rotated_remove].index > (size_t)lim->sources_max_files ||
         (lim->sources_max_age > 0 && rotated[rotated_remove].when <= now - lim->sources_max_age)))
        rotated_remove++;
    long long kept = undeletable;
    for (size_t i = sent.remove; i < sent.n; i++)
        kept += sent.files[i].bytes;
    for (size_t i = quarantine.remove; i < quarantine.n; i++)
        kept += quarantine.files[i].bytes;
    for (size_t i = rotated_remove; i < n_rotated; i++)
        kept += rotated[i].bytes;
    if (lim->disk_budget > 0 && kept > lim->disk_budget) {
        long long target = BUDGET_LOW_WATER(lim->disk_budget);
        while (kept > target && sent.remove < sent.n)
            kept -= sent.files[sent.remove++].bytes;
        while (kept > target && rotated_remove < n_rotated)
            kept -= rotated[rotated_remove++].bytes;
        while (kept > target && quarantine.remove < quarantine.n)
            kept -= quarantine.files[quarantine.remove++].bytes;
    }

    for (size_t i = 0; i < rotated_remove; i++) {
        char *path = xasprintf("%s/%s.%ld", dir, SOURCES_NAME, rotated[i].index);
        if (unlink(path) == 0) {
            report->removed[RETENTION_SOURCES]++;
            report->removed_bytes[RETENTION_SOURCES] += rotated[i].bytes;
        }
        free(path);
    }
    if (remove_oldest(dir, "sent", &sent, &report->removed[RETENTION_SENT],
                      &report->removed_bytes[RETENTION_SENT], err, errlen) < 0 ||
        remove_oldest(dir, "quarantine", &quarantine, &report->removed[RETENTION_QUARANTINE],
                      &report->removed_bytes[RETENTION_QUARANTINE], err, errlen) < 0)
        goto done;
    report->disk_bytes = kept;
    report->undeletable = undeletable;
    report->over_budget = lim->disk_budget > 0 && kept > lim->disk_budget;
    rc = 0;
done:
    free(live_path);
    free(rotated);
    free(sent.files);
    free(quarantine.files);
    return rc;
}
