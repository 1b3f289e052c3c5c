/* cmd_check.c: `feedspool check`: validates configuration, feed list and topic rules
 * without starting anything, and lists every problem as FILE:LINE: reason. It refuses what
 * `run` refuses at start: the same option checks (config/config.c), the same loaders.
 * --online also fetches each feed list line once and says what it is. */
#include <event2/event.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "common/util.h"
#include "config/config.h"
#include "net/credentials.h"
#include "net/netpolicy.h"
#include "daemon/service.h"
#include "feeds/discover.h"
#include "feeds/feed.h"
#include "feeds/feedlist.h"
#include "feeds/sitemap.h"
#include "net/fetch.h"
#include "store/report.h"
#include "sink/sink.h"
#include "topics/topics.h"

struct problems {
    const struct config *cfg;
    int count;
};

/* One problem per line of text (each already "FILE:LINE: reason"). */
static void report_lines(struct problems *p, const char *text)
{
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(stderr, "%.*s\n", (int)n, line);
        p->count++;
        line += n + (line[n] == '\n');
    }
}

/* A problem of a file an option names: when the loader could not say a line of it (the
 * file is missing, say), the configuration line naming the file is said first. */
static void report_file(struct problems *p, const char *option, const char *file, const char *err)
{
    size_t n = strlen(file);
    bool has_line =
        strncmp(err, file, n) == 0 && err[n] == ':' && err[n + 1] >= '0' && err[n + 1] <= '9';
    if (has_line) {
        report_lines(p, err);
        return;
    }
    fprintf(stderr, "%s: %s: %s\n", config_origin(p->cfg, option), option, err);
    p->count++;
}

/* The spool folder, the state database or the JSON Lines file: run creates what is missing,
 * so the nearest existing folder must let it. */
static void check_writable(struct problems *p, const char *option, const char *path, bool folder)
{
    struct stat st;
    const char *why = NULL;
    char *parent = NULL;
    if (stat(path, &st) == 0) {
        if (folder && !S_ISDIR(st.st_mode))
            why = "exists and is not a folder";
        else if (access(path, R_OK | W_OK) < 0)
            why = strerror(errno);
    } else {
        const char *slash = strrchr(path, '/');
        parent = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
        if (access(parent, W_OK | X_OK) < 0)
            why = errno == ENOENT ? "its folder does not exist" : "its folder is not writable";
    }
    if (why) {
        fprintf(stderr, "%s: %s: %s: %s\n", config_origin(p->cfg, option), option, path, why);
        p->count++;
    }
    free(parent);
}

/* What the state (read-only, when it exists) learned of each line when it was polled: a
 * page whose feed is polled instead, or a sitemap. Notes, not problems. */
static void note_sources(const struct config *cfg, const struct feed_list *list)
{
    struct report *r;
    char err[512];
    if (access(cfg->state, R_OK) < 0 || report_open(cfg->state, &r, err, sizeof err) < 0)
        return; /* never polled: nothing learned */
    for (size_t i = 0; i < list->n; i++) {
        struct report_source src;
        int found = report_feed_source(r, list->entries[i].url, &src, err, sizeof err);
        if (found < 0) {
            printf("note: %s: %s\n", cfg->state, err);
            break;
        }
        if (found == 0)
            continue;
        char date[32] = "?";
        time_t when = (time_t)src.found;
        struct tm tm;
        if (src.found > 0 && gmtime_r(&when, &tm))
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
        if (strcmp(src.kind, "page") == 0 && src.moved_to)
            printf("%s:%u: note: a web page; polled at its feed %s (found %s)\n", cfg->feeds,
                   list->entries[i].line, src.moved_to, date);
        else
            printf("%s:%u: note: a %s, not a feed (found %s)\n", cfg->feeds, list->entries[i].line,
                   src.kind, date);
        report_source_free(&src);
    }
    report_close(r);
}

/* One feed list line fetched by --online. */
struct online_line {
    const char *file;
    const struct feed_entry *entry;
    struct problems *p;
};

static void broken(struct online_line *l, const char *url, const char *why)
{
    fprintf(stderr, "%s:%u: broken: %s: %s\n", l->file, l->entry->line, url, why);
    l->p->count++;
}

