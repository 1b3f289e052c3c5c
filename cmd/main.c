/* main.c: the feedspool binary's entry point: picks the subcommand and runs it. */
#include <stdio.h>
#include <string.h>

#include "common/suggest.h"
#include "common/util.h"
#include "cmd/commands.h"
#include "config/config.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run the daemon (what systemd starts)"},
    {"once", cmd_once, "poll every feed once, ingest the new items, exit"},
    {"demo", cmd_demo, "serve the bundled sample feeds on 127.0.0.1 and ingest them"},
    {"check", cmd_check, "validate the configuration, feed list and topic rules"},
    {"parse-feed", cmd_parse_feed, "print a feed file as normalised JSON"},
    {"extract", cmd_extract, "print the article text (or record fields) of an HTML page"},
    {"tag", cmd_tag, "print the topics of an article, with the evidence"},
    {"spool", cmd_spool, "spool stats: depth, bytes, oldest record's age"},
    {"import-opml", cmd_import_opml, "add the feeds of an OPML file to the feed list"},
    {"export-opml", cmd_export_opml, "print the feed list as OPML"},
    {"similar", cmd_similar, "whether article texts are copies of one story"},
    {"publish", cmd_publish, "send the records waiting in the spool to NATS JetStream, then exit"},
    {"feeds", cmd_feeds, "each feed's state, last status and error, next poll, items written"},
    {"items", cmd_items, "the items of the state database: failed, pending, of one feed"},
};

int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: feedspool COMMAND [ARGS]\n\n"
                 "feedspool polls news feeds, fetches each new article, strips the page\n"
                 "clutter, tags its topics and writes one JSON record per article into a spool.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-12s %s\n", "help", "this text; `help COMMAND` or `help config` for more");
    fprintf(out, "\nRun `feedspool COMMAND --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2 && strcmp(argv[2], "config") == 0) {
            config_print_help(stdout);
            return 0;
        }
        for (size_t i = 0; argc > 2 && i < ARRAY_LEN(commands); i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                char *help_argv[] = {argv[2], "--help", NULL};
                return commands[i].run(2, help_argv);
            }
        print_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    const char *names[ARRAY_LEN(commands) + 1];
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        names[i] = commands[i].name;
    names[ARRAY_LEN(commands)] = "help";
    const char *near = suggest_closest(name, names, ARRAY_LEN(names));
    if (near)
        fprintf(stderr, "feedspool: unknown command '%s' (did you mean %s?)\n\n", name, near);
    else
        fprintf(stderr, "feedspool: unknown command '%s'\n\n", name);
    print_usage(stderr);
    return 2;
}
