/* emit.c: an extracted article becomes a record: its story is found, its topics tagged,
 * the record built, checked (schema, size cap) and written durably to the spool, or
 * quarantined; a copy of an earlier article is listed as a source of its story instead.
 *
 * A record enters new/ by the staged protocol of docs/spool.md: tmp/ file and tmp/ fsynced,
 * the record committed as staged (with its story index entry), renamed into new/, new/
 * fsynced, the item marked emitted. The records that become ready in one pass of the event
 * loop go through these steps together (group commit): one fsync of tmp/, one transaction,
 * one fsync of new/, one transaction for all of them. What was built stays with the job
 * until it is written:
 * a failed write (disk full) is retried from memory, the page is not fetched again, and the
 * failure is logged when it starts and when it ends, not once per record. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "feeds/date.h"
#include "ingest/ingest_internal.h"
#include "output/record.h"

/* True (with the reason) when a record may not enter new/: over max_record_bytes, or not
 * valid under the schema consumers are promised. */
static bool record_refused(struct pipeline *p, const json_t *record, size_t len, char *why,
                           size_t whylen)
{
    if ((long)len > p->deps.config->max_record_bytes) {
        snprintf(why, whylen, "record of %zu bytes is over max_record_bytes (%ld)", len,
                 p->deps.config->max_record_bytes);
        return true;
    }
    char reason[400];
    if (schema_validate(p->record_schema, record, reason, sizeof reason) < 0) {
        snprintf(why, whylen, "fails the record schema: %s", reason);
        return true;
    }
    return false;
}

/* Writes {"reason", "bytes", "record"} into quarantine/ (the record itself only when within
 * the size cap) and gives the item up: an operator looks, consumers never see it. */
static void quarantine_record(struct article_job *j, json_t *record, size_t len, const char *why)
{
    struct pipeline *p = j->p;
    json_t *entry = json_object();
    json_object_set_new(entry, "reason", json_string(why));
    json_object_set_new(entry, "bytes", json_integer((json_int_t)len));
    json_object_set_new(entry, "url",
                        record_url(record) ? json_string(record_url(record)) : json_null());
    bool small = (long)len <= p->deps.config->max_record_bytes;
    json_object_set_new(entry, "record", small ? json_incref(record) : json_null());
    char *text = json_dumps(entry, JSON_COMPACT);
    json_decref(entry);
    char err[512];
    const char *url = j->item.link;
    if (spool_quarantine(p->deps.spool, j->record_id, text, strlen(text), err, sizeof err) < 0)
        log_err("record refused, and quarantine failed record=%s url=%s reason=\"%s\" error=\"%s\"",
                j->record_id, url ? url : "-", why, err);
    else
        log_err("record quarantined record=%s url=%s reason=\"%s\"", j->record_id, url ? url : "-",
                why);
    free(text);
    ingest_job_mark(j, state_item_set_failed(p->deps.state, j->key, why));
    p->stats.records_quarantined++;
}

/* A copy of an earlier article not written as a record: its line for SPOOL/sources.jsonl
 * (a source of its story), kept with the job until it is written. */
static void job_build_copy_line(struct article_job *j, const struct article *a, const char *title,
                                const struct story_match *match)
{
    char seen[DATE_ISO_LEN];
    date_format_iso(now_seconds(), seen);
    json_t *line = json_object();
    json_object_set_new(line, "record", json_string(j->record_id));
    json_object_set_new(line, "story", json_string(match->story_id));
    json_object_set_new(line, "duplicate_of", json_string(match->record_id));
    json_object_set_new(line, "similarity", record_similarity_json(match->similarity));
    json_object_set_new(line, "exact", json_boolean(match->exact));
    json_object_set_new(line, "url", utf8_json_string(j->item.link));
    json_object_set_new(line, "canonical_url", utf8_json_string(a->canonical_url));
    json_object_set_new(line, "feed", utf8_json_string(j->item.feed_url));
    json_object_set_new(line, "title", utf8_json_string(title));
    json_object_set_new(line, "seen", json_string(seen));
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    struct built_record *b = xcalloc(1, sizeof *b);
    b->is_source_line = true;
    b->text = text;
    b->len = len;
    snprintf(b->story, sizeof b->story, "%s", match->story_id);
    snprintf(b->duplicate_of, sizeof b->duplicate_of, "%s", match->record_id);
    b->similarity = match->similarity;
    b->exact = match->exact;
    j->built = b;
}

