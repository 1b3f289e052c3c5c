/* fileio.c: see fileio.h. */
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"

char *file_read_all(const char *path, size_t limit, size_t *len, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct buf data;
    buf_init(&data, limit);
    char chunk[65536];
    size_t n;
    bool too_big = false;
    while (!too_big && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        too_big = buf_append(&data, chunk, n) < 0;
    bool failed = ferror(f);
    int read_errno = errno;
    if (f != stdin)
        fclose(f);
    if (too_big || failed) {
        buf_free(&data);
        if (too_big)
            set_err(err, errlen, "%s: larger than %zu bytes", path, limit);
        else
            set_err(err, errlen, "%s: read error: %s", path, strerror(read_errno));
        return NULL;
    }
    *len = data.len;
    return data.data ? buf_steal(&data) : xstrdup("");
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *step = "create";
    int rc = fd < 0 ? -1 : 0;
    if (rc == 0 && write_all(fd, data, len) < 0)
        rc = -1, step = "write";
    if (rc == 0 && fsync(fd) < 0)
        rc = -1, step = "fsync";
    int saved = errno;
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = -1, step = "close", saved = errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1, step = "rename", saved = errno;
    if (rc < 0) {
        unlink(tmp);
        free(tmp);
        return set_err(err, errlen, "%s: %s failed: %s", path, step, strerror(saved));
    }
    free(tmp);
    char *dir_copy = xstrdup(path);
    int dir = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir_copy);
    if (dir < 0 || fsync(dir) < 0) {
        saved = errno;
        if (dir >= 0)
            close(dir);
        return set_err(err, errlen, "%s: directory fsync failed: %s", path, strerror(saved));
    }
    close(dir);
    return 0;
}
