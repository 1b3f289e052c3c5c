/* cmd_check.c: `feedspool check`: validates configuration, feed list and topic rules
 * without starting anything, and says what is wrong with file and line. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "config/config.h"
#include "net/credentials.h"
#include "net/netpolicy.h"
#include "daemon/service.h"
#include "feeds/feedlist.h"
#include "topics/topics.h"

int cmd_check(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool check [OPTIONS]\n"
               "Validates the configuration file, the feed list and the topic rules it names,\n"
               "printing each problem as FILE:LINE: reason. Exits 0 when all are valid, 1 if not.\n"
               "systemd's ExecReload runs it before sending SIGHUP.\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct config cfg;
    char err[1024];
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool check: %s\n", err);
        config_free(&cfg);
        return 1;
    }
    int problems = 0;
    struct netpolicy *policy;
    if (netpolicy_parse(cfg.allow_networks, &policy, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool check: allow_networks: %s\n", err);
        problems++;
    } else {
        netpolicy_free(policy);
    }
    char *credentials_file = credentials_path(cfg.credentials);
    struct credentials *credentials = NULL;
    if (credentials_file) {
        if (credentials_load(credentials_file, &credentials, err, sizeof err) < 0) {
            fprintf(stderr, "feedspool check: credentials: %s\n", err);
            problems++;
        } else {
            printf("credentials %s: %zu entries\n", credentials_file, credentials_count(credentials));
        }
        credentials_free(credentials);
        free(credentials_file);
    }
    struct feed_list list = {0};
    bool list_ok = feedlist_load(cfg.feeds, &list, err, sizeof err) == 0;
    if (!list_ok) {
        fprintf(stderr, "feedspool check: %s\n", err);
        problems++;
    } else {
        printf("feed list %s: %zu feeds\n", cfg.feeds, list.n);
    }
    struct topic_rules *rules;
    if (topic_rules_load(cfg.topics, &rules, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool check: %s\n", err);
        problems++;
    } else {
        printf("topic rules %s: %zu topics\n", cfg.topics, topic_rules_count(rules));
        for (size_t i = 0; list_ok && i < list.n; i++) {
            const char *unknown =
                list.entries[i].topics ? topic_rules_unknown_id(rules, list.entries[i].topics) : NULL;
            if (unknown) {
                fprintf(stderr, "feedspool check: %s:%u: topic '%.*s' is not defined in %s\n",
                        cfg.feeds, list.entries[i].line, (int)strcspn(unknown, ","), unknown,
                        cfg.topics);
                problems++;
            }
        }
        topic_rules_free(rules);
    }
    feedlist_free(&list);
    config_free(&cfg);
    if (problems)
        fprintf(stderr, "feedspool check: %d problem%s found\n", problems, problems == 1 ? "" : "s");
    else
        printf("configuration ok\n");
    return problems ? 1 : 0;
}
