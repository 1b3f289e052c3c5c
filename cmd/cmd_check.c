/* cmd_check.c: `feedspool check`: validates configuration, feed list and topic rules
 * without starting anything, and lists every problem as FILE:LINE: reason. It refuses what
 * `run` refuses at start: the same option checks (config/config.c), the same loaders. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "common/util.h"
#include "config/config.h"
#include "net/credentials.h"
#include "net/netpolicy.h"
#include "daemon/service.h"
#include "feeds/feedlist.h"
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

static void report_sink_problem(const char *option, const char *reason, void *ud)
{
    struct problems *p = ud;
    fprintf(stderr, "%s: %s: %s\n", config_origin(p->cfg, option), option, reason);
    p->count++;
}

int cmd_check(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool check [OPTIONS]\n"
               "Validates the configuration file, the feed list and the topic rules it names,\n"
               "and that the spool and the state can be written, printing every problem as\n"
               "FILE:LINE: reason. It refuses what `run` refuses at start.\n"
               "Exits 0 when all are valid, 1 if not. systemd's ExecReload runs it before\n"
               "sending SIGHUP.\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct config cfg;
    char err[8192];
    struct problems p = {.cfg = &cfg};
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0)
        report_lines(&p, err);
    struct netpolicy *policy;
    if (netpolicy_parse(cfg.allow_networks, &policy, err, sizeof err) < 0) {
        fprintf(stderr, "%s: allow_networks: %s\n", config_origin(&cfg, "allow_networks"), err);
        p.count++;
    } else {
        netpolicy_free(policy);
    }
    char *credentials_file = credentials_path(cfg.credentials);
    struct credentials *credentials = NULL;
    if (credentials_file) {
        if (credentials_load(credentials_file, &credentials, err, sizeof err) < 0)
            report_file(&p, "credentials", credentials_file, err);
        else
            printf("credentials %s: %zu entries\n", credentials_file,
                   credentials_count(credentials));
        credentials_free(credentials);
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
