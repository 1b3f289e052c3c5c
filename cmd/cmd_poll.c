/* cmd_poll.c: `feedspool poll URL`: one feed of the feed list polled now. With a daemon
 * running on the same state, through its control socket (daemon/control.h): the daemon
 * polls it at once and says how it went. Without one, on its own: that feed is polled and
 * its new items' articles fetched and written, like `once` for one feed (the state's lock
 * taken the same way, the same exit statuses). */
#include <errno.h>
#include <event2/event.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/state_lock.h"
#include "common/suggest.h"
#include "common/util.h"
#include "config/config.h"
#include "daemon/control.h"
#include "daemon/service.h"
#include "feeds/shard.h"
#include "sink/sink.h"

#define SOCKET_APPEARS_SECONDS 5 /* a daemon that has just taken the lock opens it by then */

static int usage(FILE *out, int status)
{
    fprintf(
        out,
        "Usage: feedspool poll URL [OPTIONS]\n"
        "Polls one feed of the feed list now, whatever its schedule or backoff. When the\n"
        "daemon runs on this state, it polls the feed at once and this prints how the poll\n"
        "went (its articles follow as usual). Otherwise the feed is polled here and its new\n"
        "items' articles are fetched and written before it exits, like `once` for one feed.\n\n");
    service_print_options(out);
    fprintf(out,
            "\nExit status: as `once` (see `feedspool help once`): 0 the feed answered, 4 its\n"
            "poll failed, 1 not polled (the daemon refused: gone, another shard's...), 2 the\n"
            "URL is not in the feed list, 5 the state is held by a feedspool that takes no\n"
            "requests (once, demo).\n");
    return status;
}

/* The feed listed as url in this daemon's share of the list, copied into *one; or 2 with the
 * reason printed (not listed, with the nearest URL; another shard's). */
static int find_feed(const struct config *cfg, const char *url, struct feed_list *one)
{
    struct feed_list list;
    char err[1024];
    if (feedlist_load(cfg->feeds, &list, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool poll: %s\n", err);
        return CMD_EXIT_USAGE;
    }
    const struct feed_entry *e = feedlist_find(&list, url);
    int status = CMD_EXIT_OK;
    if (!e) {
        const char **urls = xcalloc(list.n ? list.n : 1, sizeof *urls);
        for (size_t i = 0; i < list.n; i++)
            urls[i] = list.entries[i].url;
        const char *near = suggest_closest(url, urls, list.n);
        fprintf(stderr, "feedspool poll: %s is not in the feed list %s%s%s%s\n", url, cfg->feeds,
                near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        free(urls);
        status = CMD_EXIT_USAGE;
    } else {
        struct shard shard;
        feedlist_append(one, e->url, e->name, e->interval, e->topics);
        if (shard_parse(cfg->shard, &shard, err, sizeof err) == 0 &&
            shard_filter(one, &shard) == 0) {
            fprintf(stderr, "feedspool poll: %s is another shard's feed (this one is %s)\n", url,
                    cfg->shard);
            status = CMD_EXIT_USAGE;
        }
    }
    feedlist_free(&list);
    return status;
}

static void on_polled_alone(void *ud, const struct pipeline_poll_outcome *o)
{
    long *status = ud;
    *status = o->status;
    if (o->error)
        fprintf(stderr, "feedspool poll: %s failed: %s\n", o->url, o->error);
}

/* No daemon runs: the feed is polled by this process, which holds the state's lock. */
static int poll_alone(struct config *cfg, int argc, char **argv, const struct feed_list *one)
{
    sink_process_init(cfg);
    struct event_base *base = event_base_new();
    struct pipeline_stats stats = {0};
    long http_status = -1;
    struct pipeline_hooks hooks = {.on_feed_polled = on_polled_alone, .ud = &http_status};
    struct service_params params = {.config = cfg,
                                    .argc = argc,
                                    .argv = argv,
                                    .once = true,
                                    .base = base,
                                    .feeds = one,
                                    .hooks = &hooks,
                                    .stats = &stats,
                                    .resume_listed_only = true};
    int status = service_run(&params);
    event_base_free(base);
    sink_process_end(cfg);
    if (status != 0)
        return status;
    if (stats.feeds_polled + stats.feeds_failed == 0) {
        fprintf(stderr,
                "feedspool poll: %s was not polled: it answered 410 Gone earlier, or the poll "
                "was interrupted (see the log)\n",
                one->entries[0].url);
        return CMD_EXIT_CANNOT_START;
    }
    if (stats.feeds_polled)
        printf("polled %s: HTTP %ld, %ld new item%s, %ld record%s written, %ld item%s failed\n",
               one->entries[0].url, http_status, stats.items_new, stats.items_new == 1 ? "" : "s",
               stats.records_written, stats.records_written == 1 ? "" : "s", stats.items_failed,
               stats.items_failed == 1 ? "" : "s");
    return cmd_exit_status_of_polls(&stats);
}

/* Reads the daemon's answer a line at a time until it closes; the last line decides. */
static int read_answer(int fd, const char *url, long timeout_seconds)
{
    char buf[4096];
    size_t len = 0;
    int status = CMD_EXIT_CANNOT_START;
    bool answered = false;
    time_t deadline = time(NULL) + timeout_seconds;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int left = (int)(deadline - time(NULL));
        int ready = left > 0 ? poll(&pfd, 1, left * 1000) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0) {
            fprintf(stderr,
                    "feedspool poll: the daemon accepted the poll but has not said how it went "
                    "in %ld s; `feedspool feeds` shows the feed's last status\n",
                    timeout_seconds);
            return CMD_EXIT_CANNOT_START;
        }
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n'))) {
            *nl = '\0';
            if (strncmp(buf, "polling ", 8) == 0) {
                fprintf(stderr, "feedspool poll: the running daemon polls %s now\n", url);
            } else if (strncmp(buf, "polled ", 7) == 0) {
                long http_status;
                size_t new_items = 0;
                bool counted =
                    sscanf(buf, "polled status=%ld new_items=%zu", &http_status, &new_items) == 2;
                printf("polled %s: %s%s\n", url, buf + 7,
                       counted && new_items ? " (the daemon fetches their articles)" : "");
                status = CMD_EXIT_OK;
            } else if (strncmp(buf, "failed ", 7) == 0) {
                printf("poll of %s failed: %s\n", url, buf + 7);
                status = CMD_EXIT_ALL_FEEDS_FAILED;
            } else {
                fprintf(stderr, "feedspool poll: the daemon refused: %s\n",
                        strncmp(buf, "error ", 6) == 0 ? buf + 6 : buf);
                status = CMD_EXIT_CANNOT_START;
            }
            answered |= strncmp(buf, "polling ", 8) != 0;
            len -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, len + 1);
        }
        if (len == sizeof buf - 1)
            break; /* a line longer than any answer */
    }
    if (!answered)
        fprintf(stderr, "feedspool poll: the daemon closed the connection before the poll ended "
                        "(it is stopping?); `feedspool feeds` shows the feed's last status\n");
    return status;
}