/* The records waiting in this pass's write batch are not in the story index yet: an article
 * of the same story as one of them is matched here, as the index would (an exact copy
 * first, else the one containing most of it). True when one beats what *match holds. */
static bool batched_story(struct pipeline *p, const struct fingerprint *fp,
                          struct story_match *match)
{
    bool better = false;
    for (const struct article_job *j = p->jobs; j; j = j->next) {
        const struct built_record *b = j->built;
        if (j->state != JOB_BATCHED || !b || b->is_source_line)
            continue;
        bool exact = (fp->text_key && fp->text_key == b->fp.text_key) ||
                     (fp->url_key && fp->url_key == b->fp.url_key);
        size_t shared = fingerprint_shared(fp, &b->fp);
        double containment = fingerprint_containment(shared, fp->n, b->fp.n);
        if (exact ? !match->exact
                  : fingerprint_same_story(shared, fp->n, b->fp.n) &&
                        containment > match->similarity && !match->exact) {
            snprintf(match->record_id, sizeof match->record_id, "%s", j->record_id);
            snprintf(match->story_id, sizeof match->story_id, "%s", b->story);
            match->similarity = exact ? 1 : containment > 1 ? 1 : containment;
            match->exact = exact;
            better = true;
        }
    }
    return better;
}

/* The story the article belongs to: 1 with *match filled when an earlier article of it is
 * in the index, else 0 (also when the index cannot be read: the article is then written as
 * a new story rather than lost). */
static int find_story(struct pipeline *p, const struct fingerprint *fp, struct story_match *match)
{
    char err[512];
    story_index_set_window(p->stories, p->deps.config->story_window);
    int found = story_index_find(p->stories, fp, now_seconds(), match, err, sizeof err);
    if (found < 0) {
        log_err("story lookup failed reason=\"%s\"", err);
        found = 0;
    }
    if (!(found && match->exact) && batched_story(p, fp, match))
        found = 1;
    return found;
}

void ingest_record_input_fill(struct record_input *in, struct record_article_parts *parts,
                              const struct pending_article *item, const struct article *a,
                              const char *title)
{
    /* The page's authors, else the feed's; the page's summary, else the feed's. */
    memset(parts, 0, sizeof *parts);
    if (!a->n_authors && item->author)
        article_split_authors(item->author, &parts->feed_authors, &parts->n_feed_authors);
    parts->feed_summary =
        !a->description && item->summary ? article_plain_text(item->summary) : NULL;
    /* The feed's categories first, then the page's tags, each once. */
    size_t c;
    json_t *category;
    json_array_foreach(item->categories, c, category)
        article_add_category(&parts->categories, &parts->n_categories, json_string_value(category));
    for (size_t i = 0; i < a->n_categories; i++)
        article_add_category(&parts->categories, &parts->n_categories, a->categories[i]);
    in->url = item->link;
    in->feed_url = item->feed_url;
    in->feed_title = item->feed_title;
    in->item_id = item->item_id;
    in->title = title;
    in->authors = (const char *const *)(a->n_authors ? a->authors : parts->feed_authors);
    in->n_authors = a->n_authors ? a->n_authors : parts->n_feed_authors;
    in->categories = (const char *const *)parts->categories;
    in->n_categories = parts->n_categories;
    in->description = a->description                                ? a->description
                      : parts->feed_summary && *parts->feed_summary ? parts->feed_summary
                                                                    : NULL;
    in->published = item->published ? item->published : a->published;
    in->modified = a->modified;
    in->site = a->site;
    in->lang = a->lang;
    in->lang_source = a->lang_source == ARTICLE_LANG_MARKUP ? "markup"
                      : a->lang_source == ARTICLE_LANG_TEXT ? "text"
                                                            : NULL;
    in->lang_confidence = a->lang_confidence;
    in->canonical_url = a->canonical_url;
    in->image = a->image;
    in->text = a->text;
    in->dateline = a->dateline;
    in->byline = a->byline;
    in->content_html = a->content_html;
    in->content_markdown = a->content_markdown;
    in->enclosures = item->enclosures;
}

