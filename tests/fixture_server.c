/* fixture_server.c: the HTTP server the tests run against, on 127.0.0.1.
 *
 * Serves a folder like the demo does (net/static_server.c: {{BASE}}
 * expansion, ETag/Last-Modified, 304s) plus routes that misbehave on purpose:
 *   /status/NNN...        answers with HTTP status NNN
 *   /hang...              never answers
 *   /redirect/NNN/REST    answers NNN (301, 302, 307, 308) with Location: /REST
 *   /retry-after/N/REST   answers 503 with Retry-After: N
 *   /to-loopback/REST     answers 302 with Location: http://127.0.0.1:PORT/REST
 *   /redirect-to/NNN/ADDRESS/REST  answers NNN with Location: http://ADDRESS:PORT/REST
 *   /private/REST         401 unless sent the user alice with the password s3cret, else
 *                         served like any file (from the folder private/)
 * and hostile ones, each of which a limit of feedspool's must cut off:
 *   /gzip-bomb...         1 MB of gzip that inflates to 1 GiB of spaces
 *   /endless...           a chunked body that never ends (64 KiB every millisecond)
 *   /trickle...           a chunked body of one byte a second
 *   /loop...              302 with Location: itself
 *   /to-scheme/S...       302 with Location: S://127.0.0.1/etc/passwd (file, ftp, gopher)
 *   /big-header...        a 200 whose X-Filler header is 1 MiB long
 *   /slow/MS/...          an empty RSS feed, answered after MS milliseconds
 * and, on any served file, a query of max-age=N adds Cache-Control: max-age=N.
 * It listens on 127.0.0.1 to 127.0.0.8 (same port), so tests can tell addresses and hosts apart,
 * and on ::1 too when the host has it.
 * Every request is appended to the log file as one line:
 *   METHOD PATH inm=<If-None-Match|-> ims=<If-Modified-Since|-> ua=<User-Agent> ms=<monotonic ms>
 * Usage: fixture_server ROOT LOGFILE — prints its base URL on stdout, runs until SIGTERM. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "net/static_server.h"

struct fixture {
    FILE *log;
    int port;
    struct event_base *base;
    unsigned char *gzip_bomb; /* made on first use */
    size_t gzip_bomb_len;
};

/* A chunked reply fed by a timer until the client goes away. */
struct drip {
    struct evhttp_request *req;
    struct event *timer;
    size_t chunk;
    struct timeval every;
};

static void drip_stop(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct drip *d = arg;
    event_free(d->timer);
    free(d);
}

static void drip_next(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct drip *d = arg;
    struct evbuffer *body = evbuffer_new();
    char block[4096];
    memset(block, ' ', sizeof block);
    for (size_t left = d->chunk; left;) {
        size_t n = left < sizeof block ? left : sizeof block;
        evbuffer_add(body, block, n);
        left -= n;
    }
    evhttp_send_reply_chunk(d->req, body);
    evbuffer_free(body);
    evtimer_add(d->timer, &d->every);
}

static void start_drip(struct fixture *fx, struct evhttp_request *req, size_t chunk, long every_us)
{
    struct drip *d = calloc(1, sizeof *d);
    d->req = req;
    d->chunk = chunk;
    d->every = (struct timeval){.tv_sec = every_us / 1000000, .tv_usec = every_us % 1000000};
    d->timer = evtimer_new(fx->base, drip_next, d);
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), drip_stop, d);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/rss+xml");
    evhttp_send_reply_start(req, 200, "OK");
    drip_next(-1, 0, d);
}

/* A reply sent later, by a timer. */
struct delayed {
    struct evhttp_request *req;
    struct event *timer;
};

static void send_delayed(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct delayed *d = arg;
    struct evbuffer *body = evbuffer_new();
    evbuffer_add_printf(body,
                        "<rss version=\"2.0\"><channel><title>slow</title></channel></rss>\n");
    evhttp_add_header(evhttp_request_get_output_headers(d->req), "Content-Type",
                      "application/rss+xml");
    evhttp_send_reply(d->req, 200, "OK", body);
    evbuffer_free(body);
    event_free(d->timer);
    free(d);
}

