/* cmd_opml.c: `feedspool import-opml FILE` and `feedspool export-opml`: the feed list
 * to and from OPML, the subscription format every feed reader speaks. The export leaves out
 * the user:password@ of feed URLs. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/progress.h"
#include "common/redact.h"
#include "common/util.h"
#include "cmd/commands.h"
#include "config/config.h"
#include "daemon/service.h"
#include "feeds/opml.h"

#define OPML_MAX_INPUT (64L * 1024 * 1024)

/* Adds the feeds of import that list lacks; returns how many were added. */
static size_t merge(struct feed_list *list, const struct feed_list *import)
{
    size_t added = 0;
    struct progress progress;
    progress_start(&progress, "feeds compared with the list", (long long)import->n);
    for (size_t i = 0; i < import->n; i++) {
        const struct feed_entry *e = &import->entries[i];
        progress_step(&progress, 1);
        if (feedlist_find(list, e->url))
            continue;
        feedlist_append(list, e->url, e->name, e->interval, e->topics);
        added++;
    }
    progress_end(&progress);
    return added;
}

int cmd_import_opml(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf(
            "Usage: feedspool import-opml FILE|- [--dry-run] [OPTIONS]\n"
            "Adds the feeds of an OPML subscription list to the configured feed list file\n"
            "(the `feeds` option), keeping the feeds and comments already there. Feeds already\n"
            "listed are left as they are. The file is replaced atomically; send SIGHUP (or\n"
            "`systemctl reload feedspool`) to apply it. --dry-run prints what would be added.\n\n");
        service_print_options(stdout);
        return 0;
    }
    /* FILE comes first; the rest are the service options, plus --dry-run. */
    const char *path =
        argc > 1 && (argv[1][0] != '-' || strcmp(argv[1], "-") == 0) ? argv[1] : NULL;
    bool dry_run = false;
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    int n_rest = 0;
    rest[n_rest++] = argv[0];
    for (int i = path ? 2 : 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0)
            dry_run = true;
        else
            rest[n_rest++] = argv[i];
    }
    struct config cfg;
    char err[1024];
    int status = 1;
    struct opml_import import = {0};
    struct feed_list list = {0};
    char *opml = NULL, *existing = NULL, *added_lines = NULL;
    size_t len, existing_len = 0;
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool import-opml: %s\n", err);
    } else if (!path) {
        fprintf(stderr, "usage: feedspool import-opml FILE|- [--dry-run] [OPTIONS]\n");
        status = 2;
    } else if (!(opml = file_read_all(path, OPML_MAX_INPUT, &len, err, sizeof err))) {
        fprintf(stderr, "feedspool import-opml: %s\n", err);
    } else if (opml_parse(opml, len, &import, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool import-opml: %s: %s\n", path, err);
    } else if (!(existing =
                     file_read_all(cfg.feeds, OPML_MAX_INPUT, &existing_len, err, sizeof err)) ||
               feedlist_parse(existing, cfg.feeds, &list, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool import-opml: %s\n", err);
    } else {
        size_t before = list.n;
        size_t added = merge(&list, &import.feeds);
        struct feed_list new_part = {.entries = list.entries + before, .n = added};
        added_lines = feedlist_format(&new_part);
        size_t already = import.feeds.n - added;
        if (dry_run) {
            fputs(added_lines, stdout);
            status = 0;
        } else {
            /* The old text stays byte for byte (comments and all); new feeds go after it. */
            bool needs_newline = existing_len && existing[existing_len - 1] != '\n';
            char *text = xasprintf("%s%s%s%s", existing, needs_newline ? "\n" : "",
                                   added ? "# imported from OPML\n" : "", added_lines);
            if (added && file_write_atomic(cfg.feeds, text, strlen(text), err, sizeof err) < 0)
                fprintf(stderr, "feedspool import-opml: %s\n", err);
            else
                status = 0;
            free(text);
        }
        if (status == 0)
            printf("%s %zu feed%s to %s (%zu already listed, %zu outline%s skipped: not http(s) "
                   "or repeated)\n",
                   dry_run ? "would add" : "added", added, added == 1 ? "" : "s", cfg.feeds,
                   already, import.skipped, import.skipped == 1 ? "" : "s");
    }
    free(added_lines);
    free(existing);
    free(opml);
    feedlist_free(&import.feeds);
    feedlist_free(&list);
    config_free(&cfg);
    free(rest);
    return status;
}

int cmd_export_opml(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("Usage: feedspool export-opml [OPTIONS]\n"
               "Prints the configured feed list as an OPML 2.0 document on standard output.\n\n");
        service_print_options(stdout);
        return 0;
    }
    struct config cfg;
    char err[1024];
    struct feed_list list;
    int status = 1;
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool export-opml: %s\n", err);
    } else if (feedlist_load(cfg.feeds, &list, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool export-opml: %s\n", err);
    } else {
        /* An export is shared: credentials in feed URLs stay in the configuration */
        for (size_t i = 0; i < list.n; i++) {
            char *shown = redact_credentials(list.entries[i].url);
            free(list.entries[i].url);
            list.entries[i].url = shown;
        }
        char *text = opml_format(&list, "feedspool subscriptions");
        fputs(text, stdout);
        free(text);
        feedlist_free(&list);
        status = 0;
    }
    config_free(&cfg);
    return status;
}
