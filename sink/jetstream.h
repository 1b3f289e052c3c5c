/* jetstream.h: the JetStream sink. Every record in new/ is published to a NATS JetStream
 * stream with the record id as Nats-Msg-Id (so the server drops a replayed copy) and its
 * topics in a Feedspool-Topics header, on the subject nats_subject with <topic> replaced
 * by its first topic, in the order the records were written; it leaves new/ (to sent/, or
 * deleted) only once the server has acknowledged it. While the server is away records
 * wait in new/; they go out when it returns. A record the stream refuses (too large for
 * it) goes to quarantine/ with a log line.
 *
 * It runs on the daemon's libevent loop through libnats' libevent adapter; libnats
 * delivers acknowledgements on its own thread, and they are handed to the loop through a
 * locked queue and an event (hence its process_init: libevent made thread-safe before any
 * event base). Reached only through struct sink_ops (sink/sink.h). */
#ifndef FEEDSPOOL_SINK_JETSTREAM_H
#define FEEDSPOOL_SINK_JETSTREAM_H

#include "sink/sink.h"

extern const struct sink_ops jetstream_sink_ops;

#endif
