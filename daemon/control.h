/* control.h: the running daemon's control socket, how a command reaches it at once.
 *
 * `run` listens on a Unix socket beside the state database, "STATE.sock" (mode 0600: the
 * daemon's user and root), while it holds the state's lock; `once` and `demo` do not.
 * One request per connection, one line:
 *   poll URL   -> "polling URL", then when that poll has ended "polled status=S new_items=N"
 *                 or "failed status=S reason=TEXT"; or at once "error REASON"
 *   retry      -> "ok": the items `feedspool retry` made pending are taken up now
 * The connection closes after the last line. */
#ifndef FEEDSPOOL_DAEMON_CONTROL_H
#define FEEDSPOOL_DAEMON_CONTROL_H

#include <event2/event.h>
#include <stddef.h>

#include "ingest/pipeline.h"

struct control_server;

/* The socket's path for the state database at state_path. Caller frees. */
char *control_socket_path(const char *state_path);
/* The client's side: a connection to the daemon of the state at state_path, or -1 with
 * errno set (ENOENT or ECONNREFUSED: no daemon listens). */
int control_connect(const char *state_path);
/* Listens at control_socket_path(state_path), replacing a socket an earlier daemon left
 * there (the caller holds the state's lock). The pipeline is borrowed. NULL with the reason
 * in err. */
struct control_server *control_server_start(struct event_base *base, const char *state_path,
                                            struct pipeline *pipeline, char *err, size_t errlen);
/* A poll ended (the pipeline's on_feed_polled): its waiting requests get their answer. */
void control_server_feed_polled(struct control_server *c,
                                const struct pipeline_poll_outcome *outcome);
/* Closes every connection and removes the socket. Accepts NULL. */
void control_server_free(struct control_server *c);

#endif