/* A daemon holds the state: the request goes through its control socket. */
static int poll_through_daemon(const struct config *cfg, const char *url, const char *busy)
{
    int fd = control_connect(cfg->state);
    /* A daemon that has just taken the lock opens its socket a moment later. */
    for (int tries = 0; fd < 0 && (errno == ENOENT || errno == ECONNREFUSED) &&
                        tries < SOCKET_APPEARS_SECONDS * 10;
         tries++) {
        nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        fd = control_connect(cfg->state);
    }
    if (fd < 0) {
        char *path = control_socket_path(cfg->state);
        fprintf(stderr,
                "feedspool poll: %s\nand it takes no requests at %s (%s): a `once` or `demo` "
                "(wait for it to end), or a daemon older than this command\n",
                busy, path, strerror(errno));
        free(path);
        return CMD_EXIT_STATE_BUSY;
    }
    char *request = xasprintf("poll %s\n", url);
    size_t sent = 0, len = strlen(request);
    while (sent < len) {
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    free(request);
    int status = CMD_EXIT_CANNOT_START;
    if (sent < len)
        fprintf(stderr, "feedspool poll: cannot send the request to the daemon: %s\n",
                strerror(errno));
    else
        status = read_answer(fd, url, 2 * (cfg->connect_timeout + cfg->transfer_timeout) + 60);
    close(fd);
    return status;
}

int cmd_poll(int argc, char **argv)
{
    if (wants_help(argc, argv))
        return usage(stdout, 0);
    if (argc < 2 || argv[1][0] == '-')
        return usage(stderr, CMD_EXIT_USAGE);
    const char *url = argv[1];
    /* URL comes first; the rest are the service's options. */
    char **rest = xcalloc((size_t)argc, sizeof *rest);
    rest[0] = argv[0];
    for (int i = 2; i < argc; i++)
        rest[i - 1] = argv[i];
    int n_rest = argc - 1;
    struct config cfg;
    struct feed_list one = {0};
    char err[4096];
    int status;
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool poll: %s\n", err);
        status = CMD_EXIT_USAGE;
    } else if ((status = find_feed(&cfg, url, &one)) == CMD_EXIT_OK) {
        int busy;
        int lock = state_lock_take(cfg.state, cfg.spool, "poll", &busy, err, sizeof err);
        if (lock >= 0) {
            status = poll_alone(&cfg, n_rest, rest, &one);
            state_lock_release(lock);
        } else if (busy) {
            status = poll_through_daemon(&cfg, one.entries[0].url, err);
        } else {
            fprintf(stderr, "feedspool poll: %s\n", err);
            status = CMD_EXIT_CANNOT_START;
        }
    }
    feedlist_free(&one);
    config_free(&cfg);
    free(rest);
    return status;
}
