/* test_warc.c: WARC records written and read back (output/warc.c), the archive's files,
 * rotation and retention (output/archive.c), and revision file names (output/record.c). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "common/util.h"
#include "output/archive.h"
#include "output/record.h"
#include "output/warc.h"

static const struct warc_exchange abc = {
    .target_uri = "http://a.example/page",
    .date = 1767225600, /* 2026-01-01T00:00:00Z */
    .request = "GET /page HTTP/1.1\r\nHost: a.example\r\n\r\n",
    .response = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
                "Content-Length: 23\r\n\r\n",
    .body = "abc",
    .body_len = 3,
};

static void test_exchange_reads_back_with_digests(void)
{
    struct buf b;
    buf_init(&b, 0);
    warc_append_warcinfo(&b, "x.warc.gz", abc.date);
    size_t request_at = b.len, response_at;
    warc_append_exchange(&b, &abc, &response_at);
    CHECK(response_at > request_at);
    struct warc_record request, response;
    char err[256];
    CHECK(warc_read_member(b.data + request_at, b.len - request_at, 1 << 20, &request, err,
                           sizeof err) == 0);
    CHECK(warc_read_member(b.data + response_at, b.len - response_at, 1 << 20, &response, err,
                           sizeof err) == 0);
    char *type = warc_header(&response, "warc-type"),
         *uri = warc_header(&response, "WARC-Target-URI");
    char *date = warc_header(&response, "WARC-Date");
    char *payload_digest = warc_header(&response, "WARC-Payload-Digest");
    char *id = warc_header(&response, "WARC-Record-ID");
    char *to = warc_header(&request, "WARC-Concurrent-To");
    CHECK_STR(type, "response");
    CHECK_STR(uri, "http://a.example/page");
    CHECK_STR(date, "2026-01-01T00:00:00Z");
    CHECK_STR(payload_digest, "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"); /* SHA-1 of "abc" */
    CHECK_STR(to, id);
    CHECK(strncmp(id, "<urn:uuid:", 10) == 0 && strlen(id) == 47);
    size_t head_len, payload_len;
    const char *payload;
    CHECK(warc_http_payload(&response, &head_len, &payload, &payload_len) == 0);
    CHECK(payload_len == 3 && memcmp(payload, "abc", 3) == 0);
    /* The body is stored decoded: its encoding and length are the original's no more. */
    char *head = strndup(response.block, head_len);
    CHECK_CONTAINS(head, "\r\nX-Feedspool-Original-Content-Encoding: gzip\r\n");
    CHECK_CONTAINS(head, "\r\nX-Feedspool-Original-Content-Length: 23\r\n");
    CHECK_CONTAINS(head, "\r\nContent-Length: 3\r\n\r\n");
    CHECK(request.block_len == strlen(abc.request) &&
          memcmp(request.block, abc.request, request.block_len) == 0);
    free(head);
    free(type);
    free(uri);
    free(date);
    free(payload_digest);
    free(id);
    free(to);
    warc_record_free(&request);
    warc_record_free(&response);
    buf_free(&b);
}