void ingest_record_parts_free(struct record_article_parts *parts)
{
    for (size_t i = 0; i < parts->n_feed_authors; i++)
        free(parts->feed_authors[i]);
    free(parts->feed_authors);
    for (size_t i = 0; i < parts->n_categories; i++)
        free(parts->categories[i]);
    free(parts->categories);
    free(parts->feed_summary);
}

/* Finds the article's story, tags it, writes its record durably (or, for a copy that is not
 * to be written, lists it as a source), then marks the item done. */
void ingest_job_write_record(struct article_job *j, const struct article *a, const char *source)
{
    struct pipeline *p = j->p;
    const char *title = j->item.title;
    if (!title || !*title)
        title = a->title;
    double started = ingest_clock();
    struct fingerprint fp;
    fingerprint_compute(a->text, a->canonical_url ? a->canonical_url : j->item.link, &fp);
    struct story_match match;
    bool copy = find_story(p, &fp, &match) == 1;
    p->stats.stage_seconds[STAGE_STORIES] += ingest_clock() - started;
    /* An article its own site's feed lists after another feed did is written all the same,
     * marked as the copy it is: the other feed does not own it (docs/spool.md). */
    if (copy && !j->item.own_site &&
        (match.exact || p->deps.config->copies == CONFIG_COPIES_FIRST)) {
        job_build_copy_line(j, a, title, &match);
        ingest_emit_built(j);
        return;
    }
    started = ingest_clock();
    struct topic_result topics = {0}, near_misses = {0};
    topics_tag_with_near_misses(p->rules, title, a->text, &topics, &near_misses);
    if (j->item.topics) {
        topic_result_keep_only(&topics, j->item.topics);
        topic_result_keep_only(&near_misses, j->item.topics);
    }
    p->stats.stage_seconds[STAGE_TAG] += ingest_clock() - started;
    started = ingest_clock();
    struct record_article_parts parts;
    struct record_input in = {
        .id = j->record_id,
        .text_source = source,
        .page_skipped = j->page_skipped,
        .fetched = now_seconds(),
        .topics = &topics,
        .topics_rejected = &near_misses,
        .story = copy ? match.story_id : j->record_id,
        .duplicate_of = copy ? match.record_id : NULL,
        .similarity = copy ? match.similarity : 0,
        .archive_file = strcmp(source, "page") == 0 && *j->archive_file ? j->archive_file : NULL,
        .archive_offset = j->archive_offset,
    };
    ingest_record_input_fill(&in, &parts, &j->item, a, title);
    json_t *record = record_build(&in);
    ingest_record_parts_free(&parts);
    size_t len;
    char *text = record_serialize(record, &len);
    char err[512];
    if (record_refused(p, record, len, err, sizeof err)) {
        quarantine_record(j, record, len, err);
        free(text);
        json_decref(record);
    } else {
        struct built_record *b = xcalloc(1, sizeof *b);
        b->record = record;
        b->text = text;
        b->len = len;
        b->fp = fp;
        snprintf(b->story, sizeof b->story, "%s", in.story);
        if (copy)
            snprintf(b->duplicate_of, sizeof b->duplicate_of, "%s", match.record_id);
        b->n_topics = topics.n_hits;
        b->source = source;
        b->archived = in.archive_file != NULL;
        j->built = b;
    }
    topic_result_free(&topics);
    topic_result_free(&near_misses);
    p->stats.stage_seconds[STAGE_RECORD] += ingest_clock() - started;
    if (j->built)
        ingest_emit_built(j);
}

void ingest_built_free(struct built_record *b)
{
    if (!b)
        return;
    json_decref(b->record);
    free(b->text);
    free(b);
}

/* A write failed: the job keeps what it built and tries again after retry_delay; the
 * failure is logged when it begins or its reason changes, and page fetching pauses. */
static void write_failed(struct article_job *j, const char *what, const char *reason)
{
    struct pipeline *p = j->p;
    p->write_failures++;
    /* The cause is the reason's last part ("...: No space left on device"): the file names
     * before it differ from record to record. */
    const char *cause = strrchr(reason, ':');
    cause = cause ? cause : reason;
    if (!p->write_error || strcmp(p->write_error, cause) != 0)
        log_err("%s failed, records wait in memory and are retried every %lds, page fetching "
                "pauses reason=\"%s\"",
                what, p->deps.config->retry_delay, reason);
    else
        log_debug("%s still failing record=%s", what, j->record_id);
    free(p->write_error);
    p->write_error = xstrdup(cause);
    ingest_job_mark(j, state_item_set_retry(p->deps.state, j->key, j->attempts,
                                            now_seconds() + p->deps.config->retry_delay, reason));
    ingest_job_set_state(j, JOB_WRITE_FAILED);
    ingest_pause_after_write_failure(p);
}

