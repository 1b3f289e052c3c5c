/* daemon.c: the service loop that `run`, `once` and `demo` share: start-up, signals, reload
 * and stop; and the command-line options those commands read into the configuration. */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/suggest.h"
#include "common/util.h"
#include "net/credentials.h"
#include "net/fetch.h"
#include "sink/sink.h"
#include "common/log.h"
#include "daemon/control.h"
#include "daemon/memory.h"
#include "daemon/metrics.h"
#include "daemon/notify.h"
#include "daemon/status_page.h"
#include "ingest/pipeline.h"
#include "daemon/service.h"
#include "feeds/shard.h"
#include "store/state.h"
#include "output/record.h"
#include "output/spool.h"
#include "topics/topics.h"

struct service {
    const struct service_params *params;
    struct event_base *base;
    struct state *state;
    struct spool *spool;
    struct archive *archive; /* NULL unless archive = yes */
    struct fetcher *fetcher;
    struct pipeline *pipeline;
    struct event *signals[3];
    struct event *stop_timer;
    struct event *watchdog;
    struct event *memory_trimmer;
    struct metrics_server *metrics;
    struct control_server *control; /* run only: `feedspool poll` and `retry` reach us here */
    struct netpolicy *policy;
    struct credentials *credentials;
    struct sinks *sinks;           /* NULL unless the configuration asks for any */
    struct recent_records *recent; /* the last records written, for the status page */
    struct reload_stats reloads;
    bool stopping;
    bool pipeline_idle; /* once mode done, or stopping and drained */
    bool stop_timed_out;
};

/* The options of the command line over those of the file. */
static int apply_command_line(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    static const struct {
        const char *flag, *option;
    } shortcuts[] = {{"--feeds", "feeds"}, {"--topics", "topics"},       {"--spool", "spool"},
                     {"--state", "state"}, {"--log-level", "log_level"}, {"--shard", "shard"}};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if ((strcmp(arg, "-c") == 0 || strcmp(arg, "--config") == 0) && i + 1 < argc) {
            i++;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < ARRAY_LEN(shortcuts) && !matched; k++)
            if (strcmp(arg, shortcuts[k].flag) == 0) {
                if (i + 1 >= argc)
                    return set_err(err, errlen, "%s needs a value", arg);
                if (config_set(cfg, shortcuts[k].option, argv[++i], arg, err, errlen) < 0)
                    return -1;
                matched = true;
            }
        if (matched)
            continue;
        if (strcmp(arg, "--set") == 0 && i + 1 < argc) {
            char *pair = xstrdup(argv[++i]);
            char *eq = strchr(pair, '=');
            int rc = eq ? (*eq = '\0', config_set(cfg, pair, eq + 1, "--set", err, errlen))
                        : set_err(err, errlen, "--set takes KEY=VALUE, not '%s'", pair);
            free(pair);
            if (rc < 0)
                return -1;
            continue;
        }
        static const char *const flags[] = {"--config", "--set",   "--feeds",
                                            "--topics", "--spool", "--state",
                                            "--shard",  "--help",  "--log-level"};
        const char *near = suggest_closest(arg, flags, ARRAY_LEN(flags));
        if (near)
            return set_err(err, errlen, "unknown argument '%s' (did you mean %s?)", arg, near);
        return set_err(err, errlen, "unknown argument '%s' (see --help)", arg);
    }
    return 0;
}

int service_parse_args(int argc, char **argv, struct config *cfg, char *err, size_t errlen)
{
    config_init(cfg);
    const char *config_path = NULL;
    for (int i = 1; i < argc; i++)
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            config_path = argv[++i];
    if (!config_path && access(CONFIG_DEFAULT_PATH, R_OK) == 0)
        config_path = CONFIG_DEFAULT_PATH;
    /* Both are read whatever the other says, so that `check` lists every problem. */
    int rc = config_path ? config_load(cfg, config_path, err, errlen) : 0;
    char line_err[512];
    if (apply_command_line(argc, argv, cfg, line_err, sizeof line_err) < 0) {
        size_t used = rc < 0 ? strlen(err) : 0;
        snprintf(err + used, errlen - used, "%s%s", used ? "\n" : "", line_err);
        rc = -1;
    }
    return rc;
}

