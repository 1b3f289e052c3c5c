/* outbox.h: the spool as the outbox of every configured sink.
 *
 * Sinks (sink/sink.h) send what waits in SPOOL/new/; the outbox is the only code that walks
 * the spool's folders for them. Each sink has a lane of its own: its queue of record ids,
 * listed from new/ oldest first (by the time each record was written, then by id), handed
 * out one at a time, taken back to send again (in front, so order holds). When a sink is
 * done with a record (outbox_sent() or outbox_refused()) and every other lane is too, the
 * record leaves new/:
 *   every lane sent it      to SPOOL/sent/, or deleted (delete_sent: published = delete)
 *   some lane refused it    to SPOOL/quarantine/ (a record that far end will never take)
 * With several lanes, a lane's part is marked on the record's file in new/ (an extended
 * attribute user.feedspool.done.<lane>), so after a crash each lane resends only what it
 * had not finished: at least once per lane, never lost. A record a consumer claimed into
 * cur/ meanwhile is simply gone from new/: it is skipped.
 *
 * A record's bytes are read when it is handed out, with what a sink needs besides them
 * (topic ids, story id, schema version) from the note spool_note_staged() left beside the
 * file (output/record.h's record_outbox_note()); a file without one is parsed whole. */
#ifndef FEEDSPOOL_OUTPUT_OUTBOX_H
#define FEEDSPOOL_OUTPUT_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define OUTBOX_ID_MAX 128 /* the longest record id (they are hex hashes; spool.c refuses others) */
#define OUTBOX_LANE_NAME_MAX 32

struct outbox;
struct outbox_lane; /* one sink's view: belongs to its outbox */

/* A record handed out; outbox_record_free() releases all of it. */
struct outbox_record {
    char *id;   /* the file's name without .json: the record id */
    char *data; /* the file's bytes as written, NUL-terminated */
    size_t len;
    const char **topics; /* its topic ids, in order */
    size_t n_topics;
    const char *story;   /* its story id, or NULL */
    long schema_version; /* 0 when the record does not say */
    json_t *note;        /* record_outbox_note(): owns the strings above */
};

/* Opens SPOOL/new/, sent/ and quarantine/ (making them as needed) with one lane for each of
 * lane_names[0..n_lanes) (short names of [a-z0-9_]) and queues in each lane the records of
 * new/ it has not finished, oldest first. A record every lane finished (a crash came before
 * it was moved) is moved on now. NULL with the reason in err (also when several lanes are
 * asked for on a file system without user extended attributes). */
struct outbox *outbox_open(const char *spool_dir, bool delete_sent, const char *const *lane_names,
                           size_t n_lanes, char *err, size_t errlen);
void outbox_close(struct outbox *ob);
struct outbox_lane *outbox_lane(struct outbox *ob, size_t index);

/* A record was just written to new/: it joins the end of every lane's queue. */
void outbox_add(struct outbox *ob, const char *record_id);

/* How many records wait to be handed out in lane. */
size_t outbox_queued(const struct outbox_lane *lane);
/* Hands out lane's next queued record into *out: 1, or 0 when none is queued. -1 when the
 * next one could not be read (err says why; one that is not a JSON object went to
 * quarantine/): it leaves the queue, and the next call goes on with the one after it. */
int outbox_next(struct outbox_lane *lane, struct outbox_record *out, char *err, size_t errlen);
/* Puts ids[0..n) back at the front of lane's queue, in that order (copies them). */
void outbox_retry(struct outbox_lane *lane, char *const *ids, size_t n);
/* lane's sink delivered record_id. 0, or -1 with the reason in err (a record that is gone
 * already is not an error). */
int outbox_sent(struct outbox_lane *lane, const char *record_id, char *err, size_t errlen);
/* lane's far end refused record_id for good. 0, or -1 as outbox_sent(). */
int outbox_refused(struct outbox_lane *lane, const char *record_id, char *err, size_t errlen);

void outbox_record_free(struct outbox_record *r);

#endif
