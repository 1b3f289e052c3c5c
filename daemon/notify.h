/* notify.h: telling systemd how the service is doing (sd_notify from libsystemd).
 * Every call is a no-op when not started by systemd (NOTIFY_SOCKET unset). */
#ifndef FEEDSPOOL_DAEMON_NOTIFY_H
#define FEEDSPOOL_DAEMON_NOTIFY_H

#include <event2/event.h>

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* When systemd set WatchdogSec, returns a timer on base that sends WATCHDOG=1 at
 * half the interval from the event loop (a stuck loop stops the pings); else NULL. */
struct event *notify_watchdog_start(struct event_base *base);

#endif
