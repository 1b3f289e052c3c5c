/* fileio.h: whole-file reads with a size cap, and atomic durable file replacement.
 *
 * file_read_all() reads a file ("-" is standard input) into a NUL-terminated string
 * the caller frees. file_write_atomic() writes a sibling temporary file, fsyncs it,
 * renames it over path and fsyncs the directory: readers see the old file or the new
 * one, never a mix, and a crash loses at most the new version. */
#ifndef FEEDSPOOL_COMMON_FILEIO_H
#define FEEDSPOOL_COMMON_FILEIO_H

#include <stddef.h>

/* Returns the contents (len bytes, plus a NUL), or NULL with "PATH: reason" in err. */
char *file_read_all(const char *path, size_t limit, size_t *len, char *err, size_t errlen);
/* Returns 0, or -1 with "PATH: reason" in err (path is then unchanged). */
int file_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif
