/* emit.c: an extracted article becomes a record: its story is found, its topics tagged,
 * the record built, checked (schema, size cap) and written durably to the spool, or
 * quarantined; a copy of an earlier article is listed as a source of its story instead.
 *
 * A record enters new/ by the staged protocol of docs/spool.md: tmp/ file and tmp/ fsynced,
 * the record committed as staged (with its story index entry), renamed into new/, new/
 * fsynced, the item marked emitted. What was built stays with the job until it is written:
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

/* The staged record goes into new/, and its item is marked emitted. Returns -1 when the
 * rename failed (the record stays staged, the job tries again). */
static int publish_staged(struct article_job *j)
{
    struct pipeline *p = j->p;
    char err[512];
    double started = ingest_clock();
    int published = spool_publish_staged(p->deps.spool, j->record_id, err, sizeof err);
    p->stats.stage_seconds[STAGE_SPOOL] += ingest_clock() - started;
    if (published < 0) {
        write_failed(j, "spool write", err);
        return -1;
    }
    ingest_job_mark(j, state_item_set_emitted(p->deps.state, j->key));
    return 0;
}

/* tmp/ file fsynced, then committed as staged together with its story index entry. */
static int stage(struct article_job *j)
{
    struct pipeline *p = j->p;
    struct built_record *b = j->built;
    char err[512];
    double started = ingest_clock();
    /* The archived page is durable before a record pointing at it can be (docs/archive.md). */
    if (b->archived && archive_sync(p->deps.archive, err, sizeof err) < 0) {
        write_failed(j, "archive write", err);
        return -1;
    }
    int staged = spool_stage(p->deps.spool, j->record_id, b->text, b->len, err, sizeof err);
    if (staged == 0) {
        json_t *note = record_outbox_note(b->record);
        char *note_text = json_dumps(note, JSON_COMPACT);
        spool_note_staged(p->deps.spool, j->record_id, note_text);
        free(note_text);
        json_decref(note);
    }
    p->stats.stage_seconds[STAGE_SPOOL] += ingest_clock() - started;
    if (staged < 0) {
        write_failed(j, "spool write", err);
        return -1;
    }
    int rc = state_begin(p->deps.state);
    if (rc == 0) {
        if (story_index_add(p->stories, &b->fp, j->record_id, b->story, now_seconds(), err,
                            sizeof err) < 0)
            log_err("story index write failed record=%s reason=\"%s\"", j->record_id, err);
        /* (not indexed: later copies will not find it, but the record stands) */
        rc = state_item_stage(p->deps.state, j->key, j->record_id);
        if (rc == 0 && b->archived)
            rc = state_item_archived(p->deps.state, j->key, j->archive_file, j->archive_offset, 1,
                                     b->text);
        if (rc == 0)
            rc = state_commit(p->deps.state);
        else
            state_rollback(p->deps.state);
    }
    if (rc < 0) {
        spool_discard_staged(p->deps.spool, j->record_id);
        write_failed(j, "state write", state_error(p->deps.state));
        return -1;
    }
    return 0;
}

void ingest_emit_built(struct article_job *j)
{
    struct pipeline *p = j->p;
    struct built_record *b = j->built;
    const char *url = j->item.link;
    /* Only a pending item gets a record; a staged one is only renamed (never written anew). */
    bool pending = false, staged = false;
    if (state_item_is_pending(p->deps.state, j->key, &pending) < 0 ||
        state_item_staged(p->deps.state, j->key, &staged) < 0) {
        write_failed(j, "state read", state_error(p->deps.state));
        return;
    }
    if (!pending) {
        log_debug("item finished elsewhere, not written again record=%s", j->record_id);
    } else if (b->is_source_line) {
        char err[512];
        if (spool_append_source(p->deps.spool, b->text, b->len, err, sizeof err) < 0) {
            write_failed(j, "source list write", err);
            return;
        }
        ingest_job_mark(j, state_item_set_emitted(p->deps.state, j->key));
        p->stats.copies_listed++;
        log_info("copy of an earlier article listed as a source record=%s story=%s duplicate_of=%s "
                 "similarity=%.2f exact=%s url=%s",
                 j->record_id, b->story, b->duplicate_of, b->similarity, b->exact ? "yes" : "no",
                 url ? url : "-");
    } else {
        if ((!staged && stage(j) < 0) || publish_staged(j) < 0)
            return;
        p->stats.records_written++;
        ingest_note_spool_growth(p, b->len);
        log_info("record written record=%s url=%s topics=%zu source=%s story=%s%s%s", j->record_id,
                 url ? url : "-", b->n_topics, b->source, b->story,
                 *b->duplicate_of ? " duplicate_of=" : "", b->duplicate_of);
        if (p->hooks.on_record)
            p->hooks.on_record(p->hooks.ud, b->record);
    }
    j->built = NULL;
    ingest_built_free(b);
    write_succeeded(p);
}
