/* state_lock.h: one writer per state database. run, once, demo and reextract hold an exclusive
 * flock(2) on "STATE.lock" beside the database while they run; a second one refuses to
 * start and says which process holds it. Read-only commands (feeds, items) do not take it.
 * The kernel drops the lock when the process ends, however it ends. Root is refused on a
 * state another user owns (state_refuse_foreign_root). */
#ifndef FEEDSPOOL_CMD_STATE_LOCK_H
#define FEEDSPOOL_CMD_STATE_LOCK_H

#include <stddef.h>

/* Takes the lock of the database at state_path for `feedspool command` writing into spool.
 * Returns its descriptor (held until state_lock_release), or -1 with the reason in err: held
 * by another process (*busy set), refused by state_refuse_foreign_root(), or the lock file
 * cannot be made. */
int state_lock_take(const char *state_path, const char *spool, const char *command, int *busy,
                    char *err, size_t errlen);
/* Run as root on a state database or spool another user owns (the service's, user
 * feedspool's), the files a command makes (the database's -wal and -shm, the lock file,
 * records) would be root's, and the service could not write them: -1 then, with the
 * reason and the command to run instead (sudo -u USER feedspool command ...) in err. A
 * missing database or spool counts as its folder's owner's. 0 otherwise. Refusing is
 * plainer than switching to that user: nothing runs with credentials the caller did not
 * choose, and the config and feeds files root could read still need not be readable by it. */
int state_refuse_foreign_root(const char *state_path, const char *spool, const char *command,
                              char *err, size_t errlen);
void state_lock_release(int fd);

#endif