void service_print_options(FILE *out)
{
    fprintf(out,
            "Options:\n"
            "  -c, --config FILE   configuration file (default %s if it exists)\n"
            "  --set KEY=VALUE     set any configuration option (see `feedspool help config`)\n"
            "  --feeds FILE        feed list          (same as --set feeds=FILE)\n"
            "  --topics FILE       topic rules        (same as --set topics=FILE)\n"
            "  --spool DIR         spool directory    (same as --set spool=DIR)\n"
            "  --state FILE        state database     (same as --set state=FILE)\n"
            "  --log-level LEVEL   err, warning, notice, info or debug\n"
            "  --shard I/N         poll only this daemon's share of the feed list (same as\n"
            "                      --set shard=I/N; see `feedspool help config`)\n",
            CONFIG_DEFAULT_PATH);
}

static void update_status(struct service *s)
{
    const struct pipeline_stats *st = pipeline_stats(s->pipeline);
    notify_status("%zu feeds; %ld polls ok, %ld failed; %ld articles written",
                  pipeline_feed_count(s->pipeline), st->feeds_polled, st->feeds_failed,
                  st->records_written);
}

/* The loop ends when the pipeline is idle and the sink has published everything (or the
 * stop timeout passed: what was not acknowledged stays in new/ for the next start). */
static void finish_if_done(struct service *s)
{
    if (s->pipeline_idle && (sinks_drained(s->sinks) || s->stop_timed_out))
        event_base_loopexit(s->base, NULL);
}

static void on_idle(void *ud)
{
    struct service *s = ud;
    s->pipeline_idle = true;
    if (!sinks_drained(s->sinks) && !evtimer_pending(s->stop_timer, NULL)) {
        log_notice("waiting for the sinks to take the last records (up to stop_timeout)");
        struct timeval tv = {.tv_sec = s->params->config->stop_timeout};
        evtimer_add(s->stop_timer, &tv);
    }
    finish_if_done(s);
}

static void on_sink_drained(void *ud)
{
    finish_if_done(ud);
}

static void on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct service *s = arg;
    log_notice(
        "stop timeout reached, abandoning in-flight transfers count=%zu (their items stay pending)",
        fetcher_in_flight(s->fetcher));
    s->stop_timed_out = true;
    fetcher_cancel_all(s->fetcher);
    finish_if_done(s);
}

static void begin_stop(struct service *s, const char *why)
{
    if (s->stopping)
        return;
    s->stopping = true;
    notify_stopping();
    log_notice("stopping reason=%s in_flight=%zu", why, fetcher_in_flight(s->fetcher));
    pipeline_stop(s->pipeline);
    struct timeval tv = {.tv_sec = s->params->config->stop_timeout};
    evtimer_add(s->stop_timer, &tv);
}

/* The configuration file again, with the same command line; a broken one keeps the old
 * (and -1 is returned). */
static int reload_config(struct service *s)
{
    if (!s->params->argv)
        return 0;
    struct config fresh;
    char err[1024];
    if (service_parse_args(s->params->argc, s->params->argv, &fresh, err, sizeof err) < 0) {
        log_err("reload: configuration refused, keeping the old one reason=\"%s\"", err);
        config_free(&fresh);
        return -1;
    }
    char *at_start = config_restart_only_changes(s->params->config, &fresh);
    if (at_start)
        log_warn("reload: changed options take effect at the next start options=\"%s\"", at_start);
    free(at_start);
    config_free(s->params->config);
    *s->params->config = fresh; /* the pipeline reads it through the same pointer */
    log_set_level(fresh.log_level);
    return 0;
}

/* Loads the feed list and keeps this daemon's shard of it (the configuration's `shard`). */
static int load_feeds(const struct config *cfg, struct feed_list *list, char *err, size_t errlen)
{
    if (feedlist_load(cfg->feeds, list, err, errlen) < 0)
        return -1;
    struct shard shard;
    if (shard_parse(cfg->shard, &shard, err, errlen) < 0) { /* checked when set: cannot fail */
        feedlist_free(list);
        return -1;
    }
    size_t all = list->n, kept = shard_filter(list, &shard);
    if (shard.count)
        log_notice("shard %u/%u: polling %zu of the %zu feeds in the list", shard.index,
                   shard.count, kept, all);
    return 0;
}

/* SIGHUP: configuration, feed list and topic rules are read again; a broken file keeps the
 * old one in force. */
