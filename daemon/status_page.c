/* status_page.c: the HTML status page and the ring of recent records (see status_page.h). */
#include "daemon/status_page.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/redact.h"
#include "common/util.h"
#include "output/spool.h"

struct recent_record {
    char *id, *title, *topics, *story; /* topics: the ids joined by ", " */
    long long written;                 /* epoch seconds */
};

struct recent_records {
    struct recent_record slots[RECENT_RECORDS_KEPT];
    size_t next; /* the slot the next record takes */
    size_t n;
};

struct recent_records *recent_records_new(void)
{
    return xcalloc(1, sizeof(struct recent_records));
}

static void recent_record_clear(struct recent_record *r)
{
    free(r->id);
    free(r->title);
    free(r->topics);
    free(r->story);
    memset(r, 0, sizeof *r);
}

static char *string_field(const json_t *record, const char *key)
{
    const char *s = json_string_value(json_object_get(record, key));
    return xstrdup(s ? s : "");
}

/* The topic ids joined by ", ". */
static char *joined_topic_ids(const json_t *ids)
{
    struct evbuffer *joined = evbuffer_new();
    size_t i;
    const json_t *topic;
    json_array_foreach(ids, i, topic)
    {
        const char *id = json_string_value(topic);
        if (id)
            evbuffer_add_printf(joined, "%s%s", evbuffer_get_length(joined) ? ", " : "", id);
    }
    size_t n = evbuffer_get_length(joined);
    char *text = xmalloc(n + 1);
    evbuffer_remove(joined, text, n);
    text[n] = '\0';
    evbuffer_free(joined);
    return text;
}

void recent_records_add(struct recent_records *ring, const json_t *record)
{
    struct recent_record *slot = &ring->slots[ring->next];
    recent_record_clear(slot);
    slot->id = string_field(record, "id");
    slot->title = string_field(record, "title");
    slot->story = string_field(record, "story");
    slot->written = (long long)time(NULL);
    slot->topics = joined_topic_ids(json_object_get(record, "topic_ids"));
    ring->next = (ring->next + 1) % RECENT_RECORDS_KEPT;
    if (ring->n < RECENT_RECORDS_KEPT)
        ring->n++;
}

void recent_records_free(struct recent_records *ring)
{
    if (!ring)
        return;
    for (size_t i = 0; i < RECENT_RECORDS_KEPT; i++)
        recent_record_clear(&ring->slots[i]);
    free(ring);
}

/* ---- the page ------------------------------------------------------------ */

static void add_html(struct evbuffer *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        switch (*p) {
            case '&': evbuffer_add(out, "&amp;", 5); break;
            case '<': evbuffer_add(out, "&lt;", 4); break;
            case '>': evbuffer_add(out, "&gt;", 4); break;
            case '"': evbuffer_add(out, "&quot;", 6); break;
            case '\'': evbuffer_add(out, "&#39;", 5); break;
            default: evbuffer_add(out, p, 1);
        }
    }
}

static void add_cell(struct evbuffer *out, const char *text)
{
    evbuffer_add_printf(out, "<td>");
    add_html(out, text);
    evbuffer_add_printf(out, "</td>");
}

/* A UTC time, "-" for 0: shown relative to now ("in 5 min", "now", "3 min ago"), the UTC
 * time as its title. */
static void add_time_cell(struct evbuffer *out, long long when, long long now)
{
    if (when <= 0) {
        add_cell(out, "-");
        return;
    }
    char stamp[32], ago[48];
    time_t t = (time_t)when;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
    long long delta = when - now;
    long long mag = delta < 0 ? -delta : delta;
    const char *unit = mag >= 7200 ? "h" : mag >= 120 ? "min" : "s";
    long long n = mag >= 7200 ? mag / 3600 : mag >= 120 ? mag / 60 : mag;
    if (delta == 0)
        snprintf(ago, sizeof ago, "now");
    else if (delta > 0)
        snprintf(ago, sizeof ago, "in %lld %s", n, unit);
    else
        snprintf(ago, sizeof ago, "%lld %s ago", n, unit);
    evbuffer_add_printf(out, "<td title=\"%s\">%s</td>", stamp, ago);
}

