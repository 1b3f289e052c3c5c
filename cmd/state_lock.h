/* state_lock.h: one writer per state database. run, once, demo and reextract hold an exclusive
 * flock(2) on "STATE.lock" beside the database while they run; a second one refuses to
 * start and says which process holds it. Read-only commands (feeds, items) do not take it.
 * The kernel drops the lock when the process ends, however it ends. */
#ifndef FEEDSPOOL_CMD_STATE_LOCK_H
#define FEEDSPOOL_CMD_STATE_LOCK_H

#include <stddef.h>

/* Takes the lock of the database at state_path. Returns its descriptor (held until
 * state_lock_release), or -1 with the reason in err: held by another process (*busy set),
 * or the lock file cannot be made. */
int state_lock_take(const char *state_path, int *busy, char *err, size_t errlen);
void state_lock_release(int fd);

#endif
