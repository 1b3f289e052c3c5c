/* cmd_reextract.c: `feedspool reextract`: records rebuilt from the page archive with the
 * current extractor and topic rules, without fetching anything (docs/archive.md).
 *
 * A record that comes out different is written as its next revision, <id>.rN.json, by the
 * spool's staged protocol (docs/spool.md): tmp/ file fsynced, then in one transaction
 * staged and its new revision and record stored, then renamed into new/ and marked done.
 * A rerun first finishes what an interrupted one staged, and compares with the stored
 * revision, so each revision is written exactly once however often it is interrupted. It
 * holds the state's lock: it refuses while the daemon (run, once, demo) uses the state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd/commands.h"
#include "cmd/state_lock.h"
#include "common/duration.h"
#include "common/progress.h"
#include "common/util.h"
#include "config/config.h"
#include "daemon/service.h"
#include "extract/language.h"
#include "feeds/date.h"
#include "ingest/rebuild.h"
#include "output/archive.h"
#include "output/record.h"
#include "output/spool.h"
#include "output/validate.h"
#include "store/state.h"
#include "topics/topics.h"

#define PAGE_ROWS 200 /* archived items read from the state at a time */

static int usage(FILE *out, int status)
{
    fprintf(out,
            "Usage: feedspool reextract [--since T] [--feed URL] [--topics-only] [OPTIONS]\n"
            "Rebuilds the records of archived pages (archive = yes) with the current extractor\n"
            "and topic rules, without fetching anything. A record that comes out different is\n"
            "written into the spool as its next revision (<id>.rN.json, \"revision\": N); an\n"
            "unchanged one is not written. Safe to interrupt and run again: each revision is\n"
            "written once. Refuses while the daemon uses the state database.\n\n"
            "  --since T      only items first seen at or after T (ISO 8601, or a duration\n"
            "                 such as 7d: that long ago)\n"
            "  --feed URL     only the items of this feed (its URL as in the feed list)\n"
            "  --topics-only  keep each record's text, only tag it again\n\n"
            "Exit status: 0 all rebuilt, 1 some could not be (their page left the archive,\n"
            "or it is unreadable: each is named), 2 usage, 5 the state is in use.\n\n");
    service_print_options(out);
    return status;
}

struct reextract {
    const struct config *cfg;
    struct state *st;
    struct spool *spool;
    struct topic_rules *rules;
    struct schema *schema;
    struct language_guesser *language; /* as the daemon's: lang from the text when needed */
    char *archive_dir;
    bool topics_only;
    struct progress progress;
    long seen, revised, unchanged, missing, failed;
    char last_key[256];
};

/* What an interrupted run (or the daemon) staged is finished first, as the daemon does at
 * its start: renamed into new/ if still in tmp/, and marked done. */
static void finish_staged(const char *key, const char *name, void *ud)
{
    struct reextract *r = ud;
    char err[512];
    if (spool_publish_staged(r->spool, name, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool reextract: staged record %s: %s\n", name, err);
        r->failed++;
        return;
    }
    if (state_item_set_emitted(r->st, key) < 0) {
        fprintf(stderr, "feedspool reextract: %s\n", state_error(r->st));
        r->failed++;
    }
}

/* The Content-Type line of an HTTP head, or NULL. Caller frees. */
static char *content_type_of(const char *head, size_t len)
{
    for (const char *line = head, *end = head + len; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t n = eol ? (size_t)(eol - line) + 1 : (size_t)(end - line);
        if (n > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
            const char *v = line + 13, *stop = line + n;
            while (v < stop && (*v == ' ' || *v == '\t'))
                v++;
            while (stop > v && (stop[-1] == '\r' || stop[-1] == '\n' || stop[-1] == ' '))
                stop--;
            return xstrndup(v, (size_t)(stop - v));
        }
        line += n;
    }
    return NULL;
}

/* The record rebuilt from the archived page, or NULL (counted, and said). */
static json_t *rebuild_from_archive(struct reextract *r, const struct archived_item *item,
                                    const json_t *current)
{
    struct warc_record w;
    char err[768];
    int rc = archive_read(r->archive_dir, item->warc_file, item->warc_offset,
                          (size_t)r->cfg->max_body + 1024 * 1024, &w, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "feedspool reextract: record %s: cannot rebuild: %s\n", item->record_id,
                err);
        if (rc == -2)
            r->missing++;
        else
            r->failed++;
        return NULL;
    }
    size_t head_len, payload_len;
    const char *payload;
    json_t *record = NULL;
    char *type = warc_header(&w, "WARC-Type");
    if (!type || strcmp(type, "response") != 0 ||
        warc_http_payload(&w, &head_len, &payload, &payload_len) < 0) {
        fprintf(stderr, "feedspool reextract: record %s: %s at %lld is not an HTTP response\n",
                item->record_id, item->warc_file, (long long)item->warc_offset);
        r->failed++;
    } else {
        char *uri = warc_header(&w, "WARC-Target-URI");
        char *content_type = content_type_of(w.block, head_len);
        struct rebuild_page page = {.data = payload,
                                    .len = payload_len,
                                    .url = uri,
                                    .content_type = content_type,
                                    .content = (unsigned)r->cfg->content_format,
                                    .language = r->language};
        record = rebuild_record(current, item->item_json, &page, r->rules, err, sizeof err);
        if (!record) {
            fprintf(stderr, "feedspool reextract: record %s: %s\n", item->record_id, err);
            r->failed++;
        }
        free(uri);
        free(content_type);
    }
    free(type);
    warc_record_free(&w);
    return record;
}

