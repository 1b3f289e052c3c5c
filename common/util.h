/* util.h: allocation helpers shared by every module.
 *
 * feedspool treats running out of memory as fatal (as Redis does): x* functions
 * never return NULL for a non-zero request; they print a message and abort.
 * That keeps ownership code short: a pointer is either owned or NULL.
 * Every function here accepts NULL where a string is expected and passes it on. */
#ifndef FEEDSPOOL_COMMON_UTIL_H
#define FEEDSPOOL_COMMON_UTIL_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Zeroed memory mapped straight from the kernel, for large tables mostly left unused: a page
 * costs nothing until written (calloc may instead clear reused heap). Free with xunmap(). */
void *xmap_zeroed(size_t n);
void xunmap(void *p, size_t n);
/* Caller owns the copy; NULL in gives NULL out. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string the caller owns. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fill err[errlen] printf-style, when err is not NULL. Returns -1 so callers
 * can write `return set_err(err, errlen, "...")`. */
int set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
