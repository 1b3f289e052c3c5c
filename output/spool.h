/* spool.h: the on-disk spool downstream programs read (a maildir-like layout).
 *
 *   SPOOL/tmp/  records being written; stale ones are removed at open
 *   SPOOL/new/  complete records, each <record-id>.json; consumers take them from here
 *   SPOOL/cur/  records a consumer has claimed by rename(2) from new/
 *   SPOOL/quarantine/  records refused by the schema check or the size cap (never in new/),
 *                      or by the JetStream stream (sink/jetstream.c)
 *   SPOOL/sent/  records JetStream acknowledged, when the sink keeps them (published = move)
 *
 * spool_write() writes tmp/<id>.json, fsyncs it, renames it into new/ and
 * fsyncs new/: a reader never sees a partial file, and the same id written
 * twice (after a crash) replaces itself. */
#ifndef FEEDSPOOL_OUTPUT_SPOOL_H
#define FEEDSPOOL_OUTPUT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

struct spool;

/* Creates the directories as needed and removes stale files from tmp/. */
int spool_open(const char *dir, struct spool **out, char *err, size_t errlen);
void spool_close(struct spool *sp);
/* True when <id>.json is already in new/ or cur/ (written before a crash). */
bool spool_has(const struct spool *sp, const char *record_id);
/* Writes len bytes as record <id>. On failure nothing is left behind, errno-style
 * reason in err. record_id must be a hash (hex), never a string from a feed. */
int spool_write(struct spool *sp, const char *record_id, const char *data, size_t len, char *err,
                size_t errlen);
/* Appends one line (a JSON object and '\n') to SPOOL/sources.jsonl and fsyncs it: the copies
 * of earlier articles that were not written as records of their own. */
int spool_append_source(struct spool *sp, const char *line, size_t len, char *err, size_t errlen);
/* Same path into quarantine/ instead of new/: for records consumers must not see. */
int spool_quarantine(struct spool *sp, const char *record_id, const char *data, size_t len,
                     char *err, size_t errlen);
const char *spool_dir(const struct spool *sp);

struct spool_stats {
    long new_records;      /* depth: records waiting for a consumer */
    long long new_bytes;
    long long oldest_age;  /* seconds since the oldest record in new/ was written; -1 if none */
    long cur_records;      /* claimed by consumers, not yet deleted */
    long tmp_files;        /* being written (or left by a crash, until the next start) */
    long quarantined;      /* records refused by the schema check, the size cap or JetStream */
    long sent_records;     /* published to JetStream and acknowledged (sent/) */
};

/* Reads the spool's folders (without opening it for writing). */
int spool_read_stats(const char *dir, struct spool_stats *out, char *err, size_t errlen);

#endif
