/* service.h: what `run`, `once` and `demo` share — options, start-up and the loop.
 *
 * service_run() opens the state and the spool, loads the topic rules, builds
 * the fetcher and the pipeline on the given event base, and runs the loop
 * until SIGTERM/SIGINT (run) or until every feed was polled once (once).
 * `run` also listens on its control socket (control.h) for `poll` and `retry`.
 * SIGHUP re-reads the configuration, the feed list and the topic rules; a broken
 * file is refused with a log line naming file and line, and the old one stays in force. */
#ifndef FEEDSPOOL_DAEMON_SERVICE_H
#define FEEDSPOOL_DAEMON_SERVICE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "ingest/pipeline.h"
#include "feeds/feedlist.h"

/* Reads -c/--config FILE, --set KEY=VALUE and the shortcuts --feeds, --topics,
 * --spool, --state, --log-level into cfg (defaults first; then the default
 * configuration file when -c is absent and it exists). Unknown arguments are
 * an error. Returns 0, or -1 with the reasons in err, one a line: every problem of the
 * file, then the command line's first (cfg holds what was read without a problem). */
int service_parse_args(int argc, char **argv, struct config *cfg, char *err, size_t errlen);
/* The option lines of --help shared by run, once and check. */
void service_print_options(FILE *out);

struct service_params {
    struct config *config; /* replaced in place when SIGHUP re-reads the file */
    int argc;              /* the command line the configuration came from, */
    char **argv;           /* read again on SIGHUP; argv NULL: no reload */
    bool once;
    struct event_base *base;            /* the loop to run on (the caller owns it) */
    const struct feed_list *feeds;      /* when set, used instead of config->feeds (no reload) */
    const struct pipeline_hooks *hooks; /* on_record is passed through; on_idle is the service's */
    struct pipeline_stats *stats;       /* filled at the end when not NULL */
    bool resume_listed_only; /* items left pending by other feeds wait (`poll URL` alone) */
};

/* Returns the process exit status. */
int service_run(const struct service_params *params);

#endif