/* What the line's URL answered, read as the daemon's poll reads it: a sitemap (unless the
 * line says sitemap=no), a feed, or a page that advertises one. */
static void on_line_fetched(const struct fetch_result *r, void *ud)
{
    struct online_line *l = ud;
    char err[256], why[300];
    if (!r->ok || r->status != 200) {
        snprintf(why, sizeof why, "HTTP %ld", r->status);
        broken(l, r->url, r->ok ? why : r->error);
        return;
    }
    if (l->entry->sitemap != FEEDLIST_SITEMAP_NO) {
        struct sitemap_options opts = {.force = l->entry->sitemap == FEEDLIST_SITEMAP_YES};
        struct sitemap sm;
        int rc = sitemap_parse(r->body, r->body_len, r->effective_url, &opts, &sm, err, sizeof err);
        if (rc == 1) {
            printf("%s:%u: online: a %s\n", l->file, l->entry->line,
                   sm.kind == SITEMAP_INDEX ? "sitemap index" : "sitemap");
            sitemap_free(&sm);
            return;
        }
        if (opts.force) {
            snprintf(why, sizeof why, "not a sitemap: %s", rc < 0 ? err : "no <urlset>");
            broken(l, r->effective_url, why);
            return;
        }
    }
    struct feed feed;
    if (feed_parse(r->body, r->body_len, r->effective_url, &feed, err, sizeof err) == 0) {
        printf("%s:%u: online: a feed (%s)\n", l->file, l->entry->line,
               feed_format_name(feed.format));
        feed_free(&feed);
        return;
    }
    snprintf(why, sizeof why, "not a feed: %s", err);
    struct discovery d;
    int n = discover_feeds(r->body, r->body_len, r->effective_url, &d, err, sizeof err);
    if (n > 0)
        printf("%s:%u: online: a web page; its feed %s is polled\n", l->file, l->entry->line,
               d.feeds[0].url);
    else
        broken(l, r->effective_url, why);
    if (n >= 0)
        discovery_free(&d);
}

/* --online: every line fetched once (as the daemon would: its User-Agent, timeouts, host
 * pacing, credentials and address policy), and what it is said. */
static void check_online(const struct config *cfg, const struct feed_list *list,
                         const struct netpolicy *policy, const struct credentials *credentials,
                         struct problems *p)
{
    struct event_base *base = event_base_new();
    char *user_agent = config_user_agent(cfg);
    struct fetch_options fo = fetch_options_from_config(cfg, user_agent, policy, credentials);
    struct fetcher *fetcher = fetcher_new(base, &fo);
    free(user_agent); /* (the fetcher keeps a copy) */
    struct online_line *lines = xcalloc(list->n ? list->n : 1, sizeof *lines);
    for (size_t i = 0; i < list->n; i++) {
        lines[i] = (struct online_line){.file = cfg->feeds, .entry = &list->entries[i], .p = p};
        struct fetch_request req = {.url = list->entries[i].url,
                                    .accept = "application/rss+xml, application/atom+xml, "
                                              "application/feed+json, */*;q=0.5"};
        fetcher_start(fetcher, &req, on_line_fetched, &lines[i]);
    }
    event_base_dispatch(base);
    fetcher_free(fetcher);
    event_base_free(base);
    free(lines);
}

static void report_sink_problem(const char *option, const char *reason, void *ud)
{
    struct problems *p = ud;
    fprintf(stderr, "%s: %s: %s\n", config_origin(p->cfg, option), option, reason);
    p->count++;
}

