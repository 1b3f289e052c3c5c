/* state_lock.c: the lock file beside the state database that keeps a second writer out. */
#include "cmd/state_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/util.h"

int state_lock_take(const char *state_path, int *busy, char *err, size_t errlen)
{
    *busy = 0;
    char *path = xasprintf("%s.lock", state_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        set_err(err, errlen, "cannot open the state's lock file %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int saved = errno;
        char holder[32] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        if (saved == EWOULDBLOCK) {
            *busy = 1;
            set_err(err, errlen,
                    "the state database %s is in use by another feedspool (pid %s, holding %s); "
                    "stop it first, or give this one a state of its own",
                    state_path, holder[0] ? holder : "unknown", path);
        } else {
            set_err(err, errlen, "cannot lock %s: %s", path, strerror(saved));
        }
        close(fd);
        free(path);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    /* The pid is only for the message another process shows: the lock holds without it. */
    (void)(ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) == len);
    free(path);
    return fd;
}

void state_lock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
