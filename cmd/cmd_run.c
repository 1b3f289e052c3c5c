/* cmd_run.c: the `run` and `once` subcommands: the daemon, or one pass over the feeds.
 * Both hold the state's lock (state_lock.h); once's exit status says how the polls went. */
#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/state_lock.h"
#include "config/config.h"
#include "daemon/service.h"
#include "sink/sink.h"

static const char exit_codes_help[] =
    "Exit status:\n"
    "  0  every feed polled answered (200 or 304)\n"
    "  1  could not start (state, spool, topic rules, feed list, sink...), see the log\n"
    "  2  usage or configuration error\n"
    "  3  some feeds failed (the log names them; `feedspool feeds --failing` lists them)\n"
    "  4  every feed polled failed\n"
    "  5  the state database is in use by another feedspool (run, once or demo)\n";

int cmd_exit_status_of_polls(const struct pipeline_stats *stats)
{
    if (stats->feeds_failed == 0)
        return CMD_EXIT_OK;
    return stats->feeds_polled == 0 ? CMD_EXIT_ALL_FEEDS_FAILED : CMD_EXIT_SOME_FEEDS_FAILED;
}

/* Prints every line of a multi-line reason with the command's name first. */
static void print_reasons(const char *command, const char *err)
{
    for (const char *line = err; *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(stderr, "feedspool %s: %.*s\n", command, (int)n, line);
        line += n + (line[n] == '\n');
    }
}

static int run_command(int argc, char **argv, bool once)
{
    if (wants_help(argc, argv)) {
        printf(
            once
                ? "Usage: feedspool once [OPTIONS]\n"
                  "Polls every feed in the feed list once, ingests the new items (and any\n"
                  "left pending by an earlier run), writes their records and exits.\n\n"
                : "Usage: feedspool run [OPTIONS]\n"
                  "Runs the daemon: polls the feeds on their schedule and writes a record per\n"
                  "new article into the spool. SIGHUP re-reads the feed list and topic rules;\n"
                  "SIGTERM or SIGINT finishes in-flight work (up to stop_timeout) and exits 0.\n\n");
        service_print_options(stdout);
        if (once)
            printf("\n%s", exit_codes_help);
        return 0;
    }
    struct config cfg;
    char err[4096];
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        print_reasons(argv[0], err);
        config_free(&cfg);
        return CMD_EXIT_USAGE;
    }
    int busy;
    int lock = state_lock_take(cfg.state, cfg.spool, once ? "once" : "run", &busy, err, sizeof err);
    if (lock < 0) {
        print_reasons(argv[0], err);
        config_free(&cfg);
        return busy ? CMD_EXIT_STATE_BUSY : CMD_EXIT_CANNOT_START;
    }
    sink_process_init(&cfg);
    struct event_base *base = event_base_new();
    struct pipeline_stats stats = {0};
    struct service_params params = {
        .config = &cfg, .argc = argc, .argv = argv, .once = once, .base = base, .stats = &stats};
    int status = service_run(&params);
    if (status == 0 && once)
        status = cmd_exit_status_of_polls(&stats);
    event_base_free(base);
    sink_process_end(&cfg);
    config_free(&cfg);
    state_lock_release(lock);
    return status;
}

int cmd_run(int argc, char **argv)
{
    return run_command(argc, argv, false);
}

int cmd_once(int argc, char **argv)
{
    return run_command(argc, argv, true);
}
