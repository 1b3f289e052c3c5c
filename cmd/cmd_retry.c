/* cmd_retry.c: `feedspool retry`: failed items made pending again (all of them, one feed's,
 * or one item), in the state database, whether the daemon is stopped or running. The
 * daemon finds them at its next start; a running one is told through its control socket
 * (daemon/control.h) and takes them up at once (else its upkeep finds them within 10 s). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/state_lock.h"
#include "config/config.h"
#include "daemon/control.h"
#include "daemon/service.h"
#include "store/state.h"

/* Tells a running daemon to take the items up now; true when it said it does. */
static bool tell_daemon(const char *state_path)
{
    int fd = control_connect(state_path);
    if (fd < 0)
        return false;
    char answer[64] = "";
    struct timeval wait = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    ssize_t n =
        send(fd, "retry\n", 6, MSG_NOSIGNAL) == 6 ? read(fd, answer, sizeof answer - 1) : -1;
    close(fd);
    return n >= 2 && strncmp(answer, "ok", 2) == 0;
}

static int usage(FILE *out, int status)
{
    fprintf(out, "Usage: feedspool retry --all | --feed URL | --item ID [OPTIONS]\n"
                 "Makes failed items pending again: every one, those of one feed (its URL as in\n"
                 "the feed list), or one item (its record id or identity key). A running daemon\n"
                 "takes them up at once; a stopped one at its next start. Safe while the\n"
                 "daemon runs: the state database's locks are waited for, up to 5 s.\n\n");
    service_print_options(out);
    return status;
}

int cmd_retry(int argc, char **argv)
{
    if (wants_help(argc, argv))
        return usage(stdout, 0);
    /* --all, --feed and --item are ours; the rest are the service's options. */
    char *rest[64];
    int n_rest = 0;
    const char *feed = NULL, *item = NULL;
    int choices = 0;
    rest[n_rest++] = argv[0];
    for (int i = 1; i < argc && n_rest < 63; i++) {
        if (strcmp(argv[i], "--all") == 0) {
            choices++;
        } else if (strcmp(argv[i], "--feed") == 0 && i + 1 < argc) {
            feed = argv[++i];
            choices++;
        } else if (strcmp(argv[i], "--item") == 0 && i + 1 < argc) {
            item = argv[++i];
            choices++;
        } else {
            rest[n_rest++] = argv[i];
        }
    }
    rest[n_rest] = NULL;
    if (choices != 1)
        return usage(stderr, 2);
    struct config cfg;
    char err[1024];
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool retry: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    struct state *st;
    int status = 1;
    if (state_refuse_foreign_root(cfg.state, cfg.spool, "retry", err, sizeof err) < 0 ||
        state_open(cfg.state, &st, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool retry: %s\n", err);
    } else {
        long n = state_items_retry_failed(st, feed, item);
        if (n < 0) {
            fprintf(stderr, "feedspool retry: %s\n", state_error(st));
        } else {
            printf("%ld failed item%s made pending again%s\n", n, n == 1 ? "" : "s",
                   n > 0 && tell_daemon(cfg.state) ? "; the running daemon takes them up now" : "");
            status = n > 0 || (!feed && !item) ? 0 : 1; /* a named feed or item not failed: 1 */
        }
        state_close(st);
    }
    config_free(&cfg);
    return status;
}
