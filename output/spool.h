/* spool.h: the on-disk spool downstream programs read (a maildir-like layout).
 *
 *   SPOOL/tmp/  records being written, and staged records about to be renamed into new/
 *   SPOOL/new/  complete records, each <record-id>.json; consumers take them from here
 *   SPOOL/cur/  records a consumer has claimed by rename(2) from new/; a claim older than
 *               claim_timeout is returned to new/ (spool_reclaim_claims)
 *   SPOOL/quarantine/  records refused by the schema check or the size cap (never in new/),
 *                      or by a sink for good (sink/sink.h)
 *   SPOOL/sent/  records every configured sink has, when kept (published = move)
 *
 * A record enters new/ in two steps with the state database in between (docs/spool.md):
 * spool_stage() writes tmp/<id>.json and fsyncs it and tmp/; the caller commits the record
 * as staged; spool_publish_staged() renames it into new/ and fsyncs new/. A reader never
 * sees a partial file, and a staged record is finished after a crash, never written anew. */
#ifndef FEEDSPOOL_OUTPUT_SPOOL_H
#define FEEDSPOOL_OUTPUT_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

struct spool;

/* Creates the directories as needed. What a crash left in tmp/ stays until
 * spool_clean_tmp(): the staged records among it are to be finished first. */
int spool_open(const char *dir, struct spool **out, char *err, size_t errlen);
void spool_close(struct spool *sp);
/* Removes every file in tmp/ (call once the staged records are finished). */
void spool_clean_tmp(struct spool *sp);
/* Writes len bytes as tmp/<id>.json, fsyncs the file and tmp/. On failure nothing is left
 * behind, errno-style reason in err. record_id must be a hash (hex), never a string from a
 * feed. */
int spool_stage(struct spool *sp, const char *record_id, const char *data, size_t len, char *err,
                size_t errlen);
/* Renames the staged tmp/<id>.json into new/ and fsyncs new/: 1. When it is no longer in
 * tmp/ (renamed before a crash, perhaps taken by a consumer since), fsyncs new/: 0. -1 on
 * an error (the file stays in tmp/). */
int spool_publish_staged(struct spool *sp, const char *record_id, char *err, size_t errlen);
/* The extended attribute spool_note_staged() sets. */
#define SPOOL_NOTE_ATTR "user.feedspool.note"
/* Keeps note (record_outbox_note() as text) beside the staged tmp/<id>.json, for the outbox
 * (output/outbox.h): best effort, a file without it is parsed whole when published. */
void spool_note_staged(struct spool *sp, const char *record_id, const char *note);
/* Removes a staged file that will not be published. */
void spool_discard_staged(struct spool *sp, const char *record_id);
/* Returns to new/ every record that has been in cur/ for max_age seconds or more (by the
 * time of its rename into cur/, or of its last touch). Returns how many, or -1. */
long spool_reclaim_claims(struct spool *sp, long max_age, char *err, size_t errlen);
/* Appends one line (a JSON object and '\n') to SPOOL/sources.jsonl and fsyncs it: the copies
 * of earlier articles that were not written as records of their own. */
int spool_append_source(struct spool *sp, const char *line, size_t len, char *err, size_t errlen);
/* Writes a record through tmp/ into quarantine/ instead of new/: for records consumers must
 * not see. */
int spool_quarantine(struct spool *sp, const char *record_id, const char *data, size_t len,
                     char *err, size_t errlen);
const char *spool_dir(const struct spool *sp);

struct spool_stats {
    long new_records; /* depth: records waiting for a consumer */
    long long new_bytes;
    long long oldest_age; /* seconds since the oldest record in new/ was written; -1 if none */
    long cur_records;     /* claimed by consumers, not yet deleted */
    long tmp_files;       /* being written (or left by a crash, until the next start) */
    long quarantined;     /* records refused by the schema check, the size cap or JetStream */
    long sent_records;    /* published to JetStream and acknowledged (sent/) */
};

/* Reads the spool's folders (without opening it for writing). */
int spool_read_stats(const char *dir, struct spool_stats *out, char *err, size_t errlen);
/* Reads new/ only (new_records, new_bytes, oldest_age; the other fields 0): what
 * backpressure, /metrics and the status page need, without reading sent/ and quarantine/,
 * which may hold far more files. */
int spool_read_depth(const char *dir, struct spool_stats *out, char *err, size_t errlen);

#endif