static void reload(struct service *s)
{
    notify_reloading();
    sinks_reopen(s->sinks); /* a JSON Lines file logrotate moved */
    bool ok = reload_config(s) == 0;
    const struct config *cfg = s->params->config;
    char err[512];
    struct topic_rules *rules;
    if (topic_rules_load(cfg->topics, &rules, err, sizeof err) < 0) {
        log_err("reload: topic rules refused, keeping the old ones reason=\"%s\"", err);
        ok = false;
    } else {
        pipeline_set_rules(s->pipeline, rules);
    }
    if (!s->params->feeds) {
        struct feed_list list;
        if (load_feeds(cfg, &list, err, sizeof err) < 0) {
            log_err("reload: feed list refused, keeping the old one reason=\"%s\"", err);
            ok = false;
        } else {
            pipeline_set_feeds(s->pipeline, &list);
            feedlist_free(&list);
        }
    }
    pipeline_configuration_reloaded(s->pipeline);
    if (ok) {
        s->reloads.succeeded++;
        s->reloads.last_success = (long long)time(NULL);
    } else {
        s->reloads.failed++;
    }
    s->reloads.last_ok = ok;
    update_status(s);
    notify_ready();
}

static void on_signal(evutil_socket_t signo, short what, void *arg)
{
    (void)what;
    struct service *s = arg;
    if (signo == SIGHUP) {
        log_notice("SIGHUP received: reloading configuration, feed list and topic rules");
        reload(s);
    } else {
        begin_stop(s, signo == SIGTERM ? "SIGTERM" : "SIGINT");
    }
}

static void on_record(void *ud, const json_t *record)
{
    struct service *s = ud;
    if (s->sinks)
        sinks_record_written(s->sinks, record_id(record));
    recent_records_add(s->recent, record);
    const struct pipeline_hooks *outer = s->params->hooks;
    if (outer && outer->on_record)
        outer->on_record(outer->ud, record);
}

static void on_feed_polled(void *ud, const struct pipeline_poll_outcome *outcome)
{
    struct service *s = ud;
    control_server_feed_polled(s->control, outcome);
    const struct pipeline_hooks *outer = s->params->hooks;
    if (outer && outer->on_feed_polled)
        outer->on_feed_polled(outer->ud, outcome);
}

static int open_everything(struct service *s, struct topic_rules **rules,
                           struct feed_list *own_list)
{
    const struct config *cfg = s->params->config;
    char err[512];
    if (topic_rules_load(cfg->topics, rules, err, sizeof err) < 0) {
        log_err("cannot load topic rules: %s", err);
        return -1;
    }
    if (!s->params->feeds && load_feeds(cfg, own_list, err, sizeof err) < 0) {
        log_err("cannot load feed list: %s", err);
        return -1;
    }
    if (state_open(cfg->state, &s->state, err, sizeof err) < 0) {
        log_err("%s", err);
        return -1;
    }
    if (spool_open(cfg->spool, &s->spool, err, sizeof err) < 0) {
        log_err("%s", err);
        return -1;
    }
    if (cfg->archive) {
        char *dir = archive_folder(cfg->state);
        struct archive_options ao = {.dir = dir,
                                     .max_file_bytes = cfg->archive_max_file_bytes,
                                     .max_bytes = cfg->archive_max_bytes,
                                     .max_age = cfg->archive_max_age};
        int rc = archive_open(&ao, &s->archive, err, sizeof err);
        free(dir);
        if (rc < 0) {
            log_err("%s", err);
            return -1;
        }
    }
    return 0;
}

