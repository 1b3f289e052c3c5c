/* metrics.c: counters and their Prometheus text rendering over evhttp. */
#include "daemon/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/redact.h"
#include "common/util.h"
#include "common/version.h"
#include "output/spool.h"

static const char *const kind_names[FETCH_KINDS] = {"feed", "page"};
static const char *const outcome_names[OUTCOMES] = {"ok", "not_modified", "http_error",
                                                    "transfer_error"};

struct metrics_server {
    struct evhttp *http;
    const struct pipeline *pipeline;
    const struct sink *sink; /* NULL without one */
    char *spool_dir;
};

struct feed_tally {
    struct evbuffer *out;
    long healthy, failing;
    bool write_lines;
};

/* Prometheus label values escape backslash, double quote and newline. */
static void add_label_value(struct evbuffer *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            evbuffer_add_printf(out, "\\%c", *p);
        else if (*p == '\n')
            evbuffer_add(out, "\\n", 2);
        else
            evbuffer_add(out, p, 1);
    }
}

static void tally_feed(const struct pipeline_feed_view *f, void *ud)
{
    struct feed_tally *t = ud;
    if (!t->write_lines) {
        if (f->errors)
            t->failing++;
        else
            t->healthy++;
        return;
    }
    if (f->last_success == 0)
        return;
    evbuffer_add_printf(t->out, "feedspool_feed_last_success_timestamp_seconds{feed=\"");
    char *shown = redact_credentials(f->url); /* a label is no place for a password */
    add_label_value(t->out, shown);
    free(shown);
    evbuffer_add_printf(t->out, "\"} %lld\n", f->last_success);
}

/* The sink's figures, named after it: feedspool_<sink>_published_total and so on. */
static void render_sink(const struct sink *sink, struct evbuffer *out)
{
    const struct sink_ops *ops = sink_ops_of(sink);
    struct sink_stats st = sink_stats(sink);
    const struct {
        const char *metric, *help;
        long value;
    } counters[] = {
        {"published_total", "Records acknowledged.", st.published},
        {"duplicates_total", "Acknowledged as already stored.", st.duplicates},
        {"refused_total", "Refused for good (to quarantine/).", st.refused},
        {"resent_total", "Sent again for want of an acknowledgement.", st.resent},
    };
    for (size_t i = 0; i < ARRAY_LEN(counters); i++)
        evbuffer_add_printf(out,
                            "# HELP feedspool_%s_%s %s sink: %s\n"
                            "# TYPE feedspool_%s_%s counter\n"
                            "feedspool_%s_%s %ld\n",
                            ops->name, counters[i].metric, ops->title, counters[i].help, ops->name,
                            counters[i].metric, ops->name, counters[i].metric, counters[i].value);
    evbuffer_add_printf(out,
                        "# HELP feedspool_%s_pending %s sink: records not yet acknowledged, by state.\n"
                        "# TYPE feedspool_%s_pending gauge\n"
                        "feedspool_%s_pending{state=\"queued\"} %zu\n"
                        "feedspool_%s_pending{state=\"in_flight\"} %zu\n"
                        "# HELP feedspool_%s_connected %s sink: whether the far end is reachable.\n"
                        "# TYPE feedspool_%s_connected gauge\n"
                        "feedspool_%s_connected %d\n",
                        ops->name, ops->title, ops->name, ops->name, st.queued, ops->name,
                        st.in_flight, ops->name, ops->title, ops->name, ops->name,
                        st.connected ? 1 : 0);
}

