/* metrics.c: counters and their Prometheus text rendering over evhttp. */
#include "daemon/metrics.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <errno.h>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/redact.h"
#include "common/util.h"
#include "common/version.h"
#include "config/config.h"
#include "output/spool.h"

static const char *const kind_names[FETCH_KINDS] = {"feed", "page"};
static const char *const outcome_names[OUTCOMES] = {"ok", "not_modified", "http_error",
                                                    "transfer_error"};

struct metrics_server {
    struct evhttp *http;
    const struct pipeline *pipeline;
    const struct sinks *sinks; /* NULL without any */
    char *spool_dir;
    struct state *state;                 /* NULL: no items by state */
    const struct reload_stats *reloads;  /* NULL: no reload figures */
    const struct recent_records *recent; /* NULL: the status page lists none */
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
static void render_sink(const struct sinks *sinks, size_t i, struct evbuffer *out)
{
    const struct sink_ops *ops = sinks_ops(sinks, i);
    struct sink_stats st = sinks_stats(sinks, i);
    const struct {
        const char *metric, *help;
        long value;
    } counters[] = {
        {"published_total", "Records acknowledged.", st.published},
        {"duplicates_total", "Acknowledged as already stored.", st.duplicates},
        {"refused_total", "Refused for good (to quarantine/).", st.refused},
        {"resent_total", "Sent again for want of an acknowledgement.", st.resent},
    };
    for (size_t c = 0; c < ARRAY_LEN(counters); c++)
        evbuffer_add_printf(out,
                            "# HELP feedspool_%s_%s %s sink: %s\n"
                            "# TYPE feedspool_%s_%s counter\n"
                            "feedspool_%s_%s %ld\n",
                            ops->name, counters[c].metric, ops->title, counters[c].help, ops->name,
                            counters[c].metric, ops->name, counters[c].metric, counters[c].value);
    evbuffer_add_printf(
        out,
        "# HELP feedspool_%s_pending %s sink: records not yet acknowledged, by state.\n"
        "# TYPE feedspool_%s_pending gauge\n"
        "feedspool_%s_pending{state=\"queued\"} %zu\n"
        "feedspool_%s_pending{state=\"in_flight\"} %zu\n"
        "# HELP feedspool_%s_connected %s sink: whether the far end is reachable.\n"
        "# TYPE feedspool_%s_connected gauge\n"
        "feedspool_%s_connected %d\n",
        ops->name, ops->title, ops->name, ops->name, st.queued, ops->name, st.in_flight, ops->name,
        ops->title, ops->name, ops->name, st.connected ? 1 : 0);
}

/* Epoch seconds the process started: its start in clock ticks after boot (field 22 of
 * /proc/self/stat) plus the boot time (btime in /proc/stat); 0 when unknown. */
static long long process_start_time(void)
{
    char stat[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
    if (f)
        fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')'); /* the command name before it may hold anything */
    unsigned long long ticks = 0;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p, " %llu", &ticks) != 1)
        return 0;
    long long boot = 0;
    char line[256];
    FILE *s = fopen("/proc/stat", "r");
    while (s && fgets(line, sizeof line, s))
        if (sscanf(line, "btime %lld", &boot) == 1)
            break;
    if (s)
        fclose(s);
    long hz = sysconf(_SC_CLK_TCK);
    return boot > 0 && hz > 0 ? boot + (long long)(ticks / (unsigned long long)hz) : 0;
}

static const char *const pause_names[PAUSE_REASONS] = {"spool_full", "write_failure",
                                                       "disk_budget"};