/* Writes the record as the item's revision by the staged protocol. */
static int write_revision(struct reextract *r, const struct archived_item *item, json_t *record,
                          long revision)
{
    json_object_set_new(record, "revision", json_integer(revision));
    size_t len;
    char *text = record_serialize(record, &len);
    char err[512], name[160];
    snprintf(name, sizeof name, "%s.r%ld", item->record_id, revision);
    int rc = -1;
    if ((long)len > r->cfg->max_record_bytes)
        snprintf(err, sizeof err, "record of %zu bytes is over max_record_bytes", len);
    else if (schema_validate(r->schema, record, err, sizeof err) < 0)
        ;
    else if (spool_stage(r->spool, name, text, len, err, sizeof err) < 0)
        ;
    else if (state_begin(r->st) < 0 || state_item_stage(r->st, item->key, name) < 0 ||
             state_item_archived(r->st, item->key, item->warc_file, item->warc_offset, revision,
                                 text) < 0 ||
             state_commit(r->st) < 0) {
        snprintf(err, sizeof err, "%s", state_error(r->st));
        state_rollback(r->st);
        spool_discard_staged(r->spool, name);
    } else if (spool_publish_staged(r->spool, name, err, sizeof err) < 0) {
        ; /* staged: the next run finishes it */
    } else if (state_item_set_emitted(r->st, item->key) < 0) {
        snprintf(err, sizeof err, "%s", state_error(r->st));
    } else {
        rc = 0;
    }
    if (rc < 0)
        fprintf(stderr, "feedspool reextract: record %s revision %ld not written: %s\n",
                item->record_id, revision, err);
    free(text);
    return rc;
}

static void reextract_item(const struct archived_item *item, void *ud)
{
    struct reextract *r = ud;
    snprintf(r->last_key, sizeof r->last_key, "%s", item->key);
    r->seen++;
    json_error_t jerr;
    json_t *current = json_loads(item->record, 0, &jerr);
    json_t *record = NULL;
    char err[512];
    if (!current) {
        fprintf(stderr, "feedspool reextract: record %s: stored record unreadable: %s\n",
                item->record_id, jerr.text);
        r->failed++;
    } else if (r->topics_only) {
        record = rebuild_record(current, item->item_json, NULL, r->rules, err, sizeof err);
        if (!record) {
            fprintf(stderr, "feedspool reextract: record %s: %s\n", item->record_id, err);
            r->failed++;
        }
    } else {
        record = rebuild_from_archive(r, item, current);
    }
    if (record) {
        json_object_set_new(record, "revision", json_integer(item->revision));
        if (json_equal(record, current))
            r->unchanged++;
        else if (write_revision(r, item, record, item->revision + 1) == 0)
            r->revised++;
        else
            r->failed++;
    }
    json_decref(record);
    json_decref(current);
    progress_step(&r->progress, 1);
}

