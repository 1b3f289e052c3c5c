/* jsonl.h: the JSON Lines sink. Every record in new/ is appended, oldest first, as one line
 * (compact JSON and '\n', one write(2) on an O_APPEND descriptor, so a reader never sees
 * half a line) to jsonl_file, or to standard output with jsonl_file = -, for a log
 * shipper's file or stdin source (Vector, Fluent Bit, Logstash) to take over. After each
 * round of writes the file is fsynced, and only then do its records count as delivered
 * (outbox_sent()): after a crash a record may be in the file twice, never missing; the
 * record id tells the copies apart. With jsonl_rotate_bytes the file is renamed to
 * FILE.1 (FILE.1 to FILE.2 ..., jsonl_keep kept) before a line would take it past that
 * size, and a new FILE is opened; SIGHUP reopens FILE (after logrotate moved it). When a
 * write fails (a full disk, a closed pipe) records wait in the spool and writing is tried
 * again, after 1 s, 2 s ... up to 30 s, with one warning, not one per record. Reached only
 * through struct sink_ops (sink/sink.h). */
#ifndef FEEDSPOOL_SINK_JSONL_H
#define FEEDSPOOL_SINK_JSONL_H

#include "sink/sink.h"

extern const struct sink_ops jsonl_sink_ops;

#endif