/* Pending items, whether fetching is paused and why, and configuration reloads. */
static void render_health(const struct metrics_server *srv, struct evbuffer *out)
{
    long pending;
    if (srv->state && state_count_pending(srv->state, &pending) == 0)
        evbuffer_add_printf(out,
                            "# HELP feedspool_items_pending Items seen and not yet written or "
                            "given up (in the state database).\n"
                            "# TYPE feedspool_items_pending gauge\n"
                            "feedspool_items_pending %ld\n",
                            pending);
    evbuffer_add_printf(out, "# HELP feedspool_fetching_paused Whether article fetching is "
                             "paused (1), by reason.\n"
                             "# TYPE feedspool_fetching_paused gauge\n");
    for (int r = 0; r < PAUSE_REASONS; r++)
        evbuffer_add_printf(out, "feedspool_fetching_paused{reason=\"%s\"} %d\n", pause_names[r],
                            pipeline_paused(srv->pipeline, (enum pipeline_pause)r) ? 1 : 0);
    const struct reload_stats *rl = srv->reloads;
    if (!rl)
        return;
    evbuffer_add_printf(out,
                        "# HELP feedspool_config_reloads_total Reloads (SIGHUP) by result "
                        "(failure: a file was refused and the old one kept).\n"
                        "# TYPE feedspool_config_reloads_total counter\n"
                        "feedspool_config_reloads_total{result=\"success\"} %lu\n"
                        "feedspool_config_reloads_total{result=\"failure\"} %lu\n"
                        "# HELP feedspool_config_last_reload_successful Whether the last reload "
                        "(or the start) took every file.\n"
                        "# TYPE feedspool_config_last_reload_successful gauge\n"
                        "feedspool_config_last_reload_successful %d\n"
                        "# HELP feedspool_config_last_reload_success_timestamp_seconds When the "
                        "configuration was last loaded in full (the start, at first).\n"
                        "# TYPE feedspool_config_last_reload_success_timestamp_seconds gauge\n"
                        "feedspool_config_last_reload_success_timestamp_seconds %lld\n",
                        rl->succeeded, rl->failed, rl->last_ok ? 1 : 0, rl->last_success);
}

