/* outbox.h: the spool as a sink's outbox.
 *
 * A sink (sink/sink.h) sends what waits in SPOOL/new/; the outbox is the only code that
 * walks the spool's folders for it. It lists new/ oldest first (by the time each record was
 * written, then by id), hands out records one at a time, read with Jansson, takes back
 * those to send again (in front, so order holds), and moves a record on once the sink is
 * done with it:
 *   outbox_sent()     to SPOOL/sent/, or deleted (delete_sent: published = delete)
 *   outbox_refused()  to SPOOL/quarantine/, for a record the far end will never take
 * A record a consumer claimed into cur/ meanwhile is simply gone from new/: it is skipped.
 * The outbox holds record ids only; a record's bytes are read when it is handed out. */
#ifndef FEEDSPOOL_OUTPUT_OUTBOX_H
#define FEEDSPOOL_OUTPUT_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define OUTBOX_ID_MAX 128 /* the longest record id (they are hex hashes; spool.c refuses others) */

struct outbox;

/* A record handed out; outbox_record_free() releases all of it. */
struct outbox_record {
    char *id;   /* the file's name without .json: the record id */
    char *data; /* the file's bytes as written, NUL-terminated */
    size_t len;
    const char **topics; /* its topic ids, in order (record_topic_ids()) */
    size_t n_topics;
    json_t *json; /* the parsed record, which the topic strings belong to */
};

/* Opens SPOOL/new/, sent/ and quarantine/ (making them as needed) and queues the records
 * in new/, oldest first. NULL with the reason in err. */
struct outbox *outbox_open(const char *spool_dir, bool delete_sent, char *err, size_t errlen);
void outbox_close(struct outbox *ob);

/* How many records wait to be handed out. */
size_t outbox_queued(const struct outbox *ob);
/* A record was just written to new/: it joins the end of the queue. */
void outbox_add(struct outbox *ob, const char *record_id);
/* Hands out the next queued record into *out: 1, or 0 when none is queued. -1 when the
 * next one could not be read (err says why; one that is not a JSON object went to
 * quarantine/): it leaves the queue, and the next call goes on with the one after it. */
int outbox_next(struct outbox *ob, struct outbox_record *out, char *err, size_t errlen);
/* Puts ids[0..n) back at the front of the queue, in that order (copies them). */
void outbox_retry(struct outbox *ob, char *const *ids, size_t n);
/* The sink is done with record_id: to sent/ or deleted. 0, or -1 with the reason in err
 * (a record that is gone already is not an error). */
int outbox_sent(struct outbox *ob, const char *record_id, char *err, size_t errlen);
/* The far end refused record_id for good: to quarantine/. 0, or -1 as outbox_sent(). */
int outbox_refused(struct outbox *ob, const char *record_id, char *err, size_t errlen);

void outbox_record_free(struct outbox_record *r);

#endif