/* --since: an ISO 8601 time, or a duration back from now. */
static int parse_since(const char *text, int64_t *since)
{
    long seconds;
    if (duration_parse(text, DURATION_SECONDS, &seconds) == 0) {
        *since = (int64_t)time(NULL) - seconds;
        return 0;
    }
    return date_parse(text, since) ? 0 : -1;
}

static int reextract_all(struct reextract *r, int64_t since, const char *feed)
{
    char err[1024];
    if (state_items_staged(r->st, finish_staged, r) < 0) {
        fprintf(stderr, "feedspool reextract: %s\n", state_error(r->st));
        return 1;
    }
    if (r->failed == 0)
        spool_clean_tmp(r->spool);
    if (topic_rules_load(r->cfg->topics, &r->rules, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool reextract: cannot load topic rules: %s\n", err);
        return 1;
    }
    r->schema = schema_load_record(err, sizeof err);
    if (!r->schema) {
        fprintf(stderr, "feedspool reextract: %s\n", err);
        return 1;
    }
    r->language = language_guesser_open(err, sizeof err);
    if (!r->language)
        fprintf(stderr, "feedspool reextract: records get lang only from the markup: %s\n", err);
    progress_start(&r->progress, "reextract", 0);
    long got;
    while ((got = state_items_archived(r->st, r->last_key, since, feed, PAGE_ROWS, reextract_item,
                                       r)) > 0)
        ;
    progress_end(&r->progress);
    if (got < 0) {
        fprintf(stderr, "feedspool reextract: %s\n", state_error(r->st));
        return 1;
    }
    printf("%ld archived record%s: %ld new revision%s written, %ld unchanged, %ld whose page is "
           "no longer in the archive, %ld failed\n",
           r->seen, r->seen == 1 ? "" : "s", r->revised, r->revised == 1 ? "" : "s", r->unchanged,
           r->missing, r->failed);
    return r->missing || r->failed ? 1 : 0;
}

int cmd_reextract(int argc, char **argv)
{
    if (wants_help(argc, argv))
        return usage(stdout, 0);
    char *rest[64];
    int n_rest = 0;
    const char *feed = NULL, *since_text = NULL;
    bool topics_only = false;
    rest[n_rest++] = argv[0];
    for (int i = 1; i < argc && n_rest < 63; i++) {
        if (strcmp(argv[i], "--topics-only") == 0)
            topics_only = true;
        else if (strcmp(argv[i], "--feed") == 0 && i + 1 < argc)
            feed = argv[++i];
        else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc)
            since_text = argv[++i];
        else
            rest[n_rest++] = argv[i];
    }
    rest[n_rest] = NULL;
    int64_t since = 0;
    if (since_text && parse_since(since_text, &since) < 0) {
        fprintf(stderr, "feedspool reextract: --since %s: not a time (ISO 8601) or a duration\n",
                since_text);
        return CMD_EXIT_USAGE;
    }
    struct config cfg;
    char err[1024];
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool reextract: %s\n", err);
        config_free(&cfg);
        return CMD_EXIT_USAGE;
    }
    int busy = 0;
    int lock = state_lock_take(cfg.state, cfg.spool, "reextract", &busy, err, sizeof err);
    if (lock < 0) {
        fprintf(stderr, "feedspool reextract: %s\n", err);
        config_free(&cfg);
        return busy ? CMD_EXIT_STATE_BUSY : CMD_EXIT_CANNOT_START;
    }
    struct reextract r = {.cfg = &cfg, .topics_only = topics_only};
    r.archive_dir = archive_folder(cfg.state);
    int status = CMD_EXIT_CANNOT_START;
    if (state_open(cfg.state, &r.st, err, sizeof err) < 0 ||
        spool_open(cfg.spool, &r.spool, err, sizeof err) < 0)
        fprintf(stderr, "feedspool reextract: %s\n", err);
    else
        status = reextract_all(&r, since, feed);
    schema_free(r.schema);
    language_guesser_close(r.language);
    topic_rules_free(r.rules);
    spool_close(r.spool);
    state_close(r.st);
    free(r.archive_dir);
    state_lock_release(lock);
    config_free(&cfg);
    return status;
}
