/* archive.h: the raw page archive: rotating WARC files (output/warc.h) in one folder.
 *
 * Each fetched article page is appended as a request and a response record to the current
 * file, with write(2) only (the kernel buffers it; the event loop does not wait for the
 * disk). archive_sync() makes what was written durable, once for all pages written since
 * the last call: the ingest calls it before it stages a record that points into the
 * archive, so a record never points at bytes a crash can lose. A new file is begun at every
 * open and when the current one would pass max_file_bytes; the oldest files are removed
 * while all of them together pass max_bytes, or once they are older than max_age (never
 * the current one). docs/archive.md describes the whole. */
#ifndef FEEDSPOOL_OUTPUT_ARCHIVE_H
#define FEEDSPOOL_OUTPUT_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "output/warc.h"

#define ARCHIVE_NAME_MAX 64

struct archive_options {
    const char *dir;     /* created when missing */
    long max_file_bytes; /* a file is not made larger than this (unless one page is) */
    long max_bytes;      /* all files together */
    long max_age;        /* seconds since a file's last write */
};

struct archive;

/* The archive's folder: "archive" beside the state database. Caller frees. */
char *archive_folder(const char *state_path);

int archive_open(const struct archive_options *o, struct archive **out, char *err, size_t errlen);
void archive_close(struct archive *a);
/* Appends the exchange; file (its name in the folder) and *offset (of the response record)
 * say where it is. Not yet durable: see archive_sync(). */
int archive_write(struct archive *a, const struct warc_exchange *x, char file[ARCHIVE_NAME_MAX],
                  int64_t *offset, char *err, size_t errlen);
/* Makes every byte written so far durable (fdatasync, only when something is new). */
int archive_sync(struct archive *a, char *err, size_t errlen);
/* Removes the files the limits no longer allow (oldest first), at most every minute unless
 * forced. Returns how many were removed. */
long archive_apply_retention(struct archive *a, int64_t now, int force);

/* Reads the record at offset in dir/file (at most max_record bytes decompressed). Returns 0,
 * -1 with the reason in err, or -2 when the file does not exist (removed by retention). */
int archive_read(const char *dir, const char *file, int64_t offset, size_t max_record,
                 struct warc_record *out, char *err, size_t errlen);

#endif