/* Writes are failing as long as a record waits in memory; once the last one is written,
 * that is said once and page fetching resumes. (On a disk with little room left a small
 * record may fit while larger ones wait: that is no recovery yet.) */
static void write_succeeded(struct pipeline *p)
{
    if (!p->write_error)
        return;
    for (const struct article_job *j = p->jobs; j; j = j->next)
        if (j->built)
            return;
    log_notice("spool writes succeed again after_failures=%ld", p->write_failures);
    free(p->write_error);
    p->write_error = NULL;
    p->write_failures = 0;
    ingest_write_recovered(p);
}

/* ---- group commit ---------------------------------------------------------------------- */

/* What one flush does for a job, in the order the flush keeps its jobs. */
enum batch_kind {
    BATCH_STAGE,   /* a record to write, stage and publish */
    BATCH_PUBLISH, /* a record staged by an earlier attempt: only renamed (never written anew) */
    BATCH_SOURCE,  /* a line for sources.jsonl */
    BATCH_SKIP,    /* its item was finished elsewhere (or could not be read): nothing to write */
    BATCH_KINDS,
};

struct batch_slot {
    struct article_job *j;
    enum batch_kind kind;
    const char *what; /* when it failed: the write that did ("spool write", ...) */
    char *note;       /* the record's outbox note, as text */
};

/* The kind of write the job's built record needs; BATCH_SKIP when there is none, with a
 * failure noted when its item's state could not be read. */
static enum batch_kind batch_kind_of(struct article_job *j, struct batch_slot *slot,
                                     struct spool_batch_entry *e)
{
    struct pipeline *p = j->p;
    /* Only a pending item gets a record; a staged one is only renamed (never written anew). */
    bool pending = false, staged = false;
    if (state_item_is_pending(p->deps.state, j->key, &pending) < 0 ||
        state_item_staged(p->deps.state, j->key, &staged) < 0) {
        slot->what = "state read";
        snprintf(e->err, sizeof e->err, "%s", state_error(p->deps.state));
        e->failed = true;
        return BATCH_SKIP;
    }
    if (!pending) {
        log_debug("item finished elsewhere, not written again record=%s", j->record_id);
        return BATCH_SKIP;
    }
    if (j->built->is_source_line)
        return BATCH_SOURCE;
    return staged ? BATCH_PUBLISH : BATCH_STAGE;
}

/* Fails the entries not failed yet among the first n, with the state database's error; their
 * tmp/ files are removed (nothing was staged). */
static void fail_unstaged(struct pipeline *p, struct batch_slot *slots,
                          struct spool_batch_entry *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!entries[i].failed) {
            spool_discard_staged(p->deps.spool, entries[i].record_id);
            slots[i].what = "state write";
            snprintf(entries[i].err, sizeof entries[i].err, "%s", state_error(p->deps.state));
            entries[i].failed = true;
        }
}

/* One transaction stages every record written into tmp/, each with its story index entry
 * (and its archive row); a record whose rows cannot be written fails alone, a failed commit
 * fails them all. */