int cmd_check(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool check [--online] [OPTIONS]\n"
               "Validates the configuration file, the feed list and the topic rules it names,\n"
               "and that the spool and the state can be written, printing every problem as\n"
               "FILE:LINE: reason. It refuses what `run` refuses at start.\n"
               "When the state database exists, it also notes (FILE:LINE: note: ...) the\n"
               "feed list lines that polling found to be a web page (polled at the feed it\n"
               "advertises) or a sitemap; notes are not problems. It fetches nothing, unless\n"
               "--online: then each feed list line is fetched once (with the daemon's\n"
               "User-Agent, timeouts, pacing, credentials and address policy) and said to be\n"
               "a feed, a web page (and its feed), a sitemap or index (FILE:LINE: online: ...)\n"
               "or broken (FILE:LINE: broken: URL: reason), which counts as a problem.\n"
               "Exits 0 when all are valid, 1 if not. systemd's ExecReload runs it before\n"
               "sending SIGHUP.\n\n");
        service_print_options(stdout);
        return 0;
    }
    /* --online is check's own; the rest are the options run takes */
    bool online = false;
    int n_args = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--online") == 0)
            online = true;
        else
            argv[n_args++] = argv[i];
    }
    struct config cfg;
    char err[8192];
    struct problems p = {.cfg = &cfg};
    if (service_parse_args(n_args, argv, &cfg, err, sizeof err) < 0)
        report_lines(&p, err);
    struct netpolicy *policy = NULL;
    if (netpolicy_parse(cfg.allow_networks, &policy, err, sizeof err) < 0) {
        fprintf(stderr, "%s: allow_networks: %s\n", config_origin(&cfg, "allow_networks"), err);
        p.count++;
    }
    char *credentials_file = credentials_path(cfg.credentials);
    struct credentials *credentials = NULL;
    if (credentials_file) {
        if (credentials_load(credentials_file, &credentials, err, sizeof err) < 0)
            report_file(&p, "credentials", credentials_file, err);
        else
            printf("credentials %s: %zu entries\n", credentials_file,
                   credentials_count(credentials));
        free(credentials_file);
    }
    if (*cfg.nats_servers && *cfg.nats_credentials && access(cfg.nats_credentials, R_OK) < 0) {
        fprintf(stderr, "%s: nats_credentials: %s: %s\n", config_origin(&cfg, "nats_credentials"),
                cfg.nats_credentials, strerror(errno));
        p.count++;
    }
    if (cfg.spool_disk_budget > 0 && cfg.spool_disk_budget <= cfg.spool_max_bytes)
        printf("note: spool_disk_budget (%ld bytes) is not above spool_max_bytes (%ld): the "
               "budget, not the depth of new/, will pause fetching first\n",
               cfg.spool_disk_budget, cfg.spool_max_bytes);
    check_writable(&p, "spool", cfg.spool, true);
    check_writable(&p, "state", cfg.state, false);
    if (*cfg.jsonl_file && strcmp(cfg.jsonl_file, "-") != 0)
        check_writable(&p, "jsonl_file", cfg.jsonl_file, false);
    sinks_check(&cfg, report_sink_problem, &p);
    struct feed_list list = {0};
    bool list_ok = feedlist_load(cfg.feeds, &list, err, sizeof err) == 0;
    if (!list_ok)
        report_file(&p, "feeds", cfg.feeds, err);
    else
        printf("feed list %s: %zu feeds\n", cfg.feeds, list.n);
    if (list_ok)
        note_sources(&cfg, &list);
    if (list_ok && online && policy)
        check_online(&cfg, &list, policy, credentials, &p);
    credentials_free(credentials);
    netpolicy_free(policy);
    struct topic_rules *rules;
    if (topic_rules_load(cfg.topics, &rules, err, sizeof err) < 0) {
        report_file(&p, "topics", cfg.topics, err);
    } else {
        printf("topic rules %s: %zu topics\n", cfg.topics, topic_rules_count(rules));
        for (size_t i = 0; list_ok && i < list.n; i++) {
            const char *unknown = list.entries[i].topics
                                      ? topic_rules_unknown_id(rules, list.entries[i].topics)
                                      : NULL;
            if (unknown) {
                fprintf(stderr, "%s:%u: topic '%.*s' is not defined in %s\n", cfg.feeds,
                        list.entries[i].line, (int)strcspn(unknown, ","), unknown, cfg.topics);
                p.count++;
            }
        }
        topic_rules_free(rules);
    }
    feedlist_free(&list);
    config_free(&cfg);
    if (p.count)
        fprintf(stderr, "feedspool check: %d problem%s found\n", p.count, p.count == 1 ? "" : "s");
    else
        printf("configuration ok\n");
    return p.count ? 1 : 0;
}
