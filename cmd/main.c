/* main.c: the feedspool binary's entry point: picks the subcommand and runs it; also
 * --version and the feedspool(1) page (`help --man`, built from the tables below). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/suggest.h"
#include "common/util.h"
#include "common/version.h"
#include "cmd/commands.h"
#include "cmd/version.h"
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
    {"discover", cmd_discover, "print the feeds a web page advertises"},
    {"extract", cmd_extract, "print the article text (or record fields) of an HTML page"},
    {"tag", cmd_tag, "print the topics of an article, with the evidence"},
    {"rules", cmd_rules, "`rules eval LABELLED.jsonl`: precision and recall of topic rules"},
    {"spool", cmd_spool, "spool stats: depth, bytes, oldest record's age"},
    {"poll", cmd_poll, "poll one feed now (through a running daemon, or on its own)"},
    {"retry", cmd_retry, "make failed items pending again (all, one feed's, or one)"},
    {"import-opml", cmd_import_opml, "add the feeds of an OPML file to the feed list"},
    {"export-opml", cmd_export_opml, "print the feed list as OPML"},
    {"similar", cmd_similar, "whether article texts are copies of one story"},
    {"publish", cmd_publish, "send the records waiting in the spool to NATS JetStream, then exit"},
    {"feeds", cmd_feeds, "each feed's state, last status and error, next poll, items written"},
    {"items", cmd_items, "the items of the state database: failed, pending, of one feed"},
    {"reextract", cmd_reextract, "rebuild records from the page archive with the current rules"},
};

/* What the daemon (run) does on each signal; for the manual page. */
static const struct {
    const char *name, *effect;
} signals[] = {
    {"SIGHUP", "re-reads the configuration, the feed list and the topic rules; a file that does "
               "not load keeps the old one, and options read at start only keep their values "
               "until the next start"},
    {"SIGTERM, SIGINT", "stops polling, lets in-flight work finish for up to stop_timeout, "
                        "and exits 0"},
};

/* The exit statuses every command keeps to; for the manual page. */
static const struct {
    int status;
    const char *meaning;
} exit_statuses[] = {
    {0, "success (check: every file is valid)"},
    {1, "failure: check found a problem, an input could not be read or parsed, or the daemon "
        "could not start or stopped on an error"},
    {2, "usage error: unknown command or option, a missing argument, or (run, once) a "
        "configuration that cannot be loaded"},
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
    fprintf(out, "\nRun `feedspool COMMAND --help` for a command's options, `feedspool --version`\n"
                 "for the version and the libraries it runs with.\n");
}

/* Copies text into a roff no-fill block: backslashes and hyphens escaped, and a line that
 * starts with a control character guarded. */
static void roff_verbatim(FILE *out, FILE *text)
{
    fprintf(out, ".nf\n");
    int c, at_line_start = 1;
    while ((c = getc(text)) != EOF) {
        if (at_line_start && (c == '.' || c == '\''))
            fputs("\\&", out);
        if (c == '\\')
            fputs("\\e", out);
        else if (c == '-')
            fputs("\\-", out);
        else
            putc(c, out);
        at_line_start = c == '\n';
    }
    if (!at_line_start)
        putc('\n', out);
    fprintf(out, ".fi\n");
}

/* The --help text of one command, as the command prints it to stdout, into the page. */
static int print_command_help(FILE *out, const struct command *c)
{
    FILE *text = tmpfile();
    if (!text)
        return -1;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(text), STDOUT_FILENO) < 0) {
        fclose(text);
        return -1;
    }
    char *help_argv[] = {(char *)c->name, "--help", NULL};
    c->run(2, help_argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(text);
    roff_verbatim(out, text);
    fclose(text);
    return 0;
}

/* feedspool(1): commands (each with its --help text), signals, exit statuses, files. */
static int print_man(FILE *out)
{
    fprintf(out,
            ".\\\" feedspool(1), generated by `feedspool help --man` from cmd/main.c.\n"
            ".TH FEEDSPOOL 1 \"\" \"feedspool %s\" \"User Commands\"\n"
            ".SH NAME\nfeedspool \\- streaming news\\-ingest daemon\n"
            ".SH SYNOPSIS\n.B feedspool\n.I COMMAND\n.RI [ ARGS ]\n.br\n"
            ".B feedspool \\-\\-version\n"
            ".SH DESCRIPTION\n"
            "feedspool polls news feeds (RSS, Atom, JSON Feed), fetches each new article, "
            "strips the page clutter, tags its topics and writes one JSON record per article "
            "into a spool directory (tmp/, then new/; consumers claim records into cur/), "
            "optionally publishing them to NATS JetStream. Under systemd it runs as "
            "\\fBfeedspool run\\fR; its configuration is described in "
            "\\fBfeedspool.conf\\fR(5).\n"
            ".SH COMMANDS\n",
            FEEDSPOOL_VERSION);
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        fprintf(out, ".SS %s\n%s.\n", commands[i].name, commands[i].summary);
        if (print_command_help(out, &commands[i]) < 0)
            return -1;
    }
    fprintf(out, ".SS help\n.B feedspool help\n.RI [ COMMAND | config ]\n"
                 "prints the commands, a command's options, or every configuration option.\n"
                 ".SH SIGNALS\nThe daemon (\\fBrun\\fR):\n");
    for (size_t i = 0; i < ARRAY_LEN(signals); i++)
        fprintf(out, ".TP\n.B %s\n%s.\n", signals[i].name, signals[i].effect);
    fprintf(out, ".SH EXIT STATUS\n");
    for (size_t i = 0; i < ARRAY_LEN(exit_statuses); i++)
        fprintf(out, ".TP\n.B %d\n%s.\n", exit_statuses[i].status, exit_statuses[i].meaning);
    fprintf(out, ".SH FILES\n.TP\n.I /etc/feedspool/feedspool.conf\nthe configuration "
                 "(\\fBfeedspool.conf\\fR(5))\n.TP\n.I /etc/feedspool/feeds.txt\nthe feed list\n"
                 ".TP\n.I /etc/feedspool/topics.json\nthe topic rules\n.TP\n"
                 ".I /var/lib/feedspool/spool\nthe spool: tmp/, new/, cur/\n.TP\n"
                 ".I /var/lib/feedspool/state.db\nthe SQLite state\n"
                 ".SH SEE ALSO\n\\fBfeedspool.conf\\fR(5), \\fBsystemd.service\\fR(5)\n");
    if (FEEDSPOOL_PROJECT_URL[0])
        fprintf(out, ".PP\n%s\n", FEEDSPOOL_PROJECT_URL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0) {
        print_version(stdout);
        return 0;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        bool man = argc > 2 && strcmp(argv[argc - 1], "--man") == 0;
        if (man)
            argc--;
        if (argc > 2 && strcmp(argv[2], "config") == 0) {
            if (man)
                config_print_man(stdout, FEEDSPOOL_VERSION);
            else
                config_print_help(stdout);
            return 0;
        }
        if (man)
            return print_man(stdout) < 0 ? 1 : 0;
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