struct feed_rows {
    struct evbuffer *out;
    long long now;
    long total, failing;
};

static void add_feed_row(const struct pipeline_feed_view *f, void *ud)
{
    struct feed_rows *rows = ud;
    struct evbuffer *out = rows->out;
    rows->total++;
    const char *state = f->gone ? "gone" : f->errors ? "failing" : f->last_success ? "ok" : "new";
    if (f->errors)
        rows->failing++;
    evbuffer_add_printf(out, "<tr class=\"%s\">", state);
    char *url = redact_credentials(f->url);
    evbuffer_add_printf(out, "<td class=\"feed\">");
    if (f->name && *f->name) {
        evbuffer_add_printf(out, "<b>");
        add_html(out, f->name);
        evbuffer_add_printf(out, "</b><br>");
    }
    add_html(out, url);
    evbuffer_add_printf(out, "</td>");
    free(url);
    add_cell(out, state);
    evbuffer_add_printf(out, "<td class=\"num\">%ld</td>", f->errors);
    add_cell(out, f->last_error ? f->last_error : "");
    add_time_cell(out, f->last_success, rows->now);
    add_time_cell(out, f->next_poll, rows->now);
    evbuffer_add_printf(out, "</tr>\n");
}

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>feedspool status</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}\n"
    "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}\n"
    "th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eee}td.num{text-align:right}td.feed{word-break:break-all}\n"
    "tr.failing td{background:#fde8e8}tr.gone td{color:#888}\n"
    ".cards{display:flex;gap:1em;flex-wrap:wrap}\n"
    ".card{background:#fff;border:1px solid #ddd;padding:.6em 1em;min-width:10em}\n"
    ".card b{display:block;font-size:1.5em}.bad{color:#b00}.good{color:#070}\n"
    "</style></head><body>\n";

static void add_card(struct evbuffer *out, const char *label, const char *value, const char *cls)
{
    evbuffer_add_printf(out, "<div class=\"card\"><b class=\"%s\">", cls);
    add_html(out, value);
    evbuffer_add_printf(out, "</b>");
    add_html(out, label);
    evbuffer_add_printf(out, "</div>\n");
}

static void render_sinks(const struct sinks *sinks, struct evbuffer *out)
{
    evbuffer_add_printf(out, "<h2>Sink</h2>\n");
    if (!sinks) {
        evbuffer_add_printf(out,
                            "<p>None configured: records stay in the spool for consumers.</p>\n");
        return;
    }
    evbuffer_add_printf(out, "<table id=\"sink\"><tr><th>sink</th><th>state</th><th>queued</th>"
                             "<th>in flight</th><th>published</th><th>duplicates</th>"
                             "<th>refused</th><th>sent again</th></tr>\n");
    for (size_t i = 0; i < sinks_count(sinks); i++) {
        struct sink_stats st = sinks_stats(sinks, i);
        evbuffer_add_printf(out, "<tr>");
        add_cell(out, sinks_ops(sinks, i)->title);
        evbuffer_add_printf(
            out,
            "<td class=\"%s\">%s</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
            "<td class=\"num\">%ld</td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>"
            "<td class=\"num\">%ld</td></tr>\n",
            st.connected ? "good" : "bad", st.connected ? "connected" : "disconnected", st.queued,
            st.in_flight, st.published, st.duplicates, st.refused, st.resent);
    }
    evbuffer_add_printf(out, "</table>\n");
}

