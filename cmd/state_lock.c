/* state_lock.c: the lock file beside the state database that keeps a second writer out. */
#include "cmd/state_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

/* The owner of path, or of the folder it would be made in; false when neither exists. */
static bool owner_of(const char *path, uid_t *uid)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        *uid = st.st_uid;
        return true;
    }
    char *copy = xstrdup(path);
    bool found = stat(dirname(copy), &st) == 0;
    free(copy);
    if (found)
        *uid = st.st_uid;
    return found;
}

int state_refuse_foreign_root(const char *state_path, const char *spool, const char *command,
                              char *err, size_t errlen)
{
    if (geteuid() != 0)
        return 0;
    const char *const paths[] = {state_path, spool};
    const char *const what[] = {"the state database", "the spool"};
    for (size_t i = 0; i < 2; i++) {
        uid_t uid;
        if (!paths[i] || !owner_of(paths[i], &uid) || uid == 0)
            continue;
        const struct passwd *pw = getpwuid(uid);
        char name[64];
        if (pw)
            snprintf(name, sizeof name, "%s", pw->pw_name);
        else
            snprintf(name, sizeof name, "#%lu", (unsigned long)uid);
        return set_err(err, errlen,
                       "%s %s belongs to user %s: run as root, this command would leave files "
                       "there (the database's -wal and -shm, the lock file, records) that user "
                       "cannot write. Run it as that user: sudo -u %s feedspool %s ...",
                       what[i], paths[i], name, name, command);
    }
    return 0;
}

int state_lock_take(const char *state_path, const char *spool, const char *command, int *busy,
                    char *err, size_t errlen)
{
    *busy = 0;
    /* A foreign state is refused, but only after a daemon holding it has been told apart
     * (poll goes through it then): so the lock file is opened, never made, first. */
    char refusal[1024];
    bool refused =
        state_refuse_foreign_root(state_path, spool, command, refusal, sizeof refusal) < 0;
    char *path = xasprintf("%s.lock", state_path);
    int fd = open(path, O_RDWR | (refused ? 0 : O_CREAT) | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (refused)
            set_err(err, errlen, "%s", refusal);
        else
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
    if (refused) {
        set_err(err, errlen, "%s", refusal);
        close(fd); /* (closing drops the lock) */
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
