/* static_server.c: libevent evhttp serving a folder on 127.0.0.1, with validators. */
#include "net/static_server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/util.h"

#define STATIC_MAX_FILE (64L * 1024 * 1024)

struct static_server {
    struct evhttp *http;
    int port;
    char *root;
    char base_url[64];
    static_server_hook hook;
    void *hook_ud;
};

static const struct {
    const char *ext, *type;
    bool text;
} content_types[] = {
    {".xml", "application/xml; charset=utf-8", true},
    {".rss", "application/rss+xml; charset=utf-8", true},
    {".atom", "application/atom+xml; charset=utf-8", true},
    {".html", "text/html; charset=utf-8", true},
    {".json", "application/json", true},
    {".txt", "text/plain; charset=utf-8", true},
    {".png", "image/png", false},
    {".jpg", "image/jpeg", false},
};

char *static_server_expand(const struct static_server *srv, const char *text, size_t len,
                           size_t *out_len)
{
    static const char marker[] = "{{BASE}}";
    struct buf out;
    buf_init(&out, 0);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), marker, sizeof marker - 1);
        if (!hit) {
            buf_append(&out, p, (size_t)(end - p));
            break;
        }
        buf_append(&out, p, (size_t)(hit - p));
        buf_append_str(&out, srv->base_url);
        p = hit + sizeof marker - 1;
    }
    *out_len = out.len;
    return buf_steal(&out);
}

/* Reads a whole regular file below root; NULL if absent or not allowed. Caller frees. */
static char *read_file(const char *path, size_t *len, time_t *mtime)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_FILE) {
        close(fd);
        return NULL;
    }
    char *data = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    data[got] = '\0';
    *len = got;
    *mtime = st.st_mtime;
    return data;
}

static bool safe_path(const char *path)
{
    return path[0] == '/' && !strstr(path, "/..") && !strstr(path, "//") && !strchr(path, '\\');
}

static void serve_file(struct static_server *srv, struct evhttp_request *req, const char *path)
{
    char *full = xasprintf("%s%s", srv->root, path);
    size_t len = 0;
    time_t mtime = 0;
    char *data = read_file(full, &len, &mtime);
    free(full);
    if (!data) {
        evhttp_send_error(req, HTTP_NOTFOUND, "Not Found");
        return;
    }
    const char *type = "application/octet-stream";
    bool text = false;
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < ARRAY_LEN(content_types); i++)
        if (strcmp(dot, content_types[i].ext) == 0) {
            type = content_types[i].type;
            text = content_types[i].text;
        }
    if (text) {
        size_t expanded_len;
        char *expanded = static_server_expand(srv, data, len, &expanded_len);
        free(data);
        data = expanded;
        len = expanded_len;
    }
    char digest[HASH_HEX_LEN + 1], etag[24], last_modified[64];
    hash_sha256_hex(data, len, digest);
    snprintf(etag, sizeof etag, "\"%.16s\"", digest);
    struct tm tm;
    gmtime_r(&mtime, &tm);
    strftime(last_modified, sizeof last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);

    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "ETag", etag);
    evhttp_add_header(out, "Last-Modified", last_modified);
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    const char *inm = evhttp_find_header(in, "If-None-Match");
    const char *ims = evhttp_find_header(in, "If-Modified-Since");
    if ((inm && strcmp(inm, etag) == 0) || (!inm && ims && strcmp(ims, last_modified) == 0)) {
        evhttp_send_reply(req, 304, "Not Modified", NULL);
    } else {
        evhttp_add_header(out, "Content-Type", type);
        struct evbuffer *body = evbuffer_new();
        evbuffer_add(body, data, len);
        evhttp_send_reply(req, HTTP_OK, "OK", body);
        evbuffer_free(body);
    }
    free(data);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct static_server *srv = arg;
    if (srv->hook && srv->hook(req, srv->hook_ud))
        return;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_send_error(req, 405, "Method Not Allowed");
        return;
    }
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *raw_path = evhttp_uri_get_path(uri);
    char *path = evhttp_uridecode(raw_path && *raw_path ? raw_path : "/", 0, NULL);
    if (!path || !safe_path(path) || path[strlen(path) - 1] == '/')
        evhttp_send_error(req, HTTP_NOTFOUND, "Not Found");
    else
        serve_file(srv, req, path);
    free(path);
}

struct static_server *static_server_start(struct event_base *base, const char *root, int port,
                                          char *err, size_t errlen)
{
    struct static_server *srv = xcalloc(1, sizeof *srv);
    srv->root = xstrdup(root);
    size_t n = strlen(srv->root);
    while (n > 1 && srv->root[n - 1] == '/')
        srv->root[--n] = '\0';
    srv->http = evhttp_new(base);
    evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
    evhttp_set_gencb(srv->http, on_request, srv);
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(srv->http, "127.0.0.1", (ev_uint16_t)port);
    if (!bound) {
        set_err(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        static_server_free(srv);
        return NULL;
    }
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&addr, &addr_len);
    srv->port = ntohs(addr.sin_port);
    snprintf(srv->base_url, sizeof srv->base_url, "http://127.0.0.1:%d", srv->port);
    return srv;
}

int static_server_also_listen(struct static_server *srv, const char *address)
{
    return evhttp_bind_socket(srv->http, address, (ev_uint16_t)srv->port) == 0 ? 0 : -1;
}

int static_server_port(const struct static_server *srv)
{
    return srv->port;
}

void static_server_set_hook(struct static_server *srv, static_server_hook hook, void *ud)
{
    srv->hook = hook;
    srv->hook_ud = ud;
}

const char *static_server_base_url(const struct static_server *srv)
{
    return srv->base_url;
}

void static_server_free(struct static_server *srv)
{
    if (!srv)
        return;
    if (srv->http)
        evhttp_free(srv->http);
    free(srv->root);
    free(srv);
}