static void render(const struct metrics_server *srv, struct evbuffer *out)
{
    const struct pipeline_stats *m = pipeline_stats(srv->pipeline);
    struct feed_tally tally = {.out = out};
    pipeline_foreach_feed(srv->pipeline, tally_feed, &tally);
    evbuffer_add_printf(out, "# HELP feedspool_build_info The running build (always 1).\n"
                             "# TYPE feedspool_build_info gauge\n"
                             "feedspool_build_info{version=\"");
    add_label_value(out, FEEDSPOOL_VERSION);
    evbuffer_add_printf(out, "\",revision=\"");
    add_label_value(out, feedspool_revision);
    evbuffer_add_printf(out, "\"} 1\n");
    evbuffer_add_printf(out,
                        "# HELP feedspool_feeds Feeds by state (failing: the last poll failed).\n"
                        "# TYPE feedspool_feeds gauge\n"
                        "feedspool_feeds{state=\"ok\"} %ld\n"
                        "feedspool_feeds{state=\"failing\"} %ld\n",
                        tally.healthy, tally.failing);
    evbuffer_add_printf(out, "# HELP feedspool_fetches_total HTTP fetches by kind and outcome.\n"
                             "# TYPE feedspool_fetches_total counter\n");
    for (int k = 0; k < FETCH_KINDS; k++)
        for (int o = 0; o < OUTCOMES; o++)
            evbuffer_add_printf(out, "feedspool_fetches_total{kind=\"%s\",outcome=\"%s\"} %llu\n",
                                kind_names[k], outcome_names[o], m->fetches[k][o]);
    evbuffer_add_printf(out,
                        "# HELP feedspool_articles_written_total Records written to the spool.\n"
                        "# TYPE feedspool_articles_written_total counter\n"
                        "feedspool_articles_written_total %llu\n"
                        "# HELP feedspool_items_failed_total Items given up on (no usable text).\n"
                        "# TYPE feedspool_items_failed_total counter\n"
                        "feedspool_items_failed_total %llu\n"
                        "# HELP feedspool_records_quarantined_total Records refused by the schema "
                        "check or the size cap.\n"
                        "# TYPE feedspool_records_quarantined_total counter\n"
                        "feedspool_records_quarantined_total %llu\n"
                        "# HELP feedspool_copies_listed_total Copies of earlier articles listed in "
                        "sources.jsonl instead of written.\n"
                        "# TYPE feedspool_copies_listed_total counter\n"
                        "feedspool_copies_listed_total %llu\n"
                        "# HELP feedspool_items_skipped_total Items of a feed document not taken: "
                        "sharing an earlier item's id, or past the first 10,000.\n"
                        "# TYPE feedspool_items_skipped_total counter\n"
                        "feedspool_items_skipped_total{reason=\"shared_id\"} %llu\n"
                        "feedspool_items_skipped_total{reason=\"over_cap\"} %llu\n",
                        (unsigned long long)m->records_written, (unsigned long long)m->items_failed,
                        (unsigned long long)m->records_quarantined,
                        (unsigned long long)m->copies_listed,
                        (unsigned long long)m->items_sharing_id,
                        (unsigned long long)m->items_over_cap);
    struct spool_stats st;
    char err[256];
    if (spool_read_stats(srv->spool_dir, &st, err, sizeof err) == 0)
        evbuffer_add_printf(out,
                            "# HELP feedspool_spool_depth Records waiting in new/.\n"
                            "# TYPE feedspool_spool_depth gauge\n"
                            "feedspool_spool_depth %ld\n"
                            "# HELP feedspool_spool_bytes Bytes of the records in new/.\n"
                            "# TYPE feedspool_spool_bytes gauge\n"
                            "feedspool_spool_bytes %lld\n"
                            "# HELP feedspool_spool_oldest_record_age_seconds Age of the oldest "
                            "record waiting in new/ (0 when none waits): consumer lag.\n"
                            "# TYPE feedspool_spool_oldest_record_age_seconds gauge\n"
                            "feedspool_spool_oldest_record_age_seconds %lld\n",
                            st.new_records, st.new_bytes, st.oldest_age < 0 ? 0 : st.oldest_age);
    evbuffer_add_printf(out, "# HELP feedspool_fetch_duration_seconds Time of each HTTP fetch.\n"
                             "# TYPE feedspool_fetch_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (int i = 0; i < PIPELINE_LATENCY_BUCKETS; i++) {
        cumulative += m->latency_buckets[i];
        evbuffer_add_printf(out, "feedspool_fetch_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            pipeline_latency_bounds[i], cumulative);
    }
    evbuffer_add_printf(out,
                        "feedspool_fetch_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                        "feedspool_fetch_duration_seconds_sum %.6f\n"
                        "feedspool_fetch_duration_seconds_count %llu\n",
                        m->latency_count, m->latency_sum, m->latency_count);
    evbuffer_add_printf(out, "# HELP feedspool_feed_last_success_timestamp_seconds When each "
                             "feed last answered 200 or 304.\n"
                             "# TYPE feedspool_feed_last_success_timestamp_seconds gauge\n");
    tally.write_lines = true;
    pipeline_foreach_feed(srv->pipeline, tally_feed, &tally);
    if (srv->sink)
        render_sink(srv->sink, out);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct metrics_server *srv = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    struct evbuffer *body = evbuffer_new();
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    if (path && strcmp(path, "/metrics") == 0) {
        render(srv, body);
        evhttp_add_header(headers, "Content-Type", "text/plain; version=0.0.4");
        evhttp_send_reply(req, HTTP_OK, "OK", body);
    } else if (path && strcmp(path, "/healthz") == 0) {
        evbuffer_add_printf(body, "ok\n");
        evhttp_add_header(headers, "Content-Type", "text/plain");
        evhttp_send_reply(req, HTTP_OK, "OK", body);
    } else {
        evhttp_send_error(req, HTTP_NOTFOUND, "Not Found");
    }
    evbuffer_free(body);
}

struct metrics_server *metrics_server_start(struct event_base *base, const char *address,
                                            const struct pipeline *pipeline, const char *spool_dir,
                                            char *err, size_t errlen)
{
    const char *colon = strrchr(address, ':');
    if (!colon || colon == address || !colon[1]) {
        set_err(err, errlen, "metrics_address '%s' is not HOST:PORT", address);
        return NULL;
    }
    char *host = xstrndup(address, (size_t)(colon - address));
    int port = atoi(colon + 1);
    struct in_addr v4;
    struct in6_addr v6;
    bool loopback = (inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
                    (inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
    if (!loopback || port <= 0 || port > 65535) {
        set_err(err, errlen, "metrics_address '%s' must be a loopback address and port", address);
        free(host);
        return NULL;
    }
    struct metrics_server *srv = xcalloc(1, sizeof *srv);
    srv->pipeline = pipeline;
    srv->spool_dir = xstrdup(spool_dir);
    srv->http = evhttp_new(base);
    evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(srv->http, on_request, srv);
    if (evhttp_bind_socket(srv->http, host, (ev_uint16_t)port) != 0) {
        set_err(err, errlen, "cannot listen on %s: %s", address, strerror(errno));
        free(host);
        metrics_server_free(srv);
        return NULL;
    }
    free(host);
    return srv;
}

void metrics_server_set_sink(struct metrics_server *srv, const struct sink *sink)
{
    srv->sink = sink;
}

void metrics_server_free(struct metrics_server *srv)
{
    if (!srv)
        return;
    if (srv->http)
        evhttp_free(srv->http);
    free(srv->spool_dir);
    free(srv);
}
