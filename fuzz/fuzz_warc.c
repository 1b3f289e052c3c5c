/* fuzz_warc.c: libFuzzer harness for the WARC member reader (output/warc.c), what
 * `feedspool reextract` reads archive files with. The input is tried as a gzip member as it
 * is, and compressed (so that the WARC parser sees every record text, not only the few
 * inputs that are valid gzip). A parsed record's block must lie within it, and its headers
 * and HTTP payload must be readable. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "output/warc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_member(const void *member, size_t len)
{
    struct warc_record r;
    char err[512];
    if (warc_read_member(member, len, 1 << 20, &r, err, sizeof err) < 0)
        return;
    if (r.block < r.data || r.headers != r.data || strlen(r.headers) >= (size_t)(r.block - r.data))
        __builtin_trap();
    static const char *const names[] = {"WARC-Type", "Content-Length", "WARC-Target-URI", "x"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        free(warc_header(&r, names[i]));
    size_t head_len, payload_len;
    const char *payload;
    if (warc_http_payload(&r, &head_len, &payload, &payload_len) == 0 &&
        (payload != r.block + head_len || head_len + payload_len != r.block_len))
        __builtin_trap();
    warc_record_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_member(data, size);
    uLong bound = compressBound((uLong)size) + 32;
    unsigned char *gz = malloc(bound);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (gz && deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
        z.next_in = (unsigned char *)(uintptr_t)data;
        z.avail_in = (uInt)size;
        z.next_out = gz;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END)
            read_member(gz, bound - z.avail_out);
        deflateEnd(&z);
    }
    free(gz);
    return 0;
}
