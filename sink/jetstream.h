/* jetstream.h: the JetStream sink. Every record in new/ is published to a NATS JetStream
 * stream once per topic, on the subject nats_subject with <topic> replaced by that topic
 * ("none" without any), with RECORD-ID:TOPIC as Nats-Msg-Id (so the server drops a
 * replayed copy) and Content-Type, Feedspool-Record-Id, Feedspool-Schema-Version,
 * Feedspool-Story-Id and Feedspool-Topics headers, in the order the records were written;
 * it counts as delivered once the server acknowledged every message. While the server is
 * away records wait in new/ (one warning when the outage starts, a notice when it ends);
 * they go out when it returns. A record larger than the server's max_payload (read at
 * each connection) or than the stream takes goes to quarantine/ with a log line.
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