/* A record compressed as one gzip member, for the reader's refusals. */
static size_t gzip_text(const char *text, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)(uintptr_t)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static void test_reader_refuses_what_is_not_a_whole_record(void)
{
    unsigned char gz[1024];
    struct warc_record r;
    char err[256];
    size_t n = gzip_text(
        "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", gz, sizeof gz);
    CHECK(warc_read_member(gz, n, 1024, &r, err, sizeof err) == 0 && r.block_len == 5);
    warc_record_free(&r);
    CHECK(warc_read_member(gz, n - 4, 1024, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "cut short");
    CHECK(warc_read_member(gz, n, 20, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "larger than 20 bytes");
    CHECK(warc_read_member("plain", 5, 1024, &r, err, sizeof err) < 0);
    n = gzip_text("WARC/1.1\r\nContent-Length: 50\r\n\r\nhello\r\n\r\n", gz, sizeof gz);
    CHECK(warc_read_member(gz, n, 1024, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "Content-Length past the record's end");
    n = gzip_text("HTTP/1.1 200 OK\r\n\r\n", gz, sizeof gz);
    CHECK(warc_read_member(gz, n, 1024, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "WARC/1.0 or WARC/1.1");
    n = gzip_text("WARC/1.1\r\nWARC-Type: x\r\n\r\n", gz, sizeof gz);
    CHECK(warc_read_member(gz, n, 1024, &r, err, sizeof err) < 0);
    CHECK_CONTAINS(err, "no Content-Length");
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_archive_rotates_reads_back_and_forgets_the_oldest(void)
{
    char root[] = "/tmp/test_warc.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char *dir = archive_folder("/x/state.db");
    CHECK_STR(dir, "/x/archive");
    free(dir);
    dir = xasprintf("%s/archive", root);
    struct archive_options o = {
        .dir = dir, .max_file_bytes = 4096, .max_bytes = 1L << 30, .max_age = 86400};
    struct archive *a;
    char err[512];
    CHECK(archive_open(&o, &a, err, sizeof err) == 0);
    /* a page that does not compress: each exchange is a file of its own past 4 KB */
    char *page = malloc(3000);
    for (int i = 0; i < 3000; i++)
        page[i] = (char)(' ' + (rand() % 90));
    char files[4][ARCHIVE_NAME_MAX];
    int64_t offsets[4];
    for (int i = 0; i < 4; i++) {
        struct warc_exchange x = abc;
        x.body = page;
        x.body_len = 3000;
        page[0] = (char)('0' + i);
        x.date = (int64_t)time(NULL);
        CHECK(archive_write(a, &x, files[i], &offsets[i], err, sizeof err) == 0);
    }
    CHECK(archive_sync(a, err, sizeof err) == 0);
    CHECK(strcmp(files[0], files[1]) < 0 && strcmp(files[1], files[2]) < 0);
    CHECK(count_files(dir) == 4);
    for (int i = 0; i < 4; i++) {
        struct warc_record r;
        CHECK(archive_read(dir, files[i], offsets[i], 1 << 20, &r, err, sizeof err) == 0);
        size_t head_len, len;
        const char *payload;
        CHECK(warc_http_payload(&r, &head_len, &payload, &len) == 0 && len == 3000 &&
              payload[0] == '0' + i);
        warc_record_free(&r);
    }
    archive_close(a);
    /* Over max_bytes: the oldest go first; the next open begins file number 5. */
    o.max_bytes = 8000;
    CHECK(archive_open(&o, &a, err, sizeof err) == 0);
    CHECK(count_files(dir) == 2);
    struct warc_record r;
    CHECK(archive_read(dir, files[0], offsets[0], 1 << 20, &r, err, sizeof err) == -2);
    CHECK_CONTAINS(err, "no longer in the archive");
    CHECK(archive_read(dir, files[3], offsets[3], 1 << 20, &r, err, sizeof err) == 0);
    warc_record_free(&r);
    char name[ARCHIVE_NAME_MAX];
    int64_t offset;
    CHECK(archive_write(a, &abc, name, &offset, err, sizeof err) == 0);
    CHECK(strcmp(name, files[3]) > 0);
    archive_close(a);
    char *rm = xasprintf("rm -rf '%s'", root);
    CHECK(system(rm) == 0);
    free(rm);
    free(dir);
    free(page);
}

static void test_revision_file_names(void)
{
    CHECK(record_file_stem_valid("0af", 3));
    CHECK(record_file_stem_valid("0af.r2", 6));
    CHECK(record_file_stem_valid("0af.r10", 7));
    CHECK(!record_file_stem_valid("0af.r1", 6)); /* revision 1 is the plain id */
    CHECK(!record_file_stem_valid("0af.r02", 7));
    CHECK(!record_file_stem_valid("0af.r", 5));
    CHECK(!record_file_stem_valid("0af.x2", 6));
    CHECK(!record_file_stem_valid("0AF", 3));
    CHECK(!record_file_stem_valid(".r2", 3));
    CHECK(!record_file_stem_valid("0af.r2x", 7));
}

int main(void)
{
    RUN(test_exchange_reads_back_with_digests);
    RUN(test_reader_refuses_what_is_not_a_whole_record);
    RUN(test_archive_rotates_reads_back_and_forgets_the_oldest);
    RUN(test_revision_file_names);
    return check_summary();
}
