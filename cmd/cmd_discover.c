/* cmd_discover.c: `feedspool discover URL`: the feeds a page advertises, as the daemon finds
 * them when a feed list line names a page (feeds/discover.h). One fetch, with the
 * configuration's User-Agent and timeouts (the default configuration, or -c FILE's). */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "common/util.h"
#include "config/config.h"
#include "feeds/discover.h"
#include "feeds/feed.h"
#include "feeds/sitemap.h"
#include "net/fetch.h"
#include "net/netpolicy.h"

struct discover_run {
    int status;
};

/* Prints what the page (or the feed, or the sitemap) at r is. */
static void on_fetched(const struct fetch_result *r, void *ud)
{
    struct discover_run *run = ud;
    run->status = CMD_EXIT_CANNOT_START;
    if (!r->ok) {
        fprintf(stderr, "feedspool discover: %s: %s\n", r->url, r->error);
        return;
    }
    if (r->status != 200) {
        fprintf(stderr, "feedspool discover: %s: HTTP %ld\n", r->url, r->status);
        return;
    }
    char err[256];
    struct sitemap_options opts = {0};
    struct sitemap sm;
    if (sitemap_parse(r->body, r->body_len, r->effective_url, &opts, &sm, err, sizeof err) == 1) {
        printf("%s\t%s\n", r->effective_url,
               sm.kind == SITEMAP_INDEX ? "sitemap index" : "sitemap");
        sitemap_free(&sm);
        run->status = CMD_EXIT_OK;
        return;
    }
    struct feed feed;
    if (feed_parse(r->body, r->body_len, r->effective_url, &feed, err, sizeof err) == 0) {
        printf("%s\t%s\t%s\n", r->effective_url, feed_format_name(feed.format),
               feed.title ? feed.title : "");
        feed_free(&feed);
        run->status = CMD_EXIT_OK;
        return;
    }
    struct discovery d;
    int n = discover_feeds(r->body, r->body_len, r->effective_url, &d, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "feedspool discover: %s: %s\n", r->effective_url, err);
        return;
    }
    for (size_t i = 0; i < d.n; i++)
        printf("%s\t%s\t%s\n", d.feeds[i].url, d.feeds[i].type,
               d.feeds[i].title ? d.feeds[i].title : "");
    if (n == 0)
        fprintf(stderr, "feedspool discover: %s advertises no feed\n", r->effective_url);
    else
        run->status = CMD_EXIT_OK;
    discovery_free(&d);
}

int cmd_discover(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool discover URL [-c FILE]\n"
               "Fetches URL and prints the feeds it advertises (<link rel=\"alternate\"> of the\n"
               "RSS, Atom and JSON Feed types, resolved against the page's base), one a line:\n"
               "URL, type, title, separated by tabs. The first is the one the daemon polls when\n"
               "a feed list line names this page. When URL is itself a feed or a sitemap, it\n"
               "is printed with its format. -c FILE: the configuration whose user_agent,\n"
               "timeouts and max_body are used. Exits 0 when a feed was found, 1 if not.\n");
        return 0;
    }
    const char *url = NULL, *config_path = NULL;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
            config_path = argv[++i];
        else if (!url && argv[i][0] != '-')
            url = argv[i];
        else {
            fprintf(stderr, "feedspool discover: unexpected argument '%s'\n", argv[i]);
            return CMD_EXIT_USAGE;
        }
    }
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        fprintf(stderr, "usage: feedspool discover URL [-c FILE] (an http or https URL)\n");
        return CMD_EXIT_USAGE;
    }
    struct config cfg;
    config_init(&cfg);
    char err[8192];
    if (config_path && config_load(&cfg, config_path, err, sizeof err) < 0) {
        fprintf(stderr, "%s", err);
        config_free(&cfg);
        return CMD_EXIT_USAGE;
    }
    struct netpolicy *policy = NULL;
    if (netpolicy_parse(cfg.allow_networks, &policy, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool discover: allow_networks: %s\n", err);
        config_free(&cfg);
        return CMD_EXIT_USAGE;
    }
    struct event_base *base = event_base_new();
    char *user_agent = config_user_agent(&cfg);
    struct fetch_options fo = fetch_options_from_config(&cfg, user_agent, policy, NULL);
    fo.max_transfers = fo.max_per_host = 1;
    fo.host_min_gap_ms = 0;
    struct fetcher *fetcher = fetcher_new(base, &fo);
    free(user_agent); /* (the fetcher keeps a copy) */
    struct discover_run run = {.status = CMD_EXIT_CANNOT_START};
    struct fetch_request req = {.url = url,
                                .accept = "text/html, application/xhtml+xml, */*;q=0.5"};
    fetcher_start(fetcher, &req, on_fetched, &run);
    event_base_dispatch(base);
    fetcher_free(fetcher);
    event_base_free(base);
    netpolicy_free(policy);
    config_free(&cfg);
    return run.status;
}
