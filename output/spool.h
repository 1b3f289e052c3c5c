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
 * sees a partial file, and a staged record is finished after a crash, never written anew.
 * The _batch calls do the same for many records at once (group commit). */
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
/* The extended attribute spool_stage_batch() sets from an entry's note. */
#define SPOOL_NOTE_ATTR "user.feedspool.note"

/* Group commit (docs/spool.md, "Records written together"): the records that became ready
 * together are staged and published together, one fsync of the folder for all of them. An
 * entry that fails has failed set and its reason in err; the calls skip entries that have
 * failed already, so one array goes through both. */
struct spool_batch_entry {
    const char *record_id; /* a hash (hex), as for spool_stage() */
    const char *data;      /* spool_stage_batch: the record's bytes */
    size_t len;
    /* record_outbox_note() as text, kept as an extended attribute of the file for the
     * outbox (output/outbox.h), or NULL: best effort, a file without it is parsed whole. */
    const char *note;
    bool failed;
    bool renamed; /* spool_publish_batch: renamed now (0: it had been renamed before) */
    char err[512];
};
/* Writes each entry as tmp/<id>.json, starts the writeback of all of them, then fsyncs each
 * file and, once, tmp/. An entry whose file cannot be written or fsynced fails alone (its
 * file removed); a failed fsync of tmp/ fails them all. Returns how many are staged. */
size_t spool_stage_batch(struct spool *sp, struct spool_batch_entry *entries, size_t n);
/* spool_publish_staged() for each entry, new/ fsynced once for all: an entry whose rename
 * fails fails alone (its file stays in tmp/), a failed fsync of new/ fails them all.
 * Returns how many are published. */
size_t spool_publish_batch(struct spool *sp, struct spool_batch_entry *entries, size_t n);
/* Appends each entry's data (a line) to SPOOL/sources.jsonl, then fsyncs it once. A line
 * that cannot be written fails alone and leaves nothing (the file is cut back to before
 * it); a failed fsync cuts the file back to where the batch began and fails them all.
 * Returns how many are appended. */
size_t spool_append_sources(struct spool *sp, struct spool_batch_entry *entries, size_t n);
/* Removes a staged file that will not be published. */
void spool_discard_staged(struct spool *sp, const char *record_id);
/* Returns to new/ every record that has been in cur/ for max_age seconds or more (by the
 * time of its rename into cur/, or of its last touch). Returns how many, or -1. */
long spool_reclaim_claims(struct spool *sp, long max_age, char *err, size_t errlen);
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