/* The process_* metrics of the Prometheus client libraries, from getrusage and /proc. */
static void render_process(struct evbuffer *out)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        evbuffer_add_printf(out,
                            "# HELP process_cpu_seconds_total User and system CPU time spent.\n"
                            "# TYPE process_cpu_seconds_total counter\n"
                            "process_cpu_seconds_total %.3f\n",
                            (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                                (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    long page = sysconf(_SC_PAGESIZE);
    unsigned long long vm_pages, rss_pages;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm && fscanf(statm, "%llu %llu", &vm_pages, &rss_pages) == 2)
        evbuffer_add_printf(out,
                            "# HELP process_resident_memory_bytes Resident memory size.\n"
                            "# TYPE process_resident_memory_bytes gauge\n"
                            "process_resident_memory_bytes %llu\n"
                            "# HELP process_virtual_memory_bytes Virtual memory size.\n"
                            "# TYPE process_virtual_memory_bytes gauge\n"
                            "process_virtual_memory_bytes %llu\n",
                            rss_pages * (unsigned long long)page,
                            vm_pages * (unsigned long long)page);
    if (statm)
        fclose(statm);
    DIR *fds = opendir("/proc/self/fd");
    if (fds) {
        long open_fds = -1; /* the directory's own descriptor is not counted */
        for (const struct dirent *e; (e = readdir(fds));)
            if (e->d_name[0] != '.')
                open_fds++;
        closedir(fds);
        evbuffer_add_printf(out,
                            "# HELP process_open_fds Open file descriptors.\n"
                            "# TYPE process_open_fds gauge\n"
                            "process_open_fds %ld\n",
                            open_fds);
    }
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
        evbuffer_add_printf(out,
                            "# HELP process_max_fds The limit on open file descriptors.\n"
                            "# TYPE process_max_fds gauge\n"
                            "process_max_fds %llu\n",
                            (unsigned long long)lim.rlim_cur);
    long long start = process_start_time();
    if (start > 0)
        evbuffer_add_printf(out,
                            "# HELP process_start_time_seconds Start time of the process since "
                            "the epoch.\n"
                            "# TYPE process_start_time_seconds gauge\n"
                            "process_start_time_seconds %lld\n",
                            start);
}

/* Where the resident memory goes: the heap's chunks in use and free (all arenas, mapped
 * chunks counted in use), SQLite's page caches and statements (part of the heap in use), the
 * story index's postings (mapped apart), and the robots.txt cache's sites. */
static void render_memory(const struct metrics_server *srv, struct evbuffer *out)
{
    struct mallinfo2 heap = mallinfo2();
    evbuffer_add_printf(out,
                        "# HELP feedspool_memory_bytes Memory held, by part.\n"
                        "# TYPE feedspool_memory_bytes gauge\n"
                        "feedspool_memory_bytes{part=\"heap_used\"} %zu\n"
                        "feedspool_memory_bytes{part=\"heap_free\"} %zu\n"
                        "feedspool_memory_bytes{part=\"sqlite\"} %lld\n"
                        "feedspool_memory_bytes{part=\"story_index\"} %zu\n"
                        "# HELP feedspool_robots_sites Sites whose robots.txt is kept.\n"
                        "# TYPE feedspool_robots_sites gauge\n"
                        "feedspool_robots_sites %zu\n",
                        heap.uordblks + heap.hblkhd, heap.fordblks,
                        (long long)sqlite3_memory_used(), pipeline_story_index_bytes(srv->pipeline),
                        pipeline_robots_sites(srv->pipeline));
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
    evbuffer_add_printf(
        out,
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
        (unsigned long long)m->records_quarantined, (unsigned long long)m->copies_listed,
        (unsigned long long)m->items_sharing_id, (unsigned long long)m->items_over_cap);
    evbuffer_add_printf(out,
                        "# HELP feedspool_pages_skipped_total Article pages not fetched, the "
                        "feed's text used instead: robots.txt disallows them.\n"
                        "# TYPE feedspool_pages_skipped_total counter\n"
                        "feedspool_pages_skipped_total{reason=\"robots\"} %llu\n",
                        (unsigned long long)m->pages_skipped_robots);
    struct spool_stats st;
    char err[256];
    if (spool_read_depth(srv->spool_dir, &st, err, sizeof err) == 0)
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
    evbuffer_add_printf(out, "# HELP feedspool_spool_pruned_files_total Files removed by the "
                             "retention limits and the disk budget, by folder.\n"
                             "# TYPE feedspool_spool_pruned_files_total counter\n");
    for (int f = 0; f < RETENTION_FOLDERS; f++)
        evbuffer_add_printf(out, "feedspool_spool_pruned_files_total{folder=\"%s\"} %ld\n",
                            retention_folder_name((enum retention_folder)f), m->pruned_files[f]);
    evbuffer_add_printf(out, "# HELP feedspool_spool_pruned_bytes_total Disk space those files "
                             "took, by folder.\n"
                             "# TYPE feedspool_spool_pruned_bytes_total counter\n");
    for (int f = 0; f < RETENTION_FOLDERS; f++)
        evbuffer_add_printf(out, "feedspool_spool_pruned_bytes_total{folder=\"%s\"} %lld\n",
                            retention_folder_name((enum retention_folder)f), m->pruned_bytes[f]);
    evbuffer_add_printf(out,
                        "# HELP feedspool_spool_disk_bytes Disk space of the whole spool (every "
                        "folder and the sources files, as du counts) at the last retention pass.\n"
                        "# TYPE feedspool_spool_disk_bytes gauge\n"
                        "feedspool_spool_disk_bytes %lld\n"
                        "# HELP feedspool_spool_retention_running 1 while a retention pass runs "
                        "(on its own thread, beside the event loop).\n"
                        "# TYPE feedspool_spool_retention_running gauge\n"
                        "feedspool_spool_retention_running %d\n",
                        m->spool_disk_bytes, m->retention_running ? 1 : 0);
    evbuffer_add_printf(out, "# HELP feedspool_fetch_duration_seconds Time of each HTTP fetch, "
                             "by kind.\n"
                             "# TYPE feedspool_fetch_duration_seconds histogram\n");
    for (int k = 0; k < FETCH_KINDS; k++) {
        unsigned long long cumulative = 0;
        for (int i = 0; i < PIPELINE_LATENCY_BUCKETS; i++) {
            cumulative += m->latency_buckets[k][i];
            evbuffer_add_printf(
                out, "feedspool_fetch_duration_seconds_bucket{kind=\"%s\",le=\"%g\"} %llu\n",
                kind_names[k], pipeline_latency_bounds[i], cumulative);
        }
        evbuffer_add_printf(
            out,
            "feedspool_fetch_duration_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n"
            "feedspool_fetch_duration_seconds_sum{kind=\"%s\"} %.6f\n"
            "feedspool_fetch_duration_seconds_count{kind=\"%s\"} %llu\n",
            kind_names[k], m->latency_count[k], kind_names[k], m->latency_sum[k], kind_names[k],
            m->latency_count[k]);
    }
    render_health(srv, out);
    evbuffer_add_printf(out, "# HELP feedspool_feed_last_success_timestamp_seconds When each "
                             "feed last answered 200 or 304.\n"
                             "# TYPE feedspool_feed_last_success_timestamp_seconds gauge\n");
    tally.write_lines = true;
    pipeline_foreach_feed(srv->pipeline, tally_feed, &tally);
    for (size_t i = 0; i < sinks_count(srv->sinks); i++)
        render_sink(srv->sinks, i, out);
    render_process(out);
    render_memory(srv, out);
}

/* Why the daemon is not ready, one line each into out; true when there is no reason. */
static bool add_unready_reasons(const struct metrics_server *srv, struct evbuffer *out)
{
    size_t before = evbuffer_get_length(out);
    if (pipeline_paused(srv->pipeline, PAUSE_SPOOL_FULL))
        evbuffer_add_printf(out, "fetching paused: the spool is full (consumers are behind)\n");
    if (pipeline_paused(srv->pipeline, PAUSE_WRITE_FAILURE))
        evbuffer_add_printf(out, "fetching paused: a record could not be written\n");
    if (pipeline_paused(srv->pipeline, PAUSE_DISK_BUDGET))
        evbuffer_add_printf(out, "fetching paused: the spool is over its disk budget with only "
                                 "undelivered records left (consumers are behind)\n");
    for (size_t i = 0; i < sinks_count(srv->sinks); i++)
        if (!sinks_stats(srv->sinks, i).connected)
            evbuffer_add_printf(out, "sink unreachable: %s is disconnected\n",
                                sinks_ops(srv->sinks, i)->title);
    struct feed_tally tally = {.out = out};
    pipeline_foreach_feed(srv->pipeline, tally_feed, &tally);
    if (tally.failing > 0 && tally.healthy == 0)
        evbuffer_add_printf(out, "every feed is failing: %ld of %ld\n", tally.failing,
                            tally.failing);
    return evbuffer_get_length(out) == before;
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
    } else if (path && strcmp(path, "/readyz") == 0) {
        bool ready = add_unready_reasons(srv, body);
        if (ready)
            evbuffer_add_printf(body, "ready\n");
        evhttp_add_header(headers, "Content-Type", "text/plain");
        evhttp_send_reply(req, ready ? HTTP_OK : 503, ready ? "OK" : "Service Unavailable", body);
    } else if (path && (strcmp(path, "/") == 0 || strcmp(path, "/status") == 0)) {
        struct status_sources sources = {.pipeline = srv->pipeline,
                                         .spool_dir = srv->spool_dir,
                                         .sinks = srv->sinks,
                                         .state = srv->state,
                                         .recent = srv->recent};
        status_page_render(&sources, body);
        evhttp_add_header(headers, "Content-Type", "text/html; charset=utf-8");
        evhttp_add_header(headers, "Content-Security-Policy",
                          "default-src 'none'; style-src 'unsafe-inline'");
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
    char *host;
    long port;
    if (config_split_address(address, &host, &port, err, errlen) < 0)
        return NULL;
    struct in_addr v4;
    struct in6_addr v6;
    bool loopback = strcmp(host, "localhost") == 0 ||
                    (inet_pton(AF_INET, host, &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
                    (inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
    if (!loopback)
        log_notice("metrics_address is not a loopback address: /metrics and the status page "
                   "(feed URLs, titles, errors) are open to whoever can reach it, without "
                   "authentication; firewall it or put a proxy in front address=%s",
                   address);
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

void metrics_server_set_sinks(struct metrics_server *srv, const struct sinks *sinks)
{
    srv->sinks = sinks;
}

void metrics_server_set_state(struct metrics_server *srv, struct state *state)
{
    srv->state = state;
}

void metrics_server_set_reloads(struct metrics_server *srv, const struct reload_stats *reloads)
{
    srv->reloads = reloads;
}

void metrics_server_set_recent(struct metrics_server *srv, const struct recent_records *recent)
{
    srv->recent = recent;
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
