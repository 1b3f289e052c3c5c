/* log.h: log lines on stderr carrying key=value context (feed=… url=… status=… retry_in=…).
 *
 * Three forms, one line per call:
 *   - under journald (JOURNAL_STREAM names stderr's device:inode, as sd-daemon(3) says):
 *     the syslog priority prefix journald reads, "<4>feed poll failed feed=…";
 *   - elsewhere (a terminal, a file, a pipe): a UTC timestamp and the level as a word,
 *     "2026-12-03T19:06:12.123Z warning feed poll failed feed=…";
 *   - LOG_FORMAT_JSON: one JSON object per line for log shippers, {"time": …, "level": …,
 *     "message": …} and each key=value of the context as a field of its own. */
#ifndef FEEDSPOOL_COMMON_LOG_H
#define FEEDSPOOL_COMMON_LOG_H

enum log_level {
    LOG_LEVEL_ERR = 3,
    LOG_LEVEL_WARNING = 4,
    LOG_LEVEL_NOTICE = 5,
    LOG_LEVEL_INFO = 6,
    LOG_LEVEL_DEBUG = 7,
};

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Lines above this level are dropped. Default: LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
/* Chooses the form, and looks again whether stderr is the journal (it is also looked at
 * before the first line). Default: LOG_FORMAT_TEXT. */
void log_set_format(enum log_format format);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
