/* static_server.h: a small HTTP server for loopback, serving files from a folder.
 *
 * The demo serves the bundled sample with it, and the tests' fixture server
 * builds on it. Text files (.xml .html .json .txt) have every "{{BASE}}"
 * replaced by the server's own base URL, so sample feeds can link to sample
 * pages. Responses carry an ETag and Last-Modified and answer conditional
 * requests with 304. Only GET and HEAD; nothing outside the folder is served. */
#ifndef FEEDSPOOL_NET_STATIC_SERVER_H
#define FEEDSPOOL_NET_STATIC_SERVER_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>

struct static_server;

/* A hook may answer a request itself (returning true) before files are looked up. */
typedef bool (*static_server_hook)(struct evhttp_request *req, void *ud);

/* Binds 127.0.0.1 on port (0: any free port). Returns NULL with a reason in err. */
struct static_server *static_server_start(struct event_base *base, const char *root, int port,
                                          char *err, size_t errlen);
void static_server_free(struct static_server *srv);
/* Also listens on another loopback address (same port). Returns 0 or -1. */
int static_server_also_listen(struct static_server *srv, const char *address);
int static_server_port(const struct static_server *srv);
void static_server_set_hook(struct static_server *srv, static_server_hook hook, void *ud);
/* "http://127.0.0.1:PORT" */
const char *static_server_base_url(const struct static_server *srv);
/* Replaces each "{{BASE}}" in text with the base URL; caller frees. */
char *static_server_expand(const struct static_server *srv, const char *text, size_t len,
                           size_t *out_len);

#endif
