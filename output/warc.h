/* warc.h: WARC/1.1 records (ISO 28500), each one gzip member, written and read back.
 *
 * The writer makes the members an archive file is a series of: a warcinfo record, and per
 * fetched page a request record and a response record (WARC-Concurrent-To each other, with
 * sha1 block and payload digests in base32, as crawlers write them). The reader decompresses
 * one member and splits it into its header block and content block; it is what `feedspool
 * reextract` uses on archived pages and what fuzz/fuzz_warc feeds hostile bytes to. */
#ifndef FEEDSPOOL_OUTPUT_WARC_H
#define FEEDSPOOL_OUTPUT_WARC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* One HTTP exchange as fetched (borrowed strings). */
struct warc_exchange {
    const char *target_uri; /* the URL the response came from (after redirects) */
    int64_t date;           /* when it was fetched, epoch seconds */
    const char *request;    /* the request head as sent ("GET / HTTP/1.1\r\n...\r\n\r\n") */
    const char *response;   /* the response head ("HTTP/1.1 200 OK\r\n...\r\n\r\n") */
    const char *body;       /* the payload, decoded (its Content-Encoding and Transfer-Encoding
                                lines are kept under X-Feedspool-Original- names) */
    size_t body_len;
};

/* Appends a warcinfo member naming the file and its software to out. */
void warc_append_warcinfo(struct buf *out, const char *filename, int64_t date);
/* Appends the request member, then the response member, to out; *response_offset is where
 * the response member starts within out. */
void warc_append_exchange(struct buf *out, const struct warc_exchange *x, size_t *response_offset);

/* One record read back. Owns its data. */
struct warc_record {
    char *data;          /* the whole decompressed record */
    const char *headers; /* within data: the WARC header lines, NUL-terminated */
    const char *block;   /* within data: the content block */
    size_t block_len;
};

/* Decompresses the gzip member at the start of data[0..len) (at most max_record bytes once
 * decompressed) and parses it as one WARC record. Returns 0 with *out filled (free with
 * warc_record_free), or -1 with the reason in err. */
int warc_read_member(const void *data, size_t len, size_t max_record, struct warc_record *out,
                     char *err, size_t errlen);
void warc_record_free(struct warc_record *r);
/* A header's value (caller frees), or NULL when the record has none. */
char *warc_header(const struct warc_record *r, const char *name);
/* A response record's HTTP payload: the block after its HTTP head. Returns 0, or -1 when the
 * block holds no complete HTTP head. *head_len is the head's length (its blank line included). */
int warc_http_payload(const struct warc_record *r, size_t *head_len, const char **payload,
                      size_t *payload_len);

#endif