static void stage_in_state(struct pipeline *p, struct batch_slot *slots,
                           struct spool_batch_entry *entries, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || !entries[i].failed;
    if (!any)
        return;
    if (state_batch_begin(p->deps.state) < 0) {
        fail_unstaged(p, slots, entries, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (entries[i].failed)
            continue;
        struct article_job *j = slots[i].j;
        struct built_record *b = j->built;
        char err[512];
        int rc = state_begin(p->deps.state);
        if (rc == 0) {
            if (story_index_add(p->stories, &b->fp, j->record_id, b->story, now_seconds(), err,
                                sizeof err) < 0)
                log_err("story index write failed record=%s reason=\"%s\"", j->record_id, err);
            /* (not indexed: later copies will not find it, but the record stands) */
            rc = state_item_stage(p->deps.state, j->key, j->record_id);
            if (rc == 0 && b->archived)
                rc = state_item_archived(p->deps.state, j->key, j->archive_file, j->archive_offset,
                                         1, b->text);
            if (rc == 0)
                rc = state_commit(p->deps.state);
            else
                state_rollback(p->deps.state);
        }
        if (rc < 0)
            fail_unstaged(p, slots + i, entries + i, 1);
    }
    if (state_batch_commit(p->deps.state) < 0)
        fail_unstaged(p, slots, entries, n);
}

/* One transaction marks every item written (published or listed) emitted. A failure leaves
 * staged records to the next start's recovery, as a single record's would. */
static void mark_emitted(struct pipeline *p, struct batch_slot *slots,
                         struct spool_batch_entry *entries, size_t n)
{
    bool batched = state_batch_begin(p->deps.state) == 0;
    for (size_t i = 0; i < n; i++)
        if (!entries[i].failed && slots[i].kind != BATCH_SKIP)
            ingest_job_mark(slots[i].j, state_item_set_emitted(p->deps.state, slots[i].j->key));
    if (batched && state_batch_commit(p->deps.state) < 0)
        log_err("state write failed, staged records are finished at the next start reason=\"%s\"",
                state_error(p->deps.state));
}

/* A job whose write went through: counted, logged, handed to the hooks, freed. */
static void batch_written(struct batch_slot *slot)
{
    struct article_job *j = slot->j;
    struct pipeline *p = j->p;
    struct built_record *b = j->built;
    const char *url = j->item.link;
    if (slot->kind == BATCH_SOURCE) {
        p->stats.copies_listed++;
        log_info("copy of an earlier article listed as a source record=%s story=%s duplicate_of=%s "
                 "similarity=%.2f exact=%s url=%s",
                 j->record_id, b->story, b->duplicate_of, b->similarity, b->exact ? "yes" : "no",
                 url ? url : "-");
    } else if (slot->kind != BATCH_SKIP) {
        p->stats.records_written++;
        log_info("record written record=%s url=%s topics=%zu source=%s story=%s%s%s", j->record_id,
                 url ? url : "-", b->n_topics, b->source, b->story,
                 *b->duplicate_of ? " duplicate_of=" : "", b->duplicate_of);
        if (p->hooks.on_record)
            p->hooks.on_record(p->hooks.ud, b->record);
    }
    ingest_job_free(j);
}

void ingest_flush_writes(struct pipeline *p)
{
    if (p->flushing || !p->batch_records)
        return;
    p->flushing = true; /* (what the poll batch's commit brings joins the next batch) */
    event_del(p->write_flush);
    /* The transactions below must be durable when they commit, not nested in a poll batch. */
    ingest_commit_poll_batch(p);
    size_t n = 0;
    for (const struct article_job *j = p->jobs; j; j = j->next)
        n += j->state == JOB_BATCHED;
    struct batch_slot *slots = xcalloc(n ? n : 1, sizeof *slots);
    struct spool_batch_entry *entries = xcalloc(n ? n : 1, sizeof *entries);
    p->batch_records = 0;
    p->batch_bytes = 0;
    /* In the order of enum batch_kind, so that each step takes one stretch of the array. */
    struct batch_slot *unsorted = xcalloc(n ? n : 1, sizeof *unsorted);
    struct spool_batch_entry *unsorted_entries = xcalloc(n ? n : 1, sizeof *unsorted_entries);
    size_t count[BATCH_KINDS] = {0}, m = 0;
    for (struct article_job *j = p->jobs; j && m < n; j = j->next) {
        if (j->state != JOB_BATCHED)
            continue;
        ingest_job_set_state(j, JOB_EMITTING);
        unsorted[m].j = j;
        unsorted[m].kind = batch_kind_of(j, &unsorted[m], &unsorted_entries[m]);
        count[unsorted[m].kind]++;
        m++;
    }
    size_t at[BATCH_KINDS] = {0};
    for (int k = 1; k < BATCH_KINDS; k++)
        at[k] = at[k - 1] + count[k - 1];
    for (size_t i = 0; i < m; i++) {
        size_t to = at[unsorted[i].kind]++;
        slots[to] = unsorted[i];
        entries[to] = unsorted_entries[i];
    }
    free(unsorted);
    free(unsorted_entries);
    size_t n_stage = count[BATCH_STAGE], n_records = n_stage + count[BATCH_PUBLISH];
    bool archived = false;
    for (size_t i = 0; i < m; i++) {
        struct built_record *b = slots[i].j->built;
        struct spool_batch_entry *e = &entries[i];
        e->record_id = slots[i].j->record_id;
        e->data = b->text;
        e->len = b->len;
        if (i < n_stage) {
            json_t *note = record_outbox_note(b->record);
            slots[i].note = json_dumps(note, JSON_COMPACT);
            json_decref(note);
            e->note = slots[i].note;
            archived = archived || b->archived;
        }
        if (!slots[i].what)
            slots[i].what = slots[i].kind == BATCH_SOURCE ? "source list write" : "spool write";
    }
    double started = ingest_clock();
    /* The archived pages are durable before records pointing at them can be
     * (docs/archive.md). */
    char err[512];
    if (archived && archive_sync(p->deps.archive, err, sizeof err) < 0)
        for (size_t i = 0; i < n_stage; i++)
            if (slots[i].j->built->archived) {
                slots[i].what = "archive write";
                snprintf(entries[i].err, sizeof entries[i].err, "%s", err);
                entries[i].failed = true;
            }
    spool_stage_batch(p->deps.spool, entries, n_stage);
    p->stats.stage_seconds[STAGE_SPOOL] += ingest_clock() - started;
    stage_in_state(p, slots, entries, n_stage);
    started = ingest_clock();
    spool_publish_batch(p->deps.spool, entries, n_records);
    spool_append_sources(p->deps.spool, entries + n_records, count[BATCH_SOURCE]);
    p->stats.stage_seconds[STAGE_SPOOL] += ingest_clock() - started;
    mark_emitted(p, slots, entries, m);
    size_t failed = 0, written = 0;
    for (size_t i = 0; i < m; i++) {
        failed += entries[i].failed;
        written += !entries[i].failed && slots[i].kind != BATCH_SKIP;
    }
    log_debug("write batch records=%zu sources=%zu written=%zu failed=%zu", n_records,
              count[BATCH_SOURCE], written, failed);
    /* The failures' retry marks share a transaction too. */
    bool batched = failed && state_batch_begin(p->deps.state) == 0;
    for (size_t i = 0; i < m; i++)
        if (entries[i].failed)
            write_failed(slots[i].j, slots[i].what, entries[i].err);
    if (batched && state_batch_commit(p->deps.state) < 0)
        log_err("state write failed reason=\"%s\"", state_error(p->deps.state));
    for (size_t i = 0; i < m; i++) {
        free(slots[i].note);
        if (entries[i].failed)
            ingest_job_write_failed_done(slots[i].j);
        else
            batch_written(&slots[i]);
    }
    free(slots);
    free(entries);
    p->flushing = false;
    write_succeeded(p);
    if (p->batch_records) /* (joined while this batch was written) */
        event_active(p->write_flush, EV_TIMEOUT, 1);
}

void ingest_on_write_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ingest_flush_writes(arg);
}

/* The job's record joins the batch of this pass of the event loop, written when the pass
 * ends (or at once when the batch is full): see docs/spool.md, "Records written together". */
void ingest_emit_built(struct article_job *j)
{
    struct pipeline *p = j->p;
    size_t len = j->built->len;
    if (p->batch_records &&
        (p->batch_records >= WRITE_BATCH_RECORDS || p->batch_bytes + len > WRITE_BATCH_BYTES))
        ingest_flush_writes(p);
    ingest_job_set_state(j, JOB_BATCHED);
    p->batch_records++;
    p->batch_bytes += len;
    event_active(p->write_flush, EV_TIMEOUT, 1);
    /* Counted now, so that no page fetch starts past the spool's limit before the batch is
     * written. */
    if (!j->built->is_source_line)
        ingest_note_spool_growth(p, len);
}

void ingest_batch_spool_size(const struct pipeline *p, long *records, long long *bytes)
{
    *records = 0;
    *bytes = 0;
    for (const struct article_job *j = p->jobs; j; j = j->next)
        if (j->state == JOB_BATCHED && !j->built->is_source_line) {
            (*records)++;
            *bytes += (long long)j->built->len;
        }
}
