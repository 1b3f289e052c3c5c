/* buf.h: a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every body, page and text that grows from untrusted input goes through a buf,
 * so the cap is enforced where the bytes arrive. The contents are always
 * NUL-terminated. The buf owns its data until buf_steal() hands it over. */
#ifndef FEEDSPOOL_COMMON_BUF_H
#define FEEDSPOOL_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated, NULL while empty */
    size_t len;
    size_t cap;   /* allocated bytes */
    size_t limit; /* maximum len; 0 means no limit */
};

void buf_init(struct buf *b, size_t limit);
/* Appends n bytes. Returns 0, or -1 (leaving b unchanged) when the limit would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
int buf_append_char(struct buf *b, char c);
void buf_reset(struct buf *b);
/* Returns the NUL-terminated contents (never NULL), which the caller now owns; b is empty after. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#endif
