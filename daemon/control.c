/* control.c: the daemon's control socket (control.h): requests read a line at a time with
 * libevent's bufferevents, answered from the pipeline. */
#include "daemon/control.h"

#include <errno.h>
#include <stdarg.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"

#define CONTROL_MAX_REQUEST 8192
#define CONTROL_REQUEST_SECONDS 10 /* to send the request line */

struct control_conn {
    struct control_server *server;
    struct bufferevent *bev;
    char *polled_url; /* waiting for this feed's poll to end, or NULL */
    bool closing;     /* answered: freed once the answer is written */
    struct control_conn *prev, *next;
};

struct control_server {
    struct evconnlistener *listener;
    struct pipeline *pipeline;
    char *path;
    struct control_conn *conns;
};

char *control_socket_path(const char *state_path)
{
    return xasprintf("%s.sock", state_path);
}

int control_connect(const char *state_path)
{
    char *path = control_socket_path(state_path);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = -1;
    if (strlen(path) < sizeof sa.sun_path) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            int saved = errno;
            close(fd);
            fd = -1;
            errno = saved;
        }
    } else {
        errno = ENAMETOOLONG;
    }
    free(path);
    return fd;
}

static void conn_free(struct control_conn *conn)
{
    struct control_server *c = conn->server;
    if (conn->prev)
        conn->prev->next = conn->next;
    else
        c->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    bufferevent_free(conn->bev);
    free(conn->polled_url);
    free(conn);
}

/* The last line of the answer: the connection closes once it is written. */
static void conn_finish(struct control_conn *conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void conn_finish(struct control_conn *conn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    evbuffer_add_vprintf(bufferevent_get_output(conn->bev), fmt, ap);
    va_end(ap);
    conn->closing = true;
    bufferevent_disable(conn->bev, EV_READ);
}

static void handle_request(struct control_conn *conn, const char *line)
{
    struct control_server *c = conn->server;
    char err[256];
    if (strncmp(line, "poll ", 5) == 0) {
        const char *url = line + 5;
        if (pipeline_poll_now(c->pipeline, url, err, sizeof err) < 0) {
            conn_finish(conn, "error %s\n", err);
            return;
        }
        evbuffer_add_printf(bufferevent_get_output(conn->bev), "polling %s\n", url);
        conn->polled_url = xstrdup(url);
        bufferevent_set_timeouts(conn->bev, NULL, NULL); /* a poll takes what it takes */
    } else if (strcmp(line, "retry") == 0) {
        pipeline_take_up_retried(c->pipeline);
        conn_finish(conn, "ok\n");
    } else {
        conn_finish(conn, "error unknown request (poll URL, retry)\n");
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct control_conn *conn = arg;
    if (conn->polled_url || conn->closing)
        return; /* one request per connection */
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len;
    char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
    if (!line) {
        if (evbuffer_get_length(in) > CONTROL_MAX_REQUEST)
            conn_finish(conn, "error request too long\n");
        return;
    }
    if (strlen(line) != len)
        conn_finish(conn, "error request holds a NUL byte\n");
    else
        handle_request(conn, line);
    free(line);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct control_conn *conn = arg;
    if (conn->closing)
        conn_free(conn);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)what; /* end of file, an error or the request timeout: the client is gone */
    conn_free(arg);
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)listener;
    (void)sa;
    (void)socklen;
    struct control_server *c = arg;
    struct control_conn *conn = xcalloc(1, sizeof *conn);
    conn->server = c;
    conn->bev =
        bufferevent_socket_new(evconnlistener_get_base(c->listener), fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(conn->bev, on_read, on_write, on_event, conn);
    struct timeval request = {.tv_sec = CONTROL_REQUEST_SECONDS};
    bufferevent_set_timeouts(conn->bev, &request, &request);
    bufferevent_enable(conn->bev, EV_READ | EV_WRITE);
    conn->next = c->conns;
    if (c->conns)
        c->conns->prev = conn;
    c->conns = conn;
}

struct control_server *control_server_start(struct event_base *base, const char *state_path,
                                            struct pipeline *pipeline, char *err, size_t errlen)
{
    char *path = control_socket_path(state_path);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd = -1;
    if (strlen(path) >= sizeof sa.sun_path) {
        set_err(err, errlen, "control socket %s: the path is longer than %zu bytes", path,
                sizeof sa.sun_path - 1);
        goto fail;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
        set_err(err, errlen, "control socket %s: a file that is not a socket is in the way", path);
        goto fail;
    }
    unlink(path); /* left by an earlier daemon of this state (we hold its lock) */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old_mask = umask(0177); /* srw-------: the daemon's user (and root) only */
    int bound = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old_mask);
    if (bound < 0) {
        set_err(err, errlen, "control socket %s: %s", path, strerror(errno));
        goto fail;
    }
    struct control_server *c = xcalloc(1, sizeof *c);
    c->pipeline = pipeline;
    c->path = path;
    c->listener = evconnlistener_new(base, on_accept, c, LEV_OPT_CLOSE_ON_FREE, 16, fd);
    if (!c->listener) {
        set_err(err, errlen, "control socket %s: cannot listen: %s", path, strerror(errno));
        unlink(path);
        free(c);
        goto fail;
    }
    return c;
fail:
    if (fd >= 0)
        close(fd);
    free(path);
    return NULL;
}

void control_server_feed_polled(struct control_server *c,
                                const struct pipeline_poll_outcome *outcome)
{
    if (!c)
        return;
    for (struct control_conn *conn = c->conns; conn; conn = conn->next) {
        if (!conn->polled_url || conn->closing || strcmp(conn->polled_url, outcome->url) != 0)
            continue;
        if (outcome->error)
            conn_finish(conn, "failed status=%ld reason=%.*s\n", outcome->status,
                        (int)strcspn(outcome->error, "\n"), outcome->error);
        else
            conn_finish(conn, "polled status=%ld new_items=%zu\n", outcome->status,
                        outcome->new_items);
    }
}

void control_server_free(struct control_server *c)
{
    if (!c)
        return;
    while (c->conns)
        conn_free(c->conns);
    evconnlistener_free(c->listener);
    unlink(c->path);
    free(c->path);
    free(c);
}
