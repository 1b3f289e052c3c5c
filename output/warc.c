/* warc.c: WARC/1.1 records as gzip members (zlib), digests and record ids from libcrypto. */
#include "output/warc.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "common/util.h"
#include "common/version.h"
#include "feeds/date.h"

#define SHA1_BASE32_LEN 32 /* 20 bytes, base32 without padding */
#define UUID_URN_LEN 47    /* "<urn:uuid:" + 36 + ">" */

/* "sha1:" and the base32 (RFC 4648) of the SHA-1 of a[0..alen) then b[0..blen). */
static void sha1_base32(const void *a, size_t alen, const void *b, size_t blen,
                        char out[5 + SHA1_BASE32_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, a, alen) != 1 || EVP_DigestUpdate(ctx, b, blen) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &n) != 1 || n != 20)
        abort(); /* only a broken libcrypto gets here */
    EVP_MD_CTX_free(ctx);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    memcpy(out, "sha1:", 5);
    unsigned long long bits = 0;
    int have = 0;
    size_t o = 5;
    for (size_t i = 0; i < 20; i++) {
        bits = (bits << 8) | md[i];
        have += 8;
        while (have >= 5) {
            out[o++] = alphabet[(bits >> (have - 5)) & 31];
            have -= 5;
        }
    }
    out[o] = '\0';
}

static void new_record_id(char out[UUID_URN_LEN + 1])
{
    unsigned char u[16];
    if (RAND_bytes(u, sizeof u) != 1)
        abort();                                  /* the system's random source is gone */
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, UUID_URN_LEN + 1,
             "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

/* Compresses the record (head, then the block in two parts) as one gzip member onto out. */
static void append_member(struct buf *out, const char *head, const void *a, size_t alen,
                          const void *b, size_t blen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* the fastest level: on the event loop, a page costs about a millisecond */
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort(); /* deflateInit2 fails only on bad parameters or no memory */
    const struct {
        const void *p;
        size_t n;
    } parts[] = {{head, strlen(head)}, {a, alen}, {b, blen}, {"\r\n\r\n", 4}};
    unsigned char chunk[16384];
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        z.next_in = (unsigned char *)(uintptr_t)parts[i].p;
        z.avail_in = (uInt)parts[i].n;
        int flush = i + 1 == ARRAY_LEN(parts) ? Z_FINISH : Z_NO_FLUSH;
        int rc;
        do {
            z.next_out = chunk;
            z.avail_out = sizeof chunk;
            rc = deflate(&z, flush);
            if (buf_append(out, chunk, sizeof chunk - z.avail_out) < 0)
                abort(); /* the archive's buffer has no limit */
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    deflateEnd(&z);
}

void warc_append_warcinfo(struct buf *out, const char *filename, int64_t date)
{
    char when[DATE_ISO_LEN], id[UUID_URN_LEN + 1];
    date_format_iso(date, when);
    new_record_id(id);
    char *fields = xasprintf("software: feedspool/%s\r\nformat: WARC File Format 1.1\r\n"
                             "conformsTo: http://iipc.github.io/warc-specifications/"
                             "specifications/warc-format/warc-1.1/\r\n",
                             FEEDSPOOL_VERSION);
    char *head = xasprintf("WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: %s\r\n"
                           "WARC-Date: %s\r\nWARC-Filename: %s\r\n"
                           "Content-Type: application/warc-fields\r\nContent-Length: %zu\r\n\r\n",
                           id, when, filename, strlen(fields));
    append_member(out, head, fields, strlen(fields), "", 0);
    free(head);
    free(fields);
}

/* The response head for a body stored as decoded: its Content-Encoding, Transfer-Encoding
 * and Content-Length lines kept under X-Feedspool-Original- names, and the stored body's
 * Content-Length added, so that a reader takes the payload as it is. Caller frees. */
static char *head_for_decoded_body(const char *head, size_t body_len)
{
    static const char *const renamed[] = {
        "Content-Encoding:", "Transfer-Encoding:", "Content-Length:"};
    struct buf b;
    buf_init(&b, 0);
    const char *blank = strstr(head, "\r\n\r\n");
    size_t head_len = blank ? (size_t)(blank - head) + 2 : strlen(head);
    for (const char *line = head, *end = head + head_len; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = eol ? (size_t)(eol - line) + 1 : (size_t)(end - line);
        for (size_t i = 0; i < ARRAY_LEN(renamed); i++)
            if (strncasecmp(line, renamed[i], strlen(renamed[i])) == 0)
                buf_append_str(&b, "X-Feedspool-Original-");
        buf_append(&b, line, len);
        line += len;
    }
    char length[64];
    snprintf(length, sizeof length, "Content-Length: %zu\r\n\r\n", body_len);
    buf_append_str(&b, length);
    return buf_steal(&b);
}

void warc_append_exchange(struct buf *out, const struct warc_exchange *x, size_t *response_offset)
{
    char when[DATE_ISO_LEN], request_id[UUID_URN_LEN + 1], response_id[UUID_URN_LEN + 1];
    date_format_iso(x->date, when);
    new_record_id(request_id);
    new_record_id(response_id);
    char block_digest[40], payload_digest[40];
    char *response = head_for_decoded_body(x->response, x->body_len);
    size_t request_len = strlen(x->request), response_len = strlen(response);
    sha1_base32(x->request, request_len, "", 0, block_digest);
    char *head = xasprintf("WARC/1.1\r\nWARC-Type: request\r\nWARC-Record-ID: %s\r\n"
                           "WARC-Date: %s\r\nWARC-Target-URI: %s\r\nWARC-Concurrent-To: %s\r\n"
                           "WARC-Block-Digest: %s\r\n"
                           "Content-Type: application/http;msgtype=request\r\n"
                           "Content-Length: %zu\r\n\r\n",
                           request_id, when, x->target_uri, response_id, block_digest, request_len);
    append_member(out, head, x->request, request_len, "", 0);
    free(head);
    sha1_base32(response, response_len, x->body, x->body_len, block_digest);
    sha1_base32(x->body, x->body_len, "", 0, payload_digest);
    head = xasprintf("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: %s\r\n"
                     "WARC-Date: %s\r\nWARC-Target-URI: %s\r\nWARC-Concurrent-To: %s\r\n"
                     "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n"
                     "Content-Type: application/http;msgtype=response\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     response_id, when, x->target_uri, request_id, block_digest, payload_digest,
                     response_len + x->body_len);
    *response_offset = out->len;
    append_member(out, head, response, response_len, x->body, x->body_len);
    free(head);
    free(response);
}

/* ---- reading ------------------------------------------------------------ */

/* Inflates one gzip member from data into a new buffer of at most max bytes. */
static int inflate_member(const void *data, size_t len, size_t max, struct buf *out, char *err,
                          size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return set_err(err, errlen, "cannot start decompression");
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    unsigned char chunk[16384];
    int rc;
    int result = 0;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            result = set_err(err, errlen, "not a complete gzip member: %s",
                             rc == Z_BUF_ERROR ? "cut short"
                             : z.msg           ? z.msg
                                               : "corrupt");
            break;
        }
        size_t got = sizeof chunk - z.avail_out;
        if (out->len + got > max || buf_append(out, chunk, got) < 0) {
            result = set_err(err, errlen, "record larger than %zu bytes", max);
            break;
        }
    } while (rc != Z_STREAM_END);
    inflateEnd(&z);
    return result;
}