int service_run(const struct service_params *params)
{
    const struct config *cfg = params->config;
    log_set_level(cfg->log_level);
    log_set_format(cfg->log_format);
    memory_policy_apply();
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_err("cannot initialise libcurl");
        return 1;
    }
    struct service s = {.params = params,
                        .base = params->base,
                        .recent = recent_records_new(),
                        .reloads = {.last_ok = true, .last_success = (long long)time(NULL)}};
    struct topic_rules *rules = NULL;
    struct feed_list own_list = {0};
    int status = 1;
    if (open_everything(&s, &rules, &own_list) < 0)
        goto done;

    char policy_err[256];
    if (netpolicy_parse(cfg->allow_networks, &s.policy, policy_err, sizeof policy_err) < 0) {
        log_err("allow_networks: %s", policy_err);
        goto done;
    }
    char *credentials_file = credentials_path(cfg->credentials);
    if (credentials_file &&
        credentials_load(credentials_file, &s.credentials, policy_err, sizeof policy_err) < 0) {
        log_err("credentials: %s", policy_err);
        free(credentials_file);
        goto done;
    }
    if (credentials_file)
        log_info("credentials loaded file=%s entries=%zu", credentials_file,
                 credentials_count(s.credentials));
    free(credentials_file);
    char *user_agent = config_user_agent(cfg);
    struct fetch_options fo = fetch_options_from_config(cfg, user_agent, s.policy, s.credentials);
    s.fetcher = fetcher_new(s.base, &fo);
    free(user_agent);
    struct pipeline_deps deps = {.base = s.base,
                                 .config = cfg,
                                 .state = s.state,
                                 .spool = s.spool,
                                 .fetcher = s.fetcher,
                                 .archive = s.archive};
    struct pipeline_hooks hooks = {
        .on_record = on_record, .on_idle = on_idle, .on_feed_polled = on_feed_polled, .ud = &s};
    s.pipeline = pipeline_new(&deps, &hooks, rules, params->once);
    rules = NULL;
    if (params->resume_listed_only)
        pipeline_resume_listed_feeds_only(s.pipeline);
    pipeline_set_feeds(s.pipeline, params->feeds ? params->feeds : &own_list);

    static const int signos[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < ARRAY_LEN(signos); i++) {
        s.signals[i] = evsignal_new(s.base, signos[i], on_signal, &s);
        evsignal_add(s.signals[i], NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    s.stop_timer = evtimer_new(s.base, on_stop_timeout, &s);
    if (cfg->metrics_address && *cfg->metrics_address) {
        char err[512];
        s.metrics = metrics_server_start(s.base, cfg->metrics_address, s.pipeline, cfg->spool, err,
                                         sizeof err);
        if (!s.metrics) {
            log_err("cannot serve metrics: %s", err);
            goto done;
        }
    }
    if (!params->once) {
        char err[512];
        s.control = control_server_start(s.base, cfg->state, s.pipeline, err, sizeof err);
        if (!s.control) /* the daemon runs on: only `poll` and `retry` wait longer for it */
            log_warn("`feedspool poll` and `retry` cannot reach this daemon reason=\"%s\"", err);
    }
    s.watchdog = notify_watchdog_start(s.base);
    s.memory_trimmer = memory_trimmer_start(s.base);
    char sink_err[512];
    if (sinks_open(s.base, cfg, on_sink_drained, &s, &s.sinks, sink_err, sizeof sink_err) < 0) {
        log_err("%s", sink_err);
        goto done;
    }
    if (s.metrics && s.sinks)
        metrics_server_set_sinks(s.metrics, s.sinks);
    if (s.metrics) {
        metrics_server_set_state(s.metrics, s.state);
        metrics_server_set_reloads(s.metrics, &s.reloads);
        metrics_server_set_recent(s.metrics, s.recent);
    }

    log_notice("started mode=%s feeds=%zu spool=%s state=%s", params->once ? "once" : "run",
               pipeline_feed_count(s.pipeline), cfg->spool, cfg->state);
    pipeline_start(s.pipeline);
    update_status(&s);
    notify_ready();
    event_base_dispatch(s.base);

    fetcher_cancel_all(s.fetcher);
    const struct pipeline_stats *st = pipeline_stats(s.pipeline);
    log_notice("finished polls_ok=%ld polls_failed=%ld new_items=%ld written=%ld failed_items=%ld",
               st->feeds_polled, st->feeds_failed, st->items_new, st->records_written,
               st->items_failed);
    log_notice("time spent extract_s=%.3f stories_s=%.3f tag_s=%.3f record_s=%.3f spool_s=%.3f "
               "state_s=%.3f",
               st->stage_seconds[STAGE_EXTRACT], st->stage_seconds[STAGE_STORIES],
               st->stage_seconds[STAGE_TAG], st->stage_seconds[STAGE_RECORD],
               st->stage_seconds[STAGE_SPOOL], state_busy_seconds(s.state));
    if (params->stats)
        *params->stats = *st;
    for (size_t i = 0; i < sinks_count(s.sinks); i++) {
        struct sink_stats ss = sinks_stats(s.sinks, i);
        log_notice("%s published=%ld duplicates=%ld refused=%ld sent_again=%ld left=%zu",
                   sinks_ops(s.sinks, i)->title, ss.published, ss.duplicates, ss.refused, ss.resent,
                   ss.queued + ss.in_flight);
    }
    status = 0;

done:
    for (size_t i = 0; i < ARRAY_LEN(s.signals); i++)
        if (s.signals[i])
            event_free(s.signals[i]);
    if (s.stop_timer)
        event_free(s.stop_timer);
    if (s.watchdog)
        event_free(s.watchdog);
    if (s.memory_trimmer)
        event_free(s.memory_trimmer);
    metrics_server_free(s.metrics);
    control_server_free(s.control);
    recent_records_free(s.recent);
    sinks_close(s.sinks);
    pipeline_free(s.pipeline);
    fetcher_free(s.fetcher);
    netpolicy_free(s.policy);
    credentials_free(s.credentials);
    topic_rules_free(rules);
    feedlist_free(&own_list);
    archive_close(s.archive);
    spool_close(s.spool);
    state_close(s.state);
    curl_global_cleanup();
    return status;
}
