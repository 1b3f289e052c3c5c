/* test_progress.c: the progress line on a real pseudo-terminal (openpty) as standard error:
 * drawn in place with \r, throttled, a final line with the count; and not one byte when
 * standard error is a pipe. */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "common/progress.h"

/* Runs fn with standard error on fd, then returns what came out of reader (NUL-ended). */
static void with_stderr_on(int fd, void (*fn)(void), int reader, char *out, size_t cap)
{
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    size_t len = 0;
    struct pollfd pfd = {.fd = reader, .events = POLLIN};
    while (len + 1 < cap && poll(&pfd, 1, 200) > 0) {
        ssize_t n = read(reader, out + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
}

static void count_to_thousand(void)
{
    struct progress p;
    progress_start(&p, "importing feeds", 1000);
    for (int i = 0; i < 1000; i++)
        progress_step(&p, 1); /* all within far less than a redraw interval */
    progress_end(&p);
    progress_end(&p); /* a second end draws nothing */
}

static void slow_without_total(void)
{
    struct progress p;
    progress_start(&p, "publishing", 0);
    for (int i = 1; i <= 3; i++) {
        nanosleep(&(struct timespec){.tv_nsec = 120 * 1000 * 1000}, NULL);
        progress_set(&p, i * 10);
    }
    progress_end(&p);
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_terminal(void)
{
    int master, slave;
    CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
    char out[4096];
    with_stderr_on(slave, count_to_thousand, master, out, sizeof out);
    CHECK_CONTAINS(out, "\rimporting feeds: 0/1000 (0%), ");
    CHECK_CONTAINS(out, "\rimporting feeds: 1000/1000 (100%) in ");
    CHECK(count_char(out, '\r') == 2 + 1); /* start, end (and the tty's \r of \n) */
    CHECK(count_char(out, '\n') == 1);
    CHECK(strstr(out, "/1000 (1%)") == NULL); /* throttled: no line per step */

    with_stderr_on(slave, slow_without_total, master, out, sizeof out);
    CHECK_CONTAINS(out, "\rpublishing: 0, ");
    CHECK_CONTAINS(out, "\rpublishing: 10, ");
    CHECK_CONTAINS(out, "\rpublishing: 30 in ");
    CHECK_CONTAINS(out, "/s\r\n");
    close(slave);
    close(master);
}

static void test_pipe_is_silent(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    char out[4096];
    with_stderr_on(fds[1], count_to_thousand, fds[0], out, sizeof out);
    CHECK_STR(out, "");
    with_stderr_on(fds[1], slow_without_total, fds[0], out, sizeof out);
    CHECK_STR(out, "");
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    RUN(test_terminal);
    RUN(test_pipe_is_silent);
    return check_summary();
}
