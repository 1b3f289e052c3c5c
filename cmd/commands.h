/* commands.h: the subcommands of the feedspool binary, one function each.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status. main.c dispatches. */
#ifndef FEEDSPOOL_CMD_COMMANDS_H
#define FEEDSPOOL_CMD_COMMANDS_H

int cmd_run(int argc, char **argv);         /* cmd_run.c */
int cmd_once(int argc, char **argv);        /* cmd_run.c */
int cmd_demo(int argc, char **argv);        /* demo.c */
int cmd_check(int argc, char **argv);       /* cmd_check.c */
int cmd_parse_feed(int argc, char **argv);  /* cmd_parse_feed.c */
int cmd_discover(int argc, char **argv);    /* cmd_discover.c */
int cmd_extract(int argc, char **argv);     /* cmd_extract.c */
int cmd_tag(int argc, char **argv);         /* cmd_tag.c */
int cmd_rules(int argc, char **argv);       /* cmd_rules.c */
int cmd_spool(int argc, char **argv);       /* cmd_spool.c */
int cmd_retry(int argc, char **argv);       /* cmd_retry.c */
int cmd_poll(int argc, char **argv);        /* cmd_poll.c */
int cmd_import_opml(int argc, char **argv); /* cmd_opml.c */
int cmd_export_opml(int argc, char **argv); /* cmd_opml.c */
int cmd_similar(int argc, char **argv);     /* cmd_similar.c */
int cmd_publish(int argc, char **argv);     /* cmd_publish.c */
int cmd_feeds(int argc, char **argv);       /* cmd_feeds.c */
int cmd_items(int argc, char **argv);       /* cmd_feeds.c */
int cmd_reextract(int argc, char **argv);   /* cmd_reextract.c */

/* Exit statuses (`feedspool help once` and docs/operating.md list them). */
enum cmd_exit {
    CMD_EXIT_OK = 0,
    CMD_EXIT_CANNOT_START = 1,      /* also: check found problems; a command's own failure */
    CMD_EXIT_USAGE = 2,             /* bad arguments or configuration */
    CMD_EXIT_SOME_FEEDS_FAILED = 3, /* once: some polls failed */
    CMD_EXIT_ALL_FEEDS_FAILED = 4,  /* once: every poll failed */
    CMD_EXIT_STATE_BUSY = 5,        /* another run, once or demo holds the state's lock */
};

struct pipeline_stats;
/* once's status from its polls' outcome: OK, SOME_FEEDS_FAILED or ALL_FEEDS_FAILED. */
int cmd_exit_status_of_polls(const struct pipeline_stats *stats); /* cmd_run.c */

/* The topic rules file: $FEEDSPOOL_TOPICS, else the installed one, else the source
 * tree's (cmd_tag.c). */
const char *default_rules_path(void);

/* True when argv holds -h or --help; commands call it first and print their usage. */
int wants_help(int argc, char **argv);

#endif
