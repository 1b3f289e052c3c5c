/* status_page.h: the HTML status page served at / (and /status) on the metrics address, and
 * the ring of the last records written that it lists.
 *
 * One self-contained page (inline CSS, no script, no external asset): the feeds (URL with
 * credentials redacted, state, consecutive errors, last error, last success, next poll), the
 * spool's depth and its oldest record's age, the items waiting for their page, the recent records (id, title, topics, story)
 * and the sink's state. Every value is HTML-escaped: feed titles and URLs are hostile. */
#ifndef FEEDSPOOL_DAEMON_STATUS_PAGE_H
#define FEEDSPOOL_DAEMON_STATUS_PAGE_H

#include <event2/buffer.h>
#include <jansson.h>

#include "ingest/pipeline.h"
#include "sink/sink.h"
#include "store/state.h"

#define RECENT_RECORDS_KEPT 20

struct recent_records;

struct recent_records *recent_records_new(void);
/* Keeps the record's id, title, topic ids and story (copied); the oldest kept one goes. */
void recent_records_add(struct recent_records *ring, const json_t *record);
void recent_records_free(struct recent_records *ring);

struct status_sources {
    const struct pipeline *pipeline;
    const char *spool_dir;
    const struct sinks *sinks;           /* NULL without any */
    struct state *state;                 /* NULL: no count of pending items */
    const struct recent_records *recent; /* NULL when none are kept */
};

void status_page_render(const struct status_sources *src, struct evbuffer *out);

#endif
