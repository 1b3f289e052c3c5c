/* webhook.h: the HTTP webhook sink. Records in new/ are POSTed, oldest first, to
 * webhook_url: with webhook_batch = 1 (the default) one record a request, the record itself
 * as the body (Content-Type: application/json); with webhook_batch = N up to N records a
 * request as JSON Lines (Content-Type: application/x-ndjson, one record a line). Every
 * request carries Idempotency-Key: the record id (for a request of several records, the
 * SHA-256 in hex of their ids joined by ','), and Feedspool-Record-Ids: the ids, comma-separated, so a receiver can drop
 * a copy it has. Only a 2xx answer counts as delivered; anything else (another status, a
 * timeout, a refused connection) puts the records back and the request is tried again after
 * a back-off with jitter (0.5 s, 1 s, 2 s ... up to 30 s, each times 0.5 to 1.5), with one
 * warning until it works again. One request at a time, so the order holds.
 *
 * The request goes through net/fetch.c on the daemon's loop, the address policy applying to
 * every connection: a webhook on loopback or a private address needs its range in
 * allow_networks. Reached only through struct sink_ops (sink/sink.h). */
#ifndef FEEDSPOOL_SINK_WEBHOOK_H
#define FEEDSPOOL_SINK_WEBHOOK_H

#include "sink/sink.h"

extern const struct sink_ops webhook_sink_ops;

#endif