int warc_read_member(const void *data, size_t len, size_t max_record, struct warc_record *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct buf b;
    buf_init(&b, 0);
    if (inflate_member(data, len, max_record, &b, err, errlen) < 0) {
        buf_free(&b);
        return -1;
    }
    size_t n = b.len;
    char *text = buf_steal(&b);
    const char *fail = NULL;
    char *end = n >= 9 ? memmem(text, n, "\r\n\r\n", 4) : NULL;
    if (strncmp(text, "WARC/1.1\r\n", 10) != 0 && strncmp(text, "WARC/1.0\r\n", 10) != 0)
        fail = "does not start with a WARC/1.0 or WARC/1.1 line";
    else if (!end || memchr(text, '\0', (size_t)(end - text)))
        fail = "header block has no end";
    if (fail) {
        free(text);
        return set_err(err, errlen, "not a WARC record: %s", fail);
    }
    end[2] = '\0'; /* the header lines end with their last CRLF */
    out->data = text;
    out->headers = text;
    char *length = warc_header(out, "Content-Length");
    char *stop = NULL;
    unsigned long long block_len = length ? strtoull(length, &stop, 10) : 0;
    size_t available = n - (size_t)(end + 4 - text);
    if (!length || stop == length || *stop || block_len > available)
        fail = !length ? "no Content-Length" : "Content-Length past the record's end";
    free(length);
    if (fail) {
        warc_record_free(out);
        return set_err(err, errlen, "not a WARC record: %s", fail);
    }
    out->block = end + 4;
    out->block_len = (size_t)block_len;
    return 0;
}

void warc_record_free(struct warc_record *r)
{
    free(r->data);
    memset(r, 0, sizeof *r);
}

char *warc_header(const struct warc_record *r, const char *name)
{
    size_t name_len = strlen(name);
    const char *line = strstr(r->headers, "\r\n"); /* past the WARC/1.x line */
    while (line && line[2]) {
        line += 2;
        const char *eol = strstr(line, "\r\n");
        if (!eol)
            break;
        if ((size_t)(eol - line) > name_len && line[name_len] == ':' &&
            strncasecmp(line, name, name_len) == 0) {
            const char *v = line + name_len + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            return xstrndup(v, (size_t)(eol - v));
        }
        line = eol;
    }
    return NULL;
}

int warc_http_payload(const struct warc_record *r, size_t *head_len, const char **payload,
                      size_t *payload_len)
{
    const char *end = memmem(r->block, r->block_len, "\r\n\r\n", 4);
    if (!end || r->block_len < 5 || strncmp(r->block, "HTTP/", 5) != 0)
        return -1;
    *head_len = (size_t)(end + 4 - r->block);
    *payload = end + 4;
    *payload_len = r->block_len - *head_len;
    return 0;
}
