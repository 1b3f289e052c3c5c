/* fuzz_robots.c: libFuzzer harness for the robots.txt parser and matcher: any input parses,
 * /robots.txt stays allowed, and paths made of the input's own bytes (its first line, and
 * every 64-byte window of it) are matched against its own rules without fault. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void match(const struct robots *r, const uint8_t *bytes, size_t n)
{
    char path[80];
    if (n > sizeof path - 2)
        n = sizeof path - 2;
    path[0] = '/';
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        if (bytes[i] && bytes[i] != '\n' && bytes[i] != '\r')
            path[len++] = (char)bytes[i];
    path[len] = '\0';
    (void)robots_allows(r, path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct robots *r = robots_parse((const char *)data, size, "feedspool");
    if (!robots_allows(r, "/robots.txt") || robots_crawl_delay_ms(r) < -1)
        __builtin_trap();
    const uint8_t *eol = memchr(data, '\n', size);
    match(r, data, eol ? (size_t)(eol - data) : size);
    for (size_t at = 0; at < size && at < 4096; at += 64)
        match(r, data + at, size - at);
    robots_free(r);
    return 0;
}