static void render_recent(const struct recent_records *ring, long long now, struct evbuffer *out)
{
    evbuffer_add_printf(out, "<h2>Recent records</h2>\n");
    if (!ring || ring->n == 0) {
        evbuffer_add_printf(out, "<p>None written since the start.</p>\n");
        return;
    }
    evbuffer_add_printf(out, "<table id=\"records\"><tr><th>written</th><th>title</th>"
                             "<th>topics</th><th>story</th><th>id</th></tr>\n");
    for (size_t k = 1; k <= ring->n; k++) { /* newest first */
        const struct recent_record *r =
            &ring->slots[(ring->next + RECENT_RECORDS_KEPT - k) % RECENT_RECORDS_KEPT];
        evbuffer_add_printf(out, "<tr>");
        add_time_cell(out, r->written, now);
        add_cell(out, r->title);
        add_cell(out, r->topics);
        add_cell(out, r->story);
        add_cell(out, r->id);
        evbuffer_add_printf(out, "</tr>\n");
    }
    evbuffer_add_printf(out, "</table>\n");
}

void status_page_render(const struct status_sources *src, struct evbuffer *out)
{
    long long now = (long long)time(NULL);
    evbuffer_add(out, page_head, sizeof page_head - 1);
    char stamp[32];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
    evbuffer_add_printf(out,
                        "<h1>feedspool</h1><p>Status at %s. Metrics at "
                        "<a href=\"/metrics\">/metrics</a>, readiness at "
                        "<a href=\"/readyz\">/readyz</a>.</p>\n",
                        stamp);

    struct evbuffer *rows_buf = evbuffer_new();
    struct feed_rows rows = {.out = rows_buf, .now = now};
    pipeline_foreach_feed(src->pipeline, add_feed_row, &rows);

    char value[64];
    evbuffer_add_printf(out, "<div class=\"cards\">\n");
    snprintf(value, sizeof value, "%ld", rows.total);
    add_card(out, "feeds", value, "");
    snprintf(value, sizeof value, "%ld", rows.failing);
    add_card(out, "failing", value, rows.failing ? "bad" : "good");
    struct spool_stats st;
    char err[256];
    if (spool_read_depth(src->spool_dir, &st, err, sizeof err) == 0) {
        snprintf(value, sizeof value, "%ld", st.new_records);
        add_card(out, "records waiting in new/", value, "");
        if (st.oldest_age < 0)
            snprintf(value, sizeof value, "-");
        else
            snprintf(value, sizeof value, "%lld s", st.oldest_age);
        add_card(out, "oldest record's age", value, st.oldest_age > 3600 ? "bad" : "");
    } else {
        add_card(out, "spool unreadable", err, "bad");
    }
    long pending;
    if (src->state && state_count_pending(src->state, &pending) == 0) {
        snprintf(value, sizeof value, "%ld", pending);
        add_card(out, "items waiting for their page", value, "");
    }
    const struct pipeline_stats *ps = pipeline_stats(src->pipeline);
    snprintf(value, sizeof value, "%ld", ps->records_written);
    add_card(out, "written since the start", value, "");
    const char *paused = pipeline_paused(src->pipeline, PAUSE_SPOOL_FULL)      ? "spool full"
                         : pipeline_paused(src->pipeline, PAUSE_WRITE_FAILURE) ? "write failure"
                         : pipeline_paused(src->pipeline, PAUSE_DISK_BUDGET)   ? "disk budget"
                                                                               : "no";
    add_card(out, "fetching paused", paused, strcmp(paused, "no") ? "bad" : "good");
    evbuffer_add_printf(out, "</div>\n");

    evbuffer_add_printf(out, "<h2>Feeds</h2>\n<table id=\"feeds\"><tr><th>feed</th><th>state</th>"
                             "<th>errors</th><th>last error</th><th>last success</th>"
                             "<th>next poll</th></tr>\n");
    evbuffer_add_buffer(out, rows_buf);
    evbuffer_free(rows_buf);
    evbuffer_add_printf(out, "</table>\n");
    render_recent(src->recent, now, out);
    render_sinks(src->sinks, out);
    evbuffer_add_printf(out, "</body></html>\n");
}
