/* cmd_run.c: the `run` and `once` subcommands: the daemon, or one pass over the feeds. */
#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>

#include "cmd/commands.h"
#include "config/config.h"
#include "daemon/service.h"
#include "sink/jetstream.h"

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
        return 0;
    }
    struct config cfg;
    char err[1024];
    if (service_parse_args(argc, argv, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool %s: %s\n", argv[0], err);
        config_free(&cfg);
        return 2;
    }
    if (jetstream_configured(&cfg))
        jetstream_threads_init();
    struct event_base *base = event_base_new();
    struct service_params params = {
        .config = &cfg, .argc = argc, .argv = argv, .once = once, .base = base};
    int status = service_run(&params);
    event_base_free(base);
    if (jetstream_configured(&cfg))
        libevent_global_shutdown(); /* the locks jetstream_threads_init() made */
    config_free(&cfg);
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