/* 1 GiB of spaces, gzip-compressed (about 1 MB). */
static void make_gzip_bomb(struct fixture *fx)
{
    z_stream z = {0};
    deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
    static unsigned char in[1 << 20];
    memset(in, ' ', sizeof in);
    size_t cap = 4 << 20;
    fx->gzip_bomb = malloc(cap);
    z.next_out = fx->gzip_bomb;
    z.avail_out = (uInt)cap;
    for (int i = 0; i < 1024; i++) {
        z.next_in = in;
        z.avail_in = sizeof in;
        deflate(&z, i == 1023 ? Z_FINISH : Z_NO_FLUSH);
    }
    fx->gzip_bomb_len = cap - z.avail_out;
    deflateEnd(&z);
}

static const char *header_or_dash(struct evhttp_request *req, const char *name)
{
    const char *v = evhttp_find_header(evhttp_request_get_input_headers(req), name);
    return v ? v : "-";
}

static bool on_request(struct evhttp_request *req, void *ud)
{
    struct fixture *fx = ud;
    const char *uri = evhttp_request_get_uri(req);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    fprintf(fx->log, "%s %s inm=%s ims=%s ua=%s ms=%lld\n",
            evhttp_request_get_command(req) == EVHTTP_REQ_HEAD ? "HEAD" : "GET", uri,
            header_or_dash(req, "If-None-Match"), header_or_dash(req, "If-Modified-Since"),
            header_or_dash(req, "User-Agent"),
            (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    fflush(fx->log);
    if (strncmp(uri, "/hang", 5) == 0)
        return true; /* never answered; freed with the server */
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *max_age = strstr(uri, "?max-age=");
    if (max_age) {
        char value[64];
        snprintf(value, sizeof value, "max-age=%d", atoi(max_age + 9));
        evhttp_add_header(out, "Cache-Control", value); /* then served as usual */
    }
    if (strncmp(uri, "/gzip-bomb", 10) == 0) {
        if (!fx->gzip_bomb)
            make_gzip_bomb(fx);
        struct evbuffer *body = evbuffer_new();
        evbuffer_add(body, fx->gzip_bomb, fx->gzip_bomb_len);
        evhttp_add_header(out, "Content-Type", "application/rss+xml");
        evhttp_add_header(out, "Content-Encoding", "gzip");
        evhttp_send_reply(req, 200, "OK", body);
        evbuffer_free(body);
        return true;
    }
    if (strncmp(uri, "/slow/", 6) == 0) {
        long ms = atol(uri + 6);
        struct delayed *d = calloc(1, sizeof *d);
        d->req = req;
        d->timer = evtimer_new(fx->base, send_delayed, d);
        struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
        evtimer_add(d->timer, &tv);
        return true;
    }
    if (strncmp(uri, "/endless", 8) == 0) {
        start_drip(fx, req, 65536, 1000);
        return true;
    }
    if (strncmp(uri, "/trickle", 8) == 0) {
        start_drip(fx, req, 1, 1000000);
        return true;
    }
    if (strncmp(uri, "/loop", 5) == 0) {
        evhttp_add_header(out, "Location", uri);
        evhttp_send_reply(req, 302, "Found", NULL);
        return true;
    }
    if (strncmp(uri, "/to-scheme/", 11) == 0) {
        char location[256];
        snprintf(location, sizeof location, "%.*s://127.0.0.1/etc/passwd",
                 (int)strcspn(uri + 11, "/?"), uri + 11);
        evhttp_add_header(out, "Location", location);
        evhttp_send_reply(req, 302, "Found", NULL);
        return true;
    }
    if (strncmp(uri, "/big-header", 11) == 0) {
        char *filler = malloc((1 << 20) + 1);
        memset(filler, 'a', 1 << 20);
        filler[1 << 20] = '\0';
        evhttp_add_header(out, "X-Filler", filler);
        free(filler);
        evhttp_send_reply(req, 200, "OK", NULL);
        return true;
    }
    if (strncmp(uri, "/redirect/", 10) == 0 && strlen(uri) > 14) {
        int code = atoi(uri + 10);
        char location[2048];
        snprintf(location, sizeof location, "/%s", uri + 14);
        evhttp_add_header(out, "Location", location);
        evhttp_send_reply(req, code, "Moved", NULL);
        return true;
    }
    if (strncmp(uri, "/redirect-to/", 13) == 0 && strlen(uri) > 17 && strchr(uri + 17, '/')) {
        int code = atoi(uri + 13);
        const char *address = uri + 17, *rest = strchr(address, '/') + 1;
        char location[2048];
        snprintf(location, sizeof location, "http://%.*s:%d/%s", (int)(rest - 1 - address), address,
                 fx->port, rest);
        evhttp_add_header(out, "Location", location);
        evhttp_send_reply(req, code, "Moved", NULL);
        return true;
    }
    if (strncmp(uri, "/private/", 9) == 0) {
        const char *auth =
            evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
        if (auth && strcmp(auth, "Basic YWxpY2U6czNjcmV0") == 0) /* alice:s3cret */
            return false;
        evhttp_add_header(out, "WWW-Authenticate", "Basic realm=\"fixture\"");
        evhttp_send_reply(req, 401, "Unauthorized", NULL);
        return true;
    }
    if (strncmp(uri, "/to-loopback/", 13) == 0) {
        char location[2048];
        snprintf(location, sizeof location, "http://127.0.0.1:%d/%s", fx->port, uri + 13);
        evhttp_add_header(out, "Location", location);
        evhttp_send_reply(req, 302, "Found", NULL);
        return true;
    }
    if (strncmp(uri, "/retry-after/", 13) == 0) {
        char seconds[32];
        snprintf(seconds, sizeof seconds, "%d", atoi(uri + 13));
        evhttp_add_header(out, "Retry-After", seconds);
        evhttp_send_reply(req, 503, "Busy", NULL);
        return true;
    }
    if (strncmp(uri, "/status/", 8) == 0) {
        int code = atoi(uri + 8);
        if (code < 100 || code > 599)
            code = 500;
        struct evbuffer *body = evbuffer_new();
        evbuffer_add_printf(body, "status %d\n", code);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
        evhttp_send_reply(req, code, "Fixture", body);
        evbuffer_free(body);
        return true;
    }
    return false;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(arg, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fixture_server ROOT LOGFILE\n");
        return 2;
    }
    struct fixture fx = {.log = fopen(argv[2], "a")};
    if (!fx.log) {
        perror(argv[2]);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    fx.base = base;
    char err[256];
    struct static_server *srv = static_server_start(base, argv[1], 0, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "fixture_server: %s\n", err);
        return 1;
    }
    fx.port = static_server_port(srv);
    for (int host = 2; host <= 8; host++) {
        char address[16];
        snprintf(address, sizeof address, "127.0.0.%d", host);
        if (static_server_also_listen(srv, address) < 0) {
            fprintf(stderr, "fixture_server: cannot also listen on %s\n", address);
            return 1;
        }
    }
    static_server_also_listen(srv, "::1"); /* (a host without IPv6 does without) */
    static_server_set_hook(srv, on_request, &fx);
    struct event *term = evsignal_new(base, SIGTERM, on_stop, base);
    struct event *intr = evsignal_new(base, SIGINT, on_stop, base);
    evsignal_add(term, NULL);
    evsignal_add(intr, NULL);
    printf("%s\n", static_server_base_url(srv));
    fflush(stdout);
    event_base_dispatch(base);
    event_free(term);
    event_free(intr);
    static_server_free(srv);
    event_base_free(base);
    fclose(fx.log);
    free(fx.gzip_bomb);
    return 0;
}
